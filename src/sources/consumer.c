// SPDX-License-Identifier: MIT
/*
 * Consumer of one channel.  It creates the shared-memory object that traced
 * processes map (so what they commit survives their crash), then:
 *  - drain: for each CPU, while the sub-buffer at the read position is
 *    complete (the writers moved past it and no record is in flight),
 *    write its packet (content_size bytes) to the CPU's stream file and
 *    release it by advancing `consumed`;
 *  - finish, once producers are gone: write the remaining sub-buffers.
 *    A sub-buffer that never completed is salvaged by walking its records
 *    up to the reserve position or the padding byte: committed records are
 *    kept, torn ones (salvage marker) are dropped and counted in the
 *    packet's events_discarded.  In overwrite mode nothing is drained while
 *    recording and finish writes the last nsub sub-buffers of each CPU;
 *  - reclaim: a sub-buffer writers wait for, held by reservations of
 *    processes that died before committing, is released (reclaim_stuck()),
 *    and its torn records are dropped and counted when it is written.
 * Every packet's events_discarded is rewritten on its way out so that it
 * never goes backwards within a stream (emit()).
 * Held packets (zero copy): an output that may hold payloads
 * (SONDE__OUTPUT_HOLDS_PAYLOAD: the relay hands the pages to the kernel
 * with MSG_ZEROCOPY, which reads them until the peer acknowledges them)
 * is allowed to hold a packet written straight from its sub-buffer, at
 * most hold_max of them per CPU.  Such a sub-buffer is not handed back
 * (nor zeroed) when written: `consumed` stops at it until the stream's
 * retired count passes its packet (release_retired(), each drain), and
 * the sub-buffers written after it wait with it, since `consumed` is one
 * position.  Past the bound, a packet is written for the output to copy,
 * so the hold never grows beyond hold_max sub-buffers per CPU; the output
 * retires everything on a lost or stalled connection, and a seal makes it
 * release every hold before the buffers start afresh.  Released early,
 * a sub-buffer the writers reuse would reach the relay with their later
 * records (or the zeros written here) in place of the packet sent.
 * Trust boundary: the shared memory, which every traced process can write
 * (its header, the control blocks, the sub-buffers, the registry).  The
 * geometry (CPU count, sub-buffer size and count, region offsets) and the
 * uuid are kept in private memory from creation (struct geom) and never
 * read back: the header is only compared with what was written, and
 * restored if a process overwrote it.  Everything else read from there is
 * data: reserve positions are bounded (in discard mode, at least a packet
 * header and at most a buffer ahead of the read position), packet sizes
 * by the sub-buffer, record walks by the packet, registry entries by the
 * registry (events.c); packet headers go out with what the consumer knows
 * in place of what they say; a drain moves at most nsub packets per CPU.
 * A CPU buffer holding what no writer following the protocol can leave is
 * counted corrupt, once; one whose positions are nonsense is "poisoned":
 * no longer read (its loss counters frozen) until a seal starts it afresh,
 * while the other CPUs' buffers are read on.  sonde__consumer_damage()
 * tells the caller.
 * Output: the consumer is the source of one stream class of a trace
 * (src/trace/trace.h), "channel0", one stream per CPU; packets leave
 * through the trace's output (a directory today: src/outputs/dir.c, which
 * owns the file-safety rules).  The consumer creates that trace and
 * output itself from opts->dir, or joins a trace the caller made
 * (opts->trace), beside other sources.  The metadata is written when the
 * trace starts, rewritten as event classes appear and at the end: a
 * recorder killed mid-run leaves a trace that readers open, with every
 * packet written so far.
 * Context (opts->context, `sonde record --context`): the consumer writes
 * each record as header, context (vpid, vtid, procname: context.c), payload,
 * from the sonde:thread record in force and the process log (procs.c),
 * which it reads before each packet; the metadata's procname is the
 * recorded pid's latest comm from that log.  Nothing of it is on the
 * writers' path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sonde/static/ring.h>

#include "../buffers/layout.h"
#include "../clock/clock.h"
#include "../control/attach.h"
#include "../outputs/output.h"
#include "../trace/trace.h"
#include "../writer/model.h"
#include "consumer.h"
#include "context.h"
#include "events.h"
#include "procs.h"

#define REG_SIZE (1u << 20)

/* Sub-buffers of one CPU an output may hold at most (zero copy), and
 * never more than a quarter of them. */
#define HOLD_MAX 4

struct cpu_out {
	struct sonde__stream *s; /* its stream in the trace */
	uint64_t pos; /* next sub-buffer to write (free-running bytes) */
	uint64_t salvaged_lost; /* torn records dropped from this stream */
	uint64_t discarded;     /* events_discarded of the last packet written */
	uint64_t last_end; /* timestamp_end of the last packet written */
	/* A sub-buffer writers are waiting for, held by a reservation. */
	uint64_t stuck_pos;     /* UINT64_MAX: none */
	uint64_t stuck_since;   /* ns, CLOCK_MONOTONIC */
	uint64_t stuck_checked; /* ns, last walk of it */
	uint64_t stuck_wait;    /* ns until the next walk, doubled up to 1 s */
	int corrupt;     /* nonsense found in this CPU's buffer (counted) */
	int poisoned;    /* its positions are nonsense: no longer read */
	uint64_t lost_frozen; /* its writers' loss counters when poisoned */
	int32_t tid, pid;     /* the thread record in force (context) */
	/* Zero copy: sub-buffers before `released` are handed back; those
	 * from it to pos are written, and wait for the held ones among
	 * them, held[] (oldest at hhead), to be retired by the output. */
	uint64_t released;
	struct {
		uint64_t pos; /* the sub-buffer */
		uint64_t num; /* its packet's number in the stream */
	} held[HOLD_MAX];
	uint32_t hhead, nheld;
};

/*
 * A reservation older than this, in a sub-buffer writers wait for, is
 * looked at: if the processes that made it are gone, the sub-buffer is
 * reclaimed.  A pending count with no reservation to show for it (a
 * writer killed between raising the count and reserving) is reclaimed
 * after ORPHAN_NS.
 */
#define RECLAIM_AGE_NS 50000000ull
#define ORPHAN_NS 1000000000ull

/*
 * The channel's geometry as the consumer created it, in its own memory:
 * the header holds the same values, but every traced process can write
 * there (see the top of the file).
 */
struct geom {
	uint32_t ncpu;
	uint32_t subbuf_size; /* power of two */
	uint32_t nsub;        /* power of two */
	uint32_t overwrite;
	uint64_t buf;         /* subbuf_size * nsub: one CPU's data */
	uint64_t rb_off, rb_stride, reg_off, reg_size, data_off;
	uint8_t uuid[16];
};

/* The header's bytes that never change once created: geometry, uuid. */
#define HDR_FIXED offsetof(struct sonde__shm_hdr, patterns)

struct sonde__consumer {
	struct sonde__shm_hdr *h;
	size_t size;
	struct geom g;                /* private copy, never read from h */
	uint8_t hdr_fixed[HDR_FIXED]; /* the header's first bytes as created */
	uint32_t corrupt_cpus;        /* CPU buffers found holding nonsense */
	int hdr_overwritten;          /* found overwritten (and restored) */
	struct sonde__trace *trace; /* where packets go */
	int own_trace;              /* created from opts->dir, ours */
	uint32_t class_id;          /* our stream class in it */
	struct sonde__clock *clock; /* the trace's */
	struct sonde__event_table events;
	struct cpu_out *out;
	uint8_t *tmp; /* one sub-buffer, for salvage */
	int memfd;    /* the buffers' sealed memfd, or -1 */
	struct sonde__consumer_stats st;
	int failed;
	int meta_written; /* the trace's metadata was written */
	uint32_t meta_reg_used; /* registry size at the last metadata */
	struct sonde__stream_class_ops ops; /* our stream class */
	struct sonde__ctx_spec ctx;          /* context asked for */
	struct sonde__field_class ctx_f[SONDE__CTX_MAX];
	struct sonde__procs procs; /* names of the processes, from the log */
	int procs_final;           /* no writer left: skip unfinished entries */
	uint8_t *cbuf;             /* a packet with its context */
	size_t cbuf_size;
	uint32_t hold_max; /* sub-buffers per CPU the output may hold */
};

static uint32_t cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	unsigned int a, b;

	/* "0-N" or "0": the highest possible CPU id bounds rseq's cpu_id. */
	if (f) {
		int k = fscanf(f, "%u-%u", &a, &b);

		fclose(f);
		if (k == 2 && b + 1 > (unsigned long)n)
			n = b + 1;
	}
	return n < 1 ? 1 : (uint32_t)n;
}

