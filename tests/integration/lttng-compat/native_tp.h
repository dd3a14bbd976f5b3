/* SPDX-License-Identifier: MIT */
/*
 * The events of tp.h and tp0.h, declared with sonde's own API: what the
 * compat app's trace must match.  An event class's instances are events
 * with the class's fields; network byte order fields take host values.
 */
#ifndef COMPAT_NATIVE_TP_H
#define COMPAT_NATIVE_TP_H

#include <sonde/tracepoint.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"

SONDE_TRACEPOINT_ENUM(compat, state,
	SONDE_TP_ENUM_VALUES(
		sonde_enum_value("IDLE", 0)
		sonde_enum_range("BUSY", 1, 5)
		sonde_enum_auto("DONE")
		sonde_enum_value("NEG", -3)))

SONDE_TRACEPOINT_EVENT(compat, ints,
	SONDE_TP_ARGS(int, i, uint16_t, port, uint64_t, big, double, d,
		      const char *, s),
	SONDE_TP_FIELDS(
		sonde_field_integer(int, i, i)
		sonde_field_integer_hex(unsigned int, ihex, (unsigned int)i)
		sonde_field_integer_network(uint16_t, port, port)
		sonde_field_integer_network_hex(uint64_t, bignet, big)
		sonde_field_integer_nowrite(int, hidden, i * 2)
		sonde_field_float(double, d, d)
		sonde_field_float(float, f, (float)d)
		sonde_field_float_nowrite(double, dh, d)
		sonde_field_string(s, s)
		sonde_field_string_nowrite(sh, s)
		sonde_field_integer(long, neg, -(long)i)))

SONDE_TRACEPOINT_EVENT(compat, arrays,
	SONDE_TP_ARGS(const int32_t *, a, const char *, t),
	SONDE_TP_FIELDS(
		sonde_field_array(int32_t, a, a, 3)
		sonde_field_array_hex(int32_t, ahex, a, 2)
		sonde_field_array_network(int32_t, anet, a, 3)
		sonde_field_array_network_hex(int32_t, anethex, a, 2)
		sonde_field_array_text(char, atext, t, 4)
		sonde_field_array_nowrite(int32_t, an, a, 3)
		sonde_field_array_nowrite(int32_t, anh, a, 3)
		sonde_field_array_nowrite(int32_t, ann, a, 3)
		sonde_field_array_nowrite(int32_t, annh, a, 3)
		sonde_field_array_text_nowrite(char, atn, t, 4)))

SONDE_TRACEPOINT_EVENT(compat, seqs,
	SONDE_TP_ARGS(const uint32_t *, v, size_t, n, const char *, t,
		      unsigned int, tn),
	SONDE_TP_FIELDS(
		sonde_field_sequence(uint32_t, seq, v, size_t, n)
		sonde_field_sequence_hex(uint32_t, seqhex, v, uint8_t, n)
		sonde_field_sequence_network(uint32_t, seqnet, v, uint16_t, n)
		sonde_field_sequence_network_hex(uint32_t, seqnethex, v,
						 unsigned int, n)
		sonde_field_sequence_text(char, txt, t, unsigned int, tn)
		sonde_field_sequence_nowrite(uint32_t, sn, v, size_t, n)
		sonde_field_sequence_nowrite(uint32_t, snh, v, size_t, n)
		sonde_field_sequence_nowrite(uint32_t, snn, v, size_t, n)
		sonde_field_sequence_nowrite(uint32_t, snnh, v, size_t, n)
		sonde_field_sequence_text_nowrite(char, stn, t, size_t, tn)))

SONDE_TRACEPOINT_EVENT(compat, enums,
	SONDE_TP_ARGS(int, v),
	SONDE_TP_FIELDS(
		sonde_field_enum(compat, state, int, st, v)
		sonde_field_enum(compat, state, int8_t, st8, v)
		sonde_field_enum_nowrite(compat, state, int, sth, v)))
SONDE_TRACEPOINT_LOGLEVEL(compat, enums, SONDE_LOGLEVEL_NOTICE)

#define NATIVE_REQUEST_FIELDS                                                  \
	SONDE_TP_FIELDS(                                                       \
		sonde_field_integer(int, id, id)                               \
		sonde_field_string(path, req->path)                            \
		sonde_field_sequence_text(char, body, req->body, uint16_t,     \
					  req->body_len)                       \
		sonde_field_integer_network_hex(uint32_t, addr, req->addr)     \
		sonde_field_integer_nowrite(int, secret, req->secret))

SONDE_TRACEPOINT_EVENT(compat, req_begin,
	SONDE_TP_ARGS(int, id, const struct compat_req *, req),
	NATIVE_REQUEST_FIELDS)
