// SPDX-License-Identifier: MIT
/*
 * test-perfring: the perf ring reader (src/sources/perfring.c).
 *
 * On a synthetic ring in memory: records before and across the ring's
 * end, lost and other records, and rings holding nonsense (bad sizes, a
 * head out of reach), which are skipped and counted, never read.
 *
 * Then, where perf_event_open(2) is permitted, the clock mapping: a
 * page-fault sample (period 1, with its address) is taken while this
 * thread touches a fresh page between two reads of the trace clock; its
 * perf time mapped onto the trace clock must fall between them, within
 * RESIDUAL_NS, for each trace clock (TSC and CLOCK_MONOTONIC).  The
 * residual found is printed as a TAP comment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sonde/static/ring.h>

#include "../../src/sources/perfring.h"
#include "../tap.h"

/* The most a mapped sample time may lie outside the window of reads of
 * the trace clock around its fault (a VM's clocks are read in ~50 ns). */
#define RESIDUAL_NS 2000.0
#define FAULTS 200

static struct perf_event_mmap_page meta;
static uint8_t data[256];

/* Write @n bytes at free-running position @pos, across the end. */
static void put(uint64_t pos, const void *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		data[(pos + i) % sizeof(data)] = ((const uint8_t *)src)[i];
}

/* A sample record IP|TID|TIME|CPU|PERIOD at @pos; its size. */
static uint16_t put_sample(uint64_t pos, uint64_t ip, uint32_t tid,
			   uint64_t time)
{
	struct {
		struct perf_event_header h;
		uint64_t ip;
		uint32_t pid, tid;
		uint64_t time;
		uint32_t cpu, res;
		uint64_t period;
	} s = { { PERF_RECORD_SAMPLE, 0, sizeof(s) }, ip, 7, tid, time, 1,
		0, 100000 };

	put(pos, &s, sizeof(s));
	return sizeof(s);
}

static uint16_t put_raw(uint64_t pos, uint32_t type, uint16_t size,
			uint64_t a, uint64_t b)
{
	struct {
		struct perf_event_header h;
		uint64_t a, b;
	} r = { { type, 0, size }, a, b };

	put(pos, &r, size < sizeof(r) ? size : sizeof(r));
	return size;
}

static const uint64_t ST = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
			   PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			   PERF_SAMPLE_PERIOD;

