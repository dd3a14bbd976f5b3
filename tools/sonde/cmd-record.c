// SPDX-License-Identifier: MIT
/*
 * sonde record: run a command with its tracepoints recording into a new CTF
 * trace directory.  This process is the consumer: it creates the buffers in
 * shared memory, passes their path to the command in $SONDE_SHM (inherited
 * by the command's children, exec'd or not), drains full packets to disk
 * while the command runs, and finishes the trace when the command exits.
 * No daemon is involved.  Exit status is the command's (128 + signal if a
 * signal killed it).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sonde/sonde.h>

#include "../../src/consumer/consumer.h"
#include "../../src/control/attach.h"
#include "../../src/instrumentation/registry.h"
#include "cmd.h"

#define DEFAULT_SUBBUF (1u << 20)
#define DEFAULT_NSUB 8u

static const char usage_text[] =
	"usage: sonde record [-o DIR] [-e PATTERN]... [--overwrite]\n"
	"                    [--subbuf-size SIZE] [--num-subbuf N] -- CMD [ARGS...]\n"
	"  -o, --output DIR     trace directory (default ./sonde-YYYYmmdd-HHMMSS)\n"
	"  -e, --event PATTERN  record events matching provider:name ('*' wildcards);\n"
	"                       repeatable; default: all events\n"
	"      --overwrite      flight recorder: keep the latest events per CPU\n"
	"      --subbuf-size S  sub-buffer (packet) size, power of two >= 4k (default 1M)\n"
	"      --num-subbuf N   sub-buffers per CPU, power of two >= 2 (default 8)\n";

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t snapshot_requests;

static void request_snapshot(int sig)
{
	(void)sig;
	snapshot_requests++;
}

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static int prepare_dir(const char *dir)
{
	char why[PATH_MAX + 128];

	if (sonde__consumer_prepare_dir(dir, why, sizeof(why)))
		return cli_error("%s", why);
	return 0;
}

static void human(unsigned long long b, char *out, size_t n)
{
	if (b >= 1000000000ull)
		snprintf(out, n, "%.1f GB", b / 1e9);
	else if (b >= 1000000ull)
		snprintf(out, n, "%.1f MB", b / 1e6);
	else
		snprintf(out, n, "%.1f kB", b / 1e3);
}

struct record_opts {
	const char *dir;
	char patterns[4096];
	int overwrite;
	unsigned long long subbuf, nsub;
};

static int parse(int argc, char **argv, struct record_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "event", required_argument, NULL, 'e' },
		{ "overwrite", no_argument, NULL, 'w' },
		{ "subbuf-size", required_argument, NULL, 's' },
		{ "num-subbuf", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t used = 0;
	int c;

	o->subbuf = DEFAULT_SUBBUF;
	o->nsub = DEFAULT_NSUB;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->dir = optarg;
			break;
		case 'e':
			if (!sonde__pattern_valid(optarg))
				return cli_error("bad event pattern '%s': expected provider:name with optional '*' wildcards",
						 optarg);
			if (used + strlen(optarg) + 2 > sizeof(o->patterns))
				return cli_error("too many event patterns");
			used += (size_t)snprintf(o->patterns + used,
						 sizeof(o->patterns) - used,
						 "%s%s", used ? "\n" : "",
						 optarg);
			break;
		case 'w':
			o->overwrite = 1;
			break;
		case 's':
			if (cli_parse_size(optarg, &o->subbuf) ||
			    o->subbuf < 4096 || o->subbuf > (1ull << 30) ||
			    (o->subbuf & (o->subbuf - 1)))
				return cli_error("bad sub-buffer size '%s': use a power of two from 4k to 1G",
						 optarg);
			break;
		case 'n':
			if (cli_parse_size(optarg, &o->nsub) || o->nsub < 2 ||
			    o->nsub > 65536 || (o->nsub & (o->nsub - 1)))
				return cli_error("bad sub-buffer count '%s': use a power of two from 2 to 65536",
						 optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			for (const struct option *lo = longopts; lo->name; lo++)
				if (lo->val == optopt &&
				    !strncmp(argv[optind - 1], "--", 2))
					return cli_error("option '--%s' needs an argument",
							 lo->name);
			return cli_error("option '-%c' needs an argument",
					 optopt);
		default:
			if (optopt && optopt != '?')
				return cli_error("unknown option '-%c' for record; run 'sonde record --help'",
						 optopt);
			return cli_error("unknown option '%s' for record; run 'sonde record --help'",
					 argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		cli_error("missing command to record; usage: sonde record [options] -- CMD [ARGS...]");
		return 1;
	}
	return 0;
}

/*
 * SIGUSR2 in overwrite mode: write what the buffers hold now to
 * DIR.snapshot-N (beside the trace, so that readers do not take it for
 * part of it), a trace of its own, while the command keeps running.
 */
