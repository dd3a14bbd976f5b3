// SPDX-License-Identifier: MIT
/*
 * The snapshot reader of `sonde hw decode`: the ini files of a directory
 * in ARM's "Trace and Debug Snapshot" format (what snapshot.c writes,
 * what OpenCSD's trc_pkt_lister reads): snapshot.ini (the device list and
 * the trace metadata's name), one ini per device ([device] name, class,
 * type; [regs] NAME(id:0xN)=value; a core's [dumpN] memory images) and
 * trace.ini (the buffers, which source's trace each holds, which core
 * each source follows).
 *
 * Trust boundary: the directory and every byte of its files come from
 * whoever wrote them.  Files are opened relative to the directory's
 * descriptor, O_NOFOLLOW, must be regular and at most SS_FILE_MAX bytes;
 * lines, names and values are bounded; numbers are parsed whole; a file
 * named inside a file is one path component.  Anything else is an error
 * with a sentence, never a crash (fuzz-hwdecode mutates all three kinds).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (err && n) {
		va_start(ap, fmt);
		vsnprintf(err, n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Copy @v into a field of SS_STR_MAX bytes; -1 if it does not fit. */
static int put(char *dst, const char *v)
{
	size_t n = strlen(v);

	if (n >= SS_STR_MAX)
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

static int parse_u64(const char *v, uint64_t *out)
{
	unsigned long long x;
	char *end;

	if (!*v || *v == '-' || *v == '+')
		return -1;
	errno = 0;
	x = strtoull(v, &end, 0);
	if (errno || *end)
		return -1;
	*out = x;
	return 0;
}

int sonde__ss_name_ok(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* Called for each key=value with its section; 0 or an error (said). */
typedef int (*ini_cb)(void *arg, const char *sect, const char *key,
		      const char *val, char *err, size_t errlen);

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

/* Walk the lines of @buf: blank lines and ';' or '#' comments skipped,
 * "[section]" and "key=value" (spaces around either trimmed). */
static int ini_walk(const char *buf, size_t len, const char *what, ini_cb cb,
		    void *arg, char *err, size_t errlen)
{
	char line[SS_LINE_MAX + 1], sect[SS_STR_MAX] = "";
	size_t pos = 0;
	unsigned int no = 0;

	if (!buf && len)
		return fail(err, errlen, "%s: no data", what);
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		char *l, *eq;
		int r;

		no++;
		if (n > SS_LINE_MAX)
			return fail(err, errlen, "%s: line %u is longer than %u bytes", what, no,
				    SS_LINE_MAX);
		memcpy(line, buf + pos, n);
		line[n] = 0;
		pos += n + (nl ? 1 : 0);
		if (strlen(line) != n)
			return fail(err, errlen, "%s: line %u holds a NUL byte", what, no);
		l = trim(line);
		if (!*l || *l == ';' || *l == '#')
			continue;
		if (*l == '[') {
			char *e = strchr(l, ']');

			if (!e || e[1])
				return fail(err, errlen, "%s: line %u: a section is [name]", what, no);
			*e = 0;
			l = trim(l + 1);
			if (!*l || put(sect, l) < 0)
				return fail(err, errlen, "%s: line %u: bad section name", what, no);
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			return fail(err, errlen, "%s: line %u: expected key=value or [section]",
				    what, no);
		*eq = 0;
		if (!*sect)
			return fail(err, errlen, "%s: line %u: key=value before any [section]",
				    what, no);
		if (strlen(trim(l)) >= SS_STR_MAX || strlen(trim(eq + 1)) >= SS_STR_MAX)
			return fail(err, errlen, "%s: line %u: a name or value longer than %u bytes",
				    what, no, SS_STR_MAX - 1);
		r = cb(arg, sect, trim(l), trim(eq + 1), err, errlen);
		if (r < 0) {
			/* Say where, after what the callback said. */
			size_t k = err ? strlen(err) : 0;

			if (err && k + 1 < errlen)
				snprintf(err + k, errlen - k, " (%s line %u)", what, no);
			return r;
		}
	}
	return 0;
}

static int file_key(char *dst, const char *key, const char *val, char *err, size_t errlen)
{
	if (!sonde__ss_name_ok(val))
		return fail(err, errlen, "%s=%s is not a file name in the snapshot's directory",
			    key, val);
	return put(dst, val) < 0 ? fail(err, errlen, "%s: too long", key) : 0;
}

static int snapshot_cb(void *arg, const char *sect, const char *key, const char *val,
		       char *err, size_t errlen)
{
	struct ss_snapshot *s = arg;

	if (!strcasecmp(sect, "device_list")) {
		for (size_t i = 0; i < s->nr_dev; i++)
			if (!strcmp(s->dev[i].ini, val))
				return fail(err, errlen, "%s is listed twice", val);
		if (s->nr_dev >= SS_DEV_MAX)
			return fail(err, errlen, "more than %u devices", SS_DEV_MAX);
		if (file_key(s->dev[s->nr_dev].ini, key, val, err, errlen) < 0)
			return -EINVAL;
		s->nr_dev++;
	} else if (!strcasecmp(sect, "trace") && !strcasecmp(key, "metadata")) {
		return file_key(s->metadata, key, val, err, errlen);
	}
	return 0;
}

int sonde__ss_parse_snapshot(struct ss_snapshot *s, const char *buf, size_t len,
			     char *err, size_t errlen)
{
	int r = ini_walk(buf, len, "snapshot.ini", snapshot_cb, s, err, errlen);

	if (r < 0)
		return r;
	if (!s->nr_dev)
		return fail(err, errlen, "snapshot.ini lists no device ([device_list])");
	if (!*s->metadata)
		return fail(err, errlen, "snapshot.ini names no trace metadata ([trace] metadata=)");
	return 0;
}

struct dev_ctx {
	struct ss_device *d;
	int in_dump; /* the current section is the last dump */
};

static int device_cb(void *arg, const char *sect, const char *key, const char *val,
		     char *err, size_t errlen)
{
	struct dev_ctx *c = arg;
	struct ss_device *d = c->d;

	if (!strncasecmp(sect, "dump", 4)) {
		struct ss_dump *m;

		if (!d->nr_dumps || strcmp(d->dumps[d->nr_dumps - 1].section, sect)) {
			if (d->nr_dumps >= SS_DUMP_MAX)
				return fail(err, errlen, "more than %u memory dumps", SS_DUMP_MAX);
			put(d->dumps[d->nr_dumps++].section, sect);
		}
		m = &d->dumps[d->nr_dumps - 1];
		if (!strcasecmp(key, "file"))
			return file_key(m->file, key, val, err, errlen);
		if (!strcasecmp(key, "space"))
			return put(m->space, val);
		if (!strcasecmp(key, "address") || !strcasecmp(key, "offset") ||
		    !strcasecmp(key, "length")) {
			uint64_t v;

			if (parse_u64(val, &v) < 0)
				return fail(err, errlen, "[%s] %s=%s is not a number", sect, key, val);
			if (!strcasecmp(key, "address")) {
				m->address = v;
				m->has_address = 1;
			} else if (!strcasecmp(key, "offset")) {
				m->offset = v;
			} else {
				m->length = v;
			}
		}
		return 0;
	}
	if (!strcasecmp(sect, "device")) {
		if (!strcasecmp(key, "name"))
			return put(d->name, val);
		if (!strcasecmp(key, "class"))
			return put(d->cls, val);
		if (!strcasecmp(key, "type"))
			return put(d->type, val);
		return 0;
	}
	if (!strcasecmp(sect, "regs")) {
		char name[SS_STR_MAX];
		uint64_t v;
		size_t i;

		put(name, key);
		name[strcspn(name, "(")] = 0;
		if (!*trim(name))
			return fail(err, errlen, "[regs] a register with no name");
		if (parse_u64(val, &v) < 0 || v > UINT32_MAX)
			return fail(err, errlen, "[regs] %s=%s is not a 32-bit number", key, val);
		for (i = 0; i < d->nr_regs; i++)
			if (!strcasecmp(d->regs[i].name, trim(name)))
				break;
		if (i == d->nr_regs) {
			if (d->nr_regs >= SS_REG_MAX)
				return fail(err, errlen, "more than %u registers", SS_REG_MAX);
			put(d->regs[d->nr_regs++].name, trim(name));
		}
		d->regs[i].value = (uint32_t)v;
	}
	return 0;
}

int sonde__ss_parse_device(struct ss_device *d, const char *buf, size_t len,
			   char *err, size_t errlen)
{
	struct dev_ctx c = { .d = d };
	int r = ini_walk(buf, len, *d->ini ? d->ini : "device ini", device_cb, &c, err,
			 errlen);

	if (r < 0)
		return r;
	if (!*d->name)
		return fail(err, errlen, "%s: no [device] name=", *d->ini ? d->ini : "device ini");
	for (size_t i = 0; i < d->nr_dumps; i++)
		if (!*d->dumps[i].file || !d->dumps[i].has_address)
			return fail(err, errlen, "%s: [%s] needs file= and address=", d->name,
				    d->dumps[i].section);
	return 0;
}

static struct ss_buffer *buffer_of(struct ss_snapshot *s, const char *id)
{
	for (size_t i = 0; i < s->nr_buf; i++)
		if (!strcasecmp(s->buf[i].id, id))
			return &s->buf[i];
	if (s->nr_buf >= SS_BUF_MAX)
		return NULL;
	put(s->buf[s->nr_buf].id, id);
	return &s->buf[s->nr_buf++];
}

static int add_pair(struct ss_pair *p, size_t *n, const char *a, const char *b,
		    char *err, size_t errlen)
{
	if (*n >= SS_MAP_MAX)
		return fail(err, errlen, "more than %u sources", SS_MAP_MAX);
	put(p[*n].a, a);
	put(p[*n].b, b);
	(*n)++;
	return 0;
}

/* buffers=buffer0, buffer1: the buffers' sections, in order. */
static int buffer_list(struct ss_snapshot *s, const char *val, char *err, size_t errlen)
{
	char list[SS_STR_MAX], *save = NULL;

	put(list, val);
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		t = trim(t);
		if (!*t)
			continue;
		if (s->nr_order >= SS_BUF_MAX)
			return fail(err, errlen, "more than %u trace buffers", SS_BUF_MAX);
		put(s->order[s->nr_order++], t);
	}
	return 0;
}

static int trace_cb(void *arg, const char *sect, const char *key, const char *val,
		    char *err, size_t errlen)
{
	struct ss_snapshot *s = arg;
	struct ss_buffer *b;

	if (!strcasecmp(sect, "trace_buffers"))
		return strcasecmp(key, "buffers") ? 0 : buffer_list(s, val, err, errlen);
	if (!strcasecmp(sect, "source_buffers"))
		return add_pair(s->src_buf, &s->nr_src_buf, key, val, err, errlen);
	if (!strcasecmp(sect, "core_trace_sources"))
		return add_pair(s->core_src, &s->nr_core_src, key, val, err, errlen);
	/* Any other section is a buffer's, if buffers= names it. */
	if (strcasecmp(key, "name") && strcasecmp(key, "file") && strcasecmp(key, "format"))
		return 0;
	b = buffer_of(s, sect);
	if (!b)
		return fail(err, errlen, "more than %u trace buffers", SS_BUF_MAX);
	if (!strcasecmp(key, "file"))
		return file_key(b->file, key, val, err, errlen);
	return put(strcasecmp(key, "name") ? b->format : b->name, val);
}

int sonde__ss_parse_trace(struct ss_snapshot *s, const char *buf, size_t len,
			  char *err, size_t errlen)
{
	int r = ini_walk(buf, len, *s->metadata ? s->metadata : "trace.ini", trace_cb, s, err,
			 errlen);

	if (r < 0)
		return r;
	if (!s->nr_order)
		return fail(err, errlen, "%s lists no trace buffer ([trace_buffers] buffers=)",
			    s->metadata);
	for (size_t i = 0; i < s->nr_order; i++) {
		struct ss_buffer *b = NULL;

		for (size_t k = 0; k < s->nr_buf && !b; k++)
			if (!strcasecmp(s->buf[k].id, s->order[i]))
				b = &s->buf[k];
		if (!b || !*b->name || !*b->file)
			return fail(err, errlen, "%s: buffer %s needs a [%s] with name= and file=",
				    s->metadata, s->order[i], s->order[i]);
		b->listed = 1;
	}
	return 0;
}

const struct ss_device *sonde__ss_device(const struct ss_snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->nr_dev; i++)
		if (!strcmp(s->dev[i].name, name))
			return &s->dev[i];
	return NULL;
}

