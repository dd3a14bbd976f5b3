/* SPDX-License-Identifier: MIT */
/*
 * A counting session's private layout, shared by session.c (create,
 * destroy, start/stop/reset) and read.c (read and scale).
 */
#ifndef SONDE_PMU_SESSION_H
#define SONDE_PMU_SESSION_H

#include <linux/perf_event.h>

#include <sonde/pmu.h>

#define SONDE__PMU_EVENTS_MAX 256
#define SONDE__PMU_WHY 320

struct sonde__pmu_event {
	char *name;                  /* as asked */
	struct perf_event_attr attr; /* as opened (or as parsed) */
	int status;                  /* 0, or why it cannot count: -errno */
	char why[SONDE__PMU_WHY];    /* the sentence for a status < 0 */
	int *fds;                    /* one per CPU slot; -1 when not open */
};

struct sonde_pmu_session {
	int target;       /* enum sonde_pmu_target */
	int pid;          /* THREAD: the thread; CPU: -1 */
	unsigned int flags;
	int leader;       /* SONDE_PMU_GROUP: index of the group's leader, else -1 */
	int *cpus;        /* CPU: the online CPUs; THREAD: { -1 } */
	size_t nr_cpus;
	size_t nr;
	struct sonde__pmu_event ev[];
};

#endif
