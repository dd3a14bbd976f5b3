// SPDX-License-Identifier: MIT
/*
 * Session daemon, event loop: one per user, single-threaded, a poll() loop
 * over its listening socket and its connections, which also wakes for the
 * deadlines of the requests to applications (apprpc.c), of the verbs
 * waiting on them (session.c) and for the draining of started sessions.
 * Nothing in one turn of the loop waits on a peer: that is what keeps
 * every session drained whatever one application does (daemon.h).
 *
 * Connections say who they are with their first message: an application's
 * agent says HELLO (agent.c) and stays; a CLI verb sends one COMMAND and
 * gets one REPLY (in pieces when it asks for them, proto.h: the text has
 * no limit but memory), after which the connection is closed.  Every peer
 * must run as the daemon's own user (SO_PEERCRED); a malformed message
 * gets an error and the connection is closed.  The daemon never writes to
 * a full socket (it drops that application instead; a reply waits for
 * room, polled).
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
 * Stopping (`sonde daemon --stop`, SIGTERM, SIGINT): the socket goes at
 * once, every session is destroyed through its queue of verbs as a client
 * would, the loop keeps running (and draining) until the last is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

#include "daemon.h"

/* A client that takes one REPLY only (no SONDE__MSG_F_PARTS). */
#define LEGACY_REPLY_MAX 60000u
#define IDLE_MS 10000
#define NEW_PER_PEER 8
#define NEW_MAX 64
#define CONN_LIMIT 65536
#define FD_RESERVE_MIN 32
#define ACCEPT_BURST 32
#define ACCEPT_PAUSE_MS 100

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

uint64_t sonde__sd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A one-message error reply on a connection not (yet) ours. */
static void reply_raw(int fd, int status, const char *text)
{
	const char *argv[1] = { text ? text : "" };

	sonde__msg_send(fd, SONDE__MSG_REPLY, status, 0, 0, argv, 1, -1, 1);
}

/* Close @a; what refers to it is undone before it is freed (reap()). */
void sonde__sd_conn_drop(struct sd_conn *a)
{
	if (a->dead)
		return;
	a->dead = 1;
	memset(a->s, 0, sizeof(a->s));
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	free(a->out);
	a->out = NULL;
	a->replying = 0;
	a->waiting = 0;
}

/* Not an application, and neither waiting for nor taking its reply. */
static int silent(const struct sd_conn *a)
{
	return !a->dead && !a->app && !a->replying && !a->waiting;
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
			sonde__sd_conn_drop(cl);
			return;
		}
		cl->since = sonde__sd_now();
		cl->out_off += k;
		if (h.type != SONDE__MSG_REPLY)
			continue;
		cl->replying = 0;
		if (cl->stop_client && d->stop_fd < 0) {
			/* Answered again by our exit (end of stream). */
			d->stop_fd = cl->fd;
			cl->fd = -1;
		}
		sonde__sd_conn_drop(cl);
	}
}

/* Start sending @text (@len bytes, taken) as the reply on @cl. */
void sonde__sd_reply(struct sd *d, struct sd_conn *cl, int status,
		     char *text, size_t len)
{
	if (cl->dead) {
		free(text);
		return;
	}
	cl->waiting = 0;
	cl->replying = 1;
	cl->out_status = status;
	cl->out = text;
	cl->out_len = len;
	cl->out_off = 0;
	cl->since = sonde__sd_now();
	flush_reply(d, cl);
}

/* sonde__sd_reply() of a copy of the sentence @text. */
void sonde__sd_reply_str(struct sd *d, struct sd_conn *cl, int status,
			 const char *text)
{
	char *p = strdup(text);

	sonde__sd_reply(d, cl, status, p, p ? strlen(p) : 0);
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
			reply_raw(a->fd, -EPROTO, "malformed message");
		sonde__sd_conn_drop(a);
		return;
	}
	switch (m.h.type) {
	case SONDE__MSG_HELLO:
		if (a->app)
			goto bad;
		sonde__sd_hello(d, a, &m);
		break;
	case SONDE__MSG_EVENTS:
		if (!a->app)
			goto bad;
		sonde__sd_events(a, &m);
		break;
	case SONDE__MSG_COMMAND:
		if (a->app)
			goto bad;
		/* Closed once the reply is sent (flush_reply()). */
		sonde__sd_command(d, a, &m);
		break;
	case SONDE__MSG_ACK:
		if (!a->app)
			goto bad;
		sonde__sd_ack(d, a, &m);
		break;
	default:
		goto bad;
	}
	return;
