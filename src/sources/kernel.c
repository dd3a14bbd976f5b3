// SPDX-License-Identifier: MIT
/*
 * The kernel tracepoint source (kernel.h): kernel trace events in the same
 * trace as the application's, on the same clock, with no kernel module
 * (doc/design.md: sources -> trace -> outputs).
 *
 * Events: tracefs names them and gives each its perf id and format
 * (tracefs.c: libtraceevent parses the formats).  Each is opened with
 * perf_event_open(2), type PERF_TYPE_TRACEPOINT, once per CPU: pid = the
 * command, inherit = 1, enable_on_exec = 1 (its threads and children,
 * from its execve()), or pid = -1 system-wide (-a), enabled at once.
 * sample_period 1 (every hit), sample_type IDENTIFIER | TID | TIME | CPU
 * | RAW, on the trace clock's perf clock (perfring.c: CLOCK_MONOTONIC as
 * is, or MONOTONIC_RAW interpolated onto the TSC).  On each CPU the first
 * event owns the ring; the others are redirected into it
 * (PERF_EVENT_IOC_SET_OUTPUT), so that a CPU's events come in one ring,
 * in the kernel's order, told apart by their sample id
 * (PERF_EVENT_IOC_ID).  A filter (the kernel's filter syntax, as
 * `perf record --filter` and trace-cmd take it) is set on every event
 * (PERF_EVENT_IOC_SET_FILTER); inherited events use their parent's.
 *
 * Decoding (kdecode.c): the record's raw data is the tracepoint's entry,
 * laid out as its format says.  Its common_* fields are left out (the
 * thread record carries the tid and pid); every other field becomes a
 * typed CTF field, bounded by the raw data; a record whose fields do not
 * fit it is counted in bad and skipped.
 *
 * User strings: a syscall tracepoint records the address of a path, not
 * the path (syscalls:sys_enter_openat's `const char * filename`).  For the
 * fields that name a path (PATH_FIELDS, `const char *` in the syscalls
 * system) a BPF program attached to the tracepoint copies the string at
 * that address when the event fires (ustr.c) into a BPF-output event of
 * the same CPU, redirected into the same ring: the string's sample comes
 * right before its tracepoint's, with the same tid, and the field is
 * written as that string (CTF string; "" when the page was not mapped
 * yet, or no string came).  The programs run for every task: strings not
 * followed by a sample of ours on their CPU are dropped.  Without BPF
 * (not permitted, or no CONFIG_BPF_EVENTS) such fields stay addresses
 * (hex), and sonde__kernel_ustr_why() says why.  A perf event takes one
 * program, and a program runs for every task while its event is open:
 * each path field's program hangs on a tracepoint event of its own
 * (system-wide, never enabled), apart from the recorded ones, whose
 * inheritance across the command's fork() and execve() it then does not
 * depend on.  At most 16 path fields per event.
 *
 * Stream class "kernel", one stream per CPU ("kernel_<cpu>"): event
 * class 0 is the thread record, then one per kernel event, in the order
 * the patterns matched them.  Each pass over a ring is sorted by time and
 * written by the packet writer (pktw.c), which keeps a stream's time from
 * going back.  Records the kernel lost (PERF_RECORD_LOST: the ring was
 * full) are counted in events_discarded of their CPU's stream.
 *
 * Live (sonde__kernel_live(), a live recording to a relay): each tick
 * drains every ring and closes each CPU's packet, so that a viewer, which
 * merges the streams in time order, is never held up by a kernel stream:
 * one with records gets its packet, an idle one a beacon from the relay
 * (pktw.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include <event-parse.h>
#include <sonde/pmu.h>
#include <sonde/static/format.h>
#include <sonde/tracepoint.h>

#include "../trace/trace.h"
#include "kdecode.h"
#include "kernel.h"
#include "perfring.h"
#include "pktw.h"
#include "tracefs.h"
#include "ustr.h"

#define DEFAULT_PAGES 256u
#define MAX_CPUS 4096u

static const uint64_t SAMPLE_TYPE = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID |
				    PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
				    PERF_SAMPLE_RAW;
/* header, id, pid/tid, time, cpu/res, then u32 raw size and the raw data */
#define RAW_SIZE_AT 40u
#define RAW_AT 44u

