/* SPDX-License-Identifier: MIT */
/*
 * Inline reserve/commit fast path of the per-CPU ring buffer, and the
 * shared-memory structures it touches.  These structures are ABI between
 * instrumented programs, libsonde and the consumer (`sonde record`): change
 * them only together with SONDE__ABI_VERSION.  The design is described at
 * the top of src/buffers/ring.c.
 *
 * The record and packet layouts are include/sonde/static/format.h's.
 *
 * The fast path handles the common case only: a compact header, the same
 * writing thread as the previous record on this CPU's buffer, the record
 * fits in the current sub-buffer, rseq available.  Everything else
 * (thread-change records, extended timestamps, sub-buffer switches, drops,
 * fallbacks) is sonde__reserve_slow().
 */
#ifndef SONDE_STATIC_RING_H
#define SONDE_STATIC_RING_H

#include <stdint.h>
#include <string.h>
#include <sonde/static/arch.h>
#include <sonde/static/format.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SONDE__API __attribute__((visibility("default")))
#define SONDE__LIKELY(x) __builtin_expect(!!(x), 1)
#define SONDE__UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Slow paths: out of line in libsonde; cold so callers lay them out of the way. */
#define SONDE__COLD __attribute__((cold))

#define SONDE__ABI_VERSION 6u
/* Largest payload serialized on the stack and committed in one sequence. */
#define SONDE__FAST_PAYLOAD_MAX 248u

/* Set in sonde_rb_cpu.last_tid while a thread-change record is unconfirmed. */
#define SONDE__TID_TENTATIVE (1ull << 63)

#define SONDE__CLOCK_CYCLES 0u
#define SONDE__CLOCK_MONOTONIC 1u

/* Control block of one CPU's buffer, in shared memory (ABI). */
struct sonde_rb_cpu {
	/* Written by producers on this CPU. */
	uint64_t offset;   /* free-running reserve position in bytes */
	uint64_t last_ts;  /* timestamp of some committed record, <= latest */
	uint64_t last_tid; /* writer of the latest record, see ring.c */
	uint64_t resv0[5];
	/* Written by the consumer. */
	uint64_t consumed; /* free-running read position in bytes */
	uint64_t resv1[7];
	/* Loss counters, written by producers' slow paths (atomic adds). */
	uint64_t lost_full; /* discard mode: next sub-buffer not consumed */
	uint64_t lost_big;  /* record larger than a sub-buffer */
	uint64_t lost_busy; /* gave up after bounded retries, or torn */
	uint64_t resv2[5];
};

/*
 * Per sub-buffer state (ABI): records written in two steps (reserve, then
 * commit) that are still in flight.  Records written in one restartable
 * sequence are never in flight.
 */
struct sonde_rb_sub {
	uint64_t pending;
	uint64_t resv;
};

/* Process-local view of a mapped channel. */
struct sonde__cpu_view {
	struct sonde_rb_cpu *rb;
	struct sonde_rb_sub *sub;
	char *data;
	uint64_t resv;
};

struct sonde__chan_view {
	uint32_t subbuf_size; /* power of two */
	uint32_t subbuf_mask;
	uint32_t subbuf_shift;
	uint32_t nsub_mask;   /* number of sub-buffers - 1 */
	uint64_t buf_mask;    /* subbuf_size * nsub - 1 */
	uint32_t ncpu;        /* CPUs with a buffer */
	uint32_t ncpu_fast;   /* ncpu when the inline fast path may run, else 0 */
	uint32_t clock;
	uint32_t overwrite;
	long rseq_off;        /* thread pointer to struct rseq */
	struct sonde__cpu_view *cpu; /* ncpu entries, right after this struct */
};

/* Per-thread state, reset in the child after fork(). */
struct sonde__thread {
	uint64_t tid; /* 0 until the first slow path on this thread */
	uint32_t pid;
	uint32_t resv;
};

SONDE__API extern struct sonde__chan_view *sonde__chan;
SONDE__API extern __thread struct sonde__thread sonde__self
	__attribute__((tls_model("initial-exec")));

/* A reservation in flight between reserve and commit. */
struct sonde__wctx {
	uint32_t *slot;                 /* first word, written last */
	struct sonde_rb_sub *sub;       /* its sub-buffer */
	struct sonde_rb_cpu *rb;
	uint64_t ts;
	uint32_t first;                 /* value of the first word */
	uint32_t len;                   /* bytes reserved */
	uint32_t cpu;
	uint32_t second;                /* bytes 4..8, when len >= 8 */
	long rseq_off;
};

struct sonde_event_desc;

SONDE__API SONDE__COLD char *sonde__reserve_slow(struct sonde__chan_view *ch,
				     const struct sonde_event_desc *d,
				     uint32_t id, uint32_t payload,
				     struct sonde__wctx *w);
SONDE__API SONDE__COLD void sonde__commit_slow(struct sonde__wctx *w);
SONDE__API SONDE__COLD void sonde__record_slow(struct sonde__chan_view *ch,
				   const struct sonde_event_desc *d,
				   uint32_t id, const void *payload,
				   uint32_t len);

/*
 * The channel a site records into, loaded once per event and BEFORE the
 * site's id: a process that leaves one session's channel for another
 * stores the new ids before it publishes the new channel, and first turns
 * the old channel's mapping into private memory, so a writer that raced
 * with the change writes either nowhere that matters or the right id into
 * the right channel (src/control/agent.c).
 */
