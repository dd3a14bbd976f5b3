// SPDX-License-Identifier: MIT
/*
 * User-space strings of syscall tracepoints, through BPF, without libbpf
 * or a kernel module: the raw bpf(2) system call and a program of a few
 * instructions written here, from bpf(2), bpf-helpers(7) and
 * <linux/bpf.h>.
 *
 * A syscall tracepoint (syscalls:sys_enter_openat) records only the
 * address of a path.  A BPF_PROG_TYPE_TRACEPOINT program attached to the
 * tracepoint's perf event (PERF_EVENT_IOC_SET_BPF) runs before the
 * tracepoint's sample is written, with the record as its context (as
 * PERF_SAMPLE_RAW carries it, except that the kernel hides its first 8
 * bytes, the common_* fields), reads the string at that address and emits
 * it as a sample of the BPF-output event of its CPU:
 *
 *   r6 = ctx
 *   v = lookup(scratch, 0)            per-CPU array, one value of
 *   if v == NULL: return 1            4 + SONDE__USTR_MAX bytes
 *   *(u32 *)v = tag
 *   n = bpf_probe_read_user_str(v + 4, SONDE__USTR_MAX, *(u64 *)(ctx + ptr_off))
 *   if n <= 0: v[4] = 0, n = 1        (fault: the empty string)
 *   n &= 2 * SONDE__USTR_MAX - 1; if n > SONDE__USTR_MAX: n = SONDE__USTR_MAX
 *   bpf_perf_event_output(ctx, &outputs, BPF_F_CURRENT_CPU, v, 4 + n)
 *   return 1                          (the tracepoint's sample is kept)
 *
 * The helper returns the length copied with its NUL (SONDE__USTR_MAX for
 * a longer string, cut and NUL-terminated); the verifier must prove
 * 4 + n within the value.  6.18's verifier needs neither the masking nor
 * the compare (it bounds the helper's result by its size argument, and
 * knows that a constant in-range key of an array finds a value: measured,
 * the program loads without them and without the NULL check); they stay
 * for verifiers that do not, at the cost of three instructions.  The
 * scratch value is per CPU, and the kernel never nests tracepoint
 * programs on a CPU (a hit during another program's run on that CPU is
 * not run), so one value suffices.
 *
 * The string's sample, with PERF_SAMPLE_RAW in the output event's
 * sample_type, carries:
 *
 *   u32 size;          4 + n rounded up so that 4 + size is a multiple of 8
 *   u32 tag;           the tag given to sonde__ustr_attach()
 *   char str[n];       n >= 1, str[n - 1] == 0
 *   u8 pad[size - 4 - n];   not zeroed by the kernel: the string ends at
 *                      its first NUL, never at size
 *
 * It is written to the output event of the CPU the task runs on, before
 * the tracepoint's own sample on that CPU; both land next to each other
 * when the caller redirects the output event into the tracepoint event's
 * ring (PERF_EVENT_IOC_SET_OUTPUT), with the same tid.
 *
 * What the kernel does that the caller must know (measured on 6.18 by
 * tests/unit/test-ustr.c):
 * - A tracepoint's programs belong to the tracepoint, not to the perf
 *   event they were attached through: they run for every task on every
 *   CPU, while that event is open, enabled or not.  A per-task recorder
 *   therefore receives the strings of other tasks too, each without a
 *   tracepoint sample after it (their tid tells them apart), and strings
 *   arrive only while the output event is enabled.
 * - The same program cannot be attached twice to one tracepoint (EEXIST),
 *   nor should it be: it would run twice per hit.  attach() through a
 *   second per-CPU event of a tracepoint finds its program there
 *   (PERF_EVENT_IOC_QUERY_BPF) and returns 0.
 * - A string on a page not yet mapped into the task (a file mapping's
 *   page never touched) is read as "": the program may not fault pages
 *   in.  Paths a program has just built are on pages it has touched.
 * - Closing the map's fd (destroy()) removes the output events it holds:
 *   the programs, still attached, then emit nothing.
 *
 * Trust boundary: the string is the traced task's memory, copied by the
 * kernel's fault-safe user copy and bounded by SONDE__USTR_MAX; the
 * reader of the samples must still bound it by the record's size.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "ustr.h"

/* CPUs of the perf event array, at most (the kernel's NR_CPUS limit). */
#define MAX_CPUS 8192u
/* Programs, one per (ptr_off, tag), at most. */
#define MAX_PROGS 1024u
/* The context of a tracepoint program: 8 hidden bytes, then the record's
 * fields up to the kernel's PERF_MAX_TRACE_SIZE. */
