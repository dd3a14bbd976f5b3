// SPDX-License-Identifier: MIT
/*
 * test-live raw protocol tool: speaks sonde's control protocol (AF_UNIX
 * SOCK_SEQPACKET, 32-byte little-endian header + NUL-terminated strings)
 * directly, to feed the daemon and the apps well-formed and hostile
 * messages and print what comes back.  Every outcome is printed, the exit
 * status only says whether the tool itself could run.
 *
 *   test-live-raw client SOCKET KIND [CWD]
 *	connects, sends one frame of KIND (see client_kinds), prints
 *	"reply STATUS TEXT", "closed" (no reply, connection closed) or
 *	"timeout" (nothing within 10 s); after a reply, a second line says
 *	whether the connection was then closed ("closed") or not ("open").
 *	Exit 3 when it cannot connect.
 *   test-live-raw silent SOCKET N SECONDS
 *	holds N connections that never send anything for SECONDS, then
 *	prints "held K" (K connections made).
 *   test-live-raw fake RUNDIR MSG...
 *	a fake daemon: binds RUNDIR/sonde.sock (RUNDIR made 0700), prints
 *	"listening", accepts an app, reads its HELLO ("hello PID NAME"),
 *	then sends each hostile MSG (see fake_kinds) and prints
 *	"MSG ack STATUS SEQ WANTSEQ", "MSG closed" or "MSG noack" (nothing
 *	within 10 s).  After a close it waits up to 20 s for the app to
 *	connect again ("reconnected PID"), else prints "noreconnect" and
 *	"MSG untested" for the rest.  Ends with "events NAMES..." (what the
 *	app's EVENTS messages named) and "leaked N" (descriptors of the
 *	memfds it was sent that the app still holds).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x53444331u
#define VERSION 1
#define HDR 32
#define MAX_PAYLOAD 65536

enum {
	T_HELLO = 1,
	T_EVENTS = 2,
	T_COMMAND = 3,
	T_REPLY = 4,
	T_ATTACH = 5,
	T_ENABLE = 6,
	T_DETACH = 7,
	T_ACK = 8,
};

struct hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;
	int32_t status;
	uint64_t arg;
	uint32_t seq;
	uint32_t resv;
};
_Static_assert(sizeof(struct hdr) == HDR, "the wire header is 32 bytes");

/* A frame being built: header + payload, and the descriptors to pass. */
struct frame {
	unsigned char *buf;
	size_t size, cap;
	int fds[4];
	int nfds;
};

static void frame_room(struct frame *f, size_t more)
{
	if (f->size + more <= f->cap)
		return;
	while (f->size + more > f->cap)
		f->cap = f->cap ? f->cap * 2 : 256;
	f->buf = realloc(f->buf, f->cap);
	if (!f->buf) {
		perror("realloc");
		exit(2);
	}
}

static void frame_init(struct frame *f, uint16_t type, uint64_t arg,
		       uint32_t seq)
{
	struct hdr h = { MAGIC, VERSION, type, 0, 0, arg, seq, 0 };

	memset(f, 0, sizeof(*f));
	frame_room(f, HDR);
	memcpy(f->buf, &h, HDR);
	f->size = HDR;
}

static void frame_bytes(struct frame *f, const void *p, size_t n)
{
	frame_room(f, n);
	memcpy(f->buf + f->size, p, n);
	f->size += n;
}

/* Appends a NUL-terminated string and updates len. */
static void frame_str(struct frame *f, const char *s)
{
	frame_bytes(f, s, strlen(s) + 1);
}

/* A string of n copies of c, NUL-terminated. */
static void frame_fill(struct frame *f, char c, size_t n)
{
	frame_room(f, n + 1);
	memset(f->buf + f->size, c, n);
	f->buf[f->size + n] = 0;
	f->size += n + 1;
}

static struct hdr *frame_hdr(struct frame *f)
{
	return (struct hdr *)f->buf;
}

