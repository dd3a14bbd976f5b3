// SPDX-License-Identifier: MIT
/*
 * A session (the perfmon v3 "session") and its targets: one perf event per
 * requested name and per target slot, each opened disabled with read_format
 * TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING so that reads can be scaled when
 * the kernel multiplexes.  Opening is the probe: an encoding that parses
 * can still fail here (a VM without a hardware PMU gives ENOENT for
 * cycles), so each event keeps its own status and sentence and the others
 * count on.  With SONDE_PMU_GROUP the first opened event of each set leads
 * the set's others on a slot; a sampling event with smpl_events leads a
 * group of them, read with each sample.
 *
 * Targets are slots (session.h): the creation's thread, inherited by its
 * children with SONDE_PMU_INHERIT and enabled by its execve() with
 * SONDE_PMU_ENABLE_ON_EXEC, or every online CPU; then whatever
 * sonde_pmu_attach() adds (a thread, each thread of a process with
 * inheritance, a CPU) on a live session.  Detaching reads a slot's counts
 * into the event's totals before closing it, so counts accumulate across
 * attaches.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "session.h"

/* Grow the slots and every event's per-slot arrays past this many. */
#define SLOTS_MAX 65536

uint64_t sonde__pmu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int perf_open(struct perf_event_attr *attr, int pid, int cpu,
		     int group_fd)
{
	long fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd,
			  PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : (int)fd;
}

/* The online CPUs from /sys/devices/system/cpu/online ("0-3,6"). */
static int online_cpus(int **out, size_t *nr)
{
	char buf[1024], *p;
	ssize_t r;
	int *cpus = NULL, fd;
	size_t n = 0;

	fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -EIO;
	buf[r] = '\0';
	for (p = buf; *p && *p != '\n';) {
		long lo = strtol(p, &p, 10), hi = lo;
		int *grown;

		if (*p == '-')
			hi = strtol(p + 1, &p, 10);
		if (lo < 0 || hi < lo || hi > 65535 || (*p && *p != ',' && *p != '\n'))
			goto bad;
		grown = realloc(cpus, (n + (size_t)(hi - lo + 1)) * sizeof(*cpus));
		if (!grown) {
			free(cpus);
			return -ENOMEM;
		}
		cpus = grown;
		for (long c = lo; c <= hi; c++)
			cpus[n++] = (int)c;
		if (*p == ',')
			p++;
	}
	if (!n)
		goto bad;
	*out = cpus;
	*nr = n;
	return 0;
bad:
	free(cpus);
	return -EIO;
}

static int is_sampling(const struct sonde__pmu_event *e)
{
	return e->attr.sample_period != 0;
}

