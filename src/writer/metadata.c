// SPDX-License-Identifier: MIT
/*
 * CTF 1.8 metadata (TSDL text) for a sonde trace.  The binary layout it
 * describes is include/sonde/static/format.h's: byte-packed little-endian
 * fields, packet header {magic, uuid, stream_id, stream_instance_id},
 * packet context {timestamp_begin, timestamp_end, content_size,
 * packet_size, packet_seq_num, events_discarded, cpu_id}, and the event
 * header {u8 id; variant {u24 timestamp} or {u32 id; u64 timestamp}}.  A
 * stream class with extra packet context fields gets its own
 * "struct packet_context_K": the common fields, then its uint64_t ones,
 * in order (SONDE__PKT_HDR_SIZE_EXTRA); class 0 and every class without
 * extras use the common "struct packet_context".  A class with event
 * context fields (the consumer's --context) declares them as its
 * event.context, between every event header and payload.  The
 * packet fields are written from struct sonde__pkt_hdr (names, sizes) and
 * their order and packing, like the event header's sizes and the thread
 * record's, are checked against the format at compile time.  Field names
 * get a leading underscore, which readers strip, so that no field name
 * can clash with a TSDL keyword.  The trace environment names sonde as
 * the tracer.
 * Append-only metadata (a trace streamed to a relay, which cannot take
 * back what it was sent): sonde__metadata_write_events() writes the
 * event classes that appeared since, and their message formats as one
 * more env block, which babeltrace2 and sonde's reader merge into the
 * first.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <time.h>

#include <sonde/sonde.h>
#include <sonde/tracepoint.h>

#include <sonde/static/format.h>

#include "../buffers/layout.h"
#include "model.h"

/*
 * The packet header and context as the text declares them: the fields of
 * struct sonde__pkt_hdr, in order, each right after the one before (CTF
 * byte-packed, 8-bit aligned integers), up to SONDE__PKT_HDR_SIZE.
 */
#define PKT_SIZEOF(f) sizeof(((struct sonde__pkt_hdr *)0)->f)
#define PKT_NEXT(a, b)                                                         \
	_Static_assert(offsetof(struct sonde__pkt_hdr, b) ==                   \
			       offsetof(struct sonde__pkt_hdr, a) +            \
				       PKT_SIZEOF(a),                          \
		       "metadata: packet field " #b " right after " #a)
_Static_assert(offsetof(struct sonde__pkt_hdr, magic) == 0,
	       "metadata: magic first");
PKT_NEXT(magic, uuid);
PKT_NEXT(uuid, stream_id);
PKT_NEXT(stream_id, stream_instance_id);
PKT_NEXT(stream_instance_id, timestamp_begin);
PKT_NEXT(timestamp_begin, timestamp_end);
PKT_NEXT(timestamp_end, content_size);
PKT_NEXT(content_size, packet_size);
PKT_NEXT(packet_size, packet_seq_num);
PKT_NEXT(packet_seq_num, events_discarded);
PKT_NEXT(events_discarded, cpu_id);
_Static_assert(offsetof(struct sonde__pkt_hdr, cpu_id) + PKT_SIZEOF(cpu_id) ==
		       SONDE__PKT_HDR_SIZE,
	       "metadata: cpu_id last");
/* A class's extra packet context fields as the text declares them:
 * uint64_t each, right after cpu_id. */
_Static_assert(SONDE__PKT_HDR_SIZE_EXTRA(1) ==
		       SONDE__PKT_HDR_SIZE + sizeof(uint64_t) &&
		       SONDE__PKT_HDR_SIZE_EXTRA(SONDE__PKT_CTX_EXTRA_MAX) ==
		       SONDE__PKT_HDR_SIZE + SONDE__PKT_CTX_EXTRA_MAX * 8,
	       "metadata: extra packet context fields are uint64_t after cpu_id");
/* The event header and the thread record as the text declares them. */
_Static_assert(SONDE__COMPACT_HDR == 1 + SONDE__TS_BITS / 8 &&
		       SONDE__EXT_HDR == 1 + 4 + 8 &&
		       SONDE__THREAD_PAYLOAD == 4 + 4,
	       "metadata: event header {u8 id; {u24 ts} | {u32 id; u64 ts}}, "
	       "sonde:thread {s32 tid; s32 pid}");

struct pkt_field {
	const char *name;
	unsigned int bits;  /* of one element */
	unsigned int count; /* array elements; 0: not an array */
	int clock;          /* mapped to the trace clock */
};

#define PKT_INT(f, clock) { #f, PKT_SIZEOF(f) * 8, 0, clock }
static const struct pkt_field pkt_header[] = {
	PKT_INT(magic, 0),
	{ "uuid", 8, PKT_SIZEOF(uuid), 0 },
	PKT_INT(stream_id, 0),
	PKT_INT(stream_instance_id, 0),
};
static const struct pkt_field pkt_context[] = {
	PKT_INT(timestamp_begin, 1), PKT_INT(timestamp_end, 1),
	PKT_INT(content_size, 0),    PKT_INT(packet_size, 0),
	PKT_INT(packet_seq_num, 0),  PKT_INT(events_discarded, 0),
	PKT_INT(cpu_id, 0),
};

/* One "type name;" line per field of @fl (@n fields). */
static void put_pkt_fields(FILE *f, const char *indent,
			   const struct pkt_field *fl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ty[32];

		snprintf(ty, sizeof(ty), "uint%u%s", fl[i].bits,
			 fl[i].clock ? "_clock_t" : "_t");
		fprintf(f, "%s%-8s %s", indent, ty, fl[i].name);
		if (fl[i].count)
			fprintf(f, "[%u]", fl[i].count);
		fputs(";\n", f);
	}
}

