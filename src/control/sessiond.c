// SPDX-License-Identifier: MIT
/*
 * Session daemon: one per user, single-threaded, a poll() loop over its
 * listening socket and its connections.
 *
 * Connections say who they are with their first message: an application's
 * agent says HELLO (agent.c) and stays; a CLI verb sends one COMMAND and
 * gets one REPLY (in pieces when it asks for them, proto.h: the text has
 * no limit but memory), after which the connection is closed.  Every peer
 * must run as the daemon's own user (SO_PEERCRED); a malformed message
 * gets an error and the connection is closed.  The daemon never waits on
 * a peer longer than ACK_TIMEOUT_MS, and never on a full socket (it drops
 * that application instead; a reply waits for room, polled).
 *
 * Trust boundary: the control socket.  Peers of our uid can still be
 * hostile or broken, so what they can make the daemon hold is bounded: at
 * most NEW_PER_PEER connections of one process (SO_PEERCRED pid) that
 * have said nothing yet, NEW_MAX of them in all (a newcomer evicts the
 * oldest), every connection together below the descriptor limit (which
 * the daemon raises to its hard limit, up to CONN_LIMIT), and one that
 * says nothing, or does not read its reply, for IDLE_MS is closed.  When
 * descriptors run out anyway, accept() failing with EMFILE would leave
 * the listening socket readable forever and the loop spinning: the daemon
 * keeps a spare descriptor, gives it up to take the waiting connection and
 * close it with a reason, and otherwise stops polling the listening
 * socket for ACCEPT_PAUSE_MS.
 *
 * A session owns one channel (the consumer of src/consumer/, its buffers in
 * a memfd) from its first start.  Started, it attaches the applications
 * that record into no other session: ATTACH passes them the memfd and the
 * session's patterns; ENABLE changes the patterns live.  Stop detaches
 * them (each stops its sites, waits a grace period and unmaps), so the
 * channel is quiescent and the consumer seals it: every record is written,
 * the buffers restart at their next sub-buffer, and the metadata is
 * rewritten; a later start continues the same trace.  While started, the
 * channel is drained every DRAIN_MS, the metadata rewritten when new event
 * classes appear, and a switch timer closes partly filled sub-buffers: the
 * daemon moves itself to each CPU whose buffer holds records and switches
 * it there in a restartable sequence, as a writer would.
 *
 * A process records into one channel at a time: a new application, or one
 * whose session stopped, joins the first started session in creation
 * order.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../buffers/layout.h"
#include "../buffers/ring.h"
#include "../consumer/consumer.h"
#include "attach.h"
#include "command.h"
#include "proto.h"
#include "sessiond.h"

#define ACK_TIMEOUT_MS 2000
#define DRAIN_MS 20
#define DEFAULT_SUBBUF (1u << 20)
#define DEFAULT_NSUB 8u
#define DEFAULT_SWITCH_MS 1000
/* A reply's text, with room for the note that says it was cut. */
#define REPLY_MAX (SONDE__REPLY_MAX - 256)
/* A client that takes one REPLY only (no SONDE__MSG_F_PARTS). */
#define LEGACY_REPLY_MAX 60000u
#define IDLE_MS 10000
#define NEW_PER_PEER 8
#define NEW_MAX 64
#define CONN_LIMIT 65536
#define FD_RESERVE_MIN 32
#define ACCEPT_BURST 32
#define ACCEPT_PAUSE_MS 100
/* How the user raises the buffers' memory limit: it is the daemon's. */
#define LIMIT_HINT "start the daemon with " SONDE_MAX_BUFFER_MEMORY_ENV "=SIZE"

enum sd_state { SD_CREATED, SD_STARTED, SD_STOPPED };

struct sd_session {
	uint64_t id;
	char name[SONDE__SESSION_NAME_MAX];
	char dir[PATH_MAX];
	int overwrite;
	uint32_t subbuf_size, nsub;
	int64_t switch_ms;
	enum sd_state state;
	char patterns[SONDE__PATTERNS_MAX]; /* '\n'-separated, '!' excludes */
	struct sonde__consumer *c;          /* from the first start */
	struct sonde__chan_view *view;      /* for the switch timer */
	int sealed;                         /* nothing left in the buffers */
	uint32_t meta_reg_used;             /* registry size at last metadata */
	uint64_t meta_packets;              /* packets at last metadata */
	uint64_t next_switch;               /* ns, CLOCK_MONOTONIC */
	int nsnap;
	struct sd_session *next;
};

struct sd_conn {
	int fd;
	pid_t pid;
	int app;                 /* said HELLO */
	int dead;
	uint64_t since;          /* ns: accepted, or its reply last moved */
	/* The reply being sent to a CLI connection (flush_reply()). */
	int replying;
	int parts;               /* the client takes it in pieces */
	int stop_client;         /* daemon-stop: kept until the daemon exits */
	int32_t out_status;
	char *out;
	size_t out_len, out_off;
	char name[64];
	char *events;            /* '\n'-terminated lines */
	size_t events_len;
	struct sd_session *s;    /* the channel it records into */
	uint32_t seq;
	struct sd_conn *next;
};

