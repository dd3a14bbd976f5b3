/* SPDX-License-Identifier: MIT */
/*
 * One field of an event payload, for the verbs that pick fields by name
 * (sonde stats --by, sonde export --format sqlite): where it lies, and its
 * value as sonde view or --json prints it.  Sizes come from the reader's
 * own walker (sonde__rd_payload_size) and text from its formatters, so a
 * field kind the reader learns is located and printed here without change.
 */
#ifndef SONDE_TOOLS_FIELD_VALUE_H
#define SONDE_TOOLS_FIELD_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "read-util.h"

/* Index of the field named @name (@len bytes) of @c, or -1. */
int fv_index(const struct sonde__rd_class *c, const char *name, size_t len);

/*
 * Bytes of field @i of the payload @p (@len bytes) of class @c: *@off from
 * @p and *@size.  0, or -EBADMSG when the payload does not hold it.
 */
int fv_locate(const struct sonde__rd_class *c, uint32_t i, const uint8_t *p,
	      size_t len, size_t *off, size_t *size);

/*
 * Size of field @i of @c when it lies at @p, whatever precedes it: the
 * length of a sequence is read from the bytes just before @p.  -1 when it
 * does not fit in @avail bytes.
 */
int64_t fv_size_at(const struct sonde__rd_class *c, uint32_t i,
		   const uint8_t *p, size_t avail);

/*
 * The value of field @i of @c, whose bytes start at @v, as sonde view
 * prints it (@json 0: 42, 0x2A, "text", [ [0] = 1 ]) or as a JSON value
 * (@json 1), written to the memory buffer @ob (made with fd -1) from its
 * start: ob->buf holds ob->len bytes.  A sequence's length field must lie
 * just before @v.  0, or -E2BIG for a value larger than the buffer
 * (SONDE_OB_SIZE), which is then empty.
 */
int fv_format(struct sonde__obuf *ob, const struct sonde__rd_class *c,
	      uint32_t i, const uint8_t *v, int json);

#endif
