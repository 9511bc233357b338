/*
 * Scan backends: the two ways pmtop reads a target's pages, behind one
 * table of operations so that the engine can use either for a target
 * and nothing above the scan layer knows which one ran. Both hand pages
 * on as regions through the same callback, and both build the same
 * snapshots:
 *   ioctl	PAGEMAP_SCAN (pagescan.h), Linux 6.7 and later
 *   pagemap	classic /proc/PID/pagemap entries and smaps (pagemap.h),
 *		for older kernels or when asked for
 */
#ifndef PMTOP_SCAN_BACKEND_H
#define PMTOP_SCAN_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "model/snapshot.h"
#include "scan/pagescan.h"
#include "scan/target.h"

struct scan_backend {
	enum backend	 id;

	/* A range may span several VMAs and the holes between them. */
	bool		 spans_holes;

	/* A reader for t's current pagemap fd; NULL on ENOMEM. */
	void		*(*create)(struct target *t,
			    const struct pagescan_caps *caps);
	void		 (*destroy)(void *b);

	/* The bits to ask of each page of vma, given what is wanted. */
	cat_mask	 (*vma_mask)(const struct pagescan_caps *caps,
			    const struct vma_info *vma, cat_mask wanted);

	/* The categories known page by page: the legend's and raster's. */
	cat_mask	 (*supported)(const struct pagescan_caps *caps);

	/*
	 * One refresh: begin (may be NULL), range for each run of VMAs,
	 * then finish (may be NULL) before snapshot_finish(). pfnmap says
	 * the run's VMAs may be VM_PFNMAP (vma_may_be_pfnmap()). Each
	 * returns 0 or -1 with errno, ESRCH when the target's mm is gone.
	 */
	int		 (*begin)(void *b, cat_mask wanted);
	int		 (*range)(void *b, uint64_t lo, uint64_t hi,
			    cat_mask mask, bool pfnmap,
			    pagescan_region_cb *cb, void *arg);
	int		 (*finish)(void *b, struct snapshot *snap);

	/* What the reader has done since it was made. */
	void		 (*get_stats)(void *b, struct pagescan_stats *stats);
};

/* The operations of backend id. */
const struct scan_backend *scan_backend_get(enum backend id);

/* "ioctl" or "pagemap" into *id; -1 if name is neither. */
int scan_backend_parse(const char *name, enum backend *id);

/*
 * Make id the backend caps asks the engine to use. Returns 0, or -1 with
 * *cause (allocated) when this kernel cannot run it (the ioctl before
 * 6.7).
 */
int scan_backend_choose(struct pagescan_caps *caps, enum backend id,
    char **cause);

#endif
