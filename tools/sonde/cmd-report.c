// SPDX-License-Identifier: MIT
/*
 * sonde report: one self-contained HTML file (inline CSS and JavaScript, no
 * network access) that draws the trace on <canvas>: a per-thread timeline
 * (begin/end pairs as slices, other events as instant ticks), the event
 * rate over time (total and the 5 most frequent event names) and a
 * log-scale duration histogram per begin/end pair.
 *
 * Perf data (sonde record --sample, --counter-period), only when the trace
 * has the perf stream class: the sampled functions (symbols.c, the same
 * table as sonde stats), a sample-density strip per thread on the timeline
 * (SAMPLE_BINS bins over the trace, whatever the number of samples), each
 * perf:counter's values over time per thread (at most COUNTER_POINTS
 * readings per series, evenly picked) and the counter deltas over
 * begin/end pairs (read-util.h, as sonde stats).  perf events are not
 * timeline items: a sample belongs to the thread its pid/tid fields name.
 *
 * Latency views (issue 17): the --top longest slices (default 1000) with
 * the fields of their begin and end events, and with --by FIELD[,FIELD]
 * the slices' durations per group of begin-field values (the
 * GROUPS_SHOWN groups with the most time): both from stats-group.c, the
 * code of sonde stats --top and --by.  From every slice, in a size that
 * does not grow with the trace (report-views.h): a density strip per
 * thread on the timeline (the share of each time bin spent in slices,
 * drawn where slices are narrower than a pixel) and a time-versus-duration
 * scatter.
 *
 * Two passes over the trace: the first counts events, threads and pair
 * durations; the second, knowing the span and the totals, fills the rate
 * bins and picks the timeline items to embed.  At most --max-items timeline
 * items are embedded: beyond that the longest slices are kept (all those of
 * at least a threshold duration) and instants are sampled evenly; the page
 * says so.  Rate bins and histograms always use every event.
 *
 * The data goes in <script type="application/json" id="data"> with "</"
 * written "<\/".
 *
 * Trust boundary: the output path, which may be in a directory other users
 * share (see open_output()).  A regular file, or none yet, is written to a
 * private temporary beside it (O_EXCL, random name) renamed over it, so a
 * failure leaves nothing half-written; a FIFO or a device is written in
 * place, never replaced; a symbolic link is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "read-util.h"
#include "report-html.h"
#include "report-views.h"
#include "stats-group.h"
#include "symbols.h"

static const char usage_text[] =
	"usage: sonde report [-o FILE] [--max-items N] [--bins N] [--top N]\n"
	"                    [--by FIELD[,FIELD]] DIR\n"
	"  -o, --output FILE   output HTML file (default: report.html; - for\n"
	"                      standard output)\n"
	"      --max-items N   most timeline items embedded (default 200000)\n"
	"      --bins N        time bins of the event-rate chart (default 200)\n"
	"      --top N         rows of the latency table: the N longest slices\n"
	"                      (default 1000)\n"
	"      --by FIELD[,FIELD]  duration histograms per value of these\n"
	"                      begin-event fields (as sonde stats --by)\n";

#define DEF_MAX_ITEMS 200000u
#define DEF_BINS 200u
#define DEF_TOP 1000u
#define MAX_TOP 100000u
/* --by groups with a histogram in the page, the most total time first */
#define GROUPS_SHOWN 48
#define TOP_NAMES 5
#define MAX_DISC 1000
#define MAX_DEPTH 15
/* perf data: symbol rows embedded, density bins, points per counter series */
#define TOP_SYMBOLS 50
#define SAMPLE_BINS 400u
#define COUNTER_POINTS 400u

/* perf classes (report.perf[class]) */
enum { PERF_NONE, PERF_SAMPLE, PERF_MMAP, PERF_COUNTER };

struct thread {
	int32_t pid, tid;
	uint64_t events, slices, instants;
	uint64_t samples;   /* perf:sample events naming this thread */
	uint32_t open;      /* slices open now (pass 2: nesting depth) */
	uint32_t max_depth; /* pass 2, of embedded slices */
};

struct tmap {
	struct thread *t;
	uint32_t n, cap;
	uint32_t *h;        /* hash -> index + 1 */
	uint32_t hcap;
	uint32_t last;      /* index + 1 of the last looked-up thread */
};

static uint32_t thash(int32_t pid, int32_t tid)
{
	return (uint32_t)tid * 2654435761u ^ (uint32_t)pid * 40503u;
}

/* index of (pid, tid), added if new; UINT32_MAX when out of memory */
static uint32_t tmap_get(struct tmap *m, int32_t pid, int32_t tid)
{
	uint32_t h, i;

	if (m->last && m->t[m->last - 1].pid == pid &&
	    m->t[m->last - 1].tid == tid)
		return m->last - 1;
	if ((m->n + 1) * 2 > m->hcap) {
		uint32_t nc = m->hcap ? m->hcap * 2 : 64;
		uint32_t *nh = calloc(nc, sizeof(*nh));

		if (!nh)
			return UINT32_MAX;
		for (i = 0; i < m->n; i++) {
			h = thash(m->t[i].pid, m->t[i].tid) & (nc - 1);
			while (nh[h])
				h = (h + 1) & (nc - 1);
			nh[h] = i + 1;
		}
		free(m->h);
		m->h = nh;
		m->hcap = nc;
	}
	h = thash(pid, tid) & (m->hcap - 1);
	while (m->h[h]) {
		struct thread *t = &m->t[m->h[h] - 1];

		if (t->pid == pid && t->tid == tid) {
			m->last = m->h[h];
			return m->h[h] - 1;
		}
		h = (h + 1) & (m->hcap - 1);
	}
	if (m->n == m->cap) {
		uint32_t nc = m->cap ? m->cap * 2 : 16;
		struct thread *nt = realloc(m->t, nc * sizeof(*nt));

		if (!nt)
			return UINT32_MAX;
		m->t = nt;
		m->cap = nc;
	}
	memset(&m->t[m->n], 0, sizeof(m->t[m->n]));
	m->t[m->n].pid = pid;
	m->t[m->n].tid = tid;
	m->h[h] = ++m->n;
	m->last = m->n;
	return m->n - 1;
}

/* open begins of one (thread, pair): a stack */
struct pair {
	uint32_t begin, end;  /* class indexes */
	char *name;
	int64_t *dur;
	size_t n, cap;
	uint64_t unmatched;
};