#define CTX_MIN 8u
#define CTX_MAX 8192u
/* Verifier log, enough for the whole log of this program at level 1. */
#define LOG_SIZE (64u * 1024u)
/* Instructions of the program. */
#define PROG_LEN 31u
/* Program ids looked for on a tracepoint, at most (the kernel's
 * BPF_TRACE_MAX_PROGS is 64). */
#define QUERY_IDS 64u

struct prog {
	uint32_t ptr_off, tag;
	int fd; /* or the -errno of its load */
	uint32_t id; /* the kernel's id of the program, 0 if unknown */
};

struct sonde__ustr {
	uint32_t ncpu;
	int outputs; /* BPF_MAP_TYPE_PERF_EVENT_ARRAY, ncpu entries */
	int scratch; /* BPF_MAP_TYPE_PERCPU_ARRAY, 1 entry */
	struct prog *progs;
	uint32_t nprogs, cap;
};

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : (int)r;
}

static int map_create(uint32_t type, uint32_t value_size, uint32_t entries,
		      const char *name)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = sizeof(uint32_t);
	a.value_size = value_size;
	a.max_entries = entries;
	strncpy(a.map_name, name, sizeof(a.map_name) - 1);
	return sys_bpf(BPF_MAP_CREATE, &a);
}

int sonde__ustr_create(uint32_t ncpu, struct sonde__ustr **u)
{
	struct sonde__ustr *s;
	int r;

	if (!u)
		return -EINVAL;
	*u = NULL;
	if (!ncpu || ncpu > MAX_CPUS)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ncpu = ncpu;
	r = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, sizeof(uint32_t), ncpu,
		       "sonde_ustr_out");
	if (r < 0)
		goto err_free;
	s->outputs = r;
	r = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4 + SONDE__USTR_MAX, 1,
		       "sonde_ustr_buf");
	if (r < 0)
		goto err_outputs;
	s->scratch = r;
	*u = s;
	return 0;

err_outputs:
	close(s->outputs);
err_free:
	sonde__logf(
		SONDE_LOG_INFO,
		"BPF maps for user strings unavailable: paths are recorded as pointers only. err=%d ncpu=%u",
		r, ncpu);
	free(s);
	return r;
}

int sonde__ustr_set_output(struct sonde__ustr *u, uint32_t cpu, int fd)
{
	uint32_t key = cpu, value;
	union bpf_attr a;

	if (!u || cpu >= u->ncpu || fd < 0)
		return -EINVAL;
	value = (uint32_t)fd;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)u->outputs;
	a.key = (uint64_t)(uintptr_t)&key;
	a.value = (uint64_t)(uintptr_t)&value;
	a.flags = BPF_ANY;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
}

/* Instructions, as <linux/bpf.h> lays them out. */
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			    int32_t imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

#define MOV64_REG(d, s) insn(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, k) insn(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
/* 32-bit move: the upper half is zeroed, not sign-extended. */
#define MOV32_IMM(d, k) insn(BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, k)
#define ALU64_IMM(op, d, k) insn(BPF_ALU64 | (op) | BPF_K, d, 0, 0, k)
#define ST_MEM(sz, d, o, k) insn(BPF_ST | BPF_MEM | (sz), d, 0, o, k)
#define LDX_MEM(sz, d, s, o) insn(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define JMP_IMM(op, d, k, o) insn(BPF_JMP | (op) | BPF_K, d, 0, o, k)
#define CALL(f) insn(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* A map's fd in a 64-bit immediate (two slots); the verifier turns it
 * into the map's address. */
#define LD_MAP_FD(d, fd)                                              \
	insn(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), \
		insn(0, 0, 0, 0, 0)

/* The program of the top of the file, for (@ptr_off, @tag); @p gets
 * PROG_LEN instructions. */
