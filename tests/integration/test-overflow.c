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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sonde/marker.h>
#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(ovf, ev,
	SONDE_TP_ARGS(uint64_t, seq),
	SONDE_TP_FIELDS(sonde_field_integer(uint64_t, seq, seq)))

SONDE_TRACEPOINT_EVENT(ovf, big,
	SONDE_TP_ARGS(const char *, s),
	SONDE_TP_FIELDS(sonde_field_string(s, s)))

SONDE_TRACEPOINT_EVENT(ovf, huge,
	SONDE_TP_ARGS(const uint8_t *, data, uint32_t, len),
	SONDE_TP_FIELDS(sonde_field_sequence(uint8_t, data, data, uint32_t, len)))

/* Keep the calling thread on @cpu (-1: the CPU it is on). */
static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("test-overflow: sched_setaffinity");
		return 4;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "burst")) {
		uint64_t n = strtoull(argv[2], NULL, 10);

		if (argc == 4 && pin(-1))
			return 4;
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
	if (argc == 4 && !strcmp(argv[1], "huge")) {
		/* A payload over the largest record (16 MiB) in sub-buffers
		 * big enough to take it whole were it not for that limit. */
		uint32_t len = (uint32_t)strtoul(argv[3], NULL, 10);
		uint8_t *data = malloc(len);

		if (!data || pin(atoi(argv[2])))
			return 4;
		memset(data, 0xab, len);
		sonde_tracepoint(ovf, ev, 0);
		sonde_tracepoint(ovf, huge, data, len);
		sonde_tracepoint(ovf, ev, 1);
		free(data);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "hugemark")) {
		/* The same through a printf-style marker's string. */
		size_t len = strtoul(argv[2], NULL, 10);
		char *str = malloc(len + 1);

		if (!str)
			return 4;
		memset(str, 'y', len);
		str[len] = 0;
		sonde_tracepoint(ovf, ev, 0);
		sonde_mark(ovf, hugemark, "%s", str);
		sonde_tracepoint(ovf, ev, 1);
		free(str);
		return 0;
	}
	fprintf(stderr, "usage: test-overflow burst N | big | huge CPU LEN | hugemark LEN\n");
	return 2;
}
