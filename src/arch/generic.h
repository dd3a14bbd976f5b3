/* SPDX-License-Identifier: MIT */
/* Generic fallbacks: no cycle counter is trusted. */
#ifndef SONDE_SRC_ARCH_GENERIC_H
#define SONDE_SRC_ARCH_GENERIC_H

#include <stdbool.h>

static inline void *sonde__arch_tp(void)
{
	return __builtin_thread_pointer();
}

static inline void sonde__arch_relax(void)
{
	__asm__ __volatile__("" ::: "memory");
}

static inline bool sonde__arch_cycles_invariant(void)
{
	return false;
}

#endif
