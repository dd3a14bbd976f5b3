// SPDX-License-Identifier: MIT
/*
 * test-fields-signed-len emitter: sequences whose length type is signed
 * (sonde_field_sequence accepts any integer length type, and the expansion
 * records a negative length as an empty sequence).  Kept apart from
 * test-fields because a trace whose metadata babeltrace2 rejects would hide
 * every other field check.  Run by test-fields.sh with
 * test-fields-signed-len.expected.
 */
#include <stdint.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

#include "../tap.h"

SONDE_TRACEPOINT_EVENT(seqlen, signed_len,
	SONDE_TP_ARGS(const int32_t *, v, int32_t, n, const uint8_t *, w,
		      int8_t, m, const uint16_t *, x, int64_t, k),
	SONDE_TP_FIELDS(
		sonde_field_sequence(int32_t, v, v, int32_t, n)
		sonde_field_sequence(uint8_t, w, w, int8_t, m)
		sonde_field_sequence(uint16_t, x, x, int64_t, k)))

int main(void)
{
	static const int32_t v[2] = { -5, 6 };
	static const uint8_t w[3] = { 7, 8, 9 };
	static const uint16_t x[1] = { 65535 };

	tap_plan(1);
	tap_diag("pid %d", (int)getpid());
	tap_ok(sonde_tracepoint_enabled(seqlen, signed_len) != 0,
	       "seqlen:signed_len is enabled under sonde record");
	sonde_tracepoint(seqlen, signed_len, v, 2, w, 3, x, 1);
	sonde_tracepoint(seqlen, signed_len, v, 0, w, 0, x, 0);
	sonde_tracepoint(seqlen, signed_len, v, -1, w, -128, x, -1);
	return tap_done();
}
