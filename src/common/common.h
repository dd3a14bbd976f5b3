/* SPDX-License-Identifier: MIT */
/* Helpers shared by every libsonde subsystem: logging, directories. */
#ifndef SONDE_SRC_COMMON_H
#define SONDE_SRC_COMMON_H

#include <stdarg.h>

#define SONDE_HIDDEN __attribute__((visibility("hidden")))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum sonde_log_level {
	SONDE_LOG_NONE = 0,
	SONDE_LOG_ERROR = 1,
	SONDE_LOG_WARN = 2,
	SONDE_LOG_INFO = 3,
	SONDE_LOG_DEBUG = 4,
};

/* Level from SONDE_LOG_LEVEL (0-4 or none/error/warn/info/debug); off by default. */
SONDE_HIDDEN int sonde__log_level(void);
SONDE_HIDDEN void sonde__log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* mkdir -p @dir (mode 0755); 0 or -errno. */
SONDE_HIDDEN int sonde__mkdirs(const char *dir);

#define sonde__logf(level, ...)                                                \
	do {                                                                   \
		if (sonde__log_level() >= (level))                             \
			sonde__log(level, __VA_ARGS__);                        \
	} while (0)

#endif
