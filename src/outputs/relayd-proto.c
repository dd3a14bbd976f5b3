// SPDX-License-Identifier: MIT
/*
 * lttng-relayd's producer protocol, written from its description (the
 * message layouts in ../shared/notes/prior-art-relayd.md, checked against
 * a running lttng-relayd 2.13), not from LTTng's sources.
 *
 * Two TCP connections per session.  The control connection carries
 * request/reply commands: a 24-byte header {circuit_id u64 = 0,
 * data_size u64 (payload bytes), cmd u32, cmd_version u32 = 0}, then the
 * payload; replies are bare structs.  The data connection carries one
 * 32-byte header {circuit_id u64, stream handle u64, net_seq_num u64,
 * data_size u32, padding_size u32} before each packet and is never
 * answered.  Every integer is big-endian, every struct packed.
 *
 * Sonde announces protocol 2.10, which the relayd keeps for LTTng 2.10
 * peers (fixed-size names, no trace chunks): CREATE_SESSION {name[255],
 * hostname[64], live_timer u32 (us), snapshot u32}; ADD_STREAM
 * {channel[264], path[4096] (relative to the relayd's output root),
 * tracefile_size u64, tracefile_count u64}; SEND_INDEX {handle, seq,
 * packet_size, content_size (bits), timestamp_begin, timestamp_end,
 * events_discarded, stream class id, stream_instance_id, packet_seq_num},
 * ten u64s.  An index with packet_size 0 is a live beacon.
 *
 * Trust boundary: none here.  Replies are fixed-size integers; relay.c
 * reads them and treats a reply it did not expect as a lost connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relayd-proto.h"

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
		*p++ = (uint8_t)(v >> (i * 8));
	return p;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--)
		*p++ = (uint8_t)(v >> (i * 8));
	return p;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* A NUL-padded fixed-size string field; -ENAMETOOLONG unless @s and its
 * NUL fit. */
static int put_name(uint8_t **p, const char *s, size_t field)
{
	size_t len = strlen(s);

	if (len >= field)
		return -ENAMETOOLONG;
	memset(*p, 0, field);
	memcpy(*p, s, len);
	*p += field;
	return 0;
}

static uint8_t *put_hdr(uint8_t *p, uint32_t cmd, uint64_t size)
{
	p = put64(p, 0);
	p = put64(p, size);
	p = put32(p, cmd);
	return put32(p, 0);
}

size_t sonde__relayd_enc_version(uint8_t *buf)
{
	uint8_t *p = put_hdr(buf, SONDE__RELAYD_VERSION, 8);

	p = put32(p, SONDE__RELAYD_MAJOR);
	p = put32(p, SONDE__RELAYD_MINOR);
	return (size_t)(p - buf);
}

int sonde__relayd_enc_create_session(uint8_t *buf, const char *session,
				     const char *hostname,
				     uint32_t live_timer_us)
{
	uint8_t *p = put_hdr(buf, SONDE__RELAYD_CREATE_SESSION,
			     SONDE__RELAYD_CREATE_SESSION_SIZE);

	if (put_name(&p, session, SONDE__RELAYD_SESSION_NAME_MAX) ||
	    put_name(&p, hostname, SONDE__RELAYD_HOST_NAME_MAX))
		return -ENAMETOOLONG;
	p = put32(p, live_timer_us);
	p = put32(p, 0); /* not a snapshot session */
	return (int)(p - buf);
}

int sonde__relayd_enc_add_stream(uint8_t *buf, const char *name,
				 const char *path)
{
	uint8_t *p = put_hdr(buf, SONDE__RELAYD_ADD_STREAM,
			     SONDE__RELAYD_ADD_STREAM_SIZE);

	if (put_name(&p, name, SONDE__RELAYD_CHANNEL_NAME_MAX) ||
	    put_name(&p, path, SONDE__RELAYD_PATH_MAX))
		return -ENAMETOOLONG;
	p = put64(p, 0); /* one file per stream, never rotated */
	p = put64(p, 0);
	return (int)(p - buf);
}

size_t sonde__relayd_enc_streams_sent(uint8_t *buf)
{
	return (size_t)(put_hdr(buf, SONDE__RELAYD_STREAMS_SENT, 0) - buf);
}

size_t sonde__relayd_enc_metadata(uint8_t *buf, uint64_t handle, uint64_t len)
{
	uint8_t *p = put_hdr(buf, SONDE__RELAYD_SEND_METADATA,
			     SONDE__RELAYD_METADATA_HDR_SIZE + len);

	p = put64(p, handle);
	p = put32(p, 0); /* no padding: the text only */
	return (size_t)(p - buf);
}

