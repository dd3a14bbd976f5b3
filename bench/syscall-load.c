// SPDX-License-Identifier: MIT
/*
 * syscall-load.c - the traced program of bench/kernel-events.sh: ITER
 * getppid(2) calls, each one hitting two kernel tracepoints
 * (syscalls:sys_enter_getppid and syscalls:sys_exit_getppid), as cheap a
 * syscall as there is, so that a tracer's cost per kernel event shows.
 * The call goes through syscall(2), never a C library cache.
 *
 * With RATE (calls/s, > 0) the calls are paced on the clock in batches of
 * BATCH calls: batch b starts once b * BATCH / RATE seconds have passed
 * since the first, spinning until then (no sleep: the program keeps its
 * CPU, as it does unpaced).  A tracer that slows the calls below RATE
 * shows as an elapsed time above ITER / RATE.
 * Without RATE (or 0) the calls come back to back.
 *
 * Usage: syscall-load ITER [RATE]  ->  prints on stdout "syscall-load-ns
 * NS" (the elapsed ns of the calls, CLOCK_MONOTONIC, from the first call
 * to the last), "syscall-load-cpu-ms MS" (its own user + system CPU time,
 * getrusage(RUSAGE_SELF) at the end, its start-up's few ms included: where
 * a tracer's work in the kernel at each event is paid, apart from any wait
 * for a CPU that the tracer's own process or other load took),
 * "syscall-load-preempted N" (its involuntary context switches, ru_nivcsw:
 * how often something else took its CPU) and "syscall-load-calls ITER".
 * Build: cc -std=c11 -O2 -o syscall-load bench/syscall-load.c
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64u

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t iters, t0, t1;
	struct rusage ru;
	double rate = 0;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s ITER [RATE]\n", argv[0]);
		return 2;
	}
	iters = strtoull(argv[1], &end, 10);
	if (*end || !iters) {
		fprintf(stderr, "%s: ITER must be a positive integer\n", argv[0]);
		return 2;
	}
	if (argc == 3) {
		rate = strtod(argv[2], &end);
		if (*end || rate < 0) {
			fprintf(stderr, "%s: RATE must be a number >= 0 (calls/s)\n", argv[0]);
			return 2;
		}
	}
	t0 = now_ns();
	for (uint64_t done = 0; done < iters; done += BATCH) {
		uint64_t n = iters - done < BATCH ? iters - done : BATCH;

		if (rate > 0) {
			uint64_t due = t0 + (uint64_t)((double)done * 1e9 / rate);

			while (now_ns() < due)
				;
		}
		for (uint64_t i = 0; i < n; i++)
			syscall(SYS_getppid);
	}
	t1 = now_ns();
	if (getrusage(RUSAGE_SELF, &ru))
		return 1;
	printf("syscall-load-ns %llu\n", (unsigned long long)(t1 - t0));
	printf("syscall-load-cpu-ms %.3f\n",
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
	printf("syscall-load-preempted %ld\n", ru.ru_nivcsw);
	printf("syscall-load-calls %llu\n", (unsigned long long)iters);
	return 0;
}
