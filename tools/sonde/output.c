// SPDX-License-Identifier: MIT
/*
 * Where a reader verb writes its result (`sonde report -o`, `sonde export
 * -o`): a path the user gave, in a directory that may be shared with other
 * users.  A new or regular file is written to a private temporary in the
 * same directory and renamed over it once complete, so a failed run leaves
 * the old file and a reader never sees half a file; a FIFO or a device of
 * the user's or root's (a terminal, /dev/null) is written in place, since
 * replacing it would break what it is for; a symbolic link is refused (in
 * a shared directory it may be someone else's, and both following it and
 * replacing it write where the user did not say).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/common/common.h"
#include "cmd.h"

/*
 * Open where the report goes, in the directory @dfd (opened here) that
 * holds @out: a new or regular file gets a private temporary in @t, to
 * be renamed over it; a FIFO or a device of the user's or root's (a
 * terminal, /dev/null) is opened to be written in place, since replacing
 * it would break what it is for; a symbolic link is refused (in a shared
 * directory it may be someone else's, and replacing or following it both
 * write where the user did not say).  The descriptor, or -1 after a
 * message.
 */
static int open_output(const char *out, struct sonde__tmpfile *t, int *dfd)
{
	const char *kind = NULL;
	char base[NAME_MAX + 1];
	struct stat st;
	int fd, r;

	*dfd = sonde__open_parent(out, base, sizeof(base));
	if (*dfd < 0) {
		cli_error("%s: %s", out, strerror(-*dfd));
		return -1;
	}
	if (fstatat(*dfd, base, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno != ENOENT) {
			cli_error("%s: %s", out, strerror(errno));
			return -1;
		}
		st.st_mode = S_IFREG; /* created */
	}
	if (S_ISREG(st.st_mode)) {
		r = sonde__tmpfile_open(t, *dfd, base, 0666);
		if (r) {
			cli_error("%s: %s", out, strerror(-r));
			return -1;
		}
		return t->fd;
	}
	if (S_ISLNK(st.st_mode))
		kind = "it is a symbolic link; give the file it points to";
	else if (S_ISDIR(st.st_mode))
		kind = "it is a directory";
	else if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode) &&
		 !S_ISBLK(st.st_mode))
		kind = "it is not a regular file, a FIFO or a device";
	else if (st.st_uid != geteuid() && st.st_uid != 0)
		kind = "it is a FIFO or device of another user";
	if (kind) {
		cli_error("%s: not written: %s", out, kind);
		return -1;
	}
	fd = openat(*dfd, base, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("%s: %s", out, strerror(errno));
		return -1;
	}
	/* Never written over in place: a regular file swapped in since. */
	if (fstat(fd, &st) || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		close(fd);
		cli_error("%s: not written: it changed while being opened",
			  out);
		return -1;
	}
	return fd;
}

int cli_output_open(struct cli_output *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->t.dirfd = -1;
	o->t.fd = -1;
	o->dirfd = -1;
	o->fd = STDOUT_FILENO;
	o->name = "standard output";
	if (!path)
		return 0;
	o->name = path;
	o->fd = open_output(path, &o->t, &o->dirfd);
	if (o->fd < 0) {
		if (o->dirfd >= 0)
			close(o->dirfd);
		o->dirfd = -1;
		return -1;
	}
	return 0;
}

int cli_output_close(struct cli_output *o, int ok)
{
	int ret = 0, r;

	if (o->t.tmp[0]) {
		if (ok) {
			r = sonde__tmpfile_commit(&o->t);
			if (r) {
				cli_error("%s: %s", o->name, strerror(-r));
				ret = -1;
			}
		} else {
			sonde__tmpfile_abort(&o->t);
		}
	} else if (o->fd >= 0 && o->fd != STDOUT_FILENO && close(o->fd) &&
		   ok) {
		cli_error("%s: %s", o->name, strerror(errno));
		ret = -1;
	}
	o->fd = -1;
	if (o->dirfd >= 0)
		close(o->dirfd);
	o->dirfd = -1;
	return ret;
}
