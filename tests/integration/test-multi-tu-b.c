// SPDX-License-Identifier: MIT
/* test-multi-tu: second translation unit of the executable. */
#include "multitu_tp.h"
#include "test-multi-tu.h"

void multitu_emit_b(int32_t n)
{
	sonde_tracepoint(multitu, hit, "b", n);
}

int multitu_enabled_b(void)
{
	return sonde_tracepoint_enabled(multitu, hit);
}
