// SPDX-License-Identifier: MIT
/*
 * Example: a program that counts its own events with <sonde/pmu.h> in the
 * simple mode (sonde_pmu(3)).  It counts page faults, CPU time and context
 * switches around a region of its own code (touching 1000 fresh pages,
 * then sleeping a few times), and prints each value with the share of
 * time it was really on a counter.  An event this machine cannot count
 * ("cycles" in a virtual machine without a PMU) is reported with a
 * sentence saying why, and the others count.
 *
 *	cc -o pmu-count pmu-count.c $(pkg-config --cflags --libs sonde)
 *	./pmu-count
 *
 * Exit status: 0 when at least one event counted, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <sonde/pmu.h>

#define PAGES 1000
#define SLEEPS 5

/* The region counted: PAGES first touches of fresh anonymous memory (one
 * page fault each: huge pages are declined, which would fault once per
 * 2 MiB), then SLEEPS sleeps of 2 ms (a context switch each). */
static int work(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)page * PAGES;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 2000000 };
	volatile char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += (size_t)page)
		p[off] = 1;
	munmap((void *)p, len);
	for (int i = 0; i < SLEEPS; i++)
		nanosleep(&ts, NULL);
	return 0;
}

int main(void)
{
	static const char *const events[] = { "page-faults", "task-clock",
					      "context-switches", "cycles" };
	struct sonde_pmu_opts opts = {
		.size = sizeof(opts),
		.target = SONDE_PMU_THREAD,
		.pid = 0, /* the calling thread */
		.events = events,
		.nr_events = sizeof(events) / sizeof(events[0]),
	};
	struct sonde_pmu_session *s;
	char why[256];
	int err, counted = 0;

	err = sonde_pmu_session_create(&opts, &s);
	if (err < 0) {
		fprintf(stderr, "pmu-count: %s\n",
			sonde_pmu_strerror(err, NULL, why, sizeof(why)));
		return 1;
	}
	/* An event that cannot be opened here does not fail the session. */
	err = sonde_pmu_start(s);
	if (err == 0 && work() < 0)
		fprintf(stderr, "pmu-count: cannot map %d pages\n", PAGES);
	if (err == 0)
		err = sonde_pmu_stop(s);
	if (err < 0) {
		fprintf(stderr, "pmu-count: %s\n",
			sonde_pmu_strerror(err, NULL, why, sizeof(why)));
		sonde_pmu_session_destroy(s);
		return 1;
	}

	for (size_t i = 0; i < sonde_pmu_event_count(s); i++) {
		struct sonde_pmu_value v = { .size = sizeof(v) };
		const char *name = sonde_pmu_event_name(s, i);

		err = sonde_pmu_read(s, i, &v);
		if (err < 0) {
			/* The event's status (sonde_pmu_event_status()). */
			int unsupported = err == -ENOENT || err == -EOPNOTSUPP ||
					  err == -ENODEV;

			printf("%20s  %-18s %s\n",
			       unsupported ? "<not supported>" : "<not counted>",
			       name,
			       sonde_pmu_strerror(err, name, why, sizeof(why)));
			continue;
		}
		/* scaled == raw unless the kernel multiplexed the event. */
		printf("%20.0f  %-18s (%.2f%% running)\n", v.scaled, name,
		       v.running_pct);
		counted++;
	}
	sonde_pmu_session_destroy(s);
	return counted ? 0 : 1;
}
