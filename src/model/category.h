/*
 * Page categories: what the kernel can say about one page.
 *
 * The numbering is the kernel's own PAGE_IS_* bit order (uapi
 * <linux/fs.h>), so the scan side converts with a shift and a check, but
 * this header includes no kernel header: the model stays pure.
 */
#ifndef PMTOP_MODEL_CATEGORY_H
#define PMTOP_MODEL_CATEGORY_H

#include <stdbool.h>
#include <stdint.h>

enum category {
	CAT_WPALLOWED,	/* VMA registered for async write-protect */
	CAT_WRITTEN,	/* written since last armed (tracked VMAs only) */
	CAT_FILE,	/* page cache or shmem page, not anonymous */
	CAT_PRESENT,	/* mapped to a page frame */
	CAT_SWAPPED,	/* a swap entry; see snapshot.h for markers */
	CAT_PFNZERO,	/* the shared zero page (4 KiB or huge) */
	CAT_HUGE,	/* mapped by a huge page (PMD THP or hugetlb) */
	CAT_SOFT_DIRTY,	/* soft-dirty bit set */
	CAT_GUARD,	/* MADV_GUARD_INSTALL guard page */
	CAT_COUNT
};

typedef uint32_t cat_mask;

#define CAT_BIT(c) ((cat_mask)1 << (c))
#define CAT_ALL ((cat_mask)((1u << CAT_COUNT) - 1))

/* The lower-case name used in JSON and on screen ("soft_dirty"). */
const char *category_name(enum category cat);

/* Parse a name as category_name() writes it; -1 if unknown. */
int category_from_name(const char *name);

/* Number of bits set in a mask. */
int category_count_bits(cat_mask mask);

#endif
