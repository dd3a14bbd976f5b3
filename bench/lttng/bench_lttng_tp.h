/* SPDX-License-Identifier: MIT */
/*
 * LTTng-UST 2.13 tracepoint provider for the sonde comparison benchmark:
 * one event, sonde_bench:ev3, carrying the same payload as sonde's
 * "enabled-3int" case (int64 a, uint32 b, int32 c).
 */
#undef TRACEPOINT_PROVIDER
#define TRACEPOINT_PROVIDER sonde_bench

#undef TRACEPOINT_INCLUDE
#define TRACEPOINT_INCLUDE "./bench_lttng_tp.h"

#if !defined(BENCH_LTTNG_TP_H) || defined(TRACEPOINT_HEADER_MULTI_READ)
#define BENCH_LTTNG_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

TRACEPOINT_EVENT(
	sonde_bench,
	ev3,
	TP_ARGS(int64_t, a, uint32_t, b, int32_t, c),
	TP_FIELDS(
		ctf_integer(int64_t, a, a)
		ctf_integer(uint32_t, b, b)
		ctf_integer(int32_t, c, c)
	)
)

#endif /* BENCH_LTTNG_TP_H */

#include <lttng/tracepoint-event.h>
