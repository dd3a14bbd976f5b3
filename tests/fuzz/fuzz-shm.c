// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the consumer's side of the shared memory that
 * traced processes can write (src/sources/consumer.c, events.c): a real
 * consumer (4 KiB x 4 sub-buffers per CPU, output in a temporary
 * directory) whose live shared-memory image the input rewrites
 * between calls of sonde__consumer_drain/seal/snapshot/finish.  Nothing may
 * crash (ASan, UBSan), hang (-timeout) or write without bound: after each
 * run the stream files hold at most 2 x calls x ncpu x buffer bytes, a
 * snapshot at most ncpu x buffer.
 *
 * Input: one byte of flags (bit 0: overwrite mode; bit 1: start from
 * buffers a well-behaved writer filled; bit 2: --context vpid,vtid,procname,
 * records grown by the context, names from the process log in the
 * header), then operations:
 *   0 R C O4 L bytes  write L bytes at offset O of region R (mod its size)
 *   1 R C O4 V8       write the 64-bit V at offset O & ~7 of region R
 *   2                 drain
 *   3                 seal
 *   4                 snapshot
 *   5 C K             a well-behaved writer appends K records on CPU C
 *   6 C P             a writer with pid P (0: alive, 1: gone) reserves
 *                     and never commits a record on CPU C
 *   7 I F             register event id I with F u32 fields
 * Regions: 0 header, 1 control block of CPU C, 2 data of CPU C, 3 the
 * registry.  CPU numbers are taken modulo the CPU count, so inputs (and
 * the seeds in tests/data/fuzz-shm/) mean the same on any machine.
 * finish is always called last.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/sources/consumer.h"
#include "../shm-writer.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SB 4096u
#define NSUB 4u
#define MAX_OPS 256

static char top[64], trace_dir[96], snap_dir[96];

static void rm_files(const char *dir)
{
	char path[192];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
}

static void cleanup(void)
{
	rm_files(trace_dir);
	rm_files(snap_dir);
	rmdir(trace_dir);
	rmdir(snap_dir);
	rmdir(top);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* A consumer that writes without bound dies of SIGXFSZ (a finding)
	 * before it fills the disk. */
	struct rlimit fsize = { 64u << 20, 64u << 20 };

	if (setrlimit(RLIMIT_FSIZE, &fsize))
		abort();
	(void)argc;
	(void)argv;
	/* No 50 ms calibration of the cycle counter at every finish. */
	setenv("SONDE_CLOCK", "monotonic", 1);
	snprintf(top, sizeof(top), "%s/sonde-fuzz-shm.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(top))
		abort();
	snprintf(trace_dir, sizeof(trace_dir), "%s/trace", top);
	snprintf(snap_dir, sizeof(snap_dir), "%s/snap", top);
	if (mkdir(trace_dir, 0700) || mkdir(snap_dir, 0700))
		abort();
	atexit(cleanup);
	return 0;
}

static uint64_t dir_bytes(const char *dir)
{
	char path[192];
	struct dirent *e;
	struct stat st;
	uint64_t n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "channel", 7))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!stat(path, &st))
			n += (uint64_t)st.st_size;
	}
	closedir(d);
	return n;
}

static char *region(const struct shm_writer *w, uint8_t r, uint32_t cpu,
		    uint64_t *size)
{
	char *base = (char *)w->h;

	cpu %= w->ncpu;
	switch (r & 3) {
	case 0:
		*size = sizeof(*w->h);
		return base;
	case 1:
		*size = w->rb_stride;
		return (char *)shm_rb(w, cpu);
	case 2:
		*size = w->buf;
		return (char *)shm_data(w, cpu);
	default:
		*size = w->reg_size;
		return base + w->reg_off;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sonde__consumer_opts o;
	struct sonde__consumer_stats st;
	struct sonde__consumer *c;
	struct shm_writer g;
	size_t i = 1;
	uint64_t calls = 1, len, limit;
	int moved, overwrite, ops = 0;

	if (size < 1)
		return 0;
	/* Stream files of the previous run, whether or not it finished. */
	rm_files(trace_dir);
	overwrite = data[0] & 1;
	memset(&o, 0, sizeof(o));
	o.subbuf_size = SB;
	o.nsub = NSUB;
	o.overwrite = overwrite;
	o.patterns = "";
	o.context = data[0] & 4 ? "vpid,vtid,procname" : NULL;
	o.dir = trace_dir;
	if (sonde__consumer_create(&o, &c))
		return 0;
	/* Read once, before the input touches it. */
	shm_writer_init(&g, sonde__consumer_shm(c));
	if (data[0] & 2) {
		shm_register(&g, 1, 1);
		for (uint32_t cpu = 0; cpu < g.ncpu; cpu++)
			shm_records(&g, cpu, 300, overwrite);
	}
	while (i < size && ops++ < MAX_OPS) {
		uint8_t op = data[i++] & 7;
		uint64_t rsize, off, v;
		char *base;

		switch (op) {
		case 0:
		case 1:
			if (size - i < 6)
				goto done;
			base = region(&g, data[i], data[i + 1], &rsize);
			memcpy(&v, data + i + 2, 4);
			off = (uint32_t)v % rsize;
			i += 6;
			if (op == 1) {
				off &= ~7ull;
				if (size - i < 8 || rsize - off < 8)
					goto done;
				memcpy(base + off, data + i, 8);
				i += 8;
				break;
			}
			if (size - i < 1)
				goto done;
			len = data[i++];
			if (len > size - i)
				len = size - i;
			if (len > rsize - off)
				len = rsize - off;
			memcpy(base + off, data + i, len);
			i += len;
			break;
		case 2:
			sonde__consumer_drain(c, &moved);
			calls++;
			break;
		case 3:
			sonde__consumer_seal(c);
			calls++;
			break;
		case 4:
			if (!sonde__consumer_snapshot(c, snap_dir, "fuzz", 1, &st) &&
			    dir_bytes(snap_dir) > g.ncpu * g.buf)
				abort();
			rm_files(snap_dir);
			break;
		case 5:
			if (size - i < 2)
				goto done;
			shm_records(&g, data[i], data[i + 1], overwrite);
			i += 2;
			break;
		case 6:
			if (size - i < 2)
				goto done;
			shm_torn(&g, data[i], data[i + 1] & 1, overwrite);
			i += 2;
			break;
		case 7:
			if (size - i < 2)
				goto done;
			shm_register(&g, data[i], data[i + 1]);
			i += 2;
			break;
		}
	}
done:
	sonde__consumer_finish(c, "fuzz", 1);
	sonde__consumer_stats(c, &st);
	/* Each call writes at most a buffer per CPU, twice for seal and
	 * finish (a drain, then what is left). */
	limit = 2 * calls * g.ncpu * g.buf;
	if (data[0] & 4) /* 4-byte records, each with 24 bytes of context */
		limit *= 7;
	if (dir_bytes(trace_dir) > limit || st.bytes > limit) {
		fprintf(stderr, "fuzz-shm: %llu bytes written by %llu calls (limit %llu)\n",
			(unsigned long long)dir_bytes(trace_dir),
			(unsigned long long)calls, (unsigned long long)limit);
		abort();
	}
	sonde__consumer_destroy(c);
	return 0;
}
