// SPDX-License-Identifier: MIT
/*
 * Session daemon, verbs: what each CLI command does to the daemon's state
 * and what its reply says.
 *
 * Verbs that touch no application (create, sessions, list, daemon-stop)
 * are answered at once, but a create with --relay: its session is made
 * at once and an op moves the relay's setup on (sonde__sd_create_more(),
 * the daemon waiting on no peer) and answers once it is done; a failed
 * setup frees the session.  Verbs on a session are ops (session.c): each has
 * a begin, which changes the session and sends the requests the verb
 * needs (apprpc.c), and a finish, which runs when the last of them is
 * answered or their one deadline has passed, and writes the reply:
 *
 *   start     begin: make the buffers, mark the session started, ATTACH
 *             every application (each records into every started
 *             session, up to SONDE__APP_SESSIONS_MAX); finish: say how
 *             many attached.
 *   stop      begin: mark it stopping (still drained, joined by no one),
 *             DETACH its applications (and those attaching to it) from
 *             it alone; finish: seal the channel, or only drain it if
 *             some did not detach.
 *   destroy   a stop first when started, then write what is left, give
 *             the relay (if any) the end of the trace, SD_RELAY_FINISH_MS
 *             at most, without waiting on it (sonde__sd_op_more()), and
 *             free the session.
 *   enable, disable
 *             begin: change the patterns, ENABLE the applications of a
 *             started session; finish: say how many did not apply them.
 *   snapshot  at once.
 *
 * The reply's text is built here (sonde__sd_tprintf()): it has no size
 * limit of its own but SONDE__REPLY_MAX, and says where it was cut.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sources/tracefs.h"
#include "daemon.h"

/* A reply's text, with room for the note that says it was cut. */
#define REPLY_MAX (SONDE__REPLY_MAX - 256)

