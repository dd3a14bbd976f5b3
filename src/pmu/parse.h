/* SPDX-License-Identifier: MIT */
/*
 * Event names to perf_event_attr, internal side: parse.c reads the name and
 * its modifiers and knows perf's generic names; sysfs.c reads what the
 * kernel says about its PMUs (type, format, events) and tracepoints.  The
 * public entry is sonde_pmu_event_parse() in <sonde/pmu.h>; other sonde
 * code (the perf ring source) may call it too.
 */
#ifndef SONDE_PMU_PARSE_H
#define SONDE_PMU_PARSE_H

#include <stddef.h>
#include <linux/perf_event.h>

#include <sonde/pmu.h>

/* Where the kernel describes its PMUs; tests may not change it. */
#define SONDE__PMU_SYSFS "/sys/bus/event_source/devices"

/* "pmu/term,term=value,.../": @spec is the whole text, without modifiers.
 * 0 or -ENOENT/-EINVAL/-ENAMETOOLONG with a sentence in @why. */
int sonde__pmu_parse_sysfs(const char *spec, struct perf_event_attr *attr,
			   char *why, size_t n);
/* A bare name found in some PMU's events/ directory: 0, or -ENOENT (no
 * sentence: the caller has a better one). */
int sonde__pmu_parse_alias(const char *name, struct perf_event_attr *attr,
			   char *why, size_t n);
/* "sys:name": 0 or -ENOENT with a sentence. */
int sonde__pmu_parse_tracepoint(const char *sys, const char *ev,
				struct perf_event_attr *attr, char *why,
				size_t n);
/* The tracefs mount point into @buf (from /proc/mounts, else debugfs's
 * tracing/): 0 or -ENOENT. */
int sonde__pmu_tracefs(char *buf, size_t n);

/* snprintf() into @why when it is not NULL; returns @err. */
int sonde__pmu_why(int err, char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
