// SPDX-License-Identifier: MIT
/*
 * Session-daemon agent of an instrumented process.
 *
 * One detached thread, started when the first object with tracepoints
 * registers (never by a process that records into $SONDE_SHM, nor with
 * $SONDE_DAEMON=off), with every signal blocked.  It connects to the
 * user's daemon (rundir.h) or, while there is none, sleeps on inotify for
 * the daemon's socket to appear, so an application started before the
 * daemon is picked up when it comes.
 *
 * Start-up.  An application started after `sonde start` must record its
 * first events, so the constructor that started the thread waits
 * (sonde__agent_wait()) until the registration is answered: the daemon
 * ACKs the HELLO once it has placed the process (attached it to every
 * started session, each ATTACH handled here first, or to none), or the
 * connection failed or ended.  An ATTACH alone does not end the wait:
 * more may follow, one per started session.  The wait is bounded by
 * $SONDE_REGISTER_TIMEOUT (milliseconds, REGISTER_TIMEOUT_DEFAULT_MS by
 * default, 0: no wait), counted once from the thread's start: every later
 * registration waits only for what is left of it.  When no daemon's socket
 * exists it does not wait at all, and a stale socket is answered at once
 * by the connection's refusal.  Nothing is waited for that this thread
 * might need: the waiter holds no lock of libsonde's, only perhaps the
 * dynamic loader's (a dlopen()), which nothing here takes (no dlopen, no
 * lazily allocated TLS); and the bound ends any wait on a daemon that
 * accepts but never answers.  The wait is a futex on a word the thread
 * sets once: nothing a fork() could leave locked in the child.
 *
 * Connected, it says HELLO (pid, name, the sessions it already records
 * into after a fork) and EVENTS (its event names, again whenever an
 * object is loaded or unloaded), then serves the daemon's requests, one at
 * a time, each answered with an ACK:
 *   ATTACH s, patterns, fd  map the session's buffers (a memfd) into a
 *                           free slot, give the sites that the patterns
 *                           select their ids in that channel, publish it,
 *                           start them;
 *   ENABLE s, patterns      start or stop sites in s's slot by the new
 *                           patterns;
 *   DETACH s                stop recording into s's slot, wait a grace
 *                           period for writers already past their site's
 *                           check, then replace the mapping by private
 *                           anonymous memory: a writer that raced past
 *                           the grace writes nowhere that matters, and
 *                           the channel is quiescent for the daemon to
 *                           seal.
 * When the daemon goes away (crash included) the process detaches from
 * every session the same way and waits for the next daemon: it never
 * blocks or dies of it.  A malformed or unusable request gets a negative
 * ACK.
 *
 * Slots.  A process records into up to SONDE__SLOTS sessions at once, as
 * an LTTng-UST application does into every started session: each session
 * is a slot of the registry (registry.h), with its own channel, event ids
 * and patterns; the table slots[] maps a session id to its slot and
 * mapping.  Slot 0 is the channel sonde__chan points to, the one the
 * inline fast path writes; an ATTACH takes slot 0 when it is free (so a
 * process that records into one session uses the fast path), else the
 * lowest free one, recorded through the sites' out-of-line path.  When
 * slot 0's session detaches the others keep their slots; the next ATTACH
 * takes slot 0 again.  A fork()ed child inherits every slot, mapping and
 * view, announces itself in each channel, and its HELLO names every
 * session: the daemon counts it in each.
 *
 * Retired ranges.  After a DETACH the released channel's address range
 * holds unbacked private memory and its view stays allocated, for a writer
 * that passed its site's check before the detach and has not touched the
 * buffers yet: a thread preempted or stopped in the middle of an event.
 * Such a writer runs straight-line code that makes no blocking system
 * call (sonde__record(), the slow path, a two-step record's payload): once
 * it runs again it is done within microseconds.  So a range is unmapped,
 * and its view freed, once it has been quiet for RECLAIM_NS, half a
 * second during which this thread itself kept running on time (a tick at
 * least every TICK_MS while ranges wait; ticks are the only clock).  A
 * longer gap between two ticks means the whole process was stopped
 * (SIGSTOP, a debugger) or starved, and writers stopped with it may not
 * have run since: every waiting range starts its quiet time again.  What
 * this leaves unguarded is one thread kept off the CPU for half a second
 * while this one runs, between its site's check and its last store: it
 * would then fault on the unmapped range, or write into whatever took the
 * address.  Half a second is 25 times the grace after which that writer's
 * event is already lost, and it keeps the hot path free of any count of
 * writers in flight.  At most RETIRED_MAX ranges wait: an ATTACH beyond
 * that first waits (ROOM_WAIT_MS at most) for the oldest, so start/stop
 * cycles cannot outrun the reclaim, and the address space a process
 * keeps for released channels stays under RETIRED_MAX channels.  A view
 * that sonde__chan still points to (no channel was attached since) is
 * kept until it no longer does.
 *
 * Trust boundary: environment variables ($SONDE_DAEMON, $SONDE_SHM,
 * $SONDE_REGISTER_TIMEOUT and those of rundir.h), read once when the agent
 * starts, with
 * secure_getenv(): a setuid program ignores them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../buffers/layout.h"
#include "../instrumentation/registry.h"
#include "attach.h"
#include "prefault.h"
#include "proto.h"
#include "rundir.h"

/* Writers that passed their site's check before a DETACH get this long. */
#define GRACE_NS 20000000L
/* Retired ranges (see the top of the file). */
#define RECLAIM_NS 500000000ull
#define TICK_MS 50
#define STALL_NS 250000000ull
#define RETIRED_MAX 4u
#define ROOM_WAIT_MS 1000

