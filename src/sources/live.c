// SPDX-License-Identifier: MIT
/*
 * Live traces streamed to lttng-relayd (see live.h): the parts shared by
 * `sonde record --relay` (tools/sonde/record-relay.c) and the daemon's
 * sessions created with --relay (src/daemon/).
 *
 * Live: every live timer tick the owner of the buffers closes the current
 * sub-buffer of each CPU (moving itself onto that CPU and switching there
 * in a restartable sequence, as a writer would: sonde__ring_flush_live()),
 * so a quiet process's events reach the relay within that time.  An idle
 * CPU's buffer is closed too, as an empty packet: its next packet then
 * begins after the time the flush started, which the relay output sends
 * as a live beacon ("no data until then") for streams that had nothing
 * new.  A beacon saying "until now" instead let a viewer go past the
 * beginning of the idle CPU's open packet, and babeltrace2 stopped on it
 * as a late message.
 *
 * Every source takes part in the tick, since a viewer merges all the
 * streams in time order and waits on the one it knows least about: the
 * perf-fed ones (kernel tracepoints, samples: kernel.c, perf.c) drain
 * their rings and close their current packet when it holds records, and
 * keep every later record at or after the tick's time (pktw.h), so that
 * the same beacon holds for their idle streams.  Before, an idle kernel
 * stream got that beacon while a record older than it still waited in
 * the ring or the open packet, and babeltrace2 stopped on it.
 *
 * The per-CPU switch (sonde__live_switch()) is also the daemon's switch
 * timer (src/daemon/timer.c), which closes only sub-buffers that hold
 * records.
 *
 * Trust boundary: the buffers are written by the traced processes; the
 * switch uses only the geometry of the view made when they were created,
 * and the one offset it reads there is masked into it.
 */
#include <errno.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <sonde/static/ring.h>

#include "../buffers/layout.h"
#include "../buffers/ring.h"
#include "../clock/clock.h"
#include "../control/attach.h"
#include "../outputs/output.h"
#include "../trace/trace.h"
#include "kernel.h"
#include "live.h"
#include "perf.h"

int sonde__live_output(const struct sonde__relay_opts *ro, unsigned int flags,
		       const char *dir, struct sonde__output **relay,
		       struct sonde__output **out, char *why, size_t n)
{
	struct sonde__output *d = NULL, *rel;
	int r;

	why[0] = '\0';
	r = sonde__output_relay_create(ro, flags, &rel, why, n);
	if (r) {
		if (!why[0])
			snprintf(why, n, "cannot stream to %s: %s", ro->url,
				 strerror(-r));
		return r;
	}
	if (!dir) {
		*relay = *out = rel;
		return 0;
	}
	r = sonde__output_dir_create(dir, &d);
	if (!r)
		r = sonde__output_tee_create(d, rel, out); /* takes both */
	else
		sonde__output_destroy(rel);
	if (r) {
		snprintf(why, n, "cannot create trace in %s: %s", dir,
			 strerror(-r));
		return r;
	}
	*relay = rel;
	return 0;
}

int sonde__live_switch(struct sonde__chan_view *v, const cpu_set_t *home,
		       int empty)
{
	cpu_set_t all;
	int moved = 0, r = 0;

	if (home)
		all = *home;
	else if (sched_getaffinity(0, sizeof(all), &all))
		CPU_ZERO(&all);
	for (uint32_t cpu = 0; cpu < v->ncpu; cpu++) {
		int e;

		if (!empty) {
			/* Nothing since the last switch: no move there.  The
			 * one offset read is masked into the view's geometry;
			 * the switch reads it again. */
			uint64_t off = __atomic_load_n(&v->cpu[cpu].rb->offset,
						       __ATOMIC_ACQUIRE);

			if ((((uint32_t)(off - 1) & v->subbuf_mask) + 1) ==
			    SONDE__PKT_HDR_SIZE)
				continue;
		}
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
		e = -EAGAIN;
		for (int i = 0; i < 3 && e == -EAGAIN; i++) {
			e = empty ? sonde__ring_flush_live(v, cpu)
				  : sonde__ring_flush(v, cpu);
			if (e == -EAGAIN)
				sched_yield();
		}
#else
		e = empty ? sonde__ring_flush_live(v, cpu)
			  : sonde__ring_flush(v, cpu);
#endif
		if (e)
			r = -1;
	}
	if (moved)
		sched_setaffinity(0, sizeof(all), &all);
	return r;
}

