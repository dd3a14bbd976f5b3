// SPDX-License-Identifier: MIT
/*
 * Example: a small "server" loop with two tracepoints.  Run it under
 * `sonde record -- ./hello [N]` and read the trace with babeltrace2 or
 * `sonde view`.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hello_tp.h"

int main(int argc, char **argv)
{
	static const char *const paths[] = { "/index.html", "/about",
					     "/api/v1/items", "/favicon.ico" };
	long n = argc > 1 ? atol(argv[1]) : 10;

	for (long i = 0; i < n; i++) {
		sonde_tracepoint(hello, request, i, (uint32_t)(512 + i),
				 paths[i % 4]);
		if (sonde_tracepoint_enabled(hello, tick))
			sonde_tracepoint(hello, tick, (uint64_t)i, i / 10.0);
	}
	printf("hello: served %ld requests\n", n);
	return 0;
}
