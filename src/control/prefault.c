// SPDX-License-Identifier: MIT
/*
 * Prefault of a channel mapped into an instrumented process.
 *
 * The first write to each page of a fresh shared mapping costs the writing
 * process a page fault and, on the development VM, about as much again on
 * the first access through the new page-table entry.  Both are per process
 * and per page: the consumer touching the same pages does not help, and a
 * forked child, which inherits the mapping but not its page-table entries,
 * pays again.  With 64 MiB per CPU that makes a 3-int event cost 70 to
 * 110 ns for a whole first lap instead of 12 to 17 ns.  So
 * right after the mapping, a detached thread of the process walks each
 * CPU's buffer once, a chunk at a time: MADV_POPULATE_WRITE installs
 * writable entries for the chunk (one system call, no memory access), then
 * a load from each page takes the first-access trap, here rather than in
 * a writer.  CPU time per 64 MiB on the development VM: populate then
 * load 90 ms; populate then an atomic add of 0, the same; a load or an
 * atomic add of 0 per page alone, 190 to 210 ms; populate alone 12 ms, but
 * after it writers still pay half the first-lap cost (52 ns per event).
 *
 * It never changes a byte: MADV_POPULATE_WRITE faults pages in as a write
 * would, without writing, and the touches are loads.  Writers may store
 * into the same pages all along; a load cannot disturb them.
 *
 * Which pages, in what order: the buffers of the CPUs the process may run
 * on (allowed()), each from its write position on, so that the pages its
 * writers need first come first; buffers whose position moved since the
 * walk began (being written) are served before idle ones, and a position
 * that overtook the walk moves it forward (the writer touched the pages it
 * passed).  Positions are read from shared memory written by every process
 * of the session: they only choose an order, masked into the buffer, so
 * nonsense costs nothing but the order.
 *
 * Lifetime: the thread raises `active` around each chunk and around its
 * reads of the positions, and checks `stop` after raising it;
 * sonde__prefault_stop() sets `stop`, then looks at `active` (both
 * sequentially consistent, so one of the two sees the other's store).  It
 * never waits: a thread at low priority that is preempted mid-chunk on a
 * busy machine may not run again for long, and a stop that waited for
 * it (as one did for its lock) made the agent late for the daemon's
 * deadline (see prefault_main() for the rest of that story).  So the
 * mapping may be replaced at once (MAP_FIXED: a chunk in flight then
 * populates the anonymous pages in its place, which is harmless), and a
 * job still active is kept as
 * "draining" until its thread leaves the chunk: the mapping is unmapped
 * only once sonde__prefault_quiet() says no thread can touch it
 * (agent.c's reclaim).  The thread is detached and has every signal
 * blocked; exit() ends it mid-walk, harmlessly (nothing it does needs
 * finishing), and it holds nothing that fork() or exit() waits for.  Only
 * a program whose every other thread has ended by pthread_exit() lives on
 * until the walk is done.  It runs at nice 19: at the program's
 * priority it took CPU time from the consumer on a 2-CPU machine, and
 * `sonde record` lost 0.2 to 0.5 M of 10 M events paced at 20 M/s; idle,
 * a first lap racing the walk costs 27 to 31 ns per event (62 without a
 * prefault, 11 after it) and the walk of 2 x 64 MiB takes 0.2 to 0.3 s.  A
 * fork gets no thread: the child's fork hook starts a walk of its own
 * after a delay that a fork followed at once by exec never reaches.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../buffers/layout.h"
#include "attach.h"
#include "prefault.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* Bytes walked between two looks at `stop`: well under a millisecond. */
#define CHUNK (256u << 10)
/* A forked child waits this long first: an exec would have come by then. */
#define CHILD_DELAY_NS 10000000L

/* The walk over one CPU's buffer; positions are free-running bytes. */
struct lap {
	uint64_t first; /* write position when the walk began */
	uint64_t next; /* next position to touch */
	uint64_t left; /* bytes still to touch */
	int written; /* the position moved since the walk began */
	int walk; /* a CPU the process may run on */
};

struct job {
	int active; /* the thread may be touching the mapping */
	int stop; /* touch the mapping no more */
	int refs; /* the owner (cur, or the draining list) and the thread */
	struct job *next_draining;
	char *map;
	size_t size;
	long delay_ns;
	size_t page;
	uint32_t ncpu;
	uint64_t buf_size; /* power of two */
	uint64_t data_off;
	uint64_t rb_off;
	uint64_t rb_stride;
	struct lap cpu[];
};

static int enabled = 1;
/* The current mapping and its job: touched only by the serialized
 * callers of start, stop and the fork hook. */
static struct job *cur;
static void *cur_map;
static size_t cur_size;
/* Jobs stopped while their thread was in a chunk: same callers. */
static struct job *draining;

static void put(struct job *j)
{
	if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL))
		return;
	free(j);
}

