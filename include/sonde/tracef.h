/* SPDX-License-Identifier: MIT */
/*
 * sonde tracef and tracelog: printf-style messages, as LTTng-UST's
 * tracef(3) and tracelog(3) give them, recorded in binary.
 *
 *	#include <sonde/tracef.h>
 *	sonde_tracef("read %zu bytes from %s", n, path);
 *	sonde_tracelog(SONDE_LOGLEVEL_WARNING, "retry %d of %d", i, max);
 *
 * Each call site is a marker (<sonde/marker.h>) whose format is also
 * written once into the trace metadata: the values are stored typed, in
 * binary, never formatted by the traced program, and `sonde view` and
 * `sonde export` render the message (msg = "read 512 bytes from /x") from
 * the format and the values, as snprintf(3) would have written it.
 * babeltrace2 shows the typed fields, arg0, arg1, ... (a '*' width or
 * precision is an argument, and a field, of its own).
 *
 * Events, named like LTTng-UST's (lttng_ust_tracef:event,
 * lttng_ust_tracelog:TRACE_WARNING, ...):
 *	sonde_tracef:event               { arg0, arg1, ... }
 *	sonde_tracelog:TRACE_<LEVEL>     { line, file, func, arg0, ... }
 * where <LEVEL> is the level's name (TRACE_EMERG ... TRACE_DEBUG); a
 * tracelog event has its level as log level, so that `sonde record -e
 * 'sonde_tracelog:*' --loglevel WARNING` selects it.  Call sites with
 * different formats are different event classes of the same name.
 *
 * A format that is a string literal (or another constant the compiler
 * sees) is the site's, kept in the metadata.  Any other format (a
 * logging wrapper's, as LTTng-UST allows) is formatted at the call, with
 * vsnprintf(3), at most SONDE_TRACEF_MSG_MAX - 1 bytes (a longer message
 * ends in "[+N bytes]"), and recorded as the one string argument of a
 * site whose format is "%s": readers show the same msg.  That form is not
 * for signal handlers (vsnprintf), and costs the formatting.
 * Conversions of a literal format: d i u x X o c s p f F e E g G a A with the hh h
 * l ll z j t length modifiers, flags, width and precision ('*' included);
 * no %n, no positional arguments, no wide or long double conversions.
 * A format the parser refuses is reported on stderr when a session
 * enables the site, which then stays disabled.
 *
 * With SONDE_TRACING_DISABLED defined, the calls are compiled out; the
 * arguments of sonde_tracef() and sonde_tracelog() are still checked
 * against the format and count as used, and are not evaluated.
 */
#ifndef SONDE_TRACEF_H
#define SONDE_TRACEF_H

#include <stdarg.h>

#include <sonde/marker.h>

/** sonde_event_desc.flags, with SONDE_EVENT_MARKER: a tracef site (its
 * format is kept in the metadata, its fields are arg0..N). */
#define SONDE_EVENT_TRACEF 2u
/** sonde_event_desc.flags, with SONDE_EVENT_TRACEF: a tracelog site (line,
 * file and func come first). */
#define SONDE_EVENT_TRACELOG 4u
/** sonde_event_desc.flags: a site that can never run (of a call's two,
 * the one for a constant format or for another), never registered. */
#define SONDE_EVENT_UNUSED 8u
/** Bytes of a message formatted at the call (a format not a literal),
 * with its NUL. */
#define SONDE_TRACEF_MSG_MAX 4096

/* Event name of tracelog level @l (a constant expression). */
#define SONDE__TRACELOG_NAME(l)                                                \
	((l) == 0    ? "TRACE_EMERG"                                           \
	 : (l) == 1  ? "TRACE_ALERT"                                           \
	 : (l) == 2  ? "TRACE_CRIT"                                            \
	 : (l) == 3  ? "TRACE_ERR"                                             \
	 : (l) == 4  ? "TRACE_WARNING"                                         \
	 : (l) == 5  ? "TRACE_NOTICE"                                          \
	 : (l) == 6  ? "TRACE_INFO"                                            \
	 : (l) == 7  ? "TRACE_DEBUG_SYSTEM"                                    \
	 : (l) == 8  ? "TRACE_DEBUG_PROGRAM"                                   \
	 : (l) == 9  ? "TRACE_DEBUG_PROCESS"                                   \
	 : (l) == 10 ? "TRACE_DEBUG_MODULE"                                    \
	 : (l) == 11 ? "TRACE_DEBUG_UNIT"                                      \
	 : (l) == 12 ? "TRACE_DEBUG_FUNCTION"                                  \
	 : (l) == 13 ? "TRACE_DEBUG_LINE"                                      \
		     : "TRACE_DEBUG")

#define SONDE__TRACELOG_CHECK(level)                                           \
	SONDE__SASSERT((level) >= 0 && (level) <= 14,                          \
		       "sonde: a log level is 0 (EMERG) to 14 (DEBUG)")

