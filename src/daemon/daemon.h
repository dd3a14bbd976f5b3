/* SPDX-License-Identifier: MIT */
/*
 * The session daemon's private header: the state its files share.
 *
 *   loop.c     the poll() loop, connections, admission and replies
 *   apprpc.c   requests to applications: queued per app, one in flight,
 *              each with its deadline; the ACK is handled when it comes
 *   session.c  sessions, their buffers, draining, and the queue of verbs
 *              (ops) of each session, run one at a time
 *   verbs.c    what each CLI verb does, when it begins and when the
 *              replies of the applications it waits on are in
 *   timer.c    the switch timer
 *
 * One thread does everything, and it never waits on a peer: a verb that
 * needs applications to answer sends its requests (apprpc.c), records how
 * many it waits for and one deadline for all of them (an op), and returns
 * to the loop, which keeps draining every session and serving every other
 * connection; the op finishes, and its client gets its reply, once the
 * last answer is in or the deadline has passed.  An application whose
 * request timed out is "stuck": it is still sent what concerns it, but no
 * verb waits on it until it answers again, so a hung application delays
 * one verb at most.
 */
#ifndef SONDE_SRC_DAEMON_DAEMON_H
#define SONDE_SRC_DAEMON_DAEMON_H

#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../buffers/layout.h"
#include "../common/common.h"
#include "../outputs/output.h"
#include "../sources/consumer.h"
#include "../sources/context.h"
#include "../sources/kernel.h"
#include "command.h"
#include "../control/proto.h"
#include "sessiond.h"

/* How long an application has to answer one request; a verb waiting on
 * several waits this long once, for all of them. */
#define SD_ACK_TIMEOUT_MS 2000
/* Before it answers an ATTACH, an application may wait this long for the
 * address space of channels it detached from to be given back (agent.c,
 * ROOM_WAIT_MS): an ATTACH, and a start waiting on ATTACHes, get it on
 * top of SD_ACK_TIMEOUT_MS.  Without it, start/stop cycles on a loaded
 * machine timed out on an application still attaching (test-live-reclaim,
 * "1 did not attach"). */
#define SD_ATTACH_ROOM_MS 1000
#define SD_DRAIN_MS 20
#define SD_DEFAULT_SUBBUF (1u << 20)
#define SD_DEFAULT_NSUB 8u
#define SD_DEFAULT_SWITCH_MS 1000
#define SD_DEFAULT_LIVE_MS 1000
/* What destroy gives a relay, at most, to take the end of a trace; the
 * daemon serves the others meanwhile, and looks at the relay again every
 * SD_RELAY_STEP_MS (session.c, sonde__sd_finish_more()). */
#define SD_RELAY_FINISH_MS 2000
#define SD_RELAY_STEP_MS 5
/* Bytes queued for a relay at most while it is slow or away, and its
 * reconnections per outage (as sonde record's defaults). */
#define SD_RELAY_BUFFER (64ull << 20)
#define SD_RELAY_RETRIES 30
/* Requests queued to one application before it is dropped as broken. */
#define SD_APP_QUEUE_MAX 64
/* How the user raises the buffers' memory limit: it is the daemon's. */
#define SD_LIMIT_HINT \
	"start the daemon with " SONDE_MAX_BUFFER_MEMORY_ENV "=SIZE"

struct sd_op;

/* A session is STOPPING while its stop waits on its applications: still
 * drained, joined by no one. */
enum sd_state { SD_CREATED, SD_STARTED, SD_STOPPING, SD_STOPPED };

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
	int dying;                          /* a destroy is queued */
	uint32_t meta_reg_used;             /* registry size at last metadata */
	uint64_t meta_packets;              /* packets at last metadata */
	uint64_t next_switch;               /* ns, CLOCK_MONOTONIC */
	int nsnap;
	char kpatterns[SONDE__PATTERNS_MAX]; /* kernel events, '\n'-separated */
	char kfilter[SONDE__KFILTER_MAX];    /* their filter, or "" */
	struct sonde__kernel *k;            /* from the first start with them */
	/* Created with --relay (see session.c): the relay output, beside
	 * dir when -o was given; owned by @out from create until the first
	 * start, then by @trace, which the channel and kernel source join. */
	char relay_url[SONDE__RELAY_URL_MAX]; /* "" if not */
	struct sonde__output *relay;
	struct sonde__output *out;
	struct sonde__trace *trace;
	int relay_optional;
	uint32_t live_ms;                   /* live timer, 0: not live */
	char context[SONDE__CTX_LIST_MAX];  /* --context LIST, or "" */
	uint64_t next_live;                 /* ns, CLOCK_MONOTONIC */
	int relay_ending;                   /* destroy: the relay takes the
					       end of the trace */
	uint64_t relay_end_by;              /* ns, CLOCK_MONOTONIC */
	struct sd_op *ops;                  /* verbs, the first one running */
	struct sd_session *next;
};

