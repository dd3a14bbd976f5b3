// SPDX-License-Identifier: MIT
/*
 * printf-style markers, and tracef/tracelog (<sonde/tracef.h>), which are
 * markers whose format is also kept in the trace metadata so that readers
 * render the message.  A marker's format is parsed once (printf.c's
 * grammar), when a session first enables it, into a field table
 * (registered like a tracepoint's, so the metadata describes it) and a
 * plan: for each argument, how to fetch it from the va_list and how many
 * bytes to store.  Recording walks the plan: integers and doubles are
 * stored in binary at their converted width, strings with their NUL,
 * pointers as 64-bit hex integers; nothing is ever formatted to text.
 * vtracef's va_list is not checked by the compiler: the plan takes from it
 * exactly the format's arguments, and a format the grammar refuses (%n
 * among others) leaves the site disabled.  Records up to SONDE__FAST_PAYLOAD_MAX bytes take the
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
#include <sonde/tracef.h>

#include "marker.h"
#include "printf.h"

#define MAX_CONV SONDE__PF_CONV_MAX
/* tracelog's leading fields: line, file, func. */
#define NR_LOC 3
#define MAX_FIELDS (2 * MAX_CONV + NR_LOC)

enum fetch {
	F_INT,      /* int (hh, h, none), stored in size bytes */
	F_UINT,
	F_LONG,     /* long, long long, intmax_t, ptrdiff_t, ssize_t: 8 bytes */
	F_ULONG,
	F_DOUBLE,
	F_STRING,
	F_POINTER,
	F_STAR,     /* a '*' width or precision: an int; stored (4 bytes)
		     * by tracef, which renders the message with it */
};

struct conv {
	uint8_t fetch; /* enum fetch */
	uint8_t size;  /* bytes stored (0: not stored; strings: their own) */
};

struct plan {
	uint32_t n;
	uint32_t loc; /* tracelog: line, file and func come first */
	struct conv conv[2 * MAX_CONV];
};

static bool ident_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * Words that precede a value in prose without naming it ("still %s",
 * "at %p", "got %d"): never a field name.
 */
static const char *const fillers[] = {
	"a", "about", "after", "all", "also", "am", "an", "and", "any", "are",
	"as", "at", "be", "been", "before", "but", "by", "can", "could", "did",
	"do", "does", "each", "for", "from", "get", "gets", "got", "had",
	"has", "have", "he", "her", "here", "his", "i", "if", "in", "into",
	"is", "it", "its", "just", "me", "my", "no", "not", "now", "of", "on",
	"only", "or", "our", "over", "per", "she", "so", "some", "still",
	"than", "that", "the", "their", "then", "there", "these", "they",
	"this", "those", "to", "too", "under", "until", "up", "via", "was",
	"we", "were", "what", "when", "where", "which", "while", "who", "why",
	"will", "with", "would", "yet", "you", "your",
};

static bool is_filler(const char *w, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(fillers); i++)
		if (strlen(fillers[i]) == n && !strncasecmp(fillers[i], w, n))
			return true;
	return false;
}

/*
 * The name of the field of the conversion at @pct, from the text since
 * the previous conversion ended (@from): a C identifier followed by '='
 * or ':' ("size=%zu", "key: %s"), or one alone in that text followed by
 * blanks ("key %s size %zu", "%s, count %d") and not a filler word; else
 * "arg<idx>".  A word glued to the conversion ("0x%x", "id%d") names
 * nothing.
 */
