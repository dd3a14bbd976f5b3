// SPDX-License-Identifier: MIT
/*
 * floor.c - lower bound for a user-space tracer's per-event cost.
 *
 * Measures, in ns per iteration, two loops with no tracer involved:
 *   "floor": rdtsc + one 16-byte store (8-byte timestamp + 8-byte payload)
 *            into a pre-faulted 64 MiB buffer that wraps around; this is
 *            what any tracer recording a timestamped event must at least pay.
 *   "empty": the same loop with only a compiler barrier in the body, i.e.
 *            the cost of the instrumented loop itself.
 * Usage: floor CASE ITERATIONS   ->  prints "CASE ns_per_event".
 * Build: cc -std=c11 -O2 -o floor bench/floor.c
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#define BUF_BYTES (64u << 20)                  /* 64 MiB, power of two */
#define BUF_SLOTS (BUF_BYTES / 16u)

struct slot { uint64_t ts, payload; };

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s floor|empty ITERATIONS\n", argv[0]);
		return 2;
	}
	const char *c = argv[1];
	uint64_t n = strtoull(argv[2], NULL, 0);
	if (n == 0 || (strcmp(c, "floor") && strcmp(c, "empty"))) {
		fprintf(stderr, "usage: %s floor|empty ITERATIONS\n", argv[0]);
		return 2;
	}

	struct slot *buf = aligned_alloc(64, BUF_BYTES);
	if (!buf) { perror("aligned_alloc"); return 1; }
	memset(buf, 0, BUF_BYTES);             /* pre-fault every page */

	double t0, t1;
	if (!strcmp(c, "floor")) {
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++) {
			struct slot *s = &buf[i & (BUF_SLOTS - 1)];
			s->ts = __rdtsc();
			s->payload = i;
			__asm__ __volatile__("" ::: "memory");  /* keep stores in order, in loop */
		}
		t1 = now_ns();
	} else {
		t0 = now_ns();
		for (uint64_t i = 0; i < n; i++)
			__asm__ __volatile__("" ::: "memory");  /* loop cannot be removed */
		t1 = now_ns();
	}

	/* Read the buffer back through a volatile sink so the stores are live. */
	volatile uint64_t sink = buf[(n - 1) & (BUF_SLOTS - 1)].payload;
	(void)sink;
	printf("%s %.3f\n", c, (t1 - t0) / (double)n);
	free(buf);
	return 0;
}
