// SPDX-License-Identifier: MIT
/*
 * The perf AUX backend: tracers that Linux drives through perf_event_open
 * (cs_etm for CoreSight ETMs, intel_pt, arm_spe_N).  One event per
 * thread or CPU, its trace in the AUX area of the perf ring: the data
 * pages first, then aux_size bytes at aux_offset mapped read-write so
 * that aux_tail tells the kernel what was consumed (a linear, not an
 * overwriting, buffer).  For cs_etm a sink is named by the hash in the
 * PMU's sinks/<name> file, put in config2 bits 0-31 as perf's @sink does.
 * The kernel keeps this buffer apart from the sink's sysfs buffer.
 *
 * Trust boundary: the PMU's sysfs files (type, sinks/<name>) are parsed
 * as numbers, bounded; the PMU and sink names become path components and
 * must be device names.  The ring's head is the kernel's, read with
 * acquire order and bounded by the area's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hw.h"

#define PMU_ROOT_DEFAULT "/sys/bus/event_source/devices"
#define DATA_PAGES 16

struct sonde_hw_perf {
	int fd;
	void *base;      /* header page and data pages */
	size_t base_len;
	uint8_t *aux;
	size_t aux_len;
};

static int read_num(const char *root, const char *pmu, const char *rel,
		    uint64_t *v)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int fd, r;

	r = snprintf(path, sizeof(path), "%s/%s/%s", root, pmu, rel);
	if (r < 0 || (size_t)r >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	return sonde__hw_parse_u64(buf, (size_t)n, v);
}

int sonde_hw_perf_open(const struct sonde_hw_perf_opts *o,
		       struct sonde_hw_perf **out)
{
	struct perf_event_attr attr;
	struct perf_event_mmap_page *pg;
	struct sonde_hw_perf *h;
	const char *root;
	uint64_t type, hash;
	long page = sysconf(_SC_PAGESIZE);
	size_t aux_pages;
	int r;

