// SPDX-License-Identifier: MIT
/* A second source of the compat app using the same provider header: its
 * own call sites of the same events. */
#include "tp.h"

void compat_other_tu(int n)
{
	struct compat_req req = { "/other", "tu", 2, 0, 0 };

	lttng_ust_tracepoint(compat, req_end, n, &req);
	lttng_ust_tracepoint(compat, enums, n);
}
