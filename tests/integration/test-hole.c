// SPDX-License-Identifier: MIT
/*
 * test-hole emitter: the state a writer of the generic (CAS) build leaves
 * when it dies between reserving its record and storing the salvage
 * marker (src/buffers/ring.c, cs_reserve() without rseq: the offset is
 * moved by compare-and-swap, the owner's pid and the marker are stored
 * after it).  The reserved bytes then hold whatever the sub-buffer held:
 * no marker, no length.  Every record committed around such a "hole"
 * must be kept, and the hole counted lost (test-kill9 random-1 lost a
 * whole thread's events, "0 lost", when one thread was preempted in that
 * window and the process was killed before it ran again).
 *
 *   test-hole MODE K
 *     start       the hole is the packet's first record (37 bytes: an
 *                 extended thread record and a compact event), then K events
 *     middle      K events, a hole of 28 bytes (thread-change record and
 *                 event), K events
 *     middle-pid  as middle, killed after the owner's pid was stored (it
 *                 is stored before the marker)
 *     same        K events, one more by the helper thread, a 16-byte hole
 *                 of the helper (no thread record: it wrote the previous
 *                 record), K events
 *     end         K events, then the hole, last in the buffer
 *     reopened    K events, then a switch whose opener wrote the new
 *                 packet's fields after the next switch closed it (two
 *                 writers of the generic build, the opener preempted
 *                 between its compare-and-swap and its stores): the
 *                 closed packet's content_size is 0, its records end at
 *                 the closer's padding byte; then K events, and the
 *                 program exits (no kill): every record must be kept
 *
 * Everything runs on CPU 0, so all records share one buffer; a helper
 * thread makes the hole as cs_reserve() would (pending count raised,
 * last_tid set tentatively, offset moved), then the process kills itself.
 * The hole is made from the outside, so the test is deterministic in
 * every build (rseq or generic): what it checks is the consumer.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(hole, ev,
	SONDE_TP_ARGS(uint32_t, phase, uint64_t, seq),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint32_t, phase, phase)
		sonde_field_integer(uint64_t, seq, seq)))

struct hole {
	uint32_t len;
	int with_pid;
	int same_thread;
	uint32_t k;
};

/* cs_reserve() of the generic build, cut short after the compare-and-swap
 * (and, with_pid, after the owner's pid). */
