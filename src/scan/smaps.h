/*
 * /proc/PID/smaps, per VMA: what a classic pagemap entry cannot tell.
 * The pagemap backend reads it for the pages mapped by huge pages, for
 * the resident size without the zero page, and for a few VmFlags. Only
 * the kernel's own lines are trusted to start a VMA: names cannot break
 * a line (the kernel escapes a newline in a path as "\012", and anon
 * names may not hold control characters), so a line that starts with
 * "start-end " is always a header.
 */
#ifndef PMTOP_SCAN_SMAPS_H
#define PMTOP_SCAN_SMAPS_H

#include <stddef.h>
#include <stdint.h>

/* Bits of smaps_entry.flags, from the two-letter VmFlags. */
#define SMAPS_UFFD_WP	0x01	/* uw: registered for uffd write-protect */
#define SMAPS_PFNMAP	0x02	/* pf: raw frames, no struct page */
#define SMAPS_IO	0x04	/* io: device memory */
#define SMAPS_MIXEDMAP	0x08	/* mm: frames with and without pages */
#define SMAPS_HUGETLB	0x10	/* ht: hugetlbfs */

struct smaps_entry {
	uint64_t	start;
	uint64_t	end;
	uint64_t	rss_kb;		/* Rss: no zero page, no hugetlb */
	uint64_t	hugetlb_kb;	/* Shared_ + Private_Hugetlb */
	uint64_t	pmd_kb;		/* AnonHugePages + ShmemPmdMapped */
					/* + FilePmdMapped */
	unsigned int	flags;		/* SMAPS_* */
};

/* VMAs in ascending order, without overlaps. */
struct smaps_list {
	struct smaps_entry	*v;
	size_t			 n;
	size_t			 cap;
};

/*
 * Read pid's smaps into list (cleared first). The file is read in pieces
 * and the process may change between them: lines that would go back or
 * overlap are dropped. Returns 0, or -1 with errno (ENOENT or ESRCH when
 * the process is gone, EACCES, ENOMEM).
 */
int smaps_list_read(int pid, struct smaps_list *list);

/* Free what list holds; it can be reused. */
void smaps_list_clear(struct smaps_list *list);

/* The entry for exactly [start, end), or NULL. */
const struct smaps_entry *smaps_list_find(const struct smaps_list *list,
    uint64_t start, uint64_t end);

#endif
