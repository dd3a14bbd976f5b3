/* SPDX-License-Identifier: MIT */
/*
 * Decoding of kernel trace event records: a tracefs format's fields (as
 * libtraceevent parsed them) as typed CTF fields, and a record's raw data
 * as their payload.  Used by the kernel tracepoint source (kernel.c);
 * fuzzed by tests/fuzz/fuzz-kdecode.c.  See kdecode.c.
 */
#ifndef SONDE_SRC_SOURCES_KDECODE_H
#define SONDE_SRC_SOURCES_KDECODE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"
#include "../writer/model.h"

struct tep_format_field;

/* How a field of the raw data is written. */
enum sonde__kkind {
	SONDE__K_INT,    /* @size bytes as they are */
	SONDE__K_STR,    /* char[@size] up to its NUL */
	SONDE__K_DSTR,   /* __data_loc char[] */
	SONDE__K_ARRAY,  /* @size bytes (@count elements) */
	SONDE__K_DSEQ,   /* __data_loc array of @elem-byte elements */
	SONDE__K_USTR,   /* the user string at the address at @off (BPF) */
};

/* How one field is read from the raw data. */
struct sonde__kfield {
	uint8_t kind; /* enum sonde__kkind */
	uint8_t rel;  /* __rel_loc: the offset counts from the field's end */
	uint32_t off, size, elem;
};

/*
 * The CTF field @fc (its name strdup()ed: the caller frees it, also on
 * error) and the decoding @kf of tracefs field @f.  0, -ENOMEM, or
 * -EINVAL (a dynamic field whose location is not 4 bytes).
 */
SONDE_HIDDEN int sonde__kdecode_field(const struct tep_format_field *f,
				      struct sonde__field_class *fc,
				      struct sonde__kfield *kf);
/*
 * The CTF payload of raw data @raw (@n bytes) with fields @kf[@nf] into
 * @out (@cap bytes).  A SONDE__K_USTR field's string is @ustr(@ctx, j)
 * for the j-th such field (NULL or a NULL result: "").  Its length, or
 * -1 if a field lies outside the raw data or the payload would not fit.
 * Every read is bounded by @n, every write by @cap: @raw may be anything.
 */
SONDE_HIDDEN int64_t sonde__kdecode(const struct sonde__kfield *kf, uint32_t nf,
				    const uint8_t *raw, uint32_t n, uint8_t *out,
				    size_t cap,
				    const char *(*ustr)(void *ctx, uint32_t j),
				    void *ctx);

#endif
