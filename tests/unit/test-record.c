// SPDX-License-Identifier: MIT
/*
 * The record walker (src/format/record.c) on hand-built packets: compact
 * and extended headers, the 24-bit timestamp wrap, padding, salvage
 * markers, and every way a record can fail to be one (unknown id, header
 * or payload past the content, a size callback that overstates).  The
 * packet bytes sit at the very end of a readable page, followed by an
 * inaccessible one, so a step that reads one byte past the content it was
 * given crashes the test instead of passing it.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/format/record.h"
#include "../tap.h"

/*
 * The classes of these packets: 0 the thread record, 1 a u32, 300 a u16
 * (only reachable by an extended header), 2 a u16 length and that many
 * bytes, 3 a liar (says its payload is one byte longer than what is
 * left).  Anything else is unknown.
 */
static int64_t size_of(void *arg, uint32_t id, const uint8_t *p, size_t avail)
{
	uint16_t n;

	(void)arg;
	switch (id) {
	case SONDE__THREAD_EVENT_ID:
		return SONDE__THREAD_PAYLOAD;
	case 1:
		return 4;
	case 300:
		return 2;
	case 2:
		if (avail < 2)
			return -EBADMSG;
		memcpy(&n, p, 2);
		return n + 2 <= (int64_t)avail ? n + 2 : -EBADMSG;
	case 3:
		return (int64_t)avail + 1;
	default:
		return -ENOENT;
	}
}

static uint8_t *page_end; /* first inaccessible byte */

/* @n bytes of @src placed so that they end where the readable memory does. */
static const uint8_t *at_end(const void *src, size_t n)
{
	uint8_t *p = page_end - n;

	memcpy(p, src, n);
	return p;
}

static size_t put_compact(uint8_t *p, uint8_t id, uint32_t low)
{
	uint32_t w = id | low << SONDE__COMPACT_TS_SHIFT;

	memcpy(p, &w, 4);
	return SONDE__COMPACT_HDR;
}

static size_t put_ext(uint8_t *p, uint32_t id, uint64_t ts)
{
	p[0] = SONDE__ID_EXT;
	memcpy(p + SONDE__EXT_ID_OFF, &id, 4);
	memcpy(p + SONDE__EXT_TS_OFF, &ts, 8);
	return SONDE__EXT_HDR;
}

static int step(const uint8_t *pkt, size_t content, size_t off,
		uint64_t prev, struct sonde__rec *r)
{
	memset(r, 0xa5, sizeof(*r));
	return sonde__rec_step(pkt, content, off, prev, size_of, NULL, r);
}

