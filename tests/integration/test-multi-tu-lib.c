// SPDX-License-Identifier: MIT
/* test-multi-tu: the same provider header in a shared library. */
#include "multitu_tp.h"
#include "test-multi-tu.h"

void multitu_emit_lib(int32_t n)
{
	sonde_tracepoint(multitu, hit, "lib", n);
}

int multitu_enabled_lib(void)
{
	return sonde_tracepoint_enabled(multitu, hit);
}
