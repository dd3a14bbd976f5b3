// SPDX-License-Identifier: MIT
/* Event patterns: globs over "provider:name" selecting tracepoints by name. */
#include <fnmatch.h>
#include <string.h>

#include "registry.h"

/*
 * A pattern is "provider:name", each side a glob ('*'), or, as LTTng takes
 * them, a glob without a colon over the whole "provider:name" ("ust*",
 * "*tick", "*"): it must then have a '*', or it could match no event.
 */
int sonde__pattern_valid(const char *p)
{
	const char *colon = strchr(p, ':');

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
 * Whether @name is selected by @patterns: '\n'-separated globs, where a
 * line starting with '!' excludes what it matches.  A name is selected when
 * it matches some inclusion and no exclusion; "" selects everything.
 */
int sonde__pattern_match(const char *patterns, const char *name)
{
	char pat[256];
	const char *p = patterns, *nl;
	int in = 0;

	if (!*patterns)
		return 1;
	while (*p) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n < sizeof(pat)) {
			int excl = *p == '!';

			memcpy(pat, p + excl, n - (size_t)excl);
			pat[n - (size_t)excl] = 0;
			if (!fnmatch(pat, name, 0)) {
				if (excl)
					return 0;
				in = 1;
			}
		}
		p += n + (nl ? 1 : 0);
	}
	return in;
}
