// SPDX-License-Identifier: MIT
/*
 * fuzz-hwtrace: what src/hwtrace/ reads across its trust boundaries, from
 * any bytes: the frame deformatter (trace read back from a sink or a file)
 * fed whole and again in two pieces cut where the first input byte says,
 * which must give the same streams; and the sysfs parsers (numbers,
 * uevent's DEVTYPE, connections/ link targets) on the input itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/hwtrace/hw.h"

struct sum {
	uint64_t h[128];
	size_t n;
};

static int add(void *arg, uint8_t id, const uint8_t *data, size_t n)
{
	struct sum *s = arg;

	if (id >= 128 || !n)
		abort(); /* the deformatter gave an ID or a run it must not */
	for (size_t i = 0; i < n; i++)
		s->h[id] = s->h[id] * 131 + data[i] + 1;
	s->n += n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sonde_hw_deformat *d;
	struct sum a = { { 0 }, 0 }, b = { { 0 }, 0 };
	char name[HW_NAME_MAX];
	uint64_t v;
	size_t cut = size ? data[0] % (size + 1) : 0;

	if (sonde_hw_deformat_create(&d) == 0) {
		sonde_hw_deformat_feed(d, data, size, add, &a);
		if (a.n + sonde_hw_deformat_dropped(d) > size / 16 * 15)
			abort(); /* more bytes out than whole frames hold */
		sonde_hw_deformat_destroy(d);
	}
	if (sonde_hw_deformat_create(&d) == 0) {
		sonde_hw_deformat_feed(d, data, cut, add, &b);
		sonde_hw_deformat_feed(d, data + cut, size - cut, add, &b);
		sonde_hw_deformat_destroy(d);
		if (memcmp(&a, &b, sizeof(a)))
			abort(); /* cutting the input changed the streams */
	}
	sonde__hw_parse_u64((const char *)data, size, &v);
	sonde__hw_parse_devtype((const char *)data, size);
	sonde__hw_link_name((const char *)data, size, name, sizeof(name));
	return 0;
}
