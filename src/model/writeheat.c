/*
 * Write heat. A cell's heat is a count of written pages that decays
 * exponentially: heat = heat * 2^(-dt / half_life) + written, at most
 * the cell's pages. A cell goes cold once less than half a page's worth
 * of writes is left, so a single write shows for one half-life or so and
 * a cell written all over glows for many.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/writeheat.h"

/* Below this many decayed pages, a cell is cold. */
#define WRITEHEAT_COLD	0.5

void
writeheat_init(struct writeheat *h)
{
	memset(h, 0, sizeof *h);
}

void
writeheat_fini(struct writeheat *h)
{
	free(h->pages);
	writeheat_init(h);
}

static uint64_t
writeheat_mix(uint64_t hash, uint64_t v)
{
	/* FNV-1a over the value's bytes. */
	int	i;

	for (i = 0; i < 8; i++) {
		hash ^= (v >> (i * 8)) & 0xff;
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

/* What the cells of r mean: which pages each one holds, and whose. */
static uint64_t
writeheat_geometry(const struct raster *r, int pid)
{
	uint64_t	hash = 0xcbf29ce484222325ULL;
	size_t		i;

	hash = writeheat_mix(hash, (uint64_t)pid);
	hash = writeheat_mix(hash, r->ncells);
	hash = writeheat_mix(hash, r->nseg);
	hash = writeheat_mix(hash, r->page_size);
	for (i = 0; i < r->nseg; i++) {
		hash = writeheat_mix(hash, r->seg[i].start);
		hash = writeheat_mix(hash, r->seg[i].end);
	}
	for (i = 0; r->seg_cell != NULL && i <= r->nseg; i++)
		hash = writeheat_mix(hash, r->seg_cell[i]);
	return hash;
}

int
writeheat_update(struct writeheat *h, const struct raster *r, int pid,
    uint64_t seq, double time, double half_life)
{
	uint64_t	geometry;
	double		decay;
	size_t		i;

	if (r == NULL) {
		writeheat_fini(h);
		return 0;
	}
	if (h->pages != NULL && seq == h->seq)
		return 0;

	geometry = writeheat_geometry(r, pid);
	if (h->pages == NULL || geometry != h->geometry ||
	    h->ncells != r->ncells) {
		free(h->pages);
		h->pages = calloc(r->ncells, sizeof *h->pages);
		if (h->pages == NULL) {
			writeheat_init(h);
			return -1;
		}
		h->geometry = geometry;
		h->ncells = r->ncells;
		h->time = time;
	}

	/* A clock that went back (a changed wall clock) decays nothing. */
	decay = time > h->time ? exp2(-(time - h->time) / half_life) : 1.0;
	for (i = 0; i < h->ncells; i++) {
		h->pages[i] = h->pages[i] * decay + r->cell[i].n[CAT_WRITTEN];
		if (h->pages[i] > r->cell[i].pages)
			h->pages[i] = r->cell[i].pages;
	}
	h->seq = seq;
	h->time = time;
	return 0;
}

struct heat_look
writeheat_look(const struct writeheat *h, const struct raster *r, size_t i)
{
	struct heat_look		 look = { false, false, 0, CAT_WRITTEN };
	const struct raster_cell	*c;
	double				 heat;

	if (r == NULL || i >= r->ncells)
		return look;
	c = &r->cell[i];
	if (c->pages == 0)
		return look;
	look.mapped = true;
	look.unknown = c->n[CAT_WPALLOWED] == 0;
	heat = h->pages != NULL && i < h->ncells ? h->pages[i] : 0;
	if (look.unknown || heat < WRITEHEAT_COLD)
		return look;
	look.level = (int)ceil(heat * HEAT_LEVELS / c->pages);
	if (look.level < 1)
		look.level = 1;
	if (look.level > HEAT_LEVELS)
		look.level = HEAT_LEVELS;
	return look;
}
