// SPDX-License-Identifier: MIT
/*
 * test-tracef emitter: sonde_tracef(), sonde_vtracef(), sonde_tracelog()
 * and sonde_vtracelog() with integers, strings, floats, pointers, widths
 * and precisions ('*' ones included), %%, several call sites with the same
 * types and different formats, and one call site many times.  For each
 * event it prints on stdout what the reader must show:
 *	NAME|LOC|"MSG"
 * with MSG the message snprintf(3) makes of the same format and
 * arguments, escaped as sonde view (and babeltrace2) escape strings, and
 * LOC, for tracelog, 'line = N, file = "F", func = "F", '.
 * test-tracef.sh compares that with sonde view.  Formats that are not
 * literals (a wrapper's, a variable) are formatted at the call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sonde/tracef.h>

/* @s as sonde view quotes a string. */
static void put_escaped(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '\\': case '\'': case '"': case '?':
			printf("\\%c", c);
			break;
		case '\a': printf("\\a"); break;
		case '\b': printf("\\b"); break;
		case 27: printf("\\e"); break;
		case '\f': printf("\\f"); break;
		case '\n': printf("\\n"); break;
		case '\r': printf("\\r"); break;
		case '\t': printf("\\t"); break;
		case '\v': printf("\\v"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				printf("\\x%02x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

static void expect(const char *name, const char *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void expect(const char *name, const char *loc, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("%s|%s|", name, loc);
	put_escaped(msg);
	putchar('\n');
}

#define TF(fmt, ...)                                                           \
	do {                                                                   \
		sonde_tracef(fmt, ##__VA_ARGS__);                              \
		expect("sonde_tracef:event", "", fmt, ##__VA_ARGS__);          \
	} while (0)

/* The tracelog call and its expectation on one line: same __LINE__. */
#define TL(level, lname, fmt, ...)                                             \
	do {                                                                   \
		char loc_[512];                                                \
		sonde_tracelog(level, fmt, ##__VA_ARGS__);                     \
		snprintf(loc_, sizeof(loc_),                                   \
			 "line = %d, file = \"%s\", func = \"%s\", ",          \
			 __LINE__, __FILE__, __func__);                        \
		expect("sonde_tracelog:" lname, loc_, fmt, ##__VA_ARGS__);     \
	} while (0)

/* A logging wrapper of the kind vtracef exists for. */
static void vwrap(int level, ...)
{
	char msg[4096], loc[512];
	va_list ap;
	int line;

	va_start(ap, level);
	if (level < 0) {
		sonde_vtracef("v %s=%d [%8.3f] %c%%", ap);
		vsnprintf(msg, sizeof(msg), "v %s=%d [%8.3f] %c%%", ap);
		printf("sonde_tracef:event||");
	} else {
		sonde_vtracelog(SONDE_LOGLEVEL_ERR, "vlog %s %ld", ap); line = __LINE__;
		vsnprintf(msg, sizeof(msg), "vlog %s %ld", ap);
		snprintf(loc, sizeof(loc),
			 "line = %d, file = \"%s\", func = \"%s\", ", line,
			 __FILE__, __func__);
		printf("sonde_tracelog:TRACE_ERR|%s|", loc);
	}
	va_end(ap);
	put_escaped(msg);
	putchar('\n');
}

/*
 * A logging wrapper that forwards its caller's format, as LTTng-UST lets
 * vtracef() and vtracelog() do: the format is not a literal, so the
 * message is formatted at the call and recorded as one string.
 */
static void logf_(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(int level, const char *fmt, ...)
{
	char msg[8192], loc[512];
	va_list ap;
	int line;

	va_start(ap, fmt);
	if (level < 0) {
		sonde_vtracef(fmt, ap);
		printf("sonde_tracef:event||");
	} else {
		sonde_vtracelog(SONDE_LOGLEVEL_ERR, fmt, ap); line = __LINE__;
		snprintf(loc, sizeof(loc),
			 "line = %d, file = \"%s\", func = \"%s\", ", line,
			 __FILE__, __func__);
		printf("sonde_tracelog:TRACE_ERR|%s|", loc);
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strlen(msg) >= SONDE_TRACEF_MSG_MAX) {
		/* Cut, and saying by how much. */
		char tail[32];
		int t = snprintf(tail, sizeof(tail), "[+%zu bytes]",
				 strlen(msg) - (SONDE_TRACEF_MSG_MAX - 1));

		memcpy(msg + SONDE_TRACEF_MSG_MAX - 1 - t, tail, (size_t)t + 1);
	}
	put_escaped(msg);
	putchar('\n');
}

int main(void)
{
	const char *volatile nul = NULL; /* a NULL the compiler cannot see */

	TF("int %d uint %u hex %#x HEX %X oct %o char %c", -42, 42u, 255u,
	   0xabcu, 8u, 'Z');
	TF("str [%s] [%10s] [%-10s] [%.3s] null %s", "hello", "right", "left",
	   "truncate", nul);
	TF("float %f %.2f %e %g %10.3f|%-8.1f|%+.0f %G %a", 3.14159, 2.71828,
	   12345.678, 0.0001, -1.5, 2.25, 7.5, 1e-10, 1.0);
	TF("ptr %p null %p", (void *)0x1234, (void *)0);
	TF("star [%*d] [%-*d] [%.*f] [%*.*s] [%*d] [%.*s]", 6, 42, 6, 42, 2,
	   3.14159, 8, 3, "abcdef", -6, 7, -1, "neg precision");
	TF("percent 100%% done %d%%", 50);
	TF("long %ld %lld %zu %hhd %hu %jd %lx %+05d % d", -1L, -5000000000LL,
	   (size_t)123, (signed char)-5, (unsigned short)65000, (intmax_t)-8,
	   0xdeadbeefUL, 42, 7);
	TF("no conversions at all");
	TF("quote \" backslash \\ tab\tnewline\nescape \033[1m done %s", "ok");
	for (int i = 0; i < 3; i++) {
		TF("alpha %d", i);
		TF("beta %d", i * 10);
	}
	for (int i = 0; i < 100; i++)
		TF("iter %d of %d", i, 100);
	vwrap(-1, "key", 17, 2.5, 'q');
	TL(SONDE_LOGLEVEL_WARNING, "TRACE_WARNING", "warn %d %s", 1, "disk");
	TL(SONDE_LOGLEVEL_ERR, "TRACE_ERR", "err [%5.1f]", 99.94);
	TL(SONDE_LOGLEVEL_DEBUG, "TRACE_DEBUG", "debug %u", 3u);
	TL(SONDE_LOGLEVEL_INFO, "TRACE_INFO", "info only");
	vwrap(1, "vv", 123456789L);
	{
		static char big[6000];
		const char *volatile dyn = "direct %s %d"; /* not a literal */

		memset(big, 'b', sizeof(big) - 1);
		logf_(-1, "wrapped %d %s %.1f", 7, "seven", 7.0);
		logf_(-1, "wrapped %d %s %.1f", 8, "eight", 8.0);
		logf_(1, "wrapped log %x", 255u);
		logf_(-1, "long [%s]", big);
		sonde_tracef(dyn, "call", 9);
		expect("sonde_tracef:event", "", "direct %s %d", "call", 9);
	}
	return 0;
}