static void take_snapshot(struct sonde__consumer *cons,
			  const struct record_opts *o, const char *cmd,
			  pid_t pid, int n)
{
	struct sonde__consumer_stats st;
	const char *name = strrchr(cmd, '/');
	char dir[PATH_MAX], size[32];
	int r;

	if (!o->overwrite) {
		cli_error("snapshot requested, but only --overwrite sessions take snapshots");
		return;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s.snapshot-%d", o->dir, n) >=
	    sizeof(dir)) {
		cli_error("cannot take snapshot %d: path too long", n);
		return;
	}
	if (mkdir(dir, 0755)) {
		cli_error("cannot create snapshot directory %s: %s", dir,
			  strerror(errno));
		return;
	}
	r = sonde__consumer_snapshot(cons, dir, name ? name + 1 : cmd, pid, &st);
	if (r) {
		rmdir(dir);
		cli_error("cannot write snapshot %s: %s", dir, strerror(-r));
		return;
	}
	human(st.bytes, size, sizeof(size));
	fprintf(stderr, "sonde: snapshot %d: %llu events, %llu lost, %s in %s\n",
		n, (unsigned long long)st.events, (unsigned long long)st.lost,
		size, dir);
}

static int wait_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int cmd_record(int argc, char **argv)
{
	struct sonde__consumer_opts copts;
	struct sonde__consumer_stats st;
	struct sonde__consumer *cons;
	struct record_opts o;
	char dirbuf[64], size[32];
	struct sigaction sa;
	int r, status = 0, failed = 0, exit_code, exec_pipe[2];
	sig_atomic_t snapshots_done = 0;
	ssize_t n;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	if (parse(argc, argv, &o))
		return 1;
	if (!o.dir) {
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(dirbuf, sizeof(dirbuf), "sonde-%Y%m%d-%H%M%S", &tm);
		o.dir = dirbuf;
	}
	if (prepare_dir(o.dir))
		return 1;
	memset(&copts, 0, sizeof(copts));
	copts.subbuf_size = (uint32_t)o.subbuf;
	copts.nsub = (uint32_t)o.nsub;
	copts.overwrite = o.overwrite;
	copts.patterns = o.patterns;
	copts.dir = o.dir;
	r = sonde__consumer_create(&copts, &cons);
	if (r)
		return cli_error("cannot set up trace buffers in %s: %s", o.dir,
				 strerror(-r));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = request_snapshot;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);

	/* The child reports a failed exec through a close-on-exec pipe, so
	 * that it is not mistaken for a command that exited 127. */
	if (pipe2(exec_pipe, O_CLOEXEC)) {
		r = errno;
		pid = -1;
	} else {
		pid = fork();
		r = errno;
	}
	if (pid < 0) {
		sonde__consumer_discard_output(cons);
		sonde__consumer_destroy(cons);
		return cli_error("cannot start %s: %s", argv[optind],
				 strerror(r));
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		close(exec_pipe[0]);
		setenv(SONDE_SHM_ENV, sonde__consumer_shm_path(cons), 1);
		execvp(argv[optind], argv + optind);
		r = errno;
		if (write(exec_pipe[1], &r, sizeof(r)) < 0)
			_exit(127);
		_exit(127);
	}
	close(exec_pipe[1]);
	while ((n = read(exec_pipe[0], &r, sizeof(r))) < 0 && errno == EINTR)
		;
	close(exec_pipe[0]);
	if (n == sizeof(r)) {
		waitpid(pid, &status, 0);
		sonde__consumer_discard_output(cons);
		sonde__consumer_destroy(cons);
		cli_error("cannot run %s: %s", argv[optind], strerror(r));
		return 127;
	}
	child_pid = pid;
	for (;;) {
		int moved = 0;
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
		if (snapshot_requests != snapshots_done)
			take_snapshot(cons, &o, argv[optind], pid,
				      ++snapshots_done);
		if (!failed) {
			r = sonde__consumer_drain(cons, &moved);
			if (r) {
				cli_error("cannot write trace to %s: %s; recording stopped",
					  o.dir, strerror(-r));
				failed = 1;
			}
		}
		if (!moved) {
			/* A flight recorder is read only at the end (or on
			 * SIGUSR2): poll slowly. */
			struct timespec ts = { 0, o.overwrite ? 10000000 : 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	child_pid = 0;
	exit_code = wait_status(status);
	if (!failed) {
		const char *name = strrchr(argv[optind], '/');

		r = sonde__consumer_finish(cons, name ? name + 1 : argv[optind],
					   pid);
		if (r) {
			cli_error("cannot write trace to %s: %s", o.dir,
				  strerror(-r));
			failed = 1;
		}
	}
	if (failed) {
		sonde__consumer_discard_output(cons);
		sonde__consumer_destroy(cons);
		return exit_code ? exit_code : 1;
	}
	sonde__consumer_stats(cons, &st);
	human(st.bytes, size, sizeof(size));
	fprintf(stderr, "sonde: %llu events recorded, %llu lost, %s in %s\n",
		(unsigned long long)st.events, (unsigned long long)st.lost,
		size, o.dir);
	sonde__consumer_destroy(cons);
	return exit_code;
}
