// SPDX-License-Identifier: MIT
/*
 * Text formatting of decoded events (see format.h).  No allocation per event
 * or field, no printf on the common paths: integers through a two-digit
 * table, %g through an exact fast path with snprintf as the fallback for the
 * cases it cannot decide, time of day through a per-second cache.  Integers
 * are read with sonde__rd_field_load(), which honours big-endian fields.
 * What babeltrace2 2.0 prints is the reference, checked by
 * tests/reader/test-kinds.sh and test-view.sh: an enumeration's labels are
 * those of its merged ranges holding the value, in the enum's label order,
 * and a text array or sequence ends at its first NUL.  A tracef event also
 * gets msg, its message rendered from the format in the metadata (which
 * babeltrace2 does not show).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../instrumentation/printf.h"
#include "format.h"
#include "stream.h"

int sonde__ob_init(struct sonde__obuf *ob, int fd)
{
	ob->buf = malloc(SONDE_OB_SIZE);
	ob->len = 0;
	ob->cap = ob->buf ? SONDE_OB_SIZE : 0;
	ob->fd = fd;
	ob->err = ob->buf ? 0 : -ENOMEM;
	return ob->err;
}

int sonde__ob_flush(struct sonde__obuf *ob)
{
	size_t off = 0;

	while (off < ob->len && !ob->err) {
		ssize_t n = write(ob->fd, ob->buf + off, ob->len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ob->err = -errno;
			break;
		}
		off += (size_t)n;
	}
	ob->len = 0;
	return ob->err;
}

void sonde__ob_free(struct sonde__obuf *ob)
{
	free(ob->buf);
	ob->buf = NULL;
	ob->cap = ob->len = 0;
}

void sonde__ob_room_slow(struct sonde__obuf *ob, size_t n)
{
	sonde__ob_flush(ob);
	if (ob->cap < n) {
		char *b = realloc(ob->buf, n);

		if (!b) {
			/* cannot happen for our bounded items; fail loudly */
			fputs("sonde: out of memory\n", stderr);
			exit(1);
		}
		ob->buf = b;
		ob->cap = n;
	}
}

static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static inline unsigned ndigits(uint64_t v)
{
	unsigned n = 1;

	for (;;) {
		if (v < 10)
			return n;
		if (v < 100)
			return n + 1;
		if (v < 1000)
			return n + 2;
		if (v < 10000)
			return n + 3;
		v /= 10000;
		n += 4;
	}
}

/* exactly @n digits of @v (v < 10^n) ending at p + n */
static inline void put_digits(char *p, uint64_t v, unsigned n)
{
	char *q = p + n;

	while (n >= 2) {
		unsigned d = (unsigned)(v % 100);

		v /= 100;
		q -= 2;
		memcpy(q, digits2 + 2 * d, 2);
		n -= 2;
	}
	if (n)
		*--q = (char)('0' + v);
}

size_t sonde__fmt_u64(char *p, uint64_t v)
{
	unsigned n = ndigits(v);

	put_digits(p, v, n);
	return n;
}

void sonde__ob_u64(struct sonde__obuf *ob, uint64_t v)
{
	char *p = sonde__ob_room(ob, 20);

	ob->len += sonde__fmt_u64(p, v);
}

void sonde__ob_i64(struct sonde__obuf *ob, int64_t v)
{
	char *p = sonde__ob_room(ob, 21);

	if (v < 0) {
		*p++ = '-';
		ob->len++;
		ob->len += sonde__fmt_u64(p, -(uint64_t)v);
	} else {
		ob->len += sonde__fmt_u64(p, (uint64_t)v);
	}
}

void sonde__ob_u64w(struct sonde__obuf *ob, uint64_t v, unsigned int width)
{
	char *p = sonde__ob_room(ob, width);

	put_digits(p, v, width);
	ob->len += width;
}

static void ob_hex(struct sonde__obuf *ob, uint64_t v)
{
	static const char hx[] = "0123456789ABCDEF";
	char *p = sonde__ob_room(ob, 18), tmp[16];
	int n = 0;

	p[0] = '0';
	p[1] = 'x';
	do {
		tmp[n++] = hx[v & 15];
		v >>= 4;
	} while (v);
	for (int i = 0; i < n; i++)
		p[2 + i] = tmp[n - 1 - i];
	ob->len += 2 + (size_t)n;
}

