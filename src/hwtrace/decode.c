// SPDX-License-Identifier: MIT
/*
 * `sonde hw decode DIR`: the trace of an OpenCSD snapshot directory (as
 * `sonde hw record` writes it) decoded into instruction ranges and the
 * other generic elements by libopencsd's C API (Debian libopencsd-dev):
 * a decode tree for the buffer's format (CoreSight frames, or one
 * source's raw bytes), one ETMv4 or ETE decoder per source of the buffer
 * configured from the registers of its ini file, the memory images its
 * core's ini names, then the buffer's bytes pushed through.  Nothing of
 * the trace protocol is decoded here.
 *
 * This file and snapini.c are linked into the sonde tool only: libsonde
 * does not depend on libopencsd.
 *
 * Trust boundary: the snapshot's files (snapini.c checks the ini files)
 * and the trace and memory images, opened relative to the directory,
 * O_NOFOLLOW, regular files, sizes bounded before allocation; the bytes
 * go to libopencsd as data.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <opencsd/c_api/opencsd_c_api.h>

#include "decode.h"

#define MEM_IMAGE_MAX (256u << 20) /* one memory image */
#define TRACE_CHUNK (64u << 10)    /* trace bytes pushed at a time */
#define LIB_MSG_MAX 10             /* libopencsd messages repeated */

struct dec {
	const struct sonde_hw_decode_opts *o;
	int dirfd;
	dcd_tree_handle_t tree;
	uint8_t *mem[SS_DEV_MAX * SS_DUMP_MAX]; /* kept until the tree goes */
	size_t nr_mem;
	uint64_t n_elem, n_range, n_nacc, first_nacc;
	unsigned int n_msg;
	char last_msg[256];
};

/*
 * libopencsd 1.3.3 does not free the callback object that
 * ocsd_dt_set_gen_elem_outfn() makes (32 bytes) when the tree is
 * destroyed.  LeakSanitizer, in sanitizer builds, is told to ignore it:
 * its fast unwinder stops in libstdc++'s operator new, so the rule names
 * that (in the sonde tool only libopencsd allocates through it) as well
 * as the function, for a full unwind.  Never called otherwise.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:ocsd_dt_set_gen_elem_outfn\nleak:libstdc++.so\n";
}

/* And keeps quiet about it: the tool's standard error is its messages. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

static void __attribute__((format(printf, 2, 3)))
say(const struct dec *d, const char *fmt, ...)
{
	va_list ap;

	fputs("sonde: ", d->o->diag);
	va_start(ap, fmt);
	vfprintf(d->o->diag, fmt, ap);
	va_end(ap);
	fputc('\n', d->o->diag);
}

/* libopencsd's error logger: its messages, kept and the first few said. */
static void lib_msg(const void *ctx, const char *msg, const int len)
{
	struct dec *d = (struct dec *)ctx;
	int n = len;

	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		n--;
	snprintf(d->last_msg, sizeof(d->last_msg), "%.*s", n, msg);
	if (d->n_msg++ < LIB_MSG_MAX)
		say(d, "libopencsd: %s", d->last_msg);
	else if (d->n_msg == LIB_MSG_MAX + 1)
		say(d, "libopencsd: more messages, not shown");
}

static const char *isa_name(ocsd_isa isa)
{
	switch (isa) {
	case ocsd_isa_arm: return "A32";
	case ocsd_isa_thumb2: return "T32";
	case ocsd_isa_aarch64: return "A64";
	case ocsd_isa_tee: return "ThumbEE";
	case ocsd_isa_jazelle: return "Jazelle";
	case ocsd_isa_custom: return "custom";
	default: return "unknown";
	}
}

