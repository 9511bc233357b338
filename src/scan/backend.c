/*
 * The two scan backends as tables of operations. The ioctl's table wraps
 * pagescan.c, whose one call per range already answers everything; the
 * pagemap table adds the per-VMA steps around the ranges (pagemap.c).
 */
#include <stdio.h>
#include <string.h>

#include "scan/backend.h"
#include "scan/pagemap.h"

static void *
backend_ioctl_create(struct target *t, const struct pagescan_caps *caps)
{
	return pagescan_create(target_pagemap_fd(t), caps);
}

static void
backend_ioctl_destroy(void *b)
{
	pagescan_destroy(b);
}

static cat_mask
backend_ioctl_vma_mask(const struct pagescan_caps *caps,
    const struct vma_info *vma, cat_mask wanted)
{
	cat_mask	mask;

	/* WRITTEN is meaningless unless the VMA is write-tracked. */
	mask = wanted & caps->working & ~CAT_BIT(CAT_WRITTEN);

	/* PAGE_IS_FILE costs a struct page access per present page. */
	if (!vma_may_hold_file_pages(vma))
		mask &= ~CAT_BIT(CAT_FILE);

	/* Guard markers read as swapped; the zero page can be huge. */
	if (mask & CAT_BIT(CAT_SWAPPED))
		mask |= caps->working & CAT_BIT(CAT_GUARD);
	if (mask & CAT_BIT(CAT_HUGE))
		mask |= caps->working & CAT_BIT(CAT_PFNZERO);
	return mask;
}

static cat_mask
backend_ioctl_supported(const struct pagescan_caps *caps)
{
	return caps->working | caps->absent;
}

/*
 * The kernel need only report populated pages: the gaps are pages with
 * nothing to say, which pagescan fills in. Over fragmented memory that
 * makes PAGEMAP_SCAN faster than reading classic pagemap, and calls cut
 * by reported pages are not spent on untouched reservations. Two things
 * are given up: soft-dirty on pages never populated (set on every page
 * of a VMA new since clear_refs, which pmtop never writes), and HUGE on
 * unpopulated hugetlb pages. Where a VMA may be VM_PFNMAP every page is
 * asked for: the kernel skips such VMAs whole, and a filled gap would
 * call device memory empty instead of unread.
 */
static int
backend_ioctl_range(void *b, uint64_t lo, uint64_t hi, cat_mask mask,
    bool pfnmap, pagescan_region_cb *cb, void *arg)
{
	const cat_mask	populated = CAT_BIT(CAT_PRESENT) |
	    CAT_BIT(CAT_SWAPPED) | CAT_BIT(CAT_GUARD) | CAT_BIT(CAT_WPALLOWED);

	if (pfnmap)
		return pagescan_range(b, lo, hi, mask, cb, arg);
	return pagescan_range_populated(b, lo, hi, mask, populated, cb, arg);
}

static void
backend_ioctl_get_stats(void *b, struct pagescan_stats *stats)
{
	pagescan_get_stats(b, stats);
}

static void *
backend_pagemap_create(struct target *t, const struct pagescan_caps *caps)
{
	return pagemap_create(target_pagemap_fd(t), target_pid(t), caps);
}

static void
backend_pagemap_destroy(void *b)
{
	pagemap_destroy(b);
}

static cat_mask
backend_pagemap_supported(const struct pagescan_caps *caps)
{
	return caps->pagemap_working | caps->absent;
}

static int
backend_pagemap_begin(void *b, cat_mask wanted)
{
	return pagemap_begin(b, wanted);
}

static int
backend_pagemap_range(void *b, uint64_t lo, uint64_t hi, cat_mask mask,
    bool pfnmap, pagescan_region_cb *cb, void *arg)
{
	(void)pfnmap;
	return pagemap_range(b, lo, hi, mask, cb, arg);
}

static int
backend_pagemap_finish(void *b, struct snapshot *snap)
{
	return pagemap_finish(b, snap);
}

static void
backend_pagemap_get_stats(void *b, struct pagescan_stats *stats)
{
	pagemap_get_stats(b, stats);
}

static const struct scan_backend backend_ioctl = {
	.id = BACKEND_IOCTL,
	.spans_holes = true,
	.create = backend_ioctl_create,
	.destroy = backend_ioctl_destroy,
	.vma_mask = backend_ioctl_vma_mask,
	.supported = backend_ioctl_supported,
	.range = backend_ioctl_range,
	.get_stats = backend_ioctl_get_stats,
};

static const struct scan_backend backend_pagemap = {
	.id = BACKEND_PAGEMAP,
	.spans_holes = false,
	.create = backend_pagemap_create,
	.destroy = backend_pagemap_destroy,
	.vma_mask = pagemap_vma_mask,
	.supported = backend_pagemap_supported,
	.begin = backend_pagemap_begin,
	.range = backend_pagemap_range,
	.finish = backend_pagemap_finish,
	.get_stats = backend_pagemap_get_stats,
};

const struct scan_backend *
scan_backend_get(enum backend id)
{
	return id == BACKEND_PAGEMAP ? &backend_pagemap : &backend_ioctl;
}

int
scan_backend_parse(const char *name, enum backend *id)
{
	if (strcmp(name, snapshot_backend_name(BACKEND_IOCTL)) == 0)
		*id = BACKEND_IOCTL;
	else if (strcmp(name, snapshot_backend_name(BACKEND_PAGEMAP)) == 0)
		*id = BACKEND_PAGEMAP;
	else
		return -1;
	return 0;
}

int
scan_backend_choose(struct pagescan_caps *caps, enum backend id,
    char **cause)
{
	*cause = NULL;
	if (id == BACKEND_IOCTL && !caps->have_ioctl) {
		if (asprintf(cause, "this kernel has no PAGEMAP_SCAN (Linux "
		    "6.7 or later has it); --backend=pagemap reads "
		    "/proc/PID/pagemap instead") == -1)
			*cause = NULL;
		return -1;
	}
	caps->backend = id;
	return 0;
}