/* The thread may touch the mapping until leave(); 0: stopped, do not. */
static int enter(struct job *j)
{
	__atomic_store_n(&j->active, 1, __ATOMIC_SEQ_CST);
	/* Pairs with sonde__prefault_stop(): it stores stop, then loads
	 * active; this stores active, then loads stop. */
	if (!__atomic_load_n(&j->stop, __ATOMIC_SEQ_CST))
		return 1;
	__atomic_store_n(&j->active, 0, __ATOMIC_RELEASE);
	return 0;
}

static void leave(struct job *j)
{
	/* Orders the chunk's accesses before; pairs with the acquire load
	 * in sonde__prefault_quiet(). */
	__atomic_store_n(&j->active, 0, __ATOMIC_RELEASE);
}

static double since_ms(const struct timespec *t0, clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) * 1e-6;
}

/* Populate [a, a + n) and load one byte of each of its pages. */
static void touch(struct job *j, char *a, size_t n, int *populate)
{
	uintptr_t pg = j->page;
	char *lo = (char *)((uintptr_t)a & ~(pg - 1));
	char *hi = (char *)(((uintptr_t)a + n + pg - 1) & ~(pg - 1));
	unsigned int sum = 0;

	if (hi > j->map + j->size)
		hi = j->map + j->size;
	/* EINVAL: a kernel before 5.14; the loads alone do the work. */
	if (*populate && madvise(lo, (size_t)(hi - lo), MADV_POPULATE_WRITE) &&
	    errno == EINVAL)
		*populate = 0;
	for (char *p = lo; p < hi; p += pg)
		sum += __atomic_load_n((unsigned char *)p, __ATOMIC_RELAXED);
	__asm__ __volatile__("" : : "r"(sum));
}

static uint64_t position(const struct job *j, uint32_t cpu)
{
	const struct sonde_rb_cpu *rb =
		(const struct sonde_rb_cpu *)(j->map + j->rb_off +
					      (uint64_t)cpu * j->rb_stride);

	return __atomic_load_n(&rb->offset, __ATOMIC_RELAXED);
}

/*
 * Move each walk past what its writers already touched; whether any
 * buffer still to walk is being written.  Under the lock.
 */
static int advance(struct job *j, int *left)
{
	int busy = 0;

	*left = 0;
	for (uint32_t i = 0; i < j->ncpu; i++) {
		struct lap *l = &j->cpu[i];
		uint64_t o, ahead;

		if (!l->left)
			continue;
		o = position(j, i);
		ahead = o - l->next;
		if (ahead && ahead < (1ull << 63)) {
			if (ahead >= l->left) {
				l->left = 0;
				continue;
			}
			ahead &= ~(uint64_t)4095;
			l->next += ahead;
			l->left -= ahead;
		}
		*left = 1;
		l->written = o != l->first;
		busy |= l->written;
	}
	return busy;
}

/* One chunk of each buffer still to walk, written ones only when any
 * is; 0 when everything is walked or the job is stopped. */
static int step(struct job *j, int *populate, uint64_t *bytes)
{
	int busy, left;

	if (!enter(j))
		return 0;
	busy = advance(j, &left);
	leave(j);
	if (!left)
		return 0;
	for (uint32_t i = 0; i < j->ncpu; i++) {
		struct lap *l = &j->cpu[i];
		uint64_t in = l->next & (j->buf_size - 1), n = CHUNK;

		if (!l->left || (busy && !l->written))
			continue;
		if (n > l->left)
			n = l->left;
		if (n > j->buf_size - in)
			n = j->buf_size - in;
		if (!enter(j))
			return 0;
		touch(j, j->map + j->data_off + (uint64_t)i * j->buf_size + in,
		      (size_t)n, populate);
		leave(j);
		l->next += n;
		l->left -= n;
		*bytes += n;
	}
	return 1;
}

