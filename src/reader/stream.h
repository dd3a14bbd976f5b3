/* SPDX-License-Identifier: MIT */
/*
 * Reader side: one stream file of a sonde trace (a sequence of packets, each
 * the header + context followed by records, include/sonde/static/format.h;
 * records stepped by src/format/record.c), decoded in place from
 * memory (the reader mmaps the file).  Every packet header and every record
 * is checked against the file size and the metadata before it is used; a
 * malformed one stops the stream with an error "FILE: offset N: what".
 */
#ifndef SONDE_SRC_READER_STREAM_H
#define SONDE_SRC_READER_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "metadata-parse.h"

enum sonde_rd_ev_kind {
	SONDE_RD_EV_EVENT = 1,
	SONDE_RD_EV_DISCARDED, /* events_discarded grew between packets */
};

struct sonde__rd_event {
	int kind;
	uint32_t cpu;       /* packet context cpu_id */
	uint32_t stream;    /* index of the stream in its reader */
	int32_t tid, pid;   /* from the latest sonde:thread record, -1 if none */
	uint64_t ts;        /* clock cycles (DISCARDED: packet begin, for ordering) */
	int64_t ns;         /* ts in ns since the epoch (sonde__rd_ns) */
	const struct sonde__rd_class *cls;   /* EVENT */
	const uint8_t *payload;              /* EVENT */
	uint32_t len;                        /* EVENT: payload bytes */
	uint64_t discarded;                  /* DISCARDED: count */
	uint64_t disc_begin, disc_end;       /* DISCARDED: the range, as babeltrace2 */
};

struct sonde__rd_stream {
	const char *name;           /* for messages */
	const uint8_t *base;
	size_t size;
	const struct sonde__rd_meta *m;
	uint32_t index;
	/* current packet */
	size_t pkt;                 /* offset of the packet */
	size_t pkt_end;             /* pkt + packet_size */
	size_t content_end;         /* pkt + content_size */
	size_t pos;                 /* next record */
	int in_packet;
	uint64_t ts;                /* last timestamp */
	uint64_t pkt_begin, pkt_end_ts, prev_end_ts;
	uint64_t discarded;         /* events_discarded of the last packet */
	uint64_t nr_packets;
	uint32_t cpu;
	/* stream class and instance, from the first packet (every packet
	 * of the file has the same) */
	const struct sonde__rd_sclass *sc;
	uint32_t stream_id;
	uint64_t instance;
	int32_t tid, pid;
};

/* Start iterating @size bytes at @base.  Never fails. */
SONDE_HIDDEN void sonde__rd_stream_init(struct sonde__rd_stream *s,
					const char *name, const uint8_t *base,
					size_t size,
					const struct sonde__rd_meta *m,
					uint32_t index);

/*
 * Next event or discarded-events range of the stream (sonde:thread records
 * are consumed: they set tid/pid).  Returns 1 with @ev filled, 0 at the end
 * of the stream, or -EBADMSG with @err filled.
 */
SONDE_HIDDEN int sonde__rd_stream_next(struct sonde__rd_stream *s,
				       struct sonde__rd_event *ev,
				       struct sonde__rd_err *err);

/* Payload size of a record of class @c at @p (at most @avail bytes), or -1. */
SONDE_HIDDEN int64_t sonde__rd_payload_size(const struct sonde__rd_class *c,
					    const uint8_t *p, size_t avail);

static inline uint64_t sonde__rd_load(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	switch (size) {
	case 1: return p[0];
	case 2: { uint16_t x; __builtin_memcpy(&x, p, 2); return x; }
	case 4: { uint32_t x; __builtin_memcpy(&x, p, 4); return x; }
	case 8: __builtin_memcpy(&v, p, 8); return v;
	}
	return v;
}

static inline int64_t sonde__rd_sext(uint64_t v, unsigned int size)
{
	switch (size) {
	case 1: return (int8_t)v;
	case 2: return (int16_t)v;
	case 4: return (int32_t)v;
	}
	return (int64_t)v;
}

/*
 * The integer (or integer element) of field @f at @p, zero-extended: in the
 * field's byte order, little-endian or big-endian (LTTng's network byte
 * order).  Every read of an integer out of a payload goes through here.
 */
static inline uint64_t sonde__rd_field_load(const struct sonde__rd_field *f,
					    const uint8_t *p)
{
	uint64_t v = sonde__rd_load(p, f->size);

	if (!f->big_endian)
		return v;
	switch (f->size) {
	case 2: return __builtin_bswap16((uint16_t)v);
	case 4: return __builtin_bswap32((uint32_t)v);
	case 8: return __builtin_bswap64(v);
	}
	return v;
}

/*
 * Element count of the sequence field @i of @c whose elements start at @p:
 * the value of the field just before it (the metadata parser checked that
 * it is an unsigned integer), which ends at @p.
 */
static inline uint64_t sonde__rd_seq_len(const struct sonde__rd_class *c,
					 uint32_t i, const uint8_t *p)
{
	const struct sonde__rd_field *l = &c->fields[i - 1];

	return sonde__rd_field_load(l, p - l->size);
}

#endif
