// SPDX-License-Identifier: MIT
/*
 * The printf format grammar of markers and tracef (printf.h): one
 * conversion specification at a time, with what it takes from a va_list
 * and how many bytes it is recorded in.  The writer records by it; the
 * reader renders a message by it, from a format read back from trace
 * metadata, so it is bounded (digits, conversions) and never reads past
 * the format's NUL.  Anything printf(3) would do something surprising or
 * unsafe with is refused: %n, positional arguments (%1$d), %m, wide
 * characters and strings, long double.
 */
#include <stdio.h>
#include <string.h>

#include "printf.h"

static const char flag_chars[] = "-+ #0'";

/* Digits at *@pp, at most SONDE__PF_WIDTH_MAX; -1 when larger. */
static int digits(const char **pp, uint32_t *out)
{
	const char *p = *pp;
	uint32_t v = 0;

	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (uint32_t)(*p - '0');
		if (v > SONDE__PF_WIDTH_MAX)
			return -1;
		p++;
	}
	*pp = p;
	*out = v;
	return 0;
}

const char *sonde__pf_parse(const char *p, struct sonde__pf_spec *s,
			    const char **why)
{
	const char *f;
	int len = 0; /* 0 none, 1 hh, 2 h, 3 l ll z j t */

	memset(s, 0, sizeof(*s));
	s->base = 10;
	while (*p && (f = strchr(flag_chars, *p))) {
		s->flags |= (uint8_t)(1u << (f - flag_chars));
		p++;
	}
	if (*p == '*') {
		s->width_star = 1;
		p++;
	} else if (digits(&p, &s->width)) {
		*why = "width too large";
		return NULL;
	}
	if (*p == '.') {
		p++;
		s->has_prec = 1;
		if (*p == '*') {
			s->prec_star = 1;
			p++;
		} else if (digits(&p, &s->prec)) {
			*why = "precision too large";
			return NULL;
		}
	}
	if (p[0] == 'h' && p[1] == 'h') {
		len = 1;
		p += 2;
	} else if (*p == 'h') {
		len = 2;
		p++;
	} else if (p[0] == 'l' && p[1] == 'l') {
		len = 3;
		p += 2;
	} else if (*p && strchr("lzjt", *p)) {
		len = 3;
		p++;
	}
	s->conv = *p;
	switch (*p) {
	case 'd':
	case 'i':
	case 'u':
	case 'x':
	case 'X':
	case 'o':
	case 'c':
		if (*p == 'c' && len) {
			*why = "wide characters not supported";
			return NULL;
		}
		s->is_signed = *p == 'd' || *p == 'i';
		s->base = *p == 'x' || *p == 'X' ? 16 : *p == 'o' ? 8 : 10;
		s->size = *p == 'c' ? 1 : len == 1 ? 1 : len == 2 ? 2
			: len == 3 ? 8 : 4;
		s->arg = len == 3 ? (s->is_signed ? SONDE__PF_LONG : SONDE__PF_ULONG)
				  : (s->is_signed ? SONDE__PF_INT : SONDE__PF_UINT);
		break;
	case 'f':
	case 'F':
	case 'e':
	case 'E':
	case 'g':
	case 'G':
	case 'a':
	case 'A':
		if (len && len != 3) {
			*why = "bad length modifier for a double";
			return NULL;
		}
		s->arg = SONDE__PF_DOUBLE;
		s->size = 8;
		s->is_signed = 1;
		break;
	case 's':
		if (len) {
			*why = "wide strings not supported";
			return NULL;
		}
		s->arg = SONDE__PF_STRING;
		s->size = 1;
		break;
	case 'p':
		if (len) {
			*why = "bad length modifier for a pointer";
			return NULL;
		}
		s->arg = SONDE__PF_POINTER;
		s->size = 8;
		s->base = 16;
		break;
	case 'n':
		*why = "%n is not allowed";
		return NULL;
	case 0:
		*why = "conversion missing";
		return NULL;
	default:
		*why = "unknown conversion";
		return NULL;
	}
	return p + 1;
}

void sonde__pf_spec_text(const struct sonde__pf_spec *s, int width, int prec,
			 char out[48])
{
	size_t n = 0;

	out[n++] = '%';
	for (unsigned int i = 0; i < sizeof(flag_chars) - 1; i++)
		if (s->flags & (1u << i))
			out[n++] = flag_chars[i];
	if (width > 0)
		n += (size_t)snprintf(out + n, 12, "%d", width);
	if (prec >= 0)
		n += (size_t)snprintf(out + n, 13, ".%d", prec);
	if (s->arg != SONDE__PF_DOUBLE && s->arg != SONDE__PF_STRING &&
	    s->arg != SONDE__PF_POINTER && s->conv != 'c') {
		out[n++] = 'l';
		out[n++] = 'l';
	}
	out[n++] = s->conv;
	out[n] = 0;
}
