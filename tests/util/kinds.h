/*
 * Layouts for the backend tests, built by tests/backend_target.c in a
 * process of its own. "kinds" maps one VMA of each kind of memory the two
 * scan backends must agree on; "swapped" one written, paged-out VMA.
 */
#ifndef PMTOP_TEST_KINDS_H
#define PMTOP_TEST_KINDS_H

#include "util/target.h"

enum kind {
	K_WRITTEN,	/* anon, every page written */
	K_ZERO,		/* anon, every page read: the zero page */
	K_HALF,		/* anon, written and read pages alternate */
	K_FILE_READ,	/* private file, every 4th page read */
	K_FILE_COW,	/* private file, written (anon) and read pages */
	K_SHARED,	/* shared anon (shmem), first half written */
	K_PROTNONE,	/* written, then PROT_NONE: present, no access */
	K_DONTNEED,	/* written, then half of it dropped */
	K_GUARD,	/* written, every 4th page a guard page */
	K_THP,		/* THP-advised, written: PMD-mapped huge pages */
	K_THP_ZERO,	/* THP-advised, read: the huge zero page */
	K_THP_SPLIT,	/* one THP, its mapping split by mprotect */
	K_SWAPPED,	/* written, then paged out (real swap, if any) */
	K_UFFD,		/* uffd-wp: a quarter written, a quarter paged */
			/* out, armed, so the rest are markers */
	K_COUNT
};

#define KIND_LEN	((size_t)4 << 20)	/* each kind's VMA */
#define KIND_ALIGN	((size_t)2 << 20)	/* THP-aligned */

/*
 * Build the kinds layout in this process: each VMA's bounds in c->start[]
 * and c->end[]; value[K_GUARD] and value[K_UFFD] are 1 where guard pages
 * and uffd-wp could be set up. c->page must be set. Exits on failure.
 */
void kinds_layout(struct test_child *c);

/* One written VMA of KIND_LEN, paged out, in start[0] and end[0]. */
void kinds_swapped_layout(struct test_child *c);

#endif
