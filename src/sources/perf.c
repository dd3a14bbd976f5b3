// SPDX-License-Identifier: MIT
/*
 * The perf source: overflow samples of one perf event for a command's
 * processes, as the "perf" stream class of a trace, beside the user-space
 * channel (doc/design.md: sources -> trace -> outputs).
 *
 * Events: one perf_event_open(2) per CPU, pid = the command, cpu = i,
 * inherit = 1 (its threads and children, each counted on its own and
 * written into the ring of the CPU it runs on: inherit with mmap needs
 * per-CPU events), enable_on_exec = 1; or, system-wide (-a), pid = -1 on
 * every CPU, enabled at once.  sample_type IP | TID | TIME | CPU | PERIOD
 * (| CALLCHAIN with call chains: user space only, at most MAX_DEPTH
 * frames), on the trace clock's perf clock (perfring.c tells how perf time
 * becomes trace clock values).  mmap = mmap2 = 1 and sample_id_all: the
 * kernel reports the executable mappings made while it samples (the
 * command's from its execve() on), so that analysis can symbolize the
 * samples without the processes; system-wide, the mappings that exist
 * already are read from /proc/PID/maps at the start (perf's synthesized
 * mmaps).
 *
 * Stream class "perf", one stream per CPU ("perf_<cpu>", opened with its
 * first packet), and one more, "perf_<ncpu>" (cpu_id = the number of
 * CPUs: none), for counter readings.  Event classes:
 *   0  sonde:thread { s32 tid; s32 pid; }  before an event of another
 *      thread than the previous one in the packet (and first in each)
 *   1  perf:sample { u64 ip (hex); s32 pid; s32 tid; u64 period;
 *      u32 cpu; string event; u32 _callchain_length;
 *      u64 callchain[_callchain_length] (hex); }  the call chain, empty
 *      unless asked for, starts at the sampled function; PERF_CONTEXT_*
 *      markers are left out
 *   2  perf:mmap { s32 pid; s32 tid; u64 start (hex); u64 len;
 *      u64 pgoff (hex); string filename; }
 *   3  perf:counter { s32 pid; s32 tid; s32 cpu; string name; u64 value;
 *      u64 enabled; u64 running; }  cpu is -1: counters are per thread
 *      (see sonde__perf_counters_open() in perf.h)
 * each with the extended event header (u8 0xFF, u32 id, u64 timestamp).
 *
 * The ring reader (src/pmu/ring.c) returns the samples and, asked with
 * sonde__perfring_want(), the MMAP2 records of a pass in one walk, each
 * bounded alike; it counts and skips the other records.
 * Records the kernel lost (PERF_RECORD_LOST) are counted in the
 * events_discarded of the stream of their CPU, a running total as CTF
 * wants; a packet is written at the end if only that count changed.
 *
 * Time order: a ring's records are in the order the kernel wrote them,
 * which nested contexts may disorder by a little; each pass is sorted by
 * time, and a sample earlier than what its stream already holds is given
 * the stream's latest time (the mapping onto the TSC is refined at each
 * pass, by nanoseconds, so a CTF stream never goes back in time).  Packets
 * are written whole, when full or 100 ms old, and at the end; in a live
 * recording to a relay, at each live tick too (sonde__perf_live(), as the
 * kernel source does: an idle stream then gets the relay's beacons).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sonde/static/format.h>
#include <sonde/tracepoint.h>

#include "../trace/trace.h"
#include "perf.h"
#include "perfring.h"
#include "pktw.h"

#define DEFAULT_PAGES 64u
#define MAX_CPUS 4096u
#define EVENT_NAME_MAX 64u
/* Largest filename of a perf:mmap event (PATH_MAX). */
#define MMAP_NAME_MAX 4096u
/* Threads whose counters are read, at most. */
#define MAX_CTHREADS 4096u

enum { EV_SAMPLE = 1, EV_MMAP, EV_COUNTER, NR_EVENTS };

static const uint64_t SAMPLE_TYPE = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
				    PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
				    PERF_SAMPLE_PERIOD;
