// SPDX-License-Identifier: MIT
/*
 * Event filters, evaluated in the traced process before anything is
 * recorded: `sonde record -e 'p:*' --filter 'size > 512 && path == "/x*"'`,
 * `sonde enable ... --filter EXPR`, in LTTng's filter language.
 *
 * The text comes with the session's patterns (a pattern line
 * "GLOB[@LEVEL]\tFILTER", src/instrumentation/pattern.c).  When the
 * registry enables a site whose matching patterns all carry a filter, it
 * parses each text once (sonde__filter_parse(): bounded length, nodes and
 * depth; the patterns are in memory every process of the session can
 * write, so nothing in them is trusted), compiles it against the site's
 * field table (field names resolved to indexes and types, so evaluation
 * never looks a name up), and publishes the result in the descriptor;
 * the site then records through its out-of-line path (state bit 1,
 * <sonde/static/tracepoint.h>), whose sonde__site_select() (registry.c)
 * calls sonde__filter_eval() with a pointer to each field's value, nowrite
 * fields included, before serializing anything.  A filtered-out event thus costs the disabled
 * site's load and branch, the evaluation of its fields' expressions, and
 * the compiled program; an event without a filter runs the code it always
 * ran.
 *
 * Language (as LTTng's): integer (decimal, 0x, 0 octal), floating-point
 * and string literals; field names, `field[N]` for an element of an array
 * or sequence; `$ctx.vpid`, `$ctx.vtid`, `$ctx.procname`, `$ctx.cpu_id`;
 * `!`, `~`, unary `-`; `*`, `/`, `%`, `+`, `-`; `<<`, `>>`; `<`, `<=`,
 * `>`, `>=`, `==`, `!=`; `&`, `^`, `|`; `&&`, `||`; parentheses.  Strings
 * (string fields, text arrays and sequences, $ctx.procname) compare with
 * `==` and `!=` only; a literal's unescaped `*` matches any run of
 * characters (`\*` is a star).  A filter naming a field the event does not
 * have, or comparing a string with a number, is false for that event, as
 * in LTTng; so is a division by zero or an element past the end.
 *
 * Several patterns with filters may select one event: it is recorded if
 * any of them passes.  Compiled filters are immutable; a session that
 * changes a filter publishes a new one and the old one is kept (a thread
 * may still be evaluating it) until the process detaches from sessions
 * for good, bounded by the number of changes of the filters' text.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

#include "registry.h"

#define NODES_MAX 256
#define DEPTH_MAX 32
#define STACK_MAX (DEPTH_MAX + 4)

enum tok {
	T_END, T_INT, T_DBL, T_STR, T_FIELD, T_CTX,
	T_LP, T_RP, T_LB, T_RB,
	T_NOT, T_BNOT, T_NEG,
	T_MUL, T_DIV, T_MOD, T_ADD, T_SUB, T_SHL, T_SHR,
	T_LT, T_LE, T_GT, T_GE, T_EQ, T_NE,
	T_BAND, T_BXOR, T_BOR, T_LAND, T_LOR,
};

enum ctx { C_VPID, C_VTID, C_PROCNAME, C_CPU };

/* One node of the parse tree / one op of the compiled program (postfix). */
struct node {
	uint8_t op;      /* enum tok */
	uint8_t glob;    /* T_STR: has an unescaped '*' */
	uint16_t len;    /* T_STR, T_FIELD: bytes of text */
	int32_t index;   /* T_FIELD: element, -1: the field itself */
	uint32_t field;  /* T_FIELD after compiling: field table index */
	const struct sonde_field_desc *fd; /* T_FIELD after compiling */
	union {
		int64_t i;
		uint64_t u;
		double d;
	} v;
	const char *text; /* T_STR (unescaped copy), T_FIELD: the name */
};

/* A parsed filter: postfix nodes, and the strings they point into. */
struct sonde__fexpr {
	uint32_t n;
	struct node node[NODES_MAX];
	char strings[]; /* unescaped literals and names */
};

/* One compiled filter: the parse with each field resolved for one event
 * (or always false); text is what it was parsed from. */
/*
 * The fast form of a filter made only of integer fields compared with
 * integer constants, joined by &&, || and !: the common case, evaluated
 * without the general value stack (run_fast()).
 */
