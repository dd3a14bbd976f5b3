/* SPDX-License-Identifier: MIT */
/*
 * sonde-lttng: the end of an LTTng-UST provider header.  LTTng-UST reads
 * the provider again from here (LTTNG_UST_TRACEPOINT_INCLUDE) in the one
 * source that defines LTTNG_UST_TRACEPOINT_CREATE_PROBES, to generate its
 * probes.  sonde needs no second reading: every event was defined, in full
 * and static, when the provider header was first read in this translation
 * unit (<lttng/tracepoint.h>).  So this header includes nothing and may be
 * read any number of times; LTTNG_UST_TRACEPOINT_PROVIDER,
 * LTTNG_UST_TRACEPOINT_INCLUDE and LTTNG_UST_TRACEPOINT_CREATE_PROBES (and
 * their version 0 spellings) are accepted and left as the provider set
 * them, for the next provider header of the same source.
 */
#include <lttng/tracepoint.h>
