// SPDX-License-Identifier: MIT
/*
 * test-shm-hostile emitter: a traced process that writes nonsense into the
 * session's shared memory, where `sonde record` (the consumer) reads it.
 *
 *   test-shm-hostile CASE N
 *
 * The process runs on one CPU (the first it may run on), emits
 * hostile:ev seq 0 .. N/2-1, overwrites one value of the shared memory
 * (CASE, below), then emits seq N/2 .. N-1 and exits 0.  The values of the
 * header are changed for every CPU; those of a CPU buffer for another CPU
 * than its own (the "victim"), so that the consumer must keep recording
 * this well-behaved writer's buffer while it gives up on the victim's.
 * Exit 77 when a case needs a victim and the machine has one CPU buffer.
 *
 *   hdr-nsub     header: nsub = 1 << 20
 *   hdr-ncpu     header: ncpu = 65536
 *   hdr-subbuf0  header: subbuf_size = 0
 *   hdr-offsets  header: rb_off, reg_off, data_off = 1 << 62
 *   offset       victim: reserve position 1 << 62
 *   offset-back  victim: reserve position behind what was consumed
 *   content      victim: a closed packet whose content_size is 1 << 40 bits
 *   registry     registry: reg_used past the registry, an entry of 1 GiB
 *
 * The header is found from the channel view libsonde built at attach time
 * (whatever way the session was passed), not from $SONDE_SHM.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

#include "../../src/buffers/layout.h"

SONDE_TRACEPOINT_EVENT(hostile, ev,
	SONDE_TP_ARGS(uint32_t, seq),
	SONDE_TP_FIELDS(sonde_field_integer(uint32_t, seq, seq)))

/* Where struct sonde_rb_cpu of CPU 0 starts (src/sources/consumer.c). */
#define RB_OFF ((sizeof(struct sonde__shm_hdr) + 63) & ~(size_t)63)

static uint32_t victim_of(const struct sonde__chan_view *ch, uint32_t self)
{
	for (uint32_t c = 0; c < ch->ncpu; c++)
		if (c != self)
			return c;
	return UINT32_MAX;
}

static int corrupt(const char *what, struct sonde__chan_view *ch,
		   uint32_t self)
{
	struct sonde__shm_hdr *h =
		(struct sonde__shm_hdr *)((char *)ch->cpu[0].rb - RB_OFF);
	uint32_t v = victim_of(ch, self);
	struct sonde__pkt_hdr *ph;

	if (!strcmp(what, "hdr-nsub")) {
		h->nsub = 1u << 20;
	} else if (!strcmp(what, "hdr-ncpu")) {
		h->ncpu = 65536;
	} else if (!strcmp(what, "hdr-subbuf0")) {
		h->subbuf_size = 0;
	} else if (!strcmp(what, "hdr-offsets")) {
		h->rb_off = 1ull << 62;
		h->reg_off = 1ull << 62;
		h->data_off = 1ull << 62;
	} else if (!strcmp(what, "registry")) {
		struct sonde__reg_entry *re = (struct sonde__reg_entry *)(
			(char *)h + h->reg_off +
			__atomic_load_n(&h->reg_used, __ATOMIC_ACQUIRE));

		/* An entry past everything registered so far, then a size
		 * that claims the whole address space. */
		re->size = 1u << 30;
		re->id = 7;
		__atomic_store_n(&h->reg_used, UINT32_MAX - 7, __ATOMIC_RELEASE);
	} else if (v == UINT32_MAX) {
		printf("no CPU buffer other than the writer's\n");
		return 77;
	} else if (!strcmp(what, "offset")) {
		ch->cpu[v].rb->offset = 1ull << 62;
	} else if (!strcmp(what, "offset-back")) {
		/* The consumer read nothing yet: its position is 0. */
		ch->cpu[v].rb->offset = (uint64_t)-4096;
	} else if (!strcmp(what, "content")) {
		ph = (struct sonde__pkt_hdr *)ch->cpu[v].data;
		ph->content_size = 1ull << 40;
		ph->packet_size = 1ull << 40;
		/* Closed by a switch: the writers moved to sub-buffer 1. */
		__atomic_store_n(&ch->cpu[v].rb->offset,
				 ch->subbuf_size + SONDE__PKT_HDR_SIZE,
				 __ATOMIC_RELEASE);
	} else {
		fprintf(stderr, "test-shm-hostile: unknown case %s\n", what);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sonde__chan_view *ch;
	cpu_set_t cpus;
	uint32_t n, self;
	int cpu, r;

	if (argc != 3) {
		fprintf(stderr, "usage: test-shm-hostile CASE N\n");
		return 2;
	}
	n = (uint32_t)atoi(argv[2]);
	/* Stay on the CPU we run on now: one buffer for all our records. */
	cpu = sched_getcpu();
	if (cpu < 0)
		cpu = 0;
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		perror("test-shm-hostile: sched_setaffinity");
		return 2;
	}
	/* Under a session daemon the process is attached some time after it
	 * starts: with $HOSTILE_WAIT, wait for it (30 s at most). */
	for (int i = 0; getenv("HOSTILE_WAIT") && i < 30000 &&
			!sonde_tracepoint_enabled(hostile, ev); i++)
		usleep(1000);
	if (!sonde_tracepoint_enabled(hostile, ev)) {
		fprintf(stderr, "test-shm-hostile: not recording\n");
		return 2;
	}
	for (uint32_t i = 0; i < n / 2; i++)
		sonde_tracepoint(hostile, ev, i);
	ch = sonde__chan_get();
	if (!ch) {
		fprintf(stderr, "test-shm-hostile: no channel\n");
		return 2;
	}
	self = (uint32_t)cpu < ch->ncpu ? (uint32_t)cpu : 0;
	r = corrupt(argv[1], ch, self);
	if (r)
		return r;
	/* Time for the consumer to drain a few times with the damage; with
	 * $HOSTILE_REPEAT, damage again every millisecond meanwhile (a
	 * consumer that repairs the header must still never read it). */
	for (int i = 0; getenv("HOSTILE_REPEAT") && !strncmp(argv[1], "hdr-", 4) &&
			i < 500; i++) {
		usleep(1000);
		corrupt(argv[1], ch, self);
	}
	usleep(200000);
	for (uint32_t i = n / 2; i < n; i++)
		sonde_tracepoint(hostile, ev, i);
	printf("emitted %u on cpu %d\n", n, cpu);
	return 0;
}
