// SPDX-License-Identifier: MIT
/*
 * sonde create | enable | disable | start | stop | snapshot | destroy |
 * sessions | list: one COMMAND to the user's session daemon, its REPLY
 * printed (stdout on success, stderr with exit status 1 on error).  The
 * options are checked by the daemon (src/daemon/command.c), which knows
 * them all; only --help and --timeout are handled here.  `list -k`, the
 * kernel's trace events, needs no daemon: cmd-list-kernel.c answers it.
 *
 * The daemon gets --timeout SECONDS ($SONDE_TIMEOUT; 0: no limit) to
 * accept the connection and send its whole reply: DEFAULT_TIMEOUT_S, or
 * SLOW_TIMEOUT_S for the verbs that wait for every application and write
 * the trace.  A daemon that is stopped or stuck then costs that long, and
 * a sentence.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../../src/control/proto.h"
#include "../../src/control/rundir.h"
#include "cmd.h"

#define DEFAULT_TIMEOUT_S 10
#define SLOW_TIMEOUT_S 60

static const struct {
	const char *verb;
	const char *usage;
} usages[] = {
	{ "create", "sonde create NAME [-o DIR] [--overwrite] [--subbuf-size S] [--num-subbuf N] [--switch-timer MS]\n"
		    "              [--context LIST] [--timeout S]\n"
		    "       sonde create NAME --relay net://HOST[:CTRL[:DATA]] [-o DIR] [--relay-session NAME]\n"
		    "              [--relay-hostname NAME] [--live-timer MS] [--relay-optional] [...]" },
	{ "enable", "sonde enable -s NAME PATTERN... [--timeout S]\n"
		    "       sonde enable -s NAME -k SYSTEM:NAME... [--filter EXPR] [--timeout S]" },
	{ "disable", "sonde disable -s NAME PATTERN... [--timeout S]" },
	{ "start", "sonde start -s NAME [--timeout S]" },
	{ "stop", "sonde stop -s NAME [--timeout S]" },
	{ "snapshot", "sonde snapshot -s NAME [-o DIR] [--timeout S]" },
	{ "destroy", "sonde destroy -s NAME [--timeout S]" },
	{ "sessions", "sonde sessions [--timeout S]" },
	{ "list", "sonde list [--timeout S]\n"
		  "       sonde list -k|--kernel [SYSTEM:NAME[,...]]..." },
};

/* How long the daemon may take: milliseconds (0: no limit), and the
 * time it is up (CLOCK_MONOTONIC, ms; set at connect). */
static int timeout_ms = -1;
static double timeout_s;
static uint64_t deadline;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int parse_timeout(const char *v, const char *what)
{
	char *end;
	double s;

	errno = 0;
	s = v ? strtod(v, &end) : -1;
	if (!v || errno || end == v || *end || !(s >= 0 && s <= 86400))
		return cli_error("%s needs seconds from 0 (no limit) to 86400",
				 what);
	timeout_s = s;
	timeout_ms = (int)(s * 1000 + 0.5);
	if (s > 0 && !timeout_ms)
		timeout_ms = 1;
	return 0;
}

int cli_daemon_timeout(int *argc, char **argv)
{
	static const char *const slow[] = { "start", "stop", "snapshot",
					    "destroy" };
	const char *env = getenv("SONDE_TIMEOUT");
	int j = 1;

	timeout_s = DEFAULT_TIMEOUT_S;
	for (size_t k = 0; k < sizeof(slow) / sizeof(slow[0]); k++)
		if (!strcmp(argv[0], slow[k]))
			timeout_s = SLOW_TIMEOUT_S;
	timeout_ms = (int)(timeout_s * 1000);
	if (env && *env && parse_timeout(env, "SONDE_TIMEOUT"))
		return 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--timeout")) {
			if (parse_timeout(i + 1 < *argc ? argv[i + 1] : NULL,
					  "--timeout"))
				return 1;
			i++;
		} else if (!strncmp(a, "--timeout=", 10)) {
			if (parse_timeout(a + 10, "--timeout"))
				return 1;
		} else {
			argv[j++] = argv[i];
		}
	}
	*argc = j;
	argv[j] = NULL;
	return 0;
}

static int timed_out(void)
{
	return cli_error("the daemon did not answer within %g s; --timeout SECONDS waits longer",
			 timeout_s);
}

/* Milliseconds left before the deadline; -1 without one. */
static int left_ms(void)
{
	uint64_t t = now_ms();

	if (timeout_ms <= 0)
		return -1;
	return t >= deadline ? 0 : (int)(deadline - t);
}

