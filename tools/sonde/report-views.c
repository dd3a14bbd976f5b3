// SPDX-License-Identifier: MIT
/*
 * sonde report's summaries of every slice (report-views.h): duration bins
 * on a log scale, the timeline's density strips and the scatter grid.
 * cmd-report.c feeds them during its second pass over the trace, when the
 * span and each pair's shortest and longest slice are known, and writes
 * them into the page's JSON.  Each has a fixed upper size whatever the
 * number of slices, stated in report-views.h and in the page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report-views.h"

static double ld_edge[LD_MAX + 1];

void ld_init(void)
{
	/* 10^(k/10) for k = 0..9: no libm needed; the even ones are the
	 * 10^(k/5) edges of the 5-a-decade histograms. */
	static const double step[LD_PER_DECADE] = {
		1.0, 1.2589254117941673, 1.5848931924611136,
		1.9952623149688795, 2.5118864315095801, 3.1622776601683795,
		3.9810717055349722, 5.0118723362727229, 6.3095734448019325,
		7.9432823472428150,
	};
	double dec = 1.0;

	for (int k = 0; k <= LD_MAX; k++) {
		if (k && k % LD_PER_DECADE == 0)
			dec *= 10.0;
		ld_edge[k] = dec * step[k % LD_PER_DECADE];
	}
}

