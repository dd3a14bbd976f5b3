// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the consumer's parsers of data written by traced
 * processes (which `sonde record` must not trust): the shared event
 * registry (sonde__events_refresh) and the record walker used to count,
 * salvage and check packets (sonde__events_step, src/format/record.c).
 * The input is split at its first 0xFF 0xFF 0xFF 0xFF: registry bytes,
 * then packet records.  An input of odd length is read as a session that
 * records the sites' addresses (--context ip: classes' ip variants taken).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/buffers/layout.h"
#include "../../src/sources/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sep[4] = { 0xff, 0xff, 0xff, 0xff };
	const uint8_t *split = memmem(data, size, sep, sizeof(sep));
	size_t reg = split ? (size_t)(split - data) : size;
	struct sonde__event_table t;
	struct sonde__shm_hdr *h;
	struct sonde__rec r;
	uint64_t ts = 0;
	size_t off;

	if (reg > (1u << 20))
		return 0;
	h = calloc(1, sizeof(*h) + reg + 8);
	if (!h)
		return 0;
	h->reg_off = sizeof(*h);
	h->reg_size = reg;
	h->reg_used = (uint32_t)reg;
	memcpy((char *)h + h->reg_off, data, reg);
	memset(&t, 0, sizeof(t));
	sonde__events_init(&t, (char *)h + h->reg_off, (uint32_t)reg);
	t.ip_ctx = size & 1;
	sonde__events_refresh(&t, h);
	if (split) {
		const uint8_t *rec = split + sizeof(sep);
		size_t n = size - (size_t)(rec - data);

		for (off = 0;; off += r.len) {
			int k = sonde__events_step(&t, rec, n, off, ts, &r);

			if (k != SONDE__REC_EVENT && k != SONDE__REC_TORN)
				break;
			if (k == SONDE__REC_EVENT)
				ts = r.ts;
		}
	}
	sonde__events_free(&t);
	free(h);
	return 0;
}