/* Fields of syscall tracepoints that hold the address of a path. */
static const char *const PATH_FIELDS[] = {
	"filename", "pathname", "oldname", "newname", "path",
	"oldpath",  "newpath",  "specialfile", "library", NULL,
};
/* Class index of the BPF-output events in the id map. */
#define STR_CLS UINT32_MAX
/* Strings waiting for their tracepoint sample, per CPU. */
#define STR_SLOTS 4u

struct kclass {
	struct sonde__event_class ec;
	struct sonde__kfield *kf; /* ec.nr_fields */
	int tp_id;          /* perf config */
	uint32_t nustr;     /* SONDE__K_USTR fields */
	uint32_t npaths;    /* fields naming a path, strings or not */
	int hook_fd[16];    /* the events its path programs hang on, or -1 */
};

/* A string of a BPF-output sample, waiting for its tracepoint's. */
struct kstr {
	int32_t tid;
	uint32_t tag;
	uint32_t len; /* with its NUL */
	char s[SONDE__USTR_MAX];
};

/* An event of a pass, its payload in the arena. */
struct pending {
	uint64_t ts;
	uint32_t seq;
	uint32_t cls; /* index in k->cls */
	int32_t pid, tid;
	size_t at;
	uint32_t len;
};

struct kcpu {
	int *fd; /* one per class; fd[0] owns the ring */
	int str_fd; /* its BPF-output event, or -1 */
	struct kstr *str; /* STR_SLOTS, or NULL */
	uint32_t nstr;
	int mapped;
	struct sonde__perfring ring;
	struct sonde__pktw w;
};

/* perf sample id -> class */
struct idmap {
	uint64_t id;
	uint32_t cls;
};

struct sonde__kernel {
	struct sonde__trace *trace;
	uint32_t class_id;
	struct sonde__tracefs_set set;
	struct kclass *cls;
	uint32_t ncls;
	struct sonde__event_class **evtab; /* ncls + 1, [0] NULL */
	char *filter;
	uint32_t pages;
	struct sonde__perfclock pc;
	uint32_t ncpu;
	struct kcpu *cpu;
	struct idmap *ids;
	size_t nids;
	struct pending *pend;
	size_t npend, pend_cap;
	uint8_t *arena;
	size_t arena_used, arena_cap;
	struct sonde__kernel_stats st;
	struct sonde__ustr *ustr; /* NULL: no path field, or no BPF */
	char ustr_why[256];       /* why paths are addresses, or "" */
	char *why;
	size_t why_size;
};

static int class_events(void *src, struct sonde__event_class *const **ev,
			uint32_t *nr)
{
	struct sonde__kernel *k = src;

	*ev = k->evtab;
	*nr = k->ncls + 1;
	return 0;
}

static const struct sonde__stream_class_ops kernel_class = {
	.name = "kernel",
	.events = class_events,
};

static int is_path_field(const struct sonde__tracefs_event *e,
			 const struct tep_format_field *f)
{
	if (strcmp(e->system, "syscalls") || f->size != 8 || f->offset < 8 ||
	    f->offset % 8 || !strstr(f->type, "char *"))
		return 0;
	for (size_t i = 0; PATH_FIELDS[i]; i++)
		if (!strcmp(f->name, PATH_FIELDS[i]))
			return 1;
	return 0;
}

static int make_class(struct kclass *c, uint32_t id,
		      const struct sonde__tracefs_event *e, uint32_t max_ustr)
{
	const struct tep_format_field *f;
	uint32_t n = 0, i = 0, fixed = 0;
	size_t len = strlen(e->system) + strlen(e->name) + 2;
	int r;

	c->tp_id = sonde__tracefs_event_id(e);
	c->ec.id = id;
	c->ec.name = malloc(len);
	if (!c->ec.name)
		return -ENOMEM;
	snprintf(c->ec.name, len, "%s:%s", e->system, e->name);
	for (f = e->ev->format.fields; f; f = f->next)
		n++;
	c->ec.fields = calloc(n ? n : 1, sizeof(*c->ec.fields));
	c->kf = calloc(n ? n : 1, sizeof(*c->kf));
	if (!c->ec.fields || !c->kf)
		return -ENOMEM;
	for (f = e->ev->format.fields; f; f = f->next) {
		r = sonde__kdecode_field(f, &c->ec.fields[i], &c->kf[i]);
		c->ec.nr_fields = ++i;
		if (r)
			return r;
		if (is_path_field(e, f))
			c->npaths++;
		if (c->nustr < max_ustr && is_path_field(e, f)) {
			c->kf[i - 1].kind = SONDE__K_USTR;
			c->ec.fields[i - 1].kind = SONDE_FIELD_STRING;
			c->nustr++;
		}
		switch (c->kf[i - 1].kind) {
		case SONDE__K_INT:
		case SONDE__K_ARRAY:
			fixed += c->kf[i - 1].size;
			break;
		default:
			c->ec.has_variable = 1;
		}
	}
	c->ec.fixed_size = c->ec.has_variable ? 0 : fixed;
	return 0;
}

