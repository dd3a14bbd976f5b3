// SPDX-License-Identifier: MIT
/*
 * test-pmu-sets: the live-session parts of include/sonde/pmu.h.
 *  - event sets switched by the library: set numbers and their checks, a
 *    caller built against the first slice (a smaller opts size), runs and
 *    active times from sonde_pmu_set_info(), sonde_pmu_set_switch();
 *  - attach and detach on a live session: a child process whose threads
 *    keep faulting pages (its main thread faults nothing); attached, its
 *    page faults grow; detached, they stop growing; attached again, they
 *    go on from there; -EEXIST, -ENOENT, -ESRCH;
 *  - the full mode: page-faults sampling with period 100 delivers samples
 *    whose group read holds minor-faults; long and short reset values;
 *    SONDE_PMU_EV_NOTIFY stops at each overflow until sonde_pmu_restart();
 *    random_mask keeps every period in [period, period + mask]; the set's
 *    ovfl_events names the sampling event; reset_events resets;
 *  - sets switched after 3 overflows of their sampling event (no timeout):
 *    both sets run several times, each run 3 overflows long at least.
 * Exit 77 when perf_event_open is not permitted here.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sonde/pmu.h>

#include "../tap.h"

static long psz;

static void touch(long pages)
{
	volatile char *p = mmap(NULL, (size_t)(pages * psz), PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	madvise((void *)p, (size_t)(pages * psz), MADV_NOHUGEPAGE);
	for (long i = 0; i < pages; i++)
		p[i * psz] = 1;
	munmap((void *)p, (size_t)(pages * psz));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static uint64_t count(struct sonde_pmu_session *s, size_t i)
{
	struct sonde_pmu_value v = { .size = sizeof(v) };

	return sonde_pmu_read(s, i, &v) == 0 ? v.raw : (uint64_t)-1;
}

static void sets(void)
{
	const char *ev[] = { "page-faults", "task-clock", "minor-faults" };
	unsigned int gap[] = { 0, 2, 2 }, two[] = { 0, 0, 1 };
	struct sonde_pmu_opts o = { .size = sizeof(o), .target = SONDE_PMU_THREAD,
				    .events = ev, .nr_events = 3, .sets = gap };
	struct sonde_pmu_set_info si = { .size = sizeof(si) }, s1 = { .size = sizeof(si) };
	struct sonde_pmu_value v = { .size = sizeof(v) };
	struct sonde_pmu_session *s;
	size_t v1size = offsetof(struct sonde_pmu_value, running_pct) + sizeof(double);

	tap_is_int(sonde_pmu_session_create(&o, &s), -EINVAL, "a set left empty is refused");
	o.size = offsetof(struct sonde_pmu_opts, sets);
	tap_is_int(sonde_pmu_session_create(&o, &s), 0,
		   "a caller of the first slice (smaller opts) gets one set");
	tap_is_int(sonde_pmu_set_count(s), 1, "one set");
	sonde_pmu_session_destroy(s);
	o.size = sizeof(o);
	o.sets = two;
	o.switch_ns = 5000000;
	if (sonde_pmu_session_create(&o, &s) < 0)
		return;
	tap_is_int(sonde_pmu_set_count(s), 2, "two sets");
	tap_is_int(sonde_pmu_set_switch(s, 1), -EINVAL, "no switch before start");
	sonde_pmu_start(s);
	for (int i = 0; i < 40; i++) {
		touch(50);
		sleep_ms(5);
	}
	sonde_pmu_set_info(s, 0, &si);
	/* 40 switches are due; on a loaded machine the helper thread wakes
	 * late (3 switches in 345 ms were seen under two parallel tests):
	 * two runs of set 0 need two switches only. */
	tap_ok(si.runs >= 2 && si.nr_events == 2,
	       "set 0: %llu runs over 200 ms of 5 ms switches, 2 events",
	       (unsigned long long)si.runs);
	tap_is_int(sonde_pmu_set_switch(s, 1), 0, "sonde_pmu_set_switch(1)");
	sonde_pmu_stop(s);
	sonde_pmu_set_info(s, 0, &si);
	sonde_pmu_set_info(s, 1, &s1);
	tap_ok(si.session_ns == s1.session_ns &&
	       si.active_ns + s1.active_ns <= si.session_ns &&
	       si.active_ns + s1.active_ns >= si.session_ns - si.session_ns / 100,
	       "the sets' active times (%llu + %llu ns) make up the session (%llu ns)",
	       (unsigned long long)si.active_ns, (unsigned long long)s1.active_ns,
	       (unsigned long long)si.session_ns);
	tap_is_int(sonde_pmu_read(s, 2, &v), 0, "read minor-faults");
	tap_ok(v.set == 1 && v.scaled >= (double)v.raw && v.running_pct > 0 &&
	       v.running_pct < 100, "its set 1, scaled %.0f >= raw %llu, %.1f %% running",
	       v.scaled, (unsigned long long)v.raw, v.running_pct);
	v.size = v1size;
	v.set = 77;
	tap_ok(sonde_pmu_read(s, 2, &v) == 0 && v.set == 77,
	       "a caller of the first slice (smaller value) gets no more than it asked");
	tap_is_int(sonde_pmu_set_info(s, 2, &si), -ERANGE, "set 2: -ERANGE");
	sonde_pmu_session_destroy(s);
}