/* A slot more: every event's arrays grow with it.  Its index, or -ENOMEM. */
static long slot_add(struct sonde_pmu_session *s,
		     const struct sonde__pmu_slot *sl)
{
	if (s->nr_slots == s->cap_slots) {
		size_t cap = s->cap_slots ? 2 * s->cap_slots : 4;
		struct sonde__pmu_slot *slots;

		if (cap > SLOTS_MAX)
			return -ENOMEM;
		slots = realloc(s->slots, cap * sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		s->slots = slots;
		for (size_t i = 0; i < s->nr; i++) {
			struct sonde__pmu_event *e = &s->ev[i];
			int *fds = realloc(e->fds, cap * sizeof(*fds));
			struct sonde__perfring *r;
			uint64_t *last;

			if (!fds)
				return -ENOMEM;
			e->fds = fds;
			r = realloc(e->rings, cap * sizeof(*r));
			if (!r)
				return -ENOMEM;
			e->rings = r;
			last = realloc(e->last, cap * sizeof(*last));
			if (!last)
				return -ENOMEM;
			e->last = last;
			last = realloc(e->peek, cap * sizeof(*last));
			if (!last)
				return -ENOMEM;
			e->peek = last;
		}
		s->cap_slots = cap;
	}
	s->slots[s->nr_slots] = *sl;
	for (size_t i = 0; i < s->nr; i++) {
		s->ev[i].fds[s->nr_slots] = -1;
		memset(&s->ev[i].rings[s->nr_slots], 0, sizeof(s->ev[i].rings[0]));
		s->ev[i].rings[s->nr_slots].fd = -1;
		s->ev[i].last[s->nr_slots] = 0;
		s->ev[i].peek[s->nr_slots] = 0;
	}
	return (long)s->nr_slots++;
}

/* Close slot @k's counters and move the last slot into its place; its
 * counts are the caller's to keep first. */
static void slot_remove(struct sonde_pmu_session *s, size_t k)
{
	size_t last = s->nr_slots - 1;

	for (size_t i = s->nr; i-- > 0;) {
		struct sonde__pmu_event *e = &s->ev[i];

		sonde__perfring_unmap(&e->rings[k]);
		if (e->fds[k] >= 0)
			close(e->fds[k]);
		e->fds[k] = e->fds[last];
		e->rings[k] = e->rings[last];
		e->last[k] = e->last[last];
		e->peek[k] = e->peek[last];
	}
	s->slots[k] = s->slots[last];
	s->nr_slots--;
}

/* Event @e on slot @k: its fd, or -errno. */
static int open_on(struct sonde_pmu_session *s, struct sonde__pmu_event *e,
		   size_t k)
{
	const struct sonde__pmu_slot *sl = &s->slots[k];
	struct perf_event_attr *a = &e->attr;
	int explicit_mods = a->exclude_user || a->exclude_kernel || a->exclude_hv;
	int group = e->leader >= 0 ? s->ev[e->leader].fds[k] : -1;
	int fd;

	/* A sampling group is never inherited (no ring for an inherited
	 * per-thread event), nor a member of it. */
	a->inherit = sl->inherit && !is_sampling(e) &&
		     !(e->leader >= 0 && is_sampling(&s->ev[e->leader]));
	a->enable_on_exec = sl->on_exec;
	fd = perf_open(a, sl->pid, sl->cpu, group);
	/* perf's fallback: where kernel counting is not allowed, count user
	 * space, unless the name chose for itself. */
	if ((fd == -EACCES || fd == -EPERM) && !explicit_mods) {
		a->exclude_kernel = 1;
		a->exclude_hv = 1;
		fd = perf_open(a, sl->pid, sl->cpu, group);
		if (fd < 0) {
			a->exclude_kernel = 0;
			a->exclude_hv = 0;
		}
	}
	if (fd >= 0) {
		e->fds[k] = fd;
		if (is_sampling(e)) {
			int err = sonde__pmu_sample_map(s, e, k);

			if (err < 0) {
				close(fd);
				e->fds[k] = -1;
				return err;
			}
		}
	}
	return fd;
}

/*
 * Open every event that can count on slot @k: leaders and lone events
 * first, then group members.  At creation (@probe) an event that fails
 * takes the error as its status and the others go on; on a live attach a
 * missing thread or a permission error fails the slot, others leave that
 * event out there.  When the session counts, the slot's counters start.
 */
static int open_slot(struct sonde_pmu_session *s, size_t k, int probe)
{
	int opened = 0, first = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->nr; i++) {
			struct sonde__pmu_event *e = &s->ev[i];
			int fd;

			if (e->status < 0 || (pass == 0) != (e->leader < 0))
				continue;
			fd = open_on(s, e, k);
			if (fd >= 0) {
				opened++;
				continue;
			}
			if (fd == -ESRCH || fd == -ENOMEM)
				return fd;
			if (!probe) {
				if (fd == -EACCES || fd == -EPERM)
					return fd;
				first = first ? first : fd;
				continue;
			}
			e->status = fd;
			sonde_pmu_strerror(fd, e->name, e->why, sizeof(e->why));
			/* Nothing else of it is open: a creation slot
			 * fails the event everywhere. */
			for (size_t c = 0; c < k; c++)
				if (e->fds[c] >= 0) {
					sonde__perfring_unmap(&e->rings[c]);
					close(e->fds[c]);
					e->fds[c] = -1;
				}
		}
	}
	/* A live target where nothing opens (a CPU that is not there) is an
	 * error, not a silent zero. */
	if (!probe && !opened && first)
		return first;
	if (!s->started)
		return 0;
	if (sonde__pmu_switched(s))
		return sonde__pmu_set_enable(s, s->active, k, 1);
	for (unsigned int set = 0; set < s->nr_sets; set++)
		sonde__pmu_set_enable(s, set, k, 1);
	return 0;
}

static int check_opts(const struct sonde_pmu_opts *o)
{
	if (!o->events || !o->nr_events || o->nr_events > SONDE__PMU_EVENTS_MAX)
		return -EINVAL;
	if (o->target != SONDE_PMU_THREAD && o->target != SONDE_PMU_CPU &&
	    o->target != SONDE_PMU_NONE)
		return -EINVAL;
	if (o->flags & ~(SONDE_PMU_INHERIT | SONDE_PMU_ENABLE_ON_EXEC |
			 SONDE_PMU_GROUP | SONDE_PMU_KERNEL_MULTIPLEX))
		return -EINVAL;
	if (o->target == SONDE_PMU_THREAD && o->pid < 0)
		return -EINVAL;
	for (size_t i = 0; i < o->nr_events; i++) {
		if (!o->events[i] || (o->sets && o->sets[i] >= SONDE__PMU_SETS_MAX))
			return -EINVAL;
		if (o->attrs && o->attrs[i] &&
		    o->attrs[i]->size < sizeof(struct sonde_pmu_event_attr))
			return -EINVAL;
	}
	return 0;
}