static inline struct sonde__chan_view *sonde__chan_get(void)
{
	return __atomic_load_n(&sonde__chan, __ATOMIC_ACQUIRE);
}

/*
 * Record an event (id at @idp, loaded after the channel) whose @payload
 * bytes were serialized at @rec (8-byte
 * aligned, with room up to the next multiple of 8).  The common case is one
 * restartable sequence on this CPU's buffer that copies the record and
 * commits it: the same writing thread as the buffer's previous record, a
 * compact header, room in the current sub-buffer.  Anything else goes to
 * sonde__record_slow().  Context: any thread, signal handlers included;
 * never blocks, allocates or enters the kernel.
 */
static inline __attribute__((always_inline)) void
sonde__record_in(struct sonde__chan_view *ch, const struct sonde_event_desc *d,
		 uint32_t id, const uint64_t *rec, uint32_t payload);

static inline void sonde__record(const struct sonde_event_desc *d,
				 const uint32_t *idp, uint64_t *rec,
				 uint32_t payload)
{
	struct sonde__chan_view *ch = sonde__chan_get();

	sonde__record_in(ch, d, __atomic_load_n(idp, __ATOMIC_RELAXED), rec,
			 payload);
}

/*
 * The same into channel @ch with id @id (loaded by the caller, after the
 * channel): the out-of-line path of a site (registry.c) records into each
 * session this way.  Always inlined, so that sonde__record() is the code
 * it was before it called this.
 */
static inline __attribute__((always_inline)) void
sonde__record_in(struct sonde__chan_view *ch, const struct sonde_event_desc *d,
		 uint32_t id, const uint64_t *rec, uint32_t payload)
{
#if SONDE__ARCH_HAVE_RSEQ
	/* The thread's rseq area, glibc's or libsonde's own (a C library
	 * without __rseq_offset, or one told not to register): taken from the
	 * channel, never from the weak symbol, which may be absent. */
	long rseq_off = ch->rseq_off;
	uint32_t len = payload + SONDE__COMPACT_HDR;
	uint32_t n8 = payload ? (payload + 7) & ~7u : 8;
	uint32_t cpu = sonde__arch_rseq_cpu(rseq_off);
	struct sonde__cpu_view *cv;
	struct sonde_rb_cpu *rb;
	uint64_t off, ts, last_ts;
	uint32_t in, hdr;

	if (SONDE__UNLIKELY(cpu >= ch->ncpu_fast))
		goto slow;
	cv = (struct sonde__cpu_view *)(ch + 1) + cpu;
	rb = cv->rb;
	/*
	 * Read the offset before last_tid, last_ts and the clock: the commit
	 * below succeeds only if no record was reserved on this CPU since, so
	 * what we read describes the record that precedes ours.
	 */
	off = __atomic_load_n(&rb->offset, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	/* In (0, subbuf_size]: a full sub-buffer is not the next one's 0. */
	in = ((uint32_t)(off - 1) & ch->subbuf_mask) + 1;
	if (SONDE__UNLIKELY(in == SONDE__PKT_HDR_SIZE ||
			    in + SONDE__COMPACT_HDR + n8 > ch->subbuf_size ||
			    id > SONDE__ID_COMPACT_MAX ||
			    __atomic_load_n(&rb->last_tid, __ATOMIC_RELAXED) !=
				    sonde__self.tid))
		goto slow;
	last_ts = __atomic_load_n(&rb->last_ts, __ATOMIC_RELAXED);
	ts = sonde__arch_cycles();
	if (SONDE__UNLIKELY((ts ^ last_ts) >> SONDE__TS_BITS))
		goto slow;
	hdr = id | (uint32_t)(ts << SONDE__COMPACT_TS_SHIFT);
	if (SONDE__UNLIKELY(sonde__arch_rseq_copy_commit(
		    &rb->offset, off, off + len, cv->data + (off & ch->buf_mask),
		    hdr, rec, n8, cpu, rseq_off)))
		goto slow;
	/* Only committed records may vouch for a compact timestamp. */
	__atomic_store_n(&rb->last_ts, ts, __ATOMIC_RELAXED);
	return;
slow:
#endif
	sonde__record_slow(ch, d, id, rec, payload);
}

/*
 * Publish a two-step reservation (sonde__reserve_slow()): the first 8 bytes
 * (header) are written last, over the salvage marker and its owner's pid,
 * so that a record cut short by the death of its process is recognized as
 * torn, with the process to ask about.
 */
static inline void sonde__commit(struct sonde__wctx *w)
{
	/* Release: orders the payload before the header; pairs with the
	 * consumer's acquire loads (pending count, then the record). */
	if (w->len >= 8) {
#if SONDE__ARCH_HAVE_RSEQ
		/* One store: the marker never shows with half a header. */
		__atomic_store_n((uint64_t *)(void *)w->slot,
				 w->first | (uint64_t)w->second << 32,
				 __ATOMIC_RELEASE);
#else
		__atomic_store_n(w->slot + 1, w->second, __ATOMIC_RELAXED);
		__atomic_store_n(w->slot, w->first, __ATOMIC_RELEASE);
#endif
	} else {
		__atomic_store_n(w->slot, w->first, __ATOMIC_RELEASE);
	}
	sonde__commit_slow(w);
}

#ifdef __cplusplus
}
#endif

#endif /* SONDE_STATIC_RING_H */
