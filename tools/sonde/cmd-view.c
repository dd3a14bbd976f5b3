// SPDX-License-Identifier: MIT
/*
 * sonde view: print the events of a trace, one line each, in time order
 * across all streams, in a text close to babeltrace2's:
 *
 *   [HH:MM:SS.nnnnnnnnn] (+S.nnnnnnnnn) cpu N pid P tid T provider:name: { f = v, ... }
 *
 * sonde:thread records are not printed: they give the pid/tid of the
 * following events of their stream.  Discarded-event ranges print a
 * WARNING line at their place in time.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "read-util.h"

static const char usage_text[] =
	"usage: sonde view [-e PATTERN]... [--pid P] [--tid T] [--since TIME]\n"
	"                  [--until TIME] [--gmt] DIR\n"
	"  -e, --event PATTERN  only events matching provider:name ('*' wildcards);\n"
	"                       repeatable\n"
	"      --pid P          only events of process P\n"
	"      --tid T          only events of thread T\n"
	"      --since TIME     only events at or after TIME\n"
	"      --until TIME     only events at or before TIME\n"
	"      --gmt            print times in UTC instead of local time\n"
	"TIME: HH:MM:SS[.frac] (time of day on the trace's first day),\n"
	"      SECONDS[.frac] since the epoch, or +SECONDS[.frac] after the first event\n";

static int parse_id(const char *s, long *out)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (errno || e == s || *e || v < -1 || v > INT32_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

static void put_id(struct sonde__obuf *ob, int32_t v)
{
	if (v < 0)
		sonde__ob_putc(ob, '?');
	else
		sonde__ob_u64(ob, (uint64_t)v);
}

int cmd_view(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 't' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "gmt", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char **pats = NULL, *since_s = NULL, *until_s = NULL;
	char *dir[1];
	size_t npats = 0;
	long pid = -2, tid = -2;
	int gmt = 0, c, ret = 1, n, ndir = 0;
	struct sonde__reader *r = NULL;
	const struct sonde__rd_meta *m;
	struct sonde__obuf ob = { 0 };
	struct sonde__tcache tc = { 0 };
	struct sonde__rd_event ev;
	unsigned char *sel = NULL;
	int64_t since = INT64_MIN, until = INT64_MAX, prev_ns = 0;
	int have_prev = 0;
	uint64_t first;

	pats = calloc((size_t)argc + 1, sizeof(*pats));
	if (!pats)
		return cli_error("out of memory");
	optind = 1;
	while ((c = cli_getopt(argc, argv, "e:h", opts, dir, 1, &ndir)) != -1) {
		switch (c) {
		case 'e':
			pats[npats++] = optarg;
			break;
		case 'p':
			if (parse_id(optarg, &pid)) {
				cli_error("bad --pid '%s'", optarg);
				goto out;
			}
			break;
		case 't':
			if (parse_id(optarg, &tid)) {
				cli_error("bad --tid '%s'", optarg);
				goto out;
			}
			break;
		case 's':
			since_s = optarg;
			break;
		case 'u':
			until_s = optarg;
			break;
		case 'g':
			gmt = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			ret = 0;
			goto out;
		default:
			fputs(usage_text, stderr);
			goto out;
		}
	}
	if (ndir != 1) {
		fputs(usage_text, stderr);
		goto out;
	}
	r = ru_open(dir[0]);
	if (!r)
		goto out;
	m = sonde__reader_meta(r);
	tc.gmt = gmt;
	sel = malloc(m->nr_classes ? m->nr_classes : 1);
	if (!sel) {
		cli_error("out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		sel[i] = !npats;
		for (size_t j = 0; j < npats && !sel[i]; j++)
			sel[i] = (unsigned char)ru_match(pats[j], m->all[i]->name);
	}
	n = sonde__reader_peek_ts(r, &first);
	if (n < 0) {
		cli_error("%s", sonde__reader_error(r));
		goto out;
	}
	if (since_s || until_s) {
		int64_t fns = n > 0 ? sonde__rd_ns(m, first) : 0;

		if (since_s && ru_parse_time(since_s, fns, gmt, &since)) {
			cli_error("bad --since time '%s'", since_s);
			goto out;
		}
		if (until_s && ru_parse_time(until_s, fns, gmt, &until)) {
			cli_error("bad --until time '%s'", until_s);
			goto out;
		}
	}
	if (sonde__ob_init(&ob, STDOUT_FILENO)) {
		cli_error("out of memory");
		goto out;
	}
	while ((n = sonde__reader_next(r, &ev)) > 0) {
		int64_t ns = ev.ns;

		if (ns < since)
			continue;
		if (ns > until)
			break;
		if (ev.kind == SONDE_RD_EV_DISCARDED) {
			const struct sonde__rd_stream *s =
				sonde__reader_stream(r, ev.stream);

			sonde__ob_puts(&ob, "WARNING: Tracer discarded ");
			sonde__ob_u64(&ob, ev.discarded);
			sonde__ob_puts(&ob, ev.discarded == 1 ? " event between ["
							      : " events between [");
			sonde__ob_time(&ob, &tc, sonde__rd_ns(m, ev.disc_begin));
			sonde__ob_puts(&ob, "] and [");
			sonde__ob_time(&ob, &tc, sonde__rd_ns(m, ev.disc_end));
			sonde__ob_puts(&ob, "] in stream cpu ");
			sonde__ob_u64(&ob, ev.cpu);
			sonde__ob_puts(&ob, " (");
			sonde__ob_puts(&ob, s->name);
			sonde__ob_puts(&ob, ")\n");
			continue;
		}
		if (!sel[ev.cls->index] || (pid != -2 && ev.pid != pid) ||
		    (tid != -2 && ev.tid != tid))
			continue;
		sonde__ob_putc(&ob, '[');
		sonde__ob_time(&ob, &tc, ns);
		if (have_prev) {
			sonde__ob_put(&ob, "] (+", 4);
			sonde__ob_secs(&ob, ns - prev_ns);
			sonde__ob_put(&ob, ") cpu ", 6);
		} else {
			sonde__ob_puts(&ob, "] (+?.?????????" ") cpu ");
			have_prev = 1;
		}
		prev_ns = ns;
		sonde__ob_u64(&ob, ev.cpu);
		sonde__ob_put(&ob, " pid ", 5);
		put_id(&ob, ev.pid);
		sonde__ob_put(&ob, " tid ", 5);
		put_id(&ob, ev.tid);
		{
			char *o = sonde__ob_room(&ob, ev.cls->name_len + 34);

			o[0] = ' ';
			if (ev.cls->name_len <= 32)
				memcpy(o + 1, ev.cls->name, 32);
			else
				memcpy(o + 1, ev.cls->name, ev.cls->name_len);
			o[1 + ev.cls->name_len] = ':';
			ob.len += ev.cls->name_len + 2;
		}
		if (ev.cls->nr_fields || ev.cls->msg_fmt) {
			sonde__ob_putc(&ob, ' ');
			sonde__fmt_payload(&ob, ev.cls, ev.payload);
		}
		sonde__ob_putc(&ob, '\n');
		if (ob.err)
			break;
	}
	if (sonde__ob_flush(&ob)) {
		if (ob.err != -EPIPE)
			cli_error("write error: %s", strerror(-ob.err));
		goto out;
	}
	if (n < 0) {
		cli_error("%s", sonde__reader_error(r));
		goto out;
	}
	ret = 0;
out:
	sonde__ob_free(&ob);
	free(sel);
	free(pats);
	sonde__reader_close(r);
	return ret;
}