static void ob_based(struct sonde__obuf *ob, uint64_t v, unsigned base)
{
	char *p = sonde__ob_room(ob, 66), tmp[64];
	int n = 0, o = 0;

	/* babeltrace2: octal with a leading 0 (printf "0%o": 0 is 00),
	 * binary with 0b */
	if (base == 8) {
		p[o++] = '0';
	} else {
		p[o++] = '0';
		p[o++] = 'b';
	}
	do {
		tmp[n++] = (char)('0' + (v % base));
		v /= base;
	} while (v);
	for (int i = 0; i < n; i++)
		p[o + i] = tmp[n - 1 - i];
	ob->len += (size_t)(o + n);
}

size_t sonde__fmt_g(char *out, double v)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
				      1e8, 1e9 };
	double a = v < 0 ? -v : v, scaled, fl;
	uint64_t r;
	int e, x, n = 0;
	char dig[8];

	if (v == 0) {
		if (signbit(v)) {
			memcpy(out, "-0", 3);
			return 2;
		}
		memcpy(out, "0", 2);
		return 1;
	}
	if (!(a >= 1e-4 && a < 1e6))
		goto slow;
	if (a >= 1)
		for (e = 5; a < p10[e]; e--)
			;
	else
		for (e = -1; a * p10[-e] < 1 && e > -4; e--)
			;
	scaled = a * p10[5 - e];
	fl = (double)(uint64_t)scaled; /* 0 < scaled < 1e7 */
	if (scaled - fl - 0.5 < 1e-6 && scaled - fl - 0.5 > -1e-6)
		goto slow;
	r = (uint64_t)fl + (scaled - fl > 0.5);
	if (r >= 1000000 || r < 100000)
		goto slow;
	x = e;
	for (int i = 5; i >= 0; i--) {
		dig[i] = (char)('0' + r % 10);
		r /= 10;
	}
	if (v < 0)
		out[n++] = '-';
	if (x >= 0) {
		int last = 5;

		memcpy(out + n, dig, (size_t)x + 1);
		n += x + 1;
		while (last > x && dig[last] == '0')
			last--;
		if (last > x) {
			out[n++] = '.';
			memcpy(out + n, dig + x + 1, (size_t)(last - x));
			n += last - x;
		}
	} else {
		int last = 5;

		while (dig[last] == '0')
			last--;
		out[n++] = '0';
		out[n++] = '.';
		for (int i = 0; i < -x - 1; i++)
			out[n++] = '0';
		memcpy(out + n, dig, (size_t)last + 1);
		n += last + 1;
	}
	out[n] = 0;
	return (size_t)n;
slow:
	n = snprintf(out, 32, "%g", v);
	return n > 0 ? (size_t)n : 0;
}

void sonde__ob_time(struct sonde__obuf *ob, struct sonde__tcache *tc,
		    int64_t ns)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	char *p;

	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	if (__builtin_expect(sec != tc->sec || !tc->hms[0], 0)) {
		time_t t = (time_t)sec;
		struct tm tm;

		if (!(tc->gmt ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)))
			memset(&tm, 0, sizeof(tm));
		snprintf(tc->hms, sizeof(tc->hms), "%02d:%02d:%02d",
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
		tc->sec = sec;
	}
	p = sonde__ob_room(ob, 20);
	memcpy(p, tc->hms, 8);
	p[8] = '.';
	put_digits(p + 9, (uint64_t)frac, 9);
	ob->len += 18;
}

void sonde__ob_secs(struct sonde__obuf *ob, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	if (ns < 0)
		sonde__ob_putc(ob, '-');
	sonde__ob_u64(ob, a / 1000000000u);
	sonde__ob_putc(ob, '.');
	sonde__ob_u64w(ob, a % 1000000000u, 9);
}

