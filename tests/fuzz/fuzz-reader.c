// SPDX-License-Identifier: MIT
/*
 * libFuzzer target of the trace reader: the input is a metadata text and
 * up to MAX_BUFS stream files, each after a "\n--STREAM--\n" (no
 * separator: the whole input is one stream, with the built-in metadata
 * below, which has three stream classes, the third with two extra packet
 * context fields).  The streams are merged in time
 * order and every event is decoded and formatted (text and JSON), as sonde
 * view / export do.  Build: cmake -DSONDE_FUZZ=ON -DCMAKE_C_COMPILER=clang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/reader/format.h"
#include "../../src/reader/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sep[] = "\n--STREAM--\n";

static const char builtin_meta[] =
	"/* CTF 1.8 */\n"
	"typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
	"typealias integer { size = 16; align = 8; signed = false; } := uint16_t;\n"
	"typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
	"typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n"
	"trace { major = 1; minor = 8; byte_order = le;\n"
	" packet.header := struct { uint32_t magic; uint8_t uuid[16]; uint32_t stream_id; uint64_t stream_instance_id; }; };\n"
	"env { tracer_name = \"sonde\"; procname = \"fuzz\"; vpid = 1; };\n"
	"clock { name = \"tsc\"; freq = 2500000000; offset_s = 1700000000; offset = 5; };\n"
	"typealias integer { size = 24; align = 8; signed = false; map = clock.tsc.value; } := uint24_clock_t;\n"
	"typealias integer { size = 64; align = 8; signed = false; map = clock.tsc.value; } := uint64_clock_t;\n"
	"struct packet_context { uint64_clock_t timestamp_begin; uint64_clock_t timestamp_end;\n"
	" uint64_t content_size; uint64_t packet_size; uint64_t packet_seq_num; uint64_t events_discarded; uint32_t cpu_id; };\n"
	"struct event_header { enum : uint8_t { compact = 0 ... 252, extended = 255 } id;\n"
	" variant <id> { struct { uint24_clock_t timestamp; } compact; struct { uint32_t id; uint64_clock_t timestamp; } extended; } v; };\n"
	"stream { id = 0; event.header := struct event_header; packet.context := struct packet_context; };\n"
	"event { name = \"sonde:thread\"; id = 0; stream_id = 0; fields := struct {\n"
	" integer { size = 32; align = 8; signed = 1; base = 10; } _tid; integer { size = 32; align = 8; signed = 1; base = 10; } _pid; }; };\n"
	"event { name = \"f:all\"; id = 1; stream_id = 0; fields := struct {\n"
	" integer { size = 8; align = 8; signed = 1; base = 10; } _a;\n"
	" integer { size = 64; align = 8; signed = 0; base = 16; } _b;\n"
	" floating_point { exp_dig = 8; mant_dig = 24; align = 8; } _f;\n"
	" floating_point { exp_dig = 11; mant_dig = 53; align = 8; } _d;\n"
	" string { encoding = UTF8; } _s;\n"
	" integer { size = 16; align = 8; signed = 1; base = 10; } _arr[3];\n"
	" integer { size = 32; align = 8; signed = 0; base = 10; } __q_length;\n"
	" integer { size = 16; align = 8; signed = 0; base = 16; } _q[ __q_length ]; }; };\n"
	"event { name = \"f:empty\"; id = 2; stream_id = 0; };\n"
	"stream { id = 1; event.header := struct event_header; packet.context := struct packet_context; };\n"
	"event { name = \"sonde:thread\"; id = 0; stream_id = 1; fields := struct {\n"
	" integer { size = 32; align = 8; signed = 1; base = 10; } _tid; integer { size = 32; align = 8; signed = 1; base = 10; } _pid; }; };\n"
	"event { name = \"g:other\"; id = 1; stream_id = 1; fields := struct {\n"
	" string { encoding = UTF8; } _s; integer { size = 32; align = 8; signed = 0; base = 16; } _x; }; };\n"
	"struct packet_context_2 { uint64_clock_t timestamp_begin; uint64_clock_t timestamp_end;\n"
	" uint64_t content_size; uint64_t packet_size; uint64_t packet_seq_num; uint64_t events_discarded; uint32_t cpu_id;\n"
	" uint64_t _period; uint64_t _seq; };\n"
	"stream { id = 2; event.header := struct event_header; packet.context := struct packet_context_2; };\n"
	"event { name = \"sonde:thread\"; id = 0; stream_id = 2; fields := struct {\n"
	" integer { size = 32; align = 8; signed = 1; base = 10; } _tid; integer { size = 32; align = 8; signed = 1; base = 10; } _pid; }; };\n"
	"event { name = \"h:tick\"; id = 1; stream_id = 2; fields := struct {\n"
	" integer { size = 64; align = 8; signed = 0; base = 10; } _n; }; };\n";

#define MAX_BUFS 8

/* Where the next separator at or after @from starts, or @size. */
static size_t find_sep(const uint8_t *data, size_t size, size_t from)
{
	for (size_t i = from; i + sizeof(sep) - 1 <= size; i++)
		if (!memcmp(data + i, sep, sizeof(sep) - 1))
			return i;
	return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[MAX_BUFS];
	size_t plen[MAX_BUFS];
	uint8_t *bufs[MAX_BUFS] = { 0 };
	uint32_t nr = 0;
	const char *meta = builtin_meta;
	size_t mlen = sizeof(builtin_meta) - 1;
	char *mcopy = NULL;
	struct sonde__reader *r = NULL;
	struct sonde__rd_event ev;
	struct sonde__obuf ob;
	int n, count = 0;
	size_t at = find_sep(data, size, 0);

	if (at == size) {
		part[nr] = data;
		plen[nr++] = size;
	} else {
		meta = (const char *)data;
		mlen = at;
		while (at < size && nr < MAX_BUFS) {
			size_t from = at + sizeof(sep) - 1;

			at = nr + 1 < MAX_BUFS ? find_sep(data, size, from) : size;
			part[nr] = data + from;
			plen[nr++] = at - from;
		}
	}
	/* the reader works on memory it does not own: give it exact copies
	 * so that ASan catches any read past the end */
	mcopy = malloc(mlen ? mlen : 1);
	if (!mcopy)
		goto out;
	memcpy(mcopy, meta, mlen);
	for (uint32_t i = 0; i < nr; i++) {
		bufs[i] = malloc(plen[i] ? plen[i] : 1);
		if (!bufs[i])
			goto out;
		memcpy(bufs[i], part[i], plen[i]);
	}
	if (sonde__reader_open_mem(mcopy, mlen, (const uint8_t *const *)bufs,
				   plen, nr, &r) < 0)
		goto out;
	if (sonde__ob_init(&ob, -1))
		goto out;
	while ((n = sonde__reader_next(r, &ev)) > 0 && count++ < 100000) {
		if (ev.kind != SONDE_RD_EV_EVENT)
			continue;
		sonde__fmt_payload(&ob, ev.cls, ev.payload);
		sonde__fmt_payload_json(&ob, ev.cls, ev.payload);
		ob.len = 0; /* discard */
	}
	sonde__ob_free(&ob);
out:
	sonde__reader_close(r);
	for (uint32_t i = 0; i < nr; i++)
		free(bufs[i]);
	free(mcopy);
	return 0;
}
