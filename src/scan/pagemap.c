/*
 * The classic pagemap backend.
 *
 * Each VMA is read with pread in chunks of 64 Ki entries; the kernel
 * takes the target's mmap lock once per 512 entries, so a read never
 * holds it long. Entries are turned into PAGE_IS_* categories the way
 * the ioctl computes them (KERNEL.md §6), and runs of equal categories
 * are merged into regions. Reading costs O(pages) even over untouched
 * memory, which is why only VMAs are read, never the holes between them.
 * Counts no entry can give come from smaps afterwards (pagemap.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scan/pace.h"
#include "scan/pagemap.h"
#include "scan/smaps.h"

/* Classic entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PFN_MASK	(((uint64_t)1 << 55) - 1)
#define PM_SOFT_DIRTY	((uint64_t)1 << 55)
#define PM_EXCLUSIVE	((uint64_t)1 << 56)
#define PM_GUARD	((uint64_t)1 << 58)
#define PM_FILE		((uint64_t)1 << 61)
#define PM_SWAP		((uint64_t)1 << 62)
#define PM_PRESENT	((uint64_t)1 << 63)

/* In a swap entry the frame field holds the swap type in bits 0-4. */
#define PM_SWAP_TYPE(e)	((e) & 0x1f)
#define PM_SWP_MARKER	31	/* uffd-wp and guard markers, not swap */

#define PAGEMAP_BUF_ENTRIES	65536
#define PAGEMAP_PMD_DEFAULT	((uint64_t)2 << 20)

/* What one pagemap_range() call saw: for the zero page from smaps. */
struct pagemap_span {
	uint64_t	start;
	uint64_t	end;
	uint64_t	maybe_zero;	/* present, anon, not exclusive */
};

struct pagemap {
	int			 fd;
	int			 pid;
	struct pagescan_caps	 caps;
	uint64_t		*buf;
	struct pace		 pace;		/* for the target's writers */
	struct pagescan_stats	 stats;
	cat_mask		 wanted;

	struct pagemap_span	*span;
	size_t			 nspan;
	size_t			 spancap;

	struct smaps_list	 before;	/* smaps before the scan */
	struct smaps_list	 after;		/* and after it */

	/* The region being built. */
	bool			 pending;
	uint64_t		 rstart;
	uint64_t		 rend;
	cat_mask		 rcats;
};

/* What the test seam takes away from entries. */
static uint64_t
pagemap_fake_clear(const struct scan_fake *fake)
{
	uint64_t	clear = 0;

	if (fake->no_pfn)
		clear |= PM_PFN_MASK;
	if (fake->no_bits & CAT_BIT(CAT_SOFT_DIRTY))
		clear |= PM_SOFT_DIRTY;
	if (fake->no_bits & CAT_BIT(CAT_GUARD))
		clear |= PM_GUARD;
	return clear;
}

/*
 * Read up to n entries from the one of page index first. Returns the
 * number read (> 0), or -1 with errno; end of file, which means the mm is
 * gone (exit or exec), is ESRCH.
 */
static ssize_t
pagemap_read(int fd, const struct scan_fake *fake, uint64_t *buf, size_t n,
    uint64_t first)
{
	uint64_t	clear;
	ssize_t		got;
	size_t		i, k;

	do {
		got = pread(fd, buf, n * sizeof *buf, (off_t)(first * 8));
	} while (got == -1 && errno == EINTR);
	if (got == 0)
		errno = ESRCH;
	if (got <= 0 || (size_t)got < sizeof *buf)
		return -1;

	k = (size_t)got / sizeof *buf;
	if ((clear = pagemap_fake_clear(fake)) != 0) {
		for (i = 0; i < k; i++)
			buf[i] &= ~clear;
	}
	return (ssize_t)k;
}

int
pagemap_entry(int fd, const struct scan_fake *fake, uint64_t addr,
    uint64_t page_size, uint64_t *entry)
{
	return pagemap_read(fd, fake, entry, 1, addr / page_size) == 1 ?
	    0 : -1;
}

uint64_t
pagemap_user_limit(int self_fd, uint64_t page_size)
{
	static const uint64_t	limits[] = { (uint64_t)1 << 56,
	    (uint64_t)1 << 47 };
	struct scan_fake	none = { 0 };
	uint64_t		entry;
	size_t			i;

	for (i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		if (pagemap_entry(self_fd, &none, limits[i] - 2 * page_size,
		    page_size, &entry) == 0)
			return limits[i] - page_size;
	}
	return ((uint64_t)1 << 47) - page_size;
}

