// SPDX-License-Identifier: MIT
/*
 * Kernel trace event records as CTF (kdecode.h).
 *
 * A record's raw data is the tracepoint's entry, laid out as its tracefs
 * format says: libtraceevent gives each field's C type, offset, size,
 * element size and flags.  Each field becomes a typed CTF field:
 *   - integers of 1, 2, 4, 8 bytes, with the format's signedness (hex
 *     when a pointer);
 *   - char[N] and __data_loc char[] as strings (up to the first NUL,
 *     within the field);
 *   - other fixed arrays as CTF arrays, __data_loc arrays as sequences
 *     (u32 length, elements);
 *   - anything else (odd sizes, arrays of structs) as bytes (u8, hex);
 *   - a path argument of a syscall (SONDE__K_USTR, chosen by kernel.c) as
 *     the string the caller captured, its address left out.
 * A dynamic field's location is a u32, offset in the low half and length
 * in the high half (__rel_loc: the offset counts from the end of the
 * field); it is bounded by the raw data, as is every fixed field: a
 * record whose fields do not fit is refused whole (-1), never read past.
 * The raw data comes from the kernel, but the decoder assumes nothing of
 * it (tests/fuzz/fuzz-kdecode.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <sonde/tracepoint.h>

#include "kdecode.h"

static int pow2_size(unsigned int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

/* The CTF field @fc and the decoding @kf of tracefs field @f. */
int sonde__kdecode_field(const struct tep_format_field *f,
			 struct sonde__field_class *fc,
			 struct sonde__kfield *kf)
{
	unsigned long fl = f->flags;
	unsigned int size = f->size > 0 ? (unsigned int)f->size : 0;
	unsigned int elem = f->elementsize;

	memset(fc, 0, sizeof(*fc));
	memset(kf, 0, sizeof(*kf));
	fc->name = strdup(f->name);
	if (!fc->name)
		return -ENOMEM;
	fc->base = 10;
	kf->off = f->offset > 0 ? (uint32_t)f->offset : 0;
	kf->size = size;
	kf->rel = !!(fl & TEP_FIELD_IS_RELATIVE);
	if (fl & TEP_FIELD_IS_DYNAMIC) {
		if (size != 4)
			return -EINVAL; /* a location is a u32 */
		if (fl & TEP_FIELD_IS_STRING || strstr(f->type, "char")) {
			kf->kind = SONDE__K_DSTR;
			fc->kind = SONDE_FIELD_STRING;
			return 0;
		}
		kf->kind = SONDE__K_DSEQ;
		fc->kind = SONDE_FIELD_SEQUENCE;
		fc->len_size = 4;
		if (!pow2_size(elem))
			elem = 1;
		kf->elem = elem;
		fc->size = (uint8_t)elem;
		fc->is_signed = elem > 1 && (fl & TEP_FIELD_IS_SIGNED);
		fc->base = elem == 1 ? 16 : 10;
		return 0;
	}
	if (fl & TEP_FIELD_IS_ARRAY) {
		if ((fl & TEP_FIELD_IS_STRING) || strstr(f->type, "char ") == f->type ||
		    !strncmp(f->type, "char[", 5) ||
		    !strncmp(f->type, "unsigned char", 13)) {
			/* char name[N]: a string; unsigned char x[N] too
			 * only when the format says string */
			if ((fl & TEP_FIELD_IS_STRING) ||
			    strncmp(f->type, "unsigned", 8)) {
				kf->kind = SONDE__K_STR;
				fc->kind = SONDE_FIELD_STRING;
				return 0;
			}
		}
		kf->kind = SONDE__K_ARRAY;
		fc->kind = SONDE_FIELD_ARRAY;
		if (!pow2_size(elem) || !f->arraylen ||
		    (uint64_t)elem * f->arraylen != size) {
			elem = 1;
			fc->count = size;
		} else {
			fc->count = f->arraylen;
		}
		fc->size = (uint8_t)elem;
		fc->is_signed = elem > 1 && (fl & TEP_FIELD_IS_SIGNED);
		fc->base = elem == 1 && !(fl & TEP_FIELD_IS_SIGNED) ? 16 : 10;
		return 0;
	}
	if (pow2_size(size)) {
		kf->kind = SONDE__K_INT;
		fc->kind = SONDE_FIELD_INTEGER;
		fc->size = (uint8_t)size;
		fc->is_signed = !!(fl & TEP_FIELD_IS_SIGNED);
		if ((fl & TEP_FIELD_IS_POINTER) || strchr(f->type, '*'))
			fc->base = 16;
		return 0;
	}
	/* an odd size: its bytes */
	kf->kind = SONDE__K_ARRAY;
	fc->kind = SONDE_FIELD_ARRAY;
	fc->size = 1;
	fc->count = size;
	fc->base = 16;
	return 0;
}

int64_t sonde__kdecode(const struct sonde__kfield *kf, uint32_t nf,
		       const uint8_t *raw, uint32_t n, uint8_t *out, size_t cap,
		       const char *(*ustr)(void *ctx, uint32_t j), void *ctx)
{
	size_t o = 0;
	uint32_t j = 0;

	for (uint32_t i = 0; i < nf; i++) {
		const struct sonde__kfield *f = &kf[i];
		uint32_t loc, at, len;
		size_t sl;

		if ((uint64_t)f->off + f->size > n)
			return -1;
		switch (f->kind) {
		case SONDE__K_USTR: {
			const char *str = ustr ? ustr(ctx, j) : NULL;

			j++;
			if (!str)
				str = "";
			sl = strlen(str);
			if (o + sl + 1 > cap)
				return -1;
			memcpy(out + o, str, sl + 1);
			o += sl + 1;
			break;
		}
		case SONDE__K_INT:
		case SONDE__K_ARRAY:
			if (o + f->size > cap)
				return -1;
			memcpy(out + o, raw + f->off, f->size);
			o += f->size;
			break;
		case SONDE__K_STR:
			sl = strnlen((const char *)raw + f->off, f->size);
			if (o + sl + 1 > cap)
				return -1;
			memcpy(out + o, raw + f->off, sl);
			out[o + sl] = '\0';
			o += sl + 1;
			break;
		case SONDE__K_DSTR:
		case SONDE__K_DSEQ:
			memcpy(&loc, raw + f->off, 4);
			at = loc & 0xffffu;
			len = loc >> 16;
			if (f->rel)
				at += f->off + 4;
			if ((uint64_t)at + len > n)
				return -1;
			if (f->kind == SONDE__K_DSTR) {
				sl = strnlen((const char *)raw + at, len);
				if (o + sl + 1 > cap)
					return -1;
				memcpy(out + o, raw + at, sl);
				out[o + sl] = '\0';
				o += sl + 1;
			} else {
				uint32_t cnt = len / f->elem;

				if (o + 4 + (size_t)cnt * f->elem > cap)
					return -1;
				memcpy(out + o, &cnt, 4);
				memcpy(out + o + 4, raw + at,
				       (size_t)cnt * f->elem);
				o += 4 + (size_t)cnt * f->elem;
			}
			break;
		}
	}
	return (int64_t)o;
}
