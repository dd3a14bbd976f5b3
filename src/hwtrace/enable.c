// SPDX-License-Identifier: MIT
/*
 * Enabling and disabling paths, starting and stopping sources: the sysfs
 * backend, and the reference counts both modes share.
 *
 * The kernel's sysfs interface gives user space two switches: a sink's
 * enable_sink "activates" it, and a source's enable_source makes the
 * kernel build the path to the activated sink, enable it sink first and
 * then the source.  Helpers (CTIs) have their own enable file.  What the
 * kernel does not give, this file keeps per topology handle: how many
 * paths hold each device and in which mode, so that a sink shared by two
 * paths stays activated until the last one lets go, an ETF is not used as
 * a sink by one path and as a link by another, and a sysfs path and a
 * perf session never share a device (-EBUSY, as the kernel answers).
 *
 * Order (the kernel's): enabling walks from the sink back to the source,
 * a device's helpers before the device; disabling walks from the source
 * to the sink.  Every step of an enable is recorded, and undone newest
 * first when a later step fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "path.h"

enum step_kind { STEP_HELPER, STEP_SINK, STEP_LINK };

struct step {
	int dev;
	enum step_kind kind;
};

static const char *mode_name(int mode)
{
	return mode == SONDE_HW_MODE_PERF ? "perf" : "sysfs";
}

/* Whether @dev's @attr reads as 1 (a missing file reads as 0). */
static int attr_on(const struct sonde_hw_topo *t, const char *dev,
		   const char *attr)
{
	uint64_t v = 0;

	return sonde__hw_attr_u64(t, dev, attr, &v) == 0 && v != 0;
}

static int take(struct sonde_hw_topo *t, int i, enum step_kind kind, int mode)
{
	struct hw_dev *d = &t->dev[i];
	const char *attr = kind == STEP_HELPER ? "enable" : "enable_sink";
	int r;

	if (d->refcnt && d->mode != mode)
		return sonde__hw_fail(-EBUSY, "%s is in use in %s mode; a path in %s mode cannot share it",
				      d->name, mode_name(d->mode), mode_name(mode));
	if (d->refcnt && d->kind == SONDE_HW_LINKSINK &&
	    d->as_sink != (kind == STEP_SINK))
		return sonde__hw_fail(-EBUSY, "%s is in use as a %s; it cannot be a %s at the same time",
				      d->name, d->as_sink ? "sink" : "link",
				      d->as_sink ? "link" : "sink");
	if (!d->refcnt && kind != STEP_LINK) {
		int on = attr_on(t, d->name, attr);

		if (kind == STEP_SINK && on && mode == SONDE_HW_MODE_PERF)
			return sonde__hw_fail(-EBUSY, "%s is activated through sysfs; perf cannot use it until enable_sink is 0",
					      d->name);
		d->was_on = on;
		if (mode == SONDE_HW_MODE_SYSFS && !on) {
			r = sonde__hw_attr_write(t, d->name, attr, "1");
			if (r < 0)
				return sonde__hw_fail(r, "cannot enable %s: writing %s/%s: %s",
						      d->name, d->name, attr, strerror(-r));
		}
	}
	if (!d->refcnt) {
		d->mode = mode;
		d->as_sink = kind == STEP_SINK;
	}
	d->refcnt++;
	return 0;
}

static int put(struct sonde_hw_topo *t, int i, enum step_kind kind)
{
	struct hw_dev *d = &t->dev[i];
	const char *attr = kind == STEP_HELPER ? "enable" : "enable_sink";
	int r = 0;

	if (!d->refcnt)
		return 0;
	if (--d->refcnt)
		return 0;
	if (kind != STEP_LINK && d->mode == SONDE_HW_MODE_SYSFS && !d->was_on) {
		r = sonde__hw_attr_write(t, d->name, attr, "0");
		if (r < 0)
			sonde__hw_fail(r, "cannot disable %s: writing %s/%s: %s", d->name,
				       d->name, attr, strerror(-r));
	}
	d->mode = 0;
	d->was_on = 0;
	return r;
}

