// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the perf mmap ring reader (perfring.h: want, begin,
 * next, end, and sonde__perf_sample_parse() on the samples next returns),
 * the boundary
 * where records written into a shared ring are read back.  The ring is
 * synthetic: a control page and data pages in exactly sized heap blocks
 * (so ASan sees any read past them), filled from the input.
 *
 * Input (little-endian; missing bytes read as 0):
 *   0       u8   data size: 8 << (b % 15) bytes (8 B to 128 KiB)
 *   1       u8   passes: 1 + b % 4
 *   2..7    u48  the record types besides samples next() returns
 *                (sonde__perfring_want(), bit t for type t)
 *   8       u64  data_tail the ring starts from (where a reader stopped)
 *   16      u64  sample_type for sonde__perf_sample_parse()
 *   24      4 x i64  data_head of each pass, as a step from the previous
 *                head (the first from data_tail): small steps are
 *                well-behaved rings, large or negative ones hostile heads
 *   56      the data pages' bytes, repeated to fill them
 *
 * Checked beyond ASan/UBSan: every record returned is a sample or of a
 * type asked for (never a lost record), lies inside the data pages (or is
 * the reader's copy of one that wraps) and holds the ring's bytes at its
 * position; its size is >= 8, a multiple of 8, no more than the ring;
 * each pass ends (a bound on calls) with the tail at the head, and
 * data_tail stored; samples, records and lost counts add up; a pass the
 * reader did not count as bad holds only well-formed records, as many
 * samples, records asked for and others as a walk of our own finds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 56

static uint64_t get64(const uint8_t *d, size_t n, size_t off)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 8; i++)
		if (off + i < n)
			v |= (uint64_t)d[off + i] << (8 * i);
	return v;
}

