/* SPDX-License-Identifier: MIT */
/*
 * Minimal TAP (Test Anything Protocol) helper for sonde's C tests.
 *
 *	tap_plan(3);                      // or tap_no_plan() + tap_done()
 *	tap_ok(x == 1, "x is %d", 1);
 *	tap_is_int(got, 42, "answer");
 *	tap_is_str(s, "abc", "name");
 *	tap_diag("note %d", n);            // "# note 1" on stdout
 *	return tap_done();                // 0 iff all passed and plan matched
 *
 * Output is line-buffered and flushed after each line, so a test killed
 * midway still shows what it got through.  Safe to use from one thread at a
 * time (serialize calls yourself in threaded tests).
 */
#ifndef SONDE_TESTS_TAP_H
#define SONDE_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap__planned = -1;
static int tap__run;
static int tap__failed;

static inline void tap_plan(int n)
{
	tap__planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void tap_no_plan(void)
{
	tap__planned = -1;
}

static inline void tap_vdiag(const char *fmt, va_list ap)
{
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static inline __attribute__((format(printf, 1, 2))) void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vdiag(fmt, ap);
	va_end(ap);
}

static inline int tap__vok(int cond, const char *fmt, va_list ap)
{
	tap__run++;
	if (!cond)
		tap__failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap__run);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

static inline __attribute__((format(printf, 2, 3))) int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap__vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

static inline __attribute__((format(printf, 3, 4))) int
tap_is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap__vok(got == want, fmt, ap);
	va_end(ap);
	if (!r)
		tap_diag("  got: %lld, expected: %lld", got, want);
	return r;
}

static inline __attribute__((format(printf, 3, 4))) int
tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap__vok(got && want && !strcmp(got, want), fmt, ap);
	va_end(ap);
	if (!r)
		tap_diag("  got: '%s', expected: '%s'", got ? got : "(null)",
			 want ? want : "(null)");
	return r;
}

/* Abort the whole test: "Bail out!" and exit status 2. */
static inline __attribute__((format(printf, 1, 2), noreturn)) void
tap_bail(const char *fmt, ...)
{
	va_list ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	exit(2);
}

/* Final status: 0 when every check passed and the plan (if any) was met. */
static inline int tap_done(void)
{
	if (tap__planned < 0) {
		printf("1..%d\n", tap__run);
	} else if (tap__run != tap__planned) {
		tap_diag("planned %d tests but ran %d", tap__planned, tap__run);
		fflush(stdout);
		return 1;
	}
	if (tap__failed)
		tap_diag("failed %d of %d tests", tap__failed, tap__run);
	fflush(stdout);
	return tap__failed ? 1 : 0;
}

#endif /* SONDE_TESTS_TAP_H */
