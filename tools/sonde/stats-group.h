/* SPDX-License-Identifier: MIT */
/*
 * sonde stats --by FIELD[,FIELD] and --top N [--pair NAME] (stats-group.c):
 * begin/end pair durations grouped by the values of begin-event fields,
 * event counts grouped the same way, and the N longest slices with the
 * fields of both their events.  cmd-stats.c matches the pairs and calls in
 * here for each event, begin and matched end; sonde report (cmd-report.c)
 * does the same for its latency table and per-group histograms.
 */
#ifndef SONDE_TOOLS_STATS_GROUP_H
#define SONDE_TOOLS_STATS_GROUP_H

#include <stdint.h>
#include <stdio.h>

#include "read-util.h"

/* --by takes at most this many fields; --top at most this many slices. */
#define SG_MAX_BY 8
#define SG_MAX_TOP 1000000ul

/* A begin/end pair as the caller (cmd-stats.c, cmd-report.c) found it. */
struct sg_pair {
	const char *name;
	const struct sonde__rd_class *begin, *end;
};

struct sg;

/* One of the longest slices: the begin and end payloads stay valid while
 * the reader that gave them lives. */
struct sg_top {
	int64_t dur, bns;
	int32_t pid, tid;
	uint32_t pair;
	const uint8_t *bp, *ep;
};

/* A pair group as sonde report draws it (sg_pair_group()). */
struct sg_group {
	uint32_t pair;
	uint64_t count;
	int64_t total;
	const int64_t *dur;   /* @count durations, sorted */
};

/*
 * Set up for the pairs @pairs[@nps] of @m (kept, not copied): @by is the
 * comma-separated field list or NULL, @top the slices to keep (0: none),
 * @pair a pair name that --top and --by keep to, or NULL.  0; 1 after an
 * error line for an argument that does not fit the trace; -ENOMEM.
 */
int sg_new(const struct sonde__rd_meta *m, const struct sg_pair *pairs,
	   uint32_t nps, const char *by, unsigned long top, const char *pair,
	   struct sg **out);
/* Every event (counts by field).  0 or -ENOMEM. */
int sg_event(struct sg *g, const struct sonde__rd_event *ev);
/* A begin of pair @pair: *@tag is what sg_end() gets back for it.  0 or
 * -ENOMEM. */
int sg_begin(struct sg *g, const struct sonde__rd_event *ev, uint32_t pair,
	     uint32_t *tag);
/* The end @ev matched with the begin of @tag, at @begin_ns, lasting @dur
 * ns.  0 or -ENOMEM. */
int sg_end(struct sg *g, const struct sonde__rd_event *ev, uint32_t pair,
	   uint32_t tag, int64_t begin_ns, int64_t dur);
/* After the last event: sort.  0 or -ENOMEM. */
int sg_finish(struct sg *g);
/* The tables as text, or the JSON members (",\"by\":...") to put before the
 * closing brace of stats' object.  0 or -errno of a write. */
int sg_print(struct sg *g, FILE *f, int json);

/*
 * After sg_finish(), for sonde report.  The pair groups that have slices,
 * the most total time first (sg_print()'s order): how many, and group @i
 * with its --by values as a JSON object in @val (emptied first; @tmp is
 * scratch).  The longest slices, longest first: *@n of them.
 */
size_t sg_pair_groups(const struct sg *g);
void sg_pair_group(const struct sg *g, size_t i, struct sg_group *out,
		   struct sonde__obuf *val, struct sonde__obuf *tmp);
const struct sg_top *sg_top_list(const struct sg *g, size_t *n);
void sg_free(struct sg *g);

#endif