/* The daemon's bound on the sessions of one process is the registry's. */
_Static_assert(SONDE__SLOTS == SONDE__APP_SESSIONS_MAX,
	       "one slot per session of the protocol");
/* Start-up's wait for the registration (see the top of the file), and the
 * largest $SONDE_REGISTER_TIMEOUT taken (an hour, in milliseconds). */
#define REGISTER_TIMEOUT_DEFAULT_MS 3000ul
#define REGISTER_TIMEOUT_MAX_MS 3600000ul

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t agent_lock = PTHREAD_MUTEX_INITIALIZER;
static int change_fd = -1; /* eventfd: sites were added or removed */
static int running;        /* an agent thread exists in this process */
/* Futex word, set to 1 once by the agent: the registration was answered. */
static uint32_t registered;
/* When start-up stops waiting for it: ns, CLOCK_MONOTONIC; 0: never
 * waits.  Set before the thread starts, under the pthread_once(). */
static uint64_t register_deadline;

/* The channels this process records into, by registry slot (see the top
 * of the file); inherited across fork.  Changed under agent_lock. */
static struct slot {
	uint64_t session; /* 0: a free slot */
	void *map;
	size_t size;
	struct sonde__chan_view *view;
} slots[SONDE__SLOTS];
/* The mapping the prefault thread walks (the last attached), or NULL. */
static void *prefault_map;

/* The daemon's directory, resolved once by agent_once(). */
static struct sonde__rundir rd;

/* Released channels, newest first: the range (NULL once unmapped) and the
 * view, kept for a racing writer (see the top of the file). */
struct retired {
	void *map;
	size_t size;
	struct sonde__chan_view *view;
	uint64_t quiet_since; /* ns, CLOCK_MONOTONIC */
	struct retired *next;
};
static struct retired *retired;
static unsigned int nretired; /* entries whose range is still mapped */
static uint64_t last_tick;

static void on_change(void)
{
	uint64_t one = 1;

	if (change_fd >= 0 && write(change_fd, &one, sizeof(one)) < 0) {
		/* Counter saturated: a change is pending anyway. */
	}
}

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The registration was answered: wake the constructor that waits. */
static void answered(void)
{
	/* Release: what the agent did first (an attach) is seen by the
	 * waiter's acquire load in sonde__agent_wait(). */
	if (!__atomic_exchange_n(&registered, 1, __ATOMIC_RELEASE))
		syscall(SYS_futex, &registered, FUTEX_WAKE_PRIVATE, INT_MAX,
			NULL, NULL, 0);
}

