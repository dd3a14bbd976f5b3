// SPDX-License-Identifier: MIT
/*
 * perf ring buffers, read from user space: the one reader of sonde.  It
 * lives in the runtime library (src/pmu/) so that a sonde_pmu session in
 * any program can read its overflow samples (sample.c); the perf-fed
 * sources of the tools library (src/sources/perf.c, through perfring.h,
 * which adds perf time on the trace clock) read their per-CPU rings here
 * too.
 *
 *   mapping (1 + 2^n pages, PROT_READ | PROT_WRITE: the kernel never
 *   overwrites what we have not consumed, it counts it lost instead)
 *   +-----------+----------------------------------------------+
 *   | page 0:   | data: records, each a perf_event_header       |
 *   | mmap page | { u32 type; u16 misc; u16 size } + body,      |
 *   | data_head | 8-byte aligned, free-running positions        |
 *   | data_tail | taken modulo the data size; a record may wrap |
 *   +-----------+----------------------------------------------+
 *               ^ page_size                 tail ... head
 *
 * Ordering: the kernel writes records, then publishes data_head (with a
 * full barrier before the store); we load data_head with acquire, so the
 * records below it are visible, copy or decode them, then store data_tail
 * with release, so our reads of those records are done before the kernel
 * can see the room and overwrite them (it reads data_tail, then a full
 * barrier, then writes).
 *
 * Trust boundary: the ring is written by the kernel, which we trust, but
 * a record is never trusted to be sane: the data's place and size are
 * ours (never data_offset/data_size read back), our tail is private, and
 * every header size is bounded (>= 8, a multiple of 8, no further than
 * data_head) before it is used.  A ring holding nonsense (a bad size, a
 * head behind our tail or more than the ring ahead) is skipped up to its
 * head and counted (stats.bad, bad_bytes); the other rings go on.
 *
 * next() returns samples, and the records of the types a reader asked for
 * with want() (perf.c: MMAP2), in one pass, each bounded the same way;
 * the rest it counts and skips.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ring.h"

static int pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

int sonde__perfring_init_mem(struct sonde__perfring *r,
			     struct perf_event_mmap_page *meta,
			     const void *data, uint64_t size)
{
	if (!meta || !data || size < 8 || !pow2(size))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->meta = meta;
	r->data = data;
	r->size = size;
	/* Where a reader before us stopped (0 for a fresh ring); begin()
	 * checks it like any position. */
	r->tail = __atomic_load_n(&meta->data_tail, __ATOMIC_RELAXED);
	r->head = r->tail;
	r->copy = malloc(SONDE__PERFRING_MAX_RECORD + 1);
	return r->copy ? 0 : -ENOMEM;
}

int sonde__perfring_map(struct sonde__perfring *r, int fd, uint32_t pages)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *m;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (!pow2(pages) || pages > SONDE__PERFRING_MAX_PAGES)
		return -EINVAL;
	m = mmap(NULL, (1 + (size_t)pages) * page, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	ret = sonde__perfring_init_mem(r, m, (uint8_t *)m + page,
				       (uint64_t)pages * page);
	if (ret) {
		munmap(m, (1 + (size_t)pages) * page);
		return ret;
	}
	r->fd = fd;
	r->map = m;
	r->map_size = (1 + (size_t)pages) * page;
	return 0;
}

void sonde__perfring_unmap(struct sonde__perfring *r)
{
	if (r->map)
		munmap(r->map, r->map_size);
	free(r->copy);
	r->map = NULL;
	r->copy = NULL;
	r->meta = NULL;
}

/* Copy @n bytes at free-running position @pos, across the ring's end. */
static void ring_read(const struct sonde__perfring *r, uint64_t pos,
		      void *dst, size_t n)
{
	uint64_t off = pos & (r->size - 1);
	size_t first = r->size - off < n ? (size_t)(r->size - off) : n;

	memcpy(dst, r->data + off, first);
	memcpy((uint8_t *)dst + first, r->data, n - first);
}

/* Nonsense in the ring: skip what is left of the pass, count it. */
static void skip_rest(struct sonde__perfring *r)
{
	r->st.bad++;
	r->st.bad_bytes += r->head - r->tail;
	r->tail = r->head;
}

void sonde__perfring_begin(struct sonde__perfring *r)
{
	/* Pairs with the kernel's barrier before it stores data_head: the
	 * records below head are written. */
	r->head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	if (r->head - r->tail > r->size || (r->tail & 7)) {
		/* Behind our tail, or more than a ring ahead of it: no
		 * record boundary can be trusted.  Start again at head. */
		r->st.bad++;
		r->tail = r->head & ~(uint64_t)7;
		r->head = r->tail;
	}
}

void sonde__perfring_want(struct sonde__perfring *r, uint64_t types)
{
	r->want = types;
}

