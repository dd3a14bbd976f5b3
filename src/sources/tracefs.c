// SPDX-License-Identifier: MIT
/*
 * tracefs, the kernel's window on its trace events (tracefs.h).
 *
 * Where: $SONDE_TRACEFS when set (tests point it at fixture trees), else
 * the first tracefs mount in /proc/mounts, else tracing/ under a debugfs
 * mount, else sonde mounts tracefs at /sys/kernel/tracing, the kernel's
 * own mount point, when it may (root, or CAP_SYS_ADMIN): the mount stays,
 * as `trace-cmd` and `perf` leave it.
 *
 * What: events/<system>/<event>/ directories, listed by libtracefs; each
 * event's "format" file (its id, common fields, own fields with offset,
 * size and signedness, print format) is read here, bounded, and parsed by
 * libtraceevent (tep_parse_event()), never by hand.  tracefs is the
 * kernel's, not a traced program's: the bounds only keep a fixture or an
 * odd kernel from costing unbounded memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "tracefs.h"

/* A format file is at most this long (sched_switch's is 2 kB). */
#define FORMAT_MAX (256u * 1024u)
#define DEFAULT_MOUNT "/sys/kernel/tracing"

static int has_events(const char *dir)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s/events", dir);
	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* The mount point of the first @type mount in /proc/mounts, into @out. */
static int find_mount(const char *type, char *out, size_t size)
{
	FILE *f = fopen("/proc/mounts", "re");
	char line[4096], mnt[2048], fs[64];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %2047s %63s", mnt, fs) != 2 ||
		    strcmp(fs, type))
			continue;
		/* /proc/mounts escapes spaces as \040: such a mount point is
		 * not used (none of the usual ones has one). */
		if (strchr(mnt, '\\') || strlen(mnt) >= size)
			continue;
		strcpy(out, mnt);
		found = 1;
	}
	fclose(f);
	return found;
}

int sonde__tracefs_find(char *dir, size_t size, char *why, size_t why_size)
{
	const char *env = secure_getenv("SONDE_TRACEFS");
	char mnt[2048];

	if (env && *env) {
		if (strlen(env) >= size)
			return -ENAMETOOLONG;
		if (!has_events(env)) {
			snprintf(why, why_size,
				 "SONDE_TRACEFS=%s has no events/ directory", env);
			return -ENOENT;
		}
		strcpy(dir, env);
		return 0;
	}
	if (find_mount("tracefs", mnt, sizeof(mnt)) && strlen(mnt) < size) {
		if (has_events(mnt)) {
			strcpy(dir, mnt);
			return 0;
		}
		if (access(mnt, R_OK | X_OK) && errno == EACCES) {
			snprintf(why, why_size,
				 "tracefs, mounted on %s, is not readable: it is root's only, unless its mode was changed (chmod, or the mount's mode= and gid= options)",
				 mnt);
			return -EACCES;
		}
	}
	if (find_mount("debugfs", mnt, sizeof(mnt)) &&
	    strlen(mnt) + 9 < sizeof(mnt)) {
		strcat(mnt, "/tracing");
		if (has_events(mnt) && strlen(mnt) < size) {
			strcpy(dir, mnt);
			return 0;
		}
	}
	if (mount("nodev", DEFAULT_MOUNT, "tracefs", 0, NULL)) {
		int e = errno;

		snprintf(why, why_size,
			 "tracefs is not mounted, and mounting it on %s failed: %s%s",
			 DEFAULT_MOUNT, strerror(e),
			 e == EPERM ? " (mounting needs CAP_SYS_ADMIN: run 'mount -t tracefs nodev " DEFAULT_MOUNT "' as root)"
				    : "");
		return -ENOENT;
	}
	if (!has_events(DEFAULT_MOUNT) || strlen(DEFAULT_MOUNT) >= size) {
		snprintf(why, why_size, "tracefs mounted on %s has no events/",
			 DEFAULT_MOUNT);
		return -ENOENT;
	}
	strcpy(dir, DEFAULT_MOUNT);
	return 0;
}

/* The whole of file @path, NUL-terminated, at most FORMAT_MAX bytes. */
static int slurp(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 8192, n = 0;
	char *buf;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t k;

		if (n + 1 == cap) {
			char *nb;

			if (cap >= FORMAT_MAX) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		k = read(fd, buf + n, cap - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = -errno;

			free(buf);
			close(fd);
			return e;
		}
		if (!k)
			break;
		n += (size_t)k;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int in_set(const struct sonde__tracefs_set *set, const char *sys,
		  const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->ev[i].system, sys) &&
		    !strcmp(set->ev[i].name, name))
			return 1;
	return 0;
}

