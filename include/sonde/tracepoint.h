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
 *	sonde_field_float(type, field, expr)            float or double
 *	sonde_field_string(field, expr)                 NUL-terminated, NULL ok
 *	sonde_field_array(type, field, expr, count)     fixed count of integers
 *	sonde_field_sequence(type, field, expr, length_type, length_expr)
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
	uint16_t resv;
	uint32_t count;     /* array: element count */
};

struct sonde__probes;

/** Static description of one tracepoint site (ABI).  state is bit 0: a
 * recording session wants it; bits 1 and up: number of probes. */
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
	uint32_t resv;
	struct sonde__probes *probes; /* connected probes, or NULL */
};

/** sonde_event_desc.flags: a printf-style marker (<sonde/marker.h>). */
#define SONDE_EVENT_MARKER 1u

#ifdef __cplusplus
}
#endif

#define SONDE_TP_ARGS(...) (__VA_ARGS__)
#define SONDE_TP_FIELDS(...) __VA_ARGS__

#define sonde_field_integer(type, field, expr) (INT, type, field, expr, 10, _)
#define sonde_field_integer_hex(type, field, expr) (INT, type, field, expr, 16, _)
#define sonde_field_float(type, field, expr) (FLOAT, type, field, expr, 10, _)
#define sonde_field_string(field, expr) (STRING, char, field, expr, 10, _)
#define sonde_field_array(type, field, expr, count)                            \
	(ARRAY, type, field, expr, count, _)
#define sonde_field_sequence(type, field, expr, length_type, length_expr)      \
	(SEQ, type, field, expr, length_type, length_expr)

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