/* The child: 3 threads faulting until its stdin pipe closes. */
static int stop;

static void *faulter(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		touch(16);
		sleep_ms(1);
	}
	return NULL;
}

static pid_t spawn_faulter(int *ctl)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		pthread_t t[3];

		close(p[1]);
		for (int i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, faulter, NULL);
		if (read(p[0], &c, 1) < 0)
			c = 0;
		__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
		for (int i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
		_exit(0);
	}
	close(p[0]);
	*ctl = p[1];
	return pid;
}

static void attach(void)
{
	const char *ev[] = { "page-faults" };
	struct sonde_pmu_opts o = { .size = sizeof(o), .target = SONDE_PMU_NONE,
				    .flags = SONDE_PMU_INHERIT, .events = ev,
				    .nr_events = 1 };
	struct sonde_pmu_session *s;
	uint64_t c1, c2, c3, c4, c5;
	int ctl, st;
	pid_t pid;

	tap_is_int(sonde_pmu_session_create(&o, &s), 0, "a session with no target");
	if (!s)
		return;
	pid = spawn_faulter(&ctl);
	sleep_ms(50); /* its threads run */
	sonde_pmu_start(s);
	tap_is_int(count(s, 0), 0, "no target: nothing counted");
	tap_is_int(sonde_pmu_attach(s, SONDE_PMU_ATTACH_PROCESS, pid), 0,
		   "attach to a running process");
	tap_is_int(sonde_pmu_attach(s, SONDE_PMU_ATTACH_PROCESS, pid), -EEXIST,
		   "attached twice: -EEXIST");
	sleep_ms(150);
	c1 = count(s, 0);
	sleep_ms(150);
	c2 = count(s, 0);
	tap_ok(c1 > 0 && c2 > c1, "attached, its threads' page faults grow: %llu then %llu",
	       (unsigned long long)c1, (unsigned long long)c2);
	tap_is_int(sonde_pmu_detach(s, SONDE_PMU_ATTACH_PROCESS, pid), 0, "detach");
	c3 = count(s, 0);
	sleep_ms(150);
	c4 = count(s, 0);
	tap_ok(c3 >= c2 && c4 == c3, "detached, the count stays: %llu then %llu",
	       (unsigned long long)c3, (unsigned long long)c4);
	tap_is_int(sonde_pmu_detach(s, SONDE_PMU_ATTACH_PROCESS, pid), -ENOENT,
		   "detached twice: -ENOENT");
	tap_is_int(sonde_pmu_attach(s, SONDE_PMU_ATTACH_PROCESS, pid), 0, "attach again");
	sleep_ms(150);
	c5 = count(s, 0);
	tap_ok(c5 > c4, "the count goes on from %llu: %llu",
	       (unsigned long long)c4, (unsigned long long)c5);
	close(ctl);
	waitpid(pid, &st, 0);
	tap_is_int(sonde_pmu_attach(s, SONDE_PMU_ATTACH_PROCESS, pid), -EEXIST,
		   "still attached to the exited process's counters");
	sonde_pmu_detach(s, SONDE_PMU_ATTACH_PROCESS, pid);
	tap_is_int(sonde_pmu_attach(s, SONDE_PMU_ATTACH_PROCESS, pid), -ESRCH,
		   "an exited process: -ESRCH");
	tap_ok(sonde_pmu_attach(s, SONDE_PMU_ATTACH_CPU, 65535) < 0,
	       "attach to a CPU that is not there: an error");
	tap_is_int(sonde_pmu_attach(s, SONDE_PMU_ATTACH_THREAD, 0), 0,
		   "attach to the calling thread");
	c1 = count(s, 0);
	touch(500);
	c2 = count(s, 0);
	tap_ok(c2 - c1 >= 500, "its 500 pages count: %llu", (unsigned long long)(c2 - c1));
	sonde_pmu_session_destroy(s);
}

