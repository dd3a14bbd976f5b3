// SPDX-License-Identifier: MIT
/*
 * sonde stat: count performance events of a command (or of a process, or
 * of every CPU) through a sonde_pmu session (src/pmu/), and print them as
 * perf stat does: a table on stderr, -x SEP lines
 * "value,unit,event,run time,percent running,," (perf's columns, the two
 * metric columns left empty), or --json one object per event with perf's
 * keys.  Events that cannot be opened here print <not supported>; events
 * never scheduled print <not counted>.  The exit status is the command's.
 *
 * The command is forked, blocked on a pipe while its counters are opened
 * on its pid (inherited by its children, enabled by its execve()), then
 * released; so sonde's own work is not counted.  With several sets
 * (--set) the library switches them every --switch-ms (a helper thread of
 * this process, src/pmu/control.c) and each set's counts are extrapolated
 * over the run; the counters are then started just before the command is
 * released (enable-on-exec would enable every set at once).  With
 * --kernel-multiplex every set counts at once and the kernel rotates.
 * -p attaches to every thread of the process (and what they create) and
 * detaches when the command given with it ends or on Ctrl-C.  -I prints
 * the counts of each interval, perf's way: the time first.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sonde/pmu.h>
#include <sonde/sonde.h>

#include "cmd.h"

#define MAX_EVENTS 256
#define MAX_SETS 64

static const char usage_text[] =
	"usage: sonde stat [-e EVENT,...] [--set EVENT,...]... [--switch-ms N]\n"
	"                  [--kernel-multiplex] [-a] [-p PID] [-I MS] [-x SEP | --json] [-v]\n"
	"                  [--] CMD [ARGS...]\n"
	"  -e, --event EVENT,...  events to count (repeatable); default: task-clock,\n"
	"                         context-switches, cpu-migrations, page-faults, cycles,\n"
	"                         instructions, branches, branch-misses\n"
	"                         EVENT: a perf generic name (cycles, page-faults, cs...),\n"
	"                         pmu/field=value,.../ (sysfs), a sysfs event name, a\n"
	"                         tracepoint sys:name, or a libpfm4 name (INST_RETIRED:ANY_P,\n"
	"                         perf::PAGE-FAULTS; needs libpfm4 installed), tried in\n"
	"                         that order; :u or :k counts user or kernel only\n"
	"      --set EVENT,...    one event set (repeatable; -e events are set 0): the sets\n"
	"                         count in turn, switched by sonde, each extrapolated\n"
	"      --switch-ms N      switch sets every N ms (default 10)\n"
	"      --kernel-multiplex every set at once, rotated by the kernel (to compare)\n"
	"  -a, --all-cpus         count every CPU while CMD runs (or until Ctrl-C)\n"
	"  -p, --pid PID          count every thread of process PID while CMD runs (or\n"
	"                         until Ctrl-C or PID ends)\n"
	"  -I, --interval-print MS  print the counts of each MS interval, time first\n"
	"  -x, --field-separator SEP  CSV: value,unit,event,run time,percent running,,\n"
	"                         (with several sets: ,set,runs,active ns after them)\n"
	"      --json             one JSON object per event\n"
	"  -v, --verbose          say why each event that cannot count here cannot\n"
	"Output goes to stderr, as perf stat's.  The exit status is CMD's.\n";

static const char *const default_events[] = {
	"task-clock", "context-switches", "cpu-migrations", "page-faults",
	"cycles", "instructions", "branches", "branch-misses",
};

struct stat_opts {
	const char *events[MAX_EVENTS];
	unsigned int sets[MAX_EVENTS]; /* -e: 0; the k-th --set: k + 1 */
	size_t nr;
	unsigned int nr_sets;
	int had_e;
	long switch_ms;
	int kmux;
	long interval_ms;
	int all_cpus;
	int pid;
	const char *sep; /* -x */
	int json;
	int verbose;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Split @arg at the commas that are not inside "pmu/.../"; its events go
 * in @set. */
static int add_events(struct stat_opts *o, char *arg, unsigned int set)
{
	int inside = 0;
	char *start = arg;

	for (char *p = arg;; p++) {
		if (*p == '/')
			inside = !inside;
		if ((*p == ',' && !inside) || !*p) {
			int end = !*p;

			*p = '\0';
			if (*start) {
				if (o->nr == MAX_EVENTS)
					return cli_error("more than %d events",
							 MAX_EVENTS);
				o->sets[o->nr] = set;
				o->events[o->nr++] = start;
			}
			if (end)
				return 0;
			start = p + 1;
		}
	}
}

