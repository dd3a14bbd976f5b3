/* SPDX-License-Identifier: MIT */
/*
 * Live traces streamed to lttng-relayd (live.c): what `sonde record
 * --relay` and a daemon session created with --relay share, the live
 * timer's flush with its beacons, the relay (or relay and directory)
 * output, and the report of what was sent and what was not.
 */
#ifndef SONDE_SRC_SOURCES_LIVE_H
#define SONDE_SRC_SOURCES_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

struct sonde__chan_view;
struct sonde__output;
struct sonde__relay_opts;
struct sonde__trace;

/*
 * The output of a trace streamed to a relay: the relay of @ro (connected,
 * or, with SONDE__RELAY_DEFERRED in @flags, maybe not yet), and beside it
 * directory @dir (prepared) when @dir is not NULL, the two as one (a
 * tee).  *@relay gets the relay, which *@out owns.  0, or -errno with a
 * sentence for the user in @why (nothing is left to undo).
 */
SONDE_HIDDEN int sonde__live_output(const struct sonde__relay_opts *ro,
				    unsigned int flags, const char *dir,
				    struct sonde__output **relay,
				    struct sonde__output **out, char *why,
				    size_t n);
/*
 * One tick of the live timer: close the current sub-buffer of every CPU
 * of @v, on that CPU, even an empty one (sonde__ring_flush_live()); if
 * every one was closed, every packet opened by the flush begins after
 * the time read from @t's clock before it, which the relay's beacons
 * then say for the streams that had nothing new.  Moves the calling
 * thread onto each CPU in turn and back to its affinity.
 */
SONDE_HIDDEN void sonde__live_flush(struct sonde__chan_view *v,
				    struct sonde__output *relay,
				    struct sonde__trace *t);
/*
 * What @relay (streaming to @url) sent and did not send, as one or two
 * lines ending in '\n' in @buf (each starting "relay"); whether anything
 * was lost (packets, a connection).
 */
SONDE_HIDDEN int sonde__live_report(struct sonde__output *relay,
				    const char *url, char *buf, size_t n);

#endif