bad:
	reply_raw(a->fd, -EPROTO, "unexpected message");
	sonde__sd_conn_drop(a);
}

/* The connection that has said nothing for the longest, or NULL. */
static struct sd_conn *oldest_new(struct sd *d)
{
	struct sd_conn *o = NULL;

	for (struct sd_conn *a = d->conns; a; a = a->next)
		if (silent(a) && (!o || a->since < o->since))
			o = a;
	return o;
}

/* Take connection @fd of a peer, within the bounds at the top of the
 * file, and read its first message if it came with it. */
static void admit(struct sd *d, int fd)
{
	size_t live = 0, quiet = 0, mine = 0;
	struct sd_conn *a;
	uid_t uid;
	pid_t pid;
	char why[96];

	if (sonde__peer_cred(fd, &uid, &pid) || uid != geteuid()) {
		snprintf(why, sizeof(why),
			 "permission denied: uid %u is not the daemon's user (uid %u)",
			 (unsigned int)uid, (unsigned int)geteuid());
		reply_raw(fd, -EACCES, why);
		close(fd);
		return;
	}
	for (a = d->conns; a; a = a->next) {
		if (a->dead)
			continue;
		live++;
		if (silent(a)) {
			quiet++;
			mine += a->pid == pid;
		}
	}
	if (mine >= NEW_PER_PEER) {
		snprintf(why, sizeof(why),
			 "too many connections from pid %d that sent nothing",
			 (int)pid);
		reply_raw(fd, -EBUSY, why);
		close(fd);
		return;
	}
	if (live >= d->conn_max || quiet >= NEW_MAX) {
		a = oldest_new(d);
		if (!a) {
			reply_raw(fd, -EMFILE,
				  "too many connections to the daemon");
			close(fd);
			return;
		}
		sonde__sd_conn_drop(a);
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		close(fd);
		return;
	}
	a->fd = fd;
	a->pid = pid;
	a->since = sonde__sd_now();
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
		sonde__sd_conn_drop(o);
		return;
	}
	if (d->spare >= 0) {
		close(d->spare);
		fd = accept4(d->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			reply_raw(fd, -EMFILE,
				  "the daemon is out of file descriptors; try again later");
			close(fd);
		}
		d->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && d->spare >= 0)
			return;
	}
	d->accept_paused = sonde__sd_now() + ACCEPT_PAUSE_MS * 1000000ull;
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
			d->accept_paused = sonde__sd_now() +
					   ACCEPT_PAUSE_MS * 1000000ull;
		return;
	}
}

/* Close the connections that said nothing, or read nothing of their
 * reply, for IDLE_MS; the time of the next such check (ns).  A client
 * whose verb waits on applications is not idle: the verb's deadline
 * bounds that wait. */
