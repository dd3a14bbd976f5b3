// SPDX-License-Identifier: MIT
/*
 * test-kill9 emitter, killed with SIGKILL by test-kill9.sh.
 *
 *   test-kill9 exact K FIFO    emit exactly K events (seq 0..K-1), then
 *                              write "PID\n" to FIFO and wait to be killed
 *   test-kill9 threads FIFO    two threads emit (thread, seq) forever,
 *                              about one event per microsecond each; once
 *                              both are going, write "PID\n" to FIFO
 *
 * An alarm ends the process after 120 s should the test never kill it.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(kill9, ev,
	SONDE_TP_ARGS(uint32_t, seq, const char *, text),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, seq, seq)
		sonde_field_string(text, text)))

SONDE_TRACEPOINT_EVENT(kill9, thr,
	SONDE_TP_ARGS(uint32_t, thread, uint64_t, seq),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, thread, thread)
		sonde_field_integer(uint64_t, seq, seq)))

static volatile uint64_t progress[2];

static void tell(const char *fifo)
{
	char buf[32];
	int fd = open(fifo, O_WRONLY);
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		perror("test-kill9: cannot write to the fifo");
		exit(2);
	}
	close(fd);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Emit without pause but about one event per microsecond (busy wait), so
 * that a kill often lands inside a tracepoint, yet the trace stays small. */
static void *emitter(void *arg)
{
	uint32_t idx = (uint32_t)(uintptr_t)arg;

	for (uint64_t seq = 0;; seq++) {
		uint64_t until = now_ns() + 1000;

		sonde_tracepoint(kill9, thr, idx, seq);
		__atomic_store_n(&progress[idx], seq + 1, __ATOMIC_RELAXED);
		while (now_ns() < until)
			;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const char *const texts[] = { "", "short", "a somewhat longer text" };

	alarm(120);
	if (argc == 4 && !strcmp(argv[1], "exact")) {
		uint32_t k = (uint32_t)strtoul(argv[2], NULL, 10);

		if (!sonde_tracepoint_enabled(kill9, ev))
			return 3;
		for (uint32_t i = 0; i < k; i++)
			sonde_tracepoint(kill9, ev, i, texts[i % 3]);
		tell(argv[3]);
		for (;;)
			pause();
	}
	if (argc == 3 && !strcmp(argv[1], "threads")) {
		pthread_t th[2];
		struct timespec ts = { 0, 1000000 };

		if (!sonde_tracepoint_enabled(kill9, thr))
			return 3;
		for (uintptr_t i = 0; i < 2; i++)
			if (pthread_create(&th[i], NULL, emitter, (void *)i))
				return 4;
		while (__atomic_load_n(&progress[0], __ATOMIC_RELAXED) < 1000 ||
		       __atomic_load_n(&progress[1], __ATOMIC_RELAXED) < 1000)
			nanosleep(&ts, NULL);
		tell(argv[2]);
		for (;;)
			pause();
	}
	fprintf(stderr, "usage: test-kill9 exact K FIFO | threads FIFO\n");
	return 2;
}
