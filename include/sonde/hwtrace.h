/* SPDX-License-Identifier: MIT */
/*
 * sonde/hwtrace.h: hardware trace paths from user space, over the kernel's
 * own interfaces.  A topology is read from the CoreSight bus in sysfs
 * (/sys/bus/coresight/devices: each device's kind, CPU and connections);
 * a path is built from a trace source (an ETM, an STM) to a sink (an ETF,
 * ETB, ETR, TPIU) by the kernel's rules; the path is enabled sink first,
 * the source started and stopped with reference counts, and the sink's
 * buffer sized and read from /dev/<sink> as CoreSight 16-byte formatted
 * frames, which sonde_hw_deformat_feed() splits into one byte stream per
 * trace ID.  Tracers that Linux drives through perf (cs_etm, intel_pt,
 * arm_spe) have a perf AUX backend, sonde_hw_perf_open().
 *
 *	struct sonde_hw_opts o = { .size = sizeof(o) };
 *	struct sonde_hw_topo *t;
 *	struct sonde_hw_path *p;
 *	if (sonde_hw_topo_open(&o, &t) < 0) {
 *		fprintf(stderr, "%s\n", sonde_hw_error_message());
 *		return;
 *	}
 *	if (sonde_hw_path_build(t, "etm0", NULL, &p) == 0) {
 *		sonde_hw_path_enable(p, SONDE_HW_MODE_SYSFS);
 *		sonde_hw_path_start(p);
 *		work();
 *		sonde_hw_path_stop(p);
 *		... sonde_hw_sink_read() the sink, sonde_hw_path_sink(p) ...
 *		sonde_hw_path_destroy(p);  (disables what is still enabled)
 *	}
 *	sonde_hw_topo_close(t);
 *
 * Errors: every call returns 0 (or a count) or a negative errno, and when
 * it fails it leaves a sentence for sonde_hw_error_message() on the
 * calling thread.  The kernel's state (which sink is activated, which
 * source enabled) belongs to the kernel and is shared by every process;
 * the reference counts of this API belong to one topology handle.
 */
#ifndef SONDE_HWTRACE_H
#define SONDE_HWTRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SONDE_HW_API __attribute__((visibility("default")))

struct sonde_hw_topo;
struct sonde_hw_path;

/* A device's class, as the kernel's coresight bus names it (DEVTYPE). */
enum sonde_hw_kind {
	SONDE_HW_SOURCE = 0,   /* produces trace: ETM, PTM, STM, TPDM */
	SONDE_HW_LINK = 1,     /* passes it on: funnel, replicator, TPDA */
	SONDE_HW_SINK = 2,     /* stores or exports it: ETB, ETR, TPIU, TRBE */
	SONDE_HW_LINKSINK = 3, /* a sink that can also be a link: ETF */
	SONDE_HW_HELPER = 4,   /* works beside the path: CTI, CATU */
};

/* What a sink keeps its trace in; a larger value is a better default
 * sink (the kernel's order). */
enum sonde_hw_sink_type {
	SONDE_HW_SINK_NONE = 0,   /* not a sink */
	SONDE_HW_SINK_PORT = 1,   /* off-chip port: TPIU (never a default) */
	SONDE_HW_SINK_BUFFER = 2, /* on-chip RAM: ETF, ETB */
	SONDE_HW_SINK_SYSMEM = 3, /* system memory: ETR */
	SONDE_HW_SINK_PERCPU = 4, /* per-CPU system memory: TRBE */
};

/* Who drives a path: the sysfs files (this library writes enable_sink and
 * enable_source), or perf (a cs_etm event, sonde_hw_perf_open()).  The
 * kernel lets a sink serve one mode at a time. */
enum sonde_hw_mode {
	SONDE_HW_MODE_SYSFS = 1,
	SONDE_HW_MODE_PERF = 2,
};

/**
 * struct sonde_hw_opts - where sonde_hw_topo_open() looks.
 * @size: sizeof(struct sonde_hw_opts).
 * @sysfs_root: the folder of the coresight bus's devices; NULL: the
 *	environment's SONDE_HWTRACE_SYSFS (ignored by a setuid or
 *	privileged program), else /sys/bus/coresight/devices.
 * @dev_root: where the sinks' character devices are; NULL:
 *	SONDE_HWTRACE_DEV, else /dev.
 */
