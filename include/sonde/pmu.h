/* SPDX-License-Identifier: MIT */
/*
 * sonde/pmu.h: performance counters through perf_event_open(2), in the
 * shape of the perfmon v3 session API: a session is created for a thread
 * (optionally inherited by its children) or for every CPU, it probe-opens
 * each requested event and says which ones this machine really has, then
 * it is started, stopped, reset and read.  This first slice counts only
 * (perfmon's "simple" mode): each value comes scaled by
 * time_enabled/time_running, with the running percentage.
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
#define SONDE_PMU_ENABLE_ON_EXEC 0x2u /* start counting at the target's next execve() */
#define SONDE_PMU_GROUP 0x4u          /* one group: the first opened event leads the others */

/**
 * struct sonde_pmu_opts - what to count, and where.
 * @size: sizeof(struct sonde_pmu_opts), for later growth.
 * @target: SONDE_PMU_THREAD or SONDE_PMU_CPU.
 * @pid: SONDE_PMU_THREAD: the thread id, 0 for the calling thread;
 *	ignored for SONDE_PMU_CPU.
 * @flags: SONDE_PMU_INHERIT, SONDE_PMU_ENABLE_ON_EXEC, SONDE_PMU_GROUP.
 * @events: @nr_events event names, as sonde_pmu_event_parse() reads them.
 * @nr_events: how many, 1 to 256.
 */
struct sonde_pmu_opts {
	size_t size;
	int target;
	int pid;
	unsigned int flags;
	const char *const *events;
	size_t nr_events;
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
 */
struct sonde_pmu_value {
	size_t size;
	uint64_t raw;
	uint64_t enabled_ns;
	uint64_t running_ns;
	double scaled;
	double running_pct;
};

/**
 * sonde_pmu_event_parse() - turn an event name into a perf_event_attr.
 * @name: perf's generic names ("cycles", "page-faults", "cs", ...) and
 *	hardware cache names ("L1-dcache-load-misses", "LLC-loads"), sysfs
 *	PMU syntax "pmu/field=value,.../" (fields from
 *	/sys/bus/event_source/devices/<pmu>/format, plus config, config1 and
 *	config2, and names from its events/ directory), a name from some PMU's
 *	events/ directory, or a tracepoint "sys:name" (id from tracefs).  An
 *	optional modifier ":u", ":k" or ":uk" (after the final '/' for sysfs
 *	syntax: "pmu/.../u") counts user or kernel space only.
 * @attr: filled (zeroed first): type, config, config1, config2, size, the
 *	exclude_* bits of the modifier.  Nothing else is set.
 * @why: room for a sentence saying what was wrong, or NULL.
 * @n: size of @why.
 *
 * A name that parses may still fail to open on this machine; only
 * perf_event_open() tells, which sonde_pmu_session_create() does.
 *
 * Return: 0; -ENOENT for an unknown name, PMU or tracepoint; -EINVAL for a
 * malformed name, an unknown field or a value too wide for its field;
 * -ENAMETOOLONG; -ENOMEM.
 * Context: any thread; reads sysfs and /proc/mounts; not async-signal-safe.
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
 * Return: 0, or the negative errno of the first ioctl that failed.
 * Context: any thread.
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
