/* SPDX-License-Identifier: MIT */
/* The consumer's names of the processes of a channel, from its process
 * log (src/buffers/layout.h), by pid and time. */
#ifndef SONDE_SRC_SOURCES_PROCS_H
#define SONDE_SRC_SOURCES_PROCS_H

#include <stdint.h>

#include "../buffers/layout.h"
#include "../common/common.h"

/* Names a pid had, the latest SONDE__PROCS_HIST of them. */
#define SONDE__PROCS_HIST 4u
/* Distinct pids remembered; past that the table starts afresh. */
#define SONDE__PROCS_MAX (1u << 16)

struct sonde__proc_name {
	uint64_t ts;                    /* from then on; 0: since ever */
	char comm[SONDE__COMM_LEN + 1]; /* printable ASCII, NUL-terminated */
};

struct sonde__proc {
	int32_t pid; /* 0: a free slot */
	uint32_t nr; /* names in hist, oldest first */
	struct sonde__proc_name hist[SONDE__PROCS_HIST];
};

struct sonde__procs {
	struct sonde__proc *slot; /* open addressing, cap a power of two */
	uint32_t cap, nr;
	uint32_t cursor;  /* next log entry to read */
	uint64_t skipped; /* log entries lapped or never completed */
	uint64_t bad;     /* entries no writer following the protocol left */
};

/*
 * Read the entries of the log at @h that were written since the last
 * call.  An entry still being written is read at the next call; with
 * @final (its writers are gone), or once the log has moved half its size
 * past it, it is skipped.  0 or -ENOMEM.
 */
SONDE_HIDDEN int sonde__procs_refresh(struct sonde__procs *p,
				      const struct sonde__shm_hdr *h,
				      int final);
/*
 * The name of @pid at @ts (the latest announced at or before @ts, or its
 * first one if none was), or NULL when the log never named it.  Then
 * sonde__procs_learn() asks /proc.
 */
SONDE_HIDDEN const char *sonde__procs_name(const struct sonde__procs *p,
					   int32_t pid, uint64_t ts);
/* Name @pid from /proc/PID/comm, since ever ("" when it is gone); the
 * name, or NULL (out of memory). */
SONDE_HIDDEN const char *sonde__procs_learn(struct sonde__procs *p,
					    int32_t pid);
/* Add name @comm (@len bytes at most) for @pid from @ts.  0 or -ENOMEM. */
SONDE_HIDDEN int sonde__procs_add(struct sonde__procs *p, int32_t pid,
				  uint64_t ts, const char *comm, size_t len);
SONDE_HIDDEN void sonde__procs_free(struct sonde__procs *p);

#endif
