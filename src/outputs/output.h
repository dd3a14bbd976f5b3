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
 *   previous text or the new one, never a mix.
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
			    struct sonde__packet_index *idx);
	int (*write_metadata)(struct sonde__output *o, const char *text,
			      size_t len);
	int (*sync)(struct sonde__output *o);
	void (*discard)(struct sonde__output *o);
	void (*destroy)(struct sonde__output *o);
};

/* Every output starts with its operations. */
struct sonde__output {
	const struct sonde__output_ops *ops;
};

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

static inline void sonde__output_destroy(struct sonde__output *o)
{
	if (o)
		o->ops->destroy(o);
}

#endif
