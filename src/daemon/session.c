// SPDX-License-Identifier: MIT
/*
 * Session daemon, sessions: their life (created, started, stopping,
 * stopped, destroyed), their buffers and trace directory, the draining of
 * started ones, and the queue of verbs (ops) of each session.
 *
 * A session owns one channel (the consumer of src/sources/, its buffers
 * in a memfd) from its first start.  Started, it attaches every
 * application: ATTACH passes them the memfd and the session's patterns;
 * ENABLE changes the patterns live.  Stop detaches them from this session
 * only (each stops its sites, waits a grace period and unmaps), so the
 * channel is quiescent and the consumer seals it: every record is written,
 * the buffers restart at their next sub-buffer, and the metadata is
 * rewritten; a later start continues the same trace.  While started, and
 * while its stop waits on its applications, the channel is drained every
 * SD_DRAIN_MS, the metadata rewritten when new event classes appear, and
 * a switch timer (timer.c) closes partly filled sub-buffers.
 *
 * A process records into every started session at once, up to
 * SONDE__APP_SESSIONS_MAX of them, each with its own channel, event ids
 * and patterns, as an LTTng-UST application registered with its session
 * daemon is attached to every started session: the agent keeps one slot
 * per session (agent.c).  A new application joins every started session
 * (apprpc.c); stopping or destroying one session detaches only it.
 *
 * Verbs on one session run one at a time, in the order they came, as they
 * did when the daemon answered one client at a time: each is an op queued
 * on its session; the first one begins (verbs.c), and finishes once the
 * applications it asked have all answered or its one deadline has passed;
 * then its client gets the reply and the next op begins.  Verbs on other
 * sessions, and everything else the daemon does, go on meanwhile.
 *
 * A session created with --relay streams its trace to lttng-relayd, and
 * to its -o directory as well when one is given (the relay and tee
 * outputs, src/outputs/, made by sonde__live_output() as for `sonde
 * record --relay`).  The relay is connected, and its session made, at
 * create: an unreachable relay fails the create (unless --relay-optional,
 * with -o: the trace then goes to the directory until the relay answers).
 * The daemon does not wait for that: create makes the session, begins the
 * relay's setup, and queues a create op on it that moves the setup on
 * each SD_RELAY_STEP_MS (sonde__sd_create_more()) and answers once it is
 * done, freeing the session if it failed; each step has 3 s at most, and
 * other clients are served meanwhile, verbs on the session once it is
 * done.
 * The trace is made on that output at the first start, and the channel
 * (and kernel source) join it.  Live (--live-timer), every tick closes
 * every CPU's sub-buffer and the kernel source's packets, and sends
 * beacons for idle streams (sonde__live_tick(), shared with `sonde record
 * --relay`) in place of the switch timer.  Sends never block: what the
 * relay cannot take is queued up to SD_RELAY_BUFFER, dropped and counted
 * beyond, and said by stop and destroy.  Destroy gives the relay
 * SD_RELAY_FINISH_MS at most to take the end of the trace, without
 * waiting on it: the op stays in progress while the loop moves the end on
 * (sonde__sd_finish_more()) and serves every other client, and answers
 * once the relay took it or the time is up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../buffers/ring.h"
#include "../control/attach.h"
#include "../sources/live.h"
#include "../trace/trace.h"
#include "daemon.h"

struct sd_session *sonde__sd_find(struct sd *d, const char *name)
{
	for (struct sd_session *s = d->sessions; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/* The patterns an application is given: nothing enabled is "!*". */
const char *sonde__sd_patterns(const struct sd_session *s)
{
	return s->patterns[0] ? s->patterns : "!*";
}

const char *sonde__sd_state_name(enum sd_state st)
{
	return st == SD_STARTED	   ? "started"
	       : st == SD_STOPPING ? "stopping"
	       : st == SD_STOPPED  ? "stopped"
				   : "created";
}

