// SPDX-License-Identifier: MIT
/*
 * test-hwtrace-enable: sonde_hw_path_enable/disable/start/stop on copies
 * of the fixture boards, reading back the sysfs files they write:
 * sink and helpers on, source started and stopped; a sink shared by two
 * paths stays activated until the last is disabled; a source shared by
 * two paths into one sink is stopped by the last; a sink that was on
 * before is left on; -EBUSY for a sysfs/perf clash, for an ETF wanted as
 * sink and link, for a source started into another sink, and for another
 * activated sink the kernel would pick first; rollback when a write fails
 * (an attribute made a folder), the path then as before.
 */
#include <errno.h>

#include "hwtrace-fixture.h"

static char dir[PATH_MAX];

static struct sonde_hw_path *build(struct sonde_hw_topo *t, const char *src,
				   const char *sink)
{
	struct sonde_hw_path *p = NULL;

	if (sonde_hw_path_build(t, src, sink, &p) < 0)
		tap_bail("%s -> %s: %s", src, sink ? sink : "default", sonde_hw_error_message());
	return p;
}

#define J(dev, attr) fx_read(dir, "juno-r1", dev, attr)
#define D(dev, attr) fx_read(dir, "db410c", dev, attr)

static void basic(void)
{
	struct sonde_hw_topo *t;
	struct sonde_hw_path *a, *b;

	if (fx_open(dir, "juno-r1", &t) < 0)
		tap_bail("%s", sonde_hw_error_message());
	a = build(t, "etm0", NULL);
	tap_is_int(sonde_hw_path_start(a), -EINVAL, "a path is enabled before it starts");
	tap_is_int(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS), 0, "etm0 -> tmc_etr0 enabled (sysfs)");
	tap_is_str(J("tmc_etr0", "enable_sink"), "1", "tmc_etr0 is activated");
	tap_is_str(J("tmc_etf0", "enable_sink"), "0", "tmc_etf0, a link on this path, is not");
	tap_is_str(J("cti_sys0", "enable"), "1", "the sink's helper cti_sys0 is enabled");
	tap_is_str(J("cti_cpu0", "enable"), "1", "the source's helper cti_cpu0 is enabled");
	tap_is_str(J("etm0", "enable_source"), "0", "the source is not started yet");
	tap_is_int(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS), -EALREADY, "enabling twice: -EALREADY");
	tap_is_int(sonde_hw_path_start(a), 0, "etm0 started");
	tap_is_str(J("etm0", "enable_source"), "1", "etm0/enable_source is 1");
	tap_is_int(sonde_hw_path_disable(a), -EBUSY, "a started path is not disabled");

	/* A second path from etm0 into the same sink shares the source. */
	b = build(t, "etm0", "tmc_etr0");
	tap_is_int(sonde_hw_path_enable(b, SONDE_HW_MODE_SYSFS), 0, "a second etm0 -> tmc_etr0 path enabled");
	tap_is_int(sonde_hw_path_start(b), 0, "and started (a reference on etm0)");
	tap_is_int(sonde_hw_path_stop(a), 0, "the first stopped");
	tap_is_str(J("etm0", "enable_source"), "1", "etm0 still on: the second path holds it");
	tap_is_int(sonde_hw_path_disable(a), 0, "the first disabled");
	tap_is_str(J("tmc_etr0", "enable_sink"), "1", "tmc_etr0 still activated: the second path holds it");
	tap_is_str(J("cti_sys0", "enable"), "1", "cti_sys0 still on");
	tap_is_int(sonde_hw_path_stop(b), 0, "the second stopped");
	tap_is_str(J("etm0", "enable_source"), "0", "etm0 off with its last reference");
	tap_is_int(sonde_hw_path_stop(b), -EINVAL, "stopping twice: -EINVAL");
	tap_is_int(sonde_hw_path_disable(b), 0, "the second disabled");
	tap_is_str(J("tmc_etr0", "enable_sink"), "0", "tmc_etr0 off with its last path");
	tap_is_str(J("cti_sys0", "enable"), "0", "cti_sys0 off");
	tap_is_str(J("cti_cpu0", "enable"), "0", "cti_cpu0 off");
	sonde_hw_path_destroy(a);

	/* Two sources into one sink. */
	a = build(t, "etm0", NULL);
	b = build(t, "etm1", NULL);
	tap_ok(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS) == 0 &&
	       sonde_hw_path_enable(b, SONDE_HW_MODE_SYSFS) == 0 &&
	       sonde_hw_path_start(a) == 0 && sonde_hw_path_start(b) == 0,
	       "etm0 and etm1 both trace into tmc_etr0");
	tap_is_str(J("etm1", "enable_source"), "1", "etm1 on");
	sonde_hw_path_destroy(a);
	tap_is_str(J("etm0", "enable_source"), "0", "destroying etm0's path stops etm0");
	tap_is_str(J("tmc_etr0", "enable_sink"), "1", "and leaves the shared sink on");
	sonde_hw_topo_close(t);
	tap_is_str(J("etm1", "enable_source"), "0", "closing the topology stops etm1");
	tap_is_str(J("tmc_etr0", "enable_sink"), "0", "and deactivates tmc_etr0");
}