/* The steps of enabling @p, in order: from the sink back to the source,
 * each device's helpers before it.  A helper shared by two devices of the
 * path is taken once. */
static size_t plan(const struct sonde_hw_path *p, struct step *s)
{
	const struct sonde_hw_topo *t = p->topo;
	size_t n = 0;

	for (size_t k = p->n; k-- > 0;) {
		const struct hw_dev *d = &t->dev[p->dev[k]];

		for (unsigned int h = 0; h < d->nr_helpers; h++) {
			int dup = 0;

			for (size_t j = 0; j < n; j++)
				dup |= s[j].kind == STEP_HELPER && s[j].dev == d->helpers[h];
			if (!dup)
				s[n++] = (struct step){ d->helpers[h], STEP_HELPER };
		}
		if (k == p->n - 1)
			s[n++] = (struct step){ p->dev[k], STEP_SINK };
		else if (k > 0)
			s[n++] = (struct step){ p->dev[k], STEP_LINK };
	}
	return n;
}

#define MAX_STEPS (HW_PATH_MAX * (HW_CONN_MAX + 1) + 1)

int sonde_hw_path_enable(struct sonde_hw_path *p, enum sonde_hw_mode mode)
{
	struct sonde_hw_topo *t;
	struct step *s;
	size_t n, done;
	int r = 0;

	if (!p || (mode != SONDE_HW_MODE_SYSFS && mode != SONDE_HW_MODE_PERF))
		return sonde__hw_fail(-EINVAL, "sonde_hw_path_enable: bad arguments");
	t = p->topo;
	s = malloc(MAX_STEPS * sizeof(*s));
	if (!s)
		return sonde__hw_fail(-ENOMEM, "out of memory");
	pthread_mutex_lock(&t->lock);
	if (p->mode) {
		r = sonde__hw_fail(-EALREADY, "the path from %s is enabled already",
				   t->dev[p->dev[0]].name);
		goto out;
	}
	n = plan(p, s);
	for (done = 0; done < n; done++) {
		r = take(t, s[done].dev, s[done].kind, (int)mode);
		if (r < 0)
			break;
	}
	if (r < 0) {
		/* Roll back, newest first; the first error's sentence stays. */
		char keep[512];

		snprintf(keep, sizeof(keep), "%s", sonde_hw_error_message());
		while (done-- > 0)
			put(t, s[done].dev, s[done].kind);
		sonde__hw_fail(r, "%s", keep);
		goto out;
	}
	p->mode = (int)mode;
	sonde__hw_ok();
out:
	pthread_mutex_unlock(&t->lock);
	free(s);
	return r;
}

/* Disable, lock held: from the source to the sink, helpers after their
 * device; every count dropped, the first error returned. */
static int disable_locked(struct sonde_hw_path *p)
{
	struct sonde_hw_topo *t = p->topo;
	struct step *s = malloc(MAX_STEPS * sizeof(*s));
	size_t n;
	int r = 0;

	if (!s)
		return sonde__hw_fail(-ENOMEM, "out of memory");
	n = plan(p, s);
	while (n-- > 0) {
		int e = put(t, s[n].dev, s[n].kind);

		if (e < 0 && !r)
			r = e;
	}
	free(s);
	p->mode = 0;
	return r;
}

int sonde_hw_path_disable(struct sonde_hw_path *p)
{
	int r;

	if (!p)
		return sonde__hw_fail(-EINVAL, "sonde_hw_path_disable: bad arguments");
	pthread_mutex_lock(&p->topo->lock);
	if (!p->mode)
		r = sonde__hw_fail(-EINVAL, "the path is not enabled");
	else if (p->started)
		r = sonde__hw_fail(-EBUSY, "the path's source is started; stop it first");
	else
		r = disable_locked(p);
	if (!r)
		sonde__hw_ok();
	pthread_mutex_unlock(&p->topo->lock);
	return r;
}

/* The first activated sink a search from @cur finds, in the kernel's
 * order (depth first, output ports in order); -1 if none. */