/* babeltrace2's escaping: \\ \' \" \? and control characters. */
void sonde__fmt_str(struct sonde__obuf *ob, const char *s, size_t n)
{
	size_t i = 0;

	sonde__ob_putc(ob, '"');
	while (i < n) {
		size_t j = i;

		while (j < n) {
			unsigned char c = (unsigned char)s[j];

			if (c < 0x20 || c == 0x7f || c == '\\' || c == '"' ||
			    c == '\'' || c == '?')
				break;
			j++;
		}
		sonde__ob_put(ob, s + i, j - i);
		if (j == n)
			break;
		{
			unsigned char c = (unsigned char)s[j];
			char esc[5] = { '\\', 0, 0, 0, 0 };
			size_t el = 2;

			switch (c) {
			case '\\': esc[1] = '\\'; break;
			case '\'': esc[1] = '\''; break;
			case '"': esc[1] = '"'; break;
			case '?': esc[1] = '?'; break;
			case '\a': esc[1] = 'a'; break;
			case '\b': esc[1] = 'b'; break;
			case 27: esc[1] = 'e'; break;
			case '\f': esc[1] = 'f'; break;
			case '\n': esc[1] = 'n'; break;
			case '\r': esc[1] = 'r'; break;
			case '\t': esc[1] = 't'; break;
			case '\v': esc[1] = 'v'; break;
			default:
				esc[1] = 'x';
				esc[2] = "0123456789abcdef"[c >> 4];
				esc[3] = "0123456789abcdef"[c & 15];
				el = 4;
			}
			sonde__ob_put(ob, esc, el);
		}
		i = j + 1;
	}
	sonde__ob_putc(ob, '"');
}

/*
 * The integer of @f at @p in its base.  Hexadecimal shows the value's bits
 * (a signed one zero-extended from its size, as the load gives it); a
 * signed octal one is sign-extended to its size rounded up to whole octal
 * digits, as babeltrace2 does (16-bit -1 is 0777777).
 */
static void fmt_int(struct sonde__obuf *ob, const struct sonde__rd_field *f,
		    const uint8_t *p)
{
	uint64_t v = sonde__rd_field_load(f, p);

	if (f->base == 16) {
		ob_hex(ob, v);
	} else if (f->base == 8 || f->base == 2) {
		if (f->base == 8 && f->is_signed && f->size < 8) {
			unsigned int bits = (f->size * 8u + 2) / 3 * 3;

			v = (uint64_t)sonde__rd_sext(v, f->size) &
			    ((1ull << bits) - 1);
		}
		ob_based(ob, v, f->base);
	} else if (f->is_signed) {
		sonde__ob_i64(ob, sonde__rd_sext(v, f->size));
	} else {
		sonde__ob_u64(ob, v);
	}
}

/* Does range @r hold @v (sign-extended when @is_signed)? */
static int enum_holds(const struct sonde__rd_enum_range *r, uint64_t v,
		      int is_signed)
{
	if (is_signed)
		return (int64_t)r->lo <= (int64_t)v && (int64_t)v <= (int64_t)r->hi;
	return r->lo <= v && v <= r->hi;
}

/* The first label of @e from @k on with a range holding @v, or nr_labels. */
static uint32_t enum_next(const struct sonde__rd_enum *e, uint32_t k,
			  uint64_t v, int is_signed)
{
	for (; k < e->nr_labels; k++) {
		const struct sonde__rd_enum_label *l = &e->labels[k];

		for (uint32_t j = 0; j < l->nr_ranges; j++)
			if (enum_holds(&e->ranges[l->first + j], v, is_signed))
				return k;
	}
	return k;
}

/* The value of enumeration field @f at @p, sign-extended when signed. */
static uint64_t enum_value(const struct sonde__rd_field *f, const uint8_t *p)
{
	uint64_t v = sonde__rd_field_load(f, p);

	return f->is_signed ? (uint64_t)sonde__rd_sext(v, f->size) : v;
}

/*
 * babeltrace2's enumeration: ( "L" : container = 3 ), several labels
 * ( "A", "B" : container = 5 ) in the order of the enum's labels, none
 * ( <unknown> : container = 9 ).
 */
