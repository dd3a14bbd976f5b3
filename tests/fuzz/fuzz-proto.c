// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the control protocol, which the session daemon and
 * every traced process must not trust: message framing and decoding
 * (sonde__msg_decode) and the daemon's command parser (sonde__cmd_parse),
 * fed with the strings of any message that decodes, and the session ids
 * a HELLO names (sonde__hello_sessions(): at most the bound asked for and
 * SONDE__APP_SESSIONS_MAX, non-zero, distinct, each the value of a string
 * of decimal digits of the message).  A decoded message is also checked
 * against the bytes it came from.
 *
 * Replies in pieces (REPLY_PART... REPLY, proto.h), both ways:
 *  - the input read as frames a client receives, each a little-endian
 *    u16 length then that many bytes: those that decode go to
 *    sonde__reply_take(), which must take exactly the pieces of one reply
 *    up to its final REPLY and keep their text whole and in order;
 *  - a text whose length and bytes come from the input cut by
 *    sonde__reply_chunk() as the daemon cuts it, each piece framed,
 *    decoded and taken: the reply put together is the text, with its
 *    status, in as many pieces as its length needs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/daemon/command.h"
#include "../../src/control/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What filter.c (for command.c's --filter check) takes from the rest of
 * libsonde, which the target does not link. */
#include <sonde/tracepoint.h>
#include "../../src/instrumentation/registry.h"

#define SONDE_STUBS_FIELD_AT
#include "libsonde-stubs.h"

static struct sonde__msg m;

/* The session ids of @m read as a HELLO, under every bound. */
static void hello_sessions(void)
{
	uint64_t ids[SONDE__APP_SESSIONS_MAX + 2];

	for (uint32_t max = 0; max <= SONDE__APP_SESSIONS_MAX + 1; max++) {
		uint32_t n = sonde__hello_sessions(&m, ids, max);

		if (n > max || n > SONDE__APP_SESSIONS_MAX)
			abort();
		for (uint32_t i = 0; i < n; i++) {
			char s[24];
			int found = 0;

			if (!ids[i])
				abort();
			for (uint32_t k = 0; k < i; k++)
				if (ids[k] == ids[i])
					abort();
			snprintf(s, sizeof(s), "%llu",
				 (unsigned long long)ids[i]);
			/* Leading zeros are taken: compare by value. */
			for (uint32_t a = 1; a < m.argc && !found; a++) {
				const char *p = m.argv[a];

				while (*p == '0' && p[1])
					p++;
				found = !strcmp(p, s);
			}
			if (!found)
				abort();
		}
	}
}

/* The whole input as one message. */
static void one_message(const uint8_t *data, size_t size)
{
	struct sonde__cmd c;
	char err[512];
	size_t total = 0;

	if (sonde__msg_decode(data, size, &m))
		return;
	/* Every string lies inside the payload, NUL-terminated, in order. */
	for (uint32_t i = 0; i < m.argc; i++) {
		const char *p = m.argv[i];

		if (p != (const char *)data + sizeof(m.h) + total)
			abort();
		total += strlen(p) + 1;
	}
	if (total != m.h.len)
		abort();
	hello_sessions();
	if (!sonde__cmd_parse(m.argc, m.argv, &c, err, sizeof(err))) {
		if (!c.verb || c.npatterns > SONDE__CMD_PATTERNS_MAX ||
		    !memchr(c.session, 0, sizeof(c.session)) ||
		    !memchr(c.dir, 0, sizeof(c.dir)))
			abort();
	} else if (!memchr(err, 0, sizeof(err)) || !err[0]) {
		abort(); /* a refusal always says why */
	}
}

/* The input as length-prefixed frames of one reply. */
static void reply_frames(const uint8_t *data, size_t size)
{
	struct sonde__reply r = { 0 };
	size_t off = 0, want = 0;
	int done = 0;

	while (size - off >= 2) {
		size_t n = (size_t)data[off] | (size_t)data[off + 1] << 8;
		int piece, k;

		off += 2;
		if (n > size - off)
			n = size - off;
		if (sonde__msg_decode(data + off, n, &m)) {
			off += n;
			continue;
		}
		off += n;
		piece = !done && m.argc == 1 &&
			(m.h.type == SONDE__MSG_REPLY ||
			 m.h.type == SONDE__MSG_REPLY_PART);
		k = sonde__reply_take(&r, &m);
		if (k == -ENOMEM)
			break;
		if (piece != (k >= 0) ||
		    (k == 1) != (piece && m.h.type == SONDE__MSG_REPLY))
			abort();
		if (k >= 0)
			want += strlen(m.argv[0]);
		if (k == 1) {
			done = 1;
			if (r.status != m.h.status || !r.done)
				abort();
		}
		if (r.len != want || (r.text && r.text[r.len]))
			abort();
	}
	sonde__reply_free(&r);
}

/* A text from the input, cut, framed, decoded and put together again. */
static void reply_roundtrip(const uint8_t *data, size_t size)
{
	static char frame[SONDE__MSG_BUF];
	struct sonde__reply r = { 0 };
	size_t len, off = 0, pieces = 0;
	int32_t status;
	char *text;
	int k;

	if (size < 3)
		return;
	/* Up to 5.5 pieces: the cut between pieces is exercised. */
	len = ((size_t)data[0] | (size_t)data[1] << 8) * 5;
	status = -(int32_t)data[2];
	text = malloc(len + 1);
	if (!text)
		return;
	for (size_t i = 0; i < len; i++) {
		char ch = size > 3 ? (char)data[3 + i % (size - 3)] : 'x';

		text[i] = ch ? ch : 'x'; /* a string holds no NUL */
	}
	text[len] = 0;
	do {
		struct sonde__msg_hdr h = { SONDE__PROTO_MAGIC,
					    SONDE__PROTO_VERSION, 0, 0, 0,
					    0, 0, 0 };
		size_t c = sonde__reply_chunk(len, off, &h.type);

		if (c > SONDE__REPLY_CHUNK ||
		    (off + c < len) != (h.type == SONDE__MSG_REPLY_PART))
			abort();
		h.len = (uint32_t)c + 1;
		h.status = h.type == SONDE__MSG_REPLY ? status : 0;
		memcpy(frame, &h, sizeof(h));
		memcpy(frame + sizeof(h), text + off, c);
		frame[sizeof(h) + c] = 0;
		if (sonde__msg_decode(frame, sizeof(h) + c + 1, &m))
			abort();
		k = sonde__reply_take(&r, &m);
		if (k == -ENOMEM)
			goto out;
		if (k < 0)
			abort();
		off += c;
		pieces++;
	} while (!k);
	if (off != len || r.len != len || memcmp(r.text, text, len + 1) ||
	    r.status != status ||
	    pieces != (len ? (len + SONDE__REPLY_CHUNK - 1) /
				     SONDE__REPLY_CHUNK
			   : 1))
		abort();
	/* Nothing is taken after the end. */
	if (sonde__reply_take(&r, &m) != -EPROTO)
		abort();
out:
	sonde__reply_free(&r);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_message(data, size);
	reply_frames(data, size);
	reply_roundtrip(data, size);
	return 0;
}