/* Growing text of a reply; @cut: 1 once something did not fit, 2 while
 * the note that says so is added (in the room kept for it). */
struct sd_text {
	char *p;
	size_t len, cap;
	int cut;
};

/* One request to an application (apprpc.c). */
struct sd_req {
	uint16_t type;           /* ATTACH, ENABLE, DETACH */
	uint64_t sid;            /* the session id it names */
	struct sd_session *s;    /* NULL once destroyed (or never known) */
	struct sd_op *op;        /* the verb waiting on it, or NULL */
	int sent;
	uint32_t seq;
	uint64_t deadline;       /* ns, once sent */
	struct sd_req *next;
};

/* A verb on one session, queued behind the session's others (session.c). */
struct sd_op {
	struct sonde__cmd c;     /* its patterns point into @patbuf */
	char *patbuf;
	struct sd_conn *cl;      /* the client waiting, or NULL */
	struct sd_session *s;
	struct sd_text t;
	int begun, status;
	int phase;               /* destroy: 1 while its stop runs, 2 once
				  * its trace is finished */
	int n, failed, outstanding; /* applications asked, not done, waited */
	int full;                /* start: applications in as many sessions
				  * as a process can record into */
	uint64_t deadline;       /* ns, for all the answers */
	struct sd_op *next;
};