/* Where the call chain (u64 nr; u64 ips[nr]) starts in a sample of
 * SAMPLE_TYPE | CALLCHAIN: header, ip, pid/tid, time, cpu/res, period. */
#define CALLCHAIN_OFF 48u
/* sample_id_all's trailer of other records, for SAMPLE_TYPE: pid/tid,
 * time, cpu/res. */
#define SAMPLE_ID_SIZE 24u
/* Where an MMAP2 record's filename starts. */
#define MMAP2_NAME_AT (8u + 8u + 24u + 24u + 8u)

static struct sonde__field_class sample_fields[] = {
	{ .name = "ip", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 16 },
	{ .name = "pid", .kind = SONDE_FIELD_INTEGER, .size = 4, .is_signed = 1,
	  .base = 10 },
	{ .name = "tid", .kind = SONDE_FIELD_INTEGER, .size = 4, .is_signed = 1,
	  .base = 10 },
	{ .name = "period", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 10 },
	{ .name = "cpu", .kind = SONDE_FIELD_INTEGER, .size = 4, .base = 10 },
	{ .name = "event", .kind = SONDE_FIELD_STRING },
	{ .name = "callchain", .kind = SONDE_FIELD_SEQUENCE, .size = 8,
	  .base = 16, .len_size = 4 },
};
static struct sonde__event_class sample_class = {
	.id = EV_SAMPLE, .nr_fields = 7, .name = "perf:sample",
	.fields = sample_fields, .has_variable = 1,
};
static struct sonde__field_class mmap_fields[] = {
	{ .name = "pid", .kind = SONDE_FIELD_INTEGER, .size = 4, .is_signed = 1,
	  .base = 10 },
	{ .name = "tid", .kind = SONDE_FIELD_INTEGER, .size = 4, .is_signed = 1,
	  .base = 10 },
	{ .name = "start", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 16 },
	{ .name = "len", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 10 },
	{ .name = "pgoff", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 16 },
	{ .name = "filename", .kind = SONDE_FIELD_STRING },
};
static struct sonde__event_class mmap_class = {
	.id = EV_MMAP, .nr_fields = 6, .name = "perf:mmap",
	.fields = mmap_fields, .has_variable = 1,
};
static struct sonde__field_class counter_fields[] = {
	{ .name = "pid", .kind = SONDE_FIELD_INTEGER, .size = 4, .is_signed = 1,
	  .base = 10 },
	{ .name = "tid", .kind = SONDE_FIELD_INTEGER, .size = 4, .is_signed = 1,
	  .base = 10 },
	{ .name = "cpu", .kind = SONDE_FIELD_INTEGER, .size = 4, .is_signed = 1,
	  .base = 10 },
	{ .name = "name", .kind = SONDE_FIELD_STRING },
	{ .name = "value", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 10 },
	{ .name = "enabled", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 10 },
	{ .name = "running", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 10 },
};
static struct sonde__event_class counter_class = {
	.id = EV_COUNTER, .nr_fields = 7, .name = "perf:counter",
	.fields = counter_fields, .has_variable = 1,
};
static struct sonde__event_class *perf_events[NR_EVENTS] = {
	NULL, &sample_class, &mmap_class, &counter_class,
};

/* A perf:mmap waiting in a pass, its filename in mmap_names. */
struct mmap_rec {
	uint32_t pid, tid;
	uint64_t start, len, pgoff;
	uint32_t name_off, name_len; /* with its NUL */
};

struct pending {
	uint64_t ts; /* on the trace clock */
	uint32_t seq; /* ring order, for a stable sort */
	uint8_t kind; /* EV_SAMPLE or EV_MMAP */
	uint32_t nips; /* EV_SAMPLE: call chain frames at ips */
	const uint64_t *ips;
	struct sonde__perf_sample s;
	struct mmap_rec mm;
};

/* A thread whose counters are read (one fd per counter). */
struct cthread {
	int32_t tid;
	int seen; /* in the latest scan of /proc/PID/task */
	int *fd;
};

