// SPDX-License-Identifier: MIT
/*
 * sonde stats --by and --top (stats-group.h).
 *
 * Groups.  A group is an owner (a pair, or an event class for the event
 * counts) and the bytes of the --by fields in the begin event (the event
 * itself for counts): for each field, its size and bytes, the bytes of a
 * sequence preceded by its length field, so that the reader's formatter
 * prints the value from the key alone.  Groups live in one array, found
 * through an open-addressing table of their hash (FNV-1a); their key bytes
 * in one arena.  A pair's group is found at its begin and carried to its
 * end in the tag that cmd-stats.c keeps on its per-thread stack.
 *
 * Percentiles are exact: each group keeps every duration (8 bytes per
 * slice, as plain stats does per pair), sorted at the end; pN is the
 * nearest rank, the value at rank ceil(n * N / 100) (ru_percentile()).
 *
 * Longest slices.  A min-heap of at most N slices, the shortest at the
 * root (ties: the later begin, then the higher tid, goes first), so memory
 * is bounded by N whatever the trace.  A slice keeps pointers to its begin
 * and end payloads: the reader maps the stream files for its whole life,
 * and a begin's pointer waits in a pool entry named by its tag.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "field-value.h"
#include "stats-group.h"

/* Owner bit of an event-class group (a pair's owner is its index). */
#define SG_CLASS 0x80000000u
/* No group, no pool entry. */
#define SG_NONE UINT32_MAX

struct sg_cls {
	int has;                   /* the class has every --by field */
	uint32_t fidx[SG_MAX_BY];  /* their indexes */
};

struct sg_grp {
	uint32_t owner;
	uint32_t klen;
	size_t koff;
	uint64_t hash;
	uint64_t count;
	int64_t total;
	int64_t *dur;
	size_t n, cap;
};

/* A begin waiting for its end (--top). */
struct sg_open {
	const uint8_t *p;
	uint32_t gid;
	uint32_t next_free;
};

struct sg {
	const struct sonde__rd_meta *m;
	const struct sg_pair *pairs;
	uint32_t nps;
	uint32_t only;             /* the --pair, or SG_NONE */
	/* --by */
	char *by[SG_MAX_BY];
	uint32_t nby;
	struct sg_cls *cls;
	uint8_t *kb;               /* the key being built */
	size_t kblen, kbcap;
	const uint8_t *kb_for;     /* the payload kb was built from */
	struct sg_grp *g;
	size_t ng, gcap;
	uint32_t *slot;            /* gid + 1, 0 empty */
	size_t nslot;
	uint8_t *keys;
	size_t klen, kcap;
	size_t *order;             /* groups by total time */
	size_t npg;                /* pair groups with slices: order[0..npg) */
	/* --top */
	unsigned long ntop;
	struct sg_top *top;
	size_t nt;
	struct sg_open *open;
	size_t nopen, copen;
	uint32_t free_open;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

int sg_new(const struct sonde__rd_meta *m, const struct sg_pair *pairs,
	   uint32_t nps, const char *by, unsigned long top, const char *pair,
	   struct sg **out)
{
	struct sg *g = calloc(1, sizeof(*g));
	const char *s;

	*out = NULL;
	if (!g)
		return -ENOMEM;
	g->m = m;
	g->pairs = pairs;
	g->nps = nps;
	g->only = SG_NONE;
	g->ntop = top;
	g->free_open = SG_NONE;
	*out = g;
	if (pair) {
		for (uint32_t i = 0; i < nps; i++)
			if (!strcmp(pairs[i].name, pair))
				g->only = i;
		if (g->only == SG_NONE)
			return cli_error("stats: no begin/end pair named '%s' in the trace (sonde stats lists them)",
					 pair);
	}
	if (top && !nps)
		return cli_error("stats: --top: the trace has no begin/end pairs");
	if (!by)
		return 0;
	for (s = by;;) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (!n)
			return cli_error("--by: an empty field name in '%s'", by);
		if (g->nby == SG_MAX_BY)
			return cli_error("--by: at most %d fields", SG_MAX_BY);
		g->by[g->nby] = strndup(s, n);
		if (!g->by[g->nby])
			return -ENOMEM;
		g->nby++;
		if (!e)
			break;
		s = e + 1;
	}
	g->cls = calloc(m->nr_classes + 1, sizeof(*g->cls));
	if (!g->cls)
		return -ENOMEM;
	for (uint32_t j = 0; j < g->nby; j++) {
		int found = 0;

		for (uint32_t i = 0; i < m->nr_classes; i++)
			found |= fv_index(m->all[i], g->by[j], strlen(g->by[j])) >= 0;
		if (!found)
			return cli_error("--by: no event of the trace has a field named '%s' (sonde view shows the fields)",
					 g->by[j]);
	}
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		struct sg_cls *c = &g->cls[i];

