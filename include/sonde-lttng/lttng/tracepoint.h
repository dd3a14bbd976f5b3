/* SPDX-License-Identifier: MIT */
/*
 * sonde-lttng: LTTng-UST 2.13's tracepoint API (lttng-ust(3)) on sonde's
 * own (<sonde/tracepoint.h>).  With -I<prefix>/include/sonde-lttng ahead
 * of any LTTng-UST include directory (`pkg-config --cflags sonde-lttng`),
 * a tracepoint provider written for LTTng-UST, its tp.c and its call sites
 * build unchanged and link against libsonde instead of liblttng-ust.
 * Written from LTTng-UST's documented API, not from its headers.
 *
 * What maps onto what:
 *	LTTNG_UST_TRACEPOINT_EVENT, TRACEPOINT_EVENT	SONDE_TRACEPOINT_EVENT
 *	LTTNG_UST_TP_ARGS/_FIELDS/_ENUM_VALUES, TP_*	SONDE_TP_*
 *	lttng_ust_field_X, ctf_X			sonde_field_X
 *	  (every kind.  The _network kinds record the value's bytes as they
 *	  are, already in network order as LTTng-UST wants them, where
 *	  sonde's own swap a host value (<sonde-lttng/expand.h>).  The
 *	  _nowrite_hex and _network_nowrite spellings are sonde's _nowrite:
 *	  a field not recorded has no base or byte order.
 *	  lttng_ust_field_unused(_nowrite) and ctf_unused(_nowrite) give no
 *	  field.)
 *	LTTNG_UST_TRACEPOINT_ENUM, TRACEPOINT_ENUM	SONDE_TRACEPOINT_ENUM
 *	lttng_ust_field_enum_value/_range/_auto, ctf_*	sonde_enum_value/...
 *	LTTNG_UST_TRACEPOINT_LOGLEVEL, TRACEPOINT_LOGLEVEL, with the levels
 *	  LTTNG_UST_TRACEPOINT_LOGLEVEL_* and TRACE_*	SONDE_TRACEPOINT_LOGLEVEL
 *	LTTNG_UST_TRACEPOINT_EVENT_CLASS / _INSTANCE, and TRACEPOINT_*:
 *	  the class holds the field table and the serialization, each
 *	  instance is an event of its own (sonde has no classes of its own)
 *	lttng_ust_tracepoint, tracepoint,
 *	lttng_ust_do_tracepoint, do_tracepoint		sonde_tracepoint
 *	lttng_ust_tracepoint_enabled, tracepoint_enabled sonde_tracepoint_enabled
 *
 * The provider header's multiple-inclusion dance is accepted and does
 * nothing more: sonde defines every event, static, in each translation unit
 * that includes its header, the first time (the provider header's own
 * guard keeps it to once), so LTTNG_UST_TRACEPOINT_DEFINE,
 * _CREATE_PROBES, _PROBE_DYNAMIC_LINKAGE and _INCLUDE need nothing, and
 * <lttng/tracepoint-event.h> includes nothing again.  Every object with a
 * tracepoint call site links libsonde, the application included (where
 * LTTng-UST's dynamic linkage lets it link only libdl).
 *
 * LTTNG_UST_COMPAT_API_VERSION as LTTng-UST reads it: undefined or 0
 * gives both APIs; 1 only the LTTNG_UST_ / lttng_ust_ names.
 *
 * What cannot map fails to compile, never silently:
 *	- an instance of a class that this translation unit has not defined
 *	  before it: "'sonde_lttng__class_<prov>__<class>' undeclared";
 *	- what sonde refuses of its own events: more than 10 arguments, a
 *	  field with an empty or repeated name, a provider ending in '_' or
 *	  an event starting with '_' that meets another pair's symbols, a log
 *	  level that is not a constant from 0 to 14.
 */
#ifndef SONDE_LTTNG_TRACEPOINT_H
#define SONDE_LTTNG_TRACEPOINT_H

#include <sonde/tracepoint.h>