static void synthetic(void)
{
	struct sonde__perfring r;
	const struct perf_event_header *h;
	struct sonde__perf_sample s;
	uint64_t pos, lost = 0;
	int n = 0, wrapped_ok = 0;

	/* Start near the end of a ring that has gone round a few times. */
	pos = 3 * sizeof(data) + 160;
	memset(&meta, 0, sizeof(meta));
	meta.data_tail = pos;
	pos += put_sample(pos, 0x1000, 11, 100);  /* 160..208 */
	pos += put_raw(pos, PERF_RECORD_COMM, 24, 0, 0); /* ..232 */
	pos += put_sample(pos, 0x2000, 12, 200);  /* 232..256, 0..24 */
	pos += put_raw(pos, PERF_RECORD_LOST, 24, 1, 5);
	meta.data_head = pos;
	tap_is_int(sonde__perfring_init_mem(&r, &meta, data, sizeof(data)), 0,
		   "a ring in memory");
	sonde__perfring_begin(&r);
	while (sonde__perfring_next(&r, &h, &lost)) {
		tap_is_int(sonde__perf_sample_parse(h, ST, &s), 0,
			   "sample %d parses", n);
		if (n == 1)
			wrapped_ok = s.ip == 0x2000 && s.tid == 12 &&
				     s.pid == 7 && s.time == 200 &&
				     s.cpu == 1 && s.period == 100000;
		n++;
	}
	sonde__perfring_end(&r);
	tap_is_int(n, 2, "two samples, the other records skipped");
	tap_ok(wrapped_ok, "the record across the ring's end is read whole");
	tap_is_int((long long)lost, 5, "PERF_RECORD_LOST: 5 lost, for the caller");
	tap_is_int((long long)(r.st.lost * 100 + r.st.other * 10 + r.st.bad),
		   510, "stats: 5 lost, 1 other, 0 bad");
	tap_is_int((long long)meta.data_tail, (long long)pos,
		   "data_tail stored: all consumed");
	tap_is_int(sonde__perf_sample_parse(h, ST | PERF_SAMPLE_ADDR |
						       PERF_SAMPLE_ID |
						       PERF_SAMPLE_STREAM_ID,
					    &s),
		   -EBADMSG, "a sample shorter than its sample_type is refused");

	/* Bad sizes: not a multiple of 8, zero, past head.  Each one ends
	 * the pass; what follows it is skipped and counted. */
	static const uint16_t bad[] = { 12, 0, 4, 64 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t before = r.st.bad;

		pos += put_sample(pos, 0x3000, 13, 300);
		put_raw(pos, PERF_RECORD_SAMPLE, bad[i], 0, 0);
		pos += 24;
		pos += put_sample(pos, 0x4000, 14, 400);
		meta.data_head = pos - (bad[i] == 64 ? 48 : 0);
		sonde__perfring_begin(&r);
		n = 0;
		while (sonde__perfring_next(&r, &h, NULL))
			n++;
		sonde__perfring_end(&r);
		tap_ok(n == 1 && r.st.bad == before + 1 &&
			       meta.data_tail == meta.data_head,
		       "size %u: the record before it read, the rest skipped and counted (%d read, %llu bad)",
		       bad[i], n, (unsigned long long)(r.st.bad - before));
		pos = meta.data_head;
	}
	/* A short LOST record: its size is sane, only it is skipped. */
	pos += put_raw(pos, PERF_RECORD_LOST, 16, 9, 0);
	pos += put_sample(pos, 0x5000, 15, 500);
	meta.data_head = pos;
	sonde__perfring_begin(&r);
	n = 0;
	while (sonde__perfring_next(&r, &h, NULL))
		n++;
	sonde__perfring_end(&r);
	tap_ok(n == 1 && r.st.lost == 5,
	       "a LOST record too short for its fields is skipped alone");
	/* A head more than a ring ahead of the tail: nothing is read. */
	meta.data_head = pos + sizeof(data) + 8;
	sonde__perfring_begin(&r);
	n = 0;
	while (sonde__perfring_next(&r, &h, NULL))
		n++;
	sonde__perfring_end(&r);
	tap_ok(n == 0 && meta.data_tail == meta.data_head,
	       "a head out of reach: nothing read, reading resumes at head");
	/* A head behind the tail. */
	meta.data_head = meta.data_tail - 64;
	sonde__perfring_begin(&r);
	tap_ok(!sonde__perfring_next(&r, &h, NULL),
	       "a head behind the tail: nothing read");
	sonde__perfring_end(&r);
	sonde__perfring_unmap(&r);
}

