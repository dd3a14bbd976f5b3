// SPDX-License-Identifier: MIT
/*
 * The consumer's copy of a session's event classes.  Trust boundary: the
 * shared registry is written by traced processes, so its place and size
 * come from the consumer's own copy of the geometry (sonde__events_init()),
 * the published size (reg_used) is read once per refresh and bounded by
 * it, each entry is copied into private memory before it is parsed (a
 * writer cannot change a size or a name between its check and its use),
 * and everything in it is checked (entry sizes, name lengths, field kinds
 * and sizes, identifier characters, a tracef format's length and NUL)
 * before it reaches the metadata writer or the record walker
 * (src/format/record.c, sized by the classes here).  A malformed entry or
 * size ends parsing for good: the classes before it are kept.  Class 0 is
 * the built-in thread record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Only the field kinds: no tracepoint of ours, no registration constructor
 * (also lets the fuzz target link this file alone). */
#define SONDE_TRACING_DISABLED
#include <sonde/tracepoint.h>

#include "events.h"

static int ident_ok(const char *s, size_t len, int allow_colon)
{
	if (len < 2 || s[len - 1] || len > 256)
		return 0;
	for (size_t i = 0; i + 1 < len; i++) {
		char c = s[i];

		if (!(c == '_' || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (allow_colon && c == ':')))
			return 0;
	}
	return 1;
}

static int field_ok(const struct sonde__reg_field *f)
{
	int int_size = f->size == 1 || f->size == 2 || f->size == 4 ||
		       f->size == 8;

	if (f->flags & ~(SONDE_FIELD_F_NETWORK | SONDE_FIELD_F_TEXT) ||
	    ((f->flags & SONDE_FIELD_F_TEXT) &&
	     ((f->kind != SONDE_FIELD_ARRAY &&
	       f->kind != SONDE_FIELD_SEQUENCE) || f->size != 1)) ||
	    ((f->flags & SONDE_FIELD_F_NETWORK) &&
	     f->kind != SONDE_FIELD_INTEGER && f->kind != SONDE_FIELD_ARRAY &&
	     f->kind != SONDE_FIELD_SEQUENCE && f->kind != SONDE_FIELD_ENUM) ||
	    (f->nr_maps && f->kind != SONDE_FIELD_ENUM) ||
	    (f->base != 10 && f->base != 16 && f->base != 8))
		return 0;
	switch (f->kind) {
	case SONDE_FIELD_INTEGER:
	case SONDE_FIELD_ARRAY:
		return int_size && f->count <= (1u << 20);
	case SONDE_FIELD_ENUM:
		return int_size && f->nr_maps <= SONDE__REG_MAPS_MAX;
	case SONDE_FIELD_FLOAT:
		return f->size == 4 || f->size == 8;
	case SONDE_FIELD_STRING:
		return 1;
	case SONDE_FIELD_SEQUENCE:
		return int_size && (f->len_size == 1 || f->len_size == 2 ||
				    f->len_size == 4 || f->len_size == 8);
	default:
		return 0;
	}
}