static void print_elem(FILE *f, const ocsd_generic_trace_elem *e)
{
	static const char *const on_reason[] = { "normal", "overflow", "debug-restart" };
	unsigned long long st = e->st_addr, en = e->en_addr;

	switch (e->elem_type) {
	case OCSD_GEN_TRC_ELEM_INSTR_RANGE:
		fprintf(f, "range 0x%llx-0x%llx last=%s isa=%s instrs=%u", st, en,
			e->last_instr_exec ? "taken" : "not-taken", isa_name(e->isa),
			e->num_instr_range);
		if (e->has_cc)
			fprintf(f, " cycles=%u", e->cycle_count);
		break;
	case OCSD_GEN_TRC_ELEM_I_RANGE_NOPATH:
		fprintf(f, "range-nopath 0x%llx-0x%llx isa=%s instrs=%u", st, en,
			isa_name(e->isa), e->num_instr_range);
		break;
	case OCSD_GEN_TRC_ELEM_ADDR_NACC:
		fprintf(f, "memory-missing 0x%llx", st);
		break;
	case OCSD_GEN_TRC_ELEM_ADDR_UNKNOWN:
		fputs("address-unknown", f);
		break;
	case OCSD_GEN_TRC_ELEM_NO_SYNC:
		fputs("no-sync", f);
		break;
	case OCSD_GEN_TRC_ELEM_TRACE_ON:
		fprintf(f, "trace-on reason=%s",
			(unsigned)e->trace_on_reason < 3 ? on_reason[e->trace_on_reason] : "other");
		break;
	case OCSD_GEN_TRC_ELEM_EO_TRACE:
		fputs("end-of-trace", f);
		break;
	case OCSD_GEN_TRC_ELEM_PE_CONTEXT:
		fprintf(f, "context isa=%s", e->context.bits64 ? "A64" : "A32/T32");
		if (e->context.el_valid)
			fprintf(f, " el=%d", (int)e->context.exception_level);
		fprintf(f, " security=%s",
			e->context.security_level == ocsd_sec_secure ? "secure" :
			e->context.security_level == ocsd_sec_nonsecure ? "non-secure" :
			e->context.security_level == ocsd_sec_root ? "root" : "realm");
		if (e->context.ctxt_id_valid)
			fprintf(f, " context_id=0x%" PRIx32, e->context.context_id);
		if (e->context.vmid_valid)
			fprintf(f, " vmid=0x%" PRIx32, e->context.vmid);
		break;
	case OCSD_GEN_TRC_ELEM_EXCEPTION:
		fprintf(f, "exception number=0x%" PRIx32, e->exception_number);
		if (e->excep_ret_addr)
			fprintf(f, " return=0x%llx", en);
		break;
	case OCSD_GEN_TRC_ELEM_EXCEPTION_RET:
		fputs("exception-return", f);
		break;
	case OCSD_GEN_TRC_ELEM_TIMESTAMP:
		fprintf(f, "timestamp %llu", (unsigned long long)e->timestamp);
		break;
	case OCSD_GEN_TRC_ELEM_CYCLE_COUNT:
		fprintf(f, "cycles %u", e->cycle_count);
		break;
	case OCSD_GEN_TRC_ELEM_EVENT:
		fprintf(f, "event %s number=%u",
			e->trace_event.ev_type == 1 ? "trigger" : "numbered",
			e->trace_event.ev_number);
		break;
	case OCSD_GEN_TRC_ELEM_SWTRACE:
		fputs("swtrace", f);
		break;
	case OCSD_GEN_TRC_ELEM_SYNC_MARKER:
		fputs("sync-marker", f);
		break;
	case OCSD_GEN_TRC_ELEM_MEMTRANS:
		fputs("memtrans", f);
		break;
	default:
		fprintf(f, "element type=%d", (int)e->elem_type);
		break;
	}
}

static ocsd_datapath_resp_t elem_cb(const void *ctx, const ocsd_trc_index_t idx,
				    const uint8_t id, const ocsd_generic_trace_elem *e)
{
	struct dec *d = (struct dec *)ctx;
	FILE *f = d->o->out;

	d->n_elem++;
	if (e->elem_type == OCSD_GEN_TRC_ELEM_INSTR_RANGE)
		d->n_range++;
	if (e->elem_type == OCSD_GEN_TRC_ELEM_ADDR_NACC && !d->n_nacc++)
		d->first_nacc = e->st_addr;
	if (d->o->raw) {
		char s[512];

		if (ocsd_gen_elem_str(e, s, (int)sizeof(s)) != OCSD_OK)
			snprintf(s, sizeof(s), "element type=%d", (int)e->elem_type);
		fprintf(f, "idx=%" PRIu64 " trace_id=0x%x %s\n", (uint64_t)idx, id, s);
		return OCSD_RESP_CONT;
	}
	print_elem(f, e);
	fprintf(f, " trace_id=0x%x\n", id);
	return OCSD_RESP_CONT;
}