struct perf_cpu {
	int fd;
	int mapped;
	struct sonde__perfring ring;
	struct sonde__pktw w; /* its stream's packet (w.body: NULL until used) */
};

struct sonde__perf {
	struct sonde__trace *trace;
	uint32_t class_id;
	char event[EVENT_NAME_MAX];
	size_t event_len; /* with its NUL; 0: no sampling */
	struct perf_event_attr attr; /* the sampled event, as parsed */
	uint64_t period, sample_type;
	unsigned int flags;
	uint32_t pages;
	struct sonde__perfclock pc;
	uint32_t ncpu;
	struct perf_cpu *cpu; /* ncpu + 1: the last one holds counters */
	struct pending *pend;
	size_t pend_cap;
	uint64_t *ips; /* pend_cap * MAX_DEPTH call chain frames */
	char *mmap_names; /* filenames of the pass's perf:mmap events */
	size_t names_used, names_cap;
	/* counters (sonde__perf_counters_open()) */
	struct perf_event_attr *cattr;
	char **cname;
	size_t ncounters;
	pid_t cpid;
	uint64_t cperiod_ns, cnext_ns;
	struct cthread *cth;
	size_t ncth;
	struct sonde__perf_stats st;
};

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

int sonde__perf_create(const struct sonde__perf_opts *o,
		       struct sonde__perf **out)
{
	struct sonde__perf *p;
	long n = sysconf(_SC_NPROCESSORS_CONF);
	int r;

	if (!o || !o->trace || (o->event && (!o->attr || !o->period ||
					     strlen(o->event) >= EVENT_NAME_MAX)) ||
	    (o->ring_pages && (o->ring_pages & (o->ring_pages - 1))) ||
	    o->ring_pages > SONDE__PERFRING_MAX_PAGES)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->trace = o->trace;
	if (o->event) {
		strcpy(p->event, o->event);
		p->event_len = strlen(o->event) + 1;
		p->attr = *o->attr;
	}
	p->flags = o->flags;
	p->sample_type = SAMPLE_TYPE |
			 (o->flags & SONDE__PERF_CALLCHAIN ? PERF_SAMPLE_CALLCHAIN : 0);
	p->period = o->period;
	p->pages = o->ring_pages ? o->ring_pages : DEFAULT_PAGES;
	p->ncpu = n < 1 ? 1 : n > (long)MAX_CPUS ? MAX_CPUS : (uint32_t)n;
	p->cpu = calloc(p->ncpu + 1, sizeof(*p->cpu));
	if (!p->cpu) {
		free(p);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i <= p->ncpu; i++)
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
	struct perf_event_attr a = p->attr;
	struct perf_cpu *c = &p->cpu[cpu];
	int fd, r;

	a.size = sizeof(a);
	a.sample_period = p->period;
	a.sample_type = p->sample_type;
	a.exclude_hv = 1;
	if (pid >= 0) {
		a.disabled = 1;
		a.inherit = 1;
		a.enable_on_exec = 1;
	}
	if (p->sample_type & PERF_SAMPLE_CALLCHAIN) {
		a.exclude_callchain_kernel = 1;
		a.sample_max_stack = SONDE__PERF_MAX_DEPTH;
	}
	a.mmap = 1;
	a.mmap2 = 1;
	a.sample_id_all = 1;
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
	/* MMAP2 records come in the same pass as the samples. */
	sonde__perfring_want(&c->ring, 1ull << PERF_RECORD_MMAP2);
	c->mapped = 1;
	return sonde__pktw_init(&c->w, p->trace, p->class_id, cpu, cpu);
}

static int put_mmap_pending(struct sonde__perf *p, size_t *n,
			    const struct mmap_rec *mm, const char *name,
			    uint64_t ts);
static int emit(struct sonde__perf *p, uint32_t cpu, size_t n);

/*
 * Synthesized mmaps (system-wide): the executable file mappings of every
 * process, from /proc/PID/maps, as perf:mmap events at the start, in the
 * stream of the first CPU with a ring.  Processes that go away meanwhile
 * are skipped.  0 or -errno of the output.
 */