static void say(struct sonde__kernel *k, const char *fmt, const char *a,
		const char *b)
{
	if (k->why && k->why_size)
		snprintf(k->why, k->why_size, fmt, a, b);
}

int sonde__kernel_create(const struct sonde__kernel_opts *o,
			 struct sonde__kernel **out)
{
	struct sonde__kernel *k;
	long n = sysconf(_SC_NPROCESSORS_CONF);
	char dir[4096];
	int r;

	if (!o || !o->trace || !o->npatterns || !o->patterns ||
	    (o->ring_pages && (o->ring_pages & (o->ring_pages - 1))) ||
	    o->ring_pages > SONDE__PERFRING_MAX_PAGES)
		return -EINVAL;
	if (o->why && o->why_size)
		o->why[0] = '\0';
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->trace = o->trace;
	k->why = o->why;
	k->why_size = o->why_size;
	k->pages = o->ring_pages ? o->ring_pages : DEFAULT_PAGES;
	k->ncpu = n < 1 ? 1 : n > (long)MAX_CPUS ? MAX_CPUS : (uint32_t)n;
	if (o->filter) {
		k->filter = strdup(o->filter);
		if (!k->filter) {
			r = -ENOMEM;
			goto fail;
		}
	}
	r = sonde__tracefs_find(dir, sizeof(dir), o->why ? o->why : dir,
				o->why ? o->why_size : 0);
	if (r)
		goto fail;
	for (size_t i = 0; i < o->npatterns; i++) {
		char why[512];

		r = sonde__tracefs_match(&k->set, dir, o->patterns[i],
					 SONDE__KERNEL_MAX_EVENTS, why,
					 sizeof(why));
		if (r) {
			say(k, "%s%s", why, "");
			goto fail;
		}
	}
	k->ncls = (uint32_t)k->set.n;
	k->cls = calloc(k->ncls, sizeof(*k->cls));
	k->evtab = calloc(k->ncls + 1, sizeof(*k->evtab));
	k->cpu = calloc(k->ncpu, sizeof(*k->cpu));
	if (!k->cls || !k->evtab || !k->cpu) {
		r = -ENOMEM;
		goto fail;
	}
	/* Path strings need BPF: tried once, before the fields are typed. */
	r = sonde__ustr_create(k->ncpu, &k->ustr);
	if (r) {
		k->ustr = NULL;
		snprintf(k->ustr_why, sizeof(k->ustr_why),
			 "BPF is not available (%s)", strerror(-r));
	}
	for (uint32_t i = 0; i < k->ncls; i++) {
		r = make_class(&k->cls[i], i + 1, &k->set.ev[i],
			       k->ustr ? 16 : 0);
		if (r) {
			say(k, "cannot decode the format of kernel event %s:%s",
			    k->set.ev[i].system, k->set.ev[i].name);
			goto fail;
		}
		k->evtab[i + 1] = &k->cls[i].ec;
	}
	for (uint32_t c = 0; c < k->ncpu; c++) {
		k->cpu[c].fd = malloc(k->ncls * sizeof(int));
		if (!k->cpu[c].fd) {
			r = -ENOMEM;
			goto fail;
		}
		for (uint32_t i = 0; i < k->ncls; i++)
			k->cpu[c].fd[i] = -1;
		k->cpu[c].str_fd = -1;
	}
	k->st.classes = k->ncls;
	/* Before any event is opened: perf time is mapped from here on. */
	sonde__perfclock_init(&k->pc, sonde__trace_clock(o->trace));
	r = sonde__trace_add_class(o->trace, &kernel_class, k, &k->class_id);
	if (r)
		goto fail;
	for (uint32_t c = 0; c < k->ncpu; c++) {
		r = sonde__pktw_init(&k->cpu[c].w, k->trace, k->class_id, c, c);
		if (r)
			goto fail;
	}
	*out = k;
	return 0;
fail:
	sonde__kernel_destroy(k);
	return r;
}

