// SPDX-License-Identifier: MIT
/* Helpers shared by the trace-reading verbs (see read-util.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "read-util.h"
#include "symbols.h"

struct sonde__reader *ru_open(const char *dir)
{
	struct sonde__reader *r;

	if (sonde__reader_open(dir, &r) < 0) {
		cli_error("%s", sonde__reader_error(r));
		sonde__reader_close(r);
		return NULL;
	}
	return r;
}

/* digits[.frac] -> seconds and nanoseconds; end of the number in *end */
static int parse_secs(const char *s, uint64_t *sec, uint64_t *ns,
		      const char **end)
{
	uint64_t v = 0, f = 0;
	int nd = 0, nf = 0;

	for (; *s >= '0' && *s <= '9'; s++, nd++) {
		if (v > (UINT64_MAX - 9) / 10 || nd > 12)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		s++;
		for (; *s >= '0' && *s <= '9'; s++, nf++)
			if (nf < 9)
				f = f * 10 + (uint64_t)(*s - '0');
		if (!nf && !nd)
			return -EINVAL;
	}
	if (!nd && !nf)
		return -EINVAL;
	for (int i = nf; i < 9; i++)
		f *= 10;
	*sec = v;
	*ns = f;
	*end = s;
	return 0;
}

int ru_parse_time(const char *s, int64_t first_ns, int gmt, int64_t *out)
{
	uint64_t sec, ns;
	const char *e;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '+') {
		if (parse_secs(s + 1, &sec, &ns, &e) || *e)
			return -EINVAL;
		*out = first_ns + (int64_t)sec * 1000000000 + (int64_t)ns;
		return 0;
	}
	if (strchr(s, ':')) {
		unsigned h, m;
		char *q;
		time_t t = (time_t)(first_ns / 1000000000);
		struct tm tm;

		h = (unsigned)strtoul(s, &q, 10);
		if (q == s || *q != ':' || h > 23)
			return -EINVAL;
		s = q + 1;
		m = (unsigned)strtoul(s, &q, 10);
		if (q == s || *q != ':' || m > 59)
			return -EINVAL;
		if (parse_secs(q + 1, &sec, &ns, &e) || *e || sec > 60)
			return -EINVAL;
		if (!(gmt ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)))
			return -EINVAL;
		tm.tm_hour = (int)h;
		tm.tm_min = (int)m;
		tm.tm_sec = (int)sec;
		tm.tm_isdst = -1;
		t = gmt ? timegm(&tm) : mktime(&tm);
		*out = (int64_t)t * 1000000000 + (int64_t)ns;
		return 0;
	}
	if (parse_secs(s, &sec, &ns, &e) || *e)
		return -EINVAL;
	*out = (int64_t)sec * 1000000000 + (int64_t)ns;
	return 0;
}

int ru_match(const char *pat, const char *name)
{
	return !fnmatch(pat, name, 0);
}

int ru_split_role(const char *name, size_t *base)
{
	static const char *const sfx[] = { "_begin", "_end", "_entry", "_exit" };
	size_t n = strlen(name);

	for (int i = 0; i < 4; i++) {
		size_t l = strlen(sfx[i]);

		if (n > l && !strcmp(name + n - l, sfx[i])) {
			*base = n - l;
			return i;
		}
	}
	return -1;
}

void ru_pairs(const struct sonde__rd_meta *m, unsigned char *role,
	      uint32_t *partner)
{
	memset(role, 0, m->nr_classes);
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		const char *bn = m->all[i]->name;
		size_t bl, el;
		int br = ru_split_role(bn, &bl);

		if (br != 0 && br != 2)
			continue;
		for (uint32_t j = 0; j < m->nr_classes; j++) {
			const char *en = m->all[j]->name;

			/* a pair lives in one stream class */
			if (ru_split_role(en, &el) != br + 1 || el != bl ||
			    strncmp(bn, en, bl) ||
			    m->all[j]->stream_id != m->all[i]->stream_id)
				continue;
			role[i] = 1;
			role[j] = 2;
			partner[i] = j;
			partner[j] = i;
			break;
		}
	}
}

struct ru_slot *ru_slot_get(struct ru_slots *m, uint32_t thr, uint32_t pair)
{
	size_t h, i;

	if ((m->used + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 256;
		struct ru_slot *ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			return NULL;
		for (i = 0; i < m->cap; i++) {
			struct ru_slot *o = &m->s[i];

			if (!o->used)
				continue;
			h = (o->thr * 2654435761u ^ o->pair * 40503u) & (ncap - 1);
			while (ns[h].used)
				h = (h + 1) & (ncap - 1);
			ns[h] = *o;
		}
		free(m->s);
		m->s = ns;
		m->cap = ncap;
	}
	h = (thr * 2654435761u ^ pair * 40503u) & (m->cap - 1);
	while (m->s[h].used && (m->s[h].thr != thr || m->s[h].pair != pair))
		h = (h + 1) & (m->cap - 1);
	if (!m->s[h].used) {
		m->s[h].used = 1;
		m->s[h].thr = thr;
		m->s[h].pair = pair;
		m->used++;
	}
	return &m->s[h];
}

void ru_slots_reset(struct ru_slots *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->s[i].st);
		m->s[i].st = NULL;
		m->s[i].n = m->s[i].cap = 0;
	}
}

