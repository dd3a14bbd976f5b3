// SPDX-License-Identifier: MIT
/*
 * Event names, the entry point: sonde_pmu_event_parse() splits off the
 * modifiers (":u", ":k"; after the final '/' for sysfs syntax), then looks
 * the rest up, in this order: one of perf's generic names (the table
 * below, as tools/perf/util/parse-events.c spells them), a hardware cache
 * name, a name from some PMU's events/ directory, sysfs PMU syntax
 * ("pmu/.../", sysfs.c), a tracepoint ("sys:name", sysfs.c), and last
 * libpfm4's model-specific names (pfm.c), for what no other lookup knows.
 *
 * Trust boundary: the name comes from a user (the command line, a program
 * using the API).  It is bounded (SONDE__PMU_NAME_MAX) before anything is
 * copied, and only read; it never becomes a path without the checks of
 * sysfs.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../common/common.h"
#include "parse.h"

#define SONDE__PMU_NAME_MAX 1024

static const struct {
	const char *name;
	unsigned int type;
	unsigned long long config;
} generic[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "bus-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES },
	{ "stalled-cycles-frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ "idle-cycles-frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ "stalled-cycles-backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
	{ "idle-cycles-backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
	{ "ref-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "alignment-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS },
	{ "emulation-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS },
	{ "dummy", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_DUMMY },
};

/* Hardware cache events, perf's spelling: <cache>-<op>s for accesses,
 * <cache>-<op>-misses for misses ("L1-dcache-loads", "LLC-load-misses"). */
static const char *const hw_cache[] = {
	[PERF_COUNT_HW_CACHE_L1D] = "L1-dcache",
	[PERF_COUNT_HW_CACHE_L1I] = "L1-icache",
	[PERF_COUNT_HW_CACHE_LL] = "LLC",
	[PERF_COUNT_HW_CACHE_DTLB] = "dTLB",
	[PERF_COUNT_HW_CACHE_ITLB] = "iTLB",
	[PERF_COUNT_HW_CACHE_BPU] = "branch",
	[PERF_COUNT_HW_CACHE_NODE] = "node",
};
static const char *const hw_cache_op[] = {
	[PERF_COUNT_HW_CACHE_OP_READ] = "load",
	[PERF_COUNT_HW_CACHE_OP_WRITE] = "store",
	[PERF_COUNT_HW_CACHE_OP_PREFETCH] = "prefetch",
};

static int parse_hw_cache(const char *s, struct perf_event_attr *attr)
{
	for (size_t c = 0; c < ARRAY_SIZE(hw_cache); c++) {
		size_t cl = strlen(hw_cache[c]);

		if (strncmp(s, hw_cache[c], cl) != 0 || s[cl] != '-')
			continue;
		for (size_t o = 0; o < ARRAY_SIZE(hw_cache_op); o++) {
			const char *rest = s + cl + 1;
			size_t ol = strlen(hw_cache_op[o]);
			unsigned long long res;

			if (strncmp(rest, hw_cache_op[o], ol) != 0)
				continue;
			if (strcmp(rest + ol, "s") == 0)
				res = PERF_COUNT_HW_CACHE_RESULT_ACCESS;
			else if (strcmp(rest + ol, "-misses") == 0)
				res = PERF_COUNT_HW_CACHE_RESULT_MISS;
			else
				continue;
			attr->type = PERF_TYPE_HW_CACHE;
			attr->config = c | (o << 8) | (res << 16);
			return 0;
		}
	}
	return -ENOENT;
}

int sonde__pmu_why(int err, char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (why && n) {
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Modifier letters at @s: u (user), k (kernel), h (hypervisor).  Sets the
 * exclude_* bits of what is not named.  0, or -1 if @s holds another
 * character (then it is not a modifier). */
static int modifiers(const char *s, struct perf_event_attr *attr)
{
	int u = 0, k = 0, h = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s == 'u')
			u = 1;
		else if (*s == 'k')
			k = 1;
		else if (*s == 'h')
			h = 1;
		else
			return -1;
	}
	attr->exclude_user = !u;
	attr->exclude_kernel = !k;
	attr->exclude_hv = !h;
	return 0;
}

/* One name for libpfm4, after the other lookups failed with @tried (a
 * clause, or "" when there was nothing else to say). */
