// SPDX-License-Identifier: MIT
/*
 * test-debug-info: events from a function of the executable, then from a
 * function of each plugin, loaded with dlopen() after the process started
 * recording (test-debug-info-lib.c) and closed before the next, then from
 * the executable again: babeltrace2 --debug-info must name each event's
 * object, function and source line, from the state dump libsonde writes.
 * Usage: test-debug-info PLUGIN.so...
 */
#define SONDE_TRACEPOINT_DEFINE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(dinfo, exe,
	SONDE_TP_ARGS(int32_t, i),
	SONDE_TP_FIELDS(sonde_field_integer(int32_t, i, i)))

#define N 10

void dinfo_in_exe(int32_t i);

__attribute__((noinline)) void dinfo_in_exe(int32_t i)
{
	sonde_tracepoint(dinfo, exe, i);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	void (*fn)(int32_t);
	void *h;

	if (argc < 2) {
		fprintf(stderr, "usage: test-debug-info PLUGIN.so...\n");
		return 2;
	}
	for (int i = 0; i < N; i++)
		dinfo_in_exe(i);
	for (int a = 1; a < argc; a++) {
		h = dlopen(argv[a], RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			fprintf(stderr, "dlopen %s: %s\n", argv[a], dlerror());
			return 1;
		}
		*(void **)&fn = dlsym(h, "dinfo_in_lib");
		if (!fn) {
			fprintf(stderr, "dlsym: %s\n", dlerror());
			return 1;
		}
		for (int i = 0; i < N; i++)
			fn(i);
		dlclose(h);
	}
	for (int i = N; i < 2 * N; i++)
		dinfo_in_exe(i);
	return 0;
}
