/* SPDX-License-Identifier: MIT */
/*
 * Consumer: owns a channel's shared memory, moves complete packets to one
 * CTF stream file per CPU, and finishes the trace (salvaging what dead
 * processes left half-written, then writing the metadata).
 */
#ifndef SONDE_SRC_CONSUMER_H
#define SONDE_SRC_CONSUMER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/common.h"

struct sonde__consumer_opts {
	uint32_t subbuf_size; /* power of two, >= 4096 */
	uint32_t nsub;        /* power of two, >= 2 */
	int overwrite;        /* flight recorder: keep the latest data */
	const char *patterns; /* '\n'-separated; "" for all events */
	const char *dir;      /* existing output directory (reopened and
				 checked: sonde__dir_open()) */
	int memfd;            /* buffers in a memfd (passed to processes)
				 rather than a file they open by name */
};

struct sonde__consumer_stats {
	uint64_t events;  /* records written, thread records excluded */
	uint64_t lost;    /* discarded: full, too big, torn, busy */
	uint64_t bytes;   /* bytes written to stream files */
	uint64_t packets;
};

struct sonde__consumer;

/*
 * Make @dir ready to receive a trace: created if need be (its last
 * component never followed if a link), owned by the user, not writable by
 * others unless sticky (sonde__dir_open()), holding no metadata nor stream
 * file.  0, or -errno with a sentence for the user in @why.
 */
SONDE_HIDDEN int sonde__consumer_prepare_dir(const char *dir, char *why,
					     size_t n);
SONDE_HIDDEN int sonde__consumer_create(const struct sonde__consumer_opts *o,
					struct sonde__consumer **out);
/* Path of the shared-memory file, for $SONDE_SHM. */
SONDE_HIDDEN const char *sonde__consumer_shm_path(struct sonde__consumer *c);
/* The memfd of the buffers (-1 unless opts.memfd), and their mapping. */
SONDE_HIDDEN int sonde__consumer_shm_fd(struct sonde__consumer *c);
SONDE_HIDDEN struct sonde__shm_hdr *sonde__consumer_shm(struct sonde__consumer *c);
/* Write out complete packets; *@moved tells whether any was.  0 or -errno. */
SONDE_HIDDEN int sonde__consumer_drain(struct sonde__consumer *c, int *moved);
/* Producers are gone: write what remains, then the metadata.  0 or -errno. */
SONDE_HIDDEN int sonde__consumer_finish(struct sonde__consumer *c,
					const char *procname, pid_t pid);
/*
 * No process can write into the buffers any more (each one detached): write
 * everything they hold, salvaging partial sub-buffers, and start every
 * buffer afresh at its next sub-buffer.  Processes may attach again
 * afterwards; the trace goes on in the same stream files.  The metadata is
 * the caller's to rewrite.  No-op in overwrite mode.  0 or -errno.
 */
SONDE_HIDDEN int sonde__consumer_seal(struct sonde__consumer *c);
/*
 * Rewrite the metadata with the events registered so far (a private
 * temporary renamed over dir/metadata, so readers and a recorder killed
 * meanwhile see a whole one).  Call it once the consumer is created, so
 * that the trace is readable from the start.  0 or -errno.
 */
SONDE_HIDDEN int sonde__consumer_write_metadata(struct sonde__consumer *c,
						const char *procname, pid_t pid);
/* The same, only if event classes were registered since the metadata was
 * last written (or it never was).  0 or -errno. */
SONDE_HIDDEN int sonde__consumer_refresh_metadata(struct sonde__consumer *c,
						  const char *procname,
						  pid_t pid);
/*
 * Flight recorder: write what an overwrite channel holds now, while its
 * producers keep running, as a new trace in existing directory @dir.
 * Packets a producer overwrites during the copy are left out.  @st gets
 * the snapshot's own counts.  0 or -errno (files written are removed).
 */
SONDE_HIDDEN int sonde__consumer_snapshot(struct sonde__consumer *c,
					  const char *dir, const char *procname,
					  pid_t pid,
					  struct sonde__consumer_stats *st);
SONDE_HIDDEN void sonde__consumer_stats(struct sonde__consumer *c,
					struct sonde__consumer_stats *s);
/* Remove the stream files and metadata written so far. */
SONDE_HIDDEN void sonde__consumer_discard_output(struct sonde__consumer *c);
/* Unmap and unlink the shared memory; NULL is a no-op. */
SONDE_HIDDEN void sonde__consumer_destroy(struct sonde__consumer *c);

#endif
