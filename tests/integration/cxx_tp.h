/* SPDX-License-Identifier: MIT */
/* Provider of test-cxx, included from C++. */
#ifndef CXX_TP_H
#define CXX_TP_H

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(cxx, call,
	SONDE_TP_ARGS(const char *, where, int64_t, value, double, ratio),
	SONDE_TP_FIELDS(
		sonde_field_string(where, where)
		sonde_field_integer(int64_t, value, value)
		sonde_field_integer_hex(uint16_t, low, (uint16_t)value)
		sonde_field_float(double, ratio, ratio)))

SONDE_TRACEPOINT_EVENT(cxx, vec,
	SONDE_TP_ARGS(const int32_t *, data, uint32_t, n),
	SONDE_TP_FIELDS(
		sonde_field_array(int32_t, first2, data, 2)
		sonde_field_sequence(int32_t, all, data, uint32_t, n)))

SONDE_TRACEPOINT_EVENT(cxx, noargs, SONDE_TP_ARGS(), SONDE_TP_FIELDS())

#endif