const char *sonde__ss_lookup(const struct ss_pair *p, size_t n, const char *b)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].b, b))
			return p[i].a;
	return NULL;
}

/* Read @name of @dirfd whole (a regular file, at most SS_FILE_MAX). */
static int slurp(int dirfd, const char *name, char **out, size_t *len, char *err,
		 size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t off = 0;
	int fd, e;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open %s: %s", name,
			 e == ELOOP ? "it is a symbolic link" : strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SS_FILE_MAX) {
		snprintf(err, errlen, "%s is not a regular file of at most %u bytes", name,
			 SS_FILE_MAX);
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "out of memory reading %s", name);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = off;
	return 0;
}

int sonde__ss_load(int dirfd, struct ss_snapshot *s, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int r;

	r = slurp(dirfd, "snapshot.ini", &buf, &len, err, errlen);
	if (r < 0)
		return r;
	r = sonde__ss_parse_snapshot(s, buf, len, err, errlen);
	free(buf);
	for (size_t i = 0; i < s->nr_dev && !r; i++) {
		r = slurp(dirfd, s->dev[i].ini, &buf, &len, err, errlen);
		if (r < 0)
			return r;
		r = sonde__ss_parse_device(&s->dev[i], buf, len, err, errlen);
		free(buf);
		for (size_t k = 0; k < i && !r; k++)
			if (!strcmp(s->dev[k].name, s->dev[i].name))
				r = fail(err, errlen, "two devices are named %s", s->dev[i].name);
	}
	if (r < 0)
		return r;
	r = slurp(dirfd, s->metadata, &buf, &len, err, errlen);
	if (r < 0)
		return r;
	r = sonde__ss_parse_trace(s, buf, len, err, errlen);
	free(buf);
	return r;
}
