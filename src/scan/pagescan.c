/*
 * PAGEMAP_SCAN range scans.
 *
 * Each ioctl walks on from where the last one stopped and fills a vector
 * of regions. Two kernel traps shape the loop. First, walk_end goes
 * stale once a call produces more than 512 regions (the kernel only
 * updates it when its internal buffer fills), so the loop resumes at the
 * later of walk_end and the end of the last region, and a call that
 * returned fewer regions than the vector holds, and fewer pages than it
 * was allowed, is complete. Second, a call holds the target's mmap read
 * lock per 512 regions, which over dense 4 KiB pages is hundreds of
 * milliseconds per GiB, stalling every mmap, munmap and brk in the
 * target. Calls are therefore cut by the number of pages they may report
 * (max_pages), which is what costs, rather than by address range: a range
 * that was cheap because it was a hole says nothing of the dense memory
 * behind it. The allowance shrinks at once when a call runs long, and
 * pace.h spaces the calls so that the target's writers get in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scan/pace.h"
#include "scan/pagemap.h"
#include "scan/pagescan.h"
#include "scan/uapi.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

/* The category enum follows the kernel bits: a cast converts. */
_Static_assert(CAT_BIT(CAT_PRESENT) == PAGE_IS_PRESENT, "category bits");
_Static_assert(CAT_BIT(CAT_GUARD) == PAGE_IS_GUARD, "category bits");

#define PAGESCAN_VEC_LEN	4096

/* The fewest pages a call may report (pagescan.h has the most). */
#define PAGESCAN_PAGES_MIN	256

/* Aim for at most this long per ioctl, in seconds. */
#define PAGESCAN_CALL_TARGET	0.001

struct pagescan {
	int			 fd;
	struct scan_fake	 fake;
	struct page_region	*vec;
	uint64_t		 page_size;
	uint64_t		 max_pages;	/* per call, adapted */
	struct pace		 pace;		/* for the target's writers */
	struct pagescan_stats	 stats;

	/* A region held back in case the next call continues it. */
	bool			 pending;

	/*
	 * Populated-only scans: only pages with one of these bits are
	 * reported by the kernel, and the gaps are filled in here, up to
	 * filled, as pages with no category.
	 */
	cat_mask		 anyof;
	uint64_t		 filled;
	cat_mask		 accepted;	/* bits the kernel knows */
	struct page_region	 tail;
};

/*
 * One ioctl; retried on EINTR. Returns regions written or -1. The test
 * seam answers first, the way an older kernel would: ENOTTY without the
 * ioctl, EINVAL for a bit it does not know.
 */
static long
pagescan_ioctl(int fd, const struct scan_fake *fake, struct pm_scan_arg *arg)
{
	long	n;

	if (fake->no_ioctl) {
		errno = ENOTTY;
		return -1;
	}
	if ((arg->category_inverted | arg->category_mask |
	    arg->category_anyof_mask | arg->return_mask) & fake->no_bits) {
		errno = EINVAL;
		return -1;
	}
	do {
		n = ioctl(fd, PAGEMAP_SCAN, arg);
	} while (n == -1 && errno == EINTR);
	return n;
}

/* A zero-length call with mask as return mask: does the kernel know it? */
static int
pagescan_try_mask(int fd, const struct scan_fake *fake, cat_mask mask)
{
	struct pm_scan_arg	arg;

	memset(&arg, 0, sizeof arg);
	arg.size = sizeof arg;
	arg.return_mask = mask;
	return pagescan_ioctl(fd, fake, &arg) == -1 ? -1 : 0;
}

/* Categories of the first page of [addr, addr + page) in our own mm. */
static long
pagescan_self_page(int fd, const struct scan_fake *fake, uint64_t addr,
    uint64_t page, cat_mask mask)
{
	struct pm_scan_arg	arg;
	struct page_region	region;

	memset(&arg, 0, sizeof arg);
	memset(&region, 0, sizeof region);
	arg.size = sizeof arg;
	arg.start = addr;
	arg.end = addr + page;
	arg.vec = (uintptr_t)&region;
	arg.vec_len = 1;
	arg.return_mask = mask;
	if (pagescan_ioctl(fd, fake, &arg) != 1)
		return -1;
	return (long)region.categories;
}

