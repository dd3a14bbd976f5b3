// SPDX-License-Identifier: MIT
/*
 * Path building by the kernel's rules (Documentation/trace/coresight/
 * coresight.rst, "How to use the tracer modules"; the rules of
 * drivers/hwtracing/coresight, restated here and written anew):
 *
 * - A path is found by a depth-first search from the source over each
 *   device's output connections in port order; the first route that
 *   reaches the sink is the path, whatever its length.
 * - An output port that carries one source only (a "filter-source" port)
 *   is not followed for any other source.
 * - A per-CPU source and the per-CPU sink of the same CPU (ETM and TRBE)
 *   form a path of two, with no link between them.
 * - With no sink named, the default sink is searched from the source:
 *   only sinks that keep trace in a buffer qualify (never a TPIU); the
 *   best buffer type wins (per-CPU system memory, then system memory,
 *   then on-chip buffer); between two of the same type, the nearer; the
 *   search looks past a linksink (an ETF) for a better sink behind it,
 *   but stops at a plain sink.  The filters of ports play no part in
 *   this choice, as in the kernel.
 *
 * The graph is read from sysfs, so it may hold cycles on a hostile tree:
 * every walk is bounded by HW_PATH_MAX devices deep.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "path.h"

static int is_sink(const struct hw_dev *d)
{
	return d->kind == SONDE_HW_SINK || d->kind == SONDE_HW_LINKSINK;
}

/* Depth-first search from @cur to @sink; @route[0..depth) is the route so
 * far.  Returns the path length, or 0 when no route. */
static size_t dfs(const struct sonde_hw_topo *t, int src, int cur, int sink,
		  int *route, size_t depth)
{
	const struct hw_dev *d = &t->dev[cur];
	const struct hw_dev *s = &t->dev[src];

	if (depth >= HW_PATH_MAX)
		return 0;
	for (size_t i = 0; i < depth; i++)
		if (route[i] == cur)
			return 0; /* a cycle */
	route[depth] = cur;
	if (cur == sink)
		return depth + 1;
	if (cur == src && s->cpu >= 0 &&
	    t->dev[sink].sink_type == SONDE_HW_SINK_PERCPU &&
	    t->dev[sink].cpu == s->cpu) {
		route[depth + 1] = sink;
		return depth + 2;
	}
	for (unsigned int i = 0; i < d->nr_out; i++) {
		const struct hw_conn *c = &d->out[i];
		size_t n;

		if (c->filter >= 0 && c->filter != src)
			continue;
		n = dfs(t, src, c->peer, sink, route, depth + 1);
		if (n)
			return n;
	}
	return 0;
}

/* The best sink at or behind @cur: its index or -1, its depth in *@depth
 * (in: the depth of @cur's parent). */
static int find_sink(const struct sonde_hw_topo *t, int cur, int *depth,
		     int level)
{
	const struct hw_dev *d = &t->dev[cur];
	int here = *depth + 1, best = -1, best_depth = 0;

	if (level >= HW_PATH_MAX)
		return -1;
	if (is_sink(d) && d->sink_type >= SONDE_HW_SINK_BUFFER) {
		best = cur;
		best_depth = here;
		if (d->kind == SONDE_HW_SINK)
			goto out;
	}
	for (unsigned int i = 0; i < d->nr_out; i++) {
		int cd = here;
		int s = find_sink(t, d->out[i].peer, &cd, level + 1);

		if (s < 0)
			continue;
		if (best < 0 ||
		    t->dev[s].sink_type > t->dev[best].sink_type ||
		    (t->dev[s].sink_type == t->dev[best].sink_type &&
		     cd < best_depth)) {
			best = s;
			best_depth = cd;
		}
	}
out:
	if (best >= 0)
		*depth = best_depth;
	return best;
}

