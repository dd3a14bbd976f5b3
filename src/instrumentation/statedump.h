/* SPDX-License-Identifier: MIT */
/*
 * The LTTng-UST state dump of a process recorded with its sites'
 * addresses (statedump.c), and the two registry calls it needs.
 */
#ifndef SONDE_SRC_INSTRUMENTATION_STATEDUMP_H
#define SONDE_SRC_INSTRUMENTATION_STATEDUMP_H

#include "../common/common.h"

#include <stdint.h>

struct sonde_event_desc;

/* Slot @slot, a session that records ip, was just attached: write it the
 * state dump (lttng_ust_statedump:start, bin_info, build_id, debug_link
 * of every loaded object, end).  Called by the registry without its
 * lock. */
SONDE_HIDDEN void sonde__statedump_slot(unsigned slot);

/* An object added sites while some session records ip: tell those
 * sessions about the objects loaded (lttng_ust_lib:load) and unloaded
 * (lttng_ust_lib:unload) since the last look.  Called by the registry
 * without its lock. */
SONDE_HIDDEN void sonde__statedump_rescan(void);

/* registry.c: add a section of sites that only the sessions recording ip
 * ever enable (the state dump's own); as sonde__registry_add(). */
SONDE_HIDDEN void sonde__registry_add_ip_only(struct sonde_event_desc **start,
					      struct sonde_event_desc **stop);

/* registry.c: the attached slots that record ip, as a mask. */
SONDE_HIDDEN uint32_t sonde__registry_ip_slots(void);

#endif
