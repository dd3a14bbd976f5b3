/* SPDX-License-Identifier: MIT */
/*
 * test-compile-fail input: tracepoint calls are type-checked against
 * SONDE_TP_ARGS, and marker arguments against their format, whether
 * tracing is enabled or compiled out (SONDE_TRACING_DISABLED).  Without a
 * BAD_* macro every call is correct and the file must compile with -Wall
 * -Wextra -Werror; with one, exactly the call on the line marked with that
 * macro's name is wrong and compilation must fail with a diagnostic on that
 * line.
 */
#include <stdint.h>

#include <sonde/marker.h>
#include <sonde/tracepoint.h>

struct point {
	double x, y;
};

SONDE_TRACEPOINT_EVENT(ct, ev,
	SONDE_TP_ARGS(int64_t, id, double, ratio, const char *, name),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, id, id)
		sonde_field_float(double, ratio, ratio)
		sonde_field_string(name, name)))

/* Field names: an empty one, or one used twice (whatever the kinds),
 * does not compile; the error names the event's declaration (its first
 * line). */
#if defined(BAD_EMPTY_FIELD)
SONDE_TRACEPOINT_EVENT(ct, empty, SONDE_TP_ARGS(int, x), /* BAD_EMPTY_FIELD */
	SONDE_TP_FIELDS(sonde_field_integer(int, , x)))
#elif defined(BAD_DUP_FIELD)
SONDE_TRACEPOINT_EVENT(ct, dup, SONDE_TP_ARGS(int, x, const char *, s), /* BAD_DUP_FIELD */
	SONDE_TP_FIELDS(sonde_field_integer(int, v, x)
			sonde_field_string(v, s)))
#endif

/* Provider and event names that only differ by where the '_' falls: two
 * events, two sets of symbols. */
SONDE_TRACEPOINT_EVENT(ct_a, b, SONDE_TP_ARGS(int, x),
	SONDE_TP_FIELDS(sonde_field_integer(int, x, x)))
SONDE_TRACEPOINT_EVENT(ct, a_b, SONDE_TP_ARGS(const char *, s),
	SONDE_TP_FIELDS(sonde_field_string(s, s)))

void use(struct point p, const char *s);

void use(struct point p, const char *s)
{
#if defined(BAD_STRING_FOR_INT)
	sonde_tracepoint(ct, ev, s, p.x, s); /* BAD_STRING_FOR_INT */
#elif defined(BAD_STRUCT_FOR_DOUBLE)
	sonde_tracepoint(ct, ev, 1, p, s); /* BAD_STRUCT_FOR_DOUBLE */
#elif defined(BAD_INT_FOR_STRING)
	sonde_tracepoint(ct, ev, 1, p.x, 42); /* BAD_INT_FOR_STRING */
#elif defined(BAD_TOO_FEW_ARGS)
	sonde_tracepoint(ct, ev, 1, p.x); /* BAD_TOO_FEW_ARGS */
#elif defined(BAD_TOO_MANY_ARGS)
	sonde_tracepoint(ct, ev, 1, p.x, s, 4); /* BAD_TOO_MANY_ARGS */
#elif defined(BAD_MARK_FORMAT)
	sonde_mark(ct, mk, "id %d", s); /* BAD_MARK_FORMAT */
#else
	sonde_tracepoint(ct, ev, 1, p.x, s);
	sonde_tracepoint(ct, ev, INT64_MIN, p.y, "literal");
	sonde_mark(ct, mk, "x %f name %s", p.x, s);
	sonde_tracepoint(ct_a, b, 1);
	sonde_tracepoint(ct, a_b, s);
#endif
	(void)p;
	(void)s;
}
