// SPDX-License-Identifier: MIT
/*
 * What the kernel says about its PMUs, read for the event parser:
 * /sys/bus/event_source/devices/<pmu>/type (the attr.type to use),
 * format/<field> ("config:0-7,32-35", "config1:0-63", "config:12": where
 * a field's value bits go), events/<name> (aliases: "event=0x3c,umask=1"),
 * and tracepoint ids from <tracefs>/events/<sys>/<name>/id, tracefs found
 * in /proc/mounts.
 *
 * Both roots can be moved (sonde__pmu_set_roots(), tests and fuzz targets
 * only) onto a fixture tree such as tests/data/pmu-sysfs/.
 *
 * Trust boundary: paths built from a user's event name.  Every name that
 * becomes a path component (PMU, field, alias, tracepoint system and
 * name) must be made of [A-Za-z0-9_.+-] and not be "." or "..", so no
 * '/' and no walk out of the directory; a path that does not fit its
 * buffer is an error, never a truncated path; files are read with
 * O_CLOEXEC and bounded to a small buffer, a longer one is an error.
 * What sysfs says is the kernel's word, yet it is parsed as if it were
 * hostile (a fixture tree may be): a bit range past 63, a type or id that
 * is not a number, a format that names a bit twice, are each a sentence.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/common.h"
#include "parse.h"

#define FIELD_MAX 64 /* terms in one "pmu/.../" */
#define TEXT_MAX 512 /* a format, events/ or type file, and a tracepoint id */

/* Where PMUs and tracepoints are looked up: the kernel's, unless a test
 * moved them (sonde__pmu_set_roots()).  An empty tracefs root: the mount
 * point found in /proc/mounts. */
static char sysfs_root[PATH_MAX] = SONDE__PMU_SYSFS;
static char tracefs_root[PATH_MAX];

int sonde__pmu_set_roots(const char *sysfs, const char *tracefs)
{
	if ((sysfs && strlen(sysfs) >= sizeof(sysfs_root)) ||
	    (tracefs && strlen(tracefs) >= sizeof(tracefs_root)))
		return -ENAMETOOLONG;
	snprintf(sysfs_root, sizeof(sysfs_root), "%s",
		 sysfs ? sysfs : SONDE__PMU_SYSFS);
	snprintf(tracefs_root, sizeof(tracefs_root), "%s",
		 tracefs ? tracefs : "");
	return 0;
}

const char *sonde__pmu_sysfs_root(void)
{
	return sysfs_root;
}

/* snprintf() a path into @buf: 0, or -ENAMETOOLONG when it does not fit
 * (a truncated path could name another file). */
static int __attribute__((format(printf, 3, 4)))
path_fmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r < 0 || (size_t)r >= n ? -ENAMETOOLONG : 0;
}

static int safe_component(const char *s)
{
	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		      *s == '.' || *s == '+'))
			return 0;
	return 1;
}

/* Read a small text file into @buf, trailing newlines cut: length, or
 * -errno, -EFBIG when it holds @n - 1 bytes or more (cut, it could say
 * something else), -EINVAL when it holds a NUL. */
