// SPDX-License-Identifier: MIT
/*
 * File-system helpers shared by the trace writers (common.h): opening a
 * directory to write into, naming a fresh one, and replacing a file
 * through a private temporary.
 *
 * Trust boundary: paths given by users (sonde record -o, sonde create -o,
 * sonde snapshot -o, sonde report -o, $HOME) name directories that other
 * users may share: /tmp, a group's project directory, a cwd someone else
 * can write to.  sonde may run as root there.  What must hold:
 *  - a directory written into is opened once, with O_NOFOLLOW on its last
 *    component, and every file in it is then created relative to that
 *    descriptor with O_CREAT|O_EXCL|O_NOFOLLOW: a file or link planted where
 *    a file of ours goes is an error, never followed, truncated or reused;
 *  - that directory is the caller's own (owner = effective uid), and
 *    nobody else can write in it unless it has the sticky bit, which
 *    keeps them from renaming or removing what we create;
 *  - components we create on the way are opened with O_NOFOLLOW right
 *    after their mkdirat(), so a link swapped in between is refused; the
 *    parents that already exist are taken as the user named them,
 *    symbolic links included (a home directory reached through a link is
 *    common, and a parent the user chose is the user's to trust);
 *  - a file is replaced by renaming a temporary created with O_EXCL under a
 *    random name in the same directory: readers see the old file or the
 *    new one, never a partial one, and nobody can have prepared it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

/* Names tried by sonde__mkdir_fresh(): NAME, NAME-1, ... NAME-FRESH_MAX. */
#define FRESH_MAX 99
/* Random names tried by sonde__tmpfile_open() before giving up. */
#define TMP_TRIES 16

