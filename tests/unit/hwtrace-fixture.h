/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the test-hwtrace* unit tests: the fixture boards of
 * tests/data/hwtrace/ (SONDE_HW_FIXTURES), opened in place or copied into
 * a private temporary folder for tests that write to them.
 */
#ifndef SONDE_TESTS_HWTRACE_FIXTURE_H
#define SONDE_TESTS_HWTRACE_FIXTURE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sonde/hwtrace.h>

#include "../tap.h"

/* Open BOARD's topology from @base (the fixture folder or a copy). */
static inline int fx_open(const char *base, const char *board,
			  struct sonde_hw_topo **t)
{
	char sys[PATH_MAX], dev[PATH_MAX];
	struct sonde_hw_opts o = { .size = sizeof(o) };

	if (snprintf(sys, sizeof(sys), "%s/%s/sys/bus/coresight/devices", base, board) >= (int)sizeof(sys))
		tap_bail("path too long");
	if (snprintf(dev, sizeof(dev), "%s/%s/dev", base, board) >= (int)sizeof(dev))
		tap_bail("path too long");
	o.sysfs_root = sys;
	o.dev_root = dev;
	return sonde_hw_topo_open(&o, t);
}

/* A private copy of the fixture boards; its path in @dir. */
static inline void fx_copy(char *dir, size_t n)
{
	char cmd[PATH_MAX * 2 + 32];

	if (snprintf(dir, n, "%s/sonde-hwtest.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") >= (int)n)
		tap_bail("path too long");
	if (!mkdtemp(dir))
		tap_bail("mkdtemp %s", dir);
	if (snprintf(cmd, sizeof(cmd), "cp -a '%s'/juno-r1 '%s'/db410c '%s'/synthetic '%s'/",
		 SONDE_HW_FIXTURES, SONDE_HW_FIXTURES, SONDE_HW_FIXTURES, dir) >= (int)sizeof(cmd))
		tap_bail("path too long");
	if (system(cmd) != 0)
		tap_bail("cannot copy the fixtures: %s", cmd);
}

static inline void fx_remove(const char *dir)
{
	char cmd[PATH_MAX + 16];

	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >= (int)sizeof(cmd))
		tap_bail("path too long");
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
}

/* The content of a fixture file, newline cut; "" if unreadable. */
static inline const char *fx_read(const char *dir, const char *board,
				  const char *dev, const char *attr)
{
	static char buf[256];
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	if (snprintf(path, sizeof(path), "%s/%s/sys/bus/coresight/devices/%s/%s",
		 dir, board, dev, attr) >= (int)sizeof(path))
		tap_bail("path too long");
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

static inline void fx_write(const char *dir, const char *board,
			    const char *dev, const char *attr, const char *val)
{
	char path[PATH_MAX];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s/sys/bus/coresight/devices/%s/%s",
		 dir, board, dev, attr) >= (int)sizeof(path))
		tap_bail("path too long");
	f = fopen(path, "w");
	if (!f || fputs(val, f) < 0 || fclose(f) != 0)
		tap_bail("cannot write %s", path);
}

/* Make an attribute fail every write: a folder where the file was (root
 * writes any file whatever its mode, but never opens a folder O_WRONLY). */
static inline void fx_break(const char *dir, const char *board,
			    const char *dev, const char *attr)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s/sys/bus/coresight/devices/%s/%s",
		 dir, board, dev, attr) >= (int)sizeof(path))
		tap_bail("path too long");
	if (unlink(path) != 0 || mkdir(path, 0755) != 0)
		tap_bail("cannot break %s", path);
}

static inline void fx_unbreak(const char *dir, const char *board,
			      const char *dev, const char *attr)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s/sys/bus/coresight/devices/%s/%s",
		 dir, board, dev, attr) >= (int)sizeof(path))
		tap_bail("path too long");
	if (rmdir(path) != 0)
		tap_bail("cannot repair %s", path);
	fx_write(dir, board, dev, attr, "0\n");
}

#endif
