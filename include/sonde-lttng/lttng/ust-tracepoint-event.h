/* SPDX-License-Identifier: MIT */
/* sonde-lttng: LTTng-UST's probe generator, which <lttng/tracepoint-event.h>
 * reads; some provider headers name it directly.  Nothing to generate. */
#include <lttng/tracepoint-event.h>