enum { F_LEAF, F_AND, F_OR, F_NOT };

struct fast_op {
	uint8_t op;     /* F_* */
	uint8_t cmp;    /* F_LEAF: T_LT..T_NE, field on the left */
	uint8_t size;   /* of the field */
	uint8_t sgn;
	uint32_t field;
	uint64_t k;     /* the constant */
};

struct prog {
	int never;
	uint32_t nfast; /* 0: no fast form */
	struct fast_op fast[NODES_MAX];
	struct sonde__fexpr *e;
	char *text;
};

struct sonde__filter {
	struct sonde__filter *retired_next;
	uint32_t n;
	struct prog prog[];
};

struct lexer {
	const char *p;
	enum tok t;
	struct node cur;
	char *out, *out_end; /* string space */
	char *err;
	size_t errlen;
};

static int lex_fail(struct lexer *lx, const char *what)
{
	if (lx->err)
		snprintf(lx->err, lx->errlen, "%s near '%.20s'", what, lx->p);
	return -EINVAL;
}

static bool is_ident(char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && c >= '0' && c <= '9');
}

static char *space(struct lexer *lx, size_t n)
{
	char *s = lx->out;

	if ((size_t)(lx->out_end - lx->out) < n + 1)
		return NULL;
	lx->out += n + 1;
	return s;
}

static int lex_number(struct lexer *lx)
{
	const char *s = lx->p;
	char *end;

	memset(&lx->cur, 0, sizeof(lx->cur));
	errno = 0;
	if (strpbrk(s, ".eE") && strspn(s, "0123456789.eE+-") &&
	    (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))) {
		double d = strtod(s, &end);
		unsigned long long u;
		char *iend;

		/* An integer followed by something else ("3 == x", "1e3"):
		 * the longer parse wins. */
		u = strtoull(s, &iend, 0);
		if (end > iend) {
			if (errno)
				return lex_fail(lx, "bad number");
			lx->t = T_DBL;
			lx->cur.v.d = d;
			lx->p = end;
			return 0;
		}
		(void)u;
	}
	errno = 0;
	lx->cur.v.u = strtoull(s, &end, 0);
	if (errno || end == s || is_ident(*end, false) || *end == '.')
		return lex_fail(lx, "bad number");
	lx->t = T_INT;
	lx->p = end;
	return 0;
}

static int lex_string(struct lexer *lx)
{
	const char *s = lx->p + 1;
	size_t n = 0;
	char *out;

	memset(&lx->cur, 0, sizeof(lx->cur));
	/* Unescaped length first, bounded by the text itself. */
	for (const char *q = s; *q != '"'; q++) {
		if (!*q)
			return lex_fail(lx, "unterminated string");
		if (*q == '\\' && q[1])
			q++;
		n++;
	}
	out = space(lx, n);
	if (!out || n > UINT16_MAX)
		return lex_fail(lx, "filter too long");
	n = 0;
	for (; *s != '"'; s++) {
		char c = *s;

		if (c == '\\') {
			s++;
			switch (*s) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '*':
				/* An escaped star stays escaped for the glob,
				 * which reads it as a star. */
				out[n++] = '\\';
				c = '*';
				lx->cur.glob = 1;
				break;
			default: c = *s;
			}
		} else if (c == '*') {
			lx->cur.glob = 1;
		}
		out[n++] = c;
	}
	out[n] = 0;
	lx->cur.text = out;
	lx->cur.len = (uint16_t)n;
	lx->t = T_STR;
	lx->p = s + 1;
	return 0;
}

static int lex_ident(struct lexer *lx, bool ctx)
{
	const char *s = lx->p;
	size_t n = 0;
	char *out;

	memset(&lx->cur, 0, sizeof(lx->cur));
	while (is_ident(s[n], !n))
		n++;
	if (!n)
		return lex_fail(lx, "expected a name");
	lx->p = s + n;
	if (ctx) {
		static const char *const names[] = { "vpid", "vtid", "procname",
						     "cpu_id" };

		for (unsigned i = 0; i < 4; i++)
			if (strlen(names[i]) == n && !memcmp(s, names[i], n)) {
				lx->t = T_CTX;
				lx->cur.v.i = i;
				return 0;
			}
		lx->p = s;
		return lex_fail(lx, "unknown context (vpid, vtid, procname, cpu_id)");
	}
	out = space(lx, n);
	if (!out)
		return lex_fail(lx, "filter too long");
	memcpy(out, s, n);
	out[n] = 0;
	lx->cur.text = out;
	lx->cur.len = (uint16_t)n;
	lx->cur.index = -1;
	lx->t = T_FIELD;
	return 0;
}

