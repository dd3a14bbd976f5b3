/* SPDX-License-Identifier: MIT */
/*
 * sonde/pmu.h: performance counters through perf_event_open(2), in the
 * shape of the perfmon v3 session API: a session is created for a thread
 * (optionally inherited by its children) or for every CPU, it probe-opens
 * each requested event and says which ones this machine really has, then
 * it is started, stopped, reset and read.  This first slice counts only
 * (perfmon's "simple" mode): each value comes scaled by
 * time_enabled/time_running, with the running percentage.  Event sets are
 * switched by the library (a helper thread of the session, see
 * sonde_pmu_start()) or multiplexed by the kernel; the session attaches to
 * and detaches from threads, processes and CPUs while it runs; an event
 * may sample (perfmon's "full" mode, struct sonde_pmu_event_attr), its
 * overflow samples read with sonde_pmu_samples_read().
 *
 *	const char *ev[] = { "page-faults", "cycles" };
 *	struct sonde_pmu_opts o = { .size = sizeof(o), .events = ev,
 *				    .nr_events = 2 };
 *	struct sonde_pmu_session *s;
 *	if (sonde_pmu_session_create(&o, &s) == 0) {
 *		sonde_pmu_start(s);
 *		work();
 *		sonde_pmu_stop(s);
 *		struct sonde_pmu_value v = { .size = sizeof(v) };
 *		for (size_t i = 0; i < sonde_pmu_event_count(s); i++)
 *			if (sonde_pmu_read(s, i, &v) == 0)
 *				printf("%.0f %s\n", v.scaled,
 *				       sonde_pmu_event_name(s, i));
 *		sonde_pmu_session_destroy(s);
 *	}
 */
#ifndef SONDE_PMU_H
#define SONDE_PMU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SONDE_PMU_API __attribute__((visibility("default")))

struct perf_event_attr;
struct sonde_pmu_session;

/* What a session counts: one thread (and, with SONDE_PMU_INHERIT, what it
 * creates later), or every online CPU (system-wide). */
enum sonde_pmu_target {
	SONDE_PMU_THREAD = 0,
	SONDE_PMU_CPU = 1,
};

/* sonde_pmu_opts.flags */
#define SONDE_PMU_INHERIT 0x1u        /* children created later count too */
#define SONDE_PMU_ENABLE_ON_EXEC 0x2u /* start counting at the target's next execve()
					 (every set at once: not with library-switched sets) */
#define SONDE_PMU_GROUP 0x4u          /* one group per set: its first opened event leads the others */
#define SONDE_PMU_KERNEL_MULTIPLEX 0x8u /* every set counts at once; the kernel rotates */

/*
 * A session with no target yet (SONDE_PMU_NONE): events are probe-opened on
 * the calling thread and closed; sonde_pmu_attach() gives it targets.
 */
#define SONDE_PMU_NONE 2

/* What sonde_pmu_attach() and sonde_pmu_detach() take. */
enum sonde_pmu_attach_kind {
	SONDE_PMU_ATTACH_THREAD = 0,  /* one thread id */
	SONDE_PMU_ATTACH_PROCESS = 1, /* every thread of a process, and what they create */
	SONDE_PMU_ATTACH_CPU = 2,     /* one CPU, every task on it */
};

/* sonde_pmu_event_attr.flags */
#define SONDE_PMU_EV_NOTIFY 0x1u /* stop at each overflow until sonde_pmu_restart() */

/* At most this many counters in one sample (the sampling event first). */
#define SONDE_PMU_SAMPLE_VALUES 16

