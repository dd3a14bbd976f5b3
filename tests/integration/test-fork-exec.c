// SPDX-License-Identifier: MIT
/* test-fork: the program that test-fork's second child exec's. */
#include <unistd.h>

#include "fork_tp.h"

int main(void)
{
	if (!forkt_wait_enabled() || !sonde_tracepoint_enabled(forkt, ev))
		return 10;
	forkt_emit(2, 0, FORKT_N);
	return 0;
}
