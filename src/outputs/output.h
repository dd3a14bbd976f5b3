/* SPDX-License-Identifier: MIT */
/*
 * Outputs: where a trace's packets and metadata leave the process.  A
 * trace (src/trace/trace.h) hands each whole packet to its output with
 * the packet's index entry, and the metadata text whenever it changes;
 * the output decides where they go.  One implementation today, the trace
 * directory (dir.c); a network output (lttng-relayd) implements the same
 * operations.
 *
 * Contract of every output:
 * - open_stream() creates stream @name ("<class>_<instance>") or fails;
 *   it never reuses or truncates something it did not create.
 * - write_packet() appends one packet, wholly or not at all: after an
 *   error the stream holds exactly the packets written before it (a
 *   reader of a full disk or a lost connection sees whole packets only).
 *   It fills idx->offset (the packet's byte offset in its stream).
 * - write_metadata() replaces the metadata as a whole: a reader sees the
 *   previous text or the new one, never a mix.  An output with
 *   SONDE__OUTPUT_APPEND_METADATA in its flags (the relay: what it sent
 *   cannot be taken back) must be given texts that each extend the one
 *   before (the trace then writes its metadata append-only, trace.h).
 * - An output with SONDE__OUTPUT_HOLDS_PAYLOAD in its flags may go on
 *   reading a packet's payload (its last iovec) after write_packet()
 *   returns, when the caller allows it (SONDE__WRITE_MAY_HOLD): the relay
 *   hands the shared-memory pages to the kernel (MSG_ZEROCOPY), which
 *   reads them until the peer acknowledged them.  The caller then keeps
 *   those bytes unchanged until retired() counts the packet; every other
 *   iovec, and every payload written without the flag, is the caller's
 *   again when write_packet() returns.  retired() is the number of
 *   packets written to the stream whose payloads the output no longer
 *   reads, a prefix in the order they were written: it never goes back,
 *   and reaches the count written in a bounded time (the output gives a
 *   connection up rather than hold memory forever).  release() drops
 *   every hold at once (waiting a bounded time for the kernel, then
 *   giving up the connection): after it every stream's retired() is all
 *   its packets.  Outputs that never hold leave both NULL.
 * - sync() makes what was written durable (or sent); discard() removes
 *   everything this output created, for a trace that must not be left
 *   looking valid; destroy() closes it (NULL is a no-op).
 * Calls come from one thread at a time (the trace's owner).
 */
#ifndef SONDE_SRC_OUTPUTS_OUTPUT_H
#define SONDE_SRC_OUTPUTS_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../common/common.h"

/*
 * A packet's entry in its stream's index, as CTF index files (and the
 * lttng-relayd protocol) carry it: sizes in bits, timestamps in clock
 * cycles of the trace clock.
 */
struct sonde__packet_index {
	uint64_t offset; /* bytes from the start of the stream (output's) */
	uint64_t packet_size;
	uint64_t content_size;
	uint64_t timestamp_begin;
	uint64_t timestamp_end;
	uint64_t events_discarded;
	uint64_t stream_id;
	uint64_t stream_instance_id;
	uint64_t packet_seq_num;
};

struct sonde__output;
struct sonde__ostream;

struct sonde__output_ops {
	const char *kind; /* "directory", for messages */
	int (*open_stream)(struct sonde__output *o, const char *name,
			   struct sonde__ostream **out);
	int (*write_packet)(struct sonde__output *o, struct sonde__ostream *s,
			    const struct iovec *iov, int iovcnt,
			    struct sonde__packet_index *idx,
			    unsigned int wflags);
	uint64_t (*retired)(struct sonde__output *o, struct sonde__ostream *s);
	void (*release)(struct sonde__output *o);
	int (*write_metadata)(struct sonde__output *o, const char *text,
			      size_t len);
	int (*sync)(struct sonde__output *o);
	void (*discard)(struct sonde__output *o);
	void (*destroy)(struct sonde__output *o);
};