size_t sonde__relayd_enc_index(uint8_t *buf, uint64_t handle, uint64_t seq,
			       const struct sonde__packet_index *idx)
{
	uint8_t *p = put_hdr(buf, SONDE__RELAYD_SEND_INDEX,
			     SONDE__RELAYD_INDEX_SIZE);

	p = put64(p, handle);
	p = put64(p, seq);
	p = put64(p, idx->packet_size);
	p = put64(p, idx->content_size);
	p = put64(p, idx->timestamp_begin);
	p = put64(p, idx->timestamp_end);
	p = put64(p, idx->events_discarded);
	p = put64(p, idx->stream_id);
	p = put64(p, idx->stream_instance_id);
	p = put64(p, idx->packet_seq_num);
	return (size_t)(p - buf);
}

/* A command whose payload is a stream handle and a sequence number. */
static size_t enc_handle_seq(uint8_t *buf, uint32_t cmd, uint64_t size,
			     uint64_t handle, uint64_t seq)
{
	uint8_t *p = put_hdr(buf, cmd, size);

	p = put64(p, handle);
	p = put64(p, seq);
	return (size_t)(p - buf);
}

size_t sonde__relayd_enc_close_stream(uint8_t *buf, uint64_t handle,
				      uint64_t last_seq)
{
	return enc_handle_seq(buf, SONDE__RELAYD_CLOSE_STREAM,
			      SONDE__RELAYD_CLOSE_STREAM_SIZE, handle,
			      last_seq);
}

size_t sonde__relayd_enc_data_pending(uint8_t *buf, uint64_t handle,
				      uint64_t last_seq)
{
	return enc_handle_seq(buf, SONDE__RELAYD_DATA_PENDING,
			      SONDE__RELAYD_DATA_PENDING_SIZE, handle,
			      last_seq);
}

size_t sonde__relayd_enc_data_hdr(uint8_t *buf, uint64_t handle, uint64_t seq,
				  uint32_t len)
{
	uint8_t *p = put64(buf, 0);

	p = put64(p, handle);
	p = put64(p, seq);
	p = put32(p, len);
	p = put32(p, 0); /* the whole packet is sent: no padding to add */
	return (size_t)(p - buf);
}

void sonde__relayd_set_data_hdr_stream(uint8_t *buf, uint64_t handle)
{
	put64(buf + 8, handle);
}

void sonde__relayd_set_index_stream(uint8_t *buf, uint64_t handle)
{
	put64(buf + SONDE__RELAYD_HDR_SIZE, handle);
}

void sonde__relayd_dec_version(const uint8_t *p, uint32_t *major,
			       uint32_t *minor)
{
	*major = get32(p);
	*minor = get32(p + 4);
}

uint32_t sonde__relayd_dec_handle(const uint8_t *p, uint64_t *handle)
{
	*handle = get64(p);
	return get32(p + 8);
}

uint32_t sonde__relayd_dec_generic(const uint8_t *p)
{
	return get32(p);
}

/* A port number, 1..65535, the whole of @s. */
static int parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long v = 0;

	if (!len || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (!v || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int sonde__relayd_url_parse(const char *url, struct sonde__relayd_url *u,
			    char *why, size_t n)
{
	const char *h, *end, *ports;
	size_t hlen;

	memset(u, 0, sizeof(*u));
	if (!strncmp(url, "net://", 6) || !strncmp(url, "tcp://", 6))
		h = url + 6;
	else
		goto bad;
	if (*h == '[') {
		end = strchr(h, ']');
		if (!end)
			goto bad;
		hlen = (size_t)(end - h - 1);
		h++;
		ports = end + 1;
	} else {
		end = h + strcspn(h, ":/");
		hlen = (size_t)(end - h);
		ports = end;
	}
	if (!hlen || hlen >= sizeof(u->host))
		goto bad;
	memcpy(u->host, h, hlen);
	u->ctrl_port = SONDE__RELAYD_CTRL_PORT;
	u->data_port = SONDE__RELAYD_DATA_PORT;
	if (*ports == ':') {
		const char *c = ports + 1, *d = strchr(c, ':');
		size_t clen = d ? (size_t)(d - c) : strcspn(c, "/");

		if (parse_port(c, clen, &u->ctrl_port))
			goto bad;
		if (d) {
			if (parse_port(d + 1, strcspn(d + 1, "/"),
				       &u->data_port))
				goto bad;
			ports = d + 1 + strcspn(d + 1, "/");
		} else {
			if (u->ctrl_port == 65535)
				goto bad;
			u->data_port = (uint16_t)(u->ctrl_port + 1);
			ports = c + clen;
		}
	}
	if (*ports && strcmp(ports, "/"))
		goto bad;
	return 0;
bad:
	snprintf(why, n,
		 "bad relay address '%s': give net://HOST[:CONTROL_PORT[:DATA_PORT]], as net://collector or net://127.0.0.1:5342:5343",
		 url);
	return -EINVAL;
}