static int synth_mmaps(struct sonde__perf *p, uint32_t cpu)
{
	uint64_t ts = sonde__clock_read(sonde__trace_clock(p->trace));
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;
	int r = 0;

	if (!d)
		return 0;
	while (!r && (de = readdir(d))) {
		char path[64], line[MMAP_NAME_MAX + 256];
		long pid = strtol(de->d_name, NULL, 10);
		FILE *f;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (!r && fgets(line, sizeof(line), f)) {
			unsigned long long lo, hi, off;
			char perm[8];
			int name_at = 0;
			struct mmap_rec mm;
			char *name;

			if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &lo,
				   &hi, perm, &off, &name_at) < 4 ||
			    !name_at || perm[2] != 'x' || line[name_at] != '/')
				continue;
			name = line + name_at;
			name[strcspn(name, "\n")] = '\0';
			memset(&mm, 0, sizeof(mm));
			mm.pid = mm.tid = (uint32_t)pid;
			mm.start = lo;
			mm.len = hi - lo;
			mm.pgoff = off;
			r = put_mmap_pending(p, &n, &mm, name, ts);
			if (!r && n == p->pend_cap) {
				r = emit(p, cpu, n);
				n = 0;
			}
		}
		fclose(f);
	}
	closedir(d);
	if (!r && n)
		r = emit(p, cpu, n);
	return r;
}

int sonde__perf_attach(struct sonde__perf *p, pid_t pid)
{
	uint32_t opened = 0, first = 0;
	int r = 0;

	if (!p->event_len)
		return 0;
	for (uint32_t i = 0; i < p->ncpu; i++) {
		r = open_cpu(p, pid, i);
		if (r == -ENODEV || r == -EINVAL) {
			/* An offline CPU (possible, not present): no ring. */
			if (p->cpu[i].mapped)
				sonde__perfring_unmap(&p->cpu[i].ring);
			p->cpu[i].mapped = 0;
			if (p->cpu[i].fd >= 0)
				close(p->cpu[i].fd);
			p->cpu[i].fd = -1;
			continue;
		}
		if (r)
			return r;
		if (!opened++)
			first = i;
	}
	if (!opened)
		return r ? r : -ENODEV;
	/* Room for a whole ring of the smallest samples, sorted at once. */
	p->pend_cap = (size_t)p->pages * (size_t)sysconf(_SC_PAGESIZE) / 48 + 1;
	p->pend = calloc(p->pend_cap, sizeof(*p->pend));
	if (!p->pend)
		return -ENOMEM;
	if (p->sample_type & PERF_SAMPLE_CALLCHAIN) {
		p->ips = calloc(p->pend_cap, SONDE__PERF_MAX_DEPTH * 8);
		if (!p->ips)
			return -ENOMEM;
	}
	return pid < 0 ? synth_mmaps(p, first) : 0;
}

static int begin_event(struct sonde__perf *p, uint32_t cpu, uint32_t id,
		       uint64_t *ts, int32_t tid, int32_t pid, size_t need,
		       uint8_t **qp)
{
	return sonde__pktw_begin(&p->cpu[cpu].w, id, ts, tid, pid, need, qp);
}

static void end_event(struct sonde__perf *p, uint32_t cpu, uint8_t *q,
		      uint64_t ts)
{
	sonde__pktw_end(&p->cpu[cpu].w, q, ts);
}

