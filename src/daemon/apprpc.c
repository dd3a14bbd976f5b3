// SPDX-License-Identifier: MIT
/*
 * Session daemon, requests to applications: ATTACH, ENABLE and DETACH
 * (proto.h), each answered by an ACK that echoes its sequence number.
 *
 * Nothing here waits.  Each application has a queue of requests; the
 * first one is in flight (sent, with a deadline SD_ACK_TIMEOUT_MS away),
 * the others wait their turn, since an agent serves one request at a time
 * (agent.c) and the order matters (an ENABLE after the ATTACH it amends, a
 * DETACH after an ATTACH still in flight).  An ACK, the deadline or the
 * application's end completes the request: its effect on where the
 * application records is applied then, and the verb waiting on it (an op,
 * session.c), if any, is told.  Applications thus answer in parallel, and
 * one that hangs holds up only its own queue.
 *
 * An application whose request timed out is stuck until it sends an ACK
 * again: it is still sent what concerns it, but verbs do not wait on it
 * (they count it as not answering at once), so a hung application costs
 * one verb one deadline, not every verb.  A queue longer than
 * SD_APP_QUEUE_MAX requests is an application that is gone in all but
 * name: it is dropped.
 *
 * Once an application is first placed (after its HELLO, and the ATTACH
 * that placed it if any), it is sent an ACK of its HELLO, which ends the
 * wait of its start-up for the daemon (agent.c).
 *
 * Where an application records: the set a->s, up to
 * SONDE__APP_SESSIONS_MAX sessions (the agent's slots), to which a session
 * is added when an ATTACH to it succeeds (or at HELLO by a fork's claim of
 * a started session), and from which it is removed when a DETACH from it
 * completes or the session stops.  A start attaches every application to
 * the session, busy or not (its ATTACH waits in the queue); an application
 * is placed after its HELLO and after each DETACH: it is attached to every
 * started session it does not record into, in creation order, while it
 * has room.  A failed ATTACH is not retried by itself (a broken
 * application would be asked for ever); the next start, or the next stop
 * of a session, places it again.
 *
 * Trust boundary: what applications send (ACK status and sequence,
 * EVENTS names) is data: an ACK that matches no request in flight is a
 * late answer and ignored, a positive status is a protocol error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "daemon.h"

static void handle_op_done(struct sd_op *op, const struct sd_conn *a,
			   const struct sd_req *r, int status)
{
	if (!op)
		return;
	op->outstanding--;
	/* A process that is gone has nothing left to detach, nor one that
	 * was never attached (its ATTACH was cancelled while queued). */
	if (status && status != -ECANCELED &&
	    !(r->type == SONDE__MSG_DETACH && (a->dead || status == -ENOENT)))
		op->failed++;
}

int sonde__sd_app_in(const struct sd_conn *a, const struct sd_session *s)
{
	for (unsigned int i = 0; s && i < SONDE__APP_SESSIONS_MAX; i++)
		if (a->s[i] == s)
			return 1;
	return 0;
}

void sonde__sd_app_leave(struct sd_conn *a, const struct sd_session *s)
{
	for (unsigned int i = 0; i < SONDE__APP_SESSIONS_MAX; i++)
		if (a->s[i] == s)
			a->s[i] = NULL;
}

/* Add @s to the sessions @a records into; 0, or -ENOSPC when full. */
static int join(struct sd_conn *a, struct sd_session *s)
{
	unsigned int i, free_i = SONDE__APP_SESSIONS_MAX;

	for (i = 0; i < SONDE__APP_SESSIONS_MAX; i++) {
		if (a->s[i] == s)
			return 0;
		if (!a->s[i] && free_i == SONDE__APP_SESSIONS_MAX)
			free_i = i;
	}
	if (free_i == SONDE__APP_SESSIONS_MAX)
		return -ENOSPC;
	a->s[free_i] = s;
	return 0;
}

/* The sessions @a records into; those it is being attached to as well
 * with @pending. */
static unsigned int nsessions(const struct sd_conn *a, int pending)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < SONDE__APP_SESSIONS_MAX; i++)
		n += !!a->s[i];
	for (const struct sd_req *r = a->rq; pending && r; r = r->next)
		n += r->type == SONDE__MSG_ATTACH && r->s &&
		     !sonde__sd_app_in(a, r->s);
	return n;
}

int sonde__sd_app_room(const struct sd_conn *a)
{
	return nsessions(a, 1) < SONDE__APP_SESSIONS_MAX;
}

/* Queue a request; @s NULL names session @sid that the daemon does not
 * know (a fork's claim of a session since destroyed). */
static void enqueue(struct sd *d, struct sd_conn *a, uint16_t type,
		    struct sd_session *s, uint64_t sid, struct sd_op *op);

