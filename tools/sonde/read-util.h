/* SPDX-License-Identifier: MIT */
/* Helpers shared by the trace-reading verbs (view, stats, export, report). */
#ifndef SONDE_TOOLS_READ_UTIL_H
#define SONDE_TOOLS_READ_UTIL_H

#include <stdint.h>

#include "../../src/reader/format.h"
#include "../../src/reader/reader.h"

/* Open @dir; on error prints "sonde: MSG" and returns NULL. */
struct sonde__reader *ru_open(const char *dir);

/*
 * Parse a --since/--until TIME: "HH:MM:SS[.frac]" (local time of day, or
 * UTC with @gmt, on the day of @first_ns), "SECONDS[.frac]" since the epoch,
 * or "+SECONDS[.frac]" after @first_ns.  0 or -EINVAL.
 */
int ru_parse_time(const char *s, int64_t first_ns, int gmt, int64_t *out);

/*
 * Role of an event name in a begin/end pair: 0 "X_begin", 1 "X_end",
 * 2 "X_entry", 3 "X_exit", -1 none; *@base = length of X.
 */
int ru_split_role(const char *name, size_t *base);

/*
 * Pair classes of @m: role[i] = 1 (begin) or 2 (end) or 0, partner[i] =
 * index of the other class.  Arrays of m->nr_classes entries.
 */
void ru_pairs(const struct sonde__rd_meta *m, unsigned char *role,
	      uint32_t *partner);

/*
 * Open begins of begin/end pairs: for each (thread, pair), a stack of the
 * begin times (and nesting depths) not yet ended.  Used by stats and
 * report to match X_begin/X_end (X_entry/X_exit) on the same thread.
 */
struct ru_open {
	int64_t ns;
	uint32_t depth;
	uint32_t tag;      /* the caller's: 0, set it after ru_slot_push() */
};

struct ru_slot {
	uint32_t thr, pair;
	int used;
	struct ru_open *st;
	size_t n, cap;
};

struct ru_slots {
	struct ru_slot *s;
	size_t cap, used;
};

/* The stack of (@thr, @pair), created empty; NULL when out of memory. */
struct ru_slot *ru_slot_get(struct ru_slots *m, uint32_t thr, uint32_t pair);
/* Push a begin; 0 or -ENOMEM. */
int ru_slot_push(struct ru_slot *sl, int64_t ns, uint32_t depth);
/* Empty every stack (the map stays); free everything. */
void ru_slots_reset(struct ru_slots *m);
void ru_slots_free(struct ru_slots *m);

/*
 * Make room for one more element in the array *@arrp of *@cap elements of
 * @elem bytes holding @n: doubles it (first size @first).  0 or -ENOMEM.
 */
int ru_grow(void *arrp, size_t *cap, size_t n, size_t elem, size_t first);

/* qsort comparator of int64_t. */
int ru_cmp_i64(const void *a, const void *b);
/* Nearest-rank percentile @q (0-100) of sorted @v[@n]; 0 when empty. */
int64_t ru_percentile(const int64_t *v, size_t n, unsigned q);

/* Glob match of an event name ('*' and '?'). */
int ru_match(const char *pat, const char *name);

/*
 * perf:counter readings of a trace (sonde record --counter-period), per
 * counter name and thread, and their deltas over begin/end pairs: sonde
 * stats and sonde report show the same numbers.  A counter's value at a
 * pair's begin and end is interpolated linearly between the thread's two
 * readings around that time (taken as the first or the last reading
 * outside them), so a delta is exact at the readings and proportional in
 * between; pairs of a thread without readings are not counted.
 */
/* Counter names kept, at most. */
#define RU_MAX_CNAMES 32

struct ru_creading {
	int64_t ns;
	uint64_t v;
};

/* The readings of one counter of one thread, in time order. */
struct ru_cseries {
	int32_t pid, tid;
	uint32_t name;
	struct ru_creading *r;
	size_t n, cap;
};

/* A matched pair's span, for its counter deltas. */
struct ru_cspan {
	uint32_t pair;
	int32_t tid;
	int64_t b, e;
};

struct ru_counters {
	char *name[RU_MAX_CNAMES];
	uint32_t nnames;
	struct ru_cseries *s;
	size_t n, cap;
	struct ru_cspan *sp;
	size_t nsp, csp;
};

struct ru_delta {
	uint64_t n;
	double sum, min, max;
};

/* Keep perf:counter event @ev (at ev->ns).  0 or -ENOMEM. */
int ru_counters_reading(struct ru_counters *c, const struct sonde__rd_event *ev);
/* Pair @pair of thread @tid ran from @b to @e ns.  0 or -ENOMEM. */
int ru_counters_span(struct ru_counters *c, uint32_t pair, int32_t tid,
		     int64_t b, int64_t e);
/* The deltas of counter @k over the spans of pair @pair. */
void ru_counters_deltas(const struct ru_counters *c, uint32_t pair,
			uint32_t k, struct ru_delta *d);
void ru_counters_free(struct ru_counters *c);

#endif
