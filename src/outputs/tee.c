// SPDX-License-Identifier: MIT
/*
 * The tee output (see output.h): one trace written to two outputs, a
 * local directory and a relay (`sonde record -o DIR --relay URL`).  Each
 * call goes to the first output, then to the second; the first one's
 * errors are the tee's (a full disk stops the recording as it always
 * did), and the second, the relay, does not fail after its creation: what
 * it cannot send it counts.  A stream of the tee is the pair of its two
 * streams.  The tee needs append-only metadata if either output does,
 * and holds payloads if either does: a packet is retired when both are
 * done with it (an output that never holds is done on return).
 */
#include <errno.h>
#include <stdlib.h>

#include "output.h"

struct sonde__ostream {
	struct sonde__ostream *a, *b;
	uint64_t written; /* packets written to both */
};

struct tee_output {
	struct sonde__output base;
	struct sonde__output *a, *b;
	struct sonde__ostream **streams; /* to free */
	uint32_t nr, cap;
};

static struct tee_output *tee_of(struct sonde__output *o)
{
	return (struct tee_output *)o;
}

static int tee_open_stream(struct sonde__output *o, const char *name,
			   struct sonde__ostream **out)
{
	struct tee_output *t = tee_of(o);
	struct sonde__ostream *s;
	int r;

	if (t->nr == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 16;
		struct sonde__ostream **ns =
			realloc(t->streams, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		t->streams = ns;
		t->cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = t->a->ops->open_stream(t->a, name, &s->a);
	if (!r)
		r = t->b->ops->open_stream(t->b, name, &s->b);
	if (r) {
		free(s); /* @a's stream, if made, is @a's to close */
		return r;
	}
	t->streams[t->nr++] = s;
	*out = s;
	return 0;
}

static int tee_write_packet(struct sonde__output *o, struct sonde__ostream *s,
			    const struct iovec *iov, int iovcnt,
			    struct sonde__packet_index *idx,
			    unsigned int wflags)
{
	struct tee_output *t = tee_of(o);
	struct sonde__packet_index bidx;
	int r = t->a->ops->write_packet(t->a, s->a, iov, iovcnt, idx, wflags);

	if (r)
		return r;
	bidx = *idx;
	r = t->b->ops->write_packet(t->b, s->b, iov, iovcnt, &bidx, wflags);
	if (!r)
		s->written++;
	return r;
}

/* Each output counts its own stream's packets; both had every packet of
 * the tee's stream (a's errors stop the tee before b, and b's writes
 * never fail), so both counts number the same packets. */
static uint64_t side_retired(struct sonde__output *o, struct sonde__ostream *s,
			     uint64_t written)
{
	uint64_t n = o->ops->retired ? o->ops->retired(o, s) : written;

	return n < written ? n : written;
}

static uint64_t tee_retired(struct sonde__output *o, struct sonde__ostream *s)
{
	struct tee_output *t = tee_of(o);
	uint64_t a = side_retired(t->a, s->a, s->written);
	uint64_t b = side_retired(t->b, s->b, s->written);

	return a < b ? a : b;
}

static void tee_release(struct sonde__output *o)
{
	struct tee_output *t = tee_of(o);

	if (t->a->ops->release)
		t->a->ops->release(t->a);
	if (t->b->ops->release)
		t->b->ops->release(t->b);
}

static int tee_write_metadata(struct sonde__output *o, const char *text,
			      size_t len)
{
	struct tee_output *t = tee_of(o);
	int r = t->a->ops->write_metadata(t->a, text, len);

	return r ? r : t->b->ops->write_metadata(t->b, text, len);
}

static int tee_sync(struct sonde__output *o)
{
	struct tee_output *t = tee_of(o);
	int r = t->a->ops->sync(t->a);

	return r ? r : t->b->ops->sync(t->b);
}

static void tee_discard(struct sonde__output *o)
{
	struct tee_output *t = tee_of(o);

	t->a->ops->discard(t->a);
	t->b->ops->discard(t->b);
}

static void tee_destroy(struct sonde__output *o)
{
	struct tee_output *t = tee_of(o);

	sonde__output_destroy(t->a);
	sonde__output_destroy(t->b);
	for (uint32_t i = 0; i < t->nr; i++)
		free(t->streams[i]);
	free(t->streams);
	free(t);
}

static const struct sonde__output_ops tee_ops = {
	.kind = "directory and relay",
	.open_stream = tee_open_stream,
	.write_packet = tee_write_packet,
	.retired = tee_retired,
	.release = tee_release,
	.write_metadata = tee_write_metadata,
	.sync = tee_sync,
	.discard = tee_discard,
	.destroy = tee_destroy,
};

int sonde__output_tee_create(struct sonde__output *a, struct sonde__output *b,
			     struct sonde__output **out)
{
	struct tee_output *t = calloc(1, sizeof(*t));

	if (!t) {
		sonde__output_destroy(a);
		sonde__output_destroy(b);
		return -ENOMEM;
	}
	t->base.ops = &tee_ops;
	t->base.flags = (a->flags | b->flags) & (SONDE__OUTPUT_APPEND_METADATA |
						 SONDE__OUTPUT_HOLDS_PAYLOAD);
	t->a = a;
	t->b = b;
	*out = &t->base;
	return 0;
}
