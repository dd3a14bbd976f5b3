/* SPDX-License-Identifier: MIT */
/*
 * test-compile-fail input: a provider and tracepoint calls.  Compiled with
 * -DSONDE_TRACING_DISABLED its object must not reference any sonde symbol
 * (and must still compile cleanly with -Wall -Wextra -Werror); compiled
 * without it, it must (which shows the check can fail).  With WITH_MAIN it
 * is a whole program that links without libsonde when tracing is disabled.
 */
#include <stdint.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(dis, ev,
	SONDE_TP_ARGS(int64_t, id, const char *, name),
	SONDE_TP_FIELDS(
		sonde_field_integer(int64_t, id, id)
		sonde_field_string(name, name)))

SONDE_TRACEPOINT_EVENT(dis, none, SONDE_TP_ARGS(), SONDE_TP_FIELDS())

int work(int n);

int work(int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++) {
		sonde_tracepoint(dis, ev, i, "loop");
		sum += i;
	}
	sonde_tracepoint(dis, none);
	if (sonde_tracepoint_enabled(dis, ev))
		sum = -sum;
	return sum;
}

#ifdef WITH_MAIN
int main(void)
{
	return work(3) == 3 ? 0 : 1;
}
#endif
