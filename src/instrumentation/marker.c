// SPDX-License-Identifier: MIT
/*
 * printf-style markers.  A marker's format is parsed once, when a session
 * first enables it, into a field table (registered like a tracepoint's, so
 * the metadata describes it) and a plan: for each conversion, how to fetch
 * it from the va_list and how many bytes to store.  Recording walks the
 * plan: integers and doubles are stored in binary at their converted width,
 * strings with their NUL, pointers as 64-bit hex integers; nothing is ever
 * formatted to text.  Records up to SONDE__FAST_PAYLOAD_MAX bytes take the
 * one-step path of tracepoints; longer ones (long strings) are reserved and
 * written in place.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sonde/marker.h>

#include "marker.h"

#define MAX_CONV 32

enum fetch {
	F_INT,      /* int (hh, h, none), stored in size bytes */
	F_UINT,
	F_LONG,     /* long, long long, intmax_t, ptrdiff_t, ssize_t: 8 bytes */
	F_ULONG,
	F_DOUBLE,
	F_STRING,
	F_POINTER,
	F_STAR,     /* a '*' width or precision: an int, not stored */
};

struct conv {
	uint8_t fetch; /* enum fetch */
	uint8_t size;  /* bytes stored (0 for F_STAR and strings) */
};

struct plan {
	uint32_t n;
	struct conv conv[2 * MAX_CONV];
};

static bool ident_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * The word before a conversion, in the text since the previous conversion
 * ended (@from): skip separators back, take identifier characters.
 */
static void field_name(const char *from, const char *pct, unsigned int idx,
		       char *out, size_t outlen)
{
	const char *e = pct, *b;

	while (e > from && (e[-1] == ' ' || e[-1] == '=' || e[-1] == ':' ||
			    e[-1] == '\t'))
		e--;
	b = e;
	while (b > from && ident_char(b[-1]))
		b--;
	if (b == e || e - b > 60) {
		snprintf(out, outlen, "arg%u", idx);
		return;
	}
	snprintf(out, outlen, "%s%.*s", b[0] >= '0' && b[0] <= '9' ? "_" : "",
		 (int)(e - b), b);
}

static int fail(char *err, size_t errlen, const char *fmt, const char *at,
		const char *why)
{
	snprintf(err, errlen, "%s at offset %d of format \"%s\"", why,
		 (int)(at - fmt), fmt);
	return -EINVAL;
}

static int parse(const char *fmt, struct sonde_field_desc *fields,
		 char names[][64], uint32_t *nfields, struct plan *pl,
		 char *err, size_t errlen)
{
	const char *from = fmt;
	uint32_t nf = 0;

	pl->n = 0;
	for (const char *p = fmt; *p; p++) {
		const char *pct = p;
		int len = 0; /* 0 none, 1 hh, 2 h, 3 l/ll/z/j/t */
		struct sonde_field_desc *f;
		char c;

		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		if (nf == MAX_CONV)
			return fail(err, errlen, fmt, pct, "too many conversions");
		p++;
		while (*p && strchr("-+ #0'", *p))
			p++;
		if (*p == '*') {
			pl->conv[pl->n++] = (struct conv){ F_STAR, 0 };
			p++;
		}
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.') {
			p++;
			if (*p == '*') {
				pl->conv[pl->n++] = (struct conv){ F_STAR, 0 };
				p++;
			}
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (p[0] == 'h' && p[1] == 'h') {
			len = 1;
			p += 2;
		} else if (*p == 'h') {
			len = 2;
			p++;
		} else if (p[0] == 'l' && p[1] == 'l') {
			len = 3;
			p += 2;
		} else if (*p && strchr("lzjt", *p)) {
			len = 3;
			p++;
		}
		c = *p;
		if (!c)
			return fail(err, errlen, fmt, pct, "conversion missing");
		f = &fields[nf];
		memset(f, 0, sizeof(*f));
		f->base = 10;
		switch (c) {
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'X':
		case 'o':
		case 'c':
			if (c == 'c' && len)
				return fail(err, errlen, fmt, pct,
					    "wide characters not supported");
			f->kind = SONDE_FIELD_INTEGER;
			f->is_signed = c == 'd' || c == 'i';
			f->base = c == 'x' || c == 'X' ? 16 : c == 'o' ? 8 : 10;
			f->size = c == 'c' ? 1 : len == 1 ? 1 : len == 2 ? 2
					       : len == 3 ? 8 : 4;
			pl->conv[pl->n++] = (struct conv){
				(uint8_t)(len == 3 ? (f->is_signed ? F_LONG : F_ULONG)
						   : (f->is_signed ? F_INT : F_UINT)),
				f->size };
			break;
		case 'f':
		case 'F':
		case 'e':
		case 'E':
		case 'g':
		case 'G':
			if (len && len != 3)
				return fail(err, errlen, fmt, pct,
					    "bad length modifier for a double");
			f->kind = SONDE_FIELD_FLOAT;
			f->size = 8;
			f->is_signed = 1;
			pl->conv[pl->n++] = (struct conv){ F_DOUBLE, 8 };
			break;
		case 's':
			if (len)
				return fail(err, errlen, fmt, pct,
					    "wide strings not supported");
			f->kind = SONDE_FIELD_STRING;
			f->size = 1;
			pl->conv[pl->n++] = (struct conv){ F_STRING, 0 };
			break;
		case 'p':
			f->kind = SONDE_FIELD_INTEGER;
			f->size = 8;
			f->base = 16;
			pl->conv[pl->n++] = (struct conv){ F_POINTER, 8 };
			break;
		case 'n':
			return fail(err, errlen, fmt, pct, "%n is not allowed");
		default:
			return fail(err, errlen, fmt, pct, "unknown conversion");
		}
		field_name(from, pct, nf, names[nf], sizeof(names[nf]));
		from = p + 1;
		/* Same word twice: the later field gets its index appended. */
		for (uint32_t i = 0; i < nf; i++)
			if (!strcmp(names[i], names[nf])) {
				size_t l = strlen(names[nf]);

				snprintf(names[nf] + l, sizeof(names[nf]) - l,
					 "_%u", nf);
				break;
			}
		nf++;
	}
	*nfields = nf;
	return 0;
}