/* Sets, groups and sampling attributes, before anything is opened. */
static int prepare(struct sonde_pmu_session *s, const struct sonde_pmu_opts *o)
{
	uint64_t used = 0;

	for (size_t i = 0; i < s->nr; i++) {
		struct sonde__pmu_event *e = &s->ev[i];
		const struct sonde_pmu_event_attr *fa = o->attrs ? o->attrs[i] : NULL;

		e->set = o->sets ? o->sets[i] : 0;
		e->leader = -1;
		used |= 1ull << e->set;
		if (e->set + 1 > s->nr_sets)
			s->nr_sets = e->set + 1;
		s->sets[e->set].nr_events++;
		if (fa && fa->period)
			e->full = *fa;
	}
	if (used != (s->nr_sets == 64 ? ~0ull : (1ull << s->nr_sets) - 1))
		return -EINVAL; /* a set left empty */
	for (size_t i = 0; i < s->nr; i++) {
		struct sonde__pmu_event *e = &s->ev[i];
		uint64_t m = e->full.smpl_events;

		if (!e->full.period)
			continue;
		if ((s->flags & SONDE_PMU_GROUP) || (e->full.ring_pages &&
		    (e->full.ring_pages & (e->full.ring_pages - 1))) ||
		    (e->full.flags & ~SONDE_PMU_EV_NOTIFY))
			return -EINVAL;
		e->read_ev[e->nr_read++] = i;
		for (size_t j = 0; j < 64 && m; j++, m >>= 1) {
			if (!(m & 1))
				continue;
			if (j >= s->nr || j == i || s->ev[j].set != e->set ||
			    s->ev[j].full.period || s->ev[j].leader >= 0 ||
			    e->nr_read == SONDE_PMU_SAMPLE_VALUES)
				return -EINVAL;
			s->ev[j].leader = (int)i;
			e->read_ev[e->nr_read++] = j;
		}
		if (s->nr < 64 && (e->full.reset_events >> s->nr))
			return -EINVAL;
	}
	return 0;
}

/* The perf_event_attr of event @i beyond what its name gave. */
static void attr_of(struct sonde_pmu_session *s, size_t i)
{
	struct sonde__pmu_event *e = &s->ev[i];
	struct perf_event_attr *a = &e->attr;

	a->size = sizeof(*a);
	a->disabled = 1;
	a->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			 PERF_FORMAT_TOTAL_TIME_RUNNING;
	if (!e->full.period)
		return;
	a->sample_period = e->full.long_reset ? e->full.long_reset : e->full.period;
	/* No PERF_SAMPLE_PERIOD: with it Linux samples a software event at
	 * every event (perf_swevent_event()); a sample's period is the
	 * difference of the event's own count in two samples (sample.c). */
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			 PERF_SAMPLE_CPU | PERF_SAMPLE_READ;
	a->read_format |= PERF_FORMAT_GROUP;
	a->wakeup_events = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
}

/* A sampling group's members: the leader's clock (perf refuses a group
 * of two clocks). */
static void member_clock(struct sonde_pmu_session *s, size_t i)
{
	struct sonde__pmu_event *e = &s->ev[i];

	if (e->leader < 0 || !s->ev[e->leader].full.period)
		return;
	e->attr.use_clockid = 1;
	e->attr.clockid = CLOCK_MONOTONIC;
}

static int session_alloc(const struct sonde_pmu_opts *o,
			 struct sonde_pmu_session **out)
{
	struct sonde_pmu_session *s;

	s = calloc(1, sizeof(*s) + o->nr_events * sizeof(s->ev[0]));
	if (!s)
		return -ENOMEM;
	s->target = o->target;
	s->flags = o->flags;
	s->switch_ns = o->switch_ns ? o->switch_ns : SONDE__PMU_SWITCH_NS;
	s->switch_ovfl = o->switch_overflows;
	s->rnd = sonde__pmu_now() | 1;
	*out = s;
	return 0;
}

static int sync_init(struct sonde_pmu_session *s)
{
	pthread_condattr_t ca;
	int err;

	if (pthread_mutex_init(&s->lock, NULL))
		return -ENOMEM;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	err = pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (err) {
		pthread_mutex_destroy(&s->lock);
		return -ENOMEM;
	}
	return 0;
}

