// SPDX-License-Identifier: MIT
/*
 * sonde stats: per event name count, rate over the trace span, first and
 * last time; per stream events and lost events (sum of the events_discarded
 * increments); begin/end pairs (X_begin/X_end or X_entry/X_exit, matched per
 * thread, nested pairs matched innermost first) with duration min, p50,
 * p90, p99, max.  Text or --json.
 *
 * Perf data (sonde record --sample, --counter-period): the samples'
 * functions (symbols.c: perf:mmap events and the mapped files' symbol
 * tables), grouped by function and object with counts and percentages
 * like perf report --stdio; and, when the trace has perf:counter events,
 * each counter's delta over each begin/end pair, per thread (read-util.h
 * tells how; sonde report shows the same numbers).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "read-util.h"
#include "stats-group.h"
#include "symbols.h"

/* Rows of the sampled functions table (text; JSON has them all). */
#define TOP_SYMBOLS 25
static const char usage_text[] =
	"usage: sonde stats [--json] [--by FIELD[,FIELD]] [--top N [--pair NAME]] DIR\n"
	"      --json          print one JSON object instead of text\n"
	"      --by FIELDS     pair durations and event counts by the values of these\n"
	"                      fields of the begin event (of the event)\n"
	"      --top N         the N longest slices with the fields of both events\n"
	"      --pair NAME     --top and --by keep to this pair (e.g. redis:cmd)\n";

struct cls_stat {
	uint64_t count;
	uint64_t first, last; /* cycles */
	int role;             /* 0 none, 1 begin, 2 end */
	int perf;             /* 1 perf:sample or perf:mmap, 2 perf:counter */
	uint32_t pair;        /* index into pairs */
};

struct pair_stat {
	const struct sonde__rd_class *begin, *end;
	char *name;
	int64_t *dur;
	size_t n, cap;
	uint64_t unmatched;
};



/* microseconds with 3 decimals */
static void put_dur(char *b, size_t n, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	snprintf(b, n, "%s%" PRIu64 ".%03" PRIu64, ns < 0 ? "-" : "",
		 a / 1000, a % 1000);
}

