// SPDX-License-Identifier: MIT
/*
 * The ELF symbol reader of sonde stats (src/reader/elfsym.c) on this test's
 * own executable: a function is found by its file offset; then truncated
 * and corrupted copies (every header field that holds an offset, a size,
 * a count or a link set to extreme values, and random bytes) load as an
 * error or as some symbols, never crash (run under ASan in CI).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>

#include "../../src/reader/elfsym.h"
#include "../tap.h"

__attribute__((noinline)) int elfsym_probe_fn(int x);
__attribute__((noinline)) int elfsym_probe_fn(int x)
{
	return x * 3 + 1;
}

/* The file offset of @addr in this process's executable, from /proc/self/maps. */
static int self_offset(uintptr_t addr, uint64_t *off)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int r = -1;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, pg;

		if (sscanf(line, "%llx-%llx %*s %llx", &lo, &hi, &pg) == 3 &&
		    addr >= lo && addr < hi) {
			*off = addr - lo + pg;
			r = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	return r;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) || !(b = malloc((size_t)n)) ||
	    fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (f)
		fclose(f);
	*len = b ? (size_t)n : 0;
	return b;
}

static int survive(const uint8_t *b, size_t len)
{
	struct sonde__elfsym *e = NULL;
	int r = sonde__elfsym_load_mem(b, len, &e);

	if (!r) {
		for (uint64_t o = 0; o < len + 4096; o += 257)
			(void)sonde__elfsym_lookup(e, o, NULL);
		sonde__elfsym_free(e);
	}
	return r == 0 || r == -ENOEXEC || r == -ENOMEM || r == -EFBIG;
}

int main(void)
{
	struct sonde__elfsym *e = NULL;
	size_t len, bad = 0, runs = 0;
	uint64_t off = 0, delta = 0;
	uint8_t *img = slurp("/proc/self/exe", &len), *m;
	const char *name;
	Elf64_Ehdr eh;

	tap_plan(7);
	tap_ok(img != NULL, "read /proc/self/exe (%zu bytes)", len);
	if (!img)
		return tap_done();
	{
		int r = sonde__elfsym_load("/proc/self/exe", &e);

		tap_ok(!r && sonde__elfsym_count(e) > 0,
		       "load its symbols (%zu functions)", sonde__elfsym_count(e));
		r = self_offset((uintptr_t)&elfsym_probe_fn, &off);
		tap_ok(!r, "file offset of elfsym_probe_fn: 0x%llx",
		       (unsigned long long)off);
	}
	name = sonde__elfsym_lookup(e, off + 2, &delta);
	tap_ok(name && !strcmp(name, "elfsym_probe_fn") && delta == 2,
	       "offset + 2 is in elfsym_probe_fn (%s + %llu)", name ? name : "NULL",
	       (unsigned long long)delta);
	sonde__elfsym_free(e);
	tap_ok(sonde__elfsym_load("/nonexistent/x", &e) == -ENOENT && !e &&
		       sonde__elfsym_load("/proc/self/maps", &e) == -ENOEXEC,
	       "a missing file and a file that is not ELF are errors");

	m = malloc(len);
	memcpy(&eh, img, sizeof(eh));
	/* truncated: every length up to 512, then 97 cuts */
	for (size_t n = 0; n < len; n = n < 512 ? n + 1 : n + len / 97 + 1) {
		bad += !survive(img, n);
		runs++;
	}
	/* header fields and section header fields set to extremes */
	{
		static const uint64_t vals[] = { 0, 1, 7, 0xFFFF, 0x7FFFFFFF,
						 0xFFFFFFFF, UINT64_MAX, UINT64_MAX - 7 };
		size_t fields[] = { offsetof(Elf64_Ehdr, e_phoff), offsetof(Elf64_Ehdr, e_shoff),
				    offsetof(Elf64_Ehdr, e_phnum), offsetof(Elf64_Ehdr, e_shnum),
				    offsetof(Elf64_Ehdr, e_shentsize), offsetof(Elf64_Ehdr, e_phentsize) };

		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
			for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
				size_t w = fields[f] >= offsetof(Elf64_Ehdr, e_phentsize) ? 2 : 8;

				memcpy(m, img, len);
				memcpy(m + fields[f], &vals[v], w);
				bad += !survive(m, len);
				runs++;
			}
		for (size_t s = 0; eh.e_shoff < len && s < eh.e_shnum &&
				   eh.e_shoff + (s + 1) * sizeof(Elf64_Shdr) <= len; s++)
			for (size_t fo = 0; fo < sizeof(Elf64_Shdr); fo += 4)
				for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v += 3) {
					memcpy(m, img, len);
					memcpy(m + eh.e_shoff + s * sizeof(Elf64_Shdr) + fo,
					       &vals[v], 4);
					bad += !survive(m, len);
					runs++;
				}
	}
	tap_ok(!bad, "%zu truncated or field-corrupted copies: no crash, no odd error (%zu)",
	       runs, bad);
	/* random bytes in the headers and tables */
	srand(12);
	bad = 0;
	for (int i = 0; i < 300; i++) {
		memcpy(m, img, len);
		for (int k = 0; k < 16; k++) {
			size_t at = rand() % 3 ? (size_t)rand() % (len < 4096 ? len : 4096)
					       : (size_t)rand() % len;

			m[at] = (uint8_t)rand();
		}
		if (eh.e_shoff < len)
			m[eh.e_shoff + (size_t)rand() % (len - eh.e_shoff)] = (uint8_t)rand();
		bad += !survive(m, len);
	}
	tap_ok(!bad, "300 copies with random bytes: no crash, no odd error (%zu)", bad);
	free(m);
	free(img);
	return tap_done();
}
