/*
 * Heatmap cell looks. Categories overlap (a huge page is also present),
 * so "dominant" is a count with a tie-break by how much a category says:
 * when every present page is also huge, the cell is huge.
 */
#include "model/heat.h"

/* Most telling first. */
static const enum category heat_order[] = {
	CAT_WRITTEN, CAT_GUARD, CAT_SWAPPED, CAT_PFNZERO, CAT_HUGE, CAT_FILE,
	CAT_SOFT_DIRTY, CAT_WPALLOWED, CAT_PRESENT,
};

struct heat_look
heat_look(const struct raster_cell *c, cat_mask shown)
{
	struct heat_look	look = { false, false, 0, HEAT_OTHER };
	uint32_t		best = 0;
	size_t			i;
	enum category		cat;

	if (c->pages == 0)
		return look;
	look.mapped = true;
	look.unknown = c->seen < c->pages;
	if (c->matched == 0)
		return look;

	look.level = (int)((c->matched * (uint64_t)HEAT_LEVELS + c->pages -
	    1) / c->pages);
	for (i = 0; i < sizeof heat_order / sizeof heat_order[0]; i++) {
		cat = heat_order[i];
		if ((shown & CAT_BIT(cat)) && c->m[cat] > best) {
			best = c->m[cat];
			look.cat = (int)cat;
		}
	}
	return look;
}
