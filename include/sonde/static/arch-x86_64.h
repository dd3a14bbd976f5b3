/* SPDX-License-Identifier: MIT */
/*
 * x86-64 primitives for the inline hot path: the cycle counter and the
 * restartable-sequence (rseq) critical sections that make per-CPU buffer
 * updates atomic with respect to preemption, migration and signals without a
 * LOCK prefix.  They live in an installed header because the fast path is
 * inlined into instrumented programs; no other installed header may hold
 * architecture code.
 *
 * Each critical section follows the kernel's rseq ABI (linux/rseq.h): a
 * 32-byte aligned descriptor in section __rseq_cs naming start, post-commit
 * offset and abort address; the abort address is preceded by the 32-bit
 * signature glibc registered (RSEQ_SIG, 0x53053053 on x86).  The descriptor
 * address is stored into rseq->rseq_cs (at %fs:rseq_off + 8) and the current
 * CPU is read from rseq->cpu_id (at %fs:rseq_off + 4).  The kernel moves a
 * thread that is preempted, migrated or signalled inside [start, commit) to
 * the abort address, so the single final store is the commit point.
 */
#ifndef SONDE_STATIC_ARCH_X86_64_H
#define SONDE_STATIC_ARCH_X86_64_H

#include <stdint.h>

#define SONDE__ARCH_HAVE_RSEQ 1
#define SONDE__ARCH_HAVE_CYCLES 1

