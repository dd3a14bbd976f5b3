// SPDX-License-Identifier: MIT
/*
 * test-context-ip: events from four kinds of site, each in a function of
 * its own, for `sonde record --context ip`: a typed tracepoint (a small
 * record, serialized aside), a typed tracepoint too big for that (written
 * in place), a printf-style marker and a tracef.  Prints where each
 * function was loaded ("name=0xADDR"), so that the test can tell, with the
 * functions' sizes from nm, which function each event's ip falls in.
 */
#define SONDE_TRACEPOINT_DEFINE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sonde/marker.h>
#include <sonde/tracef.h>
#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(ctxip, small,
	SONDE_TP_ARGS(int32_t, i),
	SONDE_TP_FIELDS(sonde_field_integer(int32_t, i, i)))

SONDE_TRACEPOINT_EVENT(ctxip, big,
	SONDE_TP_ARGS(int32_t, i, const char *, s),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, i, i)
		sonde_field_string(s, s)))

#define N 200

static char big_text[1024];

void ip_small(int i);
void ip_big(int i);
void ip_mark(int i);
void ip_tracef(int i);

__attribute__((noinline)) void ip_small(int i)
{
	sonde_tracepoint(ctxip, small, i);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void ip_big(int i)
{
	sonde_tracepoint(ctxip, big, i, big_text);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void ip_mark(int i)
{
	sonde_mark(ctxip, mark, "i=%d", i);
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void ip_tracef(int i)
{
	sonde_tracef("tracef number %d", i);
	__asm__ volatile("" ::: "memory");
}

int main(void)
{
	memset(big_text, 'x', sizeof(big_text) - 1);
	printf("ip_small=0x%" PRIxPTR "\nip_big=0x%" PRIxPTR
	       "\nip_mark=0x%" PRIxPTR "\nip_tracef=0x%" PRIxPTR "\n",
	       (uintptr_t)ip_small, (uintptr_t)ip_big, (uintptr_t)ip_mark,
	       (uintptr_t)ip_tracef);
	for (int i = 0; i < N; i++) {
		ip_small(i);
		ip_big(i);
		ip_mark(i);
		ip_tracef(i);
	}
	return 0;
}