/*
 * Kernels built without CONFIG_MEM_SOFT_DIRTY accept PAGE_IS_SOFT_DIRTY
 * and never set it. Where it works, a page just written in a new VMA is
 * always soft-dirty (new VMAs carry VM_SOFTDIRTY), so write one and look.
 */
static bool
pagescan_soft_dirty_works(int fd, const struct scan_fake *fake, uint64_t page)
{
	volatile char	*p;
	long		 cats;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	p[0] = 1;
	cats = pagescan_self_page(fd, fake, (uintptr_t)p, page,
	    PAGE_IS_SOFT_DIRTY | PAGE_IS_PRESENT);
	munmap((void *)p, page);
	return cats != -1 && (cats & PAGE_IS_SOFT_DIRTY);
}

/*
 * The highest end address a scan may use: the kernel rejects ranges past
 * the caller's user address limit with EFAULT. Try 5-level, then 4-level
 * paging; a probe of one page below each limit tells.
 */
static uint64_t
pagescan_user_limit(int fd, const struct scan_fake *fake, uint64_t page)
{
	static const uint64_t	 limits[] = { (uint64_t)1 << 56,
	    (uint64_t)1 << 47 };
	struct pm_scan_arg	 arg;
	size_t			 i;

	for (i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		memset(&arg, 0, sizeof arg);
		arg.size = sizeof arg;
		arg.start = limits[i] - 2 * page;
		arg.end = limits[i] - page;
		if (pagescan_ioctl(fd, fake, &arg) == 0)
			return limits[i] - page;
	}
	return ((uint64_t)1 << 47) - page;
}

/* The ioctl's part of the capabilities. */
static void
pagescan_probe_ioctl(int fd, struct pagescan_caps *caps)
{
	const struct scan_fake	*fake = &caps->fake;
	int			 c;

	/* ENOTTY: no PAGEMAP_SCAN at all (before 6.7). */
	if (pagescan_try_mask(fd, fake, 0) == -1)
		return;
	caps->have_ioctl = true;

	for (c = 0; c < CAT_COUNT; c++) {
		if (pagescan_try_mask(fd, fake, CAT_BIT(c)) == 0)
			caps->accepted |= CAT_BIT(c);
	}
	caps->working = caps->accepted;
	if ((caps->accepted & CAT_BIT(CAT_SOFT_DIRTY)) &&
	    !pagescan_soft_dirty_works(fd, fake, caps->page_size))
		caps->working &= ~CAT_BIT(CAT_SOFT_DIRTY);
	caps->user_limit = pagescan_user_limit(fd, fake, caps->page_size);
}

/*
 * Install a guard page in a written private page of our own and see
 * whether each backend reports it. EINVAL from madvise means this kernel
 * has no guard pages (before 6.13): no process can have one, so their
 * count is a known 0 and needs no bit to be asked.
 */
static void
pagescan_probe_guard(int fd, struct pagescan_caps *caps)
{
	uint64_t	 page = caps->page_size, entry;
	long		 cats;
	char		*p;
	int		 rc;

	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	memset(p, 1, 2 * page);
	if (caps->fake.no_guard_regions) {
		rc = -1;
		errno = EINVAL;
	} else
		rc = madvise(p, page, MADV_GUARD_INSTALL);

	if (rc == -1 && errno == EINVAL)
		caps->absent |= CAT_BIT(CAT_GUARD);
	else if (rc == 0) {
		cats = pagescan_self_page(fd, &caps->fake, (uintptr_t)p, page,
		    PAGE_IS_GUARD | PAGE_IS_SWAPPED);
		if (cats == -1 || !(cats & PAGE_IS_GUARD))
			caps->working &= ~CAT_BIT(CAT_GUARD);
		if (pagemap_entry(fd, &caps->fake, (uintptr_t)p, page,
		    &entry) == 0 && (entry & ((uint64_t)1 << 58)))
			caps->pagemap_working |= CAT_BIT(CAT_GUARD);
	}
	munmap(p, 2 * page);
}

int
pagescan_probe(struct pagescan_caps *caps, char **cause)
{
	return pagescan_probe_fake(caps, getenv(SCAN_FAKE_ENV), cause);
}

