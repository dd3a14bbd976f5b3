/* SPDX-License-Identifier: MIT */
/*
 * Event names to perf_event_attr, internal side: parse.c reads the name and
 * its modifiers and knows perf's generic names; sysfs.c reads what the
 * kernel says about its PMUs (type, format, events) and tracepoints;
 * pfm.c asks libpfm4, loaded with dlopen() at first use, for the
 * model-specific names.  The public entry is sonde_pmu_event_parse() in
 * <sonde/pmu.h>; other sonde code (the perf ring source) may call it too.
 */
#ifndef SONDE_PMU_PARSE_H
#define SONDE_PMU_PARSE_H

#include <stddef.h>
#include <linux/perf_event.h>

#include <sonde/pmu.h>

/* Where the kernel describes its PMUs; sonde__pmu_set_roots() moves it. */
#define SONDE__PMU_SYSFS "/sys/bus/event_source/devices"

/*
 * Tests and fuzz targets only: look PMUs up under @sysfs (in place of
 * SONDE__PMU_SYSFS: a directory of <pmu>/type, format/, events/) and
 * tracepoints under @tracefs (<tracefs>/events/<sys>/<name>/id, in place
 * of the mount point /proc/mounts names); NULL puts the kernel's back.
 * Not thread-safe: call it before any parse.  0 or -ENAMETOOLONG.
 * Deliberately no environment variable: libsonde runs inside traced
 * programs, which may be privileged.
 */
int sonde__pmu_set_roots(const char *sysfs, const char *tracefs);
/* The directory PMUs are looked up in now. */
const char *sonde__pmu_sysfs_root(void);

/* "pmu/term,term=value,.../": @spec is the whole text, without modifiers.
 * 0 or -ENOENT/-EINVAL/-ENAMETOOLONG with a sentence in @why. */
int sonde__pmu_parse_sysfs(const char *spec, struct perf_event_attr *attr,
			   char *why, size_t n);
/* A bare name found in some PMU's events/ directory: 0, or -ENOENT (no
 * sentence: the caller has a better one). */
int sonde__pmu_parse_alias(const char *name, struct perf_event_attr *attr,
			   char *why, size_t n);
/* "sys:name": 0; -ENOENT (no such tracepoint, or not a tracepoint name;
 * tracefs not mounted) or -EINVAL (an id that is not a number), with a
 * sentence. */
int sonde__pmu_parse_tracepoint(const char *sys, const char *ev,
				struct perf_event_attr *attr, char *why,
				size_t n);
/* The tracefs mount point into @buf (from /proc/mounts, else debugfs's
 * tracing/): 0 or -ENOENT. */
int sonde__pmu_tracefs(char *buf, size_t n);

/* libpfm4's privilege levels (perfmon/pfmlib.h, its ABI). */
#define PFM_PLM0 0x01 /* kernel */
#define PFM_PLM3 0x08 /* user */
#define PFM_PLMH 0x10 /* hypervisor */

/*
 * A libpfm4 name (pfm.c): @plm is PFM_PLM0 (kernel), PFM_PLM3 (user) and
 * PFM_PLMH (hypervisor) or'd, the levels libpfm4 counts at unless the
 * name says otherwise ("INST_RETIRED:ANY_P:u=1").  Fills type, config*,
 * exclude_user/kernel/hv/guest/host.  0; -ENOENT (libpfm4 does not know
 * the name; @why: a clause), -ENOSYS (libpfm4 is not installed or cannot
 * start here; @why: a clause naming the package), -EINVAL (libpfm4 knows
 * the name but refuses it, or its modifiers set what sonde sets elsewhere:
 * a sentence), -ENOMEM.
 */
int sonde__pmu_parse_pfm(const char *name, int plm,
			 struct perf_event_attr *attr, char *why, size_t n);
/* Tests only: the library pfm.c loads (default "libpfm.so.4"); a name
 * that is not installed shows what users without libpfm4 see.  Forgets a
 * library already loaded. */
void sonde__pmu_set_pfm_library(const char *soname);

/* snprintf() into @why when it is not NULL; returns @err. */
int sonde__pmu_why(int err, char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
