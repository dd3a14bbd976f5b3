// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the ELF symbol reader (src/reader/elfsym.c): the
 * files a trace names are untrusted input, read to name sampled ips.
 *
 * Input: the ELF file's bytes.  They are loaded twice, from memory
 * (sonde__elfsym_load_mem()) and from a memfd through its path
 * (sonde__elfsym_load(): the pread path), and both must agree: the same
 * result, the same symbol count, the same answer to every lookup.  The
 * lookups are of file offsets drawn from the input itself (each aligned
 * u64 of its first 1 KiB, and those +/- 1, and the input's size and the
 * ends of the u64 range).
 *
 * Checked beyond ASan/UBSan: a load returns 0, -ENOEXEC, -EFBIG or
 * -ENOMEM; a failed load leaves NULL; a lookup's name is non-empty and at
 * most 512 bytes (the reader's cut); lookups are pure (asked twice, the
 * same answer).
 *
 * Seeds (tests/data/fuzz-elfsym/) are made from a four-function C file
 * (a static helper, alpha, beta, gamma_fn; one int global) with
 *   gcc -O1 -fPIC -c t.c -o tiny-reloc
 *   gcc -O1 -fPIC -shared -nostdlib -fno-asynchronous-unwind-tables \
 *       -Wl,-z,max-page-size=64 -Wl,-z,common-page-size=64 \
 *       -Wl,-z,noseparate-code -Wl,--build-id=none -Wl,-z,norelro \
 *       -Wl,--hash-style=gnu -Wl,--no-eh-frame-hdr t.c -o tiny-shared
 *   strip --strip-all -o tiny-stripped tiny-shared
 * (a relocatable object, a shared object with .symtab, one with .dynsym
 * only); the page sizes keep them near 2 KiB.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                              \
	do {                                                                  \
		if (!(c)) {                                                   \
			fprintf(stderr, "fuzz-elfsym: %s:%d: %s\n",          \
				__FILE__, __LINE__, #c);                      \
			abort();                                              \
		}                                                             \
	} while (0)

static int load_fd(const uint8_t *data, size_t size, struct sonde__elfsym **e)
{
	char path[64];
	int fd = memfd_create("fuzz-elfsym", MFD_CLOEXEC), r;

	CHECK(fd >= 0);
	CHECK(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = sonde__elfsym_load(path, e);
	close(fd);
	return r;
}

static void lookup_both(const struct sonde__elfsym *a,
			const struct sonde__elfsym *b, uint64_t off)
{
	uint64_t da = ~0ull, db = ~0ull, d2 = ~0ull;
	const char *na = sonde__elfsym_lookup(a, off, &da);
	const char *nb = sonde__elfsym_lookup(b, off, &db);

	CHECK(!na == !nb);
	if (!na)
		return;
	CHECK(strcmp(na, nb) == 0 && da == db);
	CHECK(na[0] && strlen(na) <= 512);
	CHECK(sonde__elfsym_lookup(a, off, &d2) == na && d2 == da);
	CHECK(sonde__elfsym_lookup(a, off, NULL) == na);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sonde__elfsym *a = (void *)1, *b = (void *)1;
	int ra = sonde__elfsym_load_mem(data, size, &a);
	int rb = load_fd(data, size, &b);

	CHECK(ra == 0 || ra == -ENOEXEC || ra == -EFBIG || ra == -ENOMEM);
	CHECK(ra == rb);
	if (ra) {
		CHECK(!a && !b);
		CHECK(!sonde__elfsym_lookup(a, 0, NULL));
		return 0;
	}
	CHECK(a && b);
	CHECK(sonde__elfsym_count(a) == sonde__elfsym_count(b));
	for (size_t i = 0; i + 8 <= size && i < 1024; i += 8) {
		uint64_t v;

		memcpy(&v, data + i, 8);
		lookup_both(a, b, v);
		lookup_both(a, b, v + 1);
		lookup_both(a, b, v - 1);
		/* small values too: the offsets a sample really has */
		lookup_both(a, b, v & 0xffff);
	}
	lookup_both(a, b, 0);
	lookup_both(a, b, size);
	lookup_both(a, b, UINT64_MAX);
	sonde__elfsym_free(a);
	sonde__elfsym_free(b);
	return 0;
}