static int write_meta(struct sd_session *s)
{
	struct sonde__consumer_stats st;
	int r;

	sonde__consumer_stats(s->c, &st);
	r = sonde__consumer_write_metadata(s->c, s->name, 0);
	if (!r) {
		s->meta_reg_used = __atomic_load_n(
			&sonde__consumer_shm(s->c)->reg_used, __ATOMIC_ACQUIRE);
		s->meta_packets = st.packets;
	}
	return r;
}

/* Periodic work of a started (or stopping) session. */
void sonde__sd_tick(struct sd *d, struct sd_session *s, uint64_t t)
{
	struct sonde__consumer_stats st;
	int moved;

	if (s->overwrite)
		return;
	if (s->relay && s->live_ms) {
		/* Every CPU's packet closed, an idle one's too, and the
		 * beacons: in place of the switch timer. */
		if (t >= s->next_live) {
			struct sonde__live_srcs src = { s->view, s->k, NULL };

			sonde__live_tick(&src, s->relay, s->trace);
			s->next_live = t + (uint64_t)s->live_ms * 1000000u;
		}
	} else if (s->switch_ms > 0 && t >= s->next_switch) {
		sonde__sd_switch_timer(d, s);
		s->next_switch = t + (uint64_t)s->switch_ms * 1000000u;
	}
	if (s->relay)
		sonde__output_relay_poll(s->relay);
	if (sonde__consumer_drain(s->c, &moved))
		return;
	if (s->k)
		sonde__kernel_drain(s->k, &moved);
	sonde__consumer_stats(s->c, &st);
	/* Keep the directory readable while recording: metadata for every
	 * event class that packets may hold. */
	if (st.packets && (st.packets != s->meta_packets ||
			   __atomic_load_n(&sonde__consumer_shm(s->c)->reg_used,
					   __ATOMIC_ACQUIRE) != s->meta_reg_used))
		write_meta(s);
}

/*
 * Where a session created without -o writes: a new directory
 * NAME-YYYYmmdd-HHMMSS (NAME-...-1, -2... if taken, never reused) in
 * $HOME/sonde-traces, or, when HOME is not an absolute path, in the run
 * directory's traces/ (the run directory is the user's and closed to
 * others, rundir.h): never in a directory other users can write, such as
 * /tmp.  The base is created if need be and must be the user's, closed to
 * others (sonde__dir_open()).  0 with s->dir set, or -errno with a
 * sentence in @why.
 */
static int default_dir(struct sd *d, struct sd_session *s, char *why,
		       size_t n)
{
	const char *home = getenv("HOME");
	char base[PATH_MAX], name[SONDE__SESSION_NAME_MAX + 48];
	time_t now = time(NULL);
	struct tm tm;
	int fd, r, k;

	if (home && *home == '/')
		k = snprintf(base, sizeof(base), "%s/sonde-traces", home);
	else
		k = snprintf(base, sizeof(base), "%s/traces", d->o->rd->dir);
	if (k < 0 || (size_t)k >= sizeof(base) - sizeof(name) - 64) {
		snprintf(why, n, "default trace directory path too long; give one with -o");
		return -ENAMETOOLONG;
	}
	fd = sonde__dir_open(base, SONDE__DIR_CREATE, why, n);
	if (fd < 0)
		return fd;
	localtime_r(&now, &tm);
	k = snprintf(name, sizeof(name), "%s-", s->name);
	strftime(name + k, sizeof(name) - (size_t)k, "%Y%m%d-%H%M%S", &tm);
	r = sonde__mkdir_fresh(fd, name, sizeof(name));
	close(fd);
	if (r) {
		snprintf(why, n, "cannot create a new trace directory %.3800s/%.111s: %.100s; give one with -o",
			 base, name, strerror(-r));
		return r;
	}
	k = snprintf(s->dir, sizeof(s->dir), "%s/%s", base, name);
	return k > 0 && (size_t)k < sizeof(s->dir) ? 0 : -ENAMETOOLONG;
}

