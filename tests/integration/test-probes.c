// SPDX-License-Identifier: MIT
/*
 * test-probes: in-process probes connected with sonde_probe_register().
 * Checks that a probe gets the tracepoint's typed arguments and its data,
 * that a site is active while a probe or a recording session needs it
 * (reference counted), -EEXIST / -ENOENT, and, with threads passing the
 * tracepoint all the time, that registering and unregistering is safe and
 * a probe is never called after its unregister returned (see "Churn"), and
 * that a probe trying to register or unregister gets -EDEADLK instead of
 * waiting for itself.  Run alone and under `sonde record` (argument
 * "recording"): then the site stays enabled after the last probe goes.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* A probe that tries to disconnect itself and to connect another. */
struct selfish {
	int unreg, reg;
	atomic_long calls;
};

static void on_self(void *data, int64_t a, const char *s, double d)
{
	struct selfish *x = data;

	(void)a, (void)s, (void)d;
	x->unreg = sonde_probe_unregister(probe, ev, on_self, x);
	x->reg = sonde_probe_register(probe, noargs, on_noargs, x);
	atomic_fetch_add(&x->calls, 1);
}

/*
 * Churn.  Passer threads pass probe:ev all the time while churner threads
 * each connect one of four probe functions with fresh heap data, wait
 * until it has been called, disconnect it and poison the data as soon as
 * unregister returns.  Every call checks that its data is alive and was
 * connected with this very function: a call made from an array that
 * unregister had already replaced shows as late or mismatched, or faults.
 * Dead data is freed QUARANTINE rounds later, so that its memory is not
 * soon handed to newer data.
 *
 * The dangerous moments are short (a reader between two instructions of
 * sonde__probes_enter(), a probe still running when its unregister
 * returns), so an interrupter thread widens them: it signals one passer at
 * a time, wherever it is, and the handler keeps that passer away until a
 * churner has finished a round (so that the epoch it may have loaded is
 * stale); the passer's next probe call then stays in the probe, yielding,
 * until its data dies or HOLD_US pass.  A correct unregister waits for
 * that call, so the data outlives the hold.  Bounded by rounds and by
 * time, whichever ends first.
 */
#define NR_PASSERS 6
#define NR_CHURNERS 2
#define CHURN_ROUNDS 200000 /* per churner */
#define CHURN_SECONDS 5
#define HOLD_US 500
#define PASS_BURST 16
#define QUARANTINE 1024
#define LIVE 0x11feu
#define DEAD 0xdeadu

struct cdata {
	atomic_uint magic;  /* LIVE from before register to unregister */
	unsigned fn;        /* index of the function it was connected with */
	atomic_long calls;
};

struct churner {
	pthread_t th;
	long rounds, uncalled, errors;
	struct cdata *dead[QUARANTINE];
};

static atomic_int stop;
static atomic_long late, mismatched, rounds_done, pokes;
static struct timespec deadline;
static _Thread_local volatile sig_atomic_t poked; /* hold in next call */

static int passed(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static struct timespec in_us(long us)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_nsec += us * 1000;
	t.tv_sec += t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	return t;
}

/* Until a churner finishes one more round, or @us pass. */
static void wait_round(long us)
{
	long r = atomic_load(&rounds_done);
	struct timespec until = in_us(us);

	while (atomic_load(&rounds_done) == r && !passed(&until))
		sched_yield();
}

static void churn_check(struct cdata *x, unsigned fn)
{
	int dead = atomic_load(&x->magic) != LIVE;

	if (x->fn != fn)
		atomic_fetch_add(&mismatched, 1);
	atomic_fetch_add(&x->calls, 1);
	if (poked) {
		struct timespec until = in_us(HOLD_US);

		poked = 0;
		while (atomic_load(&x->magic) == LIVE && !passed(&until))
			sched_yield();
	}
	dead |= atomic_load(&x->magic) != LIVE;
	if (dead)
		atomic_fetch_add(&late, 1);
}

#define CHURN_FN(k)                                                            \
	static void churn##k(void *data, int64_t a, const char *s, double d)   \
	{                                                                      \
		(void)a, (void)s, (void)d;                                     \
		churn_check(data, k);                                          \
	}
CHURN_FN(0)
CHURN_FN(1)
CHURN_FN(2)
CHURN_FN(3)
static void (*const churn_fn[4])(void *, int64_t, const char *, double) = {
	churn0, churn1, churn2, churn3
};

static void on_poke(int sig)
{
	int saved = errno;

	(void)sig;
	wait_round(20 * HOLD_US);
	poked = 1;
	atomic_fetch_add(&pokes, 1);
	errno = saved;
}

static void *passer(void *arg)
{
	(void)arg;
	for (unsigned i = 0;
	     !atomic_load_explicit(&stop, memory_order_relaxed); i++) {
		sonde_tracepoint(probe, ev, 7, "busy", 0.5);
		/* Off the CPU mostly here, outside the probe list, so
		 * that grace periods seldom wait for a preempted reader. */
		if (i % PASS_BURST == 0)
			sched_yield();
	}
	return NULL;
}