/* len = what follows the header (call after the payload is complete). */
static void frame_seal(struct frame *f)
{
	frame_hdr(f)->len = (uint32_t)(f->size - HDR);
}

static void frame_fd(struct frame *f, int fd)
{
	if (fd < 0) {
		perror("descriptor for the frame");
		exit(2);
	}
	f->fds[f->nfds++] = fd;
}

/* Returns 0, or -errno. */
static int frame_send(int sock, struct frame *f)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { f->buf, f->size };
	struct msghdr mh = { 0 };
	ssize_t n;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (f->nfds) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)f->nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)f->nfds);
		memcpy(CMSG_DATA(c), f->fds, sizeof(int) * (size_t)f->nfds);
	}
	n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	for (int i = 0; i < f->nfds; i++)
		close(f->fds[i]);
	free(f->buf);
	f->buf = NULL;
	return n < 0 ? -errno : 0;
}

/* A received message: *n bytes in buf (static, 256 KiB). */
static unsigned char rbuf[256 * 1024];

/*
 * Waits up to ms for one message.  Returns its size (>0), 0 when the peer
 * closed the connection, -ETIMEDOUT, or -errno.  Descriptors received
 * with it are closed.
 */
static ssize_t recv_msg(int sock, int ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} ctl;
	struct pollfd p = { sock, POLLIN, 0 };
	struct iovec iov = { rbuf, sizeof(rbuf) };
	struct msghdr mh = { 0 };
	struct cmsghdr *c;
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return -errno;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == ECONNRESET ? 0 : -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int fds[16];

			memcpy(fds, CMSG_DATA(c), k * sizeof(int));
			for (size_t i = 0; i < k; i++)
				close(fds[i]);
		}
	}
	if (n == 0) {
		/*
		 * A zero-length message and the end of the connection both
		 * read as 0; a closed connection also reports POLLHUP.
		 */
		return 0;
	}
	return n;
}

/* The header of the message in rbuf, if it is one (NULL otherwise). */
static const struct hdr *msg_hdr(ssize_t n)
{
	static struct hdr h;

	if (n < HDR)
		return NULL;
	memcpy(&h, rbuf, HDR);
	if (h.magic != MAGIC)
		return NULL;
	return &h;
}

/* First string of the payload, printable, at most 200 characters. */
static const char *msg_text(ssize_t n)
{
	static char out[204];
	size_t j = 0;

	for (ssize_t i = HDR; i < n && rbuf[i] && j < 200; i++)
		out[j++] = rbuf[i] >= 0x20 && rbuf[i] < 0x7f ? (char)rbuf[i] : '?';
	out[j] = 0;
	return out;
}

static int sock_new(void)
{
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (s < 0) {
		perror("socket");
		exit(2);
	}
	return s;
}

static void sock_addr(struct sockaddr_un *a, const char *p)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(p) >= sizeof(a->sun_path)) {
		fprintf(stderr, "socket path too long: %s\n", p);
		exit(2);
	}
	strcpy(a->sun_path, p);
}

static int sock_connect(const char *p)
{
	struct sockaddr_un a;
	int s = sock_new();

	sock_addr(&a, p);
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(s);
		return -e;
	}
	return s;
}

static int junk_memfd(size_t size, size_t junk, unsigned char c)
{
	int fd = memfd_create("live-raw-junk", MFD_CLOEXEC);
	unsigned char b[4096];

	if (fd < 0 || ftruncate(fd, (off_t)size))
		return -1;
	memset(b, c, sizeof(b));
	for (size_t off = 0; off < junk; off += sizeof(b)) {
		size_t k = junk - off < sizeof(b) ? junk - off : sizeof(b);

		if (pwrite(fd, b, k, (off_t)off) != (ssize_t)k)
			return -1;
	}
	return fd;
}

/* ---- client: one frame to the daemon ---------------------------------- */