/* Every output starts with its operations. */
struct sonde__output {
	const struct sonde__output_ops *ops;
	unsigned int flags; /* SONDE__OUTPUT_* */
};

/* The output needs append-only metadata (see the contract above). */
#define SONDE__OUTPUT_APPEND_METADATA 1u
/* write_packet() may keep reading a payload it was allowed to hold. */
#define SONDE__OUTPUT_HOLDS_PAYLOAD 2u
/* write_packet()'s @wflags: the payload (last iovec) stays unchanged
 * until retired() counts the packet. */
#define SONDE__WRITE_MAY_HOLD 1u

/*
 * The trace directory output: @dir exists (sonde__output_dir_prepare());
 * it is opened once and checked like any directory sonde writes into
 * (sonde__dir_open()); streams are files created in it with
 * O_EXCL|O_NOFOLLOW, the metadata a private temporary renamed over
 * "metadata".  0 or -errno.
 */
SONDE_HIDDEN int sonde__output_dir_create(const char *dir,
					  struct sonde__output **out);
/*
 * Make @dir ready to receive a trace: created if need be (its last
 * component never followed if a link), owned by the user, not writable by
 * others unless sticky, holding no metadata nor stream file of an earlier
 * trace.  0, or -errno with a sentence for the user in @why.
 */
SONDE_HIDDEN int sonde__output_dir_prepare(const char *dir, char *why,
					   size_t n);

/*
 * Both @a and @b, as one output (tee.c): every call goes to @a, then, if
 * it succeeded, to @b.  @a's errors are the tee's; @b is the relay, whose
 * writes never fail once created (what it cannot send it counts).  The
 * index entry's offset is @a's.  Both are taken over (destroyed with the
 * tee, or at once on failure).  0 or -ENOMEM.
 */
SONDE_HIDDEN int sonde__output_tee_create(struct sonde__output *a,
					  struct sonde__output *b,
					  struct sonde__output **out);

/* The lttng-relayd output (relay.c). */
struct sonde__relay_opts {
	const char *url;      /* net://HOST[:CTRL[:DATA]] */
	const char *hostname; /* names the session for viewers; NULL:
				 gethostname() */
	const char *session;  /* session name */
	uint32_t live_timer_us; /* live session with this timer; 0: not live */
	uint64_t max_queue;   /* bytes queued at most while the relay is
				 slow or away; packets beyond are dropped,
				 counted */
	uint32_t retries;     /* reconnection attempts per outage, 1 s apart */
};

struct sonde__relay_stats {
	uint64_t packets;      /* handed to the connection */
	uint64_t bytes;
	uint64_t lost_packets; /* not sent: relay away, queue full, or cut
				  off with the connection */
	uint64_t lost_bytes;
	uint64_t inflight_lost_bytes; /* in the kernel's send queue when a
					 connection was lost */
	uint64_t direct_bytes; /* sent straight from the caller's buffers */
	uint64_t copied_bytes; /* queued (copied) first */
	/* Zero copy (SONDE_RELAY_ZEROCOPY, on by default where the kernel
	 * has SO_ZEROCOPY): */
	uint64_t zc_packets;  /* payload handed to the kernel by reference */
	uint64_t zc_bytes;
	uint64_t zc_copied;   /* of them, ones the kernel said it copied
				 (SO_EE_CODE_ZEROCOPY_COPIED: loopback) */
	uint64_t zc_fallback; /* packets copied while zero copy was on: not
				 allowed to hold (the consumer's bound, a
				 rebuilt packet), too small, or the
				 output's own bound reached */
	uint64_t zc_stalls;   /* connections given up because held packets
				 went unacknowledged (ZC_STALL_MS) */
	int zc_on;            /* zero copy on the current connection */
	/* Sent but not confirmed stored by the relay (DATA_PENDING) when
	 * a connection was lost: the relay may have lost them (its kernel
	 * acknowledged bytes it never wrote).  Packets counted lost above
	 * are not counted again here. */
	uint64_t unconfirmed_lost_packets;
	uint64_t unconfirmed_lost_bytes;
	uint64_t confirmed_packets; /* confirmed stored, over all sessions */
	uint64_t beacons;
	uint32_t outages, reconnects;
	uint32_t attempts_failed; /* reconnection attempts given up: refused,
				     or the relay silent past a step's
				     bound (it never waits on the relay) */
	uint32_t relay_errors; /* replies other than success */
	int up;                /* connected now */
	int gave_up;           /* stopped retrying */
	char path[384];        /* the session's directory under the relayd's
				  output root (the latest one) */
};

