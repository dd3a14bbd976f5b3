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
 * released; so sonde's own work is not counted.
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

static const char usage_text[] =
	"usage: sonde stat [-e EVENT,...] [-a] [-p PID] [-x SEP | --json] [-v] [--] CMD [ARGS...]\n"
	"  -e, --event EVENT,...  events to count (repeatable); default: task-clock,\n"
	"                         context-switches, cpu-migrations, page-faults, cycles,\n"
	"                         instructions, branches, branch-misses\n"
	"                         EVENT: a perf generic name (cycles, page-faults, cs...),\n"
	"                         pmu/field=value,.../ (sysfs), a sysfs event name, or a\n"
	"                         tracepoint sys:name; :u or :k counts user or kernel only\n"
	"  -a, --all-cpus         count every CPU while CMD runs (or until Ctrl-C)\n"
	"  -p, --pid PID          count process PID while CMD runs (or until Ctrl-C)\n"
	"  -x, --field-separator SEP  CSV: value,unit,event,run time,percent running\n"
	"      --json             one JSON object per event\n"
	"  -v, --verbose          say why each event that cannot count here cannot\n"
	"Output goes to stderr, as perf stat's.  The exit status is CMD's.\n";

static const char *const default_events[] = {
	"task-clock", "context-switches", "cpu-migrations", "page-faults",
	"cycles", "instructions", "branches", "branch-misses",
};

struct stat_opts {
	const char *events[MAX_EVENTS];
	size_t nr;
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

/* Split @arg at the commas that are not inside "pmu/.../". */
static int add_events(struct stat_opts *o, char *arg)
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long pid;
	int c;

	memset(o, 0, sizeof(*o));
	o->pid = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:e:ap:x:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (add_events(o, optarg))
				return -1;
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
	}
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

static void print_event(const struct stat_opts *o, struct sonde_pmu_session *s,
			size_t i)
{
	struct sonde_pmu_value v = { .size = sizeof(v) };
	const char *ev = sonde_pmu_event_name(s, i);
	const char *unit = is_time(ev) ? "msec" : "";
	char val[64], why[320];
	int err = sonde_pmu_read(s, i, &v);

	if (err < 0 && err != -ENOSPC) {
		snprintf(val, sizeof(val), "<not supported>");
		memset(&v, 0, sizeof(v));
		v.running_pct = 100.0; /* as perf prints it */
	} else if (err < 0 || v.running_ns == 0) {
		snprintf(val, sizeof(val), "<not counted>");
		v.running_ns = 0;
	} else if (*unit) {
		snprintf(val, sizeof(val), "%.2f", v.scaled / 1e6);
	} else {
		snprintf(val, sizeof(val), "%.0f", v.scaled);
	}
	if (o->json) {
		fputs("{\"counter-value\" : ", stderr);
		if (val[0] == '<')
			json_str(stderr, val);
		else
			fprintf(stderr, "\"%f\"", *unit ? v.scaled / 1e6 : v.scaled);
		fprintf(stderr, ", \"unit\" : \"%s\", \"event\" : ", unit);
		json_str(stderr, ev);
		fprintf(stderr, ", \"event-runtime\" : %llu, \"pcnt-running\" : %.2f, "
			"\"metric-value\" : 0.000000, \"metric-unit\" : \"\"}\n",
			(unsigned long long)v.running_ns, v.running_pct);
	} else if (o->sep) {
		fprintf(stderr, "%s%s%s%s%s%s%llu%s%.2f%s%s\n", val, o->sep, unit,
			o->sep, ev, o->sep, (unsigned long long)v.running_ns,
			o->sep, v.running_pct, o->sep, o->sep);
	} else {
		int len = fprintf(stderr, "%18s %-4s %s", val, unit, ev);

		if (val[0] != '<' && v.running_ns < v.enabled_ns)
			fprintf(stderr, "%*s  (%.2f%%)", len < 56 ? 56 - len : 0,
				"", v.running_pct);
		fputc('\n', stderr);
	}
	if (o->verbose && err < 0)
		fprintf(stderr, "sonde: %s\n",
			sonde_pmu_read(s, i, &v) == -ENOSPC ?
			sonde_pmu_strerror(-ENOSPC, ev, why, sizeof(why)) :
			(sonde_pmu_event_status(s, i, why, sizeof(why)), why));
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
	for (size_t i = 0; i < sonde_pmu_event_count(s); i++)
		print_event(o, s, i);
	if (human) {
		fprintf(stderr, "\n %17.9f seconds time elapsed\n", elapsed);
		if (ru)
			fprintf(stderr, "\n %17.9f seconds user\n %17.9f seconds sys\n",
				(double)ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6,
				(double)ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6);
		fputc('\n', stderr);
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
	if (argc > 0) {
		child = spawn_held(argv, &go);
		if (child < 0)
			return 1;
	}
	if (o.all_cpus) {
		po.target = SONDE_PMU_CPU;
	} else {
		po.target = SONDE_PMU_THREAD;
		po.pid = o.pid > 0 ? o.pid : child;
		po.flags = SONDE_PMU_INHERIT |
			   (o.pid > 0 ? 0 : SONDE_PMU_ENABLE_ON_EXEC);
	}
	err = sonde_pmu_session_create(&po, &s);
	if (err < 0) {
		cli_error("cannot count %s: %s", o.pid > 0 ? "that process" : "events",
			  sonde_strerror(err));
		goto out;
	}
	if (check_permission(s))
		goto out;
	/* Like perf stat: Ctrl-C goes to the command, sonde prints after. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (po.target == SONDE_PMU_CPU || o.pid > 0)
		sonde_pmu_start(s);
	t0 = now_s();
	if (child > 0) {
		if (write(go, "x", 1) != 1) {
			cli_error("cannot start the command: %s", strerror(errno));
			goto out;
		}
		close(go);
		go = -1;
		rc = wait_cmd(child, &ru);
		child = -1;
	} else {
		while (!interrupted && (o.all_cpus || kill(o.pid, 0) == 0 || errno != ESRCH))
			usleep(100000);
		rc = 0;
	}
	sonde_pmu_stop(s);
	print_all(&o, s, argc, argv, now_s() - t0, argc > 0 ? &ru : NULL);
out:
	if (go >= 0)
		close(go); /* the held child reads EOF and exits 127 */
	if (child > 0)
		waitpid(child, NULL, 0);
	sonde_pmu_session_destroy(s);
	return rc;
}
