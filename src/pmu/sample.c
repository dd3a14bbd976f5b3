// SPDX-License-Identifier: MIT
/*
 * The seed's full mode: sampling events, their overflow samples, restart.
 *
 * A sampling event is opened with its long reset value as sample_period,
 * PERF_SAMPLE_IP|TID|TIME|CPU|READ and read_format GROUP, leading a
 * perf group of the events to record with each sample (smpl_events); each
 * slot has its own ring (ring.c, the reader the recording side shares),
 * mapped when the counter is opened.  Linux re-arms the counter at each
 * overflow by itself, with the one period in force; the seed's long and
 * short reset values and its randomisation are therefore the library's
 * doing, at the moments it acts (pmu.h, struct sonde_pmu_event_attr):
 * arming at start/restart (long + random & mask), and handling an
 * overflow in sonde_pmu_samples_read() (short + random & mask, and the
 * reset_events reset).  SONDE_PMU_EV_NOTIFY events are armed for one
 * overflow (PERF_EVENT_IOC_REFRESH 1) and wait for sonde_pmu_restart().
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "session.h"

#define RING_PAGES 16u

int sonde__pmu_sample_map(struct sonde_pmu_session *s,
			  struct sonde__pmu_event *e, size_t k)
{
	(void)s;
	return sonde__perfring_map(&e->rings[k], e->fds[k],
				   e->full.ring_pages ? e->full.ring_pages
						      : RING_PAGES);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

int sonde__pmu_arm(struct sonde_pmu_session *s, struct sonde__pmu_event *e,
		   size_t k, int lng, int on)
{
	uint64_t v = lng ? e->full.long_reset : e->full.short_reset;

	if (!v)
		v = e->full.period;
	if (e->full.random_mask)
		v += xorshift(&s->rnd) & e->full.random_mask;
	if (e->fds[k] < 0)
		return 0;
	/* On a counting software event PERF_EVENT_IOC_PERIOD zeroes what is
	 * left of the period without reloading it: the next event overflows
	 * at once, the one after with the old period.  Out of its counter
	 * and back in, the event is loaded with the new period. */
	if (on && ioctl(e->fds[k], PERF_EVENT_IOC_DISABLE, 0) < 0)
		return -errno;
	if (ioctl(e->fds[k], PERF_EVENT_IOC_PERIOD, &v) < 0)
		return -errno;
	if (on && ioctl(e->fds[k], PERF_EVENT_IOC_ENABLE, 0) < 0)
		return -errno;
	/* The new period counts from here: the next sample's period is
	 * measured from this count, unless samples wait unread in the ring
	 * (they are measured from each other; a notify event stopped at its
	 * last one, whose count is this count). */
	if (!e->rings[k].meta ||
	    __atomic_load_n(&e->rings[k].meta->data_head, __ATOMIC_ACQUIRE) ==
		    e->rings[k].tail) {
		struct sonde_pmu_value now = { .size = sizeof(now) };

		if (sonde__pmu_read_slot(s, (size_t)(e - s->ev), k, &now) == 0)
			e->last[k] = now.raw;
	}
	return 0;
}

/* Take @n u64 words of a sample into @dst; -EBADMSG past its end. */
static int take(const uint8_t **p, const uint8_t *end, void *dst, size_t n)
{
	if ((size_t)(end - *p) < n * 8)
		return -EBADMSG;
	memcpy(dst, *p, n * 8);
	*p += n * 8;
	return 0;
}

/* The layout attr_of() asks for: ip, pid/tid, time, cpu/res, read { nr,
 * enabled, running, value[nr] }.  The period is what the event counted
 * since its previous sample on this slot (PERF_SAMPLE_PERIOD is not
 * asked: session.c says why). */
static int parse(struct sonde_pmu_session *s, size_t i, size_t k,
		 const struct perf_event_header *rec,
		 struct sonde_pmu_sample *out)
{
	struct sonde__pmu_event *e = &s->ev[i];
	const uint8_t *p = (const uint8_t *)(rec + 1);
	const uint8_t *end = (const uint8_t *)rec + rec->size;
	uint64_t w[3], nr;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->event = i;
	if (take(&p, end, &out->ip, 1) || take(&p, end, w, 1))
		return -EBADMSG;
	out->pid = (uint32_t)w[0];
	out->tid = (uint32_t)(w[0] >> 32);
	if (take(&p, end, &out->time, 1) || take(&p, end, w, 1))
		return -EBADMSG;
	out->cpu = (uint32_t)w[0];
	if (take(&p, end, &nr, 1) ||
	    take(&p, end, w, 2) || nr > SONDE_PMU_SAMPLE_VALUES ||
	    take(&p, end, out->values, (size_t)nr))
		return -EBADMSG;
	out->time_enabled = w[0];
	out->time_running = w[1];
	if (nr) {
		out->period = out->values[0] - e->last[k];
		e->last[k] = out->values[0];
	}
	/* The group's values come leader first, then its members in the
	 * order they were opened: read_ev's, less those not open here. */
	for (size_t j = 0; j < e->nr_read && n < nr; j++) {
		size_t m = e->read_ev[j];

		if (s->ev[m].status == 0 && s->ev[m].fds[k] >= 0)
			out->value_events[n++] = m;
	}
	out->nr_values = n;
	return 0;
}

