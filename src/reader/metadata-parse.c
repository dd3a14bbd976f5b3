// SPDX-License-Identifier: MIT
/*
 * TSDL parser of the reading side (see metadata-parse.h).
 *
 * Three steps: a tokenizer (identifiers, numbers, string literals,
 * punctuation, comments skipped), a recursive-descent parser building a
 * small type tree for each declaration (every node allocated in one arena
 * freed at the end), and a checker that matches the trace, stream and event
 * declarations against sonde's layout and flattens each event's payload
 * struct into a field table.  Limits (nesting depth, number of fields and
 * classes, literal lengths) bound the work on hostile input.  A tracef
 * class's message format, an env entry, is checked against its fields
 * with the writer's printf grammar (src/instrumentation/printf.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../instrumentation/printf.h"
#include "metadata-parse.h"

int sonde__rd_errf(struct sonde__rd_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

/* ---------------------------------------------------------------- arena */

struct arena_blk {
	struct arena_blk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct arena_blk *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_blk *b = a->head;

	n = (n + 15) & ~(size_t)15;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	void *p = (char *)b->data + b->used;

	b->used += n;
	memset(p, 0, n);
	return p;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_blk *b = a->head;

		a->head = b->next;
		free(b);
	}
}

/* ------------------------------------------------------------ tokenizer */

enum tok_kind { T_EOF, T_IDENT, T_NUM, T_STR, T_PUNCT };

struct tok {
	enum tok_kind kind;
	const char *s; /* T_IDENT: text; T_STR: unescaped; T_PUNCT: text */
	uint64_t num;
	int line;
};

#define MAX_STR 4096
#define MAX_DEPTH 32
#define MAX_FIELDS 4096

struct parser {
	const char *p, *end;
	int line;
	struct tok t;       /* current token */
	struct arena ar;
	const char *fname;
	struct sonde__rd_err *err;
	int failed;
	int depth;
	/* typealiases and named structs */
	struct alias *aliases;
	struct alias *structs;
};

static int perr(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(struct parser *ps, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	if (ps->failed)
		return -EBADMSG;
	ps->failed = 1;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sonde__rd_errf(ps->err, 0, "%s: line %d: %s", ps->fname, ps->t.line,
		       buf);
	return -EBADMSG;
}

static int is_ident0(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* Advance to the next token; on error sets ps->failed and returns -1. */
static int next(struct parser *ps)
{
	const char *p = ps->p, *e = ps->end;

	if (ps->failed)
		return -1;
	for (;;) {
		while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' ||
				 *p == '\r' || *p == '\f' || *p == '\v')) {
			if (*p == '\n')
				ps->line++;
			p++;
		}
		if (e - p >= 2 && p[0] == '/' && p[1] == '*') {
			p += 2;
			while (p < e && !(e - p >= 2 && p[0] == '*' && p[1] == '/')) {
				if (*p == '\n')
					ps->line++;
				p++;
			}
			if (p >= e) {
				ps->t.line = ps->line;
				return perr(ps, "unterminated comment"), -1;
			}
			p += 2;
			continue;
		}
		if (e - p >= 2 && p[0] == '/' && p[1] == '/') {
			while (p < e && *p != '\n')
				p++;
			continue;
		}
		break;
	}
	ps->t.line = ps->line;
	ps->t.s = "";
	ps->t.num = 0;
	if (p >= e) {
		ps->t.kind = T_EOF;
		ps->t.s = "end of file";
		ps->p = p;
		return 0;
	}
	if (is_ident0(*p)) {
		const char *b = p;

		while (p < e && (is_ident0(*p) || is_digit(*p)))
			p++;
		if (p - b > 256)
			return perr(ps, "identifier too long"), -1;
		ps->t.kind = T_IDENT;
		ps->t.s = arena_strndup(&ps->ar, b, (size_t)(p - b));
	} else if (is_digit(*p)) {
		uint64_t v = 0;
		int base = 10;

		if (*p == '0' && e - p > 1 && (p[1] == 'x' || p[1] == 'X')) {
			base = 16;
			p += 2;
			if (p >= e || !((*p >= '0' && *p <= '9') ||
					((*p | 32) >= 'a' && (*p | 32) <= 'f')))
				return perr(ps, "bad hexadecimal number"), -1;
		}
		for (; p < e; p++) {
			unsigned d;

			if (is_digit(*p))
				d = (unsigned)(*p - '0');
			else if (base == 16 && (*p | 32) >= 'a' && (*p | 32) <= 'f')
				d = (unsigned)((*p | 32) - 'a' + 10);
			else
				break;
			if (v > (UINT64_MAX - d) / (unsigned)base)
				return perr(ps, "number too large"), -1;
			v = v * (unsigned)base + d;
		}
		/* integer suffixes (u, l) */
		while (p < e && (*p == 'u' || *p == 'U' || *p == 'l' || *p == 'L'))
			p++;
		if (p < e && (is_ident0(*p) || *p == '.'))
			return perr(ps, "malformed number"), -1;
		ps->t.kind = T_NUM;
		ps->t.num = v;
		ps->t.s = "number";
	} else if (*p == '"') {
		char *buf = arena_alloc(&ps->ar, MAX_STR + 1);
		size_t n = 0;

		if (!buf)
			return perr(ps, "out of memory"), -1;
		p++;
		while (p < e && *p != '"') {
			char c = *p++;

			if (c == '\n')
				return perr(ps, "newline in string literal"), -1;
			if (c == '\\') {
				if (p >= e)
					break;
				c = *p++;
				switch (c) {
				case 'n': c = '\n'; break;
				case 't': c = '\t'; break;
				case 'r': c = '\r'; break;
				case '0': case '1': case '2': case '3':
				case '4': case '5': case '6': case '7': {
					/* up to three octal digits, as in C */
					unsigned v = (unsigned)(c - '0');

					for (int k = 0; k < 2 && p < e &&
					     *p >= '0' && *p <= '7'; k++)
						v = v * 8 + (unsigned)(*p++ - '0');
					c = (char)(unsigned char)v;
					break;
				}
				default: break; /* \" \\ and others: literal */
				}
			}
			if (n >= MAX_STR)
				return perr(ps, "string literal too long"), -1;
			buf[n++] = c;
		}
		if (p >= e)
			return perr(ps, "unterminated string literal"), -1;
		p++;
		buf[n] = 0;
		ps->t.kind = T_STR;
		ps->t.s = buf;
	} else {
		static const char *const puncts[] = { ":=", "...", "{", "}", "(", ")",
			"[", "]", ";", ",", "<", ">", "=", ":", ".", "-", "+" };

		for (size_t i = 0; i < ARRAY_SIZE(puncts); i++) {
			size_t n = strlen(puncts[i]);

			if ((size_t)(e - p) >= n && !memcmp(p, puncts[i], n)) {
				ps->t.kind = T_PUNCT;
				ps->t.s = puncts[i];
				ps->p = p + n;
				return 0;
			}
		}
		if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
			return perr(ps, "unexpected character '%c'", *p), -1;
		return perr(ps, "unexpected byte 0x%02x", (unsigned char)*p), -1;
	}
	if (!ps->t.s)
		return perr(ps, "out of memory"), -1;
	ps->p = p;
	return 0;
}

static int is_p(const struct parser *ps, const char *s)
{
	return ps->t.kind == T_PUNCT && !strcmp(ps->t.s, s);
}

static int is_id(const struct parser *ps, const char *s)
{
	return ps->t.kind == T_IDENT && !strcmp(ps->t.s, s);
}

static const char *tok_desc(const struct parser *ps)
{
	switch (ps->t.kind) {
	case T_EOF: return "end of file";
	case T_NUM: return "a number";
	case T_STR: return "a string";
	default: return ps->t.s;
	}
}

static int expect(struct parser *ps, const char *s)
{
	if (ps->failed)
		return -1;
	if (!is_p(ps, s))
		return perr(ps, "expected '%s', found '%s'", s, tok_desc(ps)), -1;
	return next(ps);
}

/* ---------------------------------------------------------------- types */

enum ty_kind { TY_INT, TY_FLOAT, TY_STRING, TY_STRUCT, TY_VARIANT, TY_ENUM,
	       TY_ARRAY, TY_SEQ };

struct field;

struct ty {
	enum ty_kind kind;
	int line;
	/* integer */
	unsigned bits, align;
	int is_signed, base, byte_order; /* byte_order: 0 native, 1 le, 2 be */
	int text;                        /* encoding = UTF8 or ASCII */
	const char *map;                 /* clock mapping or NULL */
	/* floating point */
	unsigned exp_dig, mant_dig;
	/* struct / variant */
	struct field *fields;
	unsigned nr_fields;
	const char *tag;
	/* enum */
	struct ty *container;
	struct enum_ent *ents;
	unsigned nr_ents;
	struct sonde__rd_enum *rd_enum;  /* its table, once made for a field */
	/* array / sequence */
	struct ty *elem;
	uint64_t count;
	const char *len_name;
};

