/*
 * The test oracle: /proc/PID/smaps, the kernel's own per-VMA accounting,
 * read independently of pmtop's scan code.
 */
#ifndef PMTOP_TEST_SMAPS_H
#define PMTOP_TEST_SMAPS_H

#include <stddef.h>
#include <stdint.h>

struct smaps_vma {
	uint64_t	start;
	uint64_t	end;
	uint64_t	rss_kb;
	uint64_t	swap_kb;
	uint64_t	anon_huge_kb;
	uint64_t	shmem_pmd_kb;
	uint64_t	file_pmd_kb;
	uint64_t	hugetlb_kb;	/* Shared_ + Private_Hugetlb */
	char		vmflags[128];
	char		name[256];
};

/* Read every VMA of pid; returns the count or -1. *out is malloc'd. */
long smaps_read(int pid, struct smaps_vma **out);

/* True if VmFlags holds the two-letter flag. */
int smaps_has_flag(const struct smaps_vma *v, const char *flag);

#endif
