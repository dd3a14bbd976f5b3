// SPDX-License-Identifier: MIT
/*
 * sonde: command-line entry point; dispatches to one cmd-<verb>.c per verb.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sonde/sonde.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} verbs[] = {
	{ "record", cmd_record, "run a command with tracing on, write a CTF trace" },
	{ "view", cmd_view, "print the events of a trace in time order" },
	{ "stat", cmd_stat, "count performance events (perf_event_open) of a command" },
	{ "stats", cmd_stats, "event counts, rates, lost events, begin/end durations" },
	{ "export", cmd_export, "convert a trace (Chrome Trace Event JSON)" },
	{ "hw", cmd_hw, "hardware trace (CoreSight): list, path, record, decode" },
	{ "report", cmd_report, "write a self-contained HTML report (timeline, rates, durations)" },
	{ "daemon", cmd_daemon, "run (or --stop) the session daemon for live control" },
	{ "create", cmd_control, "create a session of the daemon" },
	{ "enable", cmd_control, "enable events in a session (patterns, live)" },
	{ "disable", cmd_control, "disable events in a session (live)" },
	{ "start", cmd_control, "start recording a session" },
	{ "stop", cmd_control, "stop recording; the trace is complete on disk" },
	{ "snapshot", cmd_control, "write what a flight-recorder session holds now" },
	{ "destroy", cmd_control, "stop and remove a session" },
	{ "sessions", cmd_control, "list the daemon's sessions" },
	{ "list", cmd_control, "list registered processes and their events" },
};

static void usage(FILE *f)
{
	fputs("usage: sonde <command> [options]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].help);
	fputs("\nsonde <command> --help describes a command; "
	      "man sonde-<command> has the details.\n", f);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sonde: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 0:
		break;
	case 'k': case 'K':
		mult = 1ull << 10;
		end++;
		break;
	case 'm': case 'M':
		mult = 1ull << 20;
		end++;
		break;
	case 'g': case 'G':
		mult = 1ull << 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end == 'i' || *end == 'B')
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end || v > (~0ull) / mult)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

static void add_operand(char *arg, char **pos, int maxpos, int *npos)
{
	if (*npos < maxpos)
		pos[*npos] = arg;
	++*npos;
}

/*
 * Options anywhere before "--", as git and perf take them.  GNU getopt
 * permutes the arguments only while POSIXLY_CORRECT is unset, so use its
 * '-' mode instead, which never stops at an operand and returns each one,
 * in order, as the argument of option 1.  "--" ends the options: what
 * follows it is operands.  Not for sonde record, whose command's arguments
 * are the command's.
 */
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts, char **pos, int maxpos,
	       int *npos)
{
	char spec[64];
	int c;

	if (snprintf(spec, sizeof(spec), "-%s", shortopts) >= (int)sizeof(spec)) {
		cli_error("internal error: option string '%s' too long",
			  shortopts);
		return '?';
	}
	while ((c = getopt_long(argc, argv, spec, longopts, NULL)) == 1)
		add_operand(optarg, pos, maxpos, npos);
	if (c != -1)
		return c;
	for (; optind < argc; optind++)
		add_operand(argv[optind], pos, maxpos, npos);
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("sonde %s\n", SONDE_VERSION_STRING);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s'; run 'sonde --help' for the list",
		  argv[1]);
	return 1;
}