static uint64_t expire_idle(struct sd *d, uint64_t t)
{
	const uint64_t idle = IDLE_MS * 1000000ull;
	uint64_t next = UINT64_MAX;

	for (struct sd_conn *a = d->conns; a; a = a->next) {
		if (a->dead || a->app || a->waiting)
			continue;
		if (t - a->since >= idle)
			sonde__sd_conn_drop(a);
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

/* Free the dropped connections, once their requests have failed and no
 * verb names them as its client. */
static void reap(struct sd *d)
{
	for (struct sd_conn **pp = &d->conns; *pp;) {
		struct sd_conn *a = *pp;

		if (!a->dead) {
			pp = &a->next;
			continue;
		}
		sonde__sd_rpc_reap(d, a);
		sonde__sd_op_conn_gone(d, a);
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

/* Begin stopping: no new connections, every session destroyed through
 * its queue (the verbs already queued run first). */
static void begin_quit(struct sd *d)
{
	if (d->lfd >= 0) {
		close(d->lfd);
		d->lfd = -1;
		unlink(d->o->rd->sock);
	}
	d->quit = 1;
	for (struct sd_session *s = d->sessions; s; s = s->next) {
		struct sd_op *op;

		if (s->dying)
			continue;
		op = calloc(1, sizeof(*op));
		if (!op)
			continue; /* retried on the next turn */
		op->c.verb = SONDE__CMD_DESTROY;
		snprintf(op->c.session, sizeof(op->c.session), "%s", s->name);
		op->s = s;
		sonde__sd_op_queue(d, op);
	}
}

/* Build the poll set; the timeout until the next thing to do (ms). */
static int poll_set(struct sd *d, uint64_t t, uint64_t wake, nfds_t *np)
{
	nfds_t n = 0;

	if (d->lfd >= 0 && t >= d->accept_paused) {
		d->pfd[n].fd = d->lfd;
		d->pfd[n].events = POLLIN;
		d->pby[n++] = NULL;
	} else if (d->lfd >= 0 && d->accept_paused < wake) {
		wake = d->accept_paused;
	}
	for (struct sd_conn *a = d->conns; a; a = a->next) {
		d->pfd[n].fd = a->fd;
		/* A waiting client is polled for its hang-up only. */
		d->pfd[n].events = a->replying ? POLLOUT
				   : a->waiting ? 0
						: POLLIN;
		d->pby[n++] = a;
	}
	for (struct sd_session *s = d->sessions; s; s = s->next)
		if ((s->state == SD_STARTED || s->state == SD_STOPPING) &&
		    !s->overwrite && t + SD_DRAIN_MS * 1000000ull < wake)
			wake = t + SD_DRAIN_MS * 1000000ull;
	*np = n;
	return wake == UINT64_MAX ? -1
	       : wake <= t	  ? 0
	       : wake - t > (uint64_t)IDLE_MS * 1000000u
		       ? IDLE_MS
		       : (int)((wake - t + 999999) / 1000000);
}

static void serve(struct sd *d)
{
	uint64_t wake = UINT64_MAX;

	while (!d->quit || d->sessions) {
		uint64_t t = sonde__sd_now(), w;
		size_t live = 1;
		nfds_t n;
		int timeout;

		if (got_signal && !d->quit)
			begin_quit(d);
		w = expire_idle(d, t);
		if (w < wake)
			wake = w;
		reap(d);
		for (struct sd_conn *a = d->conns; a; a = a->next)
			live++;
		if (poll_room(d, live)) {
			poll(NULL, 0, ACCEPT_PAUSE_MS);
			continue;
		}
		timeout = poll_set(d, t, wake, &n);
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
			else if (a->waiting)
				sonde__sd_conn_drop(a); /* hung up */
			else if (!a->replying)
				handle_conn(d, a);
			else if (d->pfd[i].revents & (POLLHUP | POLLERR))
				sonde__sd_conn_drop(a);
			else
				flush_reply(d, a);
		}
		if (d->quit)
			begin_quit(d);
		/* Answers, deadlines and hang-ups first: they let verbs
		 * finish, and finished verbs can start the next ones. */
		t = sonde__sd_now();
		wake = sonde__sd_rpc_expire(d, t);
		reap(d);
		w = sonde__sd_ops_run(d, t);
		if (w < wake)
			wake = w;
		for (struct sd_session *s = d->sessions; s; s = s->next)
			if (s->state == SD_STARTED || s->state == SD_STOPPING)
				sonde__sd_tick(d, s, t);
			else if (s->relay) /* what a stop wrote, reconnects */
				sonde__output_relay_poll(s->relay);
		/* What the verbs sent has deadlines of its own. */
		w = sonde__sd_rpc_expire(d, sonde__sd_now());
		if (w < wake)
			wake = w;
		reap(d);
	}
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
	serve(d);
	if (d->lfd >= 0) {
		close(d->lfd);
		unlink(o->rd->sock);
	}
	while (d->sessions) {
		/* Only when poll() itself failed: no one is waited on but
		 * the relay, SD_RELAY_FINISH_MS at most. */
		sonde__sd_finish(d->sessions);
		while (sonde__sd_finish_more(d->sessions, sonde__sd_now()))
			poll(NULL, 0, SD_RELAY_STEP_MS);
		sonde__sd_session_free(d, d->sessions);
	}
	for (struct sd_conn *a = d->conns; a; a = a->next)
		sonde__sd_conn_drop(a);
	reap(d);
	if (d->stop_fd >= 0)
		close(d->stop_fd);
	if (d->spare >= 0)
		close(d->spare);
	free(d->pfd);
	free(d->pby);
	free(d);
	return 0;
}