/* Append pending event @e (a sample or an mmap) to @cpu's packet. */
static int append(struct sonde__perf *p, uint32_t cpu,
		  const struct pending *e)
{
	uint64_t ts = e->ts;
	uint8_t *q;
	int r;

	if (e->kind == EV_MMAP) {
		const struct mmap_rec *m = &e->mm;

		r = begin_event(p, cpu, EV_MMAP, &ts, (int32_t)m->tid,
				(int32_t)m->pid, 32 + m->name_len, &q);
		if (r)
			return r;
		memcpy(q, &m->pid, 4);
		memcpy(q + 4, &m->tid, 4);
		memcpy(q + 8, &m->start, 8);
		memcpy(q + 16, &m->len, 8);
		memcpy(q + 24, &m->pgoff, 8);
		memcpy(q + 32, p->mmap_names + m->name_off, m->name_len);
		end_event(p, cpu, q + 32 + m->name_len, ts);
		p->st.mmaps++;
		return 0;
	}
	r = begin_event(p, cpu, EV_SAMPLE, &ts, (int32_t)e->s.tid,
			(int32_t)e->s.pid, 32 + p->event_len + 8 * (size_t)e->nips,
			&q);
	if (r)
		return r;
	memcpy(q, &e->s.ip, 8);
	memcpy(q + 8, &e->s.pid, 4);
	memcpy(q + 12, &e->s.tid, 4);
	memcpy(q + 16, &e->s.period, 8);
	memcpy(q + 24, &e->s.cpu, 4);
	memcpy(q + 28, p->event, p->event_len);
	q += 28 + p->event_len;
	memcpy(q, &e->nips, 4);
	if (e->nips)
		memcpy(q + 4, e->ips, 8 * (size_t)e->nips);
	end_event(p, cpu, q + 4 + 8 * (size_t)e->nips, ts);
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

/* Sort the @n events of @cpu's pass and append them. */
static int emit(struct sonde__perf *p, uint32_t cpu, size_t n)
{
	int r = 0;

	qsort(p->pend, n, sizeof(*p->pend), by_time);
	for (size_t i = 0; !r && i < n; i++)
		r = append(p, cpu, &p->pend[i]);
	p->names_used = 0;
	return r;
}

/* Queue perf:mmap @mm with filename @name (truncated to MMAP_NAME_MAX). */
static int put_mmap_pending(struct sonde__perf *p, size_t *n,
			    const struct mmap_rec *mm, const char *name,
			    uint64_t ts)
{
	size_t len = strnlen(name, MMAP_NAME_MAX - 1);
	struct pending *e = &p->pend[*n];

	if (p->names_used + len + 1 > p->names_cap) {
		size_t cap = p->names_cap ? p->names_cap * 2 : 65536;
		char *nb;

		while (cap < p->names_used + len + 1)
			cap *= 2;
		nb = realloc(p->mmap_names, cap);
		if (!nb)
			return -ENOMEM;
		p->mmap_names = nb;
		p->names_cap = cap;
	}
	memset(e, 0, sizeof(*e));
	e->kind = EV_MMAP;
	e->ts = ts;
	e->seq = (uint32_t)*n;
	e->mm = *mm;
	e->mm.name_off = (uint32_t)p->names_used;
	e->mm.name_len = (uint32_t)len + 1;
	memcpy(p->mmap_names + p->names_used, name, len);
	p->mmap_names[p->names_used + len] = '\0';
	p->names_used += len + 1;
	(*n)++;
	return 0;
}

/*
 * Queue MMAP2 record @h (contiguous, its size bounded by the ring reader)
 * as a perf:mmap event, or count it in bad if it does not parse.  MMAP2:
 * header, u32 pid, tid, u64 addr, len, pgoff, 24 bytes of device, inode
 * or build id, u32 prot, flags, char filename[], sample_id.
 */
static int queue_mmap(struct sonde__perf *p, const struct perf_event_header *h,
		      size_t *n)
{
	const uint8_t *rec = (const uint8_t *)h;
	struct mmap_rec mm;
	uint64_t t;

	/* the filename ends before the sample_id trailer */
	if (h->size < MMAP2_NAME_AT + 8 + SAMPLE_ID_SIZE ||
	    h->size > MMAP2_NAME_AT + MMAP_NAME_MAX + SAMPLE_ID_SIZE ||
	    !memchr(rec + MMAP2_NAME_AT, 0,
		    h->size - MMAP2_NAME_AT - SAMPLE_ID_SIZE)) {
		p->st.bad++;
		return 0;
	}
	memset(&mm, 0, sizeof(mm));
	memcpy(&mm.pid, rec + 8, 4);
	memcpy(&mm.tid, rec + 12, 4);
	memcpy(&mm.start, rec + 16, 8);
	memcpy(&mm.len, rec + 24, 8);
	memcpy(&mm.pgoff, rec + 32, 8);
	memcpy(&t, rec + h->size - 16, 8);
	return put_mmap_pending(p, n, &mm, (const char *)rec + MMAP2_NAME_AT,
				sonde__perfclock_map(&p->pc, t));
}

/* The user call chain of sample @h into @e (at most MAX_DEPTH frames,
 * PERF_CONTEXT_* markers left out); a short one is cut, never trusted. */
static void callchain(struct sonde__perf *p, const struct perf_event_header *h,
		      struct pending *e, size_t slot)
{
	const uint8_t *b = (const uint8_t *)h;
	uint64_t nr, *out = p->ips + slot * SONDE__PERF_MAX_DEPTH;

	e->nips = 0;
	e->ips = out;
	if (h->size < CALLCHAIN_OFF + 8)
		return;
	memcpy(&nr, b + CALLCHAIN_OFF, 8);
	if (nr > (h->size - CALLCHAIN_OFF - 8) / 8)
		nr = (h->size - CALLCHAIN_OFF - 8) / 8;
	for (uint64_t i = 0; i < nr && e->nips < SONDE__PERF_MAX_DEPTH; i++) {
		uint64_t ip;

		memcpy(&ip, b + CALLCHAIN_OFF + 8 + 8 * i, 8);
		if (ip >= (uint64_t)PERF_CONTEXT_MAX)
			continue;
		out[e->nips++] = ip;
	}
}

/* One pass over @cpu's ring. */
static int drain_cpu(struct sonde__perf *p, uint32_t cpu, int *moved)
{
	struct perf_cpu *c = &p->cpu[cpu];
	const struct perf_event_header *h;
	uint64_t bad = c->ring.st.bad, n_read = c->ring.st.samples;
	uint64_t mmaps = p->st.mmaps;
	size_t n = 0;
	int r = 0;

	sonde__perfring_begin(&c->ring);
	/* After data_head is read: the pass's records lie between the
	 * mapping's two calibration pairs. */
	sonde__perfclock_update(&p->pc);
	while (!r && sonde__perfring_next(&c->ring, &h, &c->w.discarded)) {
		struct pending *e = &p->pend[n];

		if (h->type == PERF_RECORD_MMAP2) {
			r = queue_mmap(p, h, &n);
			if (!r && n == p->pend_cap) {
				r = emit(p, cpu, n);
				n = 0;
			}
			continue;
		}
		if (sonde__perf_sample_parse(h, p->sample_type, &e->s)) {
			p->st.bad++;
			continue;
		}
		e->kind = EV_SAMPLE;
		e->nips = 0;
		if (p->ips)
			callchain(p, h, e, n);
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
	if (n_read != c->ring.st.samples || mmaps != p->st.mmaps)
		*moved = 1;
	if (!r)
		r = sonde__pktw_age(&c->w, sonde__pktw_now());
	return r;
}

/* ---- counters read on a period ---- */

static int open_counter(struct sonde__perf *p, size_t i, pid_t tid,
			int on_exec)
{
	struct perf_event_attr a = p->cattr[i];

	a.size = sizeof(a);
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			PERF_FORMAT_TOTAL_TIME_RUNNING;
	a.exclude_hv = 1;
	a.disabled = on_exec;
	a.enable_on_exec = on_exec;
	return (int)syscall(SYS_perf_event_open, &a, tid, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static struct cthread *add_thread(struct sonde__perf *p, pid_t tid,
				  int on_exec, int *err)
{
	struct cthread *t;

	*err = 0;
	if (p->ncth == MAX_CTHREADS)
		return NULL;
	if (!(p->ncth & (p->ncth - 1)) || !p->ncth) {
		size_t cap = p->ncth ? p->ncth * 2 : 16;
		struct cthread *nt = realloc(p->cth, cap * sizeof(*nt));

		if (!nt) {
			*err = -ENOMEM;
			return NULL;
		}
		p->cth = nt;
	}
	t = &p->cth[p->ncth];
	t->tid = tid;
	t->seen = 1;
	t->fd = malloc(p->ncounters * sizeof(int));
	if (!t->fd) {
		*err = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < p->ncounters; i++) {
		t->fd[i] = open_counter(p, i, tid, on_exec);
		if (t->fd[i] < 0) {
			*err = -errno;
			while (i--)
				close(t->fd[i]);
			free(t->fd);
			return NULL;
		}
	}
	p->ncth++;
	return t;
}

int sonde__perf_counters_open(struct sonde__perf *p,
			      const struct perf_event_attr *attrs,
			      const char *const *names, size_t n, pid_t pid,
			      uint64_t period_ns, int *rdpmc)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct perf_event_mmap_page *meta;
	int r;

	if (!n || n > 64 || pid <= 0 || !period_ns || p->ncounters)
		return -EINVAL;
	p->cattr = calloc(n, sizeof(*p->cattr));
	p->cname = calloc(n, sizeof(*p->cname));
	if (!p->cattr || !p->cname)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		p->cattr[i] = attrs[i];
		p->cname[i] = strdup(names[i]);
		if (!p->cname[i])
			return -ENOMEM;
		p->ncounters++;
	}
	p->cpid = pid;
	p->cperiod_ns = period_ns;
	if (!p->cpu[p->ncpu].w.body) {
		r = sonde__pktw_init(&p->cpu[p->ncpu].w, p->trace, p->class_id,
				     p->ncpu, p->ncpu);
		if (r)
			return r;
	}
	/* The command's main thread, counting from its execve(). */
	if (!add_thread(p, pid, 1, &r))
		return r ? r : -ENOSPC;
	/* Can user space read this counter itself (rdpmc)?  The mmap page
	 * of the event says. */
	*rdpmc = 0;
	meta = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, p->cth[0].fd[0], 0);
	if (meta != MAP_FAILED) {
		*rdpmc = meta->cap_user_rdpmc && meta->index;
		munmap(meta, (size_t)pg);
	}
	p->cnext_ns = 0;
	return 0;
}

/* Mark the threads of the command's process that still run; open the
 * counters of new ones.  0 or -ENOMEM. */
static int scan_threads(struct sonde__perf *p)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int r;

	for (size_t i = 0; i < p->ncth; i++)
		p->cth[i].seen = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->cpid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		long tid = strtol(de->d_name, NULL, 10);
		size_t i;

		if (tid <= 0)
			continue;
		for (i = 0; i < p->ncth && p->cth[i].tid != tid; i++)
			;
		if (i < p->ncth) {
			p->cth[i].seen = 1;
			continue;
		}
		/* A thread gone before its counters open is skipped. */
		if (!add_thread(p, (pid_t)tid, 0, &r) && r == -ENOMEM) {
			closedir(d);
			return r;
		}
	}
	closedir(d);
	return 0;
}

