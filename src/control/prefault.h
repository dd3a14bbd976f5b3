/* SPDX-License-Identifier: MIT */
/* Touching a mapped channel's pages ahead of its writers (prefault.c). */
#ifndef SONDE_SRC_CONTROL_PREFAULT_H
#define SONDE_SRC_CONTROL_PREFAULT_H

#include <stddef.h>

#include "../common/common.h"

/* "0" turns the prefault off; read once, with secure_getenv(). */
#define SONDE_PREFAULT_ENV "SONDE_PREFAULT"

/*
 * sonde__prefault_start() - touch every page of a channel from a thread
 * @map:  the channel's mapping in this process (sonde__channel_map())
 * @size: its size in bytes
 *
 * Stops the prefault of any previous mapping, then starts one detached
 * thread, named "sonde-prefault", that reads every page of each CPU's
 * buffer once, from that buffer's write position on, and exits.  Nothing
 * is started with $SONDE_PREFAULT=0, or when the header does not validate.
 *
 * Context: the caller serializes start, stop and the fork hook (the
 * process's single attach, or the agent's lock); not async-signal-safe.
 */
SONDE_HIDDEN void sonde__prefault_start(void *map, size_t size);

/*
 * sonde__prefault_stop() - forget the current mapping
 *
 * Never waits.  On return the prefault thread starts no new access to the
 * mapping given to the last sonde__prefault_start(): the caller may
 * replace it at once (MAP_FIXED; a chunk still in flight then touches the
 * anonymous pages in its place), but must not unmap it before
 * sonde__prefault_quiet() says so.  No-op without a current mapping.
 *
 * Context: as sonde__prefault_start().
 */
SONDE_HIDDEN void sonde__prefault_stop(void);

/*
 * sonde__prefault_quiet() - whether [@map, @map + @size) may be unmapped
 *
 * Return: 1 when no stopped prefault thread may still touch that range,
 * 0 while one is in the chunk it was in when stopped (try again later).
 *
 * Context: as sonde__prefault_start().
 */
SONDE_HIDDEN int sonde__prefault_quiet(const void *map, size_t size);

/*
 * sonde__prefault_atfork_child() - prefault again in a forked child
 *
 * A child inherits the shared mapping but not its page-table entries, so
 * its writers would pay for every page again: start the prefault of the
 * current mapping anew, after a short delay that a fork followed by exec
 * never reaches.  Forgets the parent's thread, which the child does not
 * have.
 *
 * Context: a pthread_atfork() child handler, before the caller's other
 * threads can call start or stop.
 */
SONDE_HIDDEN void sonde__prefault_atfork_child(void);

#endif
