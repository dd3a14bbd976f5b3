// SPDX-License-Identifier: MIT
/*
 * sonde export --format chrome: the trace as Trace Event Format JSON
 * (chrome://tracing, Perfetto).  Timestamps are microseconds with a
 * nanosecond fraction, relative to the first event of the trace (absolute
 * epoch microseconds would not keep nanoseconds in a JSON reader's double).
 * X_begin/X_end and X_entry/X_exit events become "B"/"E" slices named X;
 * other events are thread instants ("i", "s":"t"); discarded-event ranges
 * are global instants.  Fields go to "args".  Process and thread names are
 * "M" events: process_name is the recorded command's name for its pid.
 *
 * --format sqlite: a SQLite database (export-sqlite.c), in a sonde built
 * with SQLite; otherwise the format is reported as unavailable.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "export-sqlite.h"
#include "read-util.h"

static const char usage_text[] =
	"usage: sonde export --format chrome [-o FILE] DIR\n"
	"       sonde export --format sqlite -o FILE [--force] DIR\n"
	"  -f, --format FORMAT  output format: chrome (Trace Event Format JSON),\n"
	"                       sqlite (a SQLite database)\n"
	"  -o, --output FILE    output file (default: standard output; sqlite: needed)\n"
	"      --force          sqlite: replace FILE if it is a regular file\n";

struct thr {
	int32_t pid, tid;
};

struct tset {
	struct thr *t;
	size_t n, cap;
	int32_t last_pid, last_tid;
	int have_last;
};

static int tset_add(struct tset *s, int32_t pid, int32_t tid)
{
	if (s->have_last && s->last_pid == pid && s->last_tid == tid)
		return 0;
	s->have_last = 1;
	s->last_pid = pid;
	s->last_tid = tid;
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].pid == pid && s->t[i].tid == tid)
			return 0;
	if (ru_grow(&s->t, &s->cap, s->n, sizeof(*s->t), 64))
		return -ENOMEM;
	s->t[s->n].pid = pid;
	s->t[s->n].tid = tid;
	s->n++;
	return 0;
}

static void put_ts(struct sonde__obuf *ob, int64_t rel)
{
	uint64_t a = rel < 0 ? -(uint64_t)rel : (uint64_t)rel;

	if (rel < 0)
		sonde__ob_putc(ob, '-');
	sonde__ob_u64(ob, a / 1000);
	sonde__ob_putc(ob, '.');
	sonde__ob_u64w(ob, a % 1000, 3);
}

static void put_cat(struct sonde__obuf *ob, const char *name, size_t n)
{
	const char *colon = memchr(name, ':', n);

	sonde__ob_puts(ob, ",\"cat\":");
	sonde__fmt_json_str(ob, name, colon ? (size_t)(colon - name) : n);
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL, *out = NULL;
	char *dir[1];
	int c, ret = 1, n, opened = 0, first_ev = 1, ndir = 0, force = 0;
	struct cli_output o;
	struct sonde__reader *r = NULL;
	const struct sonde__rd_meta *m;
	struct sonde__obuf ob = { 0 };
	struct sonde__rd_event ev;
	unsigned char *role = NULL;
	uint32_t *partner = NULL;
	size_t *base = NULL;
	struct tset ts = { 0 };
	uint64_t first = 0;
	int64_t first_ns = 0;

	optind = 1;
	while ((c = cli_getopt(argc, argv, "f:o:h", opts, dir, 1, &ndir)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 1;
		}
	}
	if (ndir != 1) {
		fputs(usage_text, stderr);
		return 1;
	}
	if (format && !strcmp(format, "sqlite")) {
#ifdef SONDE_HAVE_SQLITE
		if (!out)
			return cli_error("export: --format sqlite needs -o FILE (a database is not written to standard output)");
		r = ru_open(dir[0]);
		if (!r)
			return 1;
		ret = cli_export_sqlite(r, dir[0], out, force);
		sonde__reader_close(r);
		return ret;
#else
		return cli_error("export: --format sqlite is unavailable: this sonde was built without SQLite (install libsqlite3-dev and rebuild)");
#endif
	}
	if (!format || strcmp(format, "chrome"))
		return cli_error("export: unknown or missing --format '%s' (supported: chrome, sqlite)",
				 format ? format : "");
	if (force)
		return cli_error("export: --force goes with --format sqlite");
	r = ru_open(dir[0]);
	if (!r)
		return 1;
	m = sonde__reader_meta(r);
	role = calloc(m->nr_classes + 1, 1);
	partner = calloc(m->nr_classes + 1, sizeof(*partner));
	base = calloc(m->nr_classes + 1, sizeof(*base));
	if (!role || !partner || !base) {
		cli_error("out of memory");
		goto out;
	}
	ru_pairs(m, role, partner);
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		base[i] = m->all[i]->name_len;
		if (role[i])
			ru_split_role(m->all[i]->name, &base[i]);
	}
	n = sonde__reader_peek_ts(r, &first);
	if (n < 0) {
		cli_error("%s", sonde__reader_error(r));
		goto out;
	}
	if (n)
		first_ns = sonde__rd_ns(m, first);
	if (cli_output_open(&o, out))
		goto out;
	opened = 1;
	if (sonde__ob_init(&ob, o.fd)) {
		cli_error("out of memory");
		goto out;
	}
	sonde__ob_puts(&ob, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
	while ((n = sonde__reader_next(r, &ev)) > 0) {
		int64_t rel = ev.ns - first_ns;

		sonde__ob_puts(&ob, first_ev ? "\n" : ",\n");
		first_ev = 0;
		if (ev.kind == SONDE_RD_EV_DISCARDED) {
			sonde__ob_puts(&ob, "{\"name\":\"discarded events\",\"cat\":\"sonde\",\"ph\":\"i\",\"s\":\"g\",\"ts\":");
			put_ts(&ob, rel);
			sonde__ob_puts(&ob, ",\"pid\":");
			sonde__ob_i64(&ob, m->vpid);
			sonde__ob_puts(&ob, ",\"tid\":0,\"args\":{\"count\":");
			sonde__ob_u64(&ob, ev.discarded);
			sonde__ob_puts(&ob, ",\"cpu\":");
			sonde__ob_u64(&ob, ev.cpu);
			sonde__ob_puts(&ob, "}}");
			continue;
		}
		if (tset_add(&ts, ev.pid, ev.tid)) {
			cli_error("out of memory");
			goto out;
		}
		sonde__ob_puts(&ob, "{\"name\":");
		sonde__fmt_json_str(&ob, ev.cls->name, base[ev.cls->index]);
		put_cat(&ob, ev.cls->name, ev.cls->name_len);
		switch (role[ev.cls->index]) {
		case 1:
			sonde__ob_puts(&ob, ",\"ph\":\"B\",\"ts\":");
			break;
		case 2:
			sonde__ob_puts(&ob, ",\"ph\":\"E\",\"ts\":");
			break;
		default:
			sonde__ob_puts(&ob, ",\"ph\":\"i\",\"s\":\"t\",\"ts\":");
		}
		put_ts(&ob, rel);
		sonde__ob_puts(&ob, ",\"pid\":");
		sonde__ob_i64(&ob, ev.pid);
		sonde__ob_puts(&ob, ",\"tid\":");
		sonde__ob_i64(&ob, ev.tid);
		sonde__ob_puts(&ob, ",\"args\":");
		sonde__fmt_payload_json(&ob, ev.cls, ev.payload);
		sonde__ob_putc(&ob, '}');
		if (ob.err)
			break;
	}
	if (n < 0) {
		sonde__ob_flush(&ob);
		cli_error("%s", sonde__reader_error(r));
		goto out;
	}
	/* process and thread names */
	for (size_t i = 0; i < ts.n; i++) {
		int named = 0;

		for (size_t j = 0; j < i; j++)
			named |= ts.t[j].pid == ts.t[i].pid;
		if (!named) {
			sonde__ob_puts(&ob, first_ev ? "\n" : ",\n");
			first_ev = 0;
			sonde__ob_puts(&ob, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":");
			sonde__ob_i64(&ob, ts.t[i].pid);
			sonde__ob_puts(&ob, ",\"tid\":");
			sonde__ob_i64(&ob, ts.t[i].pid);
			sonde__ob_puts(&ob, ",\"args\":{\"name\":");
			if (ts.t[i].pid == m->vpid && m->procname[0]) {
				sonde__fmt_json_str(&ob, m->procname,
						    strlen(m->procname));
			} else {
				sonde__ob_puts(&ob, "\"pid ");
				sonde__ob_i64(&ob, ts.t[i].pid);
				sonde__ob_putc(&ob, '"');
			}
			sonde__ob_puts(&ob, "}}");
		}
		sonde__ob_puts(&ob, first_ev ? "\n" : ",\n");
		first_ev = 0;
		sonde__ob_puts(&ob, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":");
		sonde__ob_i64(&ob, ts.t[i].pid);
		sonde__ob_puts(&ob, ",\"tid\":");
		sonde__ob_i64(&ob, ts.t[i].tid);
		sonde__ob_puts(&ob, ",\"args\":{\"name\":\"tid ");
		sonde__ob_i64(&ob, ts.t[i].tid);
		sonde__ob_puts(&ob, "\"}}");
	}
	sonde__ob_puts(&ob, "\n]}\n");
	if (sonde__ob_flush(&ob)) {
		cli_error("%s: write error: %s", o.name, strerror(-ob.err));
		goto out;
	}
	ret = 0;
out:
	/* The file appears only whole (renamed into place) or not at all. */
	if (opened && cli_output_close(&o, !ret))
		ret = 1;
	sonde__ob_free(&ob);
	free(ts.t);
	free(role);
	free(partner);
	free(base);
	sonde__reader_close(r);
	return ret;
}