/* A core's type as OpenCSD names cores: a Cortex in its table, or
 * ARMv7-A, ARMv8[.m]-A/R/M, ARM-AA64.  0, or -1 if unknown. */
static int core_arch(const char *type, ocsd_arch_version_t *arch, ocsd_core_profile_t *prof)
{
	static const struct {
		const char *name;
		ocsd_arch_version_t arch;
	} cortex_a[] = {
		{ "Cortex-A78", ARCH_V8 }, { "Cortex-A77", ARCH_V8r3 }, { "Cortex-A76", ARCH_V8r3 },
		{ "Cortex-A75", ARCH_V8r3 }, { "Cortex-A73", ARCH_V8 }, { "Cortex-A72", ARCH_V8 },
		{ "Cortex-A65", ARCH_V8r3 }, { "Cortex-A57", ARCH_V8 }, { "Cortex-A55", ARCH_V8r3 },
		{ "Cortex-A53", ARCH_V8 }, { "Cortex-A35", ARCH_V8 }, { "Cortex-A32", ARCH_V8 },
	};
	const char *p;

	for (size_t i = 0; i < sizeof(cortex_a) / sizeof(cortex_a[0]); i++)
		if (!strcmp(type, cortex_a[i].name)) {
			*arch = cortex_a[i].arch;
			*prof = profile_CortexA;
			return 0;
		}
	if (!strcasecmp(type, "ARM-AA64") || !strcasecmp(type, "ARM-AA64-A")) {
		*arch = ARCH_AA64;
		*prof = profile_CortexA;
		return 0;
	}
	if (strncmp(type, "ARMv", 4) || type[4] < '7' || type[4] > '9')
		return -1;
	p = type + 5;
	*arch = type[4] == '7' ? ARCH_V7 : ARCH_AA64;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		if (type[4] == '8')
			*arch = p[1] < '3' ? ARCH_V8 : p[1] == '3' ? ARCH_V8r3 : ARCH_AA64;
		p += 2;
	} else if (type[4] == '8') {
		*arch = ARCH_V8;
	}
	if (p[0] != '-' || !p[1] || p[2])
		return -1;
	*prof = p[1] == 'A' ? profile_CortexA : p[1] == 'R' ? profile_CortexR :
		p[1] == 'M' ? profile_CortexM : profile_Unknown;
	return *prof == profile_Unknown ? -1 : 0;
}

/* A register by name; @def when absent and not @need (as OpenCSD's
 * snapshot reader does: TRCIDR1 defaults to 0x4100f403, others to 0). */
static int reg(const struct dec *d, const struct ss_device *dev, const char *name,
	       int need, uint32_t def, uint32_t *out)
{
	for (size_t i = 0; i < dev->nr_regs; i++)
		if (!strcasecmp(dev->regs[i].name, name)) {
			*out = dev->regs[i].value;
			return 0;
		}
	*out = def;
	if (need) {
		say(d, "%s: %s has no %s register in [regs]; a decoder needs it", dev->ini,
		    dev->name, name);
		return -1;
	}
	return 0;
}

static int lib_err(const struct dec *d, ocsd_err_t err, const char *what)
{
	char s[256];

	ocsd_err_str(err, s, (int)sizeof(s));
	say(d, "libopencsd cannot %s: %s", what, s);
	return -1;
}

