// SPDX-License-Identifier: MIT
/*
 * test-hwtrace-path: sonde_hw_path_build() against what the kernel's rules
 * give on the fixture boards, worked out by hand from the rules (first
 * route of a depth-first search in port order; default sink: per-CPU
 * sink, else best buffer type, else nearest; a TPIU never a default; a
 * port whose filter names another source skipped).
 */
#include <errno.h>

#include "hwtrace-fixture.h"

static const char *path_of(struct sonde_hw_topo *t, const char *src,
			   const char *sink, int *err)
{
	static char buf[512];
	struct sonde_hw_path *p;
	size_t k = 0;

	buf[0] = '\0';
	*err = sonde_hw_path_build(t, src, sink, &p);
	if (*err < 0)
		return buf;
	for (size_t i = 0; i < sonde_hw_path_length(p); i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s", i ? " " : "",
				      sonde_hw_path_device(p, i));
	sonde_hw_path_destroy(p);
	return buf;
}

struct want {
	const char *src, *sink, *path;
	int err;
};

static void check(const char *board, struct sonde_hw_topo *t,
		  const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int err;
		const char *got = path_of(t, w[i].src, w[i].sink, &err);

		if (w[i].err)
			tap_is_int(err, w[i].err, "%s: %s -> %s: %s (%s)", board, w[i].src,
				   w[i].sink ? w[i].sink : "default", strerror(-w[i].err),
				   sonde_hw_error_message());
		else
			tap_is_str(got, w[i].path, "%s: %s -> %s", board, w[i].src,
				   w[i].sink ? w[i].sink : "default sink");
	}
}

static const struct want juno[] = {
	/* ETR (system memory) beats the nearer ETF; the TPIU is never a default. */
	{ "etm0", NULL, "etm0 funnel2 funnel0 tmc_etf0 funnel4 replicator0 tmc_etr0", 0 },
	{ "etm1", NULL, "etm1 funnel1 funnel0 tmc_etf0 funnel4 replicator0 tmc_etr0", 0 },
	{ "etm5", NULL, "etm5 funnel2 funnel0 tmc_etf0 funnel4 replicator0 tmc_etr0", 0 },
	{ "stm0", NULL, "stm0 tmc_etf1 funnel4 replicator0 tmc_etr0", 0 },
	{ "etm0", "tmc_etf0", "etm0 funnel2 funnel0 tmc_etf0", 0 },
	{ "etm3", "tpiu0", "etm3 funnel2 funnel0 tmc_etf0 funnel4 replicator0 tpiu0", 0 },
	{ "stm0", "tmc_etf1", "stm0 tmc_etf1", 0 },
	{ "stm0", "tmc_etf0", NULL, -ENOLINK },
	{ "etm0", "tmc_etf1", NULL, -ENOLINK },
	{ "funnel0", NULL, NULL, -EINVAL },
	{ "etm0", "funnel4", NULL, -EINVAL },
	{ "etm0", "nosuch0", NULL, -ENOENT },
};

static const struct want db410c[] = {
	{ "etm0", NULL, "etm0 funnel1 funnel0 tmc_etf0 replicator0 tmc_etr0", 0 },
	{ "etm2", NULL, "etm2 funnel1 funnel0 tmc_etf0 replicator0 tmc_etr0", 0 },
	{ "stm0", NULL, "stm0 funnel0 tmc_etf0 replicator0 tmc_etr0", 0 },
	{ "etm3", "tpiu0", "etm3 funnel1 funnel0 tmc_etf0 replicator0 tpiu0", 0 },
	{ "etm1", "tmc_etf0", "etm1 funnel1 funnel0 tmc_etf0", 0 },
};

/* Before any filter is declared. */
static const struct want synthetic[] = {
	/* Two ETRs: the nearer one (tmc_etr0, behind replicatorA's out:1). */
	{ "src0", NULL, "src0 funnelA replicatorA tmc_etr0", 0 },
	/* The first route in port order (out:0) whatever the other's length. */
	{ "src0", "tmc_etr1", "src0 funnelA replicatorA funnelB tmc_etr1", 0 },
	/* etm0 is CPU 0's: its per-CPU sink trbe0, with nothing between. */
	{ "etm0", NULL, "etm0 trbe0", 0 },
	{ "etm0", "trbe0", "etm0 trbe0", 0 },
	{ "etm0", "tmc_etr0", "etm0 funnelA replicatorA tmc_etr0", 0 },
	/* src0 is CPU 1's: trbe0 is not its sink, and no route leads there. */
	{ "src0", "trbe0", NULL, -ENOLINK },
};

/* replicatorA's out:0 carries src1 only. */
static const struct want filtered[] = {
	{ "src0", "tmc_etr1", "src0 funnelA replicatorA funnelC funnelB tmc_etr1", 0 },
	{ "src1", "tmc_etr1", "src1 funnelA replicatorA funnelB tmc_etr1", 0 },
	{ "src0", NULL, "src0 funnelA replicatorA tmc_etr0", 0 },
};

int main(void)
{
	struct sonde_hw_topo *t;
	struct sonde_hw_conn c = { .size = sizeof(c) };
	long rep;
	int err;

	tap_no_plan();
	if (fx_open(SONDE_HW_FIXTURES, "juno-r1", &t) < 0)
		tap_bail("juno-r1: %s", sonde_hw_error_message());
	check("juno-r1", t, juno, sizeof(juno) / sizeof(juno[0]));
	sonde_hw_topo_close(t);

	if (fx_open(SONDE_HW_FIXTURES, "db410c", &t) < 0)
		tap_bail("db410c: %s", sonde_hw_error_message());
	check("db410c", t, db410c, sizeof(db410c) / sizeof(db410c[0]));
	sonde_hw_topo_close(t);

	if (fx_open(SONDE_HW_FIXTURES, "synthetic", &t) < 0)
		tap_bail("synthetic: %s", sonde_hw_error_message());
	check("synthetic", t, synthetic, sizeof(synthetic) / sizeof(synthetic[0]));
	tap_is_int(sonde_hw_port_filter(t, "replicatorA", 0, "src1"), 0,
		   "replicatorA out:0 declared to carry src1 only");
	rep = sonde_hw_device_find(t, "replicatorA");
	tap_ok(sonde_hw_device_conn(t, (size_t)rep, 0, &c) == 0 &&
	       c.filter == sonde_hw_device_find(t, "src1"), "the connection shows the filter");
	check("synthetic+filter", t, filtered, sizeof(filtered) / sizeof(filtered[0]));
	tap_is_int(sonde_hw_port_filter(t, "replicatorA", 7, "src1"), -ENOENT,
		   "no port 7 to filter");
	tap_is_int(sonde_hw_port_filter(t, "replicatorA", 0, "funnelB"), -EINVAL,
		   "a filter names a source, not a link");
	tap_is_int(sonde_hw_port_filter(t, "replicatorA", 0, NULL), 0, "the filter removed");
	tap_is_str(path_of(t, "src0", "tmc_etr1", &err),
		   "src0 funnelA replicatorA funnelB tmc_etr1", "src0 takes out:0 again");
	sonde_hw_topo_close(t);
	return tap_done();
}
