// SPDX-License-Identifier: MIT
/*
 * Session daemon, switch timer: every switch_ms of a started session
 * (sonde create --switch-timer), close the partly filled sub-buffers of
 * its channel, so that a quiet process's last records reach the trace
 * within that time instead of waiting for the sub-buffer to fill.
 *
 * A sub-buffer is closed by a switch, which must not race the writers of
 * that CPU's buffer: the daemon moves itself to each CPU whose buffer holds
 * records and switches it there in a restartable sequence, as a writer
 * would (sonde__ring_flush()), then moves back.  Where the architecture has
 * no restartable sequences, the flush is made from here as it is.
 *
 * Trust boundary: the buffers are written by the traced processes; only
 * the geometry of the view made when the buffers were created is used,
 * never the header, and the one offset read is masked into it.
 */
#include <errno.h>
#include <sched.h>

#include "../buffers/layout.h"
#include "../buffers/ring.h"
#include "../control/attach.h"
#include "daemon.h"

void sonde__sd_switch_timer(struct sd *d, struct sd_session *s)
{
	const struct sonde__chan_view *v = s->view;
	int moved = 0;

	for (uint32_t cpu = 0; cpu < v->ncpu; cpu++) {
		struct sonde_rb_cpu *rb = v->cpu[cpu].rb;
		uint64_t off = __atomic_load_n(&rb->offset, __ATOMIC_ACQUIRE);

		if ((((uint32_t)(off - 1) & v->subbuf_mask) + 1) ==
		    SONDE__PKT_HDR_SIZE)
			continue;
#if SONDE__ARCH_HAVE_RSEQ
		cpu_set_t one;

		if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &d->affinity))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			continue;
		moved = 1;
		for (int i = 0; i < 3 && sonde__ring_flush(s->view, cpu) ==
						 -EAGAIN; i++)
			sched_yield();
#else
		(void)d;
		sonde__ring_flush(s->view, cpu);
#endif
	}
	if (moved)
		sched_setaffinity(0, sizeof(d->affinity), &d->affinity);
}