#ifdef SONDE_TRACING_DISABLED

#define sonde_tracef(fmt, ...)                                                 \
	do {                                                                   \
		if (0)                                                         \
			sonde__mark_off(fmt, ##__VA_ARGS__);                   \
	} while (0)
#define sonde_vtracef(fmt, ap)                                                 \
	do {                                                                   \
		if (0)                                                         \
			(void)(fmt), (void)(ap);                               \
	} while (0)
#define sonde_tracelog(level, fmt, ...)                                        \
	do {                                                                   \
		SONDE__TRACELOG_CHECK(level);                                  \
		if (0)                                                         \
			sonde__mark_off(fmt, ##__VA_ARGS__);                   \
	} while (0)
#define sonde_vtracelog(level, fmt, ap)                                        \
	do {                                                                   \
		SONDE__TRACELOG_CHECK(level);                                  \
		if (0)                                                         \
			(void)(fmt), (void)(ap);                               \
	} while (0)

#else

#ifdef __cplusplus
extern "C" {
#endif

/* Record one tracef event from @ap; called only while the site is enabled. */
SONDE__API void sonde__vmark(struct sonde_event_desc *d, va_list ap);
/* Record one tracelog event; called only while the site is enabled. */
SONDE__API void sonde__marklog(struct sonde_event_desc *d, const char *file,
			       int line, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
SONDE__API void sonde__vmarklog(struct sonde_event_desc *d, const char *file,
				int line, const char *func, va_list ap);
/* The same for a site whose format is not a literal: the message is
 * formatted here, and recorded as the site's one string argument. */
SONDE__API void sonde__tracef_msg(struct sonde_event_desc *d, const char *fmt,
				  ...) __attribute__((format(printf, 2, 3)));
SONDE__API void sonde__vtracef_msg(struct sonde_event_desc *d, const char *fmt,
				   va_list ap);
SONDE__API void sonde__tracelog_msg(struct sonde_event_desc *d,
				    const char *file, int line,
				    const char *func, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
SONDE__API void sonde__vtracelog_msg(struct sonde_event_desc *d,
				     const char *file, int line,
				     const char *func, const char *fmt,
				     va_list ap);

#ifdef __cplusplus
}
#endif

/*
 * The site's descriptor.  Designated: the fields not named are zero
 * whatever the struct grows.  C++ accepts designators in order as an
 * extension, and g++ says the members not named are missing.
 */
#ifdef __cplusplus
#define SONDE__TF_INIT_BEGIN                                                   \
	_Pragma("GCC diagnostic push")                                         \
	_Pragma("GCC diagnostic ignored \"-Wmissing-field-initializers\"")
#define SONDE__TF_INIT_END _Pragma("GCC diagnostic pop")
#else
#define SONDE__TF_INIT_BEGIN
#define SONDE__TF_INIT_END
#endif

#define SONDE__TF_SITE(prov, nm, fmt, fl, ll1)                                 \
	SONDE__TF_INIT_BEGIN                                                   \
	static struct sonde_event_desc sonde__tf = {                           \
		.struct_size = sizeof(struct sonde_event_desc),                \
		.provider = prov,                                              \
		.name = nm,                                                    \
		.signature = fmt,                                              \
		.flags = SONDE_EVENT_MARKER | (fl),                            \
		.loglevel1 = (ll1),                                            \
	};                                                                     \
	SONDE__TF_INIT_END                                                     \
	static struct sonde_event_desc *sonde__tfp                             \
		__attribute__((section("sonde_events_ptrs"), used)) =          \
			&sonde__tf;                                            \
	(void)sonde__tfp

#define SONDE__TF_ON()                                                         \
	SONDE__UNLIKELY(__atomic_load_n(&sonde__tf.state, __ATOMIC_RELAXED))

/*
 * A call's two sites: @fmt a constant (a literal), the site whose format
 * it is; else the site of format "%s" that records the message formatted
 * at the call.  __builtin_constant_p() decides both the branch and, in the
 * static initializers, which of the two sites is marked unused, the same
 * way (gcc and clang, C and C++, at any -O).
 */
#define SONDE__TF_LIT(fmt) __builtin_constant_p(fmt)
#define SONDE__TF_FMT(fmt) (SONDE__TF_LIT(fmt) ? (fmt) : "")
#define SONDE__TF_UNUSED_IF(c) ((c) ? SONDE_EVENT_UNUSED : 0u)

/* The two sites of a call: @lit records through the first, @dyn through
 * the second; each a parenthesized expression naming the site sonde__tf. */
#define SONDE__TF_TWO(prov, nm, fl, ll1, fmt, lit, dyn)                         \
	do {                                                                   \
		if (SONDE__TF_LIT(fmt)) {                                      \
			SONDE__TF_SITE(prov, nm, SONDE__TF_FMT(fmt),           \
				       (fl) | SONDE__TF_UNUSED_IF(             \
					       !SONDE__TF_LIT(fmt)), ll1);     \
			if (SONDE__TF_ON())                                    \
				(void)lit;                                     \
		} else {                                                       \
			SONDE__TF_SITE(prov, nm, "%s",                         \
				       (fl) | SONDE__TF_UNUSED_IF(             \
					       SONDE__TF_LIT(fmt)), ll1);      \
			if (SONDE__TF_ON())                                    \
				(void)dyn;                                     \
		}                                                              \
		SONDE__NO_TAIL_CALL();                                         \
	} while (0)

#define SONDE__TRACEF(prov, nm, fl, ll1, fmt, ...)                              \
	SONDE__TF_TWO(prov, nm, fl, ll1, fmt,                                  \
		      (sonde__mark(&sonde__tf, fmt, ##__VA_ARGS__)),           \
		      (sonde__tracef_msg(&sonde__tf, fmt, ##__VA_ARGS__)))

#define SONDE__VTRACEF(prov, nm, fl, ll1, fmt, ap)                              \
	SONDE__TF_TWO(prov, nm, fl, ll1, fmt, (sonde__vmark(&sonde__tf, ap)),  \
		      (sonde__vtracef_msg(&sonde__tf, fmt, ap)))

#define SONDE__TL_FLAGS (SONDE_EVENT_TRACEF | SONDE_EVENT_TRACELOG)

#define SONDE__TRACELOG(prov, nm, level, fmt, ...)                             \
	do {                                                                   \
		SONDE__TRACELOG_CHECK(level);                                  \
		SONDE__TF_TWO(prov, nm, SONDE__TL_FLAGS,                       \
			      (uint32_t)(level) + 1, fmt,                      \
			      (sonde__marklog(&sonde__tf, __FILE__, __LINE__,  \
					      __func__, fmt, ##__VA_ARGS__)),  \
			      (sonde__tracelog_msg(&sonde__tf, __FILE__,       \
						   __LINE__, __func__, fmt,    \
						   ##__VA_ARGS__)));           \
	} while (0)

#define SONDE__VTRACELOG(prov, nm, level, fmt, ap)                             \
	do {                                                                   \
		SONDE__TRACELOG_CHECK(level);                                  \
		SONDE__TF_TWO(prov, nm, SONDE__TL_FLAGS,                       \
			      (uint32_t)(level) + 1, fmt,                      \
			      (sonde__vmarklog(&sonde__tf, __FILE__, __LINE__, \
					       __func__, ap)),                 \
			      (sonde__vtracelog_msg(&sonde__tf, __FILE__,      \
						    __LINE__, __func__, fmt,   \
						    ap)));                     \
	} while (0)

/**
 * sonde_tracef() - record event sonde_tracef:event, message @fmt.
 * @fmt: the format, checked against the arguments like printf's: a
 *       string literal (typed values, the format kept once), or any other
 *       (the message formatted at the call; see the top of this file).
 *
 * Context: any thread, signal handlers included (a literal format); never
 * blocks.  Arguments are evaluated only when the site is enabled.
 */
#define sonde_tracef(fmt, ...)                                                 \
	SONDE__TRACEF("sonde_tracef", "event", SONDE_EVENT_TRACEF, 0, fmt,     \
		      ##__VA_ARGS__)

/**
 * sonde_vtracef() - sonde_tracef() with a va_list.
 * @fmt: as sonde_tracef()'s.
 * @ap: the arguments; the compiler cannot check them against @fmt, so
 *      they must be what @fmt says, as for vprintf(3).  @ap is not
 *      consumed: the caller may use it again.
 *
 * Context: as sonde_tracef().
 */
#define sonde_vtracef(fmt, ap)                                                 \
	SONDE__VTRACEF("sonde_tracef", "event", SONDE_EVENT_TRACEF, 0, fmt, ap)

/**
 * sonde_tracelog() - record event sonde_tracelog:TRACE_<LEVEL> with the
 * call's file, line and function, message @fmt.
 * @level: enum sonde_loglevel, a constant expression.
 * @fmt: as sonde_tracef()'s.
 *
 * Context: as sonde_tracef().
 */
#define sonde_tracelog(level, fmt, ...)                                        \
	SONDE__TRACELOG("sonde_tracelog", SONDE__TRACELOG_NAME(level), level,  \
			fmt, ##__VA_ARGS__)

/**
 * sonde_vtracelog() - sonde_tracelog() with a va_list (see sonde_vtracef()).
 *
 * Context: as sonde_tracef().
 */
#define sonde_vtracelog(level, fmt, ap)                                        \
	SONDE__VTRACELOG("sonde_tracelog", SONDE__TRACELOG_NAME(level), level, \
			 fmt, ap)

#endif /* SONDE_TRACING_DISABLED */

#endif /* SONDE_TRACEF_H */
