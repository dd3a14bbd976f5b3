// SPDX-License-Identifier: MIT
/*
 * test-kinds: one or more events of each LTTng-UST field kind (network byte
 * order, text, enumerations, hex blobs, nowrite) and of each log level;
 * test-fields.sh compares the trace with test-kinds.expected through
 * babeltrace2.  Prints TAP lines of its own checks and "# pid N".
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "kinds_tp.h"

static int probe_hidden, probe_calls;

static void on_nowrite(void *data, int a, const char *s, const int *arr)
{
	(void)data;
	(void)s;
	probe_hidden = a * 1000 + arr[1];
	probe_calls++;
}

int main(void)
{
	static const uint32_t a[3] = { 0x01020304u, 80u, 0xffffffffu };
	static const uint8_t bytes[6] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x7f };
	static const int arr[2] = { 5, 6 };
	int r;

	printf("1..2\n");
	r = sonde_probe_register(kinds, nowrite, on_nowrite, NULL);
	printf("%sok 1 - a probe connects to an event with nowrite fields\n",
	       r ? "not " : "");
	sonde_tracepoint(kinds, net, 8080, -2, 0x0102030405060708ull, a);
	sonde_tracepoint(kinds, net, 0, 0, 0, a);
	sonde_tracepoint(kinds, text, "hello world", 11);
	sonde_tracepoint(kinds, text, "ab\0cdef", 7);
	sonde_tracepoint(kinds, text, "xyzzy", 0);
	for (int v = -4; v <= 10; v++)
		sonde_tracepoint(kinds, enums, v, v == 10 ? UINT64_MAX : (uint64_t)v);
	sonde_tracepoint(kinds, enums, 300, 2);
	sonde_tracepoint(kinds, blob, bytes, 6);
	sonde_tracepoint(kinds, blob, bytes, 0);
	sonde_tracepoint(kinds, nowrite, 3, "st", arr);
	sonde_tracepoint(kinds, warn, 1);
	sonde_tracepoint(kinds, crit, 2);
	sonde_tracepoint(kinds, info, 3);
	sonde_tracepoint(kinds, plain, 4);
	printf("%sok 2 - the probe saw the nowrite values (%d, %d calls)\n",
	       probe_hidden == 3006 && probe_calls == 1 ? "" : "not ",
	       probe_hidden, probe_calls);
	printf("# pid %d\n", (int)getpid());
	return 0;
}
