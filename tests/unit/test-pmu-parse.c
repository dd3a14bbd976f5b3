// SPDX-License-Identifier: MIT
/*
 * test-pmu-parse: sonde_pmu_event_parse() on the fixture tree
 * tests/data/pmu-sysfs/ (sonde__pmu_set_roots()), no PMU of the machine's:
 *  - sysfs syntax on the fake PMU "fakepmu" (type 42): fields of one range,
 *    of two ranges (split: config:32-35,40-43), of a single bit (edge),
 *    of config1 and config2; a bare field is 1; config= sets the word;
 *    two terms on the same bits (cmask over edge, a field twice): the
 *    later wins; a value too wide for its field: -EINVAL naming it; an
 *    unknown field: -EINVAL naming it; aliases from events/ (cpu-cycles,
 *    foo, an alias with a bare field), inside "pmu/.../" and bare;
 *    modifiers after the last '/';
 *  - errors: an unknown PMU (-ENOENT), a PMU with no type file (-ENOENT
 *    saying so), a type that is not a number or past 32 bits (-EINVAL),
 *    and the hostile formats (a range past 63, past 2^64, reversed,
 *    negative, a bit twice, an unknown word, empty, a file longer than
 *    the buffer, a NUL in it), an alias of 70 terms, one longer than the
 *    buffer, an alias inside an alias, very long names: each a clear error, never a crash;
 *  - tracepoints under the fixture tracefs: sched:sched_switch's id, an
 *    unknown one, an id that is garbage or too big;
 *  - libpfm4: "perf::PERF_COUNT_SW_PAGE_FAULTS" is page-faults (libpfm4's
 *    perf table needs no hardware), with and without :u; where the library
 *    is not installed (a name that does not exist stands for it) a
 *    libpfm4 name is -ENOENT with a sentence naming the package, while
 *    every other lookup still works.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>

#include <sonde/pmu.h>

#include "parse.h"
#include "../tap.h"

static struct perf_event_attr a;
static char why[512];

static int parse(const char *name)
{
	int r = sonde_pmu_event_parse(name, &a, why, sizeof(why));

	if (r < 0)
		tap_diag("%s: %d: %s", name, r, why);
	return r;
}

/* parse() gives @err and a sentence holding @needle. */
static void fails(const char *name, int err, const char *needle)
{
	int r = parse(name);

	tap_ok(r == err && strstr(why, needle) != NULL,
	       "\"%.60s\": %d, the sentence names \"%s\"", name, err, needle);
}

static void fields(void)
{
	tap_is_int(parse("fakepmu/event=0x3c/"), 0, "fakepmu/event=0x3c/ parses");
	tap_ok(a.type == 42 && a.config == 0x3c && a.config1 == 0 &&
	       a.config2 == 0, "type from the type file, event in config:0-7");
	tap_is_int(parse("fakepmu/event=0x12,umask=0x34/"), 0, "two fields");
	tap_ok(a.config == 0x3412, "umask in config:8-15 (%#llx)",
	       (unsigned long long)a.config);
	tap_is_int(parse("fakepmu/event=1,edge/"), 0, "a bare field");
	tap_ok(a.config == (1 | 1ULL << 18), "is 1, in its bit (config:18)");
	tap_is_int(parse("fakepmu/split=0xab/"), 0, "a field of two ranges");
	tap_ok(a.config == (0xbULL << 32 | 0xaULL << 40),
	       "low bits to the first range, high to the second (%#llx)",
	       (unsigned long long)a.config);
	tap_is_int(parse("fakepmu/ldlat=0xffffffffffffffff,offcore=7/"), 0,
		   "config1:0-63 and config2");
	tap_ok(a.config1 == ~0ULL && a.config2 == 7 && a.config == 0,
	       "all 64 bits of config1, config2 set, config untouched");
	tap_is_int(parse("fakepmu/config=0x1234,config1=5/"), 0, "config words");
	tap_ok(a.config == 0x1234 && a.config1 == 5, "set as given");
	tap_is_int(parse("fakepmu/edge,cmask=0/"), 0, "overlapping fields");
	tap_ok(a.config == 0, "cmask (config:16-23) clears edge's bit 18: the later wins");
	tap_is_int(parse("fakepmu/cmask=0xff,edge=0/"), 0, "the other order");
	tap_ok(a.config == (0xffULL << 16 & ~(1ULL << 18)), "edge=0 clears its bit (%#llx)",
	       (unsigned long long)a.config);
	tap_is_int(parse("fakepmu/event=1,event=2/"), 0, "a field twice");
	tap_ok(a.config == 2, "the later value, not an or of both");
	tap_is_int(parse("fakepmu/event=0xff/"), 0, "the widest value that fits");
	fails("fakepmu/event=0x100/", -EINVAL, "too wide for field \"event\"");
	fails("fakepmu/edge=2/", -EINVAL, "too wide for field \"edge\"");
	fails("fakepmu/split=0x100/", -EINVAL, "too wide for field \"split\"");
	fails("fakepmu/bogus=1/", -EINVAL, "no field \"bogus\"");
	fails("fakepmu/event=xyz/", -EINVAL, "bad value \"xyz\"");
	fails("fakepmu/event=-1/", -EINVAL, "bad value \"-1\"");
	fails("fakepmu/event=99999999999999999999999/", -EINVAL, "bad value");
	fails("fakepmu/../", -EINVAL, "bad field name \"..\"");
	tap_is_int(parse("fakepmu/event=1/u"), 0, "a modifier after the last '/'");
	tap_ok(!a.exclude_user && a.exclude_kernel && a.exclude_hv, "u: user space only");
}