		c->has = 1;
		for (uint32_t j = 0; j < g->nby && c->has; j++) {
			int k = fv_index(m->all[i], g->by[j], strlen(g->by[j]));

			c->has = k >= 0;
			c->fidx[j] = (uint32_t)k;
		}
	}
	return 0;
}

/* Room for @n more bytes at *@b (*@len used of *@cap).  0 or -ENOMEM. */
static int bytes_room(uint8_t **b, size_t *len, size_t *cap, size_t n)
{
	size_t nc = *cap ? *cap : 256;
	uint8_t *p;

	if (*cap - *len >= n)
		return 0;
	while (nc - *len < n)
		nc *= 2;
	p = realloc(*b, nc);
	if (!p)
		return -ENOMEM;
	*b = p;
	*cap = nc;
	return 0;
}

static int key_put(struct sg *g, const void *p, size_t n)
{
	if (bytes_room(&g->kb, &g->kblen, &g->kbcap, n))
		return -ENOMEM;
	memcpy(g->kb + g->kblen, p, n);
	g->kblen += n;
	return 0;
}

/*
 * The key of @ev's --by fields in g->kb: per field, u32 bytes before the
 * value (a sequence's length field), u32 value bytes, then those bytes.
 * 0, -ENOENT when the payload does not hold a field, or -ENOMEM.
 */
static int key_build(struct sg *g, const struct sonde__rd_event *ev)
{
	const struct sonde__rd_class *c = ev->cls;
	const struct sg_cls *sc = &g->cls[c->index];

	if (g->kb_for == ev->payload && g->kb_for)
		return 0;
	g->kb_for = NULL;
	g->kblen = 0;
	for (uint32_t j = 0; j < g->nby; j++) {
		uint32_t i = sc->fidx[j], hd[2];
		size_t off, size, pre = 0;

		if (fv_locate(c, i, ev->payload, ev->len, &off, &size))
			return -ENOENT;
		if (c->fields[i].kind == SONDE_RD_SEQUENCE && i)
			pre = c->fields[i - 1].size;
		if (pre > off)
			return -ENOENT;
		hd[0] = (uint32_t)pre;
		hd[1] = (uint32_t)size;
		if (key_put(g, hd, sizeof(hd)) ||
		    key_put(g, ev->payload + off - pre, pre + size))
			return -ENOMEM;
	}
	g->kb_for = ev->payload;
	return 0;
}

static int slots_grow(struct sg *g)
{
	size_t n = g->nslot ? g->nslot * 2 : 1024;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < g->ng; i++) {
		size_t h = g->g[i].hash & (n - 1);

		while (s[h])
			h = (h + 1) & (n - 1);
		s[h] = (uint32_t)i + 1;
	}
	free(g->slot);
	g->slot = s;
	g->nslot = n;
	return 0;
}

