/* SPDX-License-Identifier: MIT */
/* x86-64: thread pointer, spin hint, invariant-TSC detection. */
#ifndef SONDE_SRC_ARCH_X86_64_H
#define SONDE_SRC_ARCH_X86_64_H

#include <cpuid.h>
#include <stdbool.h>

static inline void *sonde__arch_tp(void)
{
	void *tp;

	__asm__("movq %%fs:0, %0" : "=r"(tp));
	return tp;
}

static inline void sonde__arch_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

/* Invariant TSC: CPUID.80000007H:EDX[8]; constant across P/C-states. */
static inline bool sonde__arch_cycles_invariant(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(0x80000007u, &a, &b, &c, &d))
		return false;
	return (d >> 8) & 1;
}

#endif
