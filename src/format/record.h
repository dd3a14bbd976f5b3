/* SPDX-License-Identifier: MIT */
/*
 * The record walker: one step over the records of a packet laid out as
 * include/sonde/static/format.h says, shared by everything that reads
 * records back (the consumer's packet walk, salvage and reclaim walks,
 * the trace reader, the stress verifier).  The bytes walked may come from
 * a hostile writer (shared memory) or a corrupt file: every offset and
 * length is bounded by the packet's content before it is read, and a step
 * never reads outside [@pkt, @pkt + @content).
 *
 *	size_t off = SONDE__PKT_HDR_SIZE_EXTRA(nr_ctx_extra_of_the_class);
 *	uint64_t ts = ph.timestamp_begin;
 *	struct sonde__rec r;
 *
 *	while (sonde__rec_step(pkt, content, off, ts, size_cb, arg, &r) ==
 *	       SONDE__REC_EVENT) {
 *		use(r.id, r.ts, pkt + off + r.hdr_len, r.len - r.hdr_len);
 *		off += r.len;
 *		ts = r.ts;
 *	}
 */
#ifndef SONDE_SRC_FORMAT_RECORD_H
#define SONDE_SRC_FORMAT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <sonde/static/format.h>

#include "../common/common.h"

/* What sonde__rec_step() found at the walk position. */
enum sonde__rec_kind {
	SONDE__REC_EVENT = 0, /* a whole record: *r filled */
	SONDE__REC_END,       /* the position is at (or past) the content end */
	SONDE__REC_PAD,       /* the padding byte: no more records here */
	SONDE__REC_TORN,      /* a salvage marker: r->len, the reservation */
	/* Errors: nothing after the position can be walked. */
	SONDE__REC_BAD_ID = -1,   /* a first byte that starts no record */
	SONDE__REC_BAD_TORN = -2, /* a salvage marker of a nonsense length */
	SONDE__REC_TRUNC = -3,    /* the event header runs past the content */
	SONDE__REC_UNKNOWN = -4,  /* an id the size callback does not know */
	SONDE__REC_PAST = -5,     /* payload malformed or past the content */
};

struct sonde__rec {
	uint32_t id;      /* event class id */
	uint32_t hdr_len; /* SONDE__COMPACT_HDR or SONDE__EXT_HDR */
	uint32_t len;     /* header + payload bytes; TORN: the reservation's */
	uint64_t ts;      /* full timestamp (not set for TORN) */
};

/*
 * Payload bytes of a record of class @id whose payload starts at @p, with
 * @avail bytes left before the content end; reads only [@p, @p + @avail).
 * Returns the size, -ENOENT when @id names no class, or another negative
 * errno when the payload is malformed or runs past @avail.
 */
typedef int64_t (*sonde__rec_size_cb)(void *arg, uint32_t id,
				      const uint8_t *p, size_t avail);

/*
 * Full timestamp of a compact header whose low SONDE__TS_BITS bits are
 * @low, after a record at @prev: at most one wrap since @prev.
 */
static inline uint64_t sonde__rec_ts_extend(uint64_t prev, uint32_t low)
{
	const uint64_t mask = (1ull << SONDE__TS_BITS) - 1;
	uint64_t ts = (prev & ~mask) | (low & mask);

	if ((low & mask) < (prev & mask))
		ts += 1ull << SONDE__TS_BITS;
	return ts;
}

/**
 * sonde__rec_step() - decode the record at one position of a packet
 * @pkt: the packet's first byte (its header)
 * @content: bytes of the packet's content (content_size / 8, already
 *	bounded by the caller by what it holds of the packet)
 * @off: position of the record in the packet
 * @prev_ts: timestamp of the previous record, or the packet's
 *	timestamp_begin for the first one
 * @size: payload size of a class (the caller's event table)
 * @arg: passed to @size
 * @r: the record found, for SONDE__REC_EVENT and SONDE__REC_TORN
 *
 * Return: an enum sonde__rec_kind: >= 0 when the walk can go on (EVENT,
 * TORN: at @off + r->len) or has ended (END, PAD); < 0 when the bytes at
 * @off are not a record.  A TORN record's marker length is at least
 * SONDE__COMPACT_HDR and within the content, its owner's pid at
 * SONDE__TORN_PID_OFF when that length is 8 or more.
 * Context: any thread; pure (no state but what @size keeps).
 */
SONDE_HIDDEN int sonde__rec_step(const uint8_t *pkt, size_t content,
				 size_t off, uint64_t prev_ts,
				 sonde__rec_size_cb size, void *arg,
				 struct sonde__rec *r);

#endif
