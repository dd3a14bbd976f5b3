// SPDX-License-Identifier: MIT
/*
 * Trace clock.  Records carry raw invariant-TSC cycles when the CPU has an
 * invariant TSC (about 10 ns to read here against 25 ns for a vDSO
 * clock_gettime), else CLOCK_MONOTONIC nanoseconds.  Only the consumer
 * calibrates: it pairs the cycle counter with CLOCK_MONOTONIC_RAW at the
 * start and the end of the recording (at least 50 ms apart) to get the
 * frequency, and with CLOCK_REALTIME to place cycle 0 on the Unix epoch, so
 * the CTF clock is absolute.  Instrumented processes never wait for it.
 * SONDE_CLOCK=monotonic in the consumer's environment forces the fallback.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sonde/static/ring.h>

#include "../arch/arch.h"
#include "clock.h"

static uint64_t ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t sonde__clock_read(const struct sonde__clock *c)
{
	return c->kind == SONDE__CLOCK_CYCLES ? sonde__arch_cycles()
					      : ns(CLOCK_MONOTONIC);
}

void sonde__clock_pair(const struct sonde__clock *c, clockid_t id,
		       uint64_t *cyc, uint64_t *t)
{
	uint64_t best = UINT64_MAX;

	/* The first read always wins (<=), which also tells gcc -O3 that
	 * the outputs are set. */
	*cyc = *t = 0;
	for (int i = 0; i < 16; i++) {
		uint64_t a = sonde__clock_read(c);
		uint64_t v = ns(id);
		uint64_t b = sonde__clock_read(c);

		if (b - a <= best) {
			best = b - a;
			*cyc = a + (b - a) / 2;
			*t = v;
		}
	}
}

void sonde__clock_start(struct sonde__clock *c)
{
	const char *force = getenv("SONDE_CLOCK");

	c->kind = SONDE__ARCH_HAVE_CYCLES && sonde__arch_cycles_invariant()
			  ? SONDE__CLOCK_CYCLES
			  : SONDE__CLOCK_MONOTONIC;
	/* SONDE_CLOCK=monotonic forces the fallback (tests, odd VMs). */
	if (force && !strcmp(force, "monotonic"))
		c->kind = SONDE__CLOCK_MONOTONIC;
	sonde__clock_pair(c, CLOCK_MONOTONIC_RAW, &c->cyc0, &c->mono0);
	sonde__clock_pair(c, CLOCK_REALTIME, &c->cyc_real, &c->real0);
	c->freq = 1000000000u;
}

void sonde__clock_finish(struct sonde__clock *c)
{
	uint64_t cyc1, mono1;
	long double hz, origin_ns;

	if (c->kind != SONDE__CLOCK_CYCLES) {
		/* CLOCK_MONOTONIC ns: the origin is realtime - monotonic. */
		uint64_t cm, r;

		sonde__clock_pair(c, CLOCK_REALTIME, &cm, &r);
		c->freq = 1000000000u;
		c->offset_s = (int64_t)((r - cm) / 1000000000u);
		c->offset = (r - cm) % 1000000000u;
		return;
	}
	for (;;) {
		sonde__clock_pair(c, CLOCK_MONOTONIC_RAW, &cyc1, &mono1);
		if (mono1 - c->mono0 >= 50000000u)
			break;
		struct timespec d = { 0, (long)(50000000u - (mono1 - c->mono0)) };
		nanosleep(&d, NULL);
	}
	hz = (long double)(cyc1 - c->cyc0) * 1e9L /
	     (long double)(mono1 - c->mono0);
	c->freq = (uint64_t)(hz + 0.5L);
	/* Wall time of cycle 0: real0 - cyc_real / hz. */
	origin_ns = (long double)c->real0 - (long double)c->cyc_real * 1e9L / hz;
	if (origin_ns < 0)
		origin_ns = 0;
	c->offset_s = (int64_t)(origin_ns / 1e9L);
	c->offset = (uint64_t)(((origin_ns - (long double)c->offset_s * 1e9L) *
				hz / 1e9L) + 0.5L);
	if (c->offset >= c->freq) {
		c->offset -= c->freq;
		c->offset_s++;
	}
}
