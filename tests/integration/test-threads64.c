// SPDX-License-Identifier: MIT
/*
 * test-threads64 emitter: 64 threads, released together by a barrier, each
 * emit K events carrying (thread index, seq, gettid()).  test-threads64.sh
 * checks every (thread, seq) appears exactly once and is attributed by the
 * sonde:thread records to the tid the thread reported.
 * Usage: test-threads64 [K]
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

#include "../tap.h"

SONDE_TRACEPOINT_EVENT(thr, ev,
	SONDE_TP_ARGS(uint32_t, thread, uint32_t, seq, int32_t, tid),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, thread, thread)
		sonde_field_integer(uint32_t, seq, seq)
		sonde_field_integer(int32_t, tid, tid)))

SONDE_TRACEPOINT_EVENT(thr, start,
	SONDE_TP_ARGS(uint32_t, thread, int32_t, tid),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, thread, thread)
		sonde_field_integer(int32_t, tid, tid)))

#define NTHREADS 64

static pthread_barrier_t barrier;
static uint32_t per_thread = 1000;

static void *worker(void *arg)
{
	uint32_t idx = (uint32_t)(uintptr_t)arg;
	int32_t tid = (int32_t)gettid();

	sonde_tracepoint(thr, start, idx, tid);
	pthread_barrier_wait(&barrier);
	for (uint32_t i = 0; i < per_thread; i++) {
		sonde_tracepoint(thr, ev, idx, i, tid);
		/* Now and then give the CPU away, to mix writers. */
		if (i % 97 == 0)
			sched_yield();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[NTHREADS];
	int started = 0;

	if (argc > 1)
		per_thread = (uint32_t)atoi(argv[1]);
	tap_plan(2);
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (uintptr_t i = 0; i < NTHREADS; i++)
		if (!pthread_create(&th[i], NULL, worker, (void *)i))
			started++;
		else
			tap_bail("pthread_create failed at thread %d", (int)i);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	tap_is_int(started, NTHREADS, "started %d threads", NTHREADS);
	tap_ok(sonde_tracepoint_enabled(thr, ev) != 0, "thr:ev enabled");
	return tap_done();
}
