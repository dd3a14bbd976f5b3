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
	".pushsection __rseq_failure, \"ax\"\n\t"                              \
	".byte 0x0f, 0xb9, 0x3d\n\t"                                           \
	".long 0x53053053\n\t"                                                 \
	"4:\n\t"                                                               \
	"jmp %l[abort]\n\t"                                                    \
	".popsection\n\t"

/*
 * Reserve: if still on @cpu and *@v == @expect, store @markv into *@mark
 * (the reservation's salvage marker, see src/buffers/ring.c) and then commit
 * *@v = @newv.  Returns 0 when committed, 1 when *@v changed, -1 on abort.
 */
static inline int sonde__arch_rseq_reserve(uint64_t *v, uint64_t expect,
					   uint64_t newv, uint32_t *mark,
					   uint32_t markv, uint32_t cpu,
					   long rseq_off)
{
	__asm__ __volatile__ goto(
		SONDE__RSEQ_CS_BEGIN
		"cmpq %[v], %[expect]\n\t"
		"jnz %l[cmpfail]\n\t"
		"movl %[markv], %[mark]\n\t"
		"movq %[newv], %[v]\n\t"
		SONDE__RSEQ_CS_END
		:
		: [cpu] "r"(cpu), [roff] "r"(rseq_off), [v] "m"(*v),
		  [expect] "r"(expect), [newv] "r"(newv), [mark] "m"(*mark),
		  [markv] "r"(markv)
		: "memory", "cc", "rax"
		: abort, cmpfail);
	return 0;
abort:
	return -1;
cmpfail:
	return 1;
}

/*
 * Same as sonde__arch_rseq_reserve() with a second speculative store
 * *@spec = @specv before the commit (the buffer's tentative last writer).
 */
static inline int sonde__arch_rseq_reserve2(uint64_t *v, uint64_t expect,
					    uint64_t newv, uint32_t *mark,
					    uint32_t markv, uint64_t *spec,
					    uint64_t specv, uint32_t cpu,
					    long rseq_off)
{
	__asm__ __volatile__ goto(
		SONDE__RSEQ_CS_BEGIN
		"cmpq %[v], %[expect]\n\t"
		"jnz %l[cmpfail]\n\t"
		"movl %[markv], %[mark]\n\t"
		"movq %[specv], %[spec]\n\t"
		"movq %[newv], %[v]\n\t"
		SONDE__RSEQ_CS_END
		:
		: [cpu] "r"(cpu), [roff] "r"(rseq_off), [v] "m"(*v),
		  [expect] "r"(expect), [newv] "r"(newv), [mark] "m"(*mark),
		  [markv] "r"(markv), [spec] "m"(*spec), [specv] "r"(specv)
		: "memory", "cc", "rax"
		: abort, cmpfail);
	return 0;
abort:
	return -1;
cmpfail:
	return 1;
}

/* Switch: like reserve with a one-byte marker (padding may be < 4 bytes). */
static inline int sonde__arch_rseq_switch(uint64_t *v, uint64_t expect,
					  uint64_t newv, uint8_t *mark,
					  uint8_t markv, uint32_t cpu,
					  long rseq_off)
{
	__asm__ __volatile__ goto(
		SONDE__RSEQ_CS_BEGIN
		"cmpq %[v], %[expect]\n\t"
		"jnz %l[cmpfail]\n\t"
		"movb %[markv], %[mark]\n\t"
		"movq %[newv], %[v]\n\t"
		SONDE__RSEQ_CS_END
		:
		: [cpu] "r"(cpu), [roff] "r"(rseq_off), [v] "m"(*v),
		  [expect] "r"(expect), [newv] "r"(newv), [mark] "m"(*mark),
		  [markv] "q"(markv)
		: "memory", "cc", "rax"
		: abort, cmpfail);
	return 0;
abort:
	return -1;
cmpfail:
	return 1;
}

/*
 * Commit: *@v += @count while still on @cpu.  The add is one instruction,
 * so it is the commit point; the rseq section only guarantees that no other
 * CPU can be writing the same counter.  Returns 0, or -1 on abort.
 */
static inline int sonde__arch_rseq_add(uint64_t *v, uint64_t count,
				       uint32_t cpu, long rseq_off)
{
	__asm__ __volatile__ goto(
		SONDE__RSEQ_CS_BEGIN
		"addq %[count], %[v]\n\t"
		SONDE__RSEQ_CS_END
		:
		: [cpu] "r"(cpu), [roff] "r"(rseq_off), [v] "m"(*v),
		  [count] "r"(count)
		: "memory", "cc", "rax"
		: abort);
	return 0;
abort:
	return -1;
}

#endif /* SONDE_STATIC_ARCH_X86_64_H */
