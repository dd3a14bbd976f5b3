// SPDX-License-Identifier: MIT
/*
 * The snapshot writer: a directory in the format of ARM's "Trace and
 * Debug Snapshot" (as OpenCSD's trc_pkt_lister and `sonde hw decode`
 * read it) describing a sink's raw data: snapshot.ini (the device list),
 * one ini per trace source (its ETMv4 registers, read from the source's
 * mgmt/ and trcidr/ sysfs files, by name and register number), one per
 * core it traces, and trace.ini (the buffer file, its format, which
 * source's trace it holds, which core each source follows).
 *
 * Files are created relative to the caller's directory descriptor,
 * O_CREAT|O_EXCL|O_NOFOLLOW: nothing is written through a file that was
 * there before.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw.h"

/* ETMv4 registers a decoder needs: name, sysfs file, register number
 * (offset / 4, ETMv4 architecture). */
static const struct {
	const char *name;
	const char *attr;
	unsigned int id;
} etm4_regs[] = {
	{ "TRCCONFIGR", "mgmt/trcconfig", 0x004 },
	{ "TRCTRACEIDR", "mgmt/trctraceid", 0x010 },
	{ "TRCAUTHSTATUS", "mgmt/trcauthstatus", 0x3ee },
	{ "TRCIDR0", "trcidr/trcidr0", 0x078 },
	{ "TRCIDR1", "trcidr/trcidr1", 0x079 },
	{ "TRCIDR2", "trcidr/trcidr2", 0x07a },
	{ "TRCIDR8", "trcidr/trcidr8", 0x060 },
	{ "TRCIDR9", "trcidr/trcidr9", 0x061 },
	{ "TRCIDR10", "trcidr/trcidr10", 0x062 },
	{ "TRCIDR11", "trcidr/trcidr11", 0x063 },
	{ "TRCIDR12", "trcidr/trcidr12", 0x064 },
	{ "TRCIDR13", "trcidr/trcidr13", 0x065 },
};

struct ini {
	char *buf;
	size_t len, cap;
	int err;
};

static void __attribute__((format(printf, 2, 3)))
ini_add(struct ini *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (f->err)
		return;
	if (!f->buf) {
		f->buf = malloc(512);
		if (!f->buf) {
			f->err = -ENOMEM;
			return;
		}
		f->cap = 512;
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(f->buf + f->len, f->cap - f->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			f->err = -EINVAL;
			return;
		}
		if ((size_t)n < f->cap - f->len)
			break;
		size_t ncap = (f->cap + (size_t)n + 1) * 2;
		char *nb = realloc(f->buf, ncap);

		if (!nb) {
			f->err = -ENOMEM;
			return;
		}
		f->buf = nb;
		f->cap = ncap;
	}
	f->len += (size_t)n;
}

static int ini_save(int dirfd, const char *name, struct ini *f)
{
	int fd, r = f->err;
	size_t off = 0;

	if (r)
		goto out;
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	while (off < f->len) {
		ssize_t w = write(fd, f->buf + off, f->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 && !r)
		r = -errno;
out:
	free(f->buf);
	memset(f, 0, sizeof(*f));
	if (r)
		sonde__hw_fail(r, "cannot write the snapshot's %s: %s", name, strerror(-r));
	return r;
}

int sonde_hw_snapshot_write(struct sonde_hw_topo *t, int dirfd,
			    const struct sonde_hw_snapshot_opts *o)
{
	struct ini f = { 0 };
	char name[HW_NAME_MAX + 8];
	int idx[64], r;

	if (!t || !o || o->size < sizeof(*o) || !o->sink || !o->trace_file ||
	    !o->nr_sources || o->nr_sources > 64 || !o->sources ||
	    strchr(o->trace_file, '/') || strchr(o->trace_file, ','))
		return sonde__hw_fail(-EINVAL, "sonde_hw_snapshot_write: bad arguments");
	for (size_t i = 0; i < o->nr_sources; i++) {
		long k = sonde_hw_device_find(t, o->sources[i]);

		if (k < 0)
			return (int)k;
		if (t->dev[k].kind != SONDE_HW_SOURCE || strncmp(t->dev[k].name, "etm", 3))
			return sonde__hw_fail(-EOPNOTSUPP, "%s: only ETMv4 sources (etmN) go into a snapshot here",
					      o->sources[i]);
		idx[i] = (int)k;
	}
	if (sonde_hw_device_find(t, o->sink) < 0)
		return -ENOENT;

	ini_add(&f, "[snapshot]\nversion=1.0\ndescription=sonde hw record: %s\n\n[device_list]\n",
		o->sink);
	for (size_t i = 0; i < o->nr_sources; i++)
		ini_add(&f, "device%zu=%s.ini\ndevice%zu=cpu_%s.ini\n", 2 * i,
			t->dev[idx[i]].name, 2 * i + 1, t->dev[idx[i]].name);
	ini_add(&f, "\n[trace]\nmetadata=trace.ini\n");
	r = ini_save(dirfd, "snapshot.ini", &f);
	for (size_t i = 0; i < o->nr_sources && !r; i++) {
		const struct hw_dev *d = &t->dev[idx[i]];

		ini_add(&f, "[device]\nname=%s\nclass=trace_source\ntype=ETM4\n\n[regs]\n", d->name);
		for (size_t k = 0; k < ARRAY_SIZE(etm4_regs); k++) {
			uint64_t v;

			r = sonde__hw_attr_u64(t, d->name, etm4_regs[k].attr, &v);
			if (r < 0 || v > UINT32_MAX)
				return sonde__hw_fail(r < 0 ? r : -EINVAL, "cannot read %s/%s: %s", d->name,
						      etm4_regs[k].attr, r < 0 ? strerror(-r) : "too large");
			ini_add(&f, "%s(id:0x%x)=0x%llx\n", etm4_regs[k].name, etm4_regs[k].id,
				(unsigned long long)v);
		}
		snprintf(name, sizeof(name), "%s.ini", d->name);
		r = ini_save(dirfd, name, &f);
		if (r)
			break;
		ini_add(&f, "[device]\nname=cpu_%s\nclass=core\ntype=%s\n", d->name,
			o->core_type ? o->core_type : "Cortex-A57");
		for (size_t m = 0; m < o->nr_mem; m++)
			ini_add(&f, "\n[dump%zu]\nfile=%s\naddress=0x%llx\nspace=%s\n", m + 1,
				o->mem[m].file, (unsigned long long)o->mem[m].address,
				o->mem[m].space ? o->mem[m].space : "EL1N");
		snprintf(name, sizeof(name), "cpu_%s.ini", d->name);
		r = ini_save(dirfd, name, &f);
	}
	if (r)
		return r;
	ini_add(&f, "[trace_buffers]\nbuffers=buffer0\n\n[buffer0]\nname=%s\nfile=%s\nformat=%s\n\n[source_buffers]\n",
		o->sink, o->trace_file, o->unformatted ? "source_data" : "coresight");
	for (size_t i = 0; i < o->nr_sources; i++)
		ini_add(&f, "%s=%s\n", t->dev[idx[i]].name, o->sink);
	ini_add(&f, "\n[core_trace_sources]\n");
	for (size_t i = 0; i < o->nr_sources; i++)
		ini_add(&f, "cpu_%s=%s\n", t->dev[idx[i]].name, t->dev[idx[i]].name);
	r = ini_save(dirfd, "trace.ini", &f);
	if (!r)
		sonde__hw_ok();
	return r;
}
