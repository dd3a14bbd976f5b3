/* SPDX-License-Identifier: MIT */
/* Provider header of the example program: one header defines the events. */
#ifndef HELLO_TP_H
#define HELLO_TP_H

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(hello, request,
	SONDE_TP_ARGS(int64_t, id, uint32_t, size, const char *, path),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, id, id)
		sonde_field_integer_hex(uint32_t, size, size)
		sonde_field_string(path, path)))

SONDE_TRACEPOINT_EVENT(hello, tick,
	SONDE_TP_ARGS(uint64_t, n, double, load),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint64_t, n, n)
		sonde_field_float(double, load, load)))

#endif