struct sonde_hw_opts {
	size_t size;
	const char *sysfs_root;
	const char *dev_root;
};

/**
 * struct sonde_hw_device - what sonde_hw_device_get() says of a device.
 * @size: set by the caller to sizeof(struct sonde_hw_device).
 * @name: its name in sysfs ("etm0", "tmc_etr0"); valid while the
 *	topology is open.
 * @kind: its class.
 * @sink_type: for a sink or linksink, what it stores its trace in.
 * @cpu: the CPU it is bound to (per-CPU sources and sinks), else -1.
 * @nr_out: its output connections (sonde_hw_device_conn()).
 * @nr_in: its input connections.
 * @nr_helpers: the helpers associated with it (sonde_hw_device_helper()).
 */
struct sonde_hw_device {
	size_t size;
	const char *name;
	enum sonde_hw_kind kind;
	enum sonde_hw_sink_type sink_type;
	int cpu;
	unsigned int nr_out;
	unsigned int nr_in;
	unsigned int nr_helpers;
};

/**
 * struct sonde_hw_conn - one output connection of a device.
 * @size: set by the caller to sizeof(struct sonde_hw_conn).
 * @port: the output port ("out:N" in sysfs).
 * @peer: the index of the device it feeds.
 * @peer_port: that device's input port ("in:M"), or -1 if sysfs does not
 *	show the back link.
 * @filter: the index of the only source this port carries
 *	(sonde_hw_port_filter()), or -1 when it carries every source.
 */
struct sonde_hw_conn {
	size_t size;
	int port;
	size_t peer;
	int peer_port;
	long filter;
};

/**
 * sonde_hw_error_message() - why the last failed call of this thread failed.
 *
 * Return: a sentence ("no CoreSight devices: /sys/bus/coresight/devices
 * does not exist"), or "" when no call failed yet on this thread.  Valid
 * until the thread's next call of this API.
 * Context: any thread; the message is the calling thread's.
 */
SONDE_HW_API const char *sonde_hw_error_message(void);

/**
 * sonde_hw_topo_open() - read the trace devices and their connections.
 * @opts: where to look, or NULL for the defaults.
 * @out: the topology, or NULL on failure.
 *
 * Reads each device of the coresight bus: its class from uevent's
 * DEVTYPE (or, on a kernel without it, from its enable_source and
 * enable_sink files), its CPU from its cpu file, its connections from its
 * connections/ group (out:N and in:N links, and the links named after
 * associated helpers).  Nothing is written.
 *
 * Return: 0; -ENODEV when the sysfs root does not exist (no CoreSight on
 * this machine, or no driver loaded); -EINVAL when a file says something
 * that is not what the kernel writes there (the sentence names it);
 * -E2BIG past 1024 devices or 64 connections on one device;
 * -ENAMETOOLONG; -ENOMEM; another -errno of open() or read().
 * Context: any thread; reads sysfs; not async-signal-safe.
 */
SONDE_HW_API int sonde_hw_topo_open(const struct sonde_hw_opts *opts,
				    struct sonde_hw_topo **out);

/**
 * sonde_hw_topo_close() - destroy a topology: its paths, then itself.
 * @t: the topology, or NULL (nothing happens).
 *
 * Paths still alive are destroyed first (stopped, disabled).
 * Context: no other thread may use @t or its paths at the same time.
 */
SONDE_HW_API void sonde_hw_topo_close(struct sonde_hw_topo *t);

/**
 * sonde_hw_device_count() - how many devices the topology has.
 * @t: the topology.
 *
 * Return: the count; devices are indexed 0 to count - 1 in name order.
 * Context: any thread.
 */
SONDE_HW_API size_t sonde_hw_device_count(const struct sonde_hw_topo *t);

/**
 * sonde_hw_device_find() - the index of a device by name.
 * @t: the topology.
 * @name: the device's sysfs name.
 *
 * Return: the index; -ENOENT when there is no such device; -EINVAL.
 * Context: any thread.
 */
SONDE_HW_API long sonde_hw_device_find(const struct sonde_hw_topo *t,
				       const char *name);

/**
 * sonde_hw_device_get() - describe a device.
 * @t: the topology.
 * @idx: its index.
 * @out: filled; its size must be set.
 *
 * Return: 0; -ENOENT for an index past the end; -EINVAL.
 * Context: any thread.
 */
