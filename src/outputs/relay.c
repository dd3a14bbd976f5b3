// SPDX-License-Identifier: MIT
/*
 * The lttng-relayd output (see output.h for the contract, relayd-proto.c
 * for the wire): a trace streamed to a relay daemon, which stores it
 * under its output root and serves it live to viewers (babeltrace2
 * --input-format=lttng-live).
 *
 * A session is two TCP connections, control and data.  Creating the
 * output connects, says VERSION, CREATE_SESSION (live when a live timer
 * is given) and adds the metadata stream, waiting on each step, within
 * SETUP_MS (the user sees a clear error at once); a reconnection takes
 * the same steps without ever waiting (see "session setup" below).  A
 * stream of the trace is added when it is opened (or, after a
 * reconnection, again with the others), then STREAMS_SENT publishes it
 * to viewers.  On a live connection that is not waited on either: its
 * ADD_STREAM is queued, and its packets and indexes meanwhile are queued
 * (copied, within max_queue) with the handle left blank; each queue stops
 * at the first such entry until the reply gives the handle, which is then
 * written in (reply_add()).  Replies come in the order of the requests:
 * the reply due next is a handle (12 bytes) when its number is the one
 * of the oldest ADD_STREAM awaited, otherwise generic (4 bytes).  Each packet is sent whole (padding included: the relay's
 * copy is byte for byte the local one) as data header + packet on the
 * data connection, then its SEND_INDEX on the control connection, which
 * the relay matches by (stream, sequence number) to expose the packet to
 * live viewers.  Metadata is sent as it grows: only the bytes past what
 * was sent, which the trace guarantees are an append (flag
 * SONDE__OUTPUT_APPEND_METADATA).
 *
 * Never blocking the traced processes: the recorder calls this output
 * from its drain loop, and a slow or dead relay must not stop that loop
 * (the ring buffers would fill and the writers discard, as they would
 * anyway, but the local copy and the other sources go on).  After setup
 * both sockets are non-blocking.  A packet is first written straight from
 * the caller's memory (the shared-memory sub-buffer: no copy in user
 * space); what the socket does not take is copied into a queue, bounded
 * by max_queue bytes with the control messages.  A packet that would not
 * fit is dropped before any byte of it is sent, and counted: the relay
 * only ever holds whole packets, and the gap shows in the packet sequence
 * numbers (babeltrace2 reports discarded packets).
 *
 * Zero copy: where the kernel takes SO_ZEROCOPY (unless
 * SONDE_RELAY_ZEROCOPY=0), a packet whose payload the caller lets us hold
 * (SONDE__WRITE_MAY_HOLD: the consumer, for a packet still in its
 * shared-memory sub-buffer) goes out in two sends: the headers (ours and
 * the packet's, copied as usual), then the payload with MSG_ZEROCOPY: the
 * kernel pins the pages and reads them while it transmits, until the
 * relay's kernel acknowledges them; what the socket does not take is
 * queued by reference, not copied, and sent the same way later.  Every
 * zero-copy send that takes bytes gets the next number of a 32-bit
 * counter; the kernel reports the numbers it is done with on the socket's
 * error queue (SO_EE_ORIGIN_ZEROCOPY, an inclusive range ee_info..ee_data,
 * ee_code SO_EE_CODE_ZEROCOPY_COPIED when it copied after all, as it does
 * on loopback, delivering locally).  A held packet is retired once all of
 * it was sent and its last number reported; the stream's retired count
 * (output.h) is the number of its packets before its oldest held one, and
 * the consumer hands a sub-buffer back to the writers only then, and the
 * ones written after it wait with it.  A held packet the relay is slow to
 * acknowledge thus stops the writers of its CPU once they come round to
 * it, where a copied one would have waited in the queue: a packet is held
 * only when it leaves at once, within the window the relay's kernel
 * advertised (zc_room()), which acknowledges it within a round trip even
 * if the relay stopped reading; otherwise it is copied.  Bounds: at most
 * STREAM_HOLD_MAX held packets per stream (more are copied, as are
 * payloads under ZC_MIN bytes, where pinning costs more than it saves); a
 * held packet unacknowledged for ZC_STALL_MS means a connection that no
 * longer moves, whose pinned buffers would stop the writers for good: it
 * is given up as lost.  A lost connection is
 * aborted (SO_LINGER 0: the kernel frees its send queue at once, and the
 * pages with it) and every hold dropped; at the end, or when the caller
 * asks (release()), what is held is waited for, within SETUP_MS.
 *
 * A lost connection (EOF, reset, error, a reply we did not expect) closes
 * both sockets; what was queued is counted lost, and the bytes still in
 * the kernel's send queue (SIOCOUTQ) too.  Bytes the relay's kernel
 * acknowledged are not safe either: a relay killed before it read them
 * from its socket never stores them, and SIOCOUTQ no longer shows them
 * (on loopback it is about 0).  So the output asks the relay, every
 * PROBE_MS, which packets it has (DATA_PENDING: "all data of stream S up
 * to packet N received?", answered 0 when it wrote them, with their index
 * in a live session); the packets sent on a lost connection and never
 * confirmed are counted as possibly lost (unconfirmed_lost_*), beside
 * those never sent.  At the end, the output asks until every packet is
 * confirmed (or FINISH's time is up) before closing the streams.  Reconnection is tried every
 * RETRY_MS, at most opts->retries times per outage; it makes a new
 * session in a new directory ("<path>.N"), adds the streams again and
 * resends the whole metadata, and the packets go on from there.  It is
 * moved on by sonde__output_relay_poll() as the sockets allow, never
 * waited on: a relay that accepts and does not answer would otherwise
 * stop the recorder's drain loop, or the daemon, for SETUP_MS a try.  A
 * step not done within SETUP_MS gives the attempt up (attempts_failed);
 * meanwhile the output is down, and packets are counted lost as during
 * any outage.
 *
 * Live beacons: a live viewer merges streams in time order and waits on a
 * stream until it knows what it holds; for a stream with no new packet
 * since the last timer tick a SEND_INDEX with packet_size 0 says "no data
 * until T", so the view moves on.  T must not pass the beginning of the
 * stream's next packet, or the viewer meets a packet older than what it
 * already showed and stops ("message's timestamp is less than ... last
 * returned timestamp", seen with T = now): the caller gives T, the time
 * at which it closed every CPU's current packet (record-relay.c).  The
 * relay takes beacons only for a stream that has had a packet.
 *
 * Trust boundary: the network peer.  Replies are read into fixed-size
 * buffers, only as many bytes as the request expects; a reply other than
 * success is counted and logged; a peer that sends what was not asked for
 * is a lost connection.  Names sent are bounded by their fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/errqueue.h>
#include <linux/sockios.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_snd_wnd */

#include "relayd-proto.h"

/* Each step of a session's setup (connect, a request and its reply). */
#define SETUP_MS 3000
/* Between reconnection attempts. */
#define RETRY_MS 1000
/* Streams of a trace, at most (sources open one per CPU). */
#define MAX_STREAMS 4096
/* What each queued message may hold besides its bytes. */
#define QENT_PACKET 1
#define QENT_DATA_HDR 2 /* begins with a data header */
#define QENT_INDEX 4    /* a SEND_INDEX message */
/* Zero copy: held packets per stream at most; the smallest payload sent
 * so; how long a held packet may wait for the relay's acknowledgement. */
#define STREAM_HOLD_MAX 8
#define ZC_MIN 16384
#define ZC_STALL_MS 5000
/* Out-of-order completion ranges kept at most (TCP reports in order). */
#define ZC_RANGES 32
/* Between two rounds of DATA_PENDING questions. */
#define PROBE_MS 200

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

struct sonde__ostream {
	char name[64];
	uint64_t handle;   /* the relay's, in session gen */
	uint32_t gen;      /* session the handle belongs to; 0: none */
	uint64_t next_seq; /* net_seq_num of the next packet, per session */
	uint64_t size;     /* bytes given (the stream's offsets) */
	int has_idx;       /* a packet was sent in this session */
	int active;        /* a packet since the last live tick */
	struct sonde__packet_index last;
	/* Zero copy: packets given (the numbers retired() counts), held
	 * ones, and the number of the oldest of them. */
	uint64_t given;
	uint32_t nheld;
	uint64_t oldest;
	/* Confirmation (DATA_PENDING), in this session: bytes handed to the
	 * connection; packets (and their bytes) the relay said it has; the
	 * question in flight, if any, in the queue of questions. */
	uint64_t sess_bytes;
	uint64_t confirmed, confirmed_bytes;
	int probing;
	int refused;          /* the relay refused the question */
	uint64_t probe_at;    /* its reply's number */
	uint64_t probe_seq, probe_bytes;
	struct sonde__ostream *probe_next;
	/* Added on a live connection: its ADD_STREAM's reply (a reply's
	 * number) is awaited; the next stream so waiting. */
	int adding;
	uint64_t add_at;
	struct sonde__ostream *add_next;
};