int sonde__marker_prepare(struct sonde_event_desc *d, char *err,
			  size_t errlen)
{
	struct sonde_field_desc fields[MAX_CONV], *fcopy = NULL;
	char names[MAX_CONV][64];
	struct plan *pl;
	uint32_t n = 0;
	int r;

	if (d->priv)
		return 0;
	if (!d->signature)
		return fail(err, errlen, "", "", "no format");
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	r = parse(d->signature, fields, names, &n, pl, err, errlen);
	if (r)
		goto out;
	if (n) {
		fcopy = calloc(n, sizeof(*fcopy));
		if (!fcopy) {
			r = -ENOMEM;
			goto out;
		}
		for (uint32_t i = 0; i < n; i++) {
			fcopy[i] = fields[i];
			fcopy[i].name = strdup(names[i]);
			if (!fcopy[i].name) {
				while (i--)
					free((char *)fcopy[i].name);
				free(fcopy);
				r = -ENOMEM;
				goto out;
			}
		}
	}
	d->fields = fcopy;
	d->nr_fields = n;
	/* Published last: sonde__mark() runs only once state is set, after. */
	d->priv = pl;
	return 0;
out:
	free(pl);
	return r;
}

/*
 * Serialize the arguments described by @pl from @ap into @out (@cap bytes).
 * Returns the payload size; more than @cap means it did not fit (and @out
 * holds only a prefix).
 */
static size_t serialize(const struct plan *pl, va_list ap, char *out,
			size_t cap)
{
	size_t n = 0;

	for (uint32_t i = 0; i < pl->n; i++) {
		const struct conv *c = &pl->conv[i];
		uint64_t v;
		double d;

		switch (c->fetch) {
		case F_INT:
			v = (uint64_t)(int64_t)va_arg(ap, int);
			break;
		case F_UINT:
			v = va_arg(ap, unsigned int);
			break;
		case F_LONG:
			v = (uint64_t)va_arg(ap, long long);
			break;
		case F_ULONG:
			v = va_arg(ap, unsigned long long);
			break;
		case F_POINTER:
			v = (uint64_t)(uintptr_t)va_arg(ap, void *);
			break;
		case F_DOUBLE:
			d = va_arg(ap, double);
			if (n + 8 <= cap)
				memcpy(out + n, &d, 8);
			n += 8;
			continue;
		case F_STRING: {
			const char *str = va_arg(ap, const char *);
			size_t len;

			if (!str)
				str = "(null)";
			len = strnlen(str, SONDE__MAX_PAYLOAD);
			if (n + len + 1 <= cap) {
				memcpy(out + n, str, len);
				out[n + len] = 0;
			}
			n += len + 1;
			continue;
		}
		default: /* F_STAR */
			(void)va_arg(ap, int);
			continue;
		}
		/* Little-endian: the low bytes are the value at its converted
		 * width (the sign is in the field type). */
		if (n + 8 <= cap)
			memcpy(out + n, &v, 8);
		else if (n + c->size <= cap)
			memcpy(out + n, &v, c->size);
		n += c->size;
	}
	return n;
}

SONDE__API void sonde__mark(struct sonde_event_desc *d, const char *fmt, ...)
{
	const struct plan *pl = d->priv;
	struct sonde__chan_view *ch;
	uint32_t id;
	/* Room for an 8-byte store past the last field. */
	uint64_t rec[(SONDE__FAST_PAYLOAD_MAX + 7) / 8 + 1];
	struct sonde__wctx w;
	size_t size;
	char *p;
	va_list ap;

	if (!pl)
		return;
	va_start(ap, fmt);
	size = serialize(pl, ap, (char *)rec, SONDE__FAST_PAYLOAD_MAX + 8);
	va_end(ap);
	if (size <= SONDE__FAST_PAYLOAD_MAX) {
		sonde__record(d, &d->id, rec, (uint32_t)size);
		return;
	}
	/* Too long for one step (long strings): reserve, then write again. */
	if (size > SONDE__MAX_PAYLOAD)
		size = UINT32_MAX; /* dropped by the slow path, counted */
	ch = sonde__chan_get(); /* before the id, see sonde__chan_get() */
	id = __atomic_load_n(&d->id, __ATOMIC_RELAXED);
	p = sonde__reserve_slow(ch, d, id, (uint32_t)size, &w);
	if (!p)
		return;
	va_start(ap, fmt);
	serialize(pl, ap, p, size);
	va_end(ap);
	sonde__commit(&w);
}
