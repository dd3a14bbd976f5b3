// SPDX-License-Identifier: MIT
/*
 * test-disabled: a program linked with libsonde, run WITHOUT sonde record
 * (no $SONDE_SHM, or one naming no valid session): it runs normally, its
 * tracepoints report disabled, their arguments are not evaluated, and
 * libsonde starts no thread (the tests run it with SONDE_DAEMON=off; a
 * bad $SONDE_SHM also keeps the session-daemon agent away).
 * Usage: test-disabled [EXPECT_ENV]   (EXPECT_ENV: the SONDE_SHM value the
 * test was started with, "" for none)
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <sonde/sonde.h>
#include <sonde/tracepoint.h>

#include "../tap.h"

SONDE_TRACEPOINT_EVENT(dis, ev,
	SONDE_TP_ARGS(int64_t, v, const char *, s),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, v, v)
		sonde_field_string(s, s)))

SONDE_TRACEPOINT_EVENT(dis, none, SONDE_TP_ARGS(), SONDE_TP_FIELDS())

static int evaluations;

static int64_t counted(int64_t v)
{
	evaluations++;
	return v;
}

static int task_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Threads a sanitizer runtime starts by itself. */
#if defined(__SANITIZE_THREAD__)
#define OWN_THREADS 2
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define OWN_THREADS 2
#endif
#endif
#ifndef OWN_THREADS
#define OWN_THREADS 1
#endif

int main(int argc, char **argv)
{
	const char *env = getenv("SONDE_SHM");
	const char *want = argc > 1 ? argv[1] : "";

	tap_plan(7);
	tap_is_str(env ? env : "", want, "SONDE_SHM is as the test set it");
	tap_ok(!sonde_tracepoint_enabled(dis, ev), "dis:ev reports disabled");
	tap_ok(!sonde_tracepoint_enabled(dis, none), "dis:none reports disabled");
	for (int i = 0; i < 100000; i++) {
		sonde_tracepoint(dis, ev, counted(i), "x");
		sonde_tracepoint(dis, none);
	}
	tap_is_int(evaluations, 0, "arguments of disabled tracepoints are not evaluated");
	tap_is_int(task_count(), OWN_THREADS,
		   "no thread started (/proc/self/task has %d entry)", OWN_THREADS);
	tap_ok(!sonde_tracepoint_enabled(dis, ev), "still disabled after emitting");
	tap_ok(sonde_strerror(0) != NULL && sonde_strerror(-22) != NULL &&
		       strlen(sonde_strerror(-22)) > 0,
	       "libsonde is linked and callable (sonde_strerror)");
	return tap_done();
}
