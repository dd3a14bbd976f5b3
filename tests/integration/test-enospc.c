// SPDX-License-Identifier: MIT
/*
 * test-enospc helper: a consumer whose trace directory fills up keeps only
 * whole packets in its stream files, so what it wrote before stays
 * readable.
 *
 *   test-enospc DIR
 *
 * DIR: an empty directory on a small file system (test-enospc.sh mounts a
 * tmpfs).  The consumer (16 KiB x 4 sub-buffers per CPU) is driven
 * directly: the metadata is written first, then a stand-in writer
 * (tests/shm-writer.h) fills CPU 0's buffer and the consumer drains it,
 * until a drain fails.  Prints "events N" (the events in the packets
 * written whole) and exits 0 if the drain failed with ENOSPC and stream 0
 * holds exactly the packets counted as written, 1 otherwise, 2 on a setup
 * error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/sources/consumer.h"
#include "../shm-writer.h"

/* Full sub-buffers of 17-byte records: 84 + 958 x 17 = 16370 bytes. */
#define PER_SUBBUF 958

int main(int argc, char **argv)
{
	struct sonde__consumer_opts o;
	struct sonde__consumer_stats st;
	struct sonde__consumer *c;
	struct shm_writer w;
	char path[4096];
	struct stat sb;
	int r = 0, moved, i;

	if (argc != 2) {
		fprintf(stderr, "usage: test-enospc DIR\n");
		return 2;
	}
	memset(&o, 0, sizeof(o));
	o.subbuf_size = 16384;
	o.nsub = 4;
	o.patterns = "";
	o.dir = argv[1];
	r = sonde__consumer_create(&o, &c);
	if (r) {
		fprintf(stderr, "test-enospc: cannot create the consumer: %s\n",
			strerror(-r));
		return 2;
	}
	shm_writer_init(&w, sonde__consumer_shm(c));
	shm_register(&w, 1, 1);
	r = sonde__consumer_write_metadata(c, "test-enospc", getpid());
	if (r) {
		fprintf(stderr, "test-enospc: cannot write the metadata: %s\n",
			strerror(-r));
		return 2;
	}
	/* Three sub-buffers closed per round (the fourth is the writers'),
	 * drained; a bounded number of rounds. */
	for (i = 0; i < 100000 && !r; i++) {
		shm_records(&w, 0, 3 * PER_SUBBUF, 0);
		r = sonde__consumer_drain(c, &moved);
	}
	sonde__consumer_stats(c, &st);
	snprintf(path, sizeof(path), "%s/channel0_0", argv[1]);
	if (stat(path, &sb)) {
		perror("test-enospc: stat");
		return 2;
	}
	printf("drain: %s after %d rounds\n", r ? strerror(-r) : "no error", i);
	printf("stream 0: %lld bytes; %llu packets written whole, %llu bytes\n",
	       (long long)sb.st_size, (unsigned long long)st.packets,
	       (unsigned long long)st.bytes);
	printf("events %llu\n", (unsigned long long)st.events);
	sonde__consumer_destroy(c);
	return r == -ENOSPC && st.packets && (uint64_t)sb.st_size == st.bytes
		       ? 0
		       : 1;
}
