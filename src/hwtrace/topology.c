// SPDX-License-Identifier: MIT
/*
 * The trace devices as the kernel's coresight bus shows them in sysfs:
 * enumeration (sonde_hw_topo_open()), the device table and its queries,
 * the attribute files read and written by the other files of this folder,
 * and the thread's error sentence.
 *
 * Layout read (Linux 5.7 and later, Documentation/trace/coresight/):
 *   <root>/<name> -> ../../../devices/.../<name>   (followed)
 *   <name>/uevent               DEVTYPE=source|link|sink|linksink|helper
 *   <name>/cpu                  a per-CPU device's CPU
 *   <name>/connections/out:N    -> .../<device fed by output port N>
 *   <name>/connections/in:M     -> .../<device feeding input port M>
 *   <name>/connections/<helper> -> .../<helper> (CTI associations)
 *
 * Trust boundary: files read from the sysfs root.  They are the kernel's
 * word on a real system, yet the root can be moved by the caller or by
 * $SONDE_HWTRACE_SYSFS onto any tree, so each file is parsed as if it
 * were hostile: names must be device names ([A-Za-z0-9_.:-], no "/", not
 * "." or ".."), a path that does not fit is an error, never a truncated
 * path, attribute files are opened O_NOFOLLOW and read into a bounded
 * buffer, numbers are checked, counts are bounded (HW_DEV_MAX devices,
 * HW_CONN_MAX connections a device), and a link to a device that is not
 * on the bus is dropped, never followed.  The environment is read with
 * secure_getenv().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw.h"

static __thread char why[512];

const char *sonde_hw_error_message(void)
{
	return why;
}

int sonde__hw_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return err;
}

void sonde__hw_ok(void)
{
	why[0] = '\0';
}

const char *sonde_hw_kind_name(enum sonde_hw_kind kind)
{
	static const char *const names[] = { "source", "link", "sink",
					     "linksink", "helper" };

	return (unsigned int)kind < ARRAY_SIZE(names) ? names[kind] : "?";
}

const char *sonde_hw_sink_type_name(enum sonde_hw_sink_type type)
{
	static const char *const names[] = { "none", "port", "buffer",
					     "sysmem", "percpu" };

	return (unsigned int)type < ARRAY_SIZE(names) ? names[type] : "?";
}

int sonde__hw_name_ok(const char *name)
{
	size_t n = 0;

	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	for (const char *p = name; *p; p++, n++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == ':' || c == '-'))
			return 0;
	}
	return n < HW_NAME_MAX;
}

int sonde__hw_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;
	size_t i = 0, digits = 0;

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < n; i++, digits++) {
		unsigned int d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	if (!digits)
		return -EINVAL;
	*out = v;
	return 0;
}

int sonde__hw_parse_devtype(const char *s, size_t n)
{
	static const char *const kinds[] = { "source", "link", "sink",
					     "linksink", "helper" };
	size_t i = 0;

	while (i < n) {
		size_t e = i;

		while (e < n && s[e] != '\n')
			e++;
		if (e - i > 8 && !memcmp(s + i, "DEVTYPE=", 8)) {
			size_t vlen = e - i - 8;

			for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
				if (strlen(kinds[k]) == vlen &&
				    !memcmp(s + i + 8, kinds[k], vlen))
					return (int)k;
			return -EINVAL;
		}
		i = e + 1;
	}
	return -ENOENT;
}

int sonde__hw_link_name(const char *target, size_t n, char *name, size_t size)
{
	size_t b = n;

	while (n && target[n - 1] == '/')
		n--;
	b = n;
	while (b && target[b - 1] != '/')
		b--;
	if (n - b == 0 || n - b >= size || memchr(target + b, '\0', n - b))
		return -EINVAL;
	memcpy(name, target + b, n - b);
	name[n - b] = '\0';
	return sonde__hw_name_ok(name) ? 0 : -EINVAL;
}

/* "<root>/<dev>[/<rel>]" into @buf, or -ENAMETOOLONG. */
static int dev_path(const struct sonde_hw_topo *t, const char *dev,
		    const char *rel, char *buf, size_t size)
{
	int r = snprintf(buf, size, "%s/%s%s%s", t->sysfs_root, dev,
			 rel ? "/" : "", rel ? rel : "");

	return r < 0 || (size_t)r >= size ? -ENAMETOOLONG : 0;
}