static void aliases(void)
{
	tap_is_int(parse("fakepmu/cpu-cycles/"), 0, "an alias inside pmu/.../");
	tap_ok(a.type == 42 && a.config == 0x3c, "cpu-cycles is event=0x3c");
	tap_is_int(parse("fakepmu/foo,edge/"), 0, "an alias and a field");
	tap_ok(a.config == (0x3412 | 1ULL << 18), "foo is event=0x12,umask=0x34 (%#llx)",
	       (unsigned long long)a.config);
	tap_is_int(parse("fakepmu/foo,umask=1/"), 0, "a field after an alias");
	tap_ok(a.config == 0x112, "overrides the alias's umask");
	tap_is_int(parse("fakepmu/edgy/"), 0, "an alias with a bare field");
	tap_ok(a.config == (0x3c | 1ULL << 18), "event=0x3c,edge");
	tap_is_int(parse("foo"), 0, "a bare alias is looked up in every PMU");
	tap_ok(a.type == 42 && a.config == 0x3412, "found in fakepmu");
	tap_is_int(parse("cpu-cycles"), 0, "a generic name");
	tap_ok(a.type == PERF_TYPE_HARDWARE && a.config == PERF_COUNT_HW_CPU_CYCLES,
	       "comes before a PMU's alias of the same name");
	fails("fakepmu/foo=1/", -EINVAL, "no field \"foo\"");
	fails("nested", -EINVAL, "no field \"foo\"");
	fails("many", -EINVAL, "more than 64 terms");
	fails("usehuge", -EINVAL, "field \"huge\"");
	fails("bigalias", -EINVAL, "too long");
}

static void errors(void)
{
	char name[1100];

	fails("nopmu/event=1/", -ENOENT, "no PMU named \"nopmu\"");
	fails("notype/event=1/", -ENOENT, "PMU notype has no type file");
	fails("garbagetype/event=1/", -EINVAL, "type of PMU garbagetype");
	fails("bigtype/config=1/", -EINVAL, "not a 32-bit number");
	fails("hostile/huge=1/", -EINVAL, "field \"huge\"");
	fails("hostile/past63=1/", -EINVAL, "field \"past63\"");
	fails("hostile/twice=1/", -EINVAL, "each bit once");
	fails("hostile/word=1/", -EINVAL, "field \"word\"");
	fails("hostile/empty=1/", -EINVAL, "field \"empty\"");
	fails("hostile/reversed=1/", -EINVAL, "field \"reversed\"");
	fails("hostile/negative=1/", -EINVAL, "field \"negative\"");
	fails("hostile/long=1/", -EINVAL, "too long");
	fails("hostile/nul=1/", -EINVAL, "NUL");
	fails("/event=1/", -EINVAL, "not \"pmu/field=value");
	fails("fakepmu/event=1", -EINVAL, "bad modifier");
	memset(name, 'L', 240);
	strcpy(name + 240, "/event=7/");
	tap_is_int(parse(name), 0, "a PMU of a 240-byte name");
	tap_ok(a.type == 44 && a.config == 7, "its type and format are read");
	memset(name, 'M', 300);
	strcpy(name + 300, "/event=7/");
	fails(name, -ENOENT, "no PMU named");
	memset(name, 'f', 1000);
	memcpy(name, "fakepmu/", 8);
	strcpy(name + 1000, "/");
	fails(name, -EINVAL, "has no field \"ffff");
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	fails(name, -ENAMETOOLONG, "longer than");
}