void sonde__pmu_mark_ovfl(struct sonde_pmu_session *s, size_t i)
{
	struct sonde__pmu_set *set = &s->sets[s->ev[i].set];

	if (set->ovfl_run != set->runs) {
		set->ovfl = 0;
		set->ovfl_run = set->runs;
	}
	if (i < 64)
		set->ovfl |= 1ull << i;
}

uint64_t sonde__pmu_peek_overflows(struct sonde_pmu_session *s)
{
	struct sonde__pmu_set *set = &s->sets[s->active];

	for (size_t i = 0; i < s->nr; i++) {
		struct sonde__pmu_event *e = &s->ev[i];

		if (e->set != s->active || e->status < 0 || !e->attr.sample_period)
			continue;
		for (size_t k = 0; k < s->nr_slots; k++) {
			uint64_t n;

			if (!e->rings[k].map)
				continue;
			n = sonde__perfring_peek_samples(&e->rings[k], &e->peek[k]);
			if (n)
				sonde__pmu_mark_ovfl(s, i);
			set->overflows += n;
		}
	}
	return set->overflows;
}

/* After the samples of event @i on slot @k: the overflow is handled. */
static void handled(struct sonde_pmu_session *s, size_t i, size_t k)
{
	struct sonde__pmu_event *e = &s->ev[i];
	uint64_t m = e->full.reset_events;

	sonde__pmu_mark_ovfl(s, i);
	for (size_t j = 0; j < 64 && j < s->nr && m; j++, m >>= 1) {
		if (!(m & 1) || s->ev[j].status < 0 || s->ev[j].fds[k] < 0)
			continue;
		ioctl(s->ev[j].fds[k], PERF_EVENT_IOC_RESET, 0);
		if (s->ev[j].last)
			s->ev[j].last[k] = 0;
	}
	if (!(e->full.flags & SONDE_PMU_EV_NOTIFY))
		sonde__pmu_arm(s, e, k, 0, 1);
}

int sonde_pmu_samples_read(struct sonde_pmu_session *s,
			   sonde_pmu_sample_cb cb, void *arg)
{
	int n = 0, stop = 0, err = 0;

	if (!s || !cb)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->nr && !stop; i++) {
		struct sonde__pmu_event *e = &s->ev[i];

		if (!e->attr.sample_period || e->status < 0)
			continue;
		for (size_t k = 0; k < s->nr_slots && !stop; k++) {
			struct sonde__perfring *r = &e->rings[k];
			const struct perf_event_header *h;
			struct sonde_pmu_sample smpl;
			int got = 0;

			if (!r->map)
				continue;
			sonde__perfring_begin(r);
			while (!stop && sonde__perfring_next(r, &h, NULL)) {
				if (parse(s, i, k, h, &smpl) < 0) {
					err = err ? err : -EBADMSG;
					continue;
				}
				got = 1;
				n++;
				stop = cb(&smpl, arg) != 0;
			}
			sonde__perfring_end(r);
			if (got)
				handled(s, i, k);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return n ? n : err;
}

void sonde__pmu_sample_drop(struct sonde_pmu_session *s, size_t k)
{
	for (size_t i = 0; i < s->nr; i++) {
		struct sonde__perfring *r = &s->ev[i].rings[k];
		const struct perf_event_header *h;

		if (!r->map)
			continue;
		sonde__perfring_begin(r);
		while (sonde__perfring_next(r, &h, NULL))
			s->ev[i].acc_lost++;
		sonde__perfring_end(r);
		s->ev[i].acc_lost += r->st.lost;
	}
}

uint64_t sonde_pmu_samples_lost(struct sonde_pmu_session *s)
{
	uint64_t lost = 0;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->nr; i++) {
		lost += s->ev[i].acc_lost;
		for (size_t k = 0; k < s->nr_slots; k++)
			if (s->ev[i].rings[k].map)
				lost += s->ev[i].rings[k].st.lost;
	}
	pthread_mutex_unlock(&s->lock);
	return lost;
}

int sonde_pmu_restart(struct sonde_pmu_session *s)
{
	int first = 0;

	if (!s)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (!s->started)
		first = -EINVAL;
	for (size_t i = 0; i < s->nr && !first; i++) {
		struct sonde__pmu_event *e = &s->ev[i];

		if (e->status < 0 || !(e->full.flags & SONDE_PMU_EV_NOTIFY) ||
		    (sonde__pmu_switched(s) && e->set != s->active))
			continue;
		for (size_t k = 0; k < s->nr_slots; k++) {
			int err;

			if (e->fds[k] < 0)
				continue;
			err = sonde__pmu_arm(s, e, k, 1, 1);
			if (!err && ioctl(e->fds[k], PERF_EVENT_IOC_REFRESH, 1) < 0)
				err = -errno;
			if (err && !first)
				first = err;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return first;
}