/* What a provider or an application may test for. */
#define SONDE_LTTNG 1

#ifdef __cplusplus
extern "C" {
#endif

/** Log levels, as lttng-ust(3) names them: sonde's enum sonde_loglevel. */
enum lttng_ust_tracepoint_loglevel {
	LTTNG_UST_TRACEPOINT_LOGLEVEL_EMERG = SONDE_LOGLEVEL_EMERG,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_ALERT = SONDE_LOGLEVEL_ALERT,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_CRIT = SONDE_LOGLEVEL_CRIT,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_ERR = SONDE_LOGLEVEL_ERR,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_WARNING = SONDE_LOGLEVEL_WARNING,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE = SONDE_LOGLEVEL_NOTICE,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO = SONDE_LOGLEVEL_INFO,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_SYSTEM = SONDE_LOGLEVEL_DEBUG_SYSTEM,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_PROGRAM = SONDE_LOGLEVEL_DEBUG_PROGRAM,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_PROCESS = SONDE_LOGLEVEL_DEBUG_PROCESS,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_MODULE = SONDE_LOGLEVEL_DEBUG_MODULE,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_UNIT = SONDE_LOGLEVEL_DEBUG_UNIT,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_FUNCTION = SONDE_LOGLEVEL_DEBUG_FUNCTION,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_LINE = SONDE_LOGLEVEL_DEBUG_LINE,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG = SONDE_LOGLEVEL_DEBUG,
};

#ifdef __cplusplus
}
#endif

#define LTTNG_UST_TP_ARGS(...) SONDE_TP_ARGS(__VA_ARGS__)
#define LTTNG_UST_TP_FIELDS(...) SONDE_TP_FIELDS(__VA_ARGS__)
/* The mappings reach SONDE_TRACEPOINT_ENUM() through one more macro than
 * sonde's own, expanded on the way: parenthesized so that their commas do
 * not split its arguments. */
#define LTTNG_UST_TP_ENUM_VALUES(...) (SONDE_TP_ENUM_VALUES(__VA_ARGS__))
#define SONDE_LTTNG__UNPAREN(...) __VA_ARGS__

#define LTTNG_UST_TRACEPOINT_EVENT(prov_name, t_name, args, fields)            \
	SONDE_TRACEPOINT_EVENT(prov_name, t_name, args, fields)
#define LTTNG_UST_TRACEPOINT_ENUM(prov_name, enum_name, mappings)              \
	SONDE_TRACEPOINT_ENUM(prov_name, enum_name,                            \
			      SONDE_LTTNG__UNPAREN mappings)
#define LTTNG_UST_TRACEPOINT_LOGLEVEL(prov_name, t_name, level)                \
	SONDE_TRACEPOINT_LOGLEVEL(prov_name, t_name, level)
#define LTTNG_UST_TRACEPOINT_EVENT_CLASS(cls_prov_name, cls_name, args, fields) \
	SONDE_LTTNG__CLASS(cls_prov_name, cls_name, args, fields)
#define LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(cls_prov_name, cls_name,           \
					    inst_prov_name, t_name, args)      \
	SONDE_LTTNG__INSTANCE(cls_prov_name, cls_name, inst_prov_name, t_name, \
			      args)

/* The provider and event names are tokens, and sonde_tracepoint()'s first
 * two arguments: everything passes through as it is. */
#define lttng_ust_tracepoint(...) sonde_tracepoint(__VA_ARGS__)
#define lttng_ust_do_tracepoint(...) sonde_tracepoint(__VA_ARGS__)
#define lttng_ust_tracepoint_enabled(prov_name, t_name)                        \
	sonde_tracepoint_enabled(prov_name, t_name)

/* Field macros, in lttng-ust(3)'s order. */
#define lttng_ust_field_integer(t, n, e) sonde_field_integer(t, n, e)
#define lttng_ust_field_integer_nowrite(t, n, e)                               \
	sonde_field_integer_nowrite(t, n, e)
