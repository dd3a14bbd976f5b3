/* SPDX-License-Identifier: MIT */
/*
 * The printf format grammar of markers and tracef, shared by the writer
 * (src/instrumentation/marker.c, which records by it) and the reader
 * (src/reader/, which renders a tracef message by it from a format read
 * in trace metadata, that is from a file anyone may have written).
 */
#ifndef SONDE_SRC_INSTRUMENTATION_PRINTF_H
#define SONDE_SRC_INSTRUMENTATION_PRINTF_H

#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

/* Bounds: conversions of one format, digits of a width or precision. */
#define SONDE__PF_CONV_MAX 32u
#define SONDE__PF_WIDTH_MAX 4096u
/* Bytes of a format, its NUL included (the registry's and the reader's). */
#define SONDE__PF_FMT_MAX 4096u

/* What a conversion takes from the va_list. */
enum sonde__pf_arg {
	SONDE__PF_INT = 1, /* int (hh, h, none), stored in size bytes */
	SONDE__PF_UINT,
	SONDE__PF_LONG,    /* long, long long, intmax_t, ssize_t, ptrdiff_t */
	SONDE__PF_ULONG,
	SONDE__PF_DOUBLE,
	SONDE__PF_STRING,
	SONDE__PF_POINTER,
};

/* sonde__pf_spec.flags */
#define SONDE__PF_F_MINUS 1u
#define SONDE__PF_F_PLUS 2u
#define SONDE__PF_F_SPACE 4u
#define SONDE__PF_F_HASH 8u
#define SONDE__PF_F_ZERO 16u
#define SONDE__PF_F_QUOTE 32u

/* One conversion specification, "%[flags][width][.prec][len]conv". */
struct sonde__pf_spec {
	uint8_t flags;      /* SONDE__PF_F_* */
	uint8_t width_star; /* width is '*': an int argument before the value */
	uint8_t prec_star;  /* precision is '*': an int argument, after it */
	uint8_t has_prec;
	uint32_t width;     /* digits given, at most SONDE__PF_WIDTH_MAX */
	uint32_t prec;
	char conv;          /* d i u x X o c s p f F e E g G a A */
	uint8_t arg;        /* enum sonde__pf_arg */
	uint8_t size;       /* bytes of the value as recorded (8 for strings'
			     * pointer: unused) */
	uint8_t is_signed;
	uint8_t base;       /* 10, 16 or 8 */
};

/*
 * Parse the conversion specification at @p, just after a '%' that does not
 * start "%%".  Returns the character after it, or NULL with a reason in
 * *@why: %n, an unknown conversion (positional arguments, %m, wide and
 * long double ones included), a missing conversion, a width or precision
 * over SONDE__PF_WIDTH_MAX.  Reads no further than the string's NUL.
 */
SONDE_HIDDEN const char *sonde__pf_parse(const char *p,
					 struct sonde__pf_spec *s,
					 const char **why);

/*
 * A printf format for @s alone, the value passed as long long (integers),
 * unsigned long long, double, const char *, void * or int (%c): width and
 * precision written as digits (@width, @prec: the spec's or the '*'
 * arguments; @prec < 0: none), flags once each.  @out holds 48 bytes.
 */
SONDE_HIDDEN void sonde__pf_spec_text(const struct sonde__pf_spec *s,
				      int width, int prec, char out[48]);

#endif