/* "struct @name": the common packet context, then @sc's extra fields
 * (a leading underscore, as for event fields: no TSDL keyword clash). */
static void put_class_context(FILE *f, const char *name,
			      const struct sonde__stream_class_model *sc)
{
	fprintf(f, "struct %s {\n", name);
	put_pkt_fields(f, "\t", pkt_context, ARRAY_SIZE(pkt_context));
	for (uint32_t i = 0; i < sc->nr_ctx_extra; i++)
		fprintf(f, "\t%-8s _%s;\n", "uint64_t", sc->ctx_extra[i]);
	fputs("};\n\n", f);
}

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

/*
 * A format as a TSDL string literal's content, losslessly: quotes,
 * backslashes and the usual controls escaped as in C, every other byte
 * outside printable ASCII as three octal digits (which no following digit
 * can extend), as babeltrace2 and the reader's lexer decode them.
 */
static void put_fmt_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
}

/*
 * tracef's message formats, one env entry per event class that has one:
 * sonde_msgfmt_<stream class id>_<event id> = "format".  The env block
 * holds any name with a string or integer value: babeltrace2 keeps the
 * entries in the trace's environment, without a word, and reads the
 * events' typed fields as ever; an attribute in the event block would be
 * warned about as unknown.  The reader renders msg from it.
 */
static void put_formats(FILE *f, const struct sonde__trace_model *m)
{
	for (uint32_t k = 0; k < m->nr_classes; k++) {
		const struct sonde__stream_class_model *sc = &m->classes[k];

		for (uint32_t i = 0; i < sc->nr_events; i++) {
			const struct sonde__event_class *ev = sc->events[i];

			if (!ev || !ev->fmt || ev->id == SONDE__THREAD_EVENT_ID)
				continue;
			fprintf(f, "\tsonde_msgfmt_%" PRIu32 "_%" PRIu32 " = \"",
				sc->id, ev->id);
			put_fmt_escaped(f, ev->fmt);
			fputs("\";\n", f);
		}
	}
}

static void put_int(FILE *f, unsigned int bytes, int is_signed, int base)
{
	fprintf(f,
		"integer { size = %u; align = 8; signed = %d; encoding = none; base = %d; }",
		bytes * 8, is_signed ? 1 : 0,
		base == 16 ? 16 : base == 8 ? 8 : 10);
}

/* The integer of a field or of its elements: network byte order, text
 * (UTF-8 bytes, which readers print as a string), or plain. */
static void put_elem(FILE *f, const struct sonde__field_class *fc)
{
	if (fc->flags & SONDE_FIELD_F_TEXT)
		fputs("integer { size = 8; align = 8; signed = 0; encoding = UTF8; base = 10; }",
		      f);
	else if (fc->flags & SONDE_FIELD_F_NETWORK)
		fprintf(f,
			"integer { size = %u; align = 8; signed = %d; encoding = none; base = %d; byte_order = be; }",
			fc->size * 8u, fc->is_signed ? 1 : 0,
			fc->base == 16 ? 16 : fc->base == 8 ? 8 : 10);
	else
		put_int(f, fc->size, fc->is_signed, fc->base);
}

/* One enumerator value: the container's bits, signed or not. */
static void put_enum_value(FILE *f, uint64_t v, int is_signed)
{
	if (is_signed)
		fprintf(f, "%" PRId64, (int64_t)v);
	else
		fprintf(f, "%" PRIu64, v);
}

/* enum : <integer> { "label" = v, "label" = a ... b, ... } */
static void put_enum(FILE *f, const struct sonde__field_class *fc)
{
	fputs("enum : ", f);
	put_elem(f, fc);
	fputs(" {", f);
	for (uint32_t i = 0; i < fc->nr_maps; i++) {
		const struct sonde__enum_map *m = &fc->maps[i];

		fputs(i ? ", \"" : " \"", f);
		put_escaped(f, m->label);
		fputs("\" = ", f);
		put_enum_value(f, m->start, fc->is_signed);
		if (m->end != m->start) {
			fputs(" ... ", f);
			put_enum_value(f, m->end, fc->is_signed);
		}
	}
	fputs(" }", f);
}

