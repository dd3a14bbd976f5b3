// SPDX-License-Identifier: MIT
/*
 * test-hwtrace-topo: sonde_hw_topo_open() on the fixture boards of
 * tests/data/hwtrace/ (the Juno r1 of the kernel's CoreSight document and
 * a DragonBoard 410c like board): every device's kind, CPU, sink type,
 * connections with their ports, and helpers; a missing root says there
 * is no CoreSight; hostile files are refused with a sentence; the sysfs
 * number and uevent parsers on their edge cases.
 */
#include <errno.h>

#include "../../src/hwtrace/hw.h"
#include "hwtrace-fixture.h"

static long find(struct sonde_hw_topo *t, const char *name)
{
	return sonde_hw_device_find(t, name);
}

static struct sonde_hw_device get(struct sonde_hw_topo *t, const char *name)
{
	struct sonde_hw_device d = { .size = sizeof(d) };
	long i = find(t, name);

	if (i < 0 || sonde_hw_device_get(t, (size_t)i, &d) < 0)
		memset(&d, 0, sizeof(d));
	return d;
}

/* "out:P->PEER:in:Q,..." for a device's outputs. */
static const char *outs(struct sonde_hw_topo *t, const char *name)
{
	static char buf[512];
	struct sonde_hw_device d = get(t, name);
	size_t k = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < d.nr_out; i++) {
		struct sonde_hw_conn c = { .size = sizeof(c) };
		struct sonde_hw_device p = { .size = sizeof(p) };

		sonde_hw_device_conn(t, (size_t)find(t, name), i, &c);
		sonde_hw_device_get(t, c.peer, &p);
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%sout:%d->%s:in:%d",
				      i ? "," : "", c.port, p.name, c.peer_port);
	}
	return buf;
}

static const char *helpers(struct sonde_hw_topo *t, const char *name)
{
	static char buf[256];
	struct sonde_hw_device d = get(t, name);
	size_t k = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < d.nr_helpers; i++) {
		struct sonde_hw_device h = { .size = sizeof(h) };

		sonde_hw_device_get(t, (size_t)sonde_hw_device_helper(t, (size_t)find(t, name), i), &h);
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s", i ? "," : "", h.name);
	}
	return buf;
}

static void juno(void)
{
	struct sonde_hw_topo *t;
	struct sonde_hw_device d;
	static const char *const kinds[][2] = {
		{ "etm0", "source" }, { "etm5", "source" }, { "stm0", "source" },
		{ "funnel0", "link" }, { "funnel4", "link" }, { "replicator0", "link" },
		{ "tmc_etf0", "linksink" }, { "tmc_etf1", "linksink" },
		{ "tmc_etr0", "sink" }, { "tpiu0", "sink" },
		{ "cti_cpu0", "helper" }, { "cti_sys0", "helper" },
	};

	tap_is_int(fx_open(SONDE_HW_FIXTURES, "juno-r1", &t), 0, "juno-r1 opens");
	if (!t)
		tap_bail("%s", sonde_hw_error_message());
	tap_is_int((long)sonde_hw_device_count(t), 18, "juno-r1: 18 devices");
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		d = get(t, kinds[i][0]);
		tap_is_str(d.name ? sonde_hw_kind_name(d.kind) : "(none)", kinds[i][1],
			   "juno-r1: %s is a %s", kinds[i][0], kinds[i][1]);
	}
	tap_is_int(get(t, "etm4").cpu, 4, "juno-r1: etm4 is CPU 4's");
	tap_is_int(get(t, "stm0").cpu, -1, "juno-r1: stm0 has no CPU");
	tap_is_str(sonde_hw_sink_type_name(get(t, "tmc_etr0").sink_type), "sysmem",
		   "juno-r1: tmc_etr0 keeps trace in system memory");
	tap_is_str(sonde_hw_sink_type_name(get(t, "tmc_etf0").sink_type), "buffer",
		   "juno-r1: tmc_etf0 in an on-chip buffer");
	tap_is_str(sonde_hw_sink_type_name(get(t, "tpiu0").sink_type), "port",
		   "juno-r1: tpiu0 is a port");
	tap_is_str(sonde_hw_sink_type_name(get(t, "funnel0").sink_type), "none",
		   "juno-r1: funnel0 is no sink");
	tap_is_str(outs(t, "etm0"), "out:0->funnel2:in:0", "juno-r1: etm0's output");
	tap_is_str(outs(t, "funnel0"), "out:0->tmc_etf0:in:0", "juno-r1: funnel0's output");
	tap_is_str(outs(t, "replicator0"), "out:0->tpiu0:in:0,out:1->tmc_etr0:in:0",
		   "juno-r1: replicator0's two outputs in port order");
	tap_is_str(outs(t, "tmc_etf1"), "out:0->funnel4:in:1", "juno-r1: tmc_etf1 feeds funnel4's port 1");
	tap_is_int(get(t, "funnel2").nr_in, 4, "juno-r1: funnel2 has 4 inputs");
	tap_is_int(get(t, "tmc_etr0").nr_out, 0, "juno-r1: tmc_etr0 has no output");
	tap_is_str(helpers(t, "tmc_etr0"), "cti_sys0", "juno-r1: cti_sys0 helps tmc_etr0");
	tap_is_str(helpers(t, "etm0"), "cti_cpu0", "juno-r1: cti_cpu0 helps etm0");
	tap_is_str(helpers(t, "funnel0"), "", "juno-r1: funnel0 has no helper");
	tap_is_int(find(t, "etm9"), -ENOENT, "juno-r1: no etm9");
	tap_ok(strstr(sonde_hw_error_message(), "etm9") != NULL,
	       "the sentence names etm9: %s", sonde_hw_error_message());
	sonde_hw_topo_close(t);
}

