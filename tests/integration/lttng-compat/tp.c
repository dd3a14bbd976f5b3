/* SPDX-License-Identifier: MIT */
/* The provider's probes, as lttng-ust(3) has them built: statically linked. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE

#include "tp.h"