#define CHECK(c)                                                              \
	do {                                                                  \
		if (!(c)) {                                                   \
			fprintf(stderr, "fuzz-perfring: %s:%d: %s\n",        \
				__FILE__, __LINE__, #c);                      \
			abort();                                              \
		}                                                             \
	} while (0)

/* The bytes at free-running position @pos of the data, across its end. */
static void ring_bytes(const uint8_t *ring, uint64_t rsize, uint64_t pos,
		       uint8_t *dst, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = ring[(pos + i) & (rsize - 1)];
}

/* Is a record of @type returned when @want is asked for? */
static int wanted(uint32_t type, uint64_t want)
{
	return type == PERF_RECORD_SAMPLE ||
	       (type < 64 && type != PERF_RECORD_LOST &&
		type != PERF_RECORD_LOST_SAMPLES && (want >> type & 1));
}

/* Our own walk of [from, to): 1 if every record is well formed, with the
 * samples, records asked for and others counted, else 0. */
static int walk(const uint8_t *ring, uint64_t rsize, uint64_t from,
		uint64_t to, uint64_t want, uint64_t *samples,
		uint64_t *records, uint64_t *others, uint64_t *lost)
{
	*samples = *records = *others = *lost = 0;
	while (from != to) {
		struct perf_event_header h;
		uint64_t body[2];

		if (to - from < sizeof(h))
			return 0;
		ring_bytes(ring, rsize, from, (uint8_t *)&h, sizeof(h));
		if (h.size < sizeof(h) || (h.size & 7) || h.size > to - from)
			return 0;
		if (h.type == PERF_RECORD_SAMPLE) {
			(*samples)++;
		} else if (wanted(h.type, want)) {
			(*records)++;
		} else if (h.type == PERF_RECORD_LOST ||
			   h.type == PERF_RECORD_LOST_SAMPLES) {
			size_t b = h.type == PERF_RECORD_LOST ? 16 : 8;

			if (h.size < sizeof(h) + b)
				return 0; /* counted bad by the reader */
			ring_bytes(ring, rsize, from + sizeof(h),
				   (uint8_t *)body, b);
			*lost += h.type == PERF_RECORD_LOST ? body[1] : body[0];
		} else {
			(*others)++;
		}
		from += h.size;
	}
	return 1;
}

/* What sonde__perf_sample_parse() needs of a record for @type. */
static size_t sample_need(uint64_t type)
{
	static const uint64_t bits[] = {
		PERF_SAMPLE_IDENTIFIER, PERF_SAMPLE_IP,	  PERF_SAMPLE_TID,
		PERF_SAMPLE_TIME,	PERF_SAMPLE_ADDR, PERF_SAMPLE_ID,
		PERF_SAMPLE_STREAM_ID,	PERF_SAMPLE_CPU,  PERF_SAMPLE_PERIOD,
	};
	size_t n = sizeof(struct perf_event_header);

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (type & bits[i])
			n += 8;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t rsize = (uint64_t)8 << ((size ? data[0] : 0) % 15);
	unsigned int passes = 1 + (size > 1 ? data[1] : 0) % 4;
	uint64_t tail0 = get64(data, size, 8);
	uint64_t stype = get64(data, size, 16);
	uint64_t want = get64(data, size < 8 ? size : 8, 2);
	struct perf_event_mmap_page *meta;
	struct sonde__perfring r;
	uint64_t head, returned = 0, lost_out = 0;
	uint8_t *ring, *tmp;

	if (size > HDR + (128u << 10))
		return 0;
	meta = calloc(1, sizeof(*meta));
	ring = malloc(rsize);
	tmp = malloc(SONDE__PERFRING_MAX_RECORD + 1);
	CHECK(meta && ring && tmp);
	for (uint64_t i = 0; i < rsize; i++)
		ring[i] = size > HDR ? data[HDR + i % (size - HDR)] : 0;
	meta->data_tail = tail0;
	CHECK(sonde__perfring_init_mem(&r, meta, ring, rsize) == 0);
	sonde__perfring_want(&r, want);

	head = tail0;
	for (unsigned int p = 0; p < passes; p++) {
		struct sonde__perfring_stats st0 = r.st;
		uint64_t start, end, want_s, want_r, want_o, want_l, calls = 0;
		uint64_t pass_lost = 0, pass_samples = 0, pass_records = 0;
		const struct perf_event_header *rec;
		int clean;

		head += get64(data, size, 24 + 8 * p);
		meta->data_head = head;
		sonde__perfring_begin(&r);
		start = r.tail;
		end = r.head;
		/* A pass covers at most the ring, from an aligned tail. */
		CHECK(end - start <= rsize);
		CHECK((start & 7) == 0);
		clean = r.st.bad == st0.bad &&
			walk(ring, rsize, start, end, want, &want_s, &want_r,
			     &want_o, &want_l);

		while (sonde__perfring_next(&r, &rec, &pass_lost)) {
			uint64_t pos = r.tail - rec->size;
			uintptr_t a = (uintptr_t)rec, lo = (uintptr_t)ring;

			/* Loop bound: every call consumes at least 8 bytes. */
			CHECK(++calls <= rsize / 8);
			CHECK(wanted(rec->type, want));
			CHECK(rec->size >= sizeof(*rec) && !(rec->size & 7));
			CHECK(rec->size <= rsize);
			CHECK(pos - start <= end - start &&
			      r.tail - start <= end - start);
			if ((const uint8_t *)rec == r.copy) {
				CHECK(rec->size <= SONDE__PERFRING_MAX_RECORD);
			} else {
				CHECK(a >= lo && a - lo + rec->size <= rsize);
				CHECK(a - lo == (pos & (rsize - 1)));
			}
			ring_bytes(ring, rsize, pos, tmp, rec->size);
			CHECK(memcmp(tmp, rec, rec->size) == 0);
			returned++;
			if (rec->type != PERF_RECORD_SAMPLE) {
				pass_records++;
				continue;
			}
			pass_samples++;

			struct sonde__perf_sample s;
			int e = sonde__perf_sample_parse(rec, stype, &s);

			CHECK(e == 0 || e == -EBADMSG);
			CHECK((e == 0) == (sample_need(stype) <= rec->size));
		}
		/* The pass consumed everything up to the head. */
		CHECK(r.tail == r.head && r.head == end);
		sonde__perfring_end(&r);
		CHECK(meta->data_tail == r.tail);
		CHECK(r.st.samples - st0.samples == pass_samples);
		CHECK(r.st.records - st0.records == pass_records);
		CHECK(r.st.lost - st0.lost == pass_lost);
		if (r.st.bad == st0.bad) {
			CHECK(r.st.bad_bytes == st0.bad_bytes);
			CHECK(clean);
			CHECK(pass_samples == want_s);
			CHECK(pass_records == want_r);
			CHECK(r.st.other - st0.other == want_o);
			CHECK(pass_lost == want_l);
		} else {
			CHECK(r.st.bad_bytes - st0.bad_bytes <= end - start);
		}
		lost_out += pass_lost;
	}
	CHECK(r.st.samples + r.st.records == returned);
	CHECK(r.st.lost == lost_out);
	sonde__perfring_unmap(&r);
	free(tmp);
	free(ring);
	free(meta);
	return 0;
}
