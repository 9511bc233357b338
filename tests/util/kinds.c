/*
 * The layouts of kinds.h. Each kind gets a VMA of its own, with a gap
 * after it so that no two merge; THP kinds start PMD-aligned.
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/kinds.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

struct kinds {
	size_t	 page;
	char	*next;
	int	 file_fd;
};

static char *
kinds_map(struct kinds *k, int prot, int flags, int fd)
{
	char	*p;

	p = mmap(k->next, KIND_LEN, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
	if (p == MAP_FAILED)
		_exit(1);
	/* A gap after each, so that no two kinds merge into one VMA. */
	k->next = p + KIND_LEN + KIND_ALIGN;
	return p;
}

static void
kinds_touch(char *p, size_t from, size_t to, size_t step, size_t page,
    int write)
{
	volatile char	*q = p;
	char		 sum = 0;
	size_t		 i;

	for (i = from; i < to; i += step) {
		if (write)
			q[i * page] = 1;
		else
			sum += q[i * page];
	}
	(void)sum;
}

/* A file of KIND_LEN written and dropped from the page cache. */
static int
kinds_file(void)
{
	char	 path[] = "/tmp/pmtop-backend.XXXXXX", *buf;
	int	 fd;

	fd = mkstemp(path);
	if (fd == -1)
		_exit(1);
	unlink(path);
	buf = calloc(1, KIND_LEN);
	if (buf == NULL || write(fd, buf, KIND_LEN) != (ssize_t)KIND_LEN)
		_exit(1);
	free(buf);
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return fd;
}

/* Register p for async uffd-wp and arm it; the fd must stay open. */
static int
kinds_uffd(char *p)
{
	struct uffdio_api		api = { .api = UFFD_API,
	    .features = UFFD_FEATURE_WP_ASYNC };
	struct uffdio_register		reg = { .range = { (uintptr_t)p,
	    KIND_LEN }, .mode = UFFDIO_REGISTER_MODE_WP };
	struct uffdio_writeprotect	wp = { .range = { (uintptr_t)p,
	    KIND_LEN }, .mode = UFFDIO_WRITEPROTECT_MODE_WP };
	int				fd;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK |
	    UFFD_USER_MODE_ONLY);
	if (fd == -1 || ioctl(fd, UFFDIO_API, &api) == -1 ||
	    ioctl(fd, UFFDIO_REGISTER, &reg) == -1 ||
	    ioctl(fd, UFFDIO_WRITEPROTECT, &wp) == -1)
		return -1;
	return 0;
}

static void
kinds_anon(struct kinds *k, struct test_child *c)
{
	const int	 rw = PROT_READ | PROT_WRITE;
	const int	 anon = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t		 n = KIND_LEN / k->page, pg = k->page, i;
	char		*p;

	p = kinds_map(k, rw, anon, -1);
	kinds_touch(p, 0, n, 1, pg, 1);
	c->start[K_WRITTEN] = (uintptr_t)p;
	p = kinds_map(k, rw, anon, -1);
	kinds_touch(p, 0, n, 1, pg, 0);
	c->start[K_ZERO] = (uintptr_t)p;
	p = kinds_map(k, rw, anon, -1);
	kinds_touch(p, 0, n, 2, pg, 1);
	kinds_touch(p, 1, n, 2, pg, 0);
	c->start[K_HALF] = (uintptr_t)p;
	p = kinds_map(k, rw, MAP_SHARED | MAP_ANONYMOUS, -1);
	kinds_touch(p, 0, n / 2, 1, pg, 1);
	c->start[K_SHARED] = (uintptr_t)p;
	p = kinds_map(k, rw, anon, -1);
	kinds_touch(p, 0, n, 1, pg, 1);
	mprotect(p, KIND_LEN, PROT_NONE);
	c->start[K_PROTNONE] = (uintptr_t)p;
	p = kinds_map(k, rw, anon, -1);
	kinds_touch(p, 0, n, 1, pg, 1);
	madvise(p, KIND_LEN / 2, MADV_DONTNEED);
	c->start[K_DONTNEED] = (uintptr_t)p;
	p = kinds_map(k, rw, anon, -1);
	kinds_touch(p, 0, n, 1, pg, 1);
	c->value[K_GUARD] = madvise(p, pg, MADV_GUARD_INSTALL) == 0;
	for (i = 4; c->value[K_GUARD] && i < n; i += 4)
		madvise(p + i * pg, pg, MADV_GUARD_INSTALL);
	c->start[K_GUARD] = (uintptr_t)p;
}

