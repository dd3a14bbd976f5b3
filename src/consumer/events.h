/* SPDX-License-Identifier: MIT */
/* Event classes read back from a session's shared registry, and a record
 * walker that sizes records with them. */
#ifndef SONDE_SRC_CONSUMER_EVENTS_H
#define SONDE_SRC_CONSUMER_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "../buffers/layout.h"
#include "../writer/model.h"

struct sonde__event_table {
	struct sonde__event_class **ev; /* by id */
	uint32_t nr;                    /* slots in ev */
	uint32_t parsed;                /* registry bytes parsed so far */
};

/* Parse registry entries published since the last call.  0 or -errno. */
SONDE_HIDDEN int sonde__events_refresh(struct sonde__event_table *t,
				       const struct sonde__shm_hdr *h);
SONDE_HIDDEN void sonde__events_free(struct sonde__event_table *t);

struct sonde__record {
	uint32_t id;
	uint32_t len;  /* header + payload bytes */
	uint64_t ts;   /* full timestamp, extended from the previous one */
};

/*
 * Size record at @p (at most @avail bytes); @ts is the previous record's
 * timestamp.  Returns 0, or -EBADMSG if it is malformed or of an unknown
 * class.
 */
SONDE_HIDDEN int sonde__record_walk(const struct sonde__event_table *t,
				    const uint8_t *p, size_t avail,
				    uint64_t prev_ts, struct sonde__record *r);

#endif
