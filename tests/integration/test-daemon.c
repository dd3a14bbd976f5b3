// SPDX-License-Identifier: MIT
/*
 * test-daemon emitter: a command that daemonizes, the way servers do, and
 * whose daemon goes on emitting after the command itself has exited.
 *
 *   test-daemon daemon N MS
 *	daemon(3) (fork, the parent exits 0 at once, setsid, chdir /,
 *	standard streams to /dev/null), then emit desc:ev seq 0..N-1 spread
 *	over about MS ms, each with the daemon's parent pid, and exit 4.
 *   test-daemon daemon-exec N MS
 *	the same, but the daemon first executes this program again as
 *	"emit N MS" (a daemon that daemonizes, then runs its server).
 *   test-daemon double STATUS N MS
 *	double fork: the command forks and exits STATUS at once; its child
 *	calls setsid, forks and exits 0 at once; the grandchild emits as
 *	above and exits 4.
 *   test-daemon killed FIFO STATUS N
 *	double fork, as above; the grandchild emits seq 0..N-1, writes
 *	"GRANDCHILD_PID\n" to FIFO and runs on until killed; the command has
 *	already exited STATUS.
 *   test-daemon forever FIFO
 *	daemon(3), then emit seq 0, 1, ... every 100 us for as long as it
 *	runs; after seq 0 it writes "DAEMON_PID\n" to FIFO.
 *   test-daemon busy FIFO
 *	the same daemon, made by a double fork with setsid, while the
 *	command itself runs on (until a signal ends it).
 *
 * A daemon that is never killed ends by itself after 300 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "descendants_tp.h"

#define LIFETIME_S 300

static void die(const char *what)
{
	/* After daemon(3) stderr is /dev/null: the exit status tells. */
	fprintf(stderr, "test-daemon: %s: %s\n", what, strerror(errno));
	_exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* seq 0..n-1, the i-th about i * ms / n ms after the first. */
static void emit(int32_t n, long ms)
{
	double start = now_s();

	for (int32_t i = 0; i < n; i++) {
		double due = start + (double)ms / 1000.0 * i / n;
		double left = due - now_s();

		if (left > 0) {
			struct timespec ts = { (time_t)left,
					       (long)((left - (time_t)left) *
						      1e9) };

			nanosleep(&ts, NULL);
		}
		sonde_tracepoint(desc, ev, i, (int32_t)getppid());
	}
}

/* Write "PID\n" to @fd, the test's FIFO, and close it. */
static void tell_pid(int fd)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%d\n", (int)getpid());

	if (write(fd, line, (size_t)n) != n)
		die("write fifo");
	close(fd);
}

/* Fork twice; only the grandchild returns, in a session of its own, once
 * the command exited @status and its child exited 0, both at once. */
static void double_fork(int status)
{
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p > 0)
		_exit(status);
	if (setsid() < 0)
		die("setsid");
	p = fork();
	if (p < 0)
		die("fork");
	if (p > 0)
		_exit(0);
}

/* Emit seq 0, 1, ... every 100 us, telling @fd the pid after seq 0. */
static void emit_forever(int fd)
{
	double end = now_s() + LIFETIME_S;

	sonde_tracepoint(desc, ev, 0, (int32_t)getppid());
	tell_pid(fd);
	for (int32_t i = 1; now_s() < end; i++) {
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);
		sonde_tracepoint(desc, ev, i, (int32_t)getppid());
	}
	_exit(0);
}

static void run_on(void)
{
	for (int i = 0; i < LIFETIME_S; i++)
		sleep(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int fd;

	if (argc == 4 && (!strcmp(mode, "daemon") ||
			  !strcmp(mode, "daemon-exec"))) {
		if (daemon(0, 0))
			die("daemon");
		if (!strcmp(mode, "daemon-exec")) {
			char *args[] = { argv[0], "emit", argv[2], argv[3],
					 NULL };

			execv("/proc/self/exe", args);
			die("execv");
		}
		emit(atoi(argv[2]), atol(argv[3]));
		return 4;
	}
	if (argc == 4 && !strcmp(mode, "emit")) {
		emit(atoi(argv[2]), atol(argv[3]));
		return 4;
	}
	if (argc == 5 && !strcmp(mode, "double")) {
		double_fork(atoi(argv[2]));
		emit(atoi(argv[3]), atol(argv[4]));
		return 4;
	}
	if (argc == 5 && !strcmp(mode, "killed")) {
		fd = open(argv[2], O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			die("open fifo");
		double_fork(atoi(argv[3]));
		emit(atoi(argv[4]), 0);
		tell_pid(fd);
		run_on();
	}
	if (argc == 3 && (!strcmp(mode, "forever") || !strcmp(mode, "busy"))) {
		pid_t p;

		fd = open(argv[2], O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			die("open fifo");
		if (!strcmp(mode, "forever")) {
			if (daemon(0, 0))
				die("daemon");
			emit_forever(fd);
		}
		p = fork();
		if (p < 0)
			die("fork");
		if (p == 0) {
			double_fork(0);
			emit_forever(fd);
		}
		close(fd);
		while (waitpid(p, NULL, 0) < 0)
			if (errno != EINTR)
				die("waitpid");
		run_on();
	}
	fprintf(stderr,
		"usage: test-daemon daemon|daemon-exec N MS\n"
		"       test-daemon double STATUS N MS\n"
		"       test-daemon killed FIFO STATUS N\n"
		"       test-daemon forever|busy FIFO\n");
	return 2;
}
