/* SPDX-License-Identifier: MIT */
/*
 * `sonde hw decode`: an OpenCSD snapshot directory read back
 * (snapini.c) and its trace decoded through libopencsd's C API
 * (decode.c).  Both are compiled into the sonde tool only, never into
 * libsonde, which must not depend on libopencsd.
 */
#ifndef SONDE_SRC_HWTRACE_DECODE_H
#define SONDE_SRC_HWTRACE_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SS_FILE_MAX (1u << 20)  /* an ini file read whole */
#define SS_LINE_MAX 1024        /* one ini line */
#define SS_STR_MAX 128          /* a name, a file name, a value kept */
#define SS_DEV_MAX 64           /* devices in snapshot.ini */
#define SS_REG_MAX 64           /* registers of one device */
#define SS_DUMP_MAX 16          /* memory images of one core */
#define SS_BUF_MAX 16           /* trace buffers in trace.ini */
#define SS_MAP_MAX 64           /* source->buffer and core->source pairs */

struct ss_reg {
	char name[SS_STR_MAX]; /* "TRCIDR0", the "(id:0x78)" cut off */
	uint32_t value;
};

struct ss_dump {
	char section[SS_STR_MAX];
	char file[SS_STR_MAX];
	char space[SS_STR_MAX];
	uint64_t address, offset, length; /* length 0: to the end of the file */
	int has_address;
};

struct ss_device {
	char ini[SS_STR_MAX];   /* its file, as snapshot.ini names it */
	char name[SS_STR_MAX];
	char cls[SS_STR_MAX];   /* trace_source, core, ... */
	char type[SS_STR_MAX];  /* ETM4, ETE, Cortex-A57, ... */
	struct ss_reg regs[SS_REG_MAX];
	size_t nr_regs;
	struct ss_dump dumps[SS_DUMP_MAX];
	size_t nr_dumps;
};

struct ss_buffer {
	char id[SS_STR_MAX];   /* its section in trace.ini */
	char name[SS_STR_MAX];
	char file[SS_STR_MAX];
	char format[SS_STR_MAX];
	int listed;            /* named by [trace_buffers] buffers= */
};

struct ss_pair {
	char a[SS_STR_MAX], b[SS_STR_MAX];
};

struct ss_snapshot {
	char metadata[SS_STR_MAX]; /* trace.ini */
	struct ss_device dev[SS_DEV_MAX];
	size_t nr_dev;
	struct ss_buffer buf[SS_BUF_MAX];
	size_t nr_buf;
	char order[SS_BUF_MAX][SS_STR_MAX]; /* buffers=, in order */
	size_t nr_order;
	struct ss_pair src_buf[SS_MAP_MAX];  /* source = buffer name */
	size_t nr_src_buf;
	struct ss_pair core_src[SS_MAP_MAX]; /* core = source */
	size_t nr_core_src;
};

/*
 * Trust boundary: every file of a snapshot directory is data from
 * whoever wrote the directory.  The parsers below take any bytes: each
 * line, name and value is bounded, numbers are checked whole, file
 * names are single components (no '/', not "." or ".."), and nonsense is
 * an error with a sentence in @err, never a crash.
 */

/* snapshot.ini: [device_list] and [trace] metadata=.  0 or -EINVAL. */
int sonde__ss_parse_snapshot(struct ss_snapshot *s, const char *buf, size_t len,
			     char *err, size_t errlen);
/* One device's ini: [device], [regs], [dumpN].  0 or -EINVAL. */
int sonde__ss_parse_device(struct ss_device *d, const char *buf, size_t len,
			   char *err, size_t errlen);
/* trace.ini: [trace_buffers], the buffers, [source_buffers],
 * [core_trace_sources].  0 or -EINVAL. */
int sonde__ss_parse_trace(struct ss_snapshot *s, const char *buf, size_t len,
			  char *err, size_t errlen);
/* Read the snapshot of the directory @dirfd: snapshot.ini, its devices,
 * its trace metadata.  0, or a negative errno with a sentence in @err. */
int sonde__ss_load(int dirfd, struct ss_snapshot *s, char *err, size_t errlen);
/* A single file name, no path: 1 if @name is safe to open in the
 * snapshot's directory. */
int sonde__ss_name_ok(const char *name);
/* Lookups: NULL when absent. */
const struct ss_device *sonde__ss_device(const struct ss_snapshot *s, const char *name);
const char *sonde__ss_lookup(const struct ss_pair *p, size_t n, const char *b);

struct sonde_hw_decode_opts {
	const char *dir;    /* the snapshot directory */
	const char *buffer; /* the trace buffer's name=, NULL: the first listed */
	int raw;            /* every element, as libopencsd prints it */
	FILE *out;          /* one line per element */
	FILE *diag;         /* warnings, "sonde: " first */
};

/* Decode @o->dir.  0, or 1 after one line on @o->diag saying what failed. */
int sonde__hw_decode(const struct sonde_hw_decode_opts *o);

#endif
