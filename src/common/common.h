/* SPDX-License-Identifier: MIT */
/* Helpers shared by every libsonde subsystem: logging, directories. */
#ifndef SONDE_SRC_COMMON_H
#define SONDE_SRC_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define SONDE_HIDDEN __attribute__((visibility("hidden")))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum sonde_log_level {
	SONDE_LOG_NONE = 0,
	SONDE_LOG_ERROR = 1,
	SONDE_LOG_WARN = 2,
	SONDE_LOG_INFO = 3,
	SONDE_LOG_DEBUG = 4,
};

/* Level from SONDE_LOG_LEVEL (0-4 or none/error/warn/info/debug); off by default. */
SONDE_HIDDEN int sonde__log_level(void);
SONDE_HIDDEN void sonde__log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* mkdir -p @dir (mode 0755; components created are never followed if
 * swapped for a link); 0 or -errno.  Checks nothing else. */
SONDE_HIDDEN int sonde__mkdirs(const char *dir);

/* Flags of sonde__dir_open(). */
#define SONDE__DIR_CREATE 1 /* create it, and its missing parents */
#define SONDE__DIR_ANY 2    /* skip the owner, mode and access checks */

/**
 * sonde__dir_open() - open a directory to create files in, safely
 * @path: its path, as the user gave it
 * @flags: SONDE__DIR_* flags
 * @why: gets a sentence for the user on failure (may be NULL)
 * @n: size of @why
 *
 * The last component is never followed if it is a symbolic link, nor is
 * a component this call created.  Parents that exist are followed as
 * given.  Unless SONDE__DIR_ANY, the directory must be owned by the
 * effective uid, not writable by group or others unless sticky, and
 * writable by the caller.  See the top of fs.c.
 *
 * Return: the directory's descriptor (O_RDONLY|O_DIRECTORY|O_CLOEXEC),
 * or -errno (-EPERM for an owner or mode refused, -ELOOP for a link).
 * Context: any thread; not async-signal-safe.
 */
SONDE_HIDDEN int sonde__dir_open(const char *path, int flags, char *why,
				 size_t n);

/**
 * sonde__mkdir_fresh() - create a new directory, never reusing one
 * @dirfd: where (AT_FDCWD for the cwd)
 * @name: the name wanted; on success, the name created: @name, or
 *	  @name-1 ... @name-99 when taken (whatever took it: a directory, a
 *	  file, a link)
 * @size: size of @name
 *
 * Return: 0, -EEXIST when every name is taken, or -errno.
 */
SONDE_HIDDEN int sonde__mkdir_fresh(int dirfd, char *name, size_t size);

/*
 * Open the directory that holds @path (following links: it is the user's
 * choice) and copy @path's last component to @base (@n bytes).  The
 * descriptor, -EISDIR when @path ends with '/', or -errno.
 */
SONDE_HIDDEN int sonde__open_parent(const char *path, char *base, size_t n);

/*
 * A file replaced atomically: written to a private temporary in the same
 * directory (O_CREAT|O_EXCL|O_NOFOLLOW, random name ".NAME.<hex>", which
 * trace readers skip), then renamed over NAME.  Readers see the old file
 * or the new one, whole.
 */
struct sonde__tmpfile {
	int dirfd; /* not owned */
	int fd;    /* the temporary; the caller may close it and set -1 */
	char name[256];
	char tmp[256];
};

/* Create the temporary for @name in @dirfd with @mode (umask applies);
 * t->fd is open for writing.  0 or -errno. */
SONDE_HIDDEN int sonde__tmpfile_open(struct sonde__tmpfile *t, int dirfd,
				     const char *name, mode_t mode);
/* Close t->fd if open, rename the temporary over its name.  0 or -errno;
 * on failure the temporary is removed. */
SONDE_HIDDEN int sonde__tmpfile_commit(struct sonde__tmpfile *t);
/* Close and remove the temporary; no-op once committed or aborted. */
SONDE_HIDDEN void sonde__tmpfile_abort(struct sonde__tmpfile *t);

#define sonde__logf(level, ...)                                                \
	do {                                                                   \
		if (sonde__log_level() >= (level))                             \
			sonde__log(level, __VA_ARGS__);                        \
	} while (0)

#endif