/* A fresh private anonymous mapping of len bytes, or NULL. */
static char *
pagemap_probe_map(size_t len)
{
	char	*p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * A read fault on a private anonymous page maps the shared zero page.
 * Its entry shows a frame only to openers with CAP_SYS_ADMIN: a present
 * page with frame 0 means frames are hidden from us.
 */
static void
pagemap_probe_zero(int fd, struct pagescan_caps *caps)
{
	volatile char	*p;
	uint64_t	 entry;

	if ((p = (volatile char *)pagemap_probe_map(caps->page_size)) == NULL)
		return;
	(void)p[0];
	if (pagemap_entry(fd, &caps->fake, (uintptr_t)p, caps->page_size,
	    &entry) == 0 && (entry & PM_PRESENT) &&
	    !(entry & PM_EXCLUSIVE) && (entry & PM_PFN_MASK) != 0) {
		caps->pfn_visible = true;
		caps->zero_pfn = entry & PM_PFN_MASK;
	}
	munmap((void *)p, caps->page_size);
}

/* Pages per PMD mapping, from the THP size the kernel states. */
static uint64_t
pagemap_pmd_pages(uint64_t page_size)
{
	unsigned long long	 size = 0;
	FILE			*f;

	f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "re");
	if (f != NULL) {
		if (fscanf(f, "%llu", &size) != 1)
			size = 0;
		fclose(f);
	}
	if (size < page_size)
		size = PAGEMAP_PMD_DEFAULT;
	return size / page_size;
}

/*
 * The huge zero page: a read fault on a THP-advised, PMD-aligned range
 * maps it where THP and its zero page are enabled. Once mapped, our mm
 * holds a reference to it until pmtop exits, so its frame stays valid.
 * Where it cannot be mapped, huge_zero_pfn stays 0 and pagemap_finish()
 * checks the zero count against smaps instead.
 */
static void
pagemap_probe_huge_zero(int fd, struct pagescan_caps *caps)
{
	uint64_t	 pmd = caps->pmd_pages * caps->page_size, entry, pfn;
	volatile char	*p;
	char		*map;

	if ((map = pagemap_probe_map(2 * pmd)) == NULL)
		return;
	p = (volatile char *)(((uintptr_t)map + pmd - 1) & ~(uintptr_t)(pmd -
	    1));
	if (madvise((void *)p, pmd, MADV_HUGEPAGE) == 0) {
		(void)p[0];
		if (pagemap_entry(fd, &caps->fake, (uintptr_t)p,
		    caps->page_size, &entry) == 0 &&
		    (entry & PM_PRESENT) && !(entry & PM_EXCLUSIVE)) {
			pfn = entry & PM_PFN_MASK;
			if (pfn != caps->zero_pfn &&
			    pfn % caps->pmd_pages == 0)
				caps->huge_zero_pfn = pfn;
		}
	}
	munmap(map, 2 * pmd);
}

/* Bit 55 on a page just written in a new VMA, as in pagescan.c. */
static bool
pagemap_probe_soft_dirty(int fd, struct pagescan_caps *caps)
{
	uint64_t	 entry = 0;
	char		*p;

	if ((p = pagemap_probe_map(caps->page_size)) == NULL)
		return false;
	p[0] = 1;
	if (pagemap_entry(fd, &caps->fake, (uintptr_t)p, caps->page_size,
	    &entry) == -1)
		entry = 0;
	munmap(p, caps->page_size);
	return (entry & PM_SOFT_DIRTY) != 0;
}

void
pagemap_probe(int self_fd, struct pagescan_caps *caps)
{
	caps->pmd_pages = pagemap_pmd_pages(caps->page_size);
	caps->pagemap_working = CAT_BIT(CAT_PRESENT) | CAT_BIT(CAT_SWAPPED) |
	    CAT_BIT(CAT_FILE);
	if (pagemap_probe_soft_dirty(self_fd, caps))
		caps->pagemap_working |= CAT_BIT(CAT_SOFT_DIRTY);

	pagemap_probe_zero(self_fd, caps);
	if (caps->pfn_visible) {
		caps->pagemap_working |= CAT_BIT(CAT_PFNZERO);
		pagemap_probe_huge_zero(self_fd, caps);
	}
}

