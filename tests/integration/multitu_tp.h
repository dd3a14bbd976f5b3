/* SPDX-License-Identifier: MIT */
/* Provider of test-multi-tu: included by two .c files of the executable
 * and by a shared library. */
#ifndef MULTITU_TP_H
#define MULTITU_TP_H

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(multitu, hit,
	SONDE_TP_ARGS(const char *, site, int32_t, n),
	SONDE_TP_FIELDS(
		sonde_field_string(site, site)
		sonde_field_integer(int32_t, n, n)))

#endif