/* A label as the metadata will quote it: printable ASCII, bounded. */
static int label_ok(const char *s, size_t len)
{
	if (!len || len > SONDE__REG_LABEL_MAX || s[len - 1])
		return 0;
	for (size_t i = 0; i + 1 < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* The @n mappings of an enumeration field at *@off of the entry @p (@size
 * bytes): 0 with them in @fc, -EBADMSG or -ENOMEM. */
static int maps_parse(const char *p, uint32_t size, uint32_t *off, uint32_t n,
		      struct sonde__field_class *fc)
{
	fc->maps = calloc(n ? n : 1, sizeof(*fc->maps));
	if (!fc->maps)
		return -ENOMEM;
	for (uint32_t m = 0; m < n; m++) {
		struct sonde__reg_map rm;

		if (*off > size || size - *off < sizeof(rm))
			return -EBADMSG;
		memcpy(&rm, p + *off, sizeof(rm));
		*off += sizeof(rm);
		if (rm.label_len > size - *off ||
		    !label_ok(p + *off, rm.label_len) ||
		    (fc->is_signed ? (int64_t)rm.start > (int64_t)rm.end
				   : rm.start > rm.end))
			return -EBADMSG;
		fc->maps[m].label = strdup(p + *off);
		if (!fc->maps[m].label)
			return -ENOMEM;
		fc->maps[m].start = rm.start;
		fc->maps[m].end = rm.end;
		fc->nr_maps = m + 1;
		*off = (*off + rm.label_len + 7) & ~7u;
	}
	return 0;
}

static void class_free(struct sonde__event_class *e)
{
	if (!e)
		return;
	for (uint32_t i = 0; i < e->nr_fields; i++) {
		for (uint32_t m = 0; m < e->fields[i].nr_maps; m++)
			free(e->fields[i].maps[m].label);
		free(e->fields[i].maps);
		free(e->fields[i].name);
	}
	free(e->fields);
	free(e->name);
	free(e->fmt);
	free(e);
}

/* Parse the entry at @p, @size bytes of private memory: 0 with *@out set,
 * -EBADMSG or -ENOMEM.  A class's ip variant (its first field
 * SONDE__REG_IP_FIELD, layout.h) is taken only when @ip_ctx. */
static int class_parse(const char *p, uint32_t size, int ip_ctx,
		       struct sonde__event_class **out)
{
	const struct sonde__reg_entry *re = (const struct sonde__reg_entry *)p;
	struct sonde__event_class *e;
	uint32_t off = sizeof(*re);
	int r = -EBADMSG;

	if (re->nr_fields > 1024 || re->name_len > size - off ||
	    !ident_ok(p + off, re->name_len, 1))
		return -EBADMSG;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->id = re->id;
	if (re->loglevel >= 0 && re->loglevel <= SONDE_LOGLEVEL_DEBUG)
		e->loglevel1 = (uint32_t)re->loglevel + 1;
	e->name = strdup(p + off);
	e->fields = calloc(re->nr_fields ? re->nr_fields : 1,
			   sizeof(*e->fields));
	if (!e->name || !e->fields) {
		r = -ENOMEM;
		goto fail;
	}
	off += (re->name_len + 3) & ~3u;
	if (re->fmt_len) {
		/* Any bytes but NUL: the metadata writer escapes them. */
		if (off > size || re->fmt_len > size - off ||
		    re->fmt_len > SONDE__REG_FMT_MAX ||
		    strnlen(p + off, re->fmt_len) != re->fmt_len - 1)
			goto fail;
		e->fmt = strdup(p + off);
		if (!e->fmt) {
			r = -ENOMEM;
			goto fail;
		}
		off += (re->fmt_len + 3) & ~3u;
	}
	for (uint32_t i = 0; i < re->nr_fields; i++) {
		const struct sonde__reg_field *f;
		struct sonde__field_class *fc = &e->fields[e->nr_fields];

		if (off > size || size - off < sizeof(*f))
			goto fail;
		f = (const struct sonde__reg_field *)(p + off);
		off += sizeof(*f);
		if (f->name_len > size - off)
			goto fail;
		if (i == 0 && f->name_len == sizeof(SONDE__REG_IP_FIELD) &&
		    !memcmp(p + off, SONDE__REG_IP_FIELD,
			    sizeof(SONDE__REG_IP_FIELD))) {
			/* The ip variant: only where the session asked for
			 * it, and only as a u64. */
			if (!ip_ctx || f->kind != SONDE_FIELD_INTEGER ||
			    f->size != 8 || f->count || f->nr_maps)
				goto fail;
			e->ip = 1;
			off += (uint32_t)(f->name_len + 3) & ~3u;
			continue;
		}
		if (!ident_ok(p + off, f->name_len, 0) || !field_ok(f))
			goto fail;
		fc->name = strdup(p + off);
		if (!fc->name) {
			r = -ENOMEM;
			goto fail;
		}
		e->nr_fields++;
		fc->kind = f->kind;
		fc->size = f->size;
		fc->is_signed = f->is_signed;
		fc->base = f->base;
		fc->len_size = f->len_size;
		fc->len_signed = f->len_signed;
		fc->count = f->count;
		fc->flags = f->flags;
		off += (uint32_t)(f->name_len + 3) & ~3u;
		if (f->kind == SONDE_FIELD_ENUM) {
			off = (off + 7) & ~7u;
			r = maps_parse(p, size, &off, f->nr_maps, fc);
			if (r)
				goto fail;
			r = -EBADMSG;
		}
	}
	*out = e;
	return 0;
fail:
	class_free(e);
	return r;
}

static struct sonde__event_class *thread_class(void)
{
	struct sonde__event_class *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->id = SONDE__THREAD_EVENT_ID;
	e->name = strdup("sonde:thread");
	e->fields = calloc(2, sizeof(*e->fields));
	if (!e->name || !e->fields)
		goto fail;
	for (int i = 0; i < 2; i++) {
		e->fields[i].name = strdup(i ? "pid" : "tid");
		if (!e->fields[i].name)
			goto fail;
		e->nr_fields = (uint32_t)i + 1;
		e->fields[i].kind = SONDE_FIELD_INTEGER;
		e->fields[i].size = 4;
		e->fields[i].is_signed = 1;
		e->fields[i].base = 10;
	}
	return e;
fail:
	class_free(e);
	return NULL;
}

/* Precompute the payload size of classes without variable fields. */
static void class_size(struct sonde__event_class *e)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < e->nr_fields; i++) {
		const struct sonde__field_class *f = &e->fields[i];

		if (f->kind == SONDE_FIELD_STRING ||
		    f->kind == SONDE_FIELD_SEQUENCE) {
			e->has_variable = 1;
			return;
		}
		n += f->kind == SONDE_FIELD_ARRAY ? (uint64_t)f->size * f->count
						  : f->size;
	}
	e->fixed_size = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static int table_put(struct sonde__event_table *t, struct sonde__event_class *e)
{
	class_size(e);
	/* The 1 MiB registry holds fewer than 65536 entries. */
	if (e->id >= (1u << 16) || (e->id < t->nr && t->ev[e->id]))
		return -EBADMSG;
	if (e->id >= t->nr) {
		uint32_t nr = t->nr ? t->nr : 64;
		struct sonde__event_class **ev;

		while (nr <= e->id)
			nr *= 2;
		ev = realloc(t->ev, nr * sizeof(*ev));
		if (!ev)
			return -ENOMEM;
		memset(ev + t->nr, 0, (nr - t->nr) * sizeof(*ev));
		t->ev = ev;
		t->nr = nr;
	}
	t->ev[e->id] = e;
	return 0;
}

void sonde__events_init(struct sonde__event_table *t, const void *reg,
			uint32_t reg_size)
{
	t->reg = reg;
	t->reg_size = reg_size;
}

int sonde__events_refresh(struct sonde__event_table *t,
			  const struct sonde__shm_hdr *h)
{
	/* Read once: a writer publishes its entry by raising it. */
	uint32_t used = __atomic_load_n(&h->reg_used, __ATOMIC_ACQUIRE);
	int r, nonsense = 0;

	if (!t->reg)
		return -EINVAL;
	if (!t->nr) {
		struct sonde__event_class *e = thread_class();

		if (!e)
			return -ENOMEM;
		r = table_put(t, e);
		if (r) {
			class_free(e);
			return r;
		}
	}
	if (t->broken)
		return -EBADMSG;
	/* More than the registry holds: keep what is there, then stop. */
	if (used > t->reg_size) {
		used = t->reg_size;
		nonsense = 1;
	}
	while (t->parsed < used) {
		struct sonde__event_class *e;
		uint32_t size;
		char *copy;

		if (used - t->parsed < sizeof(struct sonde__reg_entry))
			goto bad;
		memcpy(&size, t->reg + t->parsed, sizeof(size));
		if (size < sizeof(struct sonde__reg_entry) ||
		    size > used - t->parsed || (size & 7))
			goto bad;
		copy = malloc(size);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, t->reg + t->parsed, size);
		r = class_parse(copy, size, t->ip_ctx, &e);
		free(copy);
		if (r == -ENOMEM)
			return r;
		if (r)
			goto bad;
		r = table_put(t, e);
		if (r) {
			class_free(e);
			if (r == -ENOMEM)
				return r;
			goto bad;
		}
		t->parsed += size;
	}
	if (!nonsense)
		return 0;
bad:
	t->broken = 1;
	return -EBADMSG;
}