static void clashes(void)
{
	struct sonde_hw_topo *t;
	struct sonde_hw_path *a, *b, *c;

	if (fx_open(dir, "juno-r1", &t) < 0)
		tap_bail("%s", sonde_hw_error_message());
	a = build(t, "etm0", "tmc_etr0");
	b = build(t, "etm3", "tmc_etr0");
	tap_is_int(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS), 0, "etm0 -> tmc_etr0 in sysfs mode");
	tap_is_int(sonde_hw_path_enable(b, SONDE_HW_MODE_PERF), -EBUSY,
		   "etm3 -> tmc_etr0 in perf mode: -EBUSY");
	tap_ok(strstr(sonde_hw_error_message(), "sysfs mode") != NULL, "saying why: %s",
	       sonde_hw_error_message());
	tap_is_str(J("cti_cpu0", "enable"), "1", "the clash left the sysfs path's devices alone");
	tap_is_int(sonde_hw_path_disable(a), 0, "sysfs path disabled");
	tap_is_int(sonde_hw_path_enable(b, SONDE_HW_MODE_PERF), 0, "now the perf path enables");
	tap_is_str(J("tmc_etr0", "enable_sink"), "0", "perf mode writes no sysfs file");
	tap_is_int(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS), -EBUSY,
		   "and the sysfs path is -EBUSY in turn");
	tap_is_int(sonde_hw_path_disable(b), 0, "perf path disabled");

	/* Activated through sysfs by someone else: perf may not use it. */
	fx_write(dir, "juno-r1", "tmc_etr0", "enable_sink", "1\n");
	tap_is_int(sonde_hw_path_enable(b, SONDE_HW_MODE_PERF), -EBUSY,
		   "a sink activated through sysfs by someone else: perf path -EBUSY");
	tap_is_int(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS), 0, "a sysfs path may share it");
	tap_is_int(sonde_hw_path_disable(a), 0, "and when it lets go");
	tap_is_str(J("tmc_etr0", "enable_sink"), "1", "the sink someone else activated stays activated");
	fx_write(dir, "juno-r1", "tmc_etr0", "enable_sink", "0\n");

	/* tmc_etf0 as a sink here and as a link there. */
	c = build(t, "etm0", "tmc_etf0");
	tap_is_int(sonde_hw_path_enable(c, SONDE_HW_MODE_SYSFS), 0, "etm0 -> tmc_etf0 (the ETF as sink)");
	tap_is_int(sonde_hw_path_enable(b, SONDE_HW_MODE_SYSFS), -EBUSY,
		   "etm3 -> tmc_etr0 through tmc_etf0 as a link: -EBUSY");
	tap_is_str(J("tmc_etr0", "enable_sink"), "0", "its sink was rolled back");
	tap_is_str(J("cti_sys0", "enable"), "1", "cti_sys0 still held by the ETF path");
	sonde_hw_path_destroy(c);
	tap_is_str(J("cti_sys0", "enable"), "0", "and let go with it");
	sonde_hw_topo_close(t);

	/* Another activated sink that the kernel's search finds first. */
	if (fx_open(dir, "db410c", &t) < 0)
		tap_bail("%s", sonde_hw_error_message());
	a = build(t, "etm1", "tmc_etr0");
	b = build(t, "etm0", "tpiu0");
	c = build(t, "etm0", "tmc_etr0");
	tap_ok(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS) == 0 &&
	       sonde_hw_path_enable(b, SONDE_HW_MODE_SYSFS) == 0,
	       "db410c: etm1 -> tmc_etr0 and etm0 -> tpiu0 enabled");
	tap_is_int(sonde_hw_path_start(b), -EBUSY,
		   "starting etm0 -> tpiu0 while tmc_etr0 (replicator port 0) is activated: -EBUSY");
	tap_ok(strstr(sonde_hw_error_message(), "tmc_etr0 is activated too") != NULL, "saying why: %s",
	       sonde_hw_error_message());
	tap_is_str(D("etm0", "enable_source"), "0", "etm0 not started");
	tap_ok(sonde_hw_path_enable(c, SONDE_HW_MODE_SYSFS) == 0 && sonde_hw_path_start(c) == 0,
	       "etm0 -> tmc_etr0 starts (tmc_etr0 comes first)");
	tap_is_int(sonde_hw_path_start(b), -EBUSY, "etm0 -> tpiu0 now: etm0 traces into tmc_etr0, -EBUSY");
	tap_ok(strstr(sonde_hw_error_message(), "already traces into tmc_etr0") != NULL, "saying why: %s",
	       sonde_hw_error_message());
	fx_write(dir, "db410c", "etm2", "enable_source", "1\n");
	sonde_hw_path_destroy(a);
	a = build(t, "etm2", "tmc_etr0");
	tap_ok(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS) == 0 && sonde_hw_path_start(a) == -EBUSY,
	       "etm2, enabled by someone else through sysfs: -EBUSY");
	sonde_hw_topo_close(t);
	fx_write(dir, "db410c", "etm2", "enable_source", "0\n");
	tap_is_str(D("tmc_etr0", "enable_sink"), "0", "db410c: all off after close");
	tap_is_str(D("tpiu0", "enable_sink"), "0", "tpiu0 too");
}

