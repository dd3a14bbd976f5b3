/* SPDX-License-Identifier: MIT */
/* Provider of test-fork (used by both the forking and the exec'd program). */
#ifndef FORK_TP_H
#define FORK_TP_H

#include <stdlib.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

/* role: 0 parent, 1 forked child, 2 exec'd program, 3 grandchild. */
SONDE_TRACEPOINT_EVENT(forkt, ev,
	SONDE_TP_ARGS(int32_t, role, int32_t, pid, int32_t, tid, int32_t, seq),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, role, role)
		sonde_field_integer(int32_t, pid, pid)
		sonde_field_integer(int32_t, tid, tid)
		sonde_field_integer(int32_t, seq, seq)))

SONDE_TRACEPOINT_EVENT(forkt, spawned,
	SONDE_TP_ARGS(int32_t, role, int32_t, child_pid),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, role, role)
		sonde_field_integer(int32_t, child_pid, child_pid)))

#define FORKT_N 500

/*
 * Under a session daemon a process is attached some time after it starts:
 * with $TEST_FORK_WAIT set, wait (up to 30 s) until the daemon enabled the
 * event before emitting.  Returns 0 if it never was.
 */
static inline int forkt_wait_enabled(void)
{
	if (!getenv("TEST_FORK_WAIT"))
		return 1;
	for (int i = 0; i < 30000; i++) {
		if (sonde_tracepoint_enabled(forkt, ev))
			return 1;
		usleep(1000);
	}
	return 0;
}

static inline void forkt_emit(int32_t role, int32_t first, int32_t n)
{
	int32_t pid = (int32_t)getpid(), tid = (int32_t)gettid();

	for (int32_t i = first; i < first + n; i++)
		sonde_tracepoint(forkt, ev, role, pid, tid, i);
}

#endif