/* Builds the client frame KIND; returns 0, or -1 for an unknown kind. */
static int client_frame(struct frame *f, const char *kind, const char *cwd)
{
	frame_init(f, T_COMMAND, 0, 1);
	if (!strcmp(kind, "valid")) {
		/* A well-formed COMMAND: the tool's own sanity check. */
		frame_str(f, cwd);
		frame_str(f, "sessions");
	} else if (!strcmp(kind, "withfd")) {
		/* Well-formed, but carries a descriptor nobody asked for. */
		frame_str(f, cwd);
		frame_str(f, "sessions");
		frame_fd(f, junk_memfd(4096, 4096, 0x5a));
	} else if (!strcmp(kind, "garbage")) {
		f->size = 0;
		for (int i = 0; i < 100; i++) {
			unsigned char b = (unsigned char)(i * 37 + 11);

			frame_bytes(f, &b, 1);
		}
		return 0;
	} else if (!strcmp(kind, "zero")) {
		f->size = 0;
		return 0;
	} else if (!strcmp(kind, "short")) {
		frame_str(f, cwd);
		frame_str(f, "sessions");
		frame_seal(f);
		f->size = 16;
		return 0;
	} else if (!strcmp(kind, "badmagic")) {
		frame_str(f, cwd);
		frame_str(f, "sessions");
		frame_seal(f);
		frame_hdr(f)->magic = 0xdeadbeef;
		return 0;
	} else if (!strcmp(kind, "badversion")) {
		frame_str(f, cwd);
		frame_str(f, "sessions");
		frame_seal(f);
		frame_hdr(f)->version = 2;
		return 0;
	} else if (!strcmp(kind, "lenbig") || !strcmp(kind, "lensmall") ||
		   !strcmp(kind, "lenhuge")) {
		frame_str(f, cwd);
		frame_str(f, "sessions");
		frame_seal(f);
		if (!strcmp(kind, "lenbig"))
			frame_hdr(f)->len += 100;
		else if (!strcmp(kind, "lensmall"))
			frame_hdr(f)->len -= 3;
		else
			frame_hdr(f)->len = 0xffffffffu;
		return 0;
	} else if (!strcmp(kind, "nonul")) {
		frame_str(f, cwd);
		frame_bytes(f, "sessions", 8);
	} else if (!strcmp(kind, "huge")) {
		/* Payload over the 65536-byte limit. */
		frame_str(f, cwd);
		frame_fill(f, 'x', 70000);
	} else if (!strcmp(kind, "many")) {
		/* More than 256 strings. */
		frame_str(f, cwd);
		frame_str(f, "sessions");
		for (int i = 0; i < 300; i++)
			frame_str(f, "a");
	} else if (!strcmp(kind, "nostrings")) {
		/* COMMAND with an empty payload. */
	} else if (!strcmp(kind, "noverb")) {
		frame_str(f, cwd);
	} else if (!strcmp(kind, "emptyverb")) {
		frame_str(f, cwd);
		frame_str(f, "");
	} else if (!strcmp(kind, "badverb")) {
		frame_str(f, cwd);
		frame_str(f, "frobnicate");
	} else if (!strcmp(kind, "longverb")) {
		/* Within the limits, but a 65000-character verb. */
		frame_str(f, cwd);
		frame_fill(f, 'v', 65000);
	} else if (!strcmp(kind, "longname")) {
		/* create with a 60000-character session name */
		frame_str(f, cwd);
		frame_str(f, "create");
		frame_fill(f, 'n', 60000);
	} else if (!strcmp(kind, "type0") || !strcmp(kind, "type99")) {
		frame_str(f, cwd);
		frame_str(f, "sessions");
		frame_hdr(f)->type = !strcmp(kind, "type0") ? 0 : 99;
	} else if (!strcmp(kind, "reply") || !strcmp(kind, "ack") ||
		   !strcmp(kind, "attach")) {
		/* Messages only the daemon or an app sends. */
		frame_str(f, "*");
		frame_hdr(f)->type = !strcmp(kind, "reply")  ? T_REPLY
				     : !strcmp(kind, "ack") ? T_ACK
							    : T_ATTACH;
		if (!strcmp(kind, "attach"))
			frame_fd(f, junk_memfd(4096, 4096, 0x5a));
	} else {
		return -1;
	}
	frame_seal(f);
	return 0;
}

