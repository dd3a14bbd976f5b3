/* SPDX-License-Identifier: MIT */
/*
 * sonde tracepoint provider for bench/bench-sonde.c: "bench:ev3" carries
 * the same payload as the LTTng reference event sonde_bench:ev3 (int64 a,
 * uint32 b, int32 c); "bench:str" carries one string field.
 */
#ifndef BENCH_TP_H
#define BENCH_TP_H

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(bench, ev3,
	SONDE_TP_ARGS(int64_t, a, uint32_t, b, int32_t, c),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, a, a)
		sonde_field_integer(uint32_t, b, b)
		sonde_field_integer(int32_t, c, c)))

SONDE_TRACEPOINT_EVENT(bench, str,
	SONDE_TP_ARGS(const char *, s),
	SONDE_TP_FIELDS(
		sonde_field_string(s, s)))

#endif /* BENCH_TP_H */
