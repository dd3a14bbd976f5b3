/* SPDX-License-Identifier: MIT */
/*
 * What sonde report draws from every slice of a trace in a size that does
 * not grow with it (report-views.c): log-scale duration bins and their
 * histograms, the timeline's density strips (the share of each time bin
 * that a thread spent inside slices) and the time-versus-duration scatter
 * (a grid of cells, each column's shortest and longest slice exact).
 */
#ifndef SONDE_TOOLS_REPORT_VIEWS_H
#define SONDE_TOOLS_REPORT_VIEWS_H

#include <stdint.h>

#include "read-util.h"

/* Log-scale duration bins: 10 per decade, edges 10^(k/10) ns. */
#define LD_PER_DECADE 10
#define LD_MAX 190

/* Fill the edge table; once, before ld_bin(). */
void ld_init(void);
/* The largest k with 10^(k/10) <= @d ns (0 for @d < 1 ns). */
int ld_bin(int64_t d);
/*
 * The JSON members ",\"hist_per_decade\":5,\"hist_lo\":LO,\"hist\":[...]"
 * of the sorted durations @dur[@n]: counts in bins of 10^(k/5) ns from bin
 * LO to the bin of the longest.
 */
void ld_hist_write(struct sonde__obuf *ob, const int64_t *dur, size_t n);

/*
 * Density strips.  Each thread with slices gets @bins bins over the
 * trace: the power of two from DENS_MIN_BINS up to 4 bins a slice of the
 * busiest thread, but DENS_MAX_BINS at most and no more than fit
 * DENS_BUDGET in all (threads beyond the budget at DENS_MIN_BINS get
 * none).  A bin
 * holds the time covered by the thread's outermost slices.  In the
 * page a bin is one byte (its covered share, 1 to 255 when it holds any
 * slice), base64: at most DENS_BUDGET * 4 / 3 bytes.
 */
#define DENS_MAX_BINS 65536u
#define DENS_MIN_BINS 1024u
#define DENS_BUDGET (1u << 21)

struct dens {
	uint32_t bins;
	int64_t bin_ns, span;
	uint32_t nthr;
	uint32_t *row;       /* thread -> strip, UINT32_MAX for none */
	uint32_t *thr;       /* strip -> thread */
	uint32_t nrows;
	uint32_t skipped;    /* threads with slices left without a strip */
	uint64_t *cov;       /* nrows * bins: ns covered */
};

/*
 * Strips for the threads of @slices[@nthr] (their slice counts) that have
 * slices, over @span ns.  0 or -ENOMEM.
 */
int dens_plan(struct dens *d, uint32_t nthr, const uint64_t *slices,
	      int64_t span);
/* Thread @thr was inside a slice from @b to @e ns since the first event. */
void dens_add(struct dens *d, uint32_t thr, int64_t b, int64_t e);
/* ",\n\"density\":{...}" */
void dens_write(const struct dens *d, struct sonde__obuf *ob);
void dens_free(struct dens *d);

/*
 * Scatter of slice durations against their begin time, for the SC_PAIRS
 * pairs with the most slices: SC_COLS time columns, and in each at most
 * SC_ROWS cells of log duration (1/10 decade each, or more when the pair's
 * durations span more than SC_ROWS / 10 decades) with their slice count;
 * the shortest and longest slice of each column exact.  At most SC_PAIRS
 * * SC_COLS * (SC_ROWS + 2) points.
 */
#define SC_COLS 800u
#define SC_ROWS 64u
#define SC_PAIRS 8u

/* A pair as sc_plan() sees it: its slices, shortest and longest. */
struct sc_in {
	uint64_t n;
	int64_t min, max;
};

struct sc_pair {
	uint32_t pair;
	int lo, step;        /* row r: ld bins lo + r * step ... */
	uint32_t rows;
	uint64_t n;
	uint32_t *cell;      /* SC_COLS * rows */
	int64_t *mn, *mx;    /* SC_COLS, mx -1: empty column */
};

struct scatter {
	int64_t col_ns;
	uint32_t npairs;     /* all pairs */
	int32_t *of;         /* pair -> index in p, or -1 */
	struct sc_pair p[SC_PAIRS];
	uint32_t n;
};

/* Pick the pairs of @in[@npairs] and size the grid over @span ns.  0 or
 * -ENOMEM. */
int sc_plan(struct scatter *s, uint32_t npairs, const struct sc_in *in,
	    int64_t span);
/* A slice of pair @pair beginning @b ns after the first event, of @d ns. */
void sc_add(struct scatter *s, uint32_t pair, int64_t b, int64_t d);
/* ",\n\"scatter\":{...}"; a pair is named by its index + @name_base in the
 * report's names table. */
void sc_write(const struct scatter *s, struct sonde__obuf *ob,
	      uint32_t name_base);
void sc_free(struct scatter *s);

#endif
