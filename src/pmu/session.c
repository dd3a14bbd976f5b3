// SPDX-License-Identifier: MIT
/*
 * A counting session (the perfmon v3 "session", counting mode): one perf
 * event per requested name and per CPU slot, each opened disabled with
 * read_format TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING so that reads can be
 * scaled when the kernel multiplexes.  Opening is the probe: an encoding
 * that parses can still fail here (a VM without a hardware PMU gives
 * ENOENT for cycles), so each event keeps its own status and sentence and
 * the others count on.  Start, stop and reset are ioctls on every open fd
 * (with SONDE_PMU_GROUP the first opened event leads the rest on its
 * CPU, so the kernel schedules them together).
 *
 * A thread session opens (pid, cpu -1); with SONDE_PMU_INHERIT it follows
 * the children the thread creates later; with SONDE_PMU_ENABLE_ON_EXEC the
 * counters start at its next execve() (the launch pattern of sonde stat).
 * A CPU session opens (-1, cpu) for each online CPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "session.h"

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

static int open_one(struct sonde_pmu_session *s, struct sonde__pmu_event *e,
		    const struct sonde__pmu_event *leader)
{
	struct perf_event_attr *a = &e->attr;
	int explicit_mods = a->exclude_user || a->exclude_kernel || a->exclude_hv;
	int fd = -EINVAL;

	a->size = sizeof(*a);
	a->disabled = 1;
	a->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			 PERF_FORMAT_TOTAL_TIME_RUNNING;
	a->inherit = s->target == SONDE_PMU_THREAD &&
		     (s->flags & SONDE_PMU_INHERIT) ? 1 : 0;
	a->enable_on_exec = s->target == SONDE_PMU_THREAD &&
			    (s->flags & SONDE_PMU_ENABLE_ON_EXEC) ? 1 : 0;
	for (size_t c = 0; c < s->nr_cpus; c++) {
		int group = leader ? leader->fds[c] : -1;

		fd = perf_open(a, s->pid, s->cpus[c], group);
		/* perf's fallback: where kernel counting is not allowed,
		 * count user space, unless the name chose for itself. */
		if ((fd == -EACCES || fd == -EPERM) && !explicit_mods) {
			a->exclude_kernel = 1;
			a->exclude_hv = 1;
			fd = perf_open(a, s->pid, s->cpus[c], group);
			if (fd < 0) {
				a->exclude_kernel = 0;
				a->exclude_hv = 0;
			}
		}
		if (fd < 0)
			break;
		e->fds[c] = fd;
	}
	if (fd >= 0)
		return 0;
	for (size_t c = 0; c < s->nr_cpus; c++) {
		if (e->fds[c] >= 0)
			close(e->fds[c]);
		e->fds[c] = -1;
	}
	e->status = fd;
	sonde_pmu_strerror(fd, e->name, e->why, sizeof(e->why));
	return fd;
}

static int check_opts(const struct sonde_pmu_opts *o)
{
	if (!o || o->size < sizeof(*o) || !o->events || !o->nr_events ||
	    o->nr_events > SONDE__PMU_EVENTS_MAX)
		return -EINVAL;
	if (o->target != SONDE_PMU_THREAD && o->target != SONDE_PMU_CPU)
		return -EINVAL;
	if (o->flags & ~(SONDE_PMU_INHERIT | SONDE_PMU_ENABLE_ON_EXEC |
			 SONDE_PMU_GROUP))
		return -EINVAL;
	if (o->target == SONDE_PMU_THREAD && o->pid < 0)
		return -EINVAL;
	for (size_t i = 0; i < o->nr_events; i++)
		if (!o->events[i])
			return -EINVAL;
	return 0;
}

static int session_alloc(const struct sonde_pmu_opts *o,
			 struct sonde_pmu_session **out)
{
	struct sonde_pmu_session *s;
	int err;

