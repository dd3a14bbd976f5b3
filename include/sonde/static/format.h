/* SPDX-License-Identifier: MIT */
/*
 * The trace format, defined once: the layout of a packet (CTF packet header
 * and context) and of the records in it, as the producers write them into
 * the ring buffer (include/sonde/static/ring.h, src/buffers/ring.c), the
 * consumer copies them into stream files (src/sources/), the metadata
 * describes them (src/writer/metadata.c) and readers decode them
 * (src/reader/stream.c, tests/stress/stress-verify.c), all through the
 * record walker of src/format/record.h.  Everything is byte-packed and
 * little-endian (the host's: sonde records on little-endian machines only).
 *
 *   packet (one sub-buffer):
 *   +-------------+-----------+--------+-----+---------------------+
 *   | header      | class's   | record | ... | padding (ID_PAD)    |
 *   | + context   | extra ctx |        |     | up to packet_size   |
 *   +-------------+-----------+--------+-----+---------------------+
 *   0             PKT_HDR_SIZE                  content_size / 8
 *                             PKT_HDR_SIZE_EXTRA(n)
 *
 *   A stream class may add up to PKT_CTX_EXTRA_MAX u64 fields to the packet
 *   context, after cpu_id; its records start after them.  The user-space
 *   channels (stream class 0, the ring buffer) add none.
 *
 *   record, compact:   u8 id (<= ID_COMPACT_MAX) | u24 timestamp low bits
 *                      | payload
 *   record, extended:  u8 ID_EXT | u32 id | u64 timestamp | payload
 *   thread record:     event header (id THREAD_EVENT_ID) | s32 tid | s32 pid
 *   torn (in shared memory only, never in a file):
 *                      u32 len << TORN_LEN_SHIFT | ID_TORN | u32 owner pid
 *
 * A compact header's timestamp is extended from the previous record's,
 * assuming at most one wrap of its TS_BITS bits; the first record of a
 * packet is extended from the packet's timestamp_begin.
 *
 * This header is installed (the inline fast path needs its constants) and
 * is ABI: change it only together with SONDE__ABI_VERSION and the metadata.
 */
#ifndef SONDE_STATIC_FORMAT_H
#define SONDE_STATIC_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define SONDE__STATIC_ASSERT(e, msg) static_assert(e, msg)
#else
#define SONDE__STATIC_ASSERT(e, msg) _Static_assert(e, msg)
#endif

/* Packet header magic (CTF). */
#define SONDE__CTF_MAGIC 0xc1fc1fc1u

/* First byte of a record: a compact event id, or one of these. */
#define SONDE__ID_COMPACT_MAX 0xFCu
#define SONDE__ID_PAD 0xFDu  /* rest of the packet is padding */
/* Reserved, not committed: u32 len << 8 | 0xFE, then (len >= 8) u32 owner pid. */
#define SONDE__ID_TORN 0xFEu
#define SONDE__ID_EXT 0xFFu  /* extended header: u8 0xFF, u32 id, u64 ts */

/* Compact header: one u32, the id in its low byte, the timestamp above. */
#define SONDE__COMPACT_TS_SHIFT 8
/* Low timestamp bits in a compact event header. */
#define SONDE__TS_BITS 24
#define SONDE__COMPACT_HDR 4u
/* Extended header: u8 SONDE__ID_EXT, then these. */
#define SONDE__EXT_ID_OFF 1u
#define SONDE__EXT_TS_OFF 5u
#define SONDE__EXT_HDR 13u

/* Salvage marker: the reservation's length above the id byte, 24 bits. */
#define SONDE__TORN_LEN_SHIFT 8
#define SONDE__TORN_LEN_MAX 0xFFFFFFu
#define SONDE__TORN_PID_OFF 4u /* the owner's pid, in records of 8 bytes or more */

/* The thread record: event class 0, payload s32 tid, s32 pid. */
#define SONDE__THREAD_EVENT_ID 0u
#define SONDE__THREAD_PAYLOAD 8u

