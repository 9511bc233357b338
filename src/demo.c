/*
 * The demo workload. The child maps each region, brings its pages into
 * the wanted state, reports the addresses to the parent through a pipe
 * (one "name start end" line each, then "ready"), and then keeps moving a
 * window of writes through one region until it is killed. It also dies
 * with its parent (PR_SET_PDEATHSIG), so a killed pmtop leaves nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define MIB ((size_t)1 << 20)
#define DEMO_ALIGN (2 * MIB)
#define DEMO_GAP (2 * MIB)

static const char *const demo_names[DEMO_NREGIONS] = {
	[DEMO_STRIPED] = "striped",
	[DEMO_ZERO] = "zero",
	[DEMO_THP] = "thp",
	[DEMO_FILE] = "file",
	[DEMO_MEMFD] = "memfd",
	[DEMO_GUARD] = "guard",
	[DEMO_RESERVE] = "reserve",
	[DEMO_MOVING] = "moving",
	[DEMO_SWAPPED] = "swapped",
};

struct demo_child {
	size_t		 page;
	char		*next;
	char		*base[DEMO_NREGIONS];
	size_t		 len[DEMO_NREGIONS];
};

const char *
demo_region_name(enum demo_region r)
{
	return (unsigned)r < DEMO_NREGIONS ? demo_names[r] : "?";
}

static __attribute__((noreturn)) void
demo_die(const char *what)
{
	fprintf(stderr, "pmtop demo: %s: %s\n", what, strerror(errno));
	_exit(1);
}

/*
 * Regions are placed one after another with an unmapped gap between
 * them, so that the kernel cannot merge neighbours into one VMA and each
 * region shows as its own line. d->next is where the next one goes.
 */
static char *
demo_map(struct demo_child *d, size_t len, int prot, int flags, int fd)
{
	char	*p;

	p = mmap(d->next, len, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);

	/* Where that is refused (valgrind), any place will do. */
	if (p == MAP_FAILED)
		p = mmap(NULL, len, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		demo_die("mmap");
	d->next = p + ((len + DEMO_GAP + DEMO_ALIGN - 1) &
	    ~(DEMO_ALIGN - 1));
	return p;
}

/* Find a free stretch for all regions, 2 MiB aligned for THP. */
static void
demo_reserve_span(struct demo_child *d)
{
	size_t	 span = 0, i;
	char	*p;

	for (i = 0; i < DEMO_NREGIONS; i++)
		span += d->len[i] + DEMO_GAP + DEMO_ALIGN;
	p = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		d->next = NULL;
		return;
	}
	munmap(p, span);
	d->next = (char *)(((uintptr_t)p + DEMO_ALIGN - 1) &
	    ~(uintptr_t)(DEMO_ALIGN - 1));
}

static void
demo_name(char *p, size_t len, const char *name)
{
	/* Works where CONFIG_ANON_VMA_NAME is on; harmless elsewhere. */
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, p, len, name);
}

static void
demo_striped(struct demo_child *d)
{
	size_t	i, n = d->len[DEMO_STRIPED] / d->page;
	char	*p = d->base[DEMO_STRIPED];

	for (i = 0; i < n; i++) {
		if ((i / DEMO_STRIPE_PAGES) % 2 == 0)
			p[i * d->page] = 1;
	}
	demo_name(p, d->len[DEMO_STRIPED], "pmtop demo: striped");
}

static void
demo_zero(struct demo_child *d)
{
	volatile char	*p = d->base[DEMO_ZERO];
	size_t		 i;
	char		 sum = 0;

	for (i = 0; i < d->len[DEMO_ZERO]; i += d->page)
		sum += p[i];
	(void)sum;
}

static void
demo_thp(struct demo_child *d)
{
	/* Without THP the region is simply present in 4 KiB pages. */
	madvise(d->base[DEMO_THP], d->len[DEMO_THP], MADV_HUGEPAGE);
	memset(d->base[DEMO_THP], 1, d->len[DEMO_THP]);
}

/*
 * A file mapping of which only some pages are mapped: the file's pages
 * are written back and dropped from the page cache first, and random
 * access advice turns off readahead, so only the pages read get mapped.
 */
