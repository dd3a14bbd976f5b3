/* SPDX-License-Identifier: MIT */
/*
 * The perf source: overflow samples of a perf event (with call chains
 * where asked) and the mappings that symbolize them, read from one perf
 * ring per CPU (perfring.h), and counter values read on a period, written
 * as the "perf" stream class of a trace (one stream "perf_<cpu>" per CPU,
 * one more for counters).  See perf.c.
 */
#ifndef SONDE_SRC_SOURCES_PERF_H
#define SONDE_SRC_SOURCES_PERF_H

#include <stdint.h>
#include <sys/types.h>

#include <linux/perf_event.h>

#include "../common/common.h"

struct sonde__trace;
struct sonde__perf;

/* sonde__perf_opts.flags */
#define SONDE__PERF_CALLCHAIN 0x1u /* user call chains with each sample */
/* Call chain frames kept per sample, at most. */
#define SONDE__PERF_MAX_DEPTH 64u

struct sonde__perf_opts {
	struct sonde__trace *trace; /* the trace to join (the caller's) */
	const char *event;          /* the sampled event's name, written in
				       each sample; NULL: counters only */
	const struct perf_event_attr *attr; /* as sonde_pmu_event_parse()
				       made it: type, config*, exclude_* */
	uint64_t period;            /* events per sample, > 0 */
	uint32_t ring_pages;        /* data pages per CPU, power of two;
				       0: 64 */
	unsigned int flags;         /* SONDE__PERF_CALLCHAIN */
};

struct sonde__perf_stats {
	uint64_t samples;  /* written to the trace */
	uint64_t mmaps;    /* perf:mmap events written */
	uint64_t counters; /* perf:counter events written */
	uint64_t lost;     /* reported lost by the kernel (events_discarded) */
	uint64_t bad;      /* rings found holding nonsense, or records that
			      did not parse: skipped */
	uint64_t bytes;    /* written to the stream files */
	uint64_t packets;
};

/*
 * Join @o->trace as stream class "perf" (its event classes: perf:sample,
 * perf:mmap, perf:counter; the thread record).  No event is open yet.
 * 0 or -errno.
 */
SONDE_HIDDEN int sonde__perf_create(const struct sonde__perf_opts *o,
				    struct sonde__perf **out);
/*
 * Sample process @pid and the threads and processes it starts (inherit),
 * from its next execve() on (enable_on_exec); or, @pid -1, every process
 * on every CPU from now on, after writing the executable mappings of the
 * processes that exist (from /proc/PID/maps).  One event and ring per
 * CPU.  Nothing when the perf source has no sampled event.  0, or -errno
 * of perf_event_open(2) (-EACCES, -EPERM: not permitted, see
 * /proc/sys/kernel/perf_event_paranoid; -ENOENT: no such event here).
 */
SONDE_HIDDEN int sonde__perf_attach(struct sonde__perf *p, pid_t pid);
/*
 * Counters read every @period_ns of wall time, as perf:counter events:
 * one fd per counter (@attrs[@n], named @names) per thread of process
 * @pid: its main thread, counting from its next execve(), and each thread
 * found in /proc/@pid/task at a reading, counting from then (a thread
 * that starts and ends between two readings is not seen; other processes
 * the command starts are not counted).  A thread that has gone is read a
 * last time.  *@rdpmc: whether the first counter can be read from user
 * space (cap_user_rdpmc and an index in its mmap page).  0 or -errno of
 * perf_event_open(2) or -ENOMEM.
 */
SONDE_HIDDEN int sonde__perf_counters_open(struct sonde__perf *p,
					   const struct perf_event_attr *attrs,
					   const char *const *names, size_t n,
					   pid_t pid, uint64_t period_ns,
					   int *rdpmc);
/* When (CLOCK_MONOTONIC ns) the counters are read next; 0: no counters. */
SONDE_HIDDEN uint64_t sonde__perf_next_ns(const struct sonde__perf *p);
/* Move what the rings hold into packets, and read the counters when
 * their period is up; whole packets are written when full or older than
 * 100 ms.  *@moved: whether any record was read.  0 or -errno (of the
 * output). */
SONDE_HIDDEN int sonde__perf_drain(struct sonde__perf *p, int *moved);
/*
 * A live tick at trace time @until (read before this call): drain as
 * sonde__perf_drain() does, write every stream's packet that holds
 * records, open every stream (an empty packet) if not yet, and let no
 * later packet begin before @until (sonde__pktw_live()).  0 or -errno of
 * the output.
 */
SONDE_HIDDEN int sonde__perf_live(struct sonde__perf *p, uint64_t until);
/* Stop the events, drain the rings, write every partial packet.
 * 0 or -errno. */
SONDE_HIDDEN int sonde__perf_finish(struct sonde__perf *p);
SONDE_HIDDEN void sonde__perf_stats(const struct sonde__perf *p,
				    struct sonde__perf_stats *st);
/* Close the events and unmap the rings; NULL is a no-op. */
SONDE_HIDDEN void sonde__perf_destroy(struct sonde__perf *p);

#endif
