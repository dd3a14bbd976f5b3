/* SPDX-License-Identifier: MIT */
/*
 * sonde tracepoints: typed instrumentation points defined in one header.
 *
 *	// myapp_tp.h
 *	#include <sonde/tracepoint.h>
 *	SONDE_TRACEPOINT_EVENT(myapp, request,
 *		SONDE_TP_ARGS(int64_t, id, uint32_t, size, const char *, path),
 *		SONDE_TP_FIELDS(
 *			sonde_field_integer(int64_t, id, id)
 *			sonde_field_integer_hex(uint32_t, size, size)
 *			sonde_field_string(path, path)))
 *
 *	// any .c or .cc file, in any executable or shared library
 *	sonde_tracepoint(myapp, request, 42, 512, "/index.html");
 *
 * A provider header may be included by any number of translation units and
 * shared objects: each gets its own static site descriptor in the ELF
 * section "sonde_events_ptrs", found at load time (dlopen included) and
 * enabled together by name.  A disabled site costs one relaxed load and an
 * unlikely branch; its arguments are not evaluated.  Arguments are checked
 * by the compiler against SONDE_TP_ARGS at every call.  With
 * SONDE_TRACING_DISABLED defined, tracepoints are compiled out: no code,
 * symbol or section remains, but their arguments are still type-checked
 * and count as used, and they are never evaluated.
 *
 * Field macros (LTTng-UST shaped), at most 10 arguments per event:
 *	sonde_field_integer(type, field, expr)
 *	sonde_field_integer_hex(type, field, expr)
 *	sonde_field_integer_network(type, field, expr)  big-endian in the trace
 *	sonde_field_integer_network_hex(type, field, expr)
 *	sonde_field_float(type, field, expr)            float or double
 *	sonde_field_string(field, expr)                 NUL-terminated, NULL ok
 *	sonde_field_array(type, field, expr, count)     fixed count of integers
 *	sonde_field_array_hex / _network / _network_hex (same arguments)
 *	sonde_field_array_text(char, field, expr, count)  chars, read as text
 *	sonde_field_sequence(type, field, expr, length_type, length_expr)
 *	sonde_field_sequence_hex / _network / _network_hex / _text (same)
 *	sonde_field_enum(provider, enum, type, field, expr)
 *	sonde_field_blob(field, expr, length_type, length_expr)  bytes, hex
 *	sonde_field_*_nowrite(...): the same arguments; the field is passed to
 *	  probes (as every argument is) and not recorded
 *
 * Enumerations are declared once per provider, before the events that use
 * them, and printed by readers with their labels:
 *
 *	SONDE_TRACEPOINT_ENUM(myapp, state,
 *		SONDE_TP_ENUM_VALUES(
 *			sonde_enum_value("IDLE", 0)
 *			sonde_enum_range("BUSY", 1, 5)
 *			sonde_enum_auto("DONE")))          previous end + 1
 *
 * Log levels (LTTng's fifteen, SONDE_LOGLEVEL_EMERG = 0 to
 * SONDE_LOGLEVEL_DEBUG = 14) are given after an event's definition, in the
 * same header:
 *
 *	SONDE_TRACEPOINT_LOGLEVEL(myapp, request, SONDE_LOGLEVEL_WARNING)
 *
 * An event without one counts as SONDE_LOGLEVEL_DEBUG_LINE for selection
 * (`sonde record --loglevel`), as in LTTng.
 *
 * In-process probes (sonde_probe_register()) connect typed callbacks to a
 * tracepoint, with or without a recording session.
 */
#ifndef SONDE_TRACEPOINT_H
#define SONDE_TRACEPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Field kinds of struct sonde_field_desc. */
enum sonde_field_kind {
	SONDE_FIELD_INTEGER = 1,
	SONDE_FIELD_FLOAT = 2,
	SONDE_FIELD_STRING = 3,
	SONDE_FIELD_ARRAY = 4,
	SONDE_FIELD_SEQUENCE = 5,
	SONDE_FIELD_ENUM = 6, /* an integer with labels (enum_desc) */
};

/** sonde_field_desc.flags. */
#define SONDE_FIELD_F_NETWORK 1u /* big-endian (network) byte order */
#define SONDE_FIELD_F_TEXT 2u    /* char array or sequence, read as text */
#define SONDE_FIELD_F_NOWRITE 4u /* given to probes, not recorded */