struct field {
	const char *name;
	struct ty *ty;
};

/* An enumerator: the range lo ... hi, each bound a magnitude and a sign
 * (TSDL values span int64_t and uint64_t alike). */
struct enum_ent {
	const char *name;
	uint64_t lo, hi;
	int lo_neg, hi_neg;
};

struct alias {
	struct alias *next;
	const char *name;
	struct ty *ty;
};

static struct ty *new_ty(struct parser *ps, enum ty_kind k)
{
	struct ty *t = arena_alloc(&ps->ar, sizeof(*t));

	if (!t) {
		perr(ps, "out of memory");
		return NULL;
	}
	t->kind = k;
	t->line = ps->t.line;
	return t;
}

static struct ty *lookup(struct alias *l, const char *name)
{
	for (; l; l = l->next)
		if (!strcmp(l->name, name))
			return l->ty;
	return NULL;
}

static int add_alias(struct parser *ps, struct alias **l, const char *name,
		     struct ty *t)
{
	struct alias *a;

	if (lookup(*l, name))
		return perr(ps, "'%s' declared twice", name);
	a = arena_alloc(&ps->ar, sizeof(*a));
	if (!a)
		return perr(ps, "out of memory");
	a->name = name;
	a->ty = t;
	a->next = *l;
	*l = a;
	return 0;
}

/* Attribute value: a number (optionally signed), an identifier, a string,
 * or a dotted path (clock.tsc.value).  Returned as text plus number. */
struct val {
	int is_num, is_str, neg;
	uint64_t num;
	const char *s;
	int line;
};

static int parse_val(struct parser *ps, struct val *v)
{
	memset(v, 0, sizeof(*v));
	v->line = ps->t.line;
	if (is_p(ps, "-") || is_p(ps, "+")) {
		v->neg = is_p(ps, "-");
		if (next(ps))
			return -1;
		if (ps->t.kind != T_NUM)
			return perr(ps, "expected a number after sign"), -1;
	}
	if (ps->t.kind == T_NUM) {
		v->is_num = 1;
		v->num = ps->t.num;
		v->s = "";
		return next(ps);
	}
	if (ps->t.kind == T_STR) {
		v->is_str = 1;
		v->s = ps->t.s;
		return next(ps);
	}
	if (ps->t.kind != T_IDENT)
		return perr(ps, "expected a value, found '%s'", tok_desc(ps)), -1;
	{
		char buf[512];
		size_t n = 0;

		for (;;) {
			size_t l = strlen(ps->t.s);

			if (n + l + 2 > sizeof(buf))
				return perr(ps, "value too long"), -1;
			memcpy(buf + n, ps->t.s, l);
			n += l;
			if (next(ps))
				return -1;
			if (!is_p(ps, "."))
				break;
			buf[n++] = '.';
			if (next(ps))
				return -1;
			if (ps->t.kind != T_IDENT)
				return perr(ps, "expected a name after '.'"), -1;
		}
		v->s = arena_strndup(&ps->ar, buf, n);
		if (!v->s)
			return perr(ps, "out of memory"), -1;
	}
	return 0;
}

static int val_bool(struct parser *ps, const struct val *v, int *out)
{
	if (v->is_num && !v->neg && v->num <= 1) {
		*out = (int)v->num;
		return 0;
	}
	if (!v->is_num && !v->is_str) {
		if (!strcmp(v->s, "true") || !strcmp(v->s, "TRUE")) {
			*out = 1;
			return 0;
		}
		if (!strcmp(v->s, "false") || !strcmp(v->s, "FALSE")) {
			*out = 0;
			return 0;
		}
	}
	return perr(ps, "expected a boolean");
}

static int val_uint(struct parser *ps, const struct val *v, uint64_t max,
		    uint64_t *out)
{
	if (!v->is_num || v->neg || v->num > max)
		return perr(ps, "expected an integer from 0 to %" PRIu64, max);
	*out = v->num;
	return 0;
}

static struct ty *parse_type(struct parser *ps);
static int parse_fields(struct parser *ps, struct ty *st);

/* integer { ... } / floating_point { ... } / string { ... } attributes */
static int parse_attrs(struct parser *ps, struct ty *t)
{
	if (expect(ps, "{"))
		return -1;
	while (!is_p(ps, "}")) {
		struct val v;
		const char *key;
		uint64_t u = 0;
		int b = 0;

		if (ps->t.kind != T_IDENT)
			return perr(ps, "expected an attribute name, found '%s'",
				    tok_desc(ps)), -1;
		key = ps->t.s;
		if (next(ps) || expect(ps, "=") || parse_val(ps, &v))
			return -1;
		if (t->kind == TY_INT && !strcmp(key, "size")) {
			if (val_uint(ps, &v, 64, &u) || !u)
				return perr(ps, "bad integer size"), -1;
			t->bits = (unsigned)u;
		} else if (!strcmp(key, "align")) {
			if (val_uint(ps, &v, 1u << 16, &u) || !u || (u & (u - 1)))
				return perr(ps, "bad alignment"), -1;
			t->align = (unsigned)u;
		} else if (t->kind == TY_INT && !strcmp(key, "signed")) {
			if (val_bool(ps, &v, &b))
				return -1;
			t->is_signed = b;
		} else if (t->kind == TY_INT && !strcmp(key, "base")) {
			if (v.is_num) {
				if (v.neg || (v.num != 2 && v.num != 8 &&
					      v.num != 10 && v.num != 16))
					return perr(ps, "bad integer base"), -1;
				t->base = (int)v.num;
			} else if (!strcmp(v.s, "decimal") || !strcmp(v.s, "dec") ||
				   !strcmp(v.s, "d") || !strcmp(v.s, "i") ||
				   !strcmp(v.s, "u")) {
				t->base = 10;
			} else if (!strcmp(v.s, "hexadecimal") || !strcmp(v.s, "hex") ||
				   !strcmp(v.s, "x") || !strcmp(v.s, "X") ||
				   !strcmp(v.s, "p")) {
				t->base = 16;
			} else if (!strcmp(v.s, "octal") || !strcmp(v.s, "oct") ||
				   !strcmp(v.s, "o")) {
				t->base = 8;
			} else if (!strcmp(v.s, "binary") || !strcmp(v.s, "b")) {
				t->base = 2;
			} else {
				return perr(ps, "bad integer base"), -1;
			}
		} else if (!strcmp(key, "byte_order")) {
			if (v.is_num || v.is_str)
				return perr(ps, "bad byte_order"), -1;
			if (!strcmp(v.s, "native"))
				t->byte_order = 0;
			else if (!strcmp(v.s, "le"))
				t->byte_order = 1;
			else if (!strcmp(v.s, "be") || !strcmp(v.s, "network"))
				t->byte_order = 2;
			else
				return perr(ps, "bad byte_order"), -1;
		} else if (t->kind == TY_INT && !strcmp(key, "map")) {
			if (v.is_num || v.is_str)
				return perr(ps, "bad clock mapping"), -1;
			t->map = v.s;
		} else if (!strcmp(key, "encoding")) {
			/* none, UTF8, ASCII: arrays and sequences of 8-bit
			 * integers of UTF8 or ASCII are text */
			if (v.is_num)
				return perr(ps, "bad encoding"), -1;
			if (!strcmp(v.s, "UTF8") || !strcmp(v.s, "ASCII"))
				t->text = 1;
			else if (!strcmp(v.s, "none"))
				t->text = 0;
			else
				return perr(ps, "bad encoding"), -1;
		} else if (t->kind == TY_FLOAT && !strcmp(key, "exp_dig")) {
			if (val_uint(ps, &v, 64, &u))
				return -1;
			t->exp_dig = (unsigned)u;
		} else if (t->kind == TY_FLOAT && !strcmp(key, "mant_dig")) {
			if (val_uint(ps, &v, 128, &u))
				return -1;
			t->mant_dig = (unsigned)u;
		} else {
			return perr(ps, "unknown attribute '%s'", key), -1;
		}
		if (expect(ps, ";"))
			return -1;
	}
	return next(ps);
}

/* An enumerator value: *@neg and *@mag. */
static int parse_enum_val(struct parser *ps, uint64_t *mag, int *neg)
{
	struct val v;

	if (parse_val(ps, &v))
		return -1;
	if (!v.is_num || (v.neg && v.num > (uint64_t)INT64_MAX + 1))
		return perr(ps, "bad enumerator value"), -1;
	*mag = v.num;
	*neg = v.neg && v.num;
	return 0;
}

