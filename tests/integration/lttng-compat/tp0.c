/* SPDX-License-Identifier: MIT */
/* The version 0 provider's probes. */
#define TRACEPOINT_CREATE_PROBES
#define TRACEPOINT_DEFINE

#include "tp0.h"
