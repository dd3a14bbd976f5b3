// SPDX-License-Identifier: MIT
/*
 * test-snapshot emitter: on CPU 0 only (one buffer, so sequence numbers in
 * a snapshot are consecutive), emits snapshot:ev with increasing seq in
 * bursts of 100 for SECONDS seconds, and after each burst writes the last
 * seq emitted to PROGRESS_FILE (rewritten in place).  With STOP_FILE it
 * stops as soon as that file exists, SECONDS being only an upper bound: a
 * test that signals the recorder several times needs the program alive
 * until it is done, however slow a loaded machine makes each step.
 *
 *   test-snapshot SECONDS PROGRESS_FILE [STOP_FILE]
 */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(snapshot, ev,
	SONDE_TP_ARGS(uint64_t, seq),
	SONDE_TP_FIELDS(sonde_field_integer(uint64_t, seq, seq)))

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct timespec pause = { 0, 1000000 };
	double end;
	uint64_t seq = 0;
	cpu_set_t cpus;
	int fd;

	if (argc != 3 && argc != 4)
		return 2;
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		return 2;
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 2;
	end = now() + atof(argv[1]);
	while (now() < end && !(argc == 4 && access(argv[3], F_OK) == 0)) {
		char buf[32];
		int n;

		for (int i = 0; i < 100; i++, seq++)
			sonde_tracepoint(snapshot, ev, seq);
		n = snprintf(buf, sizeof(buf), "%020llu\n",
			     (unsigned long long)(seq - 1));
		if (pwrite(fd, buf, (size_t)n, 0) != n)
			return 2;
		nanosleep(&pause, NULL);
	}
	close(fd);
	return 0;
}
