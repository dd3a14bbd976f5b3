/* SPDX-License-Identifier: MIT */
/* Attaching an instrumented process to a recording session. */
#ifndef SONDE_SRC_CONTROL_ATTACH_H
#define SONDE_SRC_CONTROL_ATTACH_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

/*
 * Environment variable naming the session's buffers for the processes of
 * `sonde record`: "fd:N", N an inherited descriptor of their memfd.
 */
#define SONDE_SHM_ENV "SONDE_SHM"

/*
 * The seals the consumer puts on the buffers' memfd once reserved, and
 * that a process requires before it maps one: nobody can shrink the
 * buffers (SIGBUS in every process that maps them), grow them, or change
 * the seals.
 */
#define SONDE__SHM_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

/*
 * The lowest number at which the descriptor of $SONDE_SHM is kept for the
 * children of a process (out of the way of the low numbers programs
 * close, reuse or dup2() over).
 */
#define SONDE__SHM_FD_MIN 100

struct sonde__shm_hdr;
struct sonde__chan_view;

/* Map the session named by $SONDE_SHM, once; no-op without it.  The
 * descriptor is then kept, at SONDE__SHM_FD_MIN or above and inherited
 * across exec, and $SONDE_SHM names it for the process's children. */
SONDE_HIDDEN void sonde__attach(void);
/* Whether the process records into the session of $SONDE_SHM. */
SONDE_HIDDEN int sonde__attached_by_env(void);
/* Whether a mapped channel of @size bytes has a sane header. */
SONDE_HIDDEN int sonde__shm_hdr_valid(const struct sonde__shm_hdr *h,
				      uint64_t size);
/* The process-local view of a mapped channel (malloc'ed), or NULL. */
SONDE_HIDDEN struct sonde__chan_view *
sonde__view_create(struct sonde__shm_hdr *h);

/*
 * Announce this process in the process log of the channel at @h (view
 * @ch): its pid, the channel's clock now and its comm (layout.h).  Call
 * when the process attaches, before any tracepoint can write there, and
 * in the child after fork(): its records name it from then on.  No lock,
 * no allocation: fit for an atfork child handler.
 */
SONDE_HIDDEN void sonde__proc_announce(struct sonde__shm_hdr *h,
				       const struct sonde__chan_view *ch);

/* A channel mapped into this process. */
struct sonde__channel {
	struct sonde__shm_hdr *h; /* the mapping */
	size_t size;
	struct sonde__chan_view *view;
};

/*
 * Map the channel in memfd @fd (kept open by the caller) and build its
 * view.  0, -EPERM (not a regular file of ours, not sealed with
 * SONDE__SHM_SEALS: someone could resize it under us; or not of a
 * plausible size), -EINVAL (malformed header), or -errno.
 */
SONDE_HIDDEN int sonde__channel_map(int fd, struct sonde__channel *out);

/*
 * The session-daemon agent: a background thread that registers the process
 * with the user's daemon, or waits for one (agent.c).  Started once, when
 * the first object with tracepoints registers, unless the process records
 * into $SONDE_SHM or $SONDE_DAEMON is "off".
 */
#define SONDE_DAEMON_ENV "SONDE_DAEMON"
SONDE_HIDDEN void sonde__agent_start(void);

/*
 * How long start-up may wait for the daemon's answer to the registration,
 * in milliseconds (default 3000; 0: no wait).  See sonde__agent_wait().
 */
#define SONDE_REGISTER_TIMEOUT_ENV "SONDE_REGISTER_TIMEOUT"

/*
 * Wait until the daemon has answered the registration of the agent that
 * sonde__agent_start() started (the process attached to a started
 * session, or told that none records it, or the connection failed), or
 * until $SONDE_REGISTER_TIMEOUT milliseconds after the agent started,
 * whichever comes first.  Returns at once when no agent was started, when
 * no daemon's socket existed then, or once the registration was answered.
 * Context: a constructor, after sonde__agent_start(); may hold the dynamic
 * loader's lock (dlopen()), which the agent never needs.  Holds no lock;
 * errno is preserved.
 */
SONDE_HIDDEN void sonde__agent_wait(void);

#endif