struct pagemap *
pagemap_create(int pagemap_fd, int pid, const struct pagescan_caps *caps)
{
	struct pagemap	*pm;

	pm = calloc(1, sizeof *pm);
	if (pm == NULL)
		return NULL;
	pm->buf = calloc(PAGEMAP_BUF_ENTRIES, sizeof *pm->buf);
	if (pm->buf == NULL) {
		free(pm);
		return NULL;
	}
	pm->fd = pagemap_fd;
	pm->pid = pid;
	pm->caps = *caps;
	return pm;
}

void
pagemap_destroy(struct pagemap *pm)
{
	if (pm == NULL)
		return;
	smaps_list_clear(&pm->before);
	smaps_list_clear(&pm->after);
	free(pm->span);
	free(pm->buf);
	free(pm);
}

void
pagemap_get_stats(const struct pagemap *pm, struct pagescan_stats *stats)
{
	*stats = pm->stats;
	stats->pauses = pm->pace.pauses;
}

cat_mask
pagemap_vma_mask(const struct pagescan_caps *caps, const struct vma_info *vma,
    cat_mask wanted)
{
	cat_mask	mask;

	mask = wanted & caps->pagemap_working;

	/*
	 * The huge zero page reads as a file page in a classic entry (the
	 * ioctl says it is not); it only lives in private anonymous VMAs,
	 * which never hold file pages: leave FILE out there, as the ioctl
	 * backend does.
	 */
	if (!vma_may_hold_file_pages(vma))
		mask &= ~CAT_BIT(CAT_FILE);

	/* Guard markers read as swapped; huge is counted without zero. */
	if (mask & CAT_BIT(CAT_SWAPPED))
		mask |= caps->pagemap_working & CAT_BIT(CAT_GUARD);
	if (wanted & CAT_BIT(CAT_HUGE))
		mask |= caps->pagemap_working & CAT_BIT(CAT_PFNZERO);
	return mask;
}

/* Whether a present entry's frame is the zero page or the huge one. */
static bool
pagemap_is_zero(const struct pagemap *pm, uint64_t entry)
{
	uint64_t	pfn = entry & PM_PFN_MASK;

	return pfn == pm->caps.zero_pfn || (pm->caps.huge_zero_pfn != 0 &&
	    pfn - pm->caps.huge_zero_pfn < pm->caps.pmd_pages);
}

/*
 * The categories of one entry, as PAGEMAP_SCAN would give them, and
 * whether it may be the zero page when frames cannot be seen.
 */
static cat_mask
pagemap_cats(const struct pagemap *pm, uint64_t e, cat_mask mask,
    uint64_t *maybe_zero)
{
	cat_mask	cats = 0;

	if (e & PM_PRESENT) {
		cats |= CAT_BIT(CAT_PRESENT);
		if (!pm->caps.pfn_visible) {
			if (!(e & PM_EXCLUSIVE) && (!(e & PM_FILE) ||
			    !(mask & CAT_BIT(CAT_FILE))))
				(*maybe_zero)++;
		} else if (pagemap_is_zero(pm, e))
			cats |= CAT_BIT(CAT_PFNZERO);
		/* The huge zero page reads as file here, not in the ioctl. */
		if ((e & PM_FILE) && !(cats & CAT_BIT(CAT_PFNZERO)))
			cats |= CAT_BIT(CAT_FILE);
	} else if (e & PM_SWAP) {
		/* Markers have swap type 31; only visible with frames. */
		if ((e & PM_GUARD) || !pm->caps.pfn_visible ||
		    PM_SWAP_TYPE(e) != PM_SWP_MARKER)
			cats |= CAT_BIT(CAT_SWAPPED);
		if (e & PM_GUARD)
			cats |= CAT_BIT(CAT_GUARD);
		if (e & PM_FILE)
			cats |= CAT_BIT(CAT_FILE);
	}
	if (e & PM_SOFT_DIRTY)
		cats |= CAT_BIT(CAT_SOFT_DIRTY);
	return cats & mask;
}

static void
pagemap_flush(struct pagemap *pm, pagescan_region_cb *cb, void *arg)
{
	if (!pm->pending)
		return;
	cb(arg, pm->rstart, pm->rend, pm->rcats);
	pm->stats.regions++;
	pm->pending = false;
}

/*
 * Merge n entries starting at addr into regions. Untouched memory reads
 * as long runs of one entry value (0, or the soft-dirty bit alone), and
 * so does present memory when frames are hidden: a run of equal entries
 * is classified once. That matters for reservations of terabytes
 * (sanitizer shadow, VM heaps), where every page still takes an entry.
 */