/*
 * One tick of the retired ranges' clock: unmap those quiet for RECLAIM_NS,
 * free the views nothing points to; after a stall, every range starts its
 * quiet time again.  The ranges still mapped.  Agent thread only.
 */
static unsigned int reclaim(void)
{
	uint64_t now = now_ns();
	int stalled = now - last_tick > STALL_NS;
	struct retired **pp, *r;
	unsigned int n;

	last_tick = now;
	/* The list is changed under the lock that fork() takes. */
	pthread_mutex_lock(&agent_lock);
	for (pp = &retired; (r = *pp);) {
		if (r->map && stalled)
			r->quiet_since = now;
		if (r->map && now - r->quiet_since >= RECLAIM_NS &&
		    sonde__prefault_quiet(r->map, r->size)) {
			munmap(r->map, r->size);
			r->map = NULL;
			nretired--;
		}
		if (!r->map &&
		    __atomic_load_n(&sonde__chan, __ATOMIC_RELAXED) != r->view) {
			*pp = r->next;
			free(r->view);
			free(r);
			continue;
		}
		pp = &r->next;
	}
	n = nretired;
	pthread_mutex_unlock(&agent_lock);
	return n;
}

/* Sleep @ms, ticking while ranges wait. */
static void nap_ms(int ms)
{
	while (ms > 0) {
		int step = nretired && ms > TICK_MS ? TICK_MS : ms;

		sleep_ns(step * 1000000L);
		ms -= step;
		if (nretired)
			reclaim();
	}
}

/* Before an ATTACH: wait until fewer than RETIRED_MAX ranges wait. */
static void make_room(void)
{
	for (int ms = 0; reclaim() >= RETIRED_MAX && ms < ROOM_WAIT_MS;
	     ms += TICK_MS)
		sleep_ns(TICK_MS * 1000000L);
}

/* The slot of @session, or -1. */
static int slot_of(uint64_t session)
{
	for (int i = 0; session && i < SONDE__SLOTS; i++)
		if (slots[i].session == session)
			return i;
	return -1;
}

/* A free slot, 0 first (the fast path), or -1. */
static int slot_free(void)
{
	for (int i = 0; i < SONDE__SLOTS; i++)
		if (!slots[i].session)
			return i;
	return -1;
}

/*
 * Stop recording into the slots of @mask and let go of their channels:
 * every one stops first, then one grace period serves them all.
 */
static void detach_slots(unsigned int mask)
{
	mask &= (1u << SONDE__SLOTS) - 1;
	for (int i = 0; i < SONDE__SLOTS; i++) {
		if (!(mask & 1u << i))
			continue;
		if (!slots[i].session) {
			mask &= ~(1u << i);
			continue;
		}
		/* Before the mapping is replaced below. */
		if (slots[i].map == prefault_map) {
			sonde__prefault_stop();
			prefault_map = NULL;
		}
		sonde__registry_detach_slot((unsigned int)i);
	}
	if (!mask)
		return;
	sleep_ns(GRACE_NS);
	for (int i = 0; i < SONDE__SLOTS; i++) {
		struct slot *sl = &slots[i];
		struct retired *r;

		if (!(mask & 1u << i))
			continue;
		if (mmap(sl->map, sl->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				 MAP_NORESERVE,
			 -1, 0) == MAP_FAILED)
			sonde__logf(SONDE_LOG_WARN,
				    "Cannot release a session's buffers. errno=%d",
				    errno);
		/* Without an entry, the range and the view are kept for
		 * good. */
		r = malloc(sizeof(*r));
		if (r) {
			r->map = sl->map;
			r->size = sl->size;
			r->view = sl->view;
			r->quiet_since = last_tick = now_ns();
			r->next = retired;
			retired = r;
			nretired++;
		}
		memset(sl, 0, sizeof(*sl));
	}
}

