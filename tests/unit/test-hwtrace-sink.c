// SPDX-License-Identifier: MIT
/*
 * test-hwtrace-sink: the sink's buffer and its deformatter.
 *  - sonde_hw_sink_set_buffer_size() on a copy of juno-r1: buffer_size
 *    written in hex and read back; refused for an ETF (fixed buffer),
 *    for a size that is not whole pages, and while a path holds the sink;
 *  - frames the test makes (tests/unit/hwtrace-frames.h: three streams of
 *    random bytes, IDs interleaved at random, both meanings of the AUX
 *    bit, ID 0 padding) written to the fixture's /dev/tmc_etf0, read back
 *    by sonde_hw_sink_read() and deformatted, whole and in odd-sized
 *    pieces: each ID's stream comes back byte for byte;
 *  - hand-made frames for each rule: an ID change taking effect after its
 *    data byte, a data byte whose bit 0 is in AUX, ID 0 and a reserved ID
 *    dropped and counted, bytes before the first ID dropped;
 *  - a callback's non-zero return stops the feed and is returned.
 */
#include <errno.h>

#include "hwtrace-fixture.h"
#include "hwtrace-frames.h"

#define NITEMS 20000

struct streams {
	uint8_t data[128][NITEMS];
	size_t n[128];
};

static int collect(void *arg, uint8_t id, const uint8_t *data, size_t n)
{
	struct streams *s = arg;

	if (id >= 128 || s->n[id] + n > NITEMS)
		return -E2BIG;
	memcpy(s->data[id] + s->n[id], data, n);
	s->n[id] += n;
	return 0;
}

static int stop_at_second(void *arg, uint8_t id, const uint8_t *data, size_t n)
{
	int *calls = arg;

	(void)id;
	(void)data;
	(void)n;
	return ++*calls == 2 ? 42 : 0;
}

static void buffer_size(const char *dir)
{
	struct sonde_hw_topo *t;
	struct sonde_hw_path *p;
	uint64_t v = 0;

	if (fx_open(dir, "juno-r1", &t) < 0)
		tap_bail("%s", sonde_hw_error_message());
	tap_ok(sonde_hw_sink_buffer_size(t, "tmc_etr0", &v) == 0 && v == 0x100000,
	       "tmc_etr0's buffer_size reads 1 MiB");
	tap_is_int(sonde_hw_sink_set_buffer_size(t, "tmc_etr0", 0x400000), 0, "set to 4 MiB");
	tap_is_str(fx_read(dir, "juno-r1", "tmc_etr0", "buffer_size"), "0x400000", "written in hex");
	tap_is_int(sonde_hw_sink_set_buffer_size(t, "tmc_etr0", 5000), -EINVAL, "5000 bytes: -EINVAL");
	tap_is_int(sonde_hw_sink_set_buffer_size(t, "tmc_etf0", 4096), -EOPNOTSUPP,
		   "an ETF's buffer is fixed: -EOPNOTSUPP");
	tap_is_int(sonde_hw_sink_set_buffer_size(t, "funnel0", 4096), -EINVAL, "a funnel has none");
	if (sonde_hw_path_build(t, "etm0", "tmc_etr0", &p) < 0 ||
	    sonde_hw_path_enable(p, SONDE_HW_MODE_SYSFS) < 0)
		tap_bail("%s", sonde_hw_error_message());
	tap_is_int(sonde_hw_sink_set_buffer_size(t, "tmc_etr0", 8192), -EBUSY,
		   "not while a path holds the sink");
	sonde_hw_path_destroy(p);
	tap_is_int(sonde_hw_sink_set_buffer_size(t, "tmc_etr0", 8192), 0, "after it let go");
	tap_is_str(fx_read(dir, "juno-r1", "tmc_etr0", "buffer_size"), "0x2000", "0x2000");
	tap_is_int(sonde_hw_sink_read(t, "tpiu0", &v, sizeof(v)), -ENOENT, "a TPIU has no device to read");
	sonde_hw_topo_close(t);
}