static void rollback(void)
{
	struct sonde_hw_topo *t;
	struct sonde_hw_path *a, *b;

	if (fx_open(dir, "juno-r1", &t) < 0)
		tap_bail("%s", sonde_hw_error_message());
	a = build(t, "etm0", NULL);
	/* The last step (the source's helper) fails. */
	fx_break(dir, "juno-r1", "cti_cpu0", "enable");
	tap_ok(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS) < 0, "cti_cpu0's enable cannot be written: enable fails");
	tap_ok(strstr(sonde_hw_error_message(), "cti_cpu0/enable") != NULL, "naming the file: %s",
	       sonde_hw_error_message());
	tap_is_str(J("tmc_etr0", "enable_sink"), "0", "rolled back: the sink, enabled first, is off again");
	tap_is_str(J("cti_sys0", "enable"), "0", "rolled back: the sink's helper too");
	fx_unbreak(dir, "juno-r1", "cti_cpu0", "enable");
	/* The first device step (the sink) fails after its helper. */
	fx_break(dir, "juno-r1", "tmc_etr0", "enable_sink");
	tap_ok(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS) < 0, "tmc_etr0's enable_sink cannot be written: enable fails");
	tap_is_str(J("cti_sys0", "enable"), "0", "the helper enabled before the sink is off again");
	tap_is_str(J("cti_cpu0", "enable"), "0", "nothing nearer the source was touched");
	fx_unbreak(dir, "juno-r1", "tmc_etr0", "enable_sink");
	/* Counts were rolled back too: a shared sink still works as it should. */
	b = build(t, "etm1", NULL);
	tap_ok(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS) == 0 &&
	       sonde_hw_path_enable(b, SONDE_HW_MODE_SYSFS) == 0, "after repair both paths enable");
	tap_ok(sonde_hw_path_disable(a) == 0 && !strcmp(J("tmc_etr0", "enable_sink"), "1"),
	       "the sink stays on for the second path (no count left over from the failures)");
	tap_ok(sonde_hw_path_disable(b) == 0 && !strcmp(J("tmc_etr0", "enable_sink"), "0"),
	       "and goes off with it");
	/* The source's write fails: the path stays enabled, not started. */
	tap_is_int(sonde_hw_path_enable(a, SONDE_HW_MODE_SYSFS), 0, "enabled again");
	fx_break(dir, "juno-r1", "etm0", "enable_source");
	tap_ok(sonde_hw_path_start(a) < 0, "etm0's enable_source cannot be written: start fails");
	tap_is_int(sonde_hw_path_stop(a), -EINVAL, "the path is not started");
	tap_is_str(J("tmc_etr0", "enable_sink"), "1", "and still enabled, as before the call");
	fx_unbreak(dir, "juno-r1", "etm0", "enable_source");
	tap_is_int(sonde_hw_path_start(a), 0, "after repair it starts");
	tap_is_int(sonde_hw_path_stop(a), 0, "and stops");
	tap_is_int(sonde_hw_path_disable(a), 0, "and is disabled");
	sonde_hw_topo_close(t);
}

int main(void)
{
	tap_no_plan();
	fx_copy(dir, sizeof(dir));
	basic();
	clashes();
	rollback();
	if (tap_done() == 0) {
		fx_remove(dir);
		return 0;
	}
	tap_diag("kept %s", dir);
	return 1;
}
