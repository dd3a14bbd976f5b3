/* SPDX-License-Identifier: MIT */
/* Tracepoint registry: sections of site descriptors, enablement, ids. */
#ifndef SONDE_SRC_INSTRUMENTATION_REGISTRY_H
#define SONDE_SRC_INSTRUMENTATION_REGISTRY_H

#include "../buffers/layout.h"
#include "../common/common.h"

/* Enable every known site matching the attached session (attach.c). */
SONDE_HIDDEN void sonde__registry_session_attached(struct sonde__shm_hdr *h);
/* Whether "provider:name" matches one of the '\n'-separated patterns. */
SONDE_HIDDEN int sonde__pattern_match(const char *patterns, const char *name);
/* Whether @pattern is a valid event pattern ("provider:name" with '*'). */
SONDE_HIDDEN int sonde__pattern_valid(const char *pattern);

#endif
