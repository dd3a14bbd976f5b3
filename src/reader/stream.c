// SPDX-License-Identifier: MIT
/*
 * Packet and record iterator of one stream file (see stream.h).  Trust
 * boundary: a trace file read back, possibly corrupt or hostile.
 *
 * Packet (struct sonde__pkt_hdr, include/sonde/static/format.h): magic,
 * uuid (the metadata's), stream_id a declared stream class, the same
 * stream_id and stream_instance_id in every packet of the file,
 * content_size <= packet_size, both whole bytes, at least the header
 * and context of the packet's stream class (sonde's, then the class's
 * extra u64 fields, which are skipped), packet within the file.  Records are decoded with the event classes of
 * the packet's stream class by the record walker (src/format/record.c):
 * compact or extended
 * header, the timestamp extended from the previous record's, the padding
 * byte, each record within the packet content.  Every step advances by at
 * least one record header or one packet header, so the iterator ends on
 * any input.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "../format/record.h"
#include "stream.h"

/* The metadata parser's names for the format's constants. */
_Static_assert(SONDE_RD_PKT_HDR == SONDE__PKT_HDR_SIZE &&
		       SONDE_RD_CTF_MAGIC == SONDE__CTF_MAGIC &&
		       SONDE_RD_ID_COMPACT_MAX == SONDE__ID_COMPACT_MAX &&
		       SONDE_RD_ID_PAD == SONDE__ID_PAD &&
		       SONDE_RD_ID_EXT == SONDE__ID_EXT &&
		       SONDE_RD_THREAD_ID == SONDE__THREAD_EVENT_ID,
	       "src/reader/metadata-parse.h restates include/sonde/static/format.h");

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
			n = sonde__rd_seq_len(c, i, p + off);
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
	struct sonde__pkt_hdr ph;
	uint64_t content, psize;
	uint32_t hsize;

	if (left < SONDE__PKT_HDR_SIZE)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: truncated packet header (%zu bytes left)",
				      s->name, s->pkt, left);
	memcpy(&ph, h, sizeof(ph)); /* little-endian host */
	if (ph.magic != SONDE__CTF_MAGIC)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: bad packet magic 0x%08" PRIx32,
				      s->name, s->pkt, ph.magic);
	if (s->m->has_uuid && memcmp(ph.uuid, s->m->uuid, 16))
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: packet uuid differs from the metadata's",
				      s->name, s->pkt + SONDE__PKT_UUID_OFF);
	if (!s->nr_packets) {
		s->sc = sonde__rd_sclass_get(s->m, ph.stream_id);
		if (!s->sc)
			return sonde__rd_errf(err, -EBADMSG,
					      "%s: offset %zu: unknown stream id %" PRIu32,
					      s->name, s->pkt + SONDE__PKT_STREAM_ID_OFF,
					      ph.stream_id);
		s->stream_id = ph.stream_id;
		s->instance = ph.stream_instance_id;
	} else if (ph.stream_id != s->stream_id) {
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: packet of stream class %" PRIu32
				      " in a stream of class %" PRIu32,
				      s->name, s->pkt + SONDE__PKT_STREAM_ID_OFF,
				      ph.stream_id, s->stream_id);
	} else if (ph.stream_instance_id != s->instance) {
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: packet of stream instance %" PRIu64
				      " in a stream of instance %" PRIu64,
				      s->name, s->pkt + SONDE__PKT_INSTANCE_OFF,
				      ph.stream_instance_id, s->instance);
	}
	hsize = s->sc->pkt_hdr_size;
	content = ph.content_size;
	psize = ph.packet_size;
	if ((content & 7) || (psize & 7))
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: packet sizes are not whole bytes",
				      s->name, s->pkt + SONDE__PKT_CONTENT_OFF);
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
	if (content < hsize)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: content size %" PRIu64
				      " smaller than the packet header (%" PRIu32 " bytes)",
				      s->name, s->pkt, content, hsize);
	s->pkt_begin = ph.timestamp_begin;
	s->pkt_end_ts = ph.timestamp_end;
	if (s->pkt_end_ts < s->pkt_begin)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: packet ends before it begins",
				      s->name, s->pkt + SONDE__PKT_TS_END_OFF);
	s->cpu = ph.cpu_id;
	s->pkt_end = s->pkt + (size_t)psize;
	s->content_end = s->pkt + (size_t)content;
	s->pos = s->pkt + hsize;
	s->ts = s->pkt_begin;
	s->in_packet = 1;
	/* each packet starts with a thread record */
	s->tid = s->pid = -1;
	if (ph.events_discarded < s->discarded)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: events_discarded goes backwards",
				      s->name, s->pkt + SONDE__PKT_DISCARDED_OFF);
	if (ph.events_discarded > s->discarded) {
		ev->kind = SONDE_RD_EV_DISCARDED;
		ev->cpu = s->cpu;
		ev->stream = s->index;
		ev->tid = ev->pid = -1;
		ev->cls = NULL;
		ev->payload = NULL;
		ev->len = 0;
		ev->discarded = ph.events_discarded - s->discarded;
		ev->disc_begin = s->nr_packets ? s->prev_end_ts : s->pkt_begin;
		ev->ts = s->pkt_begin;
		ev->ns = sonde__rd_ns(s->m, ev->ts);
		ev->disc_end = s->pkt_end_ts;
		if (ev->disc_begin > ev->ts)
			ev->disc_begin = ev->ts;
		s->discarded = ph.events_discarded;
		s->nr_packets++;
		return 1;
	}
	s->nr_packets++;
	return 0;
}