/* Read every counter of every thread now, as perf:counter events; threads
 * gone since the last scan are read a last time and closed. */
static int read_counters(struct sonde__perf *p, int last)
{
	uint32_t s = p->ncpu;
	uint64_t ts;
	int r = last ? 0 : scan_threads(p);

	if (r)
		return r;
	ts = sonde__clock_read(sonde__trace_clock(p->trace));
	for (size_t i = 0; i < p->ncth; i++) {
		struct cthread *t = &p->cth[i];
		int32_t cpu = -1, pid = (int32_t)p->cpid;

		if (t->fd[0] < 0)
			continue;
		for (size_t k = 0; k < p->ncounters; k++) {
			uint64_t v[3];
			size_t nl = strlen(p->cname[k]) + 1;
			uint8_t *q;

			if (read(t->fd[k], v, sizeof(v)) != (ssize_t)sizeof(v))
				continue;
			if (!v[1])
				continue; /* not enabled yet: before execve() */
			r = begin_event(p, s, EV_COUNTER, &ts, t->tid, pid,
					12 + nl + 24, &q);
			if (r)
				return r;
			memcpy(q, &pid, 4);
			memcpy(q + 4, &t->tid, 4);
			memcpy(q + 8, &cpu, 4);
			memcpy(q + 12, p->cname[k], nl);
			memcpy(q + 12 + nl, v, 24);
			end_event(p, s, q + 12 + nl + 24, ts);
			p->st.counters++;
		}
		if (!t->seen || last) {
			for (size_t k = 0; k < p->ncounters; k++)
				close(t->fd[k]);
			t->fd[0] = -1;
		}
	}
	if (!r)
		r = last ? sonde__pktw_flush(&p->cpu[s].w)
			 : sonde__pktw_age(&p->cpu[s].w, sonde__pktw_now());
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
	if (p->ncounters) {
		uint64_t now = sonde__pktw_now();

		if (now >= p->cnext_ns) {
			/* On a grid from the first reading: late readings do
			 * not shift the next ones. */
			p->cnext_ns = p->cnext_ns ? p->cnext_ns + p->cperiod_ns
						  : now + p->cperiod_ns;
			if (p->cnext_ns <= now)
				p->cnext_ns = now + p->cperiod_ns;
			r = read_counters(p, 0);
			if (r)
				return r;
			*moved = 1;
		}
	}
	return 0;
}

