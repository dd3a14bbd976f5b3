// SPDX-License-Identifier: MIT
/*
 * test-overflow emitter.
 *   test-overflow burst N [pin]
 *                           emit ovf:ev seq 0..N-1 as fast as possible
 *                           (pin: first bind the thread to the CPU it is on)
 *   test-overflow big       ovf:ev 0, then a 5000-byte ovf:big (larger than
 *                           a 4k sub-buffer), then ovf:ev 1
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(ovf, ev,
	SONDE_TP_ARGS(uint64_t, seq),
	SONDE_TP_FIELDS(sonde_field_integer(uint64_t, seq, seq)))

SONDE_TRACEPOINT_EVENT(ovf, big,
	SONDE_TP_ARGS(const char *, s),
	SONDE_TP_FIELDS(sonde_field_string(s, s)))

int main(int argc, char **argv)
{
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "burst")) {
		uint64_t n = strtoull(argv[2], NULL, 10);

		if (argc == 4) {
			cpu_set_t set;
			int cpu = sched_getcpu();

			CPU_ZERO(&set);
			CPU_SET(cpu < 0 ? 0 : cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set)) {
				perror("test-overflow: sched_setaffinity");
				return 4;
			}
		}
		if (!sonde_tracepoint_enabled(ovf, ev))
			return 3;
		for (uint64_t i = 0; i < n; i++)
			sonde_tracepoint(ovf, ev, i);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "big")) {
		static char s[5001];

		memset(s, 'x', sizeof(s) - 1);
		sonde_tracepoint(ovf, ev, 0);
		sonde_tracepoint(ovf, big, s);
		sonde_tracepoint(ovf, ev, 1);
		return 0;
	}
	fprintf(stderr, "usage: test-overflow burst N | big\n");
	return 2;
}
