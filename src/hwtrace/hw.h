/* SPDX-License-Identifier: MIT */
/*
 * Private to src/hwtrace/: the topology as the files of this folder share
 * it.  A topology is a table of devices indexed in name order; each keeps
 * its output connections (with the peer's index), its helpers, and the
 * state this handle has put it in (reference count, mode).
 */
#ifndef SONDE_SRC_HWTRACE_HW_H
#define SONDE_SRC_HWTRACE_HW_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <sonde/hwtrace.h>

#include "../common/common.h"

#define HW_NAME_MAX 64    /* a device name, NUL included */
#define HW_DEV_MAX 1024   /* devices in one topology */
#define HW_CONN_MAX 64    /* connections (in, out or helpers) of one device */
#define HW_TEXT_MAX 4096  /* a sysfs attribute file read whole */
#define HW_PATH_MAX 64    /* devices on one path */

#define HW_SYSFS_DEFAULT "/sys/bus/coresight/devices"
#define HW_DEV_DEFAULT "/dev"

struct hw_conn {
	int port;      /* out:N */
	int peer;      /* index of the device fed */
	int peer_port; /* its in:M, or -1 */
	int filter;    /* the only source carried, or -1 */
};

struct hw_dev {
	char name[HW_NAME_MAX];
	enum sonde_hw_kind kind;
	enum sonde_hw_sink_type sink_type;
	int cpu;
	unsigned int nr_out, nr_in, nr_helpers;
	struct hw_conn out[HW_CONN_MAX]; /* by port */
	int helpers[HW_CONN_MAX];
	/* What this handle did to the device (paths.c). */
	unsigned int refcnt;    /* paths holding it enabled (sink, link, helper) or started (source) */
	int mode;               /* enum sonde_hw_mode while refcnt > 0 */
	int was_on;             /* it was on before this handle enabled it: leave it on */
	int active_sink;        /* a started source: the sink it traces into */
	int as_sink;            /* a linksink held: 1 as the sink, 0 as a link */
};

struct sonde_hw_topo {
	pthread_mutex_t lock;   /* serialises state changes and filters */
	char sysfs_root[PATH_MAX];
	char dev_root[PATH_MAX];
	struct hw_dev *dev;
	size_t nr;
	struct sonde_hw_path *paths; /* alive, for sonde_hw_topo_close() */
};

/* Leave a sentence for sonde_hw_error_message(); returns @err. */
SONDE_HIDDEN int sonde__hw_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Clear this thread's sentence (a call that succeeds). */
SONDE_HIDDEN void sonde__hw_ok(void);

/*
 * Parsers of what sysfs gives (topology.c), separate so that the fuzz
 * target reaches them.  Each takes the file's bytes, not a C string.
 * sonde__hw_parse_u64(): "123", "0x7b", with an optional newline; 0 or
 * -EINVAL.  sonde__hw_parse_devtype(): the DEVTYPE= line of a uevent
 * file; the kind, or -ENOENT when there is none, -EINVAL when it names no
 * kind.  sonde__hw_link_name(): the device a connections/ link points at
 * (its last component), checked to be a device name; 0 or -EINVAL.
 * sonde__hw_name_ok(): a name made of [A-Za-z0-9_.:-], not "." or "..".
 */
SONDE_HIDDEN int sonde__hw_parse_u64(const char *s, size_t n, uint64_t *out);
SONDE_HIDDEN int sonde__hw_parse_devtype(const char *s, size_t n);
SONDE_HIDDEN int sonde__hw_link_name(const char *target, size_t n,
				     char *name, size_t size);
SONDE_HIDDEN int sonde__hw_name_ok(const char *name);

/* Read a device's attribute file @rel (e.g. "mgmt/trctraceid") into @buf
 * (NUL-terminated): its length, or -errno; a file of @size bytes or more
 * is -EFBIG. */
SONDE_HIDDEN long sonde__hw_attr_read(const struct sonde_hw_topo *t,
				      const char *dev, const char *rel,
				      char *buf, size_t size);
/* Write @val to a device's attribute file: 0 or -errno. */
SONDE_HIDDEN int sonde__hw_attr_write(const struct sonde_hw_topo *t,
				      const char *dev, const char *rel,
				      const char *val);
/* An attribute read as a number: 0, or -errno (-EINVAL for nonsense). */
SONDE_HIDDEN int sonde__hw_attr_u64(const struct sonde_hw_topo *t,
				    const char *dev, const char *rel,
				    uint64_t *out);

#endif