static void db410c(void)
{
	struct sonde_hw_topo *t;

	tap_is_int(fx_open(SONDE_HW_FIXTURES, "db410c", &t), 0, "db410c opens");
	if (!t)
		tap_bail("%s", sonde_hw_error_message());
	tap_is_int((long)sonde_hw_device_count(t), 12, "db410c: 12 devices");
	for (int i = 0; i < 4; i++) {
		char n[8], want[32];

		snprintf(n, sizeof(n), "etm%d", i);
		snprintf(want, sizeof(want), "out:0->funnel1:in:%d", i);
		tap_is_str(outs(t, n), want, "db410c: %s feeds the APSS funnel's port %d", n, i);
		tap_is_int(get(t, n).cpu, i, "db410c: %s is CPU %d's", n, i);
	}
	tap_is_str(outs(t, "funnel1"), "out:0->funnel0:in:4", "db410c: APSS funnel -> in-funnel port 4");
	tap_is_str(outs(t, "stm0"), "out:0->funnel0:in:7", "db410c: stm0 -> in-funnel port 7");
	tap_is_str(outs(t, "tmc_etf0"), "out:0->replicator0:in:0", "db410c: the ETF feeds the replicator");
	tap_is_str(outs(t, "replicator0"), "out:0->tmc_etr0:in:0,out:1->tpiu0:in:0",
		   "db410c: the replicator feeds the ETR and the TPIU");
	tap_is_str(sonde_hw_kind_name(get(t, "tmc_etf0").kind), "linksink", "db410c: tmc_etf0 is a linksink");
	sonde_hw_topo_close(t);
}

