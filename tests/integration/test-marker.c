// SPDX-License-Identifier: MIT
/*
 * test-marker emitter: printf-style markers with every conversion and
 * length modifier, flags, '*' width and precision, repeated and missing
 * field names, prose (filler words, words glued to a conversion: argN),
 * a long string (two-step record), and malformed formats
 * (compiled in test-marker-bad.c, where the printf check is off) that must
 * be rejected without harm.  test-marker.sh compares babeltrace2's text.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <sonde/marker.h>

void bad_markers(void);

int main(void)
{
	const char *volatile nul = NULL; /* a NULL the compiler cannot see */
	const char *key = "k1";
	size_t size = 42;
	char big[600];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	sonde_mark(myapp, cache_miss, "key %s size %zu", key, size);
	sonde_mark(myapp, all,
		   "a=%d b=%i c=%u x=%x X=%X o=%o ch=%c s=%s p=%p f=%f e=%e g=%g",
		   -1, 2, 3u, 255u, 0xABCu, 8u, 'A', "str", (void *)0x1234, 1.5,
		   -2.25, 1e10);
	sonde_mark(myapp, mods,
		   "%hhd %hd %ld %lld %zd %jd %td %hhu %hu %lu %llu %zu %ju %hhx %lx",
		   (signed char)-5, (short)-300, -70000L, -5000000000LL,
		   (ssize_t)-7, (intmax_t)-8, (ptrdiff_t)-9, (unsigned char)250,
		   (unsigned short)65000, 4000000000UL, 18000000000000000000ULL,
		   (size_t)11, (uintmax_t)12, (unsigned char)0xfe, 0xdeadbeefUL);
	sonde_mark(myapp, flags, "w %*d p %.*s v %-+8.3f n %#x pct 100%% end",
		   5, 42, 2, "abcdef", 3.25, 16u);
	sonde_mark(myapp, names, "n %d n %d %d", 1, 2, 3);
	sonde_mark(myapp, noarg, "no conversions");
	sonde_mark(myapp, null, "s %s", nul);
	sonde_mark(myapp, prose, "got %s, then 0x%x id%d size: %zu key = %s",
		   "mystring test", 16u, 7, (size_t)3, "k");
	sonde_mark(myapp, big, "len %d text %s", 599, big);
	bad_markers();
	sonde_mark(myapp, after, "still %s", "recording");
	return 0;
}