/* The creation's slots: the thread, every online CPU, or a probe slot on
 * the calling thread that is closed again (SONDE_PMU_NONE). */
static int first_slots(struct sonde_pmu_session *s,
		       const struct sonde_pmu_opts *o)
{
	struct sonde__pmu_slot sl = { .pid = o->pid, .cpu = -1,
				      .kind = SONDE_PMU_ATTACH_THREAD,
				      .id = o->pid };
	int *cpus = NULL, err = 0;
	size_t nr_cpus = 0;
	long k;

	if (o->target == SONDE_PMU_THREAD) {
		sl.inherit = !!(o->flags & SONDE_PMU_INHERIT);
		sl.on_exec = !!(o->flags & SONDE_PMU_ENABLE_ON_EXEC);
		k = slot_add(s, &sl);
		return k < 0 ? (int)k : open_slot(s, (size_t)k, 1);
	}
	if (o->target == SONDE_PMU_NONE) {
		sl.pid = 0;
		k = slot_add(s, &sl);
		if (k < 0)
			return (int)k;
		err = open_slot(s, (size_t)k, 1);
		slot_remove(s, (size_t)k);
		return err;
	}
	err = online_cpus(&cpus, &nr_cpus);
	for (size_t c = 0; err == 0 && c < nr_cpus; c++) {
		sl = (struct sonde__pmu_slot){ .pid = -1, .cpu = cpus[c],
					       .kind = SONDE_PMU_ATTACH_CPU,
					       .id = cpus[c] };
		k = slot_add(s, &sl);
		err = k < 0 ? (int)k : open_slot(s, (size_t)k, 1);
	}
	free(cpus);
	return err;
}

int sonde_pmu_session_create(const struct sonde_pmu_opts *opts,
			     struct sonde_pmu_session **out)
{
	struct sonde_pmu_opts o = { 0 };
	struct sonde_pmu_session *s = NULL;
	int err;