static int lex(struct lexer *lx)
{
	static const struct {
		const char *s;
		enum tok t;
	} ops[] = {
		{ "&&", T_LAND }, { "||", T_LOR }, { "==", T_EQ }, { "!=", T_NE },
		{ "<=", T_LE },   { ">=", T_GE },  { "<<", T_SHL }, { ">>", T_SHR },
		{ "(", T_LP },    { ")", T_RP },   { "[", T_LB },   { "]", T_RB },
		{ "!", T_NOT },   { "~", T_BNOT }, { "*", T_MUL },  { "/", T_DIV },
		{ "%", T_MOD },   { "+", T_ADD },  { "-", T_SUB },  { "<", T_LT },
		{ ">", T_GT },    { "&", T_BAND }, { "^", T_BXOR }, { "|", T_BOR },
	};

	while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n')
		lx->p++;
	if (!*lx->p) {
		lx->t = T_END;
		return 0;
	}
	if (*lx->p >= '0' && *lx->p <= '9')
		return lex_number(lx);
	if (*lx->p == '.' && lx->p[1] >= '0' && lx->p[1] <= '9')
		return lex_number(lx);
	if (*lx->p == '"')
		return lex_string(lx);
	if (!strncmp(lx->p, "$ctx.", 5)) {
		lx->p += 5;
		return lex_ident(lx, true);
	}
	if (is_ident(*lx->p, true))
		return lex_ident(lx, false);
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].s);

		if (!strncmp(lx->p, ops[i].s, n)) {
			lx->p += n;
			lx->t = ops[i].t;
			return 0;
		}
	}
	return lex_fail(lx, "unexpected character");
}

struct parser {
	struct lexer lx;
	struct sonde__fexpr *e;
	int depth;
};

static int emit(struct parser *ps, const struct node *nd)
{
	if (ps->e->n >= NODES_MAX)
		return lex_fail(&ps->lx, "filter too long");
	ps->e->node[ps->e->n++] = *nd;
	return 0;
}

static int emit_op(struct parser *ps, enum tok t)
{
	struct node nd;

	memset(&nd, 0, sizeof(nd));
	nd.op = (uint8_t)t;
	return emit(ps, &nd);
}

static int parse_expr(struct parser *ps, int level);

static int parse_unary(struct parser *ps)
{
	enum tok t = ps->lx.t;
	int r;

	if (++ps->depth > DEPTH_MAX)
		return lex_fail(&ps->lx, "filter nested too deeply");
	switch (t) {
	case T_NOT:
	case T_BNOT:
	case T_SUB:
	case T_ADD:
		if ((r = lex(&ps->lx)) || (r = parse_unary(ps)))
			return r;
		r = t == T_ADD ? 0 : emit_op(ps, t == T_SUB ? T_NEG : t);
		break;
	case T_LP:
		if ((r = lex(&ps->lx)) || (r = parse_expr(ps, 0)))
			return r;
		if (ps->lx.t != T_RP)
			return lex_fail(&ps->lx, "expected ')'");
		r = lex(&ps->lx);
		break;
	case T_INT:
	case T_DBL:
	case T_STR:
	case T_CTX: {
		struct node nd = ps->lx.cur;

		nd.op = (uint8_t)t;
		r = emit(ps, &nd);
		if (!r)
			r = lex(&ps->lx);
		break;
	}
	case T_FIELD: {
		struct node nd = ps->lx.cur;

		nd.op = T_FIELD;

		if ((r = lex(&ps->lx)))
			return r;
		if (ps->lx.t == T_LB) {
			if ((r = lex(&ps->lx)))
				return r;
			if (ps->lx.t != T_INT || ps->lx.cur.v.u > INT32_MAX)
				return lex_fail(&ps->lx, "expected an index");
			nd.index = (int32_t)ps->lx.cur.v.u;
			if ((r = lex(&ps->lx)))
				return r;
			if (ps->lx.t != T_RB)
				return lex_fail(&ps->lx, "expected ']'");
			if ((r = lex(&ps->lx)))
				return r;
		}
		r = emit(ps, &nd);
		break;
	}
	default:
		return lex_fail(&ps->lx, "expected a value");
	}
	ps->depth--;
	return r;
}