static void say(char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (!why || !n)
		return;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

/*
 * Whether the directory open at @fd, named @path, may receive our files:
 * 0, or -EPERM / -errno with a sentence in @why.
 */
static int dir_check(int fd, const char *path, char *why, size_t n)
{
	struct stat st;

	if (fstat(fd, &st)) {
		int e = errno;

		say(why, n, "cannot use %s as trace directory: %s", path,
		    strerror(e));
		return -e;
	}
	if (st.st_uid != geteuid()) {
		say(why, n,
		    "cannot use %s as trace directory: it is owned by uid %u, not by uid %u; choose a directory of your own",
		    path, (unsigned int)st.st_uid, (unsigned int)geteuid());
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		say(why, n,
		    "cannot use %s as trace directory: it is writable by %s (mode %04o) without the sticky bit; run chmod go-w on it or choose another",
		    path, (st.st_mode & S_IWOTH) ? "other users" : "its group",
		    (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS)) {
		int e = errno;

		say(why, n, "cannot write to trace directory %s: %s", path,
		    strerror(e));
		return -e;
	}
	return 0;
}

static int open_failed(int e, int last, const char *path, char *why, size_t n)
{
	if (e == ELOOP && last)
		say(why, n,
		    "cannot use %s as trace directory: it is a symbolic link; give the directory it points to",
		    path);
	else if (e == ELOOP)
		say(why, n,
		    "cannot create trace directory %s: a directory created on the way was replaced by a symbolic link",
		    path);
	else if (e == ENOTDIR && last)
		say(why, n, "cannot use %s as trace directory: not a directory",
		    path);
	else
		say(why, n, "cannot open trace directory %s: %s", path,
		    strerror(e));
	return -e;
}

int sonde__dir_open(const char *path, int flags, char *why, size_t n)
{
	char p[PATH_MAX], *comp, *next;
	size_t len = strlen(path);
	int fd, last;

	if (!len) {
		say(why, n, "empty trace directory name");
		return -ENOENT;
	}
	if (len >= sizeof(p)) {
		say(why, n, "trace directory name too long: %.64s...", path);
		return -ENAMETOOLONG;
	}
	memcpy(p, path, len + 1);
	/* A trailing slash would make the kernel follow a last link. */
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	fd = open(p[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return open_failed(errno, 0, path, why, n);
	for (comp = p; *comp == '/'; comp++)
		;
	while (*comp) {
		int made = 0, nfd;

		next = strchr(comp, '/');
		if (next)
			for (*next++ = '\0'; *next == '/'; next++)
				;
		last = !next || !*next;
		if ((flags & SONDE__DIR_CREATE) && strcmp(comp, ".") &&
		    strcmp(comp, "..")) {
			if (!mkdirat(fd, comp, 0755)) {
				made = 1;
			} else if (errno != EEXIST) {
				int e = errno;

				close(fd);
				say(why, n, "cannot create trace directory %s: %s",
				    path, strerror(e));
				return -e;
			}
		}
		nfd = openat(fd, comp,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC |
				     (made || last ? O_NOFOLLOW : 0));
		if (nfd < 0) {
			int e = errno;
			struct stat st;

			/* O_DIRECTORY|O_NOFOLLOW on a link: ENOTDIR. */
			if (e == ENOTDIR &&
			    !fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) &&
			    S_ISLNK(st.st_mode))
				e = ELOOP;
			close(fd);
			return open_failed(e, last, path, why, n);
		}
		close(fd);
		fd = nfd;
		if (last)
			break;
		comp = next;
	}
	if (!(flags & SONDE__DIR_ANY)) {
		int r = dir_check(fd, path, why, n);

		if (r) {
			close(fd);
			return r;
		}
	}
	return fd;
}

int sonde__mkdirs(const char *dir)
{
	int fd = sonde__dir_open(dir, SONDE__DIR_CREATE | SONDE__DIR_ANY,
				 NULL, 0);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int sonde__mkdir_fresh(int dirfd, char *name, size_t size)
{
	size_t len = strlen(name);

	for (int i = 0; i <= FRESH_MAX; i++) {
		if (i && (size_t)snprintf(name + len, size - len, "-%d", i) >=
				 size - len) {
			name[len] = '\0';
			return -ENAMETOOLONG;
		}
		if (!mkdirat(dirfd, name, 0755))
			return 0;
		if (errno != EEXIST) {
			int e = errno;

			name[len] = '\0';
			return -e;
		}
	}
	name[len] = '\0';
	return -EEXIST;
}

int sonde__open_parent(const char *path, char *base, size_t n)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	size_t dlen;
	int fd;

	if (!*path || (slash && !slash[1]))
		return -EISDIR;
	if (strlen(slash ? slash + 1 : path) >= n)
		return -ENAMETOOLONG;
	snprintf(base, n, "%s", slash ? slash + 1 : path);
	if (!slash)
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dlen = slash == path ? 1 : (size_t)(slash - path);
	if (dlen >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static uint64_t random_u64(void)
{
	uint64_t v;
	struct timespec t;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == sizeof(v))
		return v;
	/* No entropy yet: unpredictable enough for a name that O_EXCL
	 * guards anyway. */
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((uint64_t)t.tv_nsec << 32) ^ (uint64_t)t.tv_sec ^
	       ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)&v;
}

int sonde__tmpfile_open(struct sonde__tmpfile *t, int dirfd,
			const char *name, mode_t mode)
{
	t->dirfd = dirfd;
	t->fd = -1;
	t->tmp[0] = '\0';
	if (strlen(name) >= sizeof(t->name))
		return -ENAMETOOLONG;
	snprintf(t->name, sizeof(t->name), "%s", name);
	for (int i = 0; i < TMP_TRIES; i++) {
		snprintf(t->tmp, sizeof(t->tmp), ".%.200s.%016llx", name,
			 (unsigned long long)random_u64());
		t->fd = openat(dirfd, t->tmp,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC,
			       mode);
		if (t->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	t->tmp[0] = '\0';
	return -errno;
}

int sonde__tmpfile_commit(struct sonde__tmpfile *t)
{
	int r = 0;

	if (!t->tmp[0])
		return -EBADF;
	if (t->fd >= 0 && close(t->fd))
		r = -errno;
	t->fd = -1;
	if (!r && renameat(t->dirfd, t->tmp, t->dirfd, t->name))
		r = -errno;
	if (r)
		unlinkat(t->dirfd, t->tmp, 0);
	t->tmp[0] = '\0';
	return r;
}

void sonde__tmpfile_abort(struct sonde__tmpfile *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->tmp[0])
		unlinkat(t->dirfd, t->tmp, 0);
	t->tmp[0] = '\0';
}
