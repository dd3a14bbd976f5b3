// SPDX-License-Identifier: MIT
/*
 * Ring-buffer stress producer: THREADS threads emit stress:rec records with
 * variable-length payloads for SECONDS seconds, while a profiling timer
 * delivers signals whose handler emits stress:sig (tracing nested inside an
 * interrupted tracepoint).  More threads than CPUs force preemption and
 * migration between reserve and commit.  With MAXSEQ, each thread stops
 * after that many records (the time limit still holds).  Prints MAXLEN, then
 * per thread how many records and signal records it emitted, for
 * stress-verify.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "stress_tp.h"

#define MAX_THREADS 256

struct worker {
	pthread_t th;
	uint32_t idx;
	int32_t tid;
	uint64_t seq;
	uint64_t sig_seq;
	atomic_int done;
};

static struct worker workers[MAX_THREADS];
static __thread struct worker *self;
static atomic_int stop;
static unsigned int max_len = 200;
static uint64_t max_seq; /* 0: until the time is up */

static void on_prof(int sig)
{
	(void)sig;
	if (!self)
		return;
	sonde_tracepoint(stress, sig, self->idx, self->sig_seq, self->tid);
	self->sig_seq++;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	uint8_t bytes[65536];

	/* The tid before self: the SIGPROF handler records self->tid as soon
	 * as it sees self, and a signal between the two stores wrote tid 0
	 * (seen once in CI as "tid 0, thread record says N"). */
	w->tid = (int32_t)syscall(SYS_gettid);
	atomic_signal_fence(memory_order_seq_cst);
	self = w;
	while (!atomic_load_explicit(&stop, memory_order_relaxed) &&
	       (!max_seq || w->seq < max_seq)) {
		uint16_t len = (uint16_t)((w->seq * 7 + w->idx) % (max_len + 1));

		for (uint16_t i = 0; i < len; i++)
			bytes[i] = (uint8_t)(w->seq + w->idx + i);
		sonde_tracepoint(stress, rec, w->idx, w->seq, w->tid, bytes,
				 len);
		w->seq++;
	}
	atomic_store(&w->done, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned int threads = argc > 1 ? (unsigned int)atoi(argv[1]) : 4;
	double seconds = argc > 2 ? atof(argv[2]) : 2;
	struct itimerval it = { { 0, 997 }, { 0, 997 } };
	struct sigaction sa;
	struct timespec d;

	if (argc > 3)
		max_len = (unsigned int)atoi(argv[3]);
	if (argc > 4)
		max_seq = strtoull(argv[4], NULL, 10);
	if (!threads || threads > MAX_THREADS || max_len > 65535) {
		fprintf(stderr, "usage: stress-producer THREADS SECONDS MAXLEN [MAXSEQ]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prof;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
	for (unsigned int i = 0; i < threads; i++) {
		workers[i].idx = i;
		pthread_create(&workers[i].th, NULL, run, &workers[i]);
	}
	/* Until the time is up or every thread reached MAXSEQ. */
	d.tv_sec = 0;
	d.tv_nsec = 10 * 1000 * 1000;
	for (double t = 0; t < seconds; t += 0.01) {
		unsigned int done = 0;

		for (unsigned int i = 0; i < threads; i++)
			done += (unsigned int)atomic_load(&workers[i].done);
		if (done == threads)
			break;
		nanosleep(&d, NULL);
	}
	atomic_store(&stop, 1);
	for (unsigned int i = 0; i < threads; i++)
		pthread_join(workers[i].th, NULL);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_PROF, &it, NULL);
	printf("maxlen %u\n", max_len);
	for (unsigned int i = 0; i < threads; i++)
		printf("%u %llu %llu %d\n", i, (unsigned long long)workers[i].seq,
		       (unsigned long long)workers[i].sig_seq, workers[i].tid);
	return 0;
}
