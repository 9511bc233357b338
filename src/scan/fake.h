/*
 * A test seam: the environment variable PMTOP_FAKE_KERNEL makes the
 * running kernel look older, or pmtop less privileged, than it is, so that
 * the tests can take on this machine the paths an old kernel or a user
 * without CAP_SYS_ADMIN would take. It only ever takes abilities away.
 * pagescan_probe() reads it once; the parsed form travels in the
 * capabilities to every place that talks to the kernel.
 *
 * The value is words separated by spaces:
 *   no-ioctl		PAGEMAP_SCAN fails with ENOTTY, as before Linux 6.7
 *   no-bits=A,B	the ioctl rejects these categories (names as in
 *			JSON) with EINVAL, and classic pagemap entries
 *			never carry them (soft_dirty: bit 55, guard: bit
 *			58; other categories have no bit there)
 *   no-pfn		classic pagemap entries carry no frame numbers, as
 *			for a user without CAP_SYS_ADMIN
 *   no-guard-regions	MADV_GUARD_INSTALL fails with EINVAL, as before
 *			Linux 6.13
 */
#ifndef PMTOP_SCAN_FAKE_H
#define PMTOP_SCAN_FAKE_H

#include <stdbool.h>

#include "model/category.h"

#define SCAN_FAKE_ENV "PMTOP_FAKE_KERNEL"

struct scan_fake {
	bool		no_ioctl;
	bool		no_pfn;
	bool		no_guard_regions;
	cat_mask	no_bits;
};

/*
 * Parse spec (NULL or "" fakes nothing) into *fake. Returns 0, or -1
 * with *cause (allocated) naming the word it does not understand.
 */
int scan_fake_parse(const char *spec, struct scan_fake *fake, char **cause);

#endif
