/* SPDX-License-Identifier: MIT */
/*
 * Generic fallback: no cycle counter and no restartable sequences.  The
 * inline fast path then always defers to the out-of-line slow path, which
 * uses CLOCK_MONOTONIC and C11 atomics (compare-and-swap reservation).
 */
#ifndef SONDE_STATIC_ARCH_GENERIC_H
#define SONDE_STATIC_ARCH_GENERIC_H

#include <stdint.h>

#define SONDE__ARCH_HAVE_RSEQ 0
#define SONDE__ARCH_HAVE_CYCLES 0

static inline uint64_t sonde__arch_cycles(void)
{
	return 0;
}

static inline uint32_t sonde__arch_rseq_cpu(long rseq_off)
{
	(void)rseq_off;
	return UINT32_MAX;
}

#endif /* SONDE_STATIC_ARCH_GENERIC_H */