SONDE_HW_API int sonde_hw_device_get(const struct sonde_hw_topo *t,
				     size_t idx, struct sonde_hw_device *out);

/**
 * sonde_hw_device_conn() - one output connection of a device.
 * @t: the topology.
 * @idx: the device's index.
 * @i: which of its nr_out connections, in port order.
 * @out: filled; its size must be set.
 *
 * Return: 0; -ENOENT past the end; -EINVAL.
 * Context: any thread.
 */
SONDE_HW_API int sonde_hw_device_conn(const struct sonde_hw_topo *t,
				      size_t idx, unsigned int i,
				      struct sonde_hw_conn *out);

/**
 * sonde_hw_device_helper() - one helper (CTI, CATU) associated with a device.
 * @t: the topology.
 * @idx: the device's index.
 * @i: which of its nr_helpers helpers.
 *
 * Return: the helper's index; -ENOENT past the end; -EINVAL.
 * Context: any thread.
 */
SONDE_HW_API long sonde_hw_device_helper(const struct sonde_hw_topo *t,
					 size_t idx, unsigned int i);

/**
 * sonde_hw_port_filter() - declare that an output port carries one source only.
 * @t: the topology.
 * @dev: the device whose output port filters (a replicator).
 * @port: the output port ("out:N").
 * @source: the only source whose trace goes through that port, or NULL to
 *	remove the filter.
 *
 * Some replicators pass on a hard-wired subset of the trace (the
 * firmware's "filter-source" of an output endpoint).  The kernel builds
 * paths around such ports but does not show them in sysfs, so a program
 * that knows its board's device tree declares them here.  Paths built
 * later skip a port whose filter names another source.
 *
 * Return: 0; -ENOENT for an unknown device, port or source; -EINVAL when
 * @source is not a source.
 * Context: any thread; serialised with the topology's other calls.
 */
SONDE_HW_API int sonde_hw_port_filter(struct sonde_hw_topo *t,
				      const char *dev, int port,
				      const char *source);

/**
 * sonde_hw_path_build() - build the path from a source to a sink.
 * @t: the topology.
 * @source: the source's name ("etm0").
 * @sink: the sink's name, or NULL for the source's default sink.
 * @out: the path, or NULL on failure.
 *
 * The kernel's rules: the first route a depth-first search from the
 * source finds, output ports in order, skipping ports whose filter names
 * another source (sonde_hw_port_filter()); a per-CPU source goes straight
 * to the per-CPU sink of its CPU.  The default sink is the per-CPU sink
 * of the source's CPU if there is one, else the best buffer type
 * reachable (system memory over on-chip buffer; a TPIU never), the
 * nearest of the best, looking past an ETF for a better sink behind it.
 * Nothing is enabled.
 *
 * Return: 0; -ENOENT for an unknown device; -EINVAL when @source is not a
 * source or @sink not a sink; -ENOLINK when no route (or no default sink)
 * exists; -ENOMEM.
 * Context: any thread; serialised with the topology's other calls.
 */
SONDE_HW_API int sonde_hw_path_build(struct sonde_hw_topo *t,
				     const char *source, const char *sink,
				     struct sonde_hw_path **out);

/**
 * sonde_hw_path_length() - how many devices a path has.
 * @p: the path.
 *
 * Return: the count: the source, the links, the sink (2 or more).
 * Context: any thread.
 */
SONDE_HW_API size_t sonde_hw_path_length(const struct sonde_hw_path *p);

/**
 * sonde_hw_path_device() - the name of the @i-th device of a path.
 * @p: the path.
 * @i: 0 for the source, sonde_hw_path_length() - 1 for the sink.
 *
 * Return: the name, or NULL past the end.
 * Context: any thread.
 */
SONDE_HW_API const char *sonde_hw_path_device(const struct sonde_hw_path *p,
					      size_t i);

/**
 * sonde_hw_path_sink() - the name of a path's sink.
 * @p: the path.
 *
 * Return: the name.
 * Context: any thread.
 */
SONDE_HW_API const char *sonde_hw_path_sink(const struct sonde_hw_path *p);