/* a < b for signed magnitudes */
static int enum_lt(int aneg, uint64_t a, int bneg, uint64_t b)
{
	if (aneg != bneg)
		return aneg;
	return aneg ? a > b : a < b;
}

/*
 * { NAME [= V [... V]], ... }: at most SONDE_RD_ENUM_MAX enumerators of
 * labels of at most SONDE_RD_ENUM_LABEL_MAX bytes; an enumerator without a
 * value takes the one after the previous one's upper bound.
 */
static int parse_enum_body(struct parser *ps, struct ty *t)
{
	struct enum_ent *ents;
	unsigned n = 0, cap = 16;
	uint64_t next_mag = 0;
	int next_neg = 0;

	ents = arena_alloc(&ps->ar, sizeof(*ents) * cap);
	if (!ents)
		return perr(ps, "out of memory"), -1;
	if (expect(ps, "{"))
		return -1;
	while (!is_p(ps, "}")) {
		struct enum_ent *e;

		if (ps->t.kind != T_IDENT && ps->t.kind != T_STR)
			return perr(ps, "expected an enumerator, found '%s'",
				    tok_desc(ps)), -1;
		if (n >= SONDE_RD_ENUM_MAX)
			return perr(ps, "more than %u enumerators",
				    SONDE_RD_ENUM_MAX), -1;
		if (strlen(ps->t.s) > SONDE_RD_ENUM_LABEL_MAX)
			return perr(ps, "enumerator label longer than %u bytes",
				    SONDE_RD_ENUM_LABEL_MAX), -1;
		if (n == cap) {
			struct enum_ent *ne = arena_alloc(&ps->ar,
							  sizeof(*ents) * cap * 2);

			if (!ne)
				return perr(ps, "out of memory"), -1;
			memcpy(ne, ents, sizeof(*ents) * cap);
			ents = ne;
			cap *= 2;
		}
		e = &ents[n];
		e->name = ps->t.s;
		if (next(ps))
			return -1;
		if (is_p(ps, "=")) {
			if (next(ps) || parse_enum_val(ps, &e->lo, &e->lo_neg))
				return -1;
			e->hi = e->lo;
			e->hi_neg = e->lo_neg;
			if (is_p(ps, "...")) {
				if (next(ps) ||
				    parse_enum_val(ps, &e->hi, &e->hi_neg))
					return -1;
				if (enum_lt(e->hi_neg, e->hi, e->lo_neg, e->lo))
					return perr(ps, "bad enumerator range"), -1;
			}
		} else {
			e->lo = e->hi = next_mag;
			e->lo_neg = e->hi_neg = next_neg;
		}
		/* the next implicit value: hi + 1, saturated */
		next_neg = e->hi_neg && e->hi > 1;
		next_mag = e->hi_neg ? e->hi - 1
				     : e->hi + (e->hi < UINT64_MAX);
		n++;
		if (is_p(ps, ",")) {
			if (next(ps))
				return -1;
		} else if (!is_p(ps, "}")) {
			return perr(ps, "expected ',' or '}' in enum"), -1;
		}
	}
	t->ents = ents;
	t->nr_ents = n;
	return next(ps);
}

/* type specifier; NULL on error */
static struct ty *parse_type(struct parser *ps)
{
	struct ty *t;

	if (ps->failed)
		return NULL;
	if (++ps->depth > MAX_DEPTH) {
		perr(ps, "types nested too deeply");
		return NULL;
	}
	if (ps->t.kind != T_IDENT) {
		perr(ps, "expected a type, found '%s'", tok_desc(ps));
		return NULL;
	}
	if (is_id(ps, "integer") || is_id(ps, "floating_point")) {
		t = new_ty(ps, is_id(ps, "integer") ? TY_INT : TY_FLOAT);
		if (!t || next(ps))
			return NULL;
		t->base = 10;
		t->align = 0;
		if (parse_attrs(ps, t))
			return NULL;
		if (t->kind == TY_INT && !t->bits) {
			perr(ps, "integer without a size");
			return NULL;
		}
		if (!t->align)
			t->align = t->kind == TY_INT && t->bits % 8 ? 1 : 8;
	} else if (is_id(ps, "string")) {
		t = new_ty(ps, TY_STRING);
		if (!t || next(ps))
			return NULL;
		if (is_p(ps, "{") && parse_attrs(ps, t))
			return NULL;
	} else if (is_id(ps, "enum")) {
		t = new_ty(ps, TY_ENUM);
		if (!t || next(ps))
			return NULL;
		if (ps->t.kind == T_IDENT) { /* enum name */
			if (next(ps))
				return NULL;
		}
		if (expect(ps, ":"))
			return NULL;
		t->container = parse_type(ps);
		if (!t->container)
			return NULL;
		if (t->container->kind != TY_INT) {
			perr(ps, "enum container is not an integer");
			return NULL;
		}
		if (parse_enum_body(ps, t))
			return NULL;
	} else if (is_id(ps, "struct") || is_id(ps, "variant")) {
		int is_var = is_id(ps, "variant");
		const char *name = NULL;

		if (next(ps))
			return NULL;
		if (ps->t.kind == T_IDENT) {
			name = ps->t.s;
			if (next(ps))
				return NULL;
		}
		t = new_ty(ps, is_var ? TY_VARIANT : TY_STRUCT);
		if (!t)
			return NULL;
		if (is_var && is_p(ps, "<")) {
			if (next(ps))
				return NULL;
			if (ps->t.kind != T_IDENT) {
				perr(ps, "expected a variant tag name");
				return NULL;
			}
			t->tag = ps->t.s;
			if (next(ps) || expect(ps, ">"))
				return NULL;
		}
		if (!is_p(ps, "{")) {
			struct ty *ref;

			if (!name || is_var) {
				perr(ps, "expected '{'");
				return NULL;
			}
			ref = lookup(ps->structs, name);
			if (!ref) {
				perr(ps, "unknown struct '%s'", name);
				return NULL;
			}
			ps->depth--;
			return ref;
		}
		if (parse_fields(ps, t))
			return NULL;
		if (is_p(ps, "align")) {
			perr(ps, "struct alignment is not supported");
			return NULL;
		}
		if (name && !is_var && add_alias(ps, &ps->structs, name, t))
			return NULL;
		if (is_var && !t->tag) {
			perr(ps, "untagged variant");
			return NULL;
		}
	} else {
		t = lookup(ps->aliases, ps->t.s);
		if (!t) {
			perr(ps, "unknown type '%s' (not a sonde trace?)", ps->t.s);
			return NULL;
		}
		if (next(ps))
			return NULL;
	}
	ps->depth--;
	return t;
}

/* declarator: NAME ([N] | [LEN_NAME])* */
static int parse_declarator(struct parser *ps, struct ty *base,
			    struct field *f)
{
	struct ty *t = base;
	struct ty *dims[4];
	unsigned nd = 0;

	if (ps->t.kind != T_IDENT)
		return perr(ps, "expected a field name, found '%s'",
			    tok_desc(ps)), -1;
	f->name = ps->t.s;
	if (next(ps))
		return -1;
	while (is_p(ps, "[")) {
		struct ty *a;

		if (nd >= ARRAY_SIZE(dims))
			return perr(ps, "too many array dimensions"), -1;
		if (next(ps))
			return -1;
		if (ps->t.kind == T_NUM) {
			a = new_ty(ps, TY_ARRAY);
			if (!a)
				return -1;
			a->count = ps->t.num;
		} else if (ps->t.kind == T_IDENT) {
			a = new_ty(ps, TY_SEQ);
			if (!a)
				return -1;
			a->len_name = ps->t.s;
		} else {
			return perr(ps, "bad array length"), -1;
		}
		if (next(ps) || expect(ps, "]"))
			return -1;
		dims[nd++] = a;
	}
	/* int x[2][3]: array of 2 arrays of 3 */
	while (nd) {
		struct ty *a = dims[--nd];

		a->elem = t;
		t = a;
	}
	f->ty = t;
	return 0;
}

