// SPDX-License-Identifier: MIT
/*
 * Packet and record iterator of one stream file (see stream.h).
 *
 * Packet: magic, uuid (the metadata's), stream_id 0, content_size <=
 * packet_size, both whole bytes, at least the header, packet within the
 * file.  Record: u8 id; compact ids (0..0xFC) carry the low 24 bits of the
 * timestamp, extended from the previous record's timestamp assuming at most
 * one wrap; 0xFF is followed by u32 id and u64 timestamp; 0xFD pads the rest
 * of the packet.  A record must lie within the packet content.  Every step
 * advances by at least one record header or one packet header, so the
 * iterator ends on any input.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "stream.h"

void sonde__rd_stream_init(struct sonde__rd_stream *s, const char *name,
			   const uint8_t *base, size_t size,
			   const struct sonde__rd_meta *m, uint32_t index)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->base = base;
	s->size = size;
	s->m = m;
	s->index = index;
	s->tid = s->pid = -1;
}

int64_t sonde__rd_payload_size(const struct sonde__rd_class *c,
			       const uint8_t *p, size_t avail)
{
	size_t off = 0;

	if (!c->has_variable)
		return c->fixed_size <= avail ? (int64_t)c->fixed_size : -1;
	for (uint32_t i = 0; i < c->nr_fields; i++) {
		const struct sonde__rd_field *f = &c->fields[i];
		const uint8_t *nul;
		uint64_t n;

		switch (f->kind) {
		case SONDE_RD_INT:
		case SONDE_RD_FLOAT:
			n = f->size;
			break;
		case SONDE_RD_STRING:
			nul = memchr(p + off, 0, avail - off);
			if (!nul)
				return -1;
			n = (uint64_t)(nul - (p + off)) + 1;
			break;
		case SONDE_RD_ARRAY:
			n = (uint64_t)f->size * f->count;
			break;
		case SONDE_RD_SEQUENCE:
			/* the length is the previous field, already inside */
			n = sonde__rd_load(p + off - c->fields[i - 1].size,
					   c->fields[i - 1].size);
			if (n > avail)
				return -1;
			n *= f->size;
			break;
		default:
			return -1;
		}
		if (n > avail - off)
			return -1;
		off += (size_t)n;
	}
	return (int64_t)off;
}

static int open_packet(struct sonde__rd_stream *s, struct sonde__rd_event *ev,
		       struct sonde__rd_err *err)
{
	const uint8_t *h = s->base + s->pkt;
	size_t left = s->size - s->pkt;
	uint64_t content, psize, disc;
	uint32_t magic, sid, cpu;

	if (left < SONDE_RD_PKT_HDR)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: truncated packet header (%zu bytes left)",
				      s->name, s->pkt, left);
	magic = (uint32_t)sonde__rd_load(h, 4);
	if (magic != SONDE_RD_CTF_MAGIC)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: bad packet magic 0x%08" PRIx32,
				      s->name, s->pkt, magic);
	if (s->m->has_uuid && memcmp(h + 4, s->m->uuid, 16))
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: packet uuid differs from the metadata's",
				      s->name, s->pkt + 4);
	sid = (uint32_t)sonde__rd_load(h + 20, 4);
	if (sid != 0)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: unknown stream id %" PRIu32,
				      s->name, s->pkt + 20, sid);
	content = sonde__rd_load(h + 48, 8);
	psize = sonde__rd_load(h + 56, 8);
	if ((content & 7) || (psize & 7))
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: packet sizes are not whole bytes",
				      s->name, s->pkt + 48);
	content /= 8;
	psize /= 8;
	if (psize > left)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: packet size past end of file (%" PRIu64
				      " bytes, %zu left)",
				      s->name, s->pkt, psize, left);
	if (content > psize)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: content size %" PRIu64
				      " larger than packet size %" PRIu64,
				      s->name, s->pkt, content, psize);
	if (content < SONDE_RD_PKT_HDR)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: content size %" PRIu64
				      " smaller than the packet header",
				      s->name, s->pkt, content);
	s->pkt_begin = sonde__rd_load(h + 32, 8);
	s->pkt_end_ts = sonde__rd_load(h + 40, 8);
	if (s->pkt_end_ts < s->pkt_begin)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: packet ends before it begins",
				      s->name, s->pkt + 40);
	disc = sonde__rd_load(h + 72, 8);
	cpu = (uint32_t)sonde__rd_load(h + 80, 4);
	if (!s->nr_packets)
		s->instance = sonde__rd_load(h + 24, 8);
	s->cpu = cpu;
	s->pkt_end = s->pkt + (size_t)psize;
	s->content_end = s->pkt + (size_t)content;
	s->pos = s->pkt + SONDE_RD_PKT_HDR;
	s->ts = s->pkt_begin;
	s->in_packet = 1;
	/* each packet starts with a thread record */
	s->tid = s->pid = -1;
	if (disc < s->discarded)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: events_discarded goes backwards",
				      s->name, s->pkt + 72);
	if (disc > s->discarded) {
		ev->kind = SONDE_RD_EV_DISCARDED;
		ev->cpu = cpu;
		ev->stream = s->index;
		ev->tid = ev->pid = -1;
		ev->cls = NULL;
		ev->payload = NULL;
		ev->len = 0;
		ev->discarded = disc - s->discarded;
		ev->disc_begin = s->nr_packets ? s->prev_end_ts : s->pkt_begin;
		ev->ts = s->pkt_begin;
		ev->ns = sonde__rd_ns(s->m, ev->ts);
		ev->disc_end = s->pkt_end_ts;
		if (ev->disc_begin > ev->ts)
			ev->disc_begin = ev->ts;
		s->discarded = disc;
		s->nr_packets++;
		return 1;
	}
	s->nr_packets++;
	return 0;
}