SONDE_TRACEPOINT_LOGLEVEL(compat, req_begin, SONDE_LOGLEVEL_INFO)
SONDE_TRACEPOINT_EVENT(compat, req_fail,
	SONDE_TP_ARGS(int, id, const struct compat_req *, req),
	NATIVE_REQUEST_FIELDS)
SONDE_TRACEPOINT_LOGLEVEL(compat, req_fail, SONDE_LOGLEVEL_CRIT)
SONDE_TRACEPOINT_EVENT(compat, req_end,
	SONDE_TP_ARGS(int, id, const struct compat_req *, req),
	NATIVE_REQUEST_FIELDS)

SONDE_TRACEPOINT_EVENT(compat, tick, SONDE_TP_ARGS(), SONDE_TP_FIELDS())
SONDE_TRACEPOINT_LOGLEVEL(compat, tick, SONDE_LOGLEVEL_WARNING)

SONDE_TRACEPOINT_EVENT(compat, costly,
	SONDE_TP_ARGS(long, sum),
	SONDE_TP_FIELDS(sonde_field_integer(long, sum, sum)))

SONDE_TRACEPOINT_ENUM(compat0, color,
	SONDE_TP_ENUM_VALUES(
		sonde_enum_value("RED", 0)
		sonde_enum_value("GREEN", 1)
		sonde_enum_range("BLUES", 10, 19)
		sonde_enum_auto("AFTER_BLUES")))

SONDE_TRACEPOINT_EVENT(compat0, sample,
	SONDE_TP_ARGS(int, n, const char *, name, uint16_t, n16, uint32_t, n32),
	SONDE_TP_FIELDS(
		sonde_field_integer(int, n, n)
		sonde_field_integer_hex(int, nx, n)
		sonde_field_integer_network(int16_t, n16, n16)
		sonde_field_integer_network_hex(uint32_t, n32, n32)
		sonde_field_integer_nowrite(int, nn, n)
		sonde_field_float(float, half, n / 2.0f)
		sonde_field_float_nowrite(double, hn, n)
		sonde_field_string(name, name)
		sonde_field_string_nowrite(namen, name)
		sonde_field_enum(compat0, color, uint8_t, color, n)
		sonde_field_enum_nowrite(compat0, color, int, colorn, n)))
SONDE_TRACEPOINT_LOGLEVEL(compat0, sample, SONDE_LOGLEVEL_ERR)

SONDE_TRACEPOINT_EVENT(compat0, vecs,
	SONDE_TP_ARGS(const uint16_t *, p, unsigned int, n, const char *, t),
	SONDE_TP_FIELDS(
		sonde_field_array(uint16_t, p, p, 2)
		sonde_field_array_hex(uint16_t, ph, p, 2)
		sonde_field_array_network(uint16_t, pn, p, 2)
		sonde_field_array_network_hex(uint16_t, pnh, p, 2)
		sonde_field_array_text(char, at, t, 3)
		sonde_field_array_nowrite(uint16_t, x1, p, 2)
		sonde_field_array_nowrite(uint16_t, x2, p, 2)
		sonde_field_array_nowrite(uint16_t, x3, p, 2)
		sonde_field_array_nowrite(uint16_t, x4, p, 2)
		sonde_field_array_text_nowrite(char, x5, t, 2)
		sonde_field_sequence(uint16_t, s, p, unsigned int, n)
		sonde_field_sequence_hex(uint16_t, sh, p, unsigned int, n)
		sonde_field_sequence_network(uint16_t, sn, p, unsigned int, n)
		sonde_field_sequence_network_hex(uint16_t, snh, p, unsigned int, n)
		sonde_field_sequence_text(char, st, t, unsigned int, n)
		sonde_field_sequence_nowrite(uint16_t, y1, p, unsigned int, n)
		sonde_field_sequence_nowrite(uint16_t, y2, p, unsigned int, n)
		sonde_field_sequence_nowrite(uint16_t, y3, p, unsigned int, n)
		sonde_field_sequence_nowrite(uint16_t, y4, p, unsigned int, n)
		sonde_field_sequence_text_nowrite(char, y5, t, unsigned int, n)))

SONDE_TRACEPOINT_EVENT(compat0, first,
	SONDE_TP_ARGS(int, a, int, b),
	SONDE_TP_FIELDS(
		sonde_field_integer(int, a, a)
		sonde_field_integer_hex(int, b, b)))
SONDE_TRACEPOINT_EVENT(compat0, second,
	SONDE_TP_ARGS(int, a, int, b),
	SONDE_TP_FIELDS(
		sonde_field_integer(int, a, a)
		sonde_field_integer_hex(int, b, b)))
SONDE_TRACEPOINT_LOGLEVEL(compat0, second, SONDE_LOGLEVEL_DEBUG)

#endif