/* a timeline item */
struct item {
	int64_t start;   /* ns since the first event */
	int64_t dur;     /* -1: instant; slices open at the end: -2 - dur */
	uint32_t thr;
	uint32_t name;   /* index into the names table */
	uint32_t depth;
};

struct report {
	const char *dir;
	struct sonde__reader *r;
	const struct sonde__rd_meta *m;
	unsigned char *role;
	uint32_t *partner;
	uint32_t *pair_of;     /* class -> pair index */
	uint64_t *cls_count;
	struct pair *pairs;
	uint32_t npairs;
	struct tmap tm;
	struct ru_slots sm;
	uint64_t total, lost;
	int64_t first_ns, last_ns;
	int have_first;
	/* timeline selection */
	uint64_t nslices, ninst;       /* pass 1 totals (open ones included) */
	int64_t *open_dur;             /* pass 1: slices open at the end */
	size_t nopen, open_cap;
	int64_t slice_min;             /* keep slices longer than this, */
	uint64_t slice_ties;           /* and this many equal to it */
	uint64_t slices_kept, inst_budget, inst_seen, inst_kept;
	uint32_t max_items, nbins;
	struct item *items;
	size_t nitems, icap;
	/* rate */
	uint32_t top[TOP_NAMES];
	int ntop;
	int top_of_cls_init;
	int *top_of_cls;               /* class -> top series index or -1 */
	uint64_t *bins;                /* nbins * (1 + ntop) */
	int64_t bin_ns;
	/* discarded ranges */
	int64_t disc[MAX_DISC][3];
	uint32_t ndisc;
	uint64_t ndisc_total;
	/* perf data */
	unsigned char *perf;           /* class -> PERF_* */
	int has_perf, has_counters;
	struct syms *sy;
	struct ru_counters cn;
	uint32_t *dens;                /* pass 2: dens_thr * SAMPLE_BINS */
	uint32_t dens_thr;             /* threads known after pass 1 */
	int64_t dens_ns;
	/* latency table, --by groups (stats-group.c) */
	const char *by;
	uint32_t lat_rows;             /* --top */
	struct sg *sg;
	struct sg_pair *sgp;
	uint64_t completed;            /* matched slices */
	/* summaries of every slice (report-views.c) */
	struct dens dn;
	struct scatter sc;
};

static int add_item(struct report *rp, int64_t start, int64_t dur,
		    uint32_t thr, uint32_t name, uint32_t depth)
{
	struct item *it;

	if (ru_grow(&rp->items, &rp->icap, rp->nitems, sizeof(*rp->items),
		    1024))
		return -ENOMEM;
	it = &rp->items[rp->nitems++];
	it->start = start;
	it->dur = dur;
	it->thr = thr;
	it->name = name;
	it->depth = depth;
	return 0;
}

static int pair_add_dur(struct pair *p, int64_t d)
{
	if (ru_grow(&p->dur, &p->cap, p->n, sizeof(*p->dur), 64))
		return -ENOMEM;
	p->dur[p->n++] = d;
	return 0;
}



/* pass 2: embed a slice of duration @d? */
static int keep_slice(struct report *rp, int64_t d)
{
	if (d > rp->slice_min)
		return 1;
	if (d == rp->slice_min && rp->slice_ties) {
		rp->slice_ties--;
		return 1;
	}
	return 0;
}

/* name table: classes first (index = class index), then pairs */
static uint32_t pair_name(const struct report *rp, uint32_t pair)
{
	return rp->m->nr_classes + pair;
}

/* The rate bin of @rel ns since the first event. */
static uint64_t rate_bin(const struct report *rp, int64_t rel)
{
	uint64_t b = rp->bin_ns ? (uint64_t)(rel < 0 ? 0 : rel) / (uint64_t)rp->bin_ns : 0;

	return b >= rp->nbins ? rp->nbins - 1 : b;
}

/*
 * A perf event (@ev of a class rp->perf marks).  Both passes: the event
 * totals and the rate, as any event.  Pass 1: symbols (samples, mmaps),
 * counter readings, each sample's thread.  Pass 2: sample density.
 * 0 or -ENOMEM.
 */
static int perf_event(struct report *rp, int pass,
		      const struct sonde__rd_event *ev)
{
	uint32_t ci = ev->cls->index, kind = rp->perf[ci], ti = UINT32_MAX;
	int64_t rel = ev->ns - rp->first_ns;

	if (kind == PERF_SAMPLE) {
		ti = tmap_get(&rp->tm, (int32_t)ru_field_u64(ev, "pid", NULL),
			      (int32_t)ru_field_u64(ev, "tid", NULL));
		if (ti == UINT32_MAX)
			return -ENOMEM;
	}
	if (pass == 1) {
		if (!rp->have_first) {
			rp->first_ns = ev->ns;
			rp->have_first = 1;
		}
		if (ev->ns > rp->last_ns)
			rp->last_ns = ev->ns;
		rp->total++;
		rp->cls_count[ci]++;
		if (kind == PERF_SAMPLE)
			rp->tm.t[ti].samples++;
		if (kind == PERF_COUNTER)
			return ru_counters_reading(&rp->cn, ev);
		return syms_event(rp->sy, ev);
	}
	{
		uint32_t nser = 1 + (uint32_t)rp->ntop;
		uint64_t b = rate_bin(rp, rel);

		rp->bins[b * nser]++;
		if (rp->top_of_cls[ci] >= 0)
			rp->bins[b * nser + 1 + (uint32_t)rp->top_of_cls[ci]]++;
	}
	if (kind == PERF_SAMPLE && ti < rp->dens_thr) {
		uint64_t b = (uint64_t)(rel < 0 ? 0 : rel) / (uint64_t)rp->dens_ns;

		if (b >= SAMPLE_BINS)
			b = SAMPLE_BINS - 1;
		rp->dens[(size_t)ti * SAMPLE_BINS + b]++;
	}
	return 0;
}

/*
 * Pass 2: the slice of pair @pi on thread @ti that @ev ends, begun at
 * @oe, lasting @d ns: the density strip (outermost slices), the scatter,
 * the latency table and the groups.  0 or -ENOMEM.
 */
static int slice_seen(struct report *rp, const struct sonde__rd_event *ev,
		      uint32_t pi, uint32_t ti, const struct ru_open *oe,
		      int64_t d)
{
	int64_t b = oe->ns - rp->first_ns;

	rp->completed++;
	if (!oe->depth)
		dens_add(&rp->dn, ti, b, b + d);
	sc_add(&rp->sc, pi, b, d);
	if (rp->sg && sg_end(rp->sg, ev, pi, oe->tag, b, d))
		return -ENOMEM;
	return 0;
}