static void *prefault_main(void *arg)
{
	struct job *j = arg;
	struct timespec t0, c0, d = { 0, j->delay_ns };
	uint64_t bytes = 0;
	int populate = 1;

	/* Little CPU time when others want it: on a small machine the walk
	 * would otherwise take it from the consumer draining the buffers
	 * (sonde record lost 0.2 to 0.5 M of 10 M events paced at 20 M/s
	 * with the walk at the program's priority, 0 to 0.1 M without it).
	 * Nice 19, not SCHED_IDLE: an idle thread preempted inside
	 * madvise(MADV_POPULATE_WRITE) holds the process's mmap lock, and on
	 * a busy machine may not run again for seconds, while the agent's
	 * mmap(MAP_FIXED) at a detach waits for that lock (test-live-reclaim
	 * under 6 busy loops: 12 to 21 of 40 starts "did not attach" at
	 * SCHED_IDLE, 0 at nice 19 and 0 with no prefault).  Leaving
	 * SCHED_IDLE for a chunk needs RLIMIT_NICE room that a process
	 * usually lacks. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	while (d.tv_nsec && nanosleep(&d, &d) && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	if (enter(j)) {
		for (uint32_t i = 0; i < j->ncpu; i++) {
			j->cpu[i].first = position(j, i);
			j->cpu[i].next = j->cpu[i].first & ~(uint64_t)4095;
			j->cpu[i].left = j->cpu[i].walk ? j->buf_size : 0;
		}
		leave(j);
	}
	while (step(j, &populate, &bytes))
		;
	sonde__logf(SONDE_LOG_INFO,
		    "Buffers prefaulted. bytes=%llu ms=%.1f cpu_ms=%.1f "
		    "populate=%d stopped=%d",
		    (unsigned long long)bytes, since_ms(&t0, CLOCK_MONOTONIC),
		    since_ms(&c0, CLOCK_THREAD_CPUTIME_ID), populate,
		    __atomic_load_n(&j->stop, __ATOMIC_RELAXED));
	put(j);
	return NULL;
}

/*
 * Walk the buffers of the CPUs this thread may run on, which its threads
 * and the walk inherit: the others (CPUs of another cpuset, CPUs possible
 * but absent) are written only if the program widens its affinity, and
 * then pay for their first lap as without a prefault.  All of them when
 * the mask cannot be read.
 */
static void allowed(struct job *j)
{
	size_t sz = CPU_ALLOC_SIZE(j->ncpu);
	cpu_set_t *set = CPU_ALLOC(j->ncpu);
	int ok = set && !sched_getaffinity(0, sz, set);

	for (uint32_t i = 0; i < j->ncpu; i++)
		j->cpu[i].walk = !ok || CPU_ISSET_S(i, sz, set);
	if (set)
		CPU_FREE(set);
}

static void spawn(void *map, size_t size, long delay_ns)
{
	struct sonde__shm_hdr h;
	pthread_attr_t at;
	sigset_t all, old;
	struct job *j;
	pthread_t t;
	long pg = sysconf(_SC_PAGESIZE);
	int r;

	if (!enabled || size < sizeof(h))
		return;
	/* The header is shared memory: walk by a private, checked copy. */
	memcpy(&h, map, sizeof(h));
	if (!sonde__shm_hdr_valid(&h, size))
		return;
	j = calloc(1, sizeof(*j) + h.ncpu * sizeof(struct lap));
	if (!j)
		return;
	j->refs = 2;
	j->map = map;
	j->size = size;
	j->delay_ns = delay_ns;
	j->page = pg > 0 && !(pg & (pg - 1)) ? (size_t)pg : 4096;
	j->ncpu = h.ncpu;
	j->buf_size = (uint64_t)h.subbuf_size * h.nsub;
	j->data_off = h.data_off;
	j->rb_off = h.rb_off;
	j->rb_stride = h.rb_stride;
	allowed(j);
	sigfillset(&all);
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 128 * 1024);
	/* The thread inherits the mask: no signal of the program lands on
	 * it. */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t, &at, prefault_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&at);
	if (r) {
		free(j);
		return;
	}
	/* Named before the caller goes on, for whoever looks at the
	 * process (top -H; a program waiting for the walk to end); detached
	 * only then, for until then `t` stays valid even if the walk is
	 * already over. */
	pthread_setname_np(t, "sonde-prefault");
	pthread_detach(t);
	cur = j;
}

void sonde__prefault_stop(void)
{
	struct job *j = cur;

	cur = NULL;
	cur_map = NULL;
	cur_size = 0;
	if (!j)
		return;
	/* Pairs with enter(): see the top of the file. */
	__atomic_store_n(&j->stop, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&j->active, __ATOMIC_SEQ_CST)) {
		put(j);
		return;
	}
	/* In a chunk: its mapping is not to be unmapped until it leaves. */
	j->next_draining = draining;
	draining = j;
}

int sonde__prefault_quiet(const void *map, size_t size)
{
	const char *lo = map, *hi = lo + size;
	int quiet = 1;

	for (struct job **pp = &draining, *j; (j = *pp);) {
		if (!__atomic_load_n(&j->active, __ATOMIC_ACQUIRE)) {
			/* Stopped and out of its chunk: never again. */
			*pp = j->next_draining;
			put(j);
			continue;
		}
		if (j->map < hi && lo < j->map + j->size)
			quiet = 0;
		pp = &j->next_draining;
	}
	return quiet;
}

void sonde__prefault_start(void *map, size_t size)
{
	sonde__prefault_stop();
	cur_map = map;
	cur_size = size;
	spawn(map, size, 0);
}

void sonde__prefault_atfork_child(void)
{
	/* The parent's threads did not come along: these copies of their
	 * jobs are ours alone, and nothing touches the mappings for them. */
	free(cur);
	cur = NULL;
	while (draining) {
		struct job *j = draining;

		draining = j->next_draining;
		free(j);
	}
	if (cur_map)
		spawn(cur_map, cur_size, CHILD_DELAY_NS);
}

/* Before startup.c's constructor, which may start the first prefault;
 * read once, for the agent's thread must not call getenv(). */
static void __attribute__((constructor(101))) prefault_ctor(void)
{
	const char *v = secure_getenv(SONDE_PREFAULT_ENV);

	enabled = !(v && !strcmp(v, "0"));
}
