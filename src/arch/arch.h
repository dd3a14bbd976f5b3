/* SPDX-License-Identifier: MIT */
/*
 * Architecture primitives used inside libsonde only (the inline hot path's
 * ones are in include/sonde/static/arch-*.h).
 */
#ifndef SONDE_SRC_ARCH_H
#define SONDE_SRC_ARCH_H

#if defined(__x86_64__) && !defined(SONDE_ARCH_GENERIC)
#include "x86_64.h"
#else
#include "generic.h"
#endif

#endif
