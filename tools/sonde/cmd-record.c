// SPDX-License-Identifier: MIT
/*
 * sonde record: run a command with its tracepoints recording into a new CTF
 * trace directory.  This process is the consumer: it creates the buffers (a
 * sealed memfd, after checking that they fit in the memory limit, before
 * the directory is made), passes them to the command as an inherited
 * descriptor named in $SONDE_SHM ("fd:N"; each traced process keeps it for
 * its own children, see src/control/attach.c), drains full packets to disk
 * while the command runs, and finishes the trace when the command and every
 * process it started have exited.  No daemon is involved, and no file
 * names the buffers: they go with the last process that maps them, even
 * if this one is killed.
 *
 * The processes of the command: sonde record is a child subreaper
 * (PR_SET_CHILD_SUBREAPER), so a process the command leaves behind, even
 * one that double-forked and called setsid(), becomes its child when its
 * parent exits; sonde record reaps them all, with waitpid(-1), and records
 * until none is left (ECHILD).  One that exec'd a program not linked with
 * libsonde writes nothing and is only waited for.  The exit status is always the
 * command's (128 + signal if a signal killed it), never a descendant's.
 *
 * Signals are counted by their handlers and acted on by the recording loop,
 * which alone reaps, so a pid it signals is alive or a zombie, never reused:
 *  - SIGTERM, SIGHUP: forwarded to the command while it runs; once it has
 *    exited, to every process of it still running, once, and at once if
 *    one came while it ran (one SIGTERM ends a command and the daemon it
 *    started); the next one stops the recording;
 *  - SIGINT: not acted on while the command runs (a terminal sends it to
 *    the command too); once it has exited, or as soon as it exits if one
 *    came while it ran (one interrupt of the terminal is enough), stops
 *    the recording without touching the processes left (a daemon the
 *    command started keeps running);
 *  - SIGQUIT: ignored; SIGUSR2: snapshot (--overwrite).
 * A stop waits up to STOP_GRACE_S for those processes to exit (those the
 * terminal's interrupt reached are on their way out), then finishes the
 * trace and names on stderr the processes still running: their later events
 * are not recorded, and a record one of them is writing meanwhile is
 * dropped and counted as lost, like a dead process's.
 *
 * --sample EVENT@PERIOD adds the perf source (src/sources/perf.c) to the
 * trace, beside the user-space channel: this file then makes the trace
 * and its directory output itself and hands it to both sources.  The
 * command waits on a pipe after fork() until its events are open on it
 * (inherited by its children, enabled by its execve()); both sources are
 * drained by the same loop, and the perf source is finished first.
 * Event names are those of sonde_pmu_event_parse() (sonde stat's).  -a
 * samples every process on every CPU instead (the command still sets how
 * long); -g adds user call chains.  --counter EVENT,... with
 * --counter-period MS adds counter values, read every MS ms per thread of
 * the command (sonde__perf_counters_open()), to the same trace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include <sonde/pmu.h>
#include <sonde/sonde.h>

#include "../../src/outputs/output.h"
#include "../../src/sources/consumer.h"
#include "../../src/sources/context.h"
#include "../../src/pmu/ring.h"
#include "../../src/sources/kernel.h"
#include "../../src/sources/perf.h"
#include "../../src/trace/trace.h"
#include "../../src/control/attach.h"
#include "../../src/instrumentation/registry.h"
#include "cmd.h"
#include "record-relay.h"

#define DEFAULT_SUBBUF (1u << 20)
#define DEFAULT_NSUB 8u
/* Seconds a stop waits for the processes of the command to exit. */
#define STOP_GRACE_S 1
/* Pids named in a message about the processes still running. */
#define SHOWN_PIDS 8
/* --counter events, at most. */
#define MAX_COUNTERS 16
/* -k patterns, at most. */
#define MAX_KERNEL 64

static const char usage_text[] =
	"usage: sonde record [-o DIR] [-e PATTERN]... [--loglevel[-only] L] [--overwrite]\n"
	"                    [--subbuf-size SIZE] [--num-subbuf N] [--context LIST]\n"
	"                    [--sample EVENT@PERIOD [-a] [-g]]\n"
	"                    [--counter EVENT[,...] --counter-period MS]\n"
	"                    [-k SYSTEM:NAME[,...] [--filter EXPR]] -- CMD [ARGS...]\n"
	"  -o, --output DIR     trace directory (default ./sonde-YYYYmmdd-HHMMSS)\n"
	"  -e, --event PATTERN  record events matching provider:name ('*' wildcards);\n"
	"                       repeatable; default: all events\n"
	"      --loglevel L     only events of log level L or more severe (EMERG..DEBUG\n"
	"                       or 0..14; an event without a level counts as DEBUG_LINE)\n"
	"      --loglevel-only L  only events of log level L\n"
	"      --overwrite      flight recorder: keep the latest events per CPU\n"
	"      --subbuf-size S  sub-buffer (packet) size, power of two >= 4k (default 1M)\n"
	"      --num-subbuf N   sub-buffers per CPU, power of two >= 2 (default 8)\n"
	"      --context LIST   add to every user-space event its process's and\n"
	"                       thread's ids, the process's name and the address of\n"
	"                       the event's site: any of vpid, vtid, procname, ip,\n"
	"                       comma-separated\n"
	"      --sample EVENT@PERIOD\n"
	"                       sample the command every PERIOD occurrences of a perf\n"
	"                       event (any name sonde stat takes: cpu-clock, task-clock:\n"
	"                       ns; page-faults, pmu/field=v,.../, sys:name, ...)\n"
	"                       into the same trace, with the mappings of the samples\n"
	"  -a, --all-cpus       sample, or record kernel events of, every process on\n"
	"                       every CPU while CMD runs\n"
	"  -g, --call-graph     record user call chains with each sample\n"
	"      --counter EVENT[,...]\n"
	"                       counter values in the trace (needs --counter-period)\n"
	"      --counter-period MS\n"
	"                       read the counters of each thread of CMD every MS ms\n"
	"  -k, --kernel SYSTEM:NAME[,...]\n"
	"                       record kernel tracepoints (sched:sched_switch, irq:*,\n"
	"                       syscalls:sys_enter_openat...; 'sonde list -k' lists\n"
	"                       them) of CMD's processes, or with -a of every process,\n"
	"                       into the same trace; repeatable\n"
	"      --filter EXPR    keep the events for which EXPR holds: user-space events\n"
	"                       (with -e, or without -k), evaluated in the process\n"
	"                       ('size > 512 && path == \"/x*\"'), and -k events (the\n"
	"                       kernel's syntax: 'prev_pid == 42 && prev_prio < 100')\n"
	"      --kernel-buffer SIZE\n"
	"                       perf ring of kernel events per CPU, power of two\n"
	"                       (default 1M)\n"
	RECORD_RELAY_USAGE;