static void generated(const char *dir)
{
	static const uint8_t ids[] = { 0x10, 0x12, 0x2f };
	static struct fr_item q[NITEMS];
	static struct streams want, got;
	static uint8_t frames[16 * (NITEMS + 1)], back[16 * (NITEMS + 2)];
	struct sonde_hw_deformat *d;
	struct sonde_hw_topo *t;
	char path[PATH_MAX];
	size_t len, off;
	unsigned int seed = 14;
	long n;
	FILE *f;
	int ok;

	memset(&want, 0, sizeof(want));
	for (size_t i = 0; i < NITEMS; i++) {
		/* Runs of 1-8 bytes of one ID, so that IDs change often. */
		static uint8_t id;
		static int left;

		if (!left) {
			id = ids[rand_r(&seed) % 3];
			left = 1 + rand_r(&seed) % 8;
		}
		left--;
		q[i].id = id;
		q[i].byte = (uint8_t)rand_r(&seed);
		want.data[id][want.n[id]++] = q[i].byte;
	}
	len = fr_pack(q, NITEMS, frames);
	if (snprintf(path, sizeof(path), "%s/juno-r1/dev/tmc_etf0", dir) >= (int)sizeof(path))
		tap_bail("path too long");
	f = fopen(path, "w");
	if (!f || fwrite(frames, 1, len, f) != len || fclose(f) != 0)
		tap_bail("cannot write %s", path);
	if (fx_open(dir, "juno-r1", &t) < 0)
		tap_bail("%s", sonde_hw_error_message());
	n = sonde_hw_sink_read(t, "tmc_etf0", back, sizeof(back));
	tap_is_int(n, (long)len, "the fixture sink reads back its %zu bytes of frames", len);
	tap_ok(n == (long)len && !memcmp(back, frames, len), "byte for byte");
	tap_is_int(sonde_hw_sink_read(t, "tmc_etf0", back, 100), 100, "a read stops at the room given");
	sonde_hw_topo_close(t);

	for (int pass = 0; pass < 2; pass++) {
		memset(&got, 0, sizeof(got));
		if (sonde_hw_deformat_create(&d) < 0)
			tap_bail("deformat_create");
		if (pass == 0) {
			ok = sonde_hw_deformat_feed(d, back, len, collect, &got) == 0;
		} else {
			ok = 1;
			for (off = 0; off < len && ok;) {
				size_t piece = 1 + (size_t)rand_r(&seed) % 37;

				if (piece > len - off)
					piece = len - off;
				ok = sonde_hw_deformat_feed(d, back + off, piece, collect, &got) == 0;
				off += piece;
			}
		}
		tap_ok(ok, "%s: fed", pass ? "in pieces of 1-37 bytes" : "whole");
		for (size_t i = 0; i < sizeof(ids); i++)
			tap_ok(got.n[ids[i]] == want.n[ids[i]] &&
			       !memcmp(got.data[ids[i]], want.data[ids[i]], want.n[ids[i]]),
			       "%s: ID %#x: %zu bytes, as generated (%zu)",
			       pass ? "pieces" : "whole", ids[i], got.n[ids[i]], want.n[ids[i]]);
		tap_ok(sonde_hw_deformat_dropped(d) < 15,
		       "only the last frame's padding was dropped (%llu bytes)",
		       (unsigned long long)sonde_hw_deformat_dropped(d));
		sonde_hw_deformat_destroy(d);
	}
}

static void rules(void)
{
	/* Bytes before any ID: dropped.  Then ID 0x10 with AUX bit 1 at
	 * pair 1 (the change to 0x10 comes after 0x55, still unknown ID);
	 * a data byte 0x33 at pair 2 whose bit 0 (1) is in AUX bit 2;
	 * ID 0x7c (reserved) at pair 4: its bytes dropped; ID 0x12 at
	 * pair 5, ID 0 at pair 7. */
	static const uint8_t f[16] = {
		0x20, 0x44,		/* pair 0: data 0x20 0x44, no ID yet */
		0x21, 0x55,		/* pair 1: -> 0x10 after 0x55 (AUX 1) */
		0x32, 0x66,		/* pair 2: data 0x33 (AUX 1), 0x66 */
		0x88, 0x99,		/* pair 3: data 0x88 (AUX 0), 0x99 */
		0xf9, 0xaa,		/* pair 4: -> 0x7c before 0xaa (AUX 0) */
		0x25, 0xbb,		/* pair 5: -> 0x12 before 0xbb */
		0xcc, 0xdd,		/* pair 6: data 0xcc 0xdd */
		0x01,			/* pair 7: -> 0 */
		0x06,			/* AUX: bits 1 and 2 */
	};
	static struct streams got;
	struct sonde_hw_deformat *d;
	int calls = 0;

	memset(&got, 0, sizeof(got));
	sonde_hw_deformat_create(&d);
	tap_is_int(sonde_hw_deformat_feed(d, f, 16, collect, &got), 0, "a hand-made frame");
	tap_ok(got.n[0x10] == 4 && !memcmp(got.data[0x10], "\x33\x66\x88\x99", 4),
	       "ID 0x10: 33 66 88 99 (bit 0 of 0x33 from AUX)");
	tap_ok(got.n[0x12] == 3 && !memcmp(got.data[0x12], "\xbb\xcc\xdd", 3),
	       "ID 0x12: bb cc dd");
	tap_is_int((long)sonde_hw_deformat_dropped(d), 4,
		   "dropped: 20 44 55 (no ID yet) and aa (reserved ID)");
	tap_is_int(got.n[0x7c] + got.n[0], 0, "nothing for ID 0 or the reserved ID");
	sonde_hw_deformat_destroy(d);

	sonde_hw_deformat_create(&d);
	tap_is_int(sonde_hw_deformat_feed(d, f, 16, stop_at_second, &calls), 42,
		   "a callback's non-zero return stops the feed and is returned");
	sonde_hw_deformat_destroy(d);
}

int main(void)
{
	char dir[PATH_MAX];

	tap_no_plan();
	fx_copy(dir, sizeof(dir));
	buffer_size(dir);
	generated(dir);
	rules();
	if (tap_done() == 0) {
		fx_remove(dir);
		return 0;
	}
	tap_diag("kept %s", dir);
	return 1;
}