SONDE__STATIC_ASSERT(SONDE__COMPACT_HDR * 8 ==
			     SONDE__COMPACT_TS_SHIFT + SONDE__TS_BITS,
		     "compact header: an 8-bit id and the timestamp's low bits");
SONDE__STATIC_ASSERT(SONDE__EXT_HDR == SONDE__EXT_TS_OFF + 8 &&
			     SONDE__EXT_TS_OFF == SONDE__EXT_ID_OFF + 4,
		     "extended header: u8 0xFF, u32 id, u64 timestamp");
SONDE__STATIC_ASSERT(SONDE__TORN_LEN_MAX >> (32 - SONDE__TORN_LEN_SHIFT) == 0,
		     "salvage marker length fits above its id byte");

/*
 * CTF packet header and context at the start of each packet (sub-buffer),
 * byte-packed, as the metadata's packet.header and packet.context.
 */
struct sonde__pkt_hdr {
	/* packet.header */
	uint32_t magic;
	uint8_t uuid[16];
	uint32_t stream_id;
	uint64_t stream_instance_id;
	/* packet.context */
	uint64_t timestamp_begin;
	uint64_t timestamp_end;
	uint64_t content_size; /* bits */
	uint64_t packet_size;  /* bits */
	uint64_t packet_seq_num;
	uint64_t events_discarded;
	uint32_t cpu_id;
} __attribute__((packed));

/* Bytes of CTF packet header + packet context at the start of a sub-buffer. */
#define SONDE__PKT_HDR_SIZE 84u
/*
 * A stream class may declare this many extra packet context fields, each a
 * u64, right after cpu_id; a packet of a class with @n of them has
 * SONDE__PKT_HDR_SIZE_EXTRA(@n) bytes of header and context.
 */
#define SONDE__PKT_CTX_EXTRA_MAX 8u
#define SONDE__PKT_HDR_SIZE_EXTRA(n) (SONDE__PKT_HDR_SIZE + 8u * (n))
/* Field offsets, for code that reads a packet header in place. */
#define SONDE__PKT_MAGIC_OFF 0u
#define SONDE__PKT_UUID_OFF 4u
#define SONDE__PKT_STREAM_ID_OFF 20u
#define SONDE__PKT_INSTANCE_OFF 24u
#define SONDE__PKT_TS_BEGIN_OFF 32u
#define SONDE__PKT_TS_END_OFF 40u
#define SONDE__PKT_CONTENT_OFF 48u
#define SONDE__PKT_SIZE_OFF 56u
#define SONDE__PKT_SEQ_OFF 64u
#define SONDE__PKT_DISCARDED_OFF 72u
#define SONDE__PKT_CPU_OFF 80u

#define SONDE__PKT_AT(f, off)                                                  \
	SONDE__STATIC_ASSERT(offsetof(struct sonde__pkt_hdr, f) == (off),      \
			     "offset of packet field " #f)
SONDE__PKT_AT(magic, SONDE__PKT_MAGIC_OFF);
SONDE__PKT_AT(uuid, SONDE__PKT_UUID_OFF);
SONDE__PKT_AT(stream_id, SONDE__PKT_STREAM_ID_OFF);
SONDE__PKT_AT(stream_instance_id, SONDE__PKT_INSTANCE_OFF);
SONDE__PKT_AT(timestamp_begin, SONDE__PKT_TS_BEGIN_OFF);
SONDE__PKT_AT(timestamp_end, SONDE__PKT_TS_END_OFF);
SONDE__PKT_AT(content_size, SONDE__PKT_CONTENT_OFF);
SONDE__PKT_AT(packet_size, SONDE__PKT_SIZE_OFF);
SONDE__PKT_AT(packet_seq_num, SONDE__PKT_SEQ_OFF);
SONDE__PKT_AT(events_discarded, SONDE__PKT_DISCARDED_OFF);
SONDE__PKT_AT(cpu_id, SONDE__PKT_CPU_OFF);
#undef SONDE__PKT_AT
SONDE__STATIC_ASSERT(sizeof(struct sonde__pkt_hdr) == SONDE__PKT_HDR_SIZE,
		     "packet header size is ABI");

#endif /* SONDE_STATIC_FORMAT_H */
