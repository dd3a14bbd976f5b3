// SPDX-License-Identifier: MIT
/*
 * test-live-early: events at start-up, for test-live-startup-wait.sh.
 * Built twice:
 *
 *   test-live-early [N]
 *	linked with libsonde, with provider "early": a constructor of the
 *	program's own, run after the provider's registration, emits
 *	early:ctor (i = -1); main() prints "pid PID" and "startup_us U",
 *	emits early:ev for i = 0 .. N-1 (default 100) at once, prints
 *	"done" and exits 0.  U is the time from the program's first
 *	constructor (priority 101, before any registration) to main(): the
 *	time libsonde's start-up took.
 *   test-live-early-nolib PLUGIN [N]
 *	built without libsonde: dlopen()s PLUGIN (test-dlopen's provider,
 *	which brings libsonde), so that the first registration, and its
 *	wait, run under the dynamic loader's lock; prints "pid PID" and
 *	"dlopen_us U" (how long dlopen() took), calls dlprov_emit(0, N),
 *	prints "done" and exits 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

#ifndef TEST_LIVE_EARLY_NOLIB
#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(early, ctor,
	SONDE_TP_ARGS(int64_t, i, int32_t, who),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)))

SONDE_TRACEPOINT_EVENT(early, ev,
	SONDE_TP_ARGS(int64_t, i, int32_t, who),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, i, i)
		sonde_field_integer(int32_t, pid, who)))

static uint64_t t0;

/* Before every constructor of default priority, the provider's included. */
static void __attribute__((constructor(101))) first_ctor(void)
{
	t0 = now_us();
}

/* Defined after the provider's registration constructor (included above
 * with <sonde/tracepoint.h>), and of the same priority: run after it. */
static void __attribute__((constructor)) own_ctor(void)
{
	sonde_tracepoint(early, ctor, -1, (int32_t)getpid());
}

int main(int argc, char **argv)
{
	uint64_t t1 = now_us();
	long n = argc > 1 ? atol(argv[1]) : 100;
	int32_t me = (int32_t)getpid();

	for (long i = 0; i < n; i++)
		sonde_tracepoint(early, ev, i, me);
	printf("pid %d\nstartup_us %llu\ndone\n", (int)me,
	       (unsigned long long)(t1 - t0));
	return 0;
}
#else
#include <dlfcn.h>

int main(int argc, char **argv)
{
	void (*emit)(int32_t, int32_t);
	uint64_t t0, t1;
	void *h;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s PLUGIN [N]\n", argv[0]);
		return 2;
	}
	t0 = now_us();
	h = dlopen(argv[1], RTLD_NOW);
	t1 = now_us();
	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 2;
	}
	*(void **)&emit = dlsym(h, "dlprov_emit");
	if (!emit)
		return 2;
	emit(0, argc > 2 ? atoi(argv[2]) : 100);
	printf("pid %d\ndlopen_us %llu\ndone\n", (int)getpid(),
	       (unsigned long long)(t1 - t0));
	return 0;
}
#endif
