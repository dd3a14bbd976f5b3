/* SPDX-License-Identifier: MIT */
/*
 * The perf source: overflow samples of a perf event, read from one perf
 * ring per CPU (perfring.h), written as the "perf" stream class of a trace
 * (one stream "perf_<cpu>" per CPU).  See perf.c.
 */
#ifndef SONDE_SRC_SOURCES_PERF_H
#define SONDE_SRC_SOURCES_PERF_H

#include <stdint.h>
#include <sys/types.h>

#include "../common/common.h"

struct sonde__trace;
struct sonde__perf;

struct sonde__perf_opts {
	struct sonde__trace *trace; /* the trace to join (the caller's) */
	const char *event;          /* its name, written in each sample */
	uint32_t type;              /* perf_event_attr type and config */
	uint64_t config;
	uint64_t period;            /* events per sample, > 0 */
	uint32_t ring_pages;        /* data pages per CPU, power of two;
				       0: 64 */
};

struct sonde__perf_stats {
	uint64_t samples; /* written to the trace */
	uint64_t lost;    /* reported lost by the kernel (events_discarded) */
	uint64_t bad;     /* rings found holding nonsense, or samples that
			     did not parse: skipped */
	uint64_t bytes;   /* written to the stream files */
	uint64_t packets;
};

/*
 * A software event by perf's name (cpu-clock, task-clock, page-faults,
 * context-switches, ...): its type and config.  0 or -ENOENT.  (A stand-in
 * for the event-name parser of src/pmu/, not committed yet.)
 */
SONDE_HIDDEN int sonde__perf_event_lookup(const char *name, uint32_t *type,
					  uint64_t *config);
/*
 * Join @o->trace as stream class "perf" (its event classes: perf:sample;
 * the thread record).  No event is open yet.  0 or -errno.
 */
SONDE_HIDDEN int sonde__perf_create(const struct sonde__perf_opts *o,
				    struct sonde__perf **out);
/*
 * Sample process @pid and the threads and processes it starts (inherit),
 * from its next execve() on (enable_on_exec): one event and ring per CPU.
 * 0, or -errno of perf_event_open(2) (-EACCES, -EPERM: not permitted,
 * see /proc/sys/kernel/perf_event_paranoid; -ENOENT: no such event here).
 */
SONDE_HIDDEN int sonde__perf_attach(struct sonde__perf *p, pid_t pid);
/* Move what the rings hold into packets; whole packets are written when
 * full or older than 100 ms.  *@moved: whether any record was read.
 * 0 or -errno (of the output). */
SONDE_HIDDEN int sonde__perf_drain(struct sonde__perf *p, int *moved);
/* Stop the events, drain the rings, write every partial packet.
 * 0 or -errno. */
SONDE_HIDDEN int sonde__perf_finish(struct sonde__perf *p);
SONDE_HIDDEN void sonde__perf_stats(const struct sonde__perf *p,
				    struct sonde__perf_stats *st);
/* Close the events and unmap the rings; NULL is a no-op. */
SONDE_HIDDEN void sonde__perf_destroy(struct sonde__perf *p);

#endif
