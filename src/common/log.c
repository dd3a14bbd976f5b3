// SPDX-License-Identifier: MIT
/*
 * Logging for libsonde and its tools: off unless SONDE_LOG_LEVEL asks for
 * it, one line per message on stderr ("sonde: <sentence> name=value..."),
 * and sonde_strerror().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sonde/sonde.h>

#include "common.h"

static int log_level = -1;

int sonde__log_level(void)
{
	int level = __atomic_load_n(&log_level, __ATOMIC_RELAXED);
	const char *env;

	if (level >= 0)
		return level;
	/* secure_getenv(): a setuid program does not log at its user's word. */
	env = secure_getenv("SONDE_LOG_LEVEL");
	level = SONDE_LOG_NONE;
	if (env) {
		static const char *const names[] = { "none", "error", "warn",
						     "info", "debug" };
		for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcasecmp(env, names[i]))
				level = (int)i;
		if (env[0] >= '0' && env[0] <= '4' && !env[1])
			level = env[0] - '0';
	}
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
	return level;
}

void sonde__log(int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	(void)level;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	fputs("sonde: ", stderr);
	fwrite(buf, 1, (size_t)n, stderr);
}

const char *sonde_strerror(int err)
{
	switch (err) {
	case 0:
		return "Success";
	case -EINVAL:
		return "Invalid argument";
	case -ENOMEM:
		return "Out of memory";
	case -ENOSPC:
		return "No space left (buffer or device full)";
	case -EAGAIN:
		return "Resource temporarily unavailable";
	case -ENOENT:
		return "No such file, event or session";
	case -EEXIST:
		return "Already exists";
	case -EPROTO:
		return "Malformed data";
	case -EBADMSG:
		return "Corrupt or truncated trace data";
	case -E2BIG:
		return "Too large";
	case -ENOSYS:
		return "Not supported on this system";
	default:
		return "Unknown error";
	}
}
