/* SPDX-License-Identifier: MIT */
/*
 * Function symbols of an ELF file (.symtab, else .dynsym), to name the
 * sampled ips of a trace: file offset -> virtual address (PT_LOAD) ->
 * the function holding it.  See elfsym.c.
 */
#ifndef SONDE_SRC_READER_ELFSYM_H
#define SONDE_SRC_READER_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

#include "../common/common.h"

struct sonde__elfsym;

/* Load the symbols of the ELF file at @path (read with bounded preads,
 * never mapped).  0; -ENOEXEC: not a 64-bit little-endian ELF file or
 * malformed; -ENOENT, -EACCES...: of open(2); -EFBIG; -ENOMEM. */
SONDE_HIDDEN int sonde__elfsym_load(const char *path,
				    struct sonde__elfsym **out);
/* Same from @len bytes at @buf (tests, fuzzing). */
SONDE_HIDDEN int sonde__elfsym_load_mem(const void *buf, size_t len,
					struct sonde__elfsym **out);
/* The function holding file offset @off (an ip - mapping start + pgoff),
 * or NULL; *@delta: @off's distance from its start (may be NULL). */
SONDE_HIDDEN const char *sonde__elfsym_lookup(const struct sonde__elfsym *e,
					      uint64_t off, uint64_t *delta);
/* Function symbols loaded. */
SONDE_HIDDEN size_t sonde__elfsym_count(const struct sonde__elfsym *e);
/* NULL is a no-op. */
SONDE_HIDDEN void sonde__elfsym_free(struct sonde__elfsym *e);

#endif