/* Binary operators by precedence level, loosest first. */
static int level_of(enum tok t)
{
	switch (t) {
	case T_LOR: return 1;
	case T_LAND: return 2;
	case T_BOR: return 3;
	case T_BXOR: return 4;
	case T_BAND: return 5;
	case T_EQ: case T_NE: return 6;
	case T_LT: case T_LE: case T_GT: case T_GE: return 7;
	case T_SHL: case T_SHR: return 8;
	case T_ADD: case T_SUB: return 9;
	case T_MUL: case T_DIV: case T_MOD: return 10;
	default: return 0;
	}
}

/* Precedence climbing: operands bound tighter than @level. */
static int parse_expr(struct parser *ps, int level)
{
	int r;

	if (++ps->depth > DEPTH_MAX)
		return lex_fail(&ps->lx, "filter nested too deeply");
	r = parse_unary(ps);
	while (!r) {
		enum tok t = ps->lx.t;
		int l = level_of(t);

		if (!l || l <= level)
			break;
		if ((r = lex(&ps->lx)) || (r = parse_expr(ps, l)))
			break;
		r = emit_op(ps, t);
	}
	ps->depth--;
	return r;
}

int sonde__filter_parse(const char *text, struct sonde__fexpr **out,
			char *err, size_t errlen)
{
	size_t len = strlen(text);
	struct parser ps;
	int r;

	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	if (!len || len > SONDE__FILTER_MAX) {
		if (err)
			snprintf(err, errlen, "a filter has 1 to %d bytes",
				 SONDE__FILTER_MAX);
		return -EINVAL;
	}
	memset(&ps, 0, sizeof(ps));
	ps.e = calloc(1, sizeof(*ps.e) + len + 1 + NODES_MAX);
	if (!ps.e)
		return -ENOMEM;
	ps.lx.p = text;
	ps.lx.out = ps.e->strings;
	ps.lx.out_end = ps.e->strings + len + 1 + NODES_MAX;
	ps.lx.err = err;
	ps.lx.errlen = errlen;
	r = lex(&ps.lx);
	if (!r)
		r = parse_expr(&ps, 0);
	if (!r && ps.lx.t != T_END)
		r = lex_fail(&ps.lx, "unexpected text");
	if (r) {
		free(ps.e);
		return r;
	}
	*out = ps.e;
	return 0;
}

void sonde__filter_expr_free(struct sonde__fexpr *e)
{
	free(e);
}

/* Resolve @e's fields against @d: false if some field is missing (the
 * filter is then never true for @d). */
static bool resolve(struct sonde__fexpr *e, const struct sonde_event_desc *d)
{
	for (uint32_t i = 0; i < e->n; i++) {
		struct node *nd = &e->node[i];
		uint32_t f;

		if (nd->op != T_FIELD)
			continue;
		for (f = 0; f < d->nr_fields; f++)
			if (!strcmp(sonde__field_at(d, f)->name, nd->text))
				break;
		if (f == d->nr_fields)
			return false;
		nd->field = f;
		nd->fd = sonde__field_at(d, f);
	}
	return true;
}

static bool int_leaf_field(const struct node *nd)
{
	return nd->op == T_FIELD && nd->index < 0 &&
	       nd->fd->kind == SONDE_FIELD_INTEGER &&
	       (nd->fd->size == 1 || nd->fd->size == 2 || nd->fd->size == 4 ||
		nd->fd->size == 8);
}

/* The fast form of @p, if its program has one: FIELD CONST CMP (or
 * CONST FIELD CMP) leaves under &&, || and !, each constant within the
 * field's signedness. */
