/*
 * The page-to-cell raster. Segments are laid end to end as one run of
 * page indexes; cell i covers indexes [i * npages / ncells, (i + 1) *
 * npages / ncells), so cells differ in size by at most one page and every
 * page belongs to exactly one cell.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/raster.h"

/* npages * ncells can exceed 2^64. */
__extension__ typedef unsigned __int128 raster_u128;

/*
 * Share the cells among the segments by the square root of their size,
 * at least one each and never more than a segment has pages. Returns
 * the cells used, or 0 on ENOMEM.
 */
static size_t
raster_balance(struct raster *r, size_t ncells)
{
	double		 total = 0, w;
	uint64_t	 pages;
	size_t		 i, n, used = 0, spare = ncells - r->nseg;

	r->seg_cell = malloc((r->nseg + 1) * sizeof *r->seg_cell);
	if (r->seg_cell == NULL)
		return 0;
	for (i = 0; i < r->nseg; i++)
		total += sqrt((double)((r->seg[i].end - r->seg[i].start) /
		    r->page_size));

	for (i = 0; i < r->nseg; i++) {
		pages = (r->seg[i].end - r->seg[i].start) / r->page_size;
		w = sqrt((double)pages);
		n = 1 + (size_t)((double)spare * w / total);
		if (n > pages)
			n = (size_t)pages;
		r->seg_cell[i] = used;
		used += n;
	}
	r->seg_cell[r->nseg] = used;
	return used;
}

struct raster *
raster_create(const struct raster_segment *seg, size_t nseg, size_t ncells,
    uint64_t page_size, const struct filter *filter, enum raster_scale scale)
{
	struct raster	*r;
	uint64_t	 pages = 0;
	size_t		 i;

	for (i = 0; i < nseg; i++)
		pages += (seg[i].end - seg[i].start) / page_size;
	if (pages == 0 || ncells == 0)
		return NULL;
	if (ncells > pages)
		ncells = pages;

	r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->seg = malloc(nseg * sizeof *r->seg);
	r->seg_first = malloc(nseg * sizeof *r->seg_first);
	if (r->seg == NULL || r->seg_first == NULL)
		goto fail;

	memcpy(r->seg, seg, nseg * sizeof *seg);
	r->nseg = nseg;
	r->npages = pages;
	r->page_size = page_size;
	if (filter != NULL)
		r->filter = *filter;
	pages = 0;
	for (i = 0; i < nseg; i++) {
		r->seg_first[i] = pages;
		pages += (seg[i].end - seg[i].start) / page_size;
	}

	if (scale == RASTER_BALANCED && nseg <= ncells &&
	    (ncells = raster_balance(r, ncells)) == 0)
		goto fail;
	r->ncells = ncells;
	r->cell = calloc(ncells, sizeof *r->cell);
	if (r->cell == NULL)
		goto fail;
	for (i = 0; i < ncells; i++)
		r->cell[i].pages = (uint32_t)(raster_cell_last(r, i) -
		    raster_cell_first(r, i));
	return r;

fail:
	raster_destroy(r);
	return NULL;
}

void
raster_destroy(struct raster *r)
{
	if (r == NULL)
		return;
	free(r->seg);
	free(r->seg_first);
	free(r->seg_cell);
	free(r->cell);
	free(r);
}

/* A run of pages shared evenly by a run of cells. */
struct raster_span {
	uint64_t	page0, pages;
	size_t		cell0, cells;
};