int sonde__hw_default_sink(const struct sonde_hw_topo *t, int src)
{
	int depth = 0;
	int best = find_sink(t, src, &depth, 0);

	/* A per-CPU sink of the source's CPU is found through no connection
	 * (the kernel keeps them in a per-CPU table): it beats any other. */
	for (size_t i = 0; t->dev[src].cpu >= 0 && i < t->nr; i++)
		if (t->dev[i].sink_type == SONDE_HW_SINK_PERCPU &&
		    t->dev[i].cpu == t->dev[src].cpu)
			return (int)i;
	return best;
}

int sonde__hw_route(const struct sonde_hw_topo *t, int src, int sink,
		    int *route, size_t *n)
{
	*n = dfs(t, src, src, sink, route, 0);
	return *n ? 0 : -ENOLINK;
}

static int any_conn(const struct sonde_hw_topo *t)
{
	for (size_t i = 0; i < t->nr; i++)
		if (t->dev[i].nr_out)
			return 1;
	return 0;
}

int sonde_hw_path_build(struct sonde_hw_topo *t, const char *source,
			const char *sink, struct sonde_hw_path **out)
{
	int route[HW_PATH_MAX + 1];
	struct sonde_hw_path *p;
	long s, k;
	size_t n;

	if (!t || !source || !out)
		return sonde__hw_fail(-EINVAL, "sonde_hw_path_build: bad arguments");
	*out = NULL;
	s = sonde_hw_device_find(t, source);
	if (s < 0)
		return (int)s;
	if (t->dev[s].kind != SONDE_HW_SOURCE)
		return sonde__hw_fail(-EINVAL, "%s is a %s, not a trace source",
				      source, sonde_hw_kind_name(t->dev[s].kind));
	if (sink) {
		k = sonde_hw_device_find(t, sink);
		if (k < 0)
			return (int)k;
		if (!is_sink(&t->dev[k]))
			return sonde__hw_fail(-EINVAL, "%s is a %s, not a sink",
					      sink, sonde_hw_kind_name(t->dev[k].kind));
	} else {
		pthread_mutex_lock(&t->lock);
		k = sonde__hw_default_sink(t, (int)s);
		pthread_mutex_unlock(&t->lock);
		if (k < 0)
			return sonde__hw_fail(-ENOLINK, "no sink with a buffer is reachable from %s",
					      source);
	}
	pthread_mutex_lock(&t->lock);
	sonde__hw_route(t, (int)s, (int)k, route, &n);
	pthread_mutex_unlock(&t->lock);
	if (!n)
		return sonde__hw_fail(-ENOLINK, "no route from %s to %s%s", source,
				      t->dev[k].name, any_conn(t) ? "" :
				      " (sysfs shows no connections: a kernel before 5.7?)");
	p = calloc(1, sizeof(*p));
	if (!p)
		return sonde__hw_fail(-ENOMEM, "out of memory");
	p->topo = t;
	p->n = n;
	memcpy(p->dev, route, n * sizeof(route[0]));
	pthread_mutex_lock(&t->lock);
	p->next = t->paths;
	t->paths = p;
	pthread_mutex_unlock(&t->lock);
	*out = p;
	sonde__hw_ok();
	return 0;
}

size_t sonde_hw_path_length(const struct sonde_hw_path *p)
{
	return p ? p->n : 0;
}

const char *sonde_hw_path_device(const struct sonde_hw_path *p, size_t i)
{
	return p && i < p->n ? p->topo->dev[p->dev[i]].name : NULL;
}

const char *sonde_hw_path_sink(const struct sonde_hw_path *p)
{
	return p ? p->topo->dev[p->dev[p->n - 1]].name : NULL;
}

void sonde__hw_path_unlink(struct sonde_hw_path *p)
{
	struct sonde_hw_path **pp;

	for (pp = &p->topo->paths; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
}

void sonde_hw_path_destroy(struct sonde_hw_path *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->topo->lock);
	sonde__hw_path_release(p);
	sonde__hw_path_unlink(p);
	pthread_mutex_unlock(&p->topo->lock);
	free(p);
}
