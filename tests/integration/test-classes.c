// SPDX-License-Identifier: MIT
/*
 * test-classes: one trace fed by two sources, each with its own stream
 * class, read back in one time order.
 *
 *   test-classes DIR N     record into DIR (made here): the user-space
 *                          consumer (stream class "channel0") of this very
 *                          program run as a child, beside a test-only
 *                          source (stream class "tick", one stream) that
 *                          writes a test:tick event every millisecond
 *                          until the child is done
 *   test-classes child N   (the child) N classes:ev events, 2 ms apart
 *
 * The tick source is what a kernel or PMU source will be: it registers a
 * stream class with its own event classes (id 1 is test:tick there, as
 * id 1 may be some classes:* event in channel0) and its own packet
 * context (sonde's, then tick_period_ns), opens its stream through the
 * trace, and hands it whole packets read on the trace clock; the trace
 * writes one metadata for both.  Prints "ticks T events E".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

#include "../../src/sources/consumer.h"
#include "../../src/control/attach.h"
#include "../../src/outputs/output.h"
#include "../../src/trace/trace.h"

SONDE_TRACEPOINT_EVENT(classes, ev,
	SONDE_TP_ARGS(uint32_t, i),
	SONDE_TP_FIELDS(sonde_field_integer(uint32_t, i, i)))

static int child(int n)
{
	struct timespec d = { 0, 2000000 };

	if (!sonde_tracepoint_enabled(classes, ev)) {
		fprintf(stderr, "test-classes: child not recording\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		sonde_tracepoint(classes, ev, (uint32_t)i);
		nanosleep(&d, NULL);
	}
	return 0;
}

/* The tick source's one event class, beside the thread record (id 0,
 * declared by the trace for every class). */
static struct sonde__field_class tick_fields[] = {
	{ .name = "n", .kind = SONDE_FIELD_INTEGER, .size = 8, .base = 10 },
};
static struct sonde__event_class tick_class = {
	.id = 1, .nr_fields = 1, .name = "test:tick", .fields = tick_fields,
	.fixed_size = 8,
};
static struct sonde__event_class *tick_events[] = { NULL, &tick_class };

static int tick_class_events(void *src, struct sonde__event_class *const **ev,
			     uint32_t *nr)
{
	(void)src;
	*ev = tick_events;
	*nr = 2;
	return 0;
}

/* The tick class's packet context field after sonde's: the period the
 * ticks are written at. */
#define TICK_PERIOD_NS 1000000
static const char *const tick_ctx[] = { "tick_period_ns" };

static const struct sonde__stream_class_ops tick_ops = {
	.name = "tick",
	.events = tick_class_events,
	.ctx_extra = tick_ctx,
	.nr_ctx_extra = 1,
};

/*
 * The trace refuses what a reader could not take: extra packet context
 * fields that are too many, not identifiers, twice the same name, or a
 * name of the common context.  0 when every one is refused with -EINVAL.
 */
static int bad_classes(struct sonde__trace *t)
{
	static const char *const nine[] = { "a", "b", "c", "d", "e", "f", "g",
					    "h", "i" };
	static const char *const digit[] = { "1x" };
	static const char *const dash[] = { "a-b" };
	static const char *const twice[] = { "a", "a" };
	static const char *const common[] = { "cpu_id" };
	static const char *const none[] = { NULL };
	static const char *const *const bad[] = { nine, digit, dash, twice,
						  common, none, NULL };
	static const uint32_t nr[] = { 9, 1, 1, 2, 1, 1, 1 };
	uint32_t id;

	for (size_t i = 0; i < sizeof(nr) / sizeof(nr[0]); i++) {
		struct sonde__stream_class_ops ops = tick_ops;

		ops.ctx_extra = bad[i];
		ops.nr_ctx_extra = nr[i];
		if (sonde__trace_add_class(t, &ops, NULL, &id) != -EINVAL) {
			fprintf(stderr, "test-classes: bad class %zu accepted\n", i);
			return -1;
		}
	}
	return 0;
}

static uint8_t *put_ext(uint8_t *p, uint32_t id, uint64_t ts)
{
	*p++ = SONDE__ID_EXT;
	memcpy(p, &id, 4);
	memcpy(p + 4, &ts, 8);
	return p + 12;
}

