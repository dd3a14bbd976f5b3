/* SPDX-License-Identifier: MIT */
/*
 * Commands of the session daemon, as the CLI sends them: the client's
 * working directory, the verb, its arguments.  Parsing is a pure function
 * of the strings (fuzzed by fuzz-proto); everything is checked here, so
 * the daemon acts only on well-formed commands.
 */
#ifndef SONDE_SRC_DAEMON_COMMAND_H
#define SONDE_SRC_DAEMON_COMMAND_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

#define SONDE__SESSION_NAME_MAX 64
#define SONDE__CMD_PATTERNS_MAX 64

enum sonde__verb {
	SONDE__CMD_CREATE = 1,
	SONDE__CMD_ENABLE,
	SONDE__CMD_DISABLE,
	SONDE__CMD_START,
	SONDE__CMD_STOP,
	SONDE__CMD_SNAPSHOT,
	SONDE__CMD_DESTROY,
	SONDE__CMD_SESSIONS,
	SONDE__CMD_LIST,
	SONDE__CMD_DAEMON_STOP,
};

/* Bytes of a kernel event filter, with its NUL, at most. */
#define SONDE__KFILTER_MAX 1024

struct sonde__cmd {
	enum sonde__verb verb;
	char session[SONDE__SESSION_NAME_MAX];
	char dir[PATH_MAX];   /* -o, made absolute; "" if not given */
	int overwrite;
	uint32_t subbuf_size; /* 0: default */
	uint32_t nsub;        /* 0: default */
	int64_t switch_ms;    /* -1: default */
	uint32_t npatterns;
	const char *patterns[SONDE__CMD_PATTERNS_MAX]; /* into the argv */
	int kernel;           /* enable -k: the patterns are kernel events */
	const char *filter;   /* enable -k --filter EXPR (into the argv) */
	char lsuffix[16];     /* enable --loglevel[-only]: "@N" or "@=N" */
	/* create --relay URL and its options (into the argv), or NULL. */
	const char *relay;
	const char *relay_session;  /* --relay-session (default: NAME) */
	const char *relay_hostname; /* --relay-hostname */
	int64_t live_ms;      /* --live-timer, -1: default */
	int relay_optional;   /* --relay-optional */
	const char *context;  /* create --context LIST (into the argv), checked */
};

/* Bytes of a --relay URL, with its NUL, at most. */
#define SONDE__RELAY_URL_MAX 256

/* Whether @name can name a session: [A-Za-z0-9_.-], 1 to 63 bytes, no
 * leading '.'. */
SONDE_HIDDEN int sonde__session_name_valid(const char *name);

/*
 * Parse @argc strings [cwd, verb, args...].  0, or -EINVAL with a sentence
 * for the user in @err.
 */
SONDE_HIDDEN int sonde__cmd_parse(uint32_t argc, const char *const *argv,
				  struct sonde__cmd *c, char *err, size_t n);

#endif
