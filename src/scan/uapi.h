/*
 * The PAGEMAP_SCAN interface (Linux 6.7+), from uapi <linux/fs.h>. Older
 * system headers (Debian 12 ships 6.1's) lack it, so pmtop carries its
 * own copy, used only where the system header does not define it. The
 * layout is fixed by the kernel ABI: 96 and 24 bytes, no padding.
 */
#ifndef PMTOP_SCAN_UAPI_H
#define PMTOP_SCAN_UAPI_H

#include <linux/fs.h>
#include <linux/types.h>
#include <sys/ioctl.h>

#ifndef PAGEMAP_SCAN

#define PAGE_IS_WPALLOWED	(1 << 0)
#define PAGE_IS_WRITTEN		(1 << 1)
#define PAGE_IS_FILE		(1 << 2)
#define PAGE_IS_PRESENT		(1 << 3)
#define PAGE_IS_SWAPPED		(1 << 4)
#define PAGE_IS_PFNZERO		(1 << 5)
#define PAGE_IS_HUGE		(1 << 6)
#define PAGE_IS_SOFT_DIRTY	(1 << 7)

struct page_region {
	__u64	start;
	__u64	end;
	__u64	categories;
};

#define PM_SCAN_WP_MATCHING	(1 << 0)
#define PM_SCAN_CHECK_WPASYNC	(1 << 1)

struct pm_scan_arg {
	__u64	size;
	__u64	flags;
	__u64	start;
	__u64	end;
	__u64	walk_end;
	__u64	vec;
	__u64	vec_len;
	__u64	max_pages;
	__u64	category_inverted;
	__u64	category_mask;
	__u64	category_anyof_mask;
	__u64	return_mask;
};

#define PROCFS_IOCTL_MAGIC	'f'
#define PAGEMAP_SCAN		_IOWR(PROCFS_IOCTL_MAGIC, 16, struct pm_scan_arg)

#endif /* PAGEMAP_SCAN */

/* Added after the ioctl itself: 6.16 and 7.3. */
#ifndef PAGE_IS_GUARD
#define PAGE_IS_GUARD		(1 << 8)
#endif

_Static_assert(sizeof(struct pm_scan_arg) == 96, "pm_scan_arg ABI");
_Static_assert(sizeof(struct page_region) == 24, "page_region ABI");

#endif