static void fmt_enum(struct sonde__obuf *ob, const struct sonde__rd_field *f,
		     const uint8_t *p)
{
	const struct sonde__rd_enum *e = f->enm;
	uint64_t v = enum_value(f, p);
	uint32_t k = enum_next(e, 0, v, f->is_signed);

	sonde__ob_put(ob, "( ", 2);
	if (k == e->nr_labels)
		sonde__ob_put(ob, "<unknown>", 9);
	for (uint32_t n = 0; k < e->nr_labels;
	     k = enum_next(e, k + 1, v, f->is_signed), n++) {
		if (n)
			sonde__ob_put(ob, ", ", 2);
		sonde__fmt_str(ob, e->labels[k].label, e->labels[k].label_len);
	}
	sonde__ob_put(ob, " : container = ", 15);
	fmt_int(ob, f, p);
	sonde__ob_put(ob, " )", 2);
}

/* Bytes of the text of @n characters at @p: up to the first NUL. */
static size_t text_len(const uint8_t *p, uint64_t n)
{
	const uint8_t *nul = memchr(p, 0, (size_t)n);

	return nul ? (size_t)(nul - p) : (size_t)n;
}

static void fmt_float(struct sonde__obuf *ob, const struct sonde__rd_field *f,
		      const uint8_t *p)
{
	double d;
	char *o = sonde__ob_room(ob, 32);

	if (f->size == 4) {
		float x;

		memcpy(&x, p, 4);
		d = x;
	} else {
		memcpy(&d, p, 8);
	}
	ob->len += sonde__fmt_g(o, d);
}

static void fmt_elems(struct sonde__obuf *ob, const struct sonde__rd_field *f,
		      const uint8_t *p, uint64_t count)
{
	if (f->is_text) {
		sonde__fmt_str(ob, (const char *)p, text_len(p, count));
		return;
	}
	if (!count) {
		sonde__ob_put(ob, "[ ]", 3);
		return;
	}
	sonde__ob_put(ob, "[ ", 2);
	for (uint64_t i = 0; i < count; i++) {
		char *o = sonde__ob_room(ob, 28);
		size_t n = 0;

		if (i) {
			o[n++] = ',';
			o[n++] = ' ';
		}
		o[n++] = '[';
		n += sonde__fmt_u64(o + n, i);
		memcpy(o + n, "] = ", 4);
		ob->len += n + 4;
		fmt_int(ob, f, p + i * f->size);
	}
	sonde__ob_put(ob, " ]", 2);
}

/*
 * tracef's message (<sonde/tracef.h>): the class's format rendered with
 * its argument fields, by snprintf(3) one conversion at a time, the value
 * passed at the width the grammar says (printf.h), so that the text is
 * what snprintf wrote in the traced program.  The format was checked
 * against the fields when the metadata was read (metadata-parse.c); what
 * is still bounded here comes from the record: '*' widths and precisions
 * (at most SONDE__PF_WIDTH_MAX), and the message (at most MSG_MAX bytes,
 * in a buffer kept from event to event).
 */
#define MSG_MAX (1u << 20)

static char *msg_buf;
static size_t msg_cap;

/* Room for @n bytes in msg_buf; -1 over MSG_MAX or without memory. */
static int msg_room(size_t n)
{
	char *b;
	size_t cap;

	if (n <= msg_cap)
		return 0;
	if (n > MSG_MAX)
		return -1;
	cap = msg_cap ? msg_cap : 4096;
	while (cap < n)
		cap *= 2;
	b = realloc(msg_buf, cap);
	if (!b)
		return -1;
	msg_buf = b;
	msg_cap = cap;
	return 0;
}

/* The conversion @spec of value field @f at @v into msg_buf + @n (room
 * made as needed); its length, or -1. */
