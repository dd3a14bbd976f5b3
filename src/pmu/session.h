/* SPDX-License-Identifier: MIT */
/*
 * A session's private layout, shared by session.c (create, destroy, the
 * targets: attach and detach), control.c (start/stop/reset, the event
 * sets and their helper thread), read.c (read and scale) and sample.c
 * (the full mode: overflow samples, restart).
 *
 * Counters are kept per event and per target slot: ev[i].fds[k] is event i
 * on slot k (a thread, inherited or not, or a CPU).  Attaching adds a
 * slot to every event; detaching reads the slot's counts into the event's
 * acc_* totals and closes it.  Everything below is guarded by @lock, which
 * the helper thread takes to switch sets.
 */
#ifndef SONDE_PMU_SESSION_H
#define SONDE_PMU_SESSION_H

#include <linux/perf_event.h>
#include <pthread.h>

#include <sonde/pmu.h>

#include "ring.h"

#define SONDE__PMU_EVENTS_MAX 256
#define SONDE__PMU_SETS_MAX 64
#define SONDE__PMU_WHY 320
#define SONDE__PMU_SWITCH_NS 10000000ull

/* One target slot: where its counters are opened. */
struct sonde__pmu_slot {
	int pid;     /* perf_event_open()'s pid: a tid, or -1 for a CPU */
	int cpu;     /* its cpu: -1 for a thread */
	int kind;    /* enum sonde_pmu_attach_kind it was attached as */
	int id;      /* the id it was attached by (a process: its pid) */
	int inherit; /* counting events follow what the thread creates */
	int on_exec; /* enable_on_exec (the creation's target only) */
};

struct sonde__pmu_event {
	char *name;                  /* as asked */
	struct perf_event_attr attr; /* as opened (or as parsed) */
	int status;                  /* 0, or why it cannot count: -errno */
	char why[SONDE__PMU_WHY];    /* the sentence for a status < 0 */
	unsigned int set;
	int leader;                  /* index of its group's leader, or -1 */
	int *fds;                    /* per slot; -1 when not open */
	/* Full mode (attr.sample_period != 0). */
	struct sonde_pmu_event_attr full;
	struct sonde__perfring *rings; /* per slot */
	uint64_t *last;                /* per slot: its count at the last sample */
	uint64_t *peek;                /* per slot: ring position counted by the helper */
	size_t nr_read;                /* values in a sample's group read */
	size_t read_ev[SONDE_PMU_SAMPLE_VALUES];
	/* Counts of detached slots. */
	uint64_t acc_raw, acc_enabled, acc_running, acc_lost;
	double acc_scaled;
};

struct sonde__pmu_set {
	uint64_t runs;
	uint64_t active_ns; /* closed runs */
	uint64_t ovfl;      /* bit i: event i overflowed in its last run */
	uint64_t ovfl_run;  /* the run ovfl was seen in */
	uint64_t overflows; /* samples seen by the helper in this run */
	size_t nr_events;
};

struct sonde_pmu_session {
	pthread_mutex_t lock;
	pthread_cond_t wake;    /* the helper's sleep; CLOCK_MONOTONIC */
	pthread_t helper;
	int helper_on, quit;
	int target;             /* as created */
	unsigned int flags;
	struct sonde__pmu_slot *slots;
	size_t nr_slots, cap_slots;
	unsigned int nr_sets, active;
	uint64_t switch_ns;
	uint64_t switch_ovfl;   /* opts.switch_overflows */
	int started;
	uint64_t started_at;    /* CLOCK_MONOTONIC ns of the last start */
	uint64_t session_ns;    /* closed started intervals */
	uint64_t set_since;     /* when the active set became active */
	uint64_t next_switch;   /* the helper's next deadline */
	uint64_t rnd;           /* xorshift64 state for random_mask */
	struct sonde__pmu_set sets[SONDE__PMU_SETS_MAX];
	size_t nr;
	struct sonde__pmu_event ev[];
};

/* Library-switched sets: several sets and no kernel multiplexing. */
static inline int sonde__pmu_switched(const struct sonde_pmu_session *s)
{
	return s->nr_sets > 1 && !(s->flags & SONDE_PMU_KERNEL_MULTIPLEX);
}

uint64_t sonde__pmu_now(void);
/* Session time and set @set's active time until now.  Lock held. */
void sonde__pmu_times(const struct sonde_pmu_session *s, unsigned int set,
		      uint64_t *session, uint64_t *active);
/* Enable (@on) or disable set @set's counters on slot @k (every slot when
 * @k is (size_t)-1); the first errno. Lock held. */
int sonde__pmu_set_enable(struct sonde_pmu_session *s, unsigned int set,
			  size_t k, int on);
/* Counters of event @i on slot @k: raw/enabled/running and scaled added
 * to @v.  0 or -errno. */
int sonde__pmu_read_slot(const struct sonde_pmu_session *s, size_t i,
			 size_t k, struct sonde_pmu_value *v);
/* Set @set's bit for event @i in its overflowed events. Lock held. */
void sonde__pmu_mark_ovfl(struct sonde_pmu_session *s, size_t i);
/* Samples of the active set's rings not seen before. Lock held. */
uint64_t sonde__pmu_peek_overflows(struct sonde_pmu_session *s);
/* Map the rings of sampling event @e on slot @k; 0 or -errno. */
int sonde__pmu_sample_map(struct sonde_pmu_session *s,
			  struct sonde__pmu_event *e, size_t k);
/* Arm sampling event @e on slot @k with its long (@lng) or short value
 * plus a random part; @on: it may be counting.  Lock held. */
int sonde__pmu_arm(struct sonde_pmu_session *s, struct sonde__pmu_event *e,
		   size_t k, int lng, int on);
/* Read what remains in the rings of slot @k (samples dropped: they are
 * counted lost) before it closes. */
void sonde__pmu_sample_drop(struct sonde_pmu_session *s, size_t k);

#endif