static int first_activated(const struct sonde_hw_topo *t, int cur, int level)
{
	const struct hw_dev *d = &t->dev[cur];

	if (level > HW_PATH_MAX)
		return -1;
	if ((d->kind == SONDE_HW_SINK || d->kind == SONDE_HW_LINKSINK) &&
	    attr_on(t, d->name, "enable_sink"))
		return cur;
	for (unsigned int i = 0; i < d->nr_out; i++) {
		int s = first_activated(t, d->out[i].peer, level + 1);

		if (s >= 0)
			return s;
	}
	return -1;
}

static int start_locked(struct sonde_hw_path *p)
{
	struct sonde_hw_topo *t = p->topo;
	struct hw_dev *src = &t->dev[p->dev[0]];
	int sink = p->dev[p->n - 1], first, r;

	if (!p->mode)
		return sonde__hw_fail(-EINVAL, "enable the path before starting %s", src->name);
	if (p->started)
		return sonde__hw_fail(-EALREADY, "%s is started already by this path", src->name);
	if (src->refcnt) {
		if (src->mode != p->mode)
			return sonde__hw_fail(-EBUSY, "%s is started in %s mode", src->name,
					      mode_name(src->mode));
		if (src->active_sink != sink)
			return sonde__hw_fail(-EBUSY, "%s already traces into %s; it cannot trace into %s too",
					      src->name, t->dev[src->active_sink].name,
					      t->dev[sink].name);
		goto counted;
	}
	if (p->mode == SONDE_HW_MODE_SYSFS) {
		if (attr_on(t, src->name, "enable_source"))
			return sonde__hw_fail(-EBUSY, "%s is enabled already (someone else wrote its enable_source)",
					      src->name);
		first = src->cpu >= 0 && t->dev[sink].sink_type == SONDE_HW_SINK_PERCPU
				? sink : first_activated(t, p->dev[0], 0);
		if (first != sink)
			return sonde__hw_fail(-EBUSY, "%s is activated too and comes first from %s: the kernel would send the trace there, not to %s",
					      first >= 0 ? t->dev[first].name : "no sink",
					      src->name, t->dev[sink].name);
		r = sonde__hw_attr_write(t, src->name, "enable_source", "1");
		if (r < 0)
			return sonde__hw_fail(r, "cannot start %s: writing %s/enable_source: %s",
					      src->name, src->name, strerror(-r));
	}
	src->mode = p->mode;
	src->active_sink = sink;
counted:
	src->refcnt++;
	p->started = 1;
	return 0;
}

int sonde_hw_path_start(struct sonde_hw_path *p)
{
	int r;

	if (!p)
		return sonde__hw_fail(-EINVAL, "sonde_hw_path_start: bad arguments");
	pthread_mutex_lock(&p->topo->lock);
	r = start_locked(p);
	if (!r)
		sonde__hw_ok();
	pthread_mutex_unlock(&p->topo->lock);
	return r;
}

static int stop_locked(struct sonde_hw_path *p)
{
	struct sonde_hw_topo *t = p->topo;
	struct hw_dev *src = &t->dev[p->dev[0]];
	int r = 0;

	if (!p->started)
		return sonde__hw_fail(-EINVAL, "%s is not started by this path", src->name);
	p->started = 0;
	if (--src->refcnt)
		return 0;
	if (src->mode == SONDE_HW_MODE_SYSFS) {
		r = sonde__hw_attr_write(t, src->name, "enable_source", "0");
		if (r < 0)
			sonde__hw_fail(r, "cannot stop %s: writing %s/enable_source: %s",
				       src->name, src->name, strerror(-r));
	}
	src->mode = 0;
	src->active_sink = -1;
	return r;
}

int sonde_hw_path_stop(struct sonde_hw_path *p)
{
	int r;

	if (!p)
		return sonde__hw_fail(-EINVAL, "sonde_hw_path_stop: bad arguments");
	pthread_mutex_lock(&p->topo->lock);
	r = stop_locked(p);
	if (!r)
		sonde__hw_ok();
	pthread_mutex_unlock(&p->topo->lock);
	return r;
}

void sonde__hw_path_release(struct sonde_hw_path *p)
{
	if (p->started)
		stop_locked(p);
	if (p->mode)
		disable_locked(p);
}