const char *sonde__sd_where(const struct sd_session *s, char *buf, size_t n)
{
	if (!s->relay_url[0])
		return s->dir;
	if (!s->dir[0])
		return s->relay_url;
	snprintf(buf, n, "%s and %s", s->dir, s->relay_url);
	return buf;
}

/* What create says once the relay's setup is done (@r, with @why): 0,
 * or -errno when the create fails. */
static int relay_said(struct sd_session *s, int r, const char *why,
		      struct sd_text *t)
{
	struct sonde__relay_stats st;

	if (r && !s->relay_optional) {
		sonde__sd_tprintf(t, "cannot create session %s: %s", s->name,
				  why);
		return r;
	}
	sonde__output_relay_stats(s->relay, &st);
	if (st.up)
		sonde__sd_tprintf(t, "session %s created, streaming to %s as %s%s%s",
				  s->name, s->relay_url, st.path,
				  s->dir[0] ? ", trace in " : "", s->dir);
	else
		sonde__sd_tprintf(t, "session %s created, trace in %s; %s: trying the relay again every second",
				  s->name, s->dir, why);
	if (s->live_ms)
		sonde__sd_tprintf(t, " (live, every %u ms)", s->live_ms);
	return 0;
}

/*
 * --relay: connect to the relay and make the session there, the output
 * (the relay, beside s->dir if any) kept in @s until the first start.
 * The daemon waits on no peer: the setup is only begun here, and moved
 * on by the create op (sonde__sd_create_more()) while other clients are
 * served.  0, 1 (the setup goes on: queue the op), or -errno with a
 * sentence in @t (the output, if made, destroyed).
 */
static int relay_connect(struct sd_session *s, const struct sonde__cmd *c,
			 struct sd_text *t)
{
	struct sonde__relay_opts ro;
	char why[640] = "";
	int r;

	memset(&ro, 0, sizeof(ro));
	ro.url = s->relay_url;
	ro.hostname = c->relay_hostname;
	ro.session = c->relay_session ? c->relay_session : s->name;
	ro.live_timer_us = s->live_ms * 1000u;
	ro.max_queue = SD_RELAY_BUFFER;
	ro.retries = SD_RELAY_RETRIES;
	r = sonde__live_output(&ro,
			       (s->relay_optional ? SONDE__RELAY_DEFERRED : 0) |
				       SONDE__RELAY_ASYNC,
			       s->dir[0] ? s->dir : NULL, &s->relay, &s->out,
			       why, sizeof(why));
	if (r) {
		sonde__sd_tprintf(t, "cannot create session %s: %s", s->name,
				  why);
		return r;
	}
	r = sonde__output_relay_setup_step(s->relay, why, sizeof(why));
	if (r == -EINPROGRESS)
		return 1;
	r = relay_said(s, r, why, t);
	if (r) {
		sonde__output_destroy(s->out);
		s->out = s->relay = NULL;
	}
	return r;
}

uint64_t sonde__sd_create_more(struct sd_session *s, struct sd_text *t,
			       int *status, uint64_t now)
{
	char why[640] = "";
	int r = sonde__output_relay_setup_step(s->relay, why, sizeof(why));

	if (r == -EINPROGRESS)
		return now + SD_RELAY_STEP_MS * 1000000ull;
	*status = relay_said(s, r, why, t);
	return 0;
}

int sonde__sd_session_new(struct sd *d, const struct sonde__cmd *c,
			  struct sd_text *t)
{
	struct sd_session *s, **tail;
	char why[PATH_MAX + 128];
	int r;

