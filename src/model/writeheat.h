/*
 * Write heat: how much each heatmap cell has been written lately. Each
 * refresh's written pages (a raster's PAGE_IS_WRITTEN counts) raise a
 * cell's heat, which otherwise halves every half-life, so a burst of
 * writes glows, then fades. The heat is per cell of one raster geometry
 * (segments, cells, scale, process): when the geometry changes the cells
 * mean other pages, and the heat starts again from cold.
 *
 * Pure data, no clock of its own: times come with the rasters. One
 * thread (the viewer's).
 */
#ifndef PMTOP_MODEL_WRITEHEAT_H
#define PMTOP_MODEL_WRITEHEAT_H

#include <stddef.h>
#include <stdint.h>

#include "model/heat.h"
#include "model/raster.h"

/* Seconds for a cell's heat to halve without writes. */
#define WRITEHEAT_HALF_LIFE	3.0

struct writeheat {
	uint64_t	 geometry;	/* hash of what the cells mean */
	size_t		 ncells;
	double		*pages;		/* per cell: written pages, decayed */
	uint64_t	 seq;		/* the last refresh folded in */
	double		 time;		/* its time, in seconds */
};

void writeheat_init(struct writeheat *h);
void writeheat_fini(struct writeheat *h);

/*
 * Fold in the refresh seq of process pid, taken at time (seconds), whose
 * raster is r (NULL: nothing to show; the heat is dropped). A refresh
 * already folded in (same seq) changes nothing, so this may be called at
 * every redraw. Returns -1 on ENOMEM (the heat is then dropped), else 0.
 */
int writeheat_update(struct writeheat *h, const struct raster *r, int pid,
    uint64_t seq, double time, double half_life);

/*
 * The look of cell i of r in the writes heatmap: unknown where none of
 * its pages is tracked (no PAGE_IS_WPALLOWED), level 0 where it is cold,
 * else the heat as a share of the cell's pages in HEAT_LEVELS steps,
 * rounded up, so that one page written shows. cat is CAT_WRITTEN.
 */
struct heat_look writeheat_look(const struct writeheat *h,
    const struct raster *r, size_t i);

#endif