static volatile sig_atomic_t term_requests, hup_requests, int_requests;
static volatile sig_atomic_t snapshot_requests;

static void on_signal(int sig)
{
	if (sig == SIGTERM)
		term_requests++;
	else if (sig == SIGHUP)
		hup_requests++;
	else if (sig == SIGINT)
		int_requests++;
	else
		snapshot_requests++;
}

/* The command's name, as the trace's metadata gives it. */
static const char *cmd_name(const char *cmd)
{
	const char *slash = strrchr(cmd, '/');

	return slash ? slash + 1 : cmd;
}

static int prepare_dir(const char *dir)
{
	char why[PATH_MAX + 128];

	if (sonde__output_dir_prepare(dir, why, sizeof(why)))
		return cli_error("%s", why);
	return 0;
}

static void human(unsigned long long b, char *out, size_t n)
{
	if (b >= 1000000000ull)
		snprintf(out, n, "%.1f GB", b / 1e9);
	else if (b >= 1000000ull)
		snprintf(out, n, "%.1f MB", b / 1e6);
	else
		snprintf(out, n, "%.1f kB", b / 1e3);
}

struct record_opts {
	const char *dir;
	char patterns[4096];
	int loglevel, loglevel_only; /* -1: no --loglevel */
	int overwrite;
	unsigned long long subbuf, nsub;
	const char *sample;     /* --sample's EVENT, or NULL */
	char sample_event[64];
	struct perf_event_attr sample_attr;
	uint64_t sample_period;
	int all_cpus, callchain;
	char *counter[MAX_COUNTERS]; /* --counter names, in counter_buf */
	struct perf_event_attr counter_attr[MAX_COUNTERS];
	size_t ncounters;
	char counter_buf[1024];
	unsigned long long counter_ms;
	const char *kernel[MAX_KERNEL]; /* -k patterns, in kernel_buf */
	size_t nkernel;
	char kernel_buf[4096];
	size_t kernel_used;
	const char *filter;      /* --filter, for -k events */
	const char *user_filter; /* --filter, for user-space events */
	unsigned long long kernel_buffer; /* bytes per CPU; 0: default */
	const char *context;     /* --context LIST, checked */
	struct record_relay relay; /* --relay and its options */
};

/* -k SYSTEM:NAME[,...] into @o.  0 or 1 (said). */
static int parse_kernel(const char *arg, struct record_opts *o)
{
	size_t len = strlen(arg);
	char *s, *tok, *save;

	if (!len || o->kernel_used + len + 1 > sizeof(o->kernel_buf))
		return cli_error("bad -k '%s': give SYSTEM:NAME[,...], as sched:sched_switch",
				 arg);
	s = o->kernel_buf + o->kernel_used;
	memcpy(s, arg, len + 1);
	o->kernel_used += len + 1;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nkernel == MAX_KERNEL)
			return cli_error("too many -k patterns (at most %d)",
					 MAX_KERNEL);
		o->kernel[o->nkernel++] = tok;
	}
	if (!o->nkernel)
		return cli_error("bad -k '%s': give SYSTEM:NAME[,...]", arg);
	return 0;
}

/* --sample EVENT@PERIOD into @o.  0 or 1 (said). */
static int parse_sample(const char *arg, struct record_opts *o)
{
	const char *at = strrchr(arg, '@');
	unsigned long long period;
	size_t n = at ? (size_t)(at - arg) : 0;
	char why[256];

	if (!at || !n || n >= sizeof(o->sample_event) ||
	    cli_parse_size(at + 1, &period) || !period)
		return cli_error("bad --sample '%s': use EVENT@PERIOD, as cpu-clock@100000",
				 arg);
	memcpy(o->sample_event, arg, n);
	o->sample_event[n] = '\0';
	if (sonde_pmu_event_parse(o->sample_event, &o->sample_attr, why,
				  sizeof(why)))
		return cli_error("bad event '%s' for --sample: %s",
				 o->sample_event, why);
	o->sample = o->sample_event;
	o->sample_period = period;
	return 0;
}

/* --counter EVENT[,...] into @o.  0 or 1 (said). */
static int parse_counters(const char *arg, struct record_opts *o)
{
	size_t len = strlen(arg);
	char why[256], *save = NULL, *tok;

	if (o->ncounters || len >= sizeof(o->counter_buf) || !len)
		return cli_error("bad --counter '%s': give one list EVENT[,...] of at most %zu bytes",
				 arg, sizeof(o->counter_buf) - 1);
	memcpy(o->counter_buf, arg, len + 1);
	/* A sysfs name holds commas between its slashes: split outside. */
	for (char *c = o->counter_buf, in = 0; *c; c++) {
		if (*c == '/')
			in = !in;
		else if (*c == ',' && in)
			*c = '\1';
	}
	for (tok = strtok_r(o->counter_buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->ncounters == MAX_COUNTERS)
			return cli_error("too many --counter events: at most %d",
					 MAX_COUNTERS);
		for (char *c = tok; *c; c++)
			if (*c == '\1')
				*c = ',';
		if (sonde_pmu_event_parse(tok, &o->counter_attr[o->ncounters],
					  why, sizeof(why)))
			return cli_error("bad event '%s' for --counter: %s",
					 tok, why);
		o->counter[o->ncounters++] = tok;
	}
	return o->ncounters ? 0 : cli_error("bad --counter '%s': no event", arg);
}

/*
 * Whether user space may read counter @a itself (rdpmc): probe-open it on
 * this thread and look at its mmap page.  1, 0, or -errno of the open.
 */
