/* SPDX-License-Identifier: MIT */
/*
 * Control protocol between the session daemon, its clients (the CLI verbs)
 * and instrumented processes: AF_UNIX SOCK_SEQPACKET, one message per
 * packet, a fixed 32-byte header then a payload of NUL-terminated strings.
 *
 *   client -> daemon   COMMAND  [cwd, verb, args...]          -> REPLY
 *                      (flags F_PARTS: REPLY_PART... then REPLY)
 *   app    -> daemon   HELLO    arg = pid, [process name, session...]
 *                               -> ACK (once the app is placed: arg = a
 *                               session it records into, 0 for none; seq 0;
 *                               not answered)
 *                      EVENTS   [provider:name, ...]  (whole list, again
 *                               whenever the process loads or unloads one)
 *   daemon -> app      ATTACH   arg = session, [patterns], fd = buffers
 *                      ENABLE   arg = session, [patterns]
 *                      DETACH   arg = session                  -> ACK
 *
 * A reply's text has no size limit of its own: a client that sets
 * SONDE__MSG_F_PARTS in its COMMAND gets it in pieces of at most
 * SONDE__REPLY_CHUNK bytes, each one string, as REPLY_PART messages and a
 * last REPLY (which carries the status and ends the reply).  A client
 * without the flag (protocol 1 before the flag existed) gets one REPLY,
 * cut to fit one message.  Peers that know nothing of the flag ignore it
 * (the field was reserved, zero), so the version stays 1.
 *
 * A process records into up to SONDE__APP_SESSIONS_MAX sessions at once,
 * each with its own buffers and patterns: one ATTACH per session.  After a
 * fork() the child records where its parent did; its HELLO names those
 * sessions, each id a string in decimal after the process name (an agent
 * that records nowhere sends the name alone, or an empty string after it,
 * as agents did when a process recorded into one session at most).  A
 * daemon that knows one session per process reads the first of them.
 *
 * Decoding is a pure function of the bytes (fuzzed by fuzz-proto): every
 * length, count and terminator is checked before anything is used; so are
 * the assembly of a reply from its pieces and the session ids of a HELLO.
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
/* Text bytes in one piece of a reply; a whole reply's text at most. */
#define SONDE__REPLY_CHUNK 60000u
#define SONDE__REPLY_MAX (64u << 20)
/* COMMAND: the client takes its reply in pieces. */
#define SONDE__MSG_F_PARTS 1u
/* Sessions one process records into at once, at most (agent.c's slots,
 * SONDE__SLOTS of src/instrumentation/registry.h). */
#define SONDE__APP_SESSIONS_MAX 8u

enum sonde__msg_type {
	SONDE__MSG_HELLO = 1,
	SONDE__MSG_EVENTS = 2,
	SONDE__MSG_COMMAND = 3,
	SONDE__MSG_REPLY = 4,
	SONDE__MSG_ATTACH = 5,
	SONDE__MSG_ENABLE = 6,
	SONDE__MSG_DETACH = 7,
	SONDE__MSG_ACK = 8,
	SONDE__MSG_REPLY_PART = 9,
};

struct sonde__msg_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;    /* payload bytes */
	int32_t status;  /* REPLY, ACK: 0 or -errno */
	uint64_t arg;    /* pid, session id */
	uint32_t seq;    /* request number; an ACK echoes it */
	uint32_t flags;  /* SONDE__MSG_F_*; zero from older peers */
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
 * The sessions that the HELLO @m names (proto.h, above): into @ids, at
 * most @max of them, in the order given; the count.  Only non-zero ids
 * written in decimal digits (at most 19 of them, no sign, no space) are
 * taken, each once; the other strings are skipped.  Only the first
 * SONDE__APP_SESSIONS_MAX strings after the name that are not empty are
 * looked at.
 */
SONDE_HIDDEN uint32_t sonde__hello_sessions(const struct sonde__msg *m,
					    uint64_t *ids, uint32_t max);

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
 * Send the header @h (magic, version and len filled in here) and the
 * payload gathered from @iov (@niov pieces, each string with its
 * terminator).  As sonde__msg_send() otherwise.
 */
struct iovec;
SONDE_HIDDEN int sonde__msg_sendv(int fd, const struct sonde__msg_hdr *h,
				  const struct iovec *iov, uint32_t niov,
				  int fd_pass, int dontwait);

/*
 * The next piece of a reply whose text is @len bytes, from byte @off
 * (@off < @len, or 0 for an empty text): its size, and in *@type
 * SONDE__MSG_REPLY_PART when more follows, else SONDE__MSG_REPLY.
 */
SONDE_HIDDEN size_t sonde__reply_chunk(size_t len, size_t off,
				       uint16_t *type);

/* A reply being put together from its pieces. */
struct sonde__reply {
	char *text;     /* NUL-terminated, malloc'ed */
	size_t len, cap;
	int32_t status; /* of the final REPLY */
	int done;
};

/*
 * Add the decoded message @m to @r.  1 when it was the final REPLY (the
 * reply is complete), 0 when it was a REPLY_PART (more follows), -EPROTO
 * when it is neither, carries other than one string, or comes after the
 * end, -E2BIG past SONDE__REPLY_MAX, -ENOMEM.  Start from a zeroed @r;
 * release with sonde__reply_free().
 */
SONDE_HIDDEN int sonde__reply_take(struct sonde__reply *r,
				   const struct sonde__msg *m);
SONDE_HIDDEN void sonde__reply_free(struct sonde__reply *r);

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
