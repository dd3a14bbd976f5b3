/* SPDX-License-Identifier: MIT */
/*
 * Live traces streamed to lttng-relayd (live.c): what `sonde record
 * --relay` and a daemon session created with --relay share, the live
 * timer's tick with its beacons, the relay (or relay and directory)
 * output, and the report of what was sent and what was not.
 */
#ifndef SONDE_SRC_SOURCES_LIVE_H
#define SONDE_SRC_SOURCES_LIVE_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

struct sonde__chan_view;
struct sonde__kernel;
struct sonde__output;
struct sonde__perf;
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
 * Close the current sub-buffer of every CPU of @v, on that CPU (the
 * calling thread moves onto each in turn, then back to @home, or to its
 * affinity when @home is NULL): with @empty even an empty one (the live
 * timer, sonde__ring_flush_live()), else only those holding records,
 * without moving to the others (a switch timer, sonde__ring_flush()).
 * 0, or -1 if one could not be closed.
 */
SONDE_HIDDEN int sonde__live_switch(struct sonde__chan_view *v,
				    const cpu_set_t *home, int empty);

/* The sources of a trace that a live tick closes packets of; NULL for
 * those the trace has not. */
struct sonde__live_srcs {
	struct sonde__chan_view *view; /* the user-space channel's */
	struct sonde__kernel *kernel;  /* kernel tracepoints (-k) */
	struct sonde__perf *perf;      /* samples and counters (--sample) */
};

/*
 * One tick of the live timer, at a time T read from @t's clock first:
 * the kernel and perf sources drain their rings, write every packet that
 * holds records and keep their later records at T or after
 * (sonde__kernel_live(), sonde__perf_live()); every CPU's sub-buffer of
 * the channel is closed, even an empty one (sonde__live_switch()); if all
 * went well, every stream's next packet begins at T or later, which the
 * relay's beacons then say for the streams that had nothing new.  0, or
 * -errno of the output (a source's packet could not be written).
 */
SONDE_HIDDEN int sonde__live_tick(const struct sonde__live_srcs *src,
				  struct sonde__output *relay,
				  struct sonde__trace *t);
/*
 * What @relay (streaming to @url) sent and did not send, as lines ending
 * in '\n' in @buf (each starting "relay"): what was sent, then when they
 * apply the connections lost, zero copy, and what was possibly lost;
 * whether anything was lost (packets, a connection).
 */
SONDE_HIDDEN int sonde__live_report(struct sonde__output *relay,
				    const char *url, char *buf, size_t n);

#endif
