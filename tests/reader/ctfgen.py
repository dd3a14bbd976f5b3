# SPDX-License-Identifier: MIT
"""What the hand-written sonde traces of tests/reader/mk-*.py share: the
metadata's head (trace, env, clock, packet context, event header), its
stream and event blocks, record headers and packets, in the exact forms of
src/writer/metadata.c and the writer's packets.

A script imports it after putting its own directory first on sys.path, so
that it runs from any directory:

    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import ctfgen

A field, in metadata() and encode(), is (name, kind, bytes, signed[, base]):
kind "s" a NUL-terminated UTF-8 string, "i" a little-endian integer of that
many bytes, decimal unless base says otherwise.
"""
import struct
import uuid as _uuid

UUID = bytes(range(0x20, 0x30))
OFFSET_S = 1700000000
MAGIC = 0xC1FC1FC1
# the packet header and sonde's packet context, in bytes
HDR = 84
PACKET_ALIGN = 64
# sonde:thread, event 0 of every stream class
THREAD = [("tid", "i", 4, 1), ("pid", "i", 4, 1)]
STRING = "string { encoding = UTF8; }"

# the fields of sonde's packet context, also the start of a source's own
PACKET_CONTEXT = """\
	uint64_clock_t timestamp_begin;
	uint64_clock_t timestamp_end;
	uint64_t content_size;
	uint64_t packet_size;
	uint64_t packet_seq_num;
	uint64_t events_discarded;
	uint32_t cpu_id;
"""

_HEAD = """/* CTF 1.8 */

%s
trace {
	major = 1;
	minor = 8;
	uuid = "%s";
	byte_order = le;
	packet.header := struct {
		uint32_t magic;
		uint8_t  uuid[16];
		uint32_t stream_id;
		uint64_t stream_instance_id;
	};
};

env {
	tracer_name = "sonde";
	hostname = "box";
	procname = "%s";
	vpid = %d;
};

clock {
	name = "tsc";
	freq = 1000000000;
	offset_s = %d;
	offset = 0;
	absolute = TRUE;
};

typealias integer { size = 24; align = 8; signed = false; map = clock.tsc.value; } := uint24_clock_t;
typealias integer { size = 64; align = 8; signed = false; map = clock.tsc.value; } := uint64_clock_t;

struct packet_context {
%s};

%sstruct event_header {
	enum : uint8_t { compact = 0 ... 252, extended = 255 } id;
	variant <id> {
		struct { uint24_clock_t timestamp; } compact;
		struct { uint32_t id; uint64_clock_t timestamp; } extended;
	} v;
};
"""


def head(procname, vpid, uuid=UUID, int_sizes=(8, 16, 32, 64), structs=""):
    """The metadata up to the event header, no stream block: the uintN_t
    aliases of @int_sizes, env's procname and vpid, then @structs (TSDL
    blocks, each followed by a blank line) between the packet context and
    the event header."""
    aliases = "".join("typealias integer { size = %d; align = 8; signed = false; } "
                      ":= uint%d_t;\n" % (n, n) for n in int_sizes)
    return _HEAD % (aliases, _uuid.UUID(bytes=uuid), procname, vpid,
                    OFFSET_S, PACKET_CONTEXT, structs)


def stream_block(sid, ctx="packet_context", with_id=True):
    return "stream {\n%s\tevent.header := struct event_header;\n" \
           "\tpacket.context := struct %s;\n};\n" % (
               "\tid = %d;\n" % sid if with_id else "", ctx)


def int_type(bits, signed, base=10, be=False, enc="none"):
    return "integer { size = %d; align = 8; signed = %d; encoding = %s; " \
           "base = %d;%s }" % (bits, signed, enc, base,
                               " byte_order = be;" if be else "")


def field_tsdl(field):
    """The TSDL line of a field tuple."""
    name, kind, size, signed = field[:4]
    ty = STRING if kind == "s" else \
        int_type(size * 8, signed, field[4] if len(field) > 4 else 10)
    return "%s _%s;" % (ty, name)


def event_block(eid, name, lines, sid=0):
    """An event block of these field lines; sid None: no stream_id."""
    return "event {\n\tname = \"%s\";\n\tid = %d;\n%s\tfields := struct {\n" \
           "%s\n\t};\n};\n" % (name, eid,
                               "" if sid is None else "\tstream_id = %d;\n" % sid,
                               "\n".join("\t\t" + x for x in lines))


def metadata(head_text, classes):
    """@head_text then the events of stream 0, classes: {event id: (name,
    [field])}; sonde:thread is among them."""
    return "\n".join([head_text] + [
        event_block(eid, name, [field_tsdl(f) for f in fields])
        for eid, (name, fields) in sorted(classes.items())])


def encode(fields, values):
    """The payload of values for these field tuples."""
    out = b""
    for f, v in zip(fields, values):
        kind, size, signed = f[1:4]
        if kind == "s":
            out += v.encode() + b"\0"
        else:
            out += v.to_bytes(size, "little", signed=bool(signed))
    return out


def record(eid, ts, payload, prev=None, ext=False):
    """A record: a compact header (the low 24 bits of ts) unless @ext, the
    id does not fit or ts is 2^24 ns or more after @prev."""
    if ext or eid > 252 or (prev is not None and ts - prev >= 1 << 24):
        return struct.pack("<BIQ", 0xFF, eid, ts) + payload
    return struct.pack("<I", eid | (ts & 0xFFFFFF) << 8) + payload


def packet(body, begin, end, seq=0, cpu=0, sid=0, inst=0, discarded=0,
           uuid=UUID):
    """A packet of @body (records, after any extra packet context fields),
    padded to PACKET_ALIGN bytes."""
    content = HDR + len(body)
    size = (content + PACKET_ALIGN - 1) // PACKET_ALIGN * PACKET_ALIGN
    hdr = struct.pack("<I16sIQQQQQQQI", MAGIC, uuid, sid, inst, begin, end,
                      content * 8, size * 8, seq, discarded, cpu)
    assert len(hdr) == HDR
    return hdr + body + b"\0" * (size - content)


def write(d, name, data):
    """Write @data (metadata text or packets) to the file @name of @d."""
    with open(d + "/" + name, "w" if isinstance(data, str) else "wb") as f:
        f.write(data)
