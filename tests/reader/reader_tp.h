/* SPDX-License-Identifier: MIT */
/* Provider of the reader tests: every field type, begin/end pairs. */
#ifndef READER_TP_H
#define READER_TP_H

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(rd, ints,
	SONDE_TP_ARGS(int8_t, a, int16_t, b, int32_t, c, int64_t, d,
		      uint8_t, e, uint16_t, f, uint32_t, g, uint64_t, h),
	SONDE_TP_FIELDS(
		sonde_field_integer(int8_t, i8, a)
		sonde_field_integer(int16_t, i16, b)
		sonde_field_integer(int32_t, i32, c)
		sonde_field_integer(int64_t, i64, d)
		sonde_field_integer(uint8_t, u8, e)
		sonde_field_integer(uint16_t, u16, f)
		sonde_field_integer(uint32_t, u32, g)
		sonde_field_integer(uint64_t, u64, h)))

SONDE_TRACEPOINT_EVENT(rd, hex,
	SONDE_TP_ARGS(uint8_t, a, uint16_t, b, uint32_t, c, uint64_t, d),
	SONDE_TP_FIELDS(
		sonde_field_integer_hex(uint8_t, x8, a)
		sonde_field_integer_hex(uint16_t, x16, b)
		sonde_field_integer_hex(uint32_t, x32, c)
		sonde_field_integer_hex(uint64_t, x64, d)))

SONDE_TRACEPOINT_EVENT(rd, floats,
	SONDE_TP_ARGS(float, f, double, d),
	SONDE_TP_FIELDS(
		sonde_field_float(float, f, f)
		sonde_field_float(double, d, d)))

SONDE_TRACEPOINT_EVENT(rd, str,
	SONDE_TP_ARGS(const char *, s),
	SONDE_TP_FIELDS(sonde_field_string(s, s)))

SONDE_TRACEPOINT_EVENT(rd, arrays,
	SONDE_TP_ARGS(const int16_t *, a, const uint32_t *, x),
	SONDE_TP_FIELDS(
		sonde_field_array(int16_t, a, a, 3)
		sonde_field_array(uint32_t, x, x, 2)))

SONDE_TRACEPOINT_EVENT(rd, seq,
	SONDE_TP_ARGS(const int32_t *, v, uint16_t, n, const uint8_t *, w,
		      uint64_t, m),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, before, -5)
		sonde_field_sequence(int32_t, v, v, uint16_t, n)
		sonde_field_sequence(uint8_t, w, w, uint64_t, m)
		sonde_field_string(tail, "end")))

SONDE_TRACEPOINT_EVENT(rd, empty, SONDE_TP_ARGS(), SONDE_TP_FIELDS())

SONDE_TRACEPOINT_EVENT(rd, span_begin,
	SONDE_TP_ARGS(int32_t, id),
	SONDE_TP_FIELDS(sonde_field_integer(int32_t, id, id)))
SONDE_TRACEPOINT_EVENT(rd, span_end,
	SONDE_TP_ARGS(int32_t, id),
	SONDE_TP_FIELDS(sonde_field_integer(int32_t, id, id)))
SONDE_TRACEPOINT_EVENT(rd, op_entry, SONDE_TP_ARGS(), SONDE_TP_FIELDS())
SONDE_TRACEPOINT_EVENT(rd, op_exit,
	SONDE_TP_ARGS(int64_t, ret),
	SONDE_TP_FIELDS(sonde_field_integer(int64_t, ret, ret)))

SONDE_TRACEPOINT_EVENT(rd, work,
	SONDE_TP_ARGS(uint32_t, thread, uint64_t, i, const char *, tag),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, thread, thread)
		sonde_field_integer(uint64_t, i, i)
		sonde_field_string(tag, tag)))

#endif
