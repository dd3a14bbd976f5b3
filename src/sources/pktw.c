// SPDX-License-Identifier: MIT
/*
 * Packet writer of a perf-fed source (pktw.h).  A packet is the format's
 * header and context (sonde__stream_pkt_hdr_size() bytes, filled by the
 * trace and here), then records: each with the extended event header (u8
 * 0xFF, u32 id, u64 timestamp), a thread record ("sonde:thread", id 0:
 * s32 tid, s32 pid) first in each packet and before each event of
 * another thread.  Timestamps never go back within a stream: an event
 * earlier than what the stream holds is given the stream's latest time
 * (sources sort each pass; what they cannot sort is off by nanoseconds).
 * events_discarded is a running total of the source's losses for the
 * stream; a packet with no record is written at the end when only that
 * count changed, so that readers see every loss.
 *
 * Live (sonde__pktw_live(), each tick of a live recording to a relay):
 * the packet is written when it holds anything, the stream is opened
 * with an empty packet if it has none yet, and the stream's time is
 * raised to the tick's: the relay may tell viewers "nothing on this
 * stream before then" (a beacon), so a record that comes later with an
 * earlier time (one the kernel had stamped but not yet put in the ring
 * when it was read) is given the tick's time, as one out of order is
 * given the stream's latest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sonde/static/format.h>

#include "../trace/trace.h"
#include "pktw.h"

uint64_t sonde__pktw_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int sonde__pktw_init(struct sonde__pktw *w, struct sonde__trace *t,
		     uint32_t class_id, uint32_t instance, uint32_t cpu_id)
{
	memset(w, 0, sizeof(*w));
	w->trace = t;
	w->class_id = class_id;
	w->instance = instance;
	w->cpu_id = cpu_id;
	w->tid = -1;
	w->body = malloc(SONDE__PKTW_BODY);
	return w->body ? 0 : -ENOMEM;
}

void sonde__pktw_fini(struct sonde__pktw *w)
{
	free(w->body);
	w->body = NULL;
}

static uint8_t *put_ext(uint8_t *q, uint32_t id, uint64_t ts)
{
	*q++ = SONDE__ID_EXT;
	memcpy(q, &id, 4);
	memcpy(q + 4, &ts, 8);
	return q + 12;
}

/* Write the packet as it is, even empty. */
static int write_packet(struct sonde__pktw *w)
{
	struct sonde__pkt_hdr h;
	int r;

	if (!w->s) {
		r = sonde__trace_open_stream(w->trace, w->class_id, w->instance,
					     &w->s);
		if (r)
			return r;
	}
	if (!w->used)
		w->ts_begin = w->ts_last;
	memset(&h, 0, sizeof(h));
	h.timestamp_begin = w->ts_begin;
	h.timestamp_end = w->ts_last;
	h.content_size = h.packet_size =
		((uint64_t)sonde__stream_pkt_hdr_size(w->s) + w->used) * 8;
	h.packet_seq_num = w->seq;
	h.events_discarded = w->discarded;
	h.cpu_id = w->cpu_id;
	r = sonde__stream_write_packet(w->s, &h, NULL, w->body, w->used);
	if (r)
		return r;
	w->bytes += sonde__stream_pkt_hdr_size(w->s) + w->used;
	w->packets++;
	w->seq++;
	w->discarded_written = w->discarded;
	w->used = 0;
	w->tid = -1;
	return 0;
}

int sonde__pktw_flush(struct sonde__pktw *w)
{
	if (!w->used && w->discarded == w->discarded_written)
		return 0;
	return write_packet(w);
}

int sonde__pktw_live(struct sonde__pktw *w, uint64_t until)
{
	int r = sonde__pktw_flush(w);

	if (r)
		return r;
	if (w->ts_last < until)
		w->ts_last = until;
	/* A stream the relay does not know yet would show up in a viewer
	 * already past its first packet: it is made now, empty. */
	return w->s ? 0 : write_packet(w);
}

int sonde__pktw_begin(struct sonde__pktw *w, uint32_t id, uint64_t *ts,
		      int32_t tid, int32_t pid, size_t need, uint8_t **qp)
{
	const size_t hdrs = 2 * SONDE__EXT_HDR + SONDE__THREAD_PAYLOAD;
	int32_t ids[2] = { tid, pid };
	uint8_t *q;
	int r;

	if (need > SONDE__PKTW_BODY - hdrs)
		return -E2BIG;
	if (*ts < w->ts_last)
		*ts = w->ts_last;
	if (w->used + need + hdrs > SONDE__PKTW_BODY) {
		r = sonde__pktw_flush(w);
		if (r)
			return r;
	}
	q = w->body + w->used;
	if (!w->used) {
		w->ts_begin = *ts;
		w->born_ns = sonde__pktw_now();
	}
	if (w->tid != tid) {
		q = put_ext(q, SONDE__THREAD_EVENT_ID, *ts);
		memcpy(q, ids, sizeof(ids));
		q += sizeof(ids);
		w->tid = tid;
	}
	*qp = put_ext(q, id, *ts);
	return 0;
}

void sonde__pktw_end(struct sonde__pktw *w, uint8_t *q, uint64_t ts)
{
	w->used = (size_t)(q - w->body);
	w->ts_last = ts;
}

int sonde__pktw_age(struct sonde__pktw *w, uint64_t now_ns)
{
	if (w->used && now_ns - w->born_ns >= SONDE__PKTW_AGE_NS)
		return sonde__pktw_flush(w);
	return 0;
}