/*
 * One pass over the trace.  Pass 1 (@pass == 1): totals, threads, pair
 * durations.  Pass 2: rate bins and timeline items.  0 or -1 (error
 * printed).
 */
static int run_pass(struct report *rp, int pass)
{
	const struct sonde__rd_meta *m = rp->m;
	struct sonde__rd_event ev;
	int n;

	while ((n = sonde__reader_next(rp->r, &ev)) > 0) {
		uint32_t ci, ti;
		struct thread *t;
		int64_t rel;

		if (ev.kind == SONDE_RD_EV_DISCARDED) {
			if (pass == 1) {
				rp->lost += ev.discarded;
				continue;
			}
			rp->ndisc_total++;
			if (rp->ndisc < MAX_DISC) {
				int64_t *d = rp->disc[rp->ndisc++];

				d[0] = sonde__rd_ns(m, ev.disc_begin) - rp->first_ns;
				d[1] = sonde__rd_ns(m, ev.disc_end) - rp->first_ns;
				d[2] = (int64_t)ev.discarded;
			}
			continue;
		}
		ci = ev.cls->index;
		if (rp->perf[ci]) {
			if (perf_event(rp, pass, &ev))
				goto nomem;
			continue;
		}
		ti = tmap_get(&rp->tm, ev.pid, ev.tid);
		if (ti == UINT32_MAX)
			goto nomem;
		t = &rp->tm.t[ti];
		if (pass == 1) {
			if (!rp->have_first) {
				rp->first_ns = ev.ns;
				rp->have_first = 1;
			}
			if (ev.ns > rp->last_ns)
				rp->last_ns = ev.ns;
			rp->total++;
			rp->cls_count[ci]++;
			t->events++;
		}
		rel = ev.ns - rp->first_ns;
		if (pass == 2) {
			uint64_t b = rate_bin(rp, rel);
			uint32_t nser = 1 + (uint32_t)rp->ntop;

			rp->bins[b * nser]++;
			if (rp->top_of_cls[ci] >= 0)
				rp->bins[b * nser + 1 + (uint32_t)rp->top_of_cls[ci]]++;
		}
		if (rp->role[ci] == 1) {
			struct ru_slot *sl = ru_slot_get(&rp->sm, ti, rp->pair_of[ci]);
			uint32_t tag = 0;

			if (pass == 2 && rp->sg &&
			    sg_begin(rp->sg, &ev, rp->pair_of[ci], &tag))
				goto nomem;
			if (!sl || ru_slot_push(sl, ev.ns, t->open))
				goto nomem;
			sl->st[sl->n - 1].tag = tag;
			t = &rp->tm.t[ti];
			t->open++;
			continue;
		}
		if (rp->role[ci] == 2) {
			struct ru_slot *sl = ru_slot_get(&rp->sm, ti, rp->pair_of[ci]);
			uint32_t pi = rp->pair_of[ci];

			if (!sl)
				goto nomem;
			t = &rp->tm.t[ti];
			if (sl->n) {
				struct ru_open oe = sl->st[--sl->n];
				int64_t d = ev.ns - oe.ns;

				if (t->open)
					t->open--;
				if (pass == 1) {
					if (pair_add_dur(&rp->pairs[pi], d))
						goto nomem;
					if (rp->has_counters &&
					    ru_counters_span(&rp->cn, pi, ev.tid,
							     oe.ns, ev.ns))
						goto nomem;
					rp->nslices++;
					t->slices++;
					continue;
				}
				if (slice_seen(rp, &ev, pi, ti, &oe, d))
					goto nomem;
				if (keep_slice(rp, d)) {
					uint32_t dp = oe.depth > MAX_DEPTH ? MAX_DEPTH : oe.depth;

					if (add_item(rp, oe.ns - rp->first_ns, d, ti,
						     pair_name(rp, pi), dp))
						goto nomem;
					rp->slices_kept++;
					if (dp > t->max_depth)
						t->max_depth = dp;
				}
				continue;
			}
			if (pass == 1)
				rp->pairs[pi].unmatched++;
			/* an end without its begin: an instant */
		}
		if (pass == 1) {
			rp->ninst++;
			t->instants++;
		} else {
			uint64_t i = rp->inst_seen++;

			/* evenly spaced: exactly inst_budget of ninst kept */
			if (rp->inst_budget >= rp->ninst ||
			    (i + 1) * rp->inst_budget / rp->ninst >
			    i * rp->inst_budget / rp->ninst) {
				if (add_item(rp, rel, -1, ti, ci,
					     t->open > MAX_DEPTH ? MAX_DEPTH : t->open))
					goto nomem;
				rp->inst_kept++;
			}
		}
	}
	if (n < 0) {
		cli_error("%s", sonde__reader_error(rp->r));
		return -1;
	}
	/* begins never ended: slices open until the end of the trace */
	for (size_t i = 0; i < rp->sm.cap; i++) {
		struct ru_slot *sl = &rp->sm.s[i];

		if (!sl->used)
			continue;
		for (size_t k = 0; k < sl->n; k++) {
			int64_t d = rp->last_ns - sl->st[k].ns;

			if (pass == 1) {
				rp->pairs[sl->pair].unmatched++;
				rp->nslices++;
				rp->tm.t[sl->thr].slices++;
				if (ru_grow(&rp->open_dur, &rp->open_cap,
					    rp->nopen, sizeof(*rp->open_dur),
					    64))
					goto nomem;
				rp->open_dur[rp->nopen++] = d;
				continue;
			}
			if (!sl->st[k].depth)
				dens_add(&rp->dn, sl->thr,
					 sl->st[k].ns - rp->first_ns,
					 rp->last_ns - rp->first_ns);
			if (keep_slice(rp, d)) {
				uint32_t dp = sl->st[k].depth > MAX_DEPTH ? MAX_DEPTH :
					      sl->st[k].depth;

				if (add_item(rp, sl->st[k].ns - rp->first_ns, -2 - d,
					     sl->thr, pair_name(rp, sl->pair), dp))
					goto nomem;
				rp->slices_kept++;
				if (dp > rp->tm.t[sl->thr].max_depth)
					rp->tm.t[sl->thr].max_depth = dp;
			}
		}
	}
	return 0;
nomem:
	cli_error("out of memory");
	return -1;
}

/* --- output ------------------------------------------------------------ */