/**
 * sonde_hw_path_enable() - enable a path, sink first, its source excepted.
 * @p: the path.
 * @mode: SONDE_HW_MODE_SYSFS or SONDE_HW_MODE_PERF.
 *
 * Walks from the sink back to the source as the kernel does: at each
 * device its helpers first (a CTI's enable file, in sysfs mode), then the
 * device: the sink is activated (enable_sink, in sysfs mode), a link (an
 * ETF in the middle of the path is one) taken.  Each device is counted:
 * a sink shared by two paths is activated by the first and stays so until
 * the last lets go; a sink that was activated before this handle touched
 * it is left activated.  On an error every step this call made is undone,
 * newest first, and the path is as before.
 *
 * Return: 0; -EBUSY when a device is held in the other mode, when an ETF
 * is wanted as a sink by one path and as a link by another, or (perf
 * mode) when the sink is activated through sysfs; -EALREADY when @p is
 * enabled already; -EINVAL; the -errno of a failed write.
 * Context: serialised with the topology's other calls; writes sysfs.
 */
SONDE_HW_API int sonde_hw_path_enable(struct sonde_hw_path *p,
				      enum sonde_hw_mode mode);

/**
 * sonde_hw_path_disable() - let go of what sonde_hw_path_enable() took.
 * @p: the path, stopped.
 *
 * From the source toward the sink; the sink is deactivated when its last
 * path lets go.  A failed write does not stop the walk: every count is
 * dropped, and the first error returned.
 *
 * Return: 0; -EBUSY while the path is started; -EINVAL when it is not
 * enabled; the -errno of a failed write.
 * Context: serialised with the topology's other calls; writes sysfs.
 */
SONDE_HW_API int sonde_hw_path_disable(struct sonde_hw_path *p);

/**
 * sonde_hw_path_start() - start the path's source.
 * @p: the path, enabled.
 *
 * The source is counted: a second path from the same source into the
 * same sink only adds a reference; the first start writes enable_source
 * (sysfs mode).  Before that write, the kernel's choice is checked: it
 * sends the trace to the first activated sink its search from the source
 * finds, so another activated sink found before this path's sink is an
 * error rather than trace going astray.  On an error the path is as
 * before (enabled, not started).
 *
 * Return: 0; -EBUSY when the source is started into another sink or in
 * the other mode, when sysfs shows it enabled by someone else, or when
 * another activated sink comes first; -EALREADY; -EINVAL when @p is not
 * enabled; the -errno of a failed write.
 * Context: serialised with the topology's other calls; writes sysfs.
 */
SONDE_HW_API int sonde_hw_path_start(struct sonde_hw_path *p);

/**
 * sonde_hw_path_stop() - drop this path's reference on its source.
 * @p: the path, started.
 *
 * The last reference writes 0 to enable_source (sysfs mode): the kernel
 * stops the source and flushes the path into the sink.
 *
 * Return: 0; -EINVAL when @p is not started; the -errno of a failed write
 * (the reference is dropped anyway).
 * Context: serialised with the topology's other calls; writes sysfs.
 */
SONDE_HW_API int sonde_hw_path_stop(struct sonde_hw_path *p);

/**
 * sonde_hw_path_destroy() - stop, disable and free a path.
 * @p: the path, or NULL (nothing happens).
 *
 * What the path still holds is let go as sonde_hw_path_stop() and
 * sonde_hw_path_disable() would; an error doing so is left for
 * sonde_hw_error_message() and the path is freed anyway.
 * Context: serialised with the topology's other calls.
 */
SONDE_HW_API void sonde_hw_path_destroy(struct sonde_hw_path *p);

/**
 * sonde_hw_sink_set_buffer_size() - size a sink's sysfs-mode buffer.
 * @t: the topology.
 * @sink: the sink (an ETR: ETFs and ETBs have a fixed on-chip buffer).
 * @bytes: a multiple of 4096, at most 4 GiB.
 *
 * Writes buffer_size and reads it back.  The buffer is the one the sink
 * fills in sysfs mode; a perf session has its own (the AUX area).
 *
 * Return: 0; -EOPNOTSUPP for a sink without buffer_size; -EBUSY while a
 * path of this topology holds the sink; -ERANGE when the driver kept
 * another size; -EINVAL; the -errno of the write.
 * Context: serialised with the topology's other calls; writes sysfs.
 */
SONDE_HW_API int sonde_hw_sink_set_buffer_size(struct sonde_hw_topo *t,
					       const char *sink,
					       uint64_t bytes);

