// SPDX-License-Identifier: MIT
/*
 * workload.c - a fixed, small program for the overhead cases of
 * bench/run.sh (stat-overhead, sample-overhead): the same work every run,
 * about 0.35 s on the idle 2-vCPU bench VM (0.3 s of CPU), mixing what
 * counters and samplers see: ROUNDS rounds of a CPU loop (a fixed number of LCG steps), touching
 * every page of a fresh 4 MiB anonymous mapping (1024 page faults), and a
 * 5 ms sleep (a context switch).  Nothing is timed against a clock inside
 * the loop: a tool that slows it shows as a longer run.
 * Usage: workload  ->  prints "workload-ms MS" (its own elapsed time, from
 * the start of main() to the end of the last round) on stdout.
 * Build: cc -std=c11 -O2 -o workload bench/workload.c
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#define ROUNDS 10
#define CPU_STEPS 12000000u  /* per round: ~15 ms of user time */
#define MAP_BYTES (4u << 20) /* per round: 1024 fresh 4 KiB pages */
#define SLEEP_NS 5000000L    /* per round */

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(void)
{
	volatile uint64_t sink = 0;
	double t0 = now_ms();
	uint64_t x = 88172645463325252ull;

	for (int r = 0; r < ROUNDS; r++) {
		struct timespec d = { 0, SLEEP_NS };
		unsigned char *m;

		for (uint32_t i = 0; i < CPU_STEPS; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		sink = x;
		m = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return 1;
		for (size_t o = 0; o < MAP_BYTES; o += 4096)
			m[o] = (unsigned char)o;
		sink += m[MAP_BYTES - 4096];
		munmap(m, MAP_BYTES);
		nanosleep(&d, NULL);
	}
	(void)sink;
	printf("workload-ms %.3f\n", now_ms() - t0);
	return 0;
}