static int parse_args(int argc, char **argv, struct stat_opts *o)
{
	static const struct option longopts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "all-cpus", no_argument, NULL, 'a' },
		{ "pid", required_argument, NULL, 'p' },
		{ "field-separator", required_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "set", required_argument, NULL, 'S' },
		{ "switch-ms", required_argument, NULL, 'W' },
		{ "kernel-multiplex", no_argument, NULL, 'K' },
		{ "interval-print", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long pid;
	int c;

	memset(o, 0, sizeof(*o));
	o->pid = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:e:ap:x:vhI:", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			o->had_e = 1;
			if (add_events(o, optarg, 0))
				return -1;
			break;
		case 'S':
			if (o->nr_sets + 1 >= MAX_SETS)
				return cli_error("more than %d sets", MAX_SETS - 1), -1;
			if (add_events(o, optarg, ++o->nr_sets))
				return -1;
			break;
		case 'W':
		case 'I':
			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0 || pid > 3600000)
				return cli_error("bad %s \"%s\": milliseconds, 1 to 3600000",
						 c == 'W' ? "--switch-ms" : "-I", optarg), -1;
			if (c == 'W')
				o->switch_ms = pid;
			else
				o->interval_ms = pid;
			break;
		case 'K':
			o->kmux = 1;
			break;
		case 'a':
			o->all_cpus = 1;
			break;
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0 || pid > 0x3fffffff)
				return cli_error("bad pid \"%s\"", optarg), -1;
			o->pid = (int)pid;
			break;
		case 'x':
			o->sep = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			return cli_error("option %s needs a value; see sonde stat --help",
					 argv[optind - 1]), -1;
		default:
			return cli_error("unknown option %s; see sonde stat --help",
					 argv[optind - 1]), -1;
		}
	}
	if (o->all_cpus && o->pid > 0)
		return cli_error("-a and -p exclude each other"), -1;
	if (o->sep && o->json)
		return cli_error("-x and --json exclude each other"), -1;
	if (optind >= argc && !o->all_cpus && o->pid <= 0)
		return cli_error("no command to run; see sonde stat --help"), -1;
	if (!o->nr) {
		for (size_t i = 0; i < sizeof(default_events) / sizeof(default_events[0]); i++)
			o->events[o->nr++] = default_events[i];
		o->had_e = 1;
	}
	/* Sets numbered from 0: the -e set first when there is one. */
	for (size_t i = 0; !o->had_e && i < o->nr; i++)
		o->sets[i]--;
	o->nr_sets += o->had_e;
	if (o->nr_sets < 2 && (o->switch_ms || o->kmux))
		return cli_error("--switch-ms and --kernel-multiplex need several sets (--set)"), -1;
	return 0;
}

/* Every name must parse; a name that parses but cannot open here is
 * <not supported> later. */
