// SPDX-License-Identifier: MIT
/*
 * Model-specific event names ("INST_RETIRED:ANY_P", "perf::PAGE-FAULTS")
 * through libpfm4, which knows every PMU's event tables.  libsonde does not
 * link with it: libpfm.so.4 is loaded with dlopen() at the first name that
 * no other lookup knows, so programs run where it is not installed and only
 * those names fail, with a sentence naming the Debian package (libpfm4).
 *
 * The few declarations used are copied from libpfm4's documented ABI
 * (perfmon/pfmlib.h, perfmon/pfmlib_perf_event.h, stable since 4.0; the
 * argument struct carries its own size), so building needs no -dev package.
 * libpfm4 is not documented as thread-safe: one mutex covers loading,
 * pfm_initialize() and every encoding.
 *
 * Trust boundary: the name comes from a user and goes to libpfm4 as is
 * (sonde_pmu_event_parse() bounded its length).  libpfm4 reads its own
 * environment variables (LIBPFM_VERBOSE, LIBPFM_FORCE_PMU, ...) and the
 * machine's sysfs; what it returns is checked here: only the attr fields
 * sonde_pmu_event_parse() documents are kept, and modifiers that set
 * others (a period, precise, pinned, a cpu) are refused, since sonde
 * takes those elsewhere (struct sonde_pmu_event_attr, the session).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

#define PFM_LIBRARY "libpfm.so.4"
#define PFM_PACKAGE "libpfm4"

/* perfmon/pfmlib.h */
#define PFM_SUCCESS 0
#define PFM_ERR_INVAL -2
#define PFM_ERR_NOTFOUND -4
#define PFM_ERR_NOMEM -7
#define PFM_PLM_ALL (PFM_PLM0 | PFM_PLM3 | PFM_PLMH)
enum { PFM_OS_PERF_EVENT_EXT = 2 };

/* perfmon/pfmlib_perf_event.h: pfm_perf_encode_arg_t, PFM_PERF_ENCODE_ABI0. */
struct pfm_perf_encode_arg {
	struct perf_event_attr *attr; /* in/out */
	char **fstr;                  /* out: fully qualified name, unused */
	size_t size;                  /* sizeof this struct */
	int idx;                      /* out: libpfm4's event id */
	int cpu;                      /* out: the cpu a ":cpu=" modifier asks for, or -1 */
	int flags;                    /* out: perf_event_open() flags */
	int pad0;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *library = PFM_LIBRARY;
static void *handle;
static int state; /* 0 not tried, 1 ready, -1 failed (see failure) */
static char failure[256];
static int (*encode)(const char *, int, int, void *);
static const char *(*pfm_strerror_fn)(int);

/* Load and start libpfm4 once; lock held.  0 or -ENOSYS. */
static int load(void)
{
	int (*init)(void);
	const char *e;
	int r;

	if (state)
		return state > 0 ? 0 : -ENOSYS;
	state = -1;
	handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		e = dlerror();
		snprintf(failure, sizeof(failure),
			 "libpfm4, which knows the model-specific names, is not "
			 "installed (%s); install the Debian package "
			 PFM_PACKAGE, e ? e : library);
		return -ENOSYS;
	}
	*(void **)&init = dlsym(handle, "pfm_initialize");
	*(void **)&encode = dlsym(handle, "pfm_get_os_event_encoding");
	*(void **)&pfm_strerror_fn = dlsym(handle, "pfm_strerror");
	if (!init || !encode || !pfm_strerror_fn) {
		snprintf(failure, sizeof(failure),
			 "%s is not libpfm4 4.x (no pfm_get_os_event_encoding);"
			 " reinstall the Debian package " PFM_PACKAGE, library);
		goto fail;
	}
	r = init();
	if (r != PFM_SUCCESS) {
		e = pfm_strerror_fn(r);
		snprintf(failure, sizeof(failure),
			 "libpfm4 cannot start here: pfm_initialize(): %s",
			 e ? e : "unknown error");
		goto fail;
	}
	state = 1;
	return 0;
fail:
	dlclose(handle);
	handle = NULL;
	encode = NULL;
	pfm_strerror_fn = NULL;
	return -ENOSYS;
}

void sonde__pmu_set_pfm_library(const char *soname)
{
	pthread_mutex_lock(&lock);
	if (handle)
		dlclose(handle);
	handle = NULL;
	encode = NULL;
	pfm_strerror_fn = NULL;
	state = 0;
	library = soname ? soname : PFM_LIBRARY;
	pthread_mutex_unlock(&lock);
}

/* What libpfm4 set beyond the fields sonde_pmu_event_parse() fills: the
 * name of one such field, or NULL. */
static const char *extra_field(const struct perf_event_attr *a, int cpu)
{
	if (a->sample_period)
		return a->freq ? "freq" : "period";
	if (a->precise_ip)
		return "precise";
	if (a->pinned)
		return "pinned";
	if (a->exclusive)
		return "excl";
	if (cpu != -1)
		return "cpu";
	return NULL;
}

int sonde__pmu_parse_pfm(const char *name, int plm,
			 struct perf_event_attr *attr, char *why, size_t n)
{
	struct perf_event_attr a;
	struct pfm_perf_encode_arg arg;
	const char *extra, *e;
	int r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	memset(&arg, 0, sizeof(arg));
	arg.attr = &a;
	arg.size = sizeof(arg);
	arg.cpu = -1;

	pthread_mutex_lock(&lock);
	if (load() < 0) {
		sonde__pmu_why(-ENOSYS, why, n, "%s", failure);
		pthread_mutex_unlock(&lock);
		return -ENOSYS;
	}
	r = encode(name, plm & PFM_PLM_ALL, PFM_OS_PERF_EVENT_EXT, &arg);
	e = r == PFM_SUCCESS ? NULL : pfm_strerror_fn(r);
	pthread_mutex_unlock(&lock);

	/* PFM_ERR_INVAL: a name libpfm4 cannot even split ("a b"). */
	if (r == PFM_ERR_NOTFOUND || r == PFM_ERR_INVAL)
		return sonde__pmu_why(-ENOENT, why, n,
			"libpfm4 does not know it either");
	if (r == PFM_ERR_NOMEM)
		return sonde__pmu_why(-ENOMEM, why, n,
			"libpfm4 ran out of memory encoding \"%s\"", name);
	if (r != PFM_SUCCESS)
		return sonde__pmu_why(-EINVAL, why, n,
			"libpfm4 cannot encode \"%s\": %s", name,
			e ? e : "unknown error");
	extra = extra_field(&a, arg.cpu);
	if (extra)
		return sonde__pmu_why(-EINVAL, why, n,
			"event \"%s\": libpfm4's modifier %s is not taken here "
			"(sampling, precise and pinning are set through struct "
			"sonde_pmu_event_attr, the cpu by the session)", name,
			extra);
	attr->type = a.type;
	attr->config = a.config;
	attr->config1 = a.config1;
	attr->config2 = a.config2;
	attr->exclude_user = a.exclude_user;
	attr->exclude_kernel = a.exclude_kernel;
	attr->exclude_hv = a.exclude_hv;
	attr->exclude_guest = a.exclude_guest;
	attr->exclude_host = a.exclude_host;
	return 0;
}