/**
 * struct sonde_pmu_event_attr - the seed's full mode: a sampling event.
 * @size: sizeof(struct sonde_pmu_event_attr).
 * @period: the overflow period (events between two samples); 0 leaves the
 *	event counting only (and every other field is then ignored).
 * @long_reset: the period after sonde_pmu_start() and sonde_pmu_restart();
 *	0 means @period.
 * @short_reset: the period after an overflow the library has handled
 *	(sonde_pmu_samples_read() read its sample); 0 means @period.
 * @random_mask: each time the library arms the counter it adds
 *	(random & @random_mask) to the long or short value: periods lie in
 *	[value, value + @random_mask].
 * @smpl_events: bit i: event i (i < 64, same set, counting only) is read
 *	with each sample.  The sampling event then leads a perf group of them
 *	(PERF_SAMPLE_READ with PERF_FORMAT_GROUP).
 * @reset_events: bit i: event i (same set) is reset when the library
 *	handles an overflow of this event.
 * @flags: SONDE_PMU_EV_NOTIFY.
 * @ring_pages: data pages of its overflow ring, a power of two; 0: 16.
 *
 * What Linux cannot express, and what the library does instead: the kernel
 * re-arms a sampling counter by itself at every overflow, always with the
 * one period in force (PERF_EVENT_IOC_PERIOD sets it); there is no
 * separate value for "after a notification".  So the library sets the long
 * value (plus its random part) when it starts or restarts the event, and
 * the short value (plus a new random part) each time it handles an
 * overflow; overflows that happen before the library handles the previous
 * one re-arm with the value then in force.  Randomisation is done by the
 * library at those moments only, never by the kernel.  Resetting
 * @reset_events happens when the overflow is handled, not at the overflow
 * instant.  With SONDE_PMU_EV_NOTIFY the event is armed for one overflow
 * (PERF_EVENT_IOC_REFRESH 1): the kernel stops it (and its group) at the
 * overflow, as perfmon masks monitoring until pfm_restart().  A sampling
 * event is never inherited by children (Linux maps no per-thread ring of
 * an inherited event), and it needs a thread or CPU target.
 */
struct sonde_pmu_event_attr {
	size_t size;
	uint64_t period;
	uint64_t long_reset;
	uint64_t short_reset;
	uint64_t random_mask;
	uint64_t smpl_events;
	uint64_t reset_events;
	unsigned int flags;
	unsigned int ring_pages;
};

/**
 * struct sonde_pmu_opts - what to count, and where.
 * @size: sizeof(struct sonde_pmu_opts), for later growth.
 * @target: SONDE_PMU_THREAD or SONDE_PMU_CPU.
 * @pid: SONDE_PMU_THREAD: the thread id, 0 for the calling thread;
 *	ignored for SONDE_PMU_CPU.
 * @flags: SONDE_PMU_INHERIT, SONDE_PMU_ENABLE_ON_EXEC, SONDE_PMU_GROUP.
 * @events: @nr_events event names, as sonde_pmu_event_parse() reads them.
 * @nr_events: how many, 1 to 256.
 * @sets: NULL (every event in set 0), or @nr_events set numbers, 0 to 63,
 *	with no set left empty.  With several sets, the library counts one
 *	set at a time and switches to the next every @switch_ns (see
 *	sonde_pmu_start()); with SONDE_PMU_KERNEL_MULTIPLEX every set is
 *	enabled at once and the kernel rotates what does not fit on the
 *	counters, as perf stat does.
 * @switch_ns: library switching period; 0: 10 ms.
 * @switch_overflows: 0, or also switch sets once the active set's sampling
 *	events have overflowed this many times in its run, whichever of the
 *	two comes first.  The helper thread then looks at the active set's
 *	rings every millisecond (it counts their samples without consuming
 *	them), so a switch may come up to a millisecond, and as many
 *	overflows, late.  A set without sampling events switches on time only.
 * @attrs: NULL, or @nr_events pointers, each NULL (counting) or the full
 *	mode attributes of that event.
 *
 * @target may also be SONDE_PMU_NONE: no target until sonde_pmu_attach().
 */
struct sonde_pmu_opts {
	size_t size;
	int target;
	int pid;
	unsigned int flags;
	const char *const *events;
	size_t nr_events;
	/* Since event sets (a caller's smaller @size leaves them 0): */
	const unsigned int *sets;
	uint64_t switch_ns;
	const struct sonde_pmu_event_attr *const *attrs;
	uint64_t switch_overflows;
};

