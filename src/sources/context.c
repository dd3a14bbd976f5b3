// SPDX-License-Identifier: MIT
/*
 * Per-event context of the user-space channel: what `sonde record
 * --context vpid,vtid,procname,ip` asks for, as LTTng's contexts of the
 * same names.  The hot path does not write vpid, vtid nor procname: a
 * record's thread and process are already in the sonde:thread record in
 * force on its CPU, and its process's name in the process log (procs.c).
 * The consumer, which walks every record of a packet anyway, writes each
 * record out as header, context, payload (the stream class's
 * event.context, in the order asked for), so an enabled tracepoint costs
 * the same with or without them.
 * ip, the address of the event's site, only the site knows: a session
 * that asks for it says so in its header (SONDE__SHM_F_IP), and the sites
 * then record through their out-of-line path, which writes the address
 * before the fields (the class's ip variant, layout.h); the consumer moves
 * it into the context.  That costs the out-of-line path's call, paid only
 * by sessions that ask for ip.  Records without it (libsonde's own, or
 * written by objects built before) get ip 0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SONDE_TRACING_DISABLED
#include <sonde/tracepoint.h>

#include "context.h"

static const char *const names[] = {
	[SONDE__CTX_VPID] = "vpid",
	[SONDE__CTX_VTID] = "vtid",
	[SONDE__CTX_PROCNAME] = "procname",
	[SONDE__CTX_IP] = "ip",
};

int sonde__ctx_parse(const char *list, struct sonde__ctx_spec *s, char *why,
		     size_t n)
{
	const char *p = list;

	memset(s, 0, sizeof(*s));
	while (p && *p) {
		size_t len = strcspn(p, ",");
		uint8_t k = 0;

		for (uint8_t i = 1; i <= SONDE__CTX_MAX; i++)
			if (strlen(names[i]) == len && !memcmp(names[i], p, len))
				k = i;
		if (!k) {
			snprintf(why, n,
				 "unknown context '%.*s': use vpid, vtid, procname, ip",
				 (int)(len > 64 ? 64 : len), p);
			return -EINVAL;
		}
		for (uint32_t i = 0; i < s->nr; i++)
			if (s->kind[i] == k) {
				snprintf(why, n, "context %s given twice",
					 names[k]);
				return -EINVAL;
			}
		s->kind[s->nr++] = k;
		p += len;
		if (*p == ',' && *++p == 0) {
			snprintf(why, n, "empty context name after ','");
			return -EINVAL;
		}
	}
	if (!s->nr) {
		snprintf(why, n,
			 "no context named: use vpid, vtid, procname, ip");
		return -EINVAL;
	}
	return 0;
}

uint32_t sonde__ctx_fields(const struct sonde__ctx_spec *s,
			   struct sonde__field_class *f)
{
	for (uint32_t i = 0; i < s->nr; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].name = (char *)names[s->kind[i]];
		f[i].base = 10;
		if (s->kind[i] == SONDE__CTX_PROCNAME) {
			f[i].kind = SONDE_FIELD_STRING;
		} else if (s->kind[i] == SONDE__CTX_IP) {
			f[i].kind = SONDE_FIELD_INTEGER;
			f[i].size = 8;
			f[i].base = 16;
		} else {
			f[i].kind = SONDE_FIELD_INTEGER;
			f[i].size = 4;
			f[i].is_signed = 1;
		}
	}
	return s->nr;
}

int sonde__ctx_has_ip(const struct sonde__ctx_spec *s)
{
	for (uint32_t i = 0; i < s->nr; i++)
		if (s->kind[i] == SONDE__CTX_IP)
			return 1;
	return 0;
}

uint32_t sonde__ctx_put(const struct sonde__ctx_spec *s, uint8_t *out,
			int32_t pid, int32_t tid, const char *comm, uint64_t ip)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < s->nr; i++) {
		size_t len;

		switch (s->kind[i]) {
		case SONDE__CTX_VPID:
			memcpy(out + n, &pid, 4); /* little-endian host */
			n += 4;
			break;
		case SONDE__CTX_VTID:
			memcpy(out + n, &tid, 4);
			n += 4;
			break;
		case SONDE__CTX_PROCNAME:
			len = comm ? strnlen(comm, SONDE__COMM_LEN - 1) : 0;
			memcpy(out + n, comm ? comm : "", len);
			out[n + len] = 0;
			n += (uint32_t)len + 1;
			break;
		case SONDE__CTX_IP:
			memcpy(out + n, &ip, 8);
			n += 8;
			break;
		}
	}
	return n;
}
