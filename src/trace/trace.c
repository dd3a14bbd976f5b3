// SPDX-License-Identifier: MIT
/*
 * A trace (see trace.h): stream classes registered by sources, their
 * streams, and the metadata, written through one output.  What a packet
 * says about which trace and stream it belongs to is the trace's to
 * write, never the source's: a source reading shared memory that traced
 * processes can scribble on hands over the rest of the header only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "trace.h"

struct trace_class {
	struct sonde__stream_class_ops ops;
	void *src;
};

struct sonde__stream {
	struct sonde__trace *t;
	struct sonde__ostream *os;
	uint32_t class_id;
	uint32_t instance;
	uint64_t size;
	struct sonde__stream *next;
};

struct sonde__trace {
	struct sonde__output *out;
	uint8_t uuid[16];
	struct sonde__clock clock;
	struct trace_class classes[SONDE__TRACE_MAX_CLASSES];
	uint32_t nr_classes;
	struct sonde__stream *streams;
};

int sonde__trace_create(struct sonde__output *out,
			const struct sonde__clock *clock, const uint8_t *uuid,
			struct sonde__trace **tp)
{
	struct sonde__trace *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->out = out;
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

int sonde__trace_add_class(struct sonde__trace *t,
			   const struct sonde__stream_class_ops *ops,
			   void *src, uint32_t *id)
{
	if (!ops || !ops->name || !ops->events || !ops->name[0] ||
	    strlen(ops->name) > 32 || strchr(ops->name, '/'))
		return -EINVAL;
	if (t->nr_classes == SONDE__TRACE_MAX_CLASSES)
		return -ENOSPC;
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

int sonde__stream_write_packet(struct sonde__stream *s,
			       struct sonde__pkt_hdr *hdr, const void *body,
			       size_t n)
{
	struct sonde__trace *t = s->t;
	struct iovec iov[2] = { { hdr, sizeof(*hdr) }, { (void *)body, n } };
	struct sonde__packet_index idx;
	int r;

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
	r = t->out->ops->write_packet(t->out, s->os, iov, n ? 2 : 1, &idx);
	if (!r)
		s->size += sizeof(*hdr) + n;
	return r;
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
		r = c->ops.events(c->src, &cls[i].events, &cls[i].nr_events);
		if (r)
			return r;
	}
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
	free(t);
}