/*
 * Connect to the relay of @o->url and create the session (directory
 * "<hostname>/<session>-<YYYYmmdd-HHMMSS>" under the relayd's output root)
 * with its metadata stream, within a few seconds.  0, or -errno with a
 * sentence for the user in @why: -EINVAL (bad URL or name),
 * -ECONNREFUSED, -ETIMEDOUT, -EPROTO (not a relayd we can speak to)...
 * With SONDE__RELAY_DEFERRED in @flags an unreachable relay is not an
 * error: the output starts disconnected and retries as after an outage.
 */
#define SONDE__RELAY_DEFERRED 1u
/*
 * With SONDE__RELAY_ASYNC, create only begins: it resolves and starts
 * connecting (an error there, such as a refused connection, is returned
 * at once as without it), and sonde__output_relay_setup_step() moves the
 * rest on, for a caller that must not wait on the relay (the daemon).
 */
#define SONDE__RELAY_ASYNC 2u
SONDE_HIDDEN int sonde__output_relay_create(const struct sonde__relay_opts *o,
					    unsigned int flags,
					    struct sonde__output **out,
					    char *why, size_t n);
/*
 * The setup begun by sonde__output_relay_create(SONDE__RELAY_ASYNC), moved
 * on as far as the sockets allow, without blocking: -EINPROGRESS while it
 * goes on (call again within a few ms); 0 once the relay's session is
 * made (or there was no setup under way); or -errno with a sentence in
 * @why, each step having SETUP_MS (3 s) at most: then, with
 * SONDE__RELAY_DEFERRED, the output retries as after an outage, else it
 * is good only for destroying.  sonde__output_relay_poll() leaves a setup
 * under way alone.
 */
SONDE_HIDDEN int sonde__output_relay_setup_step(struct sonde__output *o,
						char *why, size_t n);
/*
 * Move things along without blocking: send what is queued, read the
 * replies, notice a lost connection, reconnect when due.  Call it often
 * (each loop of the recorder).
 */
SONDE_HIDDEN void sonde__output_relay_poll(struct sonde__output *o);
/*
 * Live session: a beacon, "no data until @until" (trace clock), for each
 * stream that had no packet since the last call.  No packet sent later
 * on those streams may begin before @until.
 */
SONDE_HIDDEN void sonde__output_relay_beacons(struct sonde__output *o,
					      uint64_t until);
/*
 * End of the trace: send what is queued and close every stream, waiting
 * at most @timeout_ms in all.  0, or -ETIMEDOUT / -ENOTCONN (what was
 * left is counted lost).
 */
SONDE_HIDDEN int sonde__output_relay_finish(struct sonde__output *o,
					    int timeout_ms);
/*
 * The same without blocking, for a caller that must go on serving others
 * (the daemon): the first call begins the end, and each call moves it on
 * as far as the sockets allow.  -EINPROGRESS until done: call again (every
 * few ms); then 0, or -ETIMEDOUT once CLOCK_MONOTONIC @deadline (ns) has
 * passed, or -ENOTCONN / -errno (what was left is counted lost, as
 * sonde__output_relay_finish() counts it).  Later calls, and
 * sonde__output_relay_finish(), return 0.
 */
SONDE_HIDDEN int sonde__output_relay_finish_step(struct sonde__output *o,
						 uint64_t deadline);
SONDE_HIDDEN void sonde__output_relay_stats(struct sonde__output *o,
					    struct sonde__relay_stats *st);

static inline void sonde__output_destroy(struct sonde__output *o)
{
	if (o)
		o->ops->destroy(o);
}

#endif
