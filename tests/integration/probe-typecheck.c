// SPDX-License-Identifier: MIT
/* Compiled by CTest with and without PROBE_BAD: a probe whose parameters
 * do not match the tracepoint's arguments must not compile (-Werror). */
#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(tc, ev,
	SONDE_TP_ARGS(int64_t, a, const char *, s),
	SONDE_TP_FIELDS(sonde_field_integer(int64_t, a, a)
			sonde_field_string(s, s)))

#ifdef PROBE_BAD
static void probe(void *data, int64_t a, double s)
#else
static void probe(void *data, int64_t a, const char *s)
#endif
{
	(void)data;
	(void)a;
	(void)s;
}

int tc_register(void);

int tc_register(void)
{
	return sonde_probe_register(tc, ev, probe, 0);
}
