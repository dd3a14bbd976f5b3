/* SPDX-License-Identifier: MIT */
/*
 * Reader side: parse the CTF 1.8 metadata (TSDL) of a sonde trace into event
 * classes with a flat, table-driven field list.
 *
 * The parser tokenizes and parses the TSDL subset that src/writer/metadata.c
 * emits (typealias, trace, env, clock, struct, stream, event blocks; integer,
 * floating_point, string, enum, variant, struct types; arrays and sequences),
 * then checks that the described binary layout is exactly sonde's:
 * byte-packed little-endian fields, sonde's packet header and context, and
 * the compact/extended event header.  Event payloads may also hold
 * big-endian integers (byte_order = be, LTTng's network byte order), text
 * arrays and sequences (8-bit integers of encoding UTF8 or ASCII) and
 * enumerations, which the reader decodes and prints as babeltrace2 does.
 * Anything else is rejected with a message that names the metadata line, or
 * says the trace is not a sonde trace.
 *
 * A trace has one or more stream classes (stream blocks, ids below
 * SONDE_RD_MAX_SCLASS), each with sonde's packet context and event header
 * and its own event classes: an event id is unique within its stream class
 * only, and id 0 of every class is sonde:thread.  A class's packet context
 * may add up to SONDE__PKT_CTX_EXTRA_MAX u64 fields after sonde's: its
 * records start after them.  A class may declare an event.context, which
 * then comes between every event header and payload: its fields are
 * taken as the first fields of each event class (nr_ctx).
 */
#ifndef SONDE_SRC_READER_METADATA_PARSE_H
#define SONDE_SRC_READER_METADATA_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <sonde/static/format.h>

#include "../common/common.h"

#define SONDE_RD_ERR_MAX 512

/* Error text of the reader layer: "FILE: offset N: what" or similar. */
struct sonde__rd_err {
	char msg[SONDE_RD_ERR_MAX];
};