static int probe_rdpmc(const struct perf_event_attr *a)
{
	struct perf_event_attr x = *a;
	long pg = sysconf(_SC_PAGESIZE);
	struct perf_event_mmap_page *meta;
	int fd, r = 0;

	x.size = sizeof(x);
	x.exclude_hv = 1;
	fd = (int)syscall(SYS_perf_event_open, &x, 0, -1, -1,
			  PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	meta = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, fd, 0);
	if (meta != MAP_FAILED) {
		r = meta->cap_user_rdpmc && meta->index;
		munmap(meta, (size_t)pg);
	}
	close(fd);
	return r;
}

/* The buffers fit in the memory limit: checked before anything is made. */
static int check_memory(const struct record_opts *o)
{
	struct sonde__consumer_opts co;
	char why[512];

	memset(&co, 0, sizeof(co));
	co.subbuf_size = (uint32_t)o->subbuf;
	co.nsub = (uint32_t)o->nsub;
	if (sonde__consumer_check_memory(&co, why, sizeof(why)))
		return cli_error("%s", why);
	return 0;
}

/*
 * --loglevel L: "@L" (or "@=L") after each inclusion pattern, and
 * --filter EXPR for user-space events: "\tEXPR" after that, as the
 * registry matches them (src/instrumentation/pattern.c); with no -e, all
 * events ("*").
 */
static int add_conditions(struct record_opts *o, const char *filter)
{
	char out[sizeof(o->patterns)], sfx[16] = "", f[SONDE__FILTER_MAX + 2] = "";
	const char *p = o->patterns[0] ? o->patterns : "*";
	size_t used = 0;

	if (o->loglevel >= 0)
		snprintf(sfx, sizeof(sfx), "@%s%d", o->loglevel_only ? "=" : "",
			 o->loglevel);
	if (filter) {
		/* One line per pattern: no newline or tab inside. */
		snprintf(f, sizeof(f), "\t%s", filter);
		for (char *q = f + 1; *q; q++)
			if (*q == '\n' || *q == '\t' || *q == '\r')
				*q = ' ';
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int k = snprintf(out + used, sizeof(out) - used, "%s%.*s%s%s",
				 used ? "\n" : "", (int)n, p,
				 *p == '!' ? "" : sfx, *p == '!' ? "" : f);

		if (k < 0 || (size_t)k >= sizeof(out) - used)
			return cli_error("too many event patterns, or patterns and filter too long (%zu bytes at most)",
					 sizeof(out) - 1);
		if (sfx[0] && memchr(p, '@', n))
			return cli_error("--loglevel goes with patterns without their own @LEVEL");
		used += (size_t)k;
		p += n + (nl ? 1 : 0);
	}
	memcpy(o->patterns, out, used + 1);
	return 0;
}