/* Fault-sample times against the trace clock, for clock kind @kind. */
static void live(uint32_t kind)
{
	struct sonde__clock clk, fin;
	struct sonde__perfclock pc;
	struct perf_event_attr a;
	struct sonde__perfring r;
	const struct perf_event_header *h;
	struct sonde__perf_sample s;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t before[FAULTS], after[FAULTS];
	double worst = 0, sum = 0, win = 0, ns_per;
	int fd, matched = 0;
	uint8_t *mem;

	sonde__clock_start(&clk);
	if (kind == SONDE__CLOCK_MONOTONIC || clk.kind != SONDE__CLOCK_CYCLES)
		clk.kind = SONDE__CLOCK_MONOTONIC;
	sonde__perfclock_init(&pc, &clk);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	a.sample_period = 1;
	a.sample_type = PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.use_clockid = 1;
	a.clockid = sonde__perfclock_id(&pc);
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			  PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		tap_ok(1, "# SKIP perf_event_open: %s", strerror(errno));
		return;
	}
	mem = mmap(NULL, (size_t)page * FAULTS, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || sonde__perfring_map(&r, fd, 64))
		tap_bail("cannot map the test memory or the ring");
	/* One fault per page, never one huge page for them all. */
	madvise(mem, (size_t)page * FAULTS, MADV_NOHUGEPAGE);
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	for (int i = 0; i < FAULTS; i++) {
		before[i] = sonde__clock_read(&clk);
		mem[(size_t)i * (size_t)page] = 1;
		after[i] = sonde__clock_read(&clk);
	}
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	fin = clk;
	sonde__clock_finish(&fin);
	ns_per = 1e9 / (double)fin.freq;
	sonde__perfring_begin(&r);
	sonde__perfclock_update(&pc);
	while (sonde__perfring_next(&r, &h, NULL)) {
		uint64_t t;
		long i;
		double off = 0;

		if (sonde__perf_sample_parse(h, a.sample_type, &s))
			continue;
		i = ((long)(s.addr - (uintptr_t)mem)) / page;
		if (s.addr < (uintptr_t)mem || i >= FAULTS)
			continue;
		t = sonde__perfclock_map(&pc, s.time);
		if (t < before[i])
			off = (double)(before[i] - t) * ns_per;
		else if (t > after[i])
			off = (double)(t - after[i]) * ns_per;
		if (off > worst)
			worst = off;
		sum += off;
		win += (double)(after[i] - before[i]) * ns_per;
		matched++;
	}
	sonde__perfring_end(&r);
	tap_diag("%s trace clock: %d faults sampled, outside their window by %.0f ns at most, %.1f ns on average; window %.0f ns on average",
		 clk.kind == SONDE__CLOCK_CYCLES ? "TSC" : "monotonic", matched,
		 worst, matched ? sum / matched : 0, matched ? win / matched : 0);
	tap_ok(matched == FAULTS && worst <= RESIDUAL_NS,
	       "%s clock: every fault sample mapped within %.0f ns of its window (%d, worst %.0f ns)",
	       clk.kind == SONDE__CLOCK_CYCLES ? "TSC" : "monotonic",
	       RESIDUAL_NS, matched, worst);
	sonde__perfring_unmap(&r);
	close(fd);
	munmap(mem, (size_t)page * FAULTS);
}

/*
 * The mapping itself, for the TSC trace clock: perf's CLOCK_MONOTONIC_RAW
 * time is the kernel's ktime_get_raw_ns(), what clock_gettime() reads, so
 * a (cycles, MONOTONIC_RAW) pair read 300 ms on, updated every
 * millisecond as a source's drain would, measures the mapping's error.
 */
static void mapping(void)
{
	struct sonde__clock clk, fin;
	struct sonde__perfclock pc;
	struct timespec d = { 0, 1000000 }, ts;
	double worst = 0, mid = 0, width = 0, ns_per;

	sonde__clock_start(&clk);
	if (clk.kind != SONDE__CLOCK_CYCLES) {
		tap_ok(1, "# SKIP no TSC trace clock here");
		return;
	}
	sonde__perfclock_init(&pc, &clk);
	fin = clk;
	sonde__clock_finish(&fin);
	ns_per = 1e9 / (double)fin.freq;
	for (int i = 0; i < 300; i++) {
		uint64_t a, b, raw, m;
		double e;

		nanosleep(&d, NULL);
		sonde__perfclock_update(&pc);
		a = sonde__clock_read(&clk);
		clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
		b = sonde__clock_read(&clk);
		raw = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		m = sonde__perfclock_map(&pc, raw);
		e = m < a ? (double)(a - m) * ns_per
			  : m > b ? (double)(m - b) * ns_per : 0;
		if (e > worst)
			worst = e;
		e = ((double)m - (double)a - (double)(b - a) / 2) * ns_per;
		if (e < 0)
			e = -e;
		if (e > mid)
			mid = e;
		if ((double)(b - a) * ns_per > width)
			width = (double)(b - a) * ns_per;
	}
	tap_diag("TSC mapping over 300 ms: outside the two reads around clock_gettime() by %.0f ns at most; %.0f ns at most from their middle; reads %.0f ns apart at most",
		 worst, mid, width);
	tap_ok(worst <= RESIDUAL_NS, "TSC mapping residual %.0f ns <= %.0f ns",
	       worst, RESIDUAL_NS);
}

int main(void)
{
	tap_no_plan();
	synthetic();
	live(SONDE__CLOCK_CYCLES);
	live(SONDE__CLOCK_MONOTONIC);
	mapping();
	return tap_done();
}