static void
demo_file(struct demo_child *d)
{
	char		 path[] = "/tmp/pmtop demo file.XXXXXX", *buf;
	volatile char	*p;
	size_t		 i, n;
	char		 sum = 0;
	int		 fd;

	fd = mkstemp(path);
	if (fd == -1)
		demo_die("mkstemp");
	unlink(path);
	buf = calloc(1, MIB);
	if (buf == NULL)
		demo_die("calloc");
	for (i = 0; i < d->len[DEMO_FILE] / MIB; i++) {
		if (write(fd, buf, MIB) != (ssize_t)MIB)
			demo_die("write");
	}
	free(buf);
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);

	d->base[DEMO_FILE] = demo_map(d, d->len[DEMO_FILE], PROT_READ,
	    MAP_PRIVATE, fd);
	close(fd);
	p = d->base[DEMO_FILE];
	madvise((char *)p, d->len[DEMO_FILE], MADV_RANDOM);
	n = d->len[DEMO_FILE] / d->page / 2;
	for (i = 0; i < n; i += DEMO_FILE_STRIDE)
		sum += p[i * d->page];
	(void)sum;
}

static void
demo_memfd(struct demo_child *d)
{
	int	fd;

	fd = memfd_create("pmtop demo", MFD_CLOEXEC);
	if (fd == -1 || ftruncate(fd, (off_t)d->len[DEMO_MEMFD]) == -1)
		demo_die("memfd");
	d->base[DEMO_MEMFD] = demo_map(d, d->len[DEMO_MEMFD],
	    PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	close(fd);
	memset(d->base[DEMO_MEMFD], 1, d->len[DEMO_MEMFD] / 2);
}

static void
demo_guard(struct demo_child *d)
{
	size_t	i, n = d->len[DEMO_GUARD] / d->page;
	char	*p = d->base[DEMO_GUARD];

	memset(p, 1, d->len[DEMO_GUARD]);
	/* Before 6.13 there are no guard pages: all stay present. */
	for (i = 0; i < n; i += DEMO_GUARD_STRIDE)
		madvise(p + i * d->page, d->page, MADV_GUARD_INSTALL);
}

static void
demo_swapped(struct demo_child *d)
{
	memset(d->base[DEMO_SWAPPED], 1, d->len[DEMO_SWAPPED]);
	/* Without swap the kernel keeps the pages: they stay present. */
	madvise(d->base[DEMO_SWAPPED], d->len[DEMO_SWAPPED], MADV_PAGEOUT);
}

/*
 * The big reservation; 4 GiB where 64 GiB cannot be had (valgrind limits
 * its guest's address space).
 */
static char *
demo_reserve(struct demo_child *d)
{
	const int	flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	char		*p;

	p = mmap(NULL, d->len[DEMO_RESERVE], PROT_NONE, flags, -1, 0);
	if (p != MAP_FAILED) {
		munmap(p, d->len[DEMO_RESERVE]);
		return demo_map(d, d->len[DEMO_RESERVE], PROT_NONE, flags, -1);
	}
	d->len[DEMO_RESERVE] = (size_t)4 << 30;
	return demo_map(d, d->len[DEMO_RESERVE], PROT_NONE, flags, -1);
}

static void
demo_setup(struct demo_child *d)
{
	const int	rw = PROT_READ | PROT_WRITE;
	const int	anon = MAP_PRIVATE | MAP_ANONYMOUS;

	d->page = (size_t)sysconf(_SC_PAGESIZE);
	d->len[DEMO_STRIPED] = 16 * MIB;
	d->len[DEMO_ZERO] = 4 * MIB;
	d->len[DEMO_THP] = 8 * MIB;
	d->len[DEMO_FILE] = 8 * MIB;
	d->len[DEMO_MEMFD] = 4 * MIB;
	d->len[DEMO_GUARD] = 1 * MIB;
	d->len[DEMO_RESERVE] = (size_t)64 << 30;
	d->len[DEMO_MOVING] = 8 * MIB;
	d->len[DEMO_SWAPPED] = 4 * MIB;

	demo_reserve_span(d);
	d->base[DEMO_STRIPED] = demo_map(d, d->len[DEMO_STRIPED], rw, anon, -1);
	d->base[DEMO_ZERO] = demo_map(d, d->len[DEMO_ZERO], rw, anon, -1);
	d->base[DEMO_THP] = demo_map(d, d->len[DEMO_THP], rw, anon, -1);
	d->base[DEMO_GUARD] = demo_map(d, d->len[DEMO_GUARD], rw, anon, -1);
	d->base[DEMO_RESERVE] = demo_reserve(d);
	d->base[DEMO_MOVING] = demo_map(d, d->len[DEMO_MOVING], rw, anon, -1);
	d->base[DEMO_SWAPPED] = demo_map(d, d->len[DEMO_SWAPPED], rw, anon,
	    -1);

	demo_striped(d);
	demo_zero(d);
	demo_thp(d);
	demo_file(d);
	demo_memfd(d);
	demo_guard(d);
	demo_swapped(d);
}

/* Write the next window of the moving region and drop the last one. */
static void
demo_move(struct demo_child *d, size_t *at)
{
	size_t	len = d->len[DEMO_MOVING];
	char	*p = d->base[DEMO_MOVING];

	madvise(p + *at, DEMO_MOVING_WINDOW, MADV_DONTNEED);
	*at = (*at + DEMO_MOVING_WINDOW) % len;
	memset(p + *at, 2, DEMO_MOVING_WINDOW);
}

static __attribute__((noreturn)) void
demo_child_main(int fd)
{
	struct demo_child	d;
	struct timespec		tick = { 0, 250 * 1000 * 1000 };
	size_t			at = 0;
	FILE			*f;
	int			r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "pmtop-demo");
	memset(&d, 0, sizeof d);
	demo_setup(&d);
	memset(d.base[DEMO_MOVING], 2, DEMO_MOVING_WINDOW);

	f = fdopen(fd, "w");
	if (f == NULL)
		demo_die("fdopen");
	for (r = 0; r < DEMO_NREGIONS; r++)
		fprintf(f, "%s %lx %lx\n", demo_names[r],
		    (unsigned long)d.base[r],
		    (unsigned long)(d.base[r] + d.len[r]));
	fprintf(f, "ready\n");
	fclose(f);

	for (;;) {
		nanosleep(&tick, NULL);
		demo_move(&d, &at);
	}
}

