// SPDX-License-Identifier: MIT
/* test-dlopen: plugin library with a provider, loaded with dlopen(). */
#include "dlopen_tp.h"

__attribute__((visibility("default"))) int dlprov_enabled(void);
__attribute__((visibility("default"))) void dlprov_emit(int32_t round,
							int32_t count);

int dlprov_enabled(void)
{
	return sonde_tracepoint_enabled(dlprov, ev);
}

void dlprov_emit(int32_t round, int32_t count)
{
	for (int32_t i = 0; i < count; i++)
		sonde_tracepoint(dlprov, ev, round, i, "plugin");
}
