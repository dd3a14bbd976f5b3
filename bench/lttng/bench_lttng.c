// SPDX-License-Identifier: MIT
/*
 * bench_lttng.c - LTTng-UST 2.13 reference numbers for sonde. Measures the
 * caller-side cost of tracepoint(sonde_bench, ev3, a, b, c) (int64, uint32,
 * int32 payload) in ns/event with a session recording it ("enabled3") and
 * with no session enabling it ("disabled"), plus the aggregate throughput
 * of N threads hammering the same tracepoint ("threads", events/s). The
 * recording session itself is set up outside, by run-lttng.sh.
 * Usage: bench_lttng enabled3|disabled|threads ITERATIONS [THREADS]
 * Prints "CASE ns_per_event", or "threadsN events_per_sec" for threads.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_lttng_tp.h"

static uint64_t iters;
static pthread_barrier_t start_bar;

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Emit n events; the arguments change every iteration so nothing folds. */
static void __attribute__((noinline)) emit(uint64_t n, uint64_t base)
{
	for (uint64_t i = 0; i < n; i++)
		tracepoint(sonde_bench, ev3, (int64_t)(base + i), (uint32_t)i,
			   (int32_t)(i ^ base));
}

/* Warm-up: enough events to fault in the ring buffer pages and caches. */
static uint64_t warmup_count(void)
{
	uint64_t w = iters / 10;
	return w > 100000 ? 100000 : w;
}

static void *worker(void *arg)
{
	uint64_t id = (uint64_t)(uintptr_t)arg;
	emit(warmup_count(), id << 40);
	pthread_barrier_wait(&start_bar);       /* all threads start together */
	emit(iters, id << 40);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
usage:
		fprintf(stderr, "usage: %s enabled3|disabled|threads ITERATIONS [THREADS]\n",
			argv[0]);
		return 2;
	}
	const char *c = argv[1];
	iters = strtoull(argv[2], NULL, 0);
	if (iters == 0)
		goto usage;

	if (!strcmp(c, "enabled3") || !strcmp(c, "disabled")) {
		emit(warmup_count(), 0);
		double t0 = now_ns();
		emit(iters, 0);
		double t1 = now_ns();
		printf("%s %.3f\n", c, (t1 - t0) / (double)iters);
		return 0;
	}
	if (strcmp(c, "threads"))
		goto usage;

	long nt = argc > 3 ? atol(argv[3]) : sysconf(_SC_NPROCESSORS_ONLN);
	if (nt < 1 || nt > 1024)
		goto usage;
	pthread_t *tid = calloc((size_t)nt, sizeof(*tid));
	pthread_barrier_init(&start_bar, NULL, (unsigned)nt + 1);
	for (long i = 0; i < nt; i++)
		if (pthread_create(&tid[i], NULL, worker, (void *)(uintptr_t)i)) {
			perror("pthread_create");
			return 1;
		}
	pthread_barrier_wait(&start_bar);       /* workers are warm: go */
	double t0 = now_ns();
	for (long i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	double t1 = now_ns();
	printf("threads%ld %.0f\n", nt, (double)iters * (double)nt / ((t1 - t0) * 1e-9));
	free(tid);
	return 0;
}