/* Connect to the daemon; the socket, or -1 after saying why. */
int cli_daemon_connect(struct sonde__rundir *rd)
{
	char why[2 * PATH_MAX + 256];
	int fd, r;

	if (timeout_ms < 0)
		timeout_ms = DEFAULT_TIMEOUT_S * 1000;
	deadline = now_ms() + (uint64_t)timeout_ms;
	r = sonde__rundir_pick(rd, 0, why, sizeof(why));
	if (r == -EPERM) {
		cli_error("refusing the daemon's directory: %s", why);
		return -1;
	}
	/* Without /tmp/sonde-$UID, a daemon may still answer in the
	 * fallback (rundir.h). */
	fd = r && r != -ENOENT ? r : sonde__rundir_connect(rd, timeout_ms);
	if (fd == -EACCES) {
		cli_error("the daemon at %s runs as another user", rd->sock);
		return -1;
	}
	if (fd == -ETIMEDOUT) {
		timed_out();
		return -1;
	}
	if (fd < 0) {
		cli_error("no daemon running (socket %s); start one with 'sonde daemon'",
			  rd->sock);
		return -1;
	}
	return fd;
}

/* Send [cwd, argv...]; gather the REPLY's pieces; print it.  Exit status. */
int cli_daemon_command(int fd, int argc, char **argv)
{
	static char buf[SONDE__MSG_BUF];
	struct sonde__msg_hdr h = { .type = SONDE__MSG_COMMAND, .seq = 1,
				    .flags = SONDE__MSG_F_PARTS };
	struct iovec iov[SONDE__MSG_ARGS_MAX];
	struct sonde__reply rep = { 0 };
	char cwd[PATH_MAX];
	int r;

	if (argc + 1 > (int)SONDE__MSG_ARGS_MAX)
		return cli_error("too many arguments");
	if (!getcwd(cwd, sizeof(cwd)))
		return cli_error("cannot get the current directory: %s",
				 strerror(errno));
	iov[0].iov_base = cwd;
	iov[0].iov_len = strlen(cwd) + 1;
	for (int i = 0; i < argc; i++) {
		iov[i + 1].iov_base = argv[i];
		iov[i + 1].iov_len = strlen(argv[i]) + 1;
	}
	/* Bounded by the socket's send timeout (rundir.c). */
	r = sonde__msg_sendv(fd, &h, iov, (uint32_t)argc + 1, -1, 0);
	if (r == -EAGAIN)
		return timed_out();
	if (r)
		return cli_error("cannot talk to the daemon: %s", strerror(-r));
	do {
		struct pollfd p = { fd, POLLIN, 0 };
		struct sonde__msg m;
		int pfd;

		r = poll(&p, 1, left_ms());
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			sonde__reply_free(&rep);
			return timed_out();
		}
		r = sonde__msg_recv(fd, buf, &m, &pfd, 1);
		if (pfd >= 0)
			close(pfd);
		if (r == -EAGAIN)
			continue;
		if (!r)
			r = sonde__reply_take(&rep, &m);
		if (r < 0) {
			sonde__reply_free(&rep);
			if (r == -ECONNRESET)
				return cli_error("the daemon closed the connection without answering");
			return cli_error("the daemon did not answer (%s)",
					 strerror(-r));
		}
	} while (r != 1);
	r = 0;
	if (rep.status) {
		r = cli_error("%s", rep.len ? rep.text
					    : strerror(-rep.status));
	} else {
		if (rep.len && (fwrite(rep.text, 1, rep.len, stdout) != rep.len ||
				putchar('\n') == EOF))
			r = cli_error("cannot write the reply: %s",
				      strerror(errno));
		if (fflush(stdout))
			r = cli_error("cannot write the reply: %s",
				      strerror(errno));
	}
	sonde__reply_free(&rep);
	return r;
}

int cmd_control(int argc, char **argv)
{
	struct sonde__rundir rd;
	int fd, r;

	if (!strcmp(argv[0], "list"))
		for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
			if (!strcmp(argv[i], "-k") ||
			    !strcmp(argv[i], "--kernel"))
				return cli_list_kernel(argc, argv);
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			for (size_t k = 0; k < sizeof(usages) / sizeof(usages[0]); k++)
				if (!strcmp(usages[k].verb, argv[0]))
					printf("usage: %s\n", usages[k].usage);
			printf("See man sonde-%s.\n", argv[0]);
			return 0;
		}
	if (cli_daemon_timeout(&argc, argv))
		return 1;
	if (sonde__rundir_paths(&rd))
		return cli_error("run directory path too long");
	fd = cli_daemon_connect(&rd);
	if (fd < 0)
		return 1;
	r = cli_daemon_command(fd, argc, argv);
	close(fd);
	return r;
}
