// SPDX-License-Identifier: MIT
/*
 * test-probes: in-process probes connected with sonde_probe_register().
 * Checks that a probe gets the tracepoint's typed arguments and its data,
 * that a site is active while a probe or a recording session needs it
 * (reference counted), -EEXIST / -ENOENT, and, with threads passing the
 * tracepoint all the time, that registering and unregistering is safe and
 * a probe is never called after its unregister returned.  Run alone and
 * under `sonde record` (argument "recording"): then the site stays enabled
 * after the last probe goes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <sonde/tracepoint.h>

#include "../tap.h"

SONDE_TRACEPOINT_EVENT(probe, ev,
	SONDE_TP_ARGS(int64_t, a, const char *, s, double, d),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, a, a)
		sonde_field_string(s, s)
		sonde_field_float(double, d, d)))

SONDE_TRACEPOINT_EVENT(probe, noargs, SONDE_TP_ARGS(), SONDE_TP_FIELDS())

struct seen {
	atomic_long calls;
	int64_t a;
	char s[32];
	double d;
	atomic_int alive;   /* cleared after unregister returned */
	atomic_long late;   /* calls seen while not alive: must stay 0 */
};

static void on_ev(void *data, int64_t a, const char *s, double d)
{
	struct seen *x = data;

	if (!atomic_load(&x->alive))
		atomic_fetch_add(&x->late, 1);
	x->a = a;
	strncpy(x->s, s, sizeof(x->s) - 1);
	x->d = d;
	atomic_fetch_add(&x->calls, 1);
}

static void on_noargs(void *data)
{
	atomic_fetch_add(&((struct seen *)data)->calls, 1);
}

static atomic_int stop;

static void *passer(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		sonde_tracepoint(probe, ev, 7, "busy", 0.5);
	return NULL;
}

int main(int argc, char **argv)
{
	int recording = argc > 1 && !strcmp(argv[1], "recording");
	static struct seen one, two, z, churn[64];
	pthread_t th[3];

	tap_no_plan();
	tap_is_int(!!sonde_tracepoint_enabled(probe, ev), recording,
		   "site enabled only by a recording session at start");
	atomic_store(&one.alive, 1);
	atomic_store(&two.alive, 1);
	tap_is_int(sonde_probe_register(probe, ev, on_ev, &one), 0,
		   "register a probe");
	tap_ok(sonde_tracepoint_enabled(probe, ev), "a probe enables the site");
	sonde_tracepoint(probe, ev, -42, "hello", 2.5);
	tap_ok(atomic_load(&one.calls) == 1 && one.a == -42 &&
		       !strcmp(one.s, "hello") && one.d == 2.5,
	       "the probe gets the typed arguments and its data");
	tap_is_int(sonde_probe_register(probe, ev, on_ev, &one), -EEXIST,
		   "same probe and data twice: -EEXIST");
	tap_is_int(sonde_probe_register(probe, ev, on_ev, &two), 0,
		   "a second probe (same function, other data)");
	sonde_tracepoint(probe, ev, 1, "x", 0);
	tap_ok(atomic_load(&one.calls) == 2 && atomic_load(&two.calls) == 1,
	       "both probes called");
	tap_is_int(sonde_probe_unregister(probe, ev, on_ev, &one), 0,
		   "unregister the first");
	sonde_tracepoint(probe, ev, 2, "y", 0);
	tap_ok(atomic_load(&one.calls) == 2 && atomic_load(&two.calls) == 2,
	       "only the remaining probe is called");
	tap_ok(sonde_tracepoint_enabled(probe, ev),
	       "site still enabled: one probe left");
	tap_is_int(sonde_probe_unregister(probe, ev, on_ev, &two), 0,
		   "unregister the last");
	tap_is_int(!!sonde_tracepoint_enabled(probe, ev), recording,
		   "last probe gone: enabled only if a session records it");
	tap_is_int(sonde_probe_unregister(probe, ev, on_ev, &two), -ENOENT,
		   "unregister twice: -ENOENT");
	atomic_store(&z.alive, 1);
	tap_is_int(sonde_probe_register(probe, noargs, on_noargs, &z), 0,
		   "probe on a tracepoint without arguments");
	sonde_tracepoint(probe, noargs);
	tap_is_int((int)atomic_load(&z.calls), 1, "called with its data only");
	sonde_probe_unregister(probe, noargs, on_noargs, &z);

	/* Threads pass the tracepoint while probes come and go. */
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, passer, NULL);
	for (int round = 0; round < 200; round++) {
		struct seen *x = &churn[round % 64];

		atomic_store(&x->alive, 1);
		if (sonde_probe_register(probe, ev, on_ev, x))
			break;
		while (atomic_load(&x->calls) == 0)
			sched_yield();
		if (sonde_probe_unregister(probe, ev, on_ev, x))
			break;
		/* From here on the probe must never run for x. */
		atomic_store(&x->alive, 0);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	{
		long late = 0, calls = 0;

		for (int i = 0; i < 64; i++) {
			late += atomic_load(&churn[i].late);
			calls += atomic_load(&churn[i].calls);
		}
		tap_ok(calls >= 200, "200 register/unregister rounds under load (%ld calls)",
		       calls);
		tap_is_int((int)late, 0,
			   "no probe called after its unregister returned");
	}
	return tap_done();
}