	if (!out || !o || o->size < sizeof(*o) || !o->pmu || !sonde__hw_name_ok(o->pmu) ||
	    (o->sink && !sonde__hw_name_ok(o->sink)))
		return sonde__hw_fail(-EINVAL, "sonde_hw_perf_open: bad arguments");
	*out = NULL;
	aux_pages = o->aux_pages ? o->aux_pages : 256;
	if (aux_pages & (aux_pages - 1) || aux_pages > (1u << 20))
		return sonde__hw_fail(-EINVAL, "the AUX area is a power of two of pages (at most 2^20), not %zu",
				      aux_pages);
	root = secure_getenv("SONDE_HWTRACE_PMU");
	if (!root || !*root)
		root = PMU_ROOT_DEFAULT;
	r = read_num(root, o->pmu, "type", &type);
	if (r == -ENOENT)
		return sonde__hw_fail(-ENODEV, "no %s PMU: %s/%s does not exist (this machine has no tracer that perf drives by that name; cs_etm needs CoreSight ETMs, intel_pt an Intel CPU with PT, arm_spe an SPE unit)",
				      o->pmu, root, o->pmu);
	if (r < 0 || type > UINT32_MAX)
		return sonde__hw_fail(r < 0 ? r : -EINVAL, "%s/%s/type: not a PMU type", root, o->pmu);
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = (uint32_t)type;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	if (o->sink) {
		char rel[HW_NAME_MAX + 8];

		snprintf(rel, sizeof(rel), "sinks/%s", o->sink);
		r = read_num(root, o->pmu, rel, &hash);
		if (r < 0 || hash > UINT32_MAX)
			return sonde__hw_fail(r == -ENOENT ? -ENOENT : -EINVAL,
					      "%s has no sink %s (%s/%s/sinks/)", o->pmu, o->sink,
					      root, o->pmu);
		attr.config2 = hash;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return sonde__hw_fail(-ENOMEM, "out of memory");
	h->fd = (int)syscall(SYS_perf_event_open, &attr, o->pid, o->cpu, -1,
			     PERF_FLAG_FD_CLOEXEC);
	if (h->fd < 0) {
		r = -errno;
		free(h);
		return sonde__hw_fail(r, "perf_event_open of %s: %s", o->pmu, strerror(-r));
	}
	h->base_len = (size_t)page * (1 + DATA_PAGES);
	h->base = mmap(NULL, h->base_len, PROT_READ | PROT_WRITE, MAP_SHARED, h->fd, 0);
	if (h->base == MAP_FAILED) {
		r = -errno;
		goto fail_fd;
	}
	pg = h->base;
	h->aux_len = (size_t)page * aux_pages;
	pg->aux_offset = h->base_len;
	pg->aux_size = h->aux_len;
	h->aux = mmap(NULL, h->aux_len, PROT_READ | PROT_WRITE, MAP_SHARED, h->fd,
		      (off_t)pg->aux_offset);
	if (h->aux == MAP_FAILED) {
		r = -errno;
		munmap(h->base, h->base_len);
		goto fail_fd;
	}
	*out = h;
	sonde__hw_ok();
	return 0;
fail_fd:
	close(h->fd);
	free(h);
	return sonde__hw_fail(r, "cannot map the %s event's AUX area: %s", o->pmu, strerror(-r));
}

int sonde_hw_perf_enable(struct sonde_hw_perf *h)
{
	if (!h)
		return sonde__hw_fail(-EINVAL, "sonde_hw_perf_enable: bad arguments");
	return ioctl(h->fd, PERF_EVENT_IOC_ENABLE, 0) < 0
		       ? sonde__hw_fail(-errno, "PERF_EVENT_IOC_ENABLE: %s", strerror(errno))
		       : 0;
}

int sonde_hw_perf_disable(struct sonde_hw_perf *h)
{
	if (!h)
		return sonde__hw_fail(-EINVAL, "sonde_hw_perf_disable: bad arguments");
	return ioctl(h->fd, PERF_EVENT_IOC_DISABLE, 0) < 0
		       ? sonde__hw_fail(-errno, "PERF_EVENT_IOC_DISABLE: %s", strerror(errno))
		       : 0;
}

long sonde_hw_perf_read(struct sonde_hw_perf *h, void *buf, size_t size)
{
	struct perf_event_mmap_page *pg;
	uint64_t head, tail, avail;
	size_t n = 0;

	if (!h || (!buf && size))
		return sonde__hw_fail(-EINVAL, "sonde_hw_perf_read: bad arguments");
	pg = h->base;
	/* Acquire: the trace bytes below head are visible once head is;
	 * pairs with the kernel's release of aux_head. */
	head = __atomic_load_n(&pg->aux_head, __ATOMIC_ACQUIRE);
	tail = pg->aux_tail;
	avail = head - tail;
	if (avail > h->aux_len)
		avail = h->aux_len; /* the kernel wrapped: the oldest bytes are gone */
	tail = head - avail;
	while (n < size && tail != head) {
		size_t off = (size_t)(tail % h->aux_len);
		size_t chunk = h->aux_len - off;

		if (chunk > head - tail)
			chunk = (size_t)(head - tail);
		if (chunk > size - n)
			chunk = size - n;
		memcpy((uint8_t *)buf + n, h->aux + off, chunk);
		n += chunk;
		tail += chunk;
	}
	/* Release: our reads of the area are done before the kernel may
	 * overwrite it; pairs with the kernel's read of aux_tail. */
	__atomic_store_n(&pg->aux_tail, tail, __ATOMIC_RELEASE);
	return (long)n;
}

void sonde_hw_perf_close(struct sonde_hw_perf *h)
{
	if (!h)
		return;
	munmap(h->aux, h->aux_len);
	munmap(h->base, h->base_len);
	close(h->fd);
	free(h);
}
