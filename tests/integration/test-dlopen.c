// SPDX-License-Identifier: MIT
/*
 * test-dlopen emitter: a provider in a plugin loaded with dlopen() after
 * start, unloaded with dlclose(), loaded and unloaded again; the program
 * keeps emitting its own events in between (test-dlopen.sh checks the
 * order).  Built twice: linked with libsonde and with its own provider, and
 * with TEST_DLOPEN_NOLIB, without libsonde (it arrives with the plugin).
 * Usage: test-dlopen PLUGIN.so
 */
#include <dlfcn.h>
#include <stdint.h>

#include "../tap.h"

#ifndef TEST_DLOPEN_NOLIB
#include <sonde/tracepoint.h>
SONDE_TRACEPOINT_EVENT(dlmain, phase,
	SONDE_TP_ARGS(int32_t, phase),
	SONDE_TP_FIELDS(sonde_field_integer(int32_t, phase, phase)))
#define PHASE(n) sonde_tracepoint(dlmain, phase, n)
#else
#define PHASE(n) do { } while (0)
#endif

#define PER_ROUND 10

static void round_trip(const char *path, int32_t round)
{
	int (*enabled)(void);
	void (*emit)(int32_t, int32_t);
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		tap_bail("dlopen %s: %s", path, dlerror());
	enabled = (int (*)(void))dlsym(h, "dlprov_enabled");
	emit = (void (*)(int32_t, int32_t))dlsym(h, "dlprov_emit");
	if (!enabled || !emit)
		tap_bail("dlsym: %s", dlerror());
	tap_ok(enabled() != 0, "round %d: plugin's site enabled after dlopen",
	       round);
	emit(round, PER_ROUND);
	tap_is_int(dlclose(h), 0, "round %d: dlclose succeeds", round);
#ifndef TEST_DLOPEN_NOLIB
	/* Only then did the test exercise sites going away with their
	 * object (libsonde itself stays loaded, linked by the program). */
	h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	tap_ok(h == NULL, "round %d: plugin really unloaded", round);
	if (h)
		dlclose(h);
#endif
}

int main(int argc, char **argv)
{
	if (argc < 2)
		tap_bail("usage: test-dlopen PLUGIN.so");
	PHASE(0);
	round_trip(argv[1], 1);
	PHASE(1);
	round_trip(argv[1], 2);
	PHASE(2);
	return tap_done();
}
