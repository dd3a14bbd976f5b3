/* SPDX-License-Identifier: MIT */
/*
 * A CoreSight frame formatter for the tests: packs (trace ID, byte) items
 * into 16-byte frames, the way a formatter may, using both meanings of an
 * ID change's AUX bit (before and after the following data byte), and
 * padding the last frame with ID 0.  Independent of src/hwtrace/.
 */
#ifndef SONDE_TESTS_HWTRACE_FRAMES_H
#define SONDE_TESTS_HWTRACE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

struct fr_item {
	uint8_t id, byte;
};

/* Frame @n items into @out (room for 16 * (n + 1) bytes); returns the
 * bytes written.  An ID change at an even byte whose odd byte is the new
 * ID's uses the "before" meaning; one whose odd byte must still be the
 * old ID's (the old ID has one byte left) the "after" meaning. */
static inline size_t fr_pack(const struct fr_item *q, size_t n, uint8_t *out)
{
	size_t i = 0, len = 0;
	int cur = -1;

	while (i < n) {
		uint8_t *f = out + len;
		uint8_t aux = 0;

		for (int k = 0; k < 8; k++) {
			int e = 2 * k, o = 2 * k + 1;

			if (i >= n) {	/* padding: ID 0 and zero data */
				f[e] = 1;
				if (k < 7)
					f[o] = 0;
				cur = 0;
				continue;
			}
			if (q[i].id != cur) {
				f[e] = (uint8_t)(q[i].id << 1 | 1);
				cur = q[i].id;
				if (k < 7)
					f[o] = q[i++].byte;
				continue;
			}
			/* q[i] is of the current ID. */
			if (k < 7 && (i + 1 >= n || q[i + 1].id != cur) && 1) {
				/* The odd byte must be of the current ID too:
				 * switch after it ("after" meaning). */
				int next = i + 1 < n ? q[i + 1].id : 0;

				f[e] = (uint8_t)(next << 1 | 1);
				aux |= (uint8_t)(1u << k);
				f[o] = q[i++].byte;
				cur = next;
				continue;
			}
			f[e] = (uint8_t)(q[i].byte & 0xfe);
			aux |= (uint8_t)((q[i].byte & 1u) << k);
			i++;
			if (k < 7)
				f[o] = q[i++].byte; /* same ID, checked above */
		}
		f[15] = aux;
		len += 16;
	}
	return len;
}

#endif
