/* SPDX-License-Identifier: MIT */
/* Per-event context of the user-space channel (LTTng's vpid, vtid,
 * procname), added by the consumer as it writes packets. */
#ifndef SONDE_SRC_SOURCES_CONTEXT_H
#define SONDE_SRC_SOURCES_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "../buffers/layout.h"
#include "../common/common.h"
#include "../writer/model.h"

enum sonde__ctx_kind {
	SONDE__CTX_VPID = 1, /* s32, the writer's pid (its namespace's) */
	SONDE__CTX_VTID,     /* s32, the writer's tid */
	SONDE__CTX_PROCNAME, /* string, its comm when it wrote, <= 16 bytes */
	SONDE__CTX_IP,       /* u64, base 16: the address of its site */
};
#define SONDE__CTX_MAX 4u
/* Bytes of context one record gets at most. */
#define SONDE__CTX_BYTES_MAX (4u + 4u + SONDE__COMM_LEN + 8u)

/* Bytes of a context list ("vpid,vtid,procname,ip") with its NUL, at
 * most: each name once. */
#define SONDE__CTX_LIST_MAX 64

/* The fields asked for, in the order asked. */
struct sonde__ctx_spec {
	uint8_t kind[SONDE__CTX_MAX];
	uint32_t nr;
};

/*
 * Parse @list, "name[,name...]" of vpid, vtid, procname (ip is known and
 * refused: it needs the caller's address on the hot path), into @s.  0;
 * -EINVAL (an unknown or repeated name) or -ENOTSUP (ip) with a sentence
 * in @why (@n bytes).
 */
SONDE_HIDDEN int sonde__ctx_parse(const char *list, struct sonde__ctx_spec *s,
				  char *why, size_t n);
/* The field classes of @s for the metadata's event.context, in @f
 * (SONDE__CTX_MAX of them; names are static).  Returns their number. */
SONDE_HIDDEN uint32_t sonde__ctx_fields(const struct sonde__ctx_spec *s,
					struct sonde__field_class *f);
/* Whether @s asks for the sites' addresses. */
SONDE_HIDDEN int sonde__ctx_has_ip(const struct sonde__ctx_spec *s);
/* Write the context of a record of @pid, @tid, named @comm (NULL: ""),
 * from the site at @ip, at @out (SONDE__CTX_BYTES_MAX bytes of room); its
 * length. */
SONDE_HIDDEN uint32_t sonde__ctx_put(const struct sonde__ctx_spec *s,
				     uint8_t *out, int32_t pid, int32_t tid,
				     const char *comm, uint64_t ip);

#endif