static int parse_fields(struct parser *ps, struct ty *st)
{
	struct field *f;
	unsigned cap = 16;

	f = arena_alloc(&ps->ar, sizeof(*f) * cap);
	if (!f || expect(ps, "{"))
		return -1;
	while (!is_p(ps, "}")) {
		struct ty *t;

		if (ps->t.kind == T_EOF)
			return perr(ps, "unterminated struct"), -1;
		t = parse_type(ps);
		if (!t)
			return -1;
		for (;;) {
			if (st->nr_fields >= MAX_FIELDS)
				return perr(ps, "too many fields"), -1;
			if (st->nr_fields == cap) {
				struct field *nf = arena_alloc(&ps->ar,
							       sizeof(*f) * cap * 2);

				if (!nf)
					return perr(ps, "out of memory"), -1;
				memcpy(nf, f, sizeof(*f) * cap);
				f = nf;
				cap *= 2;
			}
			if (parse_declarator(ps, t, &f[st->nr_fields]))
				return -1;
			for (unsigned i = 0; i < st->nr_fields; i++)
				if (!strcmp(f[i].name, f[st->nr_fields].name))
					return perr(ps, "field '%s' declared twice",
						    f[i].name), -1;
			st->nr_fields++;
			if (!is_p(ps, ","))
				break;
			if (next(ps))
				return -1;
		}
		if (expect(ps, ";"))
			return -1;
	}
	st->fields = f;
	return next(ps);
}

/* --------------------------------------------------------------- blocks */

struct kv {
	struct kv *next;
	const char *key;   /* dotted */
	struct val v;      /* key = value */
	struct ty *ty;     /* key := type */
};

/* { key = value; key.path := type; ... } */
static struct kv *parse_block(struct parser *ps)
{
	struct kv *head = NULL, **tail = &head;

	if (expect(ps, "{"))
		return NULL;
	while (!is_p(ps, "}")) {
		char key[128];
		size_t n = 0;
		struct kv *kv;

		if (ps->t.kind != T_IDENT) {
			perr(ps, "expected a name, found '%s'", tok_desc(ps));
			return NULL;
		}
		for (;;) {
			size_t l = strlen(ps->t.s);

			if (n + l + 2 > sizeof(key)) {
				perr(ps, "name too long");
				return NULL;
			}
			memcpy(key + n, ps->t.s, l);
			n += l;
			key[n] = 0;
			if (next(ps))
				return NULL;
			if (!is_p(ps, "."))
				break;
			key[n++] = '.';
			if (next(ps))
				return NULL;
			if (ps->t.kind != T_IDENT) {
				perr(ps, "expected a name after '.'");
				return NULL;
			}
		}
		kv = arena_alloc(&ps->ar, sizeof(*kv));
		if (!kv || !(kv->key = arena_strndup(&ps->ar, key, n))) {
			perr(ps, "out of memory");
			return NULL;
		}
		for (struct kv *o = head; o; o = o->next)
			if (!strcmp(o->key, kv->key)) {
				perr(ps, "'%s' set twice", kv->key);
				return NULL;
			}
		if (is_p(ps, ":=")) {
			if (next(ps))
				return NULL;
			kv->ty = parse_type(ps);
			if (!kv->ty)
				return NULL;
		} else if (is_p(ps, "=")) {
			if (next(ps) || parse_val(ps, &kv->v))
				return NULL;
		} else {
			perr(ps, "expected '=' or ':=' after '%s'", kv->key);
			return NULL;
		}
		if (expect(ps, ";"))
			return NULL;
		*tail = kv;
		tail = &kv->next;
	}
	if (next(ps) || expect(ps, ";"))
		return NULL;
	if (!head) {
		/* empty block: return a dummy so that NULL means error */
		head = arena_alloc(&ps->ar, sizeof(*head));
		if (!head) {
			perr(ps, "out of memory");
			return NULL;
		}
		head->key = "";
	}
	return head;
}

static struct kv *kv_get(struct kv *l, const char *key)
{
	for (; l; l = l->next)
		if (!strcmp(l->key, key))
			return l;
	return NULL;
}

/* ------------------------------------------------------------- checking */

struct evdecl {
	struct evdecl *next;
	struct kv *kv;
	int line;
};

struct decls {
	struct kv *trace, *env, *clock;
	int trace_line, clock_line;
	struct kv *streams[SONDE_RD_MAX_SCLASS];
	int stream_lines[SONDE_RD_MAX_SCLASS];
	uint32_t stream_ids[SONDE_RD_MAX_SCLASS];
	/* by stream class id: its event.context struct, or NULL */
	const struct ty *ev_ctx[SONDE_RD_MAX_SCLASS];
	unsigned nr_streams;
	struct evdecl *events, **ev_tail;
	unsigned nr_events;
};

/* A byte-aligned 8/16/32/64-bit integer of either byte order. */
static int int_ok_any(const struct ty *t)
{
	return t && t->kind == TY_INT && t->align == 8 &&
	       (t->bits == 8 || t->bits == 16 || t->bits == 32 ||
		t->bits == 64);
}

/* The same, little-endian: what headers, contexts and lengths are. */
static int int_ok(const struct ty *t)
{
	return int_ok_any(t) && t->byte_order != 2;
}

static int is_uint(const struct ty *t, unsigned bits)
{
	return int_ok(t) && t->bits == bits && !t->is_signed;
}

static const char *clock_of(const struct ty *t)
{
	if (!t->map)
		return NULL;
	if (strncmp(t->map, "clock.", 6))
		return "";
	return t->map + 6;
}

static int map_ok(const struct ty *t, const char *clk)
{
	const char *c = clock_of(t);
	size_t n = strlen(clk);

	return c && !strncmp(c, clk, n) && !strcmp(c + n, ".value");
}

#define NOT_SONDE(ps_, at_, ...)                                               \
	((ps_)->t.line = (at_), perr((ps_), "not a sonde trace: " __VA_ARGS__))

static int check_header(struct parser *ps, const struct ty *h, int line)
{
	if (!h || h->kind != TY_STRUCT || h->nr_fields != 4 ||
	    strcmp(h->fields[0].name, "magic") || !is_uint(h->fields[0].ty, 32) ||
	    strcmp(h->fields[1].name, "uuid") ||
	    h->fields[1].ty->kind != TY_ARRAY || h->fields[1].ty->count != 16 ||
	    !is_uint(h->fields[1].ty->elem, 8) ||
	    strcmp(h->fields[2].name, "stream_id") ||
	    !is_uint(h->fields[2].ty, 32) ||
	    strcmp(h->fields[3].name, "stream_instance_id") ||
	    !is_uint(h->fields[3].ty, 64))
		return NOT_SONDE(ps, line,
				 "packet header is not {magic, uuid, stream_id, stream_instance_id}");
	return 0;
}

/*
 * Packet context @c: sonde's fields, then at most SONDE__PKT_CTX_EXTRA_MAX
 * unsigned 64-bit byte-aligned integers of the stream class's own (mapped
 * to no clock), which the reader skips; *@nr_extra gets their number.
 */
static int check_context(struct parser *ps, const struct ty *c, int line,
			 const char *clk, uint32_t *nr_extra)
{
	static const char *const names[] = { "timestamp_begin", "timestamp_end",
		"content_size", "packet_size", "packet_seq_num",
		"events_discarded", "cpu_id" };

	if (!c || c->kind != TY_STRUCT || c->nr_fields < ARRAY_SIZE(names))
		return NOT_SONDE(ps, line, "unexpected packet context");
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		const struct ty *t = c->fields[i].ty;

		if (strcmp(c->fields[i].name, names[i]) ||
		    !is_uint(t, i == 6 ? 32 : 64) ||
		    (i < 2 ? !map_ok(t, clk) : t->map != NULL))
			return NOT_SONDE(ps, line,
					 "unexpected packet context field '%s'",
					 c->fields[i].name);
	}
	if (c->nr_fields - ARRAY_SIZE(names) > SONDE__PKT_CTX_EXTRA_MAX)
		return NOT_SONDE(ps, line,
				 "packet context with %zu fields after cpu_id (at most %u)",
				 c->nr_fields - ARRAY_SIZE(names),
				 SONDE__PKT_CTX_EXTRA_MAX);
	for (unsigned i = ARRAY_SIZE(names); i < c->nr_fields; i++)
		if (!is_uint(c->fields[i].ty, 64) || c->fields[i].ty->map)
			return NOT_SONDE(ps, line,
					 "packet context field '%s' after cpu_id is not an unsigned 64-bit integer of no clock",
					 c->fields[i].name);
	*nr_extra = c->nr_fields - (uint32_t)ARRAY_SIZE(names);
	return 0;
}