/**
 * struct sonde_pmu_value - one event's count, as sonde_pmu_read() gives it.
 * @size: set by the caller to sizeof(struct sonde_pmu_value).
 * @raw: the count while the event was on a counter (summed over CPUs).
 * @enabled_ns: how long it was enabled (summed over CPUs).
 * @running_ns: how long it was really counting (summed over CPUs).
 * @scaled: @raw extrapolated to the enabled time (@raw * enabled / running,
 *	per CPU); equal to @raw when the event was never multiplexed.
 * @running_pct: 100 * @running_ns / @enabled_ns; 0 when never enabled.
 *	With library-switched sets: the set's share of the session time.
 * @set: the event's set (since event sets; a smaller @size stops before).
 * @set_active_ns: library-switched sets: how long the set was counting.
 * @session_ns: how long the session was started (sonde_pmu_start() to
 *	sonde_pmu_stop(), summed).
 *
 * With library-switched sets, @scaled is further extrapolated over the
 * session: (@raw scaled as above) * @session_ns / @set_active_ns.
 * Counts of targets detached earlier are included.
 */
struct sonde_pmu_value {
	size_t size;
	uint64_t raw;
	uint64_t enabled_ns;
	uint64_t running_ns;
	double scaled;
	double running_pct;
	unsigned int set;
	uint64_t set_active_ns;
	uint64_t session_ns;
};

/**
 * struct sonde_pmu_set_info - what sonde_pmu_set_info() tells of a set.
 * @size: set by the caller to sizeof(struct sonde_pmu_set_info).
 * @runs: how many times the set was made active (1 per start when it is
 *	the only set, or with SONDE_PMU_KERNEL_MULTIPLEX).
 * @active_ns: how long it was active while the session was started.
 * @session_ns: how long the session was started.
 * @running_pct: 100 * @active_ns / @session_ns.
 * @ovfl_events: bit i: event i of this set overflowed (a sample of it was
 *	read) during the set's last run that had one.
 * @nr_events: events in the set.
 */
struct sonde_pmu_set_info {
	size_t size;
	uint64_t runs;
	uint64_t active_ns;
	uint64_t session_ns;
	double running_pct;
	uint64_t ovfl_events;
	size_t nr_events;
};

/**
 * struct sonde_pmu_sample - one overflow sample, as sonde_pmu_samples_read()
 * hands it over.
 * @size: sizeof(struct sonde_pmu_sample).
 * @event: the sampling event's index.
 * @ip, @pid, @tid, @time (perf clock, CLOCK_MONOTONIC ns), @cpu: where.
 * @period: what the event counted since its previous sample on this
 *	target: the period that ended here, unless samples were lost or the
 *	event was reset (PERF_SAMPLE_PERIOD is not asked of Linux: with it,
 *	a software event is sampled at every event whatever its period).
 * @nr_values: the group read with the sample: @values[0] is the sampling
 *	event, then one per bit of its smpl_events; @value_events[k] is the
 *	event index of @values[k].
 * @time_enabled, @time_running: the group's times at the sample.
 */
struct sonde_pmu_sample {
	size_t size;
	size_t event;
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu;
	uint64_t period;
	size_t nr_values;
	uint64_t values[SONDE_PMU_SAMPLE_VALUES];
	size_t value_events[SONDE_PMU_SAMPLE_VALUES];
	uint64_t time_enabled, time_running;
};

/* Called per sample; a non-zero return stops sonde_pmu_samples_read(). */
typedef int (*sonde_pmu_sample_cb)(const struct sonde_pmu_sample *smpl,
				   void *arg);