static void json_str(FILE *f, const char *s)
{
	struct sonde__obuf ob;

	if (sonde__ob_init(&ob, -1))
		return;
	sonde__fmt_json_str(&ob, s, strlen(s));
	fwrite(ob.buf, 1, ob.len, f);
	sonde__ob_free(&ob);
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "by", required_argument, NULL, 'b' },
		{ "top", required_argument, NULL, 't' },
		{ "pair", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, c, ret = 1, n, ndir = 0;
	char *dir[1];
	struct sonde__reader *r = NULL;
	const struct sonde__rd_meta *m;
	struct cls_stat *cs = NULL;
	struct pair_stat *ps = NULL;
	uint32_t nps = 0, nst;
	uint64_t *st_events = NULL, *st_lost = NULL, total = 0, lost = 0;
	uint64_t first = UINT64_MAX, last = 0;
	struct ru_slots sm = { 0 };
	struct sonde__rd_event ev;
	double span_s;
	FILE *f = stdout;
	struct syms *sy = syms_new();
	struct ru_counters cn;
	const struct sym_row *rows = NULL;
	size_t nrows = 0;
	int has_counters = 0;
	const char *by = NULL, *only = NULL;
	unsigned long top = 0;
	struct sg_pair *sgp = NULL;
	struct sg *g = NULL;
	char *end;

	optind = 1;
	while ((c = cli_getopt(argc, argv, "h", opts, dir, 1, &ndir)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'b':
			by = optarg;
			break;
		case 't':
			errno = 0;
			top = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || !top ||
			    top > SG_MAX_TOP || *optarg == '-') {
				syms_free(sy);
				return cli_error("stats: --top takes a count from 1 to %lu, not '%s'",
						 SG_MAX_TOP, optarg);
			}
			break;
		case 'p':
			only = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 1;
		}
	}
	memset(&cn, 0, sizeof(cn));
	if (ndir != 1 || !sy) {
		syms_free(sy);
		if (sy)
			fputs(usage_text, stderr);
		else
			cli_error("out of memory");
		return 1;
	}
	r = ru_open(dir[0]);
	if (!r) {
		syms_free(sy);
		return 1;
	}
	m = sonde__reader_meta(r);
	nst = sonde__reader_nr_streams(r);
	cs = calloc(m->nr_classes + 1, sizeof(*cs));
	ps = calloc(m->nr_classes + 1, sizeof(*ps));
	st_events = calloc(nst + 1, sizeof(*st_events));
	st_lost = calloc(nst + 1, sizeof(*st_lost));
	if (!cs || !ps || !st_events || !st_lost)
		goto nomem;
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		const char *cn_ = m->all[i]->name;

		if (!strcmp(cn_, "perf:sample") || !strcmp(cn_, "perf:mmap"))
			cs[i].perf = 1;
		else if (!strcmp(cn_, "perf:counter"))
			cs[i].perf = has_counters = 2;
	}
	/* pairs: a begin class and its end class in the same provider */
	for (uint32_t i = 0; i < m->nr_classes; i++) {
		const char *bn = m->all[i]->name;
		size_t bl, el;
		int br = ru_split_role(bn, &bl);

		if (br != 0 && br != 2)
			continue;
		for (uint32_t j = 0; j < m->nr_classes; j++) {
			const char *en = m->all[j]->name;
			int er = ru_split_role(en, &el);

			/* a pair lives in one stream class */
			if (er != br + 1 || el != bl || strncmp(bn, en, bl) ||
			    m->all[j]->stream_id != m->all[i]->stream_id)
				continue;
			ps[nps].begin = m->all[i];
			ps[nps].end = m->all[j];
			ps[nps].name = strndup(bn, bl);
			if (!ps[nps].name)
				goto nomem;
			cs[i].role = 1;
			cs[i].pair = nps;
			cs[j].role = 2;
			cs[j].pair = nps;
			nps++;
			break;
		}
	}
	if (by || top || only) {
		int e;

		if (only && !top && !by) {
			cli_error("stats: --pair goes with --top or --by");
			goto out;
		}
		sgp = calloc(nps + 1, sizeof(*sgp));
		if (!sgp)
			goto nomem;
		for (uint32_t i = 0; i < nps; i++) {
			sgp[i].name = ps[i].name;
			sgp[i].begin = ps[i].begin;
			sgp[i].end = ps[i].end;
		}
		e = sg_new(m, sgp, nps, by, top, only, &g);
		if (e == -ENOMEM)
			goto nomem;
		if (e)
			goto out;
	}
	while ((n = sonde__reader_next(r, &ev)) > 0) {
		struct cls_stat *s;

		if (ev.kind == SONDE_RD_EV_DISCARDED) {
			st_lost[ev.stream] += ev.discarded;
			lost += ev.discarded;
			continue;
		}
		s = &cs[ev.cls->index];
		if (!s->count++)
			s->first = ev.ts;
		s->last = ev.ts;
		if (s->perf == 1 && syms_event(sy, &ev))
			goto nomem;
		if (s->perf == 2 && ru_counters_reading(&cn, &ev))
			goto nomem;
		st_events[ev.stream]++;
		total++;
		if (ev.ts < first)
			first = ev.ts;
		if (ev.ts > last)
			last = ev.ts;
		if (__builtin_expect(g != NULL, 0) && sg_event(g, &ev))
			goto nomem;
		if (s->role) {
			struct ru_slot *sl = ru_slot_get(&sm, (uint32_t)ev.tid, s->pair);

			if (!sl)
				goto nomem;
			if (s->role == 1) {
				/* With --by/--top, the depth slot carries
				 * stats-group's tag for this begin. */
				uint32_t tag = 0;

				if (__builtin_expect(g != NULL, 0) &&
				    sg_begin(g, &ev, s->pair, &tag))
					goto nomem;
				if (ru_slot_push(sl, (int64_t)ev.ts, tag))
					goto nomem;
			} else if (!sl->n) {
				ps[s->pair].unmatched++;
			} else {
				struct pair_stat *p = &ps[s->pair];
				const struct ru_open *o = &sl->st[--sl->n];
				uint64_t b = (uint64_t)o->ns;

				if (ru_grow(&p->dur, &p->cap, p->n,
					    sizeof(*p->dur), 64))
					goto nomem;
				p->dur[p->n++] = sonde__rd_ns(m, ev.ts) -
						 sonde__rd_ns(m, b);
				if (__builtin_expect(g != NULL, 0) &&
				    sg_end(g, &ev, s->pair, o->depth,
					   sonde__rd_ns(m, b), p->dur[p->n - 1]))
					goto nomem;
				if (has_counters) {
					if (ru_counters_span(&cn, s->pair, ev.tid,
							     sonde__rd_ns(m, b),
							     sonde__rd_ns(m, ev.ts)))
						goto nomem;
				}
			}
		}
	}
	if (n < 0) {
		cli_error("%s", sonde__reader_error(r));
		goto out;
	}
	/* begins never ended */
	for (size_t i = 0; i < sm.cap; i++)
		if (sm.s[i].used)
			ps[sm.s[i].pair].unmatched += sm.s[i].n;
	for (uint32_t i = 0; i < nps; i++)
		if (ps[i].n)
			qsort(ps[i].dur, ps[i].n, sizeof(*ps[i].dur), ru_cmp_i64);
	if (syms_samples(sy) && syms_table(sy, &rows, &nrows))
		goto nomem;
	if (g && sg_finish(g))
		goto nomem;
	if (!total)
		first = last = 0;
	span_s = (double)(sonde__rd_ns(m, last) - sonde__rd_ns(m, first)) / 1e9;

	if (json) {
		int comma = 0;

		fprintf(f, "{\"trace\":");
		json_str(f, dir[0]);
		fprintf(f, ",\"events\":%" PRIu64 ",\"lost\":%" PRIu64
			   ",\"first_ns\":%" PRId64 ",\"last_ns\":%" PRId64
			   ",\"duration_ns\":%" PRId64 ",\"classes\":[",
			total, lost, total ? sonde__rd_ns(m, first) : 0,
			total ? sonde__rd_ns(m, last) : 0,
			sonde__rd_ns(m, last) - sonde__rd_ns(m, first));
		for (uint32_t i = 0; i < m->nr_classes; i++) {
			const struct cls_stat *s = &cs[i];

			if (!s->count)
				continue;
			fprintf(f, "%s{\"name\":", comma++ ? "," : "");
			json_str(f, m->all[i]->name);
			fprintf(f, ",\"count\":%" PRIu64 ",\"rate\":%.6g,\"first_ns\":%" PRId64
				   ",\"last_ns\":%" PRId64 "}",
				s->count, span_s > 0 ? (double)s->count / span_s : 0.0,
				sonde__rd_ns(m, s->first), sonde__rd_ns(m, s->last));
		}
		fputs("],\"streams\":[", f);
		for (uint32_t i = 0; i < nst; i++) {
			const struct sonde__rd_stream *s = sonde__reader_stream(r, i);

			fprintf(f, "%s{\"name\":", i ? "," : "");
			json_str(f, s->name);
			fprintf(f, ",\"cpu\":%" PRIu32 ",\"events\":%" PRIu64
				   ",\"lost\":%" PRIu64 "}",
				s->cpu, st_events[i], st_lost[i]);
		}
		fputs("],\"pairs\":[", f);
		comma = 0;
		for (uint32_t i = 0; i < nps; i++) {
			const struct pair_stat *p = &ps[i];

			if (!p->n && !p->unmatched)
				continue;
			fprintf(f, "%s{\"name\":", comma++ ? "," : "");
			json_str(f, p->name);
			fputs(",\"begin\":", f);
			json_str(f, p->begin->name);
			fputs(",\"end\":", f);
			json_str(f, p->end->name);
			fprintf(f, ",\"count\":%zu,\"unmatched\":%" PRIu64
				   ",\"min_ns\":%" PRId64 ",\"p50_ns\":%" PRId64
				   ",\"p90_ns\":%" PRId64 ",\"p99_ns\":%" PRId64
				   ",\"max_ns\":%" PRId64 "}",
				p->n, p->unmatched, p->n ? p->dur[0] : 0,
				ru_percentile(p->dur, p->n, 50), ru_percentile(p->dur, p->n, 90), ru_percentile(p->dur, p->n, 99),
				p->n ? p->dur[p->n - 1] : 0);
		}
		fputs("]", f);
		if (nrows) {
			fprintf(f, ",\"samples\":%" PRIu64 ",\"symbols\":[",
				syms_samples(sy));
			for (size_t i = 0; i < nrows; i++) {
				fprintf(f, "%s{\"name\":", i ? "," : "");
				json_str(f, rows[i].name);
				fputs(",\"object\":", f);
				json_str(f, rows[i].object);
				fprintf(f, ",\"samples\":%" PRIu64 ",\"percent\":%.2f}",
					rows[i].samples,
					100.0 * (double)rows[i].samples /
						(double)syms_samples(sy));
			}
			fputs("]", f);
		}
		if (cn.nnames && cn.nsp) {
			int comma2 = 0;

			fputs(",\"pair_counters\":[", f);
			for (uint32_t i = 0; i < nps; i++)
				for (uint32_t k = 0; k < cn.nnames; k++) {
					struct ru_delta d;

					ru_counters_deltas(&cn, i, k, &d);
					if (!d.n)
						continue;
					fprintf(f, "%s{\"pair\":", comma2++ ? "," : "");
					json_str(f, ps[i].name);
					fputs(",\"counter\":", f);
					json_str(f, cn.name[k]);
					fprintf(f, ",\"count\":%" PRIu64 ",\"mean\":%.6g,\"min\":%.6g,\"max\":%.6g}",
						d.n, d.sum / (double)d.n, d.min, d.max);
				}
			fputs("]", f);
		}
		if (g && sg_print(g, f, 1))
			goto werr;
		fputs("}\n", f);
	} else {
		fprintf(f, "Trace %s: %" PRIu64 " events, %" PRIu64
			   " lost, over %.9f s\n\n",
			dir[0], total, lost, span_s);
		fprintf(f, "%-40s %12s %14s  %-18s  %-18s\n", "Event", "Count",
			"Rate (/s)", "First", "Last");
		for (uint32_t i = 0; i < m->nr_classes; i++) {
			const struct cls_stat *s = &cs[i];
			struct sonde__tcache tc = { 0 };
			struct sonde__obuf ob;

			if (!s->count || sonde__ob_init(&ob, -1))
				continue;
			sonde__ob_time(&ob, &tc, sonde__rd_ns(m, s->first));
			sonde__ob_putc(&ob, 0);
			sonde__ob_time(&ob, &tc, sonde__rd_ns(m, s->last));
			sonde__ob_putc(&ob, 0);
			fprintf(f, "%-40s %12" PRIu64 " %14.1f  %-18s  %-18s\n",
				m->all[i]->name, s->count,
				span_s > 0 ? (double)s->count / span_s : 0.0,
				ob.buf, ob.buf + 19);
			sonde__ob_free(&ob);
		}
		fprintf(f, "\n%-40s %8s %12s %12s\n", "Stream", "CPU", "Events",
			"Lost");
		for (uint32_t i = 0; i < nst; i++) {
			const struct sonde__rd_stream *s = sonde__reader_stream(r, i);

			fprintf(f, "%-40s %8" PRIu32 " %12" PRIu64 " %12" PRIu64 "\n",
				s->name, s->cpu, st_events[i], st_lost[i]);
		}
		if (nps) {
			fprintf(f, "\n%-32s %9s %9s %12s %12s %12s %12s %12s\n",
				"Pair (durations in us)", "Count", "Unmatched",
				"Min", "P50", "P90", "P99", "Max");
			for (uint32_t i = 0; i < nps; i++) {
				const struct pair_stat *p = &ps[i];
				int64_t v[5] = { p->n ? p->dur[0] : 0, ru_percentile(p->dur, p->n, 50),
						 ru_percentile(p->dur, p->n, 90), ru_percentile(p->dur, p->n, 99),
						 p->n ? p->dur[p->n - 1] : 0 };

				if (!p->n && !p->unmatched)
					continue;
				fprintf(f, "%-32s %9zu %9" PRIu64, p->name, p->n,
					p->unmatched);
				for (int k = 0; k < 5; k++) {
					char b[48];

					put_dur(b, sizeof(b), v[k]);
					fprintf(f, " %12s", b);
				}
				fputc('\n', f);
			}
		}
		if (cn.nnames && cn.nsp) {
			fprintf(f, "\n%-32s %-20s %9s %14s %14s %14s\n",
				"Pair counter deltas", "Counter", "Count",
				"Mean", "Min", "Max");
			for (uint32_t i = 0; i < nps; i++)
				for (uint32_t k = 0; k < cn.nnames; k++) {
					struct ru_delta d;

					ru_counters_deltas(&cn, i, k, &d);
					if (!d.n)
						continue;
					fprintf(f, "%-32s %-20s %9" PRIu64 " %14.1f %14.1f %14.1f\n",
						ps[i].name, cn.name[k], d.n,
						d.sum / (double)d.n, d.min, d.max);
				}
		}
		if (nrows) {
			fprintf(f, "\nSamples: %" PRIu64 "\n%8s %9s  %-24s %s\n",
				syms_samples(sy), "Overhead", "Samples",
				"Object", "Symbol");
			for (size_t i = 0; i < nrows && i < TOP_SYMBOLS; i++)
				fprintf(f, "%7.2f%% %9" PRIu64 "  %-24s %s\n",
					100.0 * (double)rows[i].samples /
						(double)syms_samples(sy),
					rows[i].samples, rows[i].object,
					rows[i].name);
		}
		if (g && sg_print(g, f, 0))
			goto werr;
	}
	if (fflush(f) || ferror(f)) {
werr:
		cli_error("write error");
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	cli_error("out of memory");
out:
	sg_free(g);
	free(sgp);
	syms_free(sy);
	ru_counters_free(&cn);
	ru_slots_free(&sm);
	for (uint32_t i = 0; i < nps; i++) {
		free(ps[i].name);
		free(ps[i].dur);
	}
	free(ps);
	free(cs);
	free(st_events);
	free(st_lost);
	sonde__reader_close(r);
	return ret;
}
