/* SPDX-License-Identifier: MIT */
/*
 * Capture of user-space strings named by syscall tracepoints, through BPF:
 * a program attached to a tracepoint perf event copies the NUL-terminated
 * user string whose address is the u64 at byte @ptr_off of the event's raw
 * record and emits it, with bpf_perf_event_output(), to the calling CPU's
 * entry of a BPF_MAP_TYPE_PERF_EVENT_ARRAY; the tracepoint's own sample is
 * still written (the program returns 1), after the string's sample, in the
 * same ring when the caller points both events at one ring.  See ustr.c
 * for the program, the sample layout and what the kernel does with it.
 */
#ifndef SONDE_SRC_SOURCES_USTR_H
#define SONDE_SRC_SOURCES_USTR_H

#include <stdint.h>

#include "../common/common.h"

/* Bytes of a string with its NUL, at most; longer ones are cut (NUL kept). */
#define SONDE__USTR_MAX 4096u

struct sonde__ustr;

/*
 * A perf event array for @ncpu CPUs (the number of possible CPUs: the
 * highest CPU id + 1; a string emitted on a CPU beyond it is dropped).
 * 0 or -errno: -ENOSYS/-EPERM/-EACCES/-EINVAL when BPF is unavailable
 * (the caller then records pointers only); -EINVAL also for @ncpu 0 or
 * above 8192, or a NULL @u.
 * Context: any thread, not async-signal-safe.
 */
SONDE_HIDDEN int sonde__ustr_create(uint32_t ncpu, struct sonde__ustr **u);

/*
 * Route CPU @cpu's strings to perf event @fd (the caller opened it: type
 * PERF_TYPE_SOFTWARE, config PERF_COUNT_SW_BPF_OUTPUT, on that CPU, pid
 * -1, its own sample_type; the caller may PERF_EVENT_IOC_SET_OUTPUT it
 * into its ring).  The event must be enabled for strings to arrive.  The
 * map holds a reference to @fd's event until sonde__ustr_destroy().
 * 0 or -errno (-EINVAL: @cpu >= ncpu or @fd < 0; -EBADF: @fd is not a perf
 * event).  The kernel takes other perf events too (a tracepoint event, on
 * 6.18), into which bpf_perf_event_output() then fails: no strings.
 */
SONDE_HIDDEN int sonde__ustr_set_output(struct sonde__ustr *u, uint32_t cpu,
					int fd);

/*
 * Attach to tracepoint perf event @tp_fd a program (loaded once per
 * (@ptr_off, @tag) pair and cached) emitting, for each hit, the raw data
 * { u32 tag = @tag; char str[] (with its NUL; an unreadable pointer, or a
 * string on a page not yet mapped into the task, gives an empty string
 * "") }, padded by the kernel (see ustr.c).
 *
 * The kernel runs a tracepoint's programs for every task on every CPU,
 * whichever perf event of the tracepoint they were attached through, and
 * as long as that one event is open (enabled or not), and it refuses the
 * same program twice on one tracepoint.  So attaching the same (@ptr_off,
 * @tag) through the per-CPU events of one tracepoint attaches it once,
 * through the first: the later calls find it there and return 0.
 *
 * @ptr_off must be a multiple of 8, at least 8 (the kernel hides the first
 * 8 bytes of the record from programs) and below 8192.
 * 0 or -errno (-EINVAL for bad arguments or an event that is not a
 * tracepoint; -EACCES or -EINVAL for a program the verifier refused: its
 * log goes to sonde__logf() at debug level, once, as the refusal is
 * cached; -EEXIST when @tp_fd already has another program; -ENOSPC past
 * 1024 (@ptr_off, @tag) pairs).
 */
SONDE_HIDDEN int sonde__ustr_attach(struct sonde__ustr *u, int tp_fd,
				    uint32_t ptr_off, uint32_t tag);

/*
 * Close the programs and the map; NULL is a no-op.  (The perf event fds
 * stay the caller's.)  Closing the map empties it: from then on the
 * programs, which stay attached until their tracepoint events close,
 * emit nothing, and the tracepoint samples go on as before.
 */
SONDE_HIDDEN void sonde__ustr_destroy(struct sonde__ustr *u);

#endif