/** Log levels, as LTTng-UST and syslog number them (0 is most severe). */
enum sonde_loglevel {
	SONDE_LOGLEVEL_EMERG = 0,
	SONDE_LOGLEVEL_ALERT = 1,
	SONDE_LOGLEVEL_CRIT = 2,
	SONDE_LOGLEVEL_ERR = 3,
	SONDE_LOGLEVEL_WARNING = 4,
	SONDE_LOGLEVEL_NOTICE = 5,
	SONDE_LOGLEVEL_INFO = 6,
	SONDE_LOGLEVEL_DEBUG_SYSTEM = 7,
	SONDE_LOGLEVEL_DEBUG_PROGRAM = 8,
	SONDE_LOGLEVEL_DEBUG_PROCESS = 9,
	SONDE_LOGLEVEL_DEBUG_MODULE = 10,
	SONDE_LOGLEVEL_DEBUG_UNIT = 11,
	SONDE_LOGLEVEL_DEBUG_FUNCTION = 12,
	SONDE_LOGLEVEL_DEBUG_LINE = 13,
	SONDE_LOGLEVEL_DEBUG = 14,
};

/** One label of an enumeration: values start..end, both included (ABI). */
struct sonde_enum_entry {
	const char *label;
	int64_t start; /* the container's bits: unsigned values above */
	int64_t end;   /* INT64_MAX wrap, as the cast gives them */
	uint32_t flags; /* SONDE_ENUM_F_AUTO: previous end + 1 */
	uint32_t resv;
};

#define SONDE_ENUM_F_AUTO 1u

/** An enumeration of a provider (ABI). */
struct sonde_enum_desc {
	const char *provider;
	const char *name;
	const struct sonde_enum_entry *entries;
	uint32_t nr_entries;
	uint32_t resv;
};

/** Static description of one field (ABI). */
struct sonde_field_desc {
	const char *name;
	uint8_t kind;       /* enum sonde_field_kind */
	uint8_t size;       /* bytes of the value, or of one element */
	uint8_t is_signed;
	uint8_t base;       /* 10, 16 or 8 */
	uint8_t len_size;   /* sequence: bytes of the length */
	uint8_t len_signed; /* sequence: length type is signed */
	uint8_t flags;      /* SONDE_FIELD_F_* */
	uint8_t resv;
	uint32_t count;     /* array: element count */
	/* Present when the event's field_size says so (old objects: 24). */
	const struct sonde_enum_desc *enum_desc; /* SONDE_FIELD_ENUM */
};

struct sonde__probes;
struct sonde__site;

/** Static description of one tracepoint site (ABI).  state is bit 0: the
 * process's first session records it (the inline path); bit 1: it is
 * recorded through its out-of-line path, into several sessions or through
 * filters (then bit 0 is clear); bits 2 and up: number of probes. */
struct sonde_event_desc {
	uint32_t struct_size;
	int state;          /* nonzero: the site calls its function */
	uint32_t id;        /* event id in the recording channel */
	uint32_t nr_fields;
	const char *provider;
	const char *name;
	const struct sonde_field_desc *fields;
	const char *signature; /* SONDE_TP_ARGS as text; a marker's format */
	void *priv;            /* owned by the registry */
	uint32_t flags;        /* SONDE_EVENT_MARKER */
	uint32_t field_size;   /* sizeof(struct sonde_field_desc); 0: 24 */
	struct sonde__probes *probes; /* connected probes, or NULL */
	/* Present when struct_size covers them. */
	uint32_t loglevel1;    /* enum sonde_loglevel + 1; 0: none given */
	uint32_t resv2;
	struct sonde__site *site; /* sessions and filters; the registry's */
};

/** sonde_event_desc.flags: a printf-style marker (<sonde/marker.h>). */
#define SONDE_EVENT_MARKER 1u

#ifdef __cplusplus
}
#endif

#define SONDE_TP_ARGS(...) (__VA_ARGS__)
#define SONDE_TP_FIELDS(...) __VA_ARGS__

/*
 * Each field macro is a tuple (kind, type, field, expr, x, y, flags) that
 * the visitors of <sonde/static/tracepoint.h> walk; x and y are the base,
 * the count, the length type and expression, or the enumeration; flags
 * are SONDE_FIELD_F_* with the base in bits 8 to 15.
 */
#define SONDE__NW SONDE_FIELD_F_NETWORK
#define SONDE__TX SONDE_FIELD_F_TEXT
#define SONDE__NO SONDE_FIELD_F_NOWRITE
#define SONDE__HEX (16 << 8) /* the base, in bits 8 to 15; 0: 10 */