/* Whether the request at the head of @a's queue still makes sense. */
static int still_wanted(const struct sd_conn *a, const struct sd_req *r)
{
	switch (r->type) {
	case SONDE__MSG_ATTACH:
		return r->s && r->s->state == SD_STARTED && r->s->c &&
		       !sonde__sd_app_in(a, r->s) &&
		       nsessions(a, 0) < SONDE__APP_SESSIONS_MAX;
	case SONDE__MSG_ENABLE:
		return sonde__sd_app_in(a, r->s);
	default:
		return 1; /* a DETACH never hurts */
	}
}

/* Take the head of @a's queue off, completed with @status. */
static void complete(struct sd *d, struct sd_conn *a, int status)
{
	struct sd_req *r = a->rq;

	a->rq = r->next;
	a->nrq--;
	handle_op_done(r->op, a, r, status);
	switch (r->type) {
	case SONDE__MSG_ATTACH:
		if (status)
			break;
		if (!r->s) {
			/* Destroyed while it attached: it maps buffers
			 * no one drains. */
			enqueue(d, a, SONDE__MSG_DETACH, NULL, r->sid, NULL);
			break;
		}
		/* still_wanted() left room for it. */
		join(a, r->s);
		/* A stop that began meanwhile queued its DETACH already;
		 * one that ended without it did not. */
		if (r->s->state == SD_STOPPED || r->s->state == SD_CREATED)
			enqueue(d, a, SONDE__MSG_DETACH, r->s, r->sid, NULL);
		break;
	case SONDE__MSG_DETACH:
		if (r->s)
			sonde__sd_app_leave(a, r->s);
		a->want_place = 1;
		break;
	default:
		break;
	}
	free(r);
}

/* Send what is queued, the first request not yet sent. */
static void pump(struct sd *d, struct sd_conn *a)
{
	while (!a->dead && a->rq && !a->rq->sent) {
		struct sd_req *r = a->rq;
		struct sd_session *s = r->s;
		const char *argv[1] = { s ? sonde__sd_patterns(s) : NULL };
		int r2, fd = -1;

		if (!still_wanted(a, r)) {
			complete(d, a, -ECANCELED);
			continue;
		}
		if (r->type == SONDE__MSG_ATTACH)
			fd = sonde__consumer_shm_fd(s->c);
		r->seq = ++a->seq;
		r2 = sonde__msg_send(a->fd, r->type, 0, r->sid, r->seq, argv,
				     r->type == SONDE__MSG_DETACH ? 0 : 1, fd,
				     1);
		if (r2) {
			/* Its requests fail when it is reaped. */
			sonde__sd_conn_drop(a);
			return;
		}
		r->sent = 1;
		r->deadline = sonde__sd_now() +
			      (SD_ACK_TIMEOUT_MS +
			       (r->type == SONDE__MSG_ATTACH ? SD_ATTACH_ROOM_MS
							    : 0)) *
				      1000000ull;
	}
}

static void enqueue(struct sd *d, struct sd_conn *a, uint16_t type,
		    struct sd_session *s, uint64_t sid, struct sd_op *op)
{
	struct sd_req *r, **pp;

	if (op)
		op->n++;
	if (!a->dead && a->nrq >= SD_APP_QUEUE_MAX)
		sonde__sd_conn_drop(a);
	if (a->dead) {
		if (op && type != SONDE__MSG_DETACH)
			op->failed++;
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		if (op)
			op->failed++;
		return;
	}
	r->type = type;
	r->s = s;
	r->sid = sid;
	if (op && a->stuck)
		op->failed++; /* not waited on: see the top of the file */
	else if (op) {
		r->op = op;
		op->outstanding++;
	}
	for (pp = &a->rq; *pp; pp = &(*pp)->next)
		;
	*pp = r;
	a->nrq++;
	pump(d, a);
}

void sonde__sd_request(struct sd *d, struct sd_conn *a, uint16_t type,
		       struct sd_session *s, struct sd_op *op)
{
	enqueue(d, a, type, s, s->id, op);
}

int sonde__sd_app_bound(const struct sd_conn *a, const struct sd_session *s)
{
	if (sonde__sd_app_in(a, s))
		return 1;
	for (const struct sd_req *r = a->rq; r; r = r->next)
		if (r->type == SONDE__MSG_ATTACH && r->s == s)
			return 1;
	return 0;
}

/* A session @a records into, or NULL. */
static const struct sd_session *any_session(const struct sd_conn *a)
{
	for (unsigned int i = 0; i < SONDE__APP_SESSIONS_MAX; i++)
		if (a->s[i])
			return a->s[i];
	return NULL;
}

/* After a request of @a completed: send the next, or place it if it owes
 * a placement and nothing else is queued: an ATTACH to every started
 * session it does not record into, while it has room. */
