// SPDX-License-Identifier: MIT
/*
 * Trace directory reader (see reader.h).  The metadata file is read whole
 * (at most 64 MiB); every other non-hidden entry that is not a directory
 * (the index, a daemon's snapshots) is a stream file, whatever its name and
 * stream class (its packets say which), mapped read-only.  Each stream
 * keeps one pending event; a binary min-heap of the streams of all classes,
 * keyed by (time in ns, stream instance id, stream class id, name order),
 * gives the next one.  Equal timestamps come out in stream order, as
 * babeltrace2's muxer does.
 *
 * Trust boundary: trace files read back, maybe written by someone else.
 * Only regular files are opened, never through a link, and a FIFO or a
 * device in their place is an error at once, never waited on
 * (open_regular()).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader.h"

#define MAX_METADATA (64u << 20)
#define MAX_STREAMS 65536

struct rd_src {
	struct sonde__rd_stream s;
	struct sonde__rd_event cur;
	char *name;
	void *map;
	size_t map_len;
};

struct sonde__reader {
	struct sonde__rd_meta meta;
	int meta_ok;
	struct rd_src *src;
	uint32_t nr_src;
	uint32_t *heap;     /* indexes into src */
	uint32_t nr_heap;
	int primed;
	int failed;
	struct sonde__rd_err err;
};

static int src_less(const struct sonde__reader *r, uint32_t a, uint32_t b)
{
	const struct rd_src *x = &r->src[a], *y = &r->src[b];

	/* babeltrace2's muxer orders by nanoseconds, then by stream */
	if (x->cur.ns != y->cur.ns)
		return x->cur.ns < y->cur.ns;
	if (x->s.instance != y->s.instance)
		return x->s.instance < y->s.instance;
	if (x->s.stream_id != y->s.stream_id)
		return x->s.stream_id < y->s.stream_id;
	return a < b;
}

