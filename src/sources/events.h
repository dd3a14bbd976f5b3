/* SPDX-License-Identifier: MIT */
/* Event classes read back from a session's shared registry, and the
 * record walker sizing records with them. */
#ifndef SONDE_SRC_SOURCES_EVENTS_H
#define SONDE_SRC_SOURCES_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "../buffers/layout.h"
#include "../format/record.h"
#include "../writer/model.h"

struct sonde__event_table {
	struct sonde__event_class **ev; /* by id */
	uint32_t nr;                    /* slots in ev */
	uint32_t parsed;                /* registry bytes parsed so far */
	/* Where the registry lies, from the creator's own copy of the
	 * geometry (never from the header processes can write). */
	const char *reg;
	uint32_t reg_size;
	int broken; /* a malformed entry or size was found: parsing ended */
	/* The session records the sites' addresses (set by the consumer
	 * before the first refresh): classes' ip variants are taken. */
	int ip_ctx;
};

/*
 * Say where the registry of @t lies: @reg_size bytes at @reg, in the
 * mapping of the header whose reg_used publishes its entries.  Call once,
 * before sonde__events_refresh(), with values the caller did not read from
 * shared memory.
 */
SONDE_HIDDEN void sonde__events_init(struct sonde__event_table *t,
				     const void *reg, uint32_t reg_size);
/*
 * Parse registry entries published since the last call (@h: only its
 * reg_used is read).  Every entry is copied before it is parsed; a size
 * or an entry no writer can have left ends parsing for good (t->broken),
 * the entries before it kept.  0, -EBADMSG (broken), -EINVAL (not
 * initialized) or -ENOMEM.
 */
SONDE_HIDDEN int sonde__events_refresh(struct sonde__event_table *t,
				       const struct sonde__shm_hdr *h);
SONDE_HIDDEN void sonde__events_free(struct sonde__event_table *t);

/*
 * One step of the record walker (sonde__rec_step()) over the packet at
 * @pkt, @content bytes, at @off, sizing payloads with the classes of @t.
 * An id of no class (SONDE__REC_UNKNOWN) may have been registered since
 * the last sonde__events_refresh().
 */
SONDE_HIDDEN int sonde__events_step(const struct sonde__event_table *t,
				    const uint8_t *pkt, size_t content,
				    size_t off, uint64_t prev_ts,
				    struct sonde__rec *r);

#endif
