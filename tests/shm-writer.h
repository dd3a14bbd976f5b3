/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for traced processes in tests that drive the consumer
 * directly (tests/fuzz/fuzz-shm.c, tests/integration/test-enospc.c): it
 * registers event classes and appends records to a channel's shared
 * memory as src/buffers/ring.c does (switches included), one thread, no
 * rseq.  It takes the geometry from the header once, right after the
 * consumer created it, and keeps every position it reads from shared
 * memory inside the buffer, so that it stays in bounds whatever a test
 * wrote there.
 *
 *	struct shm_writer w;
 *	shm_writer_init(&w, sonde__consumer_shm(c));
 *	shm_register(&w, 1, 1);          // "test:e1", one uint32 field
 *	shm_records(&w, cpu, 100, 0);    // 100 records of it, discard mode
 */
#ifndef SONDE_TESTS_SHM_WRITER_H
#define SONDE_TESTS_SHM_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The field kinds only, no registration of tracepoints. */
#ifndef SONDE_TRACING_DISABLED
#define SONDE_TRACING_DISABLED
#endif
#include <sonde/tracepoint.h>

#include "../src/buffers/layout.h"

struct shm_writer {
	struct sonde__shm_hdr *h;
	uint32_t ncpu, sb, nsub;
	uint64_t buf; /* sb * nsub */
	uint64_t rb_off, rb_stride, reg_off, reg_size, data_off;
	uint64_t ts;  /* last timestamp written */
};

static inline void shm_writer_init(struct shm_writer *w,
				   struct sonde__shm_hdr *h)
{
	memset(w, 0, sizeof(*w));
	w->h = h;
	w->ncpu = h->ncpu;
	w->sb = h->subbuf_size;
	w->nsub = h->nsub;
	w->buf = (uint64_t)w->sb * w->nsub;
	w->rb_off = h->rb_off;
	w->rb_stride = h->rb_stride;
	w->reg_off = h->reg_off;
	w->reg_size = h->reg_size;
	w->data_off = h->data_off;
	/* After the first packet's begin, as the clock a writer reads. */
	memcpy(&w->ts, (char *)h + w->data_off +
			       offsetof(struct sonde__pkt_hdr, timestamp_begin),
	       sizeof(w->ts));
}

static inline struct sonde_rb_cpu *shm_rb(const struct shm_writer *w,
					  uint32_t cpu)
{
	return (struct sonde_rb_cpu *)((char *)w->h + w->rb_off +
				       (uint64_t)(cpu % w->ncpu) * w->rb_stride);
}

static inline uint8_t *shm_data(const struct shm_writer *w, uint32_t cpu)
{
	return (uint8_t *)w->h + w->data_off +
	       (uint64_t)(cpu % w->ncpu) * w->buf;
}

/*
 * Reserve @len bytes (13 <= @len < sb - 84) on @cpu, switching to the next
 * sub-buffer when they do not fit (writing the closed packet's end fields,
 * its padding byte and the new packet's begin fields).  Returns where the
 * record goes, NULL if it was dropped (discard mode, buffer full; counted
 * in lost_full).
 */
static inline uint8_t *shm_reserve(struct shm_writer *w, uint32_t cpu,
				   uint32_t len, int overwrite)
{
	struct sonde_rb_cpu *rb = shm_rb(w, cpu);
	uint8_t *data = shm_data(w, cpu);
	uint64_t off = rb->offset;
	uint32_t in = (uint32_t)((off - 1) & (w->sb - 1)) + 1;

	if (in + len > w->sb) {
		uint64_t start = off - in, next = start + w->sb;
		uint8_t *old = data + (start & (w->buf - 1));
		uint8_t *nw = data + (next & (w->buf - 1));
		struct sonde__pkt_hdr ph;

		if (!overwrite && next + w->sb - rb->consumed > w->buf) {
			rb->lost_full++;
			return NULL;
		}
		memcpy(&ph, old, sizeof(ph));
		ph.timestamp_end = ++w->ts;
		ph.content_size = ph.packet_size = (uint64_t)in * 8;
		ph.packet_seq_num = start / w->sb;
		ph.events_discarded = rb->lost_full;
		memcpy(old, &ph, sizeof(ph));
		if (in < w->sb)
			old[in] = SONDE__ID_PAD;
		memcpy(&ph, nw, sizeof(ph));
		ph.timestamp_begin = w->ts;
		ph.packet_seq_num = next / w->sb;
		memcpy(nw, &ph, sizeof(ph));
		off = next + SONDE__PKT_HDR_SIZE;
	}
	rb->offset = off + len;
	return data + (off & (w->buf - 1));
}

