/* SPDX-License-Identifier: MIT */
/* Helpers shared by the trace-reading verbs (view, stats, export). */
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

/* Glob match of an event name ('*' and '?'). */
int ru_match(const char *pat, const char *name);

#endif
