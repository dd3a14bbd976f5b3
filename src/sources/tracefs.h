/* SPDX-License-Identifier: MIT */
/*
 * The kernel's tracefs: where it is mounted, which trace events it offers,
 * and their formats parsed by libtraceevent.  Used by the kernel
 * tracepoint source (kernel.c) and `sonde list -k`.  See tracefs.c.
 */
#ifndef SONDE_SRC_SOURCES_TRACEFS_H
#define SONDE_SRC_SOURCES_TRACEFS_H

#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

struct tep_handle;
struct tep_event;

/*
 * The tracefs directory into @dir (@size bytes): $SONDE_TRACEFS if set (a
 * fixture tree, say), else the tracefs mount in /proc/mounts, else
 * debugfs's tracing/, else tracefs mounted at /sys/kernel/tracing when
 * permitted.  0 or -errno, with a sentence for the user in @why
 * (-ENOENT: none, and mounting it failed; -EACCES: not readable).
 */
SONDE_HIDDEN int sonde__tracefs_find(char *dir, size_t size, char *why,
				     size_t why_size);

/* One trace event of tracefs. */
struct sonde__tracefs_event {
	char *system, *name;
	struct tep_event *ev; /* its format, parsed (owned by the set's tep) */
};

/* Events matched by patterns, their formats parsed. */
struct sonde__tracefs_set {
	struct tep_handle *tep;
	struct sonde__tracefs_event *ev;
	size_t n;
};

/*
 * Add to @set (zeroed at first) the events of tracefs @dir matching
 * @pattern: "SYSTEM:NAME" (or SYSTEM/NAME), each part a glob(7) pattern,
 * or NAME alone for that name in any system.  An event already in the set
 * is not added again.  At most @max events in all.  0, -ENOENT (nothing
 * matched), -E2BIG (more than @max), -EINVAL (a format libtraceevent
 * cannot parse, or a bad pattern), -ENOMEM or -errno of reading tracefs;
 * @why says which.
 */
SONDE_HIDDEN int sonde__tracefs_match(struct sonde__tracefs_set *set,
				      const char *dir, const char *pattern,
				      size_t max, char *why, size_t why_size);
SONDE_HIDDEN void sonde__tracefs_set_free(struct sonde__tracefs_set *set);
/* The perf id of an event (its format's ID). */
SONDE_HIDDEN int sonde__tracefs_event_id(const struct sonde__tracefs_event *e);

#endif
