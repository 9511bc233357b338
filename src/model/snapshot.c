/*
 * Snapshots: one refresh's VMAs and their page counts. The engine creates
 * one, takes the parsed VMAs into it, feeds it the regions the kernel
 * returns (split here at VMA boundaries, since the kernel merges regions
 * across them), finishes it, and publishes it. Reference counts let the
 * UI keep an old snapshot while the engine publishes a newer one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/snapshot.h"

struct snapshot *
snapshot_create(uint64_t page_size)
{
	struct snapshot	*s;

	s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->comm = strdup("");
	if (s->comm == NULL) {
		free(s);
		return NULL;
	}
	atomic_init(&s->refs, 1);
	s->page_size = page_size;
	s->state = TARGET_NONE;
	return s;
}

struct snapshot *
snapshot_ref(struct snapshot *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void
snapshot_unref(struct snapshot *s)
{
	size_t	i;

	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;

	for (i = 0; i < s->nvma; i++)
		vma_info_fini(&s->vma[i].info);
	free(s->vma);
	free(s->written);
	free(s->track_msg);
	raster_destroy(s->raster);
	if (s->procs != NULL)
		proclist_clear(s->procs);
	free(s->procs);
	free(s->procs_error);
	free(s->comm);
	free(s->error);
	free(s);
}

int
snapshot_set_error(struct snapshot *s, enum target_state state,
    int error_errno, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;

	free(s->error);
	s->error = text;
	s->state = state;
	s->error_errno = error_errno;
	return 0;
}

int
snapshot_set_comm(struct snapshot *s, const char *comm, size_t len)
{
	char	*copy;

	copy = malloc(len + 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, comm, len);
	copy[len] = '\0';
	free(s->comm);
	s->comm = copy;
	return 0;
}

int
snapshot_take_vmas(struct snapshot *s, struct vma_list *list)
{
	struct snap_vma	*vma;
	size_t		 i;

	vma = calloc(list->n ? list->n : 1, sizeof *vma);
	if (vma == NULL)
		return -1;

	for (i = 0; i < list->n; i++) {
		vma[i].info = list->v[i];
		vma[i].pages = (list->v[i].end - list->v[i].start) /
		    s->page_size;
	}
	s->vma = vma;
	s->nvma = list->n;

	/* The names now belong to the snapshot. */
	free(list->v);
	list->v = NULL;
	list->n = list->cap = 0;
	return 0;
}

void
snapshot_mark_scanned(struct snapshot *s, size_t i, cat_mask asked)
{
	s->vma[i].scanned = true;
	s->vma[i].asked = asked;
}

/*
 * The kernel's bits as pmtop counts them (see snapshot.h): guard pages
 * are swap-type markers, not swapped memory, and the huge zero page is
 * zero page, not huge memory. Counts and heatmap both see these.
 */
static cat_mask
snapshot_normalise(cat_mask cats)
{
	if (cats & CAT_BIT(CAT_GUARD))
		cats &= ~CAT_BIT(CAT_SWAPPED);
	if (cats & CAT_BIT(CAT_PFNZERO))
		cats &= ~CAT_BIT(CAT_HUGE);
	return cats;
}

/* Add pages of one VMA with categories cats to its counters. */
static void
snapshot_count(struct snap_vma *vma, uint64_t pages, cat_mask cats)
{
	int	c;

	vma->covered += pages;
	for (c = 0; c < CAT_COUNT; c++) {
		if (cats & CAT_BIT(c))
			vma->count[c] += pages;
	}
}