	if (!out || !opts || opts->size < offsetof(struct sonde_pmu_opts, sets))
		return -EINVAL;
	*out = NULL;
	memcpy(&o, opts, opts->size < sizeof(o) ? opts->size : sizeof(o));
	err = check_opts(&o);
	if (err < 0)
		return err;
	err = session_alloc(&o, &s);
	if (err < 0)
		return err;
	err = sync_init(s);
	if (err < 0) {
		free(s);
		return err;
	}
	for (size_t i = 0; i < o.nr_events; i++, s->nr++) {
		s->ev[i].name = strdup(o.events[i]);
		if (!s->ev[i].name) {
			s->nr++;
			err = -ENOMEM;
			goto fail;
		}
	}
	err = prepare(s, &o);
	if (err < 0)
		goto fail;
	for (size_t i = 0; i < s->nr; i++) {
		struct sonde__pmu_event *e = &s->ev[i];
		struct perf_event_attr parsed;

		e->status = sonde_pmu_event_parse(e->name, &parsed, e->why,
						  sizeof(e->why));
		e->attr = parsed;
		attr_of(s, i);
		member_clock(s, i);
	}
	/* The leader of each set of a SONDE_PMU_GROUP session: its first
	 * event that parsed (one that then fails to open leaves the others
	 * on their own). */
	for (size_t i = 0; (s->flags & SONDE_PMU_GROUP) && i < s->nr; i++) {
		for (size_t j = 0; s->ev[i].status == 0 && j < i; j++)
			if (s->ev[j].set == s->ev[i].set && s->ev[j].status == 0 &&
			    s->ev[j].leader < 0) {
				s->ev[i].leader = (int)j;
				break;
			}
	}
	err = first_slots(s, &o);
	if (err < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	sonde_pmu_session_destroy(s);
	return err;
}

void sonde_pmu_session_destroy(struct sonde_pmu_session *s)
{
	if (!s)
		return;
	if (s->started)
		sonde_pmu_stop(s);
	while (s->nr_slots)
		slot_remove(s, s->nr_slots - 1);
	for (size_t i = 0; i < s->nr; i++) {
		free(s->ev[i].fds);
		free(s->ev[i].rings);
		free(s->ev[i].last);
		free(s->ev[i].peek);
		free(s->ev[i].name);
	}
	free(s->slots);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

size_t sonde_pmu_event_count(const struct sonde_pmu_session *s)
{
	return s ? s->nr : 0;
}

const char *sonde_pmu_event_name(const struct sonde_pmu_session *s, size_t i)
{
	return s && i < s->nr ? s->ev[i].name : NULL;
}

int sonde_pmu_event_set(const struct sonde_pmu_session *s, size_t i)
{
	return s && i < s->nr ? (int)s->ev[i].set : -ERANGE;
}

int sonde_pmu_event_status(const struct sonde_pmu_session *s, size_t i,
			   char *why, size_t n)
{
	if (!s || i >= s->nr)
		return -ERANGE;
	if (why && n)
		snprintf(why, n, "%s", s->ev[i].status ? s->ev[i].why : "");
	return s->ev[i].status;
}

static long find_slot(const struct sonde_pmu_session *s, int kind, int id,
		      int pid)
{
	for (size_t k = 0; k < s->nr_slots; k++)
		if (s->slots[k].kind == kind && s->slots[k].id == id &&
		    (pid < 0 || s->slots[k].pid == pid))
			return (long)k;
	return -1;
}

/* One slot more, opened; -errno undoes it. */
static int attach_one(struct sonde_pmu_session *s,
		      const struct sonde__pmu_slot *sl)
{
	long k = slot_add(s, sl);
	int err;

	if (k < 0)
		return (int)k;
	err = open_slot(s, (size_t)k, 0);
	if (err < 0)
		slot_remove(s, (size_t)k);
	return err;
}

/* Every thread of @pid; again until a pass finds none new (a thread
 * created while we open is inherited from its creator only once that one
 * counts). */
static int attach_process(struct sonde_pmu_session *s, int pid)
{
	char path[64];
	int added = 1, any = 0, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	for (int pass = 0; added && pass < 16; pass++) {
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d)
			return any ? 0 : (errno == ENOENT ? -ESRCH : -errno);
		added = 0;
		while ((de = readdir(d))) {
			struct sonde__pmu_slot sl = {
				.cpu = -1, .kind = SONDE_PMU_ATTACH_PROCESS,
				.id = pid, .inherit = 1,
			};
			char *end;
			long tid = strtol(de->d_name, &end, 10);

			if (*end || tid <= 0 || tid > 0x3fffffff)
				continue;
			sl.pid = (int)tid;
			if (find_slot(s, SONDE_PMU_ATTACH_PROCESS, pid, sl.pid) >= 0)
				continue;
			err = attach_one(s, &sl);
			if (err == -ESRCH)
				continue; /* it exited meanwhile */
			if (err < 0)
				break;
			added = any = 1;
		}
		closedir(d);
		if (err < 0 && err != -ESRCH)
			break;
		err = 0;
	}
	if (err < 0) {
		long k;

		while ((k = find_slot(s, SONDE_PMU_ATTACH_PROCESS, pid, -1)) >= 0)
			slot_remove(s, (size_t)k);
		return err;
	}
	return any ? 0 : -ESRCH;
}

int sonde_pmu_attach(struct sonde_pmu_session *s, int kind, int id)
{
	struct sonde__pmu_slot sl = { .kind = kind, .id = id };
	int err;

	if (!s || id < 0 || kind < SONDE_PMU_ATTACH_THREAD ||
	    kind > SONDE_PMU_ATTACH_CPU)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (find_slot(s, kind, id, -1) >= 0) {
		err = -EEXIST;
	} else if (kind == SONDE_PMU_ATTACH_PROCESS) {
		err = attach_process(s, id);
	} else {
		sl.pid = kind == SONDE_PMU_ATTACH_THREAD ? id : -1;
		sl.cpu = kind == SONDE_PMU_ATTACH_CPU ? id : -1;
		sl.inherit = kind == SONDE_PMU_ATTACH_THREAD &&
			     (s->flags & SONDE_PMU_INHERIT);
		err = attach_one(s, &sl);
		if (err == -EINVAL && kind == SONDE_PMU_ATTACH_CPU)
			err = -ENODEV; /* no such CPU */
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

int sonde_pmu_detach(struct sonde_pmu_session *s, int kind, int id)
{
	int found = 0;
	long k;

	if (!s)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	while ((k = find_slot(s, kind, id, -1)) >= 0) {
		sonde__pmu_sample_drop(s, (size_t)k);
		for (size_t i = 0; i < s->nr; i++) {
			struct sonde__pmu_event *e = &s->ev[i];
			struct sonde_pmu_value v = { .size = sizeof(v) };

			if (e->status < 0 || e->fds[k] < 0 ||
			    sonde__pmu_read_slot(s, i, (size_t)k, &v) < 0)
				continue;
			e->acc_raw += v.raw;
			e->acc_enabled += v.enabled_ns;
			e->acc_running += v.running_ns;
			e->acc_scaled += v.scaled;
		}
		slot_remove(s, (size_t)k);
		found = 1;
	}
	pthread_mutex_unlock(&s->lock);
	return found ? 0 : -ENOENT;
}
