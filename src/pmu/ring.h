/* SPDX-License-Identifier: MIT */
/*
 * A perf_event_open(2) ring buffer read from user space: the one reader
 * shared by sonde_pmu sessions (sample.c, runtime library) and the
 * perf-fed sources of the tools library (src/sources/perfring.h adds perf
 * time on the trace clock).  See ring.c.
 */
#ifndef SONDE_SRC_PMU_RING_H
#define SONDE_SRC_PMU_RING_H

#include <stddef.h>
#include <stdint.h>

#include <linux/perf_event.h>

#ifndef SONDE_HIDDEN
#define SONDE_HIDDEN __attribute__((visibility("hidden")))
#endif

/* Data pages of a ring: a power of two, at most this many. */
#define SONDE__PERFRING_MAX_PAGES 1024u
/* A record is at most this long (perf_event_header.size is a u16). */
#define SONDE__PERFRING_MAX_RECORD 65535u

struct sonde__perfring_stats {
	uint64_t samples;   /* PERF_RECORD_SAMPLE records returned */
	uint64_t lost;      /* events the kernel reports it lost
			       (PERF_RECORD_LOST, _LOST_SAMPLES) */
	uint64_t records;   /* records of the types asked for with
			       sonde__perfring_want(), returned */
	uint64_t other;     /* well-formed records of other types, skipped */
	uint64_t bad;       /* times the ring held nonsense (a bad size or
			       head): what was left of it was skipped */
	uint64_t bad_bytes; /* bytes skipped that way */
};

/*
 * One ring.  Everything the reader relies on (where the data lies, its
 * size, our position) is private; only data_head is read from the shared
 * page, and only data_tail written to it.
 */
struct sonde__perfring {
	int fd;                               /* -1 for a ring in memory */
	void *map;                            /* the mapping, or NULL */
	size_t map_size;
	struct perf_event_mmap_page *meta;    /* page 0 */
	const uint8_t *data;                  /* data pages */
	uint64_t size;                        /* data bytes, power of two */
	uint64_t tail;                        /* consumed so far */
	uint64_t head;                        /* read by _begin() */
	struct sonde__perfring_stats st;
	uint8_t *copy; /* a record that wraps, copied (MAX_RECORD bytes) */
	uint64_t want; /* bit t: records of type t are returned too */
};

/*
 * Map the ring of perf event @fd: page 0 and @pages data pages (a power of
 * two).  The fd stays the caller's.  0 or -errno (-EINVAL: bad @pages).
 * Context: any thread; the ring is then read by one thread at a time.
 */
SONDE_HIDDEN int sonde__perfring_map(struct sonde__perfring *r, int fd,
				     uint32_t pages);
/*
 * A ring in memory (tests): control page @meta, @size bytes of data at
 * @data (a power of two >= 8).  0 or -EINVAL or -ENOMEM.
 */
SONDE_HIDDEN int sonde__perfring_init_mem(struct sonde__perfring *r,
					  struct perf_event_mmap_page *meta,
					  const void *data, uint64_t size);
/* Unmap; a zeroed or unmapped ring is a no-op. */
SONDE_HIDDEN void sonde__perfring_unmap(struct sonde__perfring *r);

/*
 * Start a pass: load data_head (acquire).  Records up to it are then
 * returned by sonde__perfring_next(); sonde__perfring_end() gives their
 * room back to the kernel.
 */
SONDE_HIDDEN void sonde__perfring_begin(struct sonde__perfring *r);
/*
 * Record types besides samples that sonde__perfring_next() returns: bit
 * t of @types (1ull << PERF_RECORD_MMAP2, _COMM, _FORK, _EXIT...) for
 * type t < 64; 0, the default, returns samples only.  PERF_RECORD_LOST
 * and PERF_RECORD_LOST_SAMPLES are always consumed and counted, never
 * returned, whatever @types says.  Context: the ring's reading thread.
 */
SONDE_HIDDEN void sonde__perfring_want(struct sonde__perfring *r,
				       uint64_t types);
/*
 * The next PERF_RECORD_SAMPLE, or record of a type asked for with
 * sonde__perfring_want(), in *@rec (contiguous: in the ring, or copied if
 * it wraps; valid until the next call; its header's size is >= 8, a
 * multiple of 8 and within the pass, its body is not checked: the caller
 * parses it against that size), after counting and skipping any lost and
 * other records: 1, or 0 when the pass is done.  Lost-record counts are
 * added to r->st.lost, and also returned in *@lost (the caller's
 * per-stream count), which may be NULL.
 */
SONDE_HIDDEN int sonde__perfring_next(struct sonde__perfring *r,
				      const struct perf_event_header **rec,
				      uint64_t *lost);
/*
 * Count the PERF_RECORD_SAMPLE records from *@pos (or the tail, if that is
 * further) up to data_head without consuming them; *@pos moves past them.
 * Stops at a record that is not sane (sonde__perfring_next() will count
 * it).  For the one thread that reads the ring.
 */
SONDE_HIDDEN uint64_t sonde__perfring_peek_samples(struct sonde__perfring *r,
						   uint64_t *pos);
/* End a pass: store data_tail (release). */
SONDE_HIDDEN void sonde__perfring_end(struct sonde__perfring *r);

/* The fields of a sample that sources use. */
struct sonde__perf_sample {
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint64_t addr;
	uint32_t cpu;
	uint64_t period;
};

/*
 * Parse sample @rec laid out by @sample_type (PERF_SAMPLE_IDENTIFIER,
 * IP, TID, TIME, ADDR, ID, STREAM_ID, CPU, PERIOD are decoded, any later
 * field is ignored; fields not in @sample_type are left 0).  0, or
 * -EBADMSG when the record is too short for them.
 */
SONDE_HIDDEN int sonde__perf_sample_parse(const struct perf_event_header *rec,
					  uint64_t sample_type,
					  struct sonde__perf_sample *s);

#endif
