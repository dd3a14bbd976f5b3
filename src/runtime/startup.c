// SPDX-License-Identifier: MIT
/*
 * Start-up of an instrumented process: the one unit above both the
 * tracepoint registry (src/instrumentation/) and the control side
 * (src/control/), so that neither calls up into the other.
 *
 *   startup.c  ──►  control/attach.c, control/agent.c  ──►  registry.c
 *        └──────────────────────────────────────────────►  registry.c
 *
 * Two ways in, whichever runs first:
 * - this library's constructor, which attaches the process to the
 *   session named by $SONDE_SHM (the processes of `sonde record`);
 * - sonde__register_events(), called by the constructor of every object
 *   that includes a provider header.  It attaches first (a program linked
 *   with libsonde.a may run its provider constructors before ours, and
 *   this reference is also what links the attaching code and its
 *   constructor into such a program), adds the object's sites to the
 *   registry, and then, unless $SONDE_SHM attached the process, starts the
 *   agent thread that registers it with the user's session daemon, and
 *   waits (bounded by $SONDE_REGISTER_TIMEOUT, never when no daemon runs)
 *   for the daemon's answer, so that a started session records the
 *   process's first events (agent.c).
 *
 * sonde__unregister_events() needs neither attach nor agent and stays
 * with the registry.
 */
#include <sonde/tracepoint.h>

#include "../control/attach.h"
#include "../instrumentation/registry.h"

SONDE__API void sonde__register_events(struct sonde_event_desc **start,
				       struct sonde_event_desc **stop)
{
	if (!start || stop <= start)
		return;
	sonde__attach();
	sonde__registry_add(start, stop);
	if (!sonde__attached_by_env()) {
		sonde__agent_start();
		sonde__agent_wait();
	}
}

static void __attribute__((constructor)) startup_ctor(void)
{
	sonde__attach();
}