static void prog_build(const struct sonde__ustr *u, uint32_t ptr_off,
		       uint32_t tag, struct bpf_insn *p)
{
	const int32_t max = (int32_t)SONDE__USTR_MAX;
	const struct bpf_insn prog[] = {
		/* 0 */ MOV64_REG(BPF_REG_6, BPF_REG_1),
		/* the key, 0, at fp - 4 */
		/* 1 */ ST_MEM(BPF_W, BPF_REG_10, -4, 0),
		/* 2 */ MOV64_REG(BPF_REG_2, BPF_REG_10),
		/* 3 */ ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		/* 4 */ LD_MAP_FD(BPF_REG_1, u->scratch),
		/* 6 */ CALL(BPF_FUNC_map_lookup_elem),
		/* 7: to 29, return 1 */
		/* 7 */ JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 21),
		/* 8 */ MOV64_REG(BPF_REG_7, BPF_REG_0),
		/* 9 */ ST_MEM(BPF_W, BPF_REG_7, 0, (int32_t)tag),
		/* 10 */ LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_6, (int16_t)ptr_off),
		/* 11 */ MOV64_REG(BPF_REG_1, BPF_REG_7),
		/* 12 */ ALU64_IMM(BPF_ADD, BPF_REG_1, 4),
		/* 13 */ MOV64_IMM(BPF_REG_2, max),
		/* 14 */ CALL(BPF_FUNC_probe_read_user_str),
		/* 15: n > 0, to 18 */
		/* 15 */ JMP_IMM(BPF_JSGT, BPF_REG_0, 0, 2),
		/* 16 */ ST_MEM(BPF_B, BPF_REG_7, 4, 0),
		/* 17 */ MOV64_IMM(BPF_REG_0, 1),
		/* 18 */ MOV64_REG(BPF_REG_5, BPF_REG_0),
		/* 19 */ ALU64_IMM(BPF_AND, BPF_REG_5, 2 * max - 1),
		/* 20: n <= max, to 22 */
		/* 20 */ JMP_IMM(BPF_JLE, BPF_REG_5, max, 1),
		/* 21 */ MOV64_IMM(BPF_REG_5, max),
		/* 22 */ ALU64_IMM(BPF_ADD, BPF_REG_5, 4),
		/* 23 */ MOV64_REG(BPF_REG_4, BPF_REG_7),
		/* 24 */ MOV64_REG(BPF_REG_1, BPF_REG_6),
		/* 25 */ LD_MAP_FD(BPF_REG_2, u->outputs),
		/* 27: BPF_F_CURRENT_CPU, 0xffffffff: any other bit is refused */
		/* 27 */ MOV32_IMM(BPF_REG_3, -1),
		/* 28 */ CALL(BPF_FUNC_perf_event_output),
		/* 29 */ MOV64_IMM(BPF_REG_0, 1),
		/* 30 */ EXIT(),
	};

	_Static_assert(sizeof(prog) == PROG_LEN * sizeof(prog[0]),
		       "PROG_LEN instructions");
	memcpy(p, prog, sizeof(prog));
}

/* Log the verifier's @log, a line per message (sonde__log() cuts long
 * messages). */
static void log_verifier(const char *log, uint32_t ptr_off, uint32_t tag,
			 int err)
{
	const char *line = log, *nl;

	sonde__logf(
		SONDE_LOG_DEBUG,
		"The verifier refused the user string program. err=%d ptr_off=%u tag=%u",
		err, ptr_off, tag);
	while (line && *line) {
		nl = strchr(line, '\n');
		sonde__logf(SONDE_LOG_DEBUG, "verifier: %.*s",
			    (int)(nl ? nl - line : (long)strlen(line)), line);
		line = nl ? nl + 1 : NULL;
	}
}

/* The kernel's id of program @fd, or 0. */
static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info;
	union bpf_attr a;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
		return 0;
	return info.id;
}

