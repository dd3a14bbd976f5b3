// SPDX-License-Identifier: MIT
/*
 * test-shrink helper: a misbehaving process of a session that tries to
 * resize the session's buffers under everyone (test-shrink.sh).  It is not
 * linked with libsonde: it takes the descriptors as they are.
 *
 *   test-shrink-helper GO RESULT [PID...]
 *	waits (at most 120 s) until the file GO exists, then takes every
 *	descriptor of the session's buffers it can reach: the one $SONDE_SHM
 *	names ("fd:N"; a path is opened, as older versions passed one), and
 *	each memfd or .sonde- file that process PID holds, reopened through
 *	/proc/PID/fd.  On each it tries to grow the buffers (ftruncate and
 *	fallocate past the end), then to shrink them to one page (ftruncate).
 *	One line per attempt goes to RESULT ("TARGET OP: ERRNO-NAME" or
 *	"TARGET OP: done"), written to RESULT.tmp then renamed, then a last
 *	line "result ok" when there was at least one target and every
 *	attempt failed with EPERM, "result fail" otherwise.  Exit 0 or 1 to
 *	match.
 *   test-shrink-helper unsealed CMD [ARGS...]
 *	copies the buffers $SONDE_SHM names ("fd:N") into a new memfd that is
 *	not sealed (a valid header, our own file, the right size: only the
 *	seals are missing), sets SONDE_SHM to name the copy, replaces each
 *	ARG "@SHM@" by that value and execs CMD, which must refuse it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static FILE *out;
static int targets, bad;

static const char *err_name(int e)
{
	switch (e) {
	case 0:
		return "done";
	case EPERM:
		return "EPERM";
	case EBADF:
		return "EBADF";
	case EINVAL:
		return "EINVAL";
	case EACCES:
		return "EACCES";
	default:
		return strerror(e);
	}
}

static void note(const char *target, const char *op, int r)
{
	int e = r ? errno : 0;

	fprintf(out, "%s %s: %s\n", target, op, err_name(e));
	if (e != EPERM)
		bad++;
}

/* Grow, then shrink to one page: a shrink that worked would leave every
 * writer of the session a SIGBUS away. */
static void attack(int fd, const char *target)
{
	struct stat st;

	if (fstat(fd, &st)) {
		fprintf(out, "%s fstat: %s\n", target, strerror(errno));
		bad++;
		return;
	}
	targets++;
	note(target, "ftruncate-grow", ftruncate(fd, st.st_size + 4096));
	note(target, "fallocate-grow", fallocate(fd, 0, st.st_size, 4096));
	note(target, "ftruncate-shrink", ftruncate(fd, 4096));
}

static void from_env(void)
{
	const char *v = getenv("SONDE_SHM");
	char *end;
	long n;
	int fd;

	if (!v || !*v)
		return;
	if (!strncmp(v, "fd:", 3)) {
		errno = 0;
		n = strtol(v + 3, &end, 10);
		if (errno || *end || n < 0 || n > 1 << 20) {
			fprintf(out, "SONDE_SHM=%s: not a descriptor\n", v);
			bad++;
			return;
		}
		attack((int)n, "SONDE_SHM");
		return;
	}
	fd = open(v, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(out, "SONDE_SHM=%s open: %s\n", v, strerror(errno));
		bad++;
		return;
	}
	attack(fd, "SONDE_SHM");
	close(fd);
}

static void from_pid(const char *pid)
{
	char dir[64], path[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	dp = opendir(dir);
	if (!dp) {
		fprintf(out, "pid %s: %s\n", pid, strerror(errno));
		bad++;
		return;
	}
	while ((d = readdir(dp))) {
		ssize_t n;
		int fd;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = 0;
		if (strncmp(link, "/memfd:sonde", 12) && !strstr(link, "/.sonde-"))
			continue;
		fd = open(path, O_RDWR | O_CLOEXEC);
		snprintf(target, sizeof(target), "pid-%s-fd-%s", pid, d->d_name);
		if (fd < 0) {
			fprintf(out, "%s open: %s\n", target, strerror(errno));
			bad++;
			continue;
		}
		attack(fd, target);
		close(fd);
	}
	closedir(dp);
}

static int unsealed(char **argv)
{
	const char *v = getenv("SONDE_SHM");
	char env[32], buf[65536];
	int in, out_fd;
	off_t off = 0;
	ssize_t n;

	if (!v || strncmp(v, "fd:", 3)) {
		fprintf(stderr, "unsealed: SONDE_SHM is not fd:N\n");
		return 2;
	}
	in = atoi(v + 3);
	out_fd = memfd_create("sonde-session", 0);
	if (out_fd < 0)
		return 2;
	while ((n = pread(in, buf, sizeof(buf), off)) > 0) {
		if (write(out_fd, buf, (size_t)n) != n)
			return 2;
		off += n;
	}
	if (n < 0 || !off)
		return 2;
	snprintf(env, sizeof(env), "fd:%d", out_fd);
	setenv("SONDE_SHM", env, 1);
	for (char **a = argv + 1; *a; a++)
		if (!strcmp(*a, "@SHM@"))
			*a = env;
	execvp(argv[0], argv);
	return 127;
}

int main(int argc, char **argv)
{
	struct timespec nap = { 0, 10000000 };
	char tmp[PATH_MAX];

	if (argc >= 3 && !strcmp(argv[1], "unsealed"))
		return unsealed(argv + 2);
	if (argc < 3) {
		fprintf(stderr,
			"usage: %s GO RESULT [PID...] | unsealed CMD [ARGS...]\n",
			argv[0]);
		return 2;
	}
	/* A grow that worked would raise SIGXFSZ under a file size limit. */
	signal(SIGXFSZ, SIG_IGN);
	for (int i = 0; i < 12000 && access(argv[1], F_OK); i++)
		nanosleep(&nap, NULL);
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	out = fopen(tmp, "w");
	if (!out)
		return 2;
	from_env();
	for (int i = 3; i < argc; i++)
		from_pid(argv[i]);
	if (!targets) {
		fprintf(out, "no descriptor of the buffers found\n");
		bad++;
	}
	fprintf(out, "result %s\n", bad ? "fail" : "ok");
	fclose(out);
	rename(tmp, argv[2]);
	return bad ? 1 : 0;
}