static int open_event(struct sonde__kernel *k, uint32_t cls, pid_t pid,
		      uint32_t cpu)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = (uint64_t)k->cls[cls].tp_id;
	a.sample_period = 1;
	a.sample_type = SAMPLE_TYPE;
	/* Samples lost, read at the end (read_lost()). */
	a.read_format = PERF_FORMAT_LOST;
	if (pid >= 0) {
		a.disabled = 1;
		a.inherit = 1;
		a.enable_on_exec = 1;
	}
	a.use_clockid = 1;
	a.clockid = sonde__perfclock_id(&k->pc);
	/* Wake-ups are not used: the recorder drains on its own tick. */
	a.wakeup_events = 0;
	fd = (int)syscall(SYS_perf_event_open, &a, pid, (int)cpu, -1,
			  PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int by_id(const void *a, const void *b)
{
	const struct idmap *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Room for one fd per event and CPU: the soft limit raised to the hard
 * one if need be. */
static int fd_room(struct sonde__kernel *k)
{
	struct rlimit rl;
	uint64_t need = (uint64_t)k->ncls * k->ncpu + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need
				      ? need
				      : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return 0;
}

static void open_error(struct sonde__kernel *k, uint32_t cls, int err,
		       pid_t pid)
{
	char why[512];
	const char *name = k->cls[cls].ec.name;

	if (err == -EACCES || err == -EPERM) {
		FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
		int level = 2;

		if (f) {
			if (fscanf(f, "%d", &level) != 1)
				level = 2;
			fclose(f);
		}
		snprintf(why, sizeof(why),
			 "perf_event_open is not permitted (/proc/sys/kernel/perf_event_paranoid is %d): kernel tracepoints with their data need CAP_PERFMON (or root), or perf_event_paranoid -1%s",
			 level,
			 pid < 0 ? ""
				 : " (a command's own system call events: 1 or less)");
	} else {
		sonde_pmu_strerror(err, name, why, sizeof(why));
	}
	if (k->why && k->why_size)
		snprintf(k->why, k->why_size, "cannot record %s%s: %s", name,
			 pid < 0 ? " on every CPU (-a)" : "", why);
}

/*
 * The path strings: a BPF-output event per CPU (every task, as the
 * programs run for every task), redirected into the CPU's ring, and the
 * programs attached (ustr.c).  0, or -errno with k->ustr_why set.
 */
static int attach_strings(struct sonde__kernel *k)
{
	struct perf_event_attr a;
	int r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_BPF_OUTPUT;
	a.sample_period = 1;
	a.sample_type = SAMPLE_TYPE;
	a.use_clockid = 1;
	a.clockid = sonde__perfclock_id(&k->pc);
	for (uint32_t c = 0; c < k->ncpu; c++) {
		struct kcpu *kc = &k->cpu[c];
		uint64_t id;
		int fd;

		if (!kc->mapped)
			continue;
		kc->str = malloc(STR_SLOTS * sizeof(*kc->str));
		if (!kc->str)
			return -ENOMEM;
		fd = (int)syscall(SYS_perf_event_open, &a, -1, (int)c, -1,
				  PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			snprintf(k->ustr_why, sizeof(k->ustr_why),
				 "a BPF-output event could not be opened on CPU %u (%s)",
				 c, strerror(-r));
			return r;
		}
		kc->str_fd = fd;
		if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, kc->fd[0]) ||
		    ioctl(fd, PERF_EVENT_IOC_ID, &id)) {
			r = -errno;
			snprintf(k->ustr_why, sizeof(k->ustr_why),
				 "a BPF-output event could not share the ring (%s)",
				 strerror(-r));
			return r;
		}
		k->ids[k->nids].id = id;
		k->ids[k->nids++].cls = STR_CLS;
		r = sonde__ustr_set_output(k->ustr, c, fd);
		if (r) {
			snprintf(k->ustr_why, sizeof(k->ustr_why),
				 "the BPF map refused CPU %u's output (%s)", c,
				 strerror(-r));
			return r;
		}
	}
	for (uint32_t i = 0; i < k->ncls; i++) {
		struct kclass *cl = &k->cls[i];
		uint32_t j = 0;

		for (uint32_t f = 0; f < cl->ec.nr_fields; f++) {
			struct perf_event_attr ta;
			int fd;

			if (cl->kf[f].kind != SONDE__K_USTR)
				continue;
			/* One program per perf event, and the program runs for
			 * every task as long as its event is open: each hangs
			 * on an event of its own, system-wide, never enabled,
			 * apart from the recorded (inherited) ones. */
			memset(&ta, 0, sizeof(ta));
			ta.size = sizeof(ta);
			ta.type = PERF_TYPE_TRACEPOINT;
			ta.config = (uint64_t)cl->tp_id;
			ta.disabled = 1;
			fd = (int)syscall(SYS_perf_event_open, &ta, -1, 0, -1,
					  PERF_FLAG_FD_CLOEXEC);
			if (fd < 0) {
				r = -errno;
				snprintf(k->ustr_why, sizeof(k->ustr_why),
					 "no event of %s to attach its path program to (%s)",
					 cl->ec.name, strerror(-r));
				return r;
			}
			cl->hook_fd[j] = fd;
			r = sonde__ustr_attach(k->ustr, fd, cl->kf[f].off,
					       i << 4 | j);
			if (r) {
				snprintf(k->ustr_why, sizeof(k->ustr_why),
					 "the BPF program for %s.%s was refused (%s)",
					 cl->ec.name, cl->ec.fields[f].name,
					 strerror(-r));
				return r;
			}
			j++;
		}
	}
	return 0;
}

