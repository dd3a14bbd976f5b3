// SPDX-License-Identifier: MIT
/* test-debug-info: a plugin, loaded with dlopen() while the process is
 * recorded, whose site babeltrace2 --debug-info must find in it. */
#define SONDE_TRACEPOINT_DEFINE
#include <stdint.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(dinfo, lib,
	SONDE_TP_ARGS(int32_t, i),
	SONDE_TP_FIELDS(sonde_field_integer(int32_t, i, i)))

__attribute__((visibility("default"))) void dinfo_in_lib(int32_t i);

__attribute__((noinline)) void dinfo_in_lib(int32_t i)
{
	sonde_tracepoint(dinfo, lib, i);
	__asm__ volatile("" ::: "memory");
}