static void sift_down(struct sonde__reader *r, uint32_t i)
{
	uint32_t n = r->nr_heap, *h = r->heap;

	for (;;) {
		uint32_t l = 2 * i + 1, m = i;

		if (l < n && src_less(r, h[l], h[m]))
			m = l;
		if (l + 1 < n && src_less(r, h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		uint32_t t = h[i];

		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int prime(struct sonde__reader *r)
{
	r->primed = 1;
	r->nr_heap = 0;
	for (uint32_t i = 0; i < r->nr_src; i++) {
		int n = sonde__rd_stream_next(&r->src[i].s, &r->src[i].cur,
					      &r->err);

		if (n < 0) {
			r->failed = n;
			return n;
		}
		if (n)
			r->heap[r->nr_heap++] = i;
	}
	for (uint32_t i = r->nr_heap / 2; i-- > 0;)
		sift_down(r, i);
	return 0;
}

int sonde__reader_next(struct sonde__reader *r, struct sonde__rd_event *ev)
{
	uint32_t top;
	int n;

	if (r->failed)
		return r->failed;
	if (!r->primed && prime(r))
		return r->failed;
	if (!r->nr_heap)
		return 0;
	top = r->heap[0];
	*ev = r->src[top].cur;
	n = sonde__rd_stream_next(&r->src[top].s, &r->src[top].cur, &r->err);
	if (n < 0) {
		r->failed = n;
		return n;
	}
	if (!n)
		r->heap[0] = r->heap[--r->nr_heap];
	if (r->nr_heap > 1)
		sift_down(r, 0);
	return 1;
}

int sonde__reader_peek_ts(struct sonde__reader *r, uint64_t *ts)
{
	if (r->failed)
		return r->failed;
	if (!r->primed && prime(r))
		return r->failed;
	if (!r->nr_heap)
		return 0;
	*ts = r->src[r->heap[0]].cur.ts;
	return 1;
}

const struct sonde__rd_meta *sonde__reader_meta(const struct sonde__reader *r)
{
	return &r->meta;
}

uint32_t sonde__reader_nr_streams(const struct sonde__reader *r)
{
	return r->nr_src;
}

const struct sonde__rd_stream *
sonde__reader_stream(const struct sonde__reader *r, uint32_t i)
{
	return &r->src[i].s;
}

const char *sonde__reader_error(const struct sonde__reader *r)
{
	return r ? r->err.msg : "out of memory";
}

void sonde__reader_close(struct sonde__reader *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->nr_src; i++) {
		if (r->src[i].map)
			munmap(r->src[i].map, r->src[i].map_len);
		free(r->src[i].name);
	}
	free(r->src);
	free(r->heap);
	if (r->meta_ok)
		sonde__rd_meta_free(&r->meta);
	free(r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fail(struct sonde__reader *r, int err)
{
	r->failed = err;
	return err;
}

/*
 * Open @name in directory @dfd for reading if it is a regular file: not
 * through a symbolic link, and without blocking on a FIFO or a device
 * swapped in after the check (O_NONBLOCK until it is known regular).
 * The descriptor (@st filled), -EINVAL if it is not a regular file, or
 * -errno.
 */
static int open_regular(int dfd, const char *name, struct stat *st)
{
	int fd, fl;

	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EINVAL : -errno;
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

static int open_failed(struct sonde__reader *r, int err, const char *dir,
		       const char *name)
{
	if (err == -EINVAL)
		return sonde__rd_errf(&r->err, err, "%s/%s: not a regular file",
				      dir, name);
	return sonde__rd_errf(&r->err, err, "%s/%s: %s%s", dir, name,
			      strerror(-err),
			      err == -ENOENT && !strcmp(name, "metadata")
				      ? " (not a trace directory?)"
				      : "");
}

static int read_metadata(struct sonde__reader *r, int dfd, const char *dir,
			 char **text, size_t *len)
{
	char path[4096];
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/metadata", dir);
	fd = open_regular(dfd, "metadata", &st);
	if (fd < 0)
		return open_failed(r, fd, dir, "metadata");
	if ((uint64_t)st.st_size > MAX_METADATA) {
		close(fd);
		return sonde__rd_errf(&r->err, -EFBIG, "metadata: larger than %u MiB",
				      MAX_METADATA >> 20);
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		close(fd);
		return sonde__rd_errf(&r->err, -ENOMEM, "out of memory");
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, *text + got, (size_t)st.st_size - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;

			close(fd);
			return sonde__rd_errf(&r->err, -e, "%s: %s", path,
					      strerror(e));
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
}

static struct sonde__reader *reader_new(void)
{
	return calloc(1, sizeof(struct sonde__reader));
}

static int alloc_src(struct sonde__reader *r, uint32_t nr)
{
	r->src = calloc(nr ? nr : 1, sizeof(*r->src));
	r->heap = calloc(nr ? nr : 1, sizeof(*r->heap));
	if (!r->src || !r->heap)
		return fail(r, sonde__rd_errf(&r->err, -ENOMEM, "out of memory"));
	return 0;
}

int sonde__reader_open(const char *dir, struct sonde__reader **out)
{
	struct sonde__reader *r = reader_new();
	char *text = NULL, **names = NULL;
	size_t len = 0, nr = 0, cap = 0;
	DIR *d = NULL;
	struct dirent *de;
	int ret, dfd;

	*out = r;
	if (!r)
		return -ENOMEM;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(r, open_failed(r, -errno, dir, "metadata"));
	ret = read_metadata(r, dfd, dir, &text, &len);
	if (ret) {
		close(dfd);
		return fail(r, ret);
	}
	ret = sonde__rd_meta_parse(text, len, "metadata", &r->meta, &r->err);
	free(text);
	if (ret) {
		close(dfd);
		return fail(r, ret);
	}
	r->meta_ok = 1;
	d = fdopendir(dfd);
	if (!d) {
		int e = errno;

		close(dfd);
		return fail(r, sonde__rd_errf(&r->err, -e, "%s: %s", dir,
					      strerror(e)));
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata"))
			continue;
		/* Directories (a daemon's snapshots) are not streams; any
		 * other file that is not a regular one is an error below. */
		if (!fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISDIR(st.st_mode))
			continue;
		if (nr == cap) {
			char **n;

			cap = cap ? cap * 2 : 16;
			n = realloc(names, cap * sizeof(*n));
			if (!n)
				goto nomem;
			names = n;
		}
		if (nr >= MAX_STREAMS) {
			ret = sonde__rd_errf(&r->err, -E2BIG,
					     "%s: more than %u stream files", dir,
					     MAX_STREAMS);
			goto out;
		}
		names[nr] = strdup(de->d_name);
		if (!names[nr])
			goto nomem;
		nr++;
	}
	/* d (and so dfd) stays open: the streams are opened in it. */
	if (nr)
		qsort(names, nr, sizeof(*names), cmp_str);
	ret = alloc_src(r, (uint32_t)nr);
	if (ret)
		goto out;
	for (size_t i = 0; i < nr; i++) {
		struct rd_src *s = &r->src[i];
		struct stat st;
		int fd;

		s->name = names[i];
		names[i] = NULL;
		r->nr_src = (uint32_t)i + 1;
		fd = open_regular(dfd, s->name, &st);
		if (fd < 0) {
			ret = open_failed(r, fd, dir, s->name);
			goto out;
		}
		if (st.st_size > 0) {
			s->map = mmap(NULL, (size_t)st.st_size, PROT_READ,
				      MAP_PRIVATE, fd, 0);
			if (s->map == MAP_FAILED) {
				int e = errno;

				s->map = NULL;
				close(fd);
				ret = sonde__rd_errf(&r->err, -e, "%s: mmap: %s",
						     s->name, strerror(e));
				goto out;
			}
			s->map_len = (size_t)st.st_size;
			madvise(s->map, s->map_len, MADV_SEQUENTIAL | MADV_WILLNEED);
		}
		close(fd);
		sonde__rd_stream_init(&s->s, s->name, s->map, s->map_len,
				      &r->meta, (uint32_t)i);
	}
	ret = 0;
	goto out;
nomem:
	ret = sonde__rd_errf(&r->err, -ENOMEM, "out of memory");
out:
	if (d)
		closedir(d);
	for (size_t i = 0; i < nr; i++)
		free(names ? names[i] : NULL);
	free(names);
	if (ret)
		return fail(r, ret);
	return 0;
}

int sonde__reader_open_mem(const char *metadata, size_t mlen,
			   const uint8_t *const *bufs, const size_t *lens,
			   uint32_t nr, struct sonde__reader **out)
{
	struct sonde__reader *r = reader_new();
	int ret;

	*out = r;
	if (!r)
		return -ENOMEM;
	ret = sonde__rd_meta_parse(metadata, mlen, "metadata", &r->meta, &r->err);
	if (ret)
		return fail(r, ret);
	r->meta_ok = 1;
	if (nr > MAX_STREAMS)
		return fail(r, sonde__rd_errf(&r->err, -E2BIG,
					      "more than %u streams", MAX_STREAMS));
	ret = alloc_src(r, nr);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < nr; i++) {
		char name[32];

		snprintf(name, sizeof(name), "stream%u", i);
		r->src[i].name = strdup(name);
		if (!r->src[i].name)
			return fail(r, sonde__rd_errf(&r->err, -ENOMEM, "out of memory"));
		r->nr_src = i + 1;
		sonde__rd_stream_init(&r->src[i].s, r->src[i].name, bufs[i],
				      lens[i], &r->meta, i);
	}
	return 0;
}