#define sonde_field_integer(type, field, expr) (INT, type, field, expr, _, _, 0)
#define sonde_field_integer_hex(type, field, expr)                             \
	(INT, type, field, expr, _, _, SONDE__HEX)
#define sonde_field_integer_network(type, field, expr)                         \
	(INT, type, field, expr, _, _, SONDE__NW)
#define sonde_field_integer_network_hex(type, field, expr)                     \
	(INT, type, field, expr, _, _, SONDE__NW | SONDE__HEX)
#define sonde_field_float(type, field, expr) (FLOAT, type, field, expr, _, _, 0)
#define sonde_field_string(field, expr) (STRING, char, field, expr, _, _, 0)
#define sonde_field_array(type, field, expr, count)                            \
	(ARRAY, type, field, expr, count, _, 0)
#define sonde_field_array_hex(type, field, expr, count)                        \
	(ARRAY, type, field, expr, count, _, SONDE__HEX)
#define sonde_field_array_network(type, field, expr, count)                    \
	(ARRAY, type, field, expr, count, _, SONDE__NW)
#define sonde_field_array_network_hex(type, field, expr, count)                \
	(ARRAY, type, field, expr, count, _, SONDE__NW | SONDE__HEX)
#define sonde_field_array_text(type, field, expr, count)                       \
	(ARRAY, type, field, expr, count, _, SONDE__TX)
#define sonde_field_sequence(type, field, expr, length_type, length_expr)      \
	(SEQ, type, field, expr, length_type, length_expr, 0)
#define sonde_field_sequence_hex(type, field, expr, length_type, length_expr)  \
	(SEQ, type, field, expr, length_type, length_expr, SONDE__HEX)
#define sonde_field_sequence_network(type, field, expr, length_type,           \
				     length_expr)                              \
	(SEQ, type, field, expr, length_type, length_expr, SONDE__NW)
#define sonde_field_sequence_network_hex(type, field, expr, length_type,       \
					 length_expr)                          \
	(SEQ, type, field, expr, length_type, length_expr, SONDE__NW | SONDE__HEX)
#define sonde_field_sequence_text(type, field, expr, length_type, length_expr) \
	(SEQ, type, field, expr, length_type, length_expr, SONDE__TX)
#define sonde_field_blob(field, expr, length_type, length_expr)                \
	(SEQ, uint8_t, field, expr, length_type, length_expr, SONDE__HEX)
#define sonde_field_enum(provider, enumeration, type, field, expr)             \
	(ENUM, type, field, expr, sonde__enum_##provider##__##enumeration, _, 0)

#define sonde_field_integer_nowrite(type, field, expr)                         \
	(INT, type, field, expr, _, _, SONDE__NO)
#define sonde_field_float_nowrite(type, field, expr)                           \
	(FLOAT, type, field, expr, _, _, SONDE__NO)
#define sonde_field_string_nowrite(field, expr)                                \
	(STRING, char, field, expr, _, _, SONDE__NO)
#define sonde_field_array_nowrite(type, field, expr, count)                    \
	(ARRAY, type, field, expr, count, _, SONDE__NO)
#define sonde_field_array_text_nowrite(type, field, expr, count)               \
	(ARRAY, type, field, expr, count, _, SONDE__NO | SONDE__TX)
#define sonde_field_sequence_nowrite(type, field, expr, length_type,           \
				     length_expr)                              \
	(SEQ, type, field, expr, length_type, length_expr, SONDE__NO)
#define sonde_field_sequence_text_nowrite(type, field, expr, length_type,      \
					  length_expr)                         \
	(SEQ, type, field, expr, length_type, length_expr, SONDE__NO | SONDE__TX)
#define sonde_field_enum_nowrite(provider, enumeration, type, field, expr)     \
	(ENUM, type, field, expr, sonde__enum_##provider##__##enumeration, _,  \
	 SONDE__NO)

/* Enumerations. */
#define SONDE_TP_ENUM_VALUES(...) __VA_ARGS__
#define sonde_enum_value(label, value)                                         \
	{label, (int64_t)(value), (int64_t)(value), 0, 0},
#define sonde_enum_range(label, first, last)                                   \
	{label, (int64_t)(first), (int64_t)(last), 0, 0},
#define sonde_enum_auto(label) {label, 0, 0, SONDE_ENUM_F_AUTO, 0},