static long msg_conv(const char *spec, const struct sonde__pf_spec *s,
		     const struct sonde__rd_field *f, const uint8_t *v,
		     size_t n)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t room = msg_cap - n;
		char *o = msg_buf + n;
		uint64_t x = 0;
		double d = 0;
		int r;

		if (f->kind == SONDE_RD_INT) {
			x = sonde__rd_field_load(f, v);
			if (f->is_signed)
				x = (uint64_t)sonde__rd_sext(x, f->size);
		} else if (f->kind == SONDE_RD_FLOAT && f->size == 4) {
			float fl;

			memcpy(&fl, v, 4);
			d = fl;
		} else if (f->kind == SONDE_RD_FLOAT) {
			memcpy(&d, v, 8);
		}
		switch (s->arg) {
		case SONDE__PF_DOUBLE:
			r = snprintf(o, room, spec, d);
			break;
		case SONDE__PF_STRING:
			r = snprintf(o, room, spec, (const char *)v);
			break;
		case SONDE__PF_POINTER:
			r = snprintf(o, room, spec, (void *)(uintptr_t)x);
			break;
		case SONDE__PF_INT:
		case SONDE__PF_LONG:
			r = s->conv == 'c' ? snprintf(o, room, spec, (int)x)
					   : snprintf(o, room, spec, (long long)x);
			break;
		default:
			r = s->conv == 'c'
				    ? snprintf(o, room, spec, (int)x)
				    : snprintf(o, room, spec, (unsigned long long)x);
			break;
		}
		if (r < 0)
			return -1;
		if ((size_t)r < room)
			return r;
		if (pass || msg_room(n + (size_t)r + 1))
			return -1;
	}
	return -1;
}

/* The message of class @c's payload @p into msg_buf: its length, or -1. */
static long msg_render(const struct sonde__rd_class *c, const uint8_t *p)
{
	const uint8_t *arg[3 * SONDE__PF_CONV_MAX];
	/* No fields (a format without arguments): no table at all. */
	const struct sonde__rd_field *af =
		c->fields ? c->fields + c->msg_arg0 : NULL;
	uint32_t na = c->nr_fields - c->msg_arg0, k = 0;
	size_t off = 0, n = 0;

	if (na > ARRAY_SIZE(arg) || msg_room(4096))
		return -1;
	for (uint32_t i = 0; i < c->nr_fields; i++) {
		if (i >= c->msg_arg0)
			arg[i - c->msg_arg0] = p + off;
		off += c->fields[i].kind == SONDE_RD_STRING
			       ? strlen((const char *)p + off) + 1
			       : c->fields[i].size;
	}
	for (const char *q = c->msg_fmt; *q; q++) {
		struct sonde__pf_spec s;
		const char *why;
		char spec[48];
		int64_t w, pr;
		long r;

		if (*q != '%' || q[1] == '%') {
			if (n + 1 >= msg_cap && msg_room(n + 2))
				return -1;
			msg_buf[n++] = *q;
			q += *q == '%';
			continue;
		}
		q = sonde__pf_parse(q + 1, &s, &why);
		if (!q)
			return -1; /* checked at parse: not reached */
		q--;
		w = s.width;
		pr = s.has_prec ? (int64_t)s.prec : -1;
		if (s.width_star && k < na) {
			w = sonde__rd_sext(sonde__rd_field_load(&af[k], arg[k]),
					   af[k].size);
			k++;
			if (w < 0) {
				/* printf: a '-' flag and the width */
				s.flags |= SONDE__PF_F_MINUS;
				w = -w;
			}
		}
		if (s.prec_star && k < na) {
			pr = sonde__rd_sext(sonde__rd_field_load(&af[k], arg[k]),
					    af[k].size);
			k++;
			if (pr < 0)
				pr = -1; /* printf: as if none */
		}
		if (k >= na || w > SONDE__PF_WIDTH_MAX ||
		    pr > SONDE__PF_WIDTH_MAX)
			return -1;
		sonde__pf_spec_text(&s, (int)w, (int)pr, spec);
		r = msg_conv(spec, &s, &af[k], arg[k], n);
		k++;
		if (r < 0)
			return -1;
		n += (size_t)r;
	}
	return (long)n;
}

/* msg = "..." of a tracef class, when it renders, after @sep: 0 nothing,
 * 1 ", ", 2 " }, { " (after an event context alone). */