struct sd {
	const struct sonde__sessiond_opts *o;
	int lfd;
	int spare;               /* /dev/null, given up when out of fds */
	uint64_t accept_paused;  /* ns: listening socket not polled before */
	size_t conn_max;
	struct pollfd *pfd;      /* the poll set, and who each entry is */
	struct sd_conn **pby;
	size_t pcap;
	struct sd_session *sessions;
	struct sd_conn *conns;
	uint64_t next_id;
	int quit;
	int stop_fd; /* the `daemon --stop` client, answered by our exit */
	cpu_set_t affinity;
	char buf[SONDE__MSG_BUF];
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Growing text of a reply; @cut: 1 once something did not fit, 2 while
 * the note that says so is added (in the room kept for it). */
struct text {
	char *p;
	size_t len, cap;
	int cut;
};

static void tprintf(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append to @t, whole or not at all. */
static void tprintf(struct text *t, const char *fmt, ...)
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

static void reply(int fd, int status, const char *text)
{
	const char *argv[1] = { text ? text : "" };

	sonde__msg_send(fd, SONDE__MSG_REPLY, status, 0, 0, argv, 1, -1, 1);
}

static struct sd_session *find_session(struct sd *d, const char *name)
{
	for (struct sd_session *s = d->sessions; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/* The patterns an application is given: nothing enabled is "!*". */
static const char *app_patterns(const struct sd_session *s)
{
	return s->patterns[0] ? s->patterns : "!*";
}

static void conn_drop(struct sd_conn *a)
{
	if (a->dead)
		return;
	a->dead = 1;
	a->s = NULL;
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	free(a->out);
	a->out = NULL;
	a->replying = 0;
}

/*
 * Send what is left of @cl's reply while its socket takes it: the pieces,
 * then the final REPLY (one REPLY, cut to fit, for a client that takes no
 * pieces).  Then the connection is closed, or kept for a daemon-stop
 * client.  On a full socket the rest waits for POLLOUT.
 */
static void flush_reply(struct sd *d, struct sd_conn *cl)
{
	while (cl->replying) {
		static const char nul[1];
		struct sonde__msg_hdr h = { 0 };
		struct iovec iov[2];
		size_t k;
		int r;

		if (cl->parts) {
			k = sonde__reply_chunk(cl->out_len, cl->out_off,
					       &h.type);
		} else {
			h.type = SONDE__MSG_REPLY;
			k = cl->out_len < LEGACY_REPLY_MAX ? cl->out_len
							   : LEGACY_REPLY_MAX;
		}
		if (h.type == SONDE__MSG_REPLY)
			h.status = cl->out_status;
		iov[0].iov_base = cl->out ? cl->out + cl->out_off : (char *)nul;
		iov[0].iov_len = k;
		iov[1].iov_base = (void *)nul;
		iov[1].iov_len = 1;
		r = sonde__msg_sendv(cl->fd, &h, iov, 2, -1, 1);
		if (r == -EAGAIN)
			return;
		if (r) {
			conn_drop(cl);
			return;
		}
		cl->since = now_ns();
		cl->out_off += k;
		if (h.type != SONDE__MSG_REPLY)
			continue;
		cl->replying = 0;
		if (cl->stop_client && d->stop_fd < 0) {
			/* Answered again by our exit (end of stream). */
			d->stop_fd = cl->fd;
			cl->fd = -1;
		}
		conn_drop(cl);
	}
}

/* Start sending @text (@len bytes, taken) as the reply on @cl. */
static void conn_reply(struct sd *d, struct sd_conn *cl, int status,
		       char *text, size_t len)
{
	cl->replying = 1;
	cl->out_status = status;
	cl->out = text;
	cl->out_len = len;
	cl->out_off = 0;
	cl->since = now_ns();
	flush_reply(d, cl);
}

/* conn_reply() of a copy of the sentence @text. */
static void conn_reply_str(struct sd *d, struct sd_conn *cl, int status,
			   const char *text)
{
	char *p = strdup(text);

	conn_reply(d, cl, status, p, p ? strlen(p) : 0);
}

static void handle_events(struct sd_conn *a, const struct sonde__msg *m)
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

/*
 * One request to an application, and its ACK: 0 or the app's -errno,
 * -ETIMEDOUT, or -EPIPE when the application is gone (dropped).
 */
static int app_call(struct sd *d, struct sd_conn *a, uint16_t type,
		    uint64_t session, const char *patterns, int fd)
{
	const char *argv[1] = { patterns };
	uint64_t deadline = now_ns() + ACK_TIMEOUT_MS * 1000000ull;
	uint32_t seq = ++a->seq;
	int r;

	if (a->dead)
		return -EPIPE;
	r = sonde__msg_send(a->fd, type, 0, session, seq, argv,
			    patterns ? 1 : 0, fd, 1);
	if (r) {
		conn_drop(a);
		return -EPIPE;
	}
	for (;;) {
		struct pollfd p = { a->fd, POLLIN, 0 };
		uint64_t t = now_ns();
		struct sonde__msg m;
		int pfd;

		if (t >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)((deadline - t) / 1000000u) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		r = sonde__msg_recv(a->fd, d->buf, &m, &pfd, 1);
		if (pfd >= 0)
			close(pfd);
		if (r == -EAGAIN)
			continue;
		if (r) {
			conn_drop(a);
			return -EPIPE;
		}
		if (m.h.type == SONDE__MSG_ACK && m.h.seq == seq)
			return m.h.status > 0 ? -EPROTO : m.h.status;
		if (m.h.type == SONDE__MSG_EVENTS)
			handle_events(a, &m);
		/* Older ACKs (timed out) are dropped. */
	}
}

static struct sd_session *first_started(struct sd *d)
{
	for (struct sd_session *s = d->sessions; s; s = s->next)
		if (s->state == SD_STARTED)
			return s;
	return NULL;
}

/* Attach an application to @s; 0 or -errno. */
static int app_attach(struct sd *d, struct sd_conn *a, struct sd_session *s)
{
	int r = app_call(d, a, SONDE__MSG_ATTACH, s->id, app_patterns(s),
			 sonde__consumer_shm_fd(s->c));

	if (!r)
		a->s = s;
	return r;
}

/* Applications that record nowhere join the first started session. */
static void place_apps(struct sd *d)
{
	struct sd_session *s = first_started(d);

	if (!s)
		return;
	for (struct sd_conn *a = d->conns; a; a = a->next)
		if (a->app && !a->dead && !a->s)
			app_attach(d, a, s);
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

/* Close the partly filled sub-buffers of @s (see the top of the file). */
static void switch_timer(struct sd *d, struct sd_session *s)
{
	/* The geometry of the view made when the buffers were created,
	 * never the header, which every process of the session can write. */
	const struct sonde__chan_view *v = s->view;
	int moved = 0;

	for (uint32_t cpu = 0; cpu < v->ncpu; cpu++) {
		struct sonde_rb_cpu *rb = v->cpu[cpu].rb;
		uint64_t off = __atomic_load_n(&rb->offset, __ATOMIC_ACQUIRE);

		if ((((uint32_t)(off - 1) & v->subbuf_mask) + 1) ==
		    SONDE__PKT_HDR_SIZE)
			continue;
#if SONDE__ARCH_HAVE_RSEQ
		cpu_set_t one;

		if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &d->affinity))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			continue;
		moved = 1;
		for (int i = 0; i < 3 && sonde__ring_flush(s->view, cpu) ==
						 -EAGAIN; i++)
			sched_yield();
#else
		sonde__ring_flush(s->view, cpu);
#endif
	}
	if (moved)
		sched_setaffinity(0, sizeof(d->affinity), &d->affinity);
}

/* Periodic work of a started session. */
static void tick(struct sd *d, struct sd_session *s, uint64_t t)
{
	struct sonde__consumer_stats st;
	int moved;

	if (s->overwrite)
		return;
	if (s->switch_ms > 0 && t >= s->next_switch) {
		switch_timer(d, s);
		s->next_switch = t + (uint64_t)s->switch_ms * 1000000u;
	}
	if (sonde__consumer_drain(s->c, &moved))
		return;
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

static int cmd_create(struct sd *d, const struct sonde__cmd *c,
		      struct text *t)
{
	struct sd_session *s, **tail;
	char why[PATH_MAX + 128];
	int r;

	if (find_session(d, c->session)) {
		tprintf(t, "session %s already exists", c->session);
		return -EEXIST;
	}
	/* The buffers are made at the first start; a size over the memory
	 * limit is refused now, before anything is made, so that create
	 * says so. */
	r = sonde__consumer_check_memory(&(struct sonde__consumer_opts){
		.subbuf_size = c->subbuf_size ? c->subbuf_size : DEFAULT_SUBBUF,
		.nsub = c->nsub ? c->nsub : DEFAULT_NSUB,
		.limit_hint = LIMIT_HINT,
	}, why, sizeof(why));
	if (r) {
		tprintf(t, "%s", why);
		return r;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	snprintf(s->name, sizeof(s->name), "%s", c->session);
	if (c->dir[0]) {
		snprintf(s->dir, sizeof(s->dir), "%s", c->dir);
	} else {
		r = default_dir(d, s, why, sizeof(why));
		if (r) {
			tprintf(t, "%s", why);
			free(s);
			return r;
		}
	}
	r = sonde__consumer_prepare_dir(s->dir, why, sizeof(why));
	if (r) {
		if (!c->dir[0])
			rmdir(s->dir); /* default_dir() made it, empty */
		tprintf(t, "%s", why);
		free(s);
		return r;
	}
	s->id = ++d->next_id;
	s->overwrite = c->overwrite;
	s->subbuf_size = c->subbuf_size ? c->subbuf_size : DEFAULT_SUBBUF;
	s->nsub = c->nsub ? c->nsub : DEFAULT_NSUB;
	s->switch_ms = c->switch_ms >= 0 ? c->switch_ms : DEFAULT_SWITCH_MS;
	s->state = SD_CREATED;
	s->sealed = 1;
	for (tail = &d->sessions; *tail; tail = &(*tail)->next)
		;
	*tail = s;
	tprintf(t, "session %s created, trace in %s", s->name, s->dir);
	return 0;
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

static int update_apps(struct sd *d, struct sd_session *s, struct text *t)
{
	int failed = 0, n = 0;

	for (struct sd_conn *a = d->conns; a; a = a->next) {
		if (a->dead || a->s != s)
			continue;
		n++;
		if (app_call(d, a, SONDE__MSG_ENABLE, s->id, app_patterns(s),
			     -1))
			failed++;
	}
	if (failed)
		tprintf(t, "; %d of %d processes did not apply it", failed, n);
	return 0;
}

static int cmd_enable(struct sd *d, struct sd_session *s,
		      const struct sonde__cmd *c, int enable, struct text *t)
{
	char next[SONDE__PATTERNS_MAX], excl[300];

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
	tprintf(t, "session %s: %s", s->name, enable ? "enabled" : "disabled");
	for (uint32_t i = 0; i < c->npatterns; i++)
		tprintf(t, " %s", c->patterns[i]);
	if (s->state == SD_STARTED)
		update_apps(d, s, t);
	return 0;
big:
	tprintf(t, "too many patterns in session %s", s->name);
	return -E2BIG;
}

static int cmd_start(struct sd *d, struct sd_session *s, struct text *t)
{
	int n = 0, failed = 0;

	if (s->state == SD_STARTED) {
		tprintf(t, "session %s is already started", s->name);
		return -EALREADY;
	}
	if (!s->c) {
		char why[512] = "";
		struct sonde__consumer_opts o = {
			.subbuf_size = s->subbuf_size,
			.nsub = s->nsub,
			.overwrite = s->overwrite,
			.patterns = "",
			.dir = s->dir,
			.why = why,
			.why_size = sizeof(why),
			.limit_hint = LIMIT_HINT,
		};
		int r = sonde__consumer_create(&o, &s->c);

		if (r && why[0]) {
			tprintf(t, "%s", why);
			return r;
		}
		if (r) {
			tprintf(t, "cannot create the buffers of %s in %s: %s",
				s->name, s->dir, strerror(-r));
			return r;
		}
		s->view = sonde__view_create(sonde__consumer_shm(s->c));
		if (!s->view) {
			sonde__consumer_discard_output(s->c);
			sonde__consumer_destroy(s->c);
			s->c = NULL;
			return -ENOMEM;
		}
		/* Readable from the first start, so that a daemon killed
		 * later leaves a trace; rewritten as event classes appear
		 * and at stop.  A flight recorder writes only snapshots. */
		if (!s->overwrite && (r = write_meta(s))) {
			tprintf(t, "cannot write the trace of %s in %s: %s",
				s->name, s->dir, strerror(-r));
			sonde__consumer_discard_output(s->c);
			sonde__consumer_destroy(s->c);
			s->c = NULL;
			free(s->view);
			s->view = NULL;
			return r;
		}
	}
	s->state = SD_STARTED;
	s->sealed = 0;
	s->next_switch = now_ns() + (uint64_t)s->switch_ms * 1000000u;
	/* Only the applications that record nowhere else come. */
	for (struct sd_conn *a = d->conns; a; a = a->next) {
		if (!a->app || a->dead || a->s)
			continue;
		n++;
		if (app_attach(d, a, s))
			failed++;
	}
	tprintf(t, "session %s started (%d processes attached)", s->name,
		n - failed);
	if (failed)
		tprintf(t, "; %d did not attach", failed);
	return 0;
}

static int cmd_stop(struct sd *d, struct sd_session *s, struct text *t,
		    int quiet)
{
	struct sonde__consumer_stats st;
	int failed = 0, r;

	if (s->state != SD_STARTED) {
		tprintf(t, "session %s is not started", s->name);
		return -EINVAL;
	}
	for (struct sd_conn *a = d->conns; a; a = a->next) {
		if (a->dead || a->s != s)
			continue;
		if (app_call(d, a, SONDE__MSG_DETACH, s->id, NULL, -1) &&
		    !a->dead)
			failed++;
		a->s = NULL;
	}
	s->state = SD_STOPPED;
	if (s->overwrite) {
		/* A flight recorder writes nothing but its snapshots. */
		r = 0;
	} else {
		int moved;

		/* Processes that did not detach may still write: their data
		 * is left for destroy. */
		if (failed) {
			r = sonde__consumer_drain(s->c, &moved);
		} else {
			r = sonde__consumer_seal(s->c);
			s->sealed = !r;
		}
		if (!r)
			r = write_meta(s);
	}
	sonde__consumer_stats(s->c, &st);
	if (r)
		tprintf(t, "session %s stopped, but writing %s failed: %s",
			s->name, s->dir, strerror(-r));
	else if (!quiet)
		tprintf(t, "session %s stopped: %llu events, %llu lost, %s%s",
			s->name, (unsigned long long)st.events,
			(unsigned long long)st.lost,
			s->overwrite ? "flight recorder (sonde snapshot) in "
				     : "trace in ",
			s->dir);
	if (failed)
		tprintf(t, "; %d processes did not detach, their last events are written at destroy",
			failed);
	/* The detached join another started session, if any. */
	place_apps(d);
	return r;
}

static int cmd_snapshot(struct sd_session *s, const struct sonde__cmd *c,
			struct text *t)
{
	struct sonde__consumer_stats st;
	char dir[PATH_MAX];
	int r;

	if (!s->overwrite) {
		tprintf(t, "session %s is not a flight recorder: snapshots need a session created with --overwrite",
			s->name);
		return -EINVAL;
	}
	if (!s->c) {
		tprintf(t, "session %s was never started: nothing to snapshot",
			s->name);
		return -EINVAL;
	}
	if (c->dir[0])
		snprintf(dir, sizeof(dir), "%s", c->dir);
	else if ((size_t)snprintf(dir, sizeof(dir), "%s/snapshot-%d", s->dir,
				  s->nsnap + 1) >= sizeof(dir) - 64)
		return -ENAMETOOLONG;
	r = sonde__mkdirs(dir);
	if (!r)
		r = sonde__consumer_snapshot(s->c, dir, s->name, 0, &st);
	if (r) {
		tprintf(t, "cannot write snapshot %s: %s", dir, strerror(-r));
		return r;
	}
	s->nsnap++;
	tprintf(t, "%s\n# %llu events, %llu lost", dir,
		(unsigned long long)st.events, (unsigned long long)st.lost);
	return 0;
}

static void session_free(struct sd *d, struct sd_session *s)
{
	struct sd_session **pp;

	for (pp = &d->sessions; *pp && *pp != s; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = s->next;
	for (struct sd_conn *a = d->conns; a; a = a->next)
		if (a->s == s)
			a->s = NULL;
	free(s->view);
	free(s);
}

static int cmd_destroy(struct sd *d, struct sd_session *s, struct text *t)
{
	int r = 0;

	if (s->state == SD_STARTED)
		cmd_stop(d, s, t, 1);
	if (s->c) {
		if (s->overwrite) {
			sonde__consumer_discard_output(s->c);
		} else if (!s->sealed) {
			r = sonde__consumer_finish(s->c, s->name, 0);
		}
		sonde__consumer_destroy(s->c);
		s->c = NULL;
	}
	if (t->len)
		tprintf(t, "; ");
	if (r)
		tprintf(t, "session %s destroyed; writing %s failed: %s",
			s->name, s->dir, strerror(-r));
	else
		tprintf(t, "session %s destroyed", s->name);
	session_free(d, s);
	return r;
}

static const char *state_name(enum sd_state st)
{
	return st == SD_STARTED ? "started"
	       : st == SD_STOPPED ? "stopped"
				  : "created";
}

static void cmd_sessions(struct sd *d, struct text *t)
{
	for (struct sd_session *s = d->sessions; s; s = s->next) {
		struct sonde__consumer_stats st = { 0, 0, 0, 0 };
		int apps = 0;

		for (struct sd_conn *a = d->conns; a; a = a->next)
			apps += !a->dead && a->s == s;
		if (s->c)
			sonde__consumer_stats(s->c, &st);
		tprintf(t, "%s %s %s apps=%d events=%llu lost=%llu dir=%s\n",
			s->name, state_name(s->state),
			s->overwrite ? "overwrite" : "discard", apps,
			(unsigned long long)st.events,
			(unsigned long long)st.lost, s->dir);
	}
}

static void cmd_list(struct sd *d, struct text *t)
{
	for (struct sd_conn *a = d->conns; a; a = a->next) {
		const char *p;

		if (!a->app || a->dead)
			continue;
		tprintf(t, "pid %d %s", (int)a->pid, a->name);
		if (a->s)
			tprintf(t, " session=%s", a->s->name);
		tprintf(t, "\n");
		for (p = a->events; p && *p;) {
			const char *nl = strchr(p, '\n');
			int n = nl ? (int)(nl - p) : (int)strlen(p);

			tprintf(t, "  %.*s\n", n, p);
			p += n + (nl ? 1 : 0);
		}
	}
}

static void handle_command(struct sd *d, struct sd_conn *cl,
			   const struct sonde__msg *m)
{
	struct text t = { NULL, 0, 0, 0 };
	struct sonde__cmd c;
	struct sd_session *s = NULL;
	char err[512];
	int r;

	cl->parts = !!(m->h.flags & SONDE__MSG_F_PARTS);
	r = sonde__cmd_parse(m->argc, m->argv, &c, err, sizeof(err));
	if (r) {
		conn_reply_str(d, cl, r, err);
		return;
	}
	if (c.verb != SONDE__CMD_CREATE && c.session[0]) {
		s = find_session(d, c.session);
		if (!s) {
			snprintf(err, sizeof(err), "no session named %s",
				 c.session);
			conn_reply_str(d, cl, -ENOENT, err);
			return;
		}
	}
	switch (c.verb) {
	case SONDE__CMD_CREATE:
		r = cmd_create(d, &c, &t);
		break;
	case SONDE__CMD_ENABLE:
	case SONDE__CMD_DISABLE:
		r = cmd_enable(d, s, &c, c.verb == SONDE__CMD_ENABLE, &t);
		break;
	case SONDE__CMD_START:
		r = cmd_start(d, s, &t);
		break;
	case SONDE__CMD_STOP:
		r = cmd_stop(d, s, &t, 0);
		break;
	case SONDE__CMD_SNAPSHOT:
		r = cmd_snapshot(s, &c, &t);
		break;
	case SONDE__CMD_DESTROY:
		r = cmd_destroy(d, s, &t);
		break;
	case SONDE__CMD_SESSIONS:
		cmd_sessions(d, &t);
		r = 0;
		break;
	case SONDE__CMD_LIST:
		cmd_list(d, &t);
		r = 0;
		break;
	case SONDE__CMD_DAEMON_STOP:
		d->quit = 1;
		r = 0;
		tprintf(&t, "stopping");
		break;
	}
	if (t.cut) {
		/* Never silently: the reply says where it ends. */
		t.cut = 2;
		tprintf(&t, "\n(reply cut short here: over %u MiB, or out of memory)",
			SONDE__REPLY_MAX >> 20);
	}
	if (t.p && t.len && t.p[t.len - 1] == '\n')
		t.p[--t.len] = 0;
	cl->stop_client = c.verb == SONDE__CMD_DAEMON_STOP;
	if (!t.p && r)
		conn_reply_str(d, cl, r, strerror(-r));
	else
		conn_reply(d, cl, r, t.p, t.len);
}

static void handle_hello(struct sd *d, struct sd_conn *a,
			 const struct sonde__msg *m)
{
	unsigned long long claim = 0;

	a->app = 1;
	snprintf(a->name, sizeof(a->name), "%s",
		 m->argc > 0 && *m->argv[0] ? m->argv[0] : "?");
	for (char *p = a->name; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			*p = '?';
	if (m->argc > 1 && *m->argv[1])
		claim = strtoull(m->argv[1], NULL, 10);
	if (claim) {
		/* Forked from a process that records into @claim. */
		struct sd_session *s;

		for (s = d->sessions; s; s = s->next)
			if (s->id == claim && s->state == SD_STARTED)
				break;
		if (s)
			a->s = s;
		else
			app_call(d, a, SONDE__MSG_DETACH, claim, NULL, -1);
	}
	if (!a->s && !a->dead && first_started(d))
		app_attach(d, a, first_started(d));
}

/* One message from connection @a. */
static void handle_conn(struct sd *d, struct sd_conn *a)
{
	struct sonde__msg m;
	int pfd, r;

	r = sonde__msg_recv(a->fd, d->buf, &m, &pfd, 1);
	if (pfd >= 0)
		close(pfd);
	if (r == -EAGAIN)
		return;
	if (r) {
		if (r == -EPROTO && !a->app)
			reply(a->fd, -EPROTO, "malformed message");
		conn_drop(a);
		return;
	}
	switch (m.h.type) {
	case SONDE__MSG_HELLO:
		if (a->app)
			goto bad;
		handle_hello(d, a, &m);
		break;
	case SONDE__MSG_EVENTS:
		if (!a->app)
			goto bad;
		handle_events(a, &m);
		break;
	case SONDE__MSG_COMMAND:
		if (a->app)
			goto bad;
		/* Closed once the reply is sent (flush_reply()). */
		handle_command(d, a, &m);
		break;
	case SONDE__MSG_ACK:
		if (!a->app)
			goto bad;
		break; /* late answer to a request that timed out */
	default:
		goto bad;
	}
	return;
bad:
	reply(a->fd, -EPROTO, "unexpected message");
	conn_drop(a);
}

/* The connection that has said nothing for the longest, or NULL. */
static struct sd_conn *oldest_new(struct sd *d)
{
	struct sd_conn *o = NULL;

	for (struct sd_conn *a = d->conns; a; a = a->next)
		if (!a->dead && !a->app && !a->replying &&
		    (!o || a->since < o->since))
			o = a;
	return o;
}

/* Take connection @fd of a peer, within the bounds at the top of the
 * file, and read its first message if it came with it. */
static void admit(struct sd *d, int fd)
{
	size_t live = 0, silent = 0, mine = 0;
	struct sd_conn *a;
	uid_t uid;
	pid_t pid;
	char why[96];

	if (sonde__peer_cred(fd, &uid, &pid) || uid != geteuid()) {
		snprintf(why, sizeof(why),
			 "permission denied: uid %u is not the daemon's user (uid %u)",
			 (unsigned int)uid, (unsigned int)geteuid());
		reply(fd, -EACCES, why);
		close(fd);
		return;
	}
	for (a = d->conns; a; a = a->next) {
		if (a->dead)
			continue;
		live++;
		if (!a->app && !a->replying) {
			silent++;
			mine += a->pid == pid;
		}
	}
	if (mine >= NEW_PER_PEER) {
		snprintf(why, sizeof(why),
			 "too many connections from pid %d that sent nothing",
			 (int)pid);
		reply(fd, -EBUSY, why);
		close(fd);
		return;
	}
	if (live >= d->conn_max || silent >= NEW_MAX) {
		a = oldest_new(d);
		if (!a) {
			reply(fd, -EMFILE, "too many connections to the daemon");
			close(fd);
			return;
		}
		conn_drop(a);
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		close(fd);
		return;
	}
	a->fd = fd;
	a->pid = pid;
	a->since = now_ns();
	a->next = d->conns;
	d->conns = a;
	handle_conn(d, a);
}

/* accept() ran out of descriptors (see the top of the file). */
static void out_of_fds(struct sd *d)
{
	struct sd_conn *o = oldest_new(d);
	int fd;

	if (o) {
		/* Its descriptor goes to the connections waiting. */
		conn_drop(o);
		return;
	}
	if (d->spare >= 0) {
		close(d->spare);
		fd = accept4(d->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			reply(fd, -EMFILE,
			      "the daemon is out of file descriptors; try again later");
			close(fd);
		}
		d->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && d->spare >= 0)
			return;
	}
	d->accept_paused = now_ns() + ACCEPT_PAUSE_MS * 1000000ull;
}

static void accept_conns(struct sd *d)
{
	for (int i = 0; i < ACCEPT_BURST; i++) {
		int fd = accept4(d->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			admit(d, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE)
			out_of_fds(d);
		else if (errno != EAGAIN)
			d->accept_paused = now_ns() +
					   ACCEPT_PAUSE_MS * 1000000ull;
		return;
	}
}

/* Close the connections that said nothing, or read nothing of their
 * reply, for IDLE_MS; the time of the next such check (ns). */
static uint64_t expire_idle(struct sd *d, uint64_t t)
{
	const uint64_t idle = IDLE_MS * 1000000ull;
	uint64_t next = UINT64_MAX;

	for (struct sd_conn *a = d->conns; a; a = a->next) {
		if (a->dead || a->app)
			continue;
		if (t - a->since >= idle)
			conn_drop(a);
		else if (a->since + idle < next)
			next = a->since + idle;
	}
	return next;
}

/* The descriptor limit (raised to the hard one, up to CONN_LIMIT) and
 * the connections it leaves room for. */
static void fd_limits(struct sd *d)
{
	struct rlimit rl;
	size_t lim = 1024, reserve;

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rlim_t want = rl.rlim_max < CONN_LIMIT ? rl.rlim_max
						       : CONN_LIMIT;

		if (rl.rlim_cur < want) {
			rl.rlim_cur = want;
			if (setrlimit(RLIMIT_NOFILE, &rl))
				getrlimit(RLIMIT_NOFILE, &rl);
		}
		lim = rl.rlim_cur < CONN_LIMIT ? (size_t)rl.rlim_cur
					       : CONN_LIMIT;
	}
	/* Descriptors for the sessions' buffers and files, and ours. */
	reserve = lim / 4 > FD_RESERVE_MIN ? lim / 4 : FD_RESERVE_MIN;
	d->conn_max = lim > reserve + 8 ? lim - reserve : 8;
}

/* Room for @n entries in the poll set; 0 or -ENOMEM. */
static int poll_room(struct sd *d, size_t n)
{
	struct pollfd *p;
	struct sd_conn **by;
	size_t cap = d->pcap ? d->pcap : 64;

	if (n <= d->pcap)
		return 0;
	while (cap < n)
		cap *= 2;
	p = realloc(d->pfd, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	d->pfd = p;
	by = realloc(d->pby, cap * sizeof(*by));
	if (!by)
		return -ENOMEM;
	d->pby = by;
	d->pcap = cap;
	return 0;
}

static void reap(struct sd *d)
{
	for (struct sd_conn **pp = &d->conns; *pp;) {
		struct sd_conn *a = *pp;

		if (!a->dead) {
			pp = &a->next;
			continue;
		}
		*pp = a->next;
		free(a->events);
		free(a->out);
		free(a);
	}
}

static int listen_socket(struct sd *d)
{
	const struct sonde__rundir *rd = d->o->rd;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char tmp[PATH_MAX];
	mode_t um;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/.sonde.sock.%d", rd->dir, (int)getpid());
	if (strlen(tmp) >= sizeof(a.sun_path) ||
	    strlen(rd->sock) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	memcpy(a.sun_path, tmp, strlen(tmp) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(tmp);
	um = umask(077);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 64) ||
	    rename(tmp, rd->sock)) {
		int e = errno;

		umask(um);
		unlink(tmp);
		close(fd);
		return -e;
	}
	/* Appears whole, listening: agents waiting on the directory connect
	 * at once. */
	umask(um);
	d->lfd = fd;
	return 0;
}

static void shutdown_all(struct sd *d)
{
	struct text t = { NULL, 0, 0, 0 };

	while (d->sessions)
		cmd_destroy(d, d->sessions, &t);
	free(t.p);
	for (struct sd_conn *a = d->conns; a; a = a->next)
		conn_drop(a);
	reap(d);
}

int sonde__sessiond_run(const struct sonde__sessiond_opts *o)
{
	struct sd *d = calloc(1, sizeof(*d));
	struct sigaction sa;
	char pid[32];
	int r;

	if (!d)
		return -ENOMEM;
	d->o = o;
	d->lfd = -1;
	d->stop_fd = -1;
	fd_limits(d);
	d->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (sched_getaffinity(0, sizeof(d->affinity), &d->affinity))
		CPU_ZERO(&d->affinity);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	r = listen_socket(d);
	if (r) {
		if (d->spare >= 0)
			close(d->spare);
		free(d);
		return r;
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(o->lock_fd, 0) ||
	    pwrite(o->lock_fd, pid, strlen(pid), 0) < 0) {
		/* The pid is a courtesy; the lock is what counts. */
	}
	if (o->ready_fd >= 0) {
		if (write(o->ready_fd, "r", 1) < 0) {
			/* The parent is gone: run anyway. */
		}
		close(o->ready_fd);
	}
	while (!d->quit && !got_signal) {
		uint64_t t = now_ns(), wake = expire_idle(d, t);
		size_t live = 1;
		nfds_t n = 0;
		int timeout;

		reap(d);
		for (struct sd_conn *a = d->conns; a; a = a->next)
			live++;
		if (poll_room(d, live)) {
			poll(NULL, 0, ACCEPT_PAUSE_MS);
			continue;
		}
		if (t >= d->accept_paused) {
			d->pfd[n].fd = d->lfd;
			d->pfd[n].events = POLLIN;
			d->pby[n++] = NULL;
		} else if (d->accept_paused < wake) {
			wake = d->accept_paused;
		}
		for (struct sd_conn *a = d->conns; a; a = a->next) {
			d->pfd[n].fd = a->fd;
			d->pfd[n].events = a->replying ? POLLOUT : POLLIN;
			d->pby[n++] = a;
		}
		for (struct sd_session *s = d->sessions; s; s = s->next)
			if (s->state == SD_STARTED && !s->overwrite &&
			    t + DRAIN_MS * 1000000ull < wake)
				wake = t + DRAIN_MS * 1000000ull;
		timeout = wake == UINT64_MAX ? -1
			  : wake <= t	     ? 0
			  : wake - t > (uint64_t)IDLE_MS * 1000000u
				  ? IDLE_MS
				  : (int)((wake - t + 999999) / 1000000);
		if (poll(d->pfd, n, timeout) < 0 && errno != EINTR)
			break;
		for (nfds_t i = 0; i < n; i++) {
			struct sd_conn *a = d->pby[i];

			if (!d->pfd[i].revents)
				continue;
			if (!a)
				accept_conns(d);
			else if (a->dead)
				continue;
			else if (!a->replying)
				handle_conn(d, a);
			else if (d->pfd[i].revents & (POLLHUP | POLLERR))
				conn_drop(a);
			else
				flush_reply(d, a);
		}
		t = now_ns();
		for (struct sd_session *s = d->sessions; s; s = s->next)
			if (s->state == SD_STARTED)
				tick(d, s, t);
		reap(d);
	}
	close(d->lfd);
	unlink(o->rd->sock);
	shutdown_all(d);
	if (d->stop_fd >= 0)
		close(d->stop_fd);
	if (d->spare >= 0)
		close(d->spare);
	free(d->pfd);
	free(d->pby);
	free(d);
	return 0;
}