struct got {
	int n;
	uint64_t period[512];
	struct sonde_pmu_sample last;
	int groups_ok;
	uint64_t prev;
};

static int on_sample(const struct sonde_pmu_sample *smpl, void *arg)
{
	struct got *g = arg;

	if (g->n < 512)
		g->period[g->n] = smpl->period;
	g->n++;
	/* page-faults and minor-faults move together; the leader's value
	 * grows sample to sample. */
	if (smpl->nr_values != 2 || smpl->value_events[0] != 0 ||
	    smpl->value_events[1] != 1 || smpl->values[0] <= g->prev ||
	    smpl->values[1] + 2 < smpl->values[0] ||
	    smpl->values[1] > smpl->values[0] + 2 || smpl->tid == 0)
		g->groups_ok = 0;
	g->prev = smpl->values[0];
	g->last = *smpl;
	return 0;
}

static struct sonde_pmu_session *sampler(struct sonde_pmu_event_attr *fa)
{
	static const char *ev[] = { "page-faults", "minor-faults" };
	const struct sonde_pmu_event_attr *attrs[] = { fa, NULL };
	struct sonde_pmu_opts o = { .size = sizeof(o), .target = SONDE_PMU_THREAD,
				    .events = ev, .nr_events = 2, .attrs = attrs };
	struct sonde_pmu_session *s = NULL;
	char why[320];
	int r = sonde_pmu_session_create(&o, &s);

	if (r < 0 || sonde_pmu_event_status(s, 0, why, sizeof(why)) < 0) {
		tap_diag("sampling page-faults: %d %s", r, s ? why : "");
		sonde_pmu_session_destroy(s);
		return NULL;
	}
	return s;
}

