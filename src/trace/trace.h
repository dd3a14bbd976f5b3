/* SPDX-License-Identifier: MIT */
/*
 * A trace: what sources feed and outputs receive.
 *
 *   sources                      trace                        output
 *   consumer (user-space     ┌─────────────────────┐
 *   channels, per CPU)  ───► │ stream class 0      │      directory
 *   perf rings (kernel,      │ stream class 1 ...  │ ───► (relay, ...)
 *   PMU samples)        ───► │ uuid, clock, env    │
 *                            └─────────────────────┘
 *
 * A source adds a stream class (its own event classes and id space, and
 * its own packet context: the format's, then up to SONDE__PKT_CTX_EXTRA_MAX
 * u64 fields it names; the event header is the format's), opens one stream per
 * instance (CPU) and writes whole packets to it; the trace stamps each
 * packet with what only it knows (magic, uuid, stream class, instance),
 * computes its index entry and hands both to the output.  The metadata is
 * written by the trace from every class's event classes, which each
 * source reports through its events() callback when asked.
 *
 * One thread at a time calls a trace (the recorder's or the daemon
 * session's drain thread).
 */
#ifndef SONDE_SRC_TRACE_TRACE_H
#define SONDE_SRC_TRACE_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sonde/static/format.h>

#include "../clock/clock.h"
#include "../common/common.h"
#include "../outputs/output.h"
#include "../writer/model.h"

/* At most this many stream classes in a trace. */
#define SONDE__TRACE_MAX_CLASSES 16

struct sonde__trace;
struct sonde__stream;

/*
 * What a source tells the trace about its stream class.  @events returns
 * the class's event classes now (indexed by id, NULL for holes; the array
 * stays the source's), 0 or -errno.  It is asked each time the metadata
 * is written: a source whose event classes grow while recording (the
 * user-space channel) asks for a rewrite itself (the consumer does on
 * registry growth); the others declare theirs before the trace starts.
 * @ctx_extra names the @nr_ctx_extra (at most SONDE__PKT_CTX_EXTRA_MAX)
 * u64 fields the class adds to the packet context after cpu_id, in the
 * order of their values in each packet: identifiers of at most 32 bytes,
 * none twice, none a name of the common context.  The names stay the
 * source's and outlive the trace.  A class with none (NULL, 0) has the
 * format's packet context, 84 bytes (SONDE__PKT_HDR_SIZE) with the header.
 */
struct sonde__stream_class_ops {
	const char *name; /* stream file prefix: "<name>_<instance>" */
	int (*events)(void *src, struct sonde__event_class *const **ev,
		      uint32_t *nr);
	const char *const *ctx_extra;
	uint32_t nr_ctx_extra;
	/* Fields every event of the class carries between its header and
	 * its payload (event.context), @nr_ev_ctx of them, or none; they
	 * stay the source's. */
	const struct sonde__field_class *ev_ctx;
	uint32_t nr_ev_ctx;
};

/*
 * A trace on @out (taken over: destroyed with the trace).  @clock: the
 * trace clock to copy (a snapshot's), or NULL to start one.  @uuid: the
 * uuid to use, or NULL for a fresh random one.  0 or -ENOMEM.
 */
SONDE_HIDDEN int sonde__trace_create(struct sonde__output *out,
				     const struct sonde__clock *clock,
				     const uint8_t *uuid,
				     struct sonde__trace **t);
/* Add a stream class fed by @src; *@id gets its stream_id.  0, -ENOSPC
 * (too many classes) or -EINVAL (a bad name or extra context field). */
SONDE_HIDDEN int sonde__trace_add_class(struct sonde__trace *t,
					const struct sonde__stream_class_ops *ops,
					void *src, uint32_t *id);
/* Open stream @instance of class @id through the output ("<name>_<N>").
 * 0 or -errno (-EEXIST: the name is taken). */
SONDE_HIDDEN int sonde__trace_open_stream(struct sonde__trace *t, uint32_t id,
					  uint32_t instance,
					  struct sonde__stream **s);