static void missing_and_hostile(void)
{
	struct sonde_hw_opts o = { .size = sizeof(o) };
	struct sonde_hw_topo *t = (struct sonde_hw_topo *)1;
	char dir[PATH_MAX], path[PATH_MAX * 2];

	o.sysfs_root = "/nonexistent/sys/bus/coresight/devices";
	tap_is_int(sonde_hw_topo_open(&o, &t), -ENODEV, "a missing root is -ENODEV");
	tap_ok(t == NULL, "and no topology");
	tap_ok(strstr(sonde_hw_error_message(), "no CoreSight") != NULL,
	       "the sentence says there is no CoreSight: %s", sonde_hw_error_message());

	fx_copy(dir, sizeof(dir));
	/* No DEVTYPE (an older kernel): kinds from the attributes. */
	fx_write(dir, "juno-r1", "tmc_etf0", "uevent", "OF_NAME=etf\n");
	fx_write(dir, "juno-r1", "etm1", "uevent", "");
	fx_write(dir, "juno-r1", "tmc_etr0", "uevent", "MAJOR=1\n");
	tap_is_int(fx_open(dir, "juno-r1", &t), 0, "a tree without DEVTYPE opens");
	if (t) {
		tap_is_str(sonde_hw_kind_name(get(t, "tmc_etf0").kind), "linksink",
			   "an ETF without DEVTYPE is a linksink (enable_sink and an output)");
		tap_is_str(sonde_hw_kind_name(get(t, "etm1").kind), "source",
			   "an ETM without DEVTYPE is a source (enable_source)");
		tap_is_str(sonde_hw_kind_name(get(t, "tmc_etr0").kind), "sink",
			   "an ETR without DEVTYPE is a sink");
		sonde_hw_topo_close(t);
	}
	fx_write(dir, "juno-r1", "etm1", "uevent", "DEVTYPE=sourcery\n");
	tap_is_int(fx_open(dir, "juno-r1", &t), -EINVAL, "an unknown DEVTYPE is -EINVAL");
	tap_ok(strstr(sonde_hw_error_message(), "etm1/uevent") != NULL,
	       "naming the file: %s", sonde_hw_error_message());
	fx_write(dir, "juno-r1", "etm1", "uevent", "DEVTYPE=source\n");
	fx_write(dir, "juno-r1", "etm1", "cpu", "one\n");
	tap_is_int(fx_open(dir, "juno-r1", &t), -EINVAL, "a cpu file that is no number is -EINVAL");
	fx_write(dir, "juno-r1", "etm1", "cpu", "1\n");
	snprintf(path, sizeof(path), "%s/juno-r1/sys/bus/coresight/devices/funnel0/connections/out:x",
		 dir);
	tap_ok(symlink("../../../20010000.etf/tmc_etf0", path) == 0, "a port named out:x");
	tap_is_int(fx_open(dir, "juno-r1", &t), -EINVAL, "is refused");
	unlink(path);
	snprintf(path, sizeof(path), "%s/juno-r1/sys/bus/coresight/devices/funnel0/connections/out:1",
		 dir);
	tap_ok(symlink("../../../nowhere/ghost0", path) == 0, "a link to a device not on the bus");
	tap_is_int(fx_open(dir, "juno-r1", &t), 0, "opens");
	if (t) {
		tap_is_str(outs(t, "funnel0"), "out:0->tmc_etf0:in:0", "and the dangling link is dropped");
		sonde_hw_topo_close(t);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/juno-r1/sys/bus/coresight/devices/bad name", dir);
	tap_ok(symlink("x", path) == 0, "a device named 'bad name'");
	tap_is_int(fx_open(dir, "juno-r1", &t), -EINVAL, "is refused");
	fx_remove(dir);
}

static void parsers(void)
{
	uint64_t v = 0;
	char name[HW_NAME_MAX];

	tap_ok(sonde__hw_parse_u64("0x1f\n", 5, &v) == 0 && v == 31, "0x1f is 31");
	tap_ok(sonde__hw_parse_u64("42", 2, &v) == 0 && v == 42, "42 is 42");
	tap_ok(sonde__hw_parse_u64("18446744073709551615", 20, &v) == 0 && v == UINT64_MAX,
	       "2^64-1 fits");
	tap_is_int(sonde__hw_parse_u64("18446744073709551616", 20, &v), -EINVAL, "2^64 does not");
	tap_is_int(sonde__hw_parse_u64("0x", 2, &v), -EINVAL, "0x alone is no number");
	tap_is_int(sonde__hw_parse_u64("", 0, &v), -EINVAL, "nothing is no number");
	tap_is_int(sonde__hw_parse_u64("12a", 3, &v), -EINVAL, "12a is no number");
	tap_is_int(sonde__hw_parse_devtype("MAJOR=1\nDEVTYPE=link\n", 21), SONDE_HW_LINK,
		   "DEVTYPE on the second line");
	tap_is_int(sonde__hw_parse_devtype("DEVTYPE=sink", 12), SONDE_HW_SINK, "without a newline");
	tap_is_int(sonde__hw_parse_devtype("DEVTYPE=sinks\n", 14), -EINVAL, "sinks is no kind");
	tap_is_int(sonde__hw_parse_devtype("DEVTYPE=", 8), -ENOENT, "an empty DEVTYPE is none");
	tap_ok(sonde__hw_link_name("../../../20010000.etf/tmc_etf0", 30, name, sizeof(name)) == 0 &&
	       !strcmp(name, "tmc_etf0"), "a link's device is its last component");
	tap_is_int(sonde__hw_link_name("../..", 5, name, sizeof(name)), -EINVAL, "'..' names no device");
	tap_is_int(sonde__hw_link_name("a/b c", 5, name, sizeof(name)), -EINVAL, "'b c' is no name");
	tap_is_int(sonde__hw_link_name("", 0, name, sizeof(name)), -EINVAL, "nor is nothing");
}

int main(void)
{
	tap_no_plan();
	juno();
	db410c();
	missing_and_hostile();
	parsers();
	return tap_done();
}