/**
 * sonde_hw_sink_buffer_size() - read a sink's buffer_size.
 * @t: the topology.
 * @sink: the sink.
 * @bytes: the size.
 *
 * Return: 0; -EOPNOTSUPP for a sink without buffer_size; -EINVAL.
 * Context: any thread; reads sysfs.
 */
SONDE_HW_API int sonde_hw_sink_buffer_size(struct sonde_hw_topo *t,
					   const char *sink, uint64_t *bytes);

/**
 * sonde_hw_sink_read() - read what a sink holds, from /dev/<sink>.
 * @t: the topology (its device root).
 * @sink: the sink.
 * @buf: where the bytes go.
 * @size: room in @buf: at most this much is read.
 *
 * The kernel hands out the trace captured since the sink was last
 * enabled, once; it is CoreSight frame-formatted (16-byte frames holding
 * every source's trace), for sonde_hw_deformat_feed().  Read it after the
 * source is stopped.
 *
 * Return: the bytes read (0: empty); -ENOENT when the sink has no device
 * (a TPIU); -EBUSY from a kernel whose sink is in use by perf; -EINVAL;
 * the -errno of open() or read().
 * Context: any thread; not async-signal-safe.
 */
SONDE_HW_API long sonde_hw_sink_read(struct sonde_hw_topo *t,
				     const char *sink, void *buf,
				     size_t size);

struct sonde_hw_deformat;

/* Bytes of one trace ID out of the deformatter; non-zero stops the feed
 * and is what sonde_hw_deformat_feed() returns. */
typedef int (*sonde_hw_stream_cb)(void *arg, uint8_t id, const uint8_t *data,
				  size_t n);

/**
 * sonde_hw_deformat_create() - a CoreSight frame deformatter.
 * @out: the deformatter.
 *
 * It splits formatted trace (16-byte frames, as ETB, ETF and ETR store
 * it) into one byte stream per trace ID.  Bytes of ID 0 (padding), of
 * the reserved IDs 0x70-0x7f, and those before the first ID change are
 * dropped and counted (sonde_hw_deformat_dropped()).
 *
 * Return: 0; -ENOMEM; -EINVAL.
 * Context: any thread; a deformatter is used by one thread at a time.
 */
SONDE_HW_API int sonde_hw_deformat_create(struct sonde_hw_deformat **out);

/**
 * sonde_hw_deformat_feed() - deformat the next bytes of a sink's trace.
 * @d: the deformatter.
 * @buf: the bytes, frame-aligned from the first feed on; any length (a
 *	frame cut by the end is completed by the next feed).
 * @n: their count.
 * @cb: called with each run of bytes of one ID, in trace order.
 * @arg: passed to @cb.
 *
 * Return: 0; what @cb returned when not 0; -EINVAL.
 * Context: any thread; not async-signal-safe.
 */
SONDE_HW_API int sonde_hw_deformat_feed(struct sonde_hw_deformat *d,
					const void *buf, size_t n,
					sonde_hw_stream_cb cb, void *arg);

/* Bytes dropped so far (padding, reserved IDs, before the first ID). */
SONDE_HW_API uint64_t sonde_hw_deformat_dropped(const struct sonde_hw_deformat *d);

/* Free a deformatter; NULL is a no-op. */
SONDE_HW_API void sonde_hw_deformat_destroy(struct sonde_hw_deformat *d);

/* A memory image for the decoder: the bytes of @file (in the snapshot
 * directory) are what the traced core ran at @address. */
struct sonde_hw_mem {
	const char *file;
	uint64_t address;
	const char *space; /* "EL1N", "EL0N", ...; NULL: "EL1N" */
};

/**
 * struct sonde_hw_snapshot_opts - what sonde_hw_snapshot_write() describes.
 * @size: sizeof(struct sonde_hw_snapshot_opts).
 * @sink: the sink whose data @trace_file holds.
 * @trace_file: the raw data's file name in the directory.
 * @sources: the ETMv4 sources traced into it (etmN).
 * @nr_sources: their count (1 to 64).
 * @unformatted: 0: @trace_file is frame-formatted (a sink's content);
 *	1: it is one source's raw byte stream.
 * @core_type: the traced cores' type ("Cortex-A57"); NULL: Cortex-A57.
 * @mem: memory images of each core, or NULL.
 * @nr_mem: their count.
 */
