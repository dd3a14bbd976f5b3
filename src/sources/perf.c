// SPDX-License-Identifier: MIT
/*
 * The perf source: overflow samples of one perf event for a command's
 * processes, as the "perf" stream class of a trace, beside the user-space
 * channel (doc/design.md: sources -> trace -> outputs).
 *
 * Events: one perf_event_open(2) per CPU, pid = the command, cpu = i,
 * inherit = 1 (its threads and children, each counted on its own and
 * written into the ring of the CPU it runs on: inherit with mmap needs
 * per-CPU events), enable_on_exec = 1, sample_type IP | TID | TIME | CPU |
 * PERIOD, on the trace clock's perf clock (perfring.c tells how perf time
 * becomes trace clock values).
 *
 * Stream class "perf", one stream per CPU ("perf_<cpu>", opened with its
 * first packet), event classes:
 *   0  sonde:thread { s32 tid; s32 pid; }  before a sample of another
 *      thread than the previous one in the packet (and first in each)
 *   1  perf:sample { u64 ip (hex); s32 pid; s32 tid; u64 period;
 *      u32 cpu; string event; }
 * each with the extended event header (u8 0xFF, u32 id, u64 timestamp).
 * Records the kernel lost (PERF_RECORD_LOST) are counted in the
 * events_discarded of the stream of their CPU, a running total as CTF
 * wants; a packet is written at the end if only that count changed.
 *
 * Time order: a ring's records are in the order the kernel wrote them,
 * which nested contexts may disorder by a little; each pass is sorted by
 * time, and a sample earlier than what its stream already holds is given
 * the stream's latest time (the mapping onto the TSC is refined at each
 * pass, by nanoseconds, so a CTF stream never goes back in time).  Packets
 * are written whole, when full or 100 ms old, and at the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sonde/static/format.h>
#include <sonde/tracepoint.h>

#include "../trace/trace.h"
#include "perf.h"
#include "perfring.h"

/* Packet body bytes (records) per packet. */
#define PKT_BODY (64u * 1024u)
/* A partial packet is written once its first record is this old (ns). */
#define PKT_AGE_NS 100000000u
#define DEFAULT_PAGES 64u
#define MAX_CPUS 4096u
#define EVENT_NAME_MAX 64u

enum { EV_SAMPLE = 1, NR_EVENTS };

static const uint64_t SAMPLE_TYPE = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
				    PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
				    PERF_SAMPLE_PERIOD;

static struct sonde__field_class sample_fields[] = {
	{ .name = "ip", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 16 },
	{ .name = "pid", .kind = SONDE_FIELD_INTEGER, .size = 4, .is_signed = 1,
	  .base = 10 },
	{ .name = "tid", .kind = SONDE_FIELD_INTEGER, .size = 4, .is_signed = 1,
	  .base = 10 },
	{ .name = "period", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 10 },
	{ .name = "cpu", .kind = SONDE_FIELD_INTEGER, .size = 4, .base = 10 },
	{ .name = "event", .kind = SONDE_FIELD_STRING },
};
static struct sonde__event_class sample_class = {
	.id = EV_SAMPLE, .nr_fields = 6, .name = "perf:sample",
	.fields = sample_fields, .has_variable = 1,
};
static struct sonde__event_class *perf_events[NR_EVENTS] = {
	NULL, &sample_class,
};

struct pending {
	uint64_t ts; /* on the trace clock */
	uint32_t seq; /* ring order, for a stable sort */
	struct sonde__perf_sample s;
};

struct perf_cpu {
	int fd;
	int mapped;
	struct sonde__perfring ring;
	struct sonde__stream *s;
	uint8_t *body;
	size_t used;
	uint64_t ts_begin, ts_last; /* of the packet; ts_last of the stream */
	uint64_t born_ns;           /* CLOCK_MONOTONIC of its first record */
	int32_t tid;                /* of the latest thread record, or -1 */
	uint64_t discarded;         /* lost so far, running total */
	uint64_t discarded_written; /* as the last packet said */
	uint64_t seq;
};

struct sonde__perf {
	struct sonde__trace *trace;
	uint32_t class_id;
	char event[EVENT_NAME_MAX];
	size_t event_len; /* with its NUL */
	uint32_t type;
	uint64_t config, period;
	uint32_t pages;
	struct sonde__perfclock pc;
	uint32_t ncpu;
	struct perf_cpu *cpu;
	struct pending *pend;
	size_t pend_cap;
	struct sonde__perf_stats st;
};