SONDE_HIDDEN int sonde__rd_errf(struct sonde__rd_err *e, int err,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

enum sonde_rd_kind {
	SONDE_RD_INT = 1,  /* also an enumeration: see enm */
	SONDE_RD_FLOAT,
	SONDE_RD_STRING,
	SONDE_RD_ARRAY,    /* of integers: count elements of size bytes */
	SONDE_RD_SEQUENCE, /* of integers; length = the previous field */
};

/* Bounds on the enumerations of hostile metadata. */
#define SONDE_RD_ENUM_MAX 1024u       /* mappings (label = range) per enum */
#define SONDE_RD_ENUM_LABEL_MAX 255u  /* bytes of a label */

/* One range of an enumeration label, inclusive; int64_t values stored as
 * their bit patterns when the container is signed. */
struct sonde__rd_enum_range {
	uint64_t lo, hi;
};

/* A distinct label with its ranges: ranges[first .. first + nr_ranges). */
struct sonde__rd_enum_label {
	const char *label;  /* unescaped, NUL-terminated, owned by the enum */
	uint32_t label_len;
	uint32_t first, nr_ranges;
};

/*
 * The mappings of one enumeration type, shared by the fields of that type
 * and owned by the metadata.  The mappings of one label are merged into one
 * label, and labels are in the order of their first mapping in the TSDL: the
 * labels of a value are those with a range holding it, in this order, as
 * babeltrace2 lists them.
 */
struct sonde__rd_enum {
	struct sonde__rd_enum *next;  /* the metadata's list */
	uint32_t nr_labels, nr_ranges;
	struct sonde__rd_enum_label *labels;
	struct sonde__rd_enum_range *ranges;
};

struct sonde__rd_field {
	char *name;        /* leading underscore stripped, as babeltrace2 does;
			    * allocated with 32 readable bytes at least */
	uint32_t name_len;
	uint8_t kind;      /* enum sonde_rd_kind */
	uint8_t size;      /* bytes of the value or of one element: 1/2/4/8 */
	uint8_t is_signed;
	uint8_t base;      /* 2, 8, 10 or 16 */
	uint32_t count;    /* array elements */
	/* INT, ARRAY, SEQUENCE: the value (each element) is big-endian
	 * (byte_order = be, size > 1); read values with sonde__rd_field_load() */
	uint8_t big_endian;
	/* ARRAY, SEQUENCE: text, 8-bit integers of encoding UTF8 or ASCII
	 * (size 1): a string of count (length) bytes, up to its first NUL */
	uint8_t is_text;
	/* INT: an enumeration of this container, or NULL */
	const struct sonde__rd_enum *enm;
};

struct sonde__rd_class {
	uint32_t id;       /* within its stream class */
	uint32_t stream_id; /* its stream class */
	uint32_t index;    /* dense over all stream classes, 0 .. nr_classes - 1 */
	char *name;        /* allocated with 32 readable bytes at least */
	uint32_t name_len;
	uint32_t nr_fields;
	/* The first nr_ctx fields are the stream class's event.context
	 * (`sonde record --context`: vpid, vtid, procname), the rest the
	 * payload; both are decoded as one struct. */
	uint32_t nr_ctx;
	struct sonde__rd_field *fields;
	uint32_t fixed_size; /* payload bytes when !has_variable */
	int has_variable;    /* a string or a sequence */
	/* tracef's message format (env entry sonde_msgfmt_<stream>_<id>),
	 * checked against the fields, all scalars: its arguments are the
	 * fields from msg_arg0 on, in order; or NULL */
	char *msg_fmt;
	uint32_t msg_arg0;
};

/* Stream class ids are below this (a bound on hostile metadata). */
#define SONDE_RD_MAX_SCLASS 64u

struct sonde__rd_sclass {
	int declared;
	/* bytes of packet header and context before the first record:
	 * SONDE__PKT_HDR_SIZE_EXTRA(extra packet context fields) */
	uint32_t pkt_hdr_size;
	/* its event classes: by_id[id] (NULL for holes) */
	struct sonde__rd_class **by_id;
	uint32_t nr_ids;
};

struct sonde__rd_meta {
	uint8_t uuid[16];
	int has_uuid;
	/* clock */
	char *clock_name;
	uint64_t freq;
	int64_t offset_s;  /* normalized: offset < freq */
	uint64_t offset;
	/* env */
	char *hostname;
	char *procname;
	int64_t vpid;
	/* stream classes by id, nr_sclasses of them declared */
	struct sonde__rd_sclass sclass[SONDE_RD_MAX_SCLASS];
	uint32_t nr_sclasses;
	/* event classes of all stream classes: all[index] */
	struct sonde__rd_class **all;
	uint32_t nr_classes;
	/* the enumeration types of their fields */
	struct sonde__rd_enum *enums;
};

/* Stream class @id of @m, or NULL when it is not declared. */
static inline const struct sonde__rd_sclass *
sonde__rd_sclass_get(const struct sonde__rd_meta *m, uint64_t id)
{
	return id < SONDE_RD_MAX_SCLASS && m->sclass[id].declared
		       ? &m->sclass[id]
		       : NULL;
}

/* The record layout, defined once in include/sonde/static/format.h; the
 * reader's names for it. */
#define SONDE_RD_PKT_HDR SONDE__PKT_HDR_SIZE
#define SONDE_RD_CTF_MAGIC SONDE__CTF_MAGIC
#define SONDE_RD_ID_COMPACT_MAX SONDE__ID_COMPACT_MAX
#define SONDE_RD_ID_PAD SONDE__ID_PAD
#define SONDE_RD_ID_EXT SONDE__ID_EXT
#define SONDE_RD_THREAD_ID SONDE__THREAD_EVENT_ID
#define SONDE_RD_MAX_ID (1u << 24)

/*
 * Parse metadata text @text (@len bytes; need not be NUL-terminated).
 * @fname names the file in error messages.  Returns 0, or -errno with @err
 * filled (-EBADMSG for a malformed or non-sonde trace).
 */
SONDE_HIDDEN int sonde__rd_meta_parse(const char *text, size_t len,
				      const char *fname,
				      struct sonde__rd_meta *m,
				      struct sonde__rd_err *err);
SONDE_HIDDEN void sonde__rd_meta_free(struct sonde__rd_meta *m);

/* Clock cycles to nanoseconds since the epoch, as babeltrace2 computes it. */
SONDE_HIDDEN int64_t sonde__rd_ns(const struct sonde__rd_meta *m,
				  uint64_t cycles);

#endif