/* Load the program for (@ptr_off, @tag): its fd or -errno. */
static int prog_load(const struct sonde__ustr *u, uint32_t ptr_off,
		     uint32_t tag)
{
	struct bpf_insn prog[PROG_LEN];
	char *log = calloc(1, LOG_SIZE);
	union bpf_attr a;
	int r;

	prog_build(u, ptr_off, tag, prog);
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	a.insn_cnt = PROG_LEN;
	a.insns = (uint64_t)(uintptr_t)prog;
	/* bpf_probe_read_user_str() is offered to GPL-compatible programs
	 * only; the kernel counts "Dual MIT/GPL" as one. */
	a.license = (uint64_t)(uintptr_t) "Dual MIT/GPL";
	strncpy(a.prog_name, "sonde_ustr", sizeof(a.prog_name) - 1);
	if (log) {
		a.log_level = 1;
		a.log_size = LOG_SIZE;
		a.log_buf = (uint64_t)(uintptr_t)log;
	}
	r = sys_bpf(BPF_PROG_LOAD, &a);
	if (r < 0) {
		if (log)
			log[LOG_SIZE - 1] = 0;
		log_verifier(log ? log : "", ptr_off, tag, r);
	}
	free(log);
	return r;
}

/*
 * The cached program for (@ptr_off, @tag), loaded on first use.  A load
 * that failed is cached too (its -errno in fd): the per-CPU attaches of
 * one tracepoint load, and log the verifier's refusal, once.
 */
static int prog_get(struct sonde__ustr *u, uint32_t ptr_off, uint32_t tag,
		    struct prog **out)
{
	struct prog *p;

	for (uint32_t i = 0; i < u->nprogs; i++) {
		p = &u->progs[i];
		if (p->ptr_off == ptr_off && p->tag == tag) {
			*out = p;
			return p->fd < 0 ? p->fd : 0;
		}
	}
	if (u->nprogs == MAX_PROGS)
		return -ENOSPC;
	if (u->nprogs == u->cap) {
		uint32_t cap = u->cap ? 2 * u->cap : 4;

		p = realloc(u->progs, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		u->progs = p;
		u->cap = cap;
	}
	p = &u->progs[u->nprogs++];
	p->ptr_off = ptr_off;
	p->tag = tag;
	p->fd = prog_load(u, ptr_off, tag);
	p->id = p->fd < 0 ? 0 : prog_id(p->fd);
	*out = p;
	return p->fd < 0 ? p->fd : 0;
}

/* Whether program @id runs on the tracepoint of perf event @tp_fd. */
static int on_tracepoint(int tp_fd, uint32_t id)
{
	/* struct perf_event_query_bpf { u32 ids_len, prog_cnt, ids[]; } */
	uint32_t q[2 + QUERY_IDS];

	_Static_assert(offsetof(struct perf_event_query_bpf, ids) ==
			       2 * sizeof(uint32_t),
		       "ids after ids_len and prog_cnt");
	if (!id)
		return 0;
	memset(q, 0, sizeof(q));
	q[0] = QUERY_IDS;
	if (ioctl(tp_fd, PERF_EVENT_IOC_QUERY_BPF, q) < 0)
		return 0;
	for (uint32_t i = 0; i < q[1] && i < QUERY_IDS; i++)
		if (q[2 + i] == id)
			return 1;
	return 0;
}

int sonde__ustr_attach(struct sonde__ustr *u, int tp_fd, uint32_t ptr_off,
		       uint32_t tag)
{
	struct prog *p;
	int r;

	if (!u || tp_fd < 0 || ptr_off < CTX_MIN || ptr_off >= CTX_MAX ||
	    ptr_off % 8)
		return -EINVAL;
	r = prog_get(u, ptr_off, tag, &p);
	if (r < 0)
		return r;
	if (!ioctl(tp_fd, PERF_EVENT_IOC_SET_BPF, p->fd))
		return 0;
	r = -errno;
	/* Attached already through another event of this tracepoint: it runs
	 * for this one's hits too. */
	if (r == -EEXIST && on_tracepoint(tp_fd, p->id))
		return 0;
	sonde__logf(
		SONDE_LOG_DEBUG,
		"Cannot attach the user string program. err=%d ptr_off=%u tag=%u",
		r, ptr_off, tag);
	return r;
}

void sonde__ustr_destroy(struct sonde__ustr *u)
{
	if (!u)
		return;
	for (uint32_t i = 0; i < u->nprogs; i++)
		if (u->progs[i].fd >= 0)
			close(u->progs[i].fd);
	close(u->scratch);
	close(u->outputs);
	free(u->progs);
	free(u);
}
