// SPDX-License-Identifier: MIT
/*
 * Reading a counting session in the seed's simple mode: each fd gives
 * {value, time_enabled, time_running}; a CPU slot's value is extrapolated
 * to its enabled time (value * enabled / running, in double: no overflow
 * where u64 products would wrap), and the slots are summed.  The running
 * percentage is the summed running time over the summed enabled time.  An
 * event that was never on a counter (running 0) reads as raw 0 and 0 %,
 * which sonde stat prints as <not counted>; a pinned event that lost its
 * counter reads end of file, which is -ENOSPC.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "session.h"

int sonde_pmu_read(struct sonde_pmu_session *s, size_t i,
		   struct sonde_pmu_value *v)
{
	const struct sonde__pmu_event *e;
	struct sonde_pmu_value sum;

	if (!v || v->size < sizeof(*v))
		return -EINVAL;
	if (!s || i >= s->nr)
		return -ERANGE;
	e = &s->ev[i];
	if (e->status < 0)
		return e->status;
	memset(&sum, 0, sizeof(sum));
	sum.size = v->size;
	for (size_t c = 0; c < s->nr_cpus; c++) {
		uint64_t buf[3];
		ssize_t r = read(e->fds[c], buf, sizeof(buf));

		if (r == 0)
			return -ENOSPC;
		if (r < 0)
			return -errno;
		if (r != (ssize_t)sizeof(buf))
			return -EIO;
		sum.raw += buf[0];
		sum.enabled_ns += buf[1];
		sum.running_ns += buf[2];
		if (buf[2])
			sum.scaled += (double)buf[0] * ((double)buf[1] /
							(double)buf[2]);
	}
	if (sum.enabled_ns)
		sum.running_pct = 100.0 * (double)sum.running_ns /
				  (double)sum.enabled_ns;
	*v = sum;
	return 0;
}
