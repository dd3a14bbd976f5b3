// SPDX-License-Identifier: MIT
/*
 * test-sample-symbols workload: burns about MS milliseconds of CPU time
 * (default 400) in two functions, 3:1: burn_a() for 3 ms of thread CPU
 * time, then burn_b() for 1 ms, over and over, with a symw:a_begin /
 * symw:a_end pair around each burn_a().  Built with frame pointers, so
 * that user call chains go burn_a -> main.  See test-sample-symbols.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(symw, a_begin,
	SONDE_TP_ARGS(uint32_t, i),
	SONDE_TP_FIELDS(sonde_field_integer(uint32_t, i, i)))
SONDE_TRACEPOINT_EVENT(symw, a_end,
	SONDE_TP_ARGS(uint32_t, i),
	SONDE_TP_FIELDS(sonde_field_integer(uint32_t, i, i)))

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static volatile uint64_t sink;

/* Spin until @ns of this thread's CPU time have gone; the clock is read
 * rarely, so that nearly every sample lands in the loop itself. */
__attribute__((noinline)) static void burn_a(uint64_t ns)
{
	uint64_t end = cpu_ns() + ns, x = sink;

	do {
		for (int k = 0; k < 20000; k++)
			x = x * 6364136223846793005u + (uint64_t)k;
	} while (cpu_ns() < end);
	sink = x;
}

__attribute__((noinline)) static void burn_b(uint64_t ns)
{
	uint64_t end = cpu_ns() + ns, x = sink;

	do {
		for (int k = 0; k < 20000; k++)
			x = x * 2862933555777941757u + (uint64_t)k;
	} while (cpu_ns() < end);
	sink = x;
}

int main(int argc, char **argv)
{
	uint64_t ms = argc > 1 ? strtoull(argv[1], NULL, 10) : 400;
	uint64_t start = cpu_ns();
	uint32_t i = 0;

	while (cpu_ns() - start < ms * 1000000u) {
		sonde_tracepoint(symw, a_begin, i);
		burn_a(3000000);
		sonde_tracepoint(symw, a_end, i++);
		burn_b(1000000);
	}
	return 0;
}