static int do_attach(uint64_t session, const char *patterns, int fd)
{
	struct sonde__channel c;
	int i, r;

	if (fd < 0)
		return -EBADF;
	if (!session)
		return -EINVAL;
	if (strlen(patterns) >= SONDE__PATTERNS_MAX)
		return -E2BIG;
	i = slot_of(session);
	if (i >= 0)
		return sonde__registry_set_patterns_slot((unsigned int)i,
							 patterns);
	i = slot_free();
	if (i < 0)
		return -EBUSY;
	r = sonde__channel_map(fd, &c);
	if (r)
		return r == -EPERM ? -EINVAL : r;
	/* Before any tracepoint can write there (a failed attach leaves a
	 * harmless entry). */
	sonde__proc_announce(c.h, c.view);
	r = sonde__registry_attach_slot((unsigned int)i, c.h, c.view, patterns);
	if (r) {
		/* Nothing was published: nothing can be writing there. */
		free(c.view);
		munmap(c.h, c.size);
		return r;
	}
	__atomic_fetch_add(&c.h->nr_procs, 1, __ATOMIC_RELAXED);
	slots[i].session = session;
	slots[i].map = c.h;
	slots[i].size = c.size;
	slots[i].view = c.view;
	/* The newest channel's pages are the ones not touched yet; the
	 * walk of an older one, if still going, stops. */
	sonde__prefault_start(c.h, c.size);
	prefault_map = c.h;
	return 0;
}

/* Handle one request of the daemon; its ACK status. */
static int handle(const struct sonde__msg *m, int fd)
{
	int i, r;

	/* Only this thread changes the slots: read without the lock. */
	if (m->h.type == SONDE__MSG_ATTACH && slot_of(m->h.arg) < 0)
		make_room();
	pthread_mutex_lock(&agent_lock);
	i = slot_of(m->h.arg);
	switch (m->h.type) {
	case SONDE__MSG_ATTACH:
		r = m->argc == 1 ? do_attach(m->h.arg, m->argv[0], fd)
				 : -EPROTO;
		break;
	case SONDE__MSG_ENABLE:
		if (m->argc != 1)
			r = -EPROTO;
		else if (i < 0)
			r = -ENOENT;
		else if (strlen(m->argv[0]) >= SONDE__PATTERNS_MAX)
			r = -E2BIG;
		else
			r = sonde__registry_set_patterns_slot((unsigned int)i,
							      m->argv[0]);
		break;
	case SONDE__MSG_DETACH:
		if (i < 0) {
			r = -ENOENT;
		} else {
			detach_slots(1u << i);
			r = 0;
		}
		break;
	default:
		r = -EOPNOTSUPP;
	}
	pthread_mutex_unlock(&agent_lock);
	return r;
}

/* EVENTS messages: the first replaces the daemon's list (status 0), the
 * next ones (status 1) extend it. */
static int send_events(int fd)
{
	const char *argv[SONDE__MSG_ARGS_MAX];
	char *list = sonde__registry_events(), *p, *nl;
	uint32_t argc = 0;
	size_t bytes = 0;
	int r = 0, first = 1;

	if (!list)
		return -ENOMEM;
	for (p = list; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = 0;
		if (argc == SONDE__MSG_ARGS_MAX ||
		    bytes + (size_t)(nl - p) + 1 > SONDE__MSG_PAYLOAD_MAX) {
			r = sonde__msg_send(fd, SONDE__MSG_EVENTS, !first, 0,
					    0, argv, argc, -1, 0);
			if (r)
				goto out;
			first = 0;
			argc = 0;
			bytes = 0;
		}
		argv[argc++] = p;
		bytes += (size_t)(nl - p) + 1;
	}
	r = sonde__msg_send(fd, SONDE__MSG_EVENTS, !first, 0, 0, argv, argc,
			    -1, 0);
out:
	free(list);
	return r;
}

/* Sleep until something is created in the run directory, or @ms pass. */
static void wait_daemon(const struct sonde__rundir *dir, int ms)
{
	int in = inotify_init1(IN_CLOEXEC);
	struct pollfd p;

	if (in < 0 || inotify_add_watch(in, dir->dir, IN_CREATE | IN_MOVED_TO |
						      IN_ATTRIB) < 0) {
		if (in >= 0)
			close(in);
		sleep_ns(1000000000L);
		return;
	}
	/* The socket may have appeared before the watch did. */
	if (access(dir->sock, F_OK) && errno == ENOENT) {
		p.fd = in;
		p.events = POLLIN;
		/* Ticks for the retired ranges, if any, until something
		 * comes. */
		for (int waited = 0; waited < ms;) {
			int step = nretired ? TICK_MS : ms, r;

			r = poll(&p, 1, step);
			if (nretired)
				reclaim();
			if (r > 0 || (r < 0 && errno != EINTR))
				break;
			if (r == 0)
				waited += step;
		}
	} else {
		nap_ms(200);
	}
	close(in);
}

