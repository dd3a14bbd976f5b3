// SPDX-License-Identifier: MIT
/*
 * Checks every record of a stress trace (see stress-producer.c) by reading
 * the CTF stream files directly: packet headers, the compact/extended event
 * headers, timestamp order inside each stream and packet bounds, the thread
 * record preceding each writer's records, every payload byte, and that each
 * thread's sequence numbers appear exactly once with none missing beyond
 * what the packets report as discarded.
 *
 * usage: stress-verify TRACE_DIR COUNTS_FILE [partial]
 * COUNTS_FILE is the producer's output: "maxlen N", then one line per thread.
 * "partial" (overwrite mode) accepts missing records, not bad ones.
 *
 * The packet header and records are decoded with the format's definitions
 * and record walker (include/sonde/static/format.h, src/format/record.c),
 * the ones the consumer and the reader use; the payloads, the order and
 * the completeness are checked here, against what the producer wrote.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/format/record.h"

#define MAX_THREADS 256

struct expect {
	uint64_t rec, sig;
	int32_t tid;
	uint8_t *seen_rec, *seen_sig;
	uint64_t got_rec, got_sig;
};

static struct expect ex[MAX_THREADS];
static unsigned int nthreads, max_len;
static unsigned long errors, records;
static uint64_t discarded_total;

#define FAIL(...)                                                              \
	do {                                                                   \
		if (errors++ < 20) {                                           \
			fprintf(stderr, "stress-verify: ");                    \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

static long find_id(const char *meta, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "name = \"%s\";", name);
	p = strstr(meta, key);
	if (!p || !(p = strstr(p, "id = ")))
		return -1;
	return strtol(p + 5, NULL, 10);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint64_t get(const uint8_t *p, int n)
{
	uint64_t v = 0;

	memcpy(&v, p, (size_t)n);
	return v;
}

static long id_rec, id_sig;

/* stress:rec: u32 thread, u64 seq, s32 tid, u16 n, n bytes; stress:sig:
 * the first three. */
#define REC_FIXED 16u

/* The record walker's size callback: the producer's classes. */
static int64_t payload_size(void *arg, uint32_t id, const uint8_t *p,
			    size_t avail)
{
	uint16_t n;

	(void)arg;
	if (id == SONDE__THREAD_EVENT_ID)
		return SONDE__THREAD_PAYLOAD;
	if ((long)id == id_sig)
		return REC_FIXED;
	if ((long)id != id_rec)
		return -ENOENT;
	if (avail < REC_FIXED + 2)
		return -EBADMSG;
	memcpy(&n, p + REC_FIXED, 2);
	return REC_FIXED + 2 + n;
}