struct sonde_hw_snapshot_opts {
	size_t size;
	const char *sink;
	const char *trace_file;
	const char *const *sources;
	size_t nr_sources;
	int unformatted;
	const char *core_type;
	const struct sonde_hw_mem *mem;
	size_t nr_mem;
};

/**
 * sonde_hw_snapshot_write() - describe a sink's data for a decoder.
 * @t: the topology (each source's registers are read from its sysfs files).
 * @dirfd: the directory to write in (it holds @opts->trace_file).
 * @opts: what to describe.
 *
 * Writes snapshot.ini, trace.ini, <source>.ini (class trace_source, type
 * ETM4, TRCCONFIGR, TRCTRACEIDR, TRCAUTHSTATUS and TRCIDR0-2, 8-13 from
 * mgmt/ and trcidr/) and cpu_<source>.ini per source, in the format of
 * ARM's Trace and Debug Snapshot that OpenCSD reads.  Read the registers
 * while the path is enabled: the trace ID is allocated then.  No file is
 * overwritten.
 *
 * Return: 0; -EEXIST when a file exists already; -EOPNOTSUPP for a
 * source that is not an ETM; -ENOENT; -EINVAL; the -errno of a write.
 * Context: any thread; not async-signal-safe.
 */
SONDE_HW_API int sonde_hw_snapshot_write(struct sonde_hw_topo *t, int dirfd,
					 const struct sonde_hw_snapshot_opts *opts);

struct sonde_hw_perf;

/**
 * struct sonde_hw_perf_opts - what sonde_hw_perf_open() traces.
 * @size: sizeof(struct sonde_hw_perf_opts).
 * @pmu: "cs_etm", "intel_pt", "arm_spe_0": a PMU of
 *	/sys/bus/event_source/devices ($SONDE_HWTRACE_PMU moves the root).
 * @sink: for cs_etm, the sink to use (a name of its sinks/ folder), or
 *	NULL for the kernel's default.
 * @pid: the thread to trace, or -1 with @cpu for a CPU.
 * @cpu: the CPU, or -1 for wherever @pid runs.
 * @aux_pages: pages of the AUX area, a power of two; 0: 256.
 */
struct sonde_hw_perf_opts {
	size_t size;
	const char *pmu;
	const char *sink;
	int pid;
	int cpu;
	size_t aux_pages;
};

/**
 * sonde_hw_perf_open() - a hardware tracer through perf, with its AUX area.
 * @opts: what to trace.
 * @out: the tracer, disabled.
 *
 * Opens the PMU's event (user space only) on the thread or CPU and maps
 * its ring and AUX area; the trace goes to the AUX area, a buffer of its
 * own, not the sink's sysfs buffer.
 *
 * Return: 0; -ENODEV when this machine has no such PMU (the sentence says
 * so plainly); -ENOENT for a sink the PMU does not list; -EINVAL; the
 * -errno of perf_event_open() or mmap().
 * Context: any thread; not async-signal-safe.
 */
SONDE_HW_API int sonde_hw_perf_open(const struct sonde_hw_perf_opts *opts,
				    struct sonde_hw_perf **out);

/* Start and stop tracing (PERF_EVENT_IOC_ENABLE/DISABLE): 0 or -errno. */
SONDE_HW_API int sonde_hw_perf_enable(struct sonde_hw_perf *h);
SONDE_HW_API int sonde_hw_perf_disable(struct sonde_hw_perf *h);

/**
 * sonde_hw_perf_read() - take the trace the AUX area holds.
 * @h: the tracer.
 * @buf: where it goes.
 * @size: room in @buf.
 *
 * Return: the bytes copied (those are then given back to the kernel);
 * -EINVAL.
 * Context: the thread that owns @h.
 */
SONDE_HW_API long sonde_hw_perf_read(struct sonde_hw_perf *h, void *buf,
				     size_t size);

/* Unmap and close; NULL is a no-op. */
SONDE_HW_API void sonde_hw_perf_close(struct sonde_hw_perf *h);

/* Names for enum values, for messages and listings ("source", "sysmem"). */
SONDE_HW_API const char *sonde_hw_kind_name(enum sonde_hw_kind kind);
SONDE_HW_API const char *sonde_hw_sink_type_name(enum sonde_hw_sink_type type);

#ifdef __cplusplus
}
#endif

#endif
