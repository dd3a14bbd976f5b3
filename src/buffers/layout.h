/* SPDX-License-Identifier: MIT */
/*
 * Layout of a channel's shared-memory object, shared by the instrumented
 * processes (src/control/attach.c, src/buffers/ring.c,
 * src/instrumentation/registry.c) and the consumer (src/sources/).
 *
 *   +-------------------+ 0
 *   | sonde__shm_hdr    |  geometry, clock, uuid, patterns, registry lock,
 *   |                   |  process log
 *   +-------------------+ rb_off
 *   | cpu 0 control     |  struct sonde_rb_cpu + nsub x sonde_rb_sub
 *   | cpu 1 control     |  (rb_stride bytes each, cache-line multiple)
 *   | ...               |
 *   +-------------------+ reg_off
 *   | event registry    |  appended sonde__reg_entry records
 *   +-------------------+ data_off (page aligned)
 *   | cpu 0 data        |  nsub sub-buffers of subbuf_size bytes
 *   | cpu 1 data        |
 *   +-------------------+ total_size
 *
 * Each sub-buffer is one packet: its header and records are laid out as
 * include/sonde/static/format.h says.
 */
#ifndef SONDE_SRC_BUFFERS_LAYOUT_H
#define SONDE_SRC_BUFFERS_LAYOUT_H

#include <pthread.h>
#include <stdint.h>

#include <sonde/static/format.h>
#include <sonde/static/ring.h>

#define SONDE__SHM_MAGIC 0x534f4e44u /* "SOND" */
#define SONDE__PATTERNS_MAX 4096

/*
 * The process log: each process announces itself when it attaches (and
 * so again after exec, as its new image attaches) and in the child after
 * fork(), before it writes any record: its pid, the channel's clock then,
 * and its comm.  Writers take entry proc_head++ (a ring of
 * SONDE__PROC_LOG_NR), store seq = 0, the fields, then seq = index + 1
 * (release); the consumer (src/sources/procs.c) reads the entries it has
 * not read, copies each and checks its seq before and after.  A record's
 * commit comes after its process's announce, so an event's process is in
 * the log by the time the consumer walks the event.  Written by traced
 * processes: data to bound, never to trust.
 */
#define SONDE__PROC_LOG_NR 1024u /* power of two */
#define SONDE__COMM_LEN 16u       /* TASK_COMM_LEN */

struct sonde__proc_ent {
	uint32_t seq;               /* index + 1 once complete */
	int32_t pid;
	uint64_t ts;                /* the channel's clock when announced */
	char comm[SONDE__COMM_LEN]; /* NUL-padded; may lack the NUL */
};

struct sonde__shm_hdr {
	uint32_t magic;
	uint32_t abi_version;
	uint32_t hdr_size;
	uint32_t ncpu;
	uint32_t subbuf_size;
	uint32_t nsub;
	uint32_t overwrite;
	uint32_t clock;
	uint64_t total_size;
	uint64_t rb_off;
	uint64_t rb_stride;
	uint64_t reg_off;
	uint64_t reg_size;
	uint64_t data_off;
	uint8_t uuid[16];
	/* Enabled patterns, '\n'-separated; empty enables everything. */
	char patterns[SONDE__PATTERNS_MAX];
	/* Registry: appended under reg_lock, published by reg_used. */
	union {
		pthread_mutex_t reg_lock;
		char reg_lock_space[64];
	};
	uint32_t reg_used;  /* bytes, release-stored after each append */
	uint32_t nr_events; /* next event id */
	uint32_t nr_procs;  /* processes that attached */
	uint32_t flags;     /* SONDE__SHM_F_*, set by the consumer */
	/* Process log: entry proc_head % SONDE__PROC_LOG_NR is the next. */
	uint32_t proc_head;
	uint32_t resv2;
	struct sonde__proc_ent procs[SONDE__PROC_LOG_NR];
};

/*
 * Header flags.  SONDE__SHM_F_IP: the session records the address of each
 * event's site (`sonde record --context ip`): a site records the "ip
 * variant" of its class, whose registry entry has a first field named
 * "sonde:ip" (u64, base 16; ':' keeps it from any C field name) and whose
 * records start with that address.  The consumer moves it into the
 * event's context; an old libsonde ignores the flag (its events then
 * carry ip 0).  Written by the consumer before any process attaches; a
 * process that clears it only loses the ips of its own events.
 */
#define SONDE__SHM_F_IP 1u
#define SONDE__REG_IP_FIELD "sonde:ip"

/*
 * One registered event class; followed by its name, its message format
 * (tracef, <sonde/tracef.h>) when it has one, and its fields, each name
 * and the format padded to a multiple of 4 bytes; entries are 8-aligned.
 * The format is part of the class: two tracef sites with the same fields
 * and different formats are two classes.
 */
struct sonde__reg_entry {
	uint32_t size;      /* total bytes of this entry */
	uint32_t id;
	uint32_t nr_fields;
	uint32_t name_len;  /* "provider:name" with its NUL */
	int32_t loglevel;   /* enum sonde_loglevel, -1: none given */
	uint32_t fmt_len;   /* the format with its NUL, at most
			     * SONDE__REG_FMT_MAX; 0: none */
	/* char name[name_len]; char fmt[fmt_len];
	 * then nr_fields x (sonde__reg_field + name) */
};

#define SONDE__REG_FMT_MAX 4096u

/*
 * One recorded field (nowrite fields are not registered).  An enumeration
 * (SONDE_FIELD_ENUM) has nr_maps sonde__reg_map after its name, the first
 * at the next multiple of 8 bytes from the entry's start, each followed by
 * its label padded to a multiple of 8.
 */
struct sonde__reg_field {
	uint8_t kind;
	uint8_t size;
	uint8_t is_signed;
	uint8_t base;
	uint8_t len_size;
	uint8_t len_signed;
	uint16_t name_len;  /* with its NUL; the name follows */
	uint32_t count;
	uint8_t flags;      /* SONDE_FIELD_F_NETWORK, SONDE_FIELD_F_TEXT */
	uint8_t resv[3];
	uint32_t nr_maps;
};

struct sonde__reg_map {
	uint64_t start;     /* the container's bits (signed per is_signed) */
	uint64_t end;
	uint32_t label_len; /* with its NUL; the label follows */
	uint32_t resv;
};

#define SONDE__REG_MAPS_MAX 4096u
#define SONDE__REG_LABEL_MAX 256u

static inline struct sonde_rb_cpu *
sonde__shm_rb(const struct sonde__shm_hdr *h, uint32_t cpu)
{
	return (struct sonde_rb_cpu *)((char *)h + h->rb_off +
				       (uint64_t)cpu * h->rb_stride);
}

static inline struct sonde_rb_sub *sonde__rb_subs(struct sonde_rb_cpu *rb)
{
	return (struct sonde_rb_sub *)(rb + 1);
}

static inline char *sonde__shm_data(const struct sonde__shm_hdr *h,
				    uint32_t cpu)
{
	return (char *)h + h->data_off +
	       (uint64_t)cpu * h->subbuf_size * h->nsub;
}

#endif
