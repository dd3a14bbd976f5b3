// SPDX-License-Identifier: MIT
/*
 * Marker cost: the same three values as bench-sonde's enabled-3int case
 * (int64, uint32, int32), recorded through a printf-style marker, in
 * ns/event.  Run under `sonde record --overwrite` so that the consumer never
 * competes: `bench-marker marker ITER` prints "marker NS".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sonde/marker.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noinline)) emit(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		sonde_mark(bench, mark3, "a %lld b %u c %d", (long long)i,
			   (uint32_t)i, (int32_t)i);
}

int main(int argc, char **argv)
{
	uint64_t iters, t0, t1;

	if (argc != 3 || strcmp(argv[1], "marker")) {
		fprintf(stderr, "usage: %s marker ITER\n", argv[0]);
		return 2;
	}
	iters = strtoull(argv[2], NULL, 10);
	if (!iters)
		return 2;
	emit(iters / 4 < 1000000 ? iters / 4 : 1000000); /* warm-up */
	t0 = now_ns();
	emit(iters);
	t1 = now_ns();
	printf("marker %.3f\n", (double)(t1 - t0) / (double)iters);
	return 0;
}