static void put_field(FILE *f, const struct sonde__field_class *fc)
{
	fputs("\t\t", f);
	switch (fc->kind) {
	case SONDE_FIELD_INTEGER:
		put_elem(f, fc);
		fprintf(f, " _%s;\n", fc->name);
		break;
	case SONDE_FIELD_ENUM:
		put_enum(f, fc);
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
		put_elem(f, fc);
		fprintf(f, " _%s[%" PRIu32 "];\n", fc->name, fc->count);
		break;
	case SONDE_FIELD_SEQUENCE:
		/* Readers require an unsigned length; a negative length
		 * was recorded as 0, so the value is the same either way. */
		put_int(f, fc->len_size, 0, 10);
		fprintf(f, " __%s_length;\n\t\t", fc->name);
		put_elem(f, fc);
		fprintf(f, " _%s[ __%s_length ];\n", fc->name, fc->name);
		break;
	}
}

static void put_event(FILE *f, const struct sonde__event_class *ev,
		      uint32_t stream_id)
{
	fputs("event {\n\tname = \"", f);
	put_escaped(f, ev->name);
	fprintf(f, "\";\n\tid = %" PRIu32 ";\n\tstream_id = %" PRIu32 ";\n",
		ev->id, stream_id);
	if (ev->loglevel1 && ev->loglevel1 <= SONDE_LOGLEVEL_DEBUG + 1)
		fprintf(f, "\tloglevel = %" PRIu32 ";\n", ev->loglevel1 - 1);
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
		"\tpacket.header := struct {\n",
		uuid);
	put_pkt_fields(f, "\t\t", pkt_header, ARRAY_SIZE(pkt_header));
	fputs("\t};\n};\n\n", f);
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
	fprintf(f, "\";\n\tvpid = %" PRId64 ";\n", m->pid);
	put_formats(f, m);
	fputs("};\n\n", f);
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
		"typealias integer { size = %d; align = 8; signed = false; map = clock.%s.value; } := uint%d_clock_t;\n"
		"typealias integer { size = 64; align = 8; signed = false; map = clock.%s.value; } := uint64_clock_t;\n\n",
		SONDE__TS_BITS, clk, SONDE__TS_BITS, clk);
	fputs("struct packet_context {\n", f);
	put_pkt_fields(f, "\t", pkt_context, ARRAY_SIZE(pkt_context));
	fputs("};\n\n", f);
	fprintf(f,
		"struct event_header {\n"
		"\tenum : uint8_t { compact = 0 ... %u, extended = %u } id;\n"
		"\tvariant <id> {\n"
		"\t\tstruct { uint%d_clock_t timestamp; } compact;\n"
		"\t\tstruct { uint32_t id; uint64_clock_t timestamp; } extended;\n"
		"\t} v;\n};\n\n",
		SONDE__ID_COMPACT_MAX, SONDE__ID_EXT, SONDE__TS_BITS);
	for (uint32_t k = 0; k < m->nr_classes; k++) {
		const struct sonde__stream_class_model *sc = &m->classes[k];
		char ctx[48] = "packet_context";

		if (sc->nr_ctx_extra) {
			snprintf(ctx, sizeof(ctx), "packet_context_%" PRIu32,
				 sc->id);
			put_class_context(f, ctx, sc);
		}
		fprintf(f,
			"stream {\n\tid = %" PRIu32 ";\n"
			"\tevent.header := struct event_header;\n"
			"\tpacket.context := struct %s;\n",
			sc->id, ctx);
		if (sc->nr_ev_ctx) {
			fputs("\tevent.context := struct {\n", f);
			for (uint32_t i = 0; i < sc->nr_ev_ctx; i++)
				put_field(f, &sc->ev_ctx[i]);
			fputs("\t};\n", f);
		}
		fputs("};\n\n", f);
		fprintf(f,
			"event {\n\tname = \"sonde:thread\";\n\tid = %u;\n"
			"\tstream_id = %" PRIu32 ";\n\tfields := struct {\n",
			SONDE__THREAD_EVENT_ID, sc->id);
		fputs("\t\tinteger { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _tid;\n"
		      "\t\tinteger { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _pid;\n"
		      "\t};\n};\n\n", f);
		for (uint32_t i = 0; i < sc->nr_events; i++)
			if (sc->events[i] &&
			    sc->events[i]->id != SONDE__THREAD_EVENT_ID)
				put_event(f, sc->events[i], sc->id);
	}
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}

/* Whether an event class of @m has a message format (put_formats()). */
static int has_formats(const struct sonde__trace_model *m)
{
	for (uint32_t k = 0; k < m->nr_classes; k++)
		for (uint32_t i = 0; i < m->classes[k].nr_events; i++) {
			const struct sonde__event_class *ev =
				m->classes[k].events[i];

			if (ev && ev->fmt && ev->id != SONDE__THREAD_EVENT_ID)
				return 1;
		}
	return 0;
}

int sonde__metadata_write_events(FILE *f, const struct sonde__trace_model *m)
{
	if (has_formats(m)) {
		fputs("env {\n", f);
		put_formats(f, m);
		fputs("};\n\n", f);
	}
	for (uint32_t k = 0; k < m->nr_classes; k++) {
		const struct sonde__stream_class_model *sc = &m->classes[k];

		for (uint32_t i = 0; i < sc->nr_events; i++)
			if (sc->events[i] &&
			    sc->events[i]->id != SONDE__THREAD_EVENT_ID)
				put_event(f, sc->events[i], sc->id);
	}
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}
