/*
 * The PAGEMAP_SCAN range scan: asks the kernel about every page of an
 * address range and hands back regions (runs of pages with equal
 * categories) in ascending order, each page exactly once.
 */
#ifndef PMTOP_SCAN_PAGESCAN_H
#define PMTOP_SCAN_PAGESCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "model/category.h"
#include "model/snapshot.h"
#include "scan/fake.h"

/*
 * What the running kernel, and pmtop with its privileges, can do: found
 * once at start, for both backends (this one and pagemap.h).
 */
struct pagescan_caps {
	bool		 have_ioctl;	/* false: ENOTTY, kernel < 6.7 */
	cat_mask	 accepted;	/* bits the ioctl accepts */
	cat_mask	 working;	/* accepted and really reported */
	cat_mask	 absent;	/* cannot happen on this kernel, */
					/* so known to be 0 unasked */
	uint64_t	 user_limit;	/* a scan must end at or below it */
	uint64_t	 page_size;

	/* The classic pagemap (pagemap.h). */
	cat_mask	 pagemap_working; /* what its entries tell */
	bool		 pfn_visible;	/* frame numbers can be read: */
					/* CAP_SYS_ADMIN */
	uint64_t	 zero_pfn;	/* the zero page, if visible */
	uint64_t	 huge_zero_pfn;	/* the huge zero page; 0: unknown */
	uint64_t	 pmd_pages;	/* pages in a PMD mapping */

	enum backend	 backend;	/* the one the engine uses */
	struct scan_fake fake;		/* the test seam, fake.h */
};

/*
 * Probe the running kernel on pmtop's own memory:
 * - which PAGE_IS_* bits the ioctl accepts (a zero-length call per bit:
 *   EINVAL means unknown), or that there is no ioctl (ENOTTY);
 * - whether soft-dirty is really reported (kernels without
 *   CONFIG_MEM_SOFT_DIRTY accept the bit and never set it), by writing a
 *   page of a new VMA, which is always soft-dirty where it works;
 * - whether guard pages exist (MADV_GUARD_INSTALL, 6.13) and are
 *   reported, by installing one; where they cannot exist, GUARD is in
 *   absent, so that swapped counts need no guard bit to be known;
 * - what classic pagemap entries tell (pagemap_probe());
 * - the user address limit.
 * The backend is PAGEMAP_SCAN where the kernel has it, pagemap
 * otherwise. PMTOP_FAKE_KERNEL (fake.h) is read here, once. Returns 0,
 * or -1 with *cause (allocated) if /proc/self/pagemap cannot be used at
 * all or the seam cannot be parsed.
 */
int pagescan_probe(struct pagescan_caps *caps, char **cause);

/* The same with the seam given (NULL: none), for the tests. */
int pagescan_probe_fake(struct pagescan_caps *caps, const char *fake,
    char **cause);

/* Called for each region, in ascending order; cats are the asked bits. */
typedef void pagescan_region_cb(void *arg, uint64_t start, uint64_t end,
    cat_mask cats);

/*
 * The most pages one ioctl may report: what the costliest kind of page
 * allows in about a millisecond. A 4 KiB PTE costs 13-19 ns, and 40-50
 * ns when PAGE_IS_FILE is asked; cheaper pages (THP: 512 for one PMD)
 * simply make quicker calls. Fewer are allowed where calls still run
 * long, as over page tables that hold one page each.
 */
#define PAGESCAN_PAGES_MAX	65536
#define PAGESCAN_PAGES_FILE	24576

struct pagescan_stats {
	uint64_t	calls;		/* ioctls made */
	uint64_t	regions;	/* regions handed to the callback */
	double		longest_call;	/* seconds, the slowest ioctl */
	uint64_t	pauses;		/* made for the target (pace.h) */
	uint64_t	most_pages;	/* the most one ioctl reported */
};

struct pagescan;

/*
 * A scanner over an open /proc/PID/pagemap fd, which it does not own.
 * NULL on ENOMEM. One thread at a time may use a scanner.
 */
struct pagescan *pagescan_create(int pagemap_fd,
    const struct pagescan_caps *caps);
void pagescan_destroy(struct pagescan *ps);

/*
 * Report every page of [lo, hi) (page aligned, hi <= user_limit) with
 * the categories in mask, through cb. Pages in holes between VMAs are not
 * reported. Regions are merged across the scanner's calls, but not split
 * at VMA boundaries: that is the caller's job.
 *
 * Each ioctl may report a bounded number of pages, so that it holds the
 * target's mmap lock for about a millisecond at most whatever the
 * memory's density, and calls are spaced (pace.h) so that the target's
 * own mmap, munmap and brk get the lock between them.
 *
 * Returns 0, or -1 with errno: ESRCH when the target's mm is gone (exit
 * or exec), EACCES/EPERM, EFAULT for a bad range. Regions already
 * reported stay reported.
 */
int pagescan_range(struct pagescan *ps, uint64_t lo, uint64_t hi,
    cat_mask mask, pagescan_region_cb *cb, void *arg);

/*
 * The same, asking the kernel to report only pages with one of the bits
 * in anyof (PRESENT, SWAPPED, GUARD, WPALLOWED, say), and reporting every
 * other page of the range here as a region with no category. Over
 * fragmented memory this halves what the kernel writes out. Only for
 * ranges the kernel walks whole (no VM_PFNMAP VMA: it would skip those,
 * and their pages would be reported as empty).
 */
int pagescan_range_populated(struct pagescan *ps, uint64_t lo, uint64_t hi,
    cat_mask mask, cat_mask anyof, pagescan_region_cb *cb, void *arg);

/* Counters since creation. */
void pagescan_get_stats(const struct pagescan *ps,
    struct pagescan_stats *stats);

#endif