/* Talk to a connected daemon until it goes away. */
static void serve(int fd)
{
	static char buf[SONDE__MSG_BUF];
	char sid[SONDE__SLOTS][24];
	const char *hello[1 + SONDE__SLOTS] = { program_invocation_short_name };
	uint32_t nhello = 1;
	struct sonde__msg m;
	uint64_t n;

	/* After a fork, the sessions the parent recorded into (proto.h). */
	pthread_mutex_lock(&agent_lock);
	for (int i = 0; i < SONDE__SLOTS; i++) {
		if (!slots[i].session)
			continue;
		snprintf(sid[i], sizeof(sid[i]), "%llu",
			 (unsigned long long)slots[i].session);
		hello[nhello++] = sid[i];
	}
	pthread_mutex_unlock(&agent_lock);
	if (sonde__msg_send(fd, SONDE__MSG_HELLO, 0, (uint64_t)getpid(), 0,
			    hello, nhello, -1, 0))
		return;
	if (read(change_fd, &n, sizeof(n)) < 0) {
		/* Nothing pending. */
	}
	if (send_events(fd))
		return;
	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 },
				       { change_fd, POLLIN, 0 } };
		int pfd, r;

		r = poll(p, 2, nretired ? TICK_MS : -1);
		if (nretired)
			reclaim();
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[1].revents & POLLIN) {
			if (read(change_fd, &n, sizeof(n)) > 0 && send_events(fd))
				return;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		memset(&m.h, 0, sizeof(m.h));
		r = sonde__msg_recv(fd, buf, &m, &pfd, 0);
		if (r == -EPROTO) {
			/* Echo the request's number when its header could be
			 * read (an unknown type, say). */
			uint32_t seq = m.h.magic == SONDE__PROTO_MAGIC ? m.h.seq : 0;

			if (pfd >= 0)
				close(pfd);
			if (sonde__msg_send(fd, SONDE__MSG_ACK, -EPROTO, m.h.arg,
					    seq, NULL, 0, -1, 0))
				return;
			continue;
		}
		if (r)
			return;
		if (m.h.type == SONDE__MSG_ACK) {
			/* The daemon placed this process (its HELLO's ACK):
			 * not a request, nothing to answer. */
			if (pfd >= 0)
				close(pfd);
			answered();
			continue;
		}
		r = handle(&m, pfd);
		if (pfd >= 0)
			close(pfd);
		if (sonde__msg_send(fd, SONDE__MSG_ACK, r, m.h.arg, m.h.seq,
				    NULL, 0, -1, 0))
			return;
	}
}

static void *agent_main(void *arg)
{
	static char why[2 * PATH_MAX + 256];
	int warned = 0;

	(void)arg;
	for (;;) {
		/* The fallback, if /tmp/sonde-$UID became another user's. */
		int r = sonde__rundir_pick(&rd, 1, why, sizeof(why)), fd;

		if (r == -EPERM) {
			answered();
			if (!warned++)
				sonde__logf(SONDE_LOG_WARN,
					    "Not registering with a session daemon: %s",
					    why);
			nap_ms(30000);
			continue;
		}
		fd = r ? r : sonde__rundir_connect(&rd, 0);
		if (fd >= 0) {
			serve(fd);
			close(fd);
			answered();
			pthread_mutex_lock(&agent_lock);
			detach_slots(~0u);
			pthread_mutex_unlock(&agent_lock);
			nap_ms(100);
			continue;
		}
		answered();
		wait_daemon(&rd, 30000);
	}
	return NULL;
}

static void spawn(void)
{
	pthread_attr_t at;
	sigset_t all, old;
	pthread_t t;

	sigfillset(&all);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 256 * 1024);
	/* The thread inherits the mask: the program's signals are never
	 * delivered to it. */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	running = !pthread_create(&t, &at, agent_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&at);
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&agent_lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&agent_lock);
}