/*
 * Write one packet: header @hdr, then the class's extra packet context
 * fields @ctx_extra (nr_ctx_extra values, NULL when the class has none),
 * then @n bytes of @body (records and padding).  The source sets @hdr's
 * timestamps, sequence number, events_discarded, cpu_id and both sizes,
 * in bits and counting the whole header and context
 * (sonde__stream_pkt_hdr_size() bytes): packet_size is
 * (sonde__stream_pkt_hdr_size() + @n) * 8 and content_size, a whole number
 * of bytes, lies between the header's end and packet_size; the trace
 * checks them (-EINVAL), and sets magic, uuid, stream_id and
 * stream_instance_id.  The index entry is made from @hdr.  Wholly or not
 * at all (output.h).  0 or -errno.
 */
SONDE_HIDDEN int sonde__stream_write_packet(struct sonde__stream *s,
					    struct sonde__pkt_hdr *hdr,
					    const uint64_t *ctx_extra,
					    const void *body, size_t n);
/*
 * The same, and with SONDE__WRITE_MAY_HOLD in @wflags the output may go
 * on reading @body after the call (zero copy to a relay, output.h): the
 * caller keeps those @n bytes unchanged until sonde__stream_retired()
 * counts the packet (its number is sonde__stream_packets() after the
 * call, less one).  The header and extra context are the caller's again
 * on return.
 */
SONDE_HIDDEN int sonde__stream_write_packet_flags(struct sonde__stream *s,
						  struct sonde__pkt_hdr *hdr,
						  const uint64_t *ctx_extra,
						  const void *body, size_t n,
						  unsigned int wflags);
/* Packets written to @s so far. */
SONDE_HIDDEN uint64_t sonde__stream_packets(const struct sonde__stream *s);
/* How many of them, the first ones, the output no longer reads: their
 * memory is the caller's again.  All of them when the output never
 * holds; it may read completions from the kernel (a system call). */
SONDE_HIDDEN uint64_t sonde__stream_retired(struct sonde__stream *s);
/* Whether @t's output may hold payloads (SONDE__OUTPUT_HOLDS_PAYLOAD). */
SONDE_HIDDEN int sonde__trace_holds(const struct sonde__trace *t);
/* Make the output drop every hold (output.h, release()), waiting a bounded
 * time: then every stream's packets are retired. */
SONDE_HIDDEN void sonde__trace_release(struct sonde__trace *t);
/* Bytes of packet header and context of @s's packets, before the records:
 * SONDE__PKT_HDR_SIZE_EXTRA(its class's nr_ctx_extra). */
SONDE_HIDDEN uint32_t sonde__stream_pkt_hdr_size(const struct sonde__stream *s);
/* Bytes written to the stream so far (whole packets). */
SONDE_HIDDEN uint64_t sonde__stream_size(const struct sonde__stream *s);

SONDE_HIDDEN const uint8_t *sonde__trace_uuid(const struct sonde__trace *t);
/* The trace clock: sources read it; sonde__trace_write_metadata()
 * calibrates it. */
SONDE_HIDDEN struct sonde__clock *sonde__trace_clock(struct sonde__trace *t);
/*
 * Write the metadata: every class's event classes, the clock (calibrated
 * now), the environment (@procname and @pid of the traced command).
 * On an output that needs it append-only (SONDE__OUTPUT_APPEND_METADATA),
 * only the first call writes clock and environment; later ones append
 * the event classes that appeared since (see trace.c), and no stream
 * class can be added after the first (-EBUSY).  0 or -errno.
 */
SONDE_HIDDEN int sonde__trace_write_metadata(struct sonde__trace *t,
					     const char *procname, pid_t pid);
/* Make what was written durable (output's sync).  0 or -errno. */
SONDE_HIDDEN int sonde__trace_sync(struct sonde__trace *t);
/* Remove everything the output created (a trace that must not look
 * valid). */
SONDE_HIDDEN void sonde__trace_discard(struct sonde__trace *t);
/* Close the streams and the output; NULL is a no-op. */
SONDE_HIDDEN void sonde__trace_destroy(struct sonde__trace *t);

#endif
