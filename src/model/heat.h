/*
 * How one heatmap cell looks: which shown category dominates among the
 * cell's pages that pass the filter, and how full the cell is. Pure: the
 * viewer turns a look into a glyph and a colour.
 */
#ifndef PMTOP_MODEL_HEAT_H
#define PMTOP_MODEL_HEAT_H

#include <stdbool.h>

#include "model/category.h"
#include "model/raster.h"

#define HEAT_LEVELS 4

/* cat is this when pages matched but none has a shown category. */
#define HEAT_OTHER CAT_COUNT

struct heat_look {
	bool	mapped;		/* the cell holds pages at all */
	bool	unknown;	/* the kernel did not report some pages */
	int	level;		/* 0: no page matches; 1..HEAT_LEVELS */
	int	cat;		/* dominant shown category, or HEAT_OTHER */
};

/*
 * The look of cell c when the categories in shown are on screen. The
 * dominant category is the shown one held by most matching pages; ties
 * go to the more telling one (guard over swapped over zero over huge
 * over file over present, and so on). The level is the matching share of
 * the cell's pages in quarters, rounded up, so one page shows.
 */
struct heat_look heat_look(const struct raster_cell *c, cat_mask shown);

#endif
