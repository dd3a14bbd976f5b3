// SPDX-License-Identifier: MIT
/*
 * test-live-flood: many idle connections to the session daemon, from many
 * processes, for test-live-limits.sh.
 *
 *   test-live-flood SOCKET NPROC PERPROC STOPFILE
 *	forks NPROC children; each connects PERPROC times to SOCKET (each
 *	connect given 2 s: a daemon that accepts nothing must not hang the
 *	test), sends nothing, and holds its connections until STOPFILE
 *	exists (checked every 100 ms).  Once every child has tried, prints
 *	"connected K" (K connects that succeeded, all children together) on
 *	stdout.  When STOPFILE appears the children close their connections
 *	and exit; the parent exits 0 after them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&d, NULL);
}

static int child(const struct sockaddr_un *a, int n, const char *stop, int wr)
{
	struct timeval tv = { 2, 0 };
	int ok = 0;

	for (int i = 0; i < n; i++) {
		int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		if (s < 0)
			break;
		setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(s, (const struct sockaddr *)a, sizeof(*a)))
			close(s);
		else
			ok++;
	}
	if (write(wr, &ok, sizeof(ok)) != sizeof(ok))
		return 1;
	close(wr);
	while (access(stop, F_OK))
		nap_ms(100);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int nproc, per, p[2], total = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: %s SOCKET NPROC PERPROC STOPFILE\n",
			argv[0]);
		return 2;
	}
	nproc = atoi(argv[2]);
	per = atoi(argv[3]);
	if (strlen(argv[1]) >= sizeof(a.sun_path) || nproc < 1 || per < 1 ||
	    pipe(p))
		return 2;
	memcpy(a.sun_path, argv[1], strlen(argv[1]) + 1);
	for (int i = 0; i < nproc; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			close(p[0]);
			_exit(child(&a, per, argv[4], p[1]));
		}
	}
	close(p[1]);
	for (int i = 0; i < nproc; i++) {
		int k;

		if (read(p[0], &k, sizeof(k)) != sizeof(k))
			break;
		total += k;
	}
	printf("connected %d\n", total);
	fflush(stdout);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
