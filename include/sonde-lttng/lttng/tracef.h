/* SPDX-License-Identifier: MIT */
/*
 * sonde-lttng: LTTng-UST 2.13's lttng_ust_tracef(3) on sonde's tracef
 * (<sonde/tracef.h>, sonde_tracef(3)).
 *
 *	lttng_ust_tracef(fmt, ...), tracef(fmt, ...)	sonde_tracef
 *	lttng_ust_vtracef(fmt, ap), vtracef(fmt, ap)	sonde_vtracef
 *
 * The event is LTTng-UST's, lttng_ust_tracef:event, with LTTng-UST's log
 * level, DEBUG: `sonde record -e 'lttng_ust_tracef:*'` selects it as
 * `lttng enable-event -u 'lttng_ust_tracef:*'` does.  Where LTTng-UST
 * formats the message in the program and records it as one field, msg,
 * sonde records the arguments typed (babeltrace2 shows arg0, arg1, ...)
 * and its readers render msg from them and the format.  So @fmt must be a
 * string literal, for vtracef() too (LTTng-UST takes any string there);
 * any other fails to compile.
 *
 * tracef() and vtracef() are version 0 of the API (vtracef() as LTTng-UST
 * 2.12 gave it; 2.13 gives only tracef()), left out when
 * LTTNG_UST_COMPAT_API_VERSION is 1 or more.
 */
#ifndef SONDE_LTTNG_TRACEF_H
#define SONDE_LTTNG_TRACEF_H

#include <lttng/tracepoint.h>
#include <sonde/tracef.h>

#ifdef SONDE_TRACING_DISABLED

#define lttng_ust_tracef(fmt, ...) sonde_tracef(fmt, ##__VA_ARGS__)
#define lttng_ust_vtracef(fmt, ap) sonde_vtracef(fmt, ap)

#else

/* sonde_tracef() and sonde_vtracef() under LTTng-UST's event name and
 * level. */
#define lttng_ust_tracef(fmt, ...)                                             \
	SONDE__TRACEF("lttng_ust_tracef", "event", SONDE_EVENT_TRACEF,         \
		      SONDE_LOGLEVEL_DEBUG + 1, fmt, ##__VA_ARGS__)

#define lttng_ust_vtracef(fmt, ap)                                             \
	SONDE__VTRACEF("lttng_ust_tracef", "event", SONDE_EVENT_TRACEF,        \
		       SONDE_LOGLEVEL_DEBUG + 1, fmt, ap)

#endif /* SONDE_TRACING_DISABLED */

#if !defined(LTTNG_UST_COMPAT_API_VERSION) || LTTNG_UST_COMPAT_API_VERSION < 1
#define tracef lttng_ust_tracef
#define vtracef lttng_ust_vtracef
#endif

#endif /* SONDE_LTTNG_TRACEF_H */