static void field_name(const char *from, const char *pct, unsigned int idx,
		       char *out, size_t outlen)
{
	const char *e = pct, *b;
	bool label = false;

	while (e > from && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e > from && (e[-1] == '=' || e[-1] == ':')) {
		label = true;
		e--;
		while (e > from && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
	} else if (e == pct) {
		goto none;
	}
	b = e;
	while (b > from && ident_char(b[-1]))
		b--;
	if (b == e || e - b > 60 || (b[0] >= '0' && b[0] <= '9'))
		goto none;
	if (!label) {
		if (is_filler(b, (size_t)(e - b)))
			goto none;
		for (const char *q = from; q < b; q++)
			if (!strchr(" \t,;([{|", *q))
				goto none;
	}
	snprintf(out, outlen, "%.*s", (int)(e - b), b);
	return;
none:
	snprintf(out, outlen, "arg%u", idx);
}

static int fail(char *err, size_t errlen, const char *fmt, const char *at,
		const char *why)
{
	snprintf(err, errlen, "%s at offset %d of format \"%.200s\"", why,
		 (int)(at - fmt), fmt);
	return -EINVAL;
}

static const uint8_t fetch_of[] = {
	[SONDE__PF_INT] = F_INT,	 [SONDE__PF_UINT] = F_UINT,
	[SONDE__PF_LONG] = F_LONG,	 [SONDE__PF_ULONG] = F_ULONG,
	[SONDE__PF_DOUBLE] = F_DOUBLE,	 [SONDE__PF_STRING] = F_STRING,
	[SONDE__PF_POINTER] = F_POINTER,
};

/* A field of @nf so far: its description and its name. */
static void put_field(struct sonde_field_desc *fields, char names[][64],
		      uint32_t *nf, const char *name, uint8_t kind,
		      uint8_t size, uint8_t is_signed, uint8_t base)
{
	struct sonde_field_desc *f = &fields[*nf];

	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->size = size;
	f->is_signed = is_signed;
	f->base = base;
	snprintf(names[*nf], sizeof(names[*nf]), "%s", name);
	(*nf)++;
}

/*
 * The fields and the plan of format @fmt.  A marker's fields are named
 * after the format's words (field_name()); tracef's are arg0, arg1, ...,
 * one per argument, '*' widths and precisions included (the reader
 * renders the message with them); tracelog's are line, file and func,
 * then tracef's.
 */
static int parse(const char *fmt, uint32_t flags,
		 struct sonde_field_desc *fields, char names[][64],
		 uint32_t *nfields, struct plan *pl, char *err, size_t errlen)
{
	bool tracef = flags & SONDE_EVENT_TRACEF;
	const char *from = fmt;
	uint32_t nf = 0, nconv = 0;

	pl->n = 0;
	pl->loc = 0;
	if (strnlen(fmt, SONDE__PF_FMT_MAX) >= SONDE__PF_FMT_MAX)
		return fail(err, errlen, fmt, fmt, "format too long");
	if (flags & SONDE_EVENT_TRACELOG) {
		pl->loc = 1;
		put_field(fields, names, &nf, "line", SONDE_FIELD_INTEGER, 4, 1,
			  10);
		put_field(fields, names, &nf, "file", SONDE_FIELD_STRING, 1, 0,
			  10);
		put_field(fields, names, &nf, "func", SONDE_FIELD_STRING, 1, 0,
			  10);
	}
	for (const char *p = fmt; *p; p++) {
		const char *pct = p, *why = NULL;
		struct sonde__pf_spec s;
		char name[64];

		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		if (nconv == MAX_CONV)
			return fail(err, errlen, fmt, pct, "too many conversions");
		nconv++;
		p = sonde__pf_parse(p + 1, &s, &why);
		if (!p)
			return fail(err, errlen, fmt, pct, why);
		p--; /* at the conversion character; the loop steps past it */
		for (int star = 0; star < 2; star++) {
			if (!(star ? s.prec_star : s.width_star))
				continue;
			pl->conv[pl->n++] = (struct conv){ F_STAR, tracef ? 4 : 0 };
			if (tracef) {
				snprintf(name, sizeof(name), "arg%u",
					 pl->n - 1);
				put_field(fields, names, &nf, name,
					  SONDE_FIELD_INTEGER, 4, 1, 10);
			}
		}
		pl->conv[pl->n++] = (struct conv){
			fetch_of[s.arg],
			(uint8_t)(s.arg == SONDE__PF_STRING ? 0 : s.size) };
		if (tracef)
			snprintf(name, sizeof(name), "arg%u", pl->n - 1);
		else
			field_name(from, pct, nf, name, sizeof(name));
		put_field(fields, names, &nf, name,
			  s.arg == SONDE__PF_DOUBLE   ? SONDE_FIELD_FLOAT
			  : s.arg == SONDE__PF_STRING ? SONDE_FIELD_STRING
						      : SONDE_FIELD_INTEGER,
			  s.size, s.is_signed, s.base);
		from = p + 1;
		/* Same word twice: the later field gets its index appended. */
		for (uint32_t i = 0; i + 1 < nf; i++)
			if (!strcmp(names[i], names[nf - 1])) {
				size_t l = strlen(names[nf - 1]);

				snprintf(names[nf - 1] + l,
					 sizeof(names[nf - 1]) - l, "_%u",
					 nf - 1);
				break;
			}
	}
	*nfields = nf;
	return 0;
}

int sonde__marker_prepare(struct sonde_event_desc *d, char *err,
			  size_t errlen)
{
	struct sonde_field_desc fields[MAX_FIELDS], *fcopy = NULL;
	char names[MAX_FIELDS][64];
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
	r = parse(d->signature, d->flags, fields, names, &n, pl, err, errlen);
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

/* Where a tracelog call is: its leading fields. */
struct loc {
	const char *file;
	const char *func;
	int32_t line;
};

/* @str and its NUL at @out + *@n, if it fits in @cap; *@n grows anyway. */
static void put_str(char *out, size_t *n, size_t cap, const char *str)
{
	size_t len;

	if (!str)
		str = "(null)";
	len = strnlen(str, SONDE__MAX_PAYLOAD);
	if (*n + len + 1 <= cap) {
		memcpy(out + *n, str, len);
		out[*n + len] = 0;
	}
	*n += len + 1;
}

/*
 * Serialize @loc (tracelog) and the arguments described by @pl from @ap
 * into @out (@cap bytes).  Returns the payload size; more than @cap means
 * it did not fit (and @out holds only a prefix).  Takes from @ap exactly
 * what the format says, in its order, '*' arguments included.
 */
static size_t serialize(const struct plan *pl, const struct loc *loc,
			va_list ap, char *out, size_t cap)
{
	size_t n = 0;

	if (pl->loc) {
		if (n + 4 <= cap)
			memcpy(out, &loc->line, 4);
		n += 4;
		put_str(out, &n, cap, loc->file);
		put_str(out, &n, cap, loc->func);
	}
	for (uint32_t i = 0; i < pl->n; i++) {
		const struct conv *c = &pl->conv[i];
		uint64_t v;
		double d;

		switch (c->fetch) {
		case F_INT:
		case F_STAR:
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
		default: /* F_STRING */
			put_str(out, &n, cap, va_arg(ap, const char *));
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

/* Record @d's event from @ap (left as it was: each pass takes a copy);
 * @ip: the site's address, for the sessions that record it. */
static void record(struct sonde_event_desc *d, const struct loc *loc,
		   va_list ap, uint64_t ip)
{
	const struct plan *pl = d->priv;
	struct sonde__chan_view *ch;
	uint32_t id, mask = 1;
	/* Room for an 8-byte store past the last field, and a word before
	 * the first for the site's address (sonde__record_slots_ip()). */
	uint64_t recbuf[1 + (SONDE__FAST_PAYLOAD_MAX + 7) / 8 + 1];
	uint64_t *rec = recbuf + 1;
	struct sonde__wctx w;
	size_t size;
	char *p;
	va_list aq;
	/* Bit 1: several sessions record it (markers have no filters). */
	int slots = __atomic_load_n(&d->state, __ATOMIC_RELAXED) & 2;

	if (!pl)
		return;
	if (slots && !(mask = sonde__site_select(d, NULL)))
		return;
	va_copy(aq, ap);
	size = serialize(pl, loc, aq, (char *)rec, SONDE__FAST_PAYLOAD_MAX + 8);
	va_end(aq);
	if (size <= SONDE__FAST_PAYLOAD_MAX) {
		/* Zeros past the record (SONDE__ZERO_TAIL()). */
		if (size & 7)
			memset((char *)rec + size, 0, 8 - (size & 7));
		if (slots)
			sonde__record_slots_ip(d, mask, rec, (uint32_t)size,
					       ip);
		else
			sonde__record(d, &d->id, rec, (uint32_t)size);
		return;
	}
	/* Too long for one step (long strings): reserve, then write again,
	 * once per session. */
	if (size > SONDE__MAX_PAYLOAD)
		size = UINT32_MAX; /* dropped by the slow path, counted */
	for (uint32_t k = 0; mask; k++, mask >>= 1) {
		if (!(mask & 1))
			continue;
		if (slots) {
			p = sonde__slot_reserve(d, k, (uint32_t)size, ip, &w);
		} else {
			ch = sonde__chan_get(); /* before the id, see
						 * sonde__chan_get() */
			id = __atomic_load_n(&d->id, __ATOMIC_RELAXED);
			p = sonde__reserve_slow(ch, d, id, (uint32_t)size, &w);
		}
		if (!p)
			continue;
		va_copy(aq, ap);
		serialize(pl, loc, aq, p, size);
		va_end(aq);
		sonde__commit(&w);
	}
}

SONDE__API void sonde__mark(struct sonde_event_desc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(d, NULL, ap, SONDE__SITE_IP());
	va_end(ap);
}

SONDE__API void sonde__vmark(struct sonde_event_desc *d, va_list ap)
{
	record(d, NULL, ap, SONDE__SITE_IP());
}

SONDE__API void sonde__marklog(struct sonde_event_desc *d, const char *file,
			       int line, const char *func, const char *fmt, ...)
{
	struct loc loc = { file, func, line };
	va_list ap;

	va_start(ap, fmt);
	record(d, &loc, ap, SONDE__SITE_IP());
	va_end(ap);
}

SONDE__API void sonde__vmarklog(struct sonde_event_desc *d, const char *file,
				int line, const char *func, va_list ap)
{
	struct loc loc = { file, func, line };

	record(d, &loc, ap, SONDE__SITE_IP());
}

/*
 * A site whose format is not a literal (<sonde/tracef.h>): its own format
 * is "%s", and its one argument the message, formatted here.  A message
 * longer than the buffer is cut, and says by how much.
 */
static void record_str(struct sonde_event_desc *d, const struct loc *loc,
		       uint64_t ip, ...)
{
	va_list ap;

	va_start(ap, ip);
	record(d, loc, ap, ip);
	va_end(ap);
}

static void record_msg(struct sonde_event_desc *d, const struct loc *loc,
		       uint64_t ip, const char *fmt, va_list ap)
{
	char msg[SONDE_TRACEF_MSG_MAX];
	int n = fmt ? vsnprintf(msg, sizeof(msg), fmt, ap) : -1;

	if (n < 0) {
		snprintf(msg, sizeof(msg), "(no message: bad format)");
	} else if ((size_t)n >= sizeof(msg)) {
		char tail[32];
		int t = snprintf(tail, sizeof(tail), "[+%zu bytes]",
				 (size_t)n - (sizeof(msg) - 1));

		memcpy(msg + sizeof(msg) - 1 - t, tail, (size_t)t + 1);
	}
	record_str(d, loc, ip, msg);
}

SONDE__API void sonde__tracef_msg(struct sonde_event_desc *d, const char *fmt,
				  ...)
{
	va_list ap;

	va_start(ap, fmt);
	record_msg(d, NULL, SONDE__SITE_IP(), fmt, ap);
	va_end(ap);
}

SONDE__API void sonde__vtracef_msg(struct sonde_event_desc *d, const char *fmt,
				   va_list ap)
{
	va_list aq;

	va_copy(aq, ap); /* the caller's stays unconsumed */
	record_msg(d, NULL, SONDE__SITE_IP(), fmt, aq);
	va_end(aq);
}

SONDE__API void sonde__tracelog_msg(struct sonde_event_desc *d,
				    const char *file, int line,
				    const char *func, const char *fmt, ...)
{
	struct loc loc = { file, func, line };
	va_list ap;

	va_start(ap, fmt);
	record_msg(d, &loc, SONDE__SITE_IP(), fmt, ap);
	va_end(ap);
}

SONDE__API void sonde__vtracelog_msg(struct sonde_event_desc *d,
				     const char *file, int line,
				     const char *func, const char *fmt,
				     va_list ap)
{
	struct loc loc = { file, func, line };
	va_list aq;

	va_copy(aq, ap);
	record_msg(d, &loc, SONDE__SITE_IP(), fmt, aq);
	va_end(aq);
}