/* An ETMv4 or ETE decoder for @src (its device) on core @core. */
static int add_decoder(struct dec *d, const struct ss_device *src, const struct ss_device *core)
{
	char proto[SS_STR_MAX], what[SS_STR_MAX * 3];
	ocsd_arch_version_t arch;
	ocsd_core_profile_t prof;
	unsigned char csid = 0;
	ocsd_err_t err;
	int bad = 0;

	snprintf(proto, sizeof(proto), "%.*s", (int)strcspn(src->type, "."), src->type);
	if (core_arch(core->type, &arch, &prof) < 0) {
		say(d, "%s: unknown core type '%s' of %s (OpenCSD names cores Cortex-A57, ARMv8-A, ARMv8.3-A, ARM-AA64 ...)",
		    core->ini, core->type, core->name);
		return -1;
	}
	if (!strcasecmp(proto, "ETM4") || !strcasecmp(proto, "ETMv4")) {
		ocsd_etmv4_cfg c = { .arch_ver = arch, .core_prof = prof };

		bad |= reg(d, src, "TRCCONFIGR", 1, 0, &c.reg_configr);
		bad |= reg(d, src, "TRCTRACEIDR", 1, 0, &c.reg_traceidr);
		bad |= reg(d, src, "TRCIDR0", 1, 0, &c.reg_idr0);
		bad |= reg(d, src, "TRCIDR1", 0, 0x4100f403, &c.reg_idr1);
		bad |= reg(d, src, "TRCIDR2", 1, 0, &c.reg_idr2);
		bad |= reg(d, src, "TRCIDR8", 0, 0, &c.reg_idr8);
		bad |= reg(d, src, "TRCIDR9", 0, 0, &c.reg_idr9);
		bad |= reg(d, src, "TRCIDR10", 0, 0, &c.reg_idr10);
		bad |= reg(d, src, "TRCIDR11", 0, 0, &c.reg_idr11);
		bad |= reg(d, src, "TRCIDR12", 0, 0, &c.reg_idr12);
		bad |= reg(d, src, "TRCIDR13", 0, 0, &c.reg_idr13);
		if (bad)
			return -1;
		err = ocsd_dt_create_decoder(d->tree, OCSD_BUILTIN_DCD_ETMV4I,
					     OCSD_CREATE_FLG_FULL_DECODER, &c, &csid);
	} else if (!strcasecmp(proto, "ETE")) {
		ocsd_ete_cfg c = { .arch_ver = arch, .core_prof = prof };

		bad |= reg(d, src, "TRCCONFIGR", 1, 0, &c.reg_configr);
		bad |= reg(d, src, "TRCTRACEIDR", 1, 0, &c.reg_traceidr);
		bad |= reg(d, src, "TRCIDR0", 1, 0, &c.reg_idr0);
		bad |= reg(d, src, "TRCIDR1", 0, 0x4100f403, &c.reg_idr1);
		bad |= reg(d, src, "TRCIDR2", 1, 0, &c.reg_idr2);
		bad |= reg(d, src, "TRCIDR8", 0, 0, &c.reg_idr8);
		bad |= reg(d, src, "TRCDEVARCH", 0, 0x47705a13, &c.reg_devarch);
		if (bad)
			return -1;
		err = ocsd_dt_create_decoder(d->tree, OCSD_BUILTIN_DCD_ETE,
					     OCSD_CREATE_FLG_FULL_DECODER, &c, &csid);
	} else {
		say(d, "%s: %s is a '%s' source; sonde hw decode decodes ETMv4 (type=ETM4) and ETE sources only",
		    src->ini, src->name, src->type);
		return -1;
	}
	if (err != OCSD_OK) {
		snprintf(what, sizeof(what), "create a %s decoder for %s", proto, src->name);
		return lib_err(d, err, what);
	}
	return 0;
}