#define lttng_ust_field_integer_hex(t, n, e) sonde_field_integer_hex(t, n, e)
#define lttng_ust_field_integer_network(t, n, e) SONDE_LTTNG__NINT(t, n, e, 0)
#define lttng_ust_field_integer_network_hex(t, n, e)                           \
	SONDE_LTTNG__NINT(t, n, e, SONDE__HEX)
#define lttng_ust_field_float(t, n, e) sonde_field_float(t, n, e)
#define lttng_ust_field_float_nowrite(t, n, e) sonde_field_float_nowrite(t, n, e)
#define lttng_ust_field_string(n, e) sonde_field_string(n, e)
#define lttng_ust_field_string_nowrite(n, e) sonde_field_string_nowrite(n, e)
#define lttng_ust_field_array(t, n, e, c) sonde_field_array(t, n, e, c)
#define lttng_ust_field_array_nowrite(t, n, e, c)                              \
	sonde_field_array_nowrite(t, n, e, c)
#define lttng_ust_field_array_hex(t, n, e, c) sonde_field_array_hex(t, n, e, c)
#define lttng_ust_field_array_nowrite_hex(t, n, e, c)                          \
	sonde_field_array_nowrite(t, n, e, c)
#define lttng_ust_field_array_network(t, n, e, c)                              \
	SONDE_LTTNG__NARRAY(t, n, e, c, 0)
#define lttng_ust_field_array_network_nowrite(t, n, e, c)                      \
	sonde_field_array_nowrite(t, n, e, c)
#define lttng_ust_field_array_network_hex(t, n, e, c)                          \
	SONDE_LTTNG__NARRAY(t, n, e, c, SONDE__HEX)
#define lttng_ust_field_array_network_nowrite_hex(t, n, e, c)                  \
	sonde_field_array_nowrite(t, n, e, c)
/* Text takes the bytes of any array, as lttng-ust(3)'s own example gives
 * it an int array: the pointer is converted, as LTTng-UST copies bytes. */
#define SONDE_LTTNG__TEXT(t, e) ((const t *)(const void *)(e))
#define lttng_ust_field_array_text(t, n, e, c)                                 \
	sonde_field_array_text(t, n, SONDE_LTTNG__TEXT(t, e), c)
#define lttng_ust_field_array_text_nowrite(t, n, e, c)                         \
	sonde_field_array_text_nowrite(t, n, SONDE_LTTNG__TEXT(t, e), c)
#define lttng_ust_field_sequence(t, n, e, lt, le)                              \
	sonde_field_sequence(t, n, e, lt, le)
#define lttng_ust_field_sequence_nowrite(t, n, e, lt, le)                      \
	sonde_field_sequence_nowrite(t, n, e, lt, le)
#define lttng_ust_field_sequence_hex(t, n, e, lt, le)                          \
	sonde_field_sequence_hex(t, n, e, lt, le)
#define lttng_ust_field_sequence_nowrite_hex(t, n, e, lt, le)                  \
	sonde_field_sequence_nowrite(t, n, e, lt, le)
#define lttng_ust_field_sequence_network(t, n, e, lt, le)                      \
	SONDE_LTTNG__NSEQ(t, n, e, lt, le, 0)
#define lttng_ust_field_sequence_network_nowrite(t, n, e, lt, le)              \
	sonde_field_sequence_nowrite(t, n, e, lt, le)
#define lttng_ust_field_sequence_network_hex(t, n, e, lt, le)                  \
	SONDE_LTTNG__NSEQ(t, n, e, lt, le, SONDE__HEX)
#define lttng_ust_field_sequence_network_nowrite_hex(t, n, e, lt, le)          \
	sonde_field_sequence_nowrite(t, n, e, lt, le)
#define lttng_ust_field_sequence_text(t, n, e, lt, le)                         \
	sonde_field_sequence_text(t, n, SONDE_LTTNG__TEXT(t, e), lt, le)
#define lttng_ust_field_sequence_text_nowrite(t, n, e, lt, le)                 \
	sonde_field_sequence_text_nowrite(t, n, SONDE_LTTNG__TEXT(t, e), lt, le)