static void make_hole(const struct hole *h)
{
	struct sonde__chan_view *ch = sonde__chan_get();
	struct sonde__cpu_view *cv = &ch->cpu[0];
	uint64_t off = __atomic_load_n(&cv->rb->offset, __ATOMIC_ACQUIRE);
	uint32_t in = ((uint32_t)(off - 1) & ch->subbuf_mask) + 1;
	uint32_t idx = (uint32_t)((off - in) >> ch->subbuf_shift) & ch->nsub_mask;
	uint64_t tid = (uint64_t)syscall(SYS_gettid);

	if (in + h->len > ch->subbuf_size) {
		fprintf(stderr, "test-hole: no room for the hole\n");
		exit(2);
	}
	__atomic_fetch_add(&cv->sub[idx].pending, 1, __ATOMIC_SEQ_CST);
	if (!h->same_thread)
		__atomic_store_n(&cv->rb->last_tid, tid | SONDE__TID_TENTATIVE,
				 __ATOMIC_SEQ_CST);
	if (!__atomic_compare_exchange_n(&cv->rb->offset, &off, off + h->len,
					 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
		fprintf(stderr, "test-hole: offset moved\n");
		exit(2);
	}
	if (h->with_pid)
		__atomic_store_n((uint32_t *)(void *)(cv->data +
						      (off & ch->buf_mask)) + 1,
				 (uint32_t)getpid(), __ATOMIC_RELAXED);
}

/*
 * Two switches of the generic build, the first one's opener late: the
 * packet at the offset is closed (end fields, padding byte), the next one
 * opened, and only then the first opener's begin fields land on the
 * packet just closed: timestamps, content_size and packet_size 0.  The
 * packet stays pending meanwhile, as the writers' counts keep it.
 */
static void reopen(void)
{
	struct sonde__chan_view *ch = sonde__chan_get();
	struct sonde__cpu_view *cv = &ch->cpu[0];
	uint64_t off = __atomic_load_n(&cv->rb->offset, __ATOMIC_ACQUIRE);
	uint32_t in = ((uint32_t)(off - 1) & ch->subbuf_mask) + 1;
	uint64_t start = off - in, next = start + ch->subbuf_size;
	uint32_t idx = (uint32_t)(start >> ch->subbuf_shift) & ch->nsub_mask;
	uint32_t nidx = (idx + 1) & ch->nsub_mask;
	uint8_t *old = (uint8_t *)cv->data + (start & ch->buf_mask);
	uint8_t *nw = (uint8_t *)cv->data + (next & ch->buf_mask);
	uint64_t end_f[5] = { 1, (uint64_t)in * 8, (uint64_t)in * 8,
			      start >> ch->subbuf_shift, 0 };
	uint64_t begin_f[6] = { 0 };

	if (in >= ch->subbuf_size) {
		fprintf(stderr, "test-hole: sub-buffer full already\n");
		exit(2);
	}
	__atomic_fetch_add(&cv->sub[idx].pending, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&cv->sub[nidx].pending, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_compare_exchange_n(&cv->rb->offset, &off,
					 next + SONDE__PKT_HDR_SIZE, 0,
					 __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
		fprintf(stderr, "test-hole: offset moved\n");
		exit(2);
	}
	/* The closer: end fields of the old packet (its last timestamp
	 * taken from the packet's begin), its padding byte. */
	memcpy(&end_f[0], old + SONDE__PKT_TS_BEGIN_OFF, 8);
	memcpy(old + SONDE__PKT_TS_END_OFF, end_f, sizeof(end_f));
	old[in] = SONDE__ID_PAD;
	/* The new packet's own fields, by the same writer. */
	begin_f[0] = end_f[0];
	begin_f[4] = next >> ch->subbuf_shift;
	memcpy(nw + SONDE__PKT_TS_BEGIN_OFF, begin_f, sizeof(begin_f));
	/* The late opener of the old packet. */
	begin_f[4] = start >> ch->subbuf_shift;
	memcpy(old + SONDE__PKT_TS_BEGIN_OFF, begin_f, sizeof(begin_f));
	__atomic_fetch_sub(&cv->sub[nidx].pending, 1, __ATOMIC_RELEASE);
	__atomic_fetch_sub(&cv->sub[idx].pending, 1, __ATOMIC_RELEASE);
}

static void *helper(void *arg)
{
	const struct hole *h = arg;

	if (h->same_thread)
		sonde_tracepoint(hole, ev, 0, h->k);
	make_hole(h);
	return NULL;
}

int main(int argc, char **argv)
{
	struct hole h = { 28, 0, 0, 0 };
	int before = 1, after = 1, reopened = 0;
	cpu_set_t cpus;
	pthread_t th;
	uint32_t k;

	if (argc != 3) {
		fprintf(stderr, "usage: test-hole start|middle|middle-pid|same|end|reopened K\n");
		return 2;
	}
	k = (uint32_t)atoi(argv[2]);
	if (!strcmp(argv[1], "start")) {
		h.len = 37;
		before = 0;
	} else if (!strcmp(argv[1], "middle-pid")) {
		h.with_pid = 1;
	} else if (!strcmp(argv[1], "same")) {
		h.len = 16;
		h.same_thread = 1;
	} else if (!strcmp(argv[1], "end")) {
		after = 0;
	} else if (!strcmp(argv[1], "reopened")) {
		reopened = 1;
	} else if (strcmp(argv[1], "middle")) {
		fprintf(stderr, "test-hole: unknown mode %s\n", argv[1]);
		return 2;
	}
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		perror("test-hole: sched_setaffinity");
		return 2;
	}
	if (!sonde_tracepoint_enabled(hole, ev)) {
		fprintf(stderr, "test-hole: not recording\n");
		return 2;
	}
	for (uint32_t i = 0; before && i < k; i++)
		sonde_tracepoint(hole, ev, 0, i);
	h.k = k;
	if (reopened)
		reopen();
	else if (pthread_create(&th, NULL, helper, &h))
		return 4;
	else
		pthread_join(th, NULL);
	for (uint32_t i = 0; after && i < k; i++)
		sonde_tracepoint(hole, ev, 1, i);
	if (reopened)
		return 0;
	raise(SIGKILL);
	return 3;
}