#ifdef SONDE_TRACING_DISABLED

#include <sonde/static/tracepoint-pp.h>

/*
 * Compiled out.  An event leaves only the type of its probes and a static
 * inline stub with an empty body that takes its typed arguments; a call
 * site calls the stub under if (0).  The arguments are thus checked against
 * SONDE_TP_ARGS as in the enabled build and count as used (values that
 * exist only to be traced build with -Wall -Wextra -Werror), but they are
 * never evaluated.  Neither the dead call nor the stub reaches the object,
 * even at -O0: it gets no sonde symbol or section.  Not sizeof: clang
 * counts what is named only there as unneeded (a warning in -Wall).
 */
#define SONDE_TRACEPOINT_EVENT(provider, name, args, fields)                   \
	typedef void (*sonde__probe_t_##provider##__##name)(                     \
		void * SONDE__PTYPES args);                                     \
	static inline SONDE__UNUSED void sonde__check_##provider##__##name(void)\
	{                                                                      \
		SONDE__EACH_CHECK(fields)                                      \
	}                                                                      \
	static inline SONDE__UNUSED void sonde__tp_##provider##__##name(         \
		SONDE__PARAMS args)                                            \
	{                                                                      \
	}
#define sonde_tracepoint(provider, name, ...)                                  \
	do {                                                                   \
		if (0)                                                         \
			sonde__tp_##provider##__##name(__VA_ARGS__);            \
	} while (0)
#define sonde_tracepoint_enabled(provider, name) 0
#define SONDE_TRACEPOINT_ENUM(provider, name, values)
#define SONDE_TRACEPOINT_LOGLEVEL(provider, name, level)

/* Returns 0, as the macros below do; always inlined, so that nothing of it
 * reaches the object.  A call, so that a registration used as a statement
 * is not a statement without effect. */
static inline __attribute__((always_inline, unused)) int
sonde__probe_off(void (*fn)(void), void *data)
{
	(void)fn;
	(void)data;
	return 0;
}

