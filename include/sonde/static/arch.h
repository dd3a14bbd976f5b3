/* SPDX-License-Identifier: MIT */
/* Selects the architecture primitives for the inline hot path. */
#ifndef SONDE_STATIC_ARCH_H
#define SONDE_STATIC_ARCH_H

#if defined(__x86_64__) && defined(__linux__) && !defined(SONDE_ARCH_GENERIC)
#include <sonde/static/arch-x86_64.h>
#else
#include <sonde/static/arch-generic.h>
#endif

#endif /* SONDE_STATIC_ARCH_H */
