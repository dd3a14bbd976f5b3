// SPDX-License-Identifier: MIT
/*
 * A trace (see trace.h): stream classes registered by sources, their
 * streams, and the metadata, written through one output.  What a packet
 * says about which trace and stream it belongs to is the trace's to
 * write, never the source's: a source reading shared memory that traced
 * processes can scribble on hands over the rest of the header only.  The
 * sizes are the source's (only it knows where its records end) but are
 * checked against what the trace writes: header, the class's extra packet
 * context values, body.
 *
 * Metadata is rewritten whole, each time with the event classes known
 * then and the clock calibrated again over a longer span, unless the
 * output needs it append-only (SONDE__OUTPUT_APPEND_METADATA: a relay
 * cannot take back what it sent).  Then the first text is kept as it was
 * written (its clock calibration, creation date, procname and pid stay
 * those of that moment) and each later one is it plus the event classes
 * that appeared since (sonde__metadata_write_events()): every text
 * extends the one before, and the last one is what a directory beside
 * the relay holds too.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "trace.h"

struct trace_class {
	struct sonde__stream_class_ops ops;
	void *src;
	/* Append-only metadata: seen[id] for the event classes written. */
	uint8_t *seen;
	uint32_t nr_seen;
};

struct sonde__stream {
	struct sonde__trace *t;
	struct sonde__ostream *os;
	uint32_t class_id;
	uint32_t instance;
	uint64_t size;
	uint64_t packets; /* written */
	struct sonde__stream *next;
};

struct sonde__trace {
	struct sonde__output *out;
	uint8_t uuid[16];
	struct sonde__clock clock;
	struct trace_class classes[SONDE__TRACE_MAX_CLASSES];
	uint32_t nr_classes;
	struct sonde__stream *streams;
	int append;   /* the output needs append-only metadata */
	char *meta;   /* then: the text written so far, or NULL */
	size_t meta_len;
};

int sonde__trace_create(struct sonde__output *out,
			const struct sonde__clock *clock, const uint8_t *uuid,
			struct sonde__trace **tp)
{
	struct sonde__trace *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->out = out;
	t->append = !!(out->flags & SONDE__OUTPUT_APPEND_METADATA);
	if (clock)
		t->clock = *clock;
	else
		sonde__clock_start(&t->clock);
	if (uuid) {
		memcpy(t->uuid, uuid, sizeof(t->uuid));
	} else {
		if (getrandom(t->uuid, sizeof(t->uuid), 0) != sizeof(t->uuid))
			memset(t->uuid, 0x5a, sizeof(t->uuid));
		/* RFC 4122 version 4. */
		t->uuid[6] = (uint8_t)((t->uuid[6] & 0x0f) | 0x40);
		t->uuid[8] = (uint8_t)((t->uuid[8] & 0x3f) | 0x80);
	}
	*tp = t;
	return 0;
}

/* Extra packet context field @i of @ops: an identifier of at most 32
 * bytes, not one of struct sonde__pkt_hdr's names nor an earlier one's
 * (readers strip the leading underscore the metadata gives it). */
static bool ctx_name_ok(const struct sonde__stream_class_ops *ops, uint32_t i)
{
	static const char *const common[] = { "magic", "uuid", "stream_id",
		"stream_instance_id", "timestamp_begin", "timestamp_end",
		"content_size", "packet_size", "packet_seq_num",
		"events_discarded", "cpu_id" };
	static const char ident[] = "_abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const char *n = ops->ctx_extra[i];
	size_t len;

	/* A first character that is not a digit, then identifier ones. */
	if (!n || !n[0] || !memchr(ident, n[0], sizeof(ident) - 11))
		return false;
	len = strspn(n, ident);
	if (n[len] || len > 32)
		return false;
	for (size_t k = 0; k < ARRAY_SIZE(common); k++)
		if (!strcmp(n, common[k]))
			return false;
	for (uint32_t k = 0; k < i; k++)
		if (!strcmp(n, ops->ctx_extra[k]))
			return false;
	return true;
}

int sonde__trace_add_class(struct sonde__trace *t,
			   const struct sonde__stream_class_ops *ops,
			   void *src, uint32_t *id)
{
	if (!ops || !ops->name || !ops->events || !ops->name[0] ||
	    strlen(ops->name) > 32 || strchr(ops->name, '/'))
		return -EINVAL;
	if (ops->nr_ctx_extra > SONDE__PKT_CTX_EXTRA_MAX ||
	    (ops->nr_ctx_extra && !ops->ctx_extra) || ops->nr_ev_ctx > 8 ||
	    (ops->nr_ev_ctx && !ops->ev_ctx))
		return -EINVAL;
	for (uint32_t i = 0; i < ops->nr_ctx_extra; i++)
		if (!ctx_name_ok(ops, i))
			return -EINVAL;
	if (t->nr_classes == SONDE__TRACE_MAX_CLASSES)
		return -ENOSPC;
	if (t->meta)
		return -EBUSY; /* its stream block would come too late */
	t->classes[t->nr_classes].ops = *ops;
	t->classes[t->nr_classes].src = src;
	*id = t->nr_classes++;
	return 0;
}