static void
pagemap_consume(struct pagemap *pm, uint64_t addr, size_t n, cat_mask mask,
    pagescan_region_cb *cb, void *arg, uint64_t *maybe_zero)
{
	uint64_t	page = pm->caps.page_size, e, z;
	cat_mask	cats;
	size_t		i, run;

	for (i = 0; i < n; i += run, addr += run * page) {
		e = pm->buf[i];
		for (run = 1; i + run < n && pm->buf[i + run] == e; run++)
			continue;
		z = 0;
		cats = pagemap_cats(pm, e, mask, &z);
		*maybe_zero += z * run;
		if (pm->pending && pm->rcats == cats && pm->rend == addr) {
			pm->rend += run * page;
			continue;
		}
		pagemap_flush(pm, cb, arg);
		pm->pending = true;
		pm->rstart = addr;
		pm->rend = addr + run * page;
		pm->rcats = cats;
	}
}

/* Remember what [lo, hi) held, for pagemap_finish(). */
static int
pagemap_note_span(struct pagemap *pm, uint64_t lo, uint64_t hi,
    uint64_t maybe_zero)
{
	struct pagemap_span	*grown;
	size_t			 cap;

	if (pm->nspan == pm->spancap) {
		cap = pm->spancap ? pm->spancap * 2 : 64;
		grown = realloc(pm->span, cap * sizeof *grown);
		if (grown == NULL)
			return -1;
		pm->span = grown;
		pm->spancap = cap;
	}
	pm->span[pm->nspan].start = lo;
	pm->span[pm->nspan].end = hi;
	pm->span[pm->nspan].maybe_zero = maybe_zero;
	pm->nspan++;
	return 0;
}

int
pagemap_range(struct pagemap *pm, uint64_t lo, uint64_t hi, cat_mask mask,
    pagescan_region_cb *cb, void *arg)
{
	uint64_t	page = pm->caps.page_size, addr = lo, maybe_zero = 0;
	size_t		want;
	ssize_t		n;
	double		t0, t1, dt;

	pm->pending = false;
	while (addr < hi) {
		want = (hi - addr) / page;
		if (want > PAGEMAP_BUF_ENTRIES)
			want = PAGEMAP_BUF_ENTRIES;
		pace_before(&pm->pace);
		t0 = pace_now();
		n = pagemap_read(pm->fd, &pm->caps.fake, pm->buf, want,
		    addr / page);
		t1 = pace_now();
		pace_after(&pm->pace, t0, t1);
		dt = t1 - t0;
		if (n == -1) {
			pagemap_flush(pm, cb, arg);
			return -1;
		}
		pm->stats.calls++;
		if (dt > pm->stats.longest_call)
			pm->stats.longest_call = dt;
		pagemap_consume(pm, addr, (size_t)n, mask, cb, arg,
		    &maybe_zero);
		addr += (uint64_t)n * page;
	}
	pagemap_flush(pm, cb, arg);
	return pagemap_note_span(pm, lo, hi, maybe_zero);
}

int
pagemap_begin(struct pagemap *pm, cat_mask wanted)
{
	pm->nspan = 0;
	pm->wanted = wanted;
	pm->before.n = 0;
	if (pm->caps.pfn_visible ||
	    !(wanted & (CAT_BIT(CAT_PFNZERO) | CAT_BIT(CAT_HUGE))))
		return 0;
	return smaps_list_read(pm->pid, &pm->before);
}

/* The span pagemap_range() read for exactly [start, end), or NULL. */
static const struct pagemap_span *
pagemap_find_span(const struct pagemap *pm, uint64_t start, uint64_t end)
{
	size_t	lo = 0, hi = pm->nspan, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pm->span[mid].start < start)
			lo = mid + 1;
		else if (pm->span[mid].start > start)
			hi = mid;
		else
			return pm->span[mid].end == end ? &pm->span[mid] : NULL;
	}
	return NULL;
}

static uint64_t
pagemap_kb_pages(const struct pagemap *pm, uint64_t kb)
{
	return kb * 1024 / pm->caps.page_size;
}

/*
 * A count known for the VMA as a whole rather than page by page: set it
 * and mark it asked, so that snapshot_finish() calls it known, as it
 * would had the kernel reported it per page.
 */
