// SPDX-License-Identifier: MIT
/*
 * test-fork emitter: the parent emits, forks a child that emits without
 * exec (and itself forks a grandchild that emits), forks a child that
 * exec's test-fork-exec (which emits), emits again, and waits for all.
 * Each event carries its writer's role, pid, tid and a sequence number;
 * test-fork.sh checks them against the trace's sonde:thread records.
 * Usage: test-fork PATH_TO_TEST_FORK_EXEC
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "fork_tp.h"

static int wait_ok(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void child(void)
{
	pid_t g;

	forkt_emit(1, 0, FORKT_N / 2);
	g = fork();
	if (g < 0)
		_exit(3);
	if (g == 0) {
		forkt_emit(3, 0, FORKT_N);
		_exit(0);
	}
	sonde_tracepoint(forkt, spawned, 3, (int32_t)g);
	forkt_emit(1, FORKT_N / 2, FORKT_N - FORKT_N / 2);
	_exit(wait_ok(g) ? 0 : 4);
}

int main(int argc, char **argv)
{
	pid_t c1, c2;

	if (argc < 2)
		tap_bail("usage: test-fork PATH_TO_TEST_FORK_EXEC");
	tap_plan(3);
	if (!forkt_wait_enabled())
		tap_bail("never enabled by the session daemon");
	forkt_emit(0, 0, FORKT_N);
	fflush(stdout);
	c1 = fork();
	if (c1 < 0)
		tap_bail("fork failed");
	if (c1 == 0)
		child();
	sonde_tracepoint(forkt, spawned, 1, (int32_t)c1);
	c2 = fork();
	if (c2 < 0)
		tap_bail("fork failed");
	if (c2 == 0) {
		execl(argv[1], argv[1], (char *)NULL);
		_exit(127);
	}
	sonde_tracepoint(forkt, spawned, 2, (int32_t)c2);
	forkt_emit(0, FORKT_N, FORKT_N);
	tap_ok(wait_ok(c1), "forked child (and its grandchild) exited 0");
	tap_ok(wait_ok(c2), "exec'd child exited 0 (its site was enabled)");
	tap_ok(sonde_tracepoint_enabled(forkt, ev) != 0,
	       "parent's site still enabled after fork");
	return tap_done();
}