static int run_client(const char *sockpath, const char *kind, const char *cwd)
{
	struct frame f;
	const struct hdr *h;
	ssize_t n;
	int s, r;

	if (client_frame(&f, kind, cwd)) {
		fprintf(stderr, "unknown client kind %s\n", kind);
		return 2;
	}
	s = sock_connect(sockpath);
	if (s < 0) {
		printf("connect-failed %d\n", -s);
		free(f.buf);
		return 3;
	}
	r = frame_send(s, &f);
	if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
		printf("send-failed %d\n", -r);
		return 0;
	}
	n = recv_msg(s, 10000);
	if (n == -ETIMEDOUT) {
		printf("timeout\n");
		return 0;
	}
	if (n <= 0) {
		printf("closed\n");
		return 0;
	}
	h = msg_hdr(n);
	if (!h || h->type != T_REPLY) {
		printf("badreply size=%zd type=%d\n", n, h ? h->type : -1);
		return 0;
	}
	printf("reply %d %s\n", (int)h->status, msg_text(n));
	n = recv_msg(s, 5000);
	printf("%s\n", n == 0 ? "closed" : n == -ETIMEDOUT ? "open" : "extra");
	close(s);
	return 0;
}

static int run_silent(const char *sockpath, int count, int secs)
{
	int held = 0;

	for (int i = 0; i < count; i++) {
		if (sock_connect(sockpath) >= 0)
			held++;
	}
	sleep((unsigned)secs);
	printf("held %d\n", held);
	return 0;
}

/* ---- fake daemon: hostile messages to an app -------------------------- */

static char events_seen[8192];
static int app_pid;

static void note_events(ssize_t n)
{
	for (ssize_t i = HDR; i < n;) {
		const char *s = (const char *)rbuf + i;
		size_t k = strnlen(s, (size_t)(n - i));

		if (k && !strstr(events_seen, s) &&
		    strlen(events_seen) + k + 2 < sizeof(events_seen)) {
			strcat(events_seen, " ");
			strncat(events_seen, s, k);
		}
		i += (ssize_t)k + 1;
	}
}

/*
 * Builds hostile message KIND with sequence number seq; returns 0, or -1
 * for an unknown kind.
 */
