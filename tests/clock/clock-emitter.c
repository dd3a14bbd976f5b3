// SPDX-License-Identifier: MIT
/*
 * Emits clock:sample events carrying CLOCK_REALTIME nanoseconds taken at the
 * call, with growing gaps (none, 1 ms, 10 ms, 70 ms, 300 ms) so that the
 * compact 24-bit timestamps wrap zero, one and many times between records
 * and extended headers are needed.  test-clock.sh compares each event's
 * trace time with the value it carries.
 */
#include <stdint.h>
#include <time.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(clock, sample,
	SONDE_TP_ARGS(uint64_t, real_ns, uint32_t, gap_us),
	SONDE_TP_FIELDS(
		sonde_field_integer(uint64_t, real_ns, real_ns)
		sonde_field_integer(uint32_t, gap_us, gap_us)))

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(void)
{
	static const uint32_t gaps_us[] = { 0, 0, 1000, 10000, 70000, 300000, 0 };

	for (unsigned int i = 0; i < sizeof(gaps_us) / sizeof(gaps_us[0]); i++) {
		struct timespec d = { 0, (long)gaps_us[i] * 1000 };

		if (gaps_us[i])
			nanosleep(&d, NULL);
		sonde_tracepoint(clock, sample, realtime_ns(), gaps_us[i]);
	}
	return 0;
}