long sonde__hw_attr_read(const struct sonde_hw_topo *t, const char *dev,
			 const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	size_t len = 0;
	int fd, r;

	r = dev_path(t, dev, rel, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t got;

		if (len + 1 >= size) {
			close(fd);
			return -EFBIG;
		}
		got = read(fd, buf + len, size - 1 - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

int sonde__hw_attr_write(const struct sonde_hw_topo *t, const char *dev,
			 const char *rel, const char *val)
{
	char path[PATH_MAX], line[64];
	size_t len;
	ssize_t w;
	int fd, r;

	r = dev_path(t, dev, rel, path, sizeof(path));
	if (r < 0)
		return r;
	/* One line, as `echo VAL >` writes it. */
	r = snprintf(line, sizeof(line), "%s\n", val);
	if (r < 0 || (size_t)r >= sizeof(line))
		return -EINVAL;
	len = (size_t)r;
	/* No O_CREAT: an attribute the driver does not offer is an error,
	 * never a new file; O_TRUNC for fixture trees (sysfs ignores it). */
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_TRUNC);
	if (fd < 0)
		return -errno;
	do
		w = write(fd, line, len);
	while (w < 0 && errno == EINTR);
	r = w < 0 ? -errno : (size_t)w != len ? -EIO : 0;
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

int sonde__hw_attr_u64(const struct sonde_hw_topo *t, const char *dev,
		       const char *rel, uint64_t *out)
{
	char buf[64];
	long n = sonde__hw_attr_read(t, dev, rel, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return sonde__hw_parse_u64(buf, (size_t)n, out);
}

static int attr_exists(const struct sonde_hw_topo *t, const char *dev,
		       const char *rel)
{
	char path[PATH_MAX];

	return dev_path(t, dev, rel, path, sizeof(path)) == 0 &&
	       faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* What a sink stores into, from its driver's naming scheme: the names the
 * kernel gives since 5.3 (tmc_etr0) and the older <address>.<type>. */
static enum sonde_hw_sink_type sink_type_of(const struct sonde_hw_topo *t,
					    const char *name)
{
	static const struct {
		const char *prefix;
		enum sonde_hw_sink_type type;
	} names[] = {
		{ "tmc_etr", SONDE_HW_SINK_SYSMEM },
		{ "ultra_smb", SONDE_HW_SINK_SYSMEM },
		{ "trbe", SONDE_HW_SINK_PERCPU },
		{ "tmc_etf", SONDE_HW_SINK_BUFFER },
		{ "tmc_etb", SONDE_HW_SINK_BUFFER },
		{ "etb", SONDE_HW_SINK_BUFFER },
		{ "tpiu", SONDE_HW_SINK_PORT },
		{ "dummy_sink", SONDE_HW_SINK_PORT },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		size_t n = strlen(names[i].prefix);

		if (!strncmp(name, names[i].prefix, n) ||
		    (dot && !strncmp(dot + 1, names[i].prefix, n)))
			return names[i].type;
	}
	if (dot && !strcmp(dot + 1, "etr"))
		return SONDE_HW_SINK_SYSMEM;
	if (dot && !strcmp(dot + 1, "etf"))
		return SONDE_HW_SINK_BUFFER;
	/* Unknown driver: a sink with a buffer_size is one of system memory,
	 * one without is taken for an on-chip buffer. */
	return attr_exists(t, name, "buffer_size") ? SONDE_HW_SINK_SYSMEM
						   : SONDE_HW_SINK_BUFFER;
}

/* Links of one device, by name, until every device is known. */
struct raw_link {
	int out;  /* 1: out:N, 0: in:N, -1: a named association */
	int port;
	char peer[HW_NAME_MAX];
};

struct raw_dev {
	struct raw_link link[HW_CONN_MAX * 3];
	unsigned int nr;
};

static int name_cmp(const void *a, const void *b)
{
	return strverscmp(((const struct hw_dev *)a)->name,
			  ((const struct hw_dev *)b)->name);
}

static int dev_index(const struct sonde_hw_topo *t, const char *name)
{
	size_t lo = 0, hi = t->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strverscmp(name, t->dev[mid].name);

		if (!c)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* "out:3" -> 1, port 3; "in:0" -> 0, port 0; other -> -1. */
static int port_name(const char *s, int *port)
{
	const char *num;
	uint64_t v;

	if (!strncmp(s, "out:", 4))
		num = s + 4;
	else if (!strncmp(s, "in:", 3))
		num = s + 3;
	else
		return -1;
	if (sonde__hw_parse_u64(num, strlen(num), &v) < 0 || v > 255 ||
	    (num[0] == '0' && num[1]))
		return -2;
	*port = (int)v;
	return s[0] == 'o';
}

static int read_links(const struct sonde_hw_topo *t, struct hw_dev *d,
		      struct raw_dev *raw)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct dirent *e;
	DIR *dir;
	int r = 0;

	r = dev_path(t, d->name, "connections", path, sizeof(path));
	if (r < 0)
		return r;
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno; /* a kernel before 5.7 */
	while ((e = readdir(dir))) {
		struct raw_link *l;
		ssize_t n;
		int kind, port = -1;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "nr_links"))
			continue;
		kind = port_name(e->d_name, &port);
		if (kind == -2) {
			r = sonde__hw_fail(-EINVAL, "%s/connections/%s: not a port the kernel names",
					   d->name, e->d_name);
			break;
		}
		if (raw->nr >= ARRAY_SIZE(raw->link)) {
			r = sonde__hw_fail(-E2BIG, "%s has more than %u connections",
					   d->name, (unsigned int)ARRAY_SIZE(raw->link));
			break;
		}
		n = readlinkat(dirfd(dir), e->d_name, target, sizeof(target));
		if (n < 0 || (size_t)n >= sizeof(target))
			continue; /* not a link: nothing to follow */
		l = &raw->link[raw->nr];
		if (sonde__hw_link_name(target, (size_t)n, l->peer,
					sizeof(l->peer)) < 0) {
			r = sonde__hw_fail(-EINVAL, "%s/connections/%s: the link names no device",
					   d->name, e->d_name);
			break;
		}
		l->out = kind;
		l->port = port;
		raw->nr++;
	}
	closedir(dir);
	return r;
}

static int device_read(struct sonde_hw_topo *t, struct hw_dev *d)
{
	char buf[HW_TEXT_MAX];
	uint64_t cpu;
	long n;
	int k;

	n = sonde__hw_attr_read(t, d->name, "uevent", buf, sizeof(buf));
	k = n >= 0 ? sonde__hw_parse_devtype(buf, (size_t)n) : -ENOENT;
	if (k == -EINVAL)
		return sonde__hw_fail(-EINVAL, "%s/uevent: DEVTYPE names no CoreSight class",
				      d->name);
	if (k < 0) {
		/* No DEVTYPE: the attributes say what the device does. */
		if (attr_exists(t, d->name, "enable_source"))
			k = SONDE_HW_SOURCE;
		else if (attr_exists(t, d->name, "enable_sink"))
			k = attr_exists(t, d->name, "connections/out:0")
				    ? SONDE_HW_LINKSINK
				    : SONDE_HW_SINK;
		else if (attr_exists(t, d->name, "connections/out:0"))
			k = SONDE_HW_LINK;
		else
			k = SONDE_HW_HELPER;
	}
	d->kind = (enum sonde_hw_kind)k;
	d->sink_type = SONDE_HW_SINK_NONE;
	if (k == SONDE_HW_SINK || k == SONDE_HW_LINKSINK)
		d->sink_type = sink_type_of(t, d->name);
	d->cpu = -1;
	switch (sonde__hw_attr_u64(t, d->name, "cpu", &cpu)) {
	case 0:
		if (cpu > 65535)
			return sonde__hw_fail(-EINVAL, "%s/cpu: %llu is no CPU",
					      d->name, (unsigned long long)cpu);
		d->cpu = (int)cpu;
		break;
	case -ENOENT:
		break;
	default:
		return sonde__hw_fail(-EINVAL, "%s/cpu: not a CPU number", d->name);
	}
	/* A per-CPU sink shows its CPU in its name only (trbe<cpu>). */
	if (d->cpu < 0 && d->sink_type == SONDE_HW_SINK_PERCPU &&
	    sonde__hw_parse_u64(d->name + 4, strlen(d->name + 4), &cpu) == 0 &&
	    cpu <= 65535)
		d->cpu = (int)cpu;
	return 0;
}

static int conn_cmp(const void *a, const void *b)
{
	return ((const struct hw_conn *)a)->port - ((const struct hw_conn *)b)->port;
}

/* Second pass: links by name to links by index; dangling ones dropped. */
static int resolve(struct sonde_hw_topo *t, struct raw_dev *raw)
{
	for (size_t i = 0; i < t->nr; i++) {
		struct hw_dev *d = &t->dev[i];

		for (unsigned int j = 0; j < raw[i].nr; j++) {
			const struct raw_link *l = &raw[i].link[j];
			int p = dev_index(t, l->peer);

			if (p < 0)
				continue;
			if (l->out == 1) {
				struct hw_conn *c;

				if (d->nr_out >= HW_CONN_MAX)
					return sonde__hw_fail(-E2BIG, "%s has more than %d outputs",
							      d->name, HW_CONN_MAX);
				for (unsigned int k = 0; k < d->nr_out; k++)
					if (d->out[k].port == l->port)
						return sonde__hw_fail(-EINVAL, "%s: output port %d given twice",
								      d->name, l->port);
				c = &d->out[d->nr_out++];
				c->port = l->port;
				c->peer = p;
				c->filter = -1;
				c->peer_port = -1;
				for (unsigned int k = 0; k < raw[p].nr; k++)
					if (raw[p].link[k].out == 0 &&
					    !strcmp(raw[p].link[k].peer, d->name)) {
						c->peer_port = raw[p].link[k].port;
						break;
					}
			} else if (l->out == 0) {
				d->nr_in++;
			} else if (t->dev[p].kind == SONDE_HW_HELPER) {
				if (d->nr_helpers >= HW_CONN_MAX)
					return sonde__hw_fail(-E2BIG, "%s has more than %d helpers",
							      d->name, HW_CONN_MAX);
				d->helpers[d->nr_helpers++] = p;
			}
		}
		qsort(d->out, d->nr_out, sizeof(d->out[0]), conn_cmp);
	}
	return 0;
}

static const char *root_of(const char *given, const char *env, const char *def)
{
	const char *v;

	if (given)
		return given;
	v = secure_getenv(env);
	return v && *v ? v : def;
}

static int enumerate(struct sonde_hw_topo *t)
{
	struct raw_dev *raw = NULL;
	struct dirent *e;
	size_t cap = 0;
	DIR *dir;
	int r = 0;

	dir = opendir(t->sysfs_root);
	if (!dir) {
		r = -errno;
		if (r == -ENOENT)
			return sonde__hw_fail(-ENODEV, "no CoreSight devices: %s does not exist (this machine has no CoreSight hardware, or its drivers are not loaded)",
					      t->sysfs_root);
		return sonde__hw_fail(r, "cannot read %s: %s", t->sysfs_root,
				      strerror(-r));
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		if (!sonde__hw_name_ok(e->d_name)) {
			r = sonde__hw_fail(-EINVAL, "%s/%s: not a device name",
					   t->sysfs_root, e->d_name);
			goto out;
		}
		if (t->nr >= HW_DEV_MAX) {
			r = sonde__hw_fail(-E2BIG, "%s has more than %d devices",
					   t->sysfs_root, HW_DEV_MAX);
			goto out;
		}
		if (t->nr == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct hw_dev *nd = realloc(t->dev, ncap * sizeof(*nd));

			if (!nd) {
				r = sonde__hw_fail(-ENOMEM, "out of memory");
				goto out;
			}
			t->dev = nd;
			cap = ncap;
		}
		memset(&t->dev[t->nr], 0, sizeof(t->dev[0]));
		/* sonde__hw_name_ok() bounded it below HW_NAME_MAX. */
		memcpy(t->dev[t->nr].name, e->d_name, strlen(e->d_name) + 1);
		t->dev[t->nr].active_sink = -1;
		t->nr++;
	}
	qsort(t->dev, t->nr, sizeof(t->dev[0]), name_cmp);
	raw = calloc(t->nr ? t->nr : 1, sizeof(*raw));
	if (!raw) {
		r = sonde__hw_fail(-ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->nr && !r; i++) {
		r = device_read(t, &t->dev[i]);
		if (!r)
			r = read_links(t, &t->dev[i], &raw[i]);
	}
	if (!r)
		r = resolve(t, raw);
out:
	free(raw);
	closedir(dir);
	return r;
}

int sonde_hw_topo_open(const struct sonde_hw_opts *opts,
		       struct sonde_hw_topo **out)
{
	const char *sys, *dev;
	struct sonde_hw_topo *t;
	int r;

	if (!out || (opts && opts->size < sizeof(size_t) * 3))
		return sonde__hw_fail(-EINVAL, "sonde_hw_topo_open: bad arguments");
	*out = NULL;
	sys = root_of(opts ? opts->sysfs_root : NULL, "SONDE_HWTRACE_SYSFS",
		      HW_SYSFS_DEFAULT);
	dev = root_of(opts ? opts->dev_root : NULL, "SONDE_HWTRACE_DEV",
		      HW_DEV_DEFAULT);
	if (strlen(sys) >= PATH_MAX - 2 * HW_NAME_MAX || strlen(dev) >= PATH_MAX - HW_NAME_MAX)
		return sonde__hw_fail(-ENAMETOOLONG, "sysfs or device root too long");
	t = calloc(1, sizeof(*t));
	if (!t)
		return sonde__hw_fail(-ENOMEM, "out of memory");
	pthread_mutex_init(&t->lock, NULL);
	snprintf(t->sysfs_root, sizeof(t->sysfs_root), "%s", sys);
	snprintf(t->dev_root, sizeof(t->dev_root), "%s", dev);
	r = enumerate(t);
	if (r < 0) {
		free(t->dev);
		pthread_mutex_destroy(&t->lock);
		free(t);
		return r;
	}
	*out = t;
	sonde__hw_ok();
	return 0;
}

size_t sonde_hw_device_count(const struct sonde_hw_topo *t)
{
	return t ? t->nr : 0;
}

long sonde_hw_device_find(const struct sonde_hw_topo *t, const char *name)
{
	int i;

	if (!t || !name)
		return sonde__hw_fail(-EINVAL, "sonde_hw_device_find: bad arguments");
	i = dev_index(t, name);
	if (i < 0)
		return sonde__hw_fail(-ENOENT, "no trace device named %s in %s",
				      name, t->sysfs_root);
	return i;
}

int sonde_hw_device_get(const struct sonde_hw_topo *t, size_t idx,
			struct sonde_hw_device *out)
{
	const struct hw_dev *d;

	if (!t || !out || out->size < sizeof(*out))
		return sonde__hw_fail(-EINVAL, "sonde_hw_device_get: bad arguments");
	if (idx >= t->nr)
		return sonde__hw_fail(-ENOENT, "no device %zu", idx);
	d = &t->dev[idx];
	out->name = d->name;
	out->kind = d->kind;
	out->sink_type = d->sink_type;
	out->cpu = d->cpu;
	out->nr_out = d->nr_out;
	out->nr_in = d->nr_in;
	out->nr_helpers = d->nr_helpers;
	return 0;
}

int sonde_hw_device_conn(const struct sonde_hw_topo *t, size_t idx,
			 unsigned int i, struct sonde_hw_conn *out)
{
	const struct hw_conn *c;

	if (!t || !out || out->size < sizeof(*out))
		return sonde__hw_fail(-EINVAL, "sonde_hw_device_conn: bad arguments");
	if (idx >= t->nr || i >= t->dev[idx].nr_out)
		return sonde__hw_fail(-ENOENT, "no such connection");
	c = &t->dev[idx].out[i];
	out->port = c->port;
	out->peer = (size_t)c->peer;
	out->peer_port = c->peer_port;
	out->filter = c->filter;
	return 0;
}

long sonde_hw_device_helper(const struct sonde_hw_topo *t, size_t idx,
			    unsigned int i)
{
	if (!t)
		return sonde__hw_fail(-EINVAL, "sonde_hw_device_helper: bad arguments");
	if (idx >= t->nr || i >= t->dev[idx].nr_helpers)
		return sonde__hw_fail(-ENOENT, "no such helper");
	return t->dev[idx].helpers[i];
}

int sonde_hw_port_filter(struct sonde_hw_topo *t, const char *dev, int port,
			 const char *source)
{
	int d, s = -1, r = -ENOENT;

	if (!t || !dev)
		return sonde__hw_fail(-EINVAL, "sonde_hw_port_filter: bad arguments");
	d = dev_index(t, dev);
	if (d < 0)
		return sonde__hw_fail(-ENOENT, "no trace device named %s", dev);
	if (source) {
		s = dev_index(t, source);
		if (s < 0)
			return sonde__hw_fail(-ENOENT, "no trace device named %s", source);
		if (t->dev[s].kind != SONDE_HW_SOURCE)
			return sonde__hw_fail(-EINVAL, "%s is a %s, not a source", source,
					      sonde_hw_kind_name(t->dev[s].kind));
	}
	pthread_mutex_lock(&t->lock);
	for (unsigned int i = 0; i < t->dev[d].nr_out; i++)
		if (t->dev[d].out[i].port == port) {
			t->dev[d].out[i].filter = s;
			r = 0;
		}
	pthread_mutex_unlock(&t->lock);
	if (r < 0)
		return sonde__hw_fail(r, "%s has no output port %d", dev, port);
	return 0;
}

void sonde_hw_topo_close(struct sonde_hw_topo *t)
{
	if (!t)
		return;
	while (t->paths)
		sonde_hw_path_destroy(t->paths);
	free(t->dev);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
