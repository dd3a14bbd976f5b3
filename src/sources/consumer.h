/* SPDX-License-Identifier: MIT */
/*
 * Consumer: the source of a trace's user-space stream class ("channel0").
 * It owns a channel's shared memory, moves complete packets to the
 * trace's stream of their CPU (src/trace/trace.h; the output decides
 * where they go), and finishes the trace (salvaging what dead processes
 * left half-written, then writing the metadata).
 */
#ifndef SONDE_SRC_SOURCES_CONSUMER_H
#define SONDE_SRC_SOURCES_CONSUMER_H

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
				 checked: sonde__dir_open()), the trace's
				 directory output; or: */
	struct sonde__trace *trace; /* a trace the caller made, to join
				       as one stream class among others
				       (the caller writes its metadata
				       through the consumer or itself,
				       and destroys it after the
				       consumer) */
	/* Optional: where sonde__consumer_create() and
	 * sonde__consumer_check_memory() put a sentence for the user when
	 * the buffers exceed the memory limit or cannot be reserved. */
	char *why;
	size_t why_size;
	/* How the user raises the limit, for that sentence; NULL:
	 * "SONDE_MAX_BUFFER_MEMORY=SIZE" (in the environment of the process
	 * that creates the buffers). */
	const char *limit_hint;
	/* Per-event context to add, "vpid,vtid,procname" in any order and
	 * subset (context.h); NULL or "" for none.  A bad list fails the
	 * creation (-EINVAL, -ENOTSUP for ip) with a sentence in why. */
	const char *context;
};

/*
 * The most memory the buffers may take, in bytes with an optional k, M, G,
 * T, P or E suffix (powers of 1024); read with secure_getenv().  Default:
 * half of MemAvailable.  It never lifts the hard bounds: MemAvailable, and
 * the room RLIMIT_AS leaves.
 */
#define SONDE_MAX_BUFFER_MEMORY_ENV "SONDE_MAX_BUFFER_MEMORY"

struct sonde__consumer_stats {
	uint64_t events;  /* records written, thread records excluded */
	uint64_t lost;    /* discarded: full, too big, torn, busy */
	uint64_t bytes;   /* bytes written to stream files */
	uint64_t packets;
};

struct sonde__consumer;
struct sonde__trace;

/*
 * Whether buffers of @o->subbuf_size x @o->nsub per possible CPU (plus
 * their control data and registry) fit in the memory limit (see
 * SONDE_MAX_BUFFER_MEMORY_ENV), without allocating anything: 0; -E2BIG
 * with a sentence in @why naming the total, the limit and how to change
 * it; -EINVAL for an impossible geometry or a bad limit variable.
 */
SONDE_HIDDEN int
sonde__consumer_check_memory(const struct sonde__consumer_opts *o, char *why,
			     size_t n);
/*
 * Create the buffers (a sealed memfd, every page reserved) and the stream
 * files in @o->dir.  0; -E2BIG when the buffers exceed the memory limit
 * (checked first, as sonde__consumer_check_memory()); -errno otherwise.
 */
SONDE_HIDDEN int sonde__consumer_create(const struct sonde__consumer_opts *o,
					struct sonde__consumer **out);
/*
 * The buffers' memfd, close-on-exec, sealed against shrinking and growing
 * (SONDE__SHM_SEALS): processes are handed a descriptor of it (inherited
 * through $SONDE_SHM, or passed by the daemon); and their mapping.
 */
SONDE_HIDDEN int sonde__consumer_shm_fd(struct sonde__consumer *c);
SONDE_HIDDEN struct sonde__shm_hdr *sonde__consumer_shm(struct sonde__consumer *c);
/* The trace the consumer feeds (its own, or the one it joined): other
 * sources join it; it lives until sonde__consumer_destroy(). */
SONDE_HIDDEN struct sonde__trace *sonde__consumer_trace(struct sonde__consumer *c);
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
/*
 * What the consumer found written into the shared memory by a faulty or
 * hostile process (sonde__consumer_damage()).
 */
struct sonde__consumer_damage {
	uint32_t cpus;     /* CPU buffers found holding nonsense */
	uint32_t poisoned; /* of them, those no longer read (their positions
			      were nonsense): their later events are lost */
	int header;        /* the header's geometry or uuid was overwritten
			      (restored; the consumer never uses it) */
	int registry;      /* the event registry was malformed: events of
			      classes registered after the damage are lost */
};

SONDE_HIDDEN void sonde__consumer_damage(struct sonde__consumer *c,
					 struct sonde__consumer_damage *d);
/*
 * The geometry the buffers were created with, from the consumer's own
 * memory: for code that walks the buffers beside it (a switch timer),
 * which must not take it from the header processes can write.
 */
SONDE_HIDDEN void sonde__consumer_geometry(struct sonde__consumer *c,
					   uint32_t *ncpu,
					   uint32_t *subbuf_size,
					   uint32_t *nsub);
/* Remove the stream files and metadata written so far. */
SONDE_HIDDEN void sonde__consumer_discard_output(struct sonde__consumer *c);
/* Unmap the buffers and close their memfd (the memory goes with the last
 * process that maps it); NULL is a no-op. */
SONDE_HIDDEN void sonde__consumer_destroy(struct sonde__consumer *c);

#endif