int sonde__rd_stream_next(struct sonde__rd_stream *s,
			  struct sonde__rd_event *ev,
			  struct sonde__rd_err *err)
{
	const struct sonde__rd_meta *m = s->m;

	for (;;) {
		const uint8_t *p;
		size_t avail, hdr;
		uint32_t id;
		uint64_t ts;
		const struct sonde__rd_class *c;
		int64_t n;

		if (s->pos >= s->content_end) {
			int r;

			if (s->in_packet) {
				s->in_packet = 0;
				s->prev_end_ts = s->pkt_end_ts;
				s->pkt = s->pkt_end;
			}
			if (s->pkt >= s->size)
				return 0;
			r = open_packet(s, ev, err);
			if (r)
				return r;
			continue;
		}
		p = s->base + s->pos;
		avail = s->content_end - s->pos;
		if (p[0] <= SONDE_RD_ID_COMPACT_MAX) {
			uint64_t low, mask = (1ull << 24) - 1;

			if (avail < 4)
				goto trunc;
			low = (uint64_t)p[1] | (uint64_t)p[2] << 8 |
			      (uint64_t)p[3] << 16;
			id = p[0];
			ts = (s->ts & ~mask) | low;
			if (low < (s->ts & mask))
				ts += 1ull << 24;
			hdr = 4;
		} else if (p[0] == SONDE_RD_ID_EXT) {
			if (avail < 13)
				goto trunc;
			id = (uint32_t)sonde__rd_load(p + 1, 4);
			ts = sonde__rd_load(p + 5, 8);
			hdr = 13;
		} else if (p[0] == SONDE_RD_ID_PAD) {
			s->pos = s->content_end;
			continue;
		} else {
			return sonde__rd_errf(err, -EBADMSG,
					      "%s: offset %zu: bad record id byte 0x%02x",
					      s->name, s->pos, p[0]);
		}
		if (id >= m->nr_ids || !(c = m->by_id[id]))
			return sonde__rd_errf(err, -EBADMSG,
					      "%s: offset %zu: record of unknown event id %" PRIu32,
					      s->name, s->pos, id);
		n = sonde__rd_payload_size(c, p + hdr, avail - hdr);
		if (n < 0)
			return sonde__rd_errf(err, -EBADMSG,
					      "%s: offset %zu: %s record past end of packet content",
					      s->name, s->pos, c->name);
		s->ts = ts;
		s->pos += hdr + (size_t)n;
		if (id == SONDE_RD_THREAD_ID) {
			s->tid = (int32_t)sonde__rd_load(p + hdr, 4);
			s->pid = (int32_t)sonde__rd_load(p + hdr + 4, 4);
			continue;
		}
		ev->kind = SONDE_RD_EV_EVENT;
		ev->cpu = s->cpu;
		ev->stream = s->index;
		ev->tid = s->tid;
		ev->pid = s->pid;
		ev->ts = ts;
		ev->ns = sonde__rd_ns(m, ts);
		ev->cls = c;
		ev->payload = p + hdr;
		ev->len = (uint32_t)n;
		return 1;
trunc:
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: record header past end of packet content",
				      s->name, s->pos);
	}
}