/* A packet whose payload the kernel may still read (zero copy). */
struct held {
	struct held *next;
	struct sonde__ostream *s;
	uint64_t num;     /* its number in the stream (given) */
	uint64_t since;   /* CLOCK_MONOTONIC ns, when written */
	uint32_t zc_last; /* number of its last zero-copy send */
	int zc_any;       /* a zero-copy send took some of it */
	int queued;       /* some of it waits in the queue */
	int copied;       /* the kernel copied it after all */
};

struct qent {
	struct qent *next;
	size_t len, off;  /* bytes, and how many of them are sent */
	uint64_t payload; /* the packet's bytes, for QENT_PACKET */
	int flags;
	const uint8_t *ext; /* zero copy: the held payload, not copied */
	struct held *h;
	/* The stream whose relay handle this entry names, once its
	 * ADD_STREAM is answered: the queue waits here until then, and the
	 * handle is written in (QENT_DATA_HDR or QENT_INDEX). */
	struct sonde__ostream *wait;
	uint8_t data[];
};

struct queue {
	struct qent *head, **tail;
	uint64_t bytes;
};

/* A session being made (see "session setup" below). */
struct attempt {
	int on;
	int cfd, dfd;  /* being connected, then the connections */
	int cok, dok;  /* connected */
	struct addrinfo *cai, *dai, *cnext, *dnext;
	int step;
	uint32_t idx;  /* the streams added so far */
	uint8_t out[SONDE__RELAYD_MSG_MAX]; /* the request, @ooff sent */
	size_t olen, ooff;
	uint8_t in[SONDE__RELAYD_REPLY_HANDLE]; /* its reply, @ilen read */
	size_t iwant, ilen;
	uint64_t deadline; /* of the step, CLOCK_MONOTONIC ns */
	char path[384];
	char why[640];
};

struct relay_output {
	struct sonde__output base;
	struct sonde__relayd_url url;
	char hostname[SONDE__RELAYD_HOST_NAME_MAX];
	char session[SONDE__RELAYD_SESSION_NAME_MAX];
	char base_path[352]; /* "<host>/<session>-<date>" */
	uint32_t live_timer_us;
	uint64_t max_queue;
	uint32_t retries;

	int cfd, dfd;  /* -1 when down */
	uint32_t gen;  /* sessions made so far */
	struct queue cq, dq;
	uint64_t replies_due; /* generic (4-byte) replies still to read */
	uint8_t rbuf[SONDE__RELAYD_REPLY_HANDLE];
	size_t rlen;
	/* Streams added on the live connection, their reply awaited, in
	 * the order of their requests. */
	struct sonde__ostream *add_head, **add_tail;
	uint32_t nadds;
	uint64_t meta_handle;
	char *meta; /* the metadata text given so far */
	size_t meta_len, meta_sent;
	int streams_unsent;  /* STREAMS_SENT due */
	struct sonde__ostream **streams;
	uint32_t nr, cap;

	uint64_t retry_at;  /* CLOCK_MONOTONIC ns */
	uint32_t tries;
	struct attempt at;  /* a reconnection under way, if at.on */
	int setup;          /* the first setup under way, moved on by
			       sonde__output_relay_setup_step() */
	unsigned int cflags; /* of sonde__output_relay_create() */
	int finished;
	int end_step; /* sonde__output_relay_finish_step(): 0 none, 1 sending
			 and confirming, 2 waiting for the kernel's zero copy,
			 3 streams closed, their replies due */
	/* Zero copy: wanted (SONDE_RELAY_ZEROCOPY), even beyond the relay's
	 * window ("force", for tests); the number of the next
	 * send and the first one not reported done, with the ranges
	 * reported ahead of it; the held packets, oldest first. */
	int zc_want, zc_force;
	uint32_t zc_next, zc_done;
	uint32_t zc_lo[ZC_RANGES], zc_hi[ZC_RANGES];
	uint32_t zc_nr;
	struct held *hhead, **htail;
	/* Confirmation: replies read in this session (a reply's number),
	 * the questions in flight, and when the next round is due. */
	uint64_t replies_read;
	struct sonde__ostream *probe_head, **probe_tail;
	uint64_t probe_at;
	struct sonde__relay_stats st;
};

