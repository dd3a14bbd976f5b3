/* SPDX-License-Identifier: MIT */
/*
 * Trace model handed from the consumer to writers: event classes with their
 * fields, the clock, and trace-wide identification.
 */
#ifndef SONDE_SRC_WRITER_MODEL_H
#define SONDE_SRC_WRITER_MODEL_H

#include <stdint.h>
#include <stdio.h>

#include "../clock/clock.h"
#include "../common/common.h"

/* One label of an enumeration field: values start..end (the container's
 * bits, compared signed when the field is). */
struct sonde__enum_map {
	uint64_t start, end;
	char *label;
};

struct sonde__field_class {
	char *name;
	uint8_t kind; /* enum sonde_field_kind */
	uint8_t size;
	uint8_t is_signed;
	uint8_t base;
	uint8_t len_size;
	uint8_t len_signed;
	uint8_t flags; /* SONDE_FIELD_F_NETWORK, SONDE_FIELD_F_TEXT */
	uint32_t count;
	uint32_t nr_maps;            /* SONDE_FIELD_ENUM */
	struct sonde__enum_map *maps;
};

struct sonde__event_class {
	uint32_t id;
	uint32_t nr_fields;
	uint32_t loglevel1; /* enum sonde_loglevel + 1; 0: none given */
	char *name;
	struct sonde__field_class *fields;
	/* tracef's message format (printable or not; no NUL inside), written
	 * once into the metadata for readers to render msg; NULL: none */
	char *fmt;
	uint32_t fixed_size; /* payload bytes if every field is fixed, else 0 */
	int has_variable;    /* a string or a sequence */
	/* Its records' payload starts with the site's address, 8 bytes that
	 * are not among the fields: the ip variant of a user-space class
	 * (src/buffers/layout.h), whose source moves it into the event
	 * context before the trace sees the record.  Sizes above exclude it. */
	int ip;
};

/*
 * A stream class: its own id space of event classes (the thread record,
 * "sonde:thread", is id 0 of every class), the common event header, and
 * the common packet context (include/sonde/static/format.h) followed by
 * the class's @nr_ctx_extra u64 fields named @ctx_extra (identifiers, at
 * most SONDE__PKT_CTX_EXTRA_MAX, checked by sonde__trace_add_class()).
 */
struct sonde__stream_class_model {
	uint32_t id;
	struct sonde__event_class *const *events; /* by id, NULL for holes */
	uint32_t nr_events;
	const char *const *ctx_extra;
	uint32_t nr_ctx_extra;
	/* event.context: these fields after every event header (integers
	 * and strings), or none. */
	const struct sonde__field_class *ev_ctx;
	uint32_t nr_ev_ctx;
};

struct sonde__trace_model {
	uint8_t uuid[16];
	const struct sonde__clock *clock;
	const struct sonde__stream_class_model *classes;
	uint32_t nr_classes;
	const char *hostname;
	const char *procname; /* the recorded program's comm, or command */
	int64_t pid;          /* of the recorded command */
};

/* Write CTF 1.8 TSDL metadata for @m to @f.  Returns 0 or -errno. */
SONDE_HIDDEN int sonde__metadata_write(FILE *f,
				       const struct sonde__trace_model *m);
/*
 * Write only @m's event classes (the thread record aside) to @f, after an
 * env block with their message formats if any has one: what an
 * append-only metadata adds for event classes that appeared since it was
 * written (@m's classes list those only).  0 or -errno.
 */
SONDE_HIDDEN int sonde__metadata_write_events(FILE *f,
					      const struct sonde__trace_model *m);

#endif