static const struct {
	const char *name;
	uint64_t config;
} sw_events[] = {
	{ "cpu-clock", PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_COUNT_SW_PAGE_FAULTS },
	{ "context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "minor-faults", PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_COUNT_SW_PAGE_FAULTS_MAJ },
};

int sonde__perf_event_lookup(const char *name, uint32_t *type,
			     uint64_t *config)
{
	for (size_t i = 0; i < sizeof(sw_events) / sizeof(sw_events[0]); i++)
		if (!strcmp(name, sw_events[i].name)) {
			*type = PERF_TYPE_SOFTWARE;
			*config = sw_events[i].config;
			return 0;
		}
	return -ENOENT;
}

static int class_events(void *src, struct sonde__event_class *const **ev,
			uint32_t *nr)
{
	(void)src;
	*ev = perf_events;
	*nr = NR_EVENTS;
	return 0;
}

static const struct sonde__stream_class_ops perf_class = {
	.name = "perf",
	.events = class_events,
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int sonde__perf_create(const struct sonde__perf_opts *o,
		       struct sonde__perf **out)
{
	struct sonde__perf *p;
	long n = sysconf(_SC_NPROCESSORS_CONF);
	int r;

	if (!o || !o->trace || !o->event || !o->period ||
	    strlen(o->event) >= EVENT_NAME_MAX ||
	    (o->ring_pages && (o->ring_pages & (o->ring_pages - 1))) ||
	    o->ring_pages > SONDE__PERFRING_MAX_PAGES)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->trace = o->trace;
	strcpy(p->event, o->event);
	p->event_len = strlen(o->event) + 1;
	p->type = o->type;
	p->config = o->config;
	p->period = o->period;
	p->pages = o->ring_pages ? o->ring_pages : DEFAULT_PAGES;
	p->ncpu = n < 1 ? 1 : n > (long)MAX_CPUS ? MAX_CPUS : (uint32_t)n;
	p->cpu = calloc(p->ncpu, sizeof(*p->cpu));
	if (!p->cpu) {
		free(p);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < p->ncpu; i++)
		p->cpu[i].fd = -1;
	/* Before any event is opened: perf time is mapped from here on. */
	sonde__perfclock_init(&p->pc, sonde__trace_clock(o->trace));
	r = sonde__trace_add_class(o->trace, &perf_class, p, &p->class_id);
	if (r) {
		sonde__perf_destroy(p);
		return r;
	}
	*out = p;
	return 0;
}

static int open_cpu(struct sonde__perf *p, pid_t pid, uint32_t cpu)
{
	struct perf_event_attr a;
	struct perf_cpu *c = &p->cpu[cpu];
	int fd, r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = p->type;
	a.config = p->config;
	a.sample_period = p->period;
	a.sample_type = SAMPLE_TYPE;
	a.disabled = 1;
	a.inherit = 1;
	a.enable_on_exec = 1;
	a.exclude_hv = 1;
	a.use_clockid = 1;
	a.clockid = sonde__perfclock_id(&p->pc);
	/* Wake-ups are not used: the recorder drains on its own tick. */
	a.wakeup_events = 0;
	fd = (int)syscall(SYS_perf_event_open, &a, pid, (int)cpu, -1,
			  PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	c->fd = fd;
	r = sonde__perfring_map(&c->ring, fd, p->pages);
	if (r)
		return r;
	c->mapped = 1;
	c->body = malloc(PKT_BODY);
	if (!c->body)
		return -ENOMEM;
	c->tid = -1;
	return 0;
}

int sonde__perf_attach(struct sonde__perf *p, pid_t pid)
{
	uint32_t opened = 0;
	int r = 0;

	for (uint32_t i = 0; i < p->ncpu; i++) {
		r = open_cpu(p, pid, i);
		if (r == -ENODEV || r == -EINVAL) {
			/* An offline CPU (possible, not present): no ring. */
			if (p->cpu[i].fd >= 0)
				close(p->cpu[i].fd);
			p->cpu[i].fd = -1;
			continue;
		}
		if (r)
			return r;
		opened++;
	}
	if (!opened)
		return r ? r : -ENODEV;
	/* Room for a whole ring of the smallest samples, sorted at once. */
	p->pend_cap = (size_t)p->pages * (size_t)sysconf(_SC_PAGESIZE) / 48 + 1;
	p->pend = calloc(p->pend_cap, sizeof(*p->pend));
	return p->pend ? 0 : -ENOMEM;
}

static uint8_t *put_ext(uint8_t *q, uint32_t id, uint64_t ts)
{
	*q++ = SONDE__ID_EXT;
	memcpy(q, &id, 4);
	memcpy(q + 4, &ts, 8);
	return q + 12;
}

/* Write the packet being built on @cpu, if it holds anything or a loss
 * to report.  0 or -errno. */
static int flush(struct sonde__perf *p, uint32_t cpu)
{
	struct perf_cpu *c = &p->cpu[cpu];
	struct sonde__pkt_hdr h;
	int r;

	if (!c->used && c->discarded == c->discarded_written)
		return 0;
	if (!c->s) {
		r = sonde__trace_open_stream(p->trace, p->class_id, cpu, &c->s);
		if (r)
			return r;
	}
	if (!c->used)
		c->ts_begin = c->ts_last;
	memset(&h, 0, sizeof(h));
	h.timestamp_begin = c->ts_begin;
	h.timestamp_end = c->ts_last;
	h.content_size = h.packet_size =
		((uint64_t)sonde__stream_pkt_hdr_size(c->s) + c->used) * 8;
	h.packet_seq_num = c->seq;
	h.events_discarded = c->discarded;
	h.cpu_id = cpu;
	r = sonde__stream_write_packet(c->s, &h, NULL, c->body, c->used);
	if (r)
		return r;
	p->st.bytes += sonde__stream_pkt_hdr_size(c->s) + c->used;
	p->st.packets++;
	c->seq++;
	c->discarded_written = c->discarded;
	c->used = 0;
	c->tid = -1;
	return 0;
}

/* Append sample @e to @cpu's packet (written first if full). */
static int append(struct sonde__perf *p, uint32_t cpu,
		  const struct pending *e)
{
	struct perf_cpu *c = &p->cpu[cpu];
	size_t need = SONDE__EXT_HDR + 28 + p->event_len;
	uint64_t ts = e->ts < c->ts_last ? c->ts_last : e->ts;
	int32_t ids[2] = { (int32_t)e->s.tid, (int32_t)e->s.pid };
	uint8_t *q;
	int r;

	if (c->used + need + SONDE__EXT_HDR + SONDE__THREAD_PAYLOAD >
	    PKT_BODY) {
		r = flush(p, cpu);
		if (r)
			return r;
	}
	q = c->body + c->used;
	if (!c->used) {
		c->ts_begin = ts;
		c->born_ns = mono_ns();
	}
	if (c->tid != ids[0]) {
		q = put_ext(q, SONDE__THREAD_EVENT_ID, ts);
		memcpy(q, ids, sizeof(ids));
		q += sizeof(ids);
		c->tid = ids[0];
	}
	q = put_ext(q, EV_SAMPLE, ts);
	memcpy(q, &e->s.ip, 8);
	memcpy(q + 8, &ids[1], 4);
	memcpy(q + 12, &ids[0], 4);
	memcpy(q + 16, &e->s.period, 8);
	memcpy(q + 24, &e->s.cpu, 4);
	memcpy(q + 28, p->event, p->event_len);
	q += 28 + p->event_len;
	c->used = (size_t)(q - c->body);
	c->ts_last = ts;
	p->st.samples++;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sort the @n samples read from @cpu's ring and append them. */
static int emit(struct sonde__perf *p, uint32_t cpu, size_t n)
{
	int r;

	qsort(p->pend, n, sizeof(*p->pend), by_time);
	for (size_t i = 0; i < n; i++) {
		r = append(p, cpu, &p->pend[i]);
		if (r)
			return r;
	}
	return 0;
}

/* One pass over @cpu's ring. */
static int drain_cpu(struct sonde__perf *p, uint32_t cpu, int *moved)
{
	struct perf_cpu *c = &p->cpu[cpu];
	const struct perf_event_header *h;
	uint64_t bad = c->ring.st.bad, n_read = c->ring.st.samples;
	size_t n = 0;
	int r = 0;

	sonde__perfring_begin(&c->ring);
	/* After data_head is read: the pass's records lie between the
	 * mapping's two calibration pairs. */
	sonde__perfclock_update(&p->pc);
	while (!r && sonde__perfring_next(&c->ring, &h, &c->discarded)) {
		struct pending *e = &p->pend[n];

		if (sonde__perf_sample_parse(h, SAMPLE_TYPE, &e->s)) {
			p->st.bad++;
			continue;
		}
		e->ts = sonde__perfclock_map(&p->pc, e->s.time);
		e->seq = (uint32_t)n;
		if (++n == p->pend_cap) {
			r = emit(p, cpu, n);
			n = 0;
		}
	}
	if (!r && n)
		r = emit(p, cpu, n);
	sonde__perfring_end(&c->ring);
	p->st.bad += c->ring.st.bad - bad;
	if (n_read != c->ring.st.samples)
		*moved = 1;
	if (!r && c->used && mono_ns() - c->born_ns >= PKT_AGE_NS)
		r = flush(p, cpu);
	return r;
}

int sonde__perf_drain(struct sonde__perf *p, int *moved)
{
	int r;

	*moved = 0;
	for (uint32_t i = 0; i < p->ncpu; i++) {
		if (!p->cpu[i].mapped)
			continue;
		r = drain_cpu(p, i, moved);
		if (r)
			return r;
	}
	return 0;
}

int sonde__perf_finish(struct sonde__perf *p)
{
	int moved, r;

	for (uint32_t i = 0; i < p->ncpu; i++)
		if (p->cpu[i].fd >= 0)
			ioctl(p->cpu[i].fd, PERF_EVENT_IOC_DISABLE, 0);
	r = sonde__perf_drain(p, &moved);
	for (uint32_t i = 0; !r && i < p->ncpu; i++)
		if (p->cpu[i].mapped)
			r = flush(p, i);
	return r;
}

void sonde__perf_stats(const struct sonde__perf *p,
		       struct sonde__perf_stats *st)
{
	*st = p->st;
	st->lost = 0;
	for (uint32_t i = 0; i < p->ncpu; i++)
		st->lost += p->cpu[i].discarded;
}

void sonde__perf_destroy(struct sonde__perf *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < p->ncpu; i++) {
		struct perf_cpu *c = &p->cpu[i];

		if (c->mapped)
			sonde__perfring_unmap(&c->ring);
		if (c->fd >= 0)
			close(c->fd);
		free(c->body);
	}
	free(p->cpu);
	free(p->pend);
	free(p);
}