static void *interrupter(void *arg)
{
	pthread_t *th = arg;

	for (unsigned i = 0; !atomic_load(&stop); i++) {
		long n = atomic_load(&pokes);

		pthread_kill(th[i % NR_PASSERS], SIGUSR1);
		while (atomic_load(&pokes) == n && !atomic_load(&stop))
			sched_yield();
	}
	return NULL;
}

static void *churner(void *arg)
{
	struct churner *c = arg;

	for (long i = 0; i < CHURN_ROUNDS && !passed(&deadline); i++) {
		struct cdata *x = calloc(1, sizeof(*x));
		unsigned k = (unsigned)(i % 4);

		if (!x) {
			c->errors++;
			break;
		}
		x->fn = k;
		atomic_store(&x->magic, LIVE);
		if (sonde_probe_register(probe, ev, churn_fn[k], x)) {
			free(x);
			c->errors++;
			break;
		}
		while (!atomic_load(&x->calls) && !passed(&deadline))
			sched_yield();
		if (sonde_probe_unregister(probe, ev, churn_fn[k], x)) {
			c->errors++;
			break;
		}
		/* From here on no probe may run with x. */
		atomic_store(&x->magic, DEAD);
		atomic_fetch_add(&rounds_done, 1);
		c->uncalled += !atomic_load(&x->calls);
		free(c->dead[i % QUARANTINE]);
		c->dead[i % QUARANTINE] = x;
		c->rounds++;
	}
	return NULL;
}

/* A call through a freed array may jump anywhere: say so, then stop. */
static void on_fault(int sig)
{
	char msg[128] = "Bail out! fault while passing a tracepoint with probes"
			" (late calls before: ";
	size_t n = strlen(msg);
	char digits[24];
	size_t d = 0;
	unsigned long v = (unsigned long)atomic_load(&late);

	(void)sig;
	do
		digits[d++] = (char)('0' + v % 10);
	while ((v /= 10) && d < sizeof(digits));
	while (d && n < sizeof(msg) - 3)
		msg[n++] = digits[--d];
	msg[n++] = ')';
	msg[n++] = '\n';
	if (write(1, msg, n) < 0)
		_exit(3);
	_exit(2);
}

int main(int argc, char **argv)
{
	int recording = argc > 1 && !strcmp(argv[1], "recording");
	static struct seen one, two, z;
	pthread_t th[NR_PASSERS];

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

	/* A probe cannot wait for itself: refused rather than a hang. */
	{
		static struct selfish me = { 1, 1, 0 };

		tap_is_int(sonde_probe_register(probe, ev, on_self, &me), 0,
			   "register a probe that unregisters itself");
		sonde_tracepoint(probe, ev, 3, "self", 0);
		tap_ok(me.unreg == -EDEADLK && me.reg == -EDEADLK,
		       "from inside a probe, unregister and register return "
		       "-EDEADLK (%d, %d)", me.unreg, me.reg);
		sonde_tracepoint(probe, ev, 4, "self", 0);
		tap_is_int(atomic_load(&me.calls), 2,
			   "the probe stays connected");
		tap_is_int(sonde_probe_unregister(probe, ev, on_self, &me), 0,
			   "unregistered from outside");
		sonde_tracepoint(probe, ev, 5, "self", 0);
		tap_is_int(atomic_load(&me.calls), 2, "and no longer called");
	}

	/* Threads pass the tracepoint while probes come and go. */
	{
		static struct churner ch[NR_CHURNERS];
		struct sigaction sa = { .sa_handler = on_fault };
		struct sigaction poke = { .sa_handler = on_poke };
		long rounds = 0, uncalled = 0, errors = 0;
		pthread_t intr;

		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGILL, &sa, NULL);
		sigaction(SIGUSR1, &poke, NULL);
		deadline = in_us(CHURN_SECONDS * 1000000L);
		for (int i = 0; i < NR_PASSERS; i++)
			pthread_create(&th[i], NULL, passer, NULL);
		pthread_create(&intr, NULL, interrupter, th);
		for (int i = 0; i < NR_CHURNERS; i++)
			pthread_create(&ch[i].th, NULL, churner, &ch[i]);
		for (int i = 0; i < NR_CHURNERS; i++) {
			pthread_join(ch[i].th, NULL);
			rounds += ch[i].rounds;
			uncalled += ch[i].uncalled;
			errors += ch[i].errors;
		}
		/* The interrupter first: it signals passers until it stops. */
		atomic_store(&stop, 1);
		pthread_join(intr, NULL);
		for (int i = 0; i < NR_PASSERS; i++)
			pthread_join(th[i], NULL);
		for (int i = 0; i < NR_CHURNERS; i++)
			for (int j = 0; j < QUARANTINE; j++)
				free(ch[i].dead[j]);
		tap_is_int(errors, 0, "%d threads register and unregister "
			   "concurrently without error", NR_CHURNERS);
		tap_ok(rounds >= 100 && uncalled <= NR_CHURNERS,
		       "%ld rounds with %d threads passing the tracepoint "
		       "(interrupted %ld times), each probe called (%ld not)",
		       rounds, NR_PASSERS, atomic_load(&pokes), uncalled);
		tap_is_int(atomic_load(&late), 0,
			   "no probe called with data whose unregister had "
			   "returned");
		tap_is_int(atomic_load(&mismatched), 0,
			   "each call pairs a function with its own data");
	}
	return tap_done();
}
