/* SPDX-License-Identifier: MIT */
/*
 * Symbolization of the perf:sample ips of a trace through its perf:mmap
 * events and the ELF symbol tables of the mapped files (src/reader/elfsym.h).
 * Used by sonde stats and sonde report.  See symbols.c.
 */
#ifndef SONDE_TOOLS_SYMBOLS_H
#define SONDE_TOOLS_SYMBOLS_H

#include <stdint.h>

#include "read-util.h"

struct syms;

struct syms *syms_new(void);
void syms_free(struct syms *s);
/* Feed event @ev: perf:mmap events are kept, perf:sample events counted
 * (ip, pid: resolved at the end).  0 or -ENOMEM. */
int syms_event(struct syms *s, const struct sonde__rd_event *ev);
/* Samples fed so far. */
uint64_t syms_samples(const struct syms *s);

struct sym_row {
	const char *name;   /* the function, or "[unknown]", "[kernel]" */
	const char *object; /* the file's base name, or "[unknown]" */
	uint64_t samples;
};
/* Resolve every sample, grouped by (function, object), most sampled
 * first: *@rows (owned by @s), *@n of them.  0 or -ENOMEM. */
int syms_table(struct syms *s, const struct sym_row **rows, size_t *n);

/* Field @name of event @ev as an integer; 0 when absent. */
uint64_t ru_field_u64(const struct sonde__rd_event *ev, const char *name,
		      int *found);
/* String field @name of @ev, or NULL. */
const char *ru_field_str(const struct sonde__rd_event *ev, const char *name);

#endif