static void fmt_msg(struct sonde__obuf *ob, const struct sonde__rd_class *c,
		    const uint8_t *p, int sep, int json)
{
	long n = msg_render(c, p);

	if (n < 0)
		return;
	if (json) {
		sonde__ob_puts(ob, sep ? ",\"msg\":" : "\"msg\":");
		sonde__fmt_json_str(ob, msg_buf, (size_t)n);
	} else {
		sonde__ob_puts(ob, sep == 2 ? " }, { msg = "
				   : sep ? ", msg = " : "msg = ");
		sonde__fmt_str(ob, msg_buf, (size_t)n);
	}
}

void sonde__fmt_payload(struct sonde__obuf *ob, const struct sonde__rd_class *c,
			const uint8_t *p)
{
	size_t off = 0;

	if (!c->nr_fields && !c->msg_fmt)
		return;
	sonde__ob_put(ob, "{ ", 2);
	for (uint32_t i = 0; i < c->nr_fields; i++) {
		const struct sonde__rd_field *f = &c->fields[i];
		size_t nl = f->name_len;
		char *o = sonde__ob_room(ob, nl + 9 + 32);
		size_t n = 0;

		if (i && i == c->nr_ctx) {
			/* The event context, then the payload, as
			 * babeltrace2 prints them. */
			memcpy(o + n, " }, { ", 6);
			n += 6;
		} else if (i) {
			o[n++] = ',';
			o[n++] = ' ';
		}
		if (nl <= 32)
			memcpy(o + n, f->name, 32); /* names are padded */
		else
			memcpy(o + n, f->name, nl);
		n += nl;
		memcpy(o + n, " = ", 3);
		ob->len += n + 3;
		switch (f->kind) {
		case SONDE_RD_INT:
			if (f->enm)
				fmt_enum(ob, f, p + off);
			else
				fmt_int(ob, f, p + off);
			off += f->size;
			break;
		case SONDE_RD_FLOAT:
			fmt_float(ob, f, p + off);
			off += f->size;
			break;
		case SONDE_RD_STRING: {
			size_t sl = strlen((const char *)p + off);

			sonde__fmt_str(ob, (const char *)p + off, sl);
			off += sl + 1;
			break;
		}
		case SONDE_RD_ARRAY:
			fmt_elems(ob, f, p + off, f->count);
			off += (size_t)f->size * f->count;
			break;
		case SONDE_RD_SEQUENCE: {
			uint64_t cnt = sonde__rd_seq_len(c, i, p + off);

			fmt_elems(ob, f, p + off, cnt);
			off += (size_t)(cnt * f->size);
			break;
		}
		}
	}
	if (c->msg_fmt)
		fmt_msg(ob, c, p,
			!c->nr_fields		       ? 0
			: c->nr_ctx && c->nr_ctx == c->nr_fields ? 2
								  : 1,
			0);
	sonde__ob_put(ob, " }", 2);
}

static int utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	int len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void sonde__fmt_json_str(struct sonde__obuf *ob, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	sonde__ob_putc(ob, '"');
	while (i < n) {
		size_t j = i;

		while (j < n && u[j] >= 0x20 && u[j] < 0x80 && u[j] != '"' &&
		       u[j] != '\\')
			j++;
		sonde__ob_put(ob, s + i, j - i);
		if (j == n)
			break;
		if (u[j] >= 0x80) {
			int l = utf8_len(u + j, n - j);

			if (l) {
				sonde__ob_put(ob, s + j, (size_t)l);
				i = j + (size_t)l;
			} else {
				sonde__ob_put(ob, "\\ufffd", 6);
				i = j + 1;
			}
			continue;
		}
		if (u[j] == '"' || u[j] == '\\') {
			char e[2] = { '\\', (char)u[j] };

			sonde__ob_put(ob, e, 2);
		} else if (u[j] == '\n') {
			sonde__ob_put(ob, "\\n", 2);
		} else if (u[j] == '\t') {
			sonde__ob_put(ob, "\\t", 2);
		} else if (u[j] == '\r') {
			sonde__ob_put(ob, "\\r", 2);
		} else {
			char e[7] = "\\u00";

			e[4] = "0123456789abcdef"[u[j] >> 4];
			e[5] = "0123456789abcdef"[u[j] & 15];
			sonde__ob_put(ob, e, 6);
		}
		i = j + 1;
	}
	sonde__ob_putc(ob, '"');
}