static int fake_frame(struct frame *f, const char *kind, uint32_t seq)
{
	frame_init(f, T_ENABLE, 1, seq);
	if (!strcmp(kind, "garbage")) {
		f->size = 0;
		for (int i = 0; i < 64; i++)
			frame_bytes(f, "\xa5", 1);
		return 0;
	} else if (!strcmp(kind, "zero")) {
		f->size = 0;
		return 0;
	} else if (!strcmp(kind, "short")) {
		frame_str(f, "live:*");
		frame_seal(f);
		f->size = 10;
		return 0;
	} else if (!strcmp(kind, "badmagic") || !strcmp(kind, "badversion") ||
		   !strcmp(kind, "lenbig") || !strcmp(kind, "lenhuge")) {
		frame_str(f, "live:*");
		frame_seal(f);
		if (!strcmp(kind, "badmagic"))
			frame_hdr(f)->magic = 0x31434453u;
		else if (!strcmp(kind, "badversion"))
			frame_hdr(f)->version = 9;
		else if (!strcmp(kind, "lenbig"))
			frame_hdr(f)->len += 50;
		else
			frame_hdr(f)->len = 0xfffffff0u;
		return 0;
	} else if (!strcmp(kind, "nonul")) {
		frame_bytes(f, "live:*", 6);
	} else if (!strcmp(kind, "many")) {
		for (int i = 0; i < 300; i++)
			frame_str(f, "live:a");
	} else if (!strcmp(kind, "enable-huge")) {
		/* A 70000-character pattern: over the payload limit. */
		frame_fill(f, 'p', 70000);
	} else if (!strcmp(kind, "enable-long")) {
		/* Within the limits, for a session the app is not in. */
		frame_fill(f, 'p', 65000);
	} else if (!strcmp(kind, "enable-unknown")) {
		frame_hdr(f)->arg = 4242;
		frame_str(f, "live:*");
	} else if (!strcmp(kind, "detach-unknown")) {
		frame_hdr(f)->type = T_DETACH;
		frame_hdr(f)->arg = 4243;
	} else if (!strcmp(kind, "unknown-type")) {
		frame_hdr(f)->type = 99;
		frame_str(f, "live:*");
	} else if (!strcmp(kind, "daemon-hello")) {
		frame_hdr(f)->type = T_HELLO;
		frame_str(f, "impostor");
	} else if (!strncmp(kind, "attach-", 7)) {
		const char *what = kind + 7;

		frame_hdr(f)->type = T_ATTACH;
		frame_hdr(f)->arg = 7;
		frame_str(f, "live:*");
		if (!strcmp(what, "nofd")) {
			/* no descriptor */
		} else if (!strcmp(what, "devnull")) {
			frame_fd(f, open("/dev/null", O_RDWR | O_CLOEXEC));
		} else if (!strcmp(what, "dir")) {
			frame_fd(f, open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
		} else if (!strcmp(what, "pipe")) {
			int p[2];

			if (pipe2(p, O_CLOEXEC))
				return -1;
			close(p[1]);
			frame_fd(f, p[0]);
		} else if (!strcmp(what, "junk")) {
			frame_fd(f, junk_memfd(65536, 65536, 0x5a));
		} else if (!strcmp(what, "zeros")) {
			frame_fd(f, junk_memfd(1 << 20, 0, 0));
		} else if (!strcmp(what, "empty")) {
			frame_fd(f, junk_memfd(0, 0, 0));
		} else if (!strcmp(what, "big")) {
			frame_fd(f, junk_memfd((size_t)1 << 30, 4096, 0xff));
		} else if (!strcmp(what, "2fds")) {
			frame_fd(f, junk_memfd(65536, 65536, 0x5a));
			frame_fd(f, junk_memfd(4096, 4096, 0x33));
		} else {
			return -1;
		}
	} else {
		return -1;
	}
	frame_seal(f);
	return 0;
}

static int accept_app(int lsock, int ms)
{
	struct pollfd p = { lsock, POLLIN, 0 };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	return accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
}

/* Reads the app's first message; prints "WHAT PID NAME". 0 on success. */
static int read_hello(int conn, const char *what)
{
	ssize_t n = recv_msg(conn, 10000);
	const struct hdr *h = msg_hdr(n);

	if (!h || h->type != T_HELLO) {
		printf("%s-missing size=%zd type=%d\n", what, n, h ? h->type : -1);
		return -1;
	}
	app_pid = (int)h->arg;
	printf("%s %llu %s\n", what, (unsigned long long)h->arg, msg_text(n));
	fflush(stdout);
	return 0;
}

/* Descriptors of our memfds still open in the app. */
static int count_leaked(void)
{
	char dpath[64], lpath[512], target[512];
	struct dirent *e;
	int leaked = 0;
	DIR *d;

	snprintf(dpath, sizeof(dpath), "/proc/%d/fd", app_pid);
	d = opendir(dpath);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		ssize_t k;

		if (e->d_name[0] == '.')
			continue;
		snprintf(lpath, sizeof(lpath), "%s/%s", dpath, e->d_name);
		k = readlink(lpath, target, sizeof(target) - 1);
		if (k <= 0)
			continue;
		target[k] = 0;
		if (strstr(target, "live-raw-junk"))
			leaked++;
	}
	closedir(d);
	return leaked;
}