static inline uint64_t sonde__arch_cycles(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/*
 * In a shared object the descriptor pointer is cleared after the commit:
 * the descriptor lives in that object, which dlclose() may unmap, and the
 * kernel reads rseq_cs at the next preemption (a dangling one kills the
 * thread).  An executable's code is never unmapped, so it skips the store.
 */
#if defined(__PIC__) && !defined(__PIE__)
#define SONDE__RSEQ_CS_CLEAR "movq $0, %%fs:8(%[roff])\n\t"
#define SONDE__RSEQ_CLEAR_IN_DSO 1
#else
#define SONDE__RSEQ_CS_CLEAR ""
#define SONDE__RSEQ_CLEAR_IN_DSO 0
#endif

/* Forget the critical-section descriptor (see SONDE__RSEQ_CS_END). */
static inline void sonde__arch_rseq_clear(long rseq_off)
{
	if (SONDE__RSEQ_CLEAR_IN_DSO)
		__asm__ __volatile__("movq $0, %%fs:8(%0)"
				     :
				     : "r"(rseq_off)
				     : "memory");
}

/* Current CPU as the kernel last wrote it into this thread's rseq area. */
static inline uint32_t sonde__arch_rseq_cpu(long rseq_off)
{
	uint32_t cpu;

	__asm__ __volatile__("movl %%fs:4(%1), %0" : "=r"(cpu) : "r"(rseq_off));
	return cpu;
}

#define SONDE__RSEQ_CS_BEGIN                                                   \
	".pushsection __rseq_cs, \"aw\"\n\t"                                   \
	".balign 32\n\t"                                                       \
	"3:\n\t"                                                               \
	".long 0x0, 0x0\n\t"                                                   \
	".quad 1f, (2f - 1f), 4f\n\t"                                          \
	".popsection\n\t"                                                      \
	"leaq 3b(%%rip), %%rax\n\t"                                            \
	"movq %%rax, %%fs:8(%[roff])\n\t"                                      \
	"1:\n\t"                                                               \
	"cmpl %[cpu], %%fs:4(%[roff])\n\t"                                     \
	"jnz 4f\n\t"

#define SONDE__RSEQ_CS_END                                                     \
	"2:\n\t"                                                               \
	SONDE__RSEQ_CS_CLEAR                                                   \
	".pushsection __rseq_failure, \"ax\"\n\t"                              \
	".byte 0x0f, 0xb9, 0x3d\n\t"                                           \
	".long 0x53053053\n\t"                                                 \
	"4:\n\t"                                                               \
	"jmp %l[abort]\n\t"                                                    \
	".popsection\n\t"

/*
 * Reserve: if still on @cpu and *@v == @expect, store the 8 bytes @markv at
 * @mark (the reservation's salvage marker and its owner, see
 * src/buffers/ring.c; @mark need not be aligned) and then commit
 * *@v = @newv.  Returns 0 when committed, 1 when *@v changed, -1 on abort.
 */
static inline int sonde__arch_rseq_reserve(uint64_t *v, uint64_t expect,
					   uint64_t newv, void *mark,
					   uint64_t markv, uint32_t cpu,
					   long rseq_off)
{
	__asm__ __volatile__ goto(
		SONDE__RSEQ_CS_BEGIN
		"cmpq %[v], %[expect]\n\t"
		"jnz %l[cmpfail]\n\t"
		"movq %[markv], %[mark]\n\t"
		"movq %[newv], %[v]\n\t"
		SONDE__RSEQ_CS_END
		:
		: [cpu] "r"(cpu), [roff] "r"(rseq_off), [v] "m"(*v),
		  [expect] "r"(expect), [newv] "r"(newv),
		  [mark] "m"(*(uint64_t *)mark), [markv] "r"(markv)
		: "memory", "cc", "rax"
		: abort, cmpfail);
	return 0;
abort:
	sonde__arch_rseq_clear(rseq_off);
	return -1;
cmpfail:
	sonde__arch_rseq_clear(rseq_off);
	return 1;
}

/*
 * Same as sonde__arch_rseq_reserve() with a second speculative store
 * *@spec = @specv before the commit (the buffer's tentative last writer).
 */
static inline int sonde__arch_rseq_reserve2(uint64_t *v, uint64_t expect,
					    uint64_t newv, void *mark,
					    uint64_t markv, uint64_t *spec,
					    uint64_t specv, uint32_t cpu,
					    long rseq_off)
{
	__asm__ __volatile__ goto(
		SONDE__RSEQ_CS_BEGIN
		"cmpq %[v], %[expect]\n\t"
		"jnz %l[cmpfail]\n\t"
		"movq %[markv], %[mark]\n\t"
		"movq %[specv], %[spec]\n\t"
		"movq %[newv], %[v]\n\t"
		SONDE__RSEQ_CS_END
		:
		: [cpu] "r"(cpu), [roff] "r"(rseq_off), [v] "m"(*v),
		  [expect] "r"(expect), [newv] "r"(newv),
		  [mark] "m"(*(uint64_t *)mark), [markv] "r"(markv),
		  [spec] "m"(*spec), [specv] "r"(specv)
		: "memory", "cc", "rax"
		: abort, cmpfail);
	return 0;
abort:
	sonde__arch_rseq_clear(rseq_off);
	return -1;
cmpfail:
	sonde__arch_rseq_clear(rseq_off);
	return 1;
}

/* Inside a sequence: the header word, then the payload in 8-byte words. */
#define SONDE__RSEQ_COPY                                                       \
	"movl %[hdr], (%[dst])\n\t"                                           \
	"xorl %%r11d, %%r11d\n\t"                                             \
	"5:\n\t"                                                               \
	"movq (%[src], %%r11), %%rcx\n\t"                                     \
	"movq %%rcx, 4(%[dst], %%r11)\n\t"                                    \
	"addq $8, %%r11\n\t"                                                  \
	"cmpq %[n], %%r11\n\t"                                                \
	"jb 5b\n\t"

/*
 * Write a whole record and commit it: if still on @cpu and *@v == @expect,
 * store the 4-byte header @hdr at @dst, copy @nbytes (a non-zero multiple
 * of 8) of payload from @src to @dst + 4, then commit *@v = @newv.  Bytes
 * copied past the record proper land in space nobody has reserved.  The
 * header comes in a register, not through @src, so that the payload loads
 * match the stores that serialized it (no store-forwarding stall).
 * Returns 0 when committed, 1 when *@v changed, -1 on abort.
 */
static inline int sonde__arch_rseq_copy_commit(uint64_t *v, uint64_t expect,
					       uint64_t newv, void *dst,
					       uint32_t hdr, const void *src,
					       uint64_t nbytes, uint32_t cpu,
					       long rseq_off)
{
	__asm__ __volatile__ goto(
		SONDE__RSEQ_CS_BEGIN
		"cmpq %[v], %[expect]\n\t"
		"jnz %l[cmpfail]\n\t"
		SONDE__RSEQ_COPY
		"movq %[newv], %[v]\n\t"
		SONDE__RSEQ_CS_END
		:
		: [cpu] "r"(cpu), [roff] "r"(rseq_off), [v] "m"(*v),
		  [expect] "r"(expect), [newv] "r"(newv), [dst] "r"(dst),
		  [hdr] "r"(hdr), [src] "r"(src), [n] "r"(nbytes)
		: "memory", "cc", "rax", "rcx", "r11"
		: abort, cmpfail);
	return 0;
abort:
	sonde__arch_rseq_clear(rseq_off);
	return -1;
cmpfail:
	sonde__arch_rseq_clear(rseq_off);
	return 1;
}

/*
 * Same as sonde__arch_rseq_copy_commit() with a speculative store
 * *@spec = @specv before the commit (the buffer's tentative last writer,
 * for a record that starts with a thread record).
 */
static inline int sonde__arch_rseq_copy_commit2(uint64_t *v, uint64_t expect,
						uint64_t newv, void *dst,
						uint32_t hdr, const void *src,
						uint64_t nbytes, uint64_t *spec,
						uint64_t specv, uint32_t cpu,
						long rseq_off)
{
	__asm__ __volatile__ goto(
		SONDE__RSEQ_CS_BEGIN
		"cmpq %[v], %[expect]\n\t"
		"jnz %l[cmpfail]\n\t"
		SONDE__RSEQ_COPY
		"movq %[specv], %[spec]\n\t"
		"movq %[newv], %[v]\n\t"
		SONDE__RSEQ_CS_END
		:
		: [cpu] "r"(cpu), [roff] "r"(rseq_off), [v] "m"(*v),
		  [expect] "r"(expect), [newv] "r"(newv), [dst] "r"(dst),
		  [hdr] "r"(hdr), [src] "r"(src), [n] "r"(nbytes),
		  [spec] "m"(*spec), [specv] "r"(specv)
		: "memory", "cc", "rax", "rcx", "r11"
		: abort, cmpfail);
	return 0;
abort:
	sonde__arch_rseq_clear(rseq_off);
	return -1;
cmpfail:
	sonde__arch_rseq_clear(rseq_off);
	return 1;
}

/*
 * Sub-buffer switch: if still on @cpu and *@v == @expect, copy 5 words from
 * @s to @d1 (end fields of the packet being closed) and the next 6 words to
 * @d2 (begin fields of the packet being opened), store the padding byte
 * @markv at @mark, then commit *@v = @newv.
 */
static inline int sonde__arch_rseq_switch(uint64_t *v, uint64_t expect,
					  uint64_t newv, void *d1, void *d2,
					  const uint64_t *s, uint8_t *mark,
					  uint8_t markv, uint32_t cpu,
					  long rseq_off)
{
	__asm__ __volatile__ goto(
		SONDE__RSEQ_CS_BEGIN
		"cmpq %[v], %[expect]\n\t"
		"jnz %l[cmpfail]\n\t"
		"movq 0(%[s]), %%rcx\n\t"
		"movq %%rcx, 0(%[d1])\n\t"
		"movq 8(%[s]), %%rcx\n\t"
		"movq %%rcx, 8(%[d1])\n\t"
		"movq 16(%[s]), %%rcx\n\t"
		"movq %%rcx, 16(%[d1])\n\t"
		"movq 24(%[s]), %%rcx\n\t"
		"movq %%rcx, 24(%[d1])\n\t"
		"movq 32(%[s]), %%rcx\n\t"
		"movq %%rcx, 32(%[d1])\n\t"
		"movq 40(%[s]), %%rcx\n\t"
		"movq %%rcx, 0(%[d2])\n\t"
		"movq 48(%[s]), %%rcx\n\t"
		"movq %%rcx, 8(%[d2])\n\t"
		"movq 56(%[s]), %%rcx\n\t"
		"movq %%rcx, 16(%[d2])\n\t"
		"movq 64(%[s]), %%rcx\n\t"
		"movq %%rcx, 24(%[d2])\n\t"
		"movq 72(%[s]), %%rcx\n\t"
		"movq %%rcx, 32(%[d2])\n\t"
		"movq 80(%[s]), %%rcx\n\t"
		"movq %%rcx, 40(%[d2])\n\t"
		"movb %[markv], %[mark]\n\t"
		"movq %[newv], %[v]\n\t"
		SONDE__RSEQ_CS_END
		:
		: [cpu] "r"(cpu), [roff] "r"(rseq_off), [v] "m"(*v),
		  [expect] "r"(expect), [newv] "r"(newv), [d1] "r"(d1),
		  [d2] "r"(d2), [s] "r"(s), [mark] "m"(*mark), [markv] "q"(markv)
		: "memory", "cc", "rax", "rcx"
		: abort, cmpfail);
	return 0;
abort:
	sonde__arch_rseq_clear(rseq_off);
	return -1;
cmpfail:
	sonde__arch_rseq_clear(rseq_off);
	return 1;
}

#endif /* SONDE_STATIC_ARCH_X86_64_H */