static void tracepoints(void)
{
	tap_is_int(parse("sched:sched_switch"), 0, "a tracepoint under the fixture tracefs");
	tap_ok(a.type == PERF_TYPE_TRACEPOINT && a.config == 316, "its id (%llu)",
	       (unsigned long long)a.config);
	tap_is_int(parse("sched:sched_switch:k"), 0, "with a modifier");
	tap_ok(a.config == 316 && a.exclude_user && !a.exclude_kernel, "k: kernel only");
	fails("sched:nosuch", -ENOENT, "no tracepoint sched:nosuch");
	fails("sched:nosuch", -ENOENT, "libpfm4");
	fails("bad:garbage", -EINVAL, "\"xyz\" is not a number");
	fails("bad:huge", -EINVAL, "is not a number");
	fails("sys tem:y", -ENOENT, "not a tracepoint name");
}

static void libpfm(void)
{
	struct perf_event_attr pf;

	tap_is_int(parse("perf::PERF_COUNT_SW_PAGE_FAULTS"), 0,
		   "a libpfm4 name parses (%s)", why);
	tap_ok(a.type == PERF_TYPE_SOFTWARE && a.config == PERF_COUNT_SW_PAGE_FAULTS &&
	       !a.exclude_user && !a.exclude_kernel, "it is page-faults, user and kernel");
	tap_is_int(parse("perf::PAGE-FAULTS:u"), 0, "a libpfm4 alias with :u");
	tap_ok(a.config == PERF_COUNT_SW_PAGE_FAULTS && !a.exclude_user &&
	       a.exclude_kernel, "user space only");
	tap_is_int(parse("perf::PERF_COUNT_SW_CPU_CLOCK:k=1"), 0, "libpfm4's own modifier");
	tap_ok(a.config == PERF_COUNT_SW_CPU_CLOCK && a.exclude_user && !a.exclude_kernel,
	       "k=1: kernel only, kept");
	fails("perf::PAGE-FAULTS:period=1000", -EINVAL, "modifier period");
	fails("NO_SUCH_PFM_EVENT:ANY", -ENOENT, "\"NO_SUCH_PFM_EVENT:ANY\"");
	fails("NO_SUCH_PFM_EVENT:ANY", -ENOENT, "libpfm4 does not know it");
	fails("no::such", -ENOENT, "not a tracepoint");

	sonde__pmu_set_pfm_library("libpfm-sonde-test-absent.so.4");
	fails("perf::PERF_COUNT_SW_PAGE_FAULTS", -ENOENT, "not installed");
	fails("perf::PERF_COUNT_SW_PAGE_FAULTS", -ENOENT, "Debian package libpfm4");
	fails("perf::PERF_COUNT_SW_PAGE_FAULTS", -ENOENT, "not a tracepoint");
	fails("PERF_COUNT_SW_PAGE_FAULTS", -ENOENT, "generic or hardware cache names");
	tap_is_int(parse("page-faults"), 0, "without libpfm4, generic names work");
	pf = a;
	tap_is_int(parse("fakepmu/foo/"), 0, "and sysfs syntax");
	tap_is_int(parse("sched:sched_switch"), 0, "and tracepoints");
	sonde__pmu_set_pfm_library(NULL);
	tap_is_int(parse("perf::PERF_COUNT_SW_PAGE_FAULTS"), 0, "libpfm4 back");
	tap_ok(a.type == pf.type && a.config == pf.config, "same type and config as page-faults");
}

int main(void)
{
	tap_is_int(sonde__pmu_set_roots(SONDE_PMU_FIXTURE "/devices",
					SONDE_PMU_FIXTURE "/tracefs"), 0,
		   "roots moved to %s", SONDE_PMU_FIXTURE);
	tap_is_str(sonde__pmu_sysfs_root(), SONDE_PMU_FIXTURE "/devices", "and read back");
	fields();
	aliases();
	errors();
	tracepoints();
	libpfm();
	tap_is_int(sonde__pmu_set_roots(NULL, NULL), 0, "roots put back");
	fails("fakepmu/event=1/", -ENOENT, "/sys/bus/event_source/devices");
	return tap_done();
}
