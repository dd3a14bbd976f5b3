// SPDX-License-Identifier: MIT
/* Parsing the daemon's commands (see command.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../instrumentation/registry.h"
#include "../sources/context.h"
#include "command.h"

static const struct {
	const char *name;
	enum sonde__verb verb;
} verbs[] = {
	{ "create", SONDE__CMD_CREATE },     { "enable", SONDE__CMD_ENABLE },
	{ "disable", SONDE__CMD_DISABLE },   { "start", SONDE__CMD_START },
	{ "stop", SONDE__CMD_STOP },         { "snapshot", SONDE__CMD_SNAPSHOT },
	{ "destroy", SONDE__CMD_DESTROY },   { "sessions", SONDE__CMD_SESSIONS },
	{ "list", SONDE__CMD_LIST },         { "daemon-stop", SONDE__CMD_DAEMON_STOP },
};

static int fail(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int sonde__session_name_valid(const char *name)
{
	size_t l = strlen(name);

	if (!l || l >= SONDE__SESSION_NAME_MAX || name[0] == '.')
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.'))
			return 0;
	return 1;
}

/* A kernel event pattern: SYSTEM:NAME or NAME, glob characters and
 * identifier characters only (tracefs.c matches it). */
static int kernel_pattern_ok(const char *p)
{
	size_t l = strlen(p);

	if (!l || l >= 256)
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_:*?[]-!/.", *p)))
			return 0;
	return 1;
}

/* A power of two in [lo, hi], with an optional k/M/G suffix. */
/* A timer period option: milliseconds from 0 to an hour.  0, or -1. */
static int parse_ms(const char *v, int64_t *out)
{
	char *end;
	long long ms;

	if (!v)
		return -1;
	errno = 0;
	ms = strtoll(v, &end, 10);
	if (errno || end == v || *end || ms < 0 || ms > 3600000)
		return -1;
	*out = ms;
	return 0;
}

