// SPDX-License-Identifier: MIT
/*
 * test-ustr: user-space strings of syscall tracepoints through BPF
 * (src/sources/ustr.c), on this machine's kernel.
 *
 * For each CPU: a syscalls:sys_enter_openat event for this process and a
 * BPF-output event (pid -1), redirected into the tracepoint event's ring;
 * a ustr routes each CPU's strings to its output event and attaches, with
 * tag 7, through every CPU's tracepoint event.  Then this thread opens a
 * known path, a 3000-byte path, a 5000-byte one and the address 8, and a
 * child (not traced) opens a path of its own.  The rings must hold, for
 * each open of this thread, the string sample (tag 7, the exact path;
 * the 5000-byte one cut to SONDE__USTR_MAX - 1 bytes and its NUL, the bad
 * address as "") immediately followed by the tracepoint's sample, same
 * tid, whose filename field is the pointer passed and whose record is
 * intact; one string per open however many events it was attached
 * through; and the child's string, alone (the program belongs to the
 * tracepoint, so it runs for every task).  With the tracepoint events
 * disabled and the output events enabled, an open still gives its
 * string, and no tracepoint sample.  A path on a page of a file mapping
 * never touched reads as "" (the program cannot fault), and whole at the
 * next open, once the first one's system call has faulted the page in.
 *
 * Hostile: the ustr destroyed while the events are enabled.  The
 * tracepoint samples keep coming, and no string does any more (closing
 * the map empties it; the program stays attached to the event, so that a
 * new ustr cannot attach to it: -EEXIST).
 *
 * Also: bad arguments give -EINVAL (-EBADF for a file that is not a perf
 * event).  Skips (77) when not root, when tracefs or the syscall
 * tracepoints are missing, or when BPF is refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "../../src/pmu/ring.h"
#include "../../src/sources/ustr.h"
#include "../tap.h"

#define TRACEFS "/sys/kernel/tracing"
#define TP_DIR TRACEFS "/events/syscalls/sys_enter_openat"
#define TAG 7u
#define PAGES 256u
#define MAX_CPUS 256
#define SAMPLE_TYPE                                                    \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
	 PERF_SAMPLE_CPU | PERF_SAMPLE_RAW)
/* Where the raw data starts in a sample of SAMPLE_TYPE: header, id,
 * pid/tid, time, cpu/res, then the u32 raw size. */
#define RAW_SIZE_OFF 40u
#define RAW_OFF 44u

/* A sample, copied out of its ring. */
struct rec {
	uint64_t id;
	uint32_t tid;
	uint32_t size; /* raw bytes */
	uint8_t *raw;
};

struct ring_recs {
	struct rec *v;
	size_t n, cap;
};

static int ncpu;
static int tp_fd[MAX_CPUS], out_fd[MAX_CPUS];
static uint64_t tp_id[MAX_CPUS], out_id[MAX_CPUS];
static struct sonde__perfring ring[MAX_CPUS];
static struct ring_recs recs[MAX_CPUS];
static uint32_t tp_type, fn_off;
static uint32_t me;

static int skip(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	return 77;
}

static int read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = 0;
	return 0;
}

/* Whether tracefs shows events, mounting it if it does not. */
static int tracefs_ready(void)
{
	DIR *d = opendir(TRACEFS "/events");
	int any = 0;

	if (d) {
		struct dirent *e;

		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				any = 1;
		closedir(d);
	}
	if (any)
		return 1;
	return !mount("nodev", TRACEFS, "tracefs", 0, NULL);
}

/* The tracepoint's id and the offset of its filename field. */
static int tp_info(void)
{
	char buf[4096], *p;

	if (read_file(TP_DIR "/id", buf, sizeof(buf)) < 0)
		return -ENOENT;
	tp_type = (uint32_t)strtoul(buf, NULL, 10);
	if (read_file(TP_DIR "/format", buf, sizeof(buf)) < 0)
		return -ENOENT;
	p = strstr(buf, " filename;");
	if (!p || !(p = strstr(p, "offset:")))
		return -EBADMSG;
	fn_off = (uint32_t)strtoul(p + 7, NULL, 10);
	return tp_type && fn_off ? 0 : -EBADMSG;
}

