/* SPDX-License-Identifier: MIT */
/*
 * sonde markers: printf-style instrumentation with typed, binary fields.
 *
 *	#include <sonde/marker.h>
 *	sonde_mark(myapp, cache_miss, "key %s size %zu", key, size);
 *
 * records event myapp:cache_miss with a string field "key" and an unsigned
 * 64-bit field "size".  A field is named after the C identifier before its
 * conversion when that word is a label: followed by '=' or ':' ("size=%zu",
 * "key: %s"), or alone since the previous conversion and followed by
 * blanks ("key %s size %zu") and not a filler word of prose ("still %s",
 * "at %p").  Any other field is "arg<N>", N its index ("got %s" and "0x%x"
 * give arg0 and arg1).  Conversions:
 * d i u x X o c s p f e g, with the hh h l ll z j t length modifiers; flags,
 * width and precision are accepted and ignored ('*' consumes its int).
 * The compiler checks the arguments against the format; the format is
 * parsed once, when the marker is first enabled, and values are stored in
 * binary, never formatted on the recording path.  A malformed format (%n,
 * an unknown conversion, a trailing '%') is reported on stderr when a
 * recording session enables the marker, and the marker stays disabled.
 * Markers appear in the trace metadata like tracepoints and are selected by
 * the same provider:name patterns.  With SONDE_TRACING_DISABLED defined,
 * sonde_mark() is compiled out: the compiler still checks its arguments
 * against the format and counts them as used, and they are not evaluated.
 */
#ifndef SONDE_MARKER_H
#define SONDE_MARKER_H

#include <sonde/tracepoint.h>

#ifdef SONDE_TRACING_DISABLED

/* Called only under if (0), so that the compiler checks sonde_mark()'s
 * arguments against the format and counts them as used, without evaluating
 * them; neither the call nor this stub reaches the object. */
static inline __attribute__((format(printf, 1, 2), unused)) void
sonde__mark_off(const char *fmt, ...)
{
	(void)fmt;
}

#define sonde_mark(provider, name, fmt, ...)                                   \
	do {                                                                   \
		if (0)                                                         \
			sonde__mark_off(fmt, ##__VA_ARGS__);                   \
	} while (0)

#else

#ifdef __cplusplus
extern "C" {
#endif

/* Records one marker event; called only while the marker is enabled. */
SONDE__API void sonde__mark(struct sonde_event_desc *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

/**
 * sonde_mark() - record printf-style event @provider:@name if enabled.
 * @provider: provider identifier (C identifier).
 * @name: event identifier (C identifier).
 * @fmt: a string literal, checked against the arguments like printf's.
 *
 * Context: any thread, signal handlers included; never blocks.  Arguments
 * are evaluated only when the marker is enabled.
 */
#define sonde_mark(provider, name, fmt, ...)                                   \
	do {                                                                   \
		static struct sonde_event_desc sonde__mk = {                   \
			sizeof(struct sonde_event_desc), 0, 0, 0, #provider,   \
			#name, 0, fmt, 0, SONDE_EVENT_MARKER, 0, 0, 0, 0, 0};  \
		static struct sonde_event_desc *sonde__mkp                     \
			__attribute__((section("sonde_events_ptrs"), used)) =  \
				&sonde__mk;                                    \
		(void)sonde__mkp;                                              \
		if (SONDE__UNLIKELY(__atomic_load_n(&sonde__mk.state,          \
						    __ATOMIC_RELAXED)))        \
			sonde__mark(&sonde__mk, fmt, ##__VA_ARGS__);           \
		SONDE__NO_TAIL_CALL();                                         \
	} while (0)

#endif /* SONDE_TRACING_DISABLED */

#endif /* SONDE_MARKER_H */