int sonde__trace_open_stream(struct sonde__trace *t, uint32_t id,
			     uint32_t instance, struct sonde__stream **sp)
{
	struct sonde__stream *s;
	char name[64];
	int r;

	if (id >= t->nr_classes)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	snprintf(name, sizeof(name), "%s_%u", t->classes[id].ops.name,
		 instance);
	r = t->out->ops->open_stream(t->out, name, &s->os);
	if (r) {
		free(s);
		return r;
	}
	s->t = t;
	s->class_id = id;
	s->instance = instance;
	s->next = t->streams;
	t->streams = s;
	*sp = s;
	return 0;
}

uint32_t sonde__stream_pkt_hdr_size(const struct sonde__stream *s)
{
	return SONDE__PKT_HDR_SIZE_EXTRA(
		s->t->classes[s->class_id].ops.nr_ctx_extra);
}

int sonde__stream_write_packet(struct sonde__stream *s,
			       struct sonde__pkt_hdr *hdr,
			       const uint64_t *ctx_extra, const void *body,
			       size_t n)
{
	return sonde__stream_write_packet_flags(s, hdr, ctx_extra, body, n, 0);
}

int sonde__stream_write_packet_flags(struct sonde__stream *s,
				     struct sonde__pkt_hdr *hdr,
				     const uint64_t *ctx_extra,
				     const void *body, size_t n,
				     unsigned int wflags)
{
	struct sonde__trace *t = s->t;
	uint32_t nr_extra = t->classes[s->class_id].ops.nr_ctx_extra;
	uint64_t hsize = SONDE__PKT_HDR_SIZE_EXTRA(nr_extra);
	struct iovec iov[3];
	struct sonde__packet_index idx;
	int k = 0, r;

	if ((nr_extra && !ctx_extra) || n > UINT64_MAX / 8 - hsize ||
	    hdr->packet_size != (hsize + n) * 8 || hdr->content_size % 8 ||
	    hdr->content_size < hsize * 8 ||
	    hdr->content_size > hdr->packet_size)
		return -EINVAL;
	iov[k++] = (struct iovec){ hdr, sizeof(*hdr) };
	if (nr_extra)
		iov[k++] = (struct iovec){ (void *)ctx_extra,
					   nr_extra * sizeof(*ctx_extra) };
	if (n)
		iov[k++] = (struct iovec){ (void *)body, n };

	hdr->magic = SONDE__CTF_MAGIC;
	memcpy(hdr->uuid, t->uuid, sizeof(hdr->uuid));
	hdr->stream_id = s->class_id;
	hdr->stream_instance_id = s->instance;
	idx = (struct sonde__packet_index){
		.packet_size = hdr->packet_size,
		.content_size = hdr->content_size,
		.timestamp_begin = hdr->timestamp_begin,
		.timestamp_end = hdr->timestamp_end,
		.events_discarded = hdr->events_discarded,
		.stream_id = hdr->stream_id,
		.stream_instance_id = hdr->stream_instance_id,
		.packet_seq_num = hdr->packet_seq_num,
	};
	/* Only the body can be held: it is the last iovec (none is an empty
	 * packet's, which holds nothing). */
	if (!n || !(t->out->flags & SONDE__OUTPUT_HOLDS_PAYLOAD))
		wflags &= ~SONDE__WRITE_MAY_HOLD;
	r = t->out->ops->write_packet(t->out, s->os, iov, k, &idx, wflags);
	if (!r) {
		s->size += hsize + n;
		s->packets++;
	}
	return r;
}

uint64_t sonde__stream_packets(const struct sonde__stream *s)
{
	return s->packets;
}

uint64_t sonde__stream_retired(struct sonde__stream *s)
{
	const struct sonde__output *o = s->t->out;
	uint64_t n;

	if (!o->ops->retired)
		return s->packets;
	n = o->ops->retired(s->t->out, s->os);
	return n < s->packets ? n : s->packets;
}

int sonde__trace_holds(const struct sonde__trace *t)
{
	return !!(t->out->flags & SONDE__OUTPUT_HOLDS_PAYLOAD);
}

void sonde__trace_release(struct sonde__trace *t)
{
	if (t->out->ops->release)
		t->out->ops->release(t->out);
}

uint64_t sonde__stream_size(const struct sonde__stream *s)
{
	return s->size;
}

const uint8_t *sonde__trace_uuid(const struct sonde__trace *t)
{
	return t->uuid;
}

struct sonde__clock *sonde__trace_clock(struct sonde__trace *t)
{
	return &t->clock;
}

/* Note @cls's event classes as written (append-only metadata).  0 or
 * -ENOMEM. */
