// SPDX-License-Identifier: MIT
/*
 * Process side of tracer control: at load time, if $SONDE_SHM names a
 * session's buffers (set by `sonde record` for the command it runs and
 * inherited by its children; several sessions under nested `sonde
 * record`s), map them, build the process-local channel views (the first
 * one's read by the inline hot path), and enable matching tracepoints.
 * Without $SONDE_SHM nothing is mapped here and every tracepoint stays
 * disabled until a session daemon attaches the process (agent.c).  Nothing
 * here ever waits for another process.
 *
 * Trust boundary: the environment, and the descriptor it names.
 * $SONDE_SHM is read with secure_getenv() (a setuid or otherwise secure
 * process ignores it) and only as "fd:N": nothing in the environment names
 * a path, so no error can tell whether some file exists.  Descriptor N
 * must be a regular file of our user sealed with SONDE__SHM_SEALS (a memfd
 * of the consumer: nobody, not even a sibling of the same session, can
 * shrink it under the processes that map it), of a plausible size, with a
 * valid header; anything else turns tracing off (logged).
 *
 * The descriptor, for the children: a child made by fork() inherits the
 * mapping; one that execs needs the descriptor.  So the process keeps it,
 * inherited across exec, moved to SONDE__SHM_FD_MIN or above (out of the
 * way of the low numbers a program closes, reuses or dup2()s over), closes
 * the number it inherited, and rewrites $SONDE_SHM for its children.  The
 * setenv() runs in libsonde's constructor, before main() and before any
 * thread of the program; a libsonde loaded later by dlopen() does it then,
 * and a thread of the program reading the environment at that moment is
 * the program's race.  A program that closes every descriptor before it
 * execs (a daemon that sanitizes itself) loses tracing in what it execs,
 * as with any inherited descriptor: those children run untraced, with a
 * warning in the log.
 *
 * Process names: a process announces its pid and comm in the channel's
 * process log (layout.h) when it attaches, which a new image does after
 * exec, and in the child after fork(), before it can write a record, so
 * the consumer names every process by what it runs (sonde__proc_announce()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../buffers/layout.h"
#include "../buffers/ring.h"
#include "../instrumentation/registry.h"
#include "attach.h"
#include "prefault.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int by_env; /* attached to the sessions of $SONDE_SHM */
/* Those sessions' channels, once attached: env_chan[i] is registry slot
 * i (SONDE__SLOTS at most, the first one the inline path's). */
static struct sonde__channel env_chan[SONDE__SLOTS];
static unsigned env_nchan;

void sonde__proc_announce(struct sonde__shm_hdr *h,
			  const struct sonde__chan_view *ch)
{
	struct sonde__proc_ent *e;
	char comm[SONDE__COMM_LEN + 1] = "";
	uint32_t i;

	/* The calling thread's name: in a constructor the main thread's, in
	 * a fork child its only thread's, the process's comm either way. */
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	i = __atomic_fetch_add(&h->proc_head, 1, __ATOMIC_RELAXED);
	e = &h->procs[i & (SONDE__PROC_LOG_NR - 1)];
	__atomic_store_n(&e->seq, 0, __ATOMIC_RELAXED);
	/* Orders seq = 0 before the fields; pairs with the consumer's
	 * acquire fence between its copy and its second read of seq. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&e->pid, (int32_t)getpid(), __ATOMIC_RELAXED);
	__atomic_store_n(&e->ts, sonde__clock_now(ch), __ATOMIC_RELAXED);
	for (uint32_t k = 0; k < SONDE__COMM_LEN; k++)
		__atomic_store_n(&e->comm[k], comm[k], __ATOMIC_RELAXED);
	/* Publishes the fields; pairs with the consumer's acquire load. */
	__atomic_store_n(&e->seq, i + 1, __ATOMIC_RELEASE);
}

static void env_atfork_child(void)
{
	for (unsigned i = 0; i < env_nchan; i++)
		sonde__proc_announce(env_chan[i].h, env_chan[i].view);
	sonde__prefault_atfork_child();
}

