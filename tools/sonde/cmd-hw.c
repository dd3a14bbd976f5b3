// SPDX-License-Identifier: MIT
/*
 * sonde hw: hardware trace paths (<sonde/hwtrace.h>).
 *   sonde hw list                 the trace devices, as a tree from each source
 *   sonde hw path SOURCE [SINK]   the path the kernel's rules give
 *   sonde hw record -s SOURCE [-k SINK] -o DIR -- CMD
 *                                 trace CMD through the sysfs backend: the
 *                                 sink's raw data and an OpenCSD snapshot
 *   sonde hw decode [--raw] [--buffer NAME] DIR
 *                                 a snapshot's trace decoded by libopencsd
 *                                 (src/hwtrace/decode.c)
 * Every verb takes --sysfs DIR and --dev DIR (or $SONDE_HWTRACE_SYSFS and
 * $SONDE_HWTRACE_DEV) to read a fixture tree instead of the machine's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sonde/hwtrace.h>

#include "cmd.h"
#include "../../src/hwtrace/decode.h"

static const char usage_text[] =
	"usage: sonde hw list [--sysfs DIR] [--dev DIR]\n"
	"       sonde hw path [--sysfs DIR] [--dev DIR] SOURCE [SINK]\n"
	"       sonde hw record [--sysfs DIR] [--dev DIR] -s SOURCE [-k SINK]\n"
	"                       [--buffer-size SIZE] -o DIR -- CMD [ARGS...]\n"
	"       sonde hw decode [--raw] [--buffer NAME] DIR\n"
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

/* The most read back from a sink with no buffer_size (an ETF's RAM is
 * 64 KiB on most SoCs; this leaves room). */
#define SINK_READ_DEFAULT (64ull << 20)

