// SPDX-License-Identifier: MIT
/*
 * The workloads of test-stat.
 *
 *   test-stat-work PAGES SWITCHES [STATUS]
 *	touch PAGES fresh anonymous pages (one minor fault each: transparent
 *	huge pages are refused with MADV_NOHUGEPAGE), then sleep SWITCHES
 *	times for 200 us (one voluntary context switch each), then exit with
 *	STATUS.
 *   test-stat-work spread LOOPS PAGES
 *	a fixed CPU loop of LOOPS rounds (a fixed task-clock), touching PAGES
 *	fresh pages spread evenly over it: counts that grow steadily, the
 *	same from run to run, for event sets switched on time.
 *   test-stat-work threads N
 *	N threads that keep faulting pages (map 16 pages, touch, unmap, sleep
 *	1 ms) until a line or end of file on stdin; the main thread only
 *	waits there, so counting the main thread alone counts almost nothing.
 *	"ready" on stdout once the threads run.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;

static char *fresh(long pages, long psz)
{
	char *p = mmap(NULL, (size_t)(pages * psz), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(3);
	madvise(p, (size_t)(pages * psz), MADV_NOHUGEPAGE);
	return p;
}

static int spread(long loops, long pages)
{
	long psz = sysconf(_SC_PAGESIZE), every = pages ? loops / pages : 0;
	volatile char *p = pages ? fresh(pages, psz) : NULL;
	volatile unsigned long x = 1;
	long touched = 0;

	for (long i = 0; i < loops; i++) {
		for (int j = 0; j < 2000; j++)
			x = x * 6364136223846793005ul + 1442695040888963407ul;
		if (every && i % every == 0 && touched < pages)
			p[touched++ * psz] = 1;
	}
	return 0;
}

static void *faulter(void *arg)
{
	long psz = sysconf(_SC_PAGESIZE);
	struct timespec ts = { 0, 1000000 };

	(void)arg;
	while (!stop) {
		volatile char *p = fresh(16, psz);

		for (int i = 0; i < 16; i++)
			p[i * psz] = 1;
		munmap((void *)p, (size_t)(16 * psz));
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static int threads(int n)
{
	pthread_t t[64];
	char line[16];

	if (n < 1 || n > 64)
		return 2;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, faulter, NULL))
			return 3;
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	stop = 1;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}

int main(int argc, char **argv)
{
	long pages, switches, psz = sysconf(_SC_PAGESIZE);
	struct timespec ts = { 0, 200000 };
	volatile char *p;

	if (argc == 4 && strcmp(argv[1], "spread") == 0)
		return spread(atol(argv[2]), atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "threads") == 0)
		return threads(atoi(argv[2]));
	if (argc < 3)
		return 2;
	pages = atol(argv[1]);
	switches = atol(argv[2]);
	if (pages > 0) {
		p = fresh(pages, psz);
		for (long i = 0; i < pages; i++)
			p[i * psz] = 1;
	}
	for (long i = 0; i < switches; i++)
		nanosleep(&ts, NULL);
	return argc > 3 ? atoi(argv[3]) : 0;
}
