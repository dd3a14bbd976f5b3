// SPDX-License-Identifier: MIT
/*
 * sonde list -k [PATTERN...]: the kernel trace events that `sonde record
 * -k` can record, with their fields, straight from tracefs; no daemon.
 *
 * PATTERN is what record's -k takes (SYSTEM:NAME, each part a glob, or
 * NAME alone; commas separate several), default every event.  tracefs is
 * found, and each matching event's format parsed by libtraceevent, by
 * tracefs.c, as for recording, so that what is listed is what record
 * accepts, with the types it will decode.  Output, sorted by system then
 * name: the event at column 0, then one line, indented by four spaces,
 * of its own fields as the format declares them (the common_* fields
 * every event has are left out):
 *
 *	irq:irq_handler_entry
 *	    int irq; __data_loc char[] name;
 *
 * An event whose format libtraceevent cannot parse is named on standard
 * error and left out; the others are still listed, and the exit status
 * is 1.
 *
 * Trust: tracefs is the kernel's, or a fixture tree named by
 * $SONDE_TRACEFS (tracefs.c reads it, bounded); patterns are the user's.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <tracefs.h>

#include "../../src/sources/tracefs.h"
#include "cmd.h"

/* Events listed, at most: a kernel has about 2,000 to 3,000. */
#define MAX_EVENTS 65536u
/* Patterns (after splitting at commas), at most. */
#define MAX_PATTERNS 64

static const char usage_text[] =
	"usage: sonde list -k|--kernel [PATTERN[,...]]...\n"
	"  list the kernel trace events matching PATTERN (SYSTEM:NAME, each part\n"
	"  a glob, or NAME alone; default *:*) and their fields\n"
	"See man sonde-list.\n";

static int by_name(const void *a, const void *b)
{
	const struct sonde__tracefs_event *x = a, *y = b;
	int c = strcmp(x->system, y->system);

	return c ? c : strcmp(x->name, y->name);
}

/* The field as the format declares it: "char prev_comm[16]", "pid_t
 * pid", "__data_loc char[] name".  libtraceevent gives a fixed array's
 * type with its brackets ("char[16]"); they go after the name. */
static void put_field(FILE *f, const struct tep_format_field *fl)
{
	const char *t = fl->type, *br = strchr(t, '[');

	if (br && strncmp(t, "__data_loc", 10) && strncmp(t, "__rel_loc", 9)) {
		size_t n = (size_t)(br - t);

		while (n && t[n - 1] == ' ')
			n--;
		fprintf(f, " %.*s %s%s;", (int)n, t, fl->name, br);
	} else {
		fprintf(f, " %s %s;", t, fl->name);
	}
}

static void put_event(FILE *f, const struct sonde__tracefs_event *e)
{
	const struct tep_format_field *fl;
	int any = 0;

	fprintf(f, "%s:%s\n   ", e->system, e->name);
	for (fl = e->ev->format.fields; fl; fl = fl->next) {
		if (!strncmp(fl->name, "common_", 7))
			continue;
		put_field(f, fl);
		any = 1;
	}
	fputs(any ? "\n" : " (no fields)\n", f);
}

/* Whether sonde__tracefs_match() failed on a format it cannot parse. */
static int unparsable(int r, const char *why)
{
	return r == -EINVAL && !strncmp(why, "libtraceevent", 13);
}

/*
 * The events of system @sys matching @namep, one at a time: each whose
 * format cannot be parsed is said and counted in *@bad, the others are
 * added to @set.  0 or -errno (said).
 */
static int match_events(struct sonde__tracefs_set *set, const char *dir,
			const char *sys, const char *namep, int *bad)
{
	char **events = tracefs_system_events(dir, sys);
	char one[1024], why[1024];
	int r = 0;

	for (size_t j = 0; !r && events && events[j]; j++) {
		if (fnmatch(namep, events[j], 0) ||
		    snprintf(one, sizeof(one), "%s:%s", sys, events[j]) >=
			    (int)sizeof(one))
			continue;
		why[0] = '\0';
		r = sonde__tracefs_match(set, dir, one, MAX_EVENTS, why,
					 sizeof(why));
		if (unparsable(r, why)) {
			cli_error("%s; %s left out", why, one);
			++*bad;
			r = 0;
		} else if (r) {
			cli_error("%s", why[0] ? why : strerror(-r));
		}
	}
	tracefs_list_free(events);
	return r;
}