int
pagescan_probe_fake(struct pagescan_caps *caps, const char *fake,
    char **cause)
{
	int	fd;

	memset(caps, 0, sizeof *caps);
	caps->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	caps->user_limit = ((uint64_t)1 << 47) - caps->page_size;
	if (scan_fake_parse(fake, &caps->fake, cause) == -1)
		return -1;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (asprintf(cause, "/proc/self/pagemap: %s",
		    strerror(errno)) == -1)
			*cause = NULL;
		return -1;
	}

	pagescan_probe_ioctl(fd, caps);
	pagemap_probe(fd, caps);
	pagescan_probe_guard(fd, caps);
	if (!caps->have_ioctl)
		caps->user_limit = pagemap_user_limit(fd, caps->page_size);
	caps->backend = caps->have_ioctl ? BACKEND_IOCTL : BACKEND_PAGEMAP;
	close(fd);
	return 0;
}

struct pagescan *
pagescan_create(int pagemap_fd, const struct pagescan_caps *caps)
{
	struct pagescan	*ps;

	ps = calloc(1, sizeof *ps);
	if (ps == NULL)
		return NULL;
	ps->vec = calloc(PAGESCAN_VEC_LEN, sizeof *ps->vec);
	if (ps->vec == NULL) {
		free(ps);
		return NULL;
	}
	ps->fd = pagemap_fd;
	ps->fake = caps->fake;
	ps->accepted = caps->accepted;
	ps->page_size = caps->page_size;
	ps->max_pages = PAGESCAN_PAGES_MAX;
	return ps;
}

void
pagescan_destroy(struct pagescan *ps)
{
	if (ps == NULL)
		return;
	free(ps->vec);
	free(ps);
}

void
pagescan_get_stats(const struct pagescan *ps, struct pagescan_stats *stats)
{
	*stats = ps->stats;
	stats->pauses = ps->pace.pauses;
}

/* Hand the held-back region to the callback. */
static void
pagescan_flush(struct pagescan *ps, pagescan_region_cb *cb, void *arg)
{
	if (!ps->pending)
		return;
	cb(arg, ps->tail.start, ps->tail.end, (cat_mask)ps->tail.categories);
	ps->stats.regions++;
	ps->pending = false;
}

/* Add [start, end) to the held-back region, or pass that on first. */
static void
pagescan_emit(struct pagescan *ps, uint64_t start, uint64_t end,
    uint64_t cats, pagescan_region_cb *cb, void *arg)
{
	if (ps->pending && ps->tail.end == start &&
	    ps->tail.categories == cats) {
		ps->tail.end = end;
		return;
	}
	pagescan_flush(ps, cb, arg);
	ps->tail.start = start;
	ps->tail.end = end;
	ps->tail.categories = cats;
	ps->pending = true;
}

/* In a populated-only scan, the pages up to upto matched nothing. */
static void
pagescan_fill(struct pagescan *ps, uint64_t upto, pagescan_region_cb *cb,
    void *arg)
{
	if (ps->anyof == 0 || upto <= ps->filled)
		return;
	pagescan_emit(ps, ps->filled, upto, 0, cb, arg);
	ps->filled = upto;
}

/* Merge n new regions with the held-back one and pass on all but the last. */
static void
pagescan_consume(struct pagescan *ps, long n, pagescan_region_cb *cb,
    void *arg)
{
	struct page_region	*r;
	long			 i;

	for (i = 0; i < n; i++) {
		r = &ps->vec[i];
		pagescan_fill(ps, r->start, cb, arg);
		pagescan_emit(ps, r->start, r->end, r->categories, cb, arg);
		if (r->end > ps->filled)
			ps->filled = r->end;
	}
}

/*
 * Size the next call's page allowance from how long this one took to
 * report pages, and whether they used up what it was allowed (cut): in
 * proportion when it ran long, back up by doubling while calls that use
 * it all are quick. A long call that reported few pages walked page
 * tables that held little; it leaves the smallest allowance.
 */
static void
pagescan_adapt(struct pagescan *ps, uint64_t reported, double seconds,
    bool cut)
{
	uint64_t	pages = ps->max_pages;

	if (seconds > 2 * PAGESCAN_CALL_TARGET)
		pages = (uint64_t)((double)reported * PAGESCAN_CALL_TARGET /
		    seconds);
	else if (seconds < PAGESCAN_CALL_TARGET / 2 && cut)
		pages *= 2;

	if (pages < PAGESCAN_PAGES_MIN)
		pages = PAGESCAN_PAGES_MIN;
	if (pages > PAGESCAN_PAGES_MAX)
		pages = PAGESCAN_PAGES_MAX;
	ps->max_pages = pages;
}