/* Read the child's report into layout. */
static int
demo_read_layout(int fd, struct demo_layout *layout)
{
	char		 line[256], name[32];
	unsigned long	 s, e;
	FILE		*f;
	int		 r, ready = 0;

	f = fdopen(fd, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strcmp(line, "ready\n") == 0) {
			ready = 1;
			break;
		}
		if (sscanf(line, "%31s %lx %lx", name, &s, &e) != 3)
			continue;
		for (r = 0; r < DEMO_NREGIONS; r++) {
			if (strcmp(name, demo_names[r]) == 0) {
				layout->start[r] = s;
				layout->end[r] = e;
			}
		}
	}
	fclose(f);
	return ready ? 0 : -1;
}

pid_t
demo_spawn(struct demo_layout *layout, char **cause)
{
	int	fds[2];
	pid_t	pid;

	memset(layout, 0, sizeof *layout);
	if (pipe2(fds, O_CLOEXEC) == -1)
		goto fail;
	pid = fork();
	if (pid == -1) {
		close(fds[0]);
		close(fds[1]);
		goto fail;
	}
	if (pid == 0) {
		close(fds[0]);
		demo_child_main(fds[1]);
	}
	close(fds[1]);

	if (demo_read_layout(fds[0], layout) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (asprintf(cause, "the demo workload failed to start") == -1)
			*cause = NULL;
		return -1;
	}
	layout->pid = pid;
	return pid;

fail:
	if (asprintf(cause, "cannot start the demo: %s", strerror(errno)) == -1)
		*cause = NULL;
	return -1;
}

int
demo_workload_main(void)
{
	struct demo_layout	 d;
	char			*cause = NULL;
	int			 r;

	if (demo_spawn(&d, &cause) == -1) {
		fprintf(stderr, "pmtop: %s\n", cause ? cause : "demo failed");
		free(cause);
		return 1;
	}
	printf("pmtop-demo running as pid %d\n", (int)d.pid);
	for (r = 0; r < DEMO_NREGIONS; r++)
		printf("%-8s %llx-%llx\n", demo_region_name(r),
		    (unsigned long long)d.start[r],
		    (unsigned long long)d.end[r]);
	printf("ready\n");
	fflush(stdout);
	waitpid(d.pid, NULL, 0);
	return 0;
}
