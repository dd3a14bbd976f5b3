// SPDX-License-Identifier: MIT
/* Control protocol: framing and decoding (see proto.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proto.h"

_Static_assert(sizeof(struct sonde__msg_hdr) == 32, "header size is ABI");

int sonde__msg_decode(const void *buf, size_t n, struct sonde__msg *m)
{
	const char *p, *end;

	if (n < sizeof(m->h))
		return -EPROTO;
	memcpy(&m->h, buf, sizeof(m->h));
	if (m->h.magic != SONDE__PROTO_MAGIC ||
	    m->h.version != SONDE__PROTO_VERSION ||
	    m->h.type < SONDE__MSG_HELLO ||
	    m->h.type > SONDE__MSG_REPLY_PART ||
	    m->h.len > SONDE__MSG_PAYLOAD_MAX ||
	    m->h.len != n - sizeof(m->h))
		return -EPROTO;
	m->argc = 0;
	p = (const char *)buf + sizeof(m->h);
	end = p + m->h.len;
	while (p < end) {
		const char *nul = memchr(p, 0, (size_t)(end - p));

		if (!nul || m->argc == SONDE__MSG_ARGS_MAX)
			return -EPROTO;
		m->argv[m->argc++] = p;
		p = nul + 1;
	}
	return 0;
}

/* A session id: 1 to 19 decimal digits, not all zeros; 0 otherwise. */
static uint64_t session_id(const char *s)
{
	uint64_t v = 0;
	size_t n = 0;

	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n == 19)
			return 0;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	return s[n] ? 0 : v;
}

uint32_t sonde__hello_sessions(const struct sonde__msg *m, uint64_t *ids,
			       uint32_t max)
{
	uint32_t n = 0, seen = 0;

	if (max > SONDE__APP_SESSIONS_MAX)
		max = SONDE__APP_SESSIONS_MAX;
	/* Bounded by the ids a process can hold, not by the message: at
	 * most SONDE__APP_SESSIONS_MAX non-empty strings after the name are
	 * parsed. */
	for (uint32_t i = 1; i < m->argc && seen < SONDE__APP_SESSIONS_MAX &&
			     n < max;
	     i++) {
		uint64_t id = session_id(m->argv[i]);
		uint32_t k;

		if (!m->argv[i][0])
			continue; /* an older agent's "none" */
		seen++;
		for (k = 0; k < n && ids[k] != id; k++)
			;
		if (id && k == n)
			ids[n++] = id;
	}
	return n;
}

int sonde__msg_sendv(int fd, const struct sonde__msg_hdr *h,
		     const struct iovec *iov, uint32_t niov, int fd_pass,
		     int dontwait)
{
	struct sonde__msg_hdr hh = *h;
	union {
		struct cmsghdr c;
		char space[CMSG_SPACE(sizeof(int))];
	} ctl;
	/* Header and payload gathered as they are: nothing is copied. */
	struct iovec v[2 + SONDE__MSG_ARGS_MAX];
	struct msghdr mh;
	size_t len = 0;
	ssize_t w;

	if (niov > 1 + SONDE__MSG_ARGS_MAX)
		return -EMSGSIZE;
	for (uint32_t i = 0; i < niov; i++) {
		if (iov[i].iov_len > SONDE__MSG_PAYLOAD_MAX - len)
			return -EMSGSIZE;
		len += iov[i].iov_len;
		v[1 + i] = iov[i];
	}
	hh.magic = SONDE__PROTO_MAGIC;
	hh.version = SONDE__PROTO_VERSION;
	hh.len = (uint32_t)len;
	v[0].iov_base = &hh;
	v[0].iov_len = sizeof(hh);
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = v;
	mh.msg_iovlen = 1 + niov;
	if (fd_pass >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.space;
		mh.msg_controllen = sizeof(ctl.space);
		ctl.c.cmsg_level = SOL_SOCKET;
		ctl.c.cmsg_type = SCM_RIGHTS;
		ctl.c.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&ctl.c), &fd_pass, sizeof(int));
	}
	do
		w = sendmsg(fd, &mh,
			    MSG_NOSIGNAL | (dontwait ? MSG_DONTWAIT : 0));
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return (size_t)w == sizeof(hh) + len ? 0 : -EIO;
}

int sonde__msg_send(int fd, uint16_t type, int32_t status, uint64_t arg,
		    uint32_t seq, const char *const *argv, uint32_t argc,
		    int fd_pass, int dontwait)
{
	struct sonde__msg_hdr h = { 0, 0, type, 0, status, arg, seq, 0 };
	struct iovec iov[SONDE__MSG_ARGS_MAX];

	if (argc > SONDE__MSG_ARGS_MAX)
		return -EMSGSIZE;
	for (uint32_t i = 0; i < argc; i++) {
		iov[i].iov_base = (void *)argv[i];
		iov[i].iov_len = strlen(argv[i]) + 1;
	}
	return sonde__msg_sendv(fd, &h, iov, argc, fd_pass, dontwait);
}

size_t sonde__reply_chunk(size_t len, size_t off, uint16_t *type)
{
	size_t left = off < len ? len - off : 0;

	*type = left > SONDE__REPLY_CHUNK ? SONDE__MSG_REPLY_PART
					  : SONDE__MSG_REPLY;
	return left > SONDE__REPLY_CHUNK ? SONDE__REPLY_CHUNK : left;
}

int sonde__reply_take(struct sonde__reply *r, const struct sonde__msg *m)
{
	size_t l;

	if (r->done || m->argc != 1 ||
	    (m->h.type != SONDE__MSG_REPLY &&
	     m->h.type != SONDE__MSG_REPLY_PART))
		return -EPROTO;
	l = strlen(m->argv[0]);
	if (l > SONDE__REPLY_MAX - r->len)
		return -E2BIG;
	if (r->len + l + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		char *p;

		while (cap < r->len + l + 1)
			cap *= 2;
		p = realloc(r->text, cap);
		if (!p)
			return -ENOMEM;
		r->text = p;
		r->cap = cap;
	}
	memcpy(r->text + r->len, m->argv[0], l + 1);
	r->len += l;
	if (m->h.type == SONDE__MSG_REPLY_PART)
		return 0;
	r->status = m->h.status;
	r->done = 1;
	return 1;
}

void sonde__reply_free(struct sonde__reply *r)
{
	free(r->text);
	r->text = NULL;
	r->len = r->cap = 0;
}

int sonde__msg_recv(int fd, void *buf, struct sonde__msg *m, int *fd_out,
		    int dontwait)
{
	union {
		struct cmsghdr c;
		char space[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov = { buf, SONDE__MSG_BUF };
	struct msghdr mh;
	ssize_t n;

	*fd_out = -1;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.space;
	mh.msg_controllen = sizeof(ctl.space);
	do
		n = recvmsg(fd, &mh,
			    MSG_CMSG_CLOEXEC | (dontwait ? MSG_DONTWAIT : 0));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		/* Keep the first descriptor, close any other. */
		for (size_t i = 0;
		     (i + 1) * sizeof(int) <= c->cmsg_len - CMSG_LEN(0); i++) {
			int d;

			memcpy(&d, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd_out < 0)
				*fd_out = d;
			else
				close(d);
		}
	}
	if (n == 0)
		return -ECONNRESET;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EPROTO;
	return sonde__msg_decode(buf, (size_t)n, m);
}

int sonde__peer_cred(int fd, uid_t *uid, pid_t *pid)
{
	struct ucred cr;
	socklen_t l = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l))
		return -errno;
	*uid = cr.uid;
	*pid = cr.pid;
	return 0;
}
