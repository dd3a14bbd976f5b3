// SPDX-License-Identifier: MIT
/*
 * test-pmu: the C API of include/sonde/pmu.h on this machine's events.
 *  - event names: generic, modifiers, sysfs syntax, and the errors
 *    (unknown name: -ENOENT naming it; bad sysfs field: -EINVAL naming it;
 *    a value too wide for its field; a libpfm4 name, and one libpfm4 does
 *    not know);
 *  - a per-thread session on the calling thread: page-faults count the
 *    pages touched (>=), an unknown event and an unsupported one do not
 *    fail the session, each says why; stop freezes, reset zeroes;
 *  - a grouped session; a per-CPU session (where permitted) counts too;
 *  - sonde_pmu_strerror() names paranoid and CAP_PERFMON for permission.
 * Exit 77 when perf_event_open is not permitted here.
 */
#include <errno.h>
#include <stdlib.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sonde/pmu.h>

#include "../tap.h"

#define PAGES 1000

static void names(void)
{
	struct perf_event_attr a;
	char why[320];
	int r;

	r = sonde_pmu_event_parse("page-faults", &a, why, sizeof(why));
	tap_ok(r == 0 && a.type == PERF_TYPE_SOFTWARE &&
	       a.config == PERF_COUNT_SW_PAGE_FAULTS, "page-faults parses");
	r = sonde_pmu_event_parse("cs:u", &a, why, sizeof(why));
	tap_ok(r == 0 && a.config == PERF_COUNT_SW_CONTEXT_SWITCHES &&
	       a.exclude_kernel && !a.exclude_user, "cs:u: user space only");
	r = sonde_pmu_event_parse("cycles", &a, why, sizeof(why));
	tap_ok(r == 0 && a.type == PERF_TYPE_HARDWARE && a.config == 0,
	       "cycles parses (opening may still fail)");
	r = sonde_pmu_event_parse("LLC-load-misses", &a, why, sizeof(why));
	tap_ok(r == 0 && a.type == PERF_TYPE_HW_CACHE &&
	       a.config == (PERF_COUNT_HW_CACHE_LL | PERF_COUNT_HW_CACHE_OP_READ << 8 |
			    (unsigned long long)PERF_COUNT_HW_CACHE_RESULT_MISS << 16),
	       "LLC-load-misses: a hardware cache event");
	r = sonde_pmu_event_parse("L1-dcache-stores", &a, why, sizeof(why));
	tap_ok(r == 0 && a.type == PERF_TYPE_HW_CACHE && a.config == 0x100,
	       "L1-dcache-stores: cache 0, op write, access");
	r = sonde_pmu_event_parse("software/config=2/", &a, why, sizeof(why));
	tap_ok(r == 0 && a.type == PERF_TYPE_SOFTWARE && a.config == 2,
	       "software/config=2/ is page-faults (%s)", why);
	r = sonde_pmu_event_parse("no-such-event", &a, why, sizeof(why));
	tap_is_int(r, -ENOENT, "an unknown name: -ENOENT");
	tap_ok(strstr(why, "\"no-such-event\"") != NULL, "the sentence names it: %s", why);
	r = sonde_pmu_event_parse("software/bogus=1/", &a, why, sizeof(why));
	tap_is_int(r, -EINVAL, "a bad sysfs field: -EINVAL");
	tap_ok(strstr(why, "\"bogus\"") != NULL, "the sentence names the field: %s", why);
	r = sonde_pmu_event_parse("nopmu/config=1/", &a, why, sizeof(why));
	tap_is_int(r, -ENOENT, "an unknown PMU: -ENOENT (%s)", why);
	r = sonde_pmu_event_parse("../x/config=1/", &a, why, sizeof(why));
	tap_ok(r < 0, "a PMU name with a path in it is refused (%s)", why);
	r = sonde_pmu_event_parse("perf::PERF_COUNT_SW_PAGE_FAULTS", &a, why, sizeof(why));
	tap_ok(r == 0 && a.type == PERF_TYPE_SOFTWARE &&
	       a.config == PERF_COUNT_SW_PAGE_FAULTS,
	       "libpfm4's perf::PERF_COUNT_SW_PAGE_FAULTS is page-faults (%s)", r ? why : "");
	r = sonde_pmu_event_parse("NO_SUCH_PFM_EVENT:ANY", &a, why, sizeof(why));
	tap_ok(r == -ENOENT && strstr(why, "\"NO_SUCH_PFM_EVENT:ANY\"") && strstr(why, "libpfm4"),
	       "a name libpfm4 does not know: -ENOENT naming it and libpfm4 (%s)", why);
	if (access("/sys/bus/event_source/devices/uprobe/format/retprobe", R_OK) == 0) {
		r = sonde_pmu_event_parse("uprobe/retprobe=2/", &a, why, sizeof(why));
		tap_ok(r == -EINVAL && strstr(why, "too wide"),
		       "a value too wide for a 1-bit field: -EINVAL (%s)", why);
	}
}

