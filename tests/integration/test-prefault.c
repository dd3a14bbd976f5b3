// SPDX-License-Identifier: MIT
/*
 * test-prefault emitter: numbered events written while the buffers'
 * prefault thread (src/control/prefault.c, thread name "sonde-prefault")
 * walks them.  Each mode prints whether that thread was in the process at
 * the points that matter, as "NAME 0|1" lines, for test-prefault.sh.
 *
 *   test-prefault emit N   prefault:seq(role 0, n) for n = 0 .. N-1 at
 *                          once; "at-start", "at-end";
 *   test-prefault exit     1000 events, "at-exit", and returns from main()
 *                          at once (the walk is cut short);
 *   test-prefault fork N   N events (role 0), then a child (fork, no
 *                          exec) reports "child-at-start" (its own walk,
 *                          which starts after a delay) and emits N events
 *                          (role 1); the parent waits for it and exits with
 *                          its status.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sonde/tracepoint.h>

SONDE_TRACEPOINT_EVENT(prefault, seq,
	SONDE_TP_ARGS(int32_t, role, uint64_t, n),
	SONDE_TP_FIELDS(
		sonde_field_integer(int32_t, role, role)
		sonde_field_integer(uint64_t, n, n)))

/* Whether a thread of this process is named "sonde-prefault". */
static int walking(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	char path[300], comm[32];
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = 0;
			found = !strcmp(comm, "sonde-prefault");
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static void emit(int32_t role, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		sonde_tracepoint(prefault, seq, role, i);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
	int at;
	pid_t c;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "emit") && n) {
		at = walking();
		emit(0, n);
		printf("at-start %d\nat-end %d\n", at, walking());
		return 0;
	}
	if (!strcmp(argv[1], "exit")) {
		emit(0, 1000);
		printf("at-exit %d\n", walking());
		return 0;
	}
	if (!strcmp(argv[1], "fork") && n) {
		emit(0, n);
		fflush(stdout);
		c = fork();
		if (c < 0)
			return 3;
		if (c == 0) {
			printf("child-at-start %d\n", walking());
			fflush(stdout);
			emit(1, n);
			_exit(0);
		}
		while (waitpid(c, &at, 0) < 0)
			;
		return WIFEXITED(at) ? WEXITSTATUS(at) : 4;
	}
	return 2;
}