#define sonde_probe_register(provider, name, fn, data)                         \
	sonde__probe_off((void (*)(void))(1 ? (fn)                              \
					    : (sonde__probe_t_##provider##__##name)0), \
			 (data))
#define sonde_probe_unregister(provider, name, fn, data)                       \
	sonde_probe_register(provider, name, fn, data)

#else /* !SONDE_TRACING_DISABLED */

#include <sonde/static/tracepoint.h>

/**
 * SONDE_TRACEPOINT_ENUM() - declare enumeration @name of @provider.
 * @values: SONDE_TP_ENUM_VALUES(sonde_enum_value/range/auto...), labels
 * being string literals; an auto label takes the value after the previous
 * entry's last (0 first).
 *
 * Context: file scope, in the provider header, before the events whose
 * sonde_field_enum() name it.
 */
#define SONDE_TRACEPOINT_ENUM(provider, name, values)                          \
	static const struct sonde_enum_entry                                   \
		sonde__enument_##provider##__##name[] = {values};              \
	static const struct sonde_enum_desc SONDE__UNUSED                      \
		sonde__enum_##provider##__##name = {                           \
			#provider, #name, sonde__enument_##provider##__##name, \
			(uint32_t)(sizeof(sonde__enument_##provider##__##name) / \
				   sizeof(struct sonde_enum_entry)),           \
			0};


/**
 * SONDE_TRACEPOINT_EVENT() - define tracepoint @provider:@name.
 * @provider: provider identifier (C identifier).
 * @name: event identifier (C identifier).
 * @args: SONDE_TP_ARGS(type, name, ...), 0 to 10 typed arguments.
 * @fields: SONDE_TP_FIELDS(field macros...), written in this order.  Each
 * field needs a name of its own: an empty name, or one used twice, is a
 * compile-time error.
 *
 * The symbols made for an event join @provider and @name with "__", so
 * that ct_a:b and ct:a_b do not meet; a provider ending in '_' or an event
 * starting with '_' can still meet another pair, a compile-time error
 * (a redefinition), never a silent one.
 *
 * Context: file scope, in a header included wherever the event is used.
 */
#define SONDE_TRACEPOINT_EVENT(provider, name, args, fields)                   \
	SONDE__TP_EVENT(provider, name, args, fields)

/**
 * SONDE_TRACEPOINT_LOGLEVEL() - give event @provider:@name log level @level
 * (enum sonde_loglevel, a constant expression).
 *
 * Context: file scope, after the event's SONDE_TRACEPOINT_EVENT(), in the
 * same header.  Set by a constructor that runs before the object's sites
 * are registered (a prioritized one, which every linker orders before the
 * default ones).
 */
#define SONDE_TRACEPOINT_LOGLEVEL(provider, name, level)                       \
	SONDE__SASSERT((level) >= 0 && (level) <= 14,                          \
		       "sonde: a log level is 0 (EMERG) to 14 (DEBUG)");       \
	static void __attribute__((constructor(101), used))                    \
	sonde__ll_##provider##__##name(void)                                    \
	{                                                                      \
		sonde__ev_##provider##__##name.loglevel1 =                      \
			(uint32_t)(level) + 1;                                 \
	}

/**
 * sonde_tracepoint() - record event @provider:@name if it is enabled.
 *
 * Context: any thread, signal handlers included; never blocks.  Arguments
 * are evaluated only when the event is enabled.
 */
#define sonde_tracepoint(provider, name, ...)                                  \
	do {                                                                   \
		int sonde__st = __atomic_load_n(                               \
			&sonde__ev_##provider##__##name.state, __ATOMIC_RELAXED);\
		if (SONDE__UNLIKELY(sonde__st))                                \
			sonde__tp_##provider##__##name(sonde__st, ##__VA_ARGS__);\
	} while (0)

/**
 * sonde_tracepoint_enabled() - whether @provider:@name is enabled now, to
 * guard costly argument preparation.
 */
#define sonde_tracepoint_enabled(provider, name)                               \
	SONDE__UNLIKELY(__atomic_load_n(&sonde__ev_##provider##__##name.state,  \
					__ATOMIC_RELAXED))

/**
 * sonde_probe_register() - connect @fn to tracepoint @provider:@name.
 * @fn: void fn(void *data, <the tracepoint's argument types>), checked by
 *      the compiler against SONDE_TP_ARGS.
 * @data: passed to @fn as its first argument.
 *
 * From then on @fn is called with the tracepoint's arguments each time a
 * thread passes any site of @provider:@name, in any object of the process,
 * including objects loaded later.  The site stays active while a probe or a
 * recording session needs it.
 *
 * Registering and unregistering wait for the threads inside the site's
 * probes to leave (a grace period, as synchronize_rcu() waits for RCU
 * readers).  So a probe must not call them: from a probe they return
 * -EDEADLK and change nothing.  Nor may a probe dlopen() or dlclose() an
 * object with tracepoints, fork(), or wait for a thread doing any of this;
 * and a thread must not register or unregister while it holds a lock that
 * a probe takes.  Each of these waits for itself.
 *
 * Return: 0, -EEXIST if (@fn, @data) is already connected, -EDEADLK if
 * called from inside a probe, -EINVAL, -ENOMEM.
 * Context: any thread, not a signal handler (it locks and allocates); safe
 * while other threads pass the tracepoint.
 */
#define sonde_probe_register(provider, name, fn, data)                         \
	sonde__probe_register(#provider, #name,                                \
			      sonde__ev_##provider##__##name.signature,         \
			      (void (*)(void))(1 ? (fn)                         \
						 : (sonde__probe_t_##provider##__##name)0), \
			      (data))

/**
 * sonde_probe_unregister() - disconnect @fn/@data from @provider:@name.
 *
 * When it returns 0, @fn is running nowhere for this connection and will
 * not be called again for it, so @data may be freed: it waits for every
 * thread that may still use the connection to leave the site's probes,
 * however long it was preempted.  Unregistering the last probe of a site
 * that no session records disables it.  sonde_probe_register() says what
 * a probe must not do, since this waits for it.
 *
 * Return: 0, -ENOENT if (@fn, @data) was not connected, -EDEADLK if called
 * from inside a probe (a probe cannot disconnect itself; it stays
 * connected), -EINVAL, -ENOMEM (some sites may then still call @fn).
 * Context: any thread, not a signal handler; not from a probe.
 */
#define sonde_probe_unregister(provider, name, fn, data)                       \
	sonde__probe_unregister(#provider, #name,                              \
				sonde__ev_##provider##__##name.signature,       \
				(void (*)(void))(1 ? (fn)                       \
						   : (sonde__probe_t_##provider##__##name)0), \
				(data))

#endif /* SONDE_TRACING_DISABLED */

#endif /* SONDE_TRACEPOINT_H */