static int add_event(struct sonde__tracefs_set *set, const char *dir,
		     const char *sys, const char *name, char *why,
		     size_t why_size)
{
	char path[4096], *fmt = NULL;
	size_t len = 0;
	struct sonde__tracefs_event *e;
	struct tep_event *ev;
	enum tep_errno te;
	int r;

	if (strlen(dir) + strlen(sys) + strlen(name) + 32 > sizeof(path))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, sys, name);
	r = slurp(path, &fmt, &len);
	if (r) {
		snprintf(why, why_size, "cannot read %s: %s%s", path,
			 strerror(-r),
			 r == -EACCES || r == -EPERM
				 ? " (tracefs is readable by root only, unless its mode was changed)"
				 : "");
		return r;
	}
	if (!set->tep) {
		set->tep = tep_alloc();
		if (!set->tep) {
			free(fmt);
			return -ENOMEM;
		}
		tep_set_long_size(set->tep, (int)sizeof(long));
		tep_set_page_size(set->tep, (int)sysconf(_SC_PAGESIZE));
	}
	te = tep_parse_event(set->tep, fmt, len, sys);
	free(fmt);
	ev = tep_find_event_by_name(set->tep, sys, name);
	if (te || !ev) {
		char msg[256] = "";

		tep_strerror(set->tep, te, msg, sizeof(msg));
		snprintf(why, why_size,
			 "libtraceevent cannot parse the format of %s:%s: %s",
			 sys, name, msg[0] ? msg : "unknown error");
		return -EINVAL;
	}
	if (!(set->n & (set->n - 1)) || !set->n) {
		size_t cap = set->n ? set->n * 2 : 8;
		struct sonde__tracefs_event *ne =
			realloc(set->ev, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		set->ev = ne;
	}
	e = &set->ev[set->n];
	e->system = strdup(sys);
	e->name = strdup(name);
	e->ev = ev;
	if (!e->system || !e->name) {
		free(e->system);
		free(e->name);
		return -ENOMEM;
	}
	set->n++;
	return 0;
}

int sonde__tracefs_match(struct sonde__tracefs_set *set, const char *dir,
			 const char *pattern, size_t max, char *why,
			 size_t why_size)
{
	char sysp[256], namep[256];
	const char *sep = strpbrk(pattern, ":/");
	char **systems, **events;
	size_t found = 0;
	int r = 0;

	why[0] = '\0';
	if (!*pattern || strlen(pattern) >= sizeof(namep) ||
	    (sep && strpbrk(sep + 1, ":/"))) {
		snprintf(why, why_size,
			 "bad kernel event '%s': use SYSTEM:NAME, as sched:sched_switch or irq:*",
			 pattern);
		return -EINVAL;
	}
	if (sep) {
		memcpy(sysp, pattern, (size_t)(sep - pattern));
		sysp[sep - pattern] = '\0';
		strcpy(namep, sep + 1);
	} else {
		strcpy(sysp, "*");
		strcpy(namep, pattern);
	}
	if (!*sysp || !*namep) {
		snprintf(why, why_size,
			 "bad kernel event '%s': use SYSTEM:NAME, as sched:sched_switch or irq:*",
			 pattern);
		return -EINVAL;
	}
	systems = tracefs_event_systems(dir);
	if (!systems) {
		snprintf(why, why_size, "cannot list the events of %s/events: %s",
			 dir, strerror(errno ? errno : ENOENT));
		return errno == EACCES ? -EACCES : -ENOENT;
	}
	for (size_t i = 0; !r && systems[i]; i++) {
		if (fnmatch(sysp, systems[i], 0))
			continue;
		events = tracefs_system_events(dir, systems[i]);
		for (size_t j = 0; !r && events && events[j]; j++) {
			if (fnmatch(namep, events[j], 0))
				continue;
			found++;
			if (in_set(set, systems[i], events[j]))
				continue;
			if (set->n >= max) {
				snprintf(why, why_size,
					 "'%s' matches more than %zu kernel events",
					 pattern, max);
				r = -E2BIG;
				break;
			}
			r = add_event(set, dir, systems[i], events[j], why,
				      why_size);
		}
		tracefs_list_free(events);
	}
	tracefs_list_free(systems);
	if (!r && !found) {
		snprintf(why, why_size,
			 "no kernel event matches '%s' (sonde list -k shows them)",
			 pattern);
		r = -ENOENT;
	}
	return r;
}

void sonde__tracefs_set_free(struct sonde__tracefs_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->ev[i].system);
		free(set->ev[i].name);
	}
	free(set->ev);
	if (set->tep)
		tep_free(set->tep);
	memset(set, 0, sizeof(*set));
}

int sonde__tracefs_event_id(const struct sonde__tracefs_event *e)
{
	return e->ev->id;
}
