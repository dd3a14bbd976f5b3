// SPDX-License-Identifier: MIT
/*
 * libFuzzer target of the trace reader: the input is a metadata text and
 * one stream file, separated by the first "\n--STREAM--\n" (no separator:
 * the whole input is the stream, with the built-in metadata below).  Every
 * event is decoded and formatted (text and JSON), as sonde view / export
 * do.  Build: cmake -DSONDE_FUZZ=ON -DCMAKE_C_COMPILER=clang.
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
	"event { name = \"f:empty\"; id = 2; stream_id = 0; };\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *stream = data;
	size_t slen = size;
	const char *meta = builtin_meta;
	size_t mlen = sizeof(builtin_meta) - 1;
	struct sonde__reader *r = NULL;
	struct sonde__rd_event ev;
	struct sonde__obuf ob;
	int n, count = 0;

	for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++) {
		if (!memcmp(data + i, sep, sizeof(sep) - 1)) {
			meta = (const char *)data;
			mlen = i;
			stream = data + i + sizeof(sep) - 1;
			slen = size - i - (sizeof(sep) - 1);
			break;
		}
	}
	/* the reader works on memory it does not own: give it an exact copy
	 * so that ASan catches any read past the end */
	uint8_t *copy = malloc(slen ? slen : 1);
	char *mcopy = malloc(mlen ? mlen : 1);

	if (!copy || !mcopy)
		goto out;
	memcpy(copy, stream, slen);
	memcpy(mcopy, meta, mlen);
	{
		const uint8_t *bufs[1] = { copy };
		size_t lens[1] = { slen };

		if (sonde__reader_open_mem(mcopy, mlen, bufs, lens, 1, &r) < 0)
			goto out;
	}
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
	free(copy);
	free(mcopy);
	return 0;
}
