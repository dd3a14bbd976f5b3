/* SPDX-License-Identifier: MIT */
/*
 * Packet writer of a perf-fed source: the packet being built for one
 * stream of a trace (records in the extended event header, a thread record
 * before each change of thread, time never going back), written whole
 * when full, when its first record is old, or at the end.  Shared by the
 * perf source (perf.c) and the kernel tracepoint source (kernel.c); the
 * user-space channel writes the producers' own packets instead.
 */
#ifndef SONDE_SRC_SOURCES_PKTW_H
#define SONDE_SRC_SOURCES_PKTW_H

#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

struct sonde__trace;
struct sonde__stream;

/* Body bytes (records) of a packet, at most. */
#define SONDE__PKTW_BODY (64u * 1024u)
/* A partial packet is written once its first record is this old (ns). */
#define SONDE__PKTW_AGE_NS 100000000u

struct sonde__pktw {
	struct sonde__trace *trace;
	uint32_t class_id, instance, cpu_id;
	struct sonde__stream *s;    /* opened with the first packet */
	uint8_t *body;
	size_t used;
	uint64_t ts_begin, ts_last; /* of the packet; ts_last of the stream */
	uint64_t born_ns;           /* CLOCK_MONOTONIC of its first record */
	int32_t tid;                /* of the latest thread record, or -1 */
	uint64_t discarded;         /* lost so far: the source adds to it */
	uint64_t discarded_written; /* as the last packet said */
	uint64_t seq;
	uint64_t bytes, packets;    /* written */
};

/* Stream @instance (cpu_id @cpu_id) of class @class_id of @t.  0 or
 * -ENOMEM. */
SONDE_HIDDEN int sonde__pktw_init(struct sonde__pktw *w, struct sonde__trace *t,
				  uint32_t class_id, uint32_t instance,
				  uint32_t cpu_id);
SONDE_HIDDEN void sonde__pktw_fini(struct sonde__pktw *w);
/*
 * Room for an event @id of @need payload bytes of thread @tid (@pid) at
 * *@ts (raised to the stream's latest time if earlier), the packet written
 * first if full; its headers are put and the payload goes at *@q, then
 * sonde__pktw_end().  0, -E2BIG (@need can never fit a packet) or -errno
 * of the output.
 */
SONDE_HIDDEN int sonde__pktw_begin(struct sonde__pktw *w, uint32_t id,
				   uint64_t *ts, int32_t tid, int32_t pid,
				   size_t need, uint8_t **q);
/* The event's payload ends at @q. */
SONDE_HIDDEN void sonde__pktw_end(struct sonde__pktw *w, uint8_t *q,
				  uint64_t ts);
/* Write the packet if it holds anything, or a loss to report.  0 or
 * -errno. */
SONDE_HIDDEN int sonde__pktw_flush(struct sonde__pktw *w);
/*
 * A live tick at trace time @until, read before the source's rings were
 * last drained: write the packet if it holds anything, open the stream
 * with an empty packet if it has none yet, and raise the stream's time to
 * @until, so that no later packet begins before it.  0 or -errno.
 */
SONDE_HIDDEN int sonde__pktw_live(struct sonde__pktw *w, uint64_t until);
/* Write the packet if its first record is older than SONDE__PKTW_AGE_NS
 * at CLOCK_MONOTONIC @now_ns.  0 or -errno. */
SONDE_HIDDEN int sonde__pktw_age(struct sonde__pktw *w, uint64_t now_ns);
/* CLOCK_MONOTONIC now, in ns. */
SONDE_HIDDEN uint64_t sonde__pktw_now(void);

#endif
