// SPDX-License-Identifier: MIT
/*
 * Starting, stopping and resetting a session, and its event sets.
 *
 * Sets switched by the library: only the active set's counters are
 * enabled; a helper thread of the session sleeps on a condition variable
 * (CLOCK_MONOTONIC) until the next switch, then, under the session's
 * mutex, disables the active set's counters, enables the next set's
 * (ioctls, with PERF_IOC_FLAG_GROUP on a group's leader), and accounts the
 * old set's active time and the new one's run.  Why a thread: the fds are
 * the creating process's, so the switch runs there (in sonde stat, or in a
 * program counting itself), never in a traced program, and it needs
 * neither a timer signal nor the caller's event loop (a timerfd would need
 * one to poll it).  Its signals are blocked; sonde_pmu_stop() wakes and
 * joins it.  The active time of a set is measured by the library on
 * CLOCK_MONOTONIC, from the disable of the previous set to its own
 * disable, so the sets' active times add up to the session's time.
 *
 * With switch_overflows the helper also wakes every millisecond and counts
 * the samples that arrived in the active set's rings (without consuming
 * them: sonde_pmu_samples_read() still hands them over), and switches when
 * they reach the number: Linux has no "switch after N overflows", and a
 * signal per overflow (F_SETSIG) would land in whatever thread of the
 * creating process runs, so polling from the helper keeps it in one place.
 *
 * Kernel multiplexing (SONDE_PMU_KERNEL_MULTIPLEX, or a single set): every
 * counter is enabled at once; the kernel rotates the groups that do not
 * fit on the PMU's counters, and read.c scales by enabled/running.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

#include "session.h"

/* How often the helper looks at the rings for switch_overflows. */
#define OVFL_TICK_NS 1000000u

int sonde__pmu_set_enable(struct sonde_pmu_session *s, unsigned int set,
			  size_t k, int on)
{
	size_t lo = k == (size_t)-1 ? 0 : k;
	size_t hi = k == (size_t)-1 ? s->nr_slots : k + 1;
	int first = 0;

	for (size_t i = 0; i < s->nr; i++) {
		struct sonde__pmu_event *e = &s->ev[i];

		if (e->status < 0 || e->set != set)
			continue;
		for (size_t c = lo; c < hi; c++) {
			int fd = e->fds[c];

			/* A member starts and stops with its leader. */
			if (fd < 0 || (e->leader >= 0 && s->ev[e->leader].fds[c] >= 0))
				continue;
			if (on && e->attr.sample_period)
				sonde__pmu_arm(s, e, c, 1, 0);
			if (ioctl(fd, on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE,
				  PERF_IOC_FLAG_GROUP) < 0 && !first)
				first = -errno;
			if (on && (e->full.flags & SONDE_PMU_EV_NOTIFY) &&
			    ioctl(fd, PERF_EVENT_IOC_REFRESH, 1) < 0 && !first)
				first = -errno;
		}
	}
	return first;
}

/* Session time and set @set's active time until now. Lock held. */
void sonde__pmu_times(const struct sonde_pmu_session *s, unsigned int set,
		      uint64_t *session, uint64_t *active)
{
	uint64_t now = s->started ? sonde__pmu_now() : 0;

	*session = s->session_ns + (s->started ? now - s->started_at : 0);
	*active = s->sets[set].active_ns;
	if (s->started && (!sonde__pmu_switched(s) || set == s->active))
		*active += now - s->set_since;
}

/* Make @set the active set. Lock held, session started. */
static int switch_to(struct sonde_pmu_session *s, unsigned int set)
{
	int err = sonde__pmu_set_enable(s, s->active, (size_t)-1, 0);
	uint64_t now = sonde__pmu_now();
	int e2;

	s->sets[s->active].active_ns += now - s->set_since;
	s->active = set;
	s->sets[set].runs++;
	s->sets[set].overflows = 0;
	s->set_since = now;
	e2 = sonde__pmu_set_enable(s, set, (size_t)-1, 1);
	s->next_switch = now + s->switch_ns;
	return err ? err : e2;
}

static void *helper(void *arg)
{
	struct sonde_pmu_session *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->quit) {
		uint64_t until = s->next_switch, now = sonde__pmu_now();
		struct timespec ts;

		/* After N overflows: look at the rings every millisecond. */
		if (s->switch_ovfl && now + OVFL_TICK_NS < until)
			until = now + OVFL_TICK_NS;
		ts.tv_sec = (time_t)(until / 1000000000u);
		ts.tv_nsec = (long)(until % 1000000000u);
		pthread_cond_timedwait(&s->wake, &s->lock, &ts);
		if (s->quit)
			break;
		if (sonde__pmu_now() >= s->next_switch ||
		    (s->switch_ovfl &&
		     sonde__pmu_peek_overflows(s) >= s->switch_ovfl))
			switch_to(s, (s->active + 1) % s->nr_sets);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int helper_start(struct sonde_pmu_session *s)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&s->helper, NULL, helper, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -EAGAIN;
	s->helper_on = 1;
	return 0;
}

