/* SPDX-License-Identifier: MIT */
/*
 * The per-user run directory of the session daemon: $SONDE_RUNDIR, else
 * $XDG_RUNTIME_DIR/sonde, else /tmp/sonde-$UID.  It must be a directory
 * owned by the user with no permission for anyone else; it holds the
 * control socket and the daemon's lock file.
 *
 * Trust boundary: environment variables, read with secure_getenv(): a
 * setuid or otherwise privileged program ignores them and uses
 * /tmp/sonde-$EUID.
 */
#ifndef SONDE_SRC_CONTROL_RUNDIR_H
#define SONDE_SRC_CONTROL_RUNDIR_H

#include <limits.h>
#include <stddef.h>

#include "../common/common.h"

#define SONDE_RUNDIR_ENV "SONDE_RUNDIR"
#define SONDE__SOCK_NAME "sonde.sock"
#define SONDE__LOCK_NAME "daemon.lock"

struct sonde__rundir {
	char dir[PATH_MAX - 32];
	char sock[PATH_MAX];
	char lock[PATH_MAX];
};

/* Resolve the paths (nothing is created).  0 or -ENAMETOOLONG. */
SONDE_HIDDEN int sonde__rundir_paths(struct sonde__rundir *r);
/*
 * Check the directory (and create it, mode 0700, if @create and absent).
 * 0, -ENOENT when absent, -EPERM when it is not a directory owned by the
 * user and closed to others (@why gets a sentence), or -errno.
 */
SONDE_HIDDEN int sonde__rundir_check(const struct sonde__rundir *r,
				     int create, char *why, size_t n);

/* Connect to the daemon's socket; the socket, -EACCES when the daemon
 * runs as another user, or -errno. */
SONDE_HIDDEN int sonde__rundir_connect(const struct sonde__rundir *r);

#endif