/*
 * JSON text made in the memory buffer @tmp, copied into @ob with "</"
 * written "<\/" and "<!--" as "\u003c!--" (a '<' of JSON text is always
 * in a string), so that it cannot end the <script> element; @alt (a JSON
 * value) instead when @tmp overflowed.
 */
static void put_safe(struct sonde__obuf *ob, const struct sonde__obuf *tmp,
		     const char *alt)
{
	if (tmp->err) {
		sonde__ob_puts(ob, alt);
		return;
	}
	for (size_t i = 0; i < tmp->len; i++) {
		char c = tmp->buf[i];

		if (c == '<' && i + 1 < tmp->len && tmp->buf[i + 1] == '/') {
			sonde__ob_puts(ob, "<\\/");
			i++;
		} else if (c == '<' && i + 1 < tmp->len && tmp->buf[i + 1] == '!') {
			sonde__ob_puts(ob, "\\u003c");
		} else {
			sonde__ob_putc(ob, c);
		}
	}
}

/* JSON string, made safe by put_safe() */
static void put_jstr(struct sonde__obuf *ob, const char *s, size_t n)
{
	struct sonde__obuf tmp;

	if (sonde__ob_init(&tmp, -1)) {
		ob->err = ob->err ? ob->err : -ENOMEM;
		return;
	}
	if (n > SONDE_OB_SIZE / 8)
		n = SONDE_OB_SIZE / 8; /* names and paths: never that long */
	sonde__fmt_json_str(&tmp, s, n);
	put_safe(ob, &tmp, "\"\"");
	sonde__ob_free(&tmp);
}

static void put_jstrz(struct sonde__obuf *ob, const char *s)
{
	put_jstr(ob, s ? s : "", s ? strlen(s) : 0);
}

static void put_key_i64(struct sonde__obuf *ob, const char *key, int64_t v)
{
	sonde__ob_puts(ob, key);
	sonde__ob_i64(ob, v);
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->thr != y->thr)
		return x->thr < y->thr ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->depth > y->depth) - (x->depth < y->depth);
}

static void put_key_dbl(struct sonde__obuf *ob, const char *key,
			const char *fmt, double v)
{
	char b[64];

	snprintf(b, sizeof(b), fmt, v);
	sonde__ob_puts(ob, key);
	sonde__ob_puts(ob, b);
}

/*
 * "samples": total, the top symbol rows (as sonde stats: overhead %,
 * samples, object, symbol), density bins per sampled thread as
 * [thread, total, [counts]].  "counters": names, series per (counter,
 * thread) as [t, value, ...] (at most COUNTER_POINTS readings, evenly
 * picked, the last one always), pair deltas.
 */
static void write_perf(struct report *rp, struct sonde__obuf *ob)
{
	const struct sym_row *rows = NULL;
	size_t nrows = 0;
	uint64_t total = syms_samples(rp->sy);
	const struct ru_counters *cn = &rp->cn;
	int comma = 0;

	if (total && syms_table(rp->sy, &rows, &nrows)) {
		ob->err = ob->err ? ob->err : -ENOMEM;
		return;
	}
	sonde__ob_puts(ob, ",\n\"samples\":{\"total\":");
	sonde__ob_u64(ob, total);
	sonde__ob_puts(ob, ",\"rows\":");
	sonde__ob_u64(ob, nrows);
	sonde__ob_puts(ob, ",\"symbols\":[");
	for (size_t i = 0; i < nrows && i < TOP_SYMBOLS; i++) {
		sonde__ob_puts(ob, i ? ",\n{\"name\":" : "{\"name\":");
		put_jstrz(ob, rows[i].name);
		sonde__ob_puts(ob, ",\"object\":");
		put_jstrz(ob, rows[i].object);
		sonde__ob_puts(ob, ",\"samples\":");
		sonde__ob_u64(ob, rows[i].samples);
		put_key_dbl(ob, ",\"percent\":", "%.2f",
			    100.0 * (double)rows[i].samples / (double)total);
		sonde__ob_putc(ob, '}');
	}
	sonde__ob_puts(ob, "],\"bins\":");
	sonde__ob_u64(ob, rp->dens ? SAMPLE_BINS : 0);
	put_key_i64(ob, ",\"bin_ns\":", rp->dens_ns);
	sonde__ob_puts(ob, ",\"threads\":[");
	for (uint32_t t = 0; t < rp->dens_thr; t++) {
		const uint32_t *d = rp->dens + (size_t)t * SAMPLE_BINS;

		if (!rp->tm.t[t].samples)
			continue;
		sonde__ob_puts(ob, comma++ ? ",\n[" : "[");
		sonde__ob_u64(ob, t);
		sonde__ob_putc(ob, ',');
		sonde__ob_u64(ob, rp->tm.t[t].samples);
		sonde__ob_puts(ob, ",[");
		for (uint32_t b = 0; b < SAMPLE_BINS; b++) {
			if (b)
				sonde__ob_putc(ob, ',');
			sonde__ob_u64(ob, d[b]);
		}
		sonde__ob_puts(ob, "]]");
	}
	sonde__ob_puts(ob, "]},\n\"counters\":{\"names\":[");
	for (uint32_t k = 0; k < cn->nnames; k++) {
		if (k)
			sonde__ob_putc(ob, ',');
		put_jstrz(ob, cn->name[k]);
	}
	sonde__ob_puts(ob, "],\"series\":[");
	for (size_t i = 0; i < cn->n; i++) {
		const struct ru_cseries *x = &cn->s[i];
		size_t np = x->n < COUNTER_POINTS ? x->n : COUNTER_POINTS;

		sonde__ob_puts(ob, i ? ",\n{\"name\":" : "{\"name\":");
		sonde__ob_u64(ob, x->name);
		put_key_i64(ob, ",\"pid\":", x->pid);
		put_key_i64(ob, ",\"tid\":", x->tid);
		sonde__ob_puts(ob, ",\"readings\":");
		sonde__ob_u64(ob, x->n);
		sonde__ob_puts(ob, ",\"points\":[");
		for (size_t j = 0; j < np; j++) {
			size_t k = np > 1 ? j * (x->n - 1) / (np - 1) : 0;

			if (j)
				sonde__ob_putc(ob, ',');
			sonde__ob_i64(ob, x->r[k].ns - rp->first_ns);
			sonde__ob_putc(ob, ',');
			sonde__ob_u64(ob, x->r[k].v);
		}
		sonde__ob_puts(ob, "]}");
	}
	sonde__ob_puts(ob, "],\"pair_deltas\":[");
	comma = 0;
	for (uint32_t i = 0; cn->nsp && i < rp->npairs; i++)
		for (uint32_t k = 0; k < cn->nnames; k++) {
			struct ru_delta d;

			ru_counters_deltas(cn, i, k, &d);
			if (!d.n)
				continue;
			sonde__ob_puts(ob, comma++ ? ",\n{\"pair\":" : "{\"pair\":");
			put_jstrz(ob, rp->pairs[i].name);
			sonde__ob_puts(ob, ",\"counter\":");
			put_jstrz(ob, cn->name[k]);
			sonde__ob_puts(ob, ",\"count\":");
			sonde__ob_u64(ob, d.n);
			put_key_dbl(ob, ",\"mean\":", "%.6g", d.sum / (double)d.n);
			put_key_dbl(ob, ",\"min\":", "%.6g", d.min);
			put_key_dbl(ob, ",\"max\":", "%.6g", d.max);
			sonde__ob_putc(ob, '}');
		}
	sonde__ob_puts(ob, "]}");
}