/* The pages in the n regions of the vector. */
static uint64_t
pagescan_pages(const struct pagescan *ps, long n)
{
	uint64_t	pages = 0;
	long		i;

	for (i = 0; i < n; i++)
		pages += (ps->vec[i].end - ps->vec[i].start) / ps->page_size;
	return pages;
}

/*
 * Scan [s, e), at most one vector's worth and the allowed pages. Returns
 * where the next call must start (e when done), or 0 with errno.
 */
static uint64_t
pagescan_step(struct pagescan *ps, uint64_t s, uint64_t e, cat_mask mask,
    pagescan_region_cb *cb, void *arg)
{
	struct pm_scan_arg	 scan;
	uint64_t		 next, pages, allowed;
	double			 t0, t1, dt;
	bool			 cut;
	long			 n;

	memset(&scan, 0, sizeof scan);
	scan.size = sizeof scan;
	scan.start = s;
	scan.end = e;
	scan.vec = (uintptr_t)ps->vec;
	scan.vec_len = PAGESCAN_VEC_LEN;
	allowed = ps->max_pages;
	if ((mask & CAT_BIT(CAT_FILE)) && allowed > PAGESCAN_PAGES_FILE)
		allowed = PAGESCAN_PAGES_FILE;
	scan.max_pages = allowed;
	scan.return_mask = mask;
	scan.category_anyof_mask = ps->anyof;

	pace_before(&ps->pace);
	t0 = pace_now();
	n = pagescan_ioctl(ps->fd, &ps->fake, &scan);
	t1 = pace_now();
	pace_after(&ps->pace, t0, t1);
	dt = t1 - t0;
	if (n == -1)
		return 0;
	ps->stats.calls++;
	if (dt > ps->stats.longest_call)
		ps->stats.longest_call = dt;

	pagescan_consume(ps, n, cb, arg);

	/*
	 * Fewer regions than room for them, and fewer pages than allowed:
	 * the kernel reached e. Otherwise it stopped at a region's end.
	 */
	pages = pagescan_pages(ps, n);
	if (pages > ps->stats.most_pages)
		ps->stats.most_pages = pages;
	cut = pages >= allowed;
	if (n < PAGESCAN_VEC_LEN && !cut)
		next = e;
	else {
		next = scan.walk_end;
		if (ps->vec[n - 1].end > next)
			next = ps->vec[n - 1].end;
	}

	/*
	 * The kernel walked up to next; what it did not report there did
	 * not match (a full vector stops at a page that did).
	 */
	pagescan_fill(ps, next, cb, arg);
	pagescan_adapt(ps, pages, dt, cut);
	return next;
}

/* The loop of both kinds of range scan. */
static int
pagescan_walk(struct pagescan *ps, uint64_t lo, uint64_t hi, cat_mask mask,
    pagescan_region_cb *cb, void *arg)
{
	uint64_t	s = lo, next;

	ps->pending = false;
	ps->filled = lo;
	while (s < hi) {
		next = pagescan_step(ps, s, hi, mask, cb, arg);
		if (next == 0) {
			pagescan_flush(ps, cb, arg);
			return -1;
		}
		s = next;
	}
	pagescan_flush(ps, cb, arg);
	return 0;
}

int
pagescan_range(struct pagescan *ps, uint64_t lo, uint64_t hi, cat_mask mask,
    pagescan_region_cb *cb, void *arg)
{
	ps->anyof = 0;
	return pagescan_walk(ps, lo, hi, mask, cb, arg);
}

int
pagescan_range_populated(struct pagescan *ps, uint64_t lo, uint64_t hi,
    cat_mask mask, cat_mask anyof, pagescan_region_cb *cb, void *arg)
{
	int	rc;

	/* A bit the kernel does not know would make it refuse the call. */
	ps->anyof = anyof & ps->accepted;
	if (ps->anyof == 0)
		return pagescan_range(ps, lo, hi, mask, cb, arg);
	rc = pagescan_walk(ps, lo, hi, mask, cb, arg);
	ps->anyof = 0;
	return rc;
}
