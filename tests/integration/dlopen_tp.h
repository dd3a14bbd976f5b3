/* SPDX-License-Identifier: MIT */
/* Provider of test-dlopen's plugin library. */
#ifndef DLOPEN_TP_H
#define DLOPEN_TP_H

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(dlprov, ev,
	SONDE_TP_ARGS(int32_t, round, int32_t, n, const char *, tag),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, round, round)
		sonde_field_integer(int32_t, n, n)
		sonde_field_string(tag, tag)))

#endif
