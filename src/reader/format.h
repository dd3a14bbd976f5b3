/* SPDX-License-Identifier: MIT */
/*
 * Reader side: text output of decoded events.  An output buffer written to a
 * file descriptor in large blocks, hand-written integer formatting, and
 * babeltrace2-like field formatting (decimal or 0x-hex integers, %g floats,
 * quoted escaped strings, "[ [0] = 1, [1] = 2 ]" arrays, text arrays as
 * strings, enumerations as ( "LABEL" : container = 3 )); the same payload
 * also as JSON (an enumeration as {"value":3,"labels":["LABEL"]}).
 */
#ifndef SONDE_SRC_READER_FORMAT_H
#define SONDE_SRC_READER_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "metadata-parse.h"

#define SONDE_OB_SIZE (1u << 20)

struct sonde__obuf {
	char *buf;
	size_t len, cap;
	int fd;
	int err;      /* first write error, as -errno */
};

SONDE_HIDDEN int sonde__ob_init(struct sonde__obuf *ob, int fd);
/* Write the buffer out; 0 or -errno (sticky). */
SONDE_HIDDEN int sonde__ob_flush(struct sonde__obuf *ob);
SONDE_HIDDEN void sonde__ob_free(struct sonde__obuf *ob);
/* Make room for @n more bytes (flushes, grows for huge items). */
SONDE_HIDDEN void sonde__ob_room_slow(struct sonde__obuf *ob, size_t n);

static inline char *sonde__ob_room(struct sonde__obuf *ob, size_t n)
{
	if (__builtin_expect(ob->cap - ob->len < n, 0))
		sonde__ob_room_slow(ob, n);
	return ob->buf + ob->len;
}

static inline void sonde__ob_put(struct sonde__obuf *ob, const char *s,
				 size_t n)
{
	char *p = sonde__ob_room(ob, n);

	memcpy(p, s, n);
	ob->len += n;
}

static inline void sonde__ob_puts(struct sonde__obuf *ob, const char *s)
{
	sonde__ob_put(ob, s, strlen(s));
}

static inline void sonde__ob_putc(struct sonde__obuf *ob, char c)
{
	*sonde__ob_room(ob, 1) = c;
	ob->len++;
}

/* Decimal digits of @v at @p (at least 20 bytes); returns the length. */
SONDE_HIDDEN size_t sonde__fmt_u64(char *p, uint64_t v);
SONDE_HIDDEN void sonde__ob_u64(struct sonde__obuf *ob, uint64_t v);
SONDE_HIDDEN void sonde__ob_i64(struct sonde__obuf *ob, int64_t v);
/* @v with exactly @width digits, zero-padded (width <= 20). */
SONDE_HIDDEN void sonde__ob_u64w(struct sonde__obuf *ob, uint64_t v,
				 unsigned int width);
/* printf("%g") of @v into @out (at least 32 bytes); returns the length. */
SONDE_HIDDEN size_t sonde__fmt_g(char *out, double v);

/* Wall-clock time of day of @ns since the epoch: local HH:MM:SS.nnnnnnnnn. */
struct sonde__tcache {
	int64_t sec;
	char hms[16];
	int gmt;
};
SONDE_HIDDEN void sonde__ob_time(struct sonde__obuf *ob,
				 struct sonde__tcache *tc, int64_t ns);
/* Signed duration in seconds: S.nnnnnnnnn */
SONDE_HIDDEN void sonde__ob_secs(struct sonde__obuf *ob, int64_t ns);

/*
 * "{ name = value, ... }" for a payload of class @c (nothing for a class
 * without fields).  The payload has been sized by the stream iterator, so it
 * is known to hold every field.
 */
SONDE_HIDDEN void sonde__fmt_payload(struct sonde__obuf *ob,
				     const struct sonde__rd_class *c,
				     const uint8_t *p);
/* JSON object {"name": value, ...} of the same payload. */
SONDE_HIDDEN void sonde__fmt_payload_json(struct sonde__obuf *ob,
					  const struct sonde__rd_class *c,
					  const uint8_t *p);
/* JSON string literal of @n bytes at @s (invalid UTF-8 -> U+FFFD). */
SONDE_HIDDEN void sonde__fmt_json_str(struct sonde__obuf *ob, const char *s,
				      size_t n);
/* babeltrace2-style quoted, escaped string. */
SONDE_HIDDEN void sonde__fmt_str(struct sonde__obuf *ob, const char *s,
				 size_t n);

#endif
