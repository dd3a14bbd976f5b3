// SPDX-License-Identifier: MIT
/*
 * The compat app's events, in the same order with the same values, written
 * with sonde's own API (native_tp.h): network byte order fields get host
 * values, since sonde's own swap them.  Prints "# pid N".
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "native_tp.h"

static long costly_sum(int n)
{
	long s = 0;

	for (int i = 1; i <= n; i++)
		s += i;
	return s;
}

static void other_tu(int n)
{
	struct compat_req req = { "/other", "tu", 2, 0, 0 };

	sonde_tracepoint(compat, req_end, n, &req);
	sonde_tracepoint(compat, enums, n);
}

int main(void)
{
	static const int32_t a[3] = { 1, -2, 0x01020304 };
	static const uint32_t v[4] = { 7, 0xdeadbeefu, 0, 65536 };
	static const uint16_t p[3] = { 80, 0x1234, 65535 };
	struct compat_req req = { "/index.html", "GET body!", 4, 0x7f000001u, 42 };

	sonde_tracepoint(compat, ints, 42, 8080, 0x0102030405060708ull, 3.5,
			 "hello");
	sonde_tracepoint(compat, ints, -7, 0, 0, -0.25, NULL);
	sonde_tracepoint(compat, arrays, a, "abcdefg");
	sonde_tracepoint(compat, arrays, a, "x\0yz");
	sonde_tracepoint(compat, seqs, v, 4, "some text", 4);
	sonde_tracepoint(compat, seqs, v, 0, "", 0);
	for (int i = -3; i <= 9; i += 3)
		sonde_tracepoint(compat, enums, i);
	sonde_tracepoint(compat, req_begin, 1, &req);
	req.body_len = 9;
	req.path = "/missing";
	sonde_tracepoint(compat, req_fail, 2, &req);
	req.body_len = 0;
	sonde_tracepoint(compat, req_end, 3, &req);
	sonde_tracepoint(compat, tick);
	if (sonde_tracepoint_enabled(compat, costly))
		sonde_tracepoint(compat, costly, costly_sum(100));

	sonde_tracepoint(compat0, sample, 0, "red", 0, 0);
	sonde_tracepoint(compat0, sample, 12, "blue", 12, 12);
	sonde_tracepoint(compat0, sample, 20, "after", 0xfffe, 0xffu);
	sonde_tracepoint(compat0, sample, 7, "none", 7, 0x80000000u);
	sonde_tracepoint(compat0, vecs, p, 3, "abc");
	/* Three readable bytes, as the array reads three. */
	sonde_tracepoint(compat0, vecs, p, 0, "\0\0");
	sonde_tracepoint(compat0, first, 1, 255);
	sonde_tracepoint(compat0, second, -1, 16);
	if (sonde_tracepoint_enabled(compat0, first))
		sonde_tracepoint(compat0, first, 2, 3);

	other_tu(5);
	printf("# pid %d\n", (int)getpid());
	return 0;
}
