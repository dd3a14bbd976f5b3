// SPDX-License-Identifier: MIT
/*
 * test-live app: a program linked with libsonde and run without `sonde
 * record`, for the live-control tests (test-live*.sh).  Provider `live`
 * has three events a, b and c; each carries the iteration number i, the
 * process id and which event it is (ev = 1, 2, 3 for a, b, c), so a trace
 * shows who emitted what and an event recorded under the wrong id is seen.
 *
 *   test-live-app loop PREFIX [pin]
 *	writes its pid to PREFIX.pid, then every ~1 ms emits a(i), b(i), c(i)
 *	for i = 0, 1, ... and writes i (the last iteration completed) to
 *	PREFIX.progress, until PREFIX.stop exists; prints "emitted N"
 *	(N iterations) and exits 0.  "pin" keeps it on CPU 0 (one buffer,
 *	so what an overwrite buffer keeps is consecutive).
 *   test-live-app burst N PREFIX
 *	writes PREFIX.pid, waits for PREFIX.go, emits a(i), b(i), c(i) for
 *	i = 0 .. N-1, writes N to PREFIX.progress, then idles until
 *	PREFIX.stop exists; prints "emitted N" and exits 0.
 *   test-live-app startup
 *	prints "started PID" at once, emits 100 iterations, prints "done"
 *	and exits 0: how long that takes is what the start-up checks measure.
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

SONDE_TRACEPOINT_EVENT(live, a,
	SONDE_TP_ARGS(int64_t, i, int32_t, who, int32_t, ev),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)
		sonde_field_integer(int32_t, ev, ev)))

SONDE_TRACEPOINT_EVENT(live, b,
	SONDE_TP_ARGS(int64_t, i, int32_t, who, int32_t, ev),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)
		sonde_field_integer(int32_t, ev, ev)))

SONDE_TRACEPOINT_EVENT(live, c,
	SONDE_TP_ARGS(int64_t, i, int32_t, who, int32_t, ev),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)
		sonde_field_integer(int32_t, ev, ev)))

static char path_buf[4096];

static const char *path(const char *prefix, const char *suffix)
{
	snprintf(path_buf, sizeof(path_buf), "%s.%s", prefix, suffix);
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

/* PREFIX.pid, written to a temporary name then renamed: never seen half. */
static int write_pid(const char *prefix)
{
	char tmp[4200], buf[32];
	int fd, n;

	snprintf(tmp, sizeof(tmp), "%s.pid.tmp", prefix);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	close(fd);
	return rename(tmp, path(prefix, "pid"));
}

/* Progress: one fixed-width line rewritten in place. */
static int progress_open(const char *prefix)
{
	return open(path(prefix, "progress"), O_WRONLY | O_CREAT | O_TRUNC,
		    0644);
}

static void progress_set(int fd, long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%020lld\n", v);

	if (pwrite(fd, buf, (size_t)n, 0) != n)
		exit(3);
}

static void emit(int64_t i, int32_t me)
{
	sonde_tracepoint(live, a, i, me, 1);
	sonde_tracepoint(live, b, i, me, 2);
	sonde_tracepoint(live, c, i, me, 3);
}

static int run_loop(const char *prefix, int pin)
{
	int32_t me = (int32_t)getpid();
	int64_t i = 0;
	int fd;

	if (pin) {
		cpu_set_t cpus;

		CPU_ZERO(&cpus);
		CPU_SET(0, &cpus);
		if (sched_setaffinity(0, sizeof(cpus), &cpus))
			return 2;
	}
	fd = progress_open(prefix);
	if (fd < 0 || write_pid(prefix))
		return 2;
	progress_set(fd, -1);
	while (!exists(prefix, "stop")) {
		emit(i, me);
		progress_set(fd, i);
		i++;
		nap_ms(1);
	}
	close(fd);
	printf("emitted %lld\n", (long long)i);
	return 0;
}

static int run_burst(long long n, const char *prefix)
{
	int32_t me = (int32_t)getpid();
	int fd = progress_open(prefix);

	if (fd < 0 || n < 0 || write_pid(prefix))
		return 2;
	progress_set(fd, -1);
	while (!exists(prefix, "go") && !exists(prefix, "stop"))
		nap_ms(5);
	if (exists(prefix, "go")) {
		for (int64_t i = 0; i < n; i++)
			emit(i, me);
		progress_set(fd, n);
	}
	while (!exists(prefix, "stop"))
		nap_ms(10);
	close(fd);
	printf("emitted %lld\n", n);
	return 0;
}

static int run_startup(void)
{
	int32_t me = (int32_t)getpid();

	printf("started %d\n", (int)me);
	fflush(stdout);
	for (int64_t i = 0; i < 100; i++)
		emit(i, me);
	printf("done\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "loop"))
		return run_loop(argv[2], argc == 4 && !strcmp(argv[3], "pin"));
	if (argc == 4 && !strcmp(argv[1], "burst"))
		return run_burst(atoll(argv[2]), argv[3]);
	if (argc == 2 && !strcmp(argv[1], "startup"))
		return run_startup();
	fprintf(stderr, "usage: %s loop PREFIX [pin] | burst N PREFIX | startup\n",
		argv[0]);
	return 2;
}