/*
 * "latency": the longest slices as [name, start, duration, pid, tid,
 * {begin fields}, {end fields}], longest first; "groups" (with --by):
 * the GROUPS_SHOWN pair groups with the most time, each with its values,
 * its percentiles (as sonde stats --by) and its histogram.
 */
static void write_latency(struct report *rp, struct sonde__obuf *ob)
{
	static const char *const pct_key[3] = {
		",\"p50\":", ",\"p90\":", ",\"p99\":",
	};
	static const unsigned pct[3] = { 50, 90, 99 };
	const struct sg_top *top;
	size_t ntop, ng;
	struct sonde__obuf tmp, val;

	if (sonde__ob_init(&tmp, -1))
		goto nomem;
	if (sonde__ob_init(&val, -1)) {
		sonde__ob_free(&tmp);
		goto nomem;
	}
	top = sg_top_list(rp->sg, &ntop);
	sonde__ob_puts(ob, ",\n\"latency\":{\"cap\":");
	sonde__ob_u64(ob, rp->lat_rows);
	sonde__ob_puts(ob, ",\"slices\":");
	sonde__ob_u64(ob, rp->completed);
	sonde__ob_puts(ob, ",\"rows\":[");
	for (size_t i = 0; i < ntop; i++) {
		const struct sg_top *t = &top[i];
		const struct sg_pair *p = &rp->sgp[t->pair];

		sonde__ob_puts(ob, i ? ",\n[" : "[");
		sonde__ob_u64(ob, pair_name(rp, t->pair));
		put_key_i64(ob, ",", t->bns);
		put_key_i64(ob, ",", t->dur);
		put_key_i64(ob, ",", t->pid);
		put_key_i64(ob, ",", t->tid);
		sonde__ob_putc(ob, ',');
		tmp.len = 0;
		tmp.err = 0;
		sonde__fmt_payload_json(&tmp, p->begin, t->bp);
		put_safe(ob, &tmp, "{}");
		sonde__ob_putc(ob, ',');
		tmp.len = 0;
		tmp.err = 0;
		sonde__fmt_payload_json(&tmp, p->end, t->ep);
		put_safe(ob, &tmp, "{}");
		sonde__ob_putc(ob, ']');
	}
	sonde__ob_puts(ob, "]}");
	ng = sg_pair_groups(rp->sg);
	if (rp->by) {
		sonde__ob_puts(ob, ",\n\"groups\":{\"by\":");
		put_jstrz(ob, rp->by);
		sonde__ob_puts(ob, ",\"shown\":");
		sonde__ob_u64(ob, GROUPS_SHOWN);
		sonde__ob_puts(ob, ",\"total\":");
		sonde__ob_u64(ob, ng);
		sonde__ob_puts(ob, ",\"list\":[");
		for (size_t i = 0; i < ng && i < GROUPS_SHOWN; i++) {
			struct sg_group g;

			tmp.len = val.len = 0;
			tmp.err = val.err = 0;
			sg_pair_group(rp->sg, i, &g, &val, &tmp);
			sonde__ob_puts(ob, i ? ",\n{\"name\":" : "{\"name\":");
			sonde__ob_u64(ob, pair_name(rp, g.pair));
			sonde__ob_puts(ob, ",\"values\":");
			put_safe(ob, &val, "{}");
			sonde__ob_puts(ob, ",\"count\":");
			sonde__ob_u64(ob, g.count);
			put_key_i64(ob, ",\"total\":", g.total);
			put_key_i64(ob, ",\"min\":", g.dur[0]);
			for (unsigned q = 0; q < 3; q++)
				put_key_i64(ob, pct_key[q],
					    ru_percentile(g.dur, g.count, pct[q]));
			put_key_i64(ob, ",\"max\":", g.dur[g.count - 1]);
			ld_hist_write(ob, g.dur, g.count);
			sonde__ob_putc(ob, '}');
		}
		sonde__ob_puts(ob, "]}");
	}
	sonde__ob_free(&val);
	sonde__ob_free(&tmp);
	return;
nomem:
	ob->err = ob->err ? ob->err : -ENOMEM;
}

