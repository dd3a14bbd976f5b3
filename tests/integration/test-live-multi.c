// SPDX-License-Identifier: MIT
/*
 * test-live-multi app: a program linked with libsonde and run without
 * `sonde record`, for test-live-multisession.sh (several daemon sessions
 * recording one process at once, each with its own patterns).  Each
 * iteration i emits five events of several kinds and log levels, each
 * carrying i and the process id:
 *	ms:info   INFO           i, pid
 *	ms:warn   WARNING        i, pid
 *	ms:err    ERR            i, pid
 *	ms:size   DEBUG          i, pid, size = i % 100 (for filters)
 *	other:tick (no level)    i, pid
 * so a session selecting by pattern, by level or by a filter on size has
 * a known set of events, every one numbered: a trace is checked event by
 * event.
 *
 *   test-live-multi loop PREFIX
 *	writes its pid to PREFIX.pid, then every ~1 ms emits iteration i
 *	(i = 0, 1, ...) and writes i to PREFIX.progress, until PREFIX.stop
 *	exists; prints "emitted N" and exits 0.  Once PREFIX.fork exists,
 *	it forks once: the child writes the first iteration it emits to
 *	PREFIX-child.first, its pid to PREFIX-child.pid, and loops like its
 *	parent (progress in PREFIX-child.progress, i going on from the
 *	parent's) until PREFIX.stop exists, and exits 0; the parent reaps it
 *	before it exits.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(ms, info,
	SONDE_TP_ARGS(int64_t, i, int32_t, who),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)))
SONDE_TRACEPOINT_LOGLEVEL(ms, info, SONDE_LOGLEVEL_INFO)

SONDE_TRACEPOINT_EVENT(ms, warn,
	SONDE_TP_ARGS(int64_t, i, int32_t, who),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)))
SONDE_TRACEPOINT_LOGLEVEL(ms, warn, SONDE_LOGLEVEL_WARNING)

SONDE_TRACEPOINT_EVENT(ms, err,
	SONDE_TP_ARGS(int64_t, i, int32_t, who),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)))
SONDE_TRACEPOINT_LOGLEVEL(ms, err, SONDE_LOGLEVEL_ERR)

SONDE_TRACEPOINT_EVENT(ms, size,
	SONDE_TP_ARGS(int64_t, i, int32_t, who),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)
		sonde_field_integer(uint32_t, size, (uint32_t)(i % 100))))
SONDE_TRACEPOINT_LOGLEVEL(ms, size, SONDE_LOGLEVEL_DEBUG)

SONDE_TRACEPOINT_EVENT(other, tick,
	SONDE_TP_ARGS(int64_t, i, int32_t, who),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)))

static char path_buf[4096];

static const char *path(const char *prefix, const char *suffix)
{
	if ((size_t)snprintf(path_buf, sizeof(path_buf), "%s.%s", prefix,
			     suffix) >= sizeof(path_buf))
		_exit(2);
	return path_buf;
}

static int exists(const char *prefix, const char *suffix)
{
	return access(path(prefix, suffix), F_OK) == 0;
}

static void nap_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&d, NULL);
}

/* PREFIX.SUFFIX holds @v, written to a temporary name then renamed. */
static int write_num(const char *prefix, const char *suffix, long long v)
{
	char tmp[4200], dst[4200], buf[32];
	int fd, n;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%s.tmp", prefix, suffix) >=
		    sizeof(tmp) ||
	    (size_t)snprintf(dst, sizeof(dst), "%s.%s", prefix, suffix) >=
		    sizeof(dst))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%lld\n", v);
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	close(fd);
	return rename(tmp, dst);
}

/* Progress: one fixed-width line rewritten in place. */
static void progress_set(int fd, long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%020lld\n", v);

	if (pwrite(fd, buf, (size_t)n, 0) != n)
		_exit(3);
}

static void emit(int64_t i, int32_t me)
{
	sonde_tracepoint(ms, info, i, me);
	sonde_tracepoint(ms, warn, i, me);
	sonde_tracepoint(ms, err, i, me);
	sonde_tracepoint(ms, size, i, me);
	sonde_tracepoint(other, tick, i, me);
}

int main(int argc, char **argv)
{
	const char *prefix, *stop_prefix;
	char child_prefix[4096];
	int64_t i = 0;
	int32_t me;
	pid_t child = -1;
	int fd, forked = 0, st;

	if (argc != 3 || strcmp(argv[1], "loop")) {
		fprintf(stderr, "usage: %s loop PREFIX\n", argv[0]);
		return 2;
	}
	prefix = stop_prefix = argv[2];
	me = (int32_t)getpid();
	fd = open(path(prefix, "progress"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write_num(prefix, "pid", me))
		return 2;
	progress_set(fd, -1);
	while (!exists(stop_prefix, "stop")) {
		if (!forked && exists(prefix, "fork")) {
			forked = 1;
			if ((size_t)snprintf(child_prefix, sizeof(child_prefix),
					     "%s-child", prefix) >=
			    sizeof(child_prefix))
				return 2;
			child = fork();
			if (child < 0)
				return 2;
			if (!child) {
				prefix = child_prefix;
				me = (int32_t)getpid();
				close(fd);
				fd = open(path(prefix, "progress"),
					  O_WRONLY | O_CREAT | O_TRUNC, 0644);
				if (fd < 0 || write_num(prefix, "first", i) ||
				    write_num(prefix, "pid", me))
					_exit(2);
			}
		}
		emit(i, me);
		progress_set(fd, i);
		i++;
		nap_ms(1);
	}
	close(fd);
	if (!child)
		return 0;
	if (child > 0 && (waitpid(child, &st, 0) != child || !WIFEXITED(st) ||
			  WEXITSTATUS(st)))
		return 4;
	printf("emitted %lld\n", (long long)i);
	return 0;
}
