// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for event filters (src/instrumentation/filter.c), whose
 * text a traced process reads from the session's shared patterns, which
 * any process of the session can write: the input is split at its first
 * NUL into pattern text ("GLOB[@L][\tFILTER]" lines, selected through
 * sonde__pattern_select()) and field values; each selected filter is
 * compiled against a fixed event and evaluated on those values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sonde/tracepoint.h>

#include "../../src/instrumentation/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the target leaves out of libsonde. */
#define SONDE_STUBS_FIELD_AT
#include "libsonde-stubs.h"

static const struct sonde_field_desc fields[] = {
	{ "a", SONDE_FIELD_INTEGER, 4, 1, 10, 0, 0, 0, 0, 0, 0 },
	{ "b", SONDE_FIELD_INTEGER, 8, 0, 16, 0, 0, 0, 0, 0, 0 },
	{ "c", SONDE_FIELD_FLOAT, 8, 1, 10, 0, 0, 0, 0, 0, 0 },
	{ "s", SONDE_FIELD_STRING, 1, 0, 10, 0, 0, 0, 0, 0, 0 },
	{ "t", SONDE_FIELD_SEQUENCE, 1, 0, 10, 4, 0, SONDE_FIELD_F_TEXT, 0, 0, 0 },
	{ "arr", SONDE_FIELD_ARRAY, 2, 0, 10, 0, 0, 0, 0, 3, 0 },
	{ "h", SONDE_FIELD_INTEGER, 1, 1, 10, 0, 0, SONDE_FIELD_F_NOWRITE, 0, 0, 0 },
	{ "f", SONDE_FIELD_FLOAT, 4, 1, 10, 0, 0, 0, 0, 0, 0 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t tl = nul ? (size_t)(nul - data) : size;
	struct sonde_event_desc d;
	struct sonde__psel sel;
	struct sonde__filter *f;
	char *text, s[16], t[8];
	uint8_t v[64];
	struct sonde__fval fv[8];

	if (tl > 4096)
		return 0;
	text = malloc(tl + 1);
	if (!text)
		return 0;
	memcpy(text, data, tl);
	text[tl] = 0;
	memset(v, 0, sizeof(v));
	if (nul)
		memcpy(v, nul + 1, size - tl - 1 < sizeof(v) ? size - tl - 1
							    : sizeof(v));
	memcpy(s, v + 32, sizeof(s));
	s[sizeof(s) - 1] = 0;
	memcpy(t, v + 48, sizeof(t));
	memset(&d, 0, sizeof(d));
	d.struct_size = sizeof(d);
	d.provider = "fz";
	d.name = "ev";
	d.nr_fields = sizeof(fields) / sizeof(fields[0]);
	d.fields = fields;
	d.field_size = sizeof(fields[0]);
	fv[0] = (struct sonde__fval){ v, 0 };
	fv[1] = (struct sonde__fval){ v + 4, 0 };
	fv[2] = (struct sonde__fval){ v + 12, 0 };
	fv[3] = (struct sonde__fval){ s, 0 };
	fv[4] = (struct sonde__fval){ t, v[20] % 9 };
	fv[5] = (struct sonde__fval){ v + 22, 3 };
	fv[6] = (struct sonde__fval){ v + 28, 0 };
	fv[7] = (struct sonde__fval){ v + 40, 0 };
	sonde__pattern_select(text, "fz:ev", (int)(v[60] % 16) - 1, &sel);
	if (sel.selected && sel.nr_filters) {
		f = sonde__filter_build(&d, sel.filter, sel.nr_filters);
		if (f) {
			(void)sonde__filter_eval(f, fv);
			(void)sonde__filter_same(f, sel.filter, sel.nr_filters);
			sonde__filter_free(f);
		}
	}
	free(text);
	return 0;
}
