// SPDX-License-Identifier: MIT
/*
 * Trace directory reader (see reader.h).  The metadata file is read whole
 * (at most 64 MiB); every other regular, non-hidden file is a stream, mapped
 * read-only.  Each stream keeps one pending event; a binary min-heap of the
 * streams, keyed by (time in ns, stream instance id, name order), gives the
 * next one.  Equal timestamps come out in stream order, as babeltrace2's
 * muxer does.
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

static int read_metadata(struct sonde__reader *r, const char *dir,
			 char **text, size_t *len)
{
	char path[4096];
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/metadata", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		return sonde__rd_errf(&r->err, -e, "%s: %s%s", path, strerror(e),
				      e == ENOENT ? " (not a trace directory?)" : "");
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return sonde__rd_errf(&r->err, -EINVAL, "%s: not a regular file",
				      path);
	}
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
	int ret;

	*out = r;
	if (!r)
		return -ENOMEM;
	ret = read_metadata(r, dir, &text, &len);
	if (ret)
		return fail(r, ret);
	ret = sonde__rd_meta_parse(text, len, "metadata", &r->meta, &r->err);
	free(text);
	if (ret)
		return fail(r, ret);
	r->meta_ok = 1;
	d = opendir(dir);
	if (!d) {
		int e = errno;

		return fail(r, sonde__rd_errf(&r->err, -e, "%s: %s", dir,
					      strerror(e)));
	}
	while ((de = readdir(d))) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
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
			ret = sonde__rd_errf(&r->err, -E2BIG, "%s: too many stream files", dir);
			goto out;
		}
		names[nr] = strdup(de->d_name);
		if (!names[nr])
			goto nomem;
		nr++;
	}
	closedir(d);
	d = NULL;
	if (nr)
		qsort(names, nr, sizeof(*names), cmp_str);
	ret = alloc_src(r, (uint32_t)nr);
	if (ret)
		goto out;
	for (size_t i = 0; i < nr; i++) {
		struct rd_src *s = &r->src[i];
		char path[4096];
		struct stat st;
		int fd;

		s->name = names[i];
		names[i] = NULL;
		r->nr_src = (uint32_t)i + 1;
		snprintf(path, sizeof(path), "%s/%s", dir, s->name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st)) {
			int e = errno;

			if (fd >= 0)
				close(fd);
			ret = sonde__rd_errf(&r->err, -e, "%s: %s", s->name,
					     strerror(e));
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
	ret = alloc_src(r, nr);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < nr; i++) {
		char name[32];

		snprintf(name, sizeof(name), "channel0_%u", i);
		r->src[i].name = strdup(name);
		if (!r->src[i].name)
			return fail(r, sonde__rd_errf(&r->err, -ENOMEM, "out of memory"));
		r->nr_src = i + 1;
		sonde__rd_stream_init(&r->src[i].s, r->src[i].name, bufs[i],
				      lens[i], &r->meta, i);
	}
	return 0;
}
