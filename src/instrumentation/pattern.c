// SPDX-License-Identifier: MIT
/* Event patterns: globs over "provider:name" selecting tracepoints by name. */
#include <errno.h>
#include <fnmatch.h>
#include <strings.h>
#include <string.h>

#include <sonde/tracepoint.h>

#include "registry.h"

/*
 * A pattern is "provider:name", each side a glob ('*'), or, as LTTng takes
 * them, a glob without a colon over the whole "provider:name" ("ust*",
 * "*tick", "*"): it must then have a '*', or it could match no event.
 *
 * An inclusion may end with a log level condition, as `--loglevel` and
 * `--loglevel-only` write it: "@N" selects events of level N or more
 * severe (0..N), "@=N" events of level N only.  An event declared without
 * a level counts as SONDE_LOGLEVEL_DEBUG_LINE, as in LTTng.
 */

/* Parse "@N" or "@=N" at @s (0..14): 0 with *@lvl and *@only, or -1. */
static int level_parse(const char *s, size_t n, int *lvl, int *only)
{
	int v = 0;

	if (!n || *s != '@')
		return -1;
	s++;
	n--;
	*only = n && *s == '=';
	s += *only;
	n -= (size_t)*only;
	if (!n || n > 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > SONDE_LOGLEVEL_DEBUG)
		return -1;
	*lvl = v;
	return 0;
}

int sonde__pattern_valid(const char *p)
{
	const char *at = strchr(p, '@');
	char pat[256];
	const char *colon;
	size_t n = at ? (size_t)(at - p) : strlen(p);

	if (at) {
		int lvl, only;

		if (level_parse(at, strlen(at), &lvl, &only))
			return 0;
	}
	if (!n || n >= sizeof(pat))
		return 0;
	memcpy(pat, p, n);
	pat[n] = 0;
	p = pat;
	colon = strchr(p, ':');
	if (!strcmp(p, "*"))
		return 1;
	if (!colon) {
		if (!strchr(p, '*'))
			return 0;
	} else if (colon == p || !colon[1] || strchr(colon + 1, ':')) {
		return 0;
	}
	for (; *p; p++)
		if (!(*p == '_' || *p == '*' || *p == ':' ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

/*
 * What the '\n'-separated @patterns select for @name of level @loglevel
 * (-1: none given): a line starting with '!' excludes what it matches
 * (whatever the level); another line "GLOB[@LEVEL][\tFILTER]" includes
 * what its glob and level condition match, through its filter if it has
 * one.  "" selects everything, unfiltered.
 */
void sonde__pattern_select(const char *patterns, const char *name,
			   int loglevel, struct sonde__psel *sel)
{
	char pat[256];
	const char *p = patterns, *nl;

	memset(sel, 0, sizeof(*sel));
	if (loglevel < 0)
		loglevel = SONDE_LOGLEVEL_DEBUG_LINE;
	if (!*patterns) {
		sel->selected = sel->unfiltered = 1;
		return;
	}
	while (*p) {
		int excl = *p == '!', lvl = -1, only = 0;
		const char *tab, *at, *filter = NULL;
		size_t n, gn;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		tab = memchr(p, '\t', n);
		gn = (tab ? (size_t)(tab - p) : n) - (size_t)excl;
		if (tab && !excl)
			filter = tab + 1;
		if (gn >= sizeof(pat))
			goto next;
		memcpy(pat, p + excl, gn);
		pat[gn] = 0;
		at = strchr(pat, '@');
		if (at) {
			if (excl || level_parse(at, strlen(at), &lvl, &only))
				goto next; /* not ours: matches nothing */
			pat[at - pat] = 0;
		}
		if (fnmatch(pat, name, 0))
			goto next;
		if (excl) {
			memset(sel, 0, sizeof(*sel));
			return;
		}
		if (lvl >= 0 && (only ? loglevel != lvl : loglevel > lvl))
			goto next;
		sel->selected = 1;
		if (!filter || filter == p + n)
			sel->unfiltered = 1;
		else if (sel->nr_filters < SONDE__FILTERS_PER_EVENT)
			sel->filter[sel->nr_filters++] = filter;
		else
			sel->unfiltered = 1;
next:
		p += n + (nl ? 1 : 0);
	}
}

int sonde__pattern_match(const char *patterns, const char *name, int loglevel)
{
	struct sonde__psel sel;

	sonde__pattern_select(patterns, name, loglevel, &sel);
	return sel.selected;
}

static const char *const level_names[] = {
	"EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO",
	"DEBUG_SYSTEM", "DEBUG_PROGRAM", "DEBUG_PROCESS", "DEBUG_MODULE",
	"DEBUG_UNIT", "DEBUG_FUNCTION", "DEBUG_LINE", "DEBUG",
};

/*
 * A log level as LTTng users write it: a name (EMERG ... DEBUG, any case,
 * with or without LTTng's "TRACE_" prefix) or a number from 0 to 14.
 */
int sonde__loglevel_parse(const char *s)
{
	if (s[0] >= '0' && s[0] <= '9') {
		int v = 0;

		for (const char *q = s; *q; q++) {
			if (*q < '0' || *q > '9' || q - s > 1)
				return -EINVAL;
			v = v * 10 + (*q - '0');
		}
		return v <= SONDE_LOGLEVEL_DEBUG ? v : -EINVAL;
	}
	if (!strncasecmp(s, "TRACE_", 6))
		s += 6;
	for (int i = 0; i <= SONDE_LOGLEVEL_DEBUG; i++)
		if (!strcasecmp(s, level_names[i]))
			return i;
	return -EINVAL;
}

const char *sonde__loglevel_name(int level)
{
	return level >= 0 && level <= SONDE_LOGLEVEL_DEBUG ? level_names[level]
							   : NULL;
}