static void write_data(struct report *rp, struct sonde__obuf *ob)
{
	const struct sonde__rd_meta *m = rp->m;
	char buf[128];
	time_t tt = (time_t)(rp->first_ns / 1000000000);
	struct tm tmv;
	uint32_t nser = 1 + (uint32_t)rp->ntop;

	sonde__ob_puts(ob, "{\"trace\":");
	put_jstrz(ob, rp->dir);
	sonde__ob_puts(ob, ",\"hostname\":");
	put_jstrz(ob, m->hostname);
	sonde__ob_puts(ob, ",\"procname\":");
	put_jstrz(ob, m->procname);
	put_key_i64(ob, ",\"vpid\":", m->vpid);
	sonde__ob_puts(ob, ",\"clock\":");
	put_jstrz(ob, m->clock_name);
	buf[0] = 0;
	if (rp->have_first && localtime_r(&tt, &tmv))
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tmv);
	sonde__ob_puts(ob, ",\"start\":");
	put_jstrz(ob, buf);
	sonde__ob_puts(ob, ",\"first_ns\":\"");
	sonde__ob_i64(ob, rp->first_ns);
	sonde__ob_puts(ob, "\"");
	put_key_i64(ob, ",\"span_ns\":", rp->last_ns - rp->first_ns);
	sonde__ob_puts(ob, ",\"events\":");
	sonde__ob_u64(ob, rp->total);
	sonde__ob_puts(ob, ",\"lost\":");
	sonde__ob_u64(ob, rp->lost);
	sonde__ob_puts(ob, ",\"streams\":");
	sonde__ob_u64(ob, sonde__reader_nr_streams(rp->r));

	sonde__ob_puts(ob, ",\n\"names\":[");
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		if (i)
			sonde__ob_putc(ob, ',');
		put_jstrz(ob, m->all[i]->name);
	}
	for (uint32_t i = 0; i < rp->npairs; i++) {
		sonde__ob_putc(ob, ',');
		put_jstrz(ob, rp->pairs[i].name);
	}
	sonde__ob_puts(ob, "],\n\"threads\":[");
	for (uint32_t i = 0; i < rp->tm.n; i++) {
		const struct thread *t = &rp->tm.t[i];

		sonde__ob_puts(ob, i ? ",\n{" : "{");
		put_key_i64(ob, "\"pid\":", t->pid);
		put_key_i64(ob, ",\"tid\":", t->tid);
		sonde__ob_puts(ob, ",\"proc\":");
		if (t->pid == m->vpid && m->procname && m->procname[0]) {
			put_jstrz(ob, m->procname);
		} else {
			snprintf(buf, sizeof(buf), "pid %" PRId32, t->pid);
			put_jstrz(ob, buf);
		}
		sonde__ob_puts(ob, ",\"events\":");
		sonde__ob_u64(ob, t->events);
		sonde__ob_puts(ob, ",\"slices\":");
		sonde__ob_u64(ob, t->slices);
		sonde__ob_puts(ob, ",\"instants\":");
		sonde__ob_u64(ob, t->instants);
		put_key_i64(ob, ",\"depth\":", t->max_depth + 1);
		if (rp->has_perf) {
			sonde__ob_puts(ob, ",\"samples\":");
			sonde__ob_u64(ob, t->samples);
		}
		sonde__ob_putc(ob, '}');
	}
	sonde__ob_puts(ob, "],\n\"timeline\":{\"cap\":");
	sonde__ob_u64(ob, rp->max_items);
	sonde__ob_puts(ob, ",\"slices\":");
	sonde__ob_u64(ob, rp->nslices);
	sonde__ob_puts(ob, ",\"slices_kept\":");
	sonde__ob_u64(ob, rp->slices_kept);
	put_key_i64(ob, ",\"slice_min_ns\":", rp->slice_min < 0 ? 0 : rp->slice_min);
	sonde__ob_puts(ob, ",\"instants\":");
	sonde__ob_u64(ob, rp->ninst);
	sonde__ob_puts(ob, ",\"instants_kept\":");
	sonde__ob_u64(ob, rp->inst_kept);
	/* items: thread, name, start, duration (-1 instant, < -1 open), depth */
	sonde__ob_puts(ob, ",\n\"items\":[");
	for (size_t i = 0; i < rp->nitems; i++) {
		const struct item *it = &rp->items[i];

		if (i)
			sonde__ob_puts(ob, (i & 15) ? "," : ",\n");
		sonde__ob_u64(ob, it->thr);
		sonde__ob_putc(ob, ',');
		sonde__ob_u64(ob, it->name);
		sonde__ob_putc(ob, ',');
		sonde__ob_i64(ob, it->start);
		sonde__ob_putc(ob, ',');
		sonde__ob_i64(ob, it->dur);
		sonde__ob_putc(ob, ',');
		sonde__ob_u64(ob, it->depth);
	}
	sonde__ob_puts(ob, "]},\n\"rate\":{\"bins\":");
	sonde__ob_u64(ob, rp->nbins);
	put_key_i64(ob, ",\"bin_ns\":", rp->bin_ns);
	sonde__ob_puts(ob, ",\"series\":[");
	for (uint32_t s = 0; s < nser; s++) {
		sonde__ob_puts(ob, s ? ",\n{\"name\":" : "{\"name\":");
		put_jstrz(ob, s ? m->all[rp->top[s - 1]]->name : "all events");
		sonde__ob_puts(ob, ",\"total\":");
		sonde__ob_u64(ob, s ? rp->cls_count[rp->top[s - 1]] : rp->total);
		sonde__ob_puts(ob, ",\"counts\":[");
		for (uint32_t b = 0; b < rp->nbins; b++) {
			if (b)
				sonde__ob_putc(ob, ',');
			sonde__ob_u64(ob, rp->bins[b * nser + s]);
		}
		sonde__ob_puts(ob, "]}");
	}
	sonde__ob_puts(ob, "],\"discarded\":[");
	for (uint32_t i = 0; i < rp->ndisc; i++) {
		sonde__ob_puts(ob, i ? ",[" : "[");
		sonde__ob_i64(ob, rp->disc[i][0]);
		sonde__ob_putc(ob, ',');
		sonde__ob_i64(ob, rp->disc[i][1]);
		sonde__ob_putc(ob, ',');
		sonde__ob_i64(ob, rp->disc[i][2]);
		sonde__ob_putc(ob, ']');
	}
	sonde__ob_puts(ob, "],\"discarded_ranges\":");
	sonde__ob_u64(ob, rp->ndisc_total);
	sonde__ob_puts(ob, "},\n\"pairs\":[");
	for (uint32_t i = 0, comma = 0; i < rp->npairs; i++) {
		const struct pair *p = &rp->pairs[i];

		if (!p->n && !p->unmatched)
			continue;
		sonde__ob_puts(ob, comma++ ? ",\n{\"name\":" : "{\"name\":");
		put_jstrz(ob, p->name);
		sonde__ob_puts(ob, ",\"begin\":");
		put_jstrz(ob, m->all[p->begin]->name);
		sonde__ob_puts(ob, ",\"end\":");
		put_jstrz(ob, m->all[p->end]->name);
		sonde__ob_puts(ob, ",\"count\":");
		sonde__ob_u64(ob, p->n);
		sonde__ob_puts(ob, ",\"unmatched\":");
		sonde__ob_u64(ob, p->unmatched);
		put_key_i64(ob, ",\"min\":", p->n ? p->dur[0] : 0);
		put_key_i64(ob, ",\"p50\":", ru_percentile(p->dur, p->n, 50));
		put_key_i64(ob, ",\"p90\":", ru_percentile(p->dur, p->n, 90));
		put_key_i64(ob, ",\"p99\":", ru_percentile(p->dur, p->n, 99));
		put_key_i64(ob, ",\"max\":", p->n ? p->dur[p->n - 1] : 0);
		ld_hist_write(ob, p->dur, p->n);
		sonde__ob_putc(ob, '}');
	}
	sonde__ob_putc(ob, ']');
	if (rp->sg)
		write_latency(rp, ob);
	dens_write(&rp->dn, ob);
	sc_write(&rp->sc, ob, pair_name(rp, 0));
	if (rp->has_perf)
		write_perf(rp, ob);
	sonde__ob_putc(ob, '}');
}

