// SPDX-License-Identifier: MIT
/*
 * test-live-hung: a fake application that registers with the session
 * daemon and then never answers it, for test-live-hung.sh.
 *
 *   test-live-hung SOCKET PIDFILE [CLAIM]
 *	connects to the daemon's SOCKET, says HELLO as an agent does
 *	(pid, name "hung", and CLAIM: the id of a session it says it already
 *	records into, as a forked child would), writes its pid to PIDFILE,
 *	then sleeps with the connection open: it reads no request and sends
 *	no ACK, until it is killed.
 *
 * The wire format is written out here (a 32-byte header then NUL-
 * terminated strings) rather than taken from src/control/proto.h, as
 * test-live-raw does, so that the test does not share the daemon's code.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;
	int32_t status;
	uint64_t arg;
	uint32_t seq;
	uint32_t flags;
};
_Static_assert(sizeof(struct hdr) == 32, "the wire header is 32 bytes");

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	unsigned char buf[256];
	const char *claim = argc > 3 ? argv[3] : "";
	struct hdr h = { 0x53444331u, 1, 1 /* HELLO */, 0, 0, 0, 0, 0 };
	size_t n = sizeof(h);
	char tmp[4200];
	FILE *f;
	int fd;

	if (argc < 3 || strlen(argv[1]) >= sizeof(a.sun_path) ||
	    strlen(claim) > 64) {
		fprintf(stderr, "usage: test-live-hung SOCKET PIDFILE [CLAIM]\n");
		return 2;
	}
	memcpy(a.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("test-live-hung: connect");
		return 1;
	}
	h.arg = (uint64_t)getpid();
	memcpy(buf + n, "hung", 5);
	n += 5;
	memcpy(buf + n, claim, strlen(claim) + 1);
	n += strlen(claim) + 1;
	h.len = (uint32_t)(n - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	if (send(fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n) {
		perror("test-live-hung: send");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) ||
	    rename(tmp, argv[2])) {
		perror("test-live-hung: pid file");
		return 1;
	}
	/* Hung: the requests stay unread in the socket. */
	for (;;)
		pause();
}