static void json_int(struct sonde__obuf *ob, const struct sonde__rd_field *f,
		     const uint8_t *p)
{
	if (f->base == 16 || f->base == 8 || f->base == 2) {
		sonde__ob_putc(ob, '"');
		fmt_int(ob, f, p);
		sonde__ob_putc(ob, '"');
	} else {
		fmt_int(ob, f, p);
	}
}

/* {"value": 3, "labels": ["BUSY"]}: the labels as sonde view lists them. */
static void json_enum(struct sonde__obuf *ob, const struct sonde__rd_field *f,
		      const uint8_t *p)
{
	const struct sonde__rd_enum *e = f->enm;
	uint64_t v = enum_value(f, p);

	sonde__ob_put(ob, "{\"value\":", 9);
	json_int(ob, f, p);
	sonde__ob_put(ob, ",\"labels\":[", 11);
	for (uint32_t k = enum_next(e, 0, v, f->is_signed), n = 0;
	     k < e->nr_labels; k = enum_next(e, k + 1, v, f->is_signed), n++) {
		if (n)
			sonde__ob_putc(ob, ',');
		sonde__fmt_json_str(ob, e->labels[k].label,
				    e->labels[k].label_len);
	}
	sonde__ob_put(ob, "]}", 2);
}

static void json_elems(struct sonde__obuf *ob, const struct sonde__rd_field *f,
		       const uint8_t *p, uint64_t count)
{
	if (f->is_text) {
		sonde__fmt_json_str(ob, (const char *)p, text_len(p, count));
		return;
	}
	sonde__ob_putc(ob, '[');
	for (uint64_t i = 0; i < count; i++) {
		if (i)
			sonde__ob_putc(ob, ',');
		json_int(ob, f, p + i * f->size);
	}
	sonde__ob_putc(ob, ']');
}

void sonde__fmt_payload_json(struct sonde__obuf *ob,
			     const struct sonde__rd_class *c, const uint8_t *p)
{
	size_t off = 0;

	sonde__ob_putc(ob, '{');
	for (uint32_t i = 0; i < c->nr_fields; i++) {
		const struct sonde__rd_field *f = &c->fields[i];

		if (i)
			sonde__ob_putc(ob, ',');
		sonde__fmt_json_str(ob, f->name, strlen(f->name));
		sonde__ob_putc(ob, ':');
		switch (f->kind) {
		case SONDE_RD_INT:
			if (f->enm)
				json_enum(ob, f, p + off);
			else
				json_int(ob, f, p + off);
			off += f->size;
			break;
		case SONDE_RD_FLOAT: {
			double d;
			char tmp[32];
			size_t n;

			if (f->size == 4) {
				float x;

				memcpy(&x, p + off, 4);
				d = x;
			} else {
				memcpy(&d, p + off, 8);
			}
			n = sonde__fmt_g(tmp, d);
			if (isfinite(d)) {
				sonde__ob_put(ob, tmp, n);
			} else {
				sonde__fmt_json_str(ob, tmp, n);
			}
			off += f->size;
			break;
		}
		case SONDE_RD_STRING: {
			size_t sl = strlen((const char *)p + off);

			sonde__fmt_json_str(ob, (const char *)p + off, sl);
			off += sl + 1;
			break;
		}
		case SONDE_RD_ARRAY:
			json_elems(ob, f, p + off, f->count);
			off += (size_t)f->size * f->count;
			break;
		case SONDE_RD_SEQUENCE: {
			uint64_t cnt = sonde__rd_seq_len(c, i, p + off);

			json_elems(ob, f, p + off, cnt);
			off += (size_t)(cnt * f->size);
			break;
		}
		}
	}
	if (c->msg_fmt)
		fmt_msg(ob, c, p, c->nr_fields != 0, 1);
	sonde__ob_putc(ob, '}');
}
