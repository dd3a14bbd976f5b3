// SPDX-License-Identifier: MIT
/*
 * test-sample workload: burns MS milliseconds of CPU (default 200)
 * in one thread, with a sample:mark event at its start, every 10 ms and at
 * its end, so that cpu-clock samples land between its first and last
 * event.  See test-sample.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(sample, mark,
	SONDE_TP_ARGS(uint32_t, i),
	SONDE_TP_FIELDS(sonde_field_integer(uint32_t, i, i)))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t ms = argc > 1 ? strtoull(argv[1], NULL, 10) : 200;
	uint64_t next = now_ns();
	volatile uint64_t x = 0;
	uint32_t i = 0;

	sonde_tracepoint(sample, mark, i++);
	/* Until this thread has had MS ms of CPU: on a loaded machine a
	 * wall-clock burn gets a fraction of that, and the samples of the
	 * start-up (before main(), a fixed CPU cost) outnumber those of the
	 * burn (test-sample-monotonic under ASan in CI: 294 of 598). */
	while (cpu_ns() < ms * 1000000u) {
		for (int k = 0; k < 10000; k++)
			x += (uint64_t)k * k;
		if (now_ns() >= next) {
			sonde_tracepoint(sample, mark, i++);
			next += 10000000u;
		}
	}
	sonde_tracepoint(sample, mark, i++);
	return x == 1; /* x is used: clang's -Wunused-but-set-variable */
}