static void settle(struct sd *d, struct sd_conn *a)
{
	const struct sd_session *in;

	pump(d, a);
	if (a->dead || a->rq)
		return;
	if (a->want_place) {
		a->want_place = 0;
		for (struct sd_session *s = d->sessions; s && !a->dead;
		     s = s->next)
			if (s->state == SD_STARTED && s->c &&
			    !sonde__sd_app_bound(a, s) &&
			    sonde__sd_app_room(a))
				enqueue(d, a, SONDE__MSG_ATTACH, s, s->id,
					NULL);
		if (a->dead || a->rq)
			return;
	}
	if (!a->placing)
		return;
	a->placing = 0;
	in = any_session(a);
	/* Its start-up may wait for this (agent.c): the HELLO's ACK, with
	 * a session it records into, 0 for none.  Not a request: sequence
	 * 0, no answer expected (an older agent's -EOPNOTSUPP answer matches
	 * no request and is ignored). */
	if (sonde__msg_send(a->fd, SONDE__MSG_ACK, 0, in ? in->id : 0, 0,
			    NULL, 0, -1, 1))
		sonde__sd_conn_drop(a);
}

void sonde__sd_place_apps(struct sd *d)
{
	for (struct sd_conn *a = d->conns; a; a = a->next) {
		if (!a->app || a->dead || a->rq)
			continue;
		a->want_place = 1;
		settle(d, a);
	}
}

void sonde__sd_ack(struct sd *d, struct sd_conn *a, const struct sonde__msg *m)
{
	a->stuck = 0;
	if (!a->rq || !a->rq->sent || m->h.seq != a->rq->seq)
		return; /* late answer to a request that timed out */
	complete(d, a, m->h.status > 0 ? -EPROTO : m->h.status);
	settle(d, a);
}

uint64_t sonde__sd_rpc_expire(struct sd *d, uint64_t t)
{
	uint64_t next = UINT64_MAX;

	for (struct sd_conn *a = d->conns; a; a = a->next) {
		while (!a->dead && a->rq && a->rq->sent &&
		       t >= a->rq->deadline) {
			a->stuck = 1;
			complete(d, a, -ETIMEDOUT);
			settle(d, a);
		}
		if (!a->dead && a->rq && a->rq->sent &&
		    a->rq->deadline < next)
			next = a->rq->deadline;
	}
	return next;
}

void sonde__sd_rpc_reap(struct sd *d, struct sd_conn *a)
{
	while (a->rq)
		complete(d, a, -EPIPE);
}

void sonde__sd_rpc_session_gone(struct sd *d, const struct sd_session *s)
{
	for (struct sd_conn *a = d->conns; a; a = a->next) {
		sonde__sd_app_leave(a, s);
		for (struct sd_req *r = a->rq; r; r = r->next)
			if (r->s == s)
				r->s = NULL;
	}
}

void sonde__sd_rpc_op_gone(struct sd *d, struct sd_op *op)
{
	for (struct sd_conn *a = d->conns; a; a = a->next)
		for (struct sd_req *r = a->rq; r; r = r->next)
			if (r->op == op)
				r->op = NULL;
}

void sonde__sd_events(struct sd_conn *a, const struct sonde__msg *m)
{
	size_t need = 0;
	char *p;

	if (!m->h.status) {
		free(a->events);
		a->events = NULL;
		a->events_len = 0;
	}
	for (uint32_t i = 0; i < m->argc; i++)
		need += strlen(m->argv[i]) + 1;
	if (a->events_len + need > (1u << 22))
		return;
	p = realloc(a->events, a->events_len + need + 1);
	if (!p)
		return;
	a->events = p;
	for (uint32_t i = 0; i < m->argc; i++) {
		size_t l = strlen(m->argv[i]);

		/* One name per line: a newline would forge another. */
		for (size_t k = 0; k < l; k++)
			p[a->events_len + k] =
				m->argv[i][k] == '\n' ? ' ' : m->argv[i][k];
		a->events_len += l;
		p[a->events_len++] = '\n';
	}
	p[a->events_len] = 0;
}

void sonde__sd_hello(struct sd *d, struct sd_conn *a,
		     const struct sonde__msg *m)
{
	uint64_t claim[SONDE__APP_SESSIONS_MAX];
	uint32_t n;

	a->app = 1;
	a->placing = 1;
	snprintf(a->name, sizeof(a->name), "%s",
		 m->argc > 0 && *m->argv[0] ? m->argv[0] : "?");
	for (char *p = a->name; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			*p = '?';
	/* Forked from a process that records into these sessions. */
	n = sonde__hello_sessions(m, claim, SONDE__APP_SESSIONS_MAX);
	for (uint32_t i = 0; i < n; i++) {
		struct sd_session *s;

		for (s = d->sessions; s; s = s->next)
			if (s->id == claim[i] && s->state == SD_STARTED)
				break;
		if (s)
			join(a, s);
		else
			enqueue(d, a, SONDE__MSG_DETACH, NULL, claim[i], NULL);
	}
	/* And into every other started session. */
	a->want_place = 1;
	settle(d, a);
}
