/* SPDX-License-Identifier: MIT */
/* Events of the ring-buffer stress test. */
#ifndef STRESS_TP_H
#define STRESS_TP_H

#include <sonde/tracepoint.h>

/* A record whose every byte is predictable from (thread, seq). */
SONDE_TRACEPOINT_EVENT(stress, rec,
	SONDE_TP_ARGS(uint32_t, thread, uint64_t, seq, int32_t, tid,
		      const uint8_t *, bytes, uint16_t, len),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, thread, thread)
		sonde_field_integer(uint64_t, seq, seq)
		sonde_field_integer(int32_t, tid, tid)
		sonde_field_sequence(uint8_t, bytes, bytes, uint16_t, len)))

/* Emitted from a signal handler that may interrupt stress:rec. */
SONDE_TRACEPOINT_EVENT(stress, sig,
	SONDE_TP_ARGS(uint32_t, thread, uint64_t, seq, int32_t, tid),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, thread, thread)
		sonde_field_integer(uint64_t, seq, seq)
		sonde_field_integer(int32_t, tid, tid)))

#endif