static int run_fake(const char *rundir, int nmsg, char **msgs)
{
	struct sockaddr_un a;
	char sockpath[4096];
	int lsock, conn, leaked;
	ssize_t n;

	if (mkdir(rundir, 0700) && errno != EEXIST) {
		perror("mkdir");
		return 2;
	}
	if (chmod(rundir, 0700)) {
		perror("chmod");
		return 2;
	}
	snprintf(sockpath, sizeof(sockpath), "%s/sonde.sock", rundir);
	unlink(sockpath);
	lsock = sock_new();
	sock_addr(&a, sockpath);
	if (bind(lsock, (struct sockaddr *)&a, sizeof(a)) || listen(lsock, 16)) {
		perror("bind/listen");
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	conn = accept_app(lsock, 30000);
	if (conn < 0) {
		printf("noconnect\n");
		unlink(sockpath);
		return 1;
	}
	if (read_hello(conn, "hello")) {
		unlink(sockpath);
		return 1;
	}
	/* The app announces its events; give it a moment to. */
	for (int i = 0; i < 30 && !events_seen[0]; i++) {
		const struct hdr *h;

		n = recv_msg(conn, 100);
		h = msg_hdr(n);
		if (h && h->type == T_EVENTS)
			note_events(n);
		else if (n >= 0)
			break;
	}
	for (int m = 0; m < nmsg; m++) {
		uint32_t seq = 100 + (uint32_t)m;
		struct timespec t0, t1;
		struct frame f;
		int r, done = 0;

		if (fake_frame(&f, msgs[m], seq)) {
			fprintf(stderr, "unknown fake kind %s\n", msgs[m]);
			return 2;
		}
		r = frame_send(conn, &f);
		if (r < 0) {
			/* The app had already closed the connection. */
			printf("%s closed\n", msgs[m]);
			done = -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!done) {
			const struct hdr *h;
			long left;

			clock_gettime(CLOCK_MONOTONIC, &t1);
			left = 10000 - ((t1.tv_sec - t0.tv_sec) * 1000 +
					(t1.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0) {
				printf("%s noack\n", msgs[m]);
				done = 1;
				break;
			}
			n = recv_msg(conn, (int)left);
			if (n == -ETIMEDOUT)
				continue;
			if (n <= 0) {
				printf("%s closed\n", msgs[m]);
				done = -1;
				break;
			}
			h = msg_hdr(n);
			if (h && h->type == T_EVENTS) {
				note_events(n);
			} else if (h && h->type == T_ACK) {
				printf("%s ack %d %u %u\n", msgs[m], (int)h->status,
				       h->seq, seq);
				done = 1;
			} else {
				printf("# %s: app sent type %d (%zd bytes)\n",
				       msgs[m], h ? h->type : -1, n);
			}
		}
		fflush(stdout);
		if (done < 0) {
			close(conn);
			conn = accept_app(lsock, 20000);
			if (conn < 0 || read_hello(conn, "reconnected")) {
				printf("noreconnect\n");
				for (m++; m < nmsg; m++)
					printf("%s untested\n", msgs[m]);
				conn = -1;
				break;
			}
		}
	}
	printf("events%s\n", events_seen);
	/* Give the app a moment to close what it was sent. */
	for (int i = 0; i < 30 && (leaked = count_leaked()); i++) {
		struct timespec d = { 0, 100000000 };

		nanosleep(&d, NULL);
	}
	printf("leaked %d\n", count_leaked());
	if (conn >= 0)
		close(conn);
	close(lsock);
	unlink(sockpath);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "client"))
		return run_client(argv[2], argv[3], argc == 5 ? argv[4] : "/");
	if (argc == 5 && !strcmp(argv[1], "silent"))
		return run_silent(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 3 && !strcmp(argv[1], "fake"))
		return run_fake(argv[2], argc - 3, argv + 3);
	fprintf(stderr,
		"usage: %s client SOCKET KIND [CWD] | silent SOCKET N SECONDS |"
		" fake RUNDIR MSG...\n", argv[0]);
	return 2;
}