int sonde__perfring_next(struct sonde__perfring *r,
			 const struct perf_event_header **rec, uint64_t *lost)
{
	while (r->tail != r->head) {
		struct perf_event_header h;
		uint64_t avail = r->head - r->tail, off, body[2];

		if (avail < sizeof(h)) {
			skip_rest(r);
			break;
		}
		ring_read(r, r->tail, &h, sizeof(h));
		if (h.size < sizeof(h) || (h.size & 7) || h.size > avail) {
			skip_rest(r);
			break;
		}
		if (h.type == PERF_RECORD_SAMPLE ||
		    (h.type < 64 && h.type != PERF_RECORD_LOST &&
		     h.type != PERF_RECORD_LOST_SAMPLES &&
		     (r->want >> h.type & 1))) {
			/* Bounded above: h.size <= avail <= r->size. */
			off = r->tail & (r->size - 1);
			if (off + h.size <= r->size) {
				*rec = (const void *)(r->data + off);
			} else {
				ring_read(r, r->tail, r->copy, h.size);
				*rec = (const void *)r->copy;
			}
			r->tail += h.size;
			if (h.type == PERF_RECORD_SAMPLE)
				r->st.samples++;
			else
				r->st.records++;
			return 1;
		}
		switch (h.type) {
		case PERF_RECORD_LOST: /* { u64 id; u64 lost; } */
		case PERF_RECORD_LOST_SAMPLES: /* { u64 lost; } */
			if (h.size < sizeof(h) + (h.type == PERF_RECORD_LOST
							  ? 16u
							  : 8u)) {
				/* Its size is sane, so the next one is found. */
				r->st.bad++;
				r->st.bad_bytes += h.size;
				break;
			}
			ring_read(r, r->tail + sizeof(h), body,
				  h.type == PERF_RECORD_LOST ? 16 : 8);
			body[0] = h.type == PERF_RECORD_LOST ? body[1] : body[0];
			r->st.lost += body[0];
			if (lost)
				*lost += body[0];
			break;
		default:
			r->st.other++;
			break;
		}
		r->tail += h.size;
	}
	return 0;
}

uint64_t sonde__perfring_peek_samples(struct sonde__perfring *r,
				      uint64_t *pos)
{
	/* Pairs with the kernel's barrier before it stores data_head. */
	uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t p = *pos - r->tail > r->size ? r->tail : *pos, n = 0;

	if (head - r->tail > r->size || (p & 7))
		return 0;
	while (head - p >= sizeof(struct perf_event_header)) {
		struct perf_event_header h;

		ring_read(r, p, &h, sizeof(h));
		if (h.size < sizeof(h) || (h.size & 7) || h.size > head - p)
			break;
		n += h.type == PERF_RECORD_SAMPLE;
		p += h.size;
	}
	*pos = p;
	return n;
}

void sonde__perfring_end(struct sonde__perfring *r)
{
	/* Our reads of the records are done before the kernel sees the
	 * room; pairs with its read of data_tail before it writes. */
	__atomic_store_n(&r->meta->data_tail, r->tail, __ATOMIC_RELEASE);
}

/* Take the next @n bytes of a sample; NULL if the record is too short. */
static const uint8_t *take(const uint8_t **p, const uint8_t *end, size_t n)
{
	const uint8_t *q = *p;

	if ((size_t)(end - q) < n)
		return NULL;
	*p = q + n;
	return q;
}

int sonde__perf_sample_parse(const struct perf_event_header *rec,
			     uint64_t sample_type,
			     struct sonde__perf_sample *s)
{
	/* The fields in the order the kernel writes them, up to PERIOD. */
	static const struct {
		uint64_t bit;
		size_t n;
	} order[] = {
		{ PERF_SAMPLE_IDENTIFIER, 8 }, { PERF_SAMPLE_IP, 8 },
		{ PERF_SAMPLE_TID, 8 },        { PERF_SAMPLE_TIME, 8 },
		{ PERF_SAMPLE_ADDR, 8 },       { PERF_SAMPLE_ID, 8 },
		{ PERF_SAMPLE_STREAM_ID, 8 },  { PERF_SAMPLE_CPU, 8 },
		{ PERF_SAMPLE_PERIOD, 8 },
	};
	const uint8_t *p = (const uint8_t *)(rec + 1);
	const uint8_t *end = (const uint8_t *)rec + rec->size;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const uint8_t *f;

		if (!(sample_type & order[i].bit))
			continue;
		f = take(&p, end, order[i].n);
		if (!f)
			return -EBADMSG;
		switch (order[i].bit) {
		case PERF_SAMPLE_IP:
			memcpy(&s->ip, f, 8);
			break;
		case PERF_SAMPLE_TID:
			memcpy(&s->pid, f, 4);
			memcpy(&s->tid, f + 4, 4);
			break;
		case PERF_SAMPLE_TIME:
			memcpy(&s->time, f, 8);
			break;
		case PERF_SAMPLE_ADDR:
			memcpy(&s->addr, f, 8);
			break;
		case PERF_SAMPLE_CPU:
			memcpy(&s->cpu, f, 4);
			break;
		case PERF_SAMPLE_PERIOD:
			memcpy(&s->period, f, 8);
			break;
		default:
			break;
		}
	}
	return 0;
}
