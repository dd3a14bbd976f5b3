// SPDX-License-Identifier: MIT
/*
 * The record walker (see record.h): decodes one record header (compact or
 * extended, include/sonde/static/format.h), extends a compact timestamp,
 * sizes the payload with the caller's event classes, and recognizes the
 * padding byte and the producers' salvage markers.  Trust boundary: the
 * bytes are shared memory written by traced processes (the consumer) or a
 * trace file (the reader); nothing in them is an offset or a length to
 * trust.  Every read is checked against @content first, a length is
 * checked before it is added, and a step that returns a record returns
 * one of at least a header's length, so a walk always ends.
 */
#include <errno.h>
#include <string.h>

#include "record.h"

int sonde__rec_step(const uint8_t *pkt, size_t content, size_t off,
		    uint64_t prev_ts, sonde__rec_size_cb size, void *arg,
		    struct sonde__rec *r)
{
	const uint8_t *p = pkt + off;
	size_t avail;
	uint32_t w;
	int64_t n;

	if (off >= content)
		return SONDE__REC_END;
	avail = content - off;
	if (p[0] <= SONDE__ID_COMPACT_MAX) {
		if (avail < SONDE__COMPACT_HDR)
			return SONDE__REC_TRUNC;
		memcpy(&w, p, sizeof(w)); /* little-endian host */
		r->id = p[0];
		r->ts = sonde__rec_ts_extend(prev_ts,
					     w >> SONDE__COMPACT_TS_SHIFT);
		r->hdr_len = SONDE__COMPACT_HDR;
	} else if (p[0] == SONDE__ID_EXT) {
		if (avail < SONDE__EXT_HDR)
			return SONDE__REC_TRUNC;
		memcpy(&r->id, p + SONDE__EXT_ID_OFF, sizeof(r->id));
		memcpy(&r->ts, p + SONDE__EXT_TS_OFF, sizeof(r->ts));
		r->hdr_len = SONDE__EXT_HDR;
	} else if (p[0] == SONDE__ID_PAD) {
		return SONDE__REC_PAD;
	} else if (p[0] == SONDE__ID_TORN) {
		if (avail < SONDE__COMPACT_HDR)
			return SONDE__REC_BAD_TORN;
		memcpy(&w, p, sizeof(w));
		w >>= SONDE__TORN_LEN_SHIFT;
		if (w < SONDE__COMPACT_HDR || w > avail)
			return SONDE__REC_BAD_TORN;
		r->len = w;
		return SONDE__REC_TORN;
	} else {
		return SONDE__REC_BAD_ID;
	}
	n = size(arg, r->id, p + r->hdr_len, avail - r->hdr_len);
	if (n == -ENOENT)
		return SONDE__REC_UNKNOWN;
	/* A record's length is a u32 (a file's packet may be larger). */
	if (n < 0 || (uint64_t)n > avail - r->hdr_len ||
	    (uint64_t)n > UINT32_MAX - r->hdr_len)
		return SONDE__REC_PAST;
	r->len = r->hdr_len + (uint32_t)n;
	return SONDE__REC_EVENT;
}