/* The child keeps recording where the parent did, under its own agent. */
static void atfork_child(void)
{
	for (int i = 0; i < SONDE__SLOTS; i++)
		if (slots[i].session)
			sonde__proc_announce(slots[i].map, slots[i].view);
	sonde__prefault_atfork_child();
	pthread_mutex_unlock(&agent_lock);
	if (!running)
		return;
	if (change_fd >= 0)
		close(change_fd);
	change_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	spawn();
}

/*
 * $SONDE_REGISTER_TIMEOUT: milliseconds, digits only, at most
 * REGISTER_TIMEOUT_MAX_MS; unset or empty, the default; anything else,
 * the default, with a warning.
 */
static unsigned long register_timeout_ms(void)
{
	const char *v = secure_getenv(SONDE_REGISTER_TIMEOUT_ENV), *p;
	unsigned long ms = 0;

	if (!v || !*v)
		return REGISTER_TIMEOUT_DEFAULT_MS;
	for (p = v; *p >= '0' && *p <= '9' && ms <= REGISTER_TIMEOUT_MAX_MS;
	     p++)
		ms = ms * 10 + (unsigned long)(*p - '0');
	if (!*p && ms <= REGISTER_TIMEOUT_MAX_MS)
		return ms;
	sonde__logf(SONDE_LOG_WARN,
		    "SONDE_REGISTER_TIMEOUT is not a number of milliseconds up to %lu; the default applies. value=%.32s default_ms=%lu",
		    REGISTER_TIMEOUT_MAX_MS, v, REGISTER_TIMEOUT_DEFAULT_MS);
	return REGISTER_TIMEOUT_DEFAULT_MS;
}

/* Whether a daemon's socket exists where the agent will look for one
 * (the fallback of rundir.h included).  A stale one is refused at once. */
static int daemon_socket_exists(void)
{
	char fb[PATH_MAX];

	if (!access(rd.sock, F_OK))
		return 1;
	if (!rd.home[0])
		return 0;
	snprintf(fb, sizeof(fb),
		 "%s/" SONDE__RUNDIR_FALLBACK "/" SONDE__SOCK_NAME, rd.home);
	return !access(fb, F_OK);
}

static void agent_once(void)
{
	const char *off = secure_getenv(SONDE_DAEMON_ENV);
	const char *shm = secure_getenv(SONDE_SHM_ENV);
	unsigned long ms;

	if ((off && !strcmp(off, "off")) || (shm && *shm))
		return;
	/* Here, not in the agent's thread: the program may be changing its
	 * environment in another thread by then. */
	if (sonde__rundir_paths(&rd))
		return;
	change_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (change_fd < 0)
		return;
	sonde__registry_set_notify(on_change);
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	ms = register_timeout_ms();
	if (ms && daemon_socket_exists())
		register_deadline = now_ns() + ms * 1000000ull;
	spawn();
	if (!running)
		register_deadline = 0;
}

void sonde__agent_start(void)
{
	pthread_once(&once, agent_once);
}

void sonde__agent_wait(void)
{
	uint64_t dl;
	struct timespec ts;
	int saved = errno;

	/* Ordered by the pthread_once() of sonde__agent_start(). */
	dl = register_deadline;
	if (!dl)
		return;
	ts.tv_sec = (time_t)(dl / 1000000000u);
	ts.tv_nsec = (long)(dl % 1000000000u);
	/* Acquire: pairs with answered(). */
	while (!__atomic_load_n(&registered, __ATOMIC_ACQUIRE)) {
		/* FUTEX_WAIT_BITSET: an absolute deadline, on
		 * CLOCK_MONOTONIC.  EAGAIN (already set) and EINTR look
		 * again; a timeout, or any other failure, ends the wait. */
		if (syscall(SYS_futex, &registered, FUTEX_WAIT_BITSET_PRIVATE, 0,
			    &ts, NULL, FUTEX_BITSET_MATCH_ANY) &&
		    errno != EAGAIN && errno != EINTR)
			break;
	}
	errno = saved;
}