int sonde__shm_hdr_valid(const struct sonde__shm_hdr *h, uint64_t size)
{
	uint64_t data;

	if (size < sizeof(*h) || h->magic != SONDE__SHM_MAGIC ||
	    h->abi_version != SONDE__ABI_VERSION || h->hdr_size != sizeof(*h) ||
	    h->total_size != size || !h->ncpu || h->ncpu > 65536 ||
	    h->nsub < 2 || (h->nsub & (h->nsub - 1)) ||
	    h->subbuf_size < 4096 || (h->subbuf_size & (h->subbuf_size - 1)))
		return 0;
	data = (uint64_t)h->ncpu * h->subbuf_size * h->nsub;
	return h->rb_off >= sizeof(*h) &&
	       h->rb_stride >= sizeof(struct sonde_rb_cpu) +
				       h->nsub * sizeof(struct sonde_rb_sub) &&
	       h->reg_off >= h->rb_off + h->ncpu * h->rb_stride &&
	       h->data_off >= h->reg_off + h->reg_size &&
	       h->data_off + data == size &&
	       memchr(h->patterns, 0, sizeof(h->patterns));
}

struct sonde__chan_view *sonde__view_create(struct sonde__shm_hdr *h)
{
	struct sonde__chan_view *ch =
		calloc(1, sizeof(*ch) + h->ncpu * sizeof(struct sonde__cpu_view));

	if (!ch)
		return NULL;
	/* The fast path indexes the array right after the struct. */
	ch->cpu = (struct sonde__cpu_view *)(ch + 1);
	ch->subbuf_size = h->subbuf_size;
	ch->subbuf_mask = h->subbuf_size - 1;
	ch->subbuf_shift = (uint32_t)__builtin_ctz(h->subbuf_size);
	ch->nsub_mask = h->nsub - 1;
	ch->buf_mask = (uint64_t)h->subbuf_size * h->nsub - 1;
	ch->ncpu = h->ncpu;
	ch->clock = h->clock;
	ch->overwrite = h->overwrite;
	ch->rseq_off = sonde__rseq_setup();
	/* The fast path reads the CPU from whichever rseq area the thread
	 * has (glibc's or libsonde's own); it needs the cycle counter. */
	ch->ncpu_fast = SONDE__ARCH_HAVE_RSEQ && h->clock == SONDE__CLOCK_CYCLES
				? h->ncpu
				: 0;
	for (uint32_t i = 0; i < h->ncpu; i++) {
		ch->cpu[i].rb = sonde__shm_rb(h, i);
		ch->cpu[i].sub = sonde__rb_subs(ch->cpu[i].rb);
		ch->cpu[i].data = sonde__shm_data(h, i);
	}
	return ch;
}

int sonde__channel_map(int fd, struct sonde__channel *out)
{
	struct sonde__shm_hdr *h;
	struct stat st;
	int seals;
	void *map;

	if (fstat(fd, &st))
		return -errno;
	/* Unsealed, it could be truncated under us: SIGBUS at any write.
	 * F_GET_SEALS fails on anything but a memfd or shmem file, and a
	 * named shmem file can never get these seals. */
	seals = fcntl(fd, F_GET_SEALS);
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || seals < 0 ||
	    (seals & SONDE__SHM_SEALS) != SONDE__SHM_SEALS ||
	    st.st_size < (off_t)sizeof(*h) ||
	    (uint64_t)st.st_size > (1ull << 46))
		return -EPERM;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	h = map;
	if (!sonde__shm_hdr_valid(h, (uint64_t)st.st_size)) {
		munmap(map, (size_t)st.st_size);
		return -EINVAL;
	}
	out->view = sonde__view_create(h);
	if (!out->view) {
		munmap(map, (size_t)st.st_size);
		return -ENOMEM;
	}
	out->h = h;
	out->size = (size_t)st.st_size;
	return 0;
}

