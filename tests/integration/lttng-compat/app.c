// SPDX-License-Identifier: MIT
/*
 * The compat test app: an LTTng-UST 2.13 application (tp.h, tp0.h, tp.c,
 * tp0.c, other.c and this file), built unchanged against sonde's
 * <lttng/...> headers, in C and in C++, and against LTTng-UST where it is
 * installed.  native.c emits the same events through sonde's own API;
 * test-lttng-compat.sh compares the traces.  Then tracef(3) and
 * tracelog(3) messages (events lttng_ust_tracef:event and
 * lttng_ust_tracelog:LTTNG_UST_TRACEPOINT_LOGLEVEL_*), whose text LTTng-UST
 * formats and sonde's readers render.  Prints "# pid N".
 */
#include <arpa/inet.h>
#include <endian.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <lttng/tracef.h>
#include <lttng/tracelog.h>

#include "tp.h"
#include "tp0.h"

/*
 * Spellings sonde gives beyond LTTng-UST 2.13's headers: version 0's
 * vtracef() and vtracelog() (2.12's; 2.13 gives only tracef() and
 * tracelog()), built against LTTng-UST as lttng_ust_vtracef() and
 * lttng_ust_vtracelog(); and tracelog() with a TRACE_ level, which 2.13
 * pastes into its symbols' names, where it has only the
 * LTTNG_UST_TRACEPOINT_LOGLEVEL_ ones: the names it would want, for the
 * level used here.
 */
#ifdef SONDE_LTTNG
#define APP_VTRACEF vtracef
#define APP_VTRACELOG vtracelog
#else
#define APP_VTRACEF lttng_ust_vtracef
#define APP_VTRACELOG lttng_ust_vtracelog
#define lttng_ust_tracepoint_lttng_ust_tracelog___TRACE_WARNING                \
	lttng_ust_tracepoint_lttng_ust_tracelog___LTTNG_UST_TRACEPOINT_LOGLEVEL_WARNING
#define lttng_ust__tracelog_TRACE_WARNING                                      \
	lttng_ust__tracelog_LTTNG_UST_TRACEPOINT_LOGLEVEL_WARNING
#endif

/* A program's own logging function, on the va_list forms. */
static void app_log(int verbose, ...)
{
	va_list ap;

	va_start(ap, verbose);
	if (verbose)
		lttng_ust_vtracef("vtracef %d of %s", ap);
	else
		APP_VTRACEF("vtracef %d of %s", ap);
	va_end(ap);
	va_start(ap, verbose);
	if (verbose)
		lttng_ust_vtracelog(LTTNG_UST_TRACEPOINT_LOGLEVEL_NOTICE,
				    "vtracelog %d of %s", ap);
	else
		APP_VTRACELOG(LTTNG_UST_TRACEPOINT_LOGLEVEL_CRIT,
			      "vtracelog %d of %s", ap);
	va_end(ap);
}

static long costly_sum(int n)
{
	long s = 0;

	for (int i = 1; i <= n; i++)
		s += i;
	return s;
}

int main(void)
{
	static const int32_t a[3] = { 1, -2, 0x01020304 };
	static const uint32_t v[4] = { 7, 0xdeadbeefu, 0, 65536 };
	static const uint16_t p[3] = { 80, 0x1234, 65535 };
	int32_t na[3];
	uint32_t nv[4];
	uint16_t np[3];
	struct compat_req req = { "/index.html", "GET body!", 4,
				  htonl(0x7f000001u), 42 };

	/* What network byte order fields take. */
	for (int i = 0; i < 3; i++) {
		na[i] = (int32_t)htonl((uint32_t)a[i]);
		np[i] = htons(p[i]);
	}
	for (int i = 0; i < 4; i++)
		nv[i] = htonl(v[i]);

	lttng_ust_tracepoint(compat, ints, 42, htons(8080),
			     htobe64(0x0102030405060708ull), 3.5, "hello");
	lttng_ust_tracepoint(compat, ints, -7, 0, 0, -0.25, NULL);
	lttng_ust_tracepoint(compat, arrays, a, na, "abcdefg");
	lttng_ust_tracepoint(compat, arrays, a, na, "x\0yz");
	lttng_ust_tracepoint(compat, seqs, v, nv, 4, "some text", 4);
	lttng_ust_tracepoint(compat, seqs, v, nv, 0, "", 0);
	for (int i = -3; i <= 9; i += 3)
		lttng_ust_tracepoint(compat, enums, i);
	lttng_ust_tracepoint(compat, req_begin, 1, &req);
	req.body_len = 9;
	req.path = "/missing";
	lttng_ust_tracepoint(compat, req_fail, 2, &req);
	req.body_len = 0;
	lttng_ust_tracepoint(compat, req_end, 3, &req);
	lttng_ust_tracepoint(compat, tick);
	if (lttng_ust_tracepoint_enabled(compat, costly))
		lttng_ust_do_tracepoint(compat, costly, costly_sum(100));

	tracepoint(compat0, sample, 0, "red", 0, 0);
	tracepoint(compat0, sample, 12, "blue", htons(12), htonl(12));
	tracepoint(compat0, sample, 20, "after", htons(0xfffe), htonl(0xffu));
	tracepoint(compat0, sample, 7, "none", htons(7), htonl(0x80000000u));
	tracepoint(compat0, vecs, p, np, 3, "abc");
	/* Three readable bytes, as the array reads three. */
	tracepoint(compat0, vecs, p, np, 0, "\0\0");
	tracepoint(compat0, first, 1, 255);
	tracepoint(compat0, second, -1, 16);
	if (tracepoint_enabled(compat0, first))
		do_tracepoint(compat0, first, 2, 3);

	compat_other_tu(5);

	tracef("tracef %d %s", 1, "one");
	lttng_ust_tracef("%s: [%5.2f] [%-4x] [%c] [%lu]", "ust", 2.5, 0x2au, 'z',
			 (unsigned long)-1);
	lttng_ust_tracef("no arguments");
	app_log(0, 3, "three");
	app_log(1, 4, "four");
	tracelog(TRACE_WARNING, "tracelog %d", 5);
	lttng_ust_tracelog(LTTNG_UST_TRACEPOINT_LOGLEVEL_ERR, "err %s at %p",
			   "disk", (void *)0x1000);
	lttng_ust_tracelog(LTTNG_UST_TRACEPOINT_LOGLEVEL_INFO, "info %lld",
			   -(1ll << 40));
	lttng_ust_tracelog(LTTNG_UST_TRACEPOINT_LOGLEVEL_DEBUG, "debug %.3e",
			   12345.678);
	printf("# pid %d\n", (int)getpid());
	return 0;
}
