// SPDX-License-Identifier: MIT
/*
 * Process names for the consumer: which program each pid of a channel ran
 * when.  Every process announces itself in the channel's process log when
 * it attaches (again after exec, as its new image attaches) and in the
 * child after fork(), before it can commit a record (src/buffers/layout.h,
 * src/control/attach.c).  The consumer reads the log before it walks a
 * packet, so every record's process has been announced by then, and keeps
 * per pid the last SONDE__PROCS_HIST names with the time from which each
 * holds: a record takes the latest name announced at or before its
 * timestamp, so records written before an exec keep the old name though
 * the consumer reads them later.  A pid the log never named (lapped: more
 * than SONDE__PROC_LOG_NR announces between two reads) is named from
 * /proc/PID/comm, once.
 *
 * Trust boundary: the log is shared memory written by traced processes.
 * Its place is the header's, whose size the consumer fixed; the head is
 * read once per refresh and only its distance from our cursor is used,
 * bounded by the log's size; each entry is copied, and kept only if its
 * sequence number was the one expected both before and after the copy;
 * a pid outside (0, 2^22] is counted and dropped; a name is cut at 15
 * bytes and its bytes outside printable ASCII become '_', so nothing a
 * process writes can reach the trace as anything but a short printable
 * name of a pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procs.h"

#define PID_LIMIT (1 << 22) /* PID_MAX_LIMIT */

static uint32_t hash(int32_t pid, uint32_t mask)
{
	return ((uint32_t)pid * 0x9e3779b1u) & mask;
}

static struct sonde__proc *find(const struct sonde__procs *p, int32_t pid)
{
	uint32_t mask = p->cap - 1;

	if (!p->cap)
		return NULL;
	for (uint32_t i = hash(pid, mask), n = 0; n < p->cap;
	     i = (i + 1) & mask, n++) {
		if (p->slot[i].pid == pid)
			return &p->slot[i];
		if (!p->slot[i].pid)
			return NULL;
	}
	return NULL;
}

/* Double the table (or start one, or start afresh when full). */
static int grow(struct sonde__procs *p)
{
	uint32_t cap = p->cap ? p->cap * 2 : 256;
	struct sonde__proc *old = p->slot, *s;
	uint32_t ocap = p->cap;

	if (p->nr >= SONDE__PROCS_MAX) {
		/* Forget the oldest pids all at once: bounded memory. */
		memset(p->slot, 0, p->cap * sizeof(*p->slot));
		p->nr = 0;
		return 0;
	}
	s = calloc(cap, sizeof(*s));
	if (!s)
		return -ENOMEM;
	p->slot = s;
	p->cap = cap;
	p->nr = 0;
	for (uint32_t i = 0; i < ocap; i++) {
		struct sonde__proc *e;
		uint32_t k;

		if (!old[i].pid)
			continue;
		for (k = hash(old[i].pid, cap - 1); s[k].pid;
		     k = (k + 1) & (cap - 1))
			;
		e = &s[k];
		*e = old[i];
		p->nr++;
	}
	free(old);
	return 0;
}

static struct sonde__proc *get(struct sonde__procs *p, int32_t pid)
{
	struct sonde__proc *e = find(p, pid);
	uint32_t k;

	if (e)
		return e;
	if ((p->nr + 1) * 2 > p->cap && grow(p))
		return NULL;
	for (k = hash(pid, p->cap - 1); p->slot[k].pid;
	     k = (k + 1) & (p->cap - 1))
		;
	p->slot[k].pid = pid;
	p->slot[k].nr = 0;
	p->nr++;
	return &p->slot[k];
}

int sonde__procs_add(struct sonde__procs *p, int32_t pid, uint64_t ts,
		     const char *comm, size_t len)
{
	struct sonde__proc *e;
	struct sonde__proc_name *n;
	uint32_t i;

	if (pid <= 0 || pid > PID_LIMIT)
		return 0;
	e = get(p, pid);
	if (!e)
		return -ENOMEM;
	/* In time order: a fork child's announce may be read after a later
	 * one of another pid, never after a later one of its own. */
	for (i = e->nr; i > 0 && e->hist[i - 1].ts > ts; i--)
		;
	if (e->nr == SONDE__PROCS_HIST) {
		if (!i)
			return 0; /* older than all we keep */
		memmove(&e->hist[0], &e->hist[1],
			(SONDE__PROCS_HIST - 1) * sizeof(e->hist[0]));
		e->nr--;
		i--;
	}
	memmove(&e->hist[i + 1], &e->hist[i],
		(e->nr - i) * sizeof(e->hist[0]));
	e->nr++;
	n = &e->hist[i];
	n->ts = ts;
	if (len > SONDE__COMM_LEN - 1)
		len = SONDE__COMM_LEN - 1;
	for (i = 0; i < len && comm[i]; i++)
		n->comm[i] = comm[i] >= 0x20 && comm[i] < 0x7f ? comm[i] : '_';
	n->comm[i] = 0;
	return 0;
}

int sonde__procs_refresh(struct sonde__procs *p,
			 const struct sonde__shm_hdr *h, int final)
{
	uint32_t head = __atomic_load_n(&h->proc_head, __ATOMIC_ACQUIRE);

	if (head - p->cursor > SONDE__PROC_LOG_NR) {
		p->skipped += head - p->cursor - SONDE__PROC_LOG_NR;
		p->cursor = head - SONDE__PROC_LOG_NR;
	}
	while (p->cursor != head) {
		const struct sonde__proc_ent *s =
			&h->procs[p->cursor & (SONDE__PROC_LOG_NR - 1)];
		struct sonde__proc_ent e;
		uint32_t want = p->cursor + 1, seq;
		int r;

		/* Pairs with the writer's release store of seq. */
		seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (seq != want) {
			/* Still being written, or its writer died: wait
			 * for it, but not for ever. */
			if (!final && (!seq || (int32_t)(seq - want) < 0) &&
			    head - p->cursor <= SONDE__PROC_LOG_NR / 2)
				break;
			p->skipped++;
			p->cursor++;
			continue;
		}
		memcpy(&e, s, sizeof(e));
		/* Orders the copy before the second read of seq; pairs
		 * with the writer's release fence after seq = 0. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != want) {
			p->skipped++; /* overwritten under us */
			p->cursor++;
			continue;
		}
		p->cursor++;
		if (e.pid <= 0 || e.pid > PID_LIMIT) {
			p->bad++;
			continue;
		}
		r = sonde__procs_add(p, e.pid, e.ts, e.comm, sizeof(e.comm));
		if (r)
			return r;
	}
	return 0;
}

const char *sonde__procs_name(const struct sonde__procs *p, int32_t pid,
			      uint64_t ts)
{
	const struct sonde__proc *e = find(p, pid);
	uint32_t i;

	if (!e || !e->nr)
		return NULL;
	for (i = e->nr; i > 1 && e->hist[i - 1].ts > ts; i--)
		;
	return e->hist[i - 1].comm;
}

const char *sonde__procs_learn(struct sonde__procs *p, int32_t pid)
{
	char path[32], comm[SONDE__COMM_LEN + 1] = "";
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		n = read(fd, comm, SONDE__COMM_LEN);
		close(fd);
	}
	if (n > 0 && comm[n - 1] == '\n')
		n--;
	if (sonde__procs_add(p, pid, 0, comm, n > 0 ? (size_t)n : 0))
		return NULL;
	return sonde__procs_name(p, pid, 0);
}

void sonde__procs_free(struct sonde__procs *p)
{
	free(p->slot);
	memset(p, 0, sizeof(*p));
}