static int check_event_header(struct parser *ps, const struct ty *h, int line,
			      const char *clk)
{
	const struct ty *id, *v, *cs, *ex;
	int compact_ok = 0, ext_ok = 0;

	if (!h || h->kind != TY_STRUCT || h->nr_fields != 2)
		return NOT_SONDE(ps, line, "unexpected event header");
	id = h->fields[0].ty;
	v = h->fields[1].ty;
	if (strcmp(h->fields[0].name, "id") || id->kind != TY_ENUM ||
	    !is_uint(id->container, 8))
		return NOT_SONDE(ps, line, "event header id is not an 8-bit enum");
	for (unsigned i = 0; i < id->nr_ents; i++) {
		const struct enum_ent *e = &id->ents[i];

		if (e->lo_neg || e->hi_neg)
			return NOT_SONDE(ps, line, "unexpected event header id value '%s'",
					 e->name);
		if (!strcmp(e->name, "compact") && e->lo == 0 &&
		    e->hi == SONDE_RD_ID_COMPACT_MAX)
			compact_ok = 1;
		else if (!strcmp(e->name, "extended") &&
			 e->lo == SONDE_RD_ID_EXT && e->hi == SONDE_RD_ID_EXT)
			ext_ok = 1;
		else
			return NOT_SONDE(ps, line, "unexpected event header id value '%s'",
					 e->name);
	}
	if (!compact_ok || !ext_ok)
		return NOT_SONDE(ps, line, "unexpected event header id values");
	if (v->kind != TY_VARIANT || strcmp(v->tag, "id") || v->nr_fields != 2 ||
	    strcmp(v->fields[0].name, "compact") ||
	    strcmp(v->fields[1].name, "extended"))
		return NOT_SONDE(ps, line, "unexpected event header variant");
	cs = v->fields[0].ty;
	ex = v->fields[1].ty;
	if (cs->kind != TY_STRUCT || cs->nr_fields != 1 ||
	    strcmp(cs->fields[0].name, "timestamp") ||
	    cs->fields[0].ty->kind != TY_INT || cs->fields[0].ty->bits != 24 ||
	    cs->fields[0].ty->align != 8 || cs->fields[0].ty->is_signed ||
	    cs->fields[0].ty->byte_order == 2 || !map_ok(cs->fields[0].ty, clk))
		return NOT_SONDE(ps, line, "unexpected compact event header");
	if (ex->kind != TY_STRUCT || ex->nr_fields != 2 ||
	    strcmp(ex->fields[0].name, "id") || !is_uint(ex->fields[0].ty, 32) ||
	    strcmp(ex->fields[1].name, "timestamp") ||
	    !is_uint(ex->fields[1].ty, 64) || !map_ok(ex->fields[1].ty, clk))
		return NOT_SONDE(ps, line, "unexpected extended event header");
	return 0;
}

/* copy with at least 32 readable bytes (formatters copy names in blocks) */
static char *padded_dup(const char *s, uint32_t *len)
{
	size_t n = strlen(s);
	char *d = calloc(1, n + 33);

	if (d)
		memcpy(d, s, n);
	*len = (uint32_t)n;
	return d;
}

static char *xstrdup_strip(const char *s, uint32_t *len)
{
	return padded_dup(s[0] == '_' ? s + 1 : s, len);
}

static void class_free(struct sonde__rd_class *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->nr_fields; i++)
		free(c->fields[i].name);
	free(c->fields);
	free(c->name);
	free(c->msg_fmt);
	free(c);
}

/* Does the enumerator value (@neg, @mag) fit in container @ct? */
static int enum_fits(const struct ty *ct, int neg, uint64_t mag)
{
	uint64_t umax = ct->bits == 64 ? UINT64_MAX : (1ull << ct->bits) - 1;

	if (!ct->is_signed)
		return !neg && mag <= umax;
	return mag <= (umax >> 1) + (uint64_t)neg;
}

/*
 * The table of enumeration @t, made for field @name the first time a field
 * of this type is compiled, then shared with the other fields of the type;
 * @m owns it.  Every range must fit in the container; the enumerators of
 * one label are merged into it, labels kept in the order of their first
 * enumerator (babeltrace2 does the same).  Bounded: at most
 * SONDE_RD_ENUM_MAX enumerators of SONDE_RD_ENUM_LABEL_MAX bytes each, by
 * the parser, and one table per enum type written in the text.
 */
static const struct sonde__rd_enum *enum_table(struct parser *ps,
					       struct sonde__rd_meta *m,
					       struct ty *t, const char *name,
					       int line)
{
	const struct ty *ct = t->container;
	const struct enum_ent *ents = t->ents;
	unsigned n = t->nr_ents, nl = 0;
	uint32_t *lab, *first, *pos;
	struct sonde__rd_enum *e;
	size_t bytes = 0;
	char *str;

	if (t->rd_enum)
		return t->rd_enum;
	if (!n) {
		NOT_SONDE(ps, line, "field '%s': enumeration without enumerators",
			  name);
		return NULL;
	}
	lab = arena_alloc(&ps->ar, 3 * sizeof(*lab) * n);
	if (!lab) {
		perr(ps, "out of memory");
		return NULL;
	}
	first = lab + n;   /* per label: its first enumerator */
	pos = first + n;   /* per label: where its next range goes */
	for (unsigned i = 0; i < n; i++) {
		unsigned k;

		if (!enum_fits(ct, ents[i].lo_neg, ents[i].lo) ||
		    !enum_fits(ct, ents[i].hi_neg, ents[i].hi)) {
			NOT_SONDE(ps, line,
				  "field '%s': enumerator '%s' out of the range of its %u-bit %s container",
				  name, ents[i].name, ct->bits,
				  ct->is_signed ? "signed" : "unsigned");
			return NULL;
		}
		for (k = 0; k < nl; k++)
			if (!strcmp(ents[first[k]].name, ents[i].name))
				break;
		if (k == nl) {
			first[nl++] = i;
			bytes += strlen(ents[i].name) + 1;
		}
		lab[i] = k;
	}
	e = calloc(1, sizeof(*e) + nl * sizeof(*e->labels) +
			      n * sizeof(*e->ranges) + bytes);
	if (!e) {
		perr(ps, "out of memory");
		return NULL;
	}
	e->labels = (struct sonde__rd_enum_label *)(e + 1);
	e->ranges = (struct sonde__rd_enum_range *)(e->labels + nl);
	str = (char *)(e->ranges + n);
	e->nr_labels = nl;
	e->nr_ranges = n;
	for (unsigned k = 0; k < nl; k++) {
		struct sonde__rd_enum_label *l = &e->labels[k];
		size_t len = strlen(ents[first[k]].name);

		memcpy(str, ents[first[k]].name, len + 1);
		l->label = str;
		l->label_len = (uint32_t)len;
		str += len + 1;
		pos[k] = 0;
	}
	for (unsigned i = 0; i < n; i++)
		e->labels[lab[i]].nr_ranges++;
	for (unsigned k = 1; k < nl; k++)
		e->labels[k].first = e->labels[k - 1].first +
				     e->labels[k - 1].nr_ranges;
	for (unsigned i = 0; i < n; i++) {
		struct sonde__rd_enum_range *r =
			&e->ranges[e->labels[lab[i]].first + pos[lab[i]]++];

		r->lo = ents[i].lo_neg ? 0 - ents[i].lo : ents[i].lo;
		r->hi = ents[i].hi_neg ? 0 - ents[i].hi : ents[i].hi;
	}
	e->next = m->enums;
	m->enums = e;
	t->rd_enum = e;
	return e;
}

