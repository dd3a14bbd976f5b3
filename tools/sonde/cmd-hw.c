// SPDX-License-Identifier: MIT
/*
 * sonde hw: hardware trace paths (<sonde/hwtrace.h>).
 *   sonde hw list                 the trace devices, as a tree from each source
 *   sonde hw path SOURCE [SINK]   the path the kernel's rules give
 * Every verb takes --sysfs DIR and --dev DIR (or $SONDE_HWTRACE_SYSFS and
 * $SONDE_HWTRACE_DEV) to read a fixture tree instead of the machine's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sonde/hwtrace.h>

#include "cmd.h"

static const char usage_text[] =
	"usage: sonde hw list [--sysfs DIR] [--dev DIR]\n"
	"       sonde hw path [--sysfs DIR] [--dev DIR] SOURCE [SINK]\n"
	"  --sysfs DIR  the coresight bus's devices (default /sys/bus/coresight/devices)\n"
	"  --dev DIR    where the sinks' devices are (default /dev)\n";

struct hw_cli {
	struct sonde_hw_opts opts;
	struct sonde_hw_topo *topo;
};

static int open_topo(struct hw_cli *c)
{
	int r = sonde_hw_topo_open(&c->opts, &c->topo);

	if (r < 0) {
		cli_error("%s", sonde_hw_error_message());
		return -1;
	}
	return 0;
}

static void describe(const struct sonde_hw_device *d, char *buf, size_t n)
{
	int k = snprintf(buf, n, "%s", sonde_hw_kind_name(d->kind));

	if (d->sink_type != SONDE_HW_SINK_NONE && k >= 0 && (size_t)k < n)
		k += snprintf(buf + k, n - (size_t)k, ", %s",
			      sonde_hw_sink_type_name(d->sink_type));
	if (d->cpu >= 0 && k >= 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, ", cpu %d", d->cpu);
}

/* One device and, once, what is behind it; @seen marks those printed. */
static void print_tree(const struct sonde_hw_topo *t, size_t idx, int depth,
		       int in_port, int out_port, unsigned char *seen)
{
	struct sonde_hw_device d = { .size = sizeof(d) };
	char what[64];

	sonde_hw_device_get(t, idx, &d);
	describe(&d, what, sizeof(what));
	printf("%*s", depth * 2, "");
	if (depth)
		printf("out:%d -> ", out_port);
	printf("%s", d.name);
	if (in_port >= 0)
		printf(" (in:%d)", in_port);
	if (seen[idx] && d.nr_out) {
		printf(" [%s] ...\n", what);
		return;
	}
	printf(" [%s]", what);
	for (unsigned int i = 0; i < d.nr_helpers; i++) {
		struct sonde_hw_device h = { .size = sizeof(h) };

		sonde_hw_device_get(t, (size_t)sonde_hw_device_helper(t, idx, i), &h);
		printf("%s%s", i ? ", " : " helpers: ", h.name);
	}
	printf("\n");
	seen[idx] = 1;
	for (unsigned int i = 0; i < d.nr_out && depth < 64; i++) {
		struct sonde_hw_conn c = { .size = sizeof(c) };

		sonde_hw_device_conn(t, idx, i, &c);
		print_tree(t, c.peer, depth + 1, c.peer_port, c.port, seen);
	}
}

static int hw_list(struct hw_cli *c)
{
	size_t n;
	unsigned char *seen;

	if (open_topo(c) < 0)
		return 1;
	n = sonde_hw_device_count(c->topo);
	seen = calloc(n ? n : 1, 1);
	if (!seen) {
		sonde_hw_topo_close(c->topo);
		return cli_error("out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct sonde_hw_device d = { .size = sizeof(d) };

		sonde_hw_device_get(c->topo, i, &d);
		if (d.kind == SONDE_HW_SOURCE)
			print_tree(c->topo, i, 0, -1, -1, seen);
	}
	/* What no source reaches: helpers, and sinks or links fed by none. */
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			print_tree(c->topo, i, 0, -1, -1, seen);
	free(seen);
	sonde_hw_topo_close(c->topo);
	return 0;
}

static int hw_path(struct hw_cli *c, int npos, char **pos)
{
	struct sonde_hw_path *p;

	if (npos < 1 || npos > 2)
		return cli_error("hw path: give SOURCE [SINK]\n%s", usage_text);
	if (open_topo(c) < 0)
		return 1;
	if (sonde_hw_path_build(c->topo, pos[0], npos > 1 ? pos[1] : NULL, &p) < 0) {
		cli_error("no path: %s", sonde_hw_error_message());
		sonde_hw_topo_close(c->topo);
		return 1;
	}
	for (size_t i = 0; i < sonde_hw_path_length(p); i++)
		printf("%s%s", i ? " -> " : "", sonde_hw_path_device(p, i));
	printf("\n");
	sonde_hw_topo_close(c->topo);
	return 0;
}

int cmd_hw(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs", required_argument, NULL, 'S' },
		{ "dev", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hw_cli c = { .opts = { .size = sizeof(c.opts) } };
	char *pos[8];
	int npos = 0, ch;
	const char *verb;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", opts, pos, 8, &npos)) != -1) {
		switch (ch) {
		case 'S':
			c.opts.sysfs_root = optarg;
			break;
		case 'D':
			c.opts.dev_root = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_error("hw %s: bad option\n%s", verb, usage_text);
		}
	}
	if (npos > 8)
		return cli_error("hw %s: too many arguments", verb);
	if (!strcmp(verb, "list"))
		return npos ? cli_error("hw list takes no argument") : hw_list(&c);
	if (!strcmp(verb, "path"))
		return hw_path(&c, npos, pos);
	return cli_error("hw: unknown verb '%s' (list, path)\n%s", verb, usage_text);
}
