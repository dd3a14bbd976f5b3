/* SPDX-License-Identifier: MIT */
/* Provider of test-descendants. */
#ifndef DESCENDANTS_TP_H
#define DESCENDANTS_TP_H

#include <sonde/tracepoint.h>

/* The direct child of sonde record: its parent's pid (sonde record's). */
SONDE_TRACEPOINT_EVENT(desc, start,
	SONDE_TP_ARGS(int32_t, parent),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, parent, parent)))

/* A grandchild's numbered event, with its parent pid at the time. */
SONDE_TRACEPOINT_EVENT(desc, ev,
	SONDE_TP_ARGS(int32_t, seq, int32_t, ppid),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, seq, seq)
		sonde_field_integer(int32_t, ppid, ppid)))

#endif
