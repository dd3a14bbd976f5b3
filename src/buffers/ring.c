// SPDX-License-Identifier: MIT
/*
 * Per-CPU ring buffer: producer slow paths.
 *
 * Design
 * ------
 * A channel has one buffer per CPU in a shared-memory object that the
 * consumer (`sonde record`) creates and every traced process maps.  Each
 * buffer is nsub sub-buffers of subbuf_size bytes (both powers of two); each
 * sub-buffer becomes one CTF packet and starts with the 84-byte packet
 * header + context.  Positions are free-running 64-bit byte counters; the
 * sub-buffer of position p is (p >> subbuf_shift) & (nsub - 1).
 *
 *   buffer of CPU n (data area)
 *   +---------------------+---------------------+-----+---------------------+
 *   | sub-buffer 0        | sub-buffer 1        | ... | sub-buffer nsub-1   |
 *   +---------------------+---------------------+-----+---------------------+
 *   sub-buffer = packet:
 *   +-------------+--------+--------+--------+-----------------+---------+
 *   | pkt header  | thread | record | record | ...             | padding |
 *   | + context   | record |        |        |                 | (0xFD)  |
 *   +-------------+--------+--------+--------+-----------------+---------+
 *   record, compact:   u8 id | u24 timestamp low bits | payload
 *   record, extended:  u8 0xFF | u32 id | u64 timestamp | payload
 *   thread record:     header (id 0) | s32 tid | s32 pid
 *   (constants and the packet header: include/sonde/static/format.h)
 *
 * One-step records (the fast path, sonde__record() in
 * include/sonde/static/ring.h).  The tracepoint serializes its record on the
 * stack, reads its CPU from its rseq area, loads that buffer's offset and
 * the clock (in that order, so records are in timestamp order within a
 * buffer), and runs one restartable sequence that checks it is still on
 * that CPU and that the offset has not moved, copies the record into the
 * buffer and commits offset + len.  The kernel aborts the sequence on
 * preemption, migration or signal delivery (the writer then retries), so no
 * LOCK prefix is needed and a record is never visible half-written: a
 * committed record is complete, an aborted one does not exist.
 *
 * Slow-path records of at most SONDE__FAST_PAYLOAD_MAX payload bytes
 * (thread-change records, extended headers, a packet's first record, a
 * fast path that lost a race) are built on the stack, thread record and
 * header included, and committed in one sequence too: a record that never
 * exists half-written cannot be torn, so no process death can hold a
 * buffer through them.
 *
 *   torn record:  u32 len << 8 | 0xFE | u32 owner pid | ...
 *
 * Two-step records (payloads over SONDE__FAST_PAYLOAD_MAX, and every
 * record on the generic architecture) are reserved, written in place, then
 * committed.  The writer first raises the sub-buffer's `pending` count,
 * then reserves with a sequence that also stores, in the record's first 8
 * bytes, a salvage marker (len << 8 | 0xFE) and its own pid.  It writes
 * the payload, then the header's first 8 bytes last (one store over the
 * marker), then lowers `pending`.  Those 8 bytes are always header: a
 * record its caller writes gets an extended header unless a thread record
 * comes first.  A sub-buffer is complete when the offset has moved past it
 * and its pending count is zero.
 *
 * Process death.  If a writer dies between reserve and commit, its marker
 * tells the consumer how long the torn record is: it is skipped and counted
 * lost.  Its pending count never drops, so writers waiting for that
 * sub-buffer (to reuse it in discard mode, to lap it in overwrite mode)
 * would wait forever: the consumer walks a sub-buffer that stays pending
 * too long, and when every marker in it names a process that is gone, it
 * sets the count to zero (src/sources/consumer.c, reclaim_stuck()).  Writers
 * therefore lower counts without going below zero.  A live writer is
 * always waited for, even a stopped one: its late stores would land in
 * memory given to others.
 *
 * Switch.  A record that does not fit moves the offset to the next
 * sub-buffer in one sequence that also writes the closed packet's end
 * fields (timestamp_end, content_size, events_discarded), the opened
 * packet's timestamp_begin and sequence number, and the 0xFD padding byte:
 * the packet fields are final as soon as the offset shows the switch.  In
 * discard mode the next sub-buffer must have been consumed, else the record
 * is dropped and counted in lost_full; in overwrite mode the writer laps
 * the reader, but never into a sub-buffer with a two-step record in flight.
 *
 * Timestamps.  A compact header keeps the low 24 bits; a reader extends them
 * from the previous record, assuming at most one wrap.  A producer uses it
 * only if (ts >> 24) == (last_ts >> 24), where last_ts is stored after each
 * commit (so a record that never committed cannot vouch for one); a stale
 * last_ts is always older than the true previous record, which only makes
 * the test stricter.  The first record of every packet carries a full
 * timestamp.
 *
 * Threads.  To keep the common record at 4 header bytes, the writer's tid
 * and pid are not in every record: a thread record precedes any record whose
 * writer differs from the buffer's previous writer, and starts each packet.
 * last_tid names the previous writer.  A producer that writes a thread
 * record stores tid | TENTATIVE speculatively inside its reserve sequence
 * and replaces it with tid by compare-and-swap after the commit: a value
 * that may not match the buffer's last record never equals a plain tid, so
 * every reader of last_tid errs towards writing a thread record.
 *
 * Nothing here blocks, allocates, or enters the kernel, except the one-time
 * rseq registration of a thread when glibc did not register one.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

#include "../arch/arch.h"
#include "../common/common.h"
#include "layout.h"
#include "ring.h"

#define MAX_TRIES 64

SONDE__API struct sonde__chan_view *sonde__chan;
SONDE__API __thread struct sonde__thread sonde__self
	__attribute__((tls_model("initial-exec")));

/* Our own rseq area, used only when glibc did not register one. */
struct sonde__rseq_area {
	uint32_t cpu_id_start;
	uint32_t cpu_id;
	uint64_t rseq_cs;
	uint32_t flags;
	uint32_t node_id;
	uint32_t mm_cid;
	uint32_t resv;
} __attribute__((aligned(32)));