/* The group of (@owner, g->kb), created when new; *@gid.  0 or -ENOMEM. */
static int group_get(struct sg *g, uint32_t owner, uint32_t *gid)
{
	uint64_t h = fnv(fnv(0xcbf29ce484222325ull, &owner, sizeof(owner)),
			 g->kb, g->kblen);
	struct sg_grp *n;
	size_t s;

	if ((g->ng + 1) * 2 > g->nslot && slots_grow(g))
		return -ENOMEM;
	for (s = h & (g->nslot - 1); g->slot[s]; s = (s + 1) & (g->nslot - 1)) {
		const struct sg_grp *o = &g->g[g->slot[s] - 1];

		if (o->hash == h && o->owner == owner && o->klen == g->kblen &&
		    !memcmp(g->keys + o->koff, g->kb, g->kblen)) {
			*gid = g->slot[s] - 1;
			return 0;
		}
	}
	if (g->ng >= SG_NONE - 1 ||
	    ru_grow(&g->g, &g->gcap, g->ng, sizeof(*g->g), 64) ||
	    bytes_room(&g->keys, &g->klen, &g->kcap, g->kblen))
		return -ENOMEM;
	n = &g->g[g->ng];
	memset(n, 0, sizeof(*n));
	n->owner = owner;
	n->hash = h;
	n->klen = (uint32_t)g->kblen;
	n->koff = g->klen;
	memcpy(g->keys + g->klen, g->kb, g->kblen);
	g->klen += g->kblen;
	g->slot[s] = (uint32_t)g->ng + 1;
	*gid = (uint32_t)g->ng++;
	return 0;
}

int sg_event(struct sg *g, const struct sonde__rd_event *ev)
{
	uint32_t gid;
	int r;

	if (!g->nby || !g->cls[ev->cls->index].has)
		return 0;
	r = key_build(g, ev);
	if (r)
		return r == -ENOENT ? 0 : r;
	if (group_get(g, SG_CLASS | ev->cls->index, &gid))
		return -ENOMEM;
	g->g[gid].count++;
	return 0;
}

int sg_begin(struct sg *g, const struct sonde__rd_event *ev, uint32_t pair,
	     uint32_t *tag)
{
	uint32_t gid = SG_NONE;
	struct sg_open *o;
	int r;

	*tag = SG_NONE;
	if (g->only != SG_NONE && pair != g->only)
		return 0;
	if (g->nby && g->cls[ev->cls->index].has) {
		r = key_build(g, ev);
		if (r && r != -ENOENT)
			return r;
		if (!r && group_get(g, pair, &gid))
			return -ENOMEM;
	}
	if (!g->ntop) {
		*tag = gid;
		return 0;
	}
	if (g->free_open != SG_NONE) {
		*tag = g->free_open;
		g->free_open = g->open[*tag].next_free;
	} else {
		if (g->nopen >= SG_NONE - 1 ||
		    ru_grow(&g->open, &g->copen, g->nopen, sizeof(*g->open), 256))
			return -ENOMEM;
		*tag = (uint32_t)g->nopen++;
	}
	o = &g->open[*tag];
	o->p = ev->payload;
	o->gid = gid;
	return 0;
}

/* Whether slice @a goes after @b among the longest. */
static int top_worse(const struct sg_top *a, const struct sg_top *b)
{
	if (a->dur != b->dur)
		return a->dur < b->dur;
	if (a->bns != b->bns)
		return a->bns > b->bns;
	return a->tid > b->tid;
}

