/*
 * The classic pagemap backend, for kernels without PAGEMAP_SCAN (before
 * 6.7) or when asked for with --backend=pagemap. It reads the 8-byte
 * /proc/PID/pagemap entry of every page of every VMA and hands on the
 * same regions pagescan_range() does, with the categories an entry can
 * tell: present, swapped, file, soft-dirty, guard, and, where pmtop may
 * see frame numbers (CAP_SYS_ADMIN), the zero page. What no entry tells
 * is taken per VMA from smaps once the pages are read:
 *   huge	never per page (a PMD mapping leaves no mark in an entry,
 *		and /proc/kpageflags cannot tell a PMD-mapped THP from a
 *		PTE-mapped one): AnonHugePages + ShmemPmdMapped +
 *		FilePmdMapped, or the hugetlb pages of a hugetlb VMA. The
 *		raster therefore never shows huge pages on this backend.
 *   pfnzero	without frame numbers: present pages minus smaps Rss, when
 *		smaps did not change during the scan and the difference is
 *		no larger than the pages that could be the zero page
 *		(present, anonymous, not exclusively mapped); otherwise
 *		unknown.
 *   swapped	without frame numbers, uffd-wp markers cannot be told from
 *		swap entries: unknown in VMAs registered for uffd-wp (smaps
 *		VmFlags "uw"). With them, markers (swap type 31) are left
 *		out.
 * A VM_PFNMAP VMA reads as a hole here, where PAGEMAP_SCAN skips it:
 * both leave its counts unknown. WRITTEN and WPALLOWED are never known.
 */
#ifndef PMTOP_SCAN_PAGEMAP_H
#define PMTOP_SCAN_PAGEMAP_H

#include <stdint.h>

#include "model/snapshot.h"
#include "scan/fake.h"
#include "scan/pagescan.h"

/*
 * Fill the classic-pagemap part of caps (pfn_visible, zero_pfn,
 * huge_zero_pfn, pmd_pages, pagemap_working) by looking at pmtop's own
 * pages through self_fd, an open /proc/self/pagemap. caps->fake and
 * page_size must be set. Never fails: what cannot be found out stays off.
 */
void pagemap_probe(int self_fd, struct pagescan_caps *caps);

/*
 * The entry of the page at addr, through fd (with the fake applied).
 * Returns 0, or -1 with errno (ESRCH at end of file).
 */
int pagemap_entry(int fd, const struct scan_fake *fake, uint64_t addr,
    uint64_t page_size, uint64_t *entry);

/*
 * The highest end address of a scan, as pagescan_probe() finds it with
 * the ioctl, found by reads instead: the kernel returns nothing past the
 * end of the address space.
 */
uint64_t pagemap_user_limit(int self_fd, uint64_t page_size);

struct pagemap;

/*
 * A reader over pid's open pagemap fd (not owned). NULL on ENOMEM. One
 * thread at a time.
 */
struct pagemap *pagemap_create(int pagemap_fd, int pid,
    const struct pagescan_caps *caps);
void pagemap_destroy(struct pagemap *pm);

/* The bits to ask of each page of vma when the consumer wants wanted. */
cat_mask pagemap_vma_mask(const struct pagescan_caps *caps,
    const struct vma_info *vma, cat_mask wanted);

/*
 * Before a refresh reads its VMAs: forget the last one and, when the zero
 * page must be counted from smaps, read smaps once (to see whether it
 * changes during the scan). Returns 0 or -1 with errno.
 */
int pagemap_begin(struct pagemap *pm, cat_mask wanted);

/*
 * As pagescan_range(): every page of [lo, hi) through cb, in ascending,
 * merged regions. The range must be one VMA (reading a hole costs as
 * much as reading memory), and is remembered for pagemap_finish().
 * Returns 0, or -1 with errno: ESRCH when the mm is gone.
 */
int pagemap_range(struct pagemap *pm, uint64_t lo, uint64_t hi,
    cat_mask mask, pagescan_region_cb *cb, void *arg);

/*
 * After the VMAs are read, before snapshot_finish(): read smaps and fill
 * in the per-VMA counts described above, marking what cannot be known.
 * Returns 0 or -1 with errno.
 */
int pagemap_finish(struct pagemap *pm, struct snapshot *snap);

/* Counters since creation: calls are reads. */
void pagemap_get_stats(const struct pagemap *pm,
    struct pagescan_stats *stats);

#endif