/* A packet of every kind of good record, walked to its padding. */
static void whole_packet(void)
{
	uint8_t b[256] = { 0 };
	size_t n = SONDE__PKT_HDR_SIZE, offs[8], k = 0, off;
	uint64_t begin = 0x5500fffff0ull, ts;
	int32_t ids[2] = { 42, 7 };
	uint16_t len = 3;
	struct sonde__rec r;
	const uint8_t *pkt;
	int kind;

	/* thread record, compact, with the packet's own timestamp */
	offs[k++] = n;
	n += put_compact(b + n, 0, 0xfffff0);
	memcpy(b + n, ids, 8);
	n += 8;
	/* u32 event, compact, 0x20 later: wraps the 24 bits */
	offs[k++] = n;
	n += put_compact(b + n, 1, 0x000010);
	n += 4;
	/* extended header, id above the compact range */
	offs[k++] = n;
	n += put_ext(b + n, 300, 0x5501000100ull);
	n += 2;
	/* variable payload: u16 length, 3 bytes */
	offs[k++] = n;
	n += put_compact(b + n, 2, 0x000100);
	memcpy(b + n, &len, 2);
	n += 2 + len;
	/* extended header with a compact-range id */
	offs[k++] = n;
	n += put_ext(b + n, 1, 0x5501000200ull);
	n += 4;
	b[n++] = SONDE__ID_PAD;
	n += 5; /* padding up to the content end */
	pkt = at_end(b, n);

	ts = begin;
	off = SONDE__PKT_HDR_SIZE;
	kind = step(pkt, n, off, ts, &r);
	tap_ok(kind == SONDE__REC_EVENT && r.id == 0 && r.hdr_len == 4 &&
		       r.len == 12 && r.ts == begin,
	       "thread record: compact, id 0, 12 bytes, the packet's timestamp");
	off += r.len;
	ts = r.ts;
	kind = step(pkt, n, off, ts, &r);
	tap_ok(kind == SONDE__REC_EVENT && r.id == 1 && r.len == 8 &&
		       off == offs[1],
	       "compact record after it, 8 bytes");
	tap_is_int((long long)r.ts, 0x5501000010ll,
		   "24-bit timestamp wrapped once: 0xfffff0 then 0x000010");
	off += r.len;
	ts = r.ts;
	kind = step(pkt, n, off, ts, &r);
	tap_ok(kind == SONDE__REC_EVENT && r.id == 300 &&
		       r.hdr_len == SONDE__EXT_HDR && r.len == 15 &&
		       r.ts == 0x5501000100ull && off == offs[2],
	       "extended header: u32 id 300, u64 timestamp, 15 bytes");
	off += r.len;
	ts = r.ts;
	kind = step(pkt, n, off, ts, &r);
	tap_ok(kind == SONDE__REC_EVENT && r.id == 2 && r.len == 4 + 2 + 3 &&
		       r.ts == 0x5501000100ull && off == offs[3],
	       "variable payload sized by the callback; same low bits, same timestamp");
	off += r.len;
	ts = r.ts;
	kind = step(pkt, n, off, ts, &r);
	tap_ok(kind == SONDE__REC_EVENT && r.id == 1 &&
		       r.hdr_len == SONDE__EXT_HDR && r.ts == 0x5501000200ull &&
		       off == offs[4],
	       "extended header with a compact-range id");
	off += r.len;
	tap_is_int(step(pkt, n, off, r.ts, &r), SONDE__REC_PAD,
		   "the padding byte ends the records");
	tap_is_int(step(pkt, n, n, 0, &r), SONDE__REC_END,
		   "at the content end: END, nothing read");
	tap_is_int(step(pkt, n, n + 100, 0, &r), SONDE__REC_END,
		   "past the content end: END, nothing read");
}

static void wrap(void)
{
	tap_is_int((long long)sonde__rec_ts_extend(0x1234567890ull, 0x567890),
		   0x1234567890ll, "equal low bits: the same timestamp");
	tap_is_int((long long)sonde__rec_ts_extend(0x1234567890ull, 0x567891),
		   0x1234567891ll, "higher low bits: no wrap");
	tap_is_int((long long)sonde__rec_ts_extend(0x1234567890ull, 0x56788f),
		   0x123556788fll, "lower low bits: one wrap");
	tap_is_int((long long)sonde__rec_ts_extend(0xffffffull, 0),
		   0x1000000ll, "wrap from the top of the range to 0");
}