/* The output: FILE (see cli_output_open()), or standard output for "-". */
static int write_report(struct report *rp, const char *out)
{
	struct cli_output o;
	struct sonde__obuf ob = { 0 };
	int ret = -1;

	if (cli_output_open(&o, strcmp(out, "-") ? out : NULL))
		return -1;
	if (sonde__ob_init(&ob, o.fd)) {
		cli_error("out of memory");
		goto out;
	}
	sonde__ob_puts(&ob, sonde_report_html_head);
	write_data(rp, &ob);
	sonde__ob_puts(&ob, sonde_report_html_tail);
	if (sonde__ob_flush(&ob)) {
		cli_error("%s: write error: %s", o.name, strerror(-ob.err));
		goto out;
	}
	ret = 0;
out:
	if (cli_output_close(&o, !ret))
		ret = -1;
	sonde__ob_free(&ob);
	return ret;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *e;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || *e || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/*
 * Pick the slices and the instant budget from the pass 1 totals: all
 * items when they fit; else the longest slices (up to 3/4 of the budget,
 * more when there are few instants), the instants sampled in the rest.
 * 0 or -ENOMEM.
 */
static int plan_timeline(struct report *rp)
{
	uint64_t cap = rp->max_items, slice_budget, kept = rp->nslices;

	rp->slice_min = INT64_MIN;
	rp->slice_ties = 0;
	if (rp->nslices + rp->ninst <= cap) {
		rp->inst_budget = rp->ninst;
		return 0;
	}
	slice_budget = cap * 3 / 4;
	if (rp->ninst < cap - slice_budget)
		slice_budget = cap - rp->ninst;
	if (rp->nslices > slice_budget) {
		int64_t *all = malloc(rp->nslices * sizeof(*all));
		size_t n = 0, greater = 0;

		if (!all)
			return -ENOMEM;
		/* (an empty array may be NULL: no memcpy from it) */
		for (uint32_t i = 0; i < rp->npairs; i++) {
			if (rp->pairs[i].n)
				memcpy(all + n, rp->pairs[i].dur,
				       rp->pairs[i].n * sizeof(*all));
			n += rp->pairs[i].n;
		}
		if (rp->nopen)
			memcpy(all + n, rp->open_dur, rp->nopen * sizeof(*all));
		n += rp->nopen;
		qsort(all, n, sizeof(*all), ru_cmp_i64);
		if (!slice_budget) {
			rp->slice_min = INT64_MAX;
		} else {
			/* the slice_budget-th longest, and how many of its length */
			rp->slice_min = all[n - slice_budget];
			while (greater < n && all[n - 1 - greater] > rp->slice_min)
				greater++;
			rp->slice_ties = slice_budget - greater;
		}
		free(all);
		kept = slice_budget;
	}
	rp->inst_budget = cap > kept ? cap - kept : 0;
	if (rp->inst_budget > rp->ninst)
		rp->inst_budget = rp->ninst;
	return 0;
}

/*
 * The stats-group state for the latency table and --by over the reader's
 * current metadata (it keeps pointers into it).  0; 1 after an error line
 * (a --by field that no event has); -ENOMEM.
 */
static int make_sg(struct report *rp)
{
	int e;

	sg_free(rp->sg);
	rp->sg = NULL;
	if (!rp->npairs && !rp->by)
		return 0;
	free(rp->sgp);
	rp->sgp = calloc(rp->npairs + 1, sizeof(*rp->sgp));
	if (!rp->sgp)
		return -ENOMEM;
	for (uint32_t i = 0; i < rp->npairs; i++) {
		rp->sgp[i].name = rp->pairs[i].name;
		rp->sgp[i].begin = rp->m->all[rp->pairs[i].begin];
		rp->sgp[i].end = rp->m->all[rp->pairs[i].end];
	}
	e = sg_new(rp->m, rp->sgp, rp->npairs, rp->by,
		   rp->npairs ? rp->lat_rows : 0, NULL, &rp->sg);
	if (e) {
		sg_free(rp->sg);
		rp->sg = NULL;
	}
	return e;
}

/*
 * After pass 1: the density strips (threads with slices) and the
 * scatter (pairs with slices) over the span.  0 or -ENOMEM.
 */
static int plan_views(struct report *rp)
{
	int64_t span = rp->last_ns - rp->first_ns;
	uint64_t *slices = calloc(rp->tm.n + 1, sizeof(*slices));
	struct sc_in *in = calloc(rp->npairs + 1, sizeof(*in));
	int e = -ENOMEM;

	if (!slices || !in)
		goto out;
	for (uint32_t i = 0; i < rp->tm.n; i++)
		slices[i] = rp->tm.t[i].slices;
	for (uint32_t i = 0; i < rp->npairs; i++) {
		const struct pair *p = &rp->pairs[i];

		in[i].n = p->n;
		in[i].min = p->n ? p->dur[0] : 0;
		in[i].max = p->n ? p->dur[p->n - 1] : 0;
	}
	e = dens_plan(&rp->dn, rp->tm.n, slices, span);
	if (!e)
		e = sc_plan(&rp->sc, rp->npairs, in, span);
out:
	free(slices);
	free(in);
	return e;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "max-items", required_argument, NULL, 'm' },
		{ "bins", required_argument, NULL, 'b' },
		{ "top", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = "report.html";
	char *dir[1];
	struct report rp;
	int c, ret = 1, ndir = 0;
	uint32_t nc;

	memset(&rp, 0, sizeof(rp));
	rp.max_items = DEF_MAX_ITEMS;
	rp.nbins = DEF_BINS;
	rp.lat_rows = DEF_TOP;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "o:h", opts, dir, 1, &ndir)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'm':
			if (parse_u32(optarg, 1, 50000000, &rp.max_items))
				return cli_error("report: bad --max-items '%s' (1 to 50000000)",
						 optarg);
			break;
		case 'b':
			if (parse_u32(optarg, 1, 100000, &rp.nbins))
				return cli_error("report: bad --bins '%s' (1 to 100000)",
						 optarg);
			break;
		case 't':
			if (parse_u32(optarg, 1, MAX_TOP, &rp.lat_rows))
				return cli_error("report: bad --top '%s' (1 to %u)",
						 optarg, MAX_TOP);
			break;
		case 'y':
			rp.by = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 1;
		}
	}
	if (ndir != 1 || !*out) {
		fputs(usage_text, stderr);
		return 1;
	}
	ld_init();
	rp.dir = dir[0];
	rp.r = ru_open(rp.dir);
	if (!rp.r)
		return 1;
	rp.m = sonde__reader_meta(rp.r);
	nc = rp.m->nr_classes;
	rp.role = calloc(nc + 1, 1);
	rp.partner = calloc(nc + 1, sizeof(*rp.partner));
	rp.pair_of = calloc(nc + 1, sizeof(*rp.pair_of));
	rp.cls_count = calloc(nc + 1, sizeof(*rp.cls_count));
	rp.pairs = calloc(nc + 1, sizeof(*rp.pairs));
	rp.top_of_cls = calloc(nc + 1, sizeof(*rp.top_of_cls));
	rp.perf = calloc(nc + 1, 1);
	rp.sy = syms_new();
	if (!rp.role || !rp.partner || !rp.pair_of || !rp.cls_count ||
	    !rp.pairs || !rp.top_of_cls || !rp.perf || !rp.sy)
		goto nomem;
	for (uint32_t i = 0; i < nc; i++) {
		const char *n = rp.m->all[i]->name;

		if (!strcmp(n, "perf:sample"))
			rp.perf[i] = PERF_SAMPLE;
		else if (!strcmp(n, "perf:mmap"))
			rp.perf[i] = PERF_MMAP;
		else if (!strcmp(n, "perf:counter"))
			rp.perf[i] = rp.has_counters = PERF_COUNTER;
		rp.has_perf |= rp.perf[i] != PERF_NONE;
	}
	ru_pairs(rp.m, rp.role, rp.partner);
	for (uint32_t i = 0; i < nc; i++) {
		size_t bl;

		if (rp.role[i] != 1)
			continue;
		ru_split_role(rp.m->all[i]->name, &bl);
		rp.pairs[rp.npairs].begin = i;
		rp.pairs[rp.npairs].end = rp.partner[i];
		rp.pairs[rp.npairs].name = strndup(rp.m->all[i]->name, bl);
		if (!rp.pairs[rp.npairs].name)
			goto nomem;
		rp.pair_of[i] = rp.npairs;
		rp.pair_of[rp.partner[i]] = rp.npairs;
		rp.npairs++;
	}
	/* a --by that does not fit the trace fails now, not after pass 1 */
	c = make_sg(&rp);
	if (c == -ENOMEM)
		goto nomem;
	if (c)
		goto out;

	/* pass 1 */
	if (run_pass(&rp, 1))
		goto out;
	for (uint32_t i = 0; i < rp.npairs; i++)
		if (rp.pairs[i].n)
			qsort(rp.pairs[i].dur, rp.pairs[i].n,
			      sizeof(*rp.pairs[i].dur), ru_cmp_i64);
	/* the 5 most frequent names (ties: metadata order) */
	for (uint32_t i = 0; i < nc; i++)
		rp.top_of_cls[i] = -1;
	for (rp.ntop = 0; rp.ntop < TOP_NAMES; rp.ntop++) {
		uint32_t best = UINT32_MAX;

		for (uint32_t i = 0; i < nc; i++)
			if (rp.cls_count[i] && rp.top_of_cls[i] < 0 &&
			    (best == UINT32_MAX || rp.cls_count[i] > rp.cls_count[best]))
				best = i;
		if (best == UINT32_MAX)
			break;
		rp.top[rp.ntop] = best;
		rp.top_of_cls[best] = rp.ntop;
	}
	rp.bin_ns = (rp.last_ns - rp.first_ns) / (int64_t)rp.nbins + 1;
	rp.bins = calloc((size_t)rp.nbins * (size_t)(1 + rp.ntop), sizeof(*rp.bins));
	if (!rp.bins)
		goto nomem;
	if (plan_timeline(&rp) || plan_views(&rp))
		goto nomem;
	/* sample density: SAMPLE_BINS per thread, whatever the samples */
	if (syms_samples(rp.sy) && rp.tm.n) {
		rp.dens = calloc((size_t)rp.tm.n * SAMPLE_BINS, sizeof(*rp.dens));
		if (!rp.dens)
			goto nomem;
		rp.dens_thr = rp.tm.n;
		rp.dens_ns = (rp.last_ns - rp.first_ns) / (int64_t)SAMPLE_BINS + 1;
	}

	/* pass 2, on a fresh reader */
	sonde__reader_close(rp.r);
	rp.r = ru_open(rp.dir);
	if (!rp.r)
		goto out;
	if (sonde__reader_meta(rp.r)->nr_classes != nc) {
		cli_error("%s: trace changed while reading it", rp.dir);
		goto out;
	}
	rp.m = sonde__reader_meta(rp.r);
	c = make_sg(&rp);
	if (c == -ENOMEM)
		goto nomem;
	if (c)
		goto out;
	ru_slots_reset(&rp.sm);
	for (uint32_t i = 0; i < rp.tm.n; i++)
		rp.tm.t[i].open = 0;
	if (run_pass(&rp, 2))
		goto out;
	if (rp.nitems > 1)
		qsort(rp.items, rp.nitems, sizeof(*rp.items), cmp_item);
	if (rp.sg && sg_finish(rp.sg))
		goto nomem;
	if (write_report(&rp, out))
		goto out;
	ret = 0;
	goto out;
nomem:
	cli_error("out of memory");
out:
	ru_slots_free(&rp.sm);
	for (uint32_t i = 0; i < rp.npairs; i++) {
		free(rp.pairs[i].name);
		free(rp.pairs[i].dur);
	}
	free(rp.pairs);
	free(rp.role);
	free(rp.partner);
	free(rp.pair_of);
	free(rp.cls_count);
	free(rp.top_of_cls);
	free(rp.bins);
	free(rp.items);
	free(rp.open_dur);
	free(rp.perf);
	free(rp.dens);
	syms_free(rp.sy);
	ru_counters_free(&rp.cn);
	sg_free(rp.sg);
	free(rp.sgp);
	dens_free(&rp.dn);
	sc_free(&rp.sc);
	free(rp.tm.t);
	free(rp.tm.h);
	sonde__reader_close(rp.r);
	return ret;
}