int sonde_pmu_start(struct sonde_pmu_session *s)
{
	int err = 0;

	if (!s)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (s->started)
		goto out;
	s->started_at = s->set_since = sonde__pmu_now();
	s->started = 1;
	if (sonde__pmu_switched(s)) {
		s->sets[s->active].runs++;
		s->sets[s->active].overflows = 0;
		err = sonde__pmu_set_enable(s, s->active, (size_t)-1, 1);
		s->next_switch = s->started_at + s->switch_ns;
		s->quit = 0;
		if (helper_start(s) < 0 && !err)
			err = -EAGAIN;
		goto out;
	}
	for (unsigned int set = 0; set < s->nr_sets; set++) {
		int e = sonde__pmu_set_enable(s, set, (size_t)-1, 1);

		s->sets[set].runs++;
		err = err ? err : e;
	}
out:
	pthread_mutex_unlock(&s->lock);
	return err;
}

int sonde_pmu_stop(struct sonde_pmu_session *s)
{
	uint64_t now;
	int err = 0;

	if (!s)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (!s->started)
		goto out;
	if (s->helper_on) {
		s->quit = 1;
		pthread_cond_broadcast(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->helper, NULL);
		pthread_mutex_lock(&s->lock);
		s->helper_on = 0;
		s->quit = 0;
	}
	for (unsigned int set = 0; set < s->nr_sets; set++) {
		int e = sonde__pmu_set_enable(s, set, (size_t)-1, 0);

		err = err ? err : e;
	}
	now = sonde__pmu_now();
	s->session_ns += now - s->started_at;
	for (unsigned int set = 0; set < s->nr_sets; set++)
		if (!sonde__pmu_switched(s) || set == s->active)
			s->sets[set].active_ns += now - s->set_since;
	s->started = 0;
out:
	pthread_mutex_unlock(&s->lock);
	return err;
}

int sonde_pmu_reset(struct sonde_pmu_session *s)
{
	int first = 0;

	if (!s)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->nr; i++) {
		struct sonde__pmu_event *e = &s->ev[i];

		for (size_t k = 0; e->status == 0 && k < s->nr_slots; k++) {
			if (e->fds[k] >= 0 &&
			    ioctl(e->fds[k], PERF_EVENT_IOC_RESET, 0) < 0 && !first)
				first = -errno;
			e->last[k] = 0;
		}
		e->acc_raw = e->acc_enabled = e->acc_running = 0;
		e->acc_scaled = 0;
	}
	/* The library's times start over with the counts, so that
	 * extrapolation stays count / time of the same span. */
	s->session_ns = 0;
	s->started_at = s->set_since = sonde__pmu_now();
	for (unsigned int set = 0; set < s->nr_sets; set++) {
		s->sets[set].active_ns = 0;
		s->sets[set].runs = s->started &&
				    (!sonde__pmu_switched(s) || set == s->active);
	}
	pthread_mutex_unlock(&s->lock);
	return first;
}

unsigned int sonde_pmu_set_count(const struct sonde_pmu_session *s)
{
	return s ? s->nr_sets : 0;
}

int sonde_pmu_set_info(struct sonde_pmu_session *s, unsigned int set,
		       struct sonde_pmu_set_info *info)
{
	struct sonde_pmu_set_info in = { 0 };

	if (!info || info->size < sizeof(*info))
		return -EINVAL;
	if (!s || set >= s->nr_sets)
		return -ERANGE;
	pthread_mutex_lock(&s->lock);
	in.size = info->size;
	in.runs = s->sets[set].runs;
	sonde__pmu_times(s, set, &in.session_ns, &in.active_ns);
	in.running_pct = in.session_ns ? 100.0 * (double)in.active_ns /
					 (double)in.session_ns : 0;
	in.ovfl_events = s->sets[set].ovfl;
	in.nr_events = s->sets[set].nr_events;
	pthread_mutex_unlock(&s->lock);
	*info = in;
	return 0;
}

int sonde_pmu_set_switch(struct sonde_pmu_session *s, unsigned int set)
{
	int err;

	if (!s)
		return -EINVAL;
	if (set >= s->nr_sets)
		return -ERANGE;
	pthread_mutex_lock(&s->lock);
	if (!s->started || !sonde__pmu_switched(s))
		err = -EINVAL;
	else
		err = set == s->active ? 0 : switch_to(s, set);
	pthread_mutex_unlock(&s->lock);
	return err;
}
