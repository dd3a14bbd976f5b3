// SPDX-License-Identifier: MIT
/*
 * The daemon's run directory and its fallback (see rundir.h).  Trust
 * boundaries: environment variables (read with secure_getenv()), and
 * directories another user may have prepared (/tmp/sonde-$UID, whose
 * owner decides between it and the fallback, checked with lstat() before
 * anything is created or bound in them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"
#include "rundir.h"

#define WAY_OUT "set XDG_RUNTIME_DIR or SONDE_RUNDIR to a private directory (mode 0700)"

/* Switch @r to directory @dir (which fits: same size as r->dir). */
static void use(struct sonde__rundir *r, const char *dir, int fallback)
{
	if (dir != r->dir)
		snprintf(r->dir, sizeof(r->dir), "%s", dir);
	snprintf(r->sock, sizeof(r->sock), "%s/" SONDE__SOCK_NAME, r->dir);
	snprintf(r->lock, sizeof(r->lock), "%s/" SONDE__LOCK_NAME, r->dir);
	r->fallback = fallback;
}

int sonde__rundir_paths(struct sonde__rundir *r)
{
	const char *env = secure_getenv(SONDE_RUNDIR_ENV);
	const char *xdg = secure_getenv("XDG_RUNTIME_DIR");
	const char *home = NULL;
	int n;

	r->home[0] = 0;
	if (env && *env) {
		n = snprintf(r->primary, sizeof(r->primary), "%s", env);
	} else if (xdg && *xdg == '/') {
		n = snprintf(r->primary, sizeof(r->primary), "%s/sonde", xdg);
	} else {
		n = snprintf(r->primary, sizeof(r->primary), "/tmp/sonde-%u",
			     (unsigned int)geteuid());
		home = secure_getenv("HOME");
	}
	if (n < 0 || (size_t)n >= sizeof(r->primary))
		return -ENAMETOOLONG;
	/* r->home leaves room for the fallback's name in r->dir. */
	if (home && *home == '/' && strlen(home) < sizeof(r->home))
		snprintf(r->home, sizeof(r->home), "%s", home);
	use(r, r->primary, 0);
	return 0;
}

/*
 * Check @dir, creating it (0700) if @create and absent.  0, or -errno;
 * -EPERM with a sentence in @why, and *@foreign set when it exists but
 * belongs to another user (a link or a file of theirs included).
 */
static int check_dir(const char *dir, int create, char *why, size_t n,
		     int *foreign)
{
	struct stat st;

	*foreign = 0;
	if (lstat(dir, &st)) {
		if (errno != ENOENT || !create)
			return -errno;
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		if (lstat(dir, &st))
			return -errno;
	}
	if (st.st_uid != geteuid()) {
		*foreign = 1;
		snprintf(why, n, "%s belongs to uid %u, not to uid %u", dir,
			 (unsigned int)st.st_uid, (unsigned int)geteuid());
		return -EPERM;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, n, "%s is not a directory; remove it or " WAY_OUT,
			 dir);
		return -EPERM;
	}
	if (st.st_mode & 077) {
		snprintf(why, n,
			 "%s is open to other users (mode %03o; must be 0700): chmod 700 %s",
			 dir, (unsigned int)(st.st_mode & 0777), dir);
		return -EPERM;
	}
	return 0;
}

/* Append "; " @way to the sentence in @why. */
static void append(char *why, size_t n, const char *way)
{
	size_t l = strnlen(why, n);

	if (l + 3 < n)
		snprintf(why + l, n - l, "; %s", way);
}

/* The fallback's path into @out (sizeof(r->dir) bytes); whether one
 * applies. */
static int fallback_path(const struct sonde__rundir *r, char *out)
{
	if (!r->home[0])
		return 0;
	snprintf(out, sizeof(r->dir), "%s/" SONDE__RUNDIR_FALLBACK, r->home);
	return 1;
}

int sonde__rundir_pick(struct sonde__rundir *r, int create, char *why,
		       size_t n)
{
	char fb[sizeof(r->dir)];
	struct stat st;
	int foreign, e;

	use(r, r->primary, 0);
	e = check_dir(r->dir, create, why, n, &foreign);
	if (e != -EPERM || !foreign)
		return e;
	if (!fallback_path(r, fb)) {
		append(why, n, WAY_OUT);
		return e;
	}
	/* Another user took /tmp/sonde-$UID first: $HOME is ours alone. */
	if (stat(r->home, &st) || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022)) {
		append(why, n,
		       "$HOME is not a directory of this user closed to others, so there is no fallback: " WAY_OUT);
		return e;
	}
	use(r, fb, 1);
	e = check_dir(r->dir, create, why, n, &foreign);
	if (e == -EPERM && foreign)
		append(why, n, WAY_OUT);
	return e;
}

/* Connect to the socket at @path; as sonde__rundir_connect(). */
static int connect_sock(const char *path, int timeout_ms)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(path);
	uid_t uid;
	pid_t pid;
	int fd;

	if (n >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	memcpy(a.sun_path, path, n + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (timeout_ms > 0) {
		/* A full backlog makes connect() wait this long at most (and
		 * each later send). */
		struct timeval tv = { timeout_ms / 1000,
				      (timeout_ms % 1000) * 1000 };

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(fd);
		return e == EAGAIN && timeout_ms > 0 ? -ETIMEDOUT : -e;
	}
	/* Only a daemon of our own user is spoken to. */
	if (sonde__peer_cred(fd, &uid, &pid) || uid != geteuid()) {
		close(fd);
		return -EACCES;
	}
	return fd;
}

int sonde__rundir_other_daemon(const struct sonde__rundir *r, char *sock,
			       size_t n)
{
	char fb[sizeof(r->dir)], why[64];
	int foreign, fd;

	if (r->fallback || !fallback_path(r, fb) ||
	    check_dir(fb, 0, why, sizeof(why), &foreign))
		return 0;
	snprintf(sock, n, "%s/" SONDE__SOCK_NAME, fb);
	fd = connect_sock(sock, 2000);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int sonde__rundir_connect(struct sonde__rundir *r, int timeout_ms)
{
	char fb[sizeof(r->dir)], sock[PATH_MAX], why[64];
	int foreign, fd = connect_sock(r->sock, timeout_ms), fd2;

	if (fd >= 0 || (fd != -ENOENT && fd != -ECONNREFUSED) ||
	    r->fallback || !fallback_path(r, fb) ||
	    check_dir(fb, 0, why, sizeof(why), &foreign))
		return fd;
	/* A daemon started there while /tmp/sonde-$UID was another user's. */
	snprintf(sock, sizeof(sock), "%s/" SONDE__SOCK_NAME, fb);
	fd2 = connect_sock(sock, timeout_ms);
	if (fd2 < 0)
		return fd;
	use(r, fb, 1);
	return fd2;
}
