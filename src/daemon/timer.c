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
 * would (sonde__ring_flush()), then moves back to the affinity it started
 * with.  Where the architecture has no restartable sequences, the flush is
 * made from here as it is.  The loop is the live timer's
 * (sonde__live_switch(), src/sources/live.c), which closes empty
 * sub-buffers too.
 *
 * Trust boundary: the buffers are written by the traced processes; only
 * the geometry of the view made when the buffers were created is used,
 * never the header, and the one offset read is masked into it.
 */
#include "../sources/live.h"
#include "daemon.h"

void sonde__sd_switch_timer(struct sd *d, struct sd_session *s)
{
	sonde__live_switch(s->view, &d->affinity, 0);
}