static void
kinds_file_and_thp(struct kinds *k, struct test_child *c)
{
	const int	 rw = PROT_READ | PROT_WRITE;
	const int	 anon = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t		 n = KIND_LEN / k->page, pg = k->page;
	char		*p;

	k->file_fd = kinds_file();
	p = kinds_map(k, PROT_READ, MAP_PRIVATE, k->file_fd);
	madvise(p, KIND_LEN, MADV_RANDOM);
	kinds_touch(p, 0, n, 4, pg, 0);
	c->start[K_FILE_READ] = (uintptr_t)p;
	p = kinds_map(k, rw, MAP_PRIVATE, k->file_fd);
	madvise(p, KIND_LEN, MADV_RANDOM);
	kinds_touch(p, 0, n / 2, 2, pg, 1);
	kinds_touch(p, n / 2, n, 2, pg, 0);
	c->start[K_FILE_COW] = (uintptr_t)p;

	p = kinds_map(k, rw, anon, -1);
	madvise(p, KIND_LEN, MADV_HUGEPAGE);
	memset(p, 1, KIND_LEN);
	c->start[K_THP] = (uintptr_t)p;
	p = kinds_map(k, rw, anon, -1);
	madvise(p, KIND_LEN, MADV_HUGEPAGE);
	kinds_touch(p, 0, n, 1, pg, 0);
	c->start[K_THP_ZERO] = (uintptr_t)p;
	p = kinds_map(k, rw, anon, -1);
	madvise(p, KIND_LEN, MADV_HUGEPAGE);
	memset(p, 1, KIND_LEN);
	mprotect(p + KIND_ALIGN / 2, KIND_ALIGN / 2, PROT_READ);
	c->start[K_THP_SPLIT] = (uintptr_t)p;
}

static void
kinds_swap_and_uffd(struct kinds *k, struct test_child *c)
{
	const int	 rw = PROT_READ | PROT_WRITE;
	const int	 anon = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t		 n = KIND_LEN / k->page, pg = k->page;
	char		*p;

	p = kinds_map(k, rw, anon, -1);
	memset(p, 0x5a, KIND_LEN);
	madvise(p, KIND_LEN, MADV_PAGEOUT);
	c->start[K_SWAPPED] = (uintptr_t)p;

	/* A quarter written, a quarter swapped, the rest markers. */
	p = kinds_map(k, rw, anon, -1);
	kinds_touch(p, 0, n / 2, 1, pg, 1);
	madvise(p + KIND_LEN / 4, KIND_LEN / 4, MADV_PAGEOUT);
	c->value[K_UFFD] = kinds_uffd(p) == 0;
	c->start[K_UFFD] = (uintptr_t)p;
}

void
kinds_layout(struct test_child *c)
{
	struct kinds	 k;
	size_t		 span = (size_t)K_COUNT * (KIND_LEN + 2 * KIND_ALIGN);
	char		*p;
	int		 i;

	k.page = c->page;
	p = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	munmap(p, span);
	k.next = (char *)(((uintptr_t)p + KIND_ALIGN - 1) &
	    ~(uintptr_t)(KIND_ALIGN - 1));

	kinds_anon(&k, c);
	kinds_file_and_thp(&k, c);
	kinds_swap_and_uffd(&k, c);
	for (i = 0; i < K_COUNT; i++)
		c->end[i] = c->start[i] + KIND_LEN;
}

void
kinds_swapped_layout(struct test_child *c)
{
	char	*p;

	p = mmap(NULL, KIND_LEN, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 0x5a, KIND_LEN);
	madvise(p, KIND_LEN, MADV_PAGEOUT);
	c->start[0] = (uintptr_t)p;
	c->end[0] = (uintptr_t)p + KIND_LEN;
}
