/* SPDX-License-Identifier: MIT */
/*
 * sonde-lttng: LTTng-UST 2.13's lttng_ust_tracelog(3) on sonde's tracelog
 * (<sonde/tracef.h>, sonde_tracef(3)).
 *
 *	lttng_ust_tracelog(level, fmt, ...),
 *	tracelog(level, fmt, ...)			sonde_tracelog
 *	lttng_ust_vtracelog(level, fmt, ap),
 *	vtracelog(level, fmt, ap)			sonde_vtracelog
 *
 * @level is LTTNG_UST_TRACEPOINT_LOGLEVEL_EMERG ... _DEBUG, or in version
 * 0 TRACE_EMERG ... TRACE_DEBUG, or any constant expression from 0 to 14
 * (LTTng-UST 2.13 pastes the level's token into a symbol's name and takes
 * only the LTTNG_UST_ names).  The event is LTTng-UST 2.13's,
 * lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_<LEVEL> whatever the
 * spelling, with @level as its log level: `sonde record -e
 * 'lttng_ust_tracelog:*' --loglevel WARNING` selects it as `lttng
 * enable-event -u 'lttng_ust_tracelog:*' --loglevel WARNING` does.  Its
 * fields are line, file and func, as LTTng-UST's, then the arguments
 * typed (arg0, ...) where LTTng-UST has the formatted msg; sonde's readers
 * render msg.  @fmt must be a string literal (<lttng/tracef.h> says why).
 *
 * tracelog() and vtracelog() are version 0 of the API (vtracelog() as
 * LTTng-UST 2.12 gave it; 2.13 gives only tracelog()), left out when
 * LTTNG_UST_COMPAT_API_VERSION is 1 or more.
 */
#ifndef SONDE_LTTNG_TRACELOG_H
#define SONDE_LTTNG_TRACELOG_H

#include <lttng/tracepoint.h>
#include <sonde/tracef.h>

#ifdef SONDE_TRACING_DISABLED

#define lttng_ust_tracelog(level, fmt, ...)                                    \
	sonde_tracelog(level, fmt, ##__VA_ARGS__)
#define lttng_ust_vtracelog(level, fmt, ap) sonde_vtracelog(level, fmt, ap)

#else

/* LTTng-UST 2.13's event name of level @l (a constant expression). */
#define SONDE_LTTNG__LL "LTTNG_UST_TRACEPOINT_LOGLEVEL_"
#define SONDE_LTTNG__TRACELOG_NAME(l)                                          \
	((l) == 0    ? SONDE_LTTNG__LL "EMERG"                                 \
	 : (l) == 1  ? SONDE_LTTNG__LL "ALERT"                                 \
	 : (l) == 2  ? SONDE_LTTNG__LL "CRIT"                                  \
	 : (l) == 3  ? SONDE_LTTNG__LL "ERR"                                   \
	 : (l) == 4  ? SONDE_LTTNG__LL "WARNING"                               \
	 : (l) == 5  ? SONDE_LTTNG__LL "NOTICE"                                \
	 : (l) == 6  ? SONDE_LTTNG__LL "INFO"                                  \
	 : (l) == 7  ? SONDE_LTTNG__LL "DEBUG_SYSTEM"                          \
	 : (l) == 8  ? SONDE_LTTNG__LL "DEBUG_PROGRAM"                         \
	 : (l) == 9  ? SONDE_LTTNG__LL "DEBUG_PROCESS"                         \
	 : (l) == 10 ? SONDE_LTTNG__LL "DEBUG_MODULE"                          \
	 : (l) == 11 ? SONDE_LTTNG__LL "DEBUG_UNIT"                            \
	 : (l) == 12 ? SONDE_LTTNG__LL "DEBUG_FUNCTION"                        \
	 : (l) == 13 ? SONDE_LTTNG__LL "DEBUG_LINE"                            \
		     : SONDE_LTTNG__LL "DEBUG")

/* sonde_tracelog() and sonde_vtracelog() under LTTng-UST's event names. */
#define lttng_ust_tracelog(level, fmt, ...)                                    \
	SONDE__TRACELOG("lttng_ust_tracelog",                                  \
			SONDE_LTTNG__TRACELOG_NAME(level), level, fmt,         \
			##__VA_ARGS__)

#define lttng_ust_vtracelog(level, fmt, ap)                                    \
	SONDE__VTRACELOG("lttng_ust_tracelog",                                 \
			 SONDE_LTTNG__TRACELOG_NAME(level), level, fmt, ap)

#endif /* SONDE_TRACING_DISABLED */

#if !defined(LTTNG_UST_COMPAT_API_VERSION) || LTTNG_UST_COMPAT_API_VERSION < 1
#define tracelog lttng_ust_tracelog
#define vtracelog lttng_ust_vtracelog
#endif

#endif /* SONDE_LTTNG_TRACELOG_H */
