/* SPDX-License-Identifier: MIT */
/* Private interface of the ring buffer's producer side (ring.c). */
#ifndef SONDE_SRC_BUFFERS_RING_H
#define SONDE_SRC_BUFFERS_RING_H

#include <stdint.h>

#include <sonde/static/ring.h>

#include "../common/common.h"

/* Thread-pointer offset of the rseq area this process uses. */
SONDE_HIDDEN long sonde__rseq_setup(void);
/* Current time in the channel's clock (cycles or ns). */
SONDE_HIDDEN uint64_t sonde__clock_now(const struct sonde__chan_view *ch);
/* Add @len committed bytes to a sub-buffer owned by @cpu. */
SONDE_HIDDEN void sonde__commit_bytes(struct sonde_rb_commit *c, uint32_t cpu,
				      uint64_t len);

#endif
