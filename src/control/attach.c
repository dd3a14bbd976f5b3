// SPDX-License-Identifier: MIT
/*
 * Process side of tracer control: at load time, if $SONDE_SHM names a
 * session's shared-memory file (set by `sonde record` for the command it
 * runs and inherited by its children), map it, build the process-local
 * channel view the inline hot path reads, and enable matching tracepoints.
 * Without $SONDE_SHM nothing is mapped here and every tracepoint stays
 * disabled until a session daemon attaches the process (agent.c).  Nothing
 * here ever waits for another process.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../buffers/layout.h"
#include "../buffers/ring.h"
#include "../instrumentation/registry.h"
#include "attach.h"
#include "prefault.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int by_env; /* attached to the session of $SONDE_SHM */

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

int sonde__channel_map(int fd, int named, struct sonde__channel *out)
{
	struct sonde__shm_hdr *h;
	struct stat st;
	void *map;

	if (fstat(fd, &st))
		return -errno;
	/* A named file must be private to us; a memfd has no name to reach. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (named && (st.st_mode & 077)) || st.st_size < (off_t)sizeof(*h) ||
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

static void attach_once(void)
{
	const char *path = getenv(SONDE_SHM_ENV);
	struct sonde__channel c;
	int fd, r;

	if (!path || !*path)
		return;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		sonde__logf(SONDE_LOG_WARN,
			    "Cannot open the session; tracing off. path=%s errno=%d",
			    path, errno);
		return;
	}
	r = sonde__channel_map(fd, 1, &c);
	close(fd);
	if (r) {
		sonde__logf(SONDE_LOG_WARN,
			    "Session file rejected; tracing off. path=%s err=%d",
			    path, r);
		return;
	}
	__atomic_fetch_add(&c.h->nr_procs, 1, __ATOMIC_RELAXED);
	by_env = 1;
	if (sonde__registry_attach(c.h, c.view, c.h->patterns)) {
		sonde__logf(SONDE_LOG_WARN, "Out of memory; tracing off.");
		return;
	}
	sonde__prefault_start(c.h, c.size);
	pthread_atfork(NULL, NULL, sonde__prefault_atfork_child);
}

int sonde__attached_by_env(void)
{
	return by_env;
}

void sonde__attach(void)
{
	pthread_once(&once, attach_once);
}

static void __attribute__((constructor)) attach_ctor(void)
{
	sonde__attach();
}