static int compile_fields(struct parser *ps, struct sonde__rd_meta *m,
			  struct sonde__rd_class *c, const struct ty *st,
			  int line)
{
	uint64_t fixed = 0;

	if (st->kind != TY_STRUCT)
		return NOT_SONDE(ps, line, "event payload is not a struct");
	c->fields = calloc(st->nr_fields ? st->nr_fields : 1,
			   sizeof(*c->fields));
	if (!c->fields)
		return perr(ps, "out of memory");
	for (unsigned i = 0; i < st->nr_fields; i++) {
		const struct field *f = &st->fields[i];
		const struct ty *t = f->ty;
		struct sonde__rd_field *o = &c->fields[i];

		o->name = xstrdup_strip(f->name, &o->name_len);
		if (!o->name)
			return perr(ps, "out of memory");
		c->nr_fields = i + 1;
		if (t->kind == TY_ARRAY || t->kind == TY_SEQ) {
			const struct ty *e = t->elem;

			if (!int_ok_any(e) || e->map)
				return NOT_SONDE(ps, line,
						 "field '%s': arrays and sequences of integers only",
						 f->name);
			if (e->text && e->bits != 8)
				return NOT_SONDE(ps, line,
						 "field '%s': text arrays and sequences of 8-bit characters only",
						 f->name);
			o->kind = t->kind == TY_ARRAY ? SONDE_RD_ARRAY
						      : SONDE_RD_SEQUENCE;
			o->size = (uint8_t)(e->bits / 8);
			o->is_signed = (uint8_t)e->is_signed;
			o->base = (uint8_t)e->base;
			o->big_endian = e->byte_order == 2 && e->bits > 8;
			o->is_text = (uint8_t)e->text;
			if (t->kind == TY_ARRAY) {
				if (t->count > (1u << 24))
					return NOT_SONDE(ps, line, "field '%s': array too long",
							 f->name);
				o->count = (uint32_t)t->count;
				fixed += (uint64_t)o->count * o->size;
			} else {
				const struct field *lf = i ? &st->fields[i - 1] : NULL;

				if (!lf || strcmp(lf->name, t->len_name) ||
				    !int_ok(lf->ty) || lf->ty->is_signed)
					return NOT_SONDE(ps, line,
							 "field '%s': sequence length must be the unsigned little-endian integer field just before it",
							 f->name);
				c->has_variable = 1;
			}
		} else if (t->kind == TY_INT || t->kind == TY_ENUM) {
			const struct ty *it = t->kind == TY_ENUM ? t->container : t;

			if (!int_ok_any(it) || it->map)
				return NOT_SONDE(ps, line,
						 "field '%s': unsupported integer (byte-aligned 8/16/32/64-bit only)",
						 f->name);
			o->kind = SONDE_RD_INT;
			o->size = (uint8_t)(it->bits / 8);
			o->is_signed = (uint8_t)it->is_signed;
			o->base = (uint8_t)it->base;
			o->big_endian = it->byte_order == 2 && it->bits > 8;
			if (t->kind == TY_ENUM) {
				o->enm = enum_table(ps, m, f->ty, f->name, line);
				if (!o->enm)
					return -EBADMSG;
			}
			fixed += o->size;
		} else if (t->kind == TY_FLOAT) {
			if (t->align != 8 || t->byte_order == 2)
				return NOT_SONDE(ps, line, "field '%s': unsupported float",
						 f->name);
			if (t->exp_dig == 8 && t->mant_dig == 24)
				o->size = 4;
			else if (t->exp_dig == 11 && t->mant_dig == 53)
				o->size = 8;
			else
				return NOT_SONDE(ps, line, "field '%s': unsupported float",
						 f->name);
			o->kind = SONDE_RD_FLOAT;
			fixed += o->size;
		} else if (t->kind == TY_STRING) {
			o->kind = SONDE_RD_STRING;
			c->has_variable = 1;
		} else {
			return NOT_SONDE(ps, line, "field '%s': unsupported type",
					 f->name);
		}
	}
	if (!c->has_variable) {
		if (fixed > (1u << 30))
			return NOT_SONDE(ps, line, "event payload too large");
		c->fixed_size = (uint32_t)fixed;
	}
	return 0;
}

/*
 * The fields of class @c: the stream class's event context @ctx (or NULL)
 * then the payload @payload (or NULL), as one struct.
 */
static int compile_ctx_fields(struct parser *ps, struct sonde__rd_meta *m,
			      struct sonde__rd_class *c, const struct ty *ctx,
			      const struct ty *payload, int line)
{
	struct ty all = { .kind = TY_STRUCT, .line = line };
	unsigned nc = ctx ? ctx->nr_fields : 0, np;
	int r;

	if (!ctx)
		return payload ? compile_fields(ps, m, c, payload, line) : 0;
	if (payload && payload->kind != TY_STRUCT)
		return NOT_SONDE(ps, line, "event payload is not a struct");
	np = payload ? payload->nr_fields : 0;
	all.fields = calloc(nc + np ? nc + np : 1, sizeof(*all.fields));
	if (!all.fields)
		return perr(ps, "out of memory");
	memcpy(all.fields, ctx->fields, nc * sizeof(*all.fields));
	if (np)
		memcpy(all.fields + nc, payload->fields,
		       np * sizeof(*all.fields));
	all.nr_fields = nc + np;
	r = compile_fields(ps, m, c, &all, line);
	free(all.fields);
	c->nr_ctx = nc;
	return r;
}

static int compile_event(struct parser *ps, struct sonde__rd_meta *m,
			 const struct decls *d, const struct evdecl *ed)
{
	struct kv *name = kv_get(ed->kv, "name"), *id = kv_get(ed->kv, "id");
	struct kv *sid = kv_get(ed->kv, "stream_id");
	struct kv *fields = kv_get(ed->kv, "fields");
	struct sonde__rd_sclass *sc;
	struct sonde__rd_class *c;
	uint32_t sc_id = 0;
	int r;

	for (struct kv *kv = ed->kv; kv; kv = kv->next)
		if (kv != name && kv != id && kv != sid && kv != fields &&
		    kv->key[0] && strcmp(kv->key, "loglevel"))
			return NOT_SONDE(ps, ed->line, "unexpected event attribute '%s'",
					 kv->key);
	ps->t.line = ed->line;
	if (!name || !name->v.is_str || !name->v.s[0])
		return perr(ps, "event without a name");
	if (!id || !id->v.is_num || id->v.neg)
		return perr(ps, "event '%s' without an id", name->v.s);
	if (id->v.num >= SONDE_RD_MAX_ID)
		return NOT_SONDE(ps, ed->line, "event id %" PRIu64 " too large",
				 id->v.num);
	if (!sid) {
		/* CTF: stream_id may be left out when there is one stream class */
		if (m->nr_sclasses != 1)
			return perr(ps, "event '%s' without a stream_id, and %" PRIu32
				    " stream classes", name->v.s, m->nr_sclasses);
		while (!m->sclass[sc_id].declared)
			sc_id++;
	} else if (!sid->v.is_num || sid->v.neg) {
		return perr(ps, "event '%s': bad stream_id", name->v.s);
	} else if (!sonde__rd_sclass_get(m, sid->v.num)) {
		return perr(ps, "event '%s': stream_id %" PRIu64
			    " is not a declared stream class",
			    name->v.s, sid->v.num);
	} else {
		sc_id = (uint32_t)sid->v.num;
	}
	sc = &m->sclass[sc_id];
	if (fields && !fields->ty)
		return perr(ps, "bad event fields");
	if (id->v.num < sc->nr_ids && sc->by_id[id->v.num])
		return perr(ps, "event id %" PRIu64 " declared twice in stream class %"
			    PRIu32, id->v.num, sc_id);
	c = calloc(1, sizeof(*c));
	if (!c)
		return perr(ps, "out of memory");
	c->id = (uint32_t)id->v.num;
	c->stream_id = sc_id;
	c->name = padded_dup(name->v.s, &c->name_len);
	if (!c->name) {
		class_free(c);
		return perr(ps, "out of memory");
	}
	r = compile_ctx_fields(ps, m, c, d->ev_ctx[sc_id],
			       fields ? fields->ty : NULL, ed->line);
	if (r) {
		class_free(c);
		return r;
	}
	/* Its last 8 bytes are tid and pid whatever the context. */
	if (c->id == SONDE_RD_THREAD_ID &&
	    (strcmp(c->name, "sonde:thread") || c->nr_fields != c->nr_ctx + 2 ||
	     c->fields[c->nr_ctx].kind != SONDE_RD_INT ||
	     c->fields[c->nr_ctx].size != 4 ||
	     c->fields[c->nr_ctx + 1].kind != SONDE_RD_INT ||
	     c->fields[c->nr_ctx + 1].size != 4)) {
		class_free(c);
		return NOT_SONDE(ps, ed->line, "event 0 is not sonde:thread { tid, pid }");
	}
	if (c->id >= sc->nr_ids) {
		uint32_t nr = sc->nr_ids ? sc->nr_ids : 64;
		struct sonde__rd_class **n;

		while (nr <= c->id)
			nr *= 2;
		n = realloc(sc->by_id, nr * sizeof(*n));
		if (!n) {
			class_free(c);
			return perr(ps, "out of memory");
		}
		memset(n + sc->nr_ids, 0, (nr - sc->nr_ids) * sizeof(*n));
		sc->by_id = n;
		sc->nr_ids = nr;
	}
	c->index = m->nr_classes;
	m->all[m->nr_classes++] = c;
	sc->by_id[c->id] = c;
	return 0;
}

static int parse_uuid(const char *s, uint8_t out[16])
{
	unsigned n = 0;

	for (const char *p = s; *p; p++) {
		int d;

		if (*p == '-')
			continue;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if ((*p | 32) >= 'a' && (*p | 32) <= 'f')
			d = (*p | 32) - 'a' + 10;
		else
			return -1;
		if (n >= 32)
			return -1;
		if (n % 2 == 0)
			out[n / 2] = (uint8_t)(d << 4);
		else
			out[n / 2] |= (uint8_t)d;
		n++;
	}
	return n == 32 ? 0 : -1;
}

