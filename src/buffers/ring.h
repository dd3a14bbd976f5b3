/* SPDX-License-Identifier: MIT */
/* Private interface of the ring buffer's producer side (ring.c). */
#ifndef SONDE_SRC_BUFFERS_RING_H
#define SONDE_SRC_BUFFERS_RING_H

#include <stdint.h>

#include <sonde/static/ring.h>

#include "../common/common.h"

/* Whether glibc registered rseq for this process's threads. */
SONDE_HIDDEN int sonde__rseq_glibc(void);
/* Thread-pointer offset of the rseq area this process uses. */
SONDE_HIDDEN long sonde__rseq_setup(void);
/* Current time in the channel's clock (cycles or ns). */
SONDE_HIDDEN uint64_t sonde__clock_now(const struct sonde__chan_view *ch);

/*
 * Close the current sub-buffer of @cpu's buffer if it holds any record, so
 * that the consumer can take it (a switch timer).  The caller must run on
 * @cpu (rseq); 0, -EAGAIN when it does not, -ENOSPC when the next
 * sub-buffer is not consumed yet, -EBUSY when writers kept winning.
 */
SONDE_HIDDEN int sonde__ring_flush(struct sonde__chan_view *ch, uint32_t cpu);
/*
 * The same, closing the current sub-buffer even when it holds no record
 * (an empty packet, header only): a live stream then tells its readers
 * "nothing on this CPU until now", and its next packet begins now, never
 * before a time readers were already told (sonde record --relay's live
 * timer).  Same returns.
 */
SONDE_HIDDEN int sonde__ring_flush_live(struct sonde__chan_view *ch,
					uint32_t cpu);

#endif
