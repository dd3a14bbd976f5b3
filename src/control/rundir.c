// SPDX-License-Identifier: MIT
/* The daemon's run directory (see rundir.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"
#include "rundir.h"

int sonde__rundir_paths(struct sonde__rundir *r)
{
	const char *env = secure_getenv(SONDE_RUNDIR_ENV);
	const char *xdg = secure_getenv("XDG_RUNTIME_DIR");
	int n;

	if (env && *env)
		n = snprintf(r->dir, sizeof(r->dir), "%s", env);
	else if (xdg && *xdg == '/')
		n = snprintf(r->dir, sizeof(r->dir), "%s/sonde", xdg);
	else
		n = snprintf(r->dir, sizeof(r->dir), "/tmp/sonde-%u",
			     (unsigned int)geteuid());
	if (n < 0 || (size_t)n >= sizeof(r->dir))
		return -ENAMETOOLONG;
	snprintf(r->sock, sizeof(r->sock), "%s/" SONDE__SOCK_NAME, r->dir);
	snprintf(r->lock, sizeof(r->lock), "%s/" SONDE__LOCK_NAME, r->dir);
	return 0;
}

int sonde__rundir_check(const struct sonde__rundir *r, int create, char *why,
			size_t n)
{
	struct stat st;

	if (lstat(r->dir, &st)) {
		if (errno != ENOENT || !create)
			return -errno;
		if (mkdir(r->dir, 0700) && errno != EEXIST)
			return -errno;
		if (lstat(r->dir, &st))
			return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, n, "%s is not a directory", r->dir);
		return -EPERM;
	}
	if (st.st_uid != geteuid()) {
		snprintf(why, n, "%s belongs to uid %u, not to uid %u", r->dir,
			 (unsigned int)st.st_uid, (unsigned int)geteuid());
		return -EPERM;
	}
	if (st.st_mode & 077) {
		snprintf(why, n,
			 "%s is open to other users (mode %03o; must be 0700)",
			 r->dir, (unsigned int)(st.st_mode & 0777));
		return -EPERM;
	}
	return 0;
}

int sonde__rundir_connect(const struct sonde__rundir *r)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(r->sock);
	uid_t uid;
	pid_t pid;
	int fd;

	if (n >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	memcpy(a.sun_path, r->sock, n + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(fd);
		return -e;
	}
	/* Only a daemon of our own user is spoken to. */
	if (sonde__peer_cred(fd, &uid, &pid) || uid != geteuid()) {
		close(fd);
		return -EACCES;
	}
	return fd;
}
