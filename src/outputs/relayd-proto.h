/* SPDX-License-Identifier: MIT */
/*
 * The producer side of lttng-relayd's control and data protocol, as sonde
 * speaks it (relayd-proto.c): message layouts at protocol 2.10, the
 * oldest level lttng-relayd 2.13 and later still accept, and the relay
 * URL.  Pure encoding and decoding: no sockets here (relay.c owns them).
 */
#ifndef SONDE_SRC_OUTPUTS_RELAYD_PROTO_H
#define SONDE_SRC_OUTPUTS_RELAYD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"
#include "output.h"

/* What sonde announces; the relayd answers its own and both use the
 * lower minor (it must be >= 10 for the layouts below). */
#define SONDE__RELAYD_MAJOR 2u
#define SONDE__RELAYD_MINOR 10u

/* Default ports of lttng-relayd. */
#define SONDE__RELAYD_CTRL_PORT 5342u
#define SONDE__RELAYD_DATA_PORT 5343u
#define SONDE__RELAYD_LIVE_PORT 5344u

/* Control commands (the relayd's numbering). */
enum sonde__relayd_cmd {
	SONDE__RELAYD_ADD_STREAM = 1,
	SONDE__RELAYD_CREATE_SESSION = 2,
	SONDE__RELAYD_START_DATA = 3,
	SONDE__RELAYD_VERSION = 5,
	SONDE__RELAYD_SEND_METADATA = 6,
	SONDE__RELAYD_CLOSE_STREAM = 7,
	SONDE__RELAYD_DATA_PENDING = 8,
	SONDE__RELAYD_SEND_INDEX = 13,
	SONDE__RELAYD_STREAMS_SENT = 16,
};

/* The relayd's ret_code for success (LTTng's LTTNG_OK). */
#define SONDE__RELAYD_OK 10u

/* Sizes on the wire (every struct is packed, every integer big-endian). */
#define SONDE__RELAYD_HDR_SIZE 24u      /* control header */
#define SONDE__RELAYD_DATA_HDR_SIZE 32u /* data header */
#define SONDE__RELAYD_SESSION_NAME_MAX 255u
#define SONDE__RELAYD_HOST_NAME_MAX 64u
#define SONDE__RELAYD_CREATE_SESSION_SIZE                                      \
	(SONDE__RELAYD_SESSION_NAME_MAX + SONDE__RELAYD_HOST_NAME_MAX + 4 + 4)
#define SONDE__RELAYD_CHANNEL_NAME_MAX 264u
#define SONDE__RELAYD_PATH_MAX 4096u
#define SONDE__RELAYD_ADD_STREAM_SIZE                                          \
	(SONDE__RELAYD_CHANNEL_NAME_MAX + SONDE__RELAYD_PATH_MAX + 8 + 8)
#define SONDE__RELAYD_INDEX_SIZE 80u
#define SONDE__RELAYD_METADATA_HDR_SIZE 12u /* stream, padding */
#define SONDE__RELAYD_CLOSE_STREAM_SIZE 16u
#define SONDE__RELAYD_DATA_PENDING_SIZE 16u /* stream, last seq */
/* Reply sizes. */
#define SONDE__RELAYD_REPLY_VERSION 8u  /* major, minor */
#define SONDE__RELAYD_REPLY_HANDLE 12u  /* session or stream id, ret_code */
#define SONDE__RELAYD_REPLY_GENERIC 4u  /* ret_code */

/* The largest control message this file encodes, metadata bytes apart. */
#define SONDE__RELAYD_MSG_MAX                                                  \
	(SONDE__RELAYD_HDR_SIZE + SONDE__RELAYD_ADD_STREAM_SIZE)

/* A relay address: net://HOST[:CTRL[:DATA]] (tcp:// is taken too; HOST
 * a name, an IPv4 address or an IPv6 one in brackets). */
struct sonde__relayd_url {
	char host[256];
	uint16_t ctrl_port, data_port;
};

/*
 * Parse @url.  0, or -EINVAL with a sentence for the user in @why (@n
 * bytes).  Defaults: the relayd's ports, DATA = CTRL + 1 when only CTRL
 * is given.
 */
SONDE_HIDDEN int sonde__relayd_url_parse(const char *url,
					 struct sonde__relayd_url *u,
					 char *why, size_t n);

/*
 * Encoders: each writes one whole control message (header and payload)
 * to @buf, which holds at least SONDE__RELAYD_MSG_MAX bytes, and returns
 * its size.  Names longer than the field leave it: -ENAMETOOLONG.
 */
SONDE_HIDDEN size_t sonde__relayd_enc_version(uint8_t *buf);
SONDE_HIDDEN int sonde__relayd_enc_create_session(uint8_t *buf,
						  const char *session,
						  const char *hostname,
						  uint32_t live_timer_us);
SONDE_HIDDEN int sonde__relayd_enc_add_stream(uint8_t *buf, const char *name,
					      const char *path);
SONDE_HIDDEN size_t sonde__relayd_enc_streams_sent(uint8_t *buf);
/* The header and fixed part of SEND_METADATA for @len bytes of text
 * (which follow it on the wire): SONDE__RELAYD_HDR_SIZE +
 * SONDE__RELAYD_METADATA_HDR_SIZE bytes. */
SONDE_HIDDEN size_t sonde__relayd_enc_metadata(uint8_t *buf, uint64_t handle,
					       uint64_t len);
/* SEND_INDEX of a packet sent as @seq on stream @handle, or a live beacon
 * (@idx->packet_size 0: "no data until idx->timestamp_end"). */
SONDE_HIDDEN size_t
sonde__relayd_enc_index(uint8_t *buf, uint64_t handle, uint64_t seq,
			const struct sonde__packet_index *idx);
SONDE_HIDDEN size_t sonde__relayd_enc_close_stream(uint8_t *buf,
						   uint64_t handle,
						   uint64_t last_seq);
/*
 * DATA_PENDING: does the relay still wait for data of stream @handle up
 * to packet @last_seq?  Its generic reply's code is not LTTNG_OK but 0
 * (everything up to @last_seq received and written to the stream's file,
 * with its index in a session that has indexes) or 1 (some still
 * missing); anything else is a refusal (an unknown stream).
 */
SONDE_HIDDEN size_t sonde__relayd_enc_data_pending(uint8_t *buf,
						   uint64_t handle,
						   uint64_t last_seq);
/* The data connection's header of a packet of @len bytes. */
SONDE_HIDDEN size_t sonde__relayd_enc_data_hdr(uint8_t *buf, uint64_t handle,
					       uint64_t seq, uint32_t len);

/* Decoders of replies (@p holds the reply's size). */
/* The stream handle of a data header or SEND_INDEX message encoded
 * earlier, written in once the relay gave it (a stream added on a live
 * connection, its packets queued meanwhile). */
SONDE_HIDDEN void sonde__relayd_set_data_hdr_stream(uint8_t *buf,
						   uint64_t handle);
SONDE_HIDDEN void sonde__relayd_set_index_stream(uint8_t *buf,
						uint64_t handle);
SONDE_HIDDEN void sonde__relayd_dec_version(const uint8_t *p, uint32_t *major,
					    uint32_t *minor);
SONDE_HIDDEN uint32_t sonde__relayd_dec_handle(const uint8_t *p,
					       uint64_t *handle);
SONDE_HIDDEN uint32_t sonde__relayd_dec_generic(const uint8_t *p);

#endif
