/* SPDX-License-Identifier: MIT */
/*
 * What a fuzz target that compiles a few of libsonde's sources takes from
 * the rest of libsonde, which it does not link: <sonde/tracepoint.h>
 * registers each translation unit's events (none here), and filter.c
 * reads a site's fields through the registry.  Include once, in the
 * target's own source.
 */
#ifndef SONDE_TESTS_FUZZ_LIBSONDE_STUBS_H
#define SONDE_TESTS_FUZZ_LIBSONDE_STUBS_H

#include <sonde/tracepoint.h>

void sonde__register_events(struct sonde_event_desc **start,
			    struct sonde_event_desc **stop)
{
	(void)start;
	(void)stop;
}

void sonde__unregister_events(struct sonde_event_desc **start,
			      struct sonde_event_desc **stop)
{
	(void)start;
	(void)stop;
}

#ifdef SONDE_STUBS_FIELD_AT
/* Field @i of @d: the targets' tables have this header's stride. */
const struct sonde_field_desc *sonde__field_at(const struct sonde_event_desc *d,
					       uint32_t i);
const struct sonde_field_desc *sonde__field_at(const struct sonde_event_desc *d,
					       uint32_t i)
{
	return &d->fields[i];
}
#endif

#endif