static int parse_pow2(const char *s, uint64_t lo, uint64_t hi, uint32_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1ull << 10;
	else if (*end == 'm' || *end == 'M')
		mult = 1ull << 20;
	else if (*end == 'g' || *end == 'G')
		mult = 1ull << 30;
	if (mult > 1)
		end++;
	if (*end || v > hi / mult)
		return -1;
	v *= mult;
	if (v < lo || v > hi || (v & (v - 1)))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int set_dir(struct sonde__cmd *c, const char *cwd, const char *d,
		   char *err, size_t n)
{
	int k;

	if (!*d)
		return fail(err, n, "empty output directory");
	if (d[0] == '/')
		k = snprintf(c->dir, sizeof(c->dir), "%s", d);
	else
		k = snprintf(c->dir, sizeof(c->dir), "%s/%s", cwd, d);
	if (k < 0 || (size_t)k >= sizeof(c->dir) - 64)
		return fail(err, n, "output directory path too long");
	return 0;
}

int sonde__cmd_parse(uint32_t argc, const char *const *argv,
		     struct sonde__cmd *c, char *err, size_t n)
{
	const char *cwd;
	uint32_t i;

	memset(c, 0, sizeof(*c));
	c->switch_ms = -1;
	c->live_ms = -1;
	if (argc < 2)
		return fail(err, n, "empty command");
	cwd = argv[0];
	if (cwd[0] != '/')
		return fail(err, n, "the client's directory must be absolute");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return fail(err, n, "unknown command '%.64s'", argv[1]);
	c->verb = verbs[i].verb;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;

		if (c->verb == SONDE__CMD_CREATE && !c->session[0] &&
		    a[0] != '-') {
			if (!sonde__session_name_valid(a))
				return fail(err, n,
					    "invalid session name '%.64s' (letters, digits, '_', '-', '.'; at most 63)",
					    a);
			snprintf(c->session, sizeof(c->session), "%s", a);
			continue;
		}
		if (!strcmp(a, "-s") || !strcmp(a, "--session")) {
			if (!v || !sonde__session_name_valid(v))
				return fail(err, n,
					    "%s needs a session name", a);
			snprintf(c->session, sizeof(c->session), "%s", v);
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (!v)
				return fail(err, n, "%s needs a directory", a);
			if (c->verb != SONDE__CMD_CREATE &&
			    c->verb != SONDE__CMD_SNAPSHOT)
				return fail(err, n, "%s is for create and snapshot", a);
			if (set_dir(c, cwd, v, err, n))
				return -EINVAL;
		} else if (!strcmp(a, "--overwrite") &&
			   c->verb == SONDE__CMD_CREATE) {
			c->overwrite = 1;
			takes = 0;
		} else if (!strcmp(a, "--subbuf-size") &&
			   c->verb == SONDE__CMD_CREATE) {
			if (!v || parse_pow2(v, 4096, 1u << 30, &c->subbuf_size))
				return fail(err, n,
					    "--subbuf-size needs a power of two from 4k to 1G");
		} else if (!strcmp(a, "--num-subbuf") &&
			   c->verb == SONDE__CMD_CREATE) {
			if (!v || parse_pow2(v, 2, 65536, &c->nsub))
				return fail(err, n,
					    "--num-subbuf needs a power of two from 2 to 65536");
		} else if (!strcmp(a, "--switch-timer") &&
			   c->verb == SONDE__CMD_CREATE) {
			if (parse_ms(v, &c->switch_ms))
				return fail(err, n,
					    "--switch-timer needs milliseconds from 0 (off) to 3600000");
		} else if (!strcmp(a, "--relay") &&
			   c->verb == SONDE__CMD_CREATE) {
			if (!v || strncmp(v, "net://", 6) ||
			    strlen(v) >= SONDE__RELAY_URL_MAX)
				return fail(err, n,
					    "--relay needs a URL net://HOST[:CTRL[:DATA]] of at most %d bytes",
					    SONDE__RELAY_URL_MAX - 1);
			c->relay = v;
		} else if ((!strcmp(a, "--relay-session") ||
			    !strcmp(a, "--relay-hostname")) &&
			   c->verb == SONDE__CMD_CREATE) {
			if (!v || !sonde__session_name_valid(v))
				return fail(err, n,
					    "%s needs a name (letters, digits, '_', '-', '.'; at most 63)",
					    a);
			if (a[8] == 's')
				c->relay_session = v;
			else
				c->relay_hostname = v;
		} else if (!strcmp(a, "--live-timer") &&
			   c->verb == SONDE__CMD_CREATE) {
			if (parse_ms(v, &c->live_ms))
				return fail(err, n,
					    "--live-timer needs milliseconds from 0 (not live) to 3600000");
		} else if (!strcmp(a, "--relay-optional") &&
			   c->verb == SONDE__CMD_CREATE) {
			c->relay_optional = 1;
			takes = 0;
		} else if (!strcmp(a, "--context") &&
			   c->verb == SONDE__CMD_CREATE) {
			struct sonde__ctx_spec cs;
			char why[160];

			if (!v || c->context)
				return fail(err, n, "--context needs one LIST (vpid, vtid, procname, ip)");
			if (strlen(v) >= SONDE__CTX_LIST_MAX)
				return fail(err, n, "--context LIST of at most %d bytes",
					    SONDE__CTX_LIST_MAX - 1);
			if (sonde__ctx_parse(v, &cs, why, sizeof(why)))
				return fail(err, n, "bad --context '%.64s': %s", v,
					    why);
			c->context = v;
		} else if ((!strcmp(a, "-k") || !strcmp(a, "--kernel")) &&
			   (c->verb == SONDE__CMD_ENABLE ||
			    c->verb == SONDE__CMD_DISABLE)) {
			c->kernel = 1;
			takes = 0;
		} else if (!strcmp(a, "--filter") &&
			   c->verb == SONDE__CMD_ENABLE) {
			if (!v || !*v || strlen(v) >= SONDE__KFILTER_MAX)
				return fail(err, n,
					    "--filter needs an expression of at most %d bytes",
					    SONDE__KFILTER_MAX - 1);
			c->filter = v;
		} else if ((!strcmp(a, "--loglevel") ||
			    !strcmp(a, "--loglevel-only")) &&
			   c->verb == SONDE__CMD_ENABLE) {
			int l = v ? sonde__loglevel_parse(v) : -EINVAL;

			if (l < 0 || c->lsuffix[0])
				return fail(err, n,
					    "%s needs one log level: EMERG..DEBUG or 0..14",
					    a);
			snprintf(c->lsuffix, sizeof(c->lsuffix), "@%s%d",
				 a[10] ? "=" : "", l);
		} else if (a[0] == '-' && strcmp(a, "*")) {
			return fail(err, n, "unknown option '%.64s' for %s", a,
				    argv[1]);
		} else if (c->verb == SONDE__CMD_ENABLE ||
			   c->verb == SONDE__CMD_DISABLE) {
			if (c->kernel ? !kernel_pattern_ok(a)
				      : !sonde__pattern_valid(a))
				return fail(err, n,
					    c->kernel ? "invalid kernel event '%.200s' (SYSTEM:NAME, '*' as wildcard)"
						      : "invalid event pattern '%.200s' (provider:name, '*' as wildcard, or a glob with a '*' over the whole name)",
					    a);
			if (c->npatterns == SONDE__CMD_PATTERNS_MAX)
				return fail(err, n, "too many patterns");
			c->patterns[c->npatterns++] = a;
			takes = 0;
		} else {
			return fail(err, n, "unexpected argument '%.64s' for %s",
				    a, argv[1]);
		}
		i += (uint32_t)takes;
	}

	switch (c->verb) {
	case SONDE__CMD_SESSIONS:
	case SONDE__CMD_LIST:
	case SONDE__CMD_DAEMON_STOP:
		if (c->session[0])
			return fail(err, n, "%s takes no session", argv[1]);
		break;
	case SONDE__CMD_CREATE:
		if (!c->session[0])
			return fail(err, n,
				    "create needs a session name: sonde create NAME [options]");
		if (!c->relay && (c->relay_session || c->relay_hostname ||
				  c->live_ms >= 0 || c->relay_optional))
			return fail(err, n,
				    "--relay-session, --relay-hostname, --live-timer and --relay-optional go with --relay URL");
		if (c->relay && c->overwrite)
			return fail(err, n,
				    "--overwrite keeps the latest events for a snapshot; it cannot stream to a relay");
		if (c->relay_optional && !c->dir[0])
			return fail(err, n,
				    "--relay-optional needs -o DIR: where the trace goes while the relay is away");
		break;
	case SONDE__CMD_ENABLE:
	case SONDE__CMD_DISABLE:
		if (c->filter && !c->kernel) {
			struct sonde__fexpr *fe;
			char why[256];
			int r;

			if (c->verb == SONDE__CMD_DISABLE)
				return fail(err, n, "--filter goes with enable");
			r = sonde__filter_parse(c->filter, &fe, why, sizeof(why));
			if (r)
				return fail(err, n, "bad --filter '%.200s': %s",
					    c->filter,
					    r == -ENOMEM ? "no memory" : why);
			sonde__filter_expr_free(fe);
			if (strpbrk(c->filter, "\n\t"))
				return fail(err, n,
					    "a --filter is one line, without tabs");
		}
		if (c->lsuffix[0] && c->kernel)
			return fail(err, n, "--loglevel goes with user-space events, not -k");
		for (uint32_t k = 0; c->lsuffix[0] && k < c->npatterns; k++)
			if (strchr(c->patterns[k], '@'))
				return fail(err, n,
					    "--loglevel goes with patterns without their own @LEVEL");
		if (c->kernel && c->verb == SONDE__CMD_DISABLE)
			return fail(err, n,
				    "kernel events cannot be disabled in a session: they are recorded from its first start with them until it is destroyed");
		if (!c->npatterns)
			return fail(err, n, "%s needs at least one event pattern",
				    argv[1]);
		/* fall through */
	default:
		if (!c->session[0])
			return fail(err, n, "%s needs a session (-s NAME)",
				    argv[1]);
	}
	return 0;
}