static int mark_seen(struct sonde__trace *t,
		     const struct sonde__stream_class_model *cls)
{
	for (uint32_t i = 0; i < t->nr_classes; i++) {
		struct trace_class *c = &t->classes[i];

		if (cls[i].nr_events > c->nr_seen) {
			uint8_t *n = realloc(c->seen, cls[i].nr_events);

			if (!n)
				return -ENOMEM;
			memset(n + c->nr_seen, 0, cls[i].nr_events - c->nr_seen);
			c->seen = n;
			c->nr_seen = cls[i].nr_events;
		}
		for (uint32_t k = 0; k < cls[i].nr_events; k++)
			if (cls[i].events[k])
				c->seen[k] = 1;
	}
	return 0;
}

/*
 * Append-only metadata after the first text: the event classes of @cls
 * not written yet, appended to t->meta and handed whole to the output.
 * 0 or -errno.
 */
static int append_metadata(struct sonde__trace *t,
			   struct sonde__stream_class_model *cls)
{
	struct sonde__event_class **fresh[SONDE__TRACE_MAX_CLASSES] = { 0 };
	struct sonde__stream_class_model part[SONDE__TRACE_MAX_CLASSES];
	struct sonde__trace_model m;
	char *frag = NULL, *text;
	size_t flen = 0;
	int any = 0, r = 0;
	FILE *f;

	for (uint32_t i = 0; i < t->nr_classes; i++) {
		const struct trace_class *c = &t->classes[i];

		part[i] = cls[i];
		part[i].nr_events = 0;
		fresh[i] = calloc(cls[i].nr_events ? cls[i].nr_events : 1,
				  sizeof(*fresh[i]));
		if (!fresh[i]) {
			r = -ENOMEM;
			goto out;
		}
		for (uint32_t k = 0; k < cls[i].nr_events; k++)
			if (cls[i].events[k] &&
			    (k >= c->nr_seen || !c->seen[k])) {
				fresh[i][k] = cls[i].events[k];
				part[i].nr_events = k + 1;
				any = 1;
			}
		part[i].events = fresh[i];
	}
	if (!any)
		goto out;
	memset(&m, 0, sizeof(m));
	m.classes = part;
	m.nr_classes = t->nr_classes;
	f = open_memstream(&frag, &flen);
	if (!f) {
		r = -ENOMEM;
		goto out;
	}
	r = sonde__metadata_write_events(f, &m);
	if (fclose(f) && !r)
		r = -ENOMEM;
	if (r)
		goto out;
	text = malloc(t->meta_len + flen);
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(text, t->meta, t->meta_len);
	memcpy(text + t->meta_len, frag, flen);
	r = t->out->ops->write_metadata(t->out, text, t->meta_len + flen);
	if (!r)
		r = mark_seen(t, cls);
	if (r) {
		free(text);
		goto out;
	}
	free(t->meta);
	t->meta = text;
	t->meta_len += flen;
out:
	for (uint32_t i = 0; i < t->nr_classes; i++)
		free(fresh[i]);
	free(frag);
	return r;
}

int sonde__trace_write_metadata(struct sonde__trace *t, const char *procname,
				pid_t pid)
{
	struct sonde__stream_class_model cls[SONDE__TRACE_MAX_CLASSES];
	struct sonde__trace_model m;
	char host[256] = "", *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	memset(&m, 0, sizeof(m));
	for (uint32_t i = 0; i < t->nr_classes; i++) {
		struct trace_class *c = &t->classes[i];

		cls[i].id = i;
		cls[i].ctx_extra = c->ops.ctx_extra;
		cls[i].nr_ctx_extra = c->ops.nr_ctx_extra;
		cls[i].ev_ctx = c->ops.ev_ctx;
		cls[i].nr_ev_ctx = c->ops.nr_ev_ctx;
		r = c->ops.events(c->src, &cls[i].events, &cls[i].nr_events);
		if (r)
			return r;
	}
	if (t->meta)
		return append_metadata(t, cls);
	sonde__clock_finish(&t->clock);
	memcpy(m.uuid, t->uuid, sizeof(m.uuid));
	m.clock = &t->clock;
	m.classes = cls;
	m.nr_classes = t->nr_classes;
	gethostname(host, sizeof(host) - 1);
	m.hostname = host;
	m.procname = procname;
	m.pid = pid;
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	r = sonde__metadata_write(f, &m);
	if (fclose(f) && !r)
		r = -ENOMEM;
	if (!r)
		r = t->out->ops->write_metadata(t->out, text, len);
	if (!r && t->append) {
		r = mark_seen(t, cls);
		if (!r) {
			t->meta = text; /* kept: the later texts extend it */
			t->meta_len = len;
			return 0;
		}
	}
	free(text);
	return r;
}

int sonde__trace_sync(struct sonde__trace *t)
{
	return t->out->ops->sync(t->out);
}

void sonde__trace_discard(struct sonde__trace *t)
{
	if (t)
		t->out->ops->discard(t->out);
}

void sonde__trace_destroy(struct sonde__trace *t)
{
	if (!t)
		return;
	while (t->streams) {
		struct sonde__stream *s = t->streams;

		t->streams = s->next;
		free(s);
	}
	sonde__output_destroy(t->out);
	for (uint32_t i = 0; i < t->nr_classes; i++)
		free(t->classes[i].seen);
	free(t->meta);
	free(t);
}