static int geometry_valid(uint32_t subbuf_size, uint32_t nsub)
{
	return nsub >= 2 && !(nsub & (nsub - 1)) && nsub <= 65536 &&
	       subbuf_size >= 4096 && !(subbuf_size & (subbuf_size - 1)) &&
	       subbuf_size <= (1u << 30);
}

/* Bytes of a channel: header, per-CPU control, registry, page-aligned,
 * then the data (the layout of init_layout()). */
static uint64_t channel_size(uint32_t ncpu, uint32_t subbuf_size,
			     uint32_t nsub)
{
	uint64_t rb = ncpu * ((sizeof(struct sonde_rb_cpu) +
			       nsub * sizeof(struct sonde_rb_sub) + 63) &
			      ~63ull);

	return ((((sizeof(struct sonde__shm_hdr) + 63) & ~63ull) + rb +
		 REG_SIZE + 4095) &
		~4095ull) +
	       (uint64_t)ncpu * subbuf_size * nsub;
}

/*
 * Trust boundary: sizes chosen by users (options, the daemon's commands)
 * and the limit variable.  What the buffers may take: the smallest of
 * SONDE_MAX_BUFFER_MEMORY (default: half of MemAvailable), MemAvailable,
 * and the address space RLIMIT_AS leaves.  Nothing is allocated to find
 * out: a total over it would be reserved page by page until the OOM
 * killer chose among the user's processes.
 */
struct mem_limit {
	uint64_t bytes;
	const char *what; /* where the limit comes from, for the user */
	int raisable;     /* by SONDE_MAX_BUFFER_MEMORY */
};

static uint64_t mem_available(void)
{
	unsigned long long kb;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");
	uint64_t v = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			v = kb > UINT64_MAX / 1024 ? UINT64_MAX : kb * 1024;
			break;
		}
	if (f)
		fclose(f);
	if (!v) /* no /proc: the free pages, a lower figure */
		v = (uint64_t)sysconf(_SC_AVPHYS_PAGES) *
		    (uint64_t)sysconf(_SC_PAGESIZE);
	return v;
}