static int parse(int argc, char **argv, struct record_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "event", required_argument, NULL, 'e' },
		{ "overwrite", no_argument, NULL, 'w' },
		{ "subbuf-size", required_argument, NULL, 's' },
		{ "num-subbuf", required_argument, NULL, 'n' },
		{ "sample", required_argument, NULL, 'S' },
		{ "all-cpus", no_argument, NULL, 'a' },
		{ "call-graph", no_argument, NULL, 'g' },
		{ "counter", required_argument, NULL, 'C' },
		{ "counter-period", required_argument, NULL, 'P' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "filter", required_argument, NULL, 'F' },
		{ "kernel-buffer", required_argument, NULL, 'K' },
		{ "loglevel", required_argument, NULL, 'L' },
		{ "loglevel-only", required_argument, NULL, 'O' },
		{ "context", required_argument, NULL, 'X' },
		RECORD_RELAY_LONGOPTS
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t used = 0;
	int c;

	o->subbuf = DEFAULT_SUBBUF;
	o->nsub = DEFAULT_NSUB;
	o->loglevel = -1;
	record_relay_init(&o->relay);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:e:hagk:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->dir = optarg;
			break;
		case 'e':
			if (!sonde__pattern_valid(optarg))
				return cli_error("bad event pattern '%s': expected provider:name with optional '*' wildcards, or a glob over the whole name with a '*' ('myapp*')",
						 optarg);
			if (used + strlen(optarg) + 2 > sizeof(o->patterns))
				return cli_error("too many event patterns");
			used += (size_t)snprintf(o->patterns + used,
						 sizeof(o->patterns) - used,
						 "%s%s", used ? "\n" : "",
						 optarg);
			break;
		case 'L':
		case 'O':
			if (o->loglevel >= 0)
				return cli_error("give one --loglevel or --loglevel-only");
			o->loglevel = sonde__loglevel_parse(optarg);
			o->loglevel_only = c == 'O';
			if (o->loglevel < 0)
				return cli_error("bad log level '%s': use EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO, DEBUG_SYSTEM, DEBUG_PROGRAM, DEBUG_PROCESS, DEBUG_MODULE, DEBUG_UNIT, DEBUG_FUNCTION, DEBUG_LINE, DEBUG or 0..14",
						 optarg);
			break;
		case 'w':
			o->overwrite = 1;
			break;
		case 's':
			if (cli_parse_size(optarg, &o->subbuf) ||
			    o->subbuf < 4096 || o->subbuf > (1ull << 30) ||
			    (o->subbuf & (o->subbuf - 1)))
				return cli_error("bad sub-buffer size '%s': use a power of two from 4k to 1G",
						 optarg);
			break;
		case 'n':
			if (cli_parse_size(optarg, &o->nsub) || o->nsub < 2 ||
			    o->nsub > 65536 || (o->nsub & (o->nsub - 1)))
				return cli_error("bad sub-buffer count '%s': use a power of two from 2 to 65536",
						 optarg);
			break;
		case 'S':
			if (parse_sample(optarg, o))
				return 1;
			break;
		case 'a':
			o->all_cpus = 1;
			break;
		case 'g':
			o->callchain = 1;
			break;
		case 'C':
			if (parse_counters(optarg, o))
				return 1;
			break;
		case 'P':
			if (cli_parse_size(optarg, &o->counter_ms) ||
			    !o->counter_ms || o->counter_ms > 3600000)
				return cli_error("bad --counter-period '%s': use milliseconds from 1 to 3600000",
						 optarg);
			break;
		case 'k':
			if (parse_kernel(optarg, o))
				return 1;
			break;
		case 'F':
			o->filter = optarg;
			break;
		case 'X': {
			struct sonde__ctx_spec spec;
			char why[160];

			if (o->context)
				return cli_error("give one --context LIST");
			if (sonde__ctx_parse(optarg, &spec, why, sizeof(why)))
				return cli_error("bad --context '%s': %s", optarg,
						 why);
			o->context = optarg;
			break;
		}
		case 'K':
			if (cli_parse_size(optarg, &o->kernel_buffer) ||
			    o->kernel_buffer < 4096 ||
			    o->kernel_buffer > (uint64_t)SONDE__PERFRING_MAX_PAGES * 4096 ||
			    (o->kernel_buffer & (o->kernel_buffer - 1)))
				return cli_error("bad --kernel-buffer '%s': use a power of two from 4k to %uM",
						 optarg, SONDE__PERFRING_MAX_PAGES * 4096 >> 20);
			break;
		case RELAY_OPT_URL:
		case RELAY_OPT_SESSION:
		case RELAY_OPT_HOSTNAME:
		case RELAY_OPT_LIVE:
		case RELAY_OPT_BUFFER:
		case RELAY_OPT_RETRIES:
		case RELAY_OPT_OPTIONAL:
			if (record_relay_option(&o->relay, c, optarg))
				return 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			for (const struct option *lo = longopts; lo->name; lo++)
				if (lo->val == optopt &&
				    !strncmp(argv[optind - 1], "--", 2))
					return cli_error("option '--%s' needs an argument",
							 lo->name);
			return cli_error("option '-%c' needs an argument",
					 optopt);
		default:
			if (optopt && optopt != '?')
				return cli_error("unknown option '-%c' for record; run 'sonde record --help'",
						 optopt);
			return cli_error("unknown option '%s' for record; run 'sonde record --help'",
					 argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		cli_error("missing command to record; usage: sonde record [options] -- CMD [ARGS...]");
		return 1;
	}
	if (o->all_cpus && !o->sample && !o->nkernel)
		return cli_error("-a goes with --sample EVENT@PERIOD or -k SYSTEM:NAME");
	if (o->callchain && !o->sample)
		return cli_error("-g goes with --sample EVENT@PERIOD");
	if (o->filter && (o->patterns[0] || !o->nkernel)) {
		/* For user-space events: with -e, or without -k (with -k
		 * alone it is the kernel's, as it always was). */
		struct sonde__fexpr *fe;
		char why[256];
		int r = sonde__filter_parse(o->filter, &fe, why, sizeof(why));

		if (r)
			return cli_error("bad --filter '%s': %s", o->filter,
					 r == -ENOMEM ? "no memory" : why);
		sonde__filter_expr_free(fe);
		o->user_filter = o->filter;
		if (!o->nkernel)
			o->filter = NULL;
	}
	if (o->kernel_buffer && !o->nkernel)
		return cli_error("--kernel-buffer goes with -k SYSTEM:NAME");
	if (record_relay_check(&o->relay, o->dir, o->overwrite))
		return 1;
	if (o->counter_ms && !o->ncounters)
		return cli_error("--counter-period goes with --counter EVENT[,...]");
	if ((o->loglevel >= 0 || o->user_filter) &&
	    add_conditions(o, o->user_filter))
		return 1;
	if (o->ncounters && !o->counter_ms) {
		int r = probe_rdpmc(&o->counter_attr[0]);

		if (r < 0)
			return cli_error("cannot count %s: %s", o->counter[0],
					 strerror(-r));
		if (!r)
			return cli_error("--counter needs --counter-period MS here: this PMU does not let user space read %s (cap_user_rdpmc is 0: a software event, or no hardware PMU), so its value cannot be read as event context; --counter-period MS writes perf:counter events every MS ms instead",
					 o->counter[0]);
		return cli_error("--counter needs --counter-period MS: counter values as event context (read with rdpmc, which %s allows here) are not implemented yet",
				 o->counter[0]);
	}
	return check_memory(o);
}

/*
 * SIGUSR2 in overwrite mode: write what the buffers hold now to
 * DIR.snapshot-N (beside the trace, so that readers do not take it for
 * part of it), a trace of its own, while the command keeps running.
 */
static void take_snapshot(struct sonde__consumer *cons,
			  const struct record_opts *o, const char *cmd,
			  pid_t pid, int n)
{
	struct sonde__consumer_stats st;
	const char *name = strrchr(cmd, '/');
	char dir[PATH_MAX], size[32];
	int r;

	if (!o->overwrite) {
		cli_error("snapshot requested, but only --overwrite sessions take snapshots");
		return;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s.snapshot-%d", o->dir, n) >=
	    sizeof(dir)) {
		cli_error("cannot take snapshot %d: path too long", n);
		return;
	}
	if (mkdir(dir, 0755)) {
		cli_error("cannot create snapshot directory %s: %s", dir,
			  strerror(errno));
		return;
	}
	r = sonde__consumer_snapshot(cons, dir, name ? name + 1 : cmd, pid, &st);
	if (r) {
		rmdir(dir);
		cli_error("cannot write snapshot %s: %s", dir, strerror(-r));
		return;
	}
	human(st.bytes, size, sizeof(size));
	fprintf(stderr, "sonde: snapshot %d: %llu events, %llu lost, %s in %s\n",
		n, (unsigned long long)st.events, (unsigned long long)st.lost,
		size, dir);
}

/*
 * In the child, before exec: the command inherits a descriptor of the
 * buffers' memfd (ours stays close-on-exec), out of the way of the low
 * numbers, named in $SONDE_SHM.  Under an outer `sonde record` (its
 * sessions already in $SONDE_SHM, "fd:N[,fd:M...]"), ours is added after
 * them: the command records into every one (src/control/attach.c).  0, or
 * -1 with errno set.
 */
