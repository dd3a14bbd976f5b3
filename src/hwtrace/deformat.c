// SPDX-License-Identifier: MIT
/*
 * The CoreSight frame deformatter: what an ETB, ETF or ETR stores (and a
 * TPIU sends) is the trace of every source merged by the formatter into
 * 16-byte frames, which this file splits back into one byte stream per
 * trace ID.  Written from the CoreSight architecture's description of the
 * formatter protocol:
 *
 *   byte  0   2   4   6   8   10  12  14  15
 *        [A0 d0 A1 d1 A2 d2 A3 d3 A4 d4 A5 d5 A6 d6 A7 AUX]
 *
 * Odd bytes 1-13 are always data.  Each even byte Ak is either an ID
 * change (bit 0 set: the new trace ID is Ak >> 1) or data (bit 0 clear:
 * bits 7-1 are the data's, and its bit 0 is bit k of AUX).  For an ID
 * change in pairs 0-6, bit k of AUX says when it takes effect: 0, before
 * the data byte that follows; 1, after it (that byte is still the old
 * ID's).  Pair 7 has no data byte of its own.  ID 0 is null (padding) and
 * IDs 0x70-0x7f are reserved: their bytes are dropped and counted, as are
 * bytes before the first ID change.  A frame sync (FF FF FF 7F) never
 * starts a frame of a memory sink; this deformatter expects frames
 * aligned on 16 bytes, as the sinks store them.
 *
 * Trust boundary: the input is trace read back from a sink or a file,
 * any bytes at all; every byte is looked at once, nothing in it is a
 * size or an offset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"

struct sonde_hw_deformat {
	uint8_t part[16]; /* a frame cut by the end of a feed */
	size_t npart;
	int id;           /* the ID in effect, -1 before the first */
	uint64_t dropped;
};

int sonde_hw_deformat_create(struct sonde_hw_deformat **out)
{
	struct sonde_hw_deformat *d;

	if (!out)
		return sonde__hw_fail(-EINVAL, "sonde_hw_deformat_create: bad arguments");
	d = calloc(1, sizeof(*d));
	*out = d;
	if (!d)
		return sonde__hw_fail(-ENOMEM, "out of memory");
	d->id = -1;
	return 0;
}

void sonde_hw_deformat_destroy(struct sonde_hw_deformat *d)
{
	free(d);
}

uint64_t sonde_hw_deformat_dropped(const struct sonde_hw_deformat *d)
{
	return d ? d->dropped : 0;
}

/* Bytes of one ID gathered from a frame before they go to the callback. */
struct run {
	int id;
	uint8_t b[16];
	size_t n;
};

static int flush(struct sonde_hw_deformat *d, struct run *r,
		 sonde_hw_stream_cb cb, void *arg)
{
	int ret = 0;

	if (!r->n)
		return 0;
	if (r->id <= 0 || r->id >= 0x70)
		d->dropped += r->n;
	else
		ret = cb(arg, (uint8_t)r->id, r->b, r->n);
	r->n = 0;
	return ret;
}

static int put(struct sonde_hw_deformat *d, struct run *r, uint8_t byte,
	       sonde_hw_stream_cb cb, void *arg)
{
	int ret = 0;

	if (r->id != d->id) {
		ret = flush(d, r, cb, arg);
		r->id = d->id;
	}
	r->b[r->n++] = byte;
	return ret;
}

static int frame(struct sonde_hw_deformat *d, const uint8_t *f,
		 sonde_hw_stream_cb cb, void *arg)
{
	struct run r = { .id = d->id };
	uint8_t aux = f[15];
	int ret = 0;

	for (int k = 0; k < 8 && !ret; k++) {
		uint8_t a = f[2 * k];
		int bit = (aux >> k) & 1;

		if (a & 1) {
			int id = a >> 1;

			if (k < 7 && bit) {
				ret = put(d, &r, f[2 * k + 1], cb, arg);
				d->id = id;
				continue;
			}
			d->id = id;
		} else {
			ret = put(d, &r, (uint8_t)((a & 0xfe) | bit), cb, arg);
		}
		if (k < 7 && !ret)
			ret = put(d, &r, f[2 * k + 1], cb, arg);
	}
	if (!ret)
		ret = flush(d, &r, cb, arg);
	return ret;
}

int sonde_hw_deformat_feed(struct sonde_hw_deformat *d, const void *buf,
			   size_t n, sonde_hw_stream_cb cb, void *arg)
{
	const uint8_t *p = buf;
	int ret;

	if (!d || (!buf && n) || !cb)
		return sonde__hw_fail(-EINVAL, "sonde_hw_deformat_feed: bad arguments");
	if (d->npart) {
		size_t take = 16 - d->npart < n ? 16 - d->npart : n;

		memcpy(d->part + d->npart, p, take);
		d->npart += take;
		p += take;
		n -= take;
		if (d->npart < 16)
			return 0;
		d->npart = 0;
		ret = frame(d, d->part, cb, arg);
		if (ret)
			return ret;
	}
	for (; n >= 16; p += 16, n -= 16) {
		ret = frame(d, p, cb, arg);
		if (ret)
			return ret;
	}
	memcpy(d->part, p, n);
	d->npart = n;
	return 0;
}