static void heap_down(struct sg_top *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, w = i;
		struct sg_top t;

		if (l < n && top_worse(&h[l], &h[w]))
			w = l;
		if (l + 1 < n && top_worse(&h[l + 1], &h[w]))
			w = l + 1;
		if (w == i)
			return;
		t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

static int top_add(struct sg *g, const struct sg_top *t)
{
	size_t i;

	if (g->nt == g->ntop) {
		if (!top_worse(&g->top[0], t))
			return 0;
		g->top[0] = *t;
		heap_down(g->top, g->nt, 0);
		return 0;
	}
	if (!g->top) {
		g->top = calloc(g->ntop, sizeof(*g->top));
		if (!g->top)
			return -ENOMEM;
	}
	i = g->nt++;
	g->top[i] = *t;
	while (i && top_worse(&g->top[i], &g->top[(i - 1) / 2])) {
		struct sg_top x = g->top[i];

		g->top[i] = g->top[(i - 1) / 2];
		g->top[(i - 1) / 2] = x;
		i = (i - 1) / 2;
	}
	return 0;
}

int sg_end(struct sg *g, const struct sonde__rd_event *ev, uint32_t pair,
	   uint32_t tag, int64_t begin_ns, int64_t dur)
{
	uint32_t gid = tag;

	if (tag == SG_NONE)
		return 0;
	if (g->ntop) {
		struct sg_open *o = &g->open[tag];
		struct sg_top t = {
			.dur = dur, .bns = begin_ns, .pid = ev->pid,
			.tid = ev->tid, .pair = pair, .bp = o->p,
			.ep = ev->payload,
		};

		gid = o->gid;
		o->next_free = g->free_open;
		g->free_open = tag;
		if (top_add(g, &t))
			return -ENOMEM;
	}
	if (gid != SG_NONE) {
		struct sg_grp *gr = &g->g[gid];

		if (ru_grow(&gr->dur, &gr->cap, gr->n, sizeof(*gr->dur), 16))
			return -ENOMEM;
		gr->dur[gr->n++] = dur;
		gr->count++;
		gr->total += dur;
	}
	return 0;
}

/* qsort context: the groups (qsort has none of its own). */
static const struct sg *sort_g;

static int cmp_group(const void *a, const void *b)
{
	const struct sg_grp *x = &sort_g->g[*(const size_t *)a];
	const struct sg_grp *y = &sort_g->g[*(const size_t *)b];
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c;

	if ((x->owner & SG_CLASS) != (y->owner & SG_CLASS))
		return (x->owner & SG_CLASS) ? 1 : -1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	c = memcmp(sort_g->keys + x->koff, sort_g->keys + y->koff, n);
	return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static int cmp_top(const void *a, const void *b)
{
	const struct sg_top *x = a, *y = b;

	return top_worse(y, x) ? -1 : top_worse(x, y) ? 1 : 0;
}

int sg_finish(struct sg *g)
{
	for (size_t i = 0; i < g->ng; i++)
		if (g->g[i].n)
			qsort(g->g[i].dur, g->g[i].n, sizeof(*g->g[i].dur),
			      ru_cmp_i64);
	if (g->ng) {
		g->order = malloc(g->ng * sizeof(*g->order));
		if (!g->order)
			return -ENOMEM;
		for (size_t i = 0; i < g->ng; i++)
			g->order[i] = i;
		sort_g = g;
		qsort(g->order, g->ng, sizeof(*g->order), cmp_group);
		sort_g = NULL;
	}
	/* Pair groups sort first, and those without slices (count 0) last
	 * among them. */
	while (g->npg < g->ng && !(g->g[g->order[g->npg]].owner & SG_CLASS) &&
	       g->g[g->order[g->npg]].n)
		g->npg++;
	if (g->nt)
		qsort(g->top, g->nt, sizeof(*g->top), cmp_top);
	return 0;
}

/* Microseconds with 3 decimals. */
static void put_us(struct sonde__obuf *ob, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	if (ns < 0)
		sonde__ob_putc(ob, '-');
	sonde__ob_u64(ob, a / 1000);
	sonde__ob_putc(ob, '.');
	sonde__ob_u64w(ob, a % 1000, 3);
}

/* Right-align the text written since @start in @w columns. */
static void pad_left(struct sonde__obuf *ob, size_t start, size_t w)
{
	size_t n = ob->len - start;

	if (n >= w)
		return;
	sonde__ob_room(ob, w - n);
	memmove(ob->buf + start + (w - n), ob->buf + start, n);
	memset(ob->buf + start, ' ', w - n);
	ob->len += w - n;
}

static void pad_right(struct sonde__obuf *ob, size_t n, size_t w)
{
	while (n++ < w)
		sonde__ob_putc(ob, ' ');
}

static void put_us_col(struct sonde__obuf *ob, int64_t ns, size_t w)
{
	size_t start;

	sonde__ob_putc(ob, ' ');
	sonde__ob_room(ob, w + 32);
	start = ob->len;
	put_us(ob, ns);
	pad_left(ob, start, w);
}

static void put_i64_col(struct sonde__obuf *ob, int64_t v, size_t w)
{
	size_t start;

	sonde__ob_putc(ob, ' ');
	sonde__ob_room(ob, w + 32);
	start = ob->len;
	sonde__ob_i64(ob, v);
	pad_left(ob, start, w);
}

/*
 * The --by values of group @gr into @val (memory buffer): text, separated
 * by spaces, or a JSON object.  The class that names the fields is @c.
 */
static void group_values(const struct sg *g, const struct sg_grp *gr,
			 const struct sonde__rd_class *c,
			 struct sonde__obuf *val, struct sonde__obuf *tmp,
			 int json)
{
	const uint8_t *k = g->keys + gr->koff;
	const struct sg_cls *sc = &g->cls[c->index];

	val->len = 0;
	if (json)
		sonde__ob_putc(val, '{');
	for (uint32_t j = 0; j < g->nby; j++) {
		uint32_t hd[2];

		memcpy(hd, k, sizeof(hd));
		k += sizeof(hd);
		if (j)
			sonde__ob_putc(val, json ? ',' : ' ');
		if (json) {
			sonde__fmt_json_str(val, g->by[j], strlen(g->by[j]));
			sonde__ob_putc(val, ':');
		}
		if (fv_format(tmp, c, sc->fidx[j], k + hd[0], json))
			sonde__ob_puts(val, json ? "null" : "?");
		else
			sonde__ob_put(val, tmp->buf, tmp->len);
		k += hd[0] + hd[1];
	}
	if (json)
		sonde__ob_putc(val, '}');
}

static const struct sonde__rd_class *group_class(const struct sg *g,
						 const struct sg_grp *gr)
{
	return gr->owner & SG_CLASS ? g->m->all[gr->owner & ~SG_CLASS]
				    : g->pairs[gr->owner].begin;
}

static const char *group_name(const struct sg *g, const struct sg_grp *gr)
{
	return gr->owner & SG_CLASS ? g->m->all[gr->owner & ~SG_CLASS]->name
				    : g->pairs[gr->owner].name;
}

static void print_groups_json(const struct sg *g, struct sonde__obuf *ob,
			      struct sonde__obuf *val, struct sonde__obuf *tmp)
{
	int comma = 0, events = 0;

	sonde__ob_puts(ob, ",\"by\":[");
	for (uint32_t j = 0; j < g->nby; j++) {
		if (j)
			sonde__ob_putc(ob, ',');
		sonde__fmt_json_str(ob, g->by[j], strlen(g->by[j]));
	}
	sonde__ob_puts(ob, "],\"pair_groups\":[");
	for (size_t i = 0; i < g->ng; i++) {
		const struct sg_grp *gr = &g->g[g->order[i]];
		const char *name = group_name(g, gr);

		if (!(gr->owner & SG_CLASS) && !gr->n)
			continue;
		if ((gr->owner & SG_CLASS) && !events) {
			sonde__ob_puts(ob, "],\"event_groups\":[");
			events = 1;
			comma = 0;
		}
		sonde__ob_puts(ob, comma++ ? ",{" : "{");
		sonde__ob_puts(ob, events ? "\"event\":" : "\"pair\":");
		sonde__fmt_json_str(ob, name, strlen(name));
		sonde__ob_puts(ob, ",\"values\":");
		group_values(g, gr, group_class(g, gr), val, tmp, 1);
		sonde__ob_put(ob, val->buf, val->len);
		sonde__ob_puts(ob, ",\"count\":");
		sonde__ob_u64(ob, gr->count);
		if (!events) {
			int64_t v[7] = {
				gr->total, gr->dur[0],
				ru_percentile(gr->dur, gr->n, 50),
				ru_percentile(gr->dur, gr->n, 90),
				ru_percentile(gr->dur, gr->n, 99),
				gr->dur[gr->n - 1],
			};
			static const char *const k[6] = {
				",\"total_ns\":", ",\"min_ns\":", ",\"p50_ns\":",
				",\"p90_ns\":", ",\"p99_ns\":", ",\"max_ns\":",
			};

			for (int x = 0; x < 6; x++) {
				sonde__ob_puts(ob, k[x]);
				sonde__ob_i64(ob, v[x]);
			}
		}
		sonde__ob_putc(ob, '}');
	}
	if (!events)
		sonde__ob_puts(ob, "],\"event_groups\":[");
	sonde__ob_putc(ob, ']');
}

static void print_groups_text(const struct sg *g, struct sonde__obuf *ob,
			      struct sonde__obuf *val, struct sonde__obuf *tmp)
{
	size_t vw = 0, hl = 0;
	int events = 0, any = 0;

	/* The values column: as wide as the widest value and the header. */
	for (uint32_t j = 0; j < g->nby; j++)
		hl += (j ? 1 : 0) + strlen(g->by[j]);
	vw = hl;
	for (size_t i = 0; i < g->ng; i++) {
		group_values(g, &g->g[i], group_class(g, &g->g[i]), val, tmp, 0);
		if (val->len > vw)
			vw = val->len;
	}
	for (size_t i = 0; i < g->ng; i++) {
		const struct sg_grp *gr = &g->g[g->order[i]];
		const char *name = group_name(g, gr);
		size_t nl = strlen(name);

		if (!(gr->owner & SG_CLASS) && !gr->n)
			continue;
		if (!any || ((gr->owner & SG_CLASS) && !events)) {
			static const char *const h[7] = {
				"Total", "Min", "P50", "P90", "P99", "Max",
			};

			events = !!(gr->owner & SG_CLASS);
			any = 1;
			sonde__ob_puts(ob, events ? "\nEvents by " : "\nPairs by ");
			for (uint32_t j = 0; j < g->nby; j++) {
				sonde__ob_puts(ob, j ? "," : "");
				sonde__ob_puts(ob, g->by[j]);
			}
			sonde__ob_puts(ob, events ? "\n" : " (durations in us)\n");
			sonde__ob_puts(ob, events ? "Event" : "Pair");
			pad_right(ob, events ? 5 : 4, 32);
			sonde__ob_putc(ob, ' ');
			for (uint32_t j = 0; j < g->nby; j++) {
				sonde__ob_puts(ob, j ? " " : "");
				sonde__ob_puts(ob, g->by[j]);
			}
			pad_right(ob, hl, vw);
			sonde__ob_puts(ob, "     Count");
			for (int x = 0; !events && x < 6; x++) {
				sonde__ob_putc(ob, ' ');
				pad_right(ob, strlen(h[x]), x ? 12 : 14);
				sonde__ob_puts(ob, h[x]);
			}
			sonde__ob_putc(ob, '\n');
		}
		sonde__ob_puts(ob, name);
		pad_right(ob, nl, 32);
		sonde__ob_putc(ob, ' ');
		group_values(g, gr, group_class(g, gr), val, tmp, 0);
		sonde__ob_put(ob, val->buf, val->len);
		pad_right(ob, val->len, vw);
		put_i64_col(ob, (int64_t)gr->count, 9);
		if (!events) {
			put_us_col(ob, gr->total, 14);
			put_us_col(ob, gr->dur[0], 12);
			put_us_col(ob, ru_percentile(gr->dur, gr->n, 50), 12);
			put_us_col(ob, ru_percentile(gr->dur, gr->n, 90), 12);
			put_us_col(ob, ru_percentile(gr->dur, gr->n, 99), 12);
			put_us_col(ob, gr->dur[gr->n - 1], 12);
		}
		sonde__ob_putc(ob, '\n');
	}
}

static void print_top(const struct sg *g, struct sonde__obuf *ob, int json)
{
	struct sonde__tcache tc = { 0 };

	if (json)
		sonde__ob_puts(ob, ",\"top\":[");
	else
		sonde__ob_puts(ob, "\nLongest slices (durations in us)\n"
				   "Begin                  Duration        PID        TID  Pair                             Begin fields -> end fields\n");
	for (size_t i = 0; i < g->nt; i++) {
		const struct sg_top *t = &g->top[i];
		const struct sg_pair *p = &g->pairs[t->pair];
		size_t nl = strlen(p->name);

		if (json) {
			sonde__ob_puts(ob, i ? ",{\"pair\":" : "{\"pair\":");
			sonde__fmt_json_str(ob, p->name, nl);
			sonde__ob_puts(ob, ",\"begin_ns\":");
			sonde__ob_i64(ob, t->bns);
			sonde__ob_puts(ob, ",\"dur_ns\":");
			sonde__ob_i64(ob, t->dur);
			sonde__ob_puts(ob, ",\"pid\":");
			sonde__ob_i64(ob, t->pid);
			sonde__ob_puts(ob, ",\"tid\":");
			sonde__ob_i64(ob, t->tid);
			sonde__ob_puts(ob, ",\"begin\":");
			sonde__fmt_payload_json(ob, p->begin, t->bp);
			sonde__ob_puts(ob, ",\"end\":");
			sonde__fmt_payload_json(ob, p->end, t->ep);
			sonde__ob_putc(ob, '}');
			continue;
		}
		sonde__ob_time(ob, &tc, t->bns);
		put_us_col(ob, t->dur, 12);
		sonde__ob_putc(ob, ' ');
		put_i64_col(ob, t->pid, 9);
		sonde__ob_putc(ob, ' ');
		put_i64_col(ob, t->tid, 9);
		sonde__ob_puts(ob, "  ");
		sonde__ob_puts(ob, p->name);
		pad_right(ob, nl, 32);
		sonde__ob_putc(ob, ' ');
		if (p->begin->nr_fields)
			sonde__fmt_payload(ob, p->begin, t->bp);
		else
			sonde__ob_puts(ob, "{ }");
		sonde__ob_puts(ob, " -> ");
		if (p->end->nr_fields)
			sonde__fmt_payload(ob, p->end, t->ep);
		else
			sonde__ob_puts(ob, "{ }");
		sonde__ob_putc(ob, '\n');
	}
	if (json)
		sonde__ob_putc(ob, ']');
}

int sg_print(struct sg *g, FILE *f, int json)
{
	struct sonde__obuf ob, val, tmp;
	int r = -ENOMEM;

	if (fflush(f))
		return -EIO;
	if (sonde__ob_init(&ob, fileno(f)))
		return -ENOMEM;
	if (sonde__ob_init(&val, -1))
		goto out_ob;
	if (sonde__ob_init(&tmp, -1))
		goto out_val;
	if (g->nby && json)
		print_groups_json(g, &ob, &val, &tmp);
	else if (g->nby)
		print_groups_text(g, &ob, &val, &tmp);
	if (g->ntop)
		print_top(g, &ob, json);
	r = sonde__ob_flush(&ob);
	sonde__ob_free(&tmp);
out_val:
	sonde__ob_free(&val);
out_ob:
	sonde__ob_free(&ob);
	return r;
}

size_t sg_pair_groups(const struct sg *g)
{
	return g->npg;
}

void sg_pair_group(const struct sg *g, size_t i, struct sg_group *out,
		   struct sonde__obuf *val, struct sonde__obuf *tmp)
{
	const struct sg_grp *gr = &g->g[g->order[i]];

	out->pair = gr->owner;
	out->count = gr->n;
	out->total = gr->total;
	out->dur = gr->dur;
	group_values(g, gr, group_class(g, gr), val, tmp, 1);
}

const struct sg_top *sg_top_list(const struct sg *g, size_t *n)
{
	*n = g->nt;
	return g->top;
}

void sg_free(struct sg *g)
{
	if (!g)
		return;
	for (uint32_t j = 0; j < g->nby; j++)
		free(g->by[j]);
	for (size_t i = 0; i < g->ng; i++)
		free(g->g[i].dur);
	free(g->g);
	free(g->slot);
	free(g->keys);
	free(g->kb);
	free(g->cls);
	free(g->order);
	free(g->top);
	free(g->open);
	free(g);
}
