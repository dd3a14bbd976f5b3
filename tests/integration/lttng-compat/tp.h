/* SPDX-License-Identifier: MIT */
/*
 * A tracepoint provider written for LTTng-UST 2.13 (lttng-ust(3), API
 * version 1), as its users write them: test-lttng-compat builds it
 * unchanged against sonde's <lttng/...> headers and, where LTTng-UST is
 * installed, against LTTng-UST itself.  native_tp.h declares the same
 * events with sonde's own API.  Network byte order fields take values in
 * network order, as LTTng-UST wants them.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER compat

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./tp.h"

#if !defined(COMPAT_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define COMPAT_TP_H

#include <lttng/tracepoint.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"

LTTNG_UST_TRACEPOINT_ENUM(compat, state,
	LTTNG_UST_TP_ENUM_VALUES(
		lttng_ust_field_enum_value("IDLE", 0)
		lttng_ust_field_enum_range("BUSY", 1, 5)
		lttng_ust_field_enum_auto("DONE")
		lttng_ust_field_enum_value("NEG", -3)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(compat, ints,
	LTTNG_UST_TP_ARGS(int, i, uint16_t, port, uint64_t, big, double, d,
			  const char *, s),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, i, i)
		lttng_ust_field_integer_hex(unsigned int, ihex, (unsigned int)i)
		lttng_ust_field_integer_network(uint16_t, port, port)
		lttng_ust_field_integer_network_hex(uint64_t, bignet, big)
		lttng_ust_field_integer_nowrite(int, hidden, i * 2)
		lttng_ust_field_float(double, d, d)
		lttng_ust_field_float(float, f, (float)d)
		lttng_ust_field_float_nowrite(double, dh, d)
		lttng_ust_field_string(s, s)
		lttng_ust_field_string_nowrite(sh, s)
		lttng_ust_field_unused(big)
		lttng_ust_field_integer(long, neg, -(long)i)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(compat, arrays,
	LTTNG_UST_TP_ARGS(const int32_t *, a, const int32_t *, na, const char *, t),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_array(int32_t, a, a, 3)
		lttng_ust_field_array_hex(int32_t, ahex, a, 2)
		lttng_ust_field_array_network(int32_t, anet, na, 3)
		lttng_ust_field_array_network_hex(int32_t, anethex, na, 2)
		lttng_ust_field_array_text(char, atext, t, 4)
		lttng_ust_field_array_nowrite(int32_t, an, a, 3)
		lttng_ust_field_array_nowrite_hex(int32_t, anh, a, 3)
		lttng_ust_field_array_network_nowrite(int32_t, ann, a, 3)
		lttng_ust_field_array_network_nowrite_hex(int32_t, annh, a, 3)
		lttng_ust_field_array_text_nowrite(char, atn, t, 4)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(compat, seqs,
	LTTNG_UST_TP_ARGS(const uint32_t *, v, const uint32_t *, nv, size_t, n,
			  const char *, t, unsigned int, tn),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_sequence(uint32_t, seq, v, size_t, n)
		lttng_ust_field_sequence_hex(uint32_t, seqhex, v, uint8_t, n)
		lttng_ust_field_sequence_network(uint32_t, seqnet, nv, uint16_t, n)
		lttng_ust_field_sequence_network_hex(uint32_t, seqnethex, nv,
						     unsigned int, n)
		lttng_ust_field_sequence_text(char, txt, t, unsigned int, tn)
		lttng_ust_field_sequence_nowrite(uint32_t, sn, v, size_t, n)
		lttng_ust_field_sequence_nowrite_hex(uint32_t, snh, v, size_t, n)
		lttng_ust_field_sequence_network_nowrite(uint32_t, snn, v,
							 size_t, n)
		lttng_ust_field_sequence_network_nowrite_hex(uint32_t, snnh, v,
							     size_t, n)
		lttng_ust_field_sequence_text_nowrite(char, stn, t, size_t, tn)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(compat, enums,
	LTTNG_UST_TP_ARGS(int, v),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_enum(compat, state, int, st, v)
		lttng_ust_field_enum(compat, state, int8_t, st8, v)
		lttng_ust_field_enum_nowrite(compat, state, int, sth, v)
	)
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(compat, enums,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE)

LTTNG_UST_TRACEPOINT_EVENT_CLASS(compat, request,
	LTTNG_UST_TP_ARGS(int, id, const struct compat_req *, req),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int, id, id)
		lttng_ust_field_string(path, req->path)
		lttng_ust_field_sequence_text(char, body, req->body, uint16_t,
					      req->body_len)
		lttng_ust_field_integer_network_hex(uint32_t, addr, req->addr)
		lttng_ust_field_integer_nowrite(int, secret, req->secret)
	)
)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(compat, request, compat, req_begin,
	LTTNG_UST_TP_ARGS(int, id, const struct compat_req *, req))
LTTNG_UST_TRACEPOINT_LOGLEVEL(compat, req_begin,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(compat, request, compat, req_fail,
	LTTNG_UST_TP_ARGS(int, id, const struct compat_req *, req))
LTTNG_UST_TRACEPOINT_LOGLEVEL(compat, req_fail,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_CRIT)

LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(compat, request, compat, req_end,
	LTTNG_UST_TP_ARGS(int, id, const struct compat_req *, req))

LTTNG_UST_TRACEPOINT_EVENT(compat, tick,
	LTTNG_UST_TP_ARGS(),
	LTTNG_UST_TP_FIELDS()
)
LTTNG_UST_TRACEPOINT_LOGLEVEL(compat, tick,
	LTTNG_UST_TRACEPOINT_LOGLEVEL_WARNING)

LTTNG_UST_TRACEPOINT_EVENT(compat, costly,
	LTTNG_UST_TP_ARGS(long, sum),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(long, sum, sum)
	)
)

#endif /* COMPAT_TP_H */

#include <lttng/tracepoint-event.h>