static void
pagemap_set_count(struct snap_vma *v, enum category c, uint64_t pages)
{
	v->count[c] = pages;
	v->asked |= CAT_BIT(c);
}

/* smaps' resident pages: Rss leaves out the zero page and hugetlb. */
static uint64_t
pagemap_resident(const struct pagemap *pm, const struct smaps_entry *m)
{
	return pagemap_kb_pages(pm, m->rss_kb + m->hugetlb_kb);
}

/*
 * Without frame numbers: the zero page is what is present but not
 * resident. Only a difference taken while smaps stood still means that,
 * and it can be no larger than the pages that might be the zero page.
 */
static void
pagemap_zero_from_smaps(const struct pagemap *pm, struct snap_vma *v,
    const struct smaps_entry *m)
{
	const struct pagemap_span	*span;
	const struct smaps_entry	*b;
	uint64_t			 present = v->count[CAT_PRESENT];
	uint64_t			 resident = pagemap_resident(pm, m);

	/* Frames without a struct page are present but never resident. */
	if (m->flags & (SMAPS_IO | SMAPS_MIXEDMAP))
		return;
	b = smaps_list_find(&pm->before, m->start, m->end);
	if (b == NULL || b->rss_kb != m->rss_kb ||
	    b->hugetlb_kb != m->hugetlb_kb)
		return;
	span = pagemap_find_span(pm, v->info.start, v->info.end);
	if (span == NULL || present < resident ||
	    present - resident > span->maybe_zero)
		return;
	pagemap_set_count(v, CAT_PFNZERO, present - resident);
}

/*
 * With frame numbers, but without the huge zero page's (THP or its zero
 * page was off at start): in VMAs that may hold it, trust the zero count
 * only if smaps agrees.
 */
static void
pagemap_check_zero(const struct pagemap *pm, struct snap_vma *v,
    const struct smaps_entry *m)
{
	if (pm->caps.huge_zero_pfn != 0 || vma_may_hold_file_pages(&v->info))
		return;
	if (v->count[CAT_PRESENT] - v->count[CAT_PFNZERO] !=
	    pagemap_resident(pm, m))
		v->asked &= ~CAT_BIT(CAT_PFNZERO);
}

/*
 * Huge pages per VMA: PMD mappings, or a hugetlb VMA's mapped pages
 * (which PAGEMAP_SCAN may also call huge where a page table exists but
 * nothing is mapped). No more than is present, or smaps moved on.
 */
static void
pagemap_huge_from_smaps(const struct pagemap *pm, struct snap_vma *v,
    const struct smaps_entry *m)
{
	uint64_t	huge;

	huge = pagemap_kb_pages(pm, (m->flags & SMAPS_HUGETLB) ?
	    m->hugetlb_kb : m->pmd_kb);
	if (huge <= v->count[CAT_PRESENT])
		pagemap_set_count(v, CAT_HUGE, huge);
}

static void
pagemap_finish_vma(const struct pagemap *pm, struct snap_vma *v)
{
	const struct smaps_entry	*m;

	if (!v->scanned)
		return;

	/*
	 * Not in smaps: the VMA changed since maps was read. VM_PFNMAP: it
	 * reads as a hole here, and PAGEMAP_SCAN skips it. Either way
	 * nothing can be said about its pages.
	 */
	m = smaps_list_find(&pm->after, v->info.start, v->info.end);
	if (m == NULL || (m->flags & SMAPS_PFNMAP)) {
		v->scanned = false;
		return;
	}

	/* uffd-wp markers read as swap entries when frames are hidden. */
	if (!pm->caps.pfn_visible && (m->flags & SMAPS_UFFD_WP))
		v->asked &= ~CAT_BIT(CAT_SWAPPED);

	if (!(pm->wanted & (CAT_BIT(CAT_PFNZERO) | CAT_BIT(CAT_HUGE))))
		return;
	if (pm->caps.pfn_visible)
		pagemap_check_zero(pm, v, m);
	else
		pagemap_zero_from_smaps(pm, v, m);
	if (pm->wanted & CAT_BIT(CAT_HUGE))
		pagemap_huge_from_smaps(pm, v, m);
}

int
pagemap_finish(struct pagemap *pm, struct snapshot *snap)
{
	size_t	i;

	if (smaps_list_read(pm->pid, &pm->after) == -1)
		return -1;
	for (i = 0; i < snap->nvma; i++)
		pagemap_finish_vma(pm, &snap->vma[i]);
	return 0;
}