int sonde__perf_live(struct sonde__perf *p, uint64_t until)
{
	int moved, r = sonde__perf_drain(p, &moved);

	/* The last slot is the counters' stream, when there are counters. */
	for (uint32_t i = 0; !r && i <= p->ncpu; i++)
		if (i < p->ncpu ? p->cpu[i].mapped : p->ncounters != 0)
			r = sonde__pktw_live(&p->cpu[i].w, until);
	return r;
}

uint64_t sonde__perf_next_ns(const struct sonde__perf *p)
{
	return p->ncounters ? p->cnext_ns : 0;
}

int sonde__perf_finish(struct sonde__perf *p)
{
	int moved, r;

	for (uint32_t i = 0; i < p->ncpu; i++)
		if (p->cpu[i].fd >= 0)
			ioctl(p->cpu[i].fd, PERF_EVENT_IOC_DISABLE, 0);
	r = sonde__perf_drain(p, &moved);
	if (!r && p->ncounters)
		r = read_counters(p, 1);
	for (uint32_t i = 0; !r && i <= p->ncpu; i++)
		if (p->cpu[i].mapped)
			r = sonde__pktw_flush(&p->cpu[i].w);
	return r;
}

void sonde__perf_stats(const struct sonde__perf *p,
		       struct sonde__perf_stats *st)
{
	*st = p->st;
	st->lost = 0;
	for (uint32_t i = 0; i < p->ncpu; i++)
		st->lost += p->cpu[i].w.discarded;
	for (uint32_t i = 0; i <= p->ncpu; i++) {
		st->bytes += p->cpu[i].w.bytes;
		st->packets += p->cpu[i].w.packets;
	}
}

void sonde__perf_destroy(struct sonde__perf *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i <= p->ncpu; i++) {
		struct perf_cpu *c = &p->cpu[i];

		if (c->mapped)
			sonde__perfring_unmap(&c->ring);
		if (c->fd >= 0)
			close(c->fd);
		sonde__pktw_fini(&c->w);
	}
	for (size_t i = 0; i < p->ncth; i++) {
		if (p->cth[i].fd[0] >= 0)
			for (size_t k = 0; k < p->ncounters; k++)
				close(p->cth[i].fd[k]);
		free(p->cth[i].fd);
	}
	for (size_t i = 0; p->cname && i < p->ncounters; i++)
		free(p->cname[i]);
	free(p->cth);
	free(p->cname);
	free(p->cattr);
	free(p->cpu);
	free(p->pend);
	free(p->ips);
	free(p->mmap_names);
	free(p);
}
