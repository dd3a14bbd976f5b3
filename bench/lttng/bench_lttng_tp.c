// SPDX-License-Identifier: MIT
/*
 * bench_lttng_tp.c - LTTng-UST probe provider for bench_lttng. Compiling
 * the provider header with TRACEPOINT_CREATE_PROBES generates the probe
 * callbacks and registers them at load time; TRACEPOINT_DEFINE emits the
 * tracepoint definitions (exactly once per program). Measures nothing.
 */
#define TRACEPOINT_CREATE_PROBES
#define TRACEPOINT_DEFINE
#include "bench_lttng_tp.h"
