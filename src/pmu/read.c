// SPDX-License-Identifier: MIT
/*
 * Reading a session in the seed's simple mode: each fd gives {value,
 * time_enabled, time_running} (a sampling leader: {nr, time_enabled,
 * time_running, value[nr]}, its own value first); a slot's value is
 * extrapolated to its enabled time (value * enabled / running, in double:
 * no overflow where u64 products would wrap), and the slots are summed,
 * with the counts of slots detached earlier.  The running percentage is
 * the summed running time over the summed enabled time.  An event that was
 * never on a counter (running 0) reads as raw 0 and 0 %, which sonde stat
 * prints as <not counted>; a pinned event that lost its counter reads end
 * of file, which is -ENOSPC.
 *
 * With library-switched sets the sum is further extrapolated over the
 * session: scaled * session time / the set's time, and the running
 * percentage is the set's share of the session.  The times are the
 * kernel's enabled times of each set (set_enabled() says why), or the
 * library's wall-clock times (control.c) where a set has no open event.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "session.h"

/* The size of struct sonde_pmu_value before event sets. */
#define VALUE_V1 (offsetof(struct sonde_pmu_value, running_pct) + sizeof(double))

int sonde__pmu_read_slot(const struct sonde_pmu_session *s, size_t i,
			 size_t k, struct sonde_pmu_value *v)
{
	const struct sonde__pmu_event *e = &s->ev[i];
	uint64_t buf[3 + SONDE_PMU_SAMPLE_VALUES], val, en, run;
	ssize_t r;

	if (e->fds[k] < 0)
		return 0;
	r = read(e->fds[k], buf, sizeof(buf));
	if (r == 0)
		return -ENOSPC;
	if (r < 0)
		return -errno;
	if (e->attr.read_format & PERF_FORMAT_GROUP) {
		if (r < 32 || buf[0] < 1)
			return -EIO;
		en = buf[1];
		run = buf[2];
		val = buf[3];
	} else {
		if (r != 24)
			return -EIO;
		val = buf[0];
		en = buf[1];
		run = buf[2];
	}
	v->raw += val;
	v->enabled_ns += en;
	v->running_ns += run;
	if (run)
		v->scaled += (double)val * ((double)en / (double)run);
	return 0;
}

/*
 * The time set @set counted, as the kernel measures it: the enabled time
 * of its first open event, summed over the slots and the detached ones.
 * For a thread that is the thread's time on a CPU while the set was
 * active (a task's perf context has a clock only while it runs), so a
 * thread preempted for a few milliseconds does not skew its sets' shares
 * as wall time would; for a CPU it is wall time.  0 when the set has no
 * open event.  Lock held.
 */
static uint64_t set_enabled(const struct sonde_pmu_session *s, unsigned int set)
{
	for (size_t i = 0; i < s->nr; i++) {
		const struct sonde__pmu_event *e = &s->ev[i];
		struct sonde_pmu_value v = { .size = sizeof(v) };

		if (e->set != set || e->status < 0)
			continue;
		v.enabled_ns = e->acc_enabled;
		for (size_t k = 0; k < s->nr_slots; k++)
			if (sonde__pmu_read_slot(s, i, k, &v) < 0)
				return 0;
		return v.enabled_ns;
	}
	return 0;
}

/* Library-switched sets: @v->scaled over the whole session, in kernel
 * time where every set has an open event, else in the library's wall
 * time.  Lock held. */
static void extrapolate(const struct sonde_pmu_session *s,
			struct sonde_pmu_value *v)
{
	uint64_t total = 0, mine = 0;

	for (unsigned int set = 0; set < s->nr_sets; set++) {
		uint64_t en = set_enabled(s, set);

		if (!en) {
			total = 0;
			break;
		}
		total += en;
		if (set == v->set)
			mine = en;
	}
	if (!total) {
		total = v->session_ns;
		mine = v->set_active_ns;
	}
	v->scaled = mine ? v->scaled * ((double)total / (double)mine) : 0;
	v->running_pct = total ? 100.0 * (double)mine / (double)total : 0;
}

int sonde_pmu_read(struct sonde_pmu_session *s, size_t i,
		   struct sonde_pmu_value *v)
{
	const struct sonde__pmu_event *e;
	struct sonde_pmu_value sum;
	int err = 0;

	if (!v || v->size < VALUE_V1)
		return -EINVAL;
	if (!s || i >= s->nr)
		return -ERANGE;
	e = &s->ev[i];
	if (e->status < 0)
		return e->status;
	memset(&sum, 0, sizeof(sum));
	pthread_mutex_lock(&s->lock);
	sum.raw = e->acc_raw;
	sum.enabled_ns = e->acc_enabled;
	sum.running_ns = e->acc_running;
	sum.scaled = e->acc_scaled;
	for (size_t k = 0; k < s->nr_slots && !err; k++)
		err = sonde__pmu_read_slot(s, i, k, &sum);
	sum.set = e->set;
	sonde__pmu_times(s, e->set, &sum.session_ns, &sum.set_active_ns);
	if (sum.enabled_ns)
		sum.running_pct = 100.0 * (double)sum.running_ns /
				  (double)sum.enabled_ns;
	if (!err && sonde__pmu_switched(s))
		extrapolate(s, &sum);
	pthread_mutex_unlock(&s->lock);
	if (err)
		return err;
	sum.size = v->size;
	memcpy(v, &sum, v->size < sizeof(sum) ? v->size : sizeof(sum));
	return 0;
}