const char *sonde__kernel_ustr_why(const struct sonde__kernel *k)
{
	for (uint32_t i = 0; i < k->ncls; i++)
		if (k->cls[i].npaths > k->cls[i].nustr || (k->cls[i].nustr && !k->ustr))
			return k->ustr_why[0] ? k->ustr_why
					      : "more than 16 path fields in one event";
	return NULL;
}

int sonde__kernel_attach(struct sonde__kernel *k, pid_t pid)
{
	uint32_t opened = 0;
	int r = 0;

	fd_room(k);
	k->ids = calloc((size_t)(k->ncls + 1) * k->ncpu, sizeof(*k->ids));
	if (!k->ids)
		return -ENOMEM;
	for (uint32_t c = 0; c < k->ncpu; c++) {
		struct kcpu *kc = &k->cpu[c];

		for (uint32_t i = 0; i < k->ncls; i++) {
			uint64_t id;
			int fd = open_event(k, i, pid, c);

			if (fd == -ENODEV && i == 0)
				break; /* an offline CPU: no ring */
			if (fd < 0) {
				if (fd == -EMFILE || fd == -ENFILE)
					say(k, "cannot open %s events: too many open files (%s); record fewer kernel events",
					    k->ncls > 1 ? "that many" : "the",
					    strerror(-fd));
				else
					open_error(k, i, fd, pid);
				return fd;
			}
			kc->fd[i] = fd;
			if (k->filter &&
			    ioctl(fd, PERF_EVENT_IOC_SET_FILTER, k->filter)) {
				r = -errno;
				if (k->why && k->why_size)
					snprintf(k->why, k->why_size,
						 "the filter '%s' does not apply to %s (%s): its fields are named in 'sonde list -k %s'",
						 k->filter, k->cls[i].ec.name,
						 strerror(-r), k->cls[i].ec.name);
				return r;
			}
			if (ioctl(fd, PERF_EVENT_IOC_ID, &id)) {
				r = -errno;
				say(k, "cannot identify kernel event %s: %s",
				    k->cls[i].ec.name, strerror(-r));
				return r;
			}
			k->ids[k->nids].id = id;
			k->ids[k->nids++].cls = i;
			if (i == 0) {
				r = sonde__perfring_map(&kc->ring, fd, k->pages);
				if (r) {
					say(k, "cannot map a perf ring of %s: %s",
					    k->cls[i].ec.name, strerror(-r));
					return r;
				}
				kc->mapped = 1;
			} else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT,
					 kc->fd[0])) {
				r = -errno;
				say(k, "cannot share a perf ring between kernel events: %s%s",
				    strerror(-r), "");
				return r;
			}
		}
		if (kc->mapped)
			opened++;
	}
	if (!opened) {
		say(k, "no CPU could record kernel events%s%s", "", "");
		return -ENODEV;
	}
	if (k->ustr && attach_strings(k)) {
		/* Paths stay "": said once, the events are recorded. */
		sonde__ustr_destroy(k->ustr);
		k->ustr = NULL;
	}
	qsort(k->ids, k->nids, sizeof(*k->ids), by_id);
	/* Room for a whole ring of the smallest records, sorted at once. */
	k->pend_cap = (size_t)k->pages * (size_t)sysconf(_SC_PAGESIZE) / 56 + 1;
	k->pend = calloc(k->pend_cap, sizeof(*k->pend));
	/* Room for a pass, and at least for the largest record (a perf
	 * record is under 64 KiB) with 16 path strings: a small ring must
	 * not turn a big record into a "malformed" one. */
	k->arena_cap = (size_t)k->pages * (size_t)sysconf(_SC_PAGESIZE) * 2;
	if (k->arena_cap < 65536 + 16 * (size_t)SONDE__USTR_MAX + 4096)
		k->arena_cap = 65536 + 16 * (size_t)SONDE__USTR_MAX + 4096;
	k->arena = malloc(k->arena_cap);
	if (!k->pend || !k->arena)
		return -ENOMEM;
	/* System-wide events are enabled at open; per-process ones at the
	 * command's execve(). */
	return 0;
}