/* Records cut by the content end, one byte at a time. */
static void bounds(void)
{
	uint8_t b[64] = { 0 };
	struct sonde__rec r;
	const uint8_t *pkt;
	size_t n;
	uint16_t big = 1000;
	int all;

	/* compact u32 record: 8 bytes */
	put_compact(b, 1, 5);
	all = 1;
	for (n = 1; n < 4; n++)
		all &= step(at_end(b, n), n, 0, 0, &r) == SONDE__REC_TRUNC;
	tap_ok(all, "compact header cut by the content end: TRUNC");
	all = 1;
	for (n = 4; n < 8; n++)
		all &= step(at_end(b, n), n, 0, 0, &r) == SONDE__REC_PAST;
	tap_ok(all, "compact record whose payload runs past the content: PAST");
	tap_is_int(step(at_end(b, 8), 8, 0, 0, &r), SONDE__REC_EVENT,
		   "... and whole when the content holds it");

	/* extended u16 record: 15 bytes */
	put_ext(b, 300, 77);
	all = 1;
	for (n = 1; n < SONDE__EXT_HDR; n++)
		all &= step(at_end(b, n), n, 0, 0, &r) == SONDE__REC_TRUNC;
	tap_ok(all, "extended header cut anywhere by the content end: TRUNC");
	all = 1;
	for (n = SONDE__EXT_HDR; n < 15; n++)
		all &= step(at_end(b, n), n, 0, 0, &r) == SONDE__REC_PAST;
	tap_ok(all, "extended record whose payload runs past the content: PAST");

	/* variable record whose length field says more than there is */
	put_compact(b, 2, 0);
	memcpy(b + 4, &big, 2);
	tap_is_int(step(at_end(b, 16), 16, 0, 0, &r), SONDE__REC_PAST,
		   "a length field past the content: PAST");
	/* a callback that claims more than it was given */
	put_compact(b, 3, 0);
	tap_is_int(step(at_end(b, 16), 16, 0, 0, &r), SONDE__REC_PAST,
		   "a size past what the callback was given: PAST");

	/* an offset into the packet, the header before it */
	memset(b, 0, sizeof(b));
	put_ext(b + 40, 1, 9);
	pkt = at_end(b, 40 + 10);
	tap_is_int(step(pkt, 40 + 10, 40, 0, &r), SONDE__REC_TRUNC,
		   "a header cut at an offset inside the packet: TRUNC");
}

static void not_records(void)
{
	uint8_t b[32] = { 0 };
	struct sonde__rec r;
	uint32_t w;

	put_compact(b, 7, 0);
	tap_is_int(step(at_end(b, 16), 16, 0, 0, &r), SONDE__REC_UNKNOWN,
		   "compact id of no class: UNKNOWN");
	put_ext(b, 70000, 0);
	tap_is_int(step(at_end(b, 16), 16, 0, 0, &r), SONDE__REC_UNKNOWN,
		   "extended id of no class: UNKNOWN");

	/* salvage markers: u32 len << 8 | 0xFE, u32 pid */
	w = 12u << SONDE__TORN_LEN_SHIFT | SONDE__ID_TORN;
	memcpy(b, &w, 4);
	tap_ok(step(at_end(b, 16), 16, 0, 0, &r) == SONDE__REC_TORN &&
		       r.len == 12,
	       "salvage marker: TORN with its length");
	tap_ok(step(at_end(b, 12), 12, 0, 0, &r) == SONDE__REC_TORN &&
		       r.len == 12,
	       "salvage marker ending at the content end");
	tap_is_int(step(at_end(b, 11), 11, 0, 0, &r), SONDE__REC_BAD_TORN,
		   "salvage marker longer than the content: BAD_TORN");
	tap_is_int(step(at_end(b, 3), 3, 0, 0, &r), SONDE__REC_BAD_TORN,
		   "salvage marker cut by the content end: BAD_TORN");
	w = 3u << SONDE__TORN_LEN_SHIFT | SONDE__ID_TORN;
	memcpy(b, &w, 4);
	tap_is_int(step(at_end(b, 16), 16, 0, 0, &r), SONDE__REC_BAD_TORN,
		   "salvage marker shorter than a header: BAD_TORN");
	w = 0u << SONDE__TORN_LEN_SHIFT | SONDE__ID_TORN;
	memcpy(b, &w, 4);
	tap_is_int(step(at_end(b, 16), 16, 0, 0, &r), SONDE__REC_BAD_TORN,
		   "salvage marker of length 0 (a walk that never advances): BAD_TORN");
	b[0] = SONDE__ID_PAD;
	tap_is_int(step(at_end(b, 1), 1, 0, 0, &r), SONDE__REC_PAD,
		   "a lone padding byte: PAD");
	b[0] = SONDE__ID_COMPACT_MAX; /* a compact id, of no class here */
	tap_is_int(step(at_end(b, 16), 16, 0, 0, &r), SONDE__REC_UNKNOWN,
		   "0xFC is a compact id");
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || mprotect(m + pg, (size_t)pg, PROT_NONE))
		tap_bail("mmap: %s", strerror(errno));
	page_end = m + pg;
	whole_packet();
	wrap();
	bounds();
	not_records();
	return tap_done();
}