static void make_fast(struct prog *p)
{
	const struct sonde__fexpr *e = p->e;
	uint32_t n = 0, depth = 0;

	for (uint32_t i = 0; i < e->n; i++) {
		const struct node *a = &e->node[i];
		struct fast_op *f = &p->fast[n];

		memset(f, 0, sizeof(*f));
		if (a->op == T_LAND || a->op == T_LOR) {
			if (depth < 2)
				return;
			f->op = a->op == T_LAND ? F_AND : F_OR;
			depth--;
		} else if (a->op == T_NOT) {
			if (depth < 1)
				return;
			f->op = F_NOT;
		} else if (i + 2 < e->n && e->node[i + 2].op >= T_LT &&
			   e->node[i + 2].op <= T_NE) {
			const struct node *b = &e->node[i + 1];
			uint8_t cmp = e->node[i + 2].op;
			const struct node *fld, *k;

			if (int_leaf_field(a) && b->op == T_INT) {
				fld = a;
				k = b;
			} else if (a->op == T_INT && int_leaf_field(b)) {
				/* CONST op FIELD: FIELD swapped-op CONST. */
				fld = b;
				k = a;
				cmp = cmp == T_LT ? T_GT : cmp == T_GT ? T_LT :
				      cmp == T_LE ? T_GE : cmp == T_GE ? T_LE : cmp;
			} else {
				return;
			}
			if (fld->fd->is_signed && k->v.u > INT64_MAX)
				return; /* the general path compares those */
			f->op = F_LEAF;
			f->cmp = cmp;
			f->size = fld->fd->size;
			f->sgn = fld->fd->is_signed;
			f->field = fld->field;
			f->k = k->v.u;
			i += 2;
			depth++;
		} else {
			return;
		}
		if (depth > 64)
			return;
		n++;
	}
	if (depth == 1)
		p->nfast = n;
}

/* The fast form's value: a stack of bits. */
static inline bool run_fast(const struct prog *p,
			    const struct sonde__fval *fv)
{
	uint64_t st = 0;

	for (uint32_t i = 0; i < p->nfast; i++) {
		const struct fast_op *f = &p->fast[i];
		uint64_t v, b;

		switch (f->op) {
		case F_LEAF: {
			const void *q = fv[f->field].p;
			bool lt, eq;

			if (f->size == 4) {
				uint32_t x;

				memcpy(&x, q, 4);
				v = f->sgn ? (uint64_t)(int64_t)(int32_t)x : x;
			} else if (f->size == 8) {
				memcpy(&v, q, 8);
			} else if (f->size == 2) {
				uint16_t x;

				memcpy(&x, q, 2);
				v = f->sgn ? (uint64_t)(int64_t)(int16_t)x : x;
			} else {
				uint8_t x;

				memcpy(&x, q, 1);
				v = f->sgn ? (uint64_t)(int64_t)(int8_t)x : x;
			}
			lt = f->sgn ? (int64_t)v < (int64_t)f->k : v < f->k;
			eq = v == f->k;
			b = f->cmp == T_EQ ? eq : f->cmp == T_NE ? !eq :
			    f->cmp == T_LT ? lt : f->cmp == T_LE ? lt || eq :
			    f->cmp == T_GT ? !lt && !eq : !lt;
			st = st << 1 | b;
			break;
		}
		case F_NOT:
			st ^= 1;
			break;
		default:
			b = st & 1;
			st >>= 1;
			st = (st & ~1ull) |
			     (f->op == F_AND ? (st & b) & 1 : (st | b) & 1);
		}
	}
	return st & 1;
}

struct sonde__filter *
sonde__filter_build(const struct sonde_event_desc *d, const char *const *texts,
		    uint32_t n)
{
	struct sonde__filter *f = calloc(1, sizeof(*f) + n * sizeof(f->prog[0]));

	if (!f)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		struct prog *p = &f->prog[i];
		size_t tl = strcspn(texts[i], "\n");

		p->text = strndup(texts[i], tl);
		if (!p->text) {
			sonde__filter_free(f);
			return NULL;
		}
		f->n = i + 1;
		if (sonde__filter_parse(p->text, &p->e, NULL, 0) ||
		    !resolve(p->e, d))
			p->never = 1;
		else
			make_fast(p);
	}
	return f;
}

bool sonde__filter_same(const struct sonde__filter *f, const char *const *texts,
			uint32_t n)
{
	if (!f || f->n != n)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		size_t tl = strcspn(texts[i], "\n");

		if (strlen(f->prog[i].text) != tl ||
		    memcmp(f->prog[i].text, texts[i], tl))
			return false;
	}
	return true;
}

