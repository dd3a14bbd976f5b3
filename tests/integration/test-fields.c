// SPDX-License-Identifier: MIT
/*
 * test-fields emitter: run under `sonde record` by test-fields.sh, which
 * compares babeltrace2's reading of the trace with test-fields.expected.
 * Emits every event of fields_tp.h in a fixed order; its own TAP checks
 * (stdout) cover what only the process can see: the sites are enabled and
 * arguments are evaluated exactly once.
 */
#include <float.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "fields_tp.h"

static int evaluations;

static int64_t counted(int64_t v)
{
	evaluations++;
	return v;
}

int main(void)
{
	static char big[4001];
	static const int8_t a8[3] = { INT8_MIN, 0, INT8_MAX };
	static const uint16_t a16[2] = { 0, UINT16_MAX };
	static const int32_t a32[4] = { -1, 1, INT32_MIN, INT32_MAX };
	static const uint64_t a64[1] = { UINT64_MAX };
	static const uint8_t s8[3] = { 1, 2, 255 };
	static const int16_t s16[2] = { -32768, 32767 };
	static const uint32_t s32[1] = { 4000000000u };
	static const int64_t s64[4] = { INT64_MIN, -1, 0, INT64_MAX };
	uint32_t many[300];

	tap_plan(4);
	tap_diag("pid %d", (int)getpid());
	tap_ok(sonde_tracepoint_enabled(fields, signed_ints) != 0,
	       "fields:signed_ints is enabled under sonde record");
	tap_ok(sonde_tracepoint_enabled(fields, empty) != 0,
	       "fields:empty (no arguments) is enabled");
	tap_ok(sonde_tracepoint_enabled(fields, ten) != 0,
	       "fields:ten (ten arguments) is enabled");

	/* Integers: minimum, maximum, and small values. */
	sonde_tracepoint(fields, signed_ints, INT8_MIN, INT16_MIN, INT32_MIN,
			 INT64_MIN);
	sonde_tracepoint(fields, signed_ints, INT8_MAX, INT16_MAX, INT32_MAX,
			 INT64_MAX);
	sonde_tracepoint(fields, signed_ints, -1, 0, 1, counted(-2));
	tap_is_int(evaluations, 1, "an argument is evaluated exactly once");
	sonde_tracepoint(fields, unsigned_ints, 0, 0, 0, 0);
	sonde_tracepoint(fields, unsigned_ints, UINT8_MAX, UINT16_MAX,
			 UINT32_MAX, UINT64_MAX);
	sonde_tracepoint(fields, unsigned_ints, 1, 2, 3, 4);

	/* Hexadecimal integers. */
	sonde_tracepoint(fields, hex, 0xab, 0xbeef, 0xdeadbeefu,
			 0x0123456789abcdefull);
	sonde_tracepoint(fields, hex, 0, 0, 0, 0);
	sonde_tracepoint(fields, hex, UINT8_MAX, UINT16_MAX, UINT32_MAX,
			 UINT64_MAX);

	/* Floats: negative, fractional, zero, large and small magnitudes. */
	sonde_tracepoint(fields, floats, 1.5f, -2.25);
	sonde_tracepoint(fields, floats, -0.125f, 3.0e300);
	sonde_tracepoint(fields, floats, 0.0f, -123.456);
	sonde_tracepoint(fields, floats, 0.1f, 1.0e-10);
	sonde_tracepoint(fields, floats, FLT_MAX, DBL_MIN);

	/* Strings: ordinary, empty, NULL, non-ASCII UTF-8, punctuation. */
	sonde_tracepoint(fields, strings, "hello", "");
	sonde_tracepoint(fields, strings, NULL, "after null");
	sonde_tracepoint(fields, strings, "caf\xc3\xa9 \xe2\x82\xac", "a b,c=d");

	/* A string of 4000 bytes, fields after it. */
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof(big) - 1] = 0;
	sonde_tracepoint(fields, bigstr, big, (uint32_t)strlen(big));

	/* Fixed-size arrays. */
	sonde_tracepoint(fields, arrays, a8, a16, a32, a64);

	/* Sequences: all of length 0 (one with a NULL pointer), then N. */
	sonde_tracepoint(fields, seqs, s8, 0, s16, 0, NULL, 0, s64, 0);
	sonde_tracepoint(fields, seqs, s8, 3, s16, 2, s32, 1, s64, 4);
	sonde_tracepoint(fields, seqs, s8, 1, s16, 1, s32, 0, s64, 1);
	for (uint32_t i = 0; i < 300; i++)
		many[i] = i * 3;
	sonde_tracepoint(fields, seq_sized, many, 300);
	sonde_tracepoint(fields, seq_sized, many, 0);

	/* No arguments. */
	sonde_tracepoint(fields, empty);
	sonde_tracepoint(fields, consts);

	/* Ten arguments. */
	sonde_tracepoint(fields, ten, -8, 200, -16000, 60000, -2000000000,
			 0xfeedfaceu, -9000000000000000000LL,
			 18000000000000000000ULL, 0.5, "tenth");

	return tap_done();
}
