/*
 * The bench's target: a small process that holds one memory layout and
 * little else, so that what bench_engine times is the layout rather than
 * a copy of the bench's own mappings.
 *
 *   bench_target LAYOUT [STALL-FD]
 *
 * LAYOUT is sparse (64 GiB PROT_NONE), dense (4 GiB, every 4 KiB page
 * written), fragmented (4 GiB, every other page), thp (4 GiB of THP) or
 * vmas (10,000 one-page VMAs, every other one written). With STALL-FD, a
 * memfd holding a struct stall, a thread maps and unmaps a page in a
 * loop and records how long each took there. Prints "ready" once set up,
 * then waits; it dies with its parent.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "stall.h"

#define GIB	((size_t)1 << 30)

static double
target_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
target_map(size_t len, int prot)
{
	char	*p;

	p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("bench_target: mmap");
		exit(1);
	}
	return p;
}

/* Write every stride-th page of len bytes. */
static void
target_touch(char *p, size_t len, size_t stride)
{
	size_t	page = (size_t)sysconf(_SC_PAGESIZE), i;

	for (i = 0; i < len; i += stride * page)
		p[i] = 1;
}

/* 4 GiB of 4 KiB pages, every stride-th one written. */
static void
target_small_pages(size_t stride)
{
	char	*p = target_map(4 * GIB, PROT_READ | PROT_WRITE);

	madvise(p, 4 * GIB, MADV_NOHUGEPAGE);
	target_touch(p, 4 * GIB, stride);
}

/* 4 GiB of THP: 2 MiB spare so that 4 GiB of it is aligned. */
static void
target_thp(void)
{
	size_t	 len = 4 * GIB + 2 * ((size_t)1 << 20);
	char	*p = target_map(len, PROT_READ | PROT_WRITE);

	madvise(p, len, MADV_HUGEPAGE);
	target_touch(p, len, 1);
}

/* One-page VMAs that cannot merge: read-only between written ones. */
static void
target_vmas(size_t n)
{
	size_t	 page = (size_t)sysconf(_SC_PAGESIZE), i;
	char	*p = target_map(n * page, PROT_READ | PROT_WRITE);

	for (i = 0; i < n; i += 2) {
		p[i * page] = 1;
		mprotect(p + (i + 1) * page, page, PROT_READ);
	}
}

static int
target_build(const char *layout)
{
	if (strcmp(layout, "sparse") == 0)
		target_map(64 * GIB, PROT_NONE);
	else if (strcmp(layout, "dense") == 0)
		target_small_pages(1);
	else if (strcmp(layout, "fragmented") == 0)
		target_small_pages(2);
	else if (strcmp(layout, "thp") == 0)
		target_thp();
	else if (strcmp(layout, "vmas") == 0)
		target_vmas(10000);
	else
		return -1;
	return 0;
}

/* The stall probe: mmap+munmap of one page, timed, in a loop. */
static void *
target_stall(void *arg)
{
	struct stall	*st = arg;
	size_t		 page = (size_t)sysconf(_SC_PAGESIZE);
	double		 t0, dt;
	long		 b;
	void		*p;

	while (st->run != 2) {
		t0 = target_now();
		p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			munmap(p, page);
		dt = target_now() - t0;
		if (st->run != 1)
			continue;
		if (dt > st->worst)
			st->worst = dt;
		b = (long)(dt / STALL_BUCKET);
		st->count[b >= STALL_BUCKETS ? STALL_BUCKETS - 1 : b]++;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct stall	*st;
	pthread_t	 th;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (argc < 2 || argc > 3 || target_build(argv[1]) == -1) {
		fprintf(stderr, "usage: bench_target "
		    "sparse|dense|fragmented|thp|vmas [STALL-FD]\n");
		return 2;
	}
	if (argc == 3) {
		st = mmap(NULL, sizeof *st, PROT_READ | PROT_WRITE,
		    MAP_SHARED, atoi(argv[2]), 0);
		if (st == MAP_FAILED ||
		    pthread_create(&th, NULL, target_stall, st) != 0) {
			perror("bench_target: stall probe");
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