int sonde__live_tick(const struct sonde__live_srcs *src,
		     struct sonde__output *relay, struct sonde__trace *t)
{
	/* Every packet opened by the tick begins after @until, and no
	 * record of the perf-fed sources written later is earlier: the
	 * beacons may say so.  Not if a CPU kept its packet. */
	uint64_t until = sonde__clock_read(sonde__trace_clock(t));
	int r = 0, kept = 0;

	/* The kernel's and the sampler's first: a stream of theirs that
	 * is new reaches the relay before what the user-space flush then
	 * closes, which a viewer could otherwise show first. */
	if (src->kernel)
		r = sonde__kernel_live(src->kernel, until);
	if (!r && src->perf)
		r = sonde__perf_live(src->perf, until);
	if (src->view && sonde__live_switch(src->view, NULL, 1))
		kept = 1;
	if (!r && !kept)
		sonde__output_relay_beacons(relay, until);
	return r;
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

/* Append to @buf (@n bytes, @k used; a cut line is cut, no more). */
static void put(char *buf, size_t n, int *k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t n, int *k, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*k < 0 || (size_t)*k >= n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *k, n - (size_t)*k, fmt, ap);
	va_end(ap);
	*k = w < 0 ? w : *k + w;
}

int sonde__live_report(struct sonde__output *relay, const char *url,
		       char *buf, size_t n)
{
	struct sonde__relay_stats st;
	char sent[32], lost[32], tries[64] = "";
	int k;

	sonde__output_relay_stats(relay, &st);
	human_bytes(st.bytes, sent, sizeof(sent));
	human_bytes(st.lost_bytes, lost, sizeof(lost));
	k = snprintf(buf, n,
		     "relay %s: %llu packets (%s) sent as %s, %llu packets (%s) not sent\n",
		     url, (unsigned long long)st.packets, sent,
		     st.path[0] ? st.path : "(no session)",
		     (unsigned long long)st.lost_packets, lost);
	if (st.attempts_failed)
		snprintf(tries, sizeof(tries), ", %u reconnection attempt%s failed",
			 st.attempts_failed, st.attempts_failed == 1 ? "" : "s");
	if (st.outages || st.inflight_lost_bytes || st.relay_errors)
		put(buf, n, &k,
		    "relay: %u connection%s lost, %u reconnection%s, %llu bytes in flight lost, %u request%s refused%s%s\n",
		    st.outages, st.outages == 1 ? "" : "s", st.reconnects,
		    st.reconnects == 1 ? "" : "s",
		    (unsigned long long)st.inflight_lost_bytes, st.relay_errors,
		    st.relay_errors == 1 ? "" : "s", tries,
		    st.gave_up ? "; gave up retrying" : "");
	/* Zero copy: packets sent from the buffers by reference, those the
	 * kernel copied all the same, those sonde copied. */
	if (st.zc_packets || st.zc_fallback)
		put(buf, n, &k,
		    "relay: zero copy: %llu packets (%.1f MB) sent by reference, %llu copied by the kernel, %llu copied by sonde%s\n",
		    (unsigned long long)st.zc_packets, (double)st.zc_bytes / 1e6,
		    (unsigned long long)st.zc_copied,
		    (unsigned long long)st.zc_fallback,
		    st.zc_stalls ? "; the relay stalled" : "");
	/* Packets sent on a lost connection that the relay never confirmed
	 * it stored: possibly lost, beside those never sent. */
	if (st.unconfirmed_lost_packets || st.outages)
		put(buf, n, &k,
		    "relay: %llu packets (%llu bytes) possibly lost: sent, never confirmed stored by the relay; %llu bytes sent in all, %llu not sent\n",
		    (unsigned long long)st.unconfirmed_lost_packets,
		    (unsigned long long)st.unconfirmed_lost_bytes,
		    (unsigned long long)st.bytes,
		    (unsigned long long)st.lost_bytes);
	return st.lost_packets || st.outages;
}