int ld_bin(int64_t d)
{
	int lo = 0, hi = LD_MAX;

	if ((double)d < ld_edge[1])
		return 0;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;

		if (ld_edge[mid] <= (double)d)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* The 5-a-decade histogram bin: every other edge of ld_edge. */
static int hb_bin(int64_t d)
{
	return ld_bin(d) / 2;
}

void ld_hist_write(struct sonde__obuf *ob, const int64_t *dur, size_t n)
{
	int lo = 0, hi = 0;
	size_t k = 0;

	if (n) {
		lo = hb_bin(dur[0]);
		hi = hb_bin(dur[n - 1]);
	}
	sonde__ob_puts(ob, ",\"hist_per_decade\":5,\"hist_lo\":");
	sonde__ob_i64(ob, lo);
	sonde__ob_puts(ob, ",\"hist\":[");
	for (int b = lo; n && b <= hi; b++) {
		uint64_t c = 0;

		while (k < n && (b == hi || hb_bin(dur[k]) <= b)) {
			c++;
			k++;
		}
		if (b > lo)
			sonde__ob_putc(ob, ',');
		sonde__ob_u64(ob, c);
	}
	sonde__ob_putc(ob, ']');
}

/* --- density strips --------------------------------------------------- */

int dens_plan(struct dens *d, uint32_t nthr, const uint64_t *slices,
	      int64_t span)
{
	uint32_t nw = 0, bins = DENS_MIN_BINS, cap;
	uint64_t most = 0;

	memset(d, 0, sizeof(*d));
	for (uint32_t i = 0; i < nthr; i++) {
		nw += slices[i] != 0;
		if (slices[i] > most)
			most = slices[i];
	}
	if (!nw)
		return 0;
	/* finer than the slices of the busiest thread need is only bytes */
	while (bins < DENS_MAX_BINS && bins < most * 4 &&
	       (uint64_t)bins * 2 * nw <= DENS_BUDGET)
		bins *= 2;
	if (span < 0)
		span = 0;
	d->span = span;
	/* bins of bin_ns cover 0..span; fewer bins for a span that short */
	d->bin_ns = (span + (int64_t)bins) / (int64_t)bins;
	d->bins = (uint32_t)((span + d->bin_ns) / d->bin_ns);
	cap = DENS_BUDGET / bins;
	d->nthr = nthr;
	d->row = malloc(nthr * sizeof(*d->row));
	d->thr = malloc((nw < cap ? nw : cap) * sizeof(*d->thr));
	if (!d->row || !d->thr)
		return -ENOMEM;
	for (uint32_t i = 0; i < nthr; i++) {
		d->row[i] = UINT32_MAX;
		if (!slices[i])
			continue;
		if (d->nrows == cap) {
			d->skipped++;
			continue;
		}
		d->thr[d->nrows] = i;
		d->row[i] = d->nrows++;
	}
	d->cov = calloc((size_t)d->nrows * d->bins, sizeof(*d->cov));
	return d->cov ? 0 : -ENOMEM;
}

void dens_add(struct dens *d, uint32_t thr, int64_t b, int64_t e)
{
	int64_t w = d->bin_ns, end = (int64_t)d->bins * w;
	uint64_t *c;
	int64_t i, j;

	if (thr >= d->nthr || d->row[thr] == UINT32_MAX)
		return;
	if (b < 0)
		b = 0;
	/* a slice of 0 ns still marks its bin */
	if (e <= b)
		e = b + 1;
	if (e > end)
		e = end;
	if (b >= e)
		return;
	c = d->cov + (size_t)d->row[thr] * d->bins;
	i = b / w;
	j = (e - 1) / w;
	if (i == j) {
		c[i] += (uint64_t)(e - b);
		return;
	}
	c[i] += (uint64_t)((i + 1) * w - b);
	for (int64_t k = i + 1; k < j; k++)
		c[k] += (uint64_t)w;
	c[j] += (uint64_t)(e - j * w);
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Bin @k of @c as one byte: 0 empty, else its covered share 1..255. */
static unsigned dens_byte(const struct dens *d, const uint64_t *c, uint32_t k)
{
	/* the last bin may reach past the trace's end: its share of what
	 * it holds of the trace */
	int64_t w = d->bin_ns, start = (int64_t)k * w;
	double v;

	if (!c[k])
		return 0;
	if (d->span + 1 - start < w)
		w = d->span + 1 - start;
	v = (double)c[k] / (double)(w < 1 ? 1 : w) * 255.0 + 0.5;
	if (v < 1.0)
		return 1;
	return v > 255.0 ? 255 : (unsigned)v;
}

void dens_write(const struct dens *d, struct sonde__obuf *ob)
{
	sonde__ob_puts(ob, ",\n\"density\":{\"bins\":");
	sonde__ob_u64(ob, d->bins);
	sonde__ob_puts(ob, ",\"bin_ns\":");
	sonde__ob_i64(ob, d->bin_ns);
	sonde__ob_puts(ob, ",\"budget\":");
	sonde__ob_u64(ob, DENS_BUDGET);
	sonde__ob_puts(ob, ",\"skipped\":");
	sonde__ob_u64(ob, d->skipped);
	sonde__ob_puts(ob, ",\"threads\":[");
	for (uint32_t r = 0; r < d->nrows; r++) {
		const uint64_t *c = d->cov + (size_t)r * d->bins;

		sonde__ob_puts(ob, r ? ",\n[" : "[");
		sonde__ob_u64(ob, d->thr[r]);
		sonde__ob_puts(ob, ",\"");
		for (uint32_t k = 0; k < d->bins; k += 3) {
			unsigned v[3] = { 0, 0, 0 }, n = d->bins - k < 3 ? d->bins - k : 3;
			char *p = sonde__ob_room(ob, 4);

			for (unsigned x = 0; x < n; x++)
				v[x] = dens_byte(d, c, k + x);
			p[0] = b64[v[0] >> 2];
			p[1] = b64[(v[0] & 3) << 4 | v[1] >> 4];
			p[2] = n > 1 ? b64[(v[1] & 15) << 2 | v[2] >> 6] : '=';
			p[3] = n > 2 ? b64[v[2] & 63] : '=';
			ob->len += 4;
		}
		sonde__ob_puts(ob, "\"]");
	}
	sonde__ob_puts(ob, "]}");
}

void dens_free(struct dens *d)
{
	free(d->row);
	free(d->thr);
	free(d->cov);
	memset(d, 0, sizeof(*d));
}

/* --- scatter ------------------------------------------------------------ */

int sc_plan(struct scatter *s, uint32_t npairs, const struct sc_in *in,
	    int64_t span)
{
	memset(s, 0, sizeof(*s));
	s->npairs = npairs;
	s->of = malloc((npairs + 1) * sizeof(*s->of));
	if (!s->of)
		return -ENOMEM;
	for (uint32_t i = 0; i < npairs; i++)
		s->of[i] = -1;
	if (span < 0)
		span = 0;
	s->col_ns = (span + (int64_t)SC_COLS) / (int64_t)SC_COLS;
	/* the pairs with the most slices (ties: the first) */
	while (s->n < SC_PAIRS) {
		uint32_t best = UINT32_MAX;
		struct sc_pair *p;
		int hi, nb;

		for (uint32_t i = 0; i < npairs; i++)
			if (in[i].n && s->of[i] < 0 &&
			    (best == UINT32_MAX || in[i].n > in[best].n))
				best = i;
		if (best == UINT32_MAX)
			break;
		p = &s->p[s->n];
		s->of[best] = (int32_t)s->n++;
		p->pair = best;
		p->lo = ld_bin(in[best].min);
		hi = ld_bin(in[best].max);
		nb = hi - p->lo + 1;
		p->step = (nb + (int)SC_ROWS - 1) / (int)SC_ROWS;
		p->rows = (uint32_t)((nb + p->step - 1) / p->step);
		p->cell = calloc((size_t)SC_COLS * p->rows, sizeof(*p->cell));
		p->mn = malloc(SC_COLS * sizeof(*p->mn));
		p->mx = malloc(SC_COLS * sizeof(*p->mx));
		if (!p->cell || !p->mn || !p->mx)
			return -ENOMEM;
		for (uint32_t c = 0; c < SC_COLS; c++) {
			p->mn[c] = INT64_MAX;
			p->mx[c] = -1;
		}
	}
	return 0;
}

void sc_add(struct scatter *s, uint32_t pair, int64_t b, int64_t d)
{
	struct sc_pair *p;
	int64_t col;
	int r;

	if (pair >= s->npairs || s->of[pair] < 0)
		return;
	p = &s->p[s->of[pair]];
	col = b < 0 ? 0 : b / s->col_ns;
	if (col >= (int64_t)SC_COLS)
		col = SC_COLS - 1;
	r = (ld_bin(d) - p->lo) / p->step;
	if (r < 0)
		r = 0;
	if ((uint32_t)r >= p->rows)
		r = (int)p->rows - 1;
	p->cell[(size_t)col * p->rows + (uint32_t)r]++;
	p->n++;
	if (d < p->mn[col])
		p->mn[col] = d;
	if (d > p->mx[col])
		p->mx[col] = d;
}

void sc_write(const struct scatter *s, struct sonde__obuf *ob,
	      uint32_t name_base)
{
	sonde__ob_puts(ob, ",\n\"scatter\":{\"cols\":");
	sonde__ob_u64(ob, SC_COLS);
	sonde__ob_puts(ob, ",\"col_ns\":");
	sonde__ob_i64(ob, s->col_ns);
	sonde__ob_puts(ob, ",\"per_decade\":");
	sonde__ob_u64(ob, LD_PER_DECADE);
	sonde__ob_puts(ob, ",\"max_rows\":");
	sonde__ob_u64(ob, SC_ROWS);
	sonde__ob_puts(ob, ",\"max_pairs\":");
	sonde__ob_u64(ob, SC_PAIRS);
	sonde__ob_puts(ob, ",\"pairs\":[");
	for (uint32_t i = 0; i < s->n; i++) {
		const struct sc_pair *p = &s->p[i];
		int comma = 0;

		sonde__ob_puts(ob, i ? ",\n{\"name\":" : "{\"name\":");
		sonde__ob_u64(ob, name_base + p->pair);
		sonde__ob_puts(ob, ",\"slices\":");
		sonde__ob_u64(ob, p->n);
		sonde__ob_puts(ob, ",\"lo\":");
		sonde__ob_i64(ob, p->lo);
		sonde__ob_puts(ob, ",\"step\":");
		sonde__ob_i64(ob, p->step);
		sonde__ob_puts(ob, ",\"rows\":");
		sonde__ob_u64(ob, p->rows);
		/* cells: column, row, count */
		sonde__ob_puts(ob, ",\"cells\":[");
		for (uint32_t c = 0; c < SC_COLS; c++)
			for (uint32_t r = 0; r < p->rows; r++) {
				uint32_t v = p->cell[(size_t)c * p->rows + r];

				if (!v)
					continue;
				sonde__ob_puts(ob, comma++ ? (comma & 15) ? "," : ",\n" : "");
				sonde__ob_u64(ob, c);
				sonde__ob_putc(ob, ',');
				sonde__ob_u64(ob, r);
				sonde__ob_putc(ob, ',');
				sonde__ob_u64(ob, v);
			}
		/* extremes: column, shortest, longest */
		sonde__ob_puts(ob, "],\"ext\":[");
		comma = 0;
		for (uint32_t c = 0; c < SC_COLS; c++) {
			if (p->mx[c] < 0)
				continue;
			sonde__ob_puts(ob, comma++ ? (comma & 15) ? "," : ",\n" : "");
			sonde__ob_u64(ob, c);
			sonde__ob_putc(ob, ',');
			sonde__ob_i64(ob, p->mn[c]);
			sonde__ob_putc(ob, ',');
			sonde__ob_i64(ob, p->mx[c]);
		}
		sonde__ob_puts(ob, "]}");
	}
	sonde__ob_puts(ob, "]}");
}

void sc_free(struct scatter *s)
{
	for (uint32_t i = 0; i < s->n; i++) {
		free(s->p[i].cell);
		free(s->p[i].mn);
		free(s->p[i].mx);
	}
	free(s->of);
	memset(s, 0, sizeof(*s));
}
