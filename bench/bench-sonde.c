// SPDX-License-Identifier: MIT
/*
 * bench-sonde.c - caller-side cost and throughput of sonde tracepoints.
 *
 * Measures, one case per run (the driver bench/run.sh decides whether the
 * program runs under `sonde record` and with which options):
 *   empty             loop with only a compiler barrier: ns/iteration of
 *                     the instrumented loop itself (no tracepoint);
 *   disabled          loop over the 3-int tracepoint bench:ev3 with no
 *                     session (no `sonde record`): ns/event of the
 *                     disabled site, i.e. one relaxed load and a branch;
 *   enabled-3int      bench:ev3 (int64, uint32, int32) recording, ns/event;
 *                     run under `sonde record --overwrite` (flight recorder:
 *                     the consumer drains nothing while the program runs),
 *                     so this is the producer's cost alone;
 *   enabled-string    bench:str, one 16-character string field, ns/event,
 *                     same conditions;
 *   enabled-2threads  THREADS (default 2) threads, each pinned to its own
 *                     CPU, each emitting ITER bench:ev3 events in parallel
 *                     under --overwrite: aggregate events/s; the same run
 *                     first measures one thread alone and prints it as
 *                     enabled-1thread-rate, so the ratio comes from one run;
 *   record-paced      ITER bench:ev3 events paced at RATE events/s (argv[3])
 *                     in discard mode: the sustained rate and, from sonde
 *                     record's summary, the events lost at that rate
 *   record-to-disk    ITER bench:ev3 events as fast as possible in discard
 *                     mode with default buffers, the consumer writing them
 *                     to disk: prints its own elapsed time and warm-up
 *                     count; the driver takes the recorded/lost counts from
 *                     sonde record's summary line and computes events/s.
 *   first-lap         the first ITER bench:ev3 events into fresh buffers,
 *                     with no warm-up, emitted as soon as main() runs (so
 *                     they race the prefault thread of src/control/
 *                     prefault.c), the thread pinned to one CPU so that
 *                     they all go to one CPU's buffer: ns/event.  The
 *                     driver gives enough events to cross every page of
 *                     that buffer once.  Under SONDE_PREFAULT=0 this is
 *                     the cost of a first lap with no prefault at all.
 *   first-lap-after-prefault  the same, but main() first waits until the
 *                     prefault thread (named "sonde-prefault") has left
 *                     the process, and prints that wait from the start of
 *                     main() as first-lap-prefault-wait (ms).
 * Every other recording case first emits a warm-up (1M events, fewer for
 * small ITER) that is not timed, so the ring buffer pages are faulted in
 * and the caches warm.  Times come from clock_gettime(CLOCK_MONOTONIC).
 *
 * Usage: bench-sonde CASE ITER [THREADS]
 * Prints `CASE VALUE` lines (ns/event unless the case name says a rate),
 * in the format bench/report.sh reads, like bench/floor.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_tp.h"

static uint64_t iters;
static pthread_barrier_t start_bar;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Warm-up events: ~1M, but at most a quarter of ITER for short runs. */
static uint64_t warmup_count(void)
{
	uint64_t w = iters / 4;

	return w > 1000000 ? 1000000 : w;
}

/* Emit n bench:ev3 events; the arguments change every iteration. */
static void __attribute__((noinline)) emit3(uint64_t n, uint64_t base)
{
	for (uint64_t i = 0; i < n; i++)
		sonde_tracepoint(bench, ev3, (int64_t)(base + i), (uint32_t)i,
				 (int32_t)(i ^ base));
}

/* Emit n bench:str events, each a 16-character string (17 bytes with NUL). */
static void __attribute__((noinline)) emit_str(uint64_t n)
{
	static const char *const s[4] = {
		"GET /index.html0", "GET /about.html1",
		"POST /api/items2", "GET /favicon.ic3",
	};

	for (uint64_t i = 0; i < n; i++)
		sonde_tracepoint(bench, str, s[i & 3]);
}

static void __attribute__((noinline)) loop_empty(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		__asm__ __volatile__("" ::: "memory");
}

/* Pin the calling thread to the idx-th CPU it is allowed to run on. */
static void pin_to(long idx)
{
	cpu_set_t allowed, one;
	long k = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return;
	idx %= CPU_COUNT(&allowed) ? CPU_COUNT(&allowed) : 1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		if (k++ == idx) {
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
			return;
		}
	}
}

static void *worker(void *arg)
{
	long id = (long)(intptr_t)arg;

	pin_to(id);
	emit3(warmup_count(), (uint64_t)id << 40);
	pthread_barrier_wait(&start_bar);   /* all threads start together */
	emit3(iters, (uint64_t)id << 40);
	return NULL;
}