/**
 * sonde_pmu_event_parse() - turn an event name into a perf_event_attr.
 * @name: looked up in this order, the first that knows it wins:
 *	1. perf's generic names ("cycles", "page-faults", "cs", ...);
 *	2. hardware cache names ("L1-dcache-load-misses", "LLC-loads");
 *	3. a name from some PMU's events/ directory under
 *	   /sys/bus/event_source/devices;
 *	4. sysfs PMU syntax "pmu/field=value,.../" (fields from
 *	   /sys/bus/event_source/devices/<pmu>/format, plus config, config1
 *	   and config2, and names from its events/ directory; a bare field is
 *	   1; of two terms on the same bits the later wins);
 *	5. a tracepoint "sys:name" (id from tracefs, found in /proc/mounts);
 *	6. libpfm4's names for model-specific events ("INST_RETIRED:ANY_P",
 *	   "perf::PERF_COUNT_SW_CPU_CLOCK", "perf::PAGE-FAULTS").  libsonde
 *	   does not link with libpfm4: it loads libpfm.so.4 with dlopen() at
 *	   the first name no other lookup knows, so programs run without it;
 *	   there, only such names fail, with a sentence naming the Debian
 *	   package (libpfm4).  libpfm4's modifiers (":u=1", ":k=0") are
 *	   honoured; those that set a period, precise, pinned, excl or a cpu
 *	   are refused (-EINVAL): set those through struct
 *	   sonde_pmu_event_attr and the session.
 *	An optional modifier ":u", ":k" or ":uk" (after the final '/' for
 *	sysfs syntax: "pmu/.../u") counts user or kernel space only; without
 *	one, everything is counted, libpfm4 names included.
 * @attr: filled (zeroed first): type, config, config1, config2, size, the
 *	exclude_user, exclude_kernel, exclude_hv bits of the modifier, and
 *	for a libpfm4 name exclude_guest and exclude_host as libpfm4 sets
 *	them.  Nothing else is set.
 * @why: room for a sentence saying what was wrong, or NULL.
 * @n: size of @why.
 *
 * A name that parses may still fail to open on this machine; only
 * perf_event_open() tells, which sonde_pmu_session_create() does.
 *
 * Return: 0; -ENOENT for an unknown name (the sentence names it and says
 * which lookups were tried, and whether libpfm4 is installed), PMU or
 * tracepoint, or a PMU with no type file; -EINVAL for a malformed name, an
 * unknown field, a value too wide for its field (the sentence names the
 * field), a format, type or tracepoint id sysfs or tracefs gives that
 * cannot be read, or a name libpfm4 knows but refuses; -ENAMETOOLONG;
 * -ENOMEM.
 * Context: any thread; reads sysfs and /proc/mounts, and may load
 * libpfm.so.4 (dlopen(), under a lock of libsonde's); not
 * async-signal-safe.
 */
SONDE_PMU_API int sonde_pmu_event_parse(const char *name,
					struct perf_event_attr *attr,
					char *why, size_t n);

/**
 * sonde_pmu_session_create() - open a counting session.
 * @opts: what to count, and where.
 * @out: the new session, or NULL on failure.
 *
 * Every event is parsed and probe-opened, disabled.  An event that cannot
 * be opened does not fail the session: sonde_pmu_event_status() says why,
 * and the others count.
 *
 * Return: 0; -EINVAL for bad options; -ENOMEM; -ESRCH when the thread does
 * not exist.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_session_create(const struct sonde_pmu_opts *opts,
					   struct sonde_pmu_session **out);

/**
 * sonde_pmu_session_destroy() - close every counter and free the session.
 * @s: a session, or NULL (no-op).
 *
 * Context: any thread; not concurrently with other calls on @s.
 */
SONDE_PMU_API void sonde_pmu_session_destroy(struct sonde_pmu_session *s);

/**
 * sonde_pmu_event_count() - how many events the session was asked for.
 * @s: the session.
 *
 * Return: opts->nr_events of its creation.
 * Context: any thread.
 */
SONDE_PMU_API size_t sonde_pmu_event_count(const struct sonde_pmu_session *s);

/**
 * sonde_pmu_event_name() - the name event @i was asked by.
 * @s: the session.
 * @i: 0 to sonde_pmu_event_count() - 1.
 *
 * Return: the name, owned by @s; NULL when @i is out of range.
 * Context: any thread.
 */
SONDE_PMU_API const char *sonde_pmu_event_name(const struct sonde_pmu_session *s,
					       size_t i);

