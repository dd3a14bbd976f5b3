// SPDX-License-Identifier: MIT
/*
 * A sink's buffer in sysfs mode: its size (buffer_size, the ETR's; an ETF
 * or ETB has a fixed on-chip RAM) and its content, read from the sink's
 * character device /dev/<sink>.  The kernel keeps this buffer apart from
 * the one a perf session uses (the AUX area of sonde_hw_perf_open()): the
 * sink serves one mode at a time (enable.c).
 *
 * Trust boundary: the device root can be moved onto any folder (tests,
 * $SONDE_HWTRACE_DEV), so /dev/<sink> is opened O_NOFOLLOW and must be a
 * character device or a regular file; what it holds is read into the
 * caller's bounded buffer and is parsed later as hostile (deformat.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw.h"

/* The most a sink buffer may be set to: 4 GiB (the TMC's RSZ register
 * counts 32-bit words in 31 bits; the kernel takes no more). */
#define SINK_SIZE_MAX (4ull << 30)

static int sink_index(const struct sonde_hw_topo *t, const char *sink)
{
	long i = sonde_hw_device_find(t, sink);

	if (i < 0)
		return (int)i;
	if (t->dev[i].kind != SONDE_HW_SINK && t->dev[i].kind != SONDE_HW_LINKSINK)
		return sonde__hw_fail(-EINVAL, "%s is a %s, not a sink", sink,
				      sonde_hw_kind_name(t->dev[i].kind));
	return (int)i;
}

int sonde_hw_sink_set_buffer_size(struct sonde_hw_topo *t, const char *sink,
				  uint64_t bytes)
{
	char val[32], back[64];
	uint64_t got;
	long n;
	int i, r;

	if (!t || !sink)
		return sonde__hw_fail(-EINVAL, "sonde_hw_sink_set_buffer_size: bad arguments");
	i = sink_index(t, sink);
	if (i < 0)
		return i;
	if (!bytes || bytes % 4096 || bytes > SINK_SIZE_MAX)
		return sonde__hw_fail(-EINVAL, "a sink buffer is a multiple of 4096 bytes up to 4 GiB, not %llu",
				      (unsigned long long)bytes);
	pthread_mutex_lock(&t->lock);
	if (t->dev[i].refcnt) {
		pthread_mutex_unlock(&t->lock);
		return sonde__hw_fail(-EBUSY, "%s is enabled; its buffer is sized while it is off", sink);
	}
	n = sonde__hw_attr_read(t, sink, "buffer_size", back, sizeof(back));
	if (n == -ENOENT) {
		pthread_mutex_unlock(&t->lock);
		return sonde__hw_fail(-EOPNOTSUPP, "%s has a fixed buffer (no buffer_size file)", sink);
	}
	snprintf(val, sizeof(val), "%#llx", (unsigned long long)bytes);
	r = sonde__hw_attr_write(t, sink, "buffer_size", val);
	if (!r) {
		n = sonde__hw_attr_read(t, sink, "buffer_size", back, sizeof(back));
		r = n < 0 ? (int)n : sonde__hw_parse_u64(back, (size_t)n, &got);
		if (!r && got != bytes)
			r = -ERANGE;
	}
	pthread_mutex_unlock(&t->lock);
	if (r < 0)
		return sonde__hw_fail(r, "cannot set %s's buffer to %llu bytes: %s", sink,
				      (unsigned long long)bytes,
				      r == -ERANGE ? "the driver kept another size" : strerror(-r));
	sonde__hw_ok();
	return 0;
}

int sonde_hw_sink_buffer_size(struct sonde_hw_topo *t, const char *sink,
			      uint64_t *bytes)
{
	int i, r;

	if (!t || !sink || !bytes)
		return sonde__hw_fail(-EINVAL, "sonde_hw_sink_buffer_size: bad arguments");
	i = sink_index(t, sink);
	if (i < 0)
		return i;
	r = sonde__hw_attr_u64(t, sink, "buffer_size", bytes);
	if (r == -ENOENT)
		return sonde__hw_fail(-EOPNOTSUPP, "%s has a fixed buffer (no buffer_size file)", sink);
	if (r < 0)
		return sonde__hw_fail(r, "cannot read %s/buffer_size: %s", sink, strerror(-r));
	return 0;
}

long sonde_hw_sink_read(struct sonde_hw_topo *t, const char *sink, void *buf,
			size_t size)
{
	char path[PATH_MAX];
	struct stat st;
	size_t len = 0;
	int fd, i, r;

	if (!t || !sink || (!buf && size))
		return sonde__hw_fail(-EINVAL, "sonde_hw_sink_read: bad arguments");
	i = sink_index(t, sink);
	if (i < 0)
		return i;
	r = snprintf(path, sizeof(path), "%s/%s", t->dev_root, sink);
	if (r < 0 || (size_t)r >= sizeof(path))
		return sonde__hw_fail(-ENAMETOOLONG, "device path too long");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		return sonde__hw_fail(r, "cannot open %s: %s%s", path, strerror(-r),
				      r == -ENOENT ? " (a sink with no buffer to read, a TPIU?)" : "");
	}
	if (fstat(fd, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISREG(st.st_mode))) {
		close(fd);
		return sonde__hw_fail(-EINVAL, "%s is not a device", path);
	}
	while (len < size) {
		ssize_t n = read(fd, (char *)buf + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			close(fd);
			return sonde__hw_fail(r, "reading %s: %s%s", path, strerror(-r),
					      r == -EBUSY ? " (the sink is in use by perf, or still enabled)" : "");
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	sonde__hw_ok();
	return (long)len;
}
