/* SPDX-License-Identifier: MIT */
/* Provider of test-kinds: the field kinds LTTng-UST users rely on (text,
 * network byte order, enumerations, hex blobs, nowrite) and log levels. */
#ifndef KINDS_TP_H
#define KINDS_TP_H

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_ENUM(kinds, state,
	SONDE_TP_ENUM_VALUES(
		sonde_enum_value("IDLE", 0)
		sonde_enum_range("BUSY", 1, 5)
		sonde_enum_auto("DONE")
		sonde_enum_range("HIGH", 4, 9)
		sonde_enum_value("NEG \"quoted\"", -3)))

SONDE_TRACEPOINT_ENUM(kinds, big,
	SONDE_TP_ENUM_VALUES(
		sonde_enum_value("ZERO", 0)
		sonde_enum_value("TOP", UINT64_MAX)))

SONDE_TRACEPOINT_EVENT(kinds, net,
	SONDE_TP_ARGS(uint16_t, port, int32_t, s, uint64_t, w, const uint32_t *, a),
	SONDE_TP_FIELDS(
		sonde_field_integer_network(uint16_t, port, port)
		sonde_field_integer_network(int32_t, s, s)
		sonde_field_integer_network_hex(uint64_t, w, w)
		sonde_field_integer_network(uint8_t, b, 200)
		sonde_field_array_network(uint32_t, arr, a, 3)
		sonde_field_array_network_hex(uint32_t, arrx, a, 2)
		sonde_field_sequence_network(uint32_t, seq, a, uint8_t, 3)
		sonde_field_sequence_network_hex(uint32_t, seqx, a, uint16_t, 1)))

SONDE_TRACEPOINT_EVENT(kinds, text,
	SONDE_TP_ARGS(const char *, t, unsigned int, n),
	SONDE_TP_FIELDS(
		sonde_field_array_text(char, fixed, t, 5)
		sonde_field_sequence_text(char, var, t, unsigned int, n)
		sonde_field_integer(int, after, 7)))

SONDE_TRACEPOINT_EVENT(kinds, enums,
	SONDE_TP_ARGS(int, v, uint64_t, u),
	SONDE_TP_FIELDS(
		sonde_field_enum(kinds, state, int, st, v)
		sonde_field_enum(kinds, state, int8_t, st8, v)
		sonde_field_enum(kinds, big, uint64_t, bg, u)))

SONDE_TRACEPOINT_EVENT(kinds, blob,
	SONDE_TP_ARGS(const void *, p, size_t, n),
	SONDE_TP_FIELDS(
		sonde_field_blob(data, (const uint8_t *)p, uint32_t, n)
		sonde_field_array_hex(uint8_t, head, (const uint8_t *)p, 2)
		sonde_field_sequence_hex(uint16_t, words, (const uint16_t *)p, uint8_t, n / 2)))

SONDE_TRACEPOINT_EVENT(kinds, nowrite,
	SONDE_TP_ARGS(int, a, const char *, s, const int *, arr),
	SONDE_TP_FIELDS(
		sonde_field_integer(int, first, a)
		sonde_field_integer_nowrite(int, hidden, a * 1000)
		sonde_field_string_nowrite(hs, s)
		sonde_field_array_nowrite(int, ha, arr, 2)
		sonde_field_sequence_nowrite(int, hq, arr, int, 2)
		sonde_field_array_text_nowrite(char, ht, s, 2)
		sonde_field_sequence_text_nowrite(char, hst, s, int, 2)
		sonde_field_float_nowrite(double, hf, 1.5)
		sonde_field_enum_nowrite(kinds, state, int, he, a)
		sonde_field_string(last, s)))

SONDE_TRACEPOINT_EVENT(kinds, warn,
	SONDE_TP_ARGS(int, v),
	SONDE_TP_FIELDS(sonde_field_integer(int, v, v)))
SONDE_TRACEPOINT_LOGLEVEL(kinds, warn, SONDE_LOGLEVEL_WARNING)

SONDE_TRACEPOINT_EVENT(kinds, crit,
	SONDE_TP_ARGS(int, v),
	SONDE_TP_FIELDS(sonde_field_integer(int, v, v)))
SONDE_TRACEPOINT_LOGLEVEL(kinds, crit, SONDE_LOGLEVEL_CRIT)

SONDE_TRACEPOINT_EVENT(kinds, info,
	SONDE_TP_ARGS(int, v),
	SONDE_TP_FIELDS(sonde_field_integer(int, v, v)))
SONDE_TRACEPOINT_LOGLEVEL(kinds, info, SONDE_LOGLEVEL_INFO)

/* No log level: counts as DEBUG_LINE. */
SONDE_TRACEPOINT_EVENT(kinds, plain,
	SONDE_TP_ARGS(int, v),
	SONDE_TP_FIELDS(sonde_field_integer(int, v, v)))

#endif