/* Append @k records of event 1 (see shm_register()), 17 bytes each: an
 * extended header and a uint32 payload counting from 0.  Returns the
 * number written (not dropped). */
static inline uint32_t shm_records(struct shm_writer *w, uint32_t cpu,
				   uint32_t k, int overwrite)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < k; i++) {
		uint8_t *p = shm_reserve(w, cpu, 17, overwrite);
		uint32_t id = 1;
		uint64_t ts = ++w->ts;

		if (!p)
			continue;
		p[0] = SONDE__ID_EXT;
		memcpy(p + 1, &id, 4);
		memcpy(p + 5, &ts, 8);
		memcpy(p + 13, &i, 4);
		n++;
	}
	return n;
}

/* A two-step reservation never committed, by a process that is gone
 * (@gone) or by this one: its salvage marker, its pid, a pending count. */
static inline void shm_torn(struct shm_writer *w, uint32_t cpu, int gone,
			    int overwrite)
{
	struct sonde_rb_cpu *rb = shm_rb(w, cpu);
	uint8_t *p = shm_reserve(w, cpu, 32, overwrite);
	uint32_t mark = (32u << 8) | SONDE__ID_TORN;
	uint32_t pid = gone ? 4194303u : (uint32_t)getpid();

	if (!p)
		return;
	memcpy(p, &mark, 4);
	memcpy(p + 4, &pid, 4);
	sonde__rb_subs(rb)[((rb->offset - 32) / w->sb) & (w->nsub - 1)]
		.pending++;
}

/* Append a registry entry: event @id named "test:eID", with @nf (< 8)
 * uint32 fields "fa", "fb"...  Nothing if the registry is full. */
static inline void shm_register(struct shm_writer *w, uint32_t id, uint32_t nf)
{
	uint32_t used = w->h->reg_used, size, off, name_len;
	char name[24];
	char *p;

	nf %= 8;
	name_len = (uint32_t)snprintf(name, sizeof(name), "test:e%u", id) + 1;
	size = (uint32_t)sizeof(struct sonde__reg_entry) +
	       ((name_len + 3) & ~3u) +
	       nf * (uint32_t)(sizeof(struct sonde__reg_field) + 4);
	size = (size + 7) & ~7u;
	if (used > w->reg_size || w->reg_size - used < size)
		return;
	p = (char *)w->h + w->reg_off + used;
	memset(p, 0, size);
	{
		struct sonde__reg_entry e;

		memset(&e, 0, sizeof(e));
		e.size = size;
		e.id = id;
		e.nr_fields = nf;
		e.name_len = name_len;
		e.loglevel = -1;
		memcpy(p, &e, sizeof(e));
	}
	memcpy(p + sizeof(struct sonde__reg_entry), name, name_len);
	off = (uint32_t)sizeof(struct sonde__reg_entry) + ((name_len + 3) & ~3u);
	for (uint32_t i = 0; i < nf; i++) {
		struct sonde__reg_field f;

		memset(&f, 0, sizeof(f));
		f.kind = SONDE_FIELD_INTEGER;
		f.size = 4;
		f.base = 10;
		f.name_len = 3;
		memcpy(p + off, &f, sizeof(f));
		p[off + sizeof(f)] = 'f';
		p[off + sizeof(f) + 1] = (char)('a' + i);
		off += (uint32_t)sizeof(f) + 4;
	}
	__atomic_store_n(&w->h->reg_used, used + size, __ATOMIC_RELEASE);
}

#endif