static int pass_buffers(int memfd)
{
	const char *outer = getenv(SONDE_SHM_ENV);
	char env[256];
	int fd = fcntl(memfd, F_DUPFD, SONDE__SHM_FD_MIN);

	/* F_DUPFD leaves FD_CLOEXEC clear on the new descriptor. */
	if (fd < 0)
		fd = fcntl(memfd, F_DUPFD, 3);
	if (fd < 0)
		return -1;
	if (outer && *outer && strlen(outer) < sizeof(env) - 16 &&
	    strspn(outer, "fd:0123456789,") == strlen(outer))
		snprintf(env, sizeof(env), "%s,fd:%d", outer, fd);
	else
		snprintf(env, sizeof(env), "fd:%d", fd);
	return setenv(SONDE_SHM_ENV, env, 1);
}

static int wait_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

struct proc {
	pid_t pid, ppid;
};

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc *)a)->pid;
	pid_t y = ((const struct proc *)b)->pid;

	return (x > y) - (x < y);
}

/*
 * Parent of process @pid (a /proc entry name), from /proc/PID/stat; -1 if
 * it is gone or a zombie.  The kernel writes the line, but the command name
 * in it is the process's choice: the fields that follow are found after
 * its last ')'.
 */
static pid_t parent_of(const char *pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2] || p[2] == 'Z' || p[2] == 'X')
		return -1;
	return (pid_t)strtol(p + 3, NULL, 10);
}

/* Every process in /proc that is not a zombie, sorted by pid, in *@out
 * (to free); their count, or -1. */
static long list_procs(struct proc **out)
{
	struct proc *all = NULL, *grown;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		pid_t ppid;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		ppid = parent_of(d->d_name);
		if (ppid < 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			grown = realloc(all, cap * sizeof(*all));
			if (!grown) {
				free(all);
				closedir(dir);
				return -1;
			}
			all = grown;
		}
		all[n].pid = (pid_t)strtol(d->d_name, NULL, 10);
		all[n].ppid = ppid;
		n++;
	}
	closedir(dir);
	if (n)
		qsort(all, n, sizeof(*all), by_pid);
	*out = all;
	return (long)n;
}

/*
 * The processes descending from this one that still run (zombies left
 * out): their count, their pids in *@out (to free), lowest first; -1 if
 * /proc cannot be read.
 */
static long running_descendants(pid_t **out)
{
	struct proc *all = NULL;
	pid_t self = getpid(), *pids;
	long n = list_procs(&all), count = 0;
	unsigned char *in;
	int changed;

	*out = NULL;
	if (n < 0)
		return -1;
	in = calloc((size_t)n + 1, 1);
	pids = calloc((size_t)n + 1, sizeof(*pids));
	if (!in || !pids) {
		free(in);
		free(pids);
		free(all);
		return -1;
	}
	/* A process descends from this one if its parent does: each pass
	 * takes in at least one more generation, so there are at most n. */
	do {
		changed = 0;
		for (long i = 0; i < n; i++) {
			struct proc key = { all[i].ppid, 0 }, *parent;

			if (in[i])
				continue;
			parent = bsearch(&key, all, (size_t)n, sizeof(*all),
					 by_pid);
			if (all[i].ppid == self ||
			    (parent && in[parent - all])) {
				in[i] = 1;
				changed = 1;
			}
		}
	} while (changed);
	for (long i = 0; i < n; i++)
		if (in[i])
			pids[count++] = all[i].pid;
	free(in);
	free(all);
	*out = pids;
	return count;
}

/* "pid 12" or "pids 12, 13, ..." (at most SHOWN_PIDS of them). */
static void pid_list(const pid_t *pids, long n, char *out, size_t size)
{
	size_t used = (size_t)snprintf(out, size, "pid%s", n == 1 ? "" : "s");

	for (long i = 0; i < n && used < size; i++) {
		if (i == SHOWN_PIDS) {
			snprintf(out + used, size - used, ", ...");
			return;
		}
		used += (size_t)snprintf(out + used, size - used, "%s %d",
					 i ? "," : "", (int)pids[i]);
	}
}

/* Recording state: the command, and the signals acted on so far. */
struct run {
	const char *cmd;
	pid_t child;    /* the command: sonde record's own child */
	int status;     /* its wait status, once child_done */
	int child_done;
	int forwarded;  /* a signal went to the processes it left */
	int early_sig;  /* SIGTERM or SIGHUP that went to the command: passed
			 * on to the processes it leaves when it exits */
	int early_int;  /* SIGINT while the command ran: stop at its exit */
	int stopping;   /* recording ends at stop_at */
	struct sonde__perf *perf; /* --sample's source, or NULL */
	struct sonde__kernel *kern; /* -k's source, or NULL */
	struct record_relay *relay; /* --relay, or NULL */
	struct timespec stop_at;
	sig_atomic_t terms, hups, ints, snapshots;
};

/* The command exited: say which processes of it the recording waits for. */
static void tell_waiting(const struct run *r)
{
	const char *name = strrchr(r->cmd, '/');
	pid_t *pids;
	char list[160];
	long n = running_descendants(&pids);

	if (n > 0) {
		pid_list(pids, n, list, sizeof(list));
		fprintf(stderr,
			"sonde: %s exited; recording until its %ld remaining process%s exit%s (%s); SIGINT stops it now\n",
			name ? name + 1 : r->cmd, n, n == 1 ? "" : "es",
			n == 1 ? "s" : "", list);
	}
	free(pids);
}

/* Recording ended with processes of the command maybe still running. */
static void tell_stopped(void)
{
	pid_t *pids;
	char list[160];
	long n = running_descendants(&pids);

	if (n < 0)
		fprintf(stderr, "sonde: stopped before every process of the command exited; their later events are not recorded\n");
	else if (n > 0) {
		pid_list(pids, n, list, sizeof(list));
		fprintf(stderr,
			"sonde: stopped with %ld process%s of the command still running (%s); %s later events are not recorded\n",
			n, n == 1 ? "" : "es", list, n == 1 ? "its" : "their");
	}
	free(pids);
}

static void stop_soon(struct run *r)
{
	if (r->stopping)
		return;
	r->stopping = 1;
	clock_gettime(CLOCK_MONOTONIC, &r->stop_at);
	r->stop_at.tv_sec += STOP_GRACE_S;
}