/*
 * Stream block @i of @d: sonde's packet context (and the class's extra
 * fields) and event header, an id
 * below SONDE_RD_MAX_SCLASS (0 if left out, when it is the only block) not
 * declared before.
 */
static int compile_stream(struct parser *ps, struct decls *d, unsigned i,
			  struct sonde__rd_meta *m, const char *clk)
{
	struct kv *st = d->streams[i], *kv;
	int line = d->stream_lines[i];
	uint32_t id = 0, nr_extra = 0;

	ps->t.line = line;
	for (kv = st; kv; kv = kv->next)
		if (kv->key[0] && strcmp(kv->key, "id") &&
		    strcmp(kv->key, "event.header") &&
		    strcmp(kv->key, "packet.context") &&
		    strcmp(kv->key, "event.context"))
			return NOT_SONDE(ps, line,
					 "unexpected stream attribute '%s'", kv->key);
	kv = kv_get(st, "id");
	if (!kv) {
		if (d->nr_streams > 1)
			return perr(ps, "stream block without an id, and %u stream blocks",
				    d->nr_streams);
	} else if (!kv->v.is_num || kv->v.neg) {
		return perr(ps, "bad stream id");
	} else if (kv->v.num >= SONDE_RD_MAX_SCLASS) {
		return perr(ps, "stream id %" PRIu64 " too large (at most %u)",
			    kv->v.num, SONDE_RD_MAX_SCLASS - 1);
	} else {
		id = (uint32_t)kv->v.num;
	}
	if (m->sclass[id].declared)
		return perr(ps, "stream id %" PRIu32 " declared twice", id);
	kv = kv_get(st, "packet.context");
	if (check_context(ps, kv ? kv->ty : NULL, line, clk, &nr_extra))
		return -EBADMSG;
	kv = kv_get(st, "event.header");
	if (check_event_header(ps, kv ? kv->ty : NULL, line, clk))
		return -EBADMSG;
	kv = kv_get(st, "event.context");
	if (kv && (!kv->ty || kv->ty->kind != TY_STRUCT ||
		   kv->ty->nr_fields > 8))
		return NOT_SONDE(ps, line,
				 "event context is not a struct of at most 8 fields");
	d->ev_ctx[id] = kv ? kv->ty : NULL;
	m->sclass[id].declared = 1;
	m->sclass[id].pkt_hdr_size = SONDE__PKT_HDR_SIZE_EXTRA(nr_extra);
	m->nr_sclasses++;
	d->stream_ids[i] = id;
	return 0;
}

/*
 * Whether tracef format @fmt renders with @c's fields: every field a
 * scalar (the renderer walks them), and the format's arguments ('*'
 * included) taking, in order, each field from the one named arg0 to the
 * last, each of a kind that fits.  The first field after the arguments'
 * in *@arg0.  Hostile metadata: bounded by the grammar (printf.h).
 */
static int msgfmt_ok(const struct sonde__rd_class *c, const char *fmt,
		     uint32_t *arg0)
{
	uint32_t a = c->nr_fields, nconv = 0;

	for (uint32_t i = 0; i < c->nr_fields; i++) {
		const struct sonde__rd_field *f = &c->fields[i];

		if ((f->kind != SONDE_RD_INT && f->kind != SONDE_RD_FLOAT &&
		     f->kind != SONDE_RD_STRING) || f->enm)
			return 0;
		if (a == c->nr_fields && !strcmp(f->name, "arg0"))
			a = i;
	}
	*arg0 = a;
	for (const char *p = fmt, *pct; *p; p++) {
		struct sonde__pf_spec s;
		const char *why;
		int want[3], n = 0;

		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		if (++nconv > SONDE__PF_CONV_MAX)
			return 0;
		pct = p;
		p = sonde__pf_parse(pct + 1, &s, &why);
		if (!p)
			return 0;
		p--;
		if (s.width_star)
			want[n++] = SONDE_RD_INT;
		if (s.prec_star)
			want[n++] = SONDE_RD_INT;
		want[n++] = s.arg == SONDE__PF_DOUBLE   ? SONDE_RD_FLOAT
			    : s.arg == SONDE__PF_STRING ? SONDE_RD_STRING
							: SONDE_RD_INT;
		for (int k = 0; k < n; k++)
			if (a >= c->nr_fields || c->fields[a++].kind != want[k])
				return 0;
	}
	return a == c->nr_fields;
}

/*
 * The env entries sonde_msgfmt_<stream class>_<event id> of tracef
 * classes (src/writer/metadata.c): each one that names a class and fits
 * its fields becomes the class's msg_fmt; any other is ignored, as
 * babeltrace2 ignores env entries.
 */
static int attach_msgfmts(struct parser *ps, struct decls *d,
			  struct sonde__rd_meta *m)
{
	static const char prefix[] = "sonde_msgfmt_";

	for (struct kv *kv = d->env; kv; kv = kv->next) {
		const struct sonde__rd_sclass *sc;
		struct sonde__rd_class *c;
		unsigned long sid, eid;
		const char *k = kv->key;
		char *end;

		if (strncmp(k, prefix, sizeof(prefix) - 1) || !kv->v.is_str)
			continue;
		k += sizeof(prefix) - 1;
		if (*k < '0' || *k > '9')
			continue;
		sid = strtoul(k, &end, 10);
		if (*end != '_' || end[1] < '0' || end[1] > '9')
			continue;
		eid = strtoul(end + 1, &end, 10);
		if (*end || !(sc = sonde__rd_sclass_get(m, sid)) ||
		    eid >= sc->nr_ids || !(c = sc->by_id[eid]) || c->msg_fmt ||
		    eid == SONDE_RD_THREAD_ID ||
		    !msgfmt_ok(c, kv->v.s, &c->msg_arg0))
			continue;
		c->msg_fmt = strdup(kv->v.s);
		if (!c->msg_fmt)
			return perr(ps, "out of memory");
	}
	return 0;
}

static int compile(struct parser *ps, struct decls *d,
		   struct sonde__rd_meta *m)
{
	struct kv *kv;
	const char *clk;

