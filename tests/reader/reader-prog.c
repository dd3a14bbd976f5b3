// SPDX-License-Identifier: MIT
/*
 * Trace generator of the reader tests.
 *
 *   reader-prog fields        every field type with edge values and escapes
 *   reader-prog threads T N   T threads (pinned round-robin to the CPUs)
 *                             each emitting N rd:work events
 *   reader-prog spans T K MS  T threads, each K rd:span_begin/end pairs and
 *                             K rd:op_entry/exit pairs around MS ms sleeps
 *   reader-prog bulk N        N rd:work events from one thread, no pinning
 *
 * Prints "# pid N" on stdout.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reader_tp.h"

static long arg_n, arg_ms;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

static void pin(long i)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (ncpu < 1)
		return;
	CPU_ZERO(&set);
	CPU_SET((int)(i % ncpu), &set);
	sched_setaffinity(0, sizeof(set), &set); /* best effort */
}

static void *work_thread(void *p)
{
	long t = (long)p;
	/* no empty string: babeltrace2 2.0.4 sometimes prints the previous
	 * value of a string field for an empty one, and it is the oracle */
	static const char *const tags[] = { "a", "bb", "c", "dddd" };

	pin(t);
	for (long i = 0; i < arg_n; i++) {
		sonde_tracepoint(rd, work, (uint32_t)t, (uint64_t)i, tags[i % 4]);
		if (i % 64 == 0)
			sched_yield();
	}
	return NULL;
}

static void *span_thread(void *p)
{
	long t = (long)p;

	pin(t);
	for (long k = 0; k < arg_n; k++) {
		sonde_tracepoint(rd, span_begin, (int32_t)(t * 1000 + k));
		sleep_ms(arg_ms);
		sonde_tracepoint(rd, span_end, (int32_t)(t * 1000 + k));
		sonde_tracepoint(rd, op_entry);
		sleep_ms(arg_ms);
		sonde_tracepoint(rd, op_exit, (int64_t)k - 1);
	}
	return NULL;
}

static int run_threads(long nt, void *(*fn)(void *))
{
	pthread_t th[256];

	if (nt < 1 || nt > 256)
		return 2;
	for (long i = 0; i < nt; i++)
		if (pthread_create(&th[i], NULL, fn, (void *)i))
			return 1;
	for (long i = 0; i < nt; i++)
		pthread_join(th[i], NULL);
	return 0;
}

static void fields(void)
{
	static const int16_t a[3] = { -32768, 0, 32767 };
	static const uint32_t x[2] = { 0xdeadbeef, 7 };
	static const int32_t v[5] = { -1, 0, 1, 2147483647, -2147483647 - 1 };
	static const uint8_t w[3] = { 0, 128, 255 };
	static const float fl[] = { 0.0f, 1.0f, -1.5f, 0.1f, 3.14159265f, 1e-3f,
				    1e-5f, 123456.0f, 1234567.0f, 3.4028235e38f,
				    1e-40f, 0.00012345f, 99999.95f, 2.5f };
	static const double db[] = { 0.0, -0.0, 1.0, -2.25, 0.1, 1e-4, 9.9999e-5,
				     123.456, 999999.4, 999999.5, 1e6, 1e15,
				     -123456789.0, 1.0 / 3.0, 2.0 / 3.0, 5e-324,
				     1.7976931348623157e308, 0.000123456789,
				     12345.65, 0.5, 100.0, 1e300 * 10.0 };
	static const char *const strs[] = {
		"plain", "", "quote \" backslash \\ apostrophe ' question ?",
		"tab\tnewline\ncr\rbell\aesc\x1b" "del\x7f" "ctl\x01\x1f",
		"utf-8: caf\xc3\xa9 \xe2\x82\xac", "invalid \xff\xfe utf-8",
		"{ braces }, [ brackets ] = , ;",
	};

	sonde_tracepoint(rd, ints, -128, -32768, -2147483647 - 1,
			 (int64_t)(-9223372036854775807LL - 1), 255, 65535,
			 4294967295u, 18446744073709551615ull);
	sonde_tracepoint(rd, ints, 127, 32767, 2147483647, 9223372036854775807LL,
			 0, 0, 0, 0);
	sonde_tracepoint(rd, ints, -1, 1, -1, 1, 1, 2, 3, 4);
	sonde_tracepoint(rd, hex, 0xab, 0xbeef, 0xdeadbeef, 0x123456789abcdefull);
	sonde_tracepoint(rd, hex, 0, 0, 0, 0);
	sonde_tracepoint(rd, hex, 0xff, 0xffff, 0xffffffff, ~0ull);
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		sonde_tracepoint(rd, floats, fl[i], db[i % (sizeof(db) / sizeof(db[0]))]);
	for (size_t i = sizeof(fl) / sizeof(fl[0]); i < sizeof(db) / sizeof(db[0]); i++)
		sonde_tracepoint(rd, floats, (float)i, db[i]);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		sonde_tracepoint(rd, str, strs[i]);
	sonde_tracepoint(rd, arrays, a, x);
	sonde_tracepoint(rd, seq, v, 5, w, 3);
	sonde_tracepoint(rd, seq, v, 0, w, 0);
	sonde_tracepoint(rd, empty);
	for (int i = 0; i < 2000; i++) {
		double d = (i - 1000) * 0.731 / 7.0;

		sonde_tracepoint(rd, floats, (float)(d * 13.0), d * 1e-3);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "fields";
	int r = 0;

	printf("# pid %ld\n", (long)getpid());
	fflush(stdout);
	if (!strcmp(mode, "fields")) {
		fields();
	} else if (!strcmp(mode, "threads") && argc == 4) {
		arg_n = atol(argv[3]);
		r = run_threads(atol(argv[2]), work_thread);
	} else if (!strcmp(mode, "spans") && argc == 5) {
		arg_n = atol(argv[3]);
		arg_ms = atol(argv[4]);
		r = run_threads(atol(argv[2]), span_thread);
	} else if (!strcmp(mode, "bulk") && argc == 3) {
		long n = atol(argv[2]);

		for (long i = 0; i < n; i++)
			sonde_tracepoint(rd, work, 0, (uint64_t)i, "bulk");
	} else {
		fprintf(stderr, "usage: reader-prog fields|threads T N|spans T K MS|bulk N\n");
		return 2;
	}
	return r;
}