/* Run nt pinned threads emitting iters events each: aggregate events/s. */
static double threads_rate(long nt)
{
	pthread_t *tid = calloc((size_t)nt, sizeof(*tid));
	double t0, t1;

	if (!tid) {
		perror("calloc");
		exit(1);
	}
	pthread_barrier_init(&start_bar, NULL, (unsigned)nt + 1);
	for (long i = 0; i < nt; i++)
		if (pthread_create(&tid[i], NULL, worker, (void *)(intptr_t)i)) {
			perror("pthread_create");
			exit(1);
		}
	pthread_barrier_wait(&start_bar);   /* workers are warm: go */
	t0 = now_ns();
	for (long i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	t1 = now_ns();
	pthread_barrier_destroy(&start_bar);
	free(tid);
	return (double)iters * (double)nt / ((t1 - t0) * 1e-9);
}

/* Whether a thread of this process is named @name (/proc/self/task). */
static int have_thread(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	char path[300], comm[32];
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = 0;
			found = !strcmp(comm, name);
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/* Wait (at most 60 s) until the buffers' prefault thread has exited. */
static void wait_prefault(void)
{
	struct timespec tick = { 0, 1000000 };

	for (int i = 0; i < 60000 && have_thread("sonde-prefault"); i++)
		nanosleep(&tick, NULL);
}

static void need_enabled(const char *c, int want)
{
	int on = sonde_tracepoint_enabled(bench, ev3) != 0;

	if (on == want)
		return;
	fprintf(stderr, "bench-sonde: case %s must run %s sonde record\n", c,
		want ? "under" : "without");
	exit(2);
}

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s empty|disabled|enabled-3int|enabled-string|"
		"enabled-2threads|record-to-disk|first-lap|"
		"first-lap-after-prefault ITER [THREADS]\n", argv0);
	return 2;
}

int main(int argc, char **argv)
{
	double start = now_ns();
	const char *c;
	double t0, t1;

	if (argc < 3)
		return usage(argv[0]);
	c = argv[1];
	iters = strtoull(argv[2], NULL, 0);
	if (iters == 0)
		return usage(argv[0]);

	if (!strcmp(c, "empty")) {
		loop_empty(warmup_count());
		t0 = now_ns();
		loop_empty(iters);
		t1 = now_ns();
	} else if (!strcmp(c, "disabled")) {
		need_enabled(c, 0);
		emit3(warmup_count(), 0);
		t0 = now_ns();
		emit3(iters, 0);
		t1 = now_ns();
	} else if (!strcmp(c, "enabled-3int")) {
		need_enabled(c, 1);
		emit3(warmup_count(), 0);
		t0 = now_ns();
		emit3(iters, 0);
		t1 = now_ns();
	} else if (!strcmp(c, "first-lap")) {
		need_enabled(c, 1);
		pin_to(0);
		t0 = now_ns();
		emit3(iters, 0);
		t1 = now_ns();
	} else if (!strcmp(c, "first-lap-after-prefault")) {
		need_enabled(c, 1);
		pin_to(0);
		wait_prefault();
		t0 = now_ns();
		printf("first-lap-prefault-wait %.3f\n", (t0 - start) * 1e-6);
		emit3(iters, 0);
		t1 = now_ns();
	} else if (!strcmp(c, "enabled-string")) {
		need_enabled(c, 1);
		emit_str(warmup_count());
		t0 = now_ns();
		emit_str(iters);
		t1 = now_ns();
	} else if (!strcmp(c, "enabled-2threads")) {
		long nt = argc > 3 ? atol(argv[3]) : 2;
		double r1, rn;

		if (nt < 1 || nt > 1024)
			return usage(argv[0]);
		need_enabled(c, 1);
		r1 = threads_rate(1);
		rn = threads_rate(nt);
		printf("enabled-1thread-rate %.0f\n", r1);
		printf("enabled-%ldthreads %.0f\n", nt, rn);
		return 0;
	} else if (!strcmp(c, "record-to-disk")) {
		struct timespec pause = { 0, 50 * 1000000 };
		uint64_t w = warmup_count();

		need_enabled(c, 1);
		emit3(w, 0);
		/* Let the consumer catch up: the timed part starts from
		 * warm, empty buffers and then runs at the disk's pace. */
		nanosleep(&pause, NULL);
		t0 = now_ns();
		emit3(iters, 1);
		t1 = now_ns();
		printf("record-to-disk-elapsed %.6f\n", (t1 - t0) * 1e-9);
		printf("record-to-disk-warmup %llu\n", (unsigned long long)w);
		return 0;
	} else if (!strcmp(c, "record-paced")) {
		/* ITER events at RATE events/s (argv[3]), in batches of 1000
		 * paced on the clock: can the consumer sustain that rate? */
		double rate = argc > 3 ? atof(argv[3]) : 20e6;
		struct timespec pause = { 0, 50 * 1000000 };
		uint64_t w = warmup_count();

		if (rate <= 0)
			return usage(argv[0]);
		need_enabled(c, 1);
		emit3(w, 0);
		nanosleep(&pause, NULL);
		t0 = now_ns();
		for (uint64_t done = 0; done < iters; done += 1000) {
			uint64_t due = t0 + (uint64_t)((double)done * 1e9 / rate);

			while (now_ns() < due)
				;
			emit3(iters - done < 1000 ? iters - done : 1000, 1);
		}
		t1 = now_ns();
		printf("record-paced-elapsed %.6f\n", (t1 - t0) * 1e-9);
		printf("record-paced-warmup %llu\n", (unsigned long long)w);
		return 0;
	} else {
		return usage(argv[0]);
	}
	printf("%s %.3f\n", c, (t1 - t0) / (double)iters);
	return 0;
}
