/* SPDX-License-Identifier: MIT */
/* Provider of test-filter: fields of every kind a filter reads. */
#ifndef FILTER_TP_H
#define FILTER_TP_H

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(flt, req,
	SONDE_TP_ARGS(uint32_t, id, const char *, path, double, ratio,
		      const char *, tag, int64_t, neg, const uint32_t *, arr),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, id, id)
		sonde_field_integer(uint32_t, size, id * 37 % 2048)
		sonde_field_string(path, path)
		sonde_field_float(double, ratio, ratio)
		sonde_field_integer_hex(uint8_t, flags, id * 16 + 3)
		sonde_field_sequence_text(char, tag, tag, uint8_t, 4)
		sonde_field_integer(int64_t, neg, neg)
		sonde_field_array(uint32_t, arr, arr, 2)
		sonde_field_integer_nowrite(uint32_t, secret, id * 3)))

#endif