static int write_all(int dirfd, const char *name, const void *buf, size_t n)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < n) {
		ssize_t w = write(fd, (const char *)buf + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		off += (size_t)w;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* Run CMD pinned to @cpu (>= 0: a per-CPU source traces that CPU only);
 * its exit status, or -1 after a message. */
static int run_cmd(char **cmd, int cpu)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return cli_error("cannot fork: %s", strerror(errno)), -1;
	if (pid == 0) {
		if (cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set) < 0)
				fprintf(stderr, "sonde: cannot pin %s to CPU %d: %s\n", cmd[0], cpu,
					strerror(errno));
		}
		execvp(cmd[0], cmd);
		fprintf(stderr, "sonde: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return cli_error("waitpid: %s", strerror(errno)), -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct rec_args {
	const char *source, *sink, *out;
	unsigned long long bufsize;
	char **cmd;
};

static int hw_record_run(struct hw_cli *c, const struct rec_args *a)
{
	struct sonde_hw_device d = { .size = sizeof(d) };
	struct sonde_hw_snapshot_opts so = { .size = sizeof(so) };
	struct sonde_hw_path *p = NULL;
	const char *sink, *srcs[1] = { a->source };
	char file[96], why[256];
	unsigned long long cap = SINK_READ_DEFAULT;
	uint64_t sz;
	void *buf = NULL;
	int dirfd = -1, status = 1, rc;
	long n;

	if (sonde_hw_path_build(c->topo, a->source, a->sink, &p) < 0) {
		cli_error("no path: %s", sonde_hw_error_message());
		return 1;
	}
	sink = sonde_hw_path_sink(p);
	if (a->bufsize && sonde_hw_sink_set_buffer_size(c->topo, sink, a->bufsize) < 0) {
		cli_error("%s", sonde_hw_error_message());
		goto out;
	}
	if (sonde_hw_sink_buffer_size(c->topo, sink, &sz) == 0 && sz)
		cap = sz;
	buf = malloc(cap);
	if (!buf) {
		cli_error("cannot allocate %llu bytes for %s's data", cap, sink);
		goto out;
	}
	dirfd = sonde__dir_open(a->out, SONDE__DIR_CREATE, why, sizeof(why));
	if (dirfd < 0) {
		cli_error("cannot create %s: %s", a->out, why);
		goto out;
	}
	if (sonde_hw_path_enable(p, SONDE_HW_MODE_SYSFS) < 0 || sonde_hw_path_start(p) < 0) {
		cli_error("cannot start tracing %s -> %s: %s", a->source, sink,
			  sonde_hw_error_message());
		goto out;
	}
	sonde_hw_device_get(c->topo, (size_t)sonde_hw_device_find(c->topo, a->source), &d);
	rc = run_cmd(a->cmd, d.cpu);
	if (sonde_hw_path_stop(p) < 0) {
		cli_error("cannot stop %s: %s", a->source, sonde_hw_error_message());
		goto out;
	}
	/* The snapshot takes the registers while the path is still enabled
	 * (the kernel frees a dynamic trace ID when it is not). */
	snprintf(file, sizeof(file), "%s.bin", sink);
	so.sink = sink;
	so.trace_file = file;
	so.sources = srcs;
	so.nr_sources = 1;
	if (sonde_hw_snapshot_write(c->topo, dirfd, &so) < 0) {
		cli_error("%s", sonde_hw_error_message());
		goto out;
	}
	/* Read as the kernel's document does: the source stopped, the sink
	 * still activated. */
	n = sonde_hw_sink_read(c->topo, sink, buf, cap);
	if (n < 0) {
		cli_error("%s", sonde_hw_error_message());
		goto out;
	}
	if (sonde_hw_path_disable(p) < 0) {
		cli_error("cannot disable the path: %s", sonde_hw_error_message());
		goto out;
	}
	errno = -write_all(dirfd, file, buf, (size_t)n);
	if (errno) {
		cli_error("cannot write %s/%s: %s", a->out, file, strerror(errno));
		goto out;
	}
	fprintf(stderr, "sonde: %s -> %s: %ld bytes in %s/%s\n", a->source, sink, n, a->out, file);
	status = rc < 0 ? 1 : rc;
out:
	sonde_hw_path_destroy(p);
	if (dirfd >= 0)
		close(dirfd);
	free(buf);
	return status;
}

static int hw_record(struct hw_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "sink", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "buffer-size", required_argument, NULL, 'b' },
		{ "sysfs", required_argument, NULL, 'S' },
		{ "dev", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct rec_args a = { 0 };
	int ch, r;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+s:k:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 's': a.source = optarg; break;
		case 'k': a.sink = optarg; break;
		case 'o': a.out = optarg; break;
		case 'S': c->opts.sysfs_root = optarg; break;
		case 'D': c->opts.dev_root = optarg; break;
		case 'b':
			if (cli_parse_size(optarg, &a.bufsize) < 0)
				return cli_error("hw record: bad --buffer-size %s", optarg);
			break;
		default:
			return cli_error("hw record: bad option\n%s", usage_text);
		}
	}
	if (!a.source || !a.out || optind >= argc)
		return cli_error("hw record: give -s SOURCE, -o DIR and a command after --\n%s",
				 usage_text);
	a.cmd = argv + optind;
	if (open_topo(c) < 0)
		return 1;
	r = hw_record_run(c, &a);
	sonde_hw_topo_close(c->topo);
	return r;
}

static int hw_decode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sonde_hw_decode_opts o = { .out = stdout, .diag = stderr };
	char *pos[2];
	int npos = 0, ch;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", opts, pos, 2, &npos)) != -1) {
		switch (ch) {
		case 'r':
			o.raw = 1;
			break;
		case 'b':
			o.buffer = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_error("hw decode: bad option\n%s", usage_text);
		}
	}
	if (npos != 1)
		return cli_error("hw decode: give one snapshot directory\n%s", usage_text);
	o.dir = pos[0];
	return sonde__hw_decode(&o);
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
	if (!strcmp(verb, "record"))
		return hw_record(&c, argc, argv);
	if (!strcmp(verb, "decode"))
		return hw_decode(argc, argv);
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
	return cli_error("hw: unknown verb '%s' (list, path, record, decode)\n%s", verb, usage_text);
}