static ocsd_mem_space_acc_t mem_space(const char *s)
{
	static const struct {
		const char *name;
		ocsd_mem_space_acc_t sp;
	} map[] = {
		{ "EL1S", OCSD_MEM_SPACE_EL1S }, { "EL1N", OCSD_MEM_SPACE_EL1N },
		{ "EL2", OCSD_MEM_SPACE_EL2 },   { "EL2N", OCSD_MEM_SPACE_EL2 },
		{ "EL3", OCSD_MEM_SPACE_EL3 },   { "S", OCSD_MEM_SPACE_S },
		{ "N", OCSD_MEM_SPACE_N },       { "ANY", OCSD_MEM_SPACE_ANY },
		{ "H", OCSD_MEM_SPACE_EL2 },     { "P", OCSD_MEM_SPACE_EL1N },
		{ "NP", OCSD_MEM_SPACE_EL1N },   { "SP", OCSD_MEM_SPACE_EL1S },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i].name))
			return map[i].sp;
	return OCSD_MEM_SPACE_ANY;
}

/* Open @name in the snapshot's directory: a regular file, no link. */
static int open_in(const struct dec *d, const char *name, struct stat *st)
{
	int fd = openat(d->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

static ssize_t read_full(int fd, uint8_t *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t r = read(fd, buf + off, n - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break;
		off += (size_t)r;
	}
	return (ssize_t)off;
}

/* One [dumpN] of a core: read (offset, length bounded by the file and
 * MEM_IMAGE_MAX) and given to the tree.  A missing image is said, not an
 * error: what runs there decodes as memory-missing. */
static void add_dump(struct dec *d, const struct ss_device *core, const struct ss_dump *m)
{
	struct stat st;
	uint64_t len;
	uint8_t *buf;
	ssize_t got;
	ocsd_err_t err;
	int fd = open_in(d, m->file, &st);

	if (fd < 0) {
		say(d, "memory image %s ([%s] of %s, at 0x%llx) cannot be read: %s; code there decodes as memory-missing",
		    m->file, m->section, core->ini, (unsigned long long)m->address,
		    fd == -ELOOP ? "it is a symbolic link" : fd == -EINVAL ? "not a regular file" :
		    strerror(-fd));
		return;
	}
	len = (uint64_t)st.st_size > m->offset ? (uint64_t)st.st_size - m->offset : 0;
	if (m->length && m->length < len)
		len = m->length;
	if (!len || len > MEM_IMAGE_MAX || d->nr_mem >= sizeof(d->mem) / sizeof(d->mem[0])) {
		say(d, "memory image %s ([%s] of %s): %s; not used", m->file, m->section, core->ini,
		    !len ? "nothing at that offset" : "larger than 256 MiB");
		close(fd);
		return;
	}
	buf = malloc(len);
	got = buf && lseek(fd, (off_t)m->offset, SEEK_SET) >= 0 ? read_full(fd, buf, len) : -EIO;
	close(fd);
	if (got != (ssize_t)len) {
		say(d, "memory image %s: cannot read %llu bytes; not used", m->file,
		    (unsigned long long)len);
		free(buf);
		return;
	}
	err = ocsd_dt_add_buffer_mem_acc(d->tree, m->address, mem_space(m->space), buf,
					 (uint32_t)len);
	if (err != OCSD_OK) {
		char s[256];

		ocsd_err_str(err, s, (int)sizeof(s));
		say(d, "memory image %s at 0x%llx not used: %s", m->file,
		    (unsigned long long)m->address, s);
		free(buf);
		return;
	}
	d->mem[d->nr_mem++] = buf;
}

/* The decoders of @b's sources; how many were made, or -1 after an error. */
static int add_sources(struct dec *d, const struct ss_snapshot *s, const struct ss_buffer *b,
		       int single)
{
	int made = 0;

	for (size_t i = 0; i < s->nr_src_buf; i++) {
		const struct ss_device *src, *core;
		const char *cname;

		if (strcmp(s->src_buf[i].b, b->name))
			continue;
		src = sonde__ss_device(s, s->src_buf[i].a);
		cname = sonde__ss_lookup(s->core_src, s->nr_core_src, s->src_buf[i].a);
		core = cname ? sonde__ss_device(s, cname) : NULL;
		if (!src) {
			say(d, "%s: source %s of buffer %s is no device of snapshot.ini", s->metadata,
			    s->src_buf[i].a, b->name);
			return -1;
		}
		if (!core) {
			say(d, "%s: source %s follows no core of snapshot.ini ([core_trace_sources]); only core (ETM/ETE) trace is decoded",
			    s->metadata, src->name);
			return -1;
		}
		if (add_decoder(d, src, core) < 0)
			return -1;
		for (size_t k = 0; k < core->nr_dumps; k++)
			add_dump(d, core, &core->dumps[k]);
		made++;
		if (single) /* a raw buffer holds one source's bytes */
			break;
	}
	return made;
}

static const char *resp_name(ocsd_datapath_resp_t r)
{
	switch (r) {
	case OCSD_RESP_FATAL_NOT_INIT: return "a component is not initialised";
	case OCSD_RESP_FATAL_INVALID_OP: return "invalid operation";
	case OCSD_RESP_FATAL_INVALID_PARAM: return "invalid parameter (corrupt trace?)";
	case OCSD_RESP_FATAL_INVALID_DATA: return "invalid trace data";
	default: return "internal error";
	}
}

/* No memory image at all: an accessor that has no byte anywhere, so that
 * the decoder reports memory-missing rather than failing for want of a
 * memory interface (OpenCSD's snapshot reader always makes one). */
static uint32_t no_mem(const void *ctx, const ocsd_vaddr_t addr, const ocsd_mem_space_acc_t sp,
		       const uint32_t n, uint8_t *buf)
{
	(void)ctx;
	(void)addr;
	(void)sp;
	(void)n;
	(void)buf;
	return 0;
}

/* Push the buffer file through the tree. */
static int push_trace(struct dec *d, const struct ss_buffer *b)
{
	struct stat st;
	uint8_t *buf = NULL;
	uint64_t idx = 0;
	int fd = open_in(d, b->file, &st), r = -1;

	if (fd < 0) {
		say(d, "cannot read the trace %s: %s", b->file,
		    fd == -ELOOP ? "it is a symbolic link" : fd == -EINVAL ? "not a regular file" :
		    strerror(-fd));
		return -1;
	}
	buf = malloc(TRACE_CHUNK);
	if (!buf) {
		say(d, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n = read_full(fd, buf, TRACE_CHUNK);
		size_t off = 0;

		if (n < 0) {
			say(d, "cannot read the trace %s: %s", b->file, strerror((int)-n));
			goto out;
		}
		if (!n)
			break;
		/* Each call takes some bytes, or says WAIT; a decoder that takes
		 * none and does not wait would loop: bounded. */
		for (unsigned int stall = 0; off < (size_t)n && stall < 16;) {
			uint32_t used = 0;
			ocsd_datapath_resp_t resp;

			resp = ocsd_dt_process_data(d->tree, OCSD_OP_DATA, idx + off,
						    (uint32_t)((size_t)n - off), buf + off, &used);
			off += used;
			stall = used ? 0 : stall + 1;
			if (OCSD_DATA_RESP_IS_FATAL(resp)) {
				say(d, "libopencsd stopped decoding at byte %llu of %s: %s%s%s",
				    (unsigned long long)(idx + off), b->file, resp_name(resp),
				    *d->last_msg ? ": " : "", d->last_msg);
				goto out;
			}
			if (OCSD_DATA_RESP_IS_WAIT(resp))
				ocsd_dt_process_data(d->tree, OCSD_OP_FLUSH, 0, 0, NULL, NULL);
		}
		if (off < (size_t)n) {
			say(d, "libopencsd takes no more bytes at %llu of %s",
			    (unsigned long long)(idx + off), b->file);
			goto out;
		}
		idx += (uint64_t)n;
	}
	ocsd_dt_process_data(d->tree, OCSD_OP_EOT, 0, 0, NULL, NULL);
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

static const struct ss_buffer *pick_buffer(const struct dec *d, const struct ss_snapshot *s)
{
	for (size_t i = 0; i < s->nr_order; i++)
		for (size_t k = 0; k < s->nr_buf; k++)
			if (!strcasecmp(s->buf[k].id, s->order[i]) &&
			    (!d->o->buffer || !strcmp(s->buf[k].name, d->o->buffer)))
				return &s->buf[k];
	if (d->o->buffer)
		say(d, "%s has no trace buffer named %s", s->metadata, d->o->buffer);
	return NULL;
}

static int decode(struct dec *d, const struct ss_snapshot *s)
{
	const struct ss_buffer *b = pick_buffer(d, s);
	ocsd_dcd_tree_src_t src = OCSD_TRC_SRC_FRAME_FORMATTED;
	uint32_t flags = OCSD_DFRMTR_FRAME_MEM_ALIGN;
	int made;

	if (!b)
		return -1;
	if (!strcmp(b->format, "source_data")) {
		src = OCSD_TRC_SRC_SINGLE;
		flags = 0;
	} else if (!strcmp(b->format, "dstream_coresight")) {
		flags = OCSD_DFRMTR_HAS_FSYNCS;
	} else if (strcmp(b->format, "coresight")) {
		say(d, "%s: buffer %s has format '%s'; sonde hw decode reads coresight, dstream_coresight and source_data",
		    s->metadata, b->name, b->format);
		return -1;
	}
	d->tree = ocsd_create_dcd_tree(src, flags);
	if (d->tree == C_API_INVALID_TREE_HANDLE) {
		say(d, "libopencsd cannot create a decode tree");
		return -1;
	}
	ocsd_def_errlog_set_strprint_cb(d->tree, d, lib_msg);
	made = add_sources(d, s, b, src == OCSD_TRC_SRC_SINGLE);
	if (made < 0)
		return -1;
	if (!made) {
		say(d, "%s: no source traces into buffer %s ([source_buffers]); nothing to decode",
		    s->metadata, b->name);
		return -1;
	}
	if (!d->nr_mem &&
	    ocsd_dt_add_callback_mem_acc(d->tree, 0, ~(ocsd_vaddr_t)0, OCSD_MEM_SPACE_ANY, no_mem,
					 NULL) != OCSD_OK) {
		say(d, "libopencsd cannot take a memory accessor");
		return -1;
	}
	if (ocsd_dt_set_gen_elem_outfn(d->tree, elem_cb, d) != OCSD_OK) {
		say(d, "libopencsd cannot take an element callback");
		return -1;
	}
	return push_trace(d, b);
}

int sonde__hw_decode(const struct sonde_hw_decode_opts *o)
{
	struct dec d = { .o = o, .dirfd = -1 };
	struct ss_snapshot *s;
	char err[512] = "";
	int r = 1;

	s = calloc(1, sizeof(*s));
	if (!s) {
		say(&d, "out of memory");
		return 1;
	}
	d.dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d.dirfd < 0) {
		say(&d, "cannot open the snapshot directory %s: %s", o->dir, strerror(errno));
		goto out;
	}
	if (sonde__ss_load(d.dirfd, s, err, sizeof(err)) < 0) {
		say(&d, "%s is not a snapshot sonde can read: %s", o->dir, err);
		goto out;
	}
	/* Errors only, through lib_msg (set on the tree). */
	ocsd_def_errlog_init(OCSD_ERR_SEV_ERROR, 1);
	ocsd_def_errlog_config_output(C_API_MSGLOGOUT_FLG_NONE, NULL);
	if (decode(&d, s) == 0) {
		r = 0;
		if (fflush(o->out) != 0 || ferror(o->out)) {
			say(&d, "cannot write the decode: %s", strerror(errno));
			r = 1;
		}
	}
	if (d.n_nacc)
		say(&d, "%llu time(s) the code's memory was missing (first at 0x%llx): add its image to the core's ini ([dumpN] file=, address=)",
		    (unsigned long long)d.n_nacc, (unsigned long long)d.first_nacc);
	if (!r && !d.n_range)
		say(&d, "no instruction range decoded from %s", o->dir);
out:
	if (d.tree != C_API_INVALID_TREE_HANDLE)
		ocsd_destroy_dcd_tree(d.tree);
	for (size_t i = 0; i < d.nr_mem; i++)
		free(d.mem[i]);
	if (d.dirfd >= 0)
		close(d.dirfd);
	free(s);
	return r;
}