/* The record walker's size callback over the stream class @arg. */
static int64_t record_size(void *arg, uint32_t id, const uint8_t *p,
			   size_t avail)
{
	const struct sonde__rd_sclass *sc = arg;
	const struct sonde__rd_class *c;
	int64_t n;

	if (id >= sc->nr_ids || !(c = sc->by_id[id]))
		return -ENOENT;
	n = sonde__rd_payload_size(c, p, avail);
	return n < 0 ? -EBADMSG : n;
}

int sonde__rd_stream_next(struct sonde__rd_stream *s,
			  struct sonde__rd_event *ev,
			  struct sonde__rd_err *err)
{
	const struct sonde__rd_meta *m = s->m;

	for (;;) {
		const struct sonde__rd_class *c;
		const uint8_t *pkt, *payload;
		struct sonde__rec r;
		int k;

		if (s->pos >= s->content_end) {
			int n;

			if (s->in_packet) {
				s->in_packet = 0;
				s->prev_end_ts = s->pkt_end_ts;
				s->pkt = s->pkt_end;
			}
			if (s->pkt >= s->size)
				return 0;
			n = open_packet(s, ev, err);
			if (n)
				return n;
			continue;
		}
		pkt = s->base + s->pkt;
		k = sonde__rec_step(pkt, s->content_end - s->pkt, s->pos - s->pkt,
				    s->ts, record_size, (void *)s->sc, &r);
		switch (k) {
		case SONDE__REC_EVENT:
			break;
		case SONDE__REC_END:
		case SONDE__REC_PAD:
			s->pos = s->content_end;
			continue;
		case SONDE__REC_TRUNC:
			return sonde__rd_errf(err, -EBADMSG,
					      "%s: offset %zu: record header past end of packet content",
					      s->name, s->pos);
		case SONDE__REC_UNKNOWN:
			return sonde__rd_errf(err, -EBADMSG,
					      "%s: offset %zu: record of unknown event id %" PRIu32,
					      s->name, s->pos, r.id);
		case SONDE__REC_PAST:
			return sonde__rd_errf(err, -EBADMSG,
					      "%s: offset %zu: %s record past end of packet content",
					      s->name, s->pos, s->sc->by_id[r.id]->name);
		default: /* a salvage marker has no place in a file */
			return sonde__rd_errf(err, -EBADMSG,
					      "%s: offset %zu: bad record id byte 0x%02x",
					      s->name, s->pos, s->base[s->pos]);
		}
		c = s->sc->by_id[r.id];
		payload = s->base + s->pos + r.hdr_len;
		s->ts = r.ts;
		s->pos += r.len;
		if (r.id == SONDE__THREAD_EVENT_ID) {
			/* sonde:thread { s32 tid; s32 pid; }, after the
			 * event context if any: its last 8 bytes, checked
			 * by the metadata parser and the walker. */
			const uint8_t *ids = s->base + s->pos - 8;

			s->tid = (int32_t)sonde__rd_field_load(
				&c->fields[c->nr_ctx], ids);
			s->pid = (int32_t)sonde__rd_field_load(
				&c->fields[c->nr_ctx + 1], ids + 4);
			continue;
		}
		ev->kind = SONDE_RD_EV_EVENT;
		ev->cpu = s->cpu;
		ev->stream = s->index;
		ev->tid = s->tid;
		ev->pid = s->pid;
		ev->ts = r.ts;
		ev->ns = sonde__rd_ns(m, r.ts);
		ev->cls = c;
		ev->payload = payload;
		ev->len = r.len - r.hdr_len;
		return 1;
	}
}
