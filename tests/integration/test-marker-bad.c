// SPDX-License-Identifier: MIT
/*
 * Malformed marker formats for test-marker; compiled with -Wno-format,
 * since the compiler would (rightly) refuse them otherwise.
 */
#include <sonde/marker.h>

void bad_markers(void);

void bad_markers(void)
{
	int n = 0;

	sonde_mark(bad, unknown, "x %q", 1);
	sonde_mark(bad, count, "x %n", &n);
	sonde_mark(bad, trailing, "x %d %", 1);
	sonde_mark(bad, longdouble, "x %Lf", 1.0L);
}