void ru_slots_free(struct ru_slots *m)
{
	ru_slots_reset(m);
	free(m->s);
	m->s = NULL;
	m->cap = m->used = 0;
}

int ru_slot_push(struct ru_slot *sl, int64_t ns, uint32_t depth)
{
	if (ru_grow(&sl->st, &sl->cap, sl->n, sizeof(*sl->st), 4))
		return -ENOMEM;
	sl->st[sl->n].ns = ns;
	sl->st[sl->n].depth = depth;
	sl->st[sl->n].tag = 0;
	sl->n++;
	return 0;
}

int ru_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t ru_percentile(const int64_t *v, size_t n, unsigned q)
{
	size_t k;

	if (!n)
		return 0;
	k = (n * q + 99) / 100;
	if (k < 1)
		k = 1;
	return v[k - 1];
}

int ru_grow(void *arrp, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t nc;
	void *a, *na;

	if (n < *cap)
		return 0;
	/* The array pointer is copied, not read as void *: its type is the
	 * caller's element pointer. */
	memcpy(&a, arrp, sizeof(a));
	nc = *cap ? *cap * 2 : first;
	na = realloc(a, nc * elem);
	if (!na)
		return -ENOMEM;
	memcpy(arrp, &na, sizeof(na));
	*cap = nc;
	return 0;
}

int ru_counters_reading(struct ru_counters *c, const struct sonde__rd_event *ev)
{
	const char *name = ru_field_str(ev, "name");
	int32_t tid = (int32_t)ru_field_u64(ev, "tid", NULL);
	struct ru_cseries *x = NULL;
	uint32_t k;

	if (!name)
		return 0;
	for (k = 0; k < c->nnames && strcmp(c->name[k], name); k++)
		;
	if (k == c->nnames) {
		if (k == RU_MAX_CNAMES)
			return 0;
		c->name[k] = strdup(name);
		if (!c->name[k])
			return -ENOMEM;
		c->nnames++;
	}
	for (size_t i = c->n; i--;)
		if (c->s[i].tid == tid && c->s[i].name == k) {
			x = &c->s[i];
			break;
		}
	if (!x) {
		if (ru_grow(&c->s, &c->cap, c->n, sizeof(*c->s), 16))
			return -ENOMEM;
		x = &c->s[c->n++];
		memset(x, 0, sizeof(*x));
		x->pid = (int32_t)ru_field_u64(ev, "pid", NULL);
		x->tid = tid;
		x->name = k;
	}
	if (ru_grow(&x->r, &x->cap, x->n, sizeof(*x->r), 64))
		return -ENOMEM;
	x->r[x->n].ns = ev->ns;
	x->r[x->n++].v = ru_field_u64(ev, "value", NULL);
	return 0;
}

int ru_counters_span(struct ru_counters *c, uint32_t pair, int32_t tid,
		     int64_t b, int64_t e)
{
	if (ru_grow(&c->sp, &c->csp, c->nsp, sizeof(*c->sp), 64))
		return -ENOMEM;
	c->sp[c->nsp++] = (struct ru_cspan){ pair, tid, b, e };
	return 0;
}

/* The value of series @x at @t: interpolated between the readings around
 * it, or the first or last reading. */
static double value_at(const struct ru_cseries *x, int64_t t)
{
	size_t lo = 0, hi = x->n;
	const struct ru_creading *a, *b;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->r[mid].ns < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return (double)x->r[0].v;
	if (lo == x->n)
		return (double)x->r[x->n - 1].v;
	a = &x->r[lo - 1];
	b = &x->r[lo];
	if (b->ns == a->ns)
		return (double)b->v;
	return (double)a->v + ((double)b->v - (double)a->v) *
				      (double)(t - a->ns) / (double)(b->ns - a->ns);
}

void ru_counters_deltas(const struct ru_counters *c, uint32_t pair,
			uint32_t k, struct ru_delta *d)
{
	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < c->nsp; i++) {
		const struct ru_cspan *sp = &c->sp[i];
		const struct ru_cseries *x = NULL;
		double v;

		if (sp->pair != pair)
			continue;
		for (size_t j = 0; j < c->n && !x; j++)
			if (c->s[j].tid == sp->tid && c->s[j].name == k)
				x = &c->s[j];
		if (!x)
			continue;
		v = value_at(x, sp->e) - value_at(x, sp->b);
		if (!d->n || v < d->min)
			d->min = v;
		if (!d->n || v > d->max)
			d->max = v;
		d->sum += v;
		d->n++;
	}
}

void ru_counters_free(struct ru_counters *c)
{
	for (uint32_t i = 0; i < c->nnames; i++)
		free(c->name[i]);
	for (size_t i = 0; i < c->n; i++)
		free(c->s[i].r);
	free(c->s);
	free(c->sp);
	memset(c, 0, sizeof(*c));
}
