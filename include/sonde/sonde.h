/* SPDX-License-Identifier: MIT */
/*
 * sonde: general definitions shared by the public headers.
 */
#ifndef SONDE_SONDE_H
#define SONDE_SONDE_H

#ifdef __cplusplus
extern "C" {
#endif

#define SONDE_VERSION_MAJOR 0
#define SONDE_VERSION_MINOR 1
#define SONDE_VERSION_PATCH 0
#define SONDE_VERSION_STRING "0.1.0"

/**
 * sonde_strerror() - describe a negative errno returned by a sonde function.
 * @err: a value returned by a sonde function (0 or a negative errno).
 *
 * Return: a static, NUL-terminated English message.
 * Context: any thread; async-signal-safe.
 */
__attribute__((visibility("default"))) const char *sonde_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* SONDE_SONDE_H */