void sonde__events_free(struct sonde__event_table *t)
{
	for (uint32_t i = 0; i < t->nr; i++)
		class_free(t->ev[i]);
	free(t->ev);
	memset(t, 0, sizeof(*t));
}

static uint64_t load_uint(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, p, size); /* little-endian host */
	return v;
}

/* Bytes of @e's fields at @p, @avail bytes, or -EBADMSG. */
static int64_t fields_size(const struct sonde__event_class *e,
			   const uint8_t *p, size_t avail)
{
	size_t off = 0;

	if (!e->has_variable)
		return e->fixed_size <= avail ? (int64_t)e->fixed_size
					      : -EBADMSG;
	for (uint32_t i = 0; i < e->nr_fields; i++) {
		const struct sonde__field_class *f = &e->fields[i];
		const uint8_t *nul;
		uint64_t n;

		switch (f->kind) {
		case SONDE_FIELD_INTEGER:
		case SONDE_FIELD_FLOAT:
		case SONDE_FIELD_ENUM:
			n = f->size;
			break;
		case SONDE_FIELD_STRING:
			nul = memchr(p + off, 0, avail - off);
			if (!nul)
				return -EBADMSG;
			n = (uint64_t)(nul - (p + off)) + 1;
			break;
		case SONDE_FIELD_ARRAY:
			n = (uint64_t)f->size * f->count;
			break;
		case SONDE_FIELD_SEQUENCE:
			if (avail - off < f->len_size)
				return -EBADMSG;
			n = load_uint(p + off, f->len_size);
			if (f->len_signed && f->len_size < 8 &&
			    (n >> (f->len_size * 8 - 1)))
				return -EBADMSG;
			if (n > avail)
				return -EBADMSG;
			off += f->len_size;
			n *= f->size;
			break;
		default:
			return -EBADMSG;
		}
		if (n > avail - off)
			return -EBADMSG;
		off += (size_t)n;
	}
	return (int64_t)off;
}

/* Payload size of a record of class @id at @p, @avail bytes: the record
 * walker's size callback (sonde__rec_size_cb) over the table @arg. */
static int64_t payload_size(void *arg, uint32_t id, const uint8_t *p,
			    size_t avail)
{
	const struct sonde__event_table *t = arg;
	const struct sonde__event_class *e;
	int64_t n;

	if (id >= t->nr || !(e = t->ev[id]))
		return -ENOENT;
	if (!e->ip)
		return fields_size(e, p, avail);
	/* The ip variant: the site's address, then the fields. */
	if (avail < 8)
		return -EBADMSG;
	n = fields_size(e, p + 8, avail - 8);
	return n < 0 ? n : n + 8;
}

int sonde__events_step(const struct sonde__event_table *t, const uint8_t *pkt,
		       size_t content, size_t off, uint64_t prev_ts,
		       struct sonde__rec *r)
{
	return sonde__rec_step(pkt, content, off, prev_ts, payload_size,
			       (void *)t, r);
}
