// SPDX-License-Identifier: MIT
/*
 * perf time on the trace clock, for every source fed by perf_event_open(2)
 * (PMU samples in perf.c, kernel tracepoints later).  The ring reader
 * these sources use (sonde__perfring_*, sonde__perf_sample_parse) is
 * src/pmu/ring.c, in the runtime library, shared with the overflow
 * samples of sonde_pmu sessions: one reader, declared here through
 * ../pmu/ring.h so that this header's interface is unchanged.
 *
 * Clock: perf stamps records with the clock chosen at open time
 * (use_clockid).  With the CLOCK_MONOTONIC trace clock the events are
 * opened with clockid CLOCK_MONOTONIC, and a record's time is the trace
 * clock value (ns, as clock.c reads it).  With the TSC trace clock they are
 * opened with CLOCK_MONOTONIC_RAW and perf time is mapped to cycles by
 * linear interpolation between two (cycles, MONOTONIC_RAW) pairs: the
 * trace clock's own first calibration point, taken before any event is
 * opened, and a pair taken right after each pass loads data_head, so that
 * every record of the pass lies between the two.  MONOTONIC_RAW is a
 * linear function of the hardware counter it reads (no NTP slewing), so
 * the error is that of reading a pair (best of 16, a few tens of ns).
 * The alternative, the mmap page's time_zero/time_mult/time_shift, needs
 * cap_user_time_zero, which is 0 on this KVM guest (kvm-clock is the
 * clocksource); it would be exact where it is set.
 *
 * Measured (tests/unit/test-perfring.c, 2-vCPU KVM guest, TSC trace
 * clock): over 300 ms with a pair taken every millisecond, MONOTONIC_RAW
 * mapped to cycles lies within the two TSC reads around clock_gettime()
 * (70-160 ns apart), at most 11-60 ns from their middle: the residual is
 * the cost of reading the clocks, not the mapping.  Page-fault samples
 * (period 1) all map inside the 10-14 us window of trace clock reads
 * around their fault, with either trace clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sonde/static/ring.h>

#include "perfring.h"

/* Pairs closer than this give a slope too coarse to use. */
#define PAIR_MIN_NS 1000000u

void sonde__perfclock_init(struct sonde__perfclock *pc,
			   const struct sonde__clock *clk)
{
	memset(pc, 0, sizeof(*pc));
	pc->clk = clk;
	if (clk->kind != SONDE__CLOCK_CYCLES) {
		pc->id = CLOCK_MONOTONIC;
		return;
	}
	pc->id = CLOCK_MONOTONIC_RAW;
	/* The trace clock's own first calibration point. */
	pc->cyc0 = clk->cyc0;
	pc->raw0 = clk->mono0;
	for (int i = 0; i < 3; i++) {
		sonde__clock_pair(clk, CLOCK_MONOTONIC_RAW, &pc->cyc1, &pc->raw1);
		if (pc->raw1 - pc->raw0 >= PAIR_MIN_NS)
			break;
		struct timespec d = { 0, PAIR_MIN_NS };

		nanosleep(&d, NULL);
	}
	if (pc->raw1 - pc->raw0 < PAIR_MIN_NS) {
		/* Sleeping failed (signals): a slope of 1 until the next
		 * update; never a division by zero. */
		pc->raw1 = pc->raw0 + PAIR_MIN_NS;
		pc->cyc1 = pc->cyc0 + PAIR_MIN_NS;
	}
}

clockid_t sonde__perfclock_id(const struct sonde__perfclock *pc)
{
	return pc->id;
}

void sonde__perfclock_update(struct sonde__perfclock *pc)
{
	uint64_t cyc, raw;

	if (pc->id != CLOCK_MONOTONIC_RAW)
		return;
	sonde__clock_pair(pc->clk, CLOCK_MONOTONIC_RAW, &cyc, &raw);
	if (raw - pc->raw0 >= PAIR_MIN_NS && raw > pc->raw1) {
		pc->cyc1 = cyc;
		pc->raw1 = raw;
	}
}

uint64_t sonde__perfclock_map(const struct sonde__perfclock *pc, uint64_t t)
{
	long double d, c;

	if (pc->id != CLOCK_MONOTONIC_RAW)
		return t;
	d = (long double)(int64_t)(t - pc->raw0);
	c = (long double)pc->cyc0 +
	    d * (long double)(pc->cyc1 - pc->cyc0) /
		    (long double)(pc->raw1 - pc->raw0);
	if (c < 0)
		return 0;
	return (uint64_t)(c + 0.5L);
}
