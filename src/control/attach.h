/* SPDX-License-Identifier: MIT */
/* Attaching an instrumented process to a recording session. */
#ifndef SONDE_SRC_CONTROL_ATTACH_H
#define SONDE_SRC_CONTROL_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

/* Environment variable naming the session's shared-memory file. */
#define SONDE_SHM_ENV "SONDE_SHM"

struct sonde__shm_hdr;
struct sonde__chan_view;

/* Map the session named by $SONDE_SHM, once; no-op without it. */
SONDE_HIDDEN void sonde__attach(void);
/* Whether the process records into the session of $SONDE_SHM. */
SONDE_HIDDEN int sonde__attached_by_env(void);
/* Whether a mapped channel of @size bytes has a sane header. */
SONDE_HIDDEN int sonde__shm_hdr_valid(const struct sonde__shm_hdr *h,
				      uint64_t size);
/* The process-local view of a mapped channel (malloc'ed), or NULL. */
SONDE_HIDDEN struct sonde__chan_view *
sonde__view_create(struct sonde__shm_hdr *h);

/* A channel mapped into this process. */
struct sonde__channel {
	struct sonde__shm_hdr *h; /* the mapping */
	size_t size;
	struct sonde__chan_view *view;
};

/*
 * Map the channel in file @fd (kept open by the caller) and build its view.
 * @named: a file reached by its path, which must then be closed to other
 * users.  0, -EPERM (not ours, not a plausible channel file), -EINVAL
 * (malformed header), or -errno.
 */
SONDE_HIDDEN int sonde__channel_map(int fd, int named,
				    struct sonde__channel *out);

/*
 * The session-daemon agent: a background thread that registers the process
 * with the user's daemon, or waits for one (agent.c).  Started once, when
 * the first object with tracepoints registers, unless the process records
 * into $SONDE_SHM or $SONDE_DAEMON is "off".
 */
#define SONDE_DAEMON_ENV "SONDE_DAEMON"
SONDE_HIDDEN void sonde__agent_start(void);

#endif
