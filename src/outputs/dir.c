// SPDX-License-Identifier: MIT
/*
 * The trace directory output (see output.h for the contract): one file per
 * stream and "metadata", in a directory opened once.
 *
 * Trust boundary: paths given by users, and a directory other users may
 * have prepared.  The directory is opened by sonde__dir_open() (owner and
 * mode checked); every file is created relative to its descriptor with
 * O_EXCL|O_NOFOLLOW, so nothing planted there is followed, truncated or
 * removed; the metadata goes through a private temporary renamed into
 * place (fs.c), so a reader, or a recorder killed meanwhile, sees the old
 * text or the new one.  A packet is one writev(); what a failed write
 * (ENOSPC, EFBIG) left of it is cut off again, so that every stream holds
 * whole packets only and stays readable.
 *
 * Index entries are accepted and not stored: babeltrace2 and sonde's
 * reader index a stream by walking its packet headers.  The network
 * output sends them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

struct sonde__ostream {
	int fd;
	uint64_t size; /* bytes of the whole packets in the file */
	char name[64];
};

struct dir_output {
	struct sonde__output base;
	int dirfd;
	struct sonde__ostream **streams;
	uint32_t nr, cap;
	int meta_written; /* "metadata" is ours to remove */
};

static struct dir_output *dir_of(struct sonde__output *o)
{
	return (struct dir_output *)o;
}

static int dir_open_stream(struct sonde__output *o, const char *name,
			   struct sonde__ostream **out)
{
	struct dir_output *d = dir_of(o);
	struct sonde__ostream *s;

	if (!name[0] || strlen(name) >= sizeof(s->name) || strchr(name, '/') ||
	    name[0] == '.' || !strcmp(name, "metadata"))
		return -EINVAL;
	if (d->nr == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 16;
		struct sonde__ostream **ns =
			realloc(d->streams, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		d->streams = ns;
		d->cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->fd = openat(d->dirfd, name,
		       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		       0644);
	if (s->fd < 0) {
		int r = -errno;

		free(s); /* not ours: never removed */
		return r;
	}
	d->streams[d->nr++] = s;
	*out = s;
	return 0;
}

static int write_rest(int fd, const struct iovec *iov, int n, size_t done)
{
	for (int i = 0; i < n; i++) {
		const char *p = iov[i].iov_base;
		size_t len = iov[i].iov_len;

		if (done >= len) {
			done -= len;
			continue;
		}
		p += done;
		len -= done;
		done = 0;
		while (len) {
			ssize_t w = write(fd, p, len);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			p += w;
			len -= (size_t)w;
		}
	}
	return 0;
}

static int dir_write_packet(struct sonde__output *o, struct sonde__ostream *s,
			    const struct iovec *iov, int iovcnt,
			    struct sonde__packet_index *idx,
			    unsigned int wflags)
{
	size_t total = 0;
	ssize_t w;
	int r = 0;

	(void)o;
	(void)wflags; /* writev() copies: nothing is held */
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	idx->offset = s->size;
	do
		w = writev(s->fd, iov, iovcnt);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		r = -errno;
	else if ((size_t)w < total)
		r = write_rest(s->fd, iov, iovcnt, (size_t)w);
	if (r) {
		/* Whole packets only: cut off what was written of this one. */
		if (!ftruncate(s->fd, (off_t)s->size))
			lseek(s->fd, (off_t)s->size, SEEK_SET);
		return r;
	}
	s->size += total;
	return 0;
}

static int dir_write_metadata(struct sonde__output *o, const char *text,
			      size_t len)
{
	struct dir_output *d = dir_of(o);
	struct sonde__tmpfile t;
	struct iovec iov = { (void *)text, len };
	int r;

	r = sonde__tmpfile_open(&t, d->dirfd, "metadata", 0644);
	if (r)
		return r;
	r = write_rest(t.fd, &iov, 1, 0);
	if (r) {
		sonde__tmpfile_abort(&t);
		return r;
	}
	r = sonde__tmpfile_commit(&t);
	if (!r)
		d->meta_written = 1;
	return r;
}

static int dir_sync(struct sonde__output *o)
{
	struct dir_output *d = dir_of(o);

	for (uint32_t i = 0; i < d->nr; i++)
		if (fsync(d->streams[i]->fd) && errno != EINVAL)
			return -errno;
	return 0;
}

static void dir_discard(struct sonde__output *o)
{
	struct dir_output *d = dir_of(o);

	/* Only what this output created: a name it found taken was never
	 * opened, so it is not in the list. */
	for (uint32_t i = 0; i < d->nr; i++)
		if (d->streams[i]->name[0]) {
			unlinkat(d->dirfd, d->streams[i]->name, 0);
			d->streams[i]->name[0] = '\0';
		}
	if (d->meta_written)
		unlinkat(d->dirfd, "metadata", 0);
	d->meta_written = 0;
}

static void dir_destroy(struct sonde__output *o)
{
	struct dir_output *d = dir_of(o);

	for (uint32_t i = 0; i < d->nr; i++) {
		close(d->streams[i]->fd);
		free(d->streams[i]);
	}
	free(d->streams);
	if (d->dirfd >= 0)
		close(d->dirfd);
	free(d);
}

static const struct sonde__output_ops dir_ops = {
	.kind = "directory",
	.open_stream = dir_open_stream,
	.write_packet = dir_write_packet,
	.write_metadata = dir_write_metadata,
	.sync = dir_sync,
	.discard = dir_discard,
	.destroy = dir_destroy,
};

int sonde__output_dir_create(const char *dir, struct sonde__output **out)
{
	struct dir_output *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->base.ops = &dir_ops;
	/* The caller prepared it; checked again, as any directory we
	 * write into. */
	d->dirfd = sonde__dir_open(dir, 0, NULL, 0);
	if (d->dirfd < 0) {
		int r = d->dirfd;

		free(d);
		return r;
	}
	*out = &d->base;
	return 0;
}

/* Whether @name is what an output names a stream: "<class>_<number>". */
static int stream_like(const char *name)
{
	const char *u = strrchr(name, '_');

	if (!u || u == name || !u[1])
		return 0;
	for (const char *p = u + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return name[0] != '.';
}

int sonde__output_dir_prepare(const char *dir, char *why, size_t n)
{
	int fd = sonde__dir_open(dir, SONDE__DIR_CREATE, why, n), r = 0;
	struct dirent *de;
	struct stat st;
	DIR *dp;

	if (fd < 0)
		return fd;
	if (!fstatat(fd, "metadata", &st, AT_SYMLINK_NOFOLLOW)) {
		close(fd);
		snprintf(why, n,
			 "%s already holds a trace; choose another directory",
			 dir);
		return -EEXIST;
	}
	/* Stream files left by an earlier recording, or planted: creating
	 * ours would fail on them (O_EXCL); say so now, by name. */
	dp = fdopendir(fd);
	if (!dp) {
		r = -errno;
		close(fd);
		snprintf(why, n, "cannot read trace directory %s: %s", dir,
			 strerror(-r));
		return r;
	}
	while ((de = readdir(dp)))
		if (stream_like(de->d_name)) {
			snprintf(why, n,
				 "cannot use %s as trace directory: it already holds %.64s; choose another directory",
				 dir, de->d_name);
			r = -EEXIST;
			break;
		}
	closedir(dp);
	return r;
}