static struct relay_output *relay_of(struct sonde__output *o)
{
	return (struct relay_output *)o;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------- queues */

static void q_init(struct queue *q)
{
	q->head = NULL;
	q->tail = &q->head;
	q->bytes = 0;
}

/* Free every entry; the packets among them, partly sent or not, are
 * counted lost in @st. */
static void q_drop(struct queue *q, struct sonde__relay_stats *st)
{
	while (q->head) {
		struct qent *e = q->head;

		q->head = e->next;
		if (e->flags & QENT_PACKET) {
			st->lost_packets++;
			st->lost_bytes += e->payload;
		}
		free(e);
	}
	q_init(q);
}

/* Queue @n bytes of @iov (@cnt buffers) from byte @skip on.  0 or -ENOMEM. */
static int q_push(struct queue *q, const struct iovec *iov, int cnt,
		  size_t skip, int flags, uint64_t payload)
{
	size_t total = 0;
	struct qent *e;
	uint8_t *p;

	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if (skip >= total)
		return 0;
	e = malloc(sizeof(*e) + total - skip);
	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->len = total - skip;
	e->off = 0;
	e->flags = flags;
	e->payload = payload;
	e->ext = NULL;
	e->h = NULL;
	e->wait = NULL;
	p = e->data;
	for (int i = 0; i < cnt; i++) {
		size_t len = iov[i].iov_len;
		const uint8_t *b = iov[i].iov_base;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		memcpy(p, b + skip, len - skip);
		p += len - skip;
		skip = 0;
	}
	*q->tail = e;
	q->tail = &e->next;
	q->bytes += e->len;
	return 0;
}

/* Queue @len bytes at @p by reference: the rest of @h's payload, which
 * the caller keeps unchanged until @h is retired.  0 or -ENOMEM. */
static int q_push_ext(struct queue *q, const uint8_t *p, size_t len,
		      struct held *h, uint64_t payload)
{
	struct qent *e = malloc(sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->next = NULL;
	e->len = len;
	e->off = 0;
	e->flags = QENT_PACKET;
	e->payload = payload;
	e->ext = p;
	e->h = h;
	e->wait = NULL;
	*q->tail = e;
	q->tail = &e->next;
	q->bytes += len;
	return 0;
}

/* Send what @q holds on @fd without blocking; entries by reference with
 * MSG_ZEROCOPY, numbered from *@zc_next.  0 (all sent or the socket
 * full) or -errno of a broken connection. */
static int q_flush(struct queue *q, int fd, uint32_t *zc_next)
{
	int zc = MSG_ZEROCOPY;

	while (q->head) {
		struct qent *e = q->head;
		int flags = MSG_NOSIGNAL | MSG_DONTWAIT | (e->ext ? zc : 0);
		ssize_t w;

		if (e->wait && e->wait->adding)
			return 0; /* its handle is not known yet */
		w = send(fd, e->ext ? e->ext + e->off : e->data + e->off,
			 e->len - e->off, flags);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			/* No room for one more completion (optmem): these
			 * bytes are copied, the rest still go by reference. */
			if (errno == ENOBUFS && (flags & MSG_ZEROCOPY)) {
				zc = 0;
				continue;
			}
			return -errno;
		}
		e->off += (size_t)w;
		q->bytes -= (uint64_t)w;
		if (e->h && w > 0 && (flags & MSG_ZEROCOPY)) {
			e->h->zc_any = 1;
			e->h->zc_last = (*zc_next)++;
		}
		zc = MSG_ZEROCOPY;
		if (e->off < e->len)
			return 0;
		if (e->h)
			e->h->queued = 0;
		q->head = e->next;
		if (!q->head)
			q->tail = &q->head;
		free(e);
	}
	return 0;
}

/* ------------------------------------------------------------ waiting */

static int wait_fd(int fd, short ev, uint64_t deadline)
{
	for (;;) {
		uint64_t now = mono_ns();
		struct pollfd p = { fd, ev, 0 };
		int r;

		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int read_replies(struct relay_output *r);

/* Send what is queued on the control connection and read every reply
 * due, waiting until @deadline at most.  Requests behind a stream's
 * awaited handle go once the reply that gives it is read. */
static int settle(struct relay_output *r, uint64_t deadline)
{
	for (;;) {
		struct qent *h;
		short ev = 0;
		int e = q_flush(&r->cq, r->cfd, NULL);

		if (!e)
			e = read_replies(r);
		if (e)
			return e;
		h = r->cq.head;
		if (!h && !r->replies_due)
			return 0;
		if (h && !(h->wait && h->wait->adding))
			ev |= POLLOUT;
		if (r->replies_due)
			ev |= POLLIN;
		e = wait_fd(r->cfd, ev, deadline);
		if (e)
			return e;
	}
}

/* Mark the entry last pushed on @q as naming @s's handle, not known yet
 * (@flag: where it is). */
static void q_wait_last(struct queue *q, struct sonde__ostream *s, int flag)
{
	struct qent *e = (struct qent *)((char *)q->tail -
					 offsetof(struct qent, next));

	e->wait = s;
	e->flags |= flag;
}

/* @s's handle is known: write it into the entries of @q waiting on it. */
static void q_patch(struct queue *q, struct sonde__ostream *s)
{
	for (struct qent *e = q->head; e; e = e->next) {
		if (e->wait != s)
			continue;
		if (e->flags & QENT_DATA_HDR)
			sonde__relayd_set_data_hdr_stream(e->data, s->handle);
		if (e->flags & QENT_INDEX)
			sonde__relayd_set_index_stream(e->data, s->handle);
		e->wait = NULL;
	}
}

static void close_fds(struct relay_output *r)
{
	if (r->cfd >= 0)
		close(r->cfd);
	if (r->dfd >= 0)
		close(r->dfd);
	r->cfd = r->dfd = -1;
	r->st.up = 0;
}

/* ---------------------------------------------------------- zero copy */

/* Whether zero-copy send number @a comes before @b (32-bit, wrapping). */
static int zc_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/* Sends @lo..@hi (inclusive) are done, @copied by the kernel: move
 * zc_done over them, and over the ranges kept that now follow it.  The
 * held packets they end are marked copied. */
static void zc_done_range(struct relay_output *r, uint32_t lo, uint32_t hi,
			  int copied)
{
	if (copied)
		for (struct held *h = r->hhead; h; h = h->next)
			if (h->zc_any && !zc_before(h->zc_last, lo) &&
			    !zc_before(hi, h->zc_last))
				h->copied = 1;
	if (zc_before(r->zc_done, lo)) {
		/* Ahead of what is done: kept for later (TCP reports in
		 * order; a range lost here only delays, up to the stall). */
		if (r->zc_nr < ZC_RANGES) {
			r->zc_lo[r->zc_nr] = lo;
			r->zc_hi[r->zc_nr++] = hi;
		}
		return;
	}
	if (!zc_before(hi, r->zc_done))
		r->zc_done = hi + 1;
	for (uint32_t i = 0; i < r->zc_nr; i++) {
		if (zc_before(r->zc_done, r->zc_lo[i]))
			continue;
		if (!zc_before(r->zc_hi[i], r->zc_done))
			r->zc_done = r->zc_hi[i] + 1;
		r->zc_lo[i] = r->zc_lo[--r->zc_nr];
		r->zc_hi[i] = r->zc_hi[r->zc_nr];
		i = (uint32_t)-1; /* again: one may follow now */
	}
}

/* Note the oldest held packet of @s (it has one) as such. */
static void zc_next_oldest(struct relay_output *r, struct sonde__ostream *s)
{
	for (struct held *h = r->hhead; h; h = h->next)
		if (h->s == s) {
			s->oldest = h->num;
			return;
		}
}

/* Free the held packets from the oldest on while they are retired (every
 * one with @all: the kernel no longer holds anything of the connection). */
static void zc_retire(struct relay_output *r, int all)
{
	while (r->hhead) {
		struct held *h = r->hhead;

		if (!all && (h->queued ||
			     (h->zc_any && !zc_before(h->zc_last, r->zc_done))))
			break;
		r->hhead = h->next;
		if (!r->hhead)
			r->htail = &r->hhead;
		if (h->copied)
			r->st.zc_copied++;
		if (--h->s->nheld)
			zc_next_oldest(r, h->s);
		free(h);
	}
}

/* Read the kernel's completion reports, without blocking, and retire
 * what they free. */
static void zc_reap(struct relay_output *r)
{
	while (r->hhead && r->dfd >= 0) {
		union {
			char buf[CMSG_SPACE(sizeof(struct sock_extended_err)) +
				 64];
			struct cmsghdr align;
		} ctl;
		struct msghdr m = { 0 };
		struct cmsghdr *c;

		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		if (recvmsg(r->dfd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			struct sock_extended_err ee;

			if (!((c->cmsg_level == SOL_IP &&
			       c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == SOL_IPV6 &&
			       c->cmsg_type == IPV6_RECVERR)) ||
			    c->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if (ee.ee_errno || ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY)
				continue;
			zc_done_range(r, ee.ee_info, ee.ee_data,
				      !!(ee.ee_code &
					 SO_EE_CODE_ZEROCOPY_COPIED));
		}
	}
	zc_retire(r, 0);
}

/* Wait until the data connection takes more, or @deadline.  Completions
 * waiting on its error queue wake poll() too (POLLERR): read first. */
static int wait_out(struct relay_output *r, uint64_t deadline)
{
	zc_reap(r);
	return wait_fd(r->dfd, POLLOUT, deadline);
}

/*
 * Wait until nothing is held, at most until @deadline: send what is
 * queued, then read completions as they come.  0, or -errno (the caller
 * gives the connection up, which drops the holds).
 */
static int zc_drain(struct relay_output *r, uint64_t deadline)
{
	int e = r->nadds ? settle(r, deadline) : 0;

	while (!e && r->hhead && r->dq.head) {
		e = q_flush(&r->dq, r->dfd, &r->zc_next);
		if (!e && r->dq.head)
			e = wait_out(r, deadline);
	}
	for (;;) {
		uint64_t now = mono_ns();
		struct pollfd p = { r->dfd, 0, 0 };

		if (e)
			return e;
		zc_reap(r);
		if (!r->hhead)
			return 0;
		if (now >= deadline)
			return -ETIMEDOUT;
		/* The error queue shows as POLLERR. */
		poll(&p, 1, 10);
	}
}

/*
 * Whether a packet of @len bytes would leave at once, all of it within the
 * window the relay advertised: nothing queued before it, and the bytes
 * the socket holds (unacknowledged or unsent, SIOCOUTQ) plus @len under
 * the window (tcpi_snd_wnd, counted from the oldest unacknowledged
 * byte).  The relay's kernel then takes it into its receive buffer and
 * acknowledges it within a round trip, whether or not the relay reads on:
 * a held packet is not left waiting on a relay that stopped reading,
 * with the writers' sub-buffer behind it.  A kernel that does not say
 * (no tcpi_snd_wnd): no.
 */
static int zc_room(struct relay_output *r, uint64_t len)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);
	int outq;

	if (r->zc_force)
		return 1;
	if (r->dq.head ||
	    getsockopt(r->dfd, IPPROTO_TCP, TCP_INFO, &ti, &l) ||
	    l < offsetof(struct tcp_info, tcpi_snd_wnd) + sizeof(ti.tcpi_snd_wnd) ||
	    ioctl(r->dfd, SIOCOUTQ, &outq) || outq < 0)
		return 0;
	return (uint64_t)outq + len <= ti.tcpi_snd_wnd;
}

/* Turn zero copy on for a new data connection, if wanted and the kernel
 * has it. */
static void zc_setup(struct relay_output *r)
{
	int one = 1;

	r->zc_next = r->zc_done = 0;
	r->zc_nr = 0;
	r->st.zc_on = r->zc_want &&
		      !setsockopt(r->dfd, SOL_SOCKET, SO_ZEROCOPY, &one,
				  sizeof(one));
}

/* ------------------------------------------------------- confirmation */

/* The size of the reply to read next: a stream's handle, or generic. */
static size_t reply_size(const struct relay_output *r)
{
	return r->add_head && r->add_head->add_at == r->replies_read
		       ? SONDE__RELAYD_REPLY_HANDLE
		       : SONDE__RELAYD_REPLY_GENERIC;
}

/* The reply to ADD_STREAM for the first stream awaiting one, in r->rbuf:
 * its handle, written into what was queued for it.  0 or -EPROTO. */
static int reply_add(struct relay_output *r)
{
	struct sonde__ostream *s = r->add_head;
	uint32_t code = sonde__relayd_dec_handle(r->rbuf, &s->handle);

	r->add_head = s->add_next;
	if (!r->add_head)
		r->add_tail = &r->add_head;
	r->nadds--;
	s->adding = 0;
	r->rlen = 0;
	r->replies_due--;
	r->replies_read++;
	if (code != SONDE__RELAYD_OK) {
		sonde__logf(SONDE_LOG_WARN,
			    "relay refused a stream. code=%u stream=%s", code,
			    s->name);
		r->st.relay_errors++;
		return -EPROTO;
	}
	q_patch(&r->dq, s);
	q_patch(&r->cq, s);
	return 0;
}

/* One reply, in r->rbuf: a stream's handle (reply_add()), or a generic
 * one: an answer to the oldest question in flight if its number is this
 * reply's, otherwise a request's.  0 or -errno. */
static int reply_in(struct relay_output *r)
{
	uint32_t code = sonde__relayd_dec_generic(r->rbuf);
	struct sonde__ostream *s = r->probe_head;

	if (reply_size(r) == SONDE__RELAYD_REPLY_HANDLE)
		return reply_add(r);
	r->rlen = 0;
	r->replies_due--;
	if (s && s->probe_at == r->replies_read) {
		r->probe_head = s->probe_next;
		if (!r->probe_head)
			r->probe_tail = &r->probe_head;
		s->probing = 0;
		if (code == 0 && s->probe_seq + 1 > s->confirmed) {
			r->st.confirmed_packets += s->probe_seq + 1 - s->confirmed;
			s->confirmed = s->probe_seq + 1;
			s->confirmed_bytes = s->probe_bytes;
		} else if (code > 1) {
			/* A relay that does not know the question: its
			 * packets stay unconfirmed. */
			sonde__logf(SONDE_LOG_WARN,
				    "relay refused DATA_PENDING. code=%u stream=%s",
				    code, s->name);
			s->refused = 1;
			r->st.relay_errors++;
		}
	} else if (code != SONDE__RELAYD_OK) {
		if (!r->st.relay_errors)
			sonde__logf(SONDE_LOG_WARN,
				    "relay refused a request. code=%u", code);
		r->st.relay_errors++;
	}
	r->replies_read++;
	return 0;
}

/* The connection is gone: count what it took along, retry later. */
static void lost(struct relay_output *r, int err)
{
	uint64_t lp = r->st.lost_packets, lb = r->st.lost_bytes, up = 0, ub = 0;
	int outq = 0;

	if (r->dfd >= 0 && !ioctl(r->dfd, SIOCOUTQ, &outq) && outq > 0)
		r->st.inflight_lost_bytes += (uint64_t)outq;
	if (r->dfd >= 0 && r->hhead) {
		/* Aborted, not closed: the kernel frees the send queue now,
		 * and lets go of the held pages with it. */
		struct linger lg = { 1, 0 };

		setsockopt(r->dfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	sonde__logf(SONDE_LOG_WARN,
		    "relay connection lost. err=%d queued=%" PRIu64, err,
		    r->dq.bytes + r->cq.bytes);
	q_drop(&r->dq, &r->st);
	q_drop(&r->cq, &r->st);
	/* Sent, never confirmed: the relay may have lost them.  Those just
	 * counted lost (queued) are among them, not counted twice. */
	for (uint32_t i = 0; i < r->nr; i++) {
		struct sonde__ostream *s = r->streams[i];

		if (s->gen != r->gen)
			continue;
		up += s->next_seq - s->confirmed;
		ub += s->sess_bytes - s->confirmed_bytes;
		s->probing = 0;
	}
	lp = r->st.lost_packets - lp;
	lb = r->st.lost_bytes - lb;
	r->st.unconfirmed_lost_packets += up > lp ? up - lp : 0;
	r->st.unconfirmed_lost_bytes += ub > lb ? ub - lb : 0;
	r->probe_head = NULL;
	r->probe_tail = &r->probe_head;
	for (struct sonde__ostream *s = r->add_head; s; s = s->add_next)
		s->adding = 0;
	r->add_head = NULL;
	r->add_tail = &r->add_head;
	r->nadds = 0;
	r->replies_due = 0;
	r->replies_read = 0;
	r->rlen = 0;
	close_fds(r);
	zc_retire(r, 1);
	r->st.outages++;
	r->tries = 0;
	r->retry_at = mono_ns() + RETRY_MS * 1000000ull;
}

/* ------------------------------------------------------ session setup */

/*
 * A session's setup, step by step without blocking, so that a relay that
 * accepts and never answers holds up neither the recorder's drain loop
 * nor the daemon's one thread: both connections are opened at once
 * (O_NONBLOCK, EINPROGRESS, then POLLOUT and SO_ERROR), then each request
 * (VERSION, CREATE_SESSION, ADD_STREAM for the metadata and for each
 * stream, STREAMS_SENT) is sent and its reply read as the sockets allow,
 * each step within SETUP_MS.  sonde__output_relay_poll() moves a
 * reconnection on; the setup at create waits on the same steps
 * (session_open()).  The connections are the attempt's until the session
 * is made: nothing else writes to them, and r->cfd and r->dfd stay -1
 * (down) meanwhile, so that packets are counted lost as during any
 * outage.
 */
enum { AT_CONNECT, AT_VERSION, AT_CREATE, AT_META, AT_STREAM, AT_SENT };

static void at_close(struct relay_output *r)
{
	struct attempt *a = &r->at;

	if (a->cfd >= 0)
		close(a->cfd);
	if (a->dfd >= 0)
		close(a->dfd);
	if (a->cai)
		freeaddrinfo(a->cai);
	if (a->dai)
		freeaddrinfo(a->dai);
	memset(a, 0, sizeof(*a));
	a->cfd = a->dfd = -1;
}

/* Begin connecting *@fd to the next address of *@next on (one that
 * fails at once is passed over).  0 or -errno of the last one tried. */
static int at_connect(struct addrinfo **next, int *fd, int err)
{
	for (struct addrinfo *a = *next; a; a = *next) {
		*next = a->ai_next;
		*fd = socket(a->ai_family,
			     a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			     a->ai_protocol);
		if (*fd < 0) {
			err = -errno;
			continue;
		}
		if (!connect(*fd, a->ai_addr, a->ai_addrlen) ||
		    errno == EINPROGRESS)
			return 0;
		err = -errno;
		close(*fd);
		*fd = -1;
	}
	return err;
}

/* Whether connection *@fd, being made, is done: 1 connected, 0 not yet,
 * -errno failed (and no address left to try). */
static int at_connected(struct addrinfo **next, int *fd)
{
	struct pollfd p = { *fd, POLLOUT, 0 };
	socklen_t el = sizeof(int);
	int err = 0;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &el))
		err = errno;
	if (!err)
		return 1;
	close(*fd);
	*fd = -1;
	return at_connect(next, fd, -err);
}

/* Say in r->at.why that connecting to the relay's control port (@data 0)
 * or data port (@data 1) failed with -errno @e.  Returns @e. */
static int at_connect_failed(struct relay_output *r, int data, int e)
{
	snprintf(r->at.why, sizeof(r->at.why),
		 "cannot connect to the relay's %s port %s:%u: %s",
		 data ? "data" : "control", r->url.host,
		 data ? r->url.data_port : r->url.ctrl_port, strerror(-e));
	return e;
}

/* The next request of the attempt, for step @step, its reply due. */
static int at_request(struct relay_output *r, int step)
{
	struct attempt *a = &r->at;
	int len;

	a->step = step;
	a->ooff = a->ilen = 0;
	a->deadline = mono_ns() + SETUP_MS * 1000000ull;
	switch (step) {
	case AT_VERSION:
		len = (int)sonde__relayd_enc_version(a->out);
		a->iwant = SONDE__RELAYD_REPLY_VERSION;
		break;
	case AT_CREATE:
		len = sonde__relayd_enc_create_session(
			a->out, r->session, r->hostname, r->live_timer_us);
		a->iwant = SONDE__RELAYD_REPLY_HANDLE;
		break;
	case AT_META:
		len = sonde__relayd_enc_add_stream(a->out, "metadata", a->path);
		a->iwant = SONDE__RELAYD_REPLY_HANDLE;
		break;
	case AT_STREAM:
		len = sonde__relayd_enc_add_stream(
			a->out, r->streams[a->idx]->name, a->path);
		a->iwant = SONDE__RELAYD_REPLY_HANDLE;
		break;
	default:
		len = (int)sonde__relayd_enc_streams_sent(a->out);
		a->iwant = SONDE__RELAYD_REPLY_GENERIC;
		break;
	}
	if (len < 0)
		return len;
	a->olen = (size_t)len;
	return 0;
}

/* The reply to the current request is in: check it, then the next
 * request.  0, 1 (the session is made) or -errno. */
static int at_reply(struct relay_output *r)
{
	struct attempt *a = &r->at;
	uint32_t major, minor;
	uint64_t h;

	switch (a->step) {
	case AT_VERSION:
		sonde__relayd_dec_version(a->in, &major, &minor);
		if (major != SONDE__RELAYD_MAJOR || minor < SONDE__RELAYD_MINOR) {
			snprintf(a->why, sizeof(a->why),
				 "the relay at %s:%u speaks protocol %u.%u; sonde needs 2.10 or later (lttng-relayd 2.10+)",
				 r->url.host, r->url.ctrl_port, major, minor);
			return -EPROTO;
		}
		return at_request(r, AT_CREATE);
	case AT_CREATE:
		if (sonde__relayd_dec_handle(a->in, &h) != SONDE__RELAYD_OK)
			return -EPROTO;
		/* A session made, if not finished, still takes a directory
		 * of its own: the next one is "<path>.N+1". */
		r->gen++;
		if (r->gen == 1)
			snprintf(a->path, sizeof(a->path), "%s", r->base_path);
		else
			snprintf(a->path, sizeof(a->path), "%s.%u",
				 r->base_path, r->gen - 1);
		return at_request(r, AT_META);
	case AT_META:
	case AT_STREAM:
		if (sonde__relayd_dec_handle(a->in, &h) != SONDE__RELAYD_OK)
			return -EPROTO;
		if (a->step == AT_META)
			r->meta_handle = h;
		else
			r->streams[a->idx++]->handle = h;
		/* Streams opened meanwhile are added too. */
		return at_request(r, a->idx < r->nr ? AT_STREAM : AT_SENT);
	default:
		return 1;
	}
}

/* Begin an attempt: resolve, and start both connections.  0 or -errno. */
static int at_start(struct relay_output *r)
{
	struct attempt *a = &r->at;
	struct addrinfo hints = { 0 };
	char port[8];
	int e;

	at_close(r);
	a->on = 1;
	a->step = AT_CONNECT;
	a->deadline = mono_ns() + SETUP_MS * 1000000ull;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	snprintf(port, sizeof(port), "%u", r->url.ctrl_port);
	if (getaddrinfo(r->url.host, port, &hints, &a->cai))
		a->cai = NULL;
	snprintf(port, sizeof(port), "%u", r->url.data_port);
	if (getaddrinfo(r->url.host, port, &hints, &a->dai))
		a->dai = NULL;
	a->cnext = a->cai;
	a->dnext = a->dai;
	e = at_connect(&a->cnext, &a->cfd, -EHOSTUNREACH);
	if (e)
		return at_connect_failed(r, 0, e);
	e = at_connect(&a->dnext, &a->dfd, -EHOSTUNREACH);
	if (e)
		return at_connect_failed(r, 1, e);
	return 0;
}

/*
 * Move the attempt on as far as the sockets allow, without blocking.
 * 0 (waiting on the relay), 1 (the session is made: at_up()) or -errno
 * (a sentence in r->at.why when there is more to say than the errno).
 */
static int at_advance(struct relay_output *r)
{
	struct attempt *a = &r->at;
	int e, one = 1;

	for (;;) {
		ssize_t n;

		if (mono_ns() >= a->deadline)
			return -ETIMEDOUT;
		if (a->step == AT_CONNECT) {
			if (!a->cok) {
				e = at_connected(&a->cnext, &a->cfd);
				if (e < 0)
					return at_connect_failed(r, 0, e);
				a->cok = e;
			}
			if (!a->dok) {
				e = at_connected(&a->dnext, &a->dfd);
				if (e < 0)
					return at_connect_failed(r, 1, e);
				a->dok = e;
			}
			if (!a->cok || !a->dok)
				return 0;
			setsockopt(a->cfd, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof(one));
			e = at_request(r, AT_VERSION);
			if (e)
				return e;
			continue;
		}
		if (a->ooff < a->olen) {
			n = send(a->cfd, a->out + a->ooff, a->olen - a->ooff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return errno == EAGAIN || errno == EWOULDBLOCK
					       ? 0
					       : -errno;
			}
			a->ooff += (size_t)n;
			continue;
		}
		n = recv(a->cfd, a->in + a->ilen, a->iwant - a->ilen,
			 MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0
								       : -errno;
		}
		a->ilen += (size_t)n;
		if (a->ilen < a->iwant)
			continue;
		e = at_reply(r);
		if (e)
			return e;
	}
}

/* Wait until the attempt's sockets may let it move on, or its step's
 * deadline. */
static void at_wait(struct relay_output *r)
{
	struct attempt *a = &r->at;
	struct pollfd p[2];
	uint64_t now = mono_ns();
	nfds_t np = 0;

	if (now >= a->deadline)
		return;
	if (a->step == AT_CONNECT) {
		if (!a->cok)
			p[np++] = (struct pollfd){ a->cfd, POLLOUT, 0 };
		if (!a->dok)
			p[np++] = (struct pollfd){ a->dfd, POLLOUT, 0 };
	} else {
		p[np++] = (struct pollfd){
			a->cfd, a->ooff < a->olen ? POLLOUT : POLLIN, 0
		};
	}
	poll(p, np, (int)((a->deadline - now) / 1000000u) + 1);
}

static int ctl_catch_up(struct relay_output *r);
static int add_live(struct relay_output *r, struct sonde__ostream *s);

/* The attempt made a session: its connections are the output's now. */
static void at_up(struct relay_output *r)
{
	struct attempt *a = &r->at;
	uint32_t added = a->idx;

	r->cfd = a->cfd;
	r->dfd = a->dfd;
	a->cfd = a->dfd = -1;
	for (uint32_t i = 0; i < added; i++) {
		struct sonde__ostream *s = r->streams[i];

		s->gen = r->gen;
		s->next_seq = 0;
		s->has_idx = 0;
		s->active = 0;
		s->sess_bytes = s->confirmed = s->confirmed_bytes = 0;
		s->probing = s->refused = 0;
	}
	snprintf(r->st.path, sizeof(r->st.path), "%s", a->path);
	at_close(r);
	zc_setup(r);
	r->replies_read = 0;
	r->replies_due = 0;
	r->rlen = 0;
	r->streams_unsent = 0;
	r->st.up = 1;
	/* The whole metadata again, first of the control messages. */
	r->meta_sent = 0;
	for (uint32_t i = added; i < r->nr && r->cfd >= 0; i++)
		add_live(r, r->streams[i]);
	if (r->cfd >= 0) {
		int e = ctl_catch_up(r);

		if (e)
			lost(r, e);
	}
}

/* The attempt failed with @e: a sentence in @why (when given), the
 * sockets closed. */
static void at_failed(struct relay_output *r, int e, char *why, size_t n)
{
	if (why && r->at.why[0])
		snprintf(why, n, "%s", r->at.why);
	else if (why)
		snprintf(why, n, "cannot create a session on the relay %s:%u: %s",
			 r->url.host, r->url.ctrl_port,
			 e == -EPROTO ? "it refused the request"
				      : strerror(-e));
	at_close(r);
}

/*
 * A new session on the relay, its streams and its metadata so far,
 * waiting on each step (at create, where the user must see a clear error
 * at once).  0 or -errno (the sockets closed again), with a sentence in
 * @why when given.
 */
static int session_open(struct relay_output *r, char *why, size_t n)
{
	int e = at_start(r);

	while (!e) {
		e = at_advance(r);
		if (!e)
			at_wait(r);
	}
	if (e == 1) {
		at_up(r);
		return 0;
	}
	at_failed(r, e, why, n);
	return e;
}

/* ------------------------------------------------------------ steady */

/* Read the replies that came, without blocking.  0 or -errno. */
static int read_replies(struct relay_output *r)
{
	for (;;) {
		uint8_t buf[256];
		size_t want = sizeof(buf);
		ssize_t n;

		uint64_t due = r->replies_due * SONDE__RELAYD_REPLY_GENERIC +
			       r->nadds * (SONDE__RELAYD_REPLY_HANDLE -
					   SONDE__RELAYD_REPLY_GENERIC) -
			       r->rlen;

		/* Never more than the replies due: anything beyond is a peer
		 * that does not follow the protocol. */
		if (due < want)
			want = (size_t)due;
		if (!want) {
			/* Nothing due: readable means EOF or garbage. */
			n = recv(r->cfd, buf, 1, MSG_DONTWAIT | MSG_PEEK);
			if (n == 0)
				return -ECONNRESET;
			if (n > 0)
				return -EPROTO;
			return errno == EAGAIN || errno == EWOULDBLOCK ||
					       errno == EINTR
				       ? 0
				       : -errno;
		}
		n = recv(r->cfd, buf, want, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
					       errno == EINTR
				       ? 0
				       : -errno;
		for (ssize_t i = 0; i < n; i++) {
			r->rbuf[r->rlen++] = buf[i];
			if (r->rlen == reply_size(r)) {
				int e = reply_in(r);

				if (e)
					return e;
			}
		}
	}
}

/* The data connection: the relay never writes there, so readable means
 * closed.  POLLERR alone is also what zero-copy completions waiting on
 * the error queue show: an error only if the socket has one (SO_ERROR).
 * 0 or -errno. */
static int data_alive(struct relay_output *r)
{
	struct pollfd p = { r->dfd, POLLIN, 0 };
	socklen_t l = sizeof(int);
	int err = 0;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLIN | POLLHUP))
		return -ECONNRESET;
	if ((p.revents & POLLERR) &&
	    (getsockopt(r->dfd, SOL_SOCKET, SO_ERROR, &err, &l) || err))
		return err ? -err : -ECONNRESET;
	return 0;
}

/* Queue a control message expecting a generic reply, and push. */
static int ctl_send(struct relay_output *r, const void *msg, size_t len,
		    int replies)
{
	struct iovec iov = { (void *)msg, len };
	int e = q_push(&r->cq, &iov, 1, 0, 0, 0);

	if (e)
		return e;
	r->replies_due += (uint64_t)replies;
	return q_flush(&r->cq, r->cfd, NULL);
}

/* Queue @s's SEND_INDEX (or beacon), its handle written in later if
 * not known yet, and push. */
static int ctl_send_index(struct relay_output *r, struct sonde__ostream *s,
			  const void *msg, size_t len)
{
	struct iovec iov = { (void *)msg, len };
	int e = q_push(&r->cq, &iov, 1, 0, 0, 0);

	if (e)
		return e;
	if (s->adding)
		q_wait_last(&r->cq, s, QENT_INDEX);
	r->replies_due++;
	return q_flush(&r->cq, r->cfd, NULL);
}

/* Metadata bytes given but not yet sent, then STREAMS_SENT if due. */
static int ctl_catch_up(struct relay_output *r)
{
	uint8_t msg[SONDE__RELAYD_MSG_MAX];
	int e = 0;

	if (r->meta_sent < r->meta_len) {
		struct iovec iov[2];
		size_t n = r->meta_len - r->meta_sent;

		iov[0].iov_base = msg;
		iov[0].iov_len = sonde__relayd_enc_metadata(msg, r->meta_handle, n);
		iov[1].iov_base = r->meta + r->meta_sent;
		iov[1].iov_len = n;
		e = q_push(&r->cq, iov, 2, 0, 0, 0);
		if (e)
			return e;
		r->meta_sent = r->meta_len;
	}
	if (r->streams_unsent) {
		e = ctl_send(r, msg, sonde__relayd_enc_streams_sent(msg), 1);
		if (!e)
			r->streams_unsent = 0;
	}
	return e ? e : q_flush(&r->cq, r->cfd, NULL);
}

/*
 * Add @s to the session on the live connection, without waiting: its
 * ADD_STREAM is queued, and what is written to it meanwhile is queued
 * (copied, within max_queue) with the handle left blank, the queues
 * stopping there until the reply gives it (reply_add()).  0, or the
 * connection is lost: -errno.
 */
static int add_live(struct relay_output *r, struct sonde__ostream *s)
{
	uint8_t msg[SONDE__RELAYD_MSG_MAX];
	int len = sonde__relayd_enc_add_stream(msg, s->name, r->st.path), e;

	s->gen = r->gen;
	s->next_seq = 0;
	s->has_idx = 0;
	s->active = 0;
	s->sess_bytes = s->confirmed = s->confirmed_bytes = 0;
	s->probing = s->refused = 0;
	if (len < 0) {
		lost(r, len);
		return len;
	}
	s->adding = 1;
	s->add_at = r->replies_read + r->replies_due;
	s->add_next = NULL;
	*r->add_tail = s;
	r->add_tail = &s->add_next;
	r->nadds++;
	r->streams_unsent = 1;
	e = ctl_send(r, msg, (size_t)len, 1);
	if (e)
		lost(r, e);
	return e;
}

/* ------------------------------------------------------------ output */

static int relay_open_stream(struct sonde__output *o, const char *name,
			     struct sonde__ostream **out)
{
	struct relay_output *r = relay_of(o);
	struct sonde__ostream *s;

	if (!name[0] || strlen(name) >= sizeof(s->name) || strchr(name, '/') ||
	    name[0] == '.' || !strcmp(name, "metadata") || r->nr >= MAX_STREAMS)
		return -EINVAL;
	if (r->nr == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 16;
		struct sonde__ostream **ns =
			realloc(r->streams, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		r->streams = ns;
		r->cap = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	snprintf(s->name, sizeof(s->name), "%s", name);
	r->streams[r->nr++] = s;
	*out = s;
	if (r->cfd < 0)
		return 0; /* added with the others at reconnection */
	add_live(r, s);
	return 0;
}

/* Ask the relay which packets it has (DATA_PENDING), for each stream
 * with packets sent and not confirmed and no question in flight.  0 or
 * -errno. */
static int probe(struct relay_output *r)
{
	uint8_t msg[SONDE__RELAYD_HDR_SIZE + SONDE__RELAYD_DATA_PENDING_SIZE];

	for (uint32_t i = 0; i < r->nr; i++) {
		struct sonde__ostream *s = r->streams[i];
		int e;

		if (s->gen != r->gen || s->probing || s->refused ||
		    s->adding || s->next_seq == s->confirmed)
			continue;
		s->probe_at = r->replies_read + r->replies_due;
		s->probe_seq = s->next_seq - 1;
		s->probe_bytes = s->sess_bytes;
		s->probing = 1;
		s->probe_next = NULL;
		*r->probe_tail = s;
		r->probe_tail = &s->probe_next;
		e = ctl_send(r, msg,
			     sonde__relayd_enc_data_pending(msg, s->handle,
							    s->probe_seq),
			     1);
		if (e)
			return e;
	}
	return 0;
}

/*
 * Send the packet in @v (@cnt buffers: headers, then the payload)
 * without blocking: what the socket does not take is queued, copied.
 * 0 or -errno (the connection is to be given up; -ENOMEM too, since part
 * of the packet may be on the wire).
 */
static int send_copied(struct relay_output *r, struct iovec *v, int cnt,
		       uint64_t total)
{
	size_t sent = 0, hlen = v[0].iov_len;

	if (!r->dq.head) {
		struct msghdr m = { 0 };
		ssize_t w;

		m.msg_iov = v;
		m.msg_iovlen = (size_t)cnt;
		do
			w = sendmsg(r->dfd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		sent = w > 0 ? (size_t)w : 0;
	}
	if (q_push(&r->dq, v, cnt, sent, QENT_PACKET, total))
		return -ENOMEM;
	if (sent > hlen)
		r->st.direct_bytes += sent - hlen;
	r->st.copied_bytes += total - (sent > hlen ? sent - hlen : 0);
	return 0;
}

/* Queue the packet in @v (@cnt buffers, the data header first) of @s,
 * whose handle is not known yet, copied, to be sent once it is.  0 or
 * -ENOMEM (the connection is to be given up). */
static int send_waiting(struct relay_output *r, struct sonde__ostream *s,
			struct iovec *v, int cnt, uint64_t total)
{
	if (q_push(&r->dq, v, cnt, 0, QENT_PACKET, total))
		return -ENOMEM;
	q_wait_last(&r->dq, s, QENT_DATA_HDR);
	r->st.copied_bytes += total;
	return 0;
}

/*
 * Send the packet in @v (@cnt buffers: headers, then @s's payload, which
 * the caller lets us hold) with its payload by reference (zero copy; see
 * the top of the file): the headers first, copied, then the payload with
 * MSG_ZEROCOPY; what the socket does not take is queued, the payload by
 * reference.  0 or -errno as send_copied().
 */
static int send_held(struct relay_output *r, struct sonde__ostream *s,
		     struct iovec *v, int cnt, uint64_t total)
{
	const uint8_t *body = v[cnt - 1].iov_base;
	size_t blen = v[cnt - 1].iov_len, hlen = 0, hs = 0, bs = 0;
	struct held *h = calloc(1, sizeof(*h));
	ssize_t w;

	if (!h) {
		r->st.zc_fallback++;
		return send_copied(r, v, cnt, total);
	}
	for (int i = 0; i < cnt - 1; i++)
		hlen += v[i].iov_len;
	h->s = s;
	h->num = s->given - 1;
	h->since = mono_ns();
	if (!r->dq.head) {
		struct msghdr m = { 0 };

		m.msg_iov = v;
		m.msg_iovlen = (size_t)cnt - 1;
		do
			w = sendmsg(r->dfd, &m,
				    MSG_NOSIGNAL | MSG_DONTWAIT | MSG_MORE);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			goto fail;
		hs = w > 0 ? (size_t)w : 0;
	}
	if (hs == hlen) {
		/* ENOBUFS: no room for one more completion (optmem); sent
		 * from the queue later, when completions made room. */
		do
			w = send(r->dfd, body, blen,
				 MSG_NOSIGNAL | MSG_DONTWAIT | MSG_ZEROCOPY);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ENOBUFS)
			goto fail;
		if (w > 0) {
			bs = (size_t)w;
			h->zc_any = 1;
			h->zc_last = r->zc_next++;
		}
	}
	/* Linked first: lost() must find it, whatever fails below. */
	*r->htail = h;
	r->htail = &h->next;
	if (!s->nheld++)
		s->oldest = h->num;
	h->queued = bs < blen;
	if (hs < hlen && q_push(&r->dq, v, cnt - 1, hs, 0, 0))
		return -ENOMEM;
	if (bs < blen && q_push_ext(&r->dq, body + bs, blen - bs, h, total))
		return -ENOMEM;
	r->st.zc_packets++;
	r->st.zc_bytes += blen;
	r->st.direct_bytes += total;
	return 0;
fail:
	w = -errno;
	free(h);
	return (int)w;
}

static int relay_write_packet(struct sonde__output *o,
			      struct sonde__ostream *s,
			      const struct iovec *iov, int iovcnt,
			      struct sonde__packet_index *idx,
			      unsigned int wflags)
{
	struct relay_output *r = relay_of(o);
	uint8_t hdr[SONDE__RELAYD_DATA_HDR_SIZE];
	uint8_t imsg[SONDE__RELAYD_HDR_SIZE + SONDE__RELAYD_INDEX_SIZE];
	struct iovec v[8];
	uint64_t total = 0, need;
	int e, hold;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	idx->offset = s->size;
	s->size += total;
	s->given++;
	if (r->cfd < 0 || s->gen != r->gen || iovcnt > 7 ||
	    total > UINT32_MAX) {
		r->st.lost_packets++;
		r->st.lost_bytes += total;
		return 0;
	}
	e = ctl_catch_up(r);
	if (!e)
		e = q_flush(&r->dq, r->dfd, &r->zc_next);
	if (e) {
		lost(r, e);
		r->st.lost_packets++;
		r->st.lost_bytes += total;
		return 0;
	}
	need = sizeof(hdr) + total + sizeof(imsg);
	if (r->dq.bytes + r->cq.bytes + need > r->max_queue) {
		r->st.lost_packets++;
		r->st.lost_bytes += total;
		return 0;
	}
	v[0].iov_base = hdr;
	v[0].iov_len = sonde__relayd_enc_data_hdr(hdr, s->handle, s->next_seq,
						  (uint32_t)total);
	memcpy(v + 1, iov, (size_t)iovcnt * sizeof(*iov));
	hold = r->st.zc_on && (wflags & SONDE__WRITE_MAY_HOLD) &&
	       s->nheld < STREAM_HOLD_MAX && iovcnt > 1 &&
	       iov[iovcnt - 1].iov_len >= ZC_MIN && !s->adding &&
	       zc_room(r, v[0].iov_len + total);
	if (r->st.zc_on && !hold)
		r->st.zc_fallback++;
	if (s->adding)
		e = send_waiting(r, s, v, iovcnt + 1, total);
	else
		e = hold ? send_held(r, s, v, iovcnt + 1, total)
			 : send_copied(r, v, iovcnt + 1, total);
	if (e) {
		lost(r, e);
		r->st.lost_packets++;
		r->st.lost_bytes += total;
		return 0;
	}
	e = ctl_send_index(r, s, imsg,
			   sonde__relayd_enc_index(imsg, s->handle,
						   s->next_seq, idx));
	if (e) {
		lost(r, e);
		return 0;
	}
	s->next_seq++;
	s->sess_bytes += total;
	s->has_idx = 1;
	s->active = 1;
	s->last = *idx;
	r->st.packets++;
	r->st.bytes += total;
	return 0;
}

static int relay_write_metadata(struct sonde__output *o, const char *text,
				size_t len)
{
	struct relay_output *r = relay_of(o);
	char *m;

	if (len < r->meta_len ||
	    (r->meta_len && memcmp(text, r->meta, r->meta_len))) {
		/* Sent bytes cannot be taken back: a trace must not do this
		 * (it writes append-only metadata for this output). */
		sonde__logf(SONDE_LOG_ERROR,
			    "relay: metadata rewritten, not appended. len=%zu sent=%zu",
			    len, r->meta_len);
		return -EINVAL;
	}
	if (len == r->meta_len)
		return 0;
	m = realloc(r->meta, len);
	if (!m)
		return -ENOMEM;
	memcpy(m + r->meta_len, text + r->meta_len, len - r->meta_len);
	r->meta = m;
	r->meta_len = len;
	if (r->cfd >= 0) {
		int e = ctl_catch_up(r);

		if (e)
			lost(r, e);
	}
	return 0;
}

static int relay_sync(struct sonde__output *o)
{
	struct relay_output *r = relay_of(o);
	uint64_t deadline = mono_ns() + SETUP_MS * 1000000ull;
	int e = 0;

	if (r->cfd < 0)
		return 0;
	if (r->nadds)
		e = settle(r, deadline); /* the queues wait on no handle */
	if (!e)
		e = ctl_catch_up(r);
	while (!e && r->dq.head) {
		e = q_flush(&r->dq, r->dfd, &r->zc_next);
		if (!e && r->dq.head)
			e = wait_out(r, deadline);
	}
	if (!e)
		e = settle(r, deadline);
	if (!e)
		e = zc_drain(r, deadline);
	if (e)
		lost(r, e);
	return 0;
}

static uint64_t relay_retired(struct sonde__output *o,
			      struct sonde__ostream *s)
{
	if (s->nheld)
		zc_reap(relay_of(o));
	return s->nheld ? s->oldest : s->given;
}

/* Everything held let go: waited for within SETUP_MS, else the
 * connection is given up (which drops the holds with it). */
static void relay_release(struct sonde__output *o)
{
	struct relay_output *r = relay_of(o);
	int e;

	if (!r->hhead)
		return;
	e = zc_drain(r, mono_ns() + SETUP_MS * 1000000ull);
	if (e) {
		r->st.zc_stalls += e == -ETIMEDOUT;
		lost(r, e);
	}
}

/* Remote data cannot be taken back: the relay keeps what it received. */
static void relay_discard(struct sonde__output *o)
{
	(void)o;
}

static void relay_destroy(struct sonde__output *o)
{
	struct relay_output *r = relay_of(o);

	if (r->dfd >= 0 && r->hhead) {
		/* Aborted: the kernel lets go of the held pages now. */
		struct linger lg = { 1, 0 };

		setsockopt(r->dfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	q_drop(&r->dq, &r->st);
	q_drop(&r->cq, &r->st);
	close_fds(r);
	at_close(r);
	zc_retire(r, 1);
	for (uint32_t i = 0; i < r->nr; i++)
		free(r->streams[i]);
	free(r->streams);
	free(r->meta);
	free(r);
}

static const struct sonde__output_ops relay_ops = {
	.kind = "relay",
	.open_stream = relay_open_stream,
	.write_packet = relay_write_packet,
	.retired = relay_retired,
	.release = relay_release,
	.write_metadata = relay_write_metadata,
	.sync = relay_sync,
	.discard = relay_discard,
	.destroy = relay_destroy,
};

/* Live beacons: "no data until @now" for each stream that had no packet
 * since the last call. */
static int beacons(struct relay_output *r, uint64_t now)
{
	uint8_t msg[SONDE__RELAYD_HDR_SIZE + SONDE__RELAYD_INDEX_SIZE];

	for (uint32_t i = 0; i < r->nr; i++) {
		struct sonde__ostream *s = r->streams[i];
		struct sonde__packet_index b;
		int e;

		if (s->adding)
			continue; /* its handle is not known yet */
		if (s->active || !s->has_idx || s->gen != r->gen) {
			s->active = 0;
			continue;
		}
		if (now < s->last.timestamp_end)
			continue;
		b = (struct sonde__packet_index){
			.timestamp_begin = now,
			.timestamp_end = now,
			.events_discarded = s->last.events_discarded,
			.stream_id = s->last.stream_id,
			.stream_instance_id = s->last.stream_instance_id,
			.packet_seq_num = s->last.packet_seq_num,
		};
		e = ctl_send(r, msg,
			     sonde__relayd_enc_index(msg, s->handle,
						     s->next_seq - 1, &b),
			     1);
		if (e)
			return e;
		r->st.beacons++;
	}
	return 0;
}

void sonde__output_relay_poll(struct sonde__output *o)
{
	struct relay_output *r = relay_of(o);
	uint64_t mono = mono_ns();
	int e;

	if (r->finished || r->setup)
		return;
	if (r->cfd < 0) {
		if (r->st.gave_up)
			return;
		if (!r->at.on) {
			if (mono < r->retry_at)
				return;
			e = at_start(r);
		} else {
			e = 0;
		}
		if (!e)
			e = at_advance(r);
		if (!e)
			return; /* under way: on at the next call */
		if (e == 1) {
			at_up(r);
			r->st.reconnects++;
			sonde__logf(SONDE_LOG_INFO,
				    "relay connection back. path=%s",
				    r->st.path);
			return;
		}
		/* Refused, unreachable, or a relay that did not answer
		 * within SETUP_MS: given up, tried again later. */
		sonde__logf(SONDE_LOG_INFO,
			    "relay reconnection failed. err=%d step=%d", e,
			    r->at.step);
		at_close(r);
		r->st.attempts_failed++;
		if (++r->tries >= r->retries) {
			r->st.gave_up = 1;
			sonde__logf(SONDE_LOG_WARN,
				    "relay unreachable: no more retries. tries=%u",
				    r->tries);
		}
		r->retry_at = mono_ns() + RETRY_MS * 1000000ull;
		return;
	}
	zc_reap(r);
	if (r->hhead && mono - r->hhead->since > ZC_STALL_MS * 1000000ull) {
		/* The relay stopped reading: its buffers pinned here would
		 * stop the writers. */
		sonde__logf(SONDE_LOG_WARN,
			    "relay acknowledges nothing: connection given up. held_ms=%" PRIu64,
			    (mono - r->hhead->since) / 1000000u);
		r->st.zc_stalls++;
		lost(r, -ETIMEDOUT);
		return;
	}
	e = ctl_catch_up(r);
	if (!e)
		e = q_flush(&r->dq, r->dfd, &r->zc_next);
	if (!e)
		e = read_replies(r);
	if (!e && mono >= r->probe_at) {
		r->probe_at = mono + PROBE_MS * 1000000ull;
		e = probe(r);
	}
	if (!e)
		e = data_alive(r);
	if (e)
		lost(r, e);
}

void sonde__output_relay_beacons(struct sonde__output *o, uint64_t until)
{
	struct relay_output *r = relay_of(o);
	int e;

	if (r->finished || r->cfd < 0 || !r->live_timer_us)
		return;
	e = beacons(r, until);
	if (e)
		lost(r, e);
}

/* Whether a stream of the session has packets sent and not confirmed
 * (the relay refusing the question: not confirmed, never asked again). */
static int unconfirmed(const struct relay_output *r)
{
	for (uint32_t i = 0; i < r->nr; i++) {
		const struct sonde__ostream *s = r->streams[i];

		if (s->gen == r->gen && !s->refused &&
		    s->next_seq != s->confirmed)
			return 1;
	}
	return 0;
}

/* The end of the trace: CLOSE_STREAM for every stream of the session,
 * each with its last packet's sequence number, then the metadata's
 * (queued; finish() and finish_step() wait for the replies their way). */
static int close_streams(struct relay_output *r)
{
	uint8_t msg[SONDE__RELAYD_MSG_MAX];
	int e = 0;

	for (uint32_t i = 0; !e && i < r->nr; i++) {
		struct sonde__ostream *s = r->streams[i];

		if (s->gen != r->gen)
			continue;
		e = ctl_send(r, msg,
			     sonde__relayd_enc_close_stream(
				     msg, s->handle,
				     s->next_seq ? s->next_seq - 1 : UINT64_MAX),
			     1);
	}
	if (!e)
		e = ctl_send(r, msg,
			     sonde__relayd_enc_close_stream(msg, r->meta_handle,
							    UINT64_MAX),
			     1);
	return e;
}

int sonde__output_relay_finish(struct sonde__output *o, int timeout_ms)
{
	struct relay_output *r = relay_of(o);
	uint64_t deadline = mono_ns() + (uint64_t)timeout_ms * 1000000ull;
	int e = 0;

	if (r->finished)
		return 0;
	r->finished = 1;
	at_close(r);
	if (r->cfd < 0)
		return -ENOTCONN;
	if (r->nadds)
		e = settle(r, deadline); /* the queues wait on no handle */
	if (!e)
		e = ctl_catch_up(r);
	while (!e && r->dq.head) {
		e = q_flush(&r->dq, r->dfd, &r->zc_next);
		if (!e && r->dq.head)
			e = wait_out(r, deadline);
	}
	/* Every packet confirmed stored before the streams close (a relay
	 * that dies now loses what it did not write: counted). */
	while (!e && unconfirmed(r)) {
		e = probe(r);
		if (!e)
			e = settle(r, deadline);
		if (e || !unconfirmed(r))
			break;
		if (mono_ns() >= deadline) {
			sonde__logf(SONDE_LOG_WARN,
				    "relay did not confirm every packet in time.");
			break;
		}
		poll(NULL, 0, 5);
	}
	if (!e)
		e = zc_drain(r, deadline);
	if (!e)
		e = close_streams(r);
	if (!e)
		e = settle(r, deadline);
	if (e) {
		lost(r, e);
		r->st.gave_up = 1;
		return e;
	}
	close_fds(r);
	return 0;
}

int sonde__output_relay_finish_step(struct sonde__output *o,
				    uint64_t deadline)
{
	struct relay_output *r = relay_of(o);
	int e;

	if (!r->finished) {
		r->finished = 1;
		at_close(r);
		if (r->cfd < 0)
			return -ENOTCONN;
		r->end_step = 1;
	}
	if (!r->end_step)
		return 0;
	e = ctl_catch_up(r);
	if (!e)
		e = q_flush(&r->dq, r->dfd, &r->zc_next);
	if (!e)
		e = read_replies(r);
	if (!e)
		zc_reap(r);
	/* As sonde__output_relay_finish(): every packet sent and confirmed
	 * stored, the kernel done with the held ones, then the streams
	 * closed and their replies read. */
	if (!e && r->end_step == 1 && !r->dq.head && !r->nadds) {
		if (unconfirmed(r))
			e = probe(r);
		else
			r->end_step = 2;
	}
	if (!e && r->end_step == 2 && !r->hhead) {
		e = close_streams(r);
		r->end_step = 3;
	}
	if (!e && r->end_step == 3 && !r->cq.head && !r->replies_due) {
		r->end_step = 0;
		close_fds(r);
		return 0;
	}
	if (!e && mono_ns() >= deadline)
		e = -ETIMEDOUT;
	if (e) {
		r->end_step = 0;
		lost(r, e);
		r->st.gave_up = 1;
		return e;
	}
	return -EINPROGRESS;
}

int sonde__output_relay_setup_step(struct sonde__output *o, char *why,
				    size_t n)
{
	struct relay_output *r = relay_of(o);
	int e;

	if (!r->setup)
		return 0;
	e = at_advance(r);
	if (!e)
		return -EINPROGRESS;
	r->setup = 0;
	if (e == 1) {
		at_up(r);
		return 0;
	}
	at_failed(r, e, why, n);
	if (r->cflags & SONDE__RELAY_DEFERRED) {
		/* Retried as after an outage. */
		r->st.outages++;
		r->retry_at = mono_ns() + RETRY_MS * 1000000ull;
	}
	return e;
}

void sonde__output_relay_stats(struct sonde__output *o,
			       struct sonde__relay_stats *st)
{
	*st = relay_of(o)->st;
}

/* A name for the relay: what a field holds, without '/' (the session
 * and host name are directory names there). */
static int copy_name(char *dst, size_t n, const char *src)
{
	if (!src[0] || strlen(src) >= n || strchr(src, '/') ||
	    !strcmp(src, ".") || !strcmp(src, ".."))
		return -EINVAL;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

int sonde__output_relay_create(const struct sonde__relay_opts *o,
			       unsigned int flags, struct sonde__output **out,
			       char *why, size_t n)
{
	struct relay_output *r = calloc(1, sizeof(*r));
	char host[256] = "", date[32];
	time_t now = time(NULL);
	struct tm tm;
	int e;

	if (!r)
		return -ENOMEM;
	r->base.ops = &relay_ops;
	r->base.flags = SONDE__OUTPUT_APPEND_METADATA;
	r->cfd = r->dfd = -1;
	r->at.cfd = r->at.dfd = -1;
	r->htail = &r->hhead;
	r->probe_tail = &r->probe_head;
	r->add_tail = &r->add_head;
	/* Trust boundary: the environment; "0" turns zero copy off (to
	 * compare, or for a kernel that misbehaves with it). */
	{
		const char *zc = secure_getenv("SONDE_RELAY_ZEROCOPY");

		r->zc_want = !zc || strcmp(zc, "0");
		r->zc_force = zc && !strcmp(zc, "force");
		if (r->zc_want)
			r->base.flags |= SONDE__OUTPUT_HOLDS_PAYLOAD;
	}
	q_init(&r->cq);
	q_init(&r->dq);
	r->live_timer_us = o->live_timer_us;
	r->max_queue = o->max_queue;
	r->retries = o->retries;
	e = sonde__relayd_url_parse(o->url, &r->url, why, n);
	if (e)
		goto fail;
	if (!o->hostname)
		gethostname(host, sizeof(host) - 1);
	if (copy_name(r->hostname, sizeof(r->hostname),
		      o->hostname ? o->hostname : host)) {
		snprintf(why, n,
			 "bad relay host name '%s': give 1 to %zu bytes, no '/'",
			 o->hostname ? o->hostname : host,
			 sizeof(r->hostname) - 1);
		e = -EINVAL;
		goto fail;
	}
	if (copy_name(r->session, sizeof(r->session) - 16, o->session)) {
		snprintf(why, n,
			 "bad relay session name '%s': give 1 to %zu bytes, no '/'",
			 o->session, sizeof(r->session) - 17);
		e = -EINVAL;
		goto fail;
	}
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y%m%d-%H%M%S", &tm);
	snprintf(r->base_path, sizeof(r->base_path), "%s/%s-%s", r->hostname,
		 r->session, date);
	r->cflags = flags;
	if (flags & SONDE__RELAY_ASYNC) {
		e = at_start(r);
		if (e)
			at_failed(r, e, why, n);
		else
			r->setup = 1;
	} else {
		e = session_open(r, why, n);
	}
	if (e) {
		if (!(flags & SONDE__RELAY_DEFERRED) || e == -EINVAL ||
		    e == -ENAMETOOLONG)
			goto fail;
		r->st.outages++;
		r->retry_at = mono_ns() + RETRY_MS * 1000000ull;
	}
	*out = &r->base;
	return 0;
fail:
	free(r);
	return e;
}
