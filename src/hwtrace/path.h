/* SPDX-License-Identifier: MIT */
/* A path of src/hwtrace/: built by path.c, enabled by enable.c. */
#ifndef SONDE_SRC_HWTRACE_PATH_H
#define SONDE_SRC_HWTRACE_PATH_H

#include "hw.h"

struct sonde_hw_path {
	struct sonde_hw_topo *topo;
	struct sonde_hw_path *next; /* the topology's list of live paths */
	size_t n;                   /* devices: dev[0] the source, dev[n-1] the sink */
	int dev[HW_PATH_MAX + 1];
	int mode;                   /* enabled in this mode; 0: not enabled */
	int started;                /* its source started by this path */
};

/* The kernel's default sink for source @src: an index, or -1. */
SONDE_HIDDEN int sonde__hw_default_sink(const struct sonde_hw_topo *t, int src);
/* The first route from @src to @sink into @route (HW_PATH_MAX + 1
 * entries), its length in *@n; 0 or -ENOLINK. */
SONDE_HIDDEN int sonde__hw_route(const struct sonde_hw_topo *t, int src,
				 int sink, int *route, size_t *n);

/* Take @p off its topology's list (lock held). */
SONDE_HIDDEN void sonde__hw_path_unlink(struct sonde_hw_path *p);

/* Stop and disable what @p still holds (lock held); errors are left in
 * the thread's sentence. */
SONDE_HIDDEN void sonde__hw_path_release(struct sonde_hw_path *p);

#endif