/*
 * @pattern again, after sonde__tracefs_match() met a format it cannot
 * parse: system by system, and event by event in a system where that
 * happens (matching each event alone lists every system again: seconds
 * for a whole kernel).  The pattern has passed sonde__tracefs_match()'s
 * checks (length, one separator).  0 or -errno (said).
 */
static int match_each(struct sonde__tracefs_set *set, const char *dir,
		      const char *pattern, int *bad)
{
	char sysp[256] = "*", namep[256], one[1024], why[1024];
	const char *sep = strpbrk(pattern, ":/");
	char **systems;
	int r = 0;

	if (sep) {
		snprintf(sysp, sizeof(sysp), "%.*s", (int)(sep - pattern),
			 pattern);
		snprintf(namep, sizeof(namep), "%s", sep + 1);
	} else {
		snprintf(namep, sizeof(namep), "%s", pattern);
	}
	systems = tracefs_event_systems(dir);
	if (!systems) {
		cli_error("cannot list the events of %s/events", dir);
		return -ENOENT;
	}
	for (size_t i = 0; !r && systems[i]; i++) {
		if (fnmatch(sysp, systems[i], 0) ||
		    snprintf(one, sizeof(one), "%s:%s", systems[i], namep) >=
			    (int)sizeof(one))
			continue;
		why[0] = '\0';
		r = sonde__tracefs_match(set, dir, one, MAX_EVENTS, why,
					 sizeof(why));
		if (r == -ENOENT && !strncmp(why, "no kernel event", 15))
			r = 0;
		else if (unparsable(r, why))
			r = match_events(set, dir, systems[i], namep, bad);
		else if (r)
			cli_error("%s", why[0] ? why : strerror(-r));
	}
	tracefs_list_free(systems);
	return r;
}

/* Add the events of one pattern to @set.  0, or 1 after saying why. */
static int add_pattern(struct sonde__tracefs_set *set, const char *dir,
		       const char *pattern, int *bad)
{
	char why[1024] = "";
	int r;

	r = sonde__tracefs_match(set, dir, pattern, MAX_EVENTS, why,
				 sizeof(why));
	if (r == -ENOENT && !strncmp(why, "no kernel event", 15))
		return cli_error("no kernel event matches '%s' in %s/events",
				 pattern, dir);
	/* A format libtraceevent cannot parse: list the others. */
	if (unparsable(r, why))
		return match_each(set, dir, pattern, bad) ? 1 : 0;
	if (r)
		return cli_error("%s", why[0] ? why : strerror(-r));
	return 0;
}

int cli_list_kernel(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sonde__tracefs_set set = { 0 };
	char *pos[MAX_PATTERNS], *pat[MAX_PATTERNS], *save, *tok;
	char dir[4096], why[1024] = "";
	int npos = 0, npat = 0, bad = 0, c, r;

	opterr = 0;
	optind = 1;
	while ((c = cli_getopt(argc, argv, "kh", opts, pos, MAX_PATTERNS,
			       &npos)) != -1) {
		switch (c) {
		case 'k':
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (optopt)
				return cli_error("unknown option '-%c'; sonde list -k --help shows the usage",
						 optopt);
			return cli_error("unknown option '%s'; sonde list -k --help shows the usage",
					 argv[optind - 1]);
		}
	}
	if (npos > MAX_PATTERNS)
		return cli_error("too many patterns (at most %d)",
				 MAX_PATTERNS);
	/* Commas separate patterns, as in record's -k. */
	for (int i = 0; i < npos; i++)
		for (tok = strtok_r(pos[i], ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (npat == MAX_PATTERNS)
				return cli_error("too many patterns (at most %d)",
						 MAX_PATTERNS);
			pat[npat++] = tok;
		}
	if (npos && !npat)
		return cli_error("empty kernel event pattern: give SYSTEM:NAME, as sched:sched_switch or irq:*");
	if (!npat)
		pat[npat++] = "*:*";
	r = sonde__tracefs_find(dir, sizeof(dir), why, sizeof(why));
	if (r)
		return cli_error("%s", why[0] ? why : strerror(-r));
	for (int i = 0; i < npat; i++)
		if (add_pattern(&set, dir, pat[i], &bad)) {
			sonde__tracefs_set_free(&set);
			return 1;
		}
	if (set.n)
		qsort(set.ev, set.n, sizeof(*set.ev), by_name);
	for (size_t i = 0; i < set.n; i++)
		put_event(stdout, &set.ev[i]);
	sonde__tracefs_set_free(&set);
	if (fflush(stdout) || ferror(stdout))
		return cli_error("cannot write the list: %s", strerror(errno));
	return bad ? 1 : 0;
}
