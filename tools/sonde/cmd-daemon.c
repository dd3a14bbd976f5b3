// SPDX-License-Identifier: MIT
/*
 * sonde daemon [--foreground] | --stop [--timeout S]: run the user's
 * session daemon (src/daemon/), or stop the one running.
 *
 * One daemon per run directory: daemon.lock is flock()ed for the daemon's
 * life (a crashed daemon leaves no stale lock).  Without --foreground the
 * command forks; the child detaches (new session, stdio to
 * RUNDIR/daemon.log) and the parent returns once the socket accepts
 * connections, so a script can use the daemon right after.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/control/proto.h"
#include "../../src/control/rundir.h"
#include "../../src/daemon/sessiond.h"
#include "cmd.h"

static int daemon_stop(struct sonde__rundir *rd)
{
	char *args[1] = { "daemon-stop" };
	struct pollfd p;
	char b;
	int fd = cli_daemon_connect(rd), r;

	if (fd < 0)
		return 1;
	r = cli_daemon_command(fd, 1, args);
	if (r) {
		close(fd);
		return r;
	}
	/* The daemon closes this connection when it exits. */
	p.fd = fd;
	p.events = POLLIN;
	while (poll(&p, 1, 120000) > 0 && recv(fd, &b, 1, 0) > 0)
		;
	close(fd);
	return 0;
}

static int lock_pid(int fd)
{
	char buf[32] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return 0;
	return atoi(buf);
}

int cmd_daemon(int argc, char **argv)
{
	static struct sonde__rundir rd;
	struct sonde__sessiond_opts o = { 0 };
	int foreground = 0, stop = 0, lock, pipefd[2] = { -1, -1 }, r;
	char why[2 * PATH_MAX + 256], running[PATH_MAX];
	pid_t pid;

	if (cli_daemon_timeout(&argc, argv))
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--foreground") || !strcmp(argv[i], "-F"))
			foreground = 1;
		else if (!strcmp(argv[i], "--stop"))
			stop = 1;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: sonde daemon [--foreground] | --stop [--timeout S]\n"
			       "See man sonde-daemon.\n");
			return 0;
		} else {
			return cli_error("unknown argument '%s'; usage: sonde daemon [--foreground] | --stop [--timeout S]",
					 argv[i]);
		}
	}
	if (sonde__rundir_paths(&rd))
		return cli_error("run directory path too long");
	if (stop)
		return daemon_stop(&rd);
	r = sonde__rundir_pick(&rd, 1, why, sizeof(why));
	if (r == -EPERM)
		return cli_error("refusing the run directory: %s", why);
	if (r)
		return cli_error("cannot create the run directory %s: %s",
				 rd.dir, strerror(-r));
	if (rd.fallback)
		fprintf(stderr, "sonde: %s belongs to another user: using %s\n",
			rd.primary, rd.dir);
	/* The applications would find this one first (rundir.h). */
	if (sonde__rundir_other_daemon(&rd, running, sizeof(running)))
		return cli_error("a daemon already runs (socket %s)", running);
	lock = open(rd.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0)
		return cli_error("cannot open %s: %s", rd.lock, strerror(errno));
	if (flock(lock, LOCK_EX | LOCK_NB)) {
		int other = lock_pid(lock);

		close(lock);
		if (errno == EWOULDBLOCK)
			return cli_error("a daemon already runs (pid %d, socket %s)",
					 other, rd.sock);
		return cli_error("cannot lock %s: %s", rd.lock, strerror(errno));
	}
	o.rd = &rd;
	o.lock_fd = lock;
	o.ready_fd = -1;
	if (foreground) {
		fprintf(stderr, "sonde: daemon running (pid %d), socket %s\n",
			(int)getpid(), rd.sock);
		r = sonde__sessiond_run(&o);
		if (r)
			return cli_error("daemon failed to start: %s",
					 strerror(-r));
		return 0;
	}
	if (pipe2(pipefd, O_CLOEXEC))
		return cli_error("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return cli_error("fork: %s", strerror(errno));
	if (pid == 0) {
		char logp[PATH_MAX];
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC), log;

		close(pipefd[0]);
		setsid();
		if (chdir("/")) {
			/* Stay where we are. */
		}
		snprintf(logp, sizeof(logp), "%s/daemon.log", rd.dir);
		log = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (nul >= 0)
			dup2(nul, 0), dup2(nul, 1);
		if (log >= 0)
			dup2(log, 2);
		/* A grandchild: the daemon is no one's child. */
		pid = fork();
		if (pid != 0)
			_exit(pid < 0);
		o.ready_fd = pipefd[1];
		r = sonde__sessiond_run(&o);
		if (r)
			fprintf(stderr, "sonde: daemon failed to start: %s\n",
				strerror(-r));
		_exit(r ? 1 : 0);
	}
	close(pipefd[1]);
	close(lock);
	waitpid(pid, NULL, 0);
	{
		char b;
		ssize_t n;

		do
			n = read(pipefd[0], &b, 1);
		while (n < 0 && errno == EINTR);
		close(pipefd[0]);
		if (n != 1)
			return cli_error("the daemon did not start (see %s/daemon.log)",
					 rd.dir);
	}
	{
		int fd = open(rd.lock, O_RDONLY | O_CLOEXEC);
		int dpid = fd >= 0 ? lock_pid(fd) : 0;

		if (fd >= 0)
			close(fd);
		fprintf(stderr, "sonde: daemon running (pid %d), socket %s\n",
			dpid, rd.sock);
	}
	return 0;
}
