// SPDX-License-Identifier: MIT
/*
 * test-hwtrace-perf: the perf AUX backend on a machine without the PMUs
 * it drives: for each of cs_etm, intel_pt and arm_spe_0 that
 * /sys/bus/event_source/devices lacks, sonde_hw_perf_open() is -ENODEV
 * with a sentence naming the PMU; on a fixture PMU root (a cs_etm with a
 * type no kernel has, and a sinks/ folder) an unknown sink is -ENOENT and
 * the type is given to perf_event_open(), whose error comes back with a
 * sentence.  Where one of the PMUs exists, that PMU is only reported.
 */
#include <errno.h>

#include "hwtrace-fixture.h"

int main(void)
{
	static const char *const pmus[] = { "cs_etm", "intel_pt", "arm_spe_0" };
	struct sonde_hw_perf_opts o = { .size = sizeof(o), .pid = 0, .cpu = -1 };
	struct sonde_hw_perf *h = NULL;
	char dir[PATH_MAX], path[PATH_MAX * 4];
	int r;

	tap_no_plan();
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s", pmus[i]);
		if (access(path, F_OK) == 0) {
			tap_diag("%s exists here: not checked for -ENODEV", pmus[i]);
			continue;
		}
		o.pmu = pmus[i];
		r = sonde_hw_perf_open(&o, &h);
		tap_is_int(r, -ENODEV, "%s: -ENODEV", pmus[i]);
		tap_ok(strstr(sonde_hw_error_message(), pmus[i]) &&
		       strstr(sonde_hw_error_message(), "does not exist"),
		       "the sentence names it: %s", sonde_hw_error_message());
		tap_ok(h == NULL, "and no tracer");
	}
	o.pmu = "cs_etm/../x";
	tap_is_int(sonde_hw_perf_open(&o, &h), -EINVAL, "a PMU name with '/' is refused");

	fx_copy(dir, sizeof(dir));
	snprintf(path, sizeof(path), "mkdir -p '%s/pmu/cs_etm/sinks' && echo 4000000 >'%s/pmu/cs_etm/type' && echo 0xa1b2c3 >'%s/pmu/cs_etm/sinks/tmc_etr0'",
		 dir, dir, dir);
	if (strlen(dir) > PATH_MAX / 2 || system(path) != 0)
		tap_bail("cannot make the fixture PMU");
	snprintf(path, sizeof(path), "%s/pmu", dir);
	setenv("SONDE_HWTRACE_PMU", path, 1);
	o.pmu = "cs_etm";
	o.sink = "tmc_etf9";
	tap_is_int(sonde_hw_perf_open(&o, &h), -ENOENT, "a sink cs_etm does not list: -ENOENT");
	o.sink = "tmc_etr0";
	r = sonde_hw_perf_open(&o, &h);
	tap_ok(r < 0 && r != -ENODEV && strstr(sonde_hw_error_message(), "perf_event_open of cs_etm"),
	       "a type no kernel has: perf_event_open's error, said (%d: %s)", r,
	       sonde_hw_error_message());
	o.aux_pages = 3;
	tap_is_int(sonde_hw_perf_open(&o, &h), -EINVAL, "3 AUX pages: not a power of two");
	fx_remove(dir);
	return tap_done();
}