static int past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* SIGTERM or SIGHUP: to the command while it runs (and, when it exits,
 * to the processes it left: see reap()), then once to the processes it
 * left; a further one stops the recording. */
static void pass_on(struct run *r, int sig)
{
	pid_t *pids;
	long n;

	if (!r->child_done) {
		kill(r->child, sig);
		r->early_sig = sig;
		return;
	}
	if (r->forwarded) {
		stop_soon(r);
		return;
	}
	r->forwarded = 1;
	n = running_descendants(&pids);
	for (long i = 0; i < n; i++)
		kill(pids[i], sig);
	free(pids);
}

static void act_on_signals(struct run *r)
{
	while (r->terms != term_requests) {
		r->terms++;
		pass_on(r, SIGTERM);
	}
	while (r->hups != hup_requests) {
		r->hups++;
		pass_on(r, SIGHUP);
	}
	while (r->ints != int_requests) {
		r->ints++;
		if (r->child_done)
			stop_soon(r);
		else
			r->early_int = 1;
	}
}

/*
 * Reap every process that exited: the command (its status kept) and the
 * orphans handed to this subreaper.  0 once none is left, 1 otherwise.
 * A signal that came while the command ran, which may have ended it,
 * meant the recording too: at the command's exit, SIGINT stops it, and
 * SIGTERM or SIGHUP goes on to the processes the command left, as if it
 * came now.  Either also covers one that came while the command was a
 * zombie not yet reaped.
 */
static int reap(struct run *r)
{
	int st, just_done = 0;

	for (;;) {
		pid_t w = waitpid(-1, &st, WNOHANG);

		if (w == 0)
			break;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return 0;
		if (w == r->child) {
			r->status = st;
			r->child_done = 1;
			just_done = 1;
		}
	}
	if (just_done) {
		if (r->early_int)
			stop_soon(r);
		else
			tell_waiting(r);
		if (r->early_sig)
			pass_on(r, r->early_sig);
	}
	return 1;
}

/*
 * Drain the buffers until every process of the command has exited or a
 * stop's grace has run out.  Returns 1 if writing the trace failed.
 */