void sonde__filter_free(struct sonde__filter *f)
{
	if (!f)
		return;
	for (uint32_t i = 0; i < f->n; i++) {
		free(f->prog[i].e);
		free(f->prog[i].text);
	}
	free(f);
}

/* Values on the evaluation stack. */
enum vk { V_ERR, V_S64, V_U64, V_DBL, V_STR };

struct val {
	enum vk k;
	union {
		int64_t i;
		uint64_t u;
		double d;
	};
	const char *s;
	size_t len;
	int glob; /* a literal with '*' */
};

static void load_int(struct val *v, const void *p, unsigned size, int sgn)
{
	switch (size) {
	case 1: {
		uint8_t x;
		memcpy(&x, p, 1);
		v->u = sgn ? (uint64_t)(int64_t)(int8_t)x : x;
		break;
	}
	case 2: {
		uint16_t x;
		memcpy(&x, p, 2);
		v->u = sgn ? (uint64_t)(int64_t)(int16_t)x : x;
		break;
	}
	case 4: {
		uint32_t x;
		memcpy(&x, p, 4);
		v->u = sgn ? (uint64_t)(int64_t)(int32_t)x : x;
		break;
	}
	case 8:
		memcpy(&v->u, p, 8);
		break;
	default:
		v->k = V_ERR;
		return;
	}
	v->k = sgn ? V_S64 : V_U64;
}

static void load_field(struct val *v, const struct sonde_field_desc *fd,
		       const struct sonde__fval *fv, int32_t index)
{
	v->k = V_ERR;
	switch (fd->kind) {
	case SONDE_FIELD_INTEGER:
	case SONDE_FIELD_ENUM:
		if (index < 0)
			load_int(v, fv->p, fd->size, fd->is_signed);
		return;
	case SONDE_FIELD_FLOAT:
		if (index >= 0)
			return;
		if (fd->size == 4) {
			float x;

			memcpy(&x, fv->p, 4);
			v->d = x;
		} else {
			memcpy(&v->d, fv->p, 8);
		}
		v->k = V_DBL;
		return;
	case SONDE_FIELD_STRING:
		if (index < 0) {
			v->k = V_STR;
			v->s = fv->p;
			v->len = strlen(v->s);
		}
		return;
	case SONDE_FIELD_ARRAY:
	case SONDE_FIELD_SEQUENCE:
		if (index >= 0) {
			if ((size_t)index < fv->n)
				load_int(v, (const char *)fv->p +
						    (size_t)index * fd->size,
					 fd->size, fd->is_signed);
		} else if (fd->flags & SONDE_FIELD_F_TEXT) {
			const char *nul = memchr(fv->p, 0, fv->n);

			v->k = V_STR;
			v->s = fv->p;
			v->len = nul ? (size_t)(nul - v->s) : fv->n;
		}
		return;
	}
}

/* Whether @s (@n bytes) matches @pat (@pn bytes), '*' any run, "\*" a
 * star: iterative, with one backtrack point, O(n * pn) at worst. */
static bool glob_match(const char *pat, size_t pn, const char *s, size_t n)
{
	size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;

	while (i < n) {
		if (p < pn && pat[p] == '*') {
			star_p = ++p;
			star_i = i;
			continue;
		}
		if (p < pn) {
			char c = pat[p];
			size_t adv = 1;

			if (c == '\\' && p + 1 < pn && pat[p + 1] == '*') {
				c = '*';
				adv = 2;
			}
			if (c == s[i]) {
				p += adv;
				i++;
				continue;
			}
		}
		if (star_p == SIZE_MAX)
			return false;
		p = star_p;
		i = ++star_i;
	}
	while (p < pn && pat[p] == '*')
		p++;
	return p == pn;
}

