/* SPDX-License-Identifier: MIT */
/* The session daemon (src/daemon/, daemon.h), run by `sonde daemon`. */
#ifndef SONDE_SRC_DAEMON_SESSIOND_H
#define SONDE_SRC_DAEMON_SESSIOND_H

#include "../common/common.h"
#include "../control/rundir.h"

struct sonde__sessiond_opts {
	const struct sonde__rundir *rd; /* checked, the lock held */
	int lock_fd;  /* daemon.lock, flock()ed: the pid is written there */
	int ready_fd; /* one byte is written once the socket is up, or -1 */
};

/*
 * Serve until `sonde daemon --stop`, SIGTERM or SIGINT; then stop and
 * destroy every session and remove the socket.  0, or -errno when it
 * cannot start.
 */
SONDE_HIDDEN int sonde__sessiond_run(const struct sonde__sessiond_opts *o);

#endif
