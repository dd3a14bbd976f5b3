// SPDX-License-Identifier: MIT
/*
 * test-filter PREDICATE: emits 1000 flt:req events and writes to stdout the
 * ids that predicate number PREDICATE (the C twin of the filter the test
 * gives sonde record) selects, one per line, then "# pid N".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter_tp.h"

#define N 1000

static int pred(int k, uint32_t id, const char *path, double ratio,
		const char *tag, int64_t neg, const uint32_t *arr)
{
	uint32_t size = id * 37 % 2048;
	uint8_t flags = (uint8_t)(id * 16 + 3);

	switch (k) {
	case 0: return size > 512 && !strncmp(path, "/x", 2);
	case 1: return id % 7 == 3 || ratio < 0.25;
	case 2: return (flags & 0xf0) == 0x30;
	case 3: return id * 3 == 300;
	case 4: return !(id < 990);
	case 5: return !strncmp(tag, "even", 4);
	case 6: return id < 5;
	case 7: return 0;
	case 8: return strncmp(path, "/y/1", 4) != 0;
	case 9: return neg < -100;
	case 10: return arr[1] == 2 * id;
	case 11: return (size > 1000 && size < 1100) || (id >= 10 && id <= 12);
	case 12: return !strcmp(path, "/x/7*");
	default: return 1;
	}
}

int main(int argc, char **argv)
{
	int k = argc > 1 ? atoi(argv[1]) : -1;

	for (uint32_t id = 0; id < N; id++) {
		char path[32];
		const char *tag = id % 2 ? "odd!" : "even";
		uint32_t arr[2] = { id, id % 3 ? 2 * id : 0 };
		double ratio = (double)(id % 100) / 100.0;
		int64_t neg = 500 - (int64_t)id;

		if (id == 7)
			snprintf(path, sizeof(path), "/x/7*");
		else
			snprintf(path, sizeof(path), "/%c/%u", id % 3 ? 'x' : 'y',
				 id);
		sonde_tracepoint(flt, req, id, path, ratio, tag, neg, arr);
		if (pred(k, id, path, ratio, tag, neg, arr))
			printf("%u\n", id);
	}
	printf("# pid %d\n", (int)getpid());
	return 0;
}