static int parse_pfm(const char *s, const struct perf_event_attr *mods,
		     int have_mods, struct perf_event_attr *attr,
		     const char *tried, char *why, size_t n)
{
	char pfm_why[320];
	int plm = PFM_PLM0 | PFM_PLM3 | PFM_PLMH, err;

	/* No modifier counts everything, as for perf's generic names. */
	if (have_mods)
		plm = (mods->exclude_user ? 0 : PFM_PLM3) |
		      (mods->exclude_kernel ? 0 : PFM_PLM0) |
		      (mods->exclude_hv ? 0 : PFM_PLMH);
	err = sonde__pmu_parse_pfm(s, plm, attr, pfm_why, sizeof(pfm_why));
	if (err == 0 || err == -EINVAL || err == -ENOMEM)
		return err < 0 ? sonde__pmu_why(err, why, n, "%s", pfm_why) : 0;
	return sonde__pmu_why(-ENOENT, why, n, "unknown event \"%s\": %s; %s "
		"(see sonde stat --help for the syntax)", s, tried, pfm_why);
}

/* A name without '/': generic, cache, events/ alias, tracepoint, libpfm4.
 * @mods, @have_mods: the modifier split off, for libpfm4; *@own_excl is
 * set when the exclude_* bits are libpfm4's own (its ":u=1" modifiers). */
static int parse_plain(char *s, const struct perf_event_attr *mods,
		       int have_mods, int *own_excl,
		       struct perf_event_attr *attr, char *why, size_t n)
{
	char tried[400];
	char *colon = strchr(s, ':');
	int err;

	for (size_t i = 0; !colon && i < ARRAY_SIZE(generic); i++) {
		if (strcmp(s, generic[i].name) == 0) {
			attr->type = generic[i].type;
			attr->config = generic[i].config;
			return 0;
		}
	}
	if (!colon && parse_hw_cache(s, attr) == 0)
		return 0;
	if (!colon) {
		/* Found in some PMU's events/ but broken: say why. */
		err = sonde__pmu_parse_alias(s, attr, why, n);
		if (err != -ENOENT)
			return err;
	}
	snprintf(tried, sizeof(tried), "not one of perf's generic or hardware "
		 "cache names, nor in any PMU's events/ directory under %s",
		 sonde__pmu_sysfs_root());
	if (colon && colon != s && colon[1] && !strchr(colon + 1, ':')) {
		/* "sys:name": a tracepoint, else maybe libpfm4's
		 * "PMU_EVENT:UMASK". */
		*colon = '\0';
		err = sonde__pmu_parse_tracepoint(s, colon + 1, attr, tried,
						  sizeof(tried));
		*colon = ':';
		if (err != -ENOENT)
			return err < 0 ? sonde__pmu_why(err, why, n, "%s", tried) : 0;
	} else if (colon) {
		snprintf(tried, sizeof(tried), "not a tracepoint (\"sys:name\")");
	}
	*own_excl = 1;
	return parse_pfm(s, mods, have_mods, attr, tried, why, n);
}

int sonde_pmu_event_parse(const char *name,
			  struct perf_event_attr *attr,
			  char *why, size_t n)
{
	char buf[SONDE__PMU_NAME_MAX];
	struct perf_event_attr mods;
	char *slash, *colon;
	int have_mods = 0, own_excl = 0;
	size_t len;
	int err;

	if (why && n)
		why[0] = '\0';
	if (!name || !attr)
		return sonde__pmu_why(-EINVAL, why, n, "no event name");
	len = strnlen(name, sizeof(buf));
	if (len == sizeof(buf))
		return sonde__pmu_why(-ENAMETOOLONG, why, n,
			"event name longer than %zu bytes", sizeof(buf) - 1);
	if (len == 0)
		return sonde__pmu_why(-EINVAL, why, n, "empty event name");
	memcpy(buf, name, len + 1);
	memset(attr, 0, sizeof(*attr));
	memset(&mods, 0, sizeof(mods));
	attr->size = sizeof(*attr);

	slash = strrchr(buf, '/');
	if (slash) {
		/* "pmu/terms/" then optional modifiers after the last '/'. */
		if (slash[1]) {
			if (modifiers(slash + 1, &mods) < 0)
				return sonde__pmu_why(-EINVAL, why, n,
					"bad modifier \"%s\" after \"%.*s\": "
					"use u, k or h", slash + 1,
					(int)(slash + 1 - buf), buf);
			slash[1] = '\0';
		}
		err = sonde__pmu_parse_sysfs(buf, attr, why, n);
	} else {
		colon = strrchr(buf, ':');
		if (colon && colon != buf && colon[-1] != ':' &&
		    modifiers(colon + 1, &mods) == 0) {
			*colon = '\0';
			have_mods = 1;
		} else {
			memset(&mods, 0, sizeof(mods));
		}
		err = parse_plain(buf, &mods, have_mods, &own_excl, attr, why, n);
	}
	if (err < 0)
		return err;
	attr->size = sizeof(*attr);
	if (own_excl)
		return 0;
	attr->exclude_user = mods.exclude_user;
	attr->exclude_kernel = mods.exclude_kernel;
	attr->exclude_hv = mods.exclude_hv;
	return 0;
}