static int record_loop(struct sonde__consumer *cons,
		       const struct record_opts *o, struct run *r)
{
	int failed = 0, moved, err;

	for (;;) {
		act_on_signals(r);
		if (!reap(r))
			break;
		if (r->stopping && past(&r->stop_at)) {
			tell_stopped();
			break;
		}
		if (snapshot_requests != r->snapshots)
			take_snapshot(cons, o, r->cmd, r->child,
				      ++r->snapshots);
		moved = 0;
		if (r->relay) {
			/* The sources' packets too, unless writing failed. */
			err = record_relay_tick(r->relay,
						sonde__consumer_trace(cons),
						failed ? NULL : r->perf,
						failed ? NULL : r->kern);
			if (err && !failed) {
				cli_error("cannot write trace to %s: %s; recording stopped",
					  o->dir, strerror(-err));
				failed = 1;
			}
		}
		if (!failed) {
			/* Metadata first: it then names the event classes of
			 * the packets written next, even if this process is
			 * killed right after. */
			err = sonde__consumer_refresh_metadata(
				cons, cmd_name(r->cmd), r->child);
			if (!err)
				err = sonde__consumer_drain(cons, &moved);
			if (!err && r->perf) {
				int more = 0;

				err = sonde__perf_drain(r->perf, &more);
				moved |= more;
			}
			if (!err && r->kern) {
				int more = 0;

				err = sonde__kernel_drain(r->kern, &more);
				moved |= more;
			}
			if (err) {
				cli_error("cannot write trace to %s: %s; recording stopped",
					  o->dir, strerror(-err));
				failed = 1;
			}
		}
		if (!moved) {
			/* A flight recorder is read only at the end (or on
			 * SIGUSR2): poll slowly. */
			struct timespec ts = { 0, o->overwrite ? 10000000
							       : 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	return failed;
}

/* Remove what was written of the trace; free the sources and the trace
 * (the trace is NULL unless --sample, --counter or -k made it here). */
static void discard(struct sonde__consumer *cons, struct sonde__perf *perf,
		    struct sonde__kernel *kern, struct sonde__trace *t)
{
	sonde__consumer_discard_output(cons);
	if (t)
		sonde__trace_discard(t);
	sonde__consumer_destroy(cons);
	sonde__perf_destroy(perf);
	sonde__kernel_destroy(kern);
	sonde__trace_destroy(t);
}

/* --sample: the trace both sources join, on a directory output. */
static int make_trace(const char *dir, struct sonde__trace **t)
{
	struct sonde__output *out;
	int r = sonde__output_dir_create(dir, &out);

	if (r)
		return r;
	r = sonde__trace_create(out, NULL, NULL, t);
	if (r)
		sonde__output_destroy(out);
	return r;
}

/* Why perf_event_open(2) failed, for the user: sonde_pmu_strerror()'s
 * sentence (the paranoid level and the capability for a permission
 * error), the same as sonde stat's. */
static void perf_error(const char *event, int err, int all_cpus)
{
	char why[512];

	sonde_pmu_strerror(err, event, why, sizeof(why));
	if (err == -EACCES || err == -EPERM)
		cli_error("cannot sample %s%s: perf_event_open is not permitted: %s",
			  event, all_cpus ? " on every CPU (-a)" : "", why);
	else
		cli_error("cannot sample %s%s: %s", event,
			  all_cpus ? " on every CPU (-a)" : "", why);
}

int cmd_record(int argc, char **argv)
{
	struct sonde__consumer_opts copts;
	struct sonde__consumer_stats st;
	struct sonde__consumer *cons;
	struct sonde__trace *trace = NULL;
	struct sonde__perf *perf = NULL;
	struct sonde__perf_stats pst;
	struct sonde__kernel *kern = NULL;
	struct sonde__kernel_stats kst;
	struct record_opts o;
	struct run run;
	char dirbuf[64], size[32], why[512];
	struct sigaction sa;
	int r, status = 0, failed, exit_code, exec_pipe[2], fresh_dir;
	int go_pipe[2] = { -1, -1 };
	ssize_t n;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	if (parse(argc, argv, &o))
		return 1;
	if (!o.dir && o.relay.url) {
		/* The relay only: no directory here; messages name it. */
		o.dir = o.relay.url;
		fresh_dir = 0;
	} else if (!o.dir) {
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(dirbuf, sizeof(dirbuf), "sonde-%Y%m%d-%H%M%S", &tm);
		/* Made here, never reused: in a shared cwd another user can
		 * make the name first (then NAME-1, NAME-2... are tried). */
		r = sonde__mkdir_fresh(AT_FDCWD, dirbuf, sizeof(dirbuf));
		if (r)
			return cli_error("cannot create a new trace directory %s (nor %s-1 to -99) in the current directory: %s; give one with -o",
					 dirbuf, dirbuf, strerror(-r));
		o.dir = dirbuf;
	}
	if (o.dir != o.relay.url) {
		fresh_dir = o.dir == dirbuf || access(o.dir, F_OK) != 0;
		if (prepare_dir(o.dir))
			return 1;
	}
	memset(&copts, 0, sizeof(copts));
	copts.subbuf_size = (uint32_t)o.subbuf;
	copts.nsub = (uint32_t)o.nsub;
	copts.overwrite = o.overwrite;
	copts.patterns = o.patterns;
	copts.context = o.context;
	copts.dir = o.dir;
	copts.why = why;
	copts.why_size = sizeof(why);
	why[0] = '\0';
	if (o.relay.url) {
		struct sonde__output *out;

		/* The relay, beside the directory if -o was given. */
		if (record_relay_output(&o.relay,
					o.dir != o.relay.url ? o.dir : NULL,
					&out)) {
			if (fresh_dir)
				rmdir(o.dir);
			return 1;
		}
		r = sonde__trace_create(out, NULL, NULL, &trace);
		if (r) {
			sonde__output_destroy(out);
			if (fresh_dir)
				rmdir(o.dir);
			return cli_error("cannot create trace: %s",
					 strerror(-r));
		}
		copts.dir = NULL;
		copts.trace = trace;
	} else if (o.sample || o.ncounters || o.nkernel) {
		r = make_trace(o.dir, &trace);
		if (r) {
			if (fresh_dir)
				rmdir(o.dir);
			return cli_error("cannot create trace in %s: %s", o.dir,
					 strerror(-r));
		}
		copts.dir = NULL;
		copts.trace = trace;
	}
	r = sonde__consumer_create(&copts, &cons);
	if (r) {
		if (trace) {
			sonde__trace_discard(trace);
			sonde__trace_destroy(trace);
		}
		if (fresh_dir)
			rmdir(o.dir);
		if (why[0])
			return cli_error("%s", why);
		return cli_error("cannot set up trace buffers in %s: %s", o.dir,
				 strerror(-r));
	}
	if (record_relay_start(&o.relay, cons)) {
		discard(cons, NULL, NULL, trace);
		return 1;
	}
	if (o.nkernel) {
		struct sonde__kernel_opts ko;

		memset(&ko, 0, sizeof(ko));
		ko.trace = trace;
		ko.patterns = o.kernel;
		ko.npatterns = o.nkernel;
		ko.filter = o.filter;
		ko.ring_pages = (uint32_t)(o.kernel_buffer /
					   (unsigned long long)sysconf(_SC_PAGESIZE));
		if (o.kernel_buffer && !ko.ring_pages)
			ko.ring_pages = 1;
		ko.why = why;
		ko.why_size = sizeof(why);
		r = sonde__kernel_create(&ko, &kern);
		if (r) {
			discard(cons, NULL, NULL, trace);
			if (fresh_dir)
				rmdir(o.dir);
			return cli_error("cannot record kernel events: %s",
					 why[0] ? why : strerror(-r));
		}
	}
	if (trace && (o.sample || o.ncounters)) {
		struct sonde__perf_opts po;

		memset(&po, 0, sizeof(po));
		po.trace = trace;
		po.event = o.sample;
		po.attr = &o.sample_attr;
		po.period = o.sample_period;
		po.flags = o.callchain ? SONDE__PERF_CALLCHAIN : 0;
		r = sonde__perf_create(&po, &perf);
		if (r) {
			discard(cons, NULL, NULL, trace);
			return cli_error("cannot set up sampling: %s",
					 strerror(-r));
		}
	}
	/* Readable from the start, so that a recorder killed later leaves a
	 * trace; rewritten as event classes appear and at the end. */
	r = sonde__consumer_write_metadata(cons, cmd_name(argv[optind]), 0);
	if (r) {
		discard(cons, perf, kern, trace);
		return cli_error("cannot write trace to %s: %s", o.dir,
				 strerror(-r));
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGQUIT, &sa, NULL);
	/* Orphans of the command become children of this process, so that
	 * recording goes on while they run. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		cli_error("cannot adopt the processes the command leaves behind (%s): recording ends when the command exits",
			  strerror(errno));

	/* The child reports a failed exec through a close-on-exec pipe, so
	 * that it is not mistaken for a command that exited 127. */
	if (pipe2(exec_pipe, O_CLOEXEC) ||
	    ((perf || kern) && pipe2(go_pipe, O_CLOEXEC))) {
		r = errno;
		pid = -1;
	} else {
		pid = fork();
		r = errno;
	}
	if (pid < 0) {
		discard(cons, perf, kern, trace);
		return cli_error("cannot start %s: %s", argv[optind],
				 strerror(r));
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		close(exec_pipe[0]);
		if (go_pipe[0] >= 0) {
			/* Until the events are open on this process. */
			char go;

			close(go_pipe[1]);
			while ((n = read(go_pipe[0], &go, 1)) < 0 &&
			       errno == EINTR)
				;
			if (n != 1)
				_exit(127);
		}
		if (!pass_buffers(sonde__consumer_shm_fd(cons)))
			execvp(argv[optind], argv + optind);
		r = errno;
		if (write(exec_pipe[1], &r, sizeof(r)) < 0)
			_exit(127);
		_exit(127);
	}
	close(exec_pipe[1]);
	if (kern) {
		r = sonde__kernel_attach(kern, o.all_cpus ? -1 : pid);
		if (r) {
			close(go_pipe[0]);
			close(go_pipe[1]);
			close(exec_pipe[0]);
			waitpid(pid, &status, 0);
			discard(cons, perf, kern, trace);
			if (fresh_dir)
				rmdir(o.dir);
			cli_error("cannot record kernel events: %s",
				  why[0] ? why : strerror(-r));
			return 1;
		}
		if (sonde__kernel_ustr_why(kern))
			fprintf(stderr,
				"sonde: the path arguments of syscall events are not captured: %s\n",
				sonde__kernel_ustr_why(kern));
		if (!perf) {
			close(go_pipe[0]);
			if (write(go_pipe[1], "g", 1) != 1) {
				close(go_pipe[1]);
				close(exec_pipe[0]);
				waitpid(pid, &status, 0);
				discard(cons, perf, kern, trace);
				return cli_error("cannot start %s: %s",
						 argv[optind], strerror(EPIPE));
			}
			close(go_pipe[1]);
		}
	}
	if (perf) {
		close(go_pipe[0]);
		const char *what = o.sample;
		int rdpmc;

		r = sonde__perf_attach(perf, o.all_cpus ? -1 : pid);
		if (!r && o.ncounters) {
			what = o.counter[0];
			r = sonde__perf_counters_open(perf, o.counter_attr,
						      (const char *const *)o.counter,
						      o.ncounters, pid,
						      o.counter_ms * 1000000ull,
						      &rdpmc);
		}
		if (r || write(go_pipe[1], "g", 1) != 1) {
			close(go_pipe[1]);
			close(exec_pipe[0]);
			waitpid(pid, &status, 0);
			discard(cons, perf, kern, trace);
			perf_error(what, r ? r : -EPIPE, o.all_cpus);
			return 1;
		}
		close(go_pipe[1]);
	}
	while ((n = read(exec_pipe[0], &r, sizeof(r))) < 0 && errno == EINTR)
		;
	close(exec_pipe[0]);
	if (n == sizeof(r)) {
		waitpid(pid, &status, 0);
		discard(cons, perf, kern, trace);
		cli_error("cannot run %s: %s", argv[optind], strerror(r));
		return 127;
	}
	memset(&run, 0, sizeof(run));
	if (o.relay.url)
		run.relay = &o.relay;
	run.cmd = argv[optind];
	run.child = pid;
	run.perf = perf;
	run.kern = kern;
	failed = record_loop(cons, &o, &run);
	exit_code = run.child_done ? wait_status(run.status) : 1;
	if (!failed && kern) {
		r = sonde__kernel_finish(kern);
		if (r) {
			cli_error("cannot write trace to %s: %s", o.dir,
				  strerror(-r));
			failed = 1;
		}
	}
	if (!failed && perf) {
		r = sonde__perf_finish(perf);
		if (r) {
			cli_error("cannot write trace to %s: %s", o.dir,
				  strerror(-r));
			failed = 1;
		}
	}
	if (!failed) {
		const char *name = strrchr(argv[optind], '/');

		r = sonde__consumer_finish(cons, name ? name + 1 : argv[optind],
					   pid);
		if (r) {
			cli_error("cannot write trace to %s: %s", o.dir,
				  strerror(-r));
			failed = 1;
		}
	}
	if (failed) {
		discard(cons, perf, kern, trace);
		record_relay_destroy(&o.relay);
		return exit_code ? exit_code : 1;
	}
	record_relay_finish(&o.relay);
	sonde__consumer_stats(cons, &st);
	if (kern) {
		sonde__kernel_stats(kern, &kst);
		fprintf(stderr,
			"sonde: %llu kernel events recorded (%u event%s), %llu lost\n",
			(unsigned long long)kst.events, kst.classes,
			kst.classes == 1 ? "" : "s",
			(unsigned long long)kst.lost);
		if (kst.bad)
			fprintf(stderr,
				"sonde: %llu malformed kernel records skipped\n",
				(unsigned long long)kst.bad);
		st.bytes += kst.bytes;
	}
	if (perf) {
		sonde__perf_stats(perf, &pst);
		human(st.bytes + pst.bytes, size, sizeof(size));
		fprintf(stderr,
			"sonde: %llu events recorded, %llu lost, %llu samples, %llu samples lost, %s in %s\n",
			(unsigned long long)st.events,
			(unsigned long long)st.lost,
			(unsigned long long)pst.samples,
			(unsigned long long)pst.lost, size, o.dir);
		if (pst.mmaps || pst.counters)
			fprintf(stderr,
				"sonde: %llu mappings, %llu counter readings\n",
				(unsigned long long)pst.mmaps,
				(unsigned long long)pst.counters);
		if (pst.bad)
			fprintf(stderr,
				"sonde: %llu malformed perf records skipped\n",
				(unsigned long long)pst.bad);
	} else {
		human(st.bytes, size, sizeof(size));
		fprintf(stderr,
			"sonde: %llu events recorded, %llu lost, %s in %s\n",
			(unsigned long long)st.events,
			(unsigned long long)st.lost, size, o.dir);
	}
	{
		/* Buffers a traced process wrote nonsense into: said, and
		 * the exit status 1 unless the command's is already not 0
		 * (doc/man/sonde-record.1). */
		struct sonde__consumer_damage dmg;

		sonde__consumer_damage(cons, &dmg);
		if (dmg.cpus)
			fprintf(stderr,
				"sonde: the buffers of %u CPU%s were corrupt (written by a faulty or hostile process): events lost there are not all counted\n",
				dmg.cpus, dmg.cpus == 1 ? "" : "s");
		if (dmg.header)
			fprintf(stderr,
				"sonde: the header of the buffers was overwritten by a faulty or hostile process (ignored and restored)\n");
		if (dmg.registry)
			fprintf(stderr,
				"sonde: the event registry was corrupt (written by a faulty or hostile process): events of the classes registered after the damage are lost\n");
		if ((dmg.cpus || dmg.header || dmg.registry) && !exit_code)
			exit_code = 1;
	}
	sonde__consumer_destroy(cons);
	sonde__perf_destroy(perf);
	sonde__kernel_destroy(kern);
	sonde__trace_destroy(trace);
	record_relay_destroy(&o.relay);
	return exit_code;
}
