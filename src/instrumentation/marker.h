/* SPDX-License-Identifier: MIT */
/* printf-style markers: format parsing (once) and recording. */
#ifndef SONDE_SRC_INSTRUMENTATION_MARKER_H
#define SONDE_SRC_INSTRUMENTATION_MARKER_H

#include <stddef.h>

#include <sonde/tracepoint.h>

#include "../common/common.h"

/*
 * Parse @d's format into its field table and recording plan (kept in
 * d->fields, d->nr_fields, d->priv).  Returns 0, or -EINVAL with a reason
 * in @err (the marker must then stay disabled), or -ENOMEM.
 */
SONDE_HIDDEN int sonde__marker_prepare(struct sonde_event_desc *d, char *err,
				       size_t errlen);

#endif
