// SPDX-License-Identifier: MIT
/*
 * fuzz-hwdecode: the snapshot reader of `sonde hw decode`
 * (src/hwtrace/snapini.c), which reads ini files from a directory anyone
 * may have written.  The first input byte picks the parser (snapshot.ini,
 * a device's ini, trace.ini); the rest is the file.  What a parse keeps
 * must hold: counts within their bounds, every string terminated within
 * its field, every file name one component.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/hwtrace/decode.h"

static void str_ok(const char *s)
{
	if (!memchr(s, 0, SS_STR_MAX))
		abort(); /* a field left unterminated */
}

static void file_ok(const char *s)
{
	str_ok(s);
	if (*s && !sonde__ss_name_ok(s))
		abort(); /* a path kept as a file name */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ss_snapshot s;
	char err[256];
	int r;

	if (!size)
		return 0;
	memset(&s, 0, sizeof(s));
	err[0] = 0;
	switch (data[0] % 3) {
	case 0:
		r = sonde__ss_parse_snapshot(&s, (const char *)data + 1, size - 1, err, sizeof(err));
		if (s.nr_dev > SS_DEV_MAX)
			abort();
		for (size_t i = 0; i < s.nr_dev; i++)
			file_ok(s.dev[i].ini);
		file_ok(s.metadata);
		break;
	case 1: {
		struct ss_device *d = &s.dev[0];

		r = sonde__ss_parse_device(d, (const char *)data + 1, size - 1, err, sizeof(err));
		if (d->nr_regs > SS_REG_MAX || d->nr_dumps > SS_DUMP_MAX)
			abort();
		str_ok(d->name);
		str_ok(d->cls);
		str_ok(d->type);
		for (size_t i = 0; i < d->nr_regs; i++)
			if (!*d->regs[i].name || strchr(d->regs[i].name, '('))
				abort(); /* a register kept without its name */
		for (size_t i = 0; i < d->nr_dumps; i++) {
			file_ok(d->dumps[i].file);
			str_ok(d->dumps[i].space);
			if (!r && (!*d->dumps[i].file || !d->dumps[i].has_address))
				abort(); /* a dump accepted without file or address */
		}
		break;
	}
	default:
		r = sonde__ss_parse_trace(&s, (const char *)data + 1, size - 1, err, sizeof(err));
		if (s.nr_buf > SS_BUF_MAX || s.nr_order > SS_BUF_MAX || s.nr_src_buf > SS_MAP_MAX ||
		    s.nr_core_src > SS_MAP_MAX)
			abort();
		for (size_t i = 0; i < s.nr_buf; i++) {
			file_ok(s.buf[i].file);
			str_ok(s.buf[i].name);
			str_ok(s.buf[i].format);
		}
		for (size_t i = 0; i < s.nr_src_buf; i++)
			(void)sonde__ss_lookup(s.core_src, s.nr_core_src, s.src_buf[i].a);
		break;
	}
	if (r && !err[0])
		abort(); /* an error must be said */
	if (!memchr(err, 0, sizeof(err)))
		abort();
	return 0;
}
