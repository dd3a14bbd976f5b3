/* SPDX-License-Identifier: MIT */
/*
 * Control protocol between the session daemon, its clients (the CLI verbs)
 * and instrumented processes: AF_UNIX SOCK_SEQPACKET, one message per
 * packet, a fixed 32-byte header then a payload of NUL-terminated strings.
 *
 *   client -> daemon   COMMAND  [cwd, verb, args...]          -> REPLY
 *   app    -> daemon   HELLO    arg = pid, [process name]
 *                      EVENTS   [provider:name, ...]  (whole list, again
 *                               whenever the process loads or unloads one)
 *   daemon -> app      ATTACH   arg = session, [patterns], fd = buffers
 *                      ENABLE   arg = session, [patterns]
 *                      DETACH   arg = session                  -> ACK
 *
 * Decoding is a pure function of the bytes (fuzzed by fuzz-proto): every
 * length, count and terminator is checked before anything is used.
 */
#ifndef SONDE_SRC_CONTROL_PROTO_H
#define SONDE_SRC_CONTROL_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/common.h"

#define SONDE__PROTO_MAGIC 0x53444331u /* "1CDS" */
#define SONDE__PROTO_VERSION 1u
#define SONDE__MSG_PAYLOAD_MAX 65536u
#define SONDE__MSG_ARGS_MAX 256u
#define SONDE__MSG_BUF (32u + SONDE__MSG_PAYLOAD_MAX)

enum sonde__msg_type {
	SONDE__MSG_HELLO = 1,
	SONDE__MSG_EVENTS = 2,
	SONDE__MSG_COMMAND = 3,
	SONDE__MSG_REPLY = 4,
	SONDE__MSG_ATTACH = 5,
	SONDE__MSG_ENABLE = 6,
	SONDE__MSG_DETACH = 7,
	SONDE__MSG_ACK = 8,
};

struct sonde__msg_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;    /* payload bytes */
	int32_t status;  /* REPLY, ACK: 0 or -errno */
	uint64_t arg;    /* pid, session id */
	uint32_t seq;    /* request number; an ACK echoes it */
	uint32_t resv;
};

/* A decoded message; argv points into the buffer it was decoded from. */
struct sonde__msg {
	struct sonde__msg_hdr h;
	uint32_t argc;
	const char *argv[SONDE__MSG_ARGS_MAX];
};

/*
 * Check and split the @n bytes at @buf.  0, or -EPROTO when they are not
 * one well-formed message (bad magic, version or type, a length that is
 * not the packet's, too many strings, a string without its terminator).
 */
SONDE_HIDDEN int sonde__msg_decode(const void *buf, size_t n,
				   struct sonde__msg *m);

/*
 * Send one message; @fd_pass >= 0 rides along (SCM_RIGHTS).  @dontwait:
 * fail with -EAGAIN rather than wait for room (the daemon never waits on
 * a peer).  0 or -errno (-EMSGSIZE when the strings do not fit).
 */
SONDE_HIDDEN int sonde__msg_send(int fd, uint16_t type, int32_t status,
				 uint64_t arg, uint32_t seq,
				 const char *const *argv, uint32_t argc,
				 int fd_pass, int dontwait);

/*
 * Receive one message into @buf (SONDE__MSG_BUF bytes) and decode it into
 * @m.  A passed descriptor goes to *@fd_out (-1 if none; close it even on
 * error).  0, -ECONNRESET on end of stream, -EPROTO when malformed or
 * truncated, or -errno.
 */
SONDE_HIDDEN int sonde__msg_recv(int fd, void *buf, struct sonde__msg *m,
				 int *fd_out, int dontwait);

/* Uid and pid of the process at the other end of a unix socket. */
SONDE_HIDDEN int sonde__peer_cred(int fd, uid_t *uid, pid_t *pid);

#endif