static void full(void)
{
	struct sonde_pmu_event_attr fa = { .size = sizeof(fa), .period = 100,
					   .smpl_events = 1u << 1 };
	struct sonde_pmu_set_info si = { .size = sizeof(si) };
	struct sonde_pmu_session *s;
	struct got *g = calloc(1, sizeof(*g));
	uint64_t raw;
	int bad, distinct;

	g->groups_ok = 1;
	s = sampler(&fa);
	tap_ok(s != NULL, "page-faults sampling every 100, minor-faults read with it");
	if (!s)
		goto out;
	sonde_pmu_start(s);
	touch(5000);
	sonde_pmu_samples_read(s, on_sample, g);
	raw = count(s, 0);
	/* A sanitizer's shadow memory faults too: count on the count. */
	tap_ok(raw >= 5000 && (uint64_t)g->n >= raw / 100 - 1 &&
	       (uint64_t)g->n <= raw / 100,
	       "%llu faults: %d samples, one per 100", (unsigned long long)raw, g->n);
	tap_ok(g->groups_ok, "each sample holds page-faults and minor-faults, growing");
	tap_ok(g->last.period == 100 && g->last.pid == (uint32_t)getpid(),
	       "period 100, this process");
	sonde_pmu_set_info(s, 0, &si);
	tap_is_int((long long)si.ovfl_events, 1, "set 0's ovfl_events: page-faults");
	sonde_pmu_session_destroy(s);

	/* long 50 after start, short 300 after a handled overflow. */
	fa.long_reset = 50;
	fa.short_reset = 300;
	fa.reset_events = 1u << 1;
	memset(g, 0, sizeof(*g));
	s = sampler(&fa);
	if (!s)
		goto out;
	sonde_pmu_start(s);
	touch(60);
	sonde_pmu_samples_read(s, on_sample, g);
	tap_ok(g->n >= 1 && g->period[0] == 50, "long reset: the first period is 50 (%d samples, %llu)",
	       g->n, (unsigned long long)g->period[0]);
	tap_ok(count(s, 1) < 60, "reset_events: minor-faults reset at the handled overflow (%llu)",
	       (unsigned long long)count(s, 1));
	raw = count(s, 0);
	touch(1500);
	raw = count(s, 0) - raw;
	g->n = 0;
	sonde_pmu_samples_read(s, on_sample, g);
	bad = 0;
	for (int i = 0; i < g->n && i < 512; i++)
		bad += g->period[i] != 300;
	if (!tap_ok(raw >= 1500 && (uint64_t)g->n >= raw / 300 - 1 &&
		    (uint64_t)g->n <= raw / 300 + 1 && !bad,
		    "short reset: then every 300 (%llu faults, %d samples, %d others)",
		    (unsigned long long)raw, g->n, bad))
		for (int i = 0; i < g->n && i < 512; i++)
			tap_diag("period %llu", (unsigned long long)g->period[i]);
	sonde_pmu_session_destroy(s);

	/* Notify: one overflow, then nothing until restart. */
	fa = (struct sonde_pmu_event_attr){ .size = sizeof(fa), .period = 100,
					    .random_mask = 63, .smpl_events = 1u << 1,
					    .flags = SONDE_PMU_EV_NOTIFY };
	memset(g, 0, sizeof(*g));
	s = sampler(&fa);
	if (!s)
		goto out;
	tap_is_int(sonde_pmu_restart(s), -EINVAL, "restart before start: -EINVAL");
	sonde_pmu_start(s);
	touch(1000);
	sonde_pmu_samples_read(s, on_sample, g);
	tap_is_int(g->n, 1, "notify: 1000 faults, one sample, the counter stops");
	tap_is_int(sonde_pmu_restart(s), 0, "sonde_pmu_restart()");
	touch(1000);
	sonde_pmu_samples_read(s, on_sample, g);
	tap_is_int(g->n, 2, "restarted: one more");
	for (int i = 0; i < 40; i++) {
		sonde_pmu_restart(s);
		touch(200);
	}
	sonde_pmu_samples_read(s, on_sample, g);
	bad = distinct = 0;
	for (int i = 0; i < g->n && i < 512; i++) {
		bad += g->period[i] < 100 || g->period[i] > 163;
		distinct += i > 0 && g->period[i] != g->period[i - 1];
	}
	if (!tap_ok(g->n == 42 && !bad && distinct >= 10,
		    "random_mask 63: %d samples, periods in [100, 163] (%d outside), %d changes",
		    g->n, bad, distinct))
		for (int i = 0; i < g->n && i < 512; i++)
			tap_diag("period %llu", (unsigned long long)g->period[i]);
	tap_is_int((long long)sonde_pmu_samples_lost(s), 0, "nothing lost");
	sonde_pmu_session_destroy(s);
out:
	free(g);
}