/* Account pages of one set of categories, split at VMA boundaries. */
static void
snapshot_add_pages(struct snapshot *s, size_t *cursor, uint64_t start,
    uint64_t end, cat_mask cats)
{
	struct snap_vma	*vma;
	uint64_t	 lo, hi;
	size_t		 i = *cursor;

	/* A region before the cursor means the caller went back: restart. */
	if (i >= s->nvma || start < s->vma[i].info.start)
		i = 0;

	for (; i < s->nvma && start < end; i++) {
		vma = &s->vma[i];
		if (vma->info.end <= start)
			continue;
		if (vma->info.start >= end)
			break;

		lo = start > vma->info.start ? start : vma->info.start;
		hi = end < vma->info.end ? end : vma->info.end;
		snapshot_count(vma, (hi - lo) / s->page_size, cats);
		if (s->raster != NULL)
			raster_add(s->raster, lo, hi, cats);

		start = hi;
		if (hi < vma->info.end)
			break;
	}
	*cursor = i < s->nvma ? i : 0;
}

/* The first written run that ends after addr, from the cursor on. */
static size_t
snapshot_seek_written(struct snapshot *s, uint64_t addr)
{
	size_t	lo = 0, hi = s->nwritten, mid, i = s->written_cursor;

	/* The caller went back: search from the start. */
	if (i > s->nwritten || (i > 0 && s->written[i - 1].end > addr)) {
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (s->written[mid].end <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo;
	}
	while (i < s->nwritten && s->written[i].end <= addr)
		i++;
	s->written_cursor = i;
	return i;
}

void
snapshot_add_region(struct snapshot *s, size_t *cursor, uint64_t start,
    uint64_t end, cat_mask cats)
{
	const struct snap_run	*w;
	uint64_t		 hi;
	size_t			 i;

	cats = snapshot_normalise(cats);
	if (s->nwritten == 0) {
		snapshot_add_pages(s, cursor, start, end, cats);
		return;
	}

	/* Cut the region where written runs begin and end. */
	i = snapshot_seek_written(s, start);
	while (start < end) {
		w = i < s->nwritten ? &s->written[i] : NULL;
		if (w == NULL || w->start >= end) {
			snapshot_add_pages(s, cursor, start, end, cats);
			break;
		}
		if (w->start > start) {
			snapshot_add_pages(s, cursor, start, w->start, cats);
			start = w->start;
		}
		hi = w->end < end ? w->end : end;
		snapshot_add_pages(s, cursor, start, hi,
		    cats | CAT_BIT(CAT_WRITTEN));
		start = hi;
		if (hi == w->end)
			i++;
	}
	s->written_cursor = i;
}

int
snapshot_add_written(struct snapshot *s, uint64_t start, uint64_t end)
{
	struct snap_run	*grown, *last;
	size_t		 lo = 0, hi = s->nwritten, mid, cap;

	last = s->nwritten > 0 ? &s->written[s->nwritten - 1] : NULL;
	if (last != NULL && last->end == start) {
		last->end = end;
		return 0;
	}
	if (s->nwritten == s->written_cap) {
		cap = s->written_cap ? s->written_cap * 2 : 256;
		grown = realloc(s->written, cap * sizeof *grown);
		if (grown == NULL)
			return -1;
		s->written = grown;
		s->written_cap = cap;
		last = s->nwritten > 0 ? &s->written[s->nwritten - 1] : NULL;
	}

	/* Out of order (never from the tracker): keep the array sorted. */
	if (last != NULL && start < last->start) {
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (s->written[mid].start < start)
				lo = mid + 1;
			else
				hi = mid;
		}
	} else
		lo = s->nwritten;
	memmove(&s->written[lo + 1], &s->written[lo],
	    (s->nwritten - lo) * sizeof *s->written);
	s->written[lo].start = start;
	s->written[lo].end = end;
	s->nwritten++;
	return 0;
}

void
snapshot_mark_tracked(struct snapshot *s, size_t i, enum vma_track track)
{
	s->vma[i].track = track;
}

int
snapshot_set_track_msg(struct snapshot *s, uint64_t seq, bool error,
    const char *msg)
{
	char	*copy = NULL;

	if (msg != NULL && (copy = strdup(msg)) == NULL)
		return -1;
	free(s->track_msg);
	s->track_msg = copy;
	s->track_msg_seq = seq;
	s->track_msg_error = error;
	return 0;
}

