// SPDX-License-Identifier: MIT
/*
 * CTF 1.8 metadata (TSDL text) for a sonde trace.  The binary layout it
 * describes is the ring buffer's (src/buffers/ring.c): byte-packed
 * little-endian fields, packet header {magic, uuid, stream_id,
 * stream_instance_id}, packet context {timestamp_begin, timestamp_end,
 * content_size, packet_size, packet_seq_num, events_discarded, cpu_id}, and
 * the event header {u8 id; variant {u24 timestamp} or {u32 id; u64
 * timestamp}}.  Field names get a leading underscore, which readers strip,
 * so that no field name can clash with a TSDL keyword.  The trace
 * environment names sonde as the tracer.
 */
#include <errno.h>
#include <inttypes.h>
#include <time.h>

#include <sonde/sonde.h>
#include <sonde/tracepoint.h>

#include "../buffers/layout.h"
#include "model.h"

static void uuid_str(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* TSDL string literal content: escape quotes, backslashes, controls. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fputc('_', f);
		else
			fputc(c, f);
	}
}

static void put_int(FILE *f, unsigned int bytes, int is_signed, int base)
{
	fprintf(f,
		"integer { size = %u; align = 8; signed = %d; encoding = none; base = %d; }",
		bytes * 8, is_signed ? 1 : 0,
		base == 16 ? 16 : base == 8 ? 8 : 10);
}

static void put_field(FILE *f, const struct sonde__field_class *fc)
{
	fputs("\t\t", f);
	switch (fc->kind) {
	case SONDE_FIELD_INTEGER:
		put_int(f, fc->size, fc->is_signed, fc->base);
		fprintf(f, " _%s;\n", fc->name);
		break;
	case SONDE_FIELD_FLOAT:
		fprintf(f,
			"floating_point { exp_dig = %d; mant_dig = %d; align = 8; } _%s;\n",
			fc->size == 4 ? 8 : 11, fc->size == 4 ? 24 : 53,
			fc->name);
		break;
	case SONDE_FIELD_STRING:
		fprintf(f, "string { encoding = UTF8; } _%s;\n", fc->name);
		break;
	case SONDE_FIELD_ARRAY:
		put_int(f, fc->size, fc->is_signed, fc->base);
		fprintf(f, " _%s[%" PRIu32 "];\n", fc->name, fc->count);
		break;
	case SONDE_FIELD_SEQUENCE:
		/* Readers require an unsigned length; a negative length
		 * was recorded as 0, so the value is the same either way. */
		put_int(f, fc->len_size, 0, 10);
		fprintf(f, " __%s_length;\n\t\t", fc->name);
		put_int(f, fc->size, fc->is_signed, fc->base);
		fprintf(f, " _%s[ __%s_length ];\n", fc->name, fc->name);
		break;
	}
}

static void put_event(FILE *f, const struct sonde__event_class *ev)
{
	fputs("event {\n\tname = \"", f);
	put_escaped(f, ev->name);
	fprintf(f, "\";\n\tid = %" PRIu32 ";\n\tstream_id = 0;\n", ev->id);
	if (!ev->nr_fields) {
		fputs("};\n\n", f);
		return;
	}
	fputs("\tfields := struct {\n", f);
	for (uint32_t i = 0; i < ev->nr_fields; i++)
		put_field(f, &ev->fields[i]);
	fputs("\t};\n};\n\n", f);
}

int sonde__metadata_write(FILE *f, const struct sonde__trace_model *m)
{
	const struct sonde__clock *c = m->clock;
	const char *clk = c->kind == SONDE__CLOCK_CYCLES ? "tsc" : "monotonic";
	char uuid[37], date[64];
	time_t now = time(NULL);
	struct tm tm;

	uuid_str(m->uuid, uuid);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs("/* CTF 1.8 */\n\n", f);
	fputs("typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
	      "typealias integer { size = 16; align = 8; signed = false; } := uint16_t;\n"
	      "typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
	      "typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n\n",
	      f);
	fprintf(f,
		"trace {\n\tmajor = 1;\n\tminor = 8;\n\tuuid = \"%s\";\n"
		"\tbyte_order = le;\n"
		"\tpacket.header := struct {\n\t\tuint32_t magic;\n"
		"\t\tuint8_t  uuid[16];\n\t\tuint32_t stream_id;\n"
		"\t\tuint64_t stream_instance_id;\n\t};\n};\n\n",
		uuid);
	fprintf(f,
		"env {\n\ttracer_name = \"sonde\";\n"
		"\ttracer_major = %d;\n\ttracer_minor = %d;\n"
		"\ttracer_patchlevel = %d;\n\ttrace_creation_datetime = \"%s\";\n",
		SONDE_VERSION_MAJOR, SONDE_VERSION_MINOR, SONDE_VERSION_PATCH,
		date);
	fputs("\thostname = \"", f);
	put_escaped(f, m->hostname ? m->hostname : "");
	fputs("\";\n\tprocname = \"", f);
	put_escaped(f, m->procname ? m->procname : "");
	fprintf(f, "\";\n\tvpid = %" PRId64 ";\n};\n\n", m->pid);
	fprintf(f,
		"clock {\n\tname = \"%s\";\n\tuuid = \"%s\";\n"
		"\tdescription = \"%s\";\n\tfreq = %" PRIu64 ";\n"
		"\tprecision = 1;\n\toffset_s = %" PRId64 ";\n"
		"\toffset = %" PRIu64 ";\n\tabsolute = TRUE;\n};\n\n",
		clk, uuid,
		c->kind == SONDE__CLOCK_CYCLES ? "Invariant TSC, calibrated"
					       : "Monotonic Clock",
		c->freq, c->offset_s, c->offset);
	fprintf(f,
		"typealias integer { size = 24; align = 8; signed = false; map = clock.%s.value; } := uint24_clock_t;\n"
		"typealias integer { size = 64; align = 8; signed = false; map = clock.%s.value; } := uint64_clock_t;\n\n",
		clk, clk);
	fputs("struct packet_context {\n"
	      "\tuint64_clock_t timestamp_begin;\n"
	      "\tuint64_clock_t timestamp_end;\n"
	      "\tuint64_t content_size;\n\tuint64_t packet_size;\n"
	      "\tuint64_t packet_seq_num;\n\tuint64_t events_discarded;\n"
	      "\tuint32_t cpu_id;\n};\n\n",
	      f);
	fprintf(f,
		"struct event_header {\n"
		"\tenum : uint8_t { compact = 0 ... %u, extended = %u } id;\n"
		"\tvariant <id> {\n"
		"\t\tstruct { uint24_clock_t timestamp; } compact;\n"
		"\t\tstruct { uint32_t id; uint64_clock_t timestamp; } extended;\n"
		"\t} v;\n};\n\n",
		SONDE__ID_COMPACT_MAX, SONDE__ID_EXT);
	fputs("stream {\n\tid = 0;\n\tevent.header := struct event_header;\n"
	      "\tpacket.context := struct packet_context;\n};\n\n",
	      f);
	fputs("event {\n\tname = \"sonde:thread\";\n\tid = 0;\n\tstream_id = 0;\n"
	      "\tfields := struct {\n", f);
	fputs("\t\tinteger { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _tid;\n"
	      "\t\tinteger { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _pid;\n"
	      "\t};\n};\n\n", f);
	for (uint32_t i = 0; i < m->nr_events; i++)
		if (m->events[i] && m->events[i]->id != SONDE__THREAD_EVENT_ID)
			put_event(f, m->events[i]);
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}