/* Address space left under RLIMIT_AS (UINT64_MAX: no limit). */
static uint64_t address_room(void)
{
	unsigned long long pages = 0;
	struct rlimit rl;
	FILE *f;

	if (getrlimit(RLIMIT_AS, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	f = fopen("/proc/self/statm", "re");
	if (f) {
		if (fscanf(f, "%llu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	pages *= (uint64_t)sysconf(_SC_PAGESIZE);
	return rl.rlim_cur > pages ? rl.rlim_cur - pages : 0;
}

/* "123", "512k", "4G"...: bytes (suffixes are powers of 1024); -1 if bad. */
static int parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "kmgtpe";
	unsigned long long v;
	const char *u;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || !v)
		return -1;
	if (*end) {
		if (end[1] || !(u = strchr(suffixes, end[0] | 0x20)))
			return -1;
		for (long i = 0; i <= u - suffixes; i++) {
			if (v > UINT64_MAX / 1024)
				return -1;
			v *= 1024;
		}
	}
	*out = v;
	return 0;
}

static int memory_limit(struct mem_limit *l, char *why, size_t n)
{
	const char *env = secure_getenv(SONDE_MAX_BUFFER_MEMORY_ENV);
	uint64_t avail = mem_available(), room = address_room();

	if (env && *env) {
		if (parse_size(env, &l->bytes)) {
			snprintf(why, n,
				 "bad %s '%.64s': use a size in bytes, such as 268435456, 512M or 4G",
				 SONDE_MAX_BUFFER_MEMORY_ENV, env);
			return -EINVAL;
		}
		l->what = SONDE_MAX_BUFFER_MEMORY_ENV;
	} else {
		l->bytes = avail / 2;
		l->what = "half of the available memory";
	}
	l->raisable = 1;
	if (avail < l->bytes) {
		l->bytes = avail;
		l->what = "the available memory";
		l->raisable = 0;
	}
	if (room < l->bytes) {
		l->bytes = room;
		l->what = "what RLIMIT_AS leaves";
		l->raisable = 0;
	}
	return 0;
}

/* "4 KiB", "11.6 GiB": powers of 1024, one decimal unless exact. */
static void human_size(uint64_t b, char *out, size_t n)
{
	static const char units[] = "KMGTPE";
	uint64_t div = 1;
	int u = -1;

	while (u < 5 && b / 1024 >= div) {
		div *= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, n, "%llu B", (unsigned long long)b);
	else if (!(b % div))
		snprintf(out, n, "%llu %ciB", (unsigned long long)(b / div),
			 units[u]);
	else
		snprintf(out, n, "%.1f %ciB", (double)b / (double)div, units[u]);
}

static int check_memory(const struct sonde__consumer_opts *o, uint32_t ncpu,
			char *why, size_t n)
{
	uint64_t data, total;
	struct mem_limit l;
	char sub[32], d[32], ctl[32], lim[32];
	int r;

	if (!geometry_valid(o->subbuf_size, o->nsub)) {
		snprintf(why, n,
			 "bad buffer geometry: sub-buffers a power of two from 4k to 1G, 2 to 65536 of them");
		return -EINVAL;
	}
	r = memory_limit(&l, why, n);
	if (r)
		return r;
	data = (uint64_t)ncpu * o->subbuf_size * o->nsub;
	total = channel_size(ncpu, o->subbuf_size, o->nsub);
	if (total <= l.bytes)
		return 0;
	human_size(o->subbuf_size, sub, sizeof(sub));
	human_size(data, d, sizeof(d));
	human_size(total - data, ctl, sizeof(ctl));
	human_size(l.bytes, lim, sizeof(lim));
	snprintf(why, n,
		 "buffers of %u CPU%s x %s x %u = %s, plus %s of control data, exceed the limit of %s (%s); use smaller --subbuf-size/--num-subbuf%s%s",
		 ncpu, ncpu == 1 ? "" : "s", sub, o->nsub, d, ctl, lim, l.what,
		 l.raisable ? " or " : "",
		 !l.raisable	 ? ""
		 : o->limit_hint ? o->limit_hint
				 : SONDE_MAX_BUFFER_MEMORY_ENV "=SIZE");
	return -E2BIG;
}

int sonde__consumer_check_memory(const struct sonde__consumer_opts *o,
				 char *why, size_t n)
{
	return check_memory(o, cpu_count(), why, n);
}

/*
 * The buffers: a memfd, with no name anywhere (only the processes it is
 * passed to can map it; it goes with the last of them), every page
 * reserved now (memory that is not there fails here, not with SIGBUS in a
 * traced process later), then sealed so that no process of the session
 * can shrink it under the others.  The fd, or -errno.
 */
static int shm_create(size_t size)
{
	int fd = memfd_create("sonde-session", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int r = EINTR;

	if (fd < 0)
		return -errno;
	/* A signal interrupts a long reservation: a few more tries. */
	for (int i = 0; i < 8 && r == EINTR; i++)
		r = fallocate(fd, 0, 0, (off_t)size) ? errno : 0;
	if (!r && fcntl(fd, F_ADD_SEALS, SONDE__SHM_SEALS))
		r = errno;
	if (r) {
		close(fd);
		return -r;
	}
	return fd;
}

/* Where @cpu's control block and data lie, from the private geometry. */
static struct sonde_rb_cpu *rb_of(const struct sonde__consumer *c,
				  uint32_t cpu)
{
	return (struct sonde_rb_cpu *)((char *)c->h + c->g.rb_off +
				       (uint64_t)cpu * c->g.rb_stride);
}

static uint8_t *data_of(const struct sonde__consumer *c, uint32_t cpu)
{
	return (uint8_t *)c->h + c->g.data_off + (uint64_t)cpu * c->g.buf;
}

/* The sub-buffer holding free-running position @pos of @cpu's buffer. */
static uint8_t *subbuf(const struct sonde__consumer *c, uint32_t cpu,
		       uint64_t pos)
{
	return data_of(c, cpu) + (pos & (c->g.buf - 1));
}

/*
 * Set the private geometry, then the header and the buffers from it.  The
 * header's fixed part is kept to be compared later (check_header()).
 */
static void init_layout(struct sonde__consumer *c,
			const struct sonde__consumer_opts *o, uint32_t ncpu)
{
	struct sonde__shm_hdr *h = c->h;
	struct geom *g = &c->g;
	pthread_mutexattr_t ma;

	g->ncpu = ncpu;
	g->subbuf_size = o->subbuf_size;
	g->nsub = o->nsub;
	g->overwrite = !!o->overwrite;
	g->buf = (uint64_t)o->subbuf_size * o->nsub;
	g->rb_off = (sizeof(*h) + 63) & ~63ull;
	g->rb_stride = (sizeof(struct sonde_rb_cpu) +
			o->nsub * sizeof(struct sonde_rb_sub) + 63) &
		       ~63ull;
	g->reg_off = g->rb_off + ncpu * g->rb_stride;
	g->reg_size = REG_SIZE;
	g->data_off = (g->reg_off + g->reg_size + 4095) & ~4095ull;
	memcpy(g->uuid, sonde__trace_uuid(c->trace), sizeof(g->uuid));
	h->magic = SONDE__SHM_MAGIC;
	h->abi_version = SONDE__ABI_VERSION;
	h->hdr_size = sizeof(*h);
	h->ncpu = g->ncpu;
	h->subbuf_size = g->subbuf_size;
	h->nsub = g->nsub;
	h->overwrite = g->overwrite;
	h->clock = c->clock->kind;
	h->total_size = c->size;
	h->rb_off = g->rb_off;
	h->rb_stride = g->rb_stride;
	h->reg_off = g->reg_off;
	h->reg_size = g->reg_size;
	h->data_off = g->data_off;
	memcpy(h->uuid, g->uuid, sizeof(h->uuid));
	memcpy(c->hdr_fixed, h, HDR_FIXED);
	sonde__events_init(&c->events, (const char *)h + g->reg_off,
			   (uint32_t)g->reg_size);
	/* --context ip: the sites write their address (context.c). */
	c->events.ip_ctx = sonde__ctx_has_ip(&c->ctx);
	h->flags = c->events.ip_ctx ? SONDE__SHM_F_IP : 0;
	snprintf(h->patterns, sizeof(h->patterns), "%s", o->patterns);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&h->reg_lock, &ma);
	pthread_mutexattr_destroy(&ma);
	h->nr_events = SONDE__THREAD_EVENT_ID + 1;
	for (uint32_t cpu = 0; cpu < ncpu; cpu++) {
		struct sonde_rb_cpu *rb = rb_of(c, cpu);
		uint8_t *data = data_of(c, cpu);

		for (uint32_t i = 0; i < o->nsub; i++) {
			struct sonde__pkt_hdr *p = (struct sonde__pkt_hdr *)
				(data + (size_t)i * o->subbuf_size);

			p->magic = SONDE__CTF_MAGIC;
			memcpy(p->uuid, g->uuid, 16);
			p->stream_id = c->class_id;
			p->stream_instance_id = cpu;
			p->cpu_id = cpu;
		}
		((struct sonde__pkt_hdr *)data)->timestamp_begin =
			sonde__clock_read(c->clock);
		rb->offset = SONDE__PKT_HDR_SIZE;
		rb->last_tid = UINT64_MAX;
	}
}

/* The event classes of our stream class, for the trace's metadata. */
static int class_events(void *src, struct sonde__event_class *const **ev,
			uint32_t *nr)
{
	struct sonde__consumer *c = src;
	int r = sonde__events_refresh(&c->events, c->h);

	if (r)
		sonde__logf(SONDE_LOG_WARN, "Event registry damaged. err=%d", r);
	*ev = c->events.ev;
	*nr = c->events.nr;
	return 0;
}

static const struct sonde__stream_class_ops channel_class = {
	.name = "channel0",
	.events = class_events,
};

/*
 * One stream per CPU in the trace (the output refuses a name already
 * taken: -EEXIST, nothing followed, truncated or removed).
 */
static int open_streams(struct sonde__consumer *c, struct sonde__trace *t,
			uint32_t id, struct cpu_out *out, uint32_t ncpu)
{
	for (uint32_t i = 0; i < ncpu; i++) {
		int r = sonde__trace_open_stream(t, id, i, &out[i].s);

		if (r)
			return r;
	}
	(void)c;
	return 0;
}

int sonde__consumer_create(const struct sonde__consumer_opts *o,
			   struct sonde__consumer **out)
{
	struct sonde__consumer *c;
	uint32_t ncpu = cpu_count();
	int fd, r;

	if (!o || !out || (!o->dir && !o->trace) || !o->patterns ||
	    !geometry_valid(o->subbuf_size, o->nsub) ||
	    strlen(o->patterns) >= SONDE__PATTERNS_MAX ||
	    (o->dir && strlen(o->dir) >= PATH_MAX - 64))
		return -EINVAL;
	/* Before anything is allocated. */
	r = check_memory(o, ncpu, o->why, o->why ? o->why_size : 0);
	if (r)
		return r;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->memfd = -1;
	if (o->trace) {
		c->trace = o->trace;
	} else {
		struct sonde__output *dir;

		r = sonde__output_dir_create(o->dir, &dir);
		if (r)
			goto fail;
		r = sonde__trace_create(dir, NULL, NULL, &c->trace);
		if (r) {
			sonde__output_destroy(dir);
			goto fail;
		}
		c->own_trace = 1;
	}
	c->clock = sonde__trace_clock(c->trace);
	c->ops = channel_class;
	if (o->context && o->context[0]) {
		char why[160];

		r = sonde__ctx_parse(o->context, &c->ctx, why, sizeof(why));
		if (r) {
			if (o->why)
				snprintf(o->why, o->why_size, "%s", why);
			goto fail;
		}
		c->ops.nr_ev_ctx = sonde__ctx_fields(&c->ctx, c->ctx_f);
		c->ops.ev_ctx = c->ctx_f;
	}
	r = sonde__trace_add_class(c->trace, &c->ops, c, &c->class_id);
	if (r)
		goto fail;
	c->size = (size_t)channel_size(ncpu, o->subbuf_size, o->nsub);
	c->tmp = malloc(o->subbuf_size);
	if (!c->tmp) {
		r = -ENOMEM;
		goto fail;
	}
	fd = shm_create(c->size);
	if (fd < 0) {
		r = fd;
		if (o->why)
			snprintf(o->why, o->why_size,
				 "cannot reserve %zu bytes of shared memory: %s",
				 c->size, strerror(-r));
		goto fail;
	}
	c->memfd = fd;
	c->h = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c->h == MAP_FAILED) {
		r = -errno;
		c->h = NULL;
		goto fail;
	}
	init_layout(c, o, ncpu);
	c->out = calloc(ncpu, sizeof(*c->out));
	if (!c->out) {
		r = -ENOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < ncpu; i++)
		c->out[i].stuck_pos = UINT64_MAX;
	if (sonde__trace_holds(c->trace) && !o->overwrite)
		c->hold_max = o->nsub / 4 < HOLD_MAX ? o->nsub / 4 : HOLD_MAX;
	r = open_streams(c, c->trace, c->class_id, c->out, ncpu);
	if (r)
		goto fail;
	*out = c;
	return 0;
fail:
	sonde__consumer_discard_output(c);
	sonde__consumer_destroy(c);
	return r;
}

int sonde__consumer_shm_fd(struct sonde__consumer *c)
{
	return c->memfd;
}

struct sonde__trace *sonde__consumer_trace(struct sonde__consumer *c)
{
	return c->trace;
}

struct sonde__shm_hdr *sonde__consumer_shm(struct sonde__consumer *c)
{
	return c->h;
}

/* Where packets go: the trace's stream files, or a snapshot's. */
struct sink {
	struct cpu_out *out; /* one per CPU */
	struct sonde__consumer_stats *st;
};

static uint64_t lost_counters(struct sonde_rb_cpu *rb)
{
	return __atomic_load_n(&rb->lost_full, __ATOMIC_RELAXED) +
	       __atomic_load_n(&rb->lost_big, __ATOMIC_RELAXED) +
	       __atomic_load_n(&rb->lost_busy, __ATOMIC_RELAXED);
}

/*
 * @cpu's buffer holds what no writer following the protocol can leave
 * (@what, value @v): a faulty or hostile process wrote there.  Counted
 * and logged once per CPU.  @stop: its positions are nonsense, so it
 * cannot be read any more: it is poisoned, left alone (its loss counters
 * frozen) until sonde__consumer_seal() starts it afresh.
 */
static void corrupt(struct sonde__consumer *c, uint32_t cpu, int stop,
		    const char *what, uint64_t v)
{
	struct cpu_out *o = &c->out[cpu];

	if (!o->corrupt) {
		o->corrupt = 1;
		c->corrupt_cpus++;
		sonde__logf(SONDE_LOG_WARN,
			    "CPU buffer written with nonsense by a traced process%s. cpu=%u field=%s value=%llu",
			    stop ? "; no longer read" : "", cpu, what,
			    (unsigned long long)v);
	}
	if (stop && !o->poisoned) {
		o->poisoned = 1;
		o->lost_frozen = lost_counters(rb_of(c, cpu));
	}
}

/*
 * Whether @off, a reserve position read from a CPU buffer whose read
 * position is @o->pos, is one writers can have left: at least a packet
 * header past the start of the sub-buffer at the read position, and in
 * discard mode at most a buffer ahead of it (writers never overtake the
 * reader).  In overwrite mode they may be any number of laps ahead, but
 * not behind.
 */
static int offset_ok(const struct sonde__consumer *c,
		     const struct cpu_out *o, uint64_t off)
{
	uint64_t d = off - o->pos;

	return d >= SONDE__PKT_HDR_SIZE &&
	       d <= (c->g.overwrite ? UINT64_MAX / 2 : c->g.buf);
}

/*
 * The header's geometry and uuid never change once created.  A process
 * that overwrote them is reported (once) and the values are restored for
 * the processes that attach later; the consumer itself never reads them.
 */
static void check_header(struct sonde__consumer *c)
{
	if (!memcmp(c->h, c->hdr_fixed, HDR_FIXED))
		return;
	if (!c->hdr_overwritten)
		sonde__logf(SONDE_LOG_WARN,
			    "Header of the buffers overwritten by a traced process; restored.");
	c->hdr_overwritten = 1;
	memcpy(c->h, c->hdr_fixed, HDR_FIXED);
}

/*
 * One step of the record walker with the event table as read.  A thread
 * record whose tid or pid is not in (0, PID_MAX_LIMIT] was never written
 * by a writer: it is, say, the zeroed bytes of a reservation that never
 * got its salvage marker (hole_len()), and is no record.
 */
static int rec_at(const struct sonde__consumer *c, const uint8_t *pkt,
		  uint32_t end, uint32_t off, uint64_t ts, struct sonde__rec *r)
{
	int k = sonde__events_step(&c->events, pkt, end, off, ts, r);
	int32_t ids[2];

	if (k != SONDE__REC_EVENT || r->id != SONDE__THREAD_EVENT_ID)
		return k;
	if (r->len < r->hdr_len + sizeof(ids))
		return SONDE__REC_PAST;
	memcpy(ids, pkt + off + r->hdr_len, sizeof(ids));
	return ids[0] > 0 && ids[1] > 0 && ids[0] <= (1 << 22) &&
			       ids[1] <= (1 << 22)
		       ? k
		       : SONDE__REC_PAST;
}

/* One step of the record walker at @off of the packet at @pkt, @end
 * bytes, after @ts (an enum sonde__rec_kind; a salvage marker's length is
 * bounded there); an unknown class may have been registered since the
 * table was read: read it again once. */
static int walk_record(struct sonde__consumer *c, const uint8_t *pkt,
		       uint32_t end, uint32_t off, uint64_t ts,
		       struct sonde__rec *r)
{
	int k = rec_at(c, pkt, end, off, ts, r);

	if (k != SONDE__REC_UNKNOWN ||
	    sonde__events_refresh(&c->events, c->h))
		return k;
	return rec_at(c, pkt, end, off, ts, r);
}

/*
 * Walk the records of the packet at @pkt from @off up to @end bytes or
 * the padding byte, torn records skipped, with the event table as read
 * (the caller's walk refreshed it already).  Returns where the walk
 * stopped; *@whole: 1 if at the end or the padding, 0 if at a zero word
 * (where another hole may begin), -1 at garbage.
 */
static uint32_t chain_end(struct sonde__consumer *c, const uint8_t *pkt,
			  uint32_t end, uint32_t off, uint64_t ts, int *whole)
{
	struct sonde__rec r;
	int k;

	/* The table is read again at an unknown class: a hole first in the
	 * buffer comes before any record that made the walk read it, and
	 * the records after it would be taken for garbage (test-hole start:
	 * 500 events lost, 1 counted, when the process registered and died
	 * before the consumer read its registry). */
	while ((k = walk_record(c, pkt, end, off, ts, &r)) == SONDE__REC_EVENT ||
	       k == SONDE__REC_TORN) {
		if (k == SONDE__REC_EVENT)
			ts = r.ts;
		off += r.len;
	}
	if (k == SONDE__REC_END || k == SONDE__REC_PAD)
		*whole = 1;
	else
		*whole = end - off >= 4 && !memcmp(pkt + off, "\0\0\0", 4) ? 0
									: -1;
	return off;
}

/*
 * Length of the "hole" at @off of the packet at @pkt (@end bytes; @ts,
 * the previous record's timestamp), or 0 if there is none.  Without rseq
 * (the generic build) a writer reserves by compare-and-swap of the offset
 * and stores its owner's pid, then its salvage marker, only after it
 * (src/buffers/ring.c, cs_reserve()): one killed in between leaves a
 * reservation with no marker and no length, holding what the sub-buffer
 * held: zeros (the buffers start zeroed and the consumer zeroes each
 * sub-buffer it releases), but for the pid in bytes 4..8.  The record
 * after it was written by another thread (its own is dead), so it is a
 * thread record (last_tid names the dead one), a torn record or the
 * padding; a compact thread record starts with at most 7 zero bytes (its
 * tid is not 0).  The hole ends at the one such record, among the 8
 * places up to the first byte past the pid that is not zero, from which
 * the records parse up to the end, or failing that furthest up to a zero
 * word (another hole).  A hole that runs to the end ends there.
 */
static uint32_t hole_len(struct sonde__consumer *c, const uint8_t *pkt,
			 uint32_t end, uint32_t off, uint64_t ts)
{
	const uint8_t *p = pkt + off;
	uint32_t avail = end - off, z, q, best = 0, reach = 0, stop;
	struct sonde__rec r;
	int k, whole;

	if (off >= end || avail < SONDE__COMPACT_HDR ||
	    memcmp(p, "\0\0\0", 4))
		return 0;
	for (z = 8; z < avail && !p[z]; z++)
		;
	for (q = 4; q < avail && q <= z; q++) {
		/* Under 8 bytes a record has no pid: zeros up to its end. */
		if (q > 4 && q < 8 && p[q - 1])
			q = 8;
		if (q >= 8 && q + 7 < z)
			q = z - 7;
		if (q >= avail || q > z)
			break;
		k = walk_record(c, pkt, end, off + q, ts, &r);
		if (k == SONDE__REC_PAD) {
			/* Bytes 4..8 may be the pid, not a padding byte. */
			if (q >= 8)
				return q;
			continue;
		}
		if (k != SONDE__REC_TORN &&
		    (k != SONDE__REC_EVENT || r.id != SONDE__THREAD_EVENT_ID))
			continue;
		stop = chain_end(c, pkt, end, off + q, ts, &whole);
		if (whole > 0)
			return q;
		if (!whole && stop > reach) {
			best = q;
			reach = stop;
		}
	}
	return z >= avail ? avail : best;
}

/*
 * Walk the records of the packet at @pkt, @end bytes: returns the number
 * of records (thread records excluded) if every one is committed and
 * parses up to @end or the padding byte, -1 otherwise (a torn record, or
 * garbage a hostile or dying writer left).
 */
static int64_t walk_packet(struct sonde__consumer *c, const uint8_t *pkt,
			   uint32_t end)
{
	const struct sonde__pkt_hdr *ph = (const struct sonde__pkt_hdr *)pkt;
	uint64_t ts = ph->timestamp_begin;
	uint32_t off = SONDE__PKT_HDR_SIZE;
	struct sonde__rec r;
	int64_t n = 0;
	int k;

	if (end > c->g.subbuf_size)
		end = c->g.subbuf_size;
	while ((k = walk_record(c, pkt, end, off, ts, &r)) == SONDE__REC_EVENT) {
		if (r.id != SONDE__THREAD_EVENT_ID)
			n++;
		ts = r.ts;
		off += r.len;
	}
	return k == SONDE__REC_END || k == SONDE__REC_PAD ? n : -1;
}

/*
 * Rebuild the packet at @pkt, whose records end at most at @end bytes,
 * into c->tmp (@pkt may be c->tmp: records only move down): keep
 * committed records, drop torn ones (counted in @o), stop at padding or
 * garbage.  @open: the packet was never closed by a switch (its end
 * fields are set here; a closed packet keeps the switch's).  Returns the
 * packet's size.
 */
static uint32_t rebuild(struct sonde__consumer *c, struct cpu_out *o,
			struct sonde_rb_cpu *rb, const uint8_t *pkt,
			uint32_t end, uint64_t seq, int open, int64_t *nev)
{
	int64_t n = 0;
	struct sonde__pkt_hdr *ph = (struct sonde__pkt_hdr *)c->tmp;
	uint32_t in = SONDE__PKT_HDR_SIZE, out = SONDE__PKT_HDR_SIZE;
	uint64_t ts, last;
	struct sonde__rec r;

	/* c->tmp holds one sub-buffer: never more than that is copied. */
	if (end > c->g.subbuf_size)
		end = c->g.subbuf_size;
	memmove(c->tmp, pkt, SONDE__PKT_HDR_SIZE);
	/* A switch cut short (generic CAS path) may have left a stale
	 * timestamp_begin: packets must not go back in time.  The first record
	 * of a packet has a full timestamp, so records do not depend on it. */
	if (ph->timestamp_begin < o->last_end)
		ph->timestamp_begin = o->last_end;
	ts = last = ph->timestamp_begin;
	for (;;) {
		int k = walk_record(c, pkt, end, in, ts, &r);
		uint32_t w;

		if (k == SONDE__REC_TORN) {
			o->salvaged_lost++;
			in += r.len;
			continue;
		}
		if (k < 0) {
			/* A reservation without its marker (hole_len()) is
			 * one record lost; garbage, one at the least: never
			 * a silent loss. */
			o->salvaged_lost++;
			w = hole_len(c, pkt, end, in, ts);
			if (w) {
				in += w;
				continue;
			}
			sonde__logf(SONDE_LOG_WARN,
				    "Records past an unreadable one dropped. seq=%llu offset=%u bytes=%u",
				    (unsigned long long)seq, in, end - in);
		}
		if (k != SONDE__REC_EVENT)
			break; /* the end, padding, or garbage */
		if (r.id != SONDE__THREAD_EVENT_ID)
			n++;
		memmove(c->tmp + out, pkt + in, r.len);
		out += r.len;
		in += r.len;
		ts = r.ts;
		last = r.ts > last ? r.ts : last;
	}
	if (open || ph->timestamp_end < last)
		ph->timestamp_end = last;
	ph->content_size = (uint64_t)out * 8;
	ph->packet_size = (uint64_t)out * 8;
	ph->packet_seq_num = seq;
	/* What the writers counted as lost by now; emit() adds the torn. */
	if (open)
		ph->events_discarded = lost_counters(rb);
	if (nev)
		*nev = n;
	return out;
}

/*
 * The packet at @pkt, @content bytes whose records all parse, written
 * into c->cbuf with each record's context between its header and its
 * payload (padding dropped).  The context is that of the thread record
 * in force (each packet starts with one; @o carries it from the last
 * packet) and the name its pid had at the record's time.  Returns the
 * new packet's size, 0 when out of memory.
 */
static uint32_t with_context(struct sonde__consumer *c, struct cpu_out *o,
			     const uint8_t *pkt, uint32_t content)
{
	const struct sonde__pkt_hdr *ph = (const struct sonde__pkt_hdr *)pkt;
	/* Records are 4 bytes at least: that many of them, each grown. */
	size_t need = content + (size_t)(content / SONDE__COMPACT_HDR) *
					SONDE__CTX_BYTES_MAX;
	uint32_t off = SONDE__PKT_HDR_SIZE, out = SONDE__PKT_HDR_SIZE;
	uint64_t ts = ph->timestamp_begin;
	struct sonde__rec r;

	if (need > UINT32_MAX)
		return 0;
	if (need > c->cbuf_size) {
		uint8_t *b = realloc(c->cbuf, need);

		if (!b)
			return 0;
		c->cbuf = b;
		c->cbuf_size = need;
	}
	memcpy(c->cbuf, pkt, SONDE__PKT_HDR_SIZE);
	while (walk_record(c, pkt, content, off, ts, &r) == SONDE__REC_EVENT) {
		const char *comm = NULL;
		uint32_t skip = 0;
		uint64_t ip = 0;
		int32_t ids[2];

		if (r.id == SONDE__THREAD_EVENT_ID) {
			/* Sized by the walker, bounded by rec_at(). */
			memcpy(ids, pkt + off + r.hdr_len, sizeof(ids));
			o->tid = ids[0];
			o->pid = ids[1];
		}
		if (o->pid > 0) {
			comm = sonde__procs_name(&c->procs, o->pid, r.ts);
			if (!comm)
				comm = sonde__procs_learn(&c->procs, o->pid);
		}
		/* The walker sized it with its class: an ip variant's
		 * payload holds the address first. */
		if (r.id < c->events.nr && c->events.ev[r.id] &&
		    c->events.ev[r.id]->ip) {
			memcpy(&ip, pkt + off + r.hdr_len, sizeof(ip));
			skip = sizeof(ip);
		}
		memcpy(c->cbuf + out, pkt + off, r.hdr_len);
		out += r.hdr_len;
		out += sonde__ctx_put(&c->ctx, c->cbuf + out, o->pid, o->tid,
				      comm, ip);
		memcpy(c->cbuf + out, pkt + off + r.hdr_len + skip,
		       r.len - r.hdr_len - skip);
		out += r.len - r.hdr_len - skip;
		off += r.len;
		ts = r.ts;
	}
	return out;
}

/*
 * Write one packet of @cpu's stream, sub-buffer number @seq.  @content:
 * its size, 0 when the size in its header is nonsense (no writer sets
 * it so).  A packet that holds a torn record (its writer died, and the
 * consumer reclaimed the sub-buffer), garbage, or a nonsense size is
 * rebuilt first, up to the padding.  The header read from shared memory
 * goes out with what the consumer knows in place of what it says (magic,
 * uuid, stream, CPU, sequence number, sizes) and its timestamps in order.
 * events_discarded is rewritten: the writers' count plus the torn records
 * this stream dropped, and never less than the previous packet's,
 * whatever a salvage or a hostile writer did, since readers take the
 * difference between packets as the events lost there.  The trace
 * stamps what names the trace and stream; a packet is wholly in its
 * stream or absent (output.h), so the stream stays readable after a
 * failed write (ENOSPC).
 */
static int emit(struct sonde__consumer *c, const struct sink *k, uint32_t cpu,
		const uint8_t *pkt, uint32_t content, uint64_t seq, int *held)
{
	const uint8_t *shm = pkt;
	struct cpu_out *o = &k->out[cpu];
	struct sonde__pkt_hdr hdr;
	int64_t n = content ? walk_packet(c, pkt, content) : -1;
	uint64_t d;
	int r;

	if (n < 0) {
		memcpy(&d, pkt + offsetof(struct sonde__pkt_hdr, content_size),
		       sizeof(d));
		/* 0 is what a late opener leaves (content_of()), no
		 * corruption. */
		if (!content && d && k->out == c->out)
			corrupt(c, cpu, 0, "content_size", d);
		sonde__logf(SONDE_LOG_INFO,
			    "Packet with a torn or malformed record rebuilt. cpu=%u seq=%llu",
			    cpu, (unsigned long long)seq);
		/* The rebuilt packet holds only records that parsed: counted
		 * on the way, not walked again. */
		content = rebuild(c, o, rb_of(c, cpu), pkt,
				  content ? content : c->g.subbuf_size, seq, 0,
				  &n);
		pkt = c->tmp;
	}
	if (c->ctx.nr) {
		/* Every process of these records announced itself before
		 * committing them: read the log now. */
		r = sonde__procs_refresh(&c->procs, c->h, c->procs_final);
		content = r ? 0 : with_context(c, o, pkt, content);
		if (!content)
			return -ENOMEM;
		pkt = c->cbuf;
	}
	memcpy(&hdr, pkt, sizeof(hdr));
	hdr.cpu_id = cpu;
	hdr.content_size = (uint64_t)content * 8;
	hdr.packet_size = (uint64_t)content * 8;
	hdr.packet_seq_num = seq;
	if (hdr.timestamp_begin < o->last_end)
		hdr.timestamp_begin = o->last_end;
	if (hdr.timestamp_end < hdr.timestamp_begin)
		hdr.timestamp_end = hdr.timestamp_begin;
	d = hdr.events_discarded + o->salvaged_lost;
	if (d < o->discarded)
		d = o->discarded;
	hdr.events_discarded = d;
	/* Only a packet sent from its sub-buffer may be held (@held): a
	 * rebuilt one or one with context is in memory reused at once. */
	if (held)
		*held = pkt == shm;
	r = sonde__stream_write_packet_flags(o->s, &hdr, NULL, pkt + sizeof(hdr),
					     content - sizeof(hdr),
					     held && *held ? SONDE__WRITE_MAY_HOLD
							   : 0);
	if (r)
		return r;
	o->discarded = d;
	k->st->events += (uint64_t)n;
	k->st->bytes += content;
	k->st->packets++;
	o->last_end = hdr.timestamp_end;
	return 0;
}

/* The trace's own sink; a write error stops all further output. */
static int emit_main(struct sonde__consumer *c, uint32_t cpu,
		     const uint8_t *pkt, uint32_t content, uint64_t seq,
		     int *held)
{
	struct sink k = { c->out, &c->st };
	int r;

	if (c->failed)
		return c->failed;
	r = emit(c, &k, cpu, pkt, content, seq, held);
	if (r)
		c->failed = r;
	return r;
}

/*
 * The sub-buffer at @pos of @cpu is complete when the writers have moved
 * past it (its packet fields were written by the switch that did so) and
 * no two-step record is still in flight in it.  A reserve position no
 * writer can have left poisons the buffer (corrupt()).
 */
static int complete(struct sonde__consumer *c, uint32_t cpu, uint64_t pos)
{
	struct sonde_rb_cpu *rb = rb_of(c, cpu);
	uint32_t idx = (uint32_t)(pos / c->g.subbuf_size) & (c->g.nsub - 1);
	uint64_t off;

	if (c->out[cpu].poisoned)
		return 0;
	off = __atomic_load_n(&rb->offset, __ATOMIC_ACQUIRE);
	if (!offset_ok(c, &c->out[cpu], off)) {
		corrupt(c, cpu, 1, "offset", off);
		return 0;
	}
	if (off - pos <= c->g.subbuf_size)
		return 0;
	/* Pairs with the producers' release decrement after a commit. */
	return !__atomic_load_n(&sonde__rb_subs(rb)[idx].pending,
				__ATOMIC_ACQUIRE);
}

/*
 * Bytes of the closed packet at @pkt, from its content_size; 0 if the
 * size is one no closing switch sets: the packet is then rebuilt, its
 * records walked up to the padding byte (emit()).  That includes 0: in
 * the generic build the opener of a packet stores its fields (content
 * and packet size 0 among them) after its compare-and-swap, so an opener
 * preempted there can store them after the next switch closed the
 * packet, over the closer's sizes; a switch cut short by the death of its
 * writer leaves 0 too.  Taken for an empty packet, such a packet's
 * records were lost uncounted (stress-disc, generic build: about 530
 * records, one packet, once in 15 runs; test-hole "reopened").
 */
static uint32_t content_of(const struct sonde__consumer *c, const uint8_t *pkt)
{
	uint64_t bits;

	memcpy(&bits, pkt + offsetof(struct sonde__pkt_hdr, content_size),
	       sizeof(bits));
	if (bits % 8 || bits / 8 < SONDE__PKT_HDR_SIZE ||
	    bits / 8 > c->g.subbuf_size)
		return 0;
	return (uint32_t)(bits / 8);
}

/* Whether process @pid is gone: 1 gone (or a zombie), 0 alive, -1 unknown. */
static int pid_gone(uint32_t pid)
{
	char path[32], buf[512], *p;
	ssize_t n;
	int fd;

	if (!pid || pid > (1u << 22)) /* PID_MAX_LIMIT */
		return -1;
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		/* No /proc: a zombie then looks alive. */
		return kill((pid_t)pid, 0) && errno == ESRCH;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1; /* gone between open and read */
	buf[n] = 0;
	/* "pid (comm) S ...": the state follows the last ')'. */
	p = strrchr(buf, ')');
	if (!p || !p[1] || !p[2])
		return 0;
	return p[2] == 'Z' || p[2] == 'X' || p[2] == 'x';
}

/*
 * Walk the closed sub-buffer at @pkt, @end bytes, for its reservations
 * still in flight (salvage markers): returns 1 if every one was made by a
 * process that is gone, 0 if one was not (or its maker is unknown), -1 if
 * the sub-buffer cannot be walked; *@nr is their number.
 */
static int reservations_dead(struct sonde__consumer *c, const uint8_t *pkt,
			     uint32_t end, uint64_t *nr)
{
	const struct sonde__pkt_hdr *ph = (const struct sonde__pkt_hdr *)pkt;
	uint64_t ts = ph->timestamp_begin;
	uint32_t off = SONDE__PKT_HDR_SIZE;
	struct sonde__rec r;

	*nr = 0;
	for (;;) {
		int k = walk_record(c, pkt, end, off, ts, &r);
		uint32_t pid;

		if (k == SONDE__REC_END || k == SONDE__REC_PAD)
			return 1;
		if (k < 0) {
			/* A reservation without its marker: its maker is
			 * unknown, as with a count raised with no
			 * reservation; not counted in *@nr (ORPHAN_NS). */
			uint32_t w = hole_len(c, pkt, end, off, ts);

			if (!w)
				return -1;
			off += w;
			continue;
		}
		if (k == SONDE__REC_EVENT) {
			ts = r.ts;
			off += r.len;
			continue;
		}
		/* The owner's pid follows the marker in a record of 8 bytes
		 * or more; a shorter one does not say. */
		if (r.len < SONDE__TORN_PID_OFF + sizeof(pid))
			return 0;
		memcpy(&pid, pkt + off + SONDE__TORN_PID_OFF, sizeof(pid));
		if (pid_gone(pid) != 1)
			return 0;
		++*nr;
		off += r.len;
	}
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * Writers of @cpu's buffer wait for one sub-buffer: in discard mode the
 * one at the read position, once they have moved past it, to be consumed;
 * in overwrite mode the one after the current, to lap into it.  Each waits
 * for its pending count to drop to zero.  A process that died between
 * reserve and commit never lowers it, which would stall that CPU's buffer
 * for the rest of the session.  When the count has stayed up for
 * RECLAIM_AGE_NS, walk the sub-buffer: if every reservation in flight
 * names a process that is gone (its pid is stored with its salvage marker,
 * atomically with the reservation), set the count to zero.  The torn
 * records are then dropped and counted when the packet is written
 * (emit()), and the buffer moves on.  A live writer, even one stopped
 * (SIGSTOP, a debugger), is waited for: its late writes would land in
 * memory handed to others.
 */
static void reclaim_stuck(struct sonde__consumer *c, uint32_t cpu,
			  uint64_t *now)
{
	struct sonde_rb_cpu *rb = rb_of(c, cpu);
	struct cpu_out *o = &c->out[cpu];
	uint64_t off = __atomic_load_n(&rb->offset, __ATOMIC_ACQUIRE);
	uint64_t sb = c->g.subbuf_size, pos, pending, nr;
	struct sonde_rb_sub *sub;
	const uint8_t *pkt;
	uint32_t end;
	int r;

	if (o->poisoned)
		return;
	if (!offset_ok(c, o, off)) {
		corrupt(c, cpu, 1, "offset", off);
		return;
	}
	if (c->g.overwrite) {
		pos = ((off - 1) & ~(sb - 1)) + sb;
	} else {
		pos = o->pos;
		if (off - pos <= sb)
			return; /* not closed */
	}
	sub = &sonde__rb_subs(rb)[(pos / sb) & (c->g.nsub - 1)];
	pending = __atomic_load_n(&sub->pending, __ATOMIC_ACQUIRE);
	if (!pending) {
		o->stuck_pos = UINT64_MAX;
		return;
	}
	if (!*now)
		*now = now_ns();
	if (o->stuck_pos != pos) {
		o->stuck_pos = pos;
		o->stuck_since = o->stuck_checked = *now;
		o->stuck_wait = RECLAIM_AGE_NS;
		return;
	}
	/* A walk costs up to a sub-buffer: a writer that stays (stopped,
	 * say) is looked at less and less often. */
	if (*now - o->stuck_checked < o->stuck_wait)
		return;
	o->stuck_checked = *now;
	if (o->stuck_wait < ORPHAN_NS)
		o->stuck_wait *= 2;
	pkt = subbuf(c, cpu, pos);
	end = content_of(c, pkt);
	r = reservations_dead(c, pkt, end ? end : (uint32_t)sb, &nr);
	if (r != 1 || (nr < pending && *now - o->stuck_since < ORPHAN_NS))
		return;
	/* Fails if a writer moved the count since: looked at again later. */
	if (!__atomic_compare_exchange_n(&sub->pending, &pending, 0, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	sonde__logf(SONDE_LOG_INFO,
		    "Sub-buffer reclaimed from a dead writer. cpu=%u seq=%llu torn=%llu pending=%llu",
		    cpu, (unsigned long long)(pos / sb), (unsigned long long)nr,
		    (unsigned long long)pending);
	o->stuck_pos = UINT64_MAX;
}

static uint32_t release_retired(struct sonde__consumer *c, uint32_t cpu);

int sonde__consumer_drain(struct sonde__consumer *c, int *moved)
{
	const struct geom *g = &c->g;
	uint64_t now = 0;
	int r;

	*moved = 0;
	check_header(c);
	for (uint32_t cpu = 0; cpu < g->ncpu; cpu++)
		reclaim_stuck(c, cpu, &now);
	if (g->overwrite)
		return c->failed;
	for (uint32_t cpu = 0; cpu < g->ncpu; cpu++) {
		struct cpu_out *o = &c->out[cpu];

		/* At most a buffer per call: writers that keep moving the
		 * offset (or a process posing as one) cannot hold the
		 * consumer here. */
		if (o->released != o->pos && release_retired(c, cpu))
			*moved = 1;
		for (uint32_t i = 0; i < g->nsub && complete(c, cpu, o->pos);
		     i++) {
			const uint8_t *pkt = subbuf(c, cpu, o->pos);
			int held = 0;

			r = emit_main(c, cpu, pkt, content_of(c, pkt),
				      o->pos / g->subbuf_size,
				      o->nheld < c->hold_max ? &held : NULL);
			if (r)
				return r;
			if (held) {
				uint32_t t = (o->hhead + o->nheld++) % HOLD_MAX;

				o->held[t].pos = o->pos;
				o->held[t].num = sonde__stream_packets(o->s) - 1;
			}
			o->pos += g->subbuf_size;
			release_retired(c, cpu);
			*moved = 1;
		}
	}
	return 0;
}

/*
 * Hand back to @cpu's writers the sub-buffers written and no longer held:
 * from `released` up to the first one whose packet the output still reads
 * (see the top of the file).  Returns how many.
 */
static uint32_t release_retired(struct sonde__consumer *c, uint32_t cpu)
{
	struct sonde_rb_cpu *rb = rb_of(c, cpu);
	struct cpu_out *o = &c->out[cpu];
	uint64_t sb = c->g.subbuf_size, retired = 0;
	int asked = 0;
	uint32_t n = 0;

	while (o->released != o->pos) {
		if (o->nheld && o->held[o->hhead].pos == o->released) {
			if (!asked) {
				retired = sonde__stream_retired(o->s);
				asked = 1;
			}
			if (retired <= o->held[o->hhead].num)
				break;
			o->hhead = (o->hhead + 1) % HOLD_MAX;
			o->nheld--;
		}
		/* Its records zeroed before it is handed back, so that a
		 * reservation that never gets its marker holds zeros
		 * (hole_len()), not older records. */
		memset(subbuf(c, cpu, o->released) + SONDE__PKT_HDR_SIZE, 0,
		       sb - SONDE__PKT_HDR_SIZE);
		o->released += sb;
		/* Hands the sub-buffer back; pairs with the producers'
		 * acquire load in switch_subbuf(). */
		__atomic_store_n(&rb->consumed, o->released, __ATOMIC_RELEASE);
		n++;
	}
	return n;
}

/*
 * Drop every hold of @cpu (the output released them all, or no writer
 * will use the buffer again): what follows, a seal, sets `consumed`
 * itself.
 */
static void forget_held(struct sonde__consumer *c, uint32_t cpu)
{
	struct cpu_out *o = &c->out[cpu];

	if (o->nheld && sonde__stream_retired(o->s) <=
				o->held[(o->hhead + o->nheld - 1) % HOLD_MAX].num)
		sonde__trace_release(c->trace);
	o->nheld = 0;
	o->hhead = 0;
	o->released = o->pos;
}

/*
 * Rebuild in c->tmp the sub-buffer at @pos of @cpu, whose records end at
 * most at @end bytes (see rebuild()); @open: it is the current one, never
 * closed by a switch.
 */
static uint32_t salvage(struct sonde__consumer *c, struct cpu_out *o,
			uint32_t cpu, uint64_t pos, uint32_t end, int open)
{
	return rebuild(c, o, rb_of(c, cpu), subbuf(c, cpu, pos), end,
		       pos / c->g.subbuf_size, open, NULL);
}

static int finish_cpu(struct sonde__consumer *c, uint32_t cpu)
{
	struct sonde_rb_cpu *rb = rb_of(c, cpu);
	struct cpu_out *o = &c->out[cpu];
	uint64_t off = __atomic_load_n(&rb->offset, __ATOMIC_ACQUIRE);
	uint64_t sb = c->g.subbuf_size, pos = o->pos, cur, n;
	int r;

	if (o->poisoned)
		return 0;
	if (!offset_ok(c, o, off)) {
		corrupt(c, cpu, 1, "offset", off);
		return 0;
	}
	/* At most the last nsub sub-buffers hold data: in overwrite mode the
	 * writers lapped the rest.  Counted, not compared: positions near
	 * the top of the range wrap. */
	cur = (off - 1) & ~(sb - 1);
	n = (cur - pos) / sb + 1;
	if (n > c->g.nsub) {
		pos = cur - (uint64_t)(c->g.nsub - 1) * sb;
		n = c->g.nsub;
	}
	for (uint64_t i = 0; i < n; i++, pos += sb) {
		const uint8_t *pkt = subbuf(c, cpu, pos);

		if (pos != cur && complete(c, cpu, pos))
			r = emit_main(c, cpu, pkt, content_of(c, pkt), pos / sb,
				      NULL);
		else
			r = emit_main(c, cpu, c->tmp,
				      salvage(c, o, cpu, pos,
					      pos != cur ? (uint32_t)sb
							 : (uint32_t)(off - pos),
					      pos == cur),
				      pos / sb, NULL);
		if (r)
			return r;
	}
	o->pos = pos;
	return 0;
}

/* Write the trace's metadata, noting the registry size it shows; its
 * procname is what @pid runs now (what the command execs, as a
 * `taskset -c 0 ./app` runs app), failing that @procname. */
static int write_metadata(struct sonde__consumer *c, const char *procname,
			  pid_t pid)
{
	uint32_t used = __atomic_load_n(&c->h->reg_used, __ATOMIC_ACQUIRE);
	const char *now = NULL;
	int r;

	if (pid > 0 && !sonde__procs_refresh(&c->procs, c->h, c->procs_final))
		now = sonde__procs_name(&c->procs, pid, UINT64_MAX);
	r = sonde__trace_write_metadata(c->trace,
					now && now[0] ? now : procname, pid);

	if (!r) {
		c->meta_written = 1;
		c->meta_reg_used = used;
	}
	return r;
}

int sonde__consumer_finish(struct sonde__consumer *c, const char *procname,
			   pid_t pid)
{
	int moved, r;

	r = sonde__consumer_drain(c, &moved);
	if (r)
		return r;
	c->procs_final = 1;
	for (uint32_t cpu = 0; cpu < c->g.ncpu; cpu++) {
		r = finish_cpu(c, cpu);
		if (r)
			return r;
	}
	r = sonde__trace_sync(c->trace);
	if (r)
		return r;
	return write_metadata(c, procname, pid);
}

int sonde__consumer_write_metadata(struct sonde__consumer *c,
				   const char *procname, pid_t pid)
{
	return write_metadata(c, procname, pid);
}

int sonde__consumer_refresh_metadata(struct sonde__consumer *c,
				     const char *procname, pid_t pid)
{
	if (c->meta_written &&
	    __atomic_load_n(&c->h->reg_used, __ATOMIC_ACQUIRE) ==
		    c->meta_reg_used)
		return 0;
	return sonde__consumer_write_metadata(c, procname, pid);
}

/* Start the buffer of @cpu afresh at sub-buffer boundary @pos. */
static void reset_cpu(struct sonde__consumer *c, uint32_t cpu, uint64_t pos)
{
	struct sonde_rb_cpu *rb = rb_of(c, cpu);
	struct sonde__pkt_hdr *ph = (struct sonde__pkt_hdr *)subbuf(c, cpu, pos);

	for (uint32_t i = 0; i < c->g.nsub; i++)
		sonde__rb_subs(rb)[i].pending = 0;
	ph->timestamp_begin = sonde__clock_read(c->clock);
	ph->timestamp_end = 0;
	ph->content_size = 0;
	ph->packet_size = 0;
	ph->packet_seq_num = pos / c->g.subbuf_size;
	rb->last_tid = UINT64_MAX;
	rb->consumed = pos;
	__atomic_store_n(&rb->offset, pos + SONDE__PKT_HDR_SIZE,
			 __ATOMIC_RELEASE);
}

int sonde__consumer_seal(struct sonde__consumer *c)
{
	int moved, r;

	if (c->g.overwrite)
		return 0;
	r = sonde__consumer_drain(c, &moved);
	if (r)
		return r;
	for (uint32_t cpu = 0; cpu < c->g.ncpu; cpu++) {
		struct sonde_rb_cpu *rb = rb_of(c, cpu);
		struct cpu_out *o = &c->out[cpu];
		uint64_t off = __atomic_load_n(&rb->offset, __ATOMIC_ACQUIRE);

		/* Nothing since the last seal: no empty packet. */
		if (!o->poisoned && off == o->pos + SONDE__PKT_HDR_SIZE)
			continue;
		c->procs_final = 1; /* no process writes now */
		r = finish_cpu(c, cpu);
		c->procs_final = 0;
		if (r)
			return r;
		/* No process writes any more: a poisoned buffer starts
		 * afresh too, and is read again; held sub-buffers are let
		 * go first, since every one is reused. */
		o->poisoned = 0;
		forget_held(c, cpu);
		reset_cpu(c, cpu, o->pos);
	}
	return 0;
}

/*
 * Copy the sub-buffer at @pos of a live overwrite buffer into c->tmp if it
 * is still the one at @pos once copied (writers may lap the reader): its
 * sequence number must not change and the reserve position must stay less
 * than a whole buffer ahead.  Closed sub-buffers are taken whole when
 * nothing is in flight in them; the current one up to @end, through the
 * salvage walk (committed records only).  Returns the packet size, 0 if
 * it could not be taken.
 */
/* packet_seq_num of a packet in shared memory: 8-byte aligned at offset
 * 64 of a sub-buffer, so it can be loaded atomically (the packed struct's
 * member cannot be named for that). */
static uint64_t load_seq(const void *pkt, int order)
{
	const uint64_t *p = (const uint64_t *)(const void *)(
		(const char *)pkt + offsetof(struct sonde__pkt_hdr, packet_seq_num));

	return order == __ATOMIC_ACQUIRE ? __atomic_load_n(p, __ATOMIC_ACQUIRE)
					 : __atomic_load_n(p, __ATOMIC_RELAXED);
}

static uint32_t snapshot_subbuf(struct sonde__consumer *c, struct cpu_out *o,
				uint32_t cpu, uint64_t pos, uint32_t end,
				int current)
{
	const struct geom *g = &c->g;
	struct sonde_rb_cpu *rb = rb_of(c, cpu);
	const struct sonde__pkt_hdr *ph =
		(const struct sonde__pkt_hdr *)subbuf(c, cpu, pos);
	uint64_t seq = pos / g->subbuf_size;
	uint32_t idx = (uint32_t)seq & (g->nsub - 1), n;

	if (load_seq(ph, __ATOMIC_ACQUIRE) != seq)
		return 0;
	if (current) {
		n = salvage(c, o, cpu, pos, end, 1);
	} else {
		if (__atomic_load_n(&sonde__rb_subs(rb)[idx].pending,
				    __ATOMIC_ACQUIRE))
			return 0;
		n = content_of(c, (const uint8_t *)ph);
		if (!n)
			return 0;
		memcpy(c->tmp, ph, n);
	}
	/* Orders the copy before the checks; pairs with the writers' switch
	 * (sequence number and offset are stored after the packet data). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (load_seq(ph, __ATOMIC_RELAXED) != seq ||
	    __atomic_load_n(&rb->offset, __ATOMIC_RELAXED) - pos >=
		    g->buf - g->subbuf_size)
		return 0;
	return n;
}

static int snapshot_cpu(struct sonde__consumer *c, const struct sink *k,
			uint32_t cpu)
{
	const struct geom *g = &c->g;
	uint64_t off = __atomic_load_n(&rb_of(c, cpu)->offset, __ATOMIC_ACQUIRE);
	uint64_t sb = g->subbuf_size, cur, pos, n;
	int r;

	if (c->out[cpu].poisoned)
		return 0;
	if (!offset_ok(c, &c->out[cpu], off)) {
		corrupt(c, cpu, 1, "offset", off);
		return 0;
	}
	/* The oldest sub-buffer may be the next one lapped: skip it. */
	cur = (off - 1) & ~(sb - 1);
	n = (cur - c->out[cpu].pos) / sb + 1;
	if (n > g->nsub - 1)
		n = g->nsub - 1;
	pos = cur - (n - 1) * sb;
	for (uint64_t i = 0; i < n; i++, pos += sb) {
		uint32_t len = snapshot_subbuf(c, &k->out[cpu], cpu, pos,
					       pos != cur ? (uint32_t)sb
							  : (uint32_t)(off - pos),
					       pos == cur);

		if (len > SONDE__PKT_HDR_SIZE) {
			r = emit(c, k, cpu, c->tmp, len, pos / sb, NULL);
			if (r)
				return r;
		}
	}
	return 0;
}

int sonde__consumer_snapshot(struct sonde__consumer *c, const char *dir,
			     const char *procname, pid_t pid,
			     struct sonde__consumer_stats *st)
{
	uint32_t ncpu = c->g.ncpu, id;
	struct cpu_out *out = calloc(ncpu, sizeof(*out));
	struct sink k = { out, st };
	struct sonde__output *o = NULL;
	struct sonde__trace *t = NULL;
	int r;

	if (!out)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	/* A trace of its own, in a directory the caller made (checked like
	 * a trace's), with this trace's uuid and a copy of its clock. */
	r = sonde__output_dir_create(dir, &o);
	if (!r) {
		r = sonde__trace_create(o, c->clock, c->g.uuid, &t);
		if (r)
			sonde__output_destroy(o);
	}
	if (!r)
		r = sonde__trace_add_class(t, &c->ops, c, &id);
	if (!r)
		r = open_streams(c, t, id, out, ncpu);
	for (uint32_t i = 0; i < ncpu && !r; i++)
		r = snapshot_cpu(c, &k, i);
	for (uint32_t i = 0; i < ncpu; i++)
		st->lost += out[i].salvaged_lost;
	if (!r)
		r = sonde__trace_sync(t);
	if (!r)
		r = sonde__trace_write_metadata(t, procname, pid);
	if (r)
		sonde__trace_discard(t);
	sonde__trace_destroy(t);
	free(out);
	return r;
}

void sonde__consumer_stats(struct sonde__consumer *c,
			   struct sonde__consumer_stats *s)
{
	*s = c->st;
	s->lost = 0;
	for (uint32_t cpu = 0; c->h && cpu < c->g.ncpu; cpu++) {
		const struct cpu_out *o = &c->out[cpu];

		s->lost += (o->poisoned ? o->lost_frozen
					: lost_counters(rb_of(c, cpu))) +
			   o->salvaged_lost;
	}
}

void sonde__consumer_damage(struct sonde__consumer *c,
			    struct sonde__consumer_damage *d)
{
	memset(d, 0, sizeof(*d));
	d->cpus = c->corrupt_cpus;
	for (uint32_t cpu = 0; c->out && cpu < c->g.ncpu; cpu++)
		d->poisoned += !!c->out[cpu].poisoned;
	d->header = c->hdr_overwritten;
	d->registry = c->events.broken;
}

void sonde__consumer_geometry(struct sonde__consumer *c, uint32_t *ncpu,
			      uint32_t *subbuf_size, uint32_t *nsub)
{
	*ncpu = c->g.ncpu;
	*subbuf_size = c->g.subbuf_size;
	*nsub = c->g.nsub;
}

void sonde__consumer_discard_output(struct sonde__consumer *c)
{
	/* A trace the caller made is the caller's to discard. */
	if (c && c->own_trace)
		sonde__trace_discard(c->trace);
	if (c)
		c->meta_written = 0;
}

void sonde__consumer_destroy(struct sonde__consumer *c)
{
	if (!c)
		return;
	free(c->out);
	if (c->own_trace)
		sonde__trace_destroy(c->trace);
	sonde__events_free(&c->events);
	if (c->h)
		munmap(c->h, c->size);
	if (c->memfd >= 0)
		close(c->memfd);
	free(c->tmp);
	free(c->cbuf);
	sonde__procs_free(&c->procs);
	free(c);
}