/* Which counts of a scanned VMA are known, given what was asked. */
static cat_mask
snapshot_known(const struct snap_vma *vma)
{
	cat_mask	known;

	/* The kernel skipped part of it (VM_PFNMAP, say): it cannot say. */
	if (!vma->scanned || vma->covered != vma->pages)
		return 0;

	/* Written means something only where tracking armed the pages. */
	known = vma->asked & ~CAT_BIT(CAT_WRITTEN);
	if (vma->track == VMA_TRACK_ON)
		known |= CAT_BIT(CAT_WRITTEN);

	/* Never asked because it cannot happen here: a known zero. */
	if (!vma_may_hold_file_pages(&vma->info))
		known |= CAT_BIT(CAT_FILE);

	/*
	 * Swapped shmem leaves no swap entry in the page table, and in
	 * write-tracked VMAs uffd-wp markers read as swap entries.
	 */
	if (vma_is_shmem(&vma->info) || vma->count[CAT_WPALLOWED] != 0)
		known &= ~CAT_BIT(CAT_SWAPPED);

	/* Without the guard bit, guard markers would count as swapped. */
	if (!(vma->asked & CAT_BIT(CAT_GUARD)))
		known &= ~CAT_BIT(CAT_SWAPPED);

	/* Without the zero-page bit, huge would include the huge zero page. */
	if (!(vma->asked & CAT_BIT(CAT_PFNZERO)))
		known &= ~CAT_BIT(CAT_HUGE);
	return known;
}

void
snapshot_finish(struct snapshot *s)
{
	struct snap_vma	*vma;
	size_t		 i;
	int		 c;

	memset(s->total, 0, sizeof s->total);
	s->total_known = 0;
	s->total_pages = 0;

	/* The runs are in the counts and the raster now. */
	free(s->written);
	s->written = NULL;
	s->nwritten = s->written_cap = s->written_cursor = 0;

	for (i = 0; i < s->nvma; i++) {
		vma = &s->vma[i];
		vma->known = snapshot_known(vma);
		s->total_pages += vma->pages;
		for (c = 0; c < CAT_COUNT; c++) {
			if (!(vma->known & CAT_BIT(c)))
				continue;
			s->total[c] += vma->count[c];
			s->total_known |= CAT_BIT(c);
		}
	}
}

long
snapshot_find_vma(const struct snapshot *s, uint64_t addr)
{
	size_t	lo = 0, hi = s->nvma, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < s->vma[mid].info.start)
			hi = mid;
		else if (addr >= s->vma[mid].info.end)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

const char *
snapshot_state_name(enum target_state state)
{
	switch (state) {
	case TARGET_NONE:
		return "no process";
	case TARGET_OK:
		return "ok";
	case TARGET_NOT_FOUND:
		return "no such process";
	case TARGET_EXITED:
		return "exited";
	case TARGET_KTHREAD:
		return "kernel thread";
	case TARGET_ZOMBIE:
		return "zombie";
	case TARGET_DENIED:
		return "permission denied";
	case TARGET_ERROR:
		break;
	}
	return "error";
}

const char *
vma_track_name(enum vma_track track)
{
	switch (track) {
	case VMA_TRACK_OFF:
		return "off";
	case VMA_TRACK_ON:
		return "tracked";
	case VMA_TRACK_NEW:
		return "armed now";
	case VMA_TRACK_PROT_NONE:
		return "PROT_NONE";
	case VMA_TRACK_SPARSE:
		return "sparse reservation";
	case VMA_TRACK_SPECIAL:
		return "kernel mapping";
	case VMA_TRACK_REFUSED:
		return "refused by the kernel";
	case VMA_TRACK_BUSY:
		break;
	}
	return "another userfaultfd has it";
}

const char *
snapshot_backend_name(enum backend backend)
{
	return backend == BACKEND_PAGEMAP ? "pagemap" : "ioctl";
}
