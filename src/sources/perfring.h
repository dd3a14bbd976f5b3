/* SPDX-License-Identifier: MIT */
/*
 * A perf_event_open(2) ring buffer read from user space, and the mapping
 * of perf timestamps onto the trace clock: the module every perf-fed
 * source shares (PMU samples, kernel tracepoints).  See perfring.c.
 */
#ifndef SONDE_SRC_SOURCES_PERFRING_H
#define SONDE_SRC_SOURCES_PERFRING_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <linux/perf_event.h>

#include "../clock/clock.h"
#include "../common/common.h"

/* The ring reader itself lives in the runtime library, beside the PMU
 * sessions that read overflow samples through it. */
#include "../pmu/ring.h"

/*
 * Mapping of perf timestamps onto the trace clock (perfring.c tells
 * how).  Open the events with use_clockid = 1 and clockid =
 * sonde__perfclock_id().
 */
struct sonde__perfclock {
	const struct sonde__clock *clk;
	clockid_t id;
	/* TSC trace clock: two (cycles, CLOCK_MONOTONIC_RAW ns) pairs. */
	uint64_t cyc0, raw0, cyc1, raw1;
};

SONDE_HIDDEN void sonde__perfclock_init(struct sonde__perfclock *pc,
					const struct sonde__clock *clk);
SONDE_HIDDEN clockid_t sonde__perfclock_id(const struct sonde__perfclock *pc);
/* Take a fresh calibration pair: call after sonde__perfring_begin(), so
 * that the records of the pass lie between the two pairs. */
SONDE_HIDDEN void sonde__perfclock_update(struct sonde__perfclock *pc);
/* Perf time @t (ns of the event clock) as a trace clock value. */
SONDE_HIDDEN uint64_t sonde__perfclock_map(const struct sonde__perfclock *pc,
					   uint64_t t);

#endif
