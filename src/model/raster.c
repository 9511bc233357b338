/*
 * The page-to-cell raster. Segments are laid end to end as one run of
 * page indexes; cell i covers indexes [i * npages / ncells, (i + 1) *
 * npages / ncells), so cells differ in size by at most one page and every
 * page belongs to exactly one cell.
 */
#include <stdlib.h>
#include <string.h>

#include "model/raster.h"

/* npages * ncells can exceed 2^64. */
__extension__ typedef unsigned __int128 raster_u128;

struct raster *
raster_create(const struct raster_segment *seg, size_t nseg, size_t ncells,
    uint64_t page_size, const struct filter *filter)
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
	r->cell = calloc(ncells, sizeof *r->cell);
	if (r->seg == NULL || r->seg_first == NULL || r->cell == NULL) {
		raster_destroy(r);
		return NULL;
	}

	memcpy(r->seg, seg, nseg * sizeof *seg);
	r->nseg = nseg;
	r->npages = pages;
	r->page_size = page_size;
	r->ncells = ncells;
	if (filter != NULL)
		r->filter = *filter;

	pages = 0;
	for (i = 0; i < nseg; i++) {
		r->seg_first[i] = pages;
		pages += (seg[i].end - seg[i].start) / page_size;
	}
	for (i = 0; i < ncells; i++)
		r->cell[i].pages = (uint32_t)(raster_cell_last(r, i) -
		    raster_cell_first(r, i));
	return r;
}

void
raster_destroy(struct raster *r)
{
	if (r == NULL)
		return;
	free(r->seg);
	free(r->seg_first);
	free(r->cell);
	free(r);
}

uint64_t
raster_cell_first(const struct raster *r, size_t i)
{
	return (uint64_t)((raster_u128)i * r->npages / r->ncells);
}

uint64_t
raster_cell_last(const struct raster *r, size_t i)
{
	return raster_cell_first(r, i + 1);
}

/* The cell holding page index idx. */
static size_t
raster_cell_of(const struct raster *r, uint64_t idx)
{
	size_t	cell;

	cell = (size_t)(((raster_u128)idx * r->ncells) / r->npages);

	/* Rounding can land one cell early; the first index decides. */
	while (cell + 1 < r->ncells && raster_cell_first(r, cell + 1) <= idx)
		cell++;
	while (cell > 0 && raster_cell_first(r, cell) > idx)
		cell--;
	return cell;
}

/* Add the page indexes [first, last) of one segment. */
static void
raster_add_indexes(struct raster *r, uint64_t first, uint64_t last,
    cat_mask cats)
{
	struct raster_cell	*cell;
	uint64_t		 upto, n;
	size_t			 i;
	int			 c;
	bool			 match;

	match = filter_match(&r->filter, cats);
	i = raster_cell_of(r, first);
	while (first < last && i < r->ncells) {
		upto = raster_cell_last(r, i);
		if (upto > last)
			upto = last;
		n = upto - first;

		cell = &r->cell[i];
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
		i++;
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
	size_t				 i;

	for (i = raster_first_segment(r, start); i < r->nseg; i++) {
		seg = &r->seg[i];
		if (seg->start >= end)
			break;

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
	size_t	lo = 0, hi = r->nseg, mid;

	/* The last segment whose first index is <= idx. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (r->seg_first[mid] <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return r->seg[lo].start + (idx - r->seg_first[lo]) * r->page_size;
}
