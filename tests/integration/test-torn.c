// SPDX-License-Identifier: MIT
/*
 * test-torn emitter: a record reserved but never committed, because its
 * process dies between reserve and commit, must be dropped and counted,
 * and every record committed around it must survive.
 *
 *   test-torn MODE K     MODE is "middle" or "last"
 *
 * Everything runs on CPU 0, so all records share one buffer.  The program
 * emits K torn:before events, then a helper thread reserves a two-step
 * record (as a tracepoint does for a record larger than the one-step limit)
 * and stops before committing it; in "middle" mode K torn:after events
 * follow in the same sub-buffer; then the process kills itself with SIGKILL
 * (sonde record exits 137).  test-torn.sh checks the trace.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(torn, before,
	SONDE_TP_ARGS(uint32_t, seq),
	SONDE_TP_FIELDS(sonde_field_integer(uint32_t, seq, seq)))

SONDE_TRACEPOINT_EVENT(torn, after,
	SONDE_TP_ARGS(uint32_t, seq),
	SONDE_TP_FIELDS(sonde_field_integer(uint32_t, seq, seq)))

SONDE_TRACEPOINT_EVENT(torn, big,
	SONDE_TP_ARGS(const uint8_t *, data, uint32_t, len),
	SONDE_TP_FIELDS(sonde_field_sequence(uint8_t, data, data, uint32_t, len)))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int reserved;

/* Reserve a torn:big record with a 1000-byte sequence, write part of it,
 * and never commit: the state a process killed mid-record leaves. */
static void *tear(void *arg)
{
	struct sonde__wctx w;
	uint32_t len = 1000;
	char *p;

	(void)arg;
	p = sonde__reserve_slow(sonde__chan_get(), &sonde__ev_torn__big,
				sonde__ev_torn__big.id,
				4 + len, &w);
	if (!p) {
		fprintf(stderr, "test-torn: reservation failed\n");
		exit(2);
	}
	memcpy(p, &len, 4);
	memset(p + 4, 0xAB, 100);
	pthread_mutex_lock(&lock);
	reserved = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	cpu_set_t cpus;
	pthread_t th;
	uint32_t k;

	if (argc != 3 || (strcmp(argv[1], "middle") && strcmp(argv[1], "last"))) {
		fprintf(stderr, "usage: test-torn middle|last K\n");
		return 2;
	}
	k = (uint32_t)atoi(argv[2]);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		perror("test-torn: sched_setaffinity");
		return 2;
	}
	if (!sonde_tracepoint_enabled(torn, big)) {
		fprintf(stderr, "test-torn: not recording\n");
		return 2;
	}
	for (uint32_t i = 0; i < k; i++)
		sonde_tracepoint(torn, before, i);
	pthread_create(&th, NULL, tear, NULL);
	pthread_mutex_lock(&lock);
	while (!reserved)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	if (!strcmp(argv[1], "middle"))
		for (uint32_t i = 0; i < k; i++)
			sonde_tracepoint(torn, after, i);
	raise(SIGKILL);
	return 3;
}