static __thread struct sonde__rseq_area own_rseq
	__attribute__((tls_model("initial-exec"))) = { .cpu_id = UINT32_MAX };
static bool use_own_rseq;

/* glibc >= 2.35: its rseq area's offset from the thread pointer, and size. */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

/* The kernel's value for "registration failed" in rseq->cpu_id. */
#define RSEQ_CPU_REGISTRATION_FAILED (UINT32_MAX - 1)

/*
 * Whether the C library registered rseq for its threads.  glibc >= 2.35
 * exports __rseq_offset and __rseq_size (0 when it did not register, e.g.
 * with GLIBC_TUNABLES=glibc.pthread.rseq=0); older glibc and musl export
 * neither, and the weak references are then NULL.
 */
int sonde__rseq_glibc(void)
{
	return &__rseq_size && &__rseq_offset && __rseq_size >= 20;
}

long sonde__rseq_setup(void)
{
#if SONDE__ARCH_HAVE_RSEQ
	if (sonde__rseq_glibc())
		return (long)__rseq_offset;
	use_own_rseq = true;
	return (long)((char *)&own_rseq - (char *)sonde__arch_tp());
#else
	(void)own_rseq;
	(void)use_own_rseq;
	return 0;
#endif
}

uint64_t sonde__clock_now(const struct sonde__chan_view *ch)
{
	struct timespec ts;

	if (ch->clock == SONDE__CLOCK_CYCLES)
		return sonde__arch_cycles();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void thread_ids(void)
{
	sonde__self.tid = (uint64_t)syscall(SYS_gettid);
	sonde__self.pid = (uint32_t)getpid();
}

/*
 * A forked child is a new process whose one thread must not write under its
 * parent's ids: forget them, so the next slow path reads them again.  This
 * belongs to the ring, not to whatever attached the process ($SONDE_SHM or
 * a session daemon), so it is registered for every process that loads the
 * library.
 */
static void forget_ids_in_child(void)
{
	sonde__self.tid = 0;
	sonde__self.pid = 0;
}

static void __attribute__((constructor)) ring_init(void)
{
	pthread_atfork(NULL, NULL, forget_ids_in_child);
}

/* CPU whose buffer this thread writes, or UINT32_MAX if it cannot trace. */
static uint32_t current_cpu(const struct sonde__chan_view *ch)
{
#if SONDE__ARCH_HAVE_RSEQ
	uint32_t cpu = sonde__arch_rseq_cpu(ch->rseq_off);

	if (cpu < ch->ncpu)
		return cpu;
	/* First event of a thread the C library did not register: register
	 * it once; a thread that cannot be registered (another rseq user got
	 * there first) is not tried again on every event. */
	if (use_own_rseq && own_rseq.cpu_id == UINT32_MAX) {
		if (syscall(SYS_rseq, &own_rseq, 32, 0, 0x53053053))
			own_rseq.cpu_id = RSEQ_CPU_REGISTRATION_FAILED;
		cpu = sonde__arch_rseq_cpu(ch->rseq_off);
	}
	return cpu < ch->ncpu ? cpu : UINT32_MAX;
#else
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : (uint32_t)cpu % ch->ncpu;
#endif
}

/*
 * Lower a sub-buffer's pending count, never below zero.  The consumer sets
 * it to zero when it reclaims a sub-buffer from a dead writer
 * (src/sources/consumer.c); a writer that was only stopped between
 * raising the count and reserving, and resumes after that, must not wrap
 * it.  Release: the record before the count; pairs with the consumer's
 * acquire load of pending.  Each failed exchange means another writer
 * changed the count, so the loop ends.
 */
static void pending_put(struct sonde_rb_sub *sub)
{
	uint64_t v = __atomic_load_n(&sub->pending, __ATOMIC_RELAXED);

	while (v && !__atomic_compare_exchange_n(&sub->pending, &v, v - 1,
						 true, __ATOMIC_RELEASE,
						 __ATOMIC_RELAXED))
		;
}

static int cs_reserve(const struct sonde__chan_view *ch, uint32_t cpu,
		      struct sonde_rb_cpu *rb, uint64_t off, uint64_t newoff,
		      uint32_t *mark, uint64_t markv, bool owner, bool thread)
{
#if SONDE__ARCH_HAVE_RSEQ
	/* Every two-step record is 8 bytes or more here (one step takes the
	 * others), so the owner's pid always fits in its first 8 bytes. */
	(void)owner;
	if (thread)
		return sonde__arch_rseq_reserve2(&rb->offset, off, newoff, mark,
						 markv, &rb->last_tid,
						 sonde__self.tid |
							 SONDE__TID_TENTATIVE,
						 cpu, ch->rseq_off);
	return sonde__arch_rseq_reserve(&rb->offset, off, newoff, mark, markv,
					cpu, ch->rseq_off);
#else
	uint32_t pid = (uint32_t)(markv >> 32);

	(void)ch;
	(void)cpu;
	if (thread)
		__atomic_store_n(&rb->last_tid,
				 sonde__self.tid | SONDE__TID_TENTATIVE,
				 __ATOMIC_SEQ_CST);
	if (!__atomic_compare_exchange_n(&rb->offset, &off, newoff, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return 1;
	/* Without rseq the marker can only follow the commit: a process
	 * killed in between leaves a record the consumer cannot walk. */
	if (owner)
		__atomic_store_n(mark + 1, pid, __ATOMIC_RELAXED);
	__atomic_store_n(mark, (uint32_t)markv, __ATOMIC_RELAXED);
	return 0;
#endif
}

/* After a committed thread record: the buffer's last writer is confirmed,
 * unless another writer has claimed it since. */
static void confirm_writer(struct sonde_rb_cpu *rb)
{
	uint64_t expect = sonde__self.tid | SONDE__TID_TENTATIVE;

	__atomic_compare_exchange_n(&rb->last_tid, &expect, sonde__self.tid,
				    false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/* Packet fields written by a switch: 5 of the closed packet, 6 of the new. */
struct switch_fields {
	uint64_t old_ts_end, old_content, old_size, old_seq, old_discarded;
	uint64_t ts_begin, ts_end, content, size, seq, discarded;
};

#define PKT_END_FIELDS SONDE__PKT_TS_END_OFF
#define PKT_BEGIN_FIELDS SONDE__PKT_TS_BEGIN_OFF
/* The switch stores them as runs of consecutive words. */
_Static_assert(offsetof(struct sonde__pkt_hdr, events_discarded) ==
		       PKT_END_FIELDS + 4 * sizeof(uint64_t) &&
	       offsetof(struct sonde__pkt_hdr, events_discarded) ==
		       PKT_BEGIN_FIELDS + 5 * sizeof(uint64_t),
	       "switch_fields match the packet context");

static int cs_switch(const struct sonde__chan_view *ch, uint32_t cpu,
		     struct sonde__cpu_view *cv, uint64_t off, uint64_t newoff,
		     char *old, char *nw, const struct switch_fields *f,
		     uint8_t *mark, uint32_t idx)
{
#if SONDE__ARCH_HAVE_RSEQ
	(void)idx;
	return sonde__arch_rseq_switch(&cv->rb->offset, off, newoff,
				       old + PKT_END_FIELDS,
				       nw + PKT_BEGIN_FIELDS,
				       (const uint64_t *)f, mark, SONDE__ID_PAD,
				       cpu, ch->rseq_off);
#else
	/* Both packets stay pending until their fields are written. */
	uint32_t nidx = (idx + 1) & ch->nsub_mask;

	(void)cpu;
	__atomic_fetch_add(&cv->sub[idx].pending, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&cv->sub[nidx].pending, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_compare_exchange_n(&cv->rb->offset, &off, newoff, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
		pending_put(&cv->sub[nidx]);
		pending_put(&cv->sub[idx]);
		return 1;
	}
	memcpy(old + PKT_END_FIELDS, &f->old_ts_end, 5 * sizeof(uint64_t));
	memcpy(nw + PKT_BEGIN_FIELDS, &f->ts_begin, 6 * sizeof(uint64_t));
	*mark = SONDE__ID_PAD;
	pending_put(&cv->sub[nidx]);
	pending_put(&cv->sub[idx]);
	return 0;
#endif
}

static uint64_t total_lost(struct sonde_rb_cpu *rb)
{
	return __atomic_load_n(&rb->lost_full, __ATOMIC_RELAXED) +
	       __atomic_load_n(&rb->lost_big, __ATOMIC_RELAXED) +
	       __atomic_load_n(&rb->lost_busy, __ATOMIC_RELAXED);
}

/*
 * Close the sub-buffer holding @off and open the next one.  Returns 0 when
 * switched (by us), 1 when the offset moved under us, -ENOSPC when the next
 * sub-buffer is not free.
 */
static int switch_subbuf(const struct sonde__chan_view *ch,
			 struct sonde__cpu_view *cv, uint32_t cpu, uint64_t off,
			 uint64_t ts)
{
	struct sonde_rb_cpu *rb = cv->rb;
	uint32_t in = ((uint32_t)(off - 1) & ch->subbuf_mask) + 1;
	uint64_t start = off - in;
	uint64_t next = start + ch->subbuf_size;
	uint32_t idx = (uint32_t)(start >> ch->subbuf_shift) & ch->nsub_mask;
	uint32_t nidx = (uint32_t)(next >> ch->subbuf_shift) & ch->nsub_mask;
	struct switch_fields f;
	uint8_t *mark;

	if (!ch->overwrite) {
		uint64_t consumed =
			__atomic_load_n(&rb->consumed, __ATOMIC_ACQUIRE);
		if (next + ch->subbuf_size - consumed > ch->buf_mask + 1)
			return -ENOSPC;
	} else if (__atomic_load_n(&cv->sub[nidx].pending, __ATOMIC_ACQUIRE)) {
		return -ENOSPC;
	}
	memset(&f, 0, sizeof(f));
	f.old_ts_end = ts;
	f.old_content = (uint64_t)in * 8;
	f.old_size = (uint64_t)in * 8;
	f.old_seq = start >> ch->subbuf_shift;
	f.old_discarded = total_lost(rb);
	f.ts_begin = ts;
	f.seq = next >> ch->subbuf_shift;
	mark = in < ch->subbuf_size ? (uint8_t *)cv->data + (off & ch->buf_mask)
				    : (uint8_t *)&rb->resv0[0];
	return cs_switch(ch, cpu, cv, off, next + SONDE__PKT_HDR_SIZE,
			 cv->data + (start & ch->buf_mask),
			 cv->data + (next & ch->buf_mask), &f, mark, idx)
		       ? 1
		       : 0;
}

static int flush(struct sonde__chan_view *ch, uint32_t cpu, bool empty)
{
	struct sonde__cpu_view *cv;

	if (cpu >= ch->ncpu)
		return -EINVAL;
	cv = &ch->cpu[cpu];
	for (int tries = 0; tries < MAX_TRIES; tries++) {
		uint64_t off = __atomic_load_n(&cv->rb->offset, __ATOMIC_ACQUIRE);
		uint32_t in = ((uint32_t)(off - 1) & ch->subbuf_mask) + 1;
		int r;

#if SONDE__ARCH_HAVE_RSEQ
		/* The switch is a restartable sequence of this CPU. */
		if (sonde__arch_rseq_cpu(ch->rseq_off) != cpu)
			return -EAGAIN;
#endif
		if (in == SONDE__PKT_HDR_SIZE && !empty)
			return 0; /* no record since the last switch */
		r = switch_subbuf(ch, cv, cpu, off, sonde__clock_now(ch));
		if (r <= 0)
			return r;
	}
	return -EBUSY;
}

int sonde__ring_flush(struct sonde__chan_view *ch, uint32_t cpu)
{
	return flush(ch, cpu, false);
}

int sonde__ring_flush_live(struct sonde__chan_view *ch, uint32_t cpu)
{
	return flush(ch, cpu, true);
}

static char *write_header(char *p, uint32_t id, uint64_t ts, bool compact)
{
	if (compact) {
		uint32_t w = id | (uint32_t)(ts << SONDE__COMPACT_TS_SHIFT);

		memcpy(p, &w, 4);
		return p + 4;
	}
	p[0] = (char)SONDE__ID_EXT;
	memcpy(p + SONDE__EXT_ID_OFF, &id, 4);
	memcpy(p + SONDE__EXT_TS_OFF, &ts, 8);
	return p + SONDE__EXT_HDR;
}

/* How a slow-path record is written. */
enum how {
	ONE_STEP,      /* copied and committed in one sequence (rseq) */
	TWO_STEP_COPY, /* reserved, copied from the caller's buffer, committed */
	TWO_STEP,      /* reserved; the caller writes the payload and commits */
};

/* Thread record + event header at most, then a one-step payload, then
 * the whole words a one-step copy may read past the record. */
#define STAGE_SIZE \
	(2 * SONDE__EXT_HDR + SONDE__THREAD_PAYLOAD + SONDE__FAST_PAYLOAD_MAX + 8)

/*
 * Write a record of event @id with @payload bytes (at @src, unless @how is
 * TWO_STEP) on the current CPU's buffer.  Returns 1 when the record is
 * committed (ONE_STEP), 0 when it is reserved (*@w filled, the payload goes
 * at *@p and sonde__commit() publishes it; TWO_STEP_COPY has written it
 * already), -1 when it was dropped and counted.
 *
 * A record committed in one sequence can never be torn, so every record
 * small enough takes that way, thread-change and extended-header records
 * included.  A two-step record stores its salvage marker and its owner's
 * pid in its first 8 bytes, atomically with the reservation, and those 8
 * bytes are header bytes written last at commit: a record the caller
 * writes itself (TWO_STEP) therefore gets an extended header when no
 * thread record comes first, so that its payload starts past them.
 */
static int write_slow(struct sonde__chan_view *ch, uint32_t id,
		      const void *src, uint32_t payload, enum how how,
		      struct sonde__wctx *w, char **pp)
{
	struct sonde__cpu_view *cv = NULL;
	uint32_t cpu = UINT32_MAX;

	if (!ch)
		return -1;
	if (SONDE__UNLIKELY(!sonde__self.tid))
		thread_ids();
	for (int tries = 0; tries < MAX_TRIES; tries++) {
		uint64_t off, ts, last_ts, last_tid, len64, markv;
		uint32_t in, idx, len, hlen, need, *slot;
		bool pkt_start, thread, compact, evc;
		char stage[STAGE_SIZE] __attribute__((aligned(8)));
		char *p;
		int r;

		cpu = current_cpu(ch);
		if (cpu == UINT32_MAX)
			break;
		cv = &ch->cpu[cpu];
		off = __atomic_load_n(&cv->rb->offset, __ATOMIC_ACQUIRE);
		last_tid = __atomic_load_n(&cv->rb->last_tid, __ATOMIC_ACQUIRE);
		last_ts = __atomic_load_n(&cv->rb->last_ts, __ATOMIC_ACQUIRE);
		ts = sonde__clock_now(ch);
		/* In (0, subbuf_size]: a full sub-buffer stays "in" itself. */
		in = ((uint32_t)(off - 1) & ch->subbuf_mask) + 1;
		pkt_start = in == SONDE__PKT_HDR_SIZE;
		thread = pkt_start || last_tid != sonde__self.tid;
		compact = !pkt_start && !((ts ^ last_ts) >> SONDE__TS_BITS);
		/* After a thread record the event has the same timestamp. */
		evc = (compact || thread) && id <= SONDE__ID_COMPACT_MAX &&
		      (thread || how != TWO_STEP);
		p = stage;
		if (thread) {
			int32_t ids[2] = { (int32_t)sonde__self.tid,
					   (int32_t)sonde__self.pid };

			p = write_header(p, SONDE__THREAD_EVENT_ID, ts, compact);
			_Static_assert(sizeof(ids) == SONDE__THREAD_PAYLOAD,
				       "thread record payload");
			memcpy(p, ids, sizeof(ids));
			p += sizeof(ids);
		}
		p = write_header(p, id, ts, evc);
		hlen = (uint32_t)(p - stage);
		/* Summed in 64 bits: @payload may be UINT32_MAX, "too big".  A
		 * salvage marker holds 24 bits of length. */
		len64 = (uint64_t)hlen + payload;
		if (len64 > ch->subbuf_size - SONDE__PKT_HDR_SIZE ||
		    len64 > SONDE__TORN_LEN_MAX) {
			__atomic_fetch_add(&cv->rb->lost_big, 1,
					   __ATOMIC_RELAXED);
			return -1;
		}
		len = (uint32_t)len64;
		/* A one-step copy stores whole words after the first 4 bytes:
		 * they must stay inside the sub-buffer. */
		need = how == ONE_STEP ? 4 + ((len - 4 + 7) & ~7u) : len;
		if (in + need > ch->subbuf_size) {
			r = switch_subbuf(ch, cv, cpu, off, ts);
			if (r == -ENOSPC) {
				__atomic_fetch_add(&cv->rb->lost_full, 1,
						   __ATOMIC_RELAXED);
				return -1;
			}
			continue;
		}
		if (how != TWO_STEP)
			memcpy(p, src, payload);
		slot = (uint32_t *)(cv->data + (off & ch->buf_mask));
#if SONDE__ARCH_HAVE_RSEQ
		if (how == ONE_STEP) {
			uint32_t first;

			memcpy(&first, stage, 4);
			r = thread ? sonde__arch_rseq_copy_commit2(
					     &cv->rb->offset, off, off + len,
					     slot, first, stage + 4, need - 4,
					     &cv->rb->last_tid,
					     sonde__self.tid |
						     SONDE__TID_TENTATIVE,
					     cpu, ch->rseq_off)
				   : sonde__arch_rseq_copy_commit(
					     &cv->rb->offset, off, off + len,
					     slot, first, stage + 4, need - 4,
					     cpu, ch->rseq_off);
			if (r)
				continue;
			if (thread)
				confirm_writer(cv->rb);
			/* Only committed records may vouch for a compact
			 * timestamp. */
			__atomic_store_n(&cv->rb->last_ts, ts, __ATOMIC_RELAXED);
			return 1;
		}
#endif
		idx = (uint32_t)((off - in) >> ch->subbuf_shift) & ch->nsub_mask;
		/* Raised before the reservation exists, so that a consumer or
		 * a lapping writer that sees it closed also sees it pending. */
		__atomic_fetch_add(&cv->sub[idx].pending, 1, __ATOMIC_SEQ_CST);
		markv = (uint64_t)len << SONDE__TORN_LEN_SHIFT | SONDE__ID_TORN;
		if (len >= 8)
			markv |= (uint64_t)sonde__self.pid
				 << (8 * SONDE__TORN_PID_OFF);
		if (cs_reserve(ch, cpu, cv->rb, off, off + len, slot, markv,
			       len >= 8, thread)) {
			pending_put(&cv->sub[idx]);
			continue;
		}
		if (thread)
			confirm_writer(cv->rb);
		/* Everything but the first 8 bytes now, those at commit.  A
		 * record of 5 to 7 bytes has a 4-byte marker: its bytes past
		 * the header go now, and only the header at commit. */
		memcpy(&w->first, stage, 4);
		if (len >= 8) {
			memcpy(&w->second, stage + 4, 4);
			if ((how == TWO_STEP ? hlen : len) > 8)
				memcpy((char *)slot + 8, stage + 8,
				       (how == TWO_STEP ? hlen : len) - 8);
		} else if ((how == TWO_STEP ? hlen : len) > 4) {
			memcpy((char *)slot + 4, stage + 4,
			       (how == TWO_STEP ? hlen : len) - 4);
		}
		w->slot = slot;
		w->sub = &cv->sub[idx];
		w->rb = cv->rb;
		w->ts = ts;
		w->len = len;
		w->cpu = cpu;
		*pp = (char *)slot + hlen;
		return 0;
	}
	/* Gave up, or this thread has no usable CPU buffer (no rseq, say
	 * under valgrind): counted, on CPU 0's buffer if need be. */
	if (!cv)
		cv = &ch->cpu[0];
	__atomic_fetch_add(&cv->rb->lost_busy, 1, __ATOMIC_RELAXED);
	return -1;
}

char *sonde__reserve_slow(struct sonde__chan_view *ch,
			  const struct sonde_event_desc *d, uint32_t id,
			  uint32_t payload, struct sonde__wctx *w)
{
	char *p;

	(void)d;
	return write_slow(ch, id, NULL, payload, TWO_STEP, w, &p) ? NULL : p;
}

void sonde__commit_slow(struct sonde__wctx *w)
{
	/* Only committed records may vouch for a compact timestamp. */
	__atomic_store_n(&w->rb->last_ts, w->ts, __ATOMIC_RELAXED);
	pending_put(w->sub);
}

void sonde__record_slow(struct sonde__chan_view *ch,
			const struct sonde_event_desc *d, uint32_t id,
			const void *payload, uint32_t len)
{
	struct sonde__wctx w;
	char *p;

	if (len > SONDE__FAST_PAYLOAD_MAX) {
		/* Not from the inline fast path: written by the caller. */
		p = sonde__reserve_slow(ch, d, id, len, &w);
		if (p) {
			memcpy(p, payload, len);
			sonde__commit(&w);
		}
		return;
	}
	if (!write_slow(ch, id, payload, len,
			SONDE__ARCH_HAVE_RSEQ ? ONE_STEP : TWO_STEP_COPY, &w, &p))
		sonde__commit(&w);
}
