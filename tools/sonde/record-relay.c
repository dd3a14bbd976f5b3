// SPDX-License-Identifier: MIT
/*
 * sonde record --relay (see record-relay.h): the trace goes to
 * lttng-relayd (src/outputs/relay.c), and to the -o directory as well
 * when one is given (src/outputs/tee.c); both then hold the same bytes.
 *
 * Live: every --live-timer ms the recorder closes the current sub-buffer
 * of each CPU (moving itself onto that CPU and switching there in a
 * restartable sequence, as a writer would: sonde__ring_flush_live(); the
 * daemon's switch timer does the same for non-empty ones), so a quiet
 * process's events reach the relay within that time.  An idle CPU's
 * buffer is closed too, as an empty packet: its next packet then begins
 * after the time the flush started, which the relay output sends as a
 * live beacon ("no data until then") for streams that had nothing new.
 * A beacon saying "until now" instead let a viewer go past the beginning
 * of the idle CPU's open packet, and babeltrace2 stopped on it as a late
 * message.
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
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sonde/static/ring.h>

#include "../../src/buffers/ring.h"
#include "../../src/control/attach.h"
#include "../../src/outputs/output.h"
#include "../../src/sources/consumer.h"
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
	struct sonde__output *d = NULL, *relay;
	char why[640];
	int r;

	memset(&ro, 0, sizeof(ro));
	ro.url = rr->url;
	ro.hostname = rr->hostname;
	ro.session = rr->session;
	ro.live_timer_us = (uint32_t)(rr->live_ms * 1000u);
	ro.max_queue = rr->buffer;
	ro.retries = (uint32_t)rr->retries;
	why[0] = '\0';
	r = sonde__output_relay_create(&ro,
				       rr->optional ? SONDE__RELAY_DEFERRED : 0,
				       &relay, why, sizeof(why));
	if (r)
		return cli_error("%s", why[0] ? why : strerror(-r));
	{
		struct sonde__relay_stats st;

		sonde__output_relay_stats(relay, &st);
		if (!st.up)
			fprintf(stderr,
				"sonde: %s; recording to %s only, and trying the relay again every second\n",
				why, dir);
	}
	rr->relay = relay;
	if (!dir) {
		*out = relay;
		return 0;
	}
	r = sonde__output_dir_create(dir, &d);
	if (r) {
		sonde__output_destroy(relay);
		rr->relay = NULL;
		return cli_error("cannot create trace in %s: %s", dir,
				 strerror(-r));
	}
	r = sonde__output_tee_create(d, relay, out);
	if (r) {
		rr->relay = NULL;
		return cli_error("cannot create trace in %s: %s", dir,
				 strerror(-r));
	}
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

/* Close the current sub-buffer of every CPU, on that CPU, even an empty
 * one.  0, or -1 if one could not be closed. */
static int flush_all(struct sonde__chan_view *v)
{
	cpu_set_t all;
	int moved = 0, r = 0;

	if (sched_getaffinity(0, sizeof(all), &all))
		CPU_ZERO(&all);
	for (uint32_t cpu = 0; cpu < v->ncpu; cpu++) {
#if SONDE__ARCH_HAVE_RSEQ
		cpu_set_t one;

		if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one)) {
			r = -1;
			continue;
		}
		moved = 1;
		int e = -EAGAIN;

		for (int i = 0; i < 3 && e == -EAGAIN; i++) {
			e = sonde__ring_flush_live(v, cpu);
			if (e == -EAGAIN)
				sched_yield();
		}
		if (e)
			r = -1;
#else
		if (sonde__ring_flush_live(v, cpu))
			r = -1;
#endif
	}
	if (moved)
		sched_setaffinity(0, sizeof(all), &all);
	return r;
}

void record_relay_tick(struct record_relay *rr, struct sonde__trace *t)
{
	if (!rr->relay)
		return;
	if (rr->view && mono_ns() >= rr->flush_at) {
		/* Every packet opened by the flush begins after @until: the
		 * beacons may say so.  Not if a CPU kept its packet. */
		uint64_t until = sonde__clock_read(sonde__trace_clock(t));

		if (!flush_all(rr->view))
			sonde__output_relay_beacons(rr->relay, until);
		rr->flush_at = mono_ns() + rr->live_ms * 1000000ull;
	}
	sonde__output_relay_poll(rr->relay);
}

static void human_bytes(unsigned long long b, char *out, size_t n)
{
	if (b >= 1000000000ull)
		snprintf(out, n, "%.1f GB", b / 1e9);
	else if (b >= 1000000ull)
		snprintf(out, n, "%.1f MB", b / 1e6);
	else
		snprintf(out, n, "%.1f kB", b / 1e3);
}

int record_relay_finish(struct record_relay *rr)
{
	struct sonde__relay_stats st;
	char sent[32], lost[32];
	int r;

	if (!rr->relay)
		return 0;
	r = sonde__output_relay_finish(rr->relay, FINISH_MS);
	sonde__output_relay_stats(rr->relay, &st);
	human_bytes(st.bytes, sent, sizeof(sent));
	human_bytes(st.lost_bytes, lost, sizeof(lost));
	fprintf(stderr,
		"sonde: relay %s: %llu packets (%s) sent as %s, %llu packets (%s) not sent\n",
		rr->url, (unsigned long long)st.packets, sent,
		st.path[0] ? st.path : "(no session)",
		(unsigned long long)st.lost_packets, lost);
	if (st.outages || st.inflight_lost_bytes || st.relay_errors)
		fprintf(stderr,
			"sonde: relay: %u connection%s lost, %u reconnection%s, %llu bytes in flight lost, %u request%s refused%s\n",
			st.outages, st.outages == 1 ? "" : "s", st.reconnects,
			st.reconnects == 1 ? "" : "s",
			(unsigned long long)st.inflight_lost_bytes,
			st.relay_errors, st.relay_errors == 1 ? "" : "s",
			st.gave_up ? "; gave up retrying" : "");
	if (r && r != -ENOTCONN)
		fprintf(stderr, "sonde: relay: cannot close the session: %s\n",
			strerror(-r));
	sonde__logf(SONDE_LOG_INFO,
		    "relay finished. direct=%llu copied=%llu beacons=%llu",
		    (unsigned long long)st.direct_bytes,
		    (unsigned long long)st.copied_bytes,
		    (unsigned long long)st.beacons);
	return st.lost_packets || st.outages || r ? 1 : 0;
}

void record_relay_destroy(struct record_relay *rr)
{
	free(rr->view);
	rr->view = NULL;
}