/**
 * sonde_pmu_event_set() - the set event @i belongs to.
 * @s: the session.
 * @i: 0 to sonde_pmu_event_count() - 1.
 *
 * Return: its set number (0 without sets); -ERANGE when @i is out of range.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_event_set(const struct sonde_pmu_session *s,
				      size_t i);

/**
 * sonde_pmu_event_status() - whether event @i could be opened here.
 * @s: the session.
 * @i: 0 to sonde_pmu_event_count() - 1.
 * @why: room for a sentence naming the cause when it could not, or NULL.
 * @n: size of @why.
 *
 * Return: 0 when it counts; else the parse error or the negative errno of
 * perf_event_open(): -ENOENT, -EOPNOTSUPP or -ENODEV (not supported on this
 * machine), -EACCES or -EPERM (permission), -EBUSY or -ENOSPC (no free
 * counter slot), -EINVAL (bad attribute); -ERANGE when @i is out of range.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_event_status(const struct sonde_pmu_session *s,
					 size_t i, char *why, size_t n);

/**
 * sonde_pmu_start() - enable every opened counter.
 * @s: the session.
 *
 * With several sets (and no SONDE_PMU_KERNEL_MULTIPLEX) only the active
 * set is enabled, and a helper thread of the session switches to the next
 * set every switch_ns: it disables the active set's counters and enables
 * the next set's, and accounts the set's runs and active time.  A thread,
 * not a timer signal: the counters' fds belong to the process that created
 * the session (sonde stat, or a program counting itself), and the switch
 * is a few ioctls on them, so it runs there, never in a traced program;
 * a thread needs no cooperation from the caller's event loop (a timerfd
 * would) and no signal handler; it blocks every signal.  sonde_pmu_stop()
 * joins it.
 *
 * Return: 0, or the negative errno of the first ioctl that failed;
 * -EAGAIN when the helper thread cannot be created.
 * Context: any thread; the calls on one session are serialised by its
 * mutex.
 */
SONDE_PMU_API int sonde_pmu_start(struct sonde_pmu_session *s);

/**
 * sonde_pmu_stop() - disable every opened counter; values are kept.
 * @s: the session.
 *
 * Return: 0, or a negative errno.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_stop(struct sonde_pmu_session *s);

/**
 * sonde_pmu_reset() - zero every opened counter (not its times).
 * @s: the session.
 *
 * Return: 0, or a negative errno.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_reset(struct sonde_pmu_session *s);

/**
 * sonde_pmu_read() - read event @i, scaled (the seed's simple mode).
 * @s: the session.
 * @i: 0 to sonde_pmu_event_count() - 1.
 * @v: filled; @v->size must be set by the caller.
 *
 * Return: 0; the event's status when it could not be opened (see
 * sonde_pmu_event_status()); -ENOSPC when a pinned event lost its counter
 * (it reads end of file); -EINVAL for a bad @v; -ERANGE for a bad @i.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_read(struct sonde_pmu_session *s, size_t i,
				 struct sonde_pmu_value *v);

/**
 * sonde_pmu_restart() - resume after an overflow notification.
 * @s: the session.
 *
 * Every SONDE_PMU_EV_NOTIFY event of the active set is given its long
 * reset value (plus its random part, PERF_EVENT_IOC_PERIOD) and armed for
 * one more overflow (PERF_EVENT_IOC_REFRESH 1).  Other events go on.
 *
 * Return: 0, -EINVAL when the session is not started, or a negative errno.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_restart(struct sonde_pmu_session *s);

/**
 * sonde_pmu_attach() - count one more target, on a live session.
 * @s: the session.
 * @kind: SONDE_PMU_ATTACH_THREAD, _PROCESS or _CPU.
 * @id: the thread id, the process id, or the CPU number.
 *
 * Every opened event is opened on the target (a process: on each thread
 * listed in /proc/PID/task, listed again until no new thread shows, each
 * inherited by what it creates later); when the session is started, the
 * active set's counters start there at once.  Counts add up over every
 * target, and over attaches: a target detached and attached again goes on
 * from its earlier counts.
 *
 * Return: 0; -EEXIST when it is attached already; -ESRCH when it does not
 * exist; -EINVAL; -ENOMEM; -EACCES or -EPERM (permission).
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_attach(struct sonde_pmu_session *s, int kind,
				   int id);

/**
 * sonde_pmu_detach() - stop counting a target; its counts stay.
 * @s: the session.
 * @kind: as attached.
 * @id: as attached.
 *
 * The target's counters are read (their counts are kept in the session's
 * totals) and closed.  A target of sonde_pmu_session_create() can be
 * detached too: SONDE_PMU_ATTACH_THREAD with its pid, or
 * SONDE_PMU_ATTACH_CPU per CPU.
 *
 * Return: 0; -ENOENT when it is not attached; -EINVAL.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_detach(struct sonde_pmu_session *s, int kind,
				   int id);

/**
 * sonde_pmu_set_count() - how many event sets the session has.
 * @s: the session.
 *
 * Return: 1 + the highest set number of its creation.
 * Context: any thread.
 */