#define lttng_ust_field_enum(p, en, t, n, e) sonde_field_enum(p, en, t, n, e)
#define lttng_ust_field_enum_nowrite(p, en, t, n, e)                           \
	sonde_field_enum_nowrite(p, en, t, n, e)
/* An argument named only to be used: no field (sonde's arguments count as
 * used already). */
#define lttng_ust_field_unused(e)
#define lttng_ust_field_unused_nowrite(e)

#define lttng_ust_field_enum_value(label, value) sonde_enum_value(label, value)
#define lttng_ust_field_enum_range(label, start, end)                          \
	sonde_enum_range(label, start, end)
#define lttng_ust_field_enum_auto(label) sonde_enum_auto(label)

/*
 * Version 0 of the API (LTTng-UST 2.0 to 2.12), which 2.13 still gives
 * unless LTTNG_UST_COMPAT_API_VERSION is 1 or more.
 */
#if !defined(LTTNG_UST_COMPAT_API_VERSION) || LTTNG_UST_COMPAT_API_VERSION < 1

#define TP_ARGS(...) SONDE_TP_ARGS(__VA_ARGS__)
#define TP_FIELDS(...) SONDE_TP_FIELDS(__VA_ARGS__)
#define TP_ENUM_VALUES(...) (SONDE_TP_ENUM_VALUES(__VA_ARGS__))

#define TRACEPOINT_EVENT(prov_name, t_name, args, fields)                      \
	SONDE_TRACEPOINT_EVENT(prov_name, t_name, args, fields)
#define TRACEPOINT_ENUM(prov_name, enum_name, mappings)                        \
	SONDE_TRACEPOINT_ENUM(prov_name, enum_name,                            \
			      SONDE_LTTNG__UNPAREN mappings)
#define TRACEPOINT_LOGLEVEL(prov_name, t_name, level)                          \
	SONDE_TRACEPOINT_LOGLEVEL(prov_name, t_name, level)
/* Version 0's instance takes one provider, the class's. */
#define TRACEPOINT_EVENT_CLASS(prov_name, cls_name, args, fields)              \
	SONDE_LTTNG__CLASS(prov_name, cls_name, args, fields)
#define TRACEPOINT_EVENT_INSTANCE(prov_name, cls_name, t_name, args)           \
	SONDE_LTTNG__INSTANCE(prov_name, cls_name, prov_name, t_name, args)

#define tracepoint(...) sonde_tracepoint(__VA_ARGS__)
#define do_tracepoint(...) sonde_tracepoint(__VA_ARGS__)
#define tracepoint_enabled(prov_name, t_name)                                  \
	sonde_tracepoint_enabled(prov_name, t_name)

#define TRACE_EMERG LTTNG_UST_TRACEPOINT_LOGLEVEL_EMERG
#define TRACE_ALERT LTTNG_UST_TRACEPOINT_LOGLEVEL_ALERT
#define TRACE_CRIT LTTNG_UST_TRACEPOINT_LOGLEVEL_CRIT
#define TRACE_ERR LTTNG_UST_TRACEPOINT_LOGLEVEL_ERR
#define TRACE_WARNING LTTNG_UST_TRACEPOINT_LOGLEVEL_WARNING
#define TRACE_NOTICE LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE
#define TRACE_INFO LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO
#define TRACE_DEBUG_SYSTEM LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_SYSTEM
#define TRACE_DEBUG_PROGRAM LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_PROGRAM
#define TRACE_DEBUG_PROCESS LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_PROCESS
#define TRACE_DEBUG_MODULE LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_MODULE
#define TRACE_DEBUG_UNIT LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_UNIT
#define TRACE_DEBUG_FUNCTION LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_FUNCTION
#define TRACE_DEBUG_LINE LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG_LINE
#define TRACE_DEBUG LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG

#define ctf_integer(t, n, e) sonde_field_integer(t, n, e)
#define ctf_integer_nowrite(t, n, e) sonde_field_integer_nowrite(t, n, e)
#define ctf_integer_hex(t, n, e) sonde_field_integer_hex(t, n, e)
#define ctf_integer_network(t, n, e) lttng_ust_field_integer_network(t, n, e)
#define ctf_integer_network_hex(t, n, e)                                       \
	lttng_ust_field_integer_network_hex(t, n, e)
#define ctf_float(t, n, e) sonde_field_float(t, n, e)
#define ctf_float_nowrite(t, n, e) sonde_field_float_nowrite(t, n, e)
#define ctf_string(n, e) sonde_field_string(n, e)
#define ctf_string_nowrite(n, e) sonde_field_string_nowrite(n, e)
#define ctf_array(t, n, e, c) sonde_field_array(t, n, e, c)
#define ctf_array_nowrite(t, n, e, c) sonde_field_array_nowrite(t, n, e, c)
#define ctf_array_hex(t, n, e, c) sonde_field_array_hex(t, n, e, c)
#define ctf_array_nowrite_hex(t, n, e, c) sonde_field_array_nowrite(t, n, e, c)
#define ctf_array_network(t, n, e, c) lttng_ust_field_array_network(t, n, e, c)
#define ctf_array_network_nowrite(t, n, e, c)                                  \
	sonde_field_array_nowrite(t, n, e, c)
#define ctf_array_network_hex(t, n, e, c)                                      \
	lttng_ust_field_array_network_hex(t, n, e, c)
#define ctf_array_network_nowrite_hex(t, n, e, c)                              \
	sonde_field_array_nowrite(t, n, e, c)
#define ctf_array_text(t, n, e, c) lttng_ust_field_array_text(t, n, e, c)
#define ctf_array_text_nowrite(t, n, e, c)                                     \
	lttng_ust_field_array_text_nowrite(t, n, e, c)
#define ctf_sequence(t, n, e, lt, le) sonde_field_sequence(t, n, e, lt, le)
#define ctf_sequence_nowrite(t, n, e, lt, le)                                  \
	sonde_field_sequence_nowrite(t, n, e, lt, le)
#define ctf_sequence_hex(t, n, e, lt, le) sonde_field_sequence_hex(t, n, e, lt, le)
#define ctf_sequence_nowrite_hex(t, n, e, lt, le)                              \
	sonde_field_sequence_nowrite(t, n, e, lt, le)
#define ctf_sequence_network(t, n, e, lt, le)                                  \
	lttng_ust_field_sequence_network(t, n, e, lt, le)
#define ctf_sequence_network_nowrite(t, n, e, lt, le)                          \
	sonde_field_sequence_nowrite(t, n, e, lt, le)
#define ctf_sequence_network_hex(t, n, e, lt, le)                              \
	lttng_ust_field_sequence_network_hex(t, n, e, lt, le)
#define ctf_sequence_network_nowrite_hex(t, n, e, lt, le)                      \
	sonde_field_sequence_nowrite(t, n, e, lt, le)
#define ctf_sequence_text(t, n, e, lt, le)                                     \
	lttng_ust_field_sequence_text(t, n, e, lt, le)
#define ctf_sequence_text_nowrite(t, n, e, lt, le)                             \
	lttng_ust_field_sequence_text_nowrite(t, n, e, lt, le)
#define ctf_enum(p, en, t, n, e) sonde_field_enum(p, en, t, n, e)
#define ctf_enum_nowrite(p, en, t, n, e) sonde_field_enum_nowrite(p, en, t, n, e)
#define ctf_unused(e)
#define ctf_unused_nowrite(e)

#define ctf_enum_value(label, value) sonde_enum_value(label, value)
#define ctf_enum_range(label, start, end) sonde_enum_range(label, start, end)
#define ctf_enum_auto(label) sonde_enum_auto(label)

#endif /* LTTNG_UST_COMPAT_API_VERSION < 1 */

#include <sonde-lttng/expand.h>

#endif /* SONDE_LTTNG_TRACEPOINT_H */
