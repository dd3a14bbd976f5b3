/* SPDX-License-Identifier: MIT */
/* Provider of test-fields: every field kind, edge values, 0 and 10 args. */
#ifndef FIELDS_TP_H
#define FIELDS_TP_H

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(fields, signed_ints,
	SONDE_TP_ARGS(int8_t, a, int16_t, b, int32_t, c, int64_t, d),
	SONDE_TP_FIELDS(
		sonde_field_integer(int8_t, i8, a)
		sonde_field_integer(int16_t, i16, b)
		sonde_field_integer(int32_t, i32, c)
		sonde_field_integer(int64_t, i64, d)))

SONDE_TRACEPOINT_EVENT(fields, unsigned_ints,
	SONDE_TP_ARGS(uint8_t, a, uint16_t, b, uint32_t, c, uint64_t, d),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint8_t, u8, a)
		sonde_field_integer(uint16_t, u16, b)
		sonde_field_integer(uint32_t, u32, c)
		sonde_field_integer(uint64_t, u64, d)))

SONDE_TRACEPOINT_EVENT(fields, hex,
	SONDE_TP_ARGS(uint8_t, a, uint16_t, b, uint32_t, c, uint64_t, d),
	SONDE_TP_FIELDS(
		sonde_field_integer_hex(uint8_t, x8, a)
		sonde_field_integer_hex(uint16_t, x16, b)
		sonde_field_integer_hex(uint32_t, x32, c)
		sonde_field_integer_hex(uint64_t, x64, d)))

SONDE_TRACEPOINT_EVENT(fields, floats,
	SONDE_TP_ARGS(float, f, double, d),
	SONDE_TP_FIELDS(
		sonde_field_float(float, f, f)
		sonde_field_float(double, d, d)))

SONDE_TRACEPOINT_EVENT(fields, strings,
	SONDE_TP_ARGS(const char *, a, const char *, b),
	SONDE_TP_FIELDS(
		sonde_field_string(a, a)
		sonde_field_string(b, b)))

SONDE_TRACEPOINT_EVENT(fields, bigstr,
	SONDE_TP_ARGS(const char *, s, uint32_t, len),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, len, len)
		sonde_field_string(s, s)
		sonde_field_integer(uint32_t, after, 0xC0FFEEu)))

SONDE_TRACEPOINT_EVENT(fields, arrays,
	SONDE_TP_ARGS(const int8_t *, a, const uint16_t *, b,
		      const int32_t *, c, const uint64_t *, d),
	SONDE_TP_FIELDS(
		sonde_field_array(int8_t, a8, a, 3)
		sonde_field_array(uint16_t, a16, b, 2)
		sonde_field_array(int32_t, a32, c, 4)
		sonde_field_array(uint64_t, a64, d, 1)))

/* Sequences with each unsigned length type; lengths are arguments.  (Signed
 * length types: test-fields-signed-len.c.) */
SONDE_TRACEPOINT_EVENT(fields, seqs,
	SONDE_TP_ARGS(const uint8_t *, a, uint8_t, na,
		      const int16_t *, b, uint16_t, nb,
		      const uint32_t *, c, uint32_t, nc,
		      const int64_t *, d, uint64_t, nd),
	SONDE_TP_FIELDS(
		sonde_field_sequence(uint8_t, s8, a, uint8_t, na)
		sonde_field_sequence(int16_t, s16, b, uint16_t, nb)
		sonde_field_sequence(uint32_t, s32, c, uint32_t, nc)
		sonde_field_sequence(int64_t, s64, d, uint64_t, nd)))

/* A sequence whose length comes from size_t, between two scalars. */
SONDE_TRACEPOINT_EVENT(fields, seq_sized,
	SONDE_TP_ARGS(const uint32_t *, v, size_t, n),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, before, -7)
		sonde_field_sequence(uint32_t, v, v, size_t, n)
		sonde_field_integer(int32_t, after, 7)))

/* No arguments, no fields. */
SONDE_TRACEPOINT_EVENT(fields, empty, SONDE_TP_ARGS(), SONDE_TP_FIELDS())

/* No arguments, fields from constant expressions. */
SONDE_TRACEPOINT_EVENT(fields, consts, SONDE_TP_ARGS(),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, answer, 6 * 7)
		sonde_field_string(word, "const")))

/* Ten arguments (the maximum), eleven fields, expressions of arguments. */
SONDE_TRACEPOINT_EVENT(fields, ten,
	SONDE_TP_ARGS(int8_t, a1, uint8_t, a2, int16_t, a3, uint16_t, a4,
		      int32_t, a5, uint32_t, a6, int64_t, a7, uint64_t, a8,
		      double, a9, const char *, a10),
	SONDE_TP_FIELDS(
		sonde_field_integer(int8_t, a1, a1)
		sonde_field_integer(uint8_t, a2, a2)
		sonde_field_integer(int16_t, a3, a3)
		sonde_field_integer(uint16_t, a4, a4)
		sonde_field_integer(int32_t, a5, a5)
		sonde_field_integer_hex(uint32_t, a6, a6)
		sonde_field_integer(int64_t, a7, a7)
		sonde_field_integer(uint64_t, a8, a8)
		sonde_field_float(double, a9, a9)
		sonde_field_string(a10, a10)
		sonde_field_integer(int64_t, sum, (int64_t)a1 + a3 + a5 + a7)))

#endif