SONDE_PMU_API unsigned int sonde_pmu_set_count(const struct sonde_pmu_session *s);

/**
 * sonde_pmu_set_info() - runs, active time, overflowed events of a set.
 * @s: the session.
 * @set: 0 to sonde_pmu_set_count() - 1.
 * @info: filled; @info->size must be set by the caller.
 *
 * Return: 0; -ERANGE for a bad @set; -EINVAL for a bad @info.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_set_info(struct sonde_pmu_session *s,
				     unsigned int set,
				     struct sonde_pmu_set_info *info);

/**
 * sonde_pmu_set_switch() - make @set the active set now.
 * @s: a started session with library-switched sets.
 * @set: 0 to sonde_pmu_set_count() - 1.
 *
 * The helper thread's next switch comes switch_ns later.  For callers who
 * switch on their own conditions (after N overflows, for instance).
 *
 * Return: 0; -ERANGE; -EINVAL when the session is not started or its sets
 * are multiplexed by the kernel.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_set_switch(struct sonde_pmu_session *s,
				       unsigned int set);

/**
 * sonde_pmu_samples_read() - hand over the overflow samples read so far.
 * @s: the session.
 * @cb: called for each sample, in ring order per event and target, with
 *	the session locked: it must not call functions of @s.
 * @arg: passed to @cb.
 *
 * Reading a sample is what "handling the overflow" means for the full
 * mode (struct sonde_pmu_event_attr): after the samples of an event, the
 * library resets its reset_events and re-arms it with its short reset
 * value plus a random part (not SONDE_PMU_EV_NOTIFY events: those wait
 * for sonde_pmu_restart()), and marks it in its set's ovfl_events.
 *
 * Return: the number of samples handed over, or a negative errno; @cb's
 * non-zero return stops the reading there.
 * Context: any thread.
 */
SONDE_PMU_API int sonde_pmu_samples_read(struct sonde_pmu_session *s,
					 sonde_pmu_sample_cb cb, void *arg);

/**
 * sonde_pmu_samples_lost() - overflow records the kernel could not store.
 * @s: the session.
 *
 * Return: the sum over every ring of the session (and of detached ones).
 * Context: any thread.
 */
SONDE_PMU_API uint64_t sonde_pmu_samples_lost(struct sonde_pmu_session *s);

/**
 * sonde_pmu_strerror() - a sentence naming why @event could not be counted.
 * @err: a negative errno from perf_event_open() or from this API.
 * @event: the event's name, or NULL.
 * @why: where the sentence goes (NUL-terminated, truncated to fit).
 * @n: size of @why.
 *
 * Permission errors give /proc/sys/kernel/perf_event_paranoid and the
 * capability needed (CAP_PERFMON, or CAP_SYS_ADMIN before Linux 5.8).
 *
 * Return: @why.
 * Context: any thread; reads /proc for permission errors.
 */
SONDE_PMU_API const char *sonde_pmu_strerror(int err, const char *event,
					     char *why, size_t n);

#ifdef __cplusplus
}
#endif

#endif
