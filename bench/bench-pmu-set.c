// SPDX-License-Identifier: MIT
/*
 * bench-pmu-set.c - the cost of one user-space event-set switch,
 * sonde_pmu_set_switch() (<sonde/pmu.h>): a per-thread session of two sets
 * of software events (set 0: task-clock, page-faults; set 1:
 * context-switches, cpu-clock), the helper thread's own switching pushed
 * out to 1000 s, then ITER switches alternating 1, 0, 1, ... timed with
 * CLOCK_MONOTONIC.  A switch disables the active set's counters and
 * enables the next set's (one ioctl each, or one per group).
 * Usage: bench-pmu-set [ITER]  ->  prints "pmu-set-switch NS" (ns/switch;
 * ITER defaults to 100000).
 * Built by bench/run.sh only when <sonde/pmu.h> declares
 * sonde_pmu_set_switch().
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sonde/pmu.h>

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	static const char *const ev[] = { "task-clock", "page-faults",
					  "context-switches", "cpu-clock" };
	static const unsigned int sets[] = { 0, 0, 1, 1 };
	struct sonde_pmu_opts o = { .size = sizeof(o), .events = ev,
				    .nr_events = 4, .sets = sets,
				    .switch_ns = 1000000000000ull };
	struct sonde_pmu_session *s;
	long iter = argc > 1 ? atol(argv[1]) : 100000;
	double t0, t1;
	int err;

	if (iter <= 0 || (err = sonde_pmu_session_create(&o, &s)) < 0) {
		fprintf(stderr, "bench-pmu-set: cannot create the session\n");
		return 1;
	}
	for (size_t i = 0; i < sonde_pmu_event_count(s); i++) {
		char why[256];

		if (sonde_pmu_event_status(s, i, why, sizeof(why)) < 0) {
			fprintf(stderr, "bench-pmu-set: %s: %s\n", ev[i], why);
			return 1;
		}
	}
	if ((err = sonde_pmu_start(s)) < 0 || (err = sonde_pmu_set_switch(s, 0)) < 0) {
		fprintf(stderr, "bench-pmu-set: cannot start: %d\n", err);
		return 1;
	}
	t0 = now_ns();
	for (long i = 0; i < iter; i++) {
		err = sonde_pmu_set_switch(s, (unsigned int)(~i & 1));
		if (err < 0) {
			fprintf(stderr, "bench-pmu-set: switch %ld: %d\n", i, err);
			return 1;
		}
	}
	t1 = now_ns();
	sonde_pmu_stop(s);
	sonde_pmu_session_destroy(s);
	printf("pmu-set-switch %.1f\n", (t1 - t0) / (double)iter);
	return 0;
}