/* Two sets of one sampling event each (period 100), switched after 3
 * overflows (and not on time: 10 s). */
static void ovfl_switch(void)
{
	const char *ev[] = { "page-faults", "minor-faults" };
	unsigned int sets2[] = { 0, 1 };
	struct sonde_pmu_event_attr fa = { .size = sizeof(fa), .period = 100 };
	const struct sonde_pmu_event_attr *attrs[] = { &fa, &fa };
	struct sonde_pmu_opts o = { .size = sizeof(o), .target = SONDE_PMU_THREAD,
				    .events = ev, .nr_events = 2, .sets = sets2,
				    .attrs = attrs, .switch_ns = 10000000000ull,
				    .switch_overflows = 3 };
	struct sonde_pmu_set_info a = { .size = sizeof(a) }, b = { .size = sizeof(b) };
	struct sonde_pmu_session *s;
	struct got *g = calloc(1, sizeof(*g));
	uint64_t raw0, raw1;

	if (sonde_pmu_session_create(&o, &s) < 0) {
		tap_ok(0, "two sampling sets");
		free(g);
		return;
	}
	sonde_pmu_start(s);
	/* 50 faults, then 2 ms for the helper's look (1 ms ticks). */
	for (int i = 0; i < 80; i++) {
		touch(50);
		sleep_ms(2);
	}
	sonde_pmu_stop(s);
	sonde_pmu_set_info(s, 0, &a);
	sonde_pmu_set_info(s, 1, &b);
	raw0 = count(s, 0);
	raw1 = count(s, 1);
	tap_ok(a.runs >= 3 && b.runs >= 3,
	       "switch_overflows 3, 4000 faults, no timeout: set 0 ran %llu times, set 1 %llu",
	       (unsigned long long)a.runs, (unsigned long long)b.runs);
	/* Each run ends after 3 overflows of 100, or a few hundred faults
	 * later on a loaded machine; never before. */
	tap_ok(raw0 >= 300 * (a.runs - 1) && raw1 >= 300 * (b.runs - 1),
	       "each run lasted 3 overflows at least: %llu faults over %llu runs, %llu over %llu",
	       (unsigned long long)raw0, (unsigned long long)a.runs,
	       (unsigned long long)raw1, (unsigned long long)b.runs);
	tap_ok(a.ovfl_events == 1 && b.ovfl_events == 2,
	       "ovfl_events: page-faults in set 0, minor-faults in set 1 (%llx, %llx)",
	       (unsigned long long)a.ovfl_events, (unsigned long long)b.ovfl_events);
	tap_ok(sonde_pmu_samples_read(s, on_sample, g) >= 30,
	       "the samples are still there to read: %d", g->n);
	sonde_pmu_session_destroy(s);
	free(g);
}

static int permitted(void)
{
	const char *ev[] = { "page-faults" };
	struct sonde_pmu_opts o = { .size = sizeof(o), .target = SONDE_PMU_THREAD,
				    .events = ev, .nr_events = 1 };
	struct sonde_pmu_session *s;
	char why[320] = "";
	int st = -EPERM;

	if (sonde_pmu_session_create(&o, &s) == 0) {
		st = sonde_pmu_event_status(s, 0, why, sizeof(why));
		sonde_pmu_session_destroy(s);
	}
	if (st == -EACCES || st == -EPERM) {
		printf("1..0 # SKIP perf_event_open not permitted: %s\n", why);
		return 0;
	}
	return 1;
}

int main(void)
{
	psz = sysconf(_SC_PAGESIZE);
	if (!permitted())
		return 77;
	sets();
	attach();
	full();
	ovfl_switch();
	return tap_done();
}
