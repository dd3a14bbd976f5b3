// SPDX-License-Identifier: MIT
/*
 * What the kernel says about its PMUs, read for the event parser:
 * /sys/bus/event_source/devices/<pmu>/type (the attr.type to use),
 * format/<field> ("config:0-7,32-35", "config1:0-63", "config:12": where
 * a field's value bits go), events/<name> (aliases: "event=0x3c,umask=1"),
 * and tracepoint ids from <tracefs>/events/<sys>/<name>/id, tracefs found
 * in /proc/mounts.
 *
 * Trust boundary: paths built from a user's event name.  Every name that
 * becomes a path component (PMU, field, alias, tracepoint system and
 * name) must be made of [A-Za-z0-9_.+-] and not be "." or "..", so no
 * '/' and no walk out of the directory; files are read with O_CLOEXEC and
 * bounded to a small buffer.  What sysfs says is trusted as the kernel's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/common.h"
#include "parse.h"

#define FIELD_MAX 64 /* terms in one "pmu/.../" */

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

/* Read a small text file into @buf, trailing newlines cut: length or -errno. */
static int read_small(const char *path, char *buf, size_t n)
{
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	r = read(fd, buf, n - 1);
	if (r < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		return (int)r;
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
 * pmu_format_value()).  @fmt: "config:0-7,32-35".
 */
static int apply_format(const char *pmu, const char *field, const char *fmt,
			unsigned long long val, struct perf_event_attr *attr,
			char *why, size_t n)
{
	char word[16], *p;
	unsigned long long *dst, bits = 0;
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
		unsigned long lo = strtoul(r, &p, 10), hi = lo;

		if (p == r)
			goto bad;
		if (*p == '-')
			hi = strtoul(p + 1, &p, 10);
		if (hi < lo || hi > 63 || (*p && *p != ','))
			goto bad;
		for (unsigned long b = lo; b <= hi; b++, used++) {
			if (used < 64 && (val >> used) & 1)
				bits |= 1ULL << b;
			*dst &= ~(1ULL << b);
		}
		r = *p ? p + 1 : p;
	}
	if (used < 64 && val >> used)
		return sonde__pmu_why(-EINVAL, why, n,
			"value %#llx is too wide for field \"%s\" of PMU %s "
			"(%u bits: %s)", val, field, pmu, used, fmt);
	*dst |= bits;
	return 0;
bad:
	return sonde__pmu_why(-EINVAL, why, n,
		"cannot read the format of field \"%s\" of PMU %s: \"%s\"",
		field, pmu, fmt);
}

static int apply_terms(const char *pmu, char *terms, int depth,
		       struct perf_event_attr *attr, char *why, size_t n);

/* One term of "pmu/.../": "field=value", "field" (value 1), "config*=v",
 * or an alias from events/. */
static int apply_term(const char *pmu, char *term, int depth,
		      struct perf_event_attr *attr, char *why, size_t n)
{
	char path[512], text[512];
	unsigned long long val = 1, *word;
	char *eq = strchr(term, '=');
	int r;

	if (eq) {
		*eq = '\0';
		if (parse_u64(eq + 1, &val) < 0)
			return sonde__pmu_why(-EINVAL, why, n,
				"bad value \"%s\" for field \"%s\" of PMU %s: "
				"a number is needed", eq + 1, term, pmu);
	}
	word = config_word(attr, term);
	if (word) {
		*word = val;
		return 0;
	}
	if (!safe_component(term))
		return sonde__pmu_why(-EINVAL, why, n,
			"bad field name \"%s\" for PMU %s", term, pmu);
	snprintf(path, sizeof(path), SONDE__PMU_SYSFS "/%s/format/%s", pmu,
		 term);
	r = read_small(path, text, sizeof(text));
	if (r >= 0)
		return apply_format(pmu, term, text, val, attr, why, n);
	snprintf(path, sizeof(path), SONDE__PMU_SYSFS "/%s/events/%s", pmu,
		 term);
	if (!eq && depth == 0 && read_small(path, text, sizeof(text)) >= 0)
		return apply_terms(pmu, text, depth + 1, attr, why, n);
	return sonde__pmu_why(-EINVAL, why, n,
		"PMU %s has no field \"%s\" (see %s/%s/format/) nor event "
		"of that name", pmu, term, SONDE__PMU_SYSFS, pmu);
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

static int pmu_type(const char *pmu, struct perf_event_attr *attr, char *why,
		    size_t n)
{
	char path[512], text[32];
	unsigned long long type;

	snprintf(path, sizeof(path), SONDE__PMU_SYSFS "/%s/type", pmu);
	if (read_small(path, text, sizeof(text)) < 0)
		return sonde__pmu_why(-ENOENT, why, n,
			"no PMU named \"%s\" on this machine (not in %s)", pmu,
			SONDE__PMU_SYSFS);
	if (parse_u64(text, &type) < 0 || type > 0xffffffffULL)
		return sonde__pmu_why(-EINVAL, why, n,
			"cannot read the type of PMU %s: \"%s\"", pmu, text);
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
			"bad PMU name \"%s\" in \"%s\"", buf, spec);
	err = pmu_type(buf, attr, why, n);
	if (err < 0)
		return err;
	return apply_terms(buf, slash + 1, 0, attr, why, n);
}

int sonde__pmu_parse_alias(const char *name, struct perf_event_attr *attr,
			   char *why, size_t n)
{
	char path[768], text[512];
	struct dirent *de;
	DIR *d;
	int err = -ENOENT;

	if (!safe_component(name))
		return -ENOENT;
	d = opendir(SONDE__PMU_SYSFS);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (!safe_component(de->d_name) ||
		    strlen(de->d_name) > 200)
			continue;
		snprintf(path, sizeof(path), SONDE__PMU_SYSFS "/%s/events/%s",
			 de->d_name, name);
		if (read_small(path, text, sizeof(text)) < 0)
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
	FILE *f = fopen("/proc/mounts", "re");
	int found = 0;

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
	char tfs[512], path[1024], text[32];
	unsigned long long id;

	if (!safe_component(sys) || !safe_component(ev))
		return sonde__pmu_why(-EINVAL, why, n,
			"bad tracepoint name \"%s:%s\"", sys, ev);
	if (sonde__pmu_tracefs(tfs, sizeof(tfs)) < 0)
		return sonde__pmu_why(-ENOENT, why, n,
			"tracepoint %s:%s: tracefs is not mounted (as root: "
			"mount -t tracefs nodev /sys/kernel/tracing)", sys, ev);
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tfs, sys, ev);
	if (read_small(path, text, sizeof(text)) < 0)
		return sonde__pmu_why(-ENOENT, why, n,
			"no tracepoint %s:%s (no %s)", sys, ev, path);
	if (parse_u64(text, &id) < 0)
		return sonde__pmu_why(-EINVAL, why, n,
			"cannot read the id of tracepoint %s:%s: \"%s\"", sys,
			ev, text);
	attr->type = PERF_TYPE_TRACEPOINT;
	attr->config = id;
	return 0;
}