struct sd_conn {
	int fd;
	pid_t pid;
	int app;                 /* said HELLO */
	int dead;
	uint64_t since;          /* ns: accepted, or its reply last moved */
	/* A CLI connection: its verb waits on applications (waiting), or
	 * its reply is being sent (flush_reply()). */
	int waiting;
	int replying;
	int parts;               /* the client takes it in pieces */
	int stop_client;         /* daemon-stop: kept until the daemon exits */
	int32_t out_status;
	char *out;
	size_t out_len, out_off;
	/* An application. */
	char name[64];
	char *events;            /* '\n'-terminated lines */
	size_t events_len;
	/* The sessions whose channels it records into (ATTACH succeeded, or
	 * claimed by a fork's HELLO), in no order; NULL: a free entry. */
	struct sd_session *s[SONDE__APP_SESSIONS_MAX];
	int placing;             /* not listed before its first placement */
	int want_place;          /* to be placed once its queue is empty */
	int stuck;               /* a request timed out, no ACK since */
	uint32_t seq;
	struct sd_req *rq;       /* requests, the first one maybe in flight */
	unsigned int nrq;
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

SONDE_HIDDEN uint64_t sonde__sd_now(void);

/* loop.c */
SONDE_HIDDEN void sonde__sd_conn_drop(struct sd_conn *a);
SONDE_HIDDEN void sonde__sd_reply(struct sd *d, struct sd_conn *cl,
				  int status, char *text, size_t len);
SONDE_HIDDEN void sonde__sd_reply_str(struct sd *d, struct sd_conn *cl,
				      int status, const char *text);

/* apprpc.c */
SONDE_HIDDEN void sonde__sd_hello(struct sd *d, struct sd_conn *a,
				  const struct sonde__msg *m);
SONDE_HIDDEN void sonde__sd_events(struct sd_conn *a,
				   const struct sonde__msg *m);
SONDE_HIDDEN void sonde__sd_ack(struct sd *d, struct sd_conn *a,
				const struct sonde__msg *m);
SONDE_HIDDEN void sonde__sd_request(struct sd *d, struct sd_conn *a,
				    uint16_t type, struct sd_session *s,
				    struct sd_op *op);
SONDE_HIDDEN int sonde__sd_app_bound(const struct sd_conn *a,
				     const struct sd_session *s);
/* Whether @a records into @s now (its ATTACH succeeded). */
SONDE_HIDDEN int sonde__sd_app_in(const struct sd_conn *a,
				  const struct sd_session *s);
/* @a no longer records into @s (a stop, or the session is gone). */
SONDE_HIDDEN void sonde__sd_app_leave(struct sd_conn *a,
				      const struct sd_session *s);
/* Whether @a can be attached to one more session: it records into, or
 * is being attached to, fewer than SONDE__APP_SESSIONS_MAX. */
SONDE_HIDDEN int sonde__sd_app_room(const struct sd_conn *a);
SONDE_HIDDEN void sonde__sd_place_apps(struct sd *d);
SONDE_HIDDEN uint64_t sonde__sd_rpc_expire(struct sd *d, uint64_t t);
SONDE_HIDDEN void sonde__sd_rpc_reap(struct sd *d, struct sd_conn *a);
SONDE_HIDDEN void sonde__sd_rpc_session_gone(struct sd *d,
					     const struct sd_session *s);
SONDE_HIDDEN void sonde__sd_rpc_op_gone(struct sd *d, struct sd_op *op);

/* session.c */
SONDE_HIDDEN struct sd_session *sonde__sd_find(struct sd *d,
					       const char *name);
SONDE_HIDDEN const char *sonde__sd_patterns(const struct sd_session *s);
SONDE_HIDDEN const char *sonde__sd_state_name(enum sd_state st);
/* Create: 0 (said in @t), -errno (said), or 1: a session with --relay
 * whose relay setup goes on: the create op (verb create) moves it on
 * with sonde__sd_create_more() and answers. */
SONDE_HIDDEN int sonde__sd_session_new(struct sd *d,
				       const struct sonde__cmd *c,
				       struct sd_text *t);
/* The create op of @s: the relay's setup moved on; the time to call
 * again, or 0 once done, @status and @t saying how (a failed create:
 * the session is to be freed). */
SONDE_HIDDEN uint64_t sonde__sd_create_more(struct sd_session *s,
					    struct sd_text *t, int *status,
					    uint64_t now);
SONDE_HIDDEN int sonde__sd_buffers(struct sd_session *s, struct sd_text *t);
/* Record @s's kernel events (its first start with them: the kernel source
 * joins its trace; later: enabled again).  0 or -errno, said in @t. */
SONDE_HIDDEN int sonde__sd_kernel_start(struct sd_session *s, struct sd_text *t);
SONDE_HIDDEN int sonde__sd_seal(struct sd_session *s, int failed);
/* Write what is left of @s's trace (destroy) and begin the end of its
 * relay, if any: sonde__sd_finish_more() then until it returns 0.  0 or
 * the -errno of the writing. */
SONDE_HIDDEN int sonde__sd_finish(struct sd_session *s);
/* Move the end of @s's relay on, without blocking, at @t; once the relay
 * took it, or SD_RELAY_FINISH_MS passed, release the buffers and return
 * 0; 1 while it goes on (call again within SD_RELAY_STEP_MS). */
SONDE_HIDDEN int sonde__sd_finish_more(struct sd_session *s, uint64_t t);
/* Where the trace of @s goes, for messages: its directory, its relay, or
 * both ("DIR and net://..."). */
SONDE_HIDDEN const char *sonde__sd_where(const struct sd_session *s,
					 char *buf, size_t n);
/* A session streamed to a relay: what was sent and not, appended to @t
 * after "; "; whether anything was lost. */
SONDE_HIDDEN int sonde__sd_relay_report(struct sd_session *s,
					struct sd_text *t);
SONDE_HIDDEN void sonde__sd_session_free(struct sd *d, struct sd_session *s);
SONDE_HIDDEN void sonde__sd_tick(struct sd *d, struct sd_session *s,
				 uint64_t t);
SONDE_HIDDEN void sonde__sd_op_queue(struct sd *d, struct sd_op *op);
SONDE_HIDDEN uint64_t sonde__sd_ops_run(struct sd *d, uint64_t t);
SONDE_HIDDEN void sonde__sd_op_conn_gone(struct sd *d,
					 const struct sd_conn *cl);

/* verbs.c */
SONDE_HIDDEN void sonde__sd_tprintf(struct sd_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
SONDE_HIDDEN void sonde__sd_command(struct sd *d, struct sd_conn *cl,
				    const struct sonde__msg *m);
SONDE_HIDDEN void sonde__sd_op_begin(struct sd *d, struct sd_op *op);
/* Before an op finishes, once its applications answered: what it still
 * waits on without blocking (destroy: the relay taking the end of the
 * trace), moved on at @t.  The time to call again, or 0 when it can
 * finish. */
SONDE_HIDDEN uint64_t sonde__sd_op_more(struct sd *d, struct sd_op *op,
					uint64_t t);
SONDE_HIDDEN int sonde__sd_op_finish(struct sd *d, struct sd_op *op);
SONDE_HIDDEN void sonde__sd_op_reply(struct sd *d, struct sd_op *op);

/* timer.c */
SONDE_HIDDEN void sonde__sd_switch_timer(struct sd *d, struct sd_session *s);

#endif
