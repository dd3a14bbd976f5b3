/* SPDX-License-Identifier: MIT */
/*
 * The kernel tracepoint source: kernel trace events (sched:sched_switch,
 * syscalls:sys_enter_openat, irq:*...) read through perf_event_open(2),
 * one perf ring per CPU, decoded from their tracefs formats into typed
 * fields, written as the "kernel" stream class of a trace beside the
 * user-space channel, on the same clock.  No kernel module.  See kernel.c.
 */
#ifndef SONDE_SRC_SOURCES_KERNEL_H
#define SONDE_SRC_SOURCES_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/common.h"

struct sonde__trace;
struct sonde__kernel;

/* Kernel events in one source, at most. */
#define SONDE__KERNEL_MAX_EVENTS 2048u

struct sonde__kernel_opts {
	struct sonde__trace *trace;   /* the trace to join */
	const char *const *patterns;  /* SYSTEM:NAME globs (tracefs.h) */
	size_t npatterns;
	const char *filter;           /* the kernel's filter syntax, applied
					 to every event; NULL: none */
	uint32_t ring_pages;          /* data pages per CPU, a power of
					 two; 0: 256 (1 MiB) */
	char *why;                    /* a sentence for the user on error */
	size_t why_size;
};

struct sonde__kernel_stats {
	uint64_t events;  /* written to the trace */
	uint64_t lost;    /* reported lost by the kernel */
	uint64_t strings; /* user strings captured (syscall paths) */
	uint64_t bad;     /* records that did not parse: skipped */
	uint64_t bytes, packets;
	uint32_t classes; /* kernel event classes */
};

/*
 * Find tracefs, resolve the patterns and parse the formats (tracefs.c),
 * and join @o->trace as stream class "kernel" with one event class per
 * kernel event, named SYSTEM:NAME.  Nothing is open yet.  0 or -errno,
 * with @o->why set.
 */
SONDE_HIDDEN int sonde__kernel_create(const struct sonde__kernel_opts *o,
				      struct sonde__kernel **out);
/*
 * Record the events of process @pid and the threads and processes it
 * starts, from its next execve() on; or, @pid -1, of every process on
 * every CPU from now on.  0 or -errno, with why set (-EACCES/-EPERM: not
 * permitted, with perf_event_paranoid and the capability needed; -EINVAL
 * from the filter: it does not apply to an event).
 */
SONDE_HIDDEN int sonde__kernel_attach(struct sonde__kernel *k, pid_t pid);
/* Start (@on) or stop the recording of the attached events (a daemon
 * session's start and stop); stopping drains the rings and writes every
 * partial packet.  0 or -errno of the output. */
SONDE_HIDDEN int sonde__kernel_enable(struct sonde__kernel *k, int on);
/* Move what the rings hold into packets.  *@moved: whether any record
 * was read.  0 or -errno of the output. */
SONDE_HIDDEN int sonde__kernel_drain(struct sonde__kernel *k, int *moved);
/*
 * A live tick at trace time @until (read before this call): drain the
 * rings, write every CPU's packet that holds records, open every CPU's
 * stream (an empty packet) if not yet, and let no later packet begin
 * before @until (sonde__pktw_live()).  0 or -errno of the output.
 */
SONDE_HIDDEN int sonde__kernel_live(struct sonde__kernel *k, uint64_t until);
/* Stop the events, drain, write every partial packet.  0 or -errno. */
SONDE_HIDDEN int sonde__kernel_finish(struct sonde__kernel *k);
SONDE_HIDDEN void sonde__kernel_stats(const struct sonde__kernel *k,
				      struct sonde__kernel_stats *st);
/* Why the path fields of syscall events are recorded as addresses (no
 * BPF, say), or NULL when they are strings or there are none. */
SONDE_HIDDEN const char *sonde__kernel_ustr_why(const struct sonde__kernel *k);
/* Close the events, unmap the rings; NULL is a no-op. */
SONDE_HIDDEN void sonde__kernel_destroy(struct sonde__kernel *k);

#endif
