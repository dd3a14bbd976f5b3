/* SPDX-License-Identifier: MIT */
/*
 * Reader side: a sonde trace directory (metadata + one file per stream)
 * opened read-only, its streams mmap'ed and merged by timestamp with a
 * min-heap.  Data flows one way: metadata-parse -> stream -> reader -> the
 * tools' formatters.
 *
 *	struct sonde__reader *r;
 *	struct sonde__rd_event ev;
 *	if (sonde__reader_open(dir, &r) < 0) error(sonde__reader_error(r));
 *	while ((n = sonde__reader_next(r, &ev)) > 0) use(&ev);
 *	if (n < 0) error(sonde__reader_error(r));
 *	sonde__reader_close(r);
 */
#ifndef SONDE_SRC_READER_READER_H
#define SONDE_SRC_READER_READER_H

#include <stddef.h>
#include <stdint.h>

#include "metadata-parse.h"
#include "stream.h"

struct sonde__reader;

/*
 * Open trace directory @dir.  Returns 0 or -errno; on error *@out is still
 * set when memory allowed it, for sonde__reader_error(), and must be
 * closed.
 */
SONDE_HIDDEN int sonde__reader_open(const char *dir, struct sonde__reader **out);

/* Same from memory: metadata text and stream buffers (for the fuzzer). */
SONDE_HIDDEN int sonde__reader_open_mem(const char *metadata, size_t mlen,
					const uint8_t *const *bufs,
					const size_t *lens, uint32_t nr,
					struct sonde__reader **out);

/* Next event in time order: 1, 0 at the end, or -errno. */
SONDE_HIDDEN int sonde__reader_next(struct sonde__reader *r,
				    struct sonde__rd_event *ev);

/* Timestamp (cycles) of the earliest pending event or range; 0 if none. */
SONDE_HIDDEN int sonde__reader_peek_ts(struct sonde__reader *r, uint64_t *ts);

SONDE_HIDDEN const struct sonde__rd_meta *
sonde__reader_meta(const struct sonde__reader *r);
SONDE_HIDDEN uint32_t sonde__reader_nr_streams(const struct sonde__reader *r);
SONDE_HIDDEN const struct sonde__rd_stream *
sonde__reader_stream(const struct sonde__reader *r, uint32_t i);
/* Message of the last error ("" if none). */
SONDE_HIDDEN const char *sonde__reader_error(const struct sonde__reader *r);
SONDE_HIDDEN void sonde__reader_close(struct sonde__reader *r);

#endif
