// SPDX-License-Identifier: MIT
/*
 * test-descendants emitter: the command leaves a grandchild behind, which
 * goes on emitting after the command itself has exited.
 *
 *   test-descendants orphan STATUS [setsid]
 *	emit desc:start, fork a child that forks the grandchild and exits at
 *	once; reap the child and exit STATUS.  The grandchild (in a session of
 *	its own with "setsid") waits until both have exited, sleeps 300 ms,
 *	then emits desc:ev seq 0..DESC_N-1 with its parent pid, and exits 0.
 *   test-descendants daemon FIFO STATUS die|stay
 *	the same, but the grandchild calls setsid, emits seq 0..DESC_DAEMON_N-1
 *	and then runs on; once it has emitted, the command writes
 *	"SONDE_PID COMMAND_PID GRANDCHILD_PID\n" to FIFO and exits STATUS.
 *	With "stay" the grandchild survives SIGTERM and writes "term\n" to
 *	FIFO for each one; with "die" SIGTERM ends it.
 *
 * The grandchild ends by itself after 300 s should the test never kill it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "descendants_tp.h"

#define DESC_N 1000
#define DESC_DAEMON_N 10

static int fifo_fd = -1;

static void die(const char *what)
{
	fprintf(stderr, "test-descendants: %s: %s\n", what, strerror(errno));
	_exit(2);
}

static void emit(int32_t n)
{
	int32_t ppid = (int32_t)getppid();

	for (int32_t i = 0; i < n; i++)
		sonde_tracepoint(desc, ev, i, ppid);
}

static void on_term(int sig)
{
	(void)sig;
	if (write(fifo_fd, "term\n", 5) < 0)
		_exit(2);
}

/* Orphan grandchild: emit once the command and its child are gone. */
static void late_emitter(int rd, int new_session)
{
	struct timespec ts = { 0, 300000000 };
	char c;

	if (new_session && setsid() < 0)
		die("setsid");
	while (read(rd, &c, 1) != 0)
		if (errno != EINTR)
			die("read");
	nanosleep(&ts, NULL);
	emit(DESC_N);
	_exit(0);
}

/* Daemon grandchild: emit, tell the command its pid, then run on. */
static void daemon_run(int wr, int stay)
{
	pid_t self = getpid();

	if (setsid() < 0)
		die("setsid");
	if (stay) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigaction(SIGTERM, &sa, NULL);
	}
	emit(DESC_DAEMON_N);
	if (write(wr, &self, sizeof(self)) != sizeof(self))
		die("write");
	close(wr);
	for (int i = 0; i < 300; i++)
		sleep(1);
	_exit(0);
}

int main(int argc, char **argv)
{
	int p[2], status, is_daemon, stay = 0, new_session;
	pid_t child, grandchild = 0;

	is_daemon = argc == 5 && !strcmp(argv[1], "daemon");
	if (!is_daemon && !(argc >= 3 && !strcmp(argv[1], "orphan"))) {
		fprintf(stderr, "usage: test-descendants orphan STATUS [setsid]\n"
				"       test-descendants daemon FIFO STATUS die|stay\n");
		return 2;
	}
	if (is_daemon) {
		stay = !strcmp(argv[4], "stay");
		fifo_fd = open(argv[2], O_WRONLY | O_CLOEXEC);
		if (fifo_fd < 0)
			die("open fifo");
	}
	new_session = argc == 4 && !strcmp(argv[3], "setsid");
	sonde_tracepoint(desc, start, (int32_t)getppid());
	if (pipe(p))
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		pid_t g = fork();

		if (g < 0)
			die("fork");
		if (g == 0 && is_daemon) {
			close(p[0]);
			daemon_run(p[1], stay);
		}
		if (g == 0) {
			close(p[1]);
			late_emitter(p[0], new_session);
		}
		_exit(0);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	close(p[1]);
	if (is_daemon) {
		char line[64];
		int n;

		if (read(p[0], &grandchild, sizeof(grandchild)) !=
		    sizeof(grandchild))
			die("read");
		n = snprintf(line, sizeof(line), "%d %d %d\n", (int)getppid(),
			     (int)getpid(), (int)grandchild);
		if (write(fifo_fd, line, (size_t)n) != n)
			die("write fifo");
	}
	return atoi(argv[is_daemon ? 3 : 2]);
}
