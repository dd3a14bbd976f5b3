// SPDX-License-Identifier: MIT
/*
 * test-multi-tu emitter: one provider header included by this file, by
 * test-multi-tu-b.c (same executable) and by a shared library.  Emits
 * multitu:hit from the three sites in turn, N rounds (argv[1]); the trace
 * must hold all 3N events in that order (checked by test-multi-tu.sh).
 */
#include <stdlib.h>

#include "../tap.h"
#include "multitu_tp.h"
#include "test-multi-tu.h"

int main(int argc, char **argv)
{
	int32_t n = argc > 1 ? (int32_t)atoi(argv[1]) : 100;

	tap_plan(3);
	tap_ok(sonde_tracepoint_enabled(multitu, hit) != 0,
	       "site in main.c is enabled");
	tap_ok(multitu_enabled_b() != 0, "site in b.c is enabled");
	tap_ok(multitu_enabled_lib() != 0, "site in the shared library is enabled");
	for (int32_t i = 0; i < n; i++) {
		sonde_tracepoint(multitu, hit, "main", i);
		multitu_emit_b(i);
		multitu_emit_lib(i);
	}
	return tap_done();
}
