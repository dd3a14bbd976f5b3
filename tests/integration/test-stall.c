// SPDX-License-Identifier: MIT
/*
 * test-stall emitter: a process that dies between reserve and commit of a
 * two-step record must not stall its CPU's buffer for the rest of the
 * session.
 *
 *   test-stall reaped|zombie|stopped N
 *
 * Everything runs on CPU 0, so all records share one buffer.  A forked
 * child reserves a two-step record (as a thread-change record or a large
 * payload does) and is killed with SIGKILL before committing it; the
 * parent reaps it ("reaped") or leaves it a zombie until the end
 * ("zombie": the consumer must tell a dead process from a live one by
 * more than kill(pid, 0)).  The parent then emits stall:ev seq 0 .. N-1
 * (a burst that overflows small buffers), sleeps 3 s (time for the
 * consumer to find the dead reservation and move on), and emits stall:ev
 * seq N .. N+499 (a burst that fits in the buffer even if the consumer is
 * slow), sleeps 1 s and exits 0.  In "stopped" mode the child stops
 * itself (SIGSTOP) instead of dying: a live writer is waited for, so the
 * burst is lost (counted) until the parent continues it, and its record is
 * then committed and kept.  test-stall.sh checks the trace.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(stall, ev,
	SONDE_TP_ARGS(uint32_t, seq),
	SONDE_TP_FIELDS(sonde_field_integer(uint32_t, seq, seq)))

SONDE_TRACEPOINT_EVENT(stall, big,
	SONDE_TP_ARGS(const uint8_t *, data, uint32_t, len),
	SONDE_TP_FIELDS(sonde_field_sequence(uint8_t, data, data, uint32_t, len)))

#define TAIL 500

/* Reserve a stall:big record, write part of it, and die (or stop) before
 * commit. */
static void die_reserved(int sig)
{
	struct sonde__wctx w;
	uint32_t len = 1000;
	char *p = sonde__reserve_slow(sonde__chan_get(), &sonde__ev_stall__big,
				      sonde__ev_stall__big.id, 4 + len, &w);

	if (!p)
		_exit(5);
	memcpy(p, &len, 4);
	memset(p + 4, 0xAB, 100);
	raise(sig);
	memset(p + 4, 0xAB, len);
	sonde__commit(&w);
	_exit(0);
}

int main(int argc, char **argv)
{
	cpu_set_t cpus;
	siginfo_t si;
	uint32_t n;
	int stopped;
	pid_t pid;

	if (argc != 3 || (strcmp(argv[1], "reaped") && strcmp(argv[1], "zombie") &&
			  strcmp(argv[1], "stopped"))) {
		fprintf(stderr, "usage: test-stall reaped|zombie|stopped N\n");
		return 2;
	}
	stopped = !strcmp(argv[1], "stopped");
	n = (uint32_t)atoi(argv[2]);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		perror("test-stall: sched_setaffinity");
		return 2;
	}
	if (!sonde_tracepoint_enabled(stall, big)) {
		fprintf(stderr, "test-stall: not recording\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0)
		die_reserved(stopped ? SIGSTOP : SIGKILL);
	memset(&si, 0, sizeof(si));
	if (stopped) {
		if (waitid(P_PID, (id_t)pid, &si, WSTOPPED) ||
		    si.si_code != CLD_STOPPED) {
			fprintf(stderr, "test-stall: child did not stop\n");
			return 3;
		}
	} else if (waitid(P_PID, (id_t)pid, &si,
			  WEXITED | (!strcmp(argv[1], "zombie") ? WNOWAIT : 0)) ||
		   si.si_code != CLD_KILLED || si.si_status != SIGKILL) {
		/* Dead, and reaped or not. */
		fprintf(stderr, "test-stall: child did not die by SIGKILL\n");
		return 3;
	}
	for (uint32_t i = 0; i < n; i++)
		sonde_tracepoint(stall, ev, i);
	if (stopped) {
		int st;

		sleep(1);
		kill(pid, SIGCONT);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			fprintf(stderr, "test-stall: continued child failed\n");
			return 3;
		}
	}
	sleep(3);
	for (uint32_t i = n; i < n + TAIL; i++)
		sonde_tracepoint(stall, ev, i);
	sleep(1);
	printf("emitted %u\n", n + TAIL);
	return 0;
}
