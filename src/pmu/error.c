// SPDX-License-Identifier: MIT
/*
 * Why a counter cannot count, as a sentence: sonde_pmu_strerror() names
 * the cause class of perf_event_open()'s errno (not supported here,
 * permission, no free counter slot, bad attribute) and, for permission,
 * the kernel.perf_event_paranoid value and the capability that would do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sonde/pmu.h>

/* kernel.perf_event_paranoid, or -100 when it cannot be read. */
static int paranoid(void)
{
	char buf[16] = "";
	ssize_t r;
	int fd = open("/proc/sys/kernel/perf_event_paranoid",
		      O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -100;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -100;
	buf[r] = '\0';
	return atoi(buf);
}

static const char *permission_hint(int level)
{
	if (level >= 2)
		return "counting the kernel needs perf_event_paranoid <= 1, "
		       "counting a CPU (-a) needs <= 0, or CAP_PERFMON (or "
		       "CAP_SYS_ADMIN before Linux 5.8) for either; add :u to "
		       "count user space only";
	if (level == 1)
		return "counting a CPU (-a) needs perf_event_paranoid <= 0 or "
		       "CAP_PERFMON (or CAP_SYS_ADMIN before Linux 5.8)";
	return "this needs CAP_PERFMON (or CAP_SYS_ADMIN before Linux 5.8), "
	       "or another user's process needs ptrace access";
}

const char *sonde_pmu_strerror(int err, const char *event, char *why,
			       size_t n)
{
	const char *ev = event ? event : "the event";
	int level;

	if (!why || !n)
		return why;
	switch (err) {
	case 0:
		snprintf(why, n, "%s counts", ev);
		break;
	case -ENOENT:
	case -EOPNOTSUPP:
	case -ENODEV:
	case -ENXIO:
		snprintf(why, n, "%s is not supported on this machine: no PMU "
			 "here provides it (%s)", ev, strerror(-err));
		break;
	case -EACCES:
	case -EPERM:
		level = paranoid();
		if (level == -100)
			snprintf(why, n, "permission denied for %s (%s): "
				 "/proc/sys/kernel/perf_event_paranoid cannot "
				 "be read; CAP_PERFMON (or CAP_SYS_ADMIN) "
				 "would do", ev, strerror(-err));
		else
			snprintf(why, n, "permission denied for %s (%s): "
				 "/proc/sys/kernel/perf_event_paranoid is %d; "
				 "%s", ev, strerror(-err), level,
				 permission_hint(level));
		break;
	case -EBUSY:
	case -ENOSPC:
		snprintf(why, n, "no free counter slot for %s (%s): the PMU's "
			 "counters are taken (by pinned or exclusive events, "
			 "or every breakpoint slot)", ev, strerror(-err));
		break;
	case -EINVAL:
		snprintf(why, n, "bad attribute for %s (%s): the kernel "
			 "refused its encoding, a modifier or a flag this PMU "
			 "does not take", ev, strerror(-err));
		break;
	case -ESRCH:
		snprintf(why, n, "cannot count %s: no such thread", ev);
		break;
	case -EMFILE:
	case -ENFILE:
		snprintf(why, n, "cannot open %s: too many open files (raise "
			 "ulimit -n)", ev);
		break;
	default:
		snprintf(why, n, "cannot open %s: %s", ev,
			 strerror(err < 0 ? -err : err));
		break;
	}
	return why;
}
