/* SPDX-License-Identifier: MIT */
/*
 * The per-user run directory of the session daemon: $SONDE_RUNDIR, else
 * $XDG_RUNTIME_DIR/sonde, else /tmp/sonde-$UID.  It must be a directory
 * owned by the user with no permission for anyone else; it holds the
 * control socket and the daemon's lock file.
 *
 * /tmp/sonde-$UID is a name any user can take first.  When it belongs to
 * another user, the daemon and the applications both use the fallback
 * $HOME/.sonde-run instead (checked the same way; $HOME must be a
 * directory of the user that no one else can write to), so they agree
 * without talking to each other: the rule depends only on who owns
 * /tmp/sonde-$UID.  Since that owner may change (the other user removes
 * it), clients that find no daemon in /tmp/sonde-$UID also try the
 * fallback, and `sonde daemon` refuses to start in one while a daemon
 * answers in the other.  $SONDE_RUNDIR and $XDG_RUNTIME_DIR have no
 * fallback: their owner chose them.
 *
 * Trust boundary: environment variables.  They are read once, by
 * sonde__rundir_paths(), with secure_getenv(): a setuid or otherwise
 * privileged program ignores them and uses /tmp/sonde-$EUID, no fallback.
 */
#ifndef SONDE_SRC_CONTROL_RUNDIR_H
#define SONDE_SRC_CONTROL_RUNDIR_H

#include <limits.h>
#include <stddef.h>

#include "../common/common.h"

#define SONDE_RUNDIR_ENV "SONDE_RUNDIR"
#define SONDE__SOCK_NAME "sonde.sock"
#define SONDE__LOCK_NAME "daemon.lock"
/* The fallback's name in $HOME. */
#define SONDE__RUNDIR_FALLBACK ".sonde-run"

struct sonde__rundir {
	char dir[PATH_MAX - 32]; /* the directory in use */
	char sock[PATH_MAX];
	char lock[PATH_MAX];
	int fallback;            /* dir is $HOME/.sonde-run */
	char primary[PATH_MAX - 32];
	char home[PATH_MAX - 64]; /* $HOME when a fallback applies, else "" */
};

/*
 * Resolve the paths from the environment; nothing is checked or created.
 * The directory in use is the primary one.  0 or -ENAMETOOLONG.
 * Context: reads the environment; not from a thread the program did not
 * expect to call getenv().
 */
SONDE_HIDDEN int sonde__rundir_paths(struct sonde__rundir *r);

/*
 * Choose the directory to use and check it: the primary one (created,
 * mode 0700, if @create and absent); when it belongs to another user and
 * a fallback applies, the fallback, the same way.  @r is switched to the
 * choice.  0, -ENOENT when absent, -EPERM when it is not a directory
 * owned by the user and closed to others (@why gets a sentence that names
 * the way out), or -errno.
 */
SONDE_HIDDEN int sonde__rundir_pick(struct sonde__rundir *r, int create,
				    char *why, size_t n);

/*
 * Whether a daemon answers in the fallback while @r uses the primary
 * directory: its socket path in @sock (@n bytes), 1; else 0.
 */
SONDE_HIDDEN int sonde__rundir_other_daemon(const struct sonde__rundir *r,
					    char *sock, size_t n);

/*
 * Connect to the daemon's socket in the directory in use; when none
 * answers there and @r uses the primary directory, to one in the fallback
 * (then @r is switched to it).  @timeout_ms > 0 bounds a connect that
 * waits for room in the daemon's backlog.  The socket, -EACCES when the
 * daemon runs as another user, or -errno.
 */
SONDE_HIDDEN int sonde__rundir_connect(struct sonde__rundir *r,
				       int timeout_ms);

#endif
