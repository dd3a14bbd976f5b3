/* SPDX-License-Identifier: MIT */
/*
 * sonde record --relay: the options, the output and the live timer of a
 * recording streamed to lttng-relayd (record-relay.c), kept apart from
 * cmd-record.c, which calls these at its few points of contact.
 */
#ifndef SONDE_TOOLS_RECORD_RELAY_H
#define SONDE_TOOLS_RECORD_RELAY_H

#include <stdint.h>

struct sonde__output;
struct sonde__trace;
struct sonde__consumer;
struct sonde__chan_view;
struct sonde__kernel;
struct sonde__perf;

struct record_relay {
	const char *url;       /* --relay, or NULL */
	const char *session;   /* --relay-session (default "sonde") */
	const char *hostname;  /* --relay-hostname (default: gethostname) */
	unsigned long long live_ms; /* --live-timer (default 1000; 0: off) */
	unsigned long long buffer;  /* --relay-buffer bytes */
	unsigned long long retries; /* --relay-retries */
	int optional;          /* --relay-optional: local-only if away */
	int live_set;
	/* Set up by record_relay_output(): */
	struct sonde__output *relay; /* owned by the trace's output */
	struct sonde__chan_view *view; /* for the live tick */
	uint64_t flush_at;     /* CLOCK_MONOTONIC ns */
};

/* Option values (getopt_long's val) of the relay options. */
enum {
	RELAY_OPT_URL = 0x1000,
	RELAY_OPT_SESSION,
	RELAY_OPT_HOSTNAME,
	RELAY_OPT_LIVE,
	RELAY_OPT_BUFFER,
	RELAY_OPT_RETRIES,
	RELAY_OPT_OPTIONAL,
};

#define RECORD_RELAY_LONGOPTS                                                  \
	{ "relay", required_argument, NULL, RELAY_OPT_URL },                   \
	{ "relay-session", required_argument, NULL, RELAY_OPT_SESSION },       \
	{ "relay-hostname", required_argument, NULL, RELAY_OPT_HOSTNAME },     \
	{ "live-timer", required_argument, NULL, RELAY_OPT_LIVE },             \
	{ "relay-buffer", required_argument, NULL, RELAY_OPT_BUFFER },         \
	{ "relay-retries", required_argument, NULL, RELAY_OPT_RETRIES },       \
	{ "relay-optional", no_argument, NULL, RELAY_OPT_OPTIONAL },

#define RECORD_RELAY_USAGE                                                     \
	"      --relay net://HOST[:CTRL[:DATA]]\n"                             \
	"                       stream the trace live to lttng-relayd (ports\n"  \
	"                       5342:5343 by default); with -o DIR, also to DIR\n" \
	"      --relay-session NAME  session name on the relay (default sonde)\n" \
	"      --relay-hostname NAME host name on the relay (default this host's)\n" \
	"      --live-timer MS  flush partial packets and send live beacons every\n" \
	"                       MS ms (default 1000; 0: not a live session)\n"  \
	"      --relay-buffer SIZE  bytes queued at most while the relay is slow\n" \
	"                       or away (default 64M); packets beyond are counted\n" \
	"      --relay-retries N  reconnections tried per outage, 1 s apart (30)\n" \
	"      --relay-optional with -o: if the relay cannot be reached at the\n" \
	"                       start, record to DIR and keep trying the relay\n"

/* Set @rr's defaults. */
void record_relay_init(struct record_relay *rr);
/* Option @c (a RELAY_OPT_*) with @arg: 0, or 1 after a message. */
int record_relay_option(struct record_relay *rr, int c, const char *arg);
/* Checks after parsing (@dir: -o, or NULL; @overwrite): 0 or 1 (said). */
int record_relay_check(const struct record_relay *rr, const char *dir,
		       int overwrite);
/*
 * The trace's output: the relay, beside directory @dir when given (a
 * tee).  0, or 1 after a message (nothing left to undo).
 */
int record_relay_output(struct record_relay *rr, const char *dir,
			struct sonde__output **out);
/* Once the consumer exists: what the live tick needs.  0 or 1 (said). */
int record_relay_start(struct record_relay *rr, struct sonde__consumer *cons);
/* Each loop of the recorder: the relay's progress, and every live timer
 * tick the partly filled packets of every source closed (those of the
 * perf source @perf and kernel source @kern, each NULL if absent, too).
 * 0, or -errno when a source's packet could not be written. */
int record_relay_tick(struct record_relay *rr, struct sonde__trace *t,
		      struct sonde__perf *perf, struct sonde__kernel *kern);
/* After the trace is finished: close the relay's streams and say what
 * was sent and what was not, on stderr.  0, or 1 if anything was lost. */
int record_relay_finish(struct record_relay *rr);
/* Free what record_relay_start() made. */
void record_relay_destroy(struct record_relay *rr);

#endif