static bool str_eq(const struct val *a, const struct val *b)
{
	if (b->glob)
		return glob_match(b->s, b->len, a->s, a->len);
	if (a->glob)
		return glob_match(a->s, a->len, b->s, b->len);
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

/* -1, 0, 1 comparing two numbers; 2 if not comparable. */
static int num_cmp(const struct val *a, const struct val *b)
{
	if (a->k == V_DBL || b->k == V_DBL) {
		double x = a->k == V_DBL ? a->d : a->k == V_S64 ? (double)a->i
								: (double)a->u;
		double y = b->k == V_DBL ? b->d : b->k == V_S64 ? (double)b->i
								: (double)b->u;

		if (x != x || y != y)
			return 2;
		return x < y ? -1 : x > y;
	}
	{
		__int128 x = a->k == V_S64 ? (__int128)a->i : (__int128)a->u;
		__int128 y = b->k == V_S64 ? (__int128)b->i : (__int128)b->u;

		return x < y ? -1 : x > y;
	}
}

static bool is_num(const struct val *v)
{
	return v->k == V_S64 || v->k == V_U64 || v->k == V_DBL;
}

static bool is_int(const struct val *v)
{
	return v->k == V_S64 || v->k == V_U64;
}

static void set_bool(struct val *v, bool b)
{
	v->k = V_S64;
	v->i = b;
	v->glob = 0;
}

static bool truth(const struct val *v)
{
	return v->k == V_DBL ? v->d != 0 : is_int(v) && v->u != 0;
}

/* Result of an integer operation: unsigned if either side is. */
static void int_result(struct val *a, const struct val *b, uint64_t r)
{
	a->k = a->k == V_U64 || b->k == V_U64 ? V_U64 : V_S64;
	a->u = r;
}

static void binop(struct val *a, const struct val *b, enum tok op)
{
	int c;

	/* The common case first: two integers of one signedness. */
	if (a->k == b->k && (a->k == V_S64 || a->k == V_U64) && op >= T_LT &&
	    op <= T_NE) {
		bool lt = a->k == V_S64 ? a->i < b->i : a->u < b->u;
		bool eq = a->u == b->u;

		set_bool(a, op == T_EQ ? eq : op == T_NE ? !eq :
			 op == T_LT ? lt : op == T_LE ? lt || eq :
			 op == T_GT ? !lt && !eq : !lt);
		return;
	}
	if (op == T_LAND || op == T_LOR) {
		/* An error on either side is false, as is the whole. */
		if ((!is_num(a) && a->k != V_ERR) || (!is_num(b) && b->k != V_ERR))
			a->k = V_ERR;
		else if (op == T_LAND)
			set_bool(a, truth(a) && truth(b));
		else
			set_bool(a, truth(a) || truth(b));
		return;
	}
	if (a->k == V_ERR || b->k == V_ERR) {
		a->k = V_ERR;
		return;
	}
	if (a->k == V_STR || b->k == V_STR) {
		if (a->k != V_STR || b->k != V_STR || (op != T_EQ && op != T_NE))
			a->k = V_ERR;
		else
			set_bool(a, str_eq(a, b) == (op == T_EQ));
		return;
	}
	switch (op) {
	case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE:
		c = num_cmp(a, b);
		if (c == 2) {
			set_bool(a, op == T_NE);
			return;
		}
		set_bool(a, op == T_EQ ? c == 0 : op == T_NE ? c != 0 :
			 op == T_LT ? c < 0 : op == T_LE ? c <= 0 :
			 op == T_GT ? c > 0 : c >= 0);
		return;
	case T_ADD: case T_SUB: case T_MUL: case T_DIV: case T_MOD:
		if (a->k == V_DBL || b->k == V_DBL) {
			double x = a->k == V_DBL ? a->d : a->k == V_S64 ? (double)a->i : (double)a->u;
			double y = b->k == V_DBL ? b->d : b->k == V_S64 ? (double)b->i : (double)b->u;

			if (op == T_MOD) {
				a->k = V_ERR;
				return;
			}
			a->d = op == T_ADD ? x + y : op == T_SUB ? x - y :
			       op == T_MUL ? x * y : x / y;
			a->k = V_DBL;
			return;
		}
		if ((op == T_DIV || op == T_MOD) && !b->u) {
			a->k = V_ERR;
			return;
		}
		if (op == T_DIV || op == T_MOD) {
			if (a->k == V_S64 && b->k == V_S64) {
				if (b->i == -1) { /* INT64_MIN / -1 */
					a->u = op == T_DIV ? 0 - a->u : 0;
					return;
				}
				a->i = op == T_DIV ? a->i / b->i : a->i % b->i;
				return;
			}
			int_result(a, b, op == T_DIV ? a->u / b->u : a->u % b->u);
			return;
		}
		int_result(a, b, op == T_ADD ? a->u + b->u : op == T_SUB ? a->u - b->u
								    : a->u * b->u);
		return;
	default:
		break;
	}
	if (!is_int(a) || !is_int(b)) {
		a->k = V_ERR;
		return;
	}
	switch (op) {
	case T_BAND: int_result(a, b, a->u & b->u); return;
	case T_BOR: int_result(a, b, a->u | b->u); return;
	case T_BXOR: int_result(a, b, a->u ^ b->u); return;
	case T_SHL:
	case T_SHR:
		if (b->u >= 64) {
			a->k = V_ERR;
			return;
		}
		if (op == T_SHL)
			a->u <<= b->u;
		else if (a->k == V_S64)
			a->i >>= b->u;
		else
			a->u >>= b->u;
		return;
	default:
		a->k = V_ERR;
	}
}

/* The thread's name, read once per evaluation that wants it. */
static void ctx_value(struct val *v, int64_t which, char comm[17])
{
	switch (which) {
	case C_VPID:
		v->k = V_S64;
		v->i = getpid();
		return;
	case C_VTID:
		v->k = V_S64;
		v->i = gettid();
		return;
	case C_CPU: {
		int c = sched_getcpu();

		v->k = c < 0 ? V_ERR : V_S64;
		v->i = c;
		return;
	}
	default:
		memset(comm, 0, 17);
		if (prctl(PR_GET_NAME, comm, 0, 0, 0)) {
			v->k = V_ERR;
			return;
		}
		v->k = V_STR;
		v->s = comm;
		v->len = strlen(comm);
	}
}

static __attribute__((noinline)) bool run(const struct prog *p,
					  const struct sonde__fval *fv)
{
	struct val st[STACK_MAX];
	char comm[17];
	int sp = 0;

	if (p->never)
		return false;
	for (uint32_t i = 0; i < p->e->n; i++) {
		const struct node *nd = &p->e->node[i];
		struct val *v;

		switch (nd->op) {
		case T_FIELD:
			if (sp >= STACK_MAX)
				return false;
			v = &st[sp++];
			v->glob = 0;
			if (nd->fd->kind == SONDE_FIELD_INTEGER && nd->index < 0)
				/* The common case, straight. */
				load_int(v, fv[nd->field].p, nd->fd->size,
					 nd->fd->is_signed);
			else
				load_field(v, nd->fd, &fv[nd->field], nd->index);
			break;
		case T_INT:
			if (sp >= STACK_MAX)
				return false;
			v = &st[sp++];
			v->glob = 0;
			v->k = nd->v.u > INT64_MAX ? V_U64 : V_S64;
			v->u = nd->v.u;
			break;
		case T_DBL: case T_STR: case T_CTX:
			if (sp >= STACK_MAX)
				return false;
			v = &st[sp++];
			memset(v, 0, sizeof(*v));
			if (nd->op == T_DBL) {
				v->k = V_DBL;
				v->d = nd->v.d;
			} else if (nd->op == T_STR) {
				v->k = V_STR;
				v->s = nd->text;
				v->len = nd->len;
				v->glob = nd->glob;
			} else {
				ctx_value(v, nd->v.i, comm);
			}
			break;
		case T_NOT: case T_BNOT: case T_NEG:
			if (sp < 1)
				return false;
			v = &st[sp - 1];
			if (nd->op == T_NOT) {
				if (is_num(v))
					set_bool(v, !truth(v));
				else
					v->k = V_ERR;
			} else if (nd->op == T_BNOT) {
				if (is_int(v))
					v->u = ~v->u;
				else
					v->k = V_ERR;
			} else if (v->k == V_DBL) {
				v->d = -v->d;
			} else if (is_int(v)) {
				v->u = 0 - v->u;
				v->k = V_S64;
			} else {
				v->k = V_ERR;
			}
			break;
		default:
			if (sp < 2)
				return false;
			binop(&st[sp - 2], &st[sp - 1], (enum tok)nd->op);
			sp--;
		}
	}
	return sp == 1 && truth(&st[0]);
}

bool sonde__filter_eval(const struct sonde__filter *f,
			const struct sonde__fval *v)
{
	/* The fast form outside run(), whose value stack is a large frame. */
	for (uint32_t i = 0; i < f->n; i++)
		if (f->prog[i].nfast ? run_fast(&f->prog[i], v)
				     : run(&f->prog[i], v))
			return true;
	return false;
}
