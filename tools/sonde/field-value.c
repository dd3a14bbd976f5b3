// SPDX-License-Identifier: MIT
/*
 * One field of an event payload by index (field-value.h): its bytes and its
 * printed value.  Nothing here knows a field kind: the size of field i is
 * what the reader's payload walker gives for a class view holding only
 * that field, and its text is what the reader's formatter prints for a
 * class view of that one field, with the prefix "{ name = " (or
 * {"name": for JSON) and the closing brace cut off.  A sequence reads its
 * length from the field before it, so its view starts at that length field
 * (an integer: the metadata parser checks it), whose bytes lie just before
 * the sequence's; its size and text are then the view's less the length
 * field's.
 *
 * Trust boundary: payloads come from trace files; the stream iterator has
 * already checked that each payload holds all its fields, and fv_locate()
 * checks again against the length it is given.
 */
#include <errno.h>
#include <string.h>

#include "field-value.h"

int fv_index(const struct sonde__rd_class *c, const char *name, size_t len)
{
	for (uint32_t i = 0; i < c->nr_fields; i++)
		if (c->fields[i].name_len == len &&
		    !memcmp(c->fields[i].name, name, len))
			return (int)i;
	return -1;
}

/* A class view of @n fields of @c from field @i, always walked. */
static void view(struct sonde__rd_class *v, const struct sonde__rd_class *c,
		 uint32_t i, uint32_t n)
{
	*v = *c;
	v->fields = c->fields + i;
	v->nr_fields = n;
	v->has_variable = 1;
	v->msg_fmt = NULL; /* a tracef message needs all the fields */
}

/* Bytes of the length field before field @i when it is a sequence, or 0. */
static size_t seq_pre(const struct sonde__rd_class *c, uint32_t i)
{
	return i && c->fields[i].kind == SONDE_RD_SEQUENCE
		       ? c->fields[i - 1].size
		       : 0;
}

int64_t fv_size_at(const struct sonde__rd_class *c, uint32_t i,
		   const uint8_t *p, size_t avail)
{
	struct sonde__rd_class v;
	size_t pre = seq_pre(c, i);
	int64_t n;

	view(&v, c, i - (pre ? 1 : 0), pre ? 2 : 1);
	n = sonde__rd_payload_size(&v, p - pre, avail + pre);
	return n < 0 ? -1 : n - (int64_t)pre;
}

int fv_locate(const struct sonde__rd_class *c, uint32_t i, const uint8_t *p,
	      size_t len, size_t *off, size_t *size)
{
	struct sonde__rd_class v;
	int64_t o, s;

	if (i >= c->nr_fields)
		return -EBADMSG;
	view(&v, c, 0, i);
	o = i ? sonde__rd_payload_size(&v, p, len) : 0;
	if (o < 0)
		return -EBADMSG;
	s = fv_size_at(c, i, p + o, len - (size_t)o);
	if (s < 0)
		return -EBADMSG;
	*off = (size_t)o;
	*size = (size_t)s;
	return 0;
}

int fv_format(struct sonde__obuf *ob, const struct sonde__rd_class *c,
	      uint32_t i, const uint8_t *v, int json)
{
	struct sonde__rd_class one;
	size_t sp = seq_pre(c, i), pre, end;

	ob->len = 0;
	ob->err = 0;
	if (sp) {
		/* the length field's own text: "{ len = N }", {"len":N} */
		view(&one, c, i - 1, 1);
		if (json)
			sonde__fmt_payload_json(ob, &one, v - sp);
		else
			sonde__fmt_payload(ob, &one, v - sp);
		/* "len = N, " or "len":N, */
		sp = ob->len - (json ? 2 : 4) + (json ? 1 : 2);
		ob->len = 0;
	}
	view(&one, c, i - (sp ? 1 : 0), sp ? 2 : 1);
	if (json) {
		/* {["len":N,]"name":VALUE} */
		sonde__fmt_json_str(ob, c->fields[i].name,
				    strlen(c->fields[i].name));
		pre = 1 + sp + ob->len + 1;
		ob->len = 0;
		sonde__fmt_payload_json(ob, &one, v - seq_pre(c, i));
		end = 1;
	} else {
		/* { [len = N, ]name = VALUE } */
		pre = 2 + sp + c->fields[i].name_len + 3;
		sonde__fmt_payload(ob, &one, v - seq_pre(c, i));
		end = 2;
	}
	if (ob->err || ob->len < pre + end) {
		ob->len = 0;
		ob->err = 0;
		return -E2BIG;
	}
	memmove(ob->buf, ob->buf + pre, ob->len - pre - end);
	ob->len -= pre + end;
	return 0;
}
