// SPDX-License-Identifier: MIT
/*
 * sonde create | enable | disable | start | stop | snapshot | destroy |
 * sessions | list: one COMMAND to the user's session daemon, its REPLY
 * printed (stdout on success, stderr with exit status 1 on error).  The
 * options are checked by the daemon (src/control/command.c), which knows
 * them all; only --help is answered here.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/control/proto.h"
#include "../../src/control/rundir.h"
#include "cmd.h"

static const struct {
	const char *verb;
	const char *usage;
} usages[] = {
	{ "create", "sonde create NAME [-o DIR] [--overwrite] [--subbuf-size S] [--num-subbuf N] [--switch-timer MS]" },
	{ "enable", "sonde enable -s NAME PATTERN..." },
	{ "disable", "sonde disable -s NAME PATTERN..." },
	{ "start", "sonde start -s NAME" },
	{ "stop", "sonde stop -s NAME" },
	{ "snapshot", "sonde snapshot -s NAME [-o DIR]" },
	{ "destroy", "sonde destroy -s NAME" },
	{ "sessions", "sonde sessions" },
	{ "list", "sonde list" },
};

/* Connect to the daemon; the socket, or -1 after saying why. */
int cli_daemon_connect(struct sonde__rundir *rd)
{
	char why[2 * PATH_MAX + 256];
	int fd, r;

	r = sonde__rundir_pick(rd, 0, why, sizeof(why));
	if (r == -EPERM) {
		cli_error("refusing the daemon's directory: %s", why);
		return -1;
	}
	/* Without /tmp/sonde-$UID, a daemon may still answer in the
	 * fallback (rundir.h). */
	fd = r && r != -ENOENT ? r : sonde__rundir_connect(rd, 0);
	if (fd == -EACCES) {
		cli_error("the daemon at %s runs as another user", rd->sock);
		return -1;
	}
	if (fd < 0) {
		cli_error("no daemon running (socket %s); start one with 'sonde daemon'",
			  rd->sock);
		return -1;
	}
	return fd;
}

/* Send [cwd, argv...]; wait for the REPLY; print it.  Exit status. */
int cli_daemon_command(int fd, int argc, char **argv)
{
	static char buf[SONDE__MSG_BUF];
	const char *args[SONDE__MSG_ARGS_MAX];
	char cwd[PATH_MAX];
	struct sonde__msg m;
	int pfd, r;

	if (argc + 1 > (int)SONDE__MSG_ARGS_MAX)
		return cli_error("too many arguments");
	if (!getcwd(cwd, sizeof(cwd)))
		return cli_error("cannot get the current directory: %s",
				 strerror(errno));
	args[0] = cwd;
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	r = sonde__msg_send(fd, SONDE__MSG_COMMAND, 0, 0, 1, args,
			    (uint32_t)argc + 1, -1, 0);
	if (r)
		return cli_error("cannot talk to the daemon: %s", strerror(-r));
	r = sonde__msg_recv(fd, buf, &m, &pfd, 0);
	if (pfd >= 0)
		close(pfd);
	if (r || m.h.type != SONDE__MSG_REPLY)
		return cli_error("the daemon did not answer (%s)",
				 r ? strerror(-r) : "unexpected message");
	if (m.h.status)
		return cli_error("%s", m.argc && *m.argv[0]
					       ? m.argv[0]
					       : strerror(-m.h.status));
	if (m.argc && *m.argv[0])
		printf("%s\n", m.argv[0]);
	return 0;
}

int cmd_control(int argc, char **argv)
{
	struct sonde__rundir rd;
	int fd, r;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			for (size_t k = 0; k < sizeof(usages) / sizeof(usages[0]); k++)
				if (!strcmp(usages[k].verb, argv[0]))
					printf("usage: %s\n", usages[k].usage);
			printf("See man sonde-%s.\n", argv[0]);
			return 0;
		}
	if (sonde__rundir_paths(&rd))
		return cli_error("run directory path too long");
	fd = cli_daemon_connect(&rd);
	if (fd < 0)
		return 1;
	r = cli_daemon_command(fd, argc, argv);
	close(fd);
	return r;
}