	ps->t.line = ps->line;
	if (!d->trace)
		return perr(ps, "no trace block");
	/* trace */
	ps->t.line = d->trace_line;
	kv = kv_get(d->trace, "major");
	if (!kv || !kv->v.is_num || kv->v.num != 1)
		return perr(ps, "trace major version is not 1");
	kv = kv_get(d->trace, "minor");
	if (!kv || !kv->v.is_num || kv->v.num != 8)
		return perr(ps, "trace minor version is not 8");
	kv = kv_get(d->trace, "byte_order");
	if (!kv || kv->v.is_num || kv->v.is_str || strcmp(kv->v.s, "le"))
		return NOT_SONDE(ps, d->trace_line, "byte order is not le");
	kv = kv_get(d->trace, "uuid");
	if (kv) {
		if (!kv->v.is_str || parse_uuid(kv->v.s, m->uuid))
			return perr(ps, "bad trace uuid");
		m->has_uuid = 1;
	}
	for (kv = d->trace; kv; kv = kv->next)
		if (kv->key[0] && strcmp(kv->key, "major") && strcmp(kv->key, "minor") &&
		    strcmp(kv->key, "byte_order") && strcmp(kv->key, "uuid") &&
		    strcmp(kv->key, "packet.header"))
			return NOT_SONDE(ps, d->trace_line,
					 "unexpected trace attribute '%s'", kv->key);
	kv = kv_get(d->trace, "packet.header");
	if (check_header(ps, kv ? kv->ty : NULL, d->trace_line))
		return -EBADMSG;
	/* env */
	if (!d->env)
		return NOT_SONDE(ps, ps->line, "no env block");
	kv = kv_get(d->env, "tracer_name");
	if (!kv || !kv->v.is_str || strcmp(kv->v.s, "sonde"))
		return NOT_SONDE(ps, ps->line, "tracer_name is %s%s%s",
				 kv && kv->v.is_str ? "\"" : "",
				 kv && kv->v.is_str ? kv->v.s : "not set",
				 kv && kv->v.is_str ? "\"" : "");
	kv = kv_get(d->env, "hostname");
	m->hostname = strdup(kv && kv->v.is_str ? kv->v.s : "");
	kv = kv_get(d->env, "procname");
	m->procname = strdup(kv && kv->v.is_str ? kv->v.s : "");
	kv = kv_get(d->env, "vpid");
	m->vpid = kv && kv->v.is_num && kv->v.num <= INT64_MAX
			  ? (kv->v.neg ? -(int64_t)kv->v.num : (int64_t)kv->v.num)
			  : -1;
	if (!m->hostname || !m->procname)
		return perr(ps, "out of memory");
	/* clock */
	ps->t.line = d->clock_line;
	if (!d->clock)
		return NOT_SONDE(ps, ps->line, "no clock block");
	kv = kv_get(d->clock, "name");
	if (!kv || kv->v.is_num || !kv->v.s[0])
		return perr(ps, "clock without a name");
	m->clock_name = strdup(kv->v.s);
	if (!m->clock_name)
		return perr(ps, "out of memory");
	clk = m->clock_name;
	kv = kv_get(d->clock, "freq");
	if (!kv || !kv->v.is_num || kv->v.neg || !kv->v.num)
		return perr(ps, "bad clock frequency");
	m->freq = kv->v.num;
	kv = kv_get(d->clock, "offset_s");
	if (kv) {
		if (!kv->v.is_num || kv->v.num > (uint64_t)INT64_MAX / 4000000000u)
			return perr(ps, "bad clock offset_s");
		m->offset_s = kv->v.neg ? -(int64_t)kv->v.num : (int64_t)kv->v.num;
	}
	kv = kv_get(d->clock, "offset");
	if (kv) {
		if (!kv->v.is_num || kv->v.neg)
			return perr(ps, "bad clock offset");
		m->offset = kv->v.num;
	}
	if (m->offset >= m->freq) {
		uint64_t s = m->offset / m->freq;

		if (s > (uint64_t)INT64_MAX / 4000000000u)
			return perr(ps, "bad clock offset");
		m->offset_s += (int64_t)s;
		m->offset -= s * m->freq;
	}
	/* stream classes */
	if (!d->nr_streams)
		return NOT_SONDE(ps, ps->line, "no stream block");
	for (unsigned i = 0; i < d->nr_streams; i++)
		if (compile_stream(ps, d, i, m, clk))
			return -EBADMSG;
	/* events */
	m->all = calloc(d->nr_events ? d->nr_events : 1, sizeof(*m->all));
	if (!m->all)
		return perr(ps, "out of memory");
	for (struct evdecl *e = d->events; e; e = e->next)
		if (compile_event(ps, m, d, e))
			return -EBADMSG;
	for (unsigned i = 0; i < d->nr_streams; i++) {
		uint32_t id = d->stream_ids[i];
		const struct sonde__rd_sclass *sc = &m->sclass[id];

		if (!sc->nr_ids || !sc->by_id[SONDE_RD_THREAD_ID])
			return NOT_SONDE(ps, d->stream_lines[i],
					 "no sonde:thread event in stream class %" PRIu32,
					 id);
	}
	return attach_msgfmts(ps, d, m) ? -EBADMSG : 0;
}

static int parse_top(struct parser *ps, struct decls *d)
{
	while (ps->t.kind != T_EOF) {
		int line = ps->t.line;

		if (ps->failed)
			return -1;
		if (is_id(ps, "typealias")) {
			struct ty *t;
			const char *name;

			if (next(ps))
				return -1;
			t = parse_type(ps);
			if (!t || expect(ps, ":="))
				return -1;
			if (ps->t.kind != T_IDENT)
				return perr(ps, "expected an alias name"), -1;
			name = ps->t.s;
			if (next(ps) || add_alias(ps, &ps->aliases, name, t) ||
			    expect(ps, ";"))
				return -1;
		} else if (is_id(ps, "struct")) {
			if (!parse_type(ps) || expect(ps, ";"))
				return -1;
		} else if (is_id(ps, "trace") || is_id(ps, "env") ||
			   is_id(ps, "clock") || is_id(ps, "stream") ||
			   is_id(ps, "event")) {
			char what[16];
			struct kv *kv;

			snprintf(what, sizeof(what), "%s", ps->t.s);
			if (next(ps))
				return -1;
			kv = parse_block(ps);
			if (!kv)
				return -1;
			if (!strcmp(what, "event")) {
				struct evdecl *e = arena_alloc(&ps->ar, sizeof(*e));

				if (!e)
					return perr(ps, "out of memory"), -1;
				if (d->nr_events >= SONDE_RD_MAX_ID)
					return perr(ps, "too many events"), -1;
				e->kv = kv;
				e->line = line;
				*d->ev_tail = e;
				d->ev_tail = &e->next;
				d->nr_events++;
				continue;
			}
			if (!strcmp(what, "stream")) {
				if (d->nr_streams >= SONDE_RD_MAX_SCLASS) {
					ps->t.line = line;
					return perr(ps, "more than %u stream blocks",
						    SONDE_RD_MAX_SCLASS), -1;
				}
				d->stream_lines[d->nr_streams] = line;
				d->streams[d->nr_streams++] = kv;
				continue;
			}
			struct kv **slot = !strcmp(what, "trace") ? &d->trace
					   : !strcmp(what, "env")  ? &d->env
								    : &d->clock;
			if (*slot && !strcmp(what, "env")) {
				/* A later env block (append-only metadata,
				 * src/writer/metadata.c): its entries follow
				 * the first one's, as babeltrace2 merges
				 * them. */
				struct kv **tail = slot;

				while (*tail)
					tail = &(*tail)->next;
				*tail = kv;
				continue;
			}
			if (*slot) {
				ps->t.line = line;
				return perr(ps, "more than one %s block%s", what,
					    strcmp(what, "env") ? " (not a sonde trace)"
								: ""), -1;
			}
			*slot = kv;
			if (!strcmp(what, "trace"))
				d->trace_line = line;
			else if (!strcmp(what, "clock"))
				d->clock_line = line;
		} else if (ps->t.kind == T_IDENT) {
			return perr(ps, "unsupported TSDL declaration '%s' (not a sonde trace)",
				    ps->t.s), -1;
		} else {
			return perr(ps, "unexpected '%s' at top level",
				    tok_desc(ps)), -1;
		}
	}
	return 0;
}

int sonde__rd_meta_parse(const char *text, size_t len, const char *fname,
			 struct sonde__rd_meta *m, struct sonde__rd_err *err)
{
	struct parser ps;
	struct decls d;
	int r;

	memset(m, 0, sizeof(*m));
	memset(&ps, 0, sizeof(ps));
	memset(&d, 0, sizeof(d));
	d.ev_tail = &d.events;
	ps.p = text;
	ps.end = text + len;
	ps.line = 1;
	ps.fname = fname;
	ps.err = err;
	if (len >= 4 && (uint8_t)text[0] == 0x57 && (uint8_t)text[1] == 0x1d &&
	    (uint8_t)text[2] == 0xd1 && (uint8_t)text[3] == 0x75)
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: packetized metadata: not a sonde trace",
				      fname);
	if (len < 9 || memcmp(text, "/* CTF 1.", 9))
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset 0: not CTF metadata (no \"/* CTF 1.8\" signature)",
				      fname);
	if (memchr(text, 0, len))
		return sonde__rd_errf(err, -EBADMSG,
				      "%s: offset %zu: NUL byte in metadata text",
				      fname, (size_t)((const char *)memchr(text, 0, len) - text));
	r = next(&ps);
	if (!r)
		r = parse_top(&ps, &d);
	if (!r && !ps.failed)
		r = compile(&ps, &d, m);
	arena_free(&ps.ar);
	if (r || ps.failed) {
		sonde__rd_meta_free(m);
		return -EBADMSG;
	}
	return 0;
}

void sonde__rd_meta_free(struct sonde__rd_meta *m)
{
	for (uint32_t i = 0; i < m->nr_classes; i++)
		class_free(m->all[i]);
	free(m->all);
	for (uint32_t i = 0; i < SONDE_RD_MAX_SCLASS; i++)
		free(m->sclass[i].by_id);
	while (m->enums) {
		struct sonde__rd_enum *e = m->enums;

		m->enums = e->next;
		free(e);
	}
	free(m->clock_name);
	free(m->hostname);
	free(m->procname);
	memset(m, 0, sizeof(*m));
}

static uint64_t ns_from_value(uint64_t freq, uint64_t v)
{
	double d;

	if (freq == 1000000000u)
		return v;
	d = 1e9 * (double)v / (double)freq;
	if (d >= 18446744073709551615.0)
		return UINT64_MAX;
	return (uint64_t)d;
}

int64_t sonde__rd_ns(const struct sonde__rd_meta *m, uint64_t cycles)
{
	int64_t base = m->offset_s * 1000000000 +
		       (int64_t)ns_from_value(m->freq, m->offset);
	uint64_t v = ns_from_value(m->freq, cycles);

	if (v > (uint64_t)INT64_MAX - (uint64_t)(base > 0 ? base : 0))
		return INT64_MAX;
	return base + (int64_t)v;
}