static int read_small(const char *path, char *buf, size_t n)
{
	ssize_t r, more = 0;
	char extra;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	r = read(fd, buf, n - 1);
	if (r == (ssize_t)n - 1)
		more = read(fd, &extra, 1);
	if (r < 0 || more < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		return (int)r;
	if (more > 0)
		return -EFBIG;
	if (memchr(buf, '\0', (size_t)r))
		return -EINVAL;
	buf[r] = '\0';
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
		buf[--r] = '\0';
	return (int)r;
}

static int parse_u64(const char *s, unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static unsigned long long *config_word(struct perf_event_attr *attr,
				       const char *w)
{
	if (strcmp(w, "config") == 0)
		return (unsigned long long *)&attr->config;
	if (strcmp(w, "config1") == 0)
		return (unsigned long long *)&attr->config1;
	if (strcmp(w, "config2") == 0)
		return (unsigned long long *)&attr->config2;
	return NULL;
}

/*
 * Put @val into the bits a format line names, in order: the value's bit 0
 * goes to the first bit of the first range, and so on (perf's
 * pmu_format_value()).  @fmt: "config:0-7,32-35".  A format that names a
 * bit twice, or a bit past 63, is refused: the kernel never writes one.
 * The field's bits are cleared first, so of two terms that set the same
 * bits (the same field twice, or two fields that overlap) the later wins.
 */
static int apply_format(const char *pmu, const char *field, const char *fmt,
			unsigned long long val, struct perf_event_attr *attr,
			char *why, size_t n)
{
	char word[16], *p;
	unsigned long long *dst, bits = 0, mask = 0;
	unsigned int used = 0;
	const char *colon = strchr(fmt, ':');

	if (!colon || (size_t)(colon - fmt) >= sizeof(word))
		goto bad;
	memcpy(word, fmt, (size_t)(colon - fmt));
	word[colon - fmt] = '\0';
	dst = config_word(attr, word);
	if (!dst)
		goto bad;
	for (const char *r = colon + 1; *r;) {
		unsigned long lo, hi;

		if (*r < '0' || *r > '9')
			goto bad;
		errno = 0;
		lo = strtoul(r, &p, 10);
		hi = lo;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				goto bad;
			hi = strtoul(p + 1, &p, 10);
		}
		if (errno || hi < lo || hi > 63 || (*p && *p != ','))
			goto bad;
		for (unsigned long b = lo; b <= hi; b++, used++) {
			if (mask & (1ULL << b))
				goto bad;
			mask |= 1ULL << b;
			if ((val >> used) & 1)
				bits |= 1ULL << b;
		}
		r = *p ? p + 1 : p;
	}
	if (!used)
		goto bad;
	/* No bit twice: used <= 64. */
	if (used < 64 && val >> used)
		return sonde__pmu_why(-EINVAL, why, n,
			"value %#llx is too wide for field \"%s\" of PMU %s "
			"(%u bits: %s)", val, field, pmu, used, fmt);
	*dst = (*dst & ~mask) | bits;
	return 0;
bad:
	return sonde__pmu_why(-EINVAL, why, n,
		"cannot read the format of field \"%s\" of PMU %s: \"%.100s\" "
		"(config, config1 or config2, then bit ranges 0-63, each bit "
		"once)", field, pmu, fmt);
}

static int apply_terms(const char *pmu, char *terms, int depth,
		       struct perf_event_attr *attr, char *why, size_t n);

/* What a read_small() failure means, for a sentence. */
static const char *read_error(int err)
{
	if (err == -EFBIG)
		return "the file is too long";
	if (err == -EINVAL)
		return "the file holds a NUL byte";
	return strerror(-err);
}

/* One term of "pmu/.../": "field=value", "field" (value 1), "config*=v",
 * or an alias from events/. */
static int apply_term(const char *pmu, char *term, int depth,
		      struct perf_event_attr *attr, char *why, size_t n)
{
	char path[PATH_MAX], text[TEXT_MAX];
	unsigned long long val = 1, *word;
	char *eq = strchr(term, '=');
	int r;

	if (eq) {
		*eq = '\0';
		if (parse_u64(eq + 1, &val) < 0)
			return sonde__pmu_why(-EINVAL, why, n,
				"bad value \"%.64s\" for field \"%.64s\" of "
				"PMU %s: a number is needed", eq + 1, term, pmu);
	}
	word = config_word(attr, term);
	if (word) {
		*word = val;
		return 0;
	}
	if (!safe_component(term))
		return sonde__pmu_why(-EINVAL, why, n,
			"bad field name \"%.64s\" for PMU %s", term, pmu);
	if (path_fmt(path, sizeof(path), "%s/%s/format/%s", sysfs_root, pmu,
		     term) < 0)
		return sonde__pmu_why(-ENAMETOOLONG, why, n,
			"field name \"%.64s...\" of PMU %s is too long", term,
			pmu);
	r = read_small(path, text, sizeof(text));
	if (r >= 0)
		return apply_format(pmu, term, text, val, attr, why, n);
	if (r != -ENOENT && r != -ENAMETOOLONG)
		return sonde__pmu_why(-EINVAL, why, n,
			"cannot read the format of field \"%s\" of PMU %s: "
			"%s", term, pmu, read_error(r));
	if (!eq && depth == 0 &&
	    path_fmt(path, sizeof(path), "%s/%s/events/%s", sysfs_root, pmu,
		     term) == 0) {
		r = read_small(path, text, sizeof(text));
		if (r >= 0)
			return apply_terms(pmu, text, depth + 1, attr, why, n);
		if (r != -ENOENT && r != -ENAMETOOLONG)
			return sonde__pmu_why(-EINVAL, why, n,
				"cannot read event \"%s\" of PMU %s: %s", term,
				pmu, read_error(r));
	}
	return sonde__pmu_why(-EINVAL, why, n,
		"PMU %s has no field \"%.64s\" (see %s/%s/format/) nor event "
		"of that name", pmu, term, sysfs_root, pmu);
}

static int apply_terms(const char *pmu, char *terms, int depth,
		       struct perf_event_attr *attr, char *why, size_t n)
{
	char *save = NULL, *t;
	int count = 0, err;

	for (t = strtok_r(terms, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (++count > FIELD_MAX)
			return sonde__pmu_why(-EINVAL, why, n,
				"more than %d terms for PMU %s", FIELD_MAX, pmu);
		err = apply_term(pmu, t, depth, attr, why, n);
		if (err < 0)
			return err;
	}
	return 0;
}

/* attr.type from <root>/<pmu>/type: 0; -ENOENT when there is no such PMU
 * or it has no type file; -EINVAL when the type is not a 32-bit number. */
static int pmu_type(const char *pmu, struct perf_event_attr *attr, char *why,
		    size_t n)
{
	char path[PATH_MAX], text[32];
	unsigned long long type;
	int r;

	if (path_fmt(path, sizeof(path), "%s/%s", sysfs_root, pmu) < 0 ||
	    access(path, F_OK) < 0)
		return sonde__pmu_why(-ENOENT, why, n,
			"no PMU named \"%s\" on this machine (not in %s)", pmu,
			sysfs_root);
	if (path_fmt(path, sizeof(path), "%s/%s/type", sysfs_root, pmu) < 0)
		return sonde__pmu_why(-ENAMETOOLONG, why, n,
			"PMU name \"%.64s...\" is too long", pmu);
	r = read_small(path, text, sizeof(text));
	if (r == -ENOENT)
		return sonde__pmu_why(-ENOENT, why, n,
			"PMU %s has no type file (%s): it cannot be opened",
			pmu, path);
	if (r < 0)
		return sonde__pmu_why(-EINVAL, why, n,
			"cannot read the type of PMU %s: %s", pmu,
			read_error(r));
	if (parse_u64(text, &type) < 0 || type > 0xffffffffULL)
		return sonde__pmu_why(-EINVAL, why, n,
			"cannot read the type of PMU %s: \"%.32s\" is not a "
			"32-bit number", pmu, text);
	attr->type = (unsigned int)type;
	return 0;
}

int sonde__pmu_parse_sysfs(const char *spec, struct perf_event_attr *attr,
			   char *why, size_t n)
{
	char buf[1024], *slash, *end;
	size_t len = strlen(spec);
	int err;

	if (len >= sizeof(buf))
		return sonde__pmu_why(-ENAMETOOLONG, why, n,
			"event \"%.40s...\" is too long", spec);
	memcpy(buf, spec, len + 1);
	slash = strchr(buf, '/');
	end = strrchr(buf, '/');
	if (!slash || slash == end || end[1] || slash == buf)
		return sonde__pmu_why(-EINVAL, why, n,
			"event \"%s\" is not \"pmu/field=value,.../\"", spec);
	*slash = '\0';
	*end = '\0';
	if (!safe_component(buf))
		return sonde__pmu_why(-EINVAL, why, n,
			"bad PMU name \"%.64s\" in \"%.64s\"", buf, spec);
	err = pmu_type(buf, attr, why, n);
	if (err < 0)
		return err;
	return apply_terms(buf, slash + 1, 0, attr, why, n);
}

int sonde__pmu_parse_alias(const char *name, struct perf_event_attr *attr,
			   char *why, size_t n)
{
	char path[PATH_MAX], text[TEXT_MAX];
	struct dirent *de;
	DIR *d;
	int err = -ENOENT, r;

	if (!safe_component(name))
		return -ENOENT;
	d = opendir(sysfs_root);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (!safe_component(de->d_name) ||
		    path_fmt(path, sizeof(path), "%s/%s/events/%s", sysfs_root,
			     de->d_name, name) < 0)
			continue;
		r = read_small(path, text, sizeof(text));
		if (r == -EFBIG || r == -EINVAL) {
			err = sonde__pmu_why(-EINVAL, why, n,
				"cannot read event \"%s\" of PMU %s: %s", name,
				de->d_name, read_error(r));
			break;
		}
		if (r < 0)
			continue;
		err = pmu_type(de->d_name, attr, why, n);
		if (err == 0)
			err = apply_terms(de->d_name, text, 1, attr, why, n);
		break;
	}
	closedir(d);
	return err;
}

/* Undo /proc/mounts' octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

int sonde__pmu_tracefs(char *buf, size_t n)
{
	char line[1024], dir[1024], type[64], debugfs[1024] = "";
	FILE *f;
	int found = 0;

	if (tracefs_root[0])
		return path_fmt(buf, n, "%s", tracefs_root) < 0 ? -ENOENT : 0;
	f = fopen("/proc/mounts", "re");
	if (!f)
		return -ENOENT;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %1023s %63s", dir, type) != 2)
			continue;
		unescape(dir);
		if (strcmp(type, "tracefs") == 0) {
			found = snprintf(buf, n, "%s", dir) < (int)n;
		} else if (strcmp(type, "debugfs") == 0 && !debugfs[0]) {
			snprintf(debugfs, sizeof(debugfs), "%s", dir);
		}
	}
	fclose(f);
	if (found)
		return 0;
	if (debugfs[0] && (size_t)snprintf(buf, n, "%s/tracing", debugfs) < n &&
	    access(buf, X_OK) == 0) {
		snprintf(line, sizeof(line), "%s/events", buf);
		if (access(line, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

int sonde__pmu_parse_tracepoint(const char *sys, const char *ev,
				struct perf_event_attr *attr, char *why,
				size_t n)
{
	char tfs[PATH_MAX], path[PATH_MAX], text[32];
	unsigned long long id;
	int r;

	/* No tracepoint has such a name: -ENOENT, so libpfm4 is asked. */
	if (!safe_component(sys) || !safe_component(ev))
		return sonde__pmu_why(-ENOENT, why, n,
			"not a tracepoint name (\"sys:name\", each of "
			"[A-Za-z0-9_.+-])");
	if (sonde__pmu_tracefs(tfs, sizeof(tfs)) < 0)
		return sonde__pmu_why(-ENOENT, why, n,
			"tracepoint %s:%s: tracefs is not mounted (as root: "
			"mount -t tracefs nodev /sys/kernel/tracing)", sys, ev);
	if (path_fmt(path, sizeof(path), "%s/events/%s/%s/id", tfs, sys,
		     ev) < 0)
		return sonde__pmu_why(-ENAMETOOLONG, why, n,
			"tracepoint name \"%.64s:%.64s...\" is too long", sys,
			ev);
	r = read_small(path, text, sizeof(text));
	if (r == -ENOENT || r == -ENOTDIR || r == -ENAMETOOLONG)
		return sonde__pmu_why(-ENOENT, why, n,
			"no tracepoint %s:%s (no %s)", sys, ev, path);
	if (r == -EFBIG || r == -EINVAL)
		return sonde__pmu_why(-EINVAL, why, n,
			"cannot read the id of tracepoint %s:%s (%s): %s", sys,
			ev, path, read_error(r));
	if (r < 0)
		return sonde__pmu_why(-ENOENT, why, n,
			"no readable tracepoint %s:%s (%s: %s)", sys, ev, path,
			read_error(r));
	if (parse_u64(text, &id) < 0 || id == ~0ULL)
		return sonde__pmu_why(-EINVAL, why, n,
			"cannot read the id of tracepoint %s:%s: \"%.32s\" is "
			"not a number", sys, ev, text);
	attr->type = PERF_TYPE_TRACEPOINT;
	attr->config = id;
	return 0;
}
