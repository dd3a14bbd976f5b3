// SPDX-License-Identifier: MIT
/*
 * test-kernel workload: user events around system calls whose kernel
 * tracepoints test-kernel.sh records beside them (sonde record -k).
 *
 *   test-kernel run N M   N times: ktest:before(i), usleep(5 ms),
 *                         ktest:after(i) (a sched_switch away from this
 *                         thread lies between); then M times ktest:pre(j),
 *                         getppid(), ktest:post(j) (a
 *                         syscalls:sys_enter_getppid between, to check
 *                         the clocks agree); then opens
 *                         /tmp/sonde-ktest-<pid> 7 times with
 *                         O_RDONLY|O_CREAT|O_CLOEXEC (mode 0600), unlinks
 *                         it, and prints "pid P tid T"
 *   test-kernel spin SECONDS  getppid() in a loop, with no tracing, for
 *                         the system-wide (-a) check; prints its pid first
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(ktest, before, SONDE_TP_ARGS(uint32_t, i),
		       SONDE_TP_FIELDS(sonde_field_integer(uint32_t, i, i)))
SONDE_TRACEPOINT_EVENT(ktest, after, SONDE_TP_ARGS(uint32_t, i),
		       SONDE_TP_FIELDS(sonde_field_integer(uint32_t, i, i)))
SONDE_TRACEPOINT_EVENT(ktest, pre, SONDE_TP_ARGS(uint32_t, i),
		       SONDE_TP_FIELDS(sonde_field_integer(uint32_t, i, i)))
SONDE_TRACEPOINT_EVENT(ktest, post, SONDE_TP_ARGS(uint32_t, i),
		       SONDE_TP_FIELDS(sonde_field_integer(uint32_t, i, i)))

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char path[64];

	if (argc == 3 && !strcmp(argv[1], "spin")) {
		double end = now_s() + atof(argv[2]);

		printf("%d\n", (int)getpid());
		fflush(stdout);
		while (now_s() < end)
			for (int i = 0; i < 1000; i++)
				syscall(SYS_getppid);
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: test-kernel run N M | spin SECONDS\n");
		return 2;
	}
	for (uint32_t i = 0; i < (uint32_t)atoi(argv[2]); i++) {
		sonde_tracepoint(ktest, before, i);
		usleep(5000);
		sonde_tracepoint(ktest, after, i);
	}
	for (uint32_t j = 0; j < (uint32_t)atoi(argv[3]); j++) {
		sonde_tracepoint(ktest, pre, j);
		syscall(SYS_getppid);
		sonde_tracepoint(ktest, post, j);
	}
	snprintf(path, sizeof(path), "/tmp/sonde-ktest-%d", (int)getpid());
	for (int k = 0; k < 7; k++) {
		int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
	}
	unlink(path);
	printf("pid %d tid %ld\n", (int)getpid(), (long)syscall(SYS_gettid));
	return 0;
}
