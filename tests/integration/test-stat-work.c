// SPDX-License-Identifier: MIT
/*
 * The workload of test-stat: touch PAGES fresh anonymous pages (one minor
 * fault each: transparent huge pages are refused with MADV_NOHUGEPAGE),
 * then sleep SWITCHES times for 200 us (one voluntary context switch
 * each), then exit with STATUS.
 * Usage: test-stat-work PAGES SWITCHES [STATUS]
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long pages, switches, psz = sysconf(_SC_PAGESIZE);
	struct timespec ts = { 0, 200000 };
	volatile char *p;

	if (argc < 3)
		return 2;
	pages = atol(argv[1]);
	switches = atol(argv[2]);
	if (pages > 0) {
		p = mmap(NULL, (size_t)(pages * psz), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 3;
		madvise((void *)p, (size_t)(pages * psz), MADV_NOHUGEPAGE);
		for (long i = 0; i < pages; i++)
			p[i * psz] = 1;
	}
	for (long i = 0; i < switches; i++)
		nanosleep(&ts, NULL);
	return argc > 3 ? atoi(argv[3]) : 0;
}
