// SPDX-License-Identifier: MIT
/*
 * sonde record --relay (see record-relay.h): the trace goes to
 * lttng-relayd (src/outputs/relay.c), and to the -o directory as well
 * when one is given (src/outputs/tee.c); both then hold the same bytes.
 *
 * Live: every --live-timer ms the recorder closes the current sub-buffer
 * of each CPU, and the current packet of each stream of the kernel (-k)
 * and perf (--sample) sources, and sends beacons for the idle streams
 * (sonde__live_tick(), src/sources/live.c, shared with the daemon's
 * --relay sessions).
 *
 * Faults: an unreachable relay at the start is an error (exit 1), unless
 * --relay-optional and -o DIR are given: the recording then goes to DIR
 * and the relay is tried again every second, as after a loss mid-trace.
 * Nothing the relay does blocks the recording loop for long: after the
 * setup, sends never block and what cannot be queued (--relay-buffer) is
 * dropped and counted; the counts are said at the end.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <sonde/static/ring.h>

#include "../../src/buffers/ring.h"
#include "../../src/control/attach.h"
#include "../../src/outputs/output.h"
#include "../../src/sources/consumer.h"
#include "../../src/sources/live.h"
#include "../../src/trace/trace.h"
#include "cmd.h"
#include "record-relay.h"

#define DEFAULT_RELAY_BUFFER (64ull << 20)
#define DEFAULT_RETRIES 30
/* What the end of a recording waits for the relay, at most. */
#define FINISH_MS 10000

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void record_relay_init(struct record_relay *rr)
{
	memset(rr, 0, sizeof(*rr));
	rr->session = "sonde";
	rr->live_ms = 1000;
	rr->buffer = DEFAULT_RELAY_BUFFER;
	rr->retries = DEFAULT_RETRIES;
}

int record_relay_option(struct record_relay *rr, int c, const char *arg)
{
	switch (c) {
	case RELAY_OPT_URL:
		rr->url = arg;
		return 0;
	case RELAY_OPT_SESSION:
		rr->session = arg;
		return 0;
	case RELAY_OPT_HOSTNAME:
		rr->hostname = arg;
		return 0;
	case RELAY_OPT_LIVE:
		if (cli_parse_size(arg, &rr->live_ms) || rr->live_ms > 3600000)
			return cli_error("bad --live-timer '%s': use milliseconds from 0 (not live) to 3600000",
					 arg);
		rr->live_set = 1;
		return 0;
	case RELAY_OPT_BUFFER:
		if (cli_parse_size(arg, &rr->buffer) || rr->buffer < 65536 ||
		    rr->buffer > (16ull << 30))
			return cli_error("bad --relay-buffer '%s': use a size from 64k to 16G",
					 arg);
		return 0;
	case RELAY_OPT_RETRIES:
		if (cli_parse_size(arg, &rr->retries) || rr->retries > 100000)
			return cli_error("bad --relay-retries '%s': use a count from 0 to 100000",
					 arg);
		return 0;
	case RELAY_OPT_OPTIONAL:
		rr->optional = 1;
		return 0;
	}
	return cli_error("unknown relay option");
}

int record_relay_check(const struct record_relay *rr, const char *dir,
		       int overwrite)
{
	if (!rr->url) {
		if (rr->optional || rr->live_set || rr->hostname)
			return cli_error("--relay-optional, --live-timer and --relay-hostname go with --relay URL");
		return 0;
	}
	if (rr->optional && !dir)
		return cli_error("--relay-optional needs -o DIR: where the trace goes while the relay is away");
	if (overwrite)
		return cli_error("--overwrite keeps the latest events for a snapshot; it cannot stream to a relay");
	return 0;
}

int record_relay_output(struct record_relay *rr, const char *dir,
			struct sonde__output **out)
{
	struct sonde__relay_opts ro;
	struct sonde__relay_stats st;
	char why[640];

	memset(&ro, 0, sizeof(ro));
	ro.url = rr->url;
	ro.hostname = rr->hostname;
	ro.session = rr->session;
	ro.live_timer_us = (uint32_t)(rr->live_ms * 1000u);
	ro.max_queue = rr->buffer;
	ro.retries = (uint32_t)rr->retries;
	if (sonde__live_output(&ro, rr->optional ? SONDE__RELAY_DEFERRED : 0,
			       dir, &rr->relay, out, why, sizeof(why))) {
		rr->relay = NULL;
		return cli_error("%s", why);
	}
	sonde__output_relay_stats(rr->relay, &st);
	if (!st.up)
		fprintf(stderr,
			"sonde: %s; recording to %s only, and trying the relay again every second\n",
			why, dir);
	return 0;
}

int record_relay_start(struct record_relay *rr, struct sonde__consumer *cons)
{
	if (!rr->relay || !rr->live_ms)
		return 0;
	rr->view = sonde__view_create(sonde__consumer_shm(cons));
	if (!rr->view)
		return cli_error("cannot set up the live timer: %s",
				 strerror(ENOMEM));
	rr->flush_at = mono_ns() + rr->live_ms * 1000000ull;
	return 0;
}

int record_relay_tick(struct record_relay *rr, struct sonde__trace *t,
		      struct sonde__perf *perf, struct sonde__kernel *kern)
{
	int r = 0;

	if (!rr->relay)
		return 0;
	if (rr->view && mono_ns() >= rr->flush_at) {
		struct sonde__live_srcs src = { rr->view, kern, perf };

		r = sonde__live_tick(&src, rr->relay, t);
		rr->flush_at = mono_ns() + rr->live_ms * 1000000ull;
	}
	sonde__output_relay_poll(rr->relay);
	return r;
}

int record_relay_finish(struct record_relay *rr)
{
	char text[1024], *line, *save;
	int r, lost;

	if (!rr->relay)
		return 0;
	r = sonde__output_relay_finish(rr->relay, FINISH_MS);
	lost = sonde__live_report(rr->relay, rr->url, text, sizeof(text));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "sonde: %s\n", line);
	if (r && r != -ENOTCONN)
		fprintf(stderr, "sonde: relay: cannot close the session: %s\n",
			strerror(-r));
	{
		struct sonde__relay_stats st;

		struct rusage ru;

		sonde__output_relay_stats(rr->relay, &st);
		/* The recorder's own CPU time (the traced command is a
		 * child, not counted): what bench/relay.sh compares per MB
		 * sent, with zero copy and without. */
		if (getrusage(RUSAGE_SELF, &ru))
			memset(&ru, 0, sizeof(ru));
		sonde__logf(SONDE_LOG_INFO,
			    "relay finished. bytes=%llu direct=%llu copied=%llu beacons=%llu zc_packets=%llu zc_bytes=%llu zc_copied=%llu zc_fallback=%llu confirmed=%llu cpu_us=%llu",
			    (unsigned long long)st.bytes,
			    (unsigned long long)st.direct_bytes,
			    (unsigned long long)st.copied_bytes,
			    (unsigned long long)st.beacons,
			    (unsigned long long)st.zc_packets,
			    (unsigned long long)st.zc_bytes,
			    (unsigned long long)st.zc_copied,
			    (unsigned long long)st.zc_fallback,
			    (unsigned long long)st.confirmed_packets,
			    (unsigned long long)(ru.ru_utime.tv_sec * 1000000ll +
						 ru.ru_utime.tv_usec +
						 ru.ru_stime.tv_sec * 1000000ll +
						 ru.ru_stime.tv_usec));
	}
	return lost || r ? 1 : 0;
}

void record_relay_destroy(struct record_relay *rr)
{
	free(rr->view);
	rr->view = NULL;
}