	if (sonde__sd_find(d, c->session)) {
		sonde__sd_tprintf(t, "session %s already exists", c->session);
		return -EEXIST;
	}
	/* The buffers are made at the first start; a size over the memory
	 * limit is refused now, before anything is made, so that create
	 * says so. */
	r = sonde__consumer_check_memory(&(struct sonde__consumer_opts){
		.subbuf_size = c->subbuf_size ? c->subbuf_size
					      : SD_DEFAULT_SUBBUF,
		.nsub = c->nsub ? c->nsub : SD_DEFAULT_NSUB,
		.limit_hint = SD_LIMIT_HINT,
	}, why, sizeof(why));
	if (r) {
		sonde__sd_tprintf(t, "%s", why);
		return r;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	snprintf(s->name, sizeof(s->name), "%s", c->session);
	if (c->relay) {
		snprintf(s->relay_url, sizeof(s->relay_url), "%s", c->relay);
		s->relay_optional = c->relay_optional;
		s->live_ms = c->live_ms >= 0 ? (uint32_t)c->live_ms
					     : SD_DEFAULT_LIVE_MS;
	}
	if (c->context)
		snprintf(s->context, sizeof(s->context), "%s", c->context);
	if (c->dir[0]) {
		snprintf(s->dir, sizeof(s->dir), "%s", c->dir);
	} else if (!c->relay) {
		r = default_dir(d, s, why, sizeof(why));
		if (r) {
			sonde__sd_tprintf(t, "%s", why);
			free(s);
			return r;
		}
	}
	r = s->dir[0] ? sonde__output_dir_prepare(s->dir, why, sizeof(why))
		      : 0;
	if (r) {
		if (!c->dir[0])
			rmdir(s->dir); /* default_dir() made it, empty */
		sonde__sd_tprintf(t, "%s", why);
		free(s);
		return r;
	}
	if (c->relay && (r = relay_connect(s, c, t)) < 0) {
		free(s);
		return r;
	}
	s->id = ++d->next_id;
	s->overwrite = c->overwrite;
	s->subbuf_size = c->subbuf_size ? c->subbuf_size : SD_DEFAULT_SUBBUF;
	s->nsub = c->nsub ? c->nsub : SD_DEFAULT_NSUB;
	s->switch_ms = c->switch_ms >= 0 ? c->switch_ms : SD_DEFAULT_SWITCH_MS;
	s->state = SD_CREATED;
	s->sealed = 1;
	for (tail = &d->sessions; *tail; tail = &(*tail)->next)
		;
	*tail = s;
	if (!s->relay)
		sonde__sd_tprintf(t, "session %s created, trace in %s", s->name,
				  s->dir);
	return r;
}

static void buffers_undo(struct sd_session *s)
{
	sonde__kernel_destroy(s->k); /* it wrote into the trace */
	s->k = NULL;
	sonde__consumer_discard_output(s->c);
	sonde__consumer_destroy(s->c);
	s->c = NULL;
	free(s->view);
	s->view = NULL;
	if (s->trace) {
		/* Its relay goes with it: a later start says so. */
		sonde__trace_discard(s->trace);
		sonde__trace_destroy(s->trace);
		s->trace = NULL;
		s->relay = NULL;
	}
}

/*
 * The first start of a session created with --relay: its trace, on the
 * output made at create.  The relay must be there, unless
 * --relay-optional.  0 or -errno (said in @t).
 */
static int relay_trace(struct sd_session *s, struct sd_text *t)
{
	struct sonde__relay_stats st;
	int r;

	if (!s->relay) {
		sonde__sd_tprintf(t, "session %s lost its relay output when a start failed; destroy it and create another",
				  s->name);
		return -ENOTCONN;
	}
	sonde__output_relay_poll(s->relay);
	sonde__output_relay_stats(s->relay, &st);
	if (!st.up && !s->relay_optional) {
		sonde__sd_tprintf(t, "cannot start session %s: the relay %s is unreachable (lost since create); start again once it is back, or destroy the session",
				  s->name, s->relay_url);
		return -ENOTCONN;
	}
	r = sonde__trace_create(s->out, NULL, NULL, &s->trace);
	if (r) {
		sonde__sd_tprintf(t, "cannot create the trace of %s: %s",
				  s->name, strerror(-r));
		return r;
	}
	s->out = NULL; /* the trace's now */
	return 0;
}

/* The buffers of @s, made at its first start; 0 or -errno (said in @t). */
int sonde__sd_buffers(struct sd_session *s, struct sd_text *t)
{
	char why[512] = "";
	struct sonde__consumer_opts o = {
		.subbuf_size = s->subbuf_size,
		.nsub = s->nsub,
		.overwrite = s->overwrite,
		.patterns = "",
		.dir = s->dir,
		.context = s->context[0] ? s->context : NULL,
		.why = why,
		.why_size = sizeof(why),
		.limit_hint = SD_LIMIT_HINT,
	};
	int r;

	if (s->c)
		return 0;
	if (s->relay_url[0]) {
		if (!s->trace && (r = relay_trace(s, t)))
			return r;
		o.dir = NULL;
		o.trace = s->trace;
	}
	r = sonde__consumer_create(&o, &s->c);
	if (r && why[0]) {
		sonde__sd_tprintf(t, "%s", why);
		return r;
	}
	if (r) {
		sonde__sd_tprintf(t, "cannot create the buffers of %s: %s",
				  s->name, strerror(-r));
		return r;
	}
	s->view = sonde__view_create(sonde__consumer_shm(s->c));
	if (!s->view) {
		buffers_undo(s);
		return -ENOMEM;
	}
	/* A relay takes metadata only as appends, and no stream class can
	 * join the trace after its first text (trace.h): the kernel source
	 * joins before it.  If it cannot, the start fails as a whole. */
	if (s->relay_url[0] && s->kpatterns[0] &&
	    (r = sonde__sd_kernel_start(s, t))) {
		buffers_undo(s);
		return r;
	}
	/* Readable from the first start, so that a daemon killed later
	 * leaves a trace; rewritten as event classes appear and at stop.
	 * A flight recorder writes only snapshots. */
	if (!s->overwrite && (r = write_meta(s))) {
		sonde__sd_tprintf(t, "cannot write the trace of %s in %s%s%s: %s",
				  s->name, s->dir, s->dir[0] && s->relay_url[0] ? " and " : "",
				  s->relay_url, strerror(-r));
		buffers_undo(s);
		return r;
	}
	return 0;
}

/*
 * The end of a stop, once its applications detached (or @failed of them
 * did not answer in time): seal the channel, or only drain it when some
 * may still write (their data is left for destroy), and rewrite the
 * metadata.  0 or -errno.
 */
int sonde__sd_seal(struct sd_session *s, int failed)
{
	int moved, r;

	s->state = SD_STOPPED;
	if (s->overwrite)
		return 0; /* a flight recorder writes nothing but snapshots */
	/* Kernel events stop with the session; what they hold is written. */
	if (s->k && (r = sonde__kernel_enable(s->k, 0)))
		return r;
	if (failed) {
		r = sonde__consumer_drain(s->c, &moved);
	} else {
		r = sonde__consumer_seal(s->c);
		s->sealed = !r;
	}
	return r ? r : write_meta(s);
}

/* Write what is left of @s's trace (destroy), and begin the end of its
 * relay; the buffers are released by sonde__sd_finish_more(), once the
 * relay is done with them (zero copy may hold their pages).  0 or the
 * -errno of the writing. */
int sonde__sd_finish(struct sd_session *s)
{
	int r = 0;

	if (s->c) {
		/* Before the consumer's last metadata, which lists its
		 * classes. */
		if (s->k)
			r = sonde__kernel_finish(s->k);
		if (s->overwrite)
			sonde__consumer_discard_output(s->c);
		else if (!s->sealed && !r)
			r = sonde__consumer_finish(s->c, s->name, 0);
	}
	/* The end of the trace to the relay, while the trace (freed with
	 * the session) still holds its streams; what it cannot take in
	 * time is counted lost (sonde__sd_relay_report()).  The daemon
	 * never waits on it: the loop moves it on between its other work. */
	if (s->relay) {
		s->relay_ending = 1;
		s->relay_end_by =
			sonde__sd_now() + SD_RELAY_FINISH_MS * 1000000ull;
	}
	return r;
}

int sonde__sd_finish_more(struct sd_session *s, uint64_t t)
{
	(void)t;
	if (s->relay_ending) {
		if (sonde__output_relay_finish_step(s->relay,
						    s->relay_end_by) ==
		    -EINPROGRESS)
			return 1;
		s->relay_ending = 0;
	}
	sonde__kernel_destroy(s->k);
	s->k = NULL;
	sonde__consumer_destroy(s->c);
	s->c = NULL;
	return 0;
}

int sonde__sd_relay_report(struct sd_session *s, struct sd_text *t)
{
	char text[1024];
	size_t l;
	int lost;

	if (!s->relay)
		return 0;
	lost = sonde__live_report(s->relay, s->relay_url, text, sizeof(text));
	l = strlen(text);
	while (l && text[l - 1] == '\n')
		text[--l] = '\0';
	for (char *p = text; (p = strchr(p, '\n'));)
		*p = ';';
	sonde__sd_tprintf(t, "; %s", text);
	return lost;
}

/* Free @s; the verbs still queued on it are told it is gone. */
void sonde__sd_session_free(struct sd *d, struct sd_session *s)
{
	struct sd_session **pp;
	char why[128];

	for (pp = &d->sessions; *pp && *pp != s; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = s->next;
	sonde__sd_rpc_session_gone(d, s);
	while (s->ops) {
		struct sd_op *op = s->ops;

		s->ops = op->next;
		sonde__sd_rpc_op_gone(d, op);
		snprintf(why, sizeof(why), "no session named %s", s->name);
		if (op->cl)
			sonde__sd_reply_str(d, op->cl, -ENOENT, why);
		free(op->t.p);
		free(op->patbuf);
		free(op);
	}
	free(s->view);
	sonde__trace_destroy(s->trace);
	sonde__output_destroy(s->out);
	free(s);
}

void sonde__sd_op_queue(struct sd *d, struct sd_op *op)
{
	struct sd_op **pp;

	(void)d;
	if (op->c.verb == SONDE__CMD_DESTROY)
		op->s->dying = 1;
	if (op->cl)
		op->cl->waiting = 1;
	for (pp = &op->s->ops; *pp; pp = &(*pp)->next)
		;
	*pp = op;
}

/* Run the ops of @s that can run at @t; the next deadline of its op in
 * progress, or UINT64_MAX. */
static uint64_t run_session(struct sd *d, struct sd_session *s, uint64_t t)
{
	struct sd_op *op;

	while ((op = s->ops)) {
		uint64_t w;
		int gone;

		if (!op->begun) {
			op->begun = 1;
			op->deadline =
				t + (SD_ACK_TIMEOUT_MS +
				     (op->c.verb == SONDE__CMD_START
					      ? SD_ATTACH_ROOM_MS
					      : 0)) *
					    1000000ull;
			sonde__sd_op_begin(d, op);
		}
		if (op->outstanding > 0 && t < op->deadline)
			return op->deadline;
		if (op->outstanding) {
			/* The deadline passed: no more waiting for them. */
			sonde__sd_rpc_op_gone(d, op);
			op->failed += op->outstanding;
			op->outstanding = 0;
		}
		/* A peer that is not an application, the relay, waited on
		 * the same way: the op stays first until it is done. */
		w = sonde__sd_op_more(d, op, t);
		if (w)
			return w;
		s->ops = op->next;
		gone = sonde__sd_op_finish(d, op);
		sonde__sd_op_reply(d, op);
		if (gone)
			break;
	}
	return UINT64_MAX;
}

uint64_t sonde__sd_ops_run(struct sd *d, uint64_t t)
{
	uint64_t next = UINT64_MAX;
	struct sd_session *s, *n;

	for (s = d->sessions; s; s = n) {
		uint64_t w;

		n = s->next;
		w = run_session(d, s, t);
		if (w < next)
			next = w;
	}
	return next;
}

void sonde__sd_op_conn_gone(struct sd *d, const struct sd_conn *cl)
{
	for (struct sd_session *s = d->sessions; s; s = s->next)
		for (struct sd_op *op = s->ops; op; op = op->next)
			if (op->cl == cl)
				op->cl = NULL;
}
