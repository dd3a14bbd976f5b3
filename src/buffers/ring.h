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

#endif