static int class_of(const struct sonde__kernel *k, uint64_t id, uint32_t *cls)
{
	size_t lo = 0, hi = k->nids;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (k->ids[mid].id == id) {
			*cls = k->ids[mid].cls;
			return 0;
		}
		if (k->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int by_time(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sort the pass's events of @cpu and write them. */
static int emit(struct sonde__kernel *k, uint32_t cpu)
{
	struct sonde__pktw *w = &k->cpu[cpu].w;
	int r = 0;

	qsort(k->pend, k->npend, sizeof(*k->pend), by_time);
	for (size_t i = 0; !r && i < k->npend; i++) {
		const struct pending *e = &k->pend[i];
		uint64_t ts = e->ts;
		uint8_t *q;

		r = sonde__pktw_begin(w, e->cls + 1, &ts, e->tid, e->pid,
				      e->len, &q);
		if (r == -E2BIG) {
			k->st.bad++;
			r = 0;
			continue;
		}
		if (r)
			break;
		memcpy(q, k->arena + e->at, e->len);
		sonde__pktw_end(w, q + e->len, ts);
		k->st.events++;
	}
	k->npend = 0;
	k->arena_used = 0;
	return r;
}

/* The raw data of a BPF-output sample: u32 tag, then the string (ustr.c),
 * kept for the tracepoint sample that follows it. */
static int keep_string(struct sonde__kernel *k, struct kcpu *kc, int32_t tid,
		       const uint8_t *raw, uint32_t n)
{
	struct kstr *x;
	uint32_t tag;
	size_t sl;

	if (!kc->str || n < 5) {
		k->st.bad++;
		return 0;
	}
	memcpy(&tag, raw, 4);
	/* An older string of this thread and field had no sample of ours
	 * (a filter dropped it): it goes. */
	for (uint32_t i = 0; i < kc->nstr; i++)
		if (kc->str[i].tid == tid && kc->str[i].tag == tag) {
			memmove(kc->str + i, kc->str + i + 1,
				(kc->nstr - i - 1) * sizeof(*kc->str));
			kc->nstr--;
			break;
		}
	if (kc->nstr == STR_SLOTS) {
		/* Strings of tasks whose samples are not ours: the oldest
		 * goes. */
		memmove(kc->str, kc->str + 1, (STR_SLOTS - 1) * sizeof(*kc->str));
		kc->nstr--;
	}
	x = &kc->str[kc->nstr++];
	x->tid = tid;
	x->tag = tag;
	sl = strnlen((const char *)raw + 4, n - 4);
	if (sl >= SONDE__USTR_MAX)
		sl = SONDE__USTR_MAX - 1;
	memcpy(x->s, raw + 4, sl);
	x->s[sl] = '\0';
	x->len = (uint32_t)sl + 1;
	return 0;
}

/* Where the strings of a sample's path fields are found. */
struct str_match {
	struct sonde__kernel *k;
	struct kcpu *kc;
	int32_t tid;
	uint32_t cls;
};

/* The string captured for path field @j of the sample (its CPU, tid and
 * tag), or NULL. */
static const char *string_of(void *ctx, uint32_t j)
{
	struct str_match *m = ctx;
	uint32_t tag = m->cls << 4 | j;

	/* Newest first: a string whose sample a filter dropped is older. */
	for (uint32_t x = m->kc->nstr; x-- > 0;)
		if (m->kc->str[x].tid == m->tid && m->kc->str[x].tag == tag) {
			m->k->st.strings++;
			return m->kc->str[x].s;
		}
	return NULL;
}

/* Queue sample @h of @cpu's ring, decoded. */
static int queue(struct sonde__kernel *k, uint32_t cpu,
		 const struct perf_event_header *h)
{
	const uint8_t *b = (const uint8_t *)h;
	uint64_t id, t;
	uint32_t cls, raw_size, ids[2];
	struct str_match sm;
	struct pending *e;
	int64_t len;
	int r;

	if (h->size < RAW_AT) {
		k->st.bad++;
		return 0;
	}
	memcpy(&id, b + 8, 8);
	memcpy(ids, b + 16, 8);
	memcpy(&t, b + 24, 8);
	memcpy(&raw_size, b + RAW_SIZE_AT, 4);
	if (raw_size > h->size - RAW_AT || class_of(k, id, &cls)) {
		k->st.bad++;
		return 0;
	}
	if (cls == STR_CLS)
		return keep_string(k, &k->cpu[cpu], (int32_t)ids[1],
				   b + RAW_AT, raw_size);
	/* A decoded record is at most its raw data plus a NUL or a length
	 * per field. */
	if (k->npend == k->pend_cap ||
	    k->arena_cap - k->arena_used <
		    raw_size + 4 * (size_t)k->cls[cls].ec.nr_fields +
			    (size_t)k->cls[cls].nustr * SONDE__USTR_MAX) {
		r = emit(k, cpu);
		if (r)
			return r;
	}
	sm.k = k;
	sm.kc = &k->cpu[cpu];
	sm.tid = (int32_t)ids[1];
	sm.cls = cls;
	len = sonde__kdecode(k->cls[cls].kf, k->cls[cls].ec.nr_fields,
			     b + RAW_AT, raw_size, k->arena + k->arena_used,
			     k->arena_cap - k->arena_used, string_of, &sm);
	/* The strings before this sample were its own, or other tasks'. */
	k->cpu[cpu].nstr = 0;
	if (len < 0) {
		k->st.bad++;
		return 0;
	}
	e = &k->pend[k->npend];
	e->ts = sonde__perfclock_map(&k->pc, t);
	e->seq = (uint32_t)k->npend;
	e->cls = cls;
	e->pid = (int32_t)ids[0];
	e->tid = (int32_t)ids[1];
	e->at = k->arena_used;
	e->len = (uint32_t)len;
	k->arena_used += (size_t)len;
	k->npend++;
	return 0;
}

static int drain_cpu(struct sonde__kernel *k, uint32_t cpu, int *moved)
{
	struct kcpu *kc = &k->cpu[cpu];
	const struct perf_event_header *h;
	uint64_t bad = kc->ring.st.bad, n_read = kc->ring.st.samples;
	int r = 0;

	sonde__perfring_begin(&kc->ring);
	/* After data_head is read: the pass's records lie between the
	 * mapping's two calibration pairs. */
	sonde__perfclock_update(&k->pc);
	while (!r && sonde__perfring_next(&kc->ring, &h, &kc->w.discarded))
		r = queue(k, cpu, h);
	if (!r && k->npend)
		r = emit(k, cpu);
	sonde__perfring_end(&kc->ring);
	k->st.bad += kc->ring.st.bad - bad;
	if (n_read != kc->ring.st.samples)
		*moved = 1;
	if (!r)
		r = sonde__pktw_age(&kc->w, sonde__pktw_now());
	return r;
}

int sonde__kernel_drain(struct sonde__kernel *k, int *moved)
{
	int r;

	*moved = 0;
	for (uint32_t c = 0; c < k->ncpu; c++) {
		if (!k->cpu[c].mapped)
			continue;
		r = drain_cpu(k, c, moved);
		if (r)
			return r;
	}
	return 0;
}

int sonde__kernel_live(struct sonde__kernel *k, uint64_t until)
{
	int moved, r = sonde__kernel_drain(k, &moved);

	for (uint32_t c = 0; !r && c < k->ncpu; c++)
		if (k->cpu[c].mapped)
			r = sonde__pktw_live(&k->cpu[c].w, until);
	return r;
}

int sonde__kernel_enable(struct sonde__kernel *k, int on)
{
	unsigned long req = on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE;

	if (!on)
		return sonde__kernel_finish(k);
	for (uint32_t c = 0; c < k->ncpu; c++) {
		for (uint32_t i = 0; k->cpu[c].fd && i < k->ncls; i++)
			if (k->cpu[c].fd[i] >= 0)
				ioctl(k->cpu[c].fd[i], req, 0);
		if (k->cpu[c].str_fd >= 0)
			ioctl(k->cpu[c].str_fd, req, 0);
	}
	return 0;
}

/*
 * The losses of @cpu's events that no PERF_RECORD_LOST reported: the
 * kernel writes that record into the ring only when a later record fits,
 * so losses while the ring stayed full up to the end would go uncounted.
 * Each event counts its own lost samples (PERF_FORMAT_LOST, with those of
 * the events inherited from it); the larger of the two totals is kept.
 */
static void read_lost(struct sonde__kernel *k, uint32_t cpu)
{
	struct kcpu *kc = &k->cpu[cpu];
	uint64_t total = 0, v[2];

	for (uint32_t i = 0; kc->fd && i < k->ncls; i++)
		if (kc->fd[i] >= 0 &&
		    read(kc->fd[i], v, sizeof(v)) == (ssize_t)sizeof(v))
			total += v[1];
	if (total > kc->w.discarded)
		kc->w.discarded = total;
}

int sonde__kernel_finish(struct sonde__kernel *k)
{
	int moved, r;

	for (uint32_t c = 0; c < k->ncpu; c++)
		for (uint32_t i = 0; k->cpu[c].fd && i < k->ncls; i++)
			if (k->cpu[c].fd[i] >= 0)
				ioctl(k->cpu[c].fd[i], PERF_EVENT_IOC_DISABLE, 0);
	for (uint32_t c = 0; c < k->ncpu; c++)
		if (k->cpu[c].str_fd >= 0)
			ioctl(k->cpu[c].str_fd, PERF_EVENT_IOC_DISABLE, 0);
	r = sonde__kernel_drain(k, &moved);
	for (uint32_t c = 0; !r && c < k->ncpu; c++)
		if (k->cpu[c].mapped) {
			read_lost(k, c);
			r = sonde__pktw_flush(&k->cpu[c].w);
		}
	return r;
}

void sonde__kernel_stats(const struct sonde__kernel *k,
			 struct sonde__kernel_stats *st)
{
	*st = k->st;
	st->lost = st->bytes = st->packets = 0;
	for (uint32_t c = 0; c < k->ncpu; c++) {
		st->lost += k->cpu[c].w.discarded;
		st->bytes += k->cpu[c].w.bytes;
		st->packets += k->cpu[c].w.packets;
	}
}

void sonde__kernel_destroy(struct sonde__kernel *k)
{
	if (!k)
		return;
	for (uint32_t c = 0; k->cpu && c < k->ncpu; c++) {
		struct kcpu *kc = &k->cpu[c];

		if (kc->mapped)
			sonde__perfring_unmap(&kc->ring);
		for (uint32_t i = 0; kc->fd && i < k->ncls; i++)
			if (kc->fd[i] >= 0)
				close(kc->fd[i]);
		if (kc->str_fd >= 0)
			close(kc->str_fd);
		free(kc->str);
		free(kc->fd);
		sonde__pktw_fini(&kc->w);
	}
	for (uint32_t i = 0; k->cls && i < k->ncls; i++) {
		for (uint32_t j = 0; j < 16; j++)
			if (k->cls[i].hook_fd[j] > 0)
				close(k->cls[i].hook_fd[j]);
		for (uint32_t f = 0; f < k->cls[i].ec.nr_fields; f++)
			free(k->cls[i].ec.fields[f].name);
		free(k->cls[i].ec.fields);
		free(k->cls[i].ec.name);
		free(k->cls[i].kf);
	}
	sonde__ustr_destroy(k->ustr);
	sonde__tracefs_set_free(&k->set);
	free(k->cls);
	free(k->evtab);
	free(k->cpu);
	free(k->ids);
	free(k->pend);
	free(k->arena);
	free(k->filter);
	free(k);
}
