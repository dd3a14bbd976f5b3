/* SPDX-License-Identifier: MIT */
/*
 * A second provider, in LTTng-UST's version 0 spelling (TRACEPOINT_EVENT,
 * ctf_*, TRACE_* levels), which LTTng-UST 2.13 still builds.
 */
#undef TRACEPOINT_PROVIDER
#define TRACEPOINT_PROVIDER compat0

#undef TRACEPOINT_INCLUDE
#define TRACEPOINT_INCLUDE "./tp0.h"

#if !defined(COMPAT0_TP_H) || defined(TRACEPOINT_HEADER_MULTI_READ)
#define COMPAT0_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

TRACEPOINT_ENUM(compat0, color,
	TP_ENUM_VALUES(
		ctf_enum_value("RED", 0)
		ctf_enum_value("GREEN", 1)
		ctf_enum_range("BLUES", 10, 19)
		ctf_enum_auto("AFTER_BLUES")
	)
)

TRACEPOINT_EVENT(compat0, sample,
	TP_ARGS(int, n, const char *, name, uint16_t, n16, uint32_t, n32),
	TP_FIELDS(
		ctf_integer(int, n, n)
		ctf_integer_hex(int, nx, n)
		ctf_integer_network(int16_t, n16, n16)
		ctf_integer_network_hex(uint32_t, n32, n32)
		ctf_integer_nowrite(int, nn, n)
		ctf_float(float, half, n / 2.0f)
		ctf_float_nowrite(double, hn, n)
		ctf_string(name, name)
		ctf_string_nowrite(namen, name)
		ctf_enum(compat0, color, uint8_t, color, n)
		ctf_enum_nowrite(compat0, color, int, colorn, n)
		ctf_unused(n)
	)
)
TRACEPOINT_LOGLEVEL(compat0, sample, TRACE_ERR)

TRACEPOINT_EVENT(compat0, vecs,
	TP_ARGS(const uint16_t *, p, const uint16_t *, np, unsigned int, n,
		const char *, t),
	TP_FIELDS(
		ctf_array(uint16_t, p, p, 2)
		ctf_array_hex(uint16_t, ph, p, 2)
		ctf_array_network(uint16_t, pn, np, 2)
		ctf_array_network_hex(uint16_t, pnh, np, 2)
		ctf_array_text(char, at, t, 3)
		ctf_array_nowrite(uint16_t, x1, p, 2)
		ctf_array_nowrite_hex(uint16_t, x2, p, 2)
		ctf_array_network_nowrite(uint16_t, x3, p, 2)
		ctf_array_network_nowrite_hex(uint16_t, x4, p, 2)
		ctf_array_text_nowrite(char, x5, t, 2)
		ctf_sequence(uint16_t, s, p, unsigned int, n)
		ctf_sequence_hex(uint16_t, sh, p, unsigned int, n)
		ctf_sequence_network(uint16_t, sn, np, unsigned int, n)
		ctf_sequence_network_hex(uint16_t, snh, np, unsigned int, n)
		ctf_sequence_text(char, st, t, unsigned int, n)
		ctf_sequence_nowrite(uint16_t, y1, p, unsigned int, n)
		ctf_sequence_nowrite_hex(uint16_t, y2, p, unsigned int, n)
		ctf_sequence_network_nowrite(uint16_t, y3, p, unsigned int, n)
		ctf_sequence_network_nowrite_hex(uint16_t, y4, p, unsigned int, n)
		ctf_sequence_text_nowrite(char, y5, t, unsigned int, n)
	)
)

TRACEPOINT_EVENT_CLASS(compat0, pair,
	TP_ARGS(int, a, int, b),
	TP_FIELDS(
		ctf_integer(int, a, a)
		ctf_integer_hex(int, b, b)
	)
)
TRACEPOINT_EVENT_INSTANCE(compat0, pair, first, TP_ARGS(int, a, int, b))
TRACEPOINT_EVENT_INSTANCE(compat0, pair, second, TP_ARGS(int, a, int, b))
TRACEPOINT_LOGLEVEL(compat0, second, TRACE_DEBUG)

#endif /* COMPAT0_TP_H */

#include <lttng/tracepoint-event.h>