static void touch(long n)
{
	long psz = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, (size_t)(n * psz), PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	madvise((void *)p, (size_t)(n * psz), MADV_NOHUGEPAGE);
	for (long i = 0; i < n; i++)
		p[i * psz] = 1;
	munmap((void *)p, (size_t)(n * psz));
}

int main(void)
{
	const char *ev[] = { "page-faults", "no-such-event", "cycles",
			     "perf::PERF_COUNT_SW_PAGE_FAULTS" };
	struct sonde_pmu_opts o = { .size = sizeof(o), .target = SONDE_PMU_THREAD,
				    .events = ev, .nr_events = 4 };
	struct sonde_pmu_value v = { .size = sizeof(v) }, v2 = { .size = sizeof(v2) };
	struct sonde_pmu_session *s;
	char why[320];
	int r, st;

	r = sonde_pmu_session_create(&o, &s);
	if (r == 0) {
		st = sonde_pmu_event_status(s, 0, why, sizeof(why));
		if (st == -EACCES || st == -EPERM) {
			printf("1..0 # SKIP perf_event_open not permitted: %s\n", why);
			sonde_pmu_session_destroy(s);
			return 77;
		}
	}
	names();
	tap_is_int(r, 0, "a session with an unknown event is still created");
	if (r < 0)
		return tap_done();
	tap_is_int((int)sonde_pmu_event_count(s), 4, "four events");
	tap_is_str(sonde_pmu_event_name(s, 1), "no-such-event", "names kept");
	tap_is_int(sonde_pmu_event_status(s, 0, why, sizeof(why)), 0, "page-faults opens");
	tap_is_int(sonde_pmu_event_status(s, 1, why, sizeof(why)), -ENOENT,
		   "the unknown event's status: -ENOENT");
	tap_ok(strstr(why, "no-such-event") != NULL, "with a sentence: %s", why);
	st = sonde_pmu_event_status(s, 2, why, sizeof(why));
	if (st < 0)
		tap_ok(strstr(why, "cycles") && (st != -ENOENT || strstr(why, "not supported")),
		       "cycles cannot open here, and says why: %s", why);
	else
		tap_diag("cycles opens here (a hardware PMU)");
	tap_is_int(sonde_pmu_read(s, 1, &v), -ENOENT, "reading it gives its status");

	tap_is_int(sonde_pmu_start(s), 0, "start");
	touch(PAGES);
	tap_is_int(sonde_pmu_stop(s), 0, "stop");
	tap_is_int(sonde_pmu_read(s, 0, &v), 0, "read page-faults");
	tap_ok(v.raw >= PAGES && v.scaled >= PAGES, "page-faults %llu >= %d pages touched",
	       (unsigned long long)v.raw, PAGES);
	tap_ok(v.running_ns > 0 && v.running_ns == v.enabled_ns && v.running_pct == 100.0,
	       "not multiplexed: running %llu ns = enabled, 100 %%",
	       (unsigned long long)v.running_ns);
	tap_is_int(sonde_pmu_event_status(s, 3, why, sizeof(why)), 0,
		   "the libpfm4 name opens (%s)", why);
	tap_is_int(sonde_pmu_read(s, 3, &v2), 0, "read it");
	tap_ok(llabs((long long)v2.raw - (long long)v.raw) <= 5,
	       "it counts what page-faults counts (%llu, %llu; 5 apart at most: "
	       "the two are enabled one after the other)",
	       (unsigned long long)v2.raw, (unsigned long long)v.raw);
	touch(PAGES);
	sonde_pmu_read(s, 0, &v2);
	tap_ok(v2.raw == v.raw, "stopped: touching more pages does not count (%llu, %llu)",
	       (unsigned long long)v.raw, (unsigned long long)v2.raw);
	tap_is_int(sonde_pmu_reset(s), 0, "reset");
	sonde_pmu_read(s, 0, &v2);
	tap_ok(v2.raw == 0, "reset zeroes the count (%llu)", (unsigned long long)v2.raw);
	v.size = 1;
	tap_is_int(sonde_pmu_read(s, 0, &v), -EINVAL, "a value struct without its size: -EINVAL");
	tap_is_int(sonde_pmu_read(s, 9, &v2), -ERANGE, "an index out of range: -ERANGE");
	sonde_pmu_session_destroy(s);
	sonde_pmu_session_destroy(NULL);

	/* One group: the leader and its member count together. */
	{
		const char *g[] = { "page-faults", "minor-faults" };
		struct sonde_pmu_opts go = { .size = sizeof(go), .events = g,
					     .nr_events = 2, .flags = SONDE_PMU_GROUP };
		struct sonde_pmu_value a = { .size = sizeof(a) }, b = { .size = sizeof(b) };

		r = sonde_pmu_session_create(&go, &s);
		tap_is_int(r, 0, "a grouped session");
		if (r == 0) {
			sonde_pmu_start(s);
			touch(PAGES);
			sonde_pmu_stop(s);
			int ra = sonde_pmu_read(s, 0, &a), rb = sonde_pmu_read(s, 1, &b);

			tap_ok(ra == 0 && rb == 0 && a.raw >= PAGES && b.raw >= PAGES &&
			       llabs((long long)a.enabled_ns - (long long)b.enabled_ns) <=
				       (long long)a.enabled_ns / 100,
			       "grouped: page-faults %llu, minor-faults %llu, enabled together (%llu, %llu ns)",
			       (unsigned long long)a.raw, (unsigned long long)b.raw,
			       (unsigned long long)a.enabled_ns, (unsigned long long)b.enabled_ns);
			sonde_pmu_session_destroy(s);
		}
	}
	/* Per CPU (system-wide): only where permitted (root or paranoid <= 0). */
	{
		const char *c[] = { "page-faults" };
		struct sonde_pmu_opts co = { .size = sizeof(co), .target = SONDE_PMU_CPU,
					     .events = c, .nr_events = 1 };
		struct sonde_pmu_value a = { .size = sizeof(a) };

		r = sonde_pmu_session_create(&co, &s);
		tap_is_int(r, 0, "a per-CPU session");
		if (r == 0 && sonde_pmu_event_status(s, 0, why, sizeof(why)) == 0) {
			sonde_pmu_start(s);
			touch(PAGES);
			sonde_pmu_stop(s);
			int ra = sonde_pmu_read(s, 0, &a);

			tap_ok(ra == 0 && a.raw >= PAGES,
			       "per CPU: page-faults %llu >= %d", (unsigned long long)a.raw, PAGES);
		} else if (r == 0) {
			tap_diag("per-CPU counting not permitted: %s", why);
		}
		sonde_pmu_session_destroy(s);
	}

	o.size = 4;
	tap_is_int(sonde_pmu_session_create(&o, &s), -EINVAL, "opts without their size: -EINVAL");
	sonde_pmu_strerror(-EACCES, "cycles", why, sizeof(why));
	tap_ok(strstr(why, "perf_event_paranoid is") && strstr(why, "CAP_PERFMON"),
	       "permission: paranoid and the capability named: %s", why);
	sonde_pmu_strerror(-EBUSY, "cycles", why, sizeof(why));
	tap_ok(strstr(why, "no free counter slot") != NULL, "EBUSY: %s", why);
	sonde_pmu_strerror(-EINVAL, "cycles", why, sizeof(why));
	tap_ok(strstr(why, "bad attribute") != NULL, "EINVAL: %s", why);
	return tap_done();
}