static void check_stream(const char *path)
{
	size_t len, pos = 0;
	uint8_t *d = (uint8_t *)slurp(path, &len);
	uint64_t last_ts = 0, last_disc = 0;
	uint64_t last_seq[MAX_THREADS];

	if (!d) {
		FAIL("cannot read %s", path);
		return;
	}
	memset(last_seq, 0xff, sizeof(last_seq));
	while (pos < len) {
		const uint8_t *pk = d + pos;
		uint64_t content, ts;
		int32_t cur_tid = -1;
		size_t off = SONDE__PKT_HDR_SIZE;
		struct sonde__pkt_hdr ph;
		struct sonde__rec rr;
		int k;

		if (len - pos < SONDE__PKT_HDR_SIZE) {
			FAIL("%s@%zu: bad packet header", path, pos);
			break;
		}
		memcpy(&ph, pk, sizeof(ph));
		content = ph.content_size / 8;
		if (ph.magic != SONDE__CTF_MAGIC) {
			FAIL("%s@%zu: bad packet header", path, pos);
			break;
		}
		if (content < SONDE__PKT_HDR_SIZE || content > len - pos ||
		    ph.packet_size != ph.content_size) {
			FAIL("%s@%zu: bad packet sizes", path, pos);
			break;
		}
		if (ph.timestamp_begin < last_ts ||
		    ph.timestamp_end < ph.timestamp_begin)
			FAIL("%s@%zu: packet times out of order", path, pos);
		if (ph.events_discarded < last_disc)
			FAIL("%s@%zu: events_discarded decreased", path, pos);
		last_disc = ph.events_discarded;
		ts = ph.timestamp_begin;
		while ((k = sonde__rec_step(pk, content, off, ts, payload_size,
					    NULL, &rr)) == SONDE__REC_EVENT) {
			const uint8_t *r = pk + off + rr.hdr_len;

			if (rr.ts < ts)
				FAIL("%s@%zu: timestamp goes back", path, pos + off);
			ts = rr.ts;
			off += rr.len;
			if (rr.id == SONDE__THREAD_EVENT_ID) {
				cur_tid = (int32_t)get(r, 4);
			} else {
				uint32_t th = (uint32_t)get(r, 4);
				uint64_t seq = get(r + 4, 8);
				int32_t tid = (int32_t)get(r + 12, 4);
				struct expect *e = &ex[th < MAX_THREADS ? th : 0];

				if (th >= nthreads) {
					FAIL("%s: bad thread %u", path, th);
					break;
				}
				if (tid != e->tid || tid != cur_tid)
					FAIL("%s@%zu: tid %d, thread record says %d, expected %d",
					     path, pos + off, tid, cur_tid, e->tid);
				if ((long)rr.id == id_rec) {
					const uint8_t *b = r + REC_FIXED + 2;
					uint16_t n = (uint16_t)get(r + REC_FIXED, 2);
					uint64_t want = (seq * 7 + th) % (max_len + 1);

					if (n != want) {
						FAIL("%s@%zu: thread %u seq %llu: length %u, expected %llu",
						     path, (size_t)(r + REC_FIXED - d), th,
						     (unsigned long long)seq, n,
						     (unsigned long long)want);
						break;
					}
					for (uint16_t i = 0; i < n; i++)
						if (b[i] != (uint8_t)(seq + th + i)) {
							FAIL("%s: thread %u seq %llu: payload byte %u wrong",
							     path, th, (unsigned long long)seq, i);
							break;
						}
					if (seq >= e->rec || e->seen_rec[seq]++)
						FAIL("thread %u seq %llu duplicate or unexpected",
						     th, (unsigned long long)seq);
					if (last_seq[th] != UINT64_MAX && seq <= last_seq[th])
						FAIL("thread %u seq %llu after %llu in one stream",
						     th, (unsigned long long)seq,
						     (unsigned long long)last_seq[th]);
					last_seq[th] = seq;
					e->got_rec++;
				} else {
					if (seq >= e->sig || e->seen_sig[seq]++)
						FAIL("thread %u sig seq %llu duplicate or unexpected",
						     th, (unsigned long long)seq);
					e->got_sig++;
				}
				records++;
			}
		}
		switch (k) {
		case SONDE__REC_EVENT: /* a bad record above: the rest unread */
		case SONDE__REC_END:
			break;
		case SONDE__REC_TRUNC:
			FAIL("%s@%zu: record header past content end", path,
			     pos + off);
			break;
		case SONDE__REC_UNKNOWN:
			FAIL("%s@%zu: unknown event id %llu", path, pos + off,
			     (unsigned long long)rr.id);
			break;
		case SONDE__REC_PAST:
			/* stress:rec's length, or a fixed payload, past the
			 * packet's content */
			FAIL("%s@%zu: record (id %llu) length past content end",
			     path, pos + off, (unsigned long long)rr.id);
			break;
		default: /* padding is not written into files, nor markers */
			FAIL("%s@%zu: bad record header 0x%x (%d)", path,
			     pos + off, pk[off], k);
			break;
		}
		if (ts > ph.timestamp_end)
			FAIL("%s@%zu: record after timestamp_end", path, pos);
		last_ts = ph.timestamp_end;
		pos += content;
	}
	discarded_total += last_disc;
	free(d);
}

int main(int argc, char **argv)
{
	char path[4096], *meta;
	uint64_t missing = 0;
	unsigned int th;
	size_t len;
	DIR *dir;
	struct dirent *de;
	FILE *f;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: stress-verify TRACE_DIR COUNTS_FILE [partial]\n");
		return 2;
	}
	f = fopen(argv[2], "r");
	if (!f)
		return 2;
	if (fscanf(f, "maxlen %u", &max_len) != 1 || max_len > 65535) {
		fprintf(stderr, "stress-verify: %s does not start with \"maxlen N\"\n",
			argv[2]);
		return 2;
	}
	for (;;) {
		unsigned long long rec, sig;
		int tid;

		if (fscanf(f, "%u %llu %llu %d", &th, &rec, &sig, &tid) != 4)
			break;
		if (th >= MAX_THREADS)
			return 2;
		ex[th].rec = rec;
		ex[th].sig = sig;
		ex[th].tid = tid;
		ex[th].seen_rec = calloc(rec + 1, 1);
		ex[th].seen_sig = calloc(sig + 1, 1);
		if (th + 1 > nthreads)
			nthreads = th + 1;
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/metadata", argv[1]);
	meta = slurp(path, &len);
	if (!meta || !nthreads) {
		fprintf(stderr, "stress-verify: no metadata or no counts\n");
		return 1;
	}
	id_rec = find_id(meta, "stress:rec");
	id_sig = find_id(meta, "stress:sig");
	if (id_rec < 0 || strstr(meta, "name = \"sonde:thread\";\n\tid = 0;") == NULL) {
		fprintf(stderr, "stress-verify: event ids not found in metadata\n");
		return 1;
	}
	dir = opendir(argv[1]);
	while (dir && (de = readdir(dir))) {
		if (strncmp(de->d_name, "channel0_", 9))
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		check_stream(path);
	}
	if (dir)
		closedir(dir);
	for (th = 0; th < nthreads; th++)
		missing += (ex[th].rec - ex[th].got_rec) +
			   (ex[th].sig - ex[th].got_sig);
	if (argc == 3 && missing != discarded_total)
		FAIL("%llu records missing but %llu reported discarded",
		     (unsigned long long)missing,
		     (unsigned long long)discarded_total);
	free(meta);
	for (th = 0; th < nthreads; th++) {
		free(ex[th].seen_rec);
		free(ex[th].seen_sig);
	}
	printf("stress-verify: %lu records checked, %llu discarded, %lu errors\n",
	       records, (unsigned long long)discarded_total, errors);
	return errors ? 1 : 0;
}