/* The descriptor of "fd:N", or -1. */
static int parse_fd(const char *v)
{
	long n = 0;

	if (strncmp(v, "fd:", 3) || !v[3])
		return -1;
	for (v += 3; *v; v++) {
		if (*v < '0' || *v > '9' || n > INT_MAX / 10)
			return -1;
		n = n * 10 + (*v - '0');
	}
	return n > INT_MAX ? -1 : (int)n;
}

/*
 * Keep the session's descriptor @fd for the children that exec (see the
 * top of this file): at SONDE__SHM_FD_MIN or above, without FD_CLOEXEC.
 * Where RLIMIT_NOFILE leaves no such number it stays where it is.
 * Returns the number kept.
 */
static int keep_for_children(int fd)
{
	int kept = fd, fl;

	if (fd < SONDE__SHM_FD_MIN) {
		kept = fcntl(fd, F_DUPFD, SONDE__SHM_FD_MIN);
		if (kept < 0)
			kept = fd;
		else
			close(fd);
	}
	fl = fcntl(kept, F_GETFD);
	if (fl >= 0 && (fl & FD_CLOEXEC))
		fcntl(kept, F_SETFD, fl & ~FD_CLOEXEC);
	return kept;
}

/*
 * $SONDE_SHM is "fd:N", or, under nested `sonde record`s (each records
 * the command it runs, the outer ones too), "fd:N,fd:M,..." from the
 * outermost session in: each is a session of its own, registry slot i
 * (at most SONDE__SLOTS; more are ignored, logged).  A session whose
 * descriptor is rejected is left out, the others recorded.
 */
static void attach_once(void)
{
	const char *v = secure_getenv(SONDE_SHM_ENV);
	char env[SONDE__SLOTS * 16], item[24];
	size_t used = 0;
	unsigned n = 0;

	if (!v || !*v)
		return;
	while (*v) {
		const char *comma = strchr(v, ',');
		size_t len = comma ? (size_t)(comma - v) : strlen(v);
		struct sonde__channel c;
		int fd, r;

		if (len >= sizeof(item) || n == SONDE__SLOTS) {
			sonde__logf(SONDE_LOG_WARN,
				    "SONDE_SHM names too many sessions, or one is not fd:N; the rest are not recorded. slots=%d",
				    SONDE__SLOTS);
			break;
		}
		memcpy(item, v, len);
		item[len] = 0;
		v += len + (comma ? 1 : 0);
		fd = parse_fd(item);
		if (fd < 0) {
			sonde__logf(SONDE_LOG_WARN,
				    "SONDE_SHM is not fd:N; that session is not recorded.");
			continue;
		}
		r = sonde__channel_map(fd, &c);
		if (r) {
			sonde__logf(SONDE_LOG_WARN,
				    "Session descriptor rejected; that session is not recorded. fd=%d err=%d",
				    fd, r);
			continue;
		}
		fd = keep_for_children(fd);
		used += (size_t)snprintf(env + used, sizeof(env) - used,
					 "%sfd:%d", used ? "," : "", fd);
		__atomic_fetch_add(&c.h->nr_procs, 1, __ATOMIC_RELAXED);
		/* Before any tracepoint of ours can write there. */
		sonde__proc_announce(c.h, c.view);
		if (sonde__registry_attach_slot(n, c.h, c.view, c.h->patterns)) {
			sonde__logf(SONDE_LOG_WARN,
				    "Out of memory; a session is not recorded.");
			continue;
		}
		/* The inline path's channel is prefaulted; the others are
		 * written through the slow path, which takes its faults. */
		if (!n)
			sonde__prefault_start(c.h, c.size);
		env_chan[n++] = c;
	}
	if (!n)
		return;
	env_nchan = n;
	by_env = 1;
	if (setenv(SONDE_SHM_ENV, env, 1))
		sonde__logf(SONDE_LOG_WARN,
			    "Cannot name the sessions for children; they run untraced. errno=%d",
			    errno);
	pthread_atfork(NULL, NULL, env_atfork_child);
}

int sonde__attached_by_env(void)
{
	return by_env;
}

void sonde__attach(void)
{
	pthread_once(&once, attach_once);
}
