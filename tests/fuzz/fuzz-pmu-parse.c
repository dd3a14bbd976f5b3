// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the event-name parser, sonde_pmu_event_parse()
 * (src/pmu/parse.c, sysfs.c): the trust boundary of names given by users
 * (the command line, programs using <sonde/pmu.h>), which become sysfs
 * and tracefs paths.  The input, up to its first NUL, is the name.
 *
 * The parser reads the fixture tree tests/data/pmu-sysfs/ (moved there with
 * sonde__pmu_set_roots(), src/pmu/parse.h): a fake PMU with fields of one
 * and two ranges, config1/config2 fields and aliases, hostile format,
 * type and events/ files, and a fake tracefs; so the format-file code is
 * fuzzed the same on every machine.  Names no other lookup knows go to
 * libpfm4 (dlopen'd; absent, they fail with a sentence).
 *
 * Checked beyond ASan/UBSan: the return value is one the API documents; a
 * failure leaves a NUL-terminated sentence in @why (an exactly sized heap
 * buffer, so a write past it is caught); an accepted name gives a sane
 * attr: size set, a type this machine knows (a generic type or one listed
 * under the fixture's or the machine's <pmu>/type: libpfm4 gives the
 * machine's), a config in range for a generic or cache name (sysfs syntax
 * sets raw bits: only perf_event_open() judges those), and nothing set but
 * type, config*, size and the exclude_* bits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include <sonde/pmu.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WHY_MAX 160
#define NAME_MAX_LEN 2048

static unsigned int sysfs_types[64];
static size_t nr_sysfs_types;

/* The types a PMU directory under @root lists. */
static void load_types_from(const char *root)
{
	DIR *d;
	struct dirent *de;

	d = opendir(root);
	if (!d)
		return;
	while ((de = readdir(d)) && nr_sysfs_types < 64) {
		char path[1024], text[32];
		ssize_t r;
		int fd;

		if (de->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s/type", root,
				     de->d_name) >= sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (r <= 0)
			continue;
		text[r] = '\0';
		sysfs_types[nr_sysfs_types++] = (unsigned int)strtoul(text, NULL, 0);
	}
	closedir(d);
}

/* Point the parser at the fixture tree and read the types it and the
 * machine list, once. */
static void load_types(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	if (sonde__pmu_set_roots(SONDE_PMU_FIXTURE "/devices",
				 SONDE_PMU_FIXTURE "/tracefs") < 0)
		abort();
	load_types_from(SONDE_PMU_FIXTURE "/devices");
	load_types_from(SONDE__PMU_SYSFS);
}

static int known_type(unsigned int type)
{
	switch (type) {
	case PERF_TYPE_HARDWARE:
	case PERF_TYPE_SOFTWARE:
	case PERF_TYPE_TRACEPOINT:
	case PERF_TYPE_HW_CACHE:
	case PERF_TYPE_RAW:
	case PERF_TYPE_BREAKPOINT:
		return 1;
	default:
		break;
	}
	for (size_t i = 0; i < nr_sysfs_types; i++)
		if (sysfs_types[i] == type)
			return 1;
	return 0;
}

static void check_attr(const char *name, const struct perf_event_attr *a)
{
	struct perf_event_attr rest = *a, zero;

	if (a->size != sizeof(*a)) {
		fprintf(stderr, "\"%s\": attr.size %u, not %zu\n", name, a->size,
			sizeof(*a));
		abort();
	}
	if (!known_type(a->type)) {
		fprintf(stderr, "\"%s\": unknown attr.type %u\n", name, a->type);
		abort();
	}
	/* A generic or cache name gives a config in range; sysfs syntax
	 * ("software/config=23/") sets raw bits, which only
	 * perf_event_open() judges (sonde/pmu.h). */
	if (!strchr(name, '/') &&
	    ((a->type == PERF_TYPE_HARDWARE && a->config >= PERF_COUNT_HW_MAX) ||
	    (a->type == PERF_TYPE_SOFTWARE && a->config >= PERF_COUNT_SW_MAX) ||
	    (a->type == PERF_TYPE_HW_CACHE &&
	     ((a->config & 0xff) >= PERF_COUNT_HW_CACHE_MAX ||
	      ((a->config >> 8) & 0xff) >= PERF_COUNT_HW_CACHE_OP_MAX ||
	      ((a->config >> 16) & 0xff) >= PERF_COUNT_HW_CACHE_RESULT_MAX ||
	      a->config >> 24)))) {
		fprintf(stderr, "\"%s\": type %u, config %#llx out of range\n",
			name, a->type, (unsigned long long)a->config);
		abort();
	}
	/* "Nothing else is set" (sonde/pmu.h); exclude_guest and
	 * exclude_host come from libpfm4. */
	rest.type = 0;
	rest.size = 0;
	rest.config = 0;
	rest.config1 = 0;
	rest.config2 = 0;
	rest.exclude_user = 0;
	rest.exclude_kernel = 0;
	rest.exclude_hv = 0;
	rest.exclude_guest = 0;
	rest.exclude_host = 0;
	memset(&zero, 0, sizeof(zero));
	if (memcmp(&rest, &zero, sizeof(zero)) != 0) {
		fprintf(stderr, "\"%s\": attr has fields set beyond type, "
			"config*, size and exclude_*\n", name);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perf_event_attr attr;
	char *name, *why;
	size_t len;
	int err;

	if (size > NAME_MAX_LEN)
		return 0;
	load_types();
	len = strnlen((const char *)data, size);
	name = malloc(len + 1);
	why = malloc(WHY_MAX);
	if (!name || !why)
		abort();
	memcpy(name, data, len);
	name[len] = '\0';
	memset(why, 'x', WHY_MAX);
	memset(&attr, 0xa5, sizeof(attr)); /* must be zeroed by the parser */

	err = sonde_pmu_event_parse(name, &attr, why, WHY_MAX);
	switch (err) {
	case 0:
		check_attr(name, &attr);
		break;
	case -ENOENT:
	case -EINVAL:
	case -ENAMETOOLONG:
	case -ENOMEM:
		if (!memchr(why, '\0', WHY_MAX) || !why[0]) {
			fprintf(stderr, "\"%s\": error %d without a sentence\n",
				name, err);
			abort();
		}
		break;
	default:
		fprintf(stderr, "\"%s\": undocumented return %d\n", name, err);
		abort();
	}
	/* No @why at all, and a @why of one byte: same answer, no write. */
	if (sonde_pmu_event_parse(name, &attr, NULL, 0) != err ||
	    sonde_pmu_event_parse(name, &attr, why, 1) != err || why[0]) {
		fprintf(stderr, "\"%s\": answer depends on @why\n", name);
		abort();
	}
	free(why);
	free(name);
	return 0;
}