static int check_names(const struct stat_opts *o)
{
	struct perf_event_attr attr;
	char why[320];

	for (size_t i = 0; i < o->nr; i++)
		if (sonde_pmu_event_parse(o->events[i], &attr, why, sizeof(why)) < 0)
			return cli_error("%s", why);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fork CMD held on a pipe: its pid, and the pipe's write end in @go. */
static pid_t spawn_held(char **argv, int *go)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return cli_error("cannot create a pipe: %s", strerror(errno)), -1;
	pid = fork();
	if (pid < 0) {
		cli_error("cannot fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127); /* sonde stat gave up */
		execvp(argv[0], argv);
		fprintf(stderr, "sonde: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static int is_time(const char *ev)
{
	return strncmp(ev, "task-clock", 10) == 0 || strncmp(ev, "cpu-clock", 9) == 0;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* One event's reading, as printed: the value since the start, or the
 * difference since the previous interval. */
struct reading {
	int err;
	struct sonde_pmu_value v;
	struct sonde_pmu_set_info si;
};

static void take_reading(struct sonde_pmu_session *s, size_t i,
			 struct reading *r)
{
	memset(r, 0, sizeof(*r));
	r->v.size = sizeof(r->v);
	r->si.size = sizeof(r->si);
	r->err = sonde_pmu_read(s, i, &r->v);
	r->v.set = (unsigned int)sonde_pmu_event_set(s, i);
	sonde_pmu_set_info(s, r->v.set, &r->si);
}

/* @cur less @prev: counts and times of one interval; the running
 * percentage of that interval.  With sets switched by sonde, the
 * interval's raw count extrapolated over the interval by the wall-clock
 * times of its set in it (the kernel's times of every set are behind the
 * totals, not kept per interval). */
static struct reading interval_of(const struct reading *cur,
				  const struct reading *prev, int switched)
{
	struct reading d = *cur;

	if (cur->err)
		return d;
	d.v.raw -= prev->v.raw;
	d.v.enabled_ns -= prev->v.enabled_ns;
	d.v.running_ns -= prev->v.running_ns;
	d.v.scaled -= prev->v.scaled;
	d.v.set_active_ns -= prev->v.set_active_ns;
	d.v.session_ns -= prev->v.session_ns;
	d.si.runs -= prev->si.runs;
	d.si.active_ns -= prev->si.active_ns;
	d.v.running_pct = d.v.enabled_ns ? 100.0 * (double)d.v.running_ns /
					   (double)d.v.enabled_ns : 0;
	if (switched) {
		d.v.running_pct = d.v.session_ns ? 100.0 * (double)d.v.set_active_ns /
						   (double)d.v.session_ns : 0;
		d.v.scaled = d.v.set_active_ns ? (double)d.v.raw *
			     ((double)d.v.session_ns / (double)d.v.set_active_ns) : 0;
		if (!d.v.set_active_ns)
			d.v.running_ns = d.v.enabled_ns = 0; /* <not counted> */
	}
	return d;
}

static void print_event(const struct stat_opts *o, struct sonde_pmu_session *s,
			size_t i, const struct reading *r, const char *ts)
{
	struct sonde_pmu_value v = r->v;
	const char *ev = sonde_pmu_event_name(s, i);
	const char *unit = is_time(ev) ? "msec" : "";
	int switched = o->nr_sets > 1 && !o->kmux;
	char val[64], why[320];
	int err = r->err;
	unsigned long long runtime;

	if (err < 0 && err != -ENOSPC) {
		snprintf(val, sizeof(val), "<not supported>");
		memset(&v, 0, sizeof(v));
		v.set = r->v.set;
		v.running_pct = 100.0; /* as perf prints it */
	} else if (err < 0 || (v.running_ns == 0 && !(ts && v.enabled_ns))) {
		snprintf(val, sizeof(val), "<not counted>");
		v.running_ns = 0;
	} else if (*unit) {
		snprintf(val, sizeof(val), "%.2f", v.scaled / 1e6);
	} else {
		snprintf(val, sizeof(val), "%.0f", v.scaled);
	}
	/* The run time: the set's active time where sonde switches sets
	 * (its percentage is the set's share), else the kernel's. */
	runtime = switched && val[0] != '<' ? v.set_active_ns : v.running_ns;
	if (o->json) {
		fputc('{', stderr);
		if (ts)
			fprintf(stderr, "\"interval\" : %s, ", ts);
		fputs("\"counter-value\" : ", stderr);
		if (val[0] == '<')
			json_str(stderr, val);
		else
			fprintf(stderr, "\"%f\"", *unit ? v.scaled / 1e6 : v.scaled);
		fprintf(stderr, ", \"unit\" : \"%s\", \"event\" : ", unit);
		json_str(stderr, ev);
		fprintf(stderr, ", \"event-runtime\" : %llu, \"pcnt-running\" : %.2f, "
			"\"metric-value\" : 0.000000, \"metric-unit\" : \"\"",
			runtime, v.running_pct);
		if (o->nr_sets > 1)
			fprintf(stderr, ", \"set\" : %u, \"set-runs\" : %llu, "
				"\"set-active-ns\" : %llu", v.set,
				(unsigned long long)r->si.runs,
				(unsigned long long)r->si.active_ns);
		fputs("}\n", stderr);
	} else if (o->sep) {
		if (ts)
			fprintf(stderr, "%s%s", ts, o->sep);
		fprintf(stderr, "%s%s%s%s%s%s%llu%s%.2f%s%s", val, o->sep, unit,
			o->sep, ev, o->sep, runtime, o->sep, v.running_pct,
			o->sep, o->sep);
		if (o->nr_sets > 1)
			fprintf(stderr, "%s%u%s%llu%s%llu", o->sep, v.set, o->sep,
				(unsigned long long)r->si.runs, o->sep,
				(unsigned long long)r->si.active_ns);
		fputc('\n', stderr);
	} else {
		int len = fprintf(stderr, "%s%18s %-4s %s", ts ? ts : "", val,
				  unit, ev);

		if (val[0] != '<' && (switched || v.running_ns < v.enabled_ns))
			fprintf(stderr, "%*s  (%.2f%%)", len < 56 ? 56 - len : 0,
				"", v.running_pct);
		fputc('\n', stderr);
	}
	if (o->verbose && err < 0)
		fprintf(stderr, "sonde: %s\n",
			err == -ENOSPC ?
			sonde_pmu_strerror(-ENOSPC, ev, why, sizeof(why)) :
			(sonde_pmu_event_status(s, i, why, sizeof(why)), why));
}

/* The human table's lines of per-set runs and active time. */
static void print_sets(const struct stat_opts *o, struct sonde_pmu_session *s)
{
	for (unsigned int set = 0; o->nr_sets > 1 && set < sonde_pmu_set_count(s); set++) {
		struct sonde_pmu_set_info si = { .size = sizeof(si) };

		if (sonde_pmu_set_info(s, set, &si) < 0)
			continue;
		fprintf(stderr, " set %u: %llu runs, %.2f msec active (%.2f%%)%s\n",
			set, (unsigned long long)si.runs, (double)si.active_ns / 1e6,
			si.running_pct, o->kmux ? ", multiplexed by the kernel" : "");
	}
}

static void print_all(const struct stat_opts *o, struct sonde_pmu_session *s,
		      int argc, char **argv, double elapsed,
		      const struct rusage *ru)
{
	int human = !o->sep && !o->json;

	if (human) {
		fputs("\n Performance counter stats for ", stderr);
		if (argc > 0) {
			fputc('\'', stderr);
			for (int i = 0; i < argc; i++)
				fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
			fputc('\'', stderr);
		} else if (o->all_cpus) {
			fputs("'system wide'", stderr);
		} else {
			fprintf(stderr, "process id '%d'", o->pid);
		}
		fputs(":\n\n", stderr);
	}
	for (size_t i = 0; i < sonde_pmu_event_count(s); i++) {
		struct reading r;

		take_reading(s, i, &r);
		print_event(o, s, i, &r, NULL);
	}
	if (human) {
		if (o->nr_sets > 1)
			fputc('\n', stderr);
		print_sets(o, s);
		fprintf(stderr, "\n %17.9f seconds time elapsed\n", elapsed);
		if (ru)
			fprintf(stderr, "\n %17.9f seconds user\n %17.9f seconds sys\n",
				(double)ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6,
				(double)ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6);
		fputc('\n', stderr);
	}
}

/* -I: the counts of the interval that ends now, @t seconds after the
 * start, each line led by the time (perf stat -I). */
static void print_interval(const struct stat_opts *o, struct sonde_pmu_session *s,
			   struct reading *prev, double t, int first)
{
	char ts[40];

	if (first && !o->sep && !o->json)
		fputs("#           time             counts unit events\n", stderr);
	snprintf(ts, sizeof(ts), o->sep || o->json ? "%.9f" : "%16.9f", t);
	for (size_t i = 0; i < sonde_pmu_event_count(s); i++) {
		struct reading cur, d;

		take_reading(s, i, &cur);
		d = interval_of(&cur, &prev[i], o->nr_sets > 1 && !o->kmux);
		print_event(o, s, i, &d, ts);
		prev[i] = cur;
	}
}

/* Refuse to go on when an event was refused for permission: the user must
 * know (perf stat does the same); other failures are <not supported>. */
static int check_permission(struct sonde_pmu_session *s)
{
	char why[320];

	for (size_t i = 0; i < sonde_pmu_event_count(s); i++) {
		int st = sonde_pmu_event_status(s, i, why, sizeof(why));

		if (st == -EACCES || st == -EPERM)
			return cli_error("%s", why);
	}
	return 0;
}

/* Wait for CMD; its exit status the shell's way. */
static int wait_cmd(pid_t pid, struct rusage *ru)
{
	int st;

	while (wait4(pid, &st, 0, ru) < 0) {
		if (errno != EINTR) {
			cli_error("cannot wait for the command: %s", strerror(errno));
			return 1;
		}
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

/* The command's end (@child > 0), or that of process -p, or Ctrl-C (-a,
 * -p): polled every 2 ms in interval mode, which prints each interval on
 * the way.  The exit status is the command's (0 without one). */
static int run_loop(const struct stat_opts *o, struct sonde_pmu_session *s,
		    pid_t child, struct rusage *ru, double t0)
{
	struct timespec nap = { 0, 2000000 };
	struct reading *prev = NULL;
	double next = t0 + (double)o->interval_ms / 1e3;
	int st, first = 1;

	if (!o->interval_ms && child > 0)
		return wait_cmd(child, ru);
	if (o->interval_ms) {
		prev = calloc(sonde_pmu_event_count(s), sizeof(*prev));
		if (!prev)
			return cli_error("out of memory"), 1;
		for (size_t i = 0; i < sonde_pmu_event_count(s); i++)
			take_reading(s, i, &prev[i]);
	} else {
		nap.tv_nsec = 100000000;
	}
	for (;;) {
		if (child > 0) {
			pid_t w = wait4(child, &st, WNOHANG, ru);

			if (w == child)
				break;
			if (w < 0 && errno != EINTR) {
				free(prev);
				return cli_error("cannot wait for the command: %s",
						 strerror(errno)), 1;
			}
		} else if (interrupted || (!o->all_cpus && kill(o->pid, 0) < 0 &&
					   errno == ESRCH)) {
			free(prev);
			return 0;
		}
		nanosleep(&nap, NULL);
		if (o->interval_ms && now_s() >= next) {
			print_interval(o, s, prev, now_s() - t0, first);
			first = 0;
			next += (double)o->interval_ms / 1e3;
		}
	}
	free(prev);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

int cmd_stat(int argc, char **argv)
{
	struct stat_opts o;
	struct sonde_pmu_opts po = { .size = sizeof(po) };
	struct sonde_pmu_session *s = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct rusage ru;
	pid_t child = -1;
	int go = -1, rc = 1, err;
	double t0;

	if (parse_args(argc, argv, &o) < 0 || check_names(&o))
		return 1;
	argc -= optind;
	argv += optind;
	po.events = o.events;
	po.nr_events = o.nr;
	po.sets = o.sets;
	po.switch_ns = (uint64_t)o.switch_ms * 1000000u;
	if (o.kmux)
		po.flags |= SONDE_PMU_KERNEL_MULTIPLEX;
	if (argc > 0) {
		child = spawn_held(argv, &go);
		if (child < 0)
			return 1;
	}
	if (o.all_cpus) {
		po.target = SONDE_PMU_CPU;
	} else if (o.pid > 0) {
		/* Every thread of the process, attached below. */
		po.target = SONDE_PMU_NONE;
		po.flags |= SONDE_PMU_INHERIT;
	} else {
		/* One set: the counters start at the command's execve(), as
		 * perf's; several: sonde starts them (enable-on-exec would
		 * enable every set at once). */
		po.target = SONDE_PMU_THREAD;
		po.pid = child;
		po.flags |= SONDE_PMU_INHERIT |
			    (o.nr_sets > 1 ? 0 : SONDE_PMU_ENABLE_ON_EXEC);
	}
	err = sonde_pmu_session_create(&po, &s);
	if (err < 0) {
		cli_error("cannot count events: %s", sonde_strerror(err));
		goto out;
	}
	if (check_permission(s))
		goto out;
	if (o.pid > 0) {
		err = sonde_pmu_attach(s, SONDE_PMU_ATTACH_PROCESS, o.pid);
		if (err < 0) {
			char why[320];

			cli_error("cannot count process %d: %s", o.pid,
				  err == -ESRCH ? "no such process" :
				  sonde_pmu_strerror(err, NULL, why, sizeof(why)));
			goto out;
		}
	}
	/* Like perf stat: Ctrl-C goes to the command, sonde prints after. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (po.target != SONDE_PMU_THREAD || o.nr_sets > 1)
		sonde_pmu_start(s);
	t0 = now_s();
	if (child > 0) {
		if (write(go, "x", 1) != 1) {
			cli_error("cannot start the command: %s", strerror(errno));
			goto out;
		}
		close(go);
		go = -1;
	}
	rc = run_loop(&o, s, child, &ru, t0);
	child = -1;
	/* -p: detach from the process (its counts stay in the session). */
	if (o.pid > 0)
		sonde_pmu_detach(s, SONDE_PMU_ATTACH_PROCESS, o.pid);
	sonde_pmu_stop(s);
	if (!o.interval_ms)
		print_all(&o, s, argc, argv, now_s() - t0, argc > 0 ? &ru : NULL);
out:
	if (go >= 0)
		close(go); /* the held child reads EOF and exits 127 */
	if (child > 0)
		waitpid(child, NULL, 0);
	sonde_pmu_session_destroy(s);
	return rc;
}
