/*
 * The page-to-cell raster: a window of address space cut into a fixed
 * number of cells, each holding how many of its pages fall in each
 * category. Holes between VMAs take no cells: the window is the
 * concatenation of the address segments it is created with.
 *
 * Pure data; the engine fills a raster while it scans, views read it.
 */
#ifndef PMTOP_MODEL_RASTER_H
#define PMTOP_MODEL_RASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/category.h"
#include "model/filter.h"

struct raster_segment {
	uint64_t	start;	/* page aligned */
	uint64_t	end;
};

struct raster_cell {
	uint32_t	pages;			/* mapped pages in the cell */
	uint32_t	seen;			/* pages the kernel reported */
	uint32_t	n[CAT_COUNT];		/* pages with each category */
	uint32_t	matched;		/* pages passing the filter */
	uint32_t	m[CAT_COUNT];		/* the same, matched pages */
};

/*
 * How cells are shared among segments. LINEAR: every cell holds the same
 * number of pages, so a segment's share of the cells is its share of the
 * pages. BALANCED: each segment gets at least one cell and a share that
 * grows with the square root of its size, so that a 4 KiB stack next to
 * a 64 GiB reservation is still seen; within a segment, cells are equal.
 */
enum raster_scale {
	RASTER_LINEAR,
	RASTER_BALANCED
};

struct raster {
	struct raster_segment	*seg;
	size_t			 nseg;
	uint64_t		*seg_first;	/* page index of each segment */
	size_t			*seg_cell;	/* BALANCED: first cell of each */
						/* segment (nseg + 1 entries); */
						/* NULL when LINEAR */
	uint64_t		 npages;	/* pages in all segments */
	uint64_t		 page_size;
	size_t			 ncells;
	struct raster_cell	*cell;
	struct filter		 filter;	/* decides matched, m[] */

	/*
	 * Where the last raster_add() ended: the next region, which is
	 * usually in the same cell, then needs no search.
	 */
	size_t			 hint_seg;
	size_t			 hint_cell;	/* holds page indexes */
	uint64_t		 hint_first;	/* [hint_first, hint_end) */
	uint64_t		 hint_end;
};

/*
 * Create a raster of ncells cells over the given segments, which must be
 * ascending, page aligned and non-overlapping. With more cells than pages,
 * ncells is lowered to one page per cell. Returns NULL on ENOMEM or when
 * there is nothing to show (no pages or no cells). filter may be NULL
 * (every page matches). BALANCED with more segments than cells falls back
 * to LINEAR, and may use fewer cells than asked.
 */
struct raster *raster_create(const struct raster_segment *seg, size_t nseg,
    size_t ncells, uint64_t page_size, const struct filter *filter,
    enum raster_scale scale);

void raster_destroy(struct raster *r);

/*
 * Account the pages [start, end) with categories cats. Parts outside the
 * segments are ignored. Calls must come in ascending address order for
 * the cost to stay linear, but any order gives the right result.
 */
void raster_add(struct raster *r, uint64_t start, uint64_t end, cat_mask cats);

/* The first page index of cell i, and one past its last. */

uint64_t raster_cell_first(const struct raster *r, size_t i);
uint64_t raster_cell_last(const struct raster *r, size_t i);

/* The cell holding page index idx (0 <= idx < npages). */
size_t raster_cell_of(const struct raster *r, uint64_t idx);

/*
 * The cells [*first, *end) that show the segment starting at addr; false
 * if no segment starts there.
 */
bool raster_segment_cells(const struct raster *r, uint64_t addr,
    size_t *first, size_t *end);

/* The address of page index idx (0 <= idx < npages). */
uint64_t raster_page_address(const struct raster *r, uint64_t idx);

#endif
