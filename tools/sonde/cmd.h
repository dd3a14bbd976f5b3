/* SPDX-License-Identifier: MIT */
/* CLI verbs of the sonde tool. */
#ifndef SONDE_TOOLS_CMD_H
#define SONDE_TOOLS_CMD_H

int cmd_record(int argc, char **argv);
int cmd_view(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_hw(int argc, char **argv); /* list, path, record, decode (cmd-hw.c) */
/* create, enable, disable, start, stop, snapshot, destroy, sessions, list */
int cmd_control(int argc, char **argv);
/* sonde list -k: the kernel's trace events and their fields, from tracefs
 * (cmd-list-kernel.c); cmd_control() hands it `list` with -k/--kernel. */
int cli_list_kernel(int argc, char **argv);

struct sonde__rundir;
/* Take "--timeout S" out of the verb's argv (*argc updated): how long the
 * daemon may take, default by verb or $SONDE_TIMEOUT.  0, or 1 after
 * saying why. */
int cli_daemon_timeout(int *argc, char **argv);
/* A connection to the user's session daemon, or -1 (said why); @rd may
 * switch to the fallback directory where the daemon answers. */
int cli_daemon_connect(struct sonde__rundir *rd);
/* Send argv as a command on @fd, print the reply; exit status. */
int cli_daemon_command(int fd, int argc, char **argv);

#include "../../src/common/common.h"

/* Where a reader verb writes (output.c). */
struct cli_output {
	int fd;           /* write here */
	int dirfd;        /* the directory holding the file, or -1 */
	const char *name; /* for messages */
	struct sonde__tmpfile t; /* the private temporary, if any */
};
/*
 * Open @path for writing a whole result (NULL: standard output): a
 * private temporary renamed into place by cli_output_close() for a new or
 * regular file, the file itself for a FIFO or device of the user's or
 * root's; a symbolic link, a directory or another user's device is
 * refused.  0, or -1 after a message.
 */
int cli_output_open(struct cli_output *o, const char *path);
/* Finish: with @ok, publish the result (rename); without, remove the
 * temporary.  0, or -1 after a message. */
int cli_output_close(struct cli_output *o, int ok);

/* Print "sonde: <msg>" on stderr; returns 1 (exit status for usage errors). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parse a size ("4096", "64k", "1M", "1G"); 0 or -EINVAL. */
int cli_parse_size(const char *s, unsigned long long *out);

struct option;
/*
 * getopt_long() for the verbs that run no command (view, stats, export,
 * report): options anywhere before "--", whatever POSIXLY_CORRECT says.
 * @shortopts: as getopt_long()'s, without a leading '+', '-' or ':'.
 * @pos: room for @maxpos operands, gathered in order; *@npos counts them
 * all, those past @maxpos too (not stored).  Start with optind = 1 and
 * *@npos = 0.  Returns what getopt_long() returns, -1 once every argument
 * is consumed.
 */
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts, char **pos, int maxpos,
	       int *npos);

#endif