/* Append to @t, whole or not at all. */
void sonde__sd_tprintf(struct sd_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->cut == 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 ||
	    (size_t)n > (t->cut ? SONDE__REPLY_MAX : REPLY_MAX) - t->len) {
		t->cut = 1;
		return;
	}
	if (t->cap - t->len <= (size_t)n) {
		size_t cap = t->cap ? t->cap : 1024;
		char *p;

		while (cap - t->len <= (size_t)n)
			cap *= 2;
		p = realloc(t->p, cap);
		if (!p) {
			t->cut = 1;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* Send @t (taken) as the reply on @cl, or free it when no one waits. */
static void reply_text(struct sd *d, struct sd_conn *cl, int r,
		       struct sd_text *t)
{
	if (t->cut) {
		/* Never silently: the reply says where it ends. */
		t->cut = 2;
		sonde__sd_tprintf(t, "\n(reply cut short here: over %u MiB, or out of memory)",
				  SONDE__REPLY_MAX >> 20);
	}
	if (t->p && t->len && t->p[t->len - 1] == '\n')
		t->p[--t->len] = 0;
	if (!cl)
		free(t->p);
	else if (!t->p && r)
		sonde__sd_reply_str(d, cl, r, strerror(-r));
	else
		sonde__sd_reply(d, cl, r, t->p, t->len);
	t->p = NULL;
}

/* Remove line @pat from the pattern list @p; whether it was there. */
static int pat_remove(char *p, const char *pat)
{
	size_t l = strlen(pat);

	for (char *q = p; *q;) {
		char *nl = strchr(q, '\n');
		size_t n = nl ? (size_t)(nl - q) : strlen(q);

		if (n == l && !memcmp(q, pat, l)) {
			memmove(q, q + n + (nl ? 1 : 0),
				strlen(q + n + (nl ? 1 : 0)) + 1);
			n = strlen(p);
			if (n && p[n - 1] == '\n')
				p[n - 1] = 0;
			return 1;
		}
		q += n + (nl ? 1 : 0);
	}
	return 0;
}

static int pat_add(char *p, const char *pat)
{
	size_t n = strlen(p), l = strlen(pat);

	if (n + l + 2 > SONDE__PATTERNS_MAX)
		return -E2BIG;
	if (n)
		p[n++] = '\n';
	memcpy(p + n, pat, l + 1);
	return 0;
}

/*
 * Record kernel events in @s from now on (system-wide, as LTTng kernel
 * sessions do: the daemon has no command of its own): the kernel source
 * joins the session's trace, its events opened on every CPU.  0 or
 * -errno, said in @t.
 */
int sonde__sd_kernel_start(struct sd_session *s, struct sd_text *t)
{
	const char *pats[SONDE__CMD_PATTERNS_MAX];
	char buf[SONDE__PATTERNS_MAX], why[1024] = "", *save, *tok;
	struct sonde__kernel_opts o;
	size_t n = 0;
	int r;

	if (s->k)
		return sonde__kernel_enable(s->k, 1);
	memcpy(buf, s->kpatterns, sizeof(buf));
	for (tok = strtok_r(buf, "\n", &save); tok && n < SONDE__CMD_PATTERNS_MAX;
	     tok = strtok_r(NULL, "\n", &save))
		pats[n++] = tok;
	memset(&o, 0, sizeof(o));
	o.trace = sonde__consumer_trace(s->c);
	o.patterns = pats;
	o.npatterns = n;
	o.filter = s->kfilter[0] ? s->kfilter : NULL;
	o.why = why;
	o.why_size = sizeof(why);
	r = sonde__kernel_create(&o, &s->k);
	if (!r) {
		r = sonde__kernel_attach(s->k, -1);
		if (r) {
			/* Its class stays in the trace, with no stream. */
			sonde__kernel_destroy(s->k);
			s->k = NULL;
		}
	}
	if (r)
		sonde__sd_tprintf(t, "cannot record kernel events in session %s: %s",
				  s->name, why[0] ? why : strerror(-r));
	return r;
}

static void enable_kernel(struct sd_op *op)
{
	struct sd_session *s = op->s;
	const struct sonde__cmd *c = &op->c;
	char next[SONDE__PATTERNS_MAX];

	if (s->overwrite) {
		sonde__sd_tprintf(&op->t, "session %s is a flight recorder: kernel events are recorded by sessions that write their trace (created without --overwrite)",
				  s->name);
		op->status = -EINVAL;
		return;
	}
	if (s->k) {
		sonde__sd_tprintf(&op->t, "session %s records kernel events already: they are fixed at its first start with them (destroy it and create another to change them)",
				  s->name);
		op->status = -EBUSY;
		return;
	}
	if (s->relay_url[0] && s->c) {
		/* Its trace's classes are fixed on the relay (session.c). */
		sonde__sd_tprintf(&op->t, "session %s streams to a relay, which takes kernel events only from the first start: enable -k before it (destroy this session and create another)",
				  s->name);
		op->status = -EBUSY;
		return;
	}
	/* Unknown events are refused now, not at the start. */
	{
		struct sonde__tracefs_set set;
		char dir[4096], why[1024] = "";
		int r = sonde__tracefs_find(dir, sizeof(dir), why, sizeof(why));

		memset(&set, 0, sizeof(set));
		for (uint32_t i = 0; !r && i < c->npatterns; i++)
			r = sonde__tracefs_match(&set, dir, c->patterns[i],
						 SONDE__KERNEL_MAX_EVENTS, why,
						 sizeof(why));
		sonde__tracefs_set_free(&set);
		if (r) {
			sonde__sd_tprintf(&op->t, "cannot enable kernel events in session %s: %s",
					  s->name, why[0] ? why : strerror(-r));
			op->status = r;
			return;
		}
	}
	memcpy(next, s->kpatterns, sizeof(next));
	for (uint32_t i = 0; i < c->npatterns; i++) {
		pat_remove(next, c->patterns[i]);
		if (pat_add(next, c->patterns[i])) {
			sonde__sd_tprintf(&op->t, "too many kernel events in session %s", s->name);
			op->status = -E2BIG;
			return;
		}
	}
	memcpy(s->kpatterns, next, sizeof(next));
	if (c->filter)
		snprintf(s->kfilter, sizeof(s->kfilter), "%s", c->filter);
	if (s->state == SD_STARTED) {
		op->status = sonde__sd_kernel_start(s, &op->t);
		if (op->status) {
			s->kpatterns[0] = '\0';
			s->kfilter[0] = '\0';
			return;
		}
	}
	sonde__sd_tprintf(&op->t, "session %s: kernel events enabled", s->name);
	for (uint32_t i = 0; i < c->npatterns; i++)
		sonde__sd_tprintf(&op->t, " %s", c->patterns[i]);
	if (s->kfilter[0])
		sonde__sd_tprintf(&op->t, " (filter: %s)", s->kfilter);
	if (s->state != SD_STARTED)
		sonde__sd_tprintf(&op->t, ", recorded on every CPU from its start");
}

static void enable_begin(struct sd *d, struct sd_op *op, int enable)
{
	struct sd_session *s = op->s;
	const struct sonde__cmd *c = &op->c;
	char next[SONDE__PATTERNS_MAX], excl[300];

	if (c->kernel) {
		enable_kernel(op);
		return;
	}

	memcpy(next, s->patterns, sizeof(next));
	for (uint32_t i = 0; i < c->npatterns; i++) {
		const char *pat = c->patterns[i];

		snprintf(excl, sizeof(excl), "!%s", pat);
		if (enable) {
			pat_remove(next, excl);
			pat_remove(next, pat); /* no duplicates */
			if (pat_add(next, pat))
				goto big;
		} else if (!pat_remove(next, pat)) {
			pat_remove(next, excl);
			if (pat_add(next, excl))
				goto big;
		}
	}
	memcpy(s->patterns, next, sizeof(next));
	sonde__sd_tprintf(&op->t, "session %s: %s", s->name,
			  enable ? "enabled" : "disabled");
	for (uint32_t i = 0; i < c->npatterns; i++)
		sonde__sd_tprintf(&op->t, " %s", c->patterns[i]);
	if (s->state != SD_STARTED)
		return;
	op->phase = 1;
	for (struct sd_conn *a = d->conns; a; a = a->next)
		if (a->app && !a->dead && sonde__sd_app_bound(a, s))
			sonde__sd_request(d, a, SONDE__MSG_ENABLE, s, op);
	return;
big:
	sonde__sd_tprintf(&op->t, "too many patterns in session %s", s->name);
	op->status = -E2BIG;
}

static void start_begin(struct sd *d, struct sd_op *op)
{
	struct sd_session *s = op->s;

	if (s->state == SD_STARTED) {
		sonde__sd_tprintf(&op->t, "session %s is already started",
				  s->name);
		op->status = -EALREADY;
		return;
	}
	op->status = sonde__sd_buffers(s, &op->t);
	if (op->status)
		return;
	if (s->kpatterns[0]) {
		op->status = sonde__sd_kernel_start(s, &op->t);
		if (op->status)
			return;
	}
	s->state = SD_STARTED;
	s->sealed = 0;
	s->next_switch = sonde__sd_now() + (uint64_t)s->switch_ms * 1000000u;
	s->next_live = sonde__sd_now() + (uint64_t)s->live_ms * 1000000u;
	op->phase = 1;
	/* Every application comes, whatever else it records into; one busy
	 * with another request gets the ATTACH after it. */
	for (struct sd_conn *a = d->conns; a; a = a->next) {
		if (!a->app || a->dead || sonde__sd_app_bound(a, s))
			continue;
		if (sonde__sd_app_room(a))
			sonde__sd_request(d, a, SONDE__MSG_ATTACH, s, op);
		else
			op->full++;
	}
}

/* Begin a stop: 0, or -EINVAL (said in the reply) when not started. */
static int stop_begin(struct sd *d, struct sd_op *op)
{
	struct sd_session *s = op->s;

	if (s->state != SD_STARTED) {
		sonde__sd_tprintf(&op->t, "session %s is not started", s->name);
		return -EINVAL;
	}
	s->state = SD_STOPPING;
	op->phase = 1;
	for (struct sd_conn *a = d->conns; a; a = a->next)
		if (a->app && !a->dead && sonde__sd_app_bound(a, s))
			sonde__sd_request(d, a, SONDE__MSG_DETACH, s, op);
	return 0;
}

static void stop_finish(struct sd *d, struct sd_op *op, int quiet)
{
	struct sd_session *s = op->s;
	struct sonde__consumer_stats st;
	struct sd_text *t = &op->t;
	char where[PATH_MAX + SONDE__RELAY_URL_MAX + 8];
	int r;

	/* Those that did not answer in time are no longer its own; their
	 * DETACH stays queued. */
	for (struct sd_conn *a = d->conns; a; a = a->next)
		sonde__sd_app_leave(a, s);
	r = sonde__sd_seal(s, op->failed);
	sonde__consumer_stats(s->c, &st);
	if (r)
		sonde__sd_tprintf(t, "session %s stopped, but writing %s failed: %s",
				  s->name, sonde__sd_where(s, where, sizeof(where)),
				  strerror(-r));
	else if (!quiet)
		sonde__sd_tprintf(t, "session %s stopped: %llu events, %llu lost, %s%s",
				  s->name, (unsigned long long)st.events,
				  (unsigned long long)st.lost,
				  s->overwrite ? "flight recorder (sonde snapshot) in "
					       : "trace in ",
				  sonde__sd_where(s, where, sizeof(where)));
	/* Sent so far: the rest of what the stop wrote is on its way. */
	if (!quiet)
		sonde__sd_relay_report(s, t);
	if (op->failed)
		sonde__sd_tprintf(t, "; %d processes did not detach, their last events are written at destroy",
				  op->failed);
	/* The detached record into the other started sessions already; one
	 * whose ATTACH to one of them failed is asked again. */
	sonde__sd_place_apps(d);
	op->status = r;
}

uint64_t sonde__sd_op_more(struct sd *d, struct sd_op *op, uint64_t t)
{
	if (op->c.verb == SONDE__CMD_CREATE)
		return sonde__sd_create_more(op->s, &op->t, &op->status, t);
	if (op->c.verb != SONDE__CMD_DESTROY)
		return 0;
	if (op->phase != 2) {
		if (op->phase == 1)
			stop_finish(d, op, 1);
		op->status = sonde__sd_finish(op->s);
		op->phase = 2;
	}
	return sonde__sd_finish_more(op->s, t)
		       ? t + SD_RELAY_STEP_MS * 1000000ull
		       : 0;
}

/* Destroy the session of @op, whose trace is finished (op->status: how
 * the writing went); it is freed. */
static void destroy_finish(struct sd *d, struct sd_op *op)
{
	struct sd_session *s = op->s;
	char where[PATH_MAX + SONDE__RELAY_URL_MAX + 8];
	int r = op->status;

	if (op->t.len)
		sonde__sd_tprintf(&op->t, "; ");
	if (r)
		sonde__sd_tprintf(&op->t, "session %s destroyed; writing %s failed: %s",
				  s->name, sonde__sd_where(s, where, sizeof(where)),
				  strerror(-r));
	else
		sonde__sd_tprintf(&op->t, "session %s destroyed", s->name);
	sonde__sd_relay_report(s, &op->t);
	op->status = r;
	sonde__sd_session_free(d, s);
	op->s = NULL;
}

static void snapshot(struct sd_op *op)
{
	struct sd_session *s = op->s;
	struct sonde__consumer_stats st;
	struct sd_text *t = &op->t;
	char dir[PATH_MAX];
	int r;

	if (!s->overwrite) {
		sonde__sd_tprintf(t, "session %s is not a flight recorder: snapshots need a session created with --overwrite",
				  s->name);
		op->status = -EINVAL;
		return;
	}
	if (!s->c) {
		sonde__sd_tprintf(t, "session %s was never started: nothing to snapshot",
				  s->name);
		op->status = -EINVAL;
		return;
	}
	if (op->c.dir[0])
		snprintf(dir, sizeof(dir), "%s", op->c.dir);
	else if ((size_t)snprintf(dir, sizeof(dir), "%s/snapshot-%d", s->dir,
				  s->nsnap + 1) >= sizeof(dir) - 64) {
		op->status = -ENAMETOOLONG;
		return;
	}
	r = sonde__mkdirs(dir);
	if (!r)
		r = sonde__consumer_snapshot(s->c, dir, s->name, 0, &st);
	if (r) {
		sonde__sd_tprintf(t, "cannot write snapshot %s: %s", dir,
				  strerror(-r));
		op->status = r;
		return;
	}
	s->nsnap++;
	sonde__sd_tprintf(t, "%s\n# %llu events, %llu lost", dir,
			  (unsigned long long)st.events,
			  (unsigned long long)st.lost);
}

void sonde__sd_op_begin(struct sd *d, struct sd_op *op)
{
	switch (op->c.verb) {
	case SONDE__CMD_ENABLE:
	case SONDE__CMD_DISABLE:
		enable_begin(d, op, op->c.verb == SONDE__CMD_ENABLE);
		break;
	case SONDE__CMD_START:
		start_begin(d, op);
		break;
	case SONDE__CMD_STOP:
		op->status = stop_begin(d, op);
		break;
	case SONDE__CMD_DESTROY:
		if (op->s->state == SD_STARTED)
			stop_begin(d, op);
		break;
	case SONDE__CMD_SNAPSHOT:
		snapshot(op);
		break;
	case SONDE__CMD_CREATE:
		break; /* its relay's setup, begun: sonde__sd_op_more() */
	default:
		op->status = -EINVAL;
		break;
	}
}

int sonde__sd_op_finish(struct sd *d, struct sd_op *op)
{
	struct sd_session *s = op->s;
	int attached = op->n - op->failed;

	switch (op->c.verb) {
	case SONDE__CMD_ENABLE:
	case SONDE__CMD_DISABLE:
		if (op->phase && op->failed)
			sonde__sd_tprintf(&op->t, "; %d of %d processes did not apply it",
					  op->failed, op->n);
		return 0;
	case SONDE__CMD_START:
		if (!op->phase)
			return 0;
		sonde__sd_tprintf(&op->t, "session %s started (%d processes attached)",
				  s->name, attached);
		if (op->failed)
			sonde__sd_tprintf(&op->t, "; %d did not attach",
					  op->failed);
		if (op->full)
			sonde__sd_tprintf(&op->t, "; %d record into %u sessions already, the most a process can",
					  op->full, SONDE__APP_SESSIONS_MAX);
		return 0;
	case SONDE__CMD_STOP:
		if (op->phase)
			stop_finish(d, op, 0);
		return 0;
	case SONDE__CMD_DESTROY:
		/* Its stop finished, and its trace, in sonde__sd_op_more(). */
		destroy_finish(d, op);
		return 1;
	case SONDE__CMD_CREATE:
		if (!op->status)
			return 0;
		sonde__sd_session_free(d, s); /* the relay failed it */
		op->s = NULL;
		return 1;
	default:
		return 0;
	}
}

void sonde__sd_op_reply(struct sd *d, struct sd_op *op)
{
	reply_text(d, op->cl, op->status, &op->t);
	free(op->patbuf);
	free(op);
}

static void cmd_sessions(struct sd *d, struct sd_text *t)
{
	for (struct sd_session *s = d->sessions; s; s = s->next) {
		struct sonde__consumer_stats st = { 0, 0, 0, 0 };
		int apps = 0;

		for (struct sd_conn *a = d->conns; a; a = a->next)
			apps += !a->dead && sonde__sd_app_in(a, s);
		if (s->c)
			sonde__consumer_stats(s->c, &st);
		sonde__sd_tprintf(t, "%s %s %s apps=%d events=%llu lost=%llu dir=%s%s%s\n",
				  s->name, sonde__sd_state_name(s->state),
				  s->overwrite ? "overwrite" : "discard", apps,
				  (unsigned long long)st.events,
				  (unsigned long long)st.lost,
				  s->dir[0] ? s->dir : "-",
				  s->relay_url[0] ? " relay=" : "", s->relay_url);
	}
}

/* The applications, once placed (so that one listed records where it
 * will record, as when placement was synchronous); the sessions each
 * records into, in creation order, as "session=A,B". */
static void cmd_list(struct sd *d, struct sd_text *t)
{
	for (struct sd_conn *a = d->conns; a; a = a->next) {
		const char *p, *sep = " session=";

		if (!a->app || a->dead || a->placing)
			continue;
		sonde__sd_tprintf(t, "pid %d %s", (int)a->pid, a->name);
		for (const struct sd_session *s = d->sessions; s; s = s->next) {
			if (!sonde__sd_app_in(a, s))
				continue;
			sonde__sd_tprintf(t, "%s%s", sep, s->name);
			sep = ",";
		}
		sonde__sd_tprintf(t, "\n");
		for (p = a->events; p && *p;) {
			const char *nl = strchr(p, '\n');
			int n = nl ? (int)(nl - p) : (int)strlen(p);

			sonde__sd_tprintf(t, "  %.*s\n", n, p);
			p += n + (nl ? 1 : 0);
		}
	}
}

/* An op for the command @c on @s from @cl; its patterns copied out of
 * the message buffer, which the next message reuses.  NULL: no memory. */
static struct sd_op *op_new(const struct sonde__cmd *c, struct sd_session *s,
			    struct sd_conn *cl)
{
	struct sd_op *op = calloc(1, sizeof(*op));
	size_t need = 0, off = 0;

	if (!op)
		return NULL;
	op->c = *c;
	op->s = s;
	op->cl = cl;
	for (uint32_t i = 0; i < c->npatterns; i++)
		need += strlen(c->patterns[i]) + sizeof(c->lsuffix) +
			(c->filter && !c->kernel ? strlen(c->filter) + 1 : 0);
	if (c->filter)
		need += strlen(c->filter) + 1;
	if (!need)
		return op;
	op->patbuf = malloc(need);
	if (!op->patbuf) {
		free(op);
		return NULL;
	}
	for (uint32_t i = 0; i < c->npatterns; i++) {
		size_t l = strlen(c->patterns[i]);
		int incl = c->patterns[i][0] != '!';
		const char *sfx = incl ? c->lsuffix : "";
		const char *flt = incl && c->filter && !c->kernel ? c->filter
								   : NULL;

		/* --loglevel and --filter of user-space events: each pattern
		 * line with its conditions, as the registry matches them
		 * ("GLOB@L\tFILTER", src/instrumentation/pattern.c). */
		memcpy(op->patbuf + off, c->patterns[i], l);
		memcpy(op->patbuf + off + l, sfx, strlen(sfx) + 1);
		l += strlen(sfx);
		if (flt) {
			op->patbuf[off + l] = '\t';
			memcpy(op->patbuf + off + l + 1, flt, strlen(flt) + 1);
			l += 1 + strlen(flt);
		}
		op->c.patterns[i] = op->patbuf + off;
		off += l + 1;
	}
	if (c->filter) {
		memcpy(op->patbuf + off, c->filter, strlen(c->filter) + 1);
		op->c.filter = op->patbuf + off;
	}
	return op;
}

void sonde__sd_command(struct sd *d, struct sd_conn *cl,
		       const struct sonde__msg *m)
{
	struct sd_text t = { NULL, 0, 0, 0 };
	struct sonde__cmd c;
	struct sd_session *s = NULL;
	struct sd_op *op;
	char err[512];
	int r = 0;

	cl->parts = !!(m->h.flags & SONDE__MSG_F_PARTS);
	r = sonde__cmd_parse(m->argc, m->argv, &c, err, sizeof(err));
	if (r) {
		sonde__sd_reply_str(d, cl, r, err);
		return;
	}
	if (d->quit) {
		sonde__sd_reply_str(d, cl, -ESHUTDOWN,
				    "the daemon is stopping");
		return;
	}
	if (c.verb != SONDE__CMD_CREATE && c.session[0]) {
		s = sonde__sd_find(d, c.session);
		if (!s) {
			snprintf(err, sizeof(err), "no session named %s",
				 c.session);
			sonde__sd_reply_str(d, cl, -ENOENT, err);
			return;
		}
	}
	switch (c.verb) {
	case SONDE__CMD_CREATE:
		r = sonde__sd_session_new(d, &c, &t);
		if (r != 1)
			break;
		/* The relay's setup goes on: answered when it is done,
		 * other clients served meanwhile. */
		free(t.p);
		s = sonde__sd_find(d, c.session);
		op = s ? op_new(&c, s, cl) : NULL;
		if (!op) {
			if (s)
				sonde__sd_session_free(d, s);
			sonde__sd_reply_str(d, cl, -ENOMEM, strerror(ENOMEM));
			return;
		}
		sonde__sd_op_queue(d, op);
		return;
	case SONDE__CMD_SESSIONS:
		cmd_sessions(d, &t);
		break;
	case SONDE__CMD_LIST:
		cmd_list(d, &t);
		break;
	case SONDE__CMD_DAEMON_STOP:
		d->quit = 1;
		sonde__sd_tprintf(&t, "stopping");
		cl->stop_client = 1;
		break;
	default:
		if (!s) {
			sonde__sd_reply_str(d, cl, -EINVAL, "no session named");
			return;
		}
		op = op_new(&c, s, cl);
		if (!op) {
			sonde__sd_reply_str(d, cl, -ENOMEM, strerror(ENOMEM));
			return;
		}
		/* Answered when it finishes (session.c). */
		sonde__sd_op_queue(d, op);
		return;
	}
	reply_text(d, cl, r, &t);
}