/* One packet: the thread record, then test:tick n, at the trace clock. */
static int tick(struct sonde__stream *s, const struct sonde__clock *clk,
		uint64_t n)
{
	uint8_t body[2 * SONDE__EXT_HDR + SONDE__THREAD_PAYLOAD + 8], *p = body;
	int32_t ids[2] = { (int32_t)syscall(SYS_gettid), (int32_t)getpid() };
	const uint64_t period = TICK_PERIOD_NS;
	struct sonde__pkt_hdr h;
	uint64_t ts = sonde__clock_read(clk);

	p = put_ext(p, SONDE__THREAD_EVENT_ID, ts);
	memcpy(p, ids, sizeof(ids));
	p += sizeof(ids);
	p = put_ext(p, 1, ts);
	memcpy(p, &n, 8);
	p += 8;
	memset(&h, 0, sizeof(h));
	h.timestamp_begin = ts;
	h.timestamp_end = ts;
	/* Sizes without the extra field, or no value for it: refused. */
	h.content_size = h.packet_size = (sizeof(h) + (uint64_t)(p - body)) * 8;
	if (sonde__stream_write_packet(s, &h, &period, body,
				       (size_t)(p - body)) != -EINVAL ||
	    sonde__stream_write_packet(s, &h, NULL, body,
				       (size_t)(p - body)) != -EINVAL)
		return -EPROTO;
	/* Sizes count the class's whole header and context. */
	h.content_size = h.packet_size =
		(sonde__stream_pkt_hdr_size(s) + (uint64_t)(p - body)) * 8;
	h.packet_seq_num = n;
	return sonde__stream_write_packet(s, &h, &period, body,
					  (size_t)(p - body));
}

int main(int argc, char **argv)
{
	struct sonde__consumer_opts o;
	struct sonde__consumer_stats st;
	struct sonde__consumer *c = NULL;
	struct sonde__output *out;
	struct sonde__trace *t;
	struct sonde__stream *ts;
	struct timespec d = { 0, TICK_PERIOD_NS };
	char why[512] = "", env[32];
	uint64_t ticks = 0;
	uint32_t tick_id;
	int r, status, moved;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: test-classes DIR|child N\n");
		return 2;
	}
	if (!strcmp(argv[1], "child"))
		return child(atoi(argv[2]));
	r = sonde__output_dir_prepare(argv[1], why, sizeof(why));
	if (!r)
		r = sonde__output_dir_create(argv[1], &out);
	if (r) {
		fprintf(stderr, "test-classes: %s: %s\n", argv[1],
			why[0] ? why : strerror(-r));
		return 2;
	}
	if (sonde__trace_create(out, NULL, NULL, &t))
		return 2;
	memset(&o, 0, sizeof(o));
	o.subbuf_size = 65536;
	o.nsub = 4;
	o.patterns = "";
	o.trace = t;
	r = sonde__consumer_create(&o, &c);
	if (!r && bad_classes(t))
		r = -EINVAL;
	if (!r)
		r = sonde__trace_add_class(t, &tick_ops, NULL, &tick_id);
	if (!r)
		r = sonde__trace_open_stream(t, tick_id, 0, &ts);
	if (r) {
		fprintf(stderr, "test-classes: setup: %s\n", strerror(-r));
		return 2;
	}
	/* The child maps the buffers through an inherited descriptor. */
	if (dup2(sonde__consumer_shm_fd(c), 100) < 0)
		return 2;
	snprintf(env, sizeof(env), "fd:%d", 100);
	setenv(SONDE_SHM_ENV, env, 1);
	setenv("SONDE_DAEMON", "off", 1);
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		execl("/proc/self/exe", argv[0], "child", argv[2], (char *)NULL);
		_exit(127);
	}
	close(100);
	/* Ticks until the child is gone, and one more: ticks on both sides
	 * of its events. */
	r = tick(ts, sonde__trace_clock(t), ticks++);
	while (!r && waitpid(pid, &status, WNOHANG) == 0) {
		nanosleep(&d, NULL);
		r = tick(ts, sonde__trace_clock(t), ticks++);
		if (!r)
			r = sonde__consumer_drain(c, &moved);
	}
	if (!r)
		r = tick(ts, sonde__trace_clock(t), ticks++);
	if (!r)
		r = sonde__consumer_finish(c, "test-classes", pid);
	if (r) {
		fprintf(stderr, "test-classes: %s\n", strerror(-r));
		return 1;
	}
	sonde__consumer_stats(c, &st);
	printf("ticks %llu events %llu lost %llu child %d\n",
	       (unsigned long long)ticks, (unsigned long long)st.events,
	       (unsigned long long)st.lost,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	sonde__consumer_destroy(c);
	sonde__trace_destroy(t);
	return 0;
}
