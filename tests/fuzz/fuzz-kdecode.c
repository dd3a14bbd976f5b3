// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the kernel record decoder (src/sources/kdecode.c).  The
 * first input byte picks one of a few tracefs formats (parsed by
 * libtraceevent once, as the kernel source parses them): a real one
 * (sched:sched_switch), and made-up ones with every field shape the
 * decoder knows (__data_loc and __rel_loc strings and arrays, fixed
 * arrays, odd sizes, pointers, a syscall path field); the rest is the
 * record's raw data, which the decoder must bound whatever it says.
 * Checked: the payload's length never exceeds the room given, and the
 * payload parses back field by field to exactly that length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <sonde/tracepoint.h>

#include "kdecode.h"

/* <sonde/tracepoint.h> (the field kinds) registers a translation unit's
 * events with libsonde, which this target does not link: none here. */
#include "libsonde-stubs.h"

static const char *const formats[] = {
	"name: sched_switch\nID: 372\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
	"\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n"
	"\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n\n"
	"print fmt: \"prev_pid=%d\", REC->prev_pid\n",
	"name: dyn\nID: 900\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:__data_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc u32[] vals;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:__rel_loc char[] rel;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc u8[] raw;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\tfield:s16 arr[4];\toffset:24;\tsize:8;\tsigned:1;\n"
	"\tfield:u8 odd[3];\toffset:32;\tsize:3;\tsigned:0;\n"
	"\tfield:void * ptr;\toffset:40;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"%s\", __get_str(name)\n",
	"name: sys_enter_openat\nID: 782\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"dfd: 0x%08lx\", ((unsigned long)(REC->dfd))\n",
};
#define NFMT (sizeof(formats) / sizeof(formats[0]))
#define MAXF 16

struct fmt {
	struct sonde__field_class fc[MAXF];
	struct sonde__kfield kf[MAXF];
	uint32_t nf;
};

static struct fmt fmts[NFMT];
/* The formats' handle, kept for the process's life: fmts point into it
 * (and leak checks at exit see it reachable). */
static struct tep_handle *tep;

static void setup(void)
{
	tep = tep_alloc();
	static const char *const names[] = { "sched_switch", "dyn",
					     "sys_enter_openat" };

	for (size_t i = 0; i < NFMT; i++) {
		const struct tep_format_field *f;
		struct tep_event *ev;

		if (tep_parse_event(tep, formats[i], strlen(formats[i]), "fz"))
			abort();
		ev = tep_find_event_by_name(tep, "fz", names[i]);
		if (!ev)
			abort();
		for (f = ev->format.fields; f && fmts[i].nf < MAXF; f = f->next) {
			struct fmt *m = &fmts[i];

			if (sonde__kdecode_field(f, &m->fc[m->nf], &m->kf[m->nf]))
				abort();
			/* as kernel.c does for a syscall's path field */
			if (!strcmp(f->name, "filename")) {
				m->kf[m->nf].kind = SONDE__K_USTR;
				m->fc[m->nf].kind = SONDE_FIELD_STRING;
			}
			m->nf++;
		}
	}
	/* tep and the names stay: the formats are read for the whole run */
}

static const char *ustr(void *ctx, uint32_t j)
{
	(void)ctx;
	return j ? NULL : "/a/path";
}

/* Walk @out (@len bytes) field by field; 1 if it ends exactly at @len. */
static int parse_back(const struct fmt *m, const uint8_t *out, size_t len)
{
	size_t o = 0;

	for (uint32_t i = 0; i < m->nf; i++) {
		const struct sonde__field_class *fc = &m->fc[i];
		const uint8_t *z;
		uint32_t cnt;

		switch (fc->kind) {
		case SONDE_FIELD_INTEGER:
			o += fc->size;
			break;
		case SONDE_FIELD_ARRAY:
			o += (size_t)fc->size * fc->count;
			break;
		case SONDE_FIELD_STRING:
			if (o >= len)
				return 0;
			z = memchr(out + o, 0, len - o);
			if (!z)
				return 0;
			o = (size_t)(z - out) + 1;
			break;
		case SONDE_FIELD_SEQUENCE:
			if (o + 4 > len)
				return 0;
			memcpy(&cnt, out + o, 4);
			o += 4 + (size_t)cnt * fc->size;
			break;
		default:
			return 0;
		}
		if (o > len)
			return 0;
	}
	return o == len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static uint8_t out[1 << 17];
	const struct fmt *m;
	uint8_t *raw;
	size_t cap;
	int64_t n;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 2 || size > 65536 + 2)
		return 0;
	m = &fmts[data[0] % NFMT];
	/* room: as kernel.c gives (raw + 4 per field + the strings), or
	 * short of it (data[1]) */
	cap = size - 2 + 4 * (size_t)m->nf + 8;
	if (data[1] & 1)
		cap = data[1] % (cap + 1);
	/* a copy of its own, so that ASan sees any read past the raw data */
	raw = malloc(size - 2 ? size - 2 : 1);
	if (!raw)
		return 0;
	memcpy(raw, data + 2, size - 2);
	n = sonde__kdecode(m->kf, m->nf, raw, (uint32_t)(size - 2), out, cap,
			   ustr, NULL);
	if (n > (int64_t)cap)
		abort();
	if (n >= 0 && !parse_back(m, out, (size_t)n))
		abort();
	free(raw);
	return 0;
}
