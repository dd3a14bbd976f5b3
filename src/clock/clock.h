/* SPDX-License-Identifier: MIT */
/* Trace clock: choice, calibration, and mapping to wall time. */
#ifndef SONDE_SRC_CLOCK_H
#define SONDE_SRC_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "../common/common.h"

struct sonde__clock {
	uint32_t kind;       /* SONDE__CLOCK_CYCLES or SONDE__CLOCK_MONOTONIC */
	uint64_t cyc0;       /* first calibration point */
	uint64_t mono0;      /* CLOCK_MONOTONIC_RAW ns at cyc0 */
	uint64_t cyc_real;   /* cycles at real0 */
	uint64_t real0;      /* CLOCK_REALTIME ns */
	uint64_t freq;       /* Hz, after sonde__clock_finish() */
	int64_t offset_s;    /* clock value 0 in seconds since the epoch */
	uint64_t offset;     /* plus this many cycles */
};

/* Pick the trace clock and take the first calibration point. */
SONDE_HIDDEN void sonde__clock_start(struct sonde__clock *c);
/* Read the trace clock now. */
SONDE_HIDDEN uint64_t sonde__clock_read(const struct sonde__clock *c);
/* A (trace clock, @id) pair read together: the best of 16, the one read
 * in the least time, the trace clock taken halfway through it. */
SONDE_HIDDEN void sonde__clock_pair(const struct sonde__clock *c, clockid_t id,
				    uint64_t *cyc, uint64_t *t);
/* Take the second point (waits up to 50 ms if the first is too recent). */
SONDE_HIDDEN void sonde__clock_finish(struct sonde__clock *c);

#endif