static int perf_open(struct perf_event_attr *a, int pid, int cpu)
{
	return (int)syscall(SYS_perf_event_open, a, pid, cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

/* Both events of each CPU, one ring each: 0, or an errno for a bail. */
static int events_open(void)
{
	struct perf_event_attr a;

	for (int i = 0; i < ncpu; i++) {
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = PERF_TYPE_TRACEPOINT;
		a.config = tp_type;
		a.sample_period = 1;
		a.sample_type = SAMPLE_TYPE;
		a.disabled = 1;
		tp_fd[i] = perf_open(&a, (int)getpid(), i);
		if (tp_fd[i] < 0)
			return errno;
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_BPF_OUTPUT;
		out_fd[i] = perf_open(&a, -1, i);
		if (out_fd[i] < 0)
			return errno;
		if (ioctl(tp_fd[i], PERF_EVENT_IOC_ID, &tp_id[i]) < 0 ||
		    ioctl(out_fd[i], PERF_EVENT_IOC_ID, &out_id[i]) < 0)
			return errno;
		if (sonde__perfring_map(&ring[i], tp_fd[i], PAGES) < 0)
			return ENOMEM;
		if (ioctl(out_fd[i], PERF_EVENT_IOC_SET_OUTPUT, tp_fd[i]) < 0)
			return errno;
	}
	return 0;
}

/* Enable or disable (@op) the output events, and the tracepoint events
 * too if @tp. */
static void events_ctl(unsigned long op, int tp)
{
	for (int i = 0; i < ncpu; i++) {
		if (ioctl(out_fd[i], op, 0) < 0 ||
		    (tp && ioctl(tp_fd[i], op, 0) < 0))
			tap_bail("enable/disable: %s", strerror(errno));
	}
}

static void recs_clear(void)
{
	for (int i = 0; i < ncpu; i++) {
		for (size_t k = 0; k < recs[i].n; k++)
			free(recs[i].v[k].raw);
		recs[i].n = 0;
	}
}

/* Read every ring into recs[], after recs_clear(). */
static void collect(void)
{
	const struct perf_event_header *h;

	recs_clear();
	for (int i = 0; i < ncpu; i++) {
		struct ring_recs *rr = &recs[i];

		sonde__perfring_begin(&ring[i]);
		while (sonde__perfring_next(&ring[i], &h, NULL) == 1) {
			const uint8_t *b = (const uint8_t *)h;
			struct rec r;
			uint32_t sz;

			if (h->size < RAW_OFF)
				tap_bail("a sample of %u bytes", h->size);
			memcpy(&r.id, b + 8, 8);
			memcpy(&r.tid, b + 20, 4);
			memcpy(&sz, b + RAW_SIZE_OFF, 4);
			if (sz > h->size - RAW_OFF)
				tap_bail("raw size %u in a %u-byte sample", sz,
					 h->size);
			r.size = sz;
			r.raw = malloc(sz ? sz : 1);
			if (!r.raw)
				tap_bail("out of memory");
			memcpy(r.raw, b + RAW_OFF, sz);
			if (rr->n == rr->cap) {
				rr->cap = rr->cap ? 2 * rr->cap : 64;
				rr->v = realloc(rr->v,
						rr->cap * sizeof(*rr->v));
				if (!rr->v)
					tap_bail("out of memory");
			}
			rr->v[rr->n++] = r;
		}
		if (ring[i].st.lost)
			tap_diag("cpu %d: %llu samples lost", i,
				 (unsigned long long)ring[i].st.lost);
		sonde__perfring_end(&ring[i]);
	}
}

static int is_tp(int cpu, const struct rec *r)
{
	return r->id == tp_id[cpu];
}

static int is_str(int cpu, const struct rec *r)
{
	return r->id == out_id[cpu];
}

static uint64_t tp_filename(const struct rec *r)
{
	uint64_t p = 0;

	if (r->size >= fn_off + 8)
		memcpy(&p, r->raw + fn_off, 8);
	return p;
}

/* A string sample's string (NUL-terminated within its raw data), its tag
 * in *@tag; NULL if it has none. */
static const char *str_of(const struct rec *r, uint32_t *tag)
{
	if (r->size < 5 || !memchr(r->raw + 4, 0, r->size - 4))
		return NULL;
	memcpy(tag, r->raw, 4);
	return (const char *)r->raw + 4;
}

/*
 * The string captured for this thread's open of pointer @ptr: the string
 * sample right before the tracepoint sample of that pointer, same ring,
 * same tid, tag TAG.  NULL (with a diagnostic) if there is no such pair,
 * or if there are two tracepoint samples of @ptr.
 */
static const char *captured(const void *ptr)
{
	const char *found = NULL;
	int hits = 0;

	for (int i = 0; i < ncpu; i++) {
		for (size_t k = 0; k < recs[i].n; k++) {
			const struct rec *r = &recs[i].v[k], *s;
			const char *str;
			uint32_t tag;

			if (!is_tp(i, r) || r->tid != me ||
			    tp_filename(r) != (uint64_t)(uintptr_t)ptr)
				continue;
			hits++;
			if (!k) {
				tap_diag("tracepoint sample first in its ring");
				continue;
			}
			s = &recs[i].v[k - 1];
			str = str_of(s, &tag);
			if (!is_str(i, s) || s->tid != me || !str ||
			    tag != TAG) {
				tap_diag(
					"before the tracepoint sample: id %llu tid %u tag %u",
					(unsigned long long)s->id, s->tid,
					str ? tag : 0);
				continue;
			}
			found = str;
		}
	}
	if (hits != 1)
		tap_diag("%d tracepoint samples of %p", hits, ptr);
	return hits == 1 ? found : NULL;
}

/* Counts over all rings: this thread's tracepoint samples, this thread's
 * strings, strings of task @other, and strings in all. */
struct counts {
	int tp, str, other, all;
};

static struct counts count(uint32_t other)
{
	struct counts c = { 0, 0, 0, 0 };

	for (int i = 0; i < ncpu; i++) {
		for (size_t k = 0; k < recs[i].n; k++) {
			const struct rec *r = &recs[i].v[k];

			if (is_tp(i, r) && r->tid == me)
				c.tp++;
			if (!is_str(i, r))
				continue;
			c.all++;
			c.str += r->tid == me;
			c.other += other && r->tid == other;
		}
	}
	return c;
}

/* Whether every tracepoint sample of this thread carries an intact
 * record: common_type is the tracepoint's id. */
static int records_intact(void)
{
	for (int i = 0; i < ncpu; i++)
		for (size_t k = 0; k < recs[i].n; k++) {
			const struct rec *r = &recs[i].v[k];
			uint16_t type;

			if (!is_tp(i, r) || r->tid != me)
				continue;
			if (r->size < 2)
				return 0;
			memcpy(&type, r->raw, 2);
			if (type != tp_type)
				return 0;
		}
	return 1;
}

static void bad_args(struct sonde__ustr *u)
{
	struct sonde__ustr *v = (struct sonde__ustr *)1;
	int r, fd;

	tap_is_int(sonde__ustr_create(0, &v), -EINVAL, "create: 0 CPUs");
	tap_ok(v == NULL, "create: *u is NULL after a failure");
	tap_is_int(sonde__ustr_create(8193, &v), -EINVAL,
		   "create: more CPUs than the kernel can have");
	tap_is_int(sonde__ustr_create(1, NULL), -EINVAL, "create: NULL u");
	tap_is_int(sonde__ustr_set_output(u, (uint32_t)ncpu, out_fd[0]),
		   -EINVAL, "set_output: cpu >= ncpu");
	tap_is_int(sonde__ustr_set_output(u, 0, -1), -EINVAL,
		   "set_output: fd -1");
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	tap_is_int(sonde__ustr_set_output(u, 0, fd), -EBADF,
		   "set_output: not a perf event");
	close(fd);
	tap_is_int(sonde__ustr_attach(NULL, tp_fd[0], fn_off, TAG), -EINVAL,
		   "attach: NULL u");
	tap_is_int(sonde__ustr_attach(u, -1, fn_off, TAG), -EINVAL,
		   "attach: fd -1");
	tap_is_int(sonde__ustr_attach(u, tp_fd[0], 0, TAG), -EINVAL,
		   "attach: ptr_off 0 (the hidden common fields)");
	tap_is_int(sonde__ustr_attach(u, tp_fd[0], fn_off + 4, TAG), -EINVAL,
		   "attach: ptr_off not a multiple of 8");
	tap_is_int(sonde__ustr_attach(u, tp_fd[0], 8192, TAG), -EINVAL,
		   "attach: ptr_off past the record");
	r = sonde__ustr_attach(u, out_fd[0], fn_off, TAG + 1);
	tap_ok(r < 0, "attach: not a tracepoint event (%d)", r);
}

/* Open @path (may fail) through the raw system call. */
static void sys_open(const void *path)
{
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close((int)fd);
}

static void fill_path(char *p, size_t len, const char *dir)
{
	size_t n = (size_t)snprintf(p, len + 1, "%s", dir);

	/* Components of 200 bytes, under NAME_MAX: the system call fails
	 * with ENOENT, or ENAMETOOLONG past PATH_MAX, after the tracepoint. */
	for (size_t i = n; i < len; i++)
		p[i] = (i - n) % 201 == 200 ? '/' : 'a' + (char)(i % 26);
	p[len] = 0;
}

static void strings(void)
{
	static char known[128], long_path[3000], cut[5000];
	struct counts c;
	uint32_t child;
	const char *s;
	pid_t pid;
	int fd, st;

	snprintf(known, sizeof(known), "/tmp/sonde-ustr-%d-a-known-path",
		 (int)getpid());
	fill_path(long_path, sizeof(long_path) - 1, "/tmp/sonde-ustr-long/");
	fill_path(cut, sizeof(cut) - 1, "/tmp/sonde-ustr-cut/");

	events_ctl(PERF_EVENT_IOC_ENABLE, 1);
	fd = open(known, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	sys_open(long_path);
	sys_open(cut);
	sys_open((void *)8);
	pid = fork();
	if (pid == 0) {
		sys_open("/tmp/sonde-ustr-child");
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	events_ctl(PERF_EVENT_IOC_DISABLE, 1);
	if (fd >= 0) {
		close(fd);
		unlink(known);
	}
	child = pid > 0 ? (uint32_t)pid : 0;
	collect();

	s = captured(known);
	tap_is_str(s, known,
		   "the known path, right before its tracepoint sample");
	s = captured(long_path);
	tap_ok(s && strlen(s) == sizeof(long_path) - 1 && !strcmp(s, long_path),
	       "a 3000-byte path arrives whole (%zu characters and its NUL)",
	       s ? strlen(s) : 0);
	s = captured(cut);
	tap_ok(s && strlen(s) == SONDE__USTR_MAX - 1 &&
		       !strncmp(s, cut, SONDE__USTR_MAX - 1),
	       "a 5000-byte path is cut to %u bytes and its NUL (%zu)",
	       SONDE__USTR_MAX - 1, s ? strlen(s) : 0);
	s = captured((void *)8);
	tap_is_str(s, "", "an unreadable pointer gives \"\"");
	c = count(child);
	tap_ok(c.tp >= 4 && c.str == c.tp,
	       "one string per open, not one per event attached through (%d opens, %d strings)",
	       c.tp, c.str);
	tap_ok(records_intact(),
	       "the tracepoint samples keep their common fields");
	tap_ok(c.other == 1,
	       "an untraced child's open gives a string too (%d), with no tracepoint sample",
	       c.other);
	tap_diag("strings of other tasks in the rings: %d", c.all - c.str);
}

/* A path on a page of a file mapping never touched: the program may not
 * fault it in, so it reads "", and the system call then faults it in. */
static void unmapped(void)
{
	static const char path[] = "/tmp/sonde-ustr-from-a-file-mapping";
	char name[] = "/tmp/sonde-ustr-map-XXXXXX";
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	const char *s;
	char *m;
	int fd;

	fd = mkstemp(name);
	if (fd < 0 || write(fd, path, sizeof(path)) != (ssize_t)sizeof(path))
		tap_bail("temporary file: %s", strerror(errno));
	m = mmap(NULL, psz, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	unlink(name);
	if (m == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	events_ctl(PERF_EVENT_IOC_ENABLE, 1);
	sys_open(m);
	events_ctl(PERF_EVENT_IOC_DISABLE, 1);
	collect();
	s = captured(m);
	tap_is_str(s, "", "a path on a page not yet mapped in reads as \"\"");
	events_ctl(PERF_EVENT_IOC_ENABLE, 1);
	sys_open(m);
	events_ctl(PERF_EVENT_IOC_DISABLE, 1);
	collect();
	s = captured(m);
	tap_is_str(s, path, "the same path once the system call faulted it in");
	munmap(m, psz);
}

/* The program runs while its event is open, enabled or not: with only
 * the output events enabled, an open gives its string and no sample. */
static void disabled(void)
{
	static char path[64];
	struct counts c;

	snprintf(path, sizeof(path), "/tmp/sonde-ustr-%d-disabled",
		 (int)getpid());
	events_ctl(PERF_EVENT_IOC_ENABLE, 0);
	sys_open(path);
	events_ctl(PERF_EVENT_IOC_DISABLE, 0);
	collect();
	c = count(0);
	tap_ok(c.tp == 0 && c.str == 1,
	       "tracepoint events disabled: the string still comes (%d), alone (%d samples)",
	       c.str, c.tp);
	sys_open(path);
	collect();
	c = count(0);
	tap_ok(c.tp == 0 && c.all == 0,
	       "output events disabled too: nothing (%d strings)", c.all);
}

static void destroyed(struct sonde__ustr *u)
{
	static char after[64];
	struct sonde__ustr *v;
	struct counts c;
	int r;

	snprintf(after, sizeof(after), "/tmp/sonde-ustr-%d-after-destroy",
		 (int)getpid());
	events_ctl(PERF_EVENT_IOC_ENABLE, 1);
	sys_open(after);
	sonde__ustr_destroy(u);
	sys_open(after);
	sys_open(after);
	events_ctl(PERF_EVENT_IOC_DISABLE, 1);
	collect();
	c = count(0);
	tap_is_int(c.tp, 3, "the tracepoint samples keep coming after destroy");
	tap_is_int(c.str, 1,
		   "strings stop at destroy: the map's output events are gone");
	r = sonde__ustr_create((uint32_t)ncpu, &v);
	tap_is_int(r, 0, "a new ustr");
	if (!r) {
		tap_is_int(
			sonde__ustr_attach(v, tp_fd[0], fn_off, TAG), -EEXIST,
			"the old program stays attached to the event until it closes");
		sonde__ustr_destroy(v);
	}
	sonde__ustr_destroy(NULL);
}

int main(void)
{
	struct sonde__ustr *u;
	char why[160];
	int r;

	if (geteuid())
		return skip("not root: BPF and tracepoints need it");
	if (!tracefs_ready())
		return skip("no tracefs at " TRACEFS
			    " and it cannot be mounted");
	if (tp_info() < 0)
		return skip("no syscalls:sys_enter_openat tracepoint");
	me = (uint32_t)syscall(SYS_gettid);
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1 || ncpu > MAX_CPUS)
		return skip("unexpected CPU count");
	r = sonde__ustr_create((uint32_t)ncpu, &u);
	if (r == -EPERM || r == -ENOSYS || r == -EACCES) {
		snprintf(why, sizeof(why), "BPF unavailable: %s", strerror(-r));
		return skip(why);
	}
	tap_is_int(r, 0, "create: a perf event array for %d CPUs", ncpu);
	if (r < 0)
		return tap_done();
	r = events_open();
	if (r)
		tap_bail("perf events: %s", strerror(r));
	bad_args(u);

	r = 0;
	for (int i = 0; i < ncpu; i++)
		if (sonde__ustr_set_output(u, (uint32_t)i, out_fd[i]) < 0)
			r = -1;
	tap_is_int(r, 0, "set_output on every CPU");
	r = 0;
	for (int i = 0; i < ncpu; i++) {
		int a = sonde__ustr_attach(u, tp_fd[i], fn_off, TAG);

		if (a < 0) {
			tap_diag("attach through cpu %d: %s", i, strerror(-a));
			r = a;
		}
	}
	tap_is_int(r, 0, "attach through every CPU's event");
	strings();
	unmapped();
	disabled();
	destroyed(u);

	recs_clear();
	for (int i = 0; i < ncpu; i++) {
		sonde__perfring_unmap(&ring[i]);
		close(out_fd[i]);
		close(tp_fd[i]);
		free(recs[i].v);
	}
	return tap_done();
}