	s = calloc(1, sizeof(*s) + o->nr_events * sizeof(s->ev[0]));
	if (!s)
		return -ENOMEM;
	s->target = o->target;
	s->pid = o->target == SONDE_PMU_THREAD ? o->pid : -1;
	s->flags = o->flags;
	s->leader = -1;
	if (o->target == SONDE_PMU_CPU) {
		err = online_cpus(&s->cpus, &s->nr_cpus);
		if (err < 0) {
			free(s);
			return err;
		}
	} else {
		s->cpus = malloc(sizeof(*s->cpus));
		if (!s->cpus) {
			free(s);
			return -ENOMEM;
		}
		s->cpus[0] = -1;
		s->nr_cpus = 1;
	}
	*out = s;
	return 0;
}

int sonde_pmu_session_create(const struct sonde_pmu_opts *opts,
			     struct sonde_pmu_session **out)
{
	const struct sonde__pmu_event *leader = NULL;
	struct sonde_pmu_session *s = NULL;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	err = check_opts(opts);
	if (err < 0)
		return err;
	err = session_alloc(opts, &s);
	if (err < 0)
		return err;
	for (size_t i = 0; i < opts->nr_events; i++, s->nr++) {
		struct sonde__pmu_event *e = &s->ev[i];

		e->name = strdup(opts->events[i]);
		e->fds = malloc(s->nr_cpus * sizeof(*e->fds));
		if (!e->name || !e->fds) {
			s->nr++;
			err = -ENOMEM;
			goto fail;
		}
		for (size_t c = 0; c < s->nr_cpus; c++)
			e->fds[c] = -1;
		e->status = sonde_pmu_event_parse(e->name, &e->attr, e->why,
						  sizeof(e->why));
		if (e->status < 0)
			continue;
		err = open_one(s, e, leader);
		if (err == -ESRCH || err == -ENOMEM) {
			s->nr++;
			goto fail;
		}
		if (err == 0 && !leader && (s->flags & SONDE_PMU_GROUP)) {
			leader = e;
			s->leader = (int)i;
		}
	}
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
	/* Members before their leader, the reverse of opening. */
	for (size_t i = s->nr; i-- > 0;) {
		struct sonde__pmu_event *e = &s->ev[i];

		for (size_t c = 0; e->fds && c < s->nr_cpus; c++)
			if (e->fds[c] >= 0)
				close(e->fds[c]);
		free(e->fds);
		free(e->name);
	}
	free(s->cpus);
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

int sonde_pmu_event_status(const struct sonde_pmu_session *s, size_t i,
			   char *why, size_t n)
{
	if (!s || i >= s->nr)
		return -ERANGE;
	if (why && n)
		snprintf(why, n, "%s", s->ev[i].status ? s->ev[i].why : "");
	return s->ev[i].status;
}

/* @req on every open counter: on the leader with PERF_IOC_FLAG_GROUP for
 * a group, so that its members start and stop at the same instant (their
 * enabled times equal). */
static int control(struct sonde_pmu_session *s, unsigned long req)
{
	int first = 0;

	if (!s)
		return -EINVAL;
	if (s->leader >= 0) {
		for (size_t c = 0; c < s->nr_cpus; c++)
			if (ioctl(s->ev[s->leader].fds[c], req,
				  PERF_IOC_FLAG_GROUP) < 0 && !first)
				first = -errno;
		return first;
	}
	for (size_t i = 0; i < s->nr; i++)
		for (size_t c = 0; s->ev[i].status == 0 && c < s->nr_cpus; c++)
			if (ioctl(s->ev[i].fds[c], req, 0) < 0 && !first)
				first = -errno;
	return first;
}

int sonde_pmu_start(struct sonde_pmu_session *s)
{
	return control(s, PERF_EVENT_IOC_ENABLE);
}

int sonde_pmu_stop(struct sonde_pmu_session *s)
{
	return control(s, PERF_EVENT_IOC_DISABLE);
}

int sonde_pmu_reset(struct sonde_pmu_session *s)
{
	return control(s, PERF_EVENT_IOC_RESET);
}