/* The segment whose first page index is the last one <= idx. */
static size_t
raster_segment_of_page(const struct raster *r, uint64_t idx)
{
	size_t	lo = 0, hi = r->nseg, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (r->seg_first[mid] <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The span of segment s (BALANCED), or of everything (LINEAR). */
static void
raster_span_of_segment(const struct raster *r, size_t s,
    struct raster_span *sp)
{
	if (r->seg_cell == NULL) {
		sp->page0 = 0;
		sp->pages = r->npages;
		sp->cell0 = 0;
		sp->cells = r->ncells;
		return;
	}
	sp->page0 = r->seg_first[s];
	sp->pages = (r->seg[s].end - r->seg[s].start) / r->page_size;
	sp->cell0 = r->seg_cell[s];
	sp->cells = r->seg_cell[s + 1] - r->seg_cell[s];
}

/* The span holding cell i. */
static void
raster_span_of_cell(const struct raster *r, size_t i, struct raster_span *sp)
{
	size_t	lo = 0, hi = r->nseg, mid;

	if (r->seg_cell != NULL) {
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (r->seg_cell[mid] <= i)
				lo = mid;
			else
				hi = mid;
		}
	}
	raster_span_of_segment(r, lo, sp);
}

uint64_t
raster_cell_first(const struct raster *r, size_t i)
{
	struct raster_span	sp;

	if (i >= r->ncells)
		return r->npages;
	raster_span_of_cell(r, i, &sp);
	return sp.page0 + (uint64_t)((raster_u128)(i - sp.cell0) * sp.pages /
	    sp.cells);
}

uint64_t
raster_cell_last(const struct raster *r, size_t i)
{
	return raster_cell_first(r, i + 1);
}

size_t
raster_cell_of(const struct raster *r, uint64_t idx)
{
	struct raster_span	sp;
	size_t			cell;

	raster_span_of_segment(r, raster_segment_of_page(r, idx), &sp);
	cell = sp.cell0 + (size_t)(((raster_u128)(idx - sp.page0) *
	    sp.cells) / sp.pages);

	/* Rounding can land one cell off; the first index decides. */
	while (cell + 1 < r->ncells && raster_cell_first(r, cell + 1) <= idx)
		cell++;
	while (cell > 0 && raster_cell_first(r, cell) > idx)
		cell--;
	return cell;
}

/* Point the hint at the cell holding page index idx. */
static void
raster_seek(struct raster *r, uint64_t idx)
{
	if (idx >= r->hint_first && idx < r->hint_end)
		return;
	r->hint_cell = raster_cell_of(r, idx);
	r->hint_first = raster_cell_first(r, r->hint_cell);
	r->hint_end = raster_cell_last(r, r->hint_cell);
}

/* Move the hint on to the next cell. */
static void
raster_seek_next(struct raster *r)
{
	r->hint_cell++;
	r->hint_first = r->hint_end;
	r->hint_end = raster_cell_last(r, r->hint_cell);
}

/* Add the page indexes [first, last) of one segment. */
static void
raster_add_indexes(struct raster *r, uint64_t first, uint64_t last,
    cat_mask cats)
{
	struct raster_cell	*cell;
	uint64_t		 upto, n;
	int			 c;
	bool			 match;

	match = filter_match(&r->filter, cats);
	raster_seek(r, first);
	while (first < last && r->hint_cell < r->ncells) {
		upto = r->hint_end < last ? r->hint_end : last;
		n = upto - first;

		cell = &r->cell[r->hint_cell];
		cell->seen += (uint32_t)n;
		if (match)
			cell->matched += (uint32_t)n;
		for (c = 0; c < CAT_COUNT; c++) {
			if (!(cats & CAT_BIT(c)))
				continue;
			cell->n[c] += (uint32_t)n;
			if (match)
				cell->m[c] += (uint32_t)n;
		}
		first = upto;
		if (first < last)
			raster_seek_next(r);
	}
}

/* The first segment that ends after addr (nseg if none). */
static size_t
raster_first_segment(const struct raster *r, uint64_t addr)
{
	size_t	lo = 0, hi = r->nseg, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->seg[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
raster_add(struct raster *r, uint64_t start, uint64_t end, cat_mask cats)
{
	const struct raster_segment	*seg;
	uint64_t			 lo, hi;
	size_t				 i = r->hint_seg;

	if (i >= r->nseg || start < r->seg[i].start || start >= r->seg[i].end)
		i = raster_first_segment(r, start);
	for (; i < r->nseg; i++) {
		seg = &r->seg[i];
		if (seg->start >= end)
			break;
		r->hint_seg = i;

		lo = start > seg->start ? start : seg->start;
		hi = end < seg->end ? end : seg->end;
		raster_add_indexes(r,
		    r->seg_first[i] + (lo - seg->start) / r->page_size,
		    r->seg_first[i] + (hi - seg->start) / r->page_size, cats);
	}
}

uint64_t
raster_page_address(const struct raster *r, uint64_t idx)
{
	size_t	s = raster_segment_of_page(r, idx);

	return r->seg[s].start + (idx - r->seg_first[s]) * r->page_size;
}

bool
raster_segment_cells(const struct raster *r, uint64_t addr, size_t *first,
    size_t *end)
{
	size_t		s;
	uint64_t	pages;

	s = raster_first_segment(r, addr);
	if (s >= r->nseg || r->seg[s].start != addr)
		return false;
	pages = (r->seg[s].end - r->seg[s].start) / r->page_size;
	*first = raster_cell_of(r, r->seg_first[s]);
	*end = raster_cell_of(r, r->seg_first[s] + pages - 1) + 1;
	return true;
}
