/*
 * Model tests: snapshots split kernel regions at VMA boundaries and count
 * them; the raster puts every page in exactly one cell. Pure code, no
 * kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/filter.h"
#include "model/heat.h"
#include "model/raster.h"
#include "model/snapshot.h"
#include "model/writeheat.h"

#define PG 4096ULL

static struct snapshot *
make_snapshot(const uint64_t (*range)[2], size_t n, const char *perms)
{
	struct vma_list	 list = { 0 };
	struct vma_info	 v;
	struct snapshot	*s;
	size_t		 i;

	s = snapshot_create(PG);
	assert_non_null(s);
	for (i = 0; i < n; i++) {
		memset(&v, 0, sizeof v);
		v.start = range[i][0];
		v.end = range[i][1];
		memcpy(v.perms, perms, 5);
		v.name = (char *)"";
		v.kind = VMA_ANON;
		v.scannable = true;
		assert_int_equal(vma_list_append(&list, &v), 0);
	}
	assert_int_equal(snapshot_take_vmas(s, &list), 0);
	assert_int_equal(list.n, 0);
	return s;
}

/* One kernel region spanning three VMAs is split three ways. */
static void
test_model_region_split_at_vma_boundaries(void **state)
{
	const uint64_t	 r[3][2] = { { 0x10000, 0x14000 },
	    { 0x14000, 0x18000 }, { 0x18000, 0x1c000 } };
	struct snapshot	*s = make_snapshot(r, 3, "rw-p");
	size_t		 cur = 0, i;
	cat_mask	 asked = CAT_BIT(CAT_PRESENT) | CAT_BIT(CAT_SWAPPED) |
	    CAT_BIT(CAT_GUARD) | CAT_BIT(CAT_PFNZERO) | CAT_BIT(CAT_HUGE);

	(void)state;
	for (i = 0; i < 3; i++)
		snapshot_mark_scanned(s, i, asked);
	snapshot_add_region(s, &cur, 0x10000, 0x1c000, CAT_BIT(CAT_PRESENT));
	snapshot_finish(s);

	for (i = 0; i < 3; i++) {
		assert_int_equal(s->vma[i].pages, 4);
		assert_int_equal(s->vma[i].covered, 4);
		assert_int_equal(s->vma[i].count[CAT_PRESENT], 4);
		assert_true(s->vma[i].known & CAT_BIT(CAT_PRESENT));
		/* Private anonymous memory: file is a known zero. */
		assert_true(s->vma[i].known & CAT_BIT(CAT_FILE));
		assert_int_equal(s->vma[i].count[CAT_FILE], 0);
	}
	assert_int_equal(s->total[CAT_PRESENT], 12);
	assert_int_equal(s->total_pages, 12);
	snapshot_unref(s);
}

/* Guard markers are not swap; the huge zero page is not huge memory. */
static void
test_model_markers_and_huge_zero(void **state)
{
	const uint64_t	 r[1][2] = { { 0x200000, 0x600000 } };
	struct snapshot	*s = make_snapshot(r, 1, "rw-p");
	size_t		 cur = 0;

	(void)state;
	snapshot_mark_scanned(s, 0, CAT_ALL & ~CAT_BIT(CAT_WRITTEN));
	snapshot_add_region(s, &cur, 0x200000, 0x201000,
	    CAT_BIT(CAT_SWAPPED) | CAT_BIT(CAT_GUARD));
	snapshot_add_region(s, &cur, 0x201000, 0x203000, CAT_BIT(CAT_SWAPPED));
	snapshot_add_region(s, &cur, 0x203000, 0x400000, 0);
	snapshot_add_region(s, &cur, 0x400000, 0x600000, CAT_BIT(CAT_PRESENT) |
	    CAT_BIT(CAT_HUGE) | CAT_BIT(CAT_PFNZERO));
	snapshot_finish(s);

	assert_int_equal(s->vma[0].count[CAT_GUARD], 1);
	assert_int_equal(s->vma[0].count[CAT_SWAPPED], 2);
	assert_int_equal(s->vma[0].count[CAT_PFNZERO], 512);
	assert_int_equal(s->vma[0].count[CAT_HUGE], 0);
	assert_int_equal(s->vma[0].count[CAT_PRESENT], 512);
	assert_true(s->vma[0].known & CAT_BIT(CAT_HUGE));
	assert_false(s->vma[0].known & CAT_BIT(CAT_WRITTEN));
	snapshot_unref(s);
}

/* A VMA the kernel skipped (VM_PFNMAP) has no known counts at all. */
static void
test_model_uncovered_vma_is_unknown(void **state)
{
	const uint64_t	 r[2][2] = { { 0x10000, 0x12000 },
	    { 0x12000, 0x14000 } };
	struct snapshot	*s = make_snapshot(r, 2, "r--p");
	size_t		 cur = 0;

	(void)state;
	snapshot_mark_scanned(s, 0, CAT_BIT(CAT_PRESENT));
	snapshot_mark_scanned(s, 1, CAT_BIT(CAT_PRESENT));
	snapshot_add_region(s, &cur, 0x12000, 0x14000, CAT_BIT(CAT_PRESENT));
	snapshot_finish(s);

	assert_int_equal(s->vma[0].known, 0);
	assert_true(s->vma[1].known & CAT_BIT(CAT_PRESENT));
	assert_int_equal(s->total[CAT_PRESENT], 2);
	assert_true(s->total_known & CAT_BIT(CAT_PRESENT));
	assert_false(s->total_known & CAT_BIT(CAT_SWAPPED));
	snapshot_unref(s);
}

/* Shared memory never has a known swapped count. */
static void
test_model_shmem_swapped_unknown(void **state)
{
	const uint64_t	 r[1][2] = { { 0x10000, 0x12000 } };
	struct snapshot	*s = make_snapshot(r, 1, "rw-s");
	size_t		 cur = 0;

	(void)state;
	s->vma[0].info.kind = VMA_MEMFD;
	snapshot_mark_scanned(s, 0, CAT_ALL & ~CAT_BIT(CAT_WRITTEN));
	snapshot_add_region(s, &cur, 0x10000, 0x12000, CAT_BIT(CAT_PRESENT) |
	    CAT_BIT(CAT_FILE));
	snapshot_finish(s);
	assert_false(s->vma[0].known & CAT_BIT(CAT_SWAPPED));
	assert_int_equal(s->vma[0].count[CAT_FILE], 2);
	snapshot_unref(s);
}

static void
test_model_find_vma(void **state)
{
	const uint64_t	 r[3][2] = { { 0x10000, 0x12000 },
	    { 0x20000, 0x24000 }, { 0x24000, 0x30000 } };
	struct snapshot	*s = make_snapshot(r, 3, "rw-p");

	(void)state;
	assert_int_equal(snapshot_find_vma(s, 0x10000), 0);
	assert_int_equal(snapshot_find_vma(s, 0x11fff), 0);
	assert_int_equal(snapshot_find_vma(s, 0x12000), -1);
	assert_int_equal(snapshot_find_vma(s, 0x24000), 2);
	assert_int_equal(snapshot_find_vma(s, 0x30000), -1);
	snapshot_unref(s);
}

/* Every page lands in exactly one cell, whatever the cell count. */
static void
test_model_raster_partition(void **state)
{
	const struct raster_segment	seg[2] = { { 0x100000, 0x100000 +
	    1000 * PG }, { 0x900000, 0x900000 + 37 * PG } };
	struct raster			*r;
	uint64_t			 pages, seen;
	size_t				 ncells, i;

	(void)state;
	for (ncells = 1; ncells < 1100; ncells += 7) {
		r = raster_create(seg, 2, ncells, PG, NULL, RASTER_LINEAR);
		assert_non_null(r);
		raster_add(r, 0, UINT64_MAX & ~(PG - 1), CAT_BIT(CAT_PRESENT));
		pages = seen = 0;
		for (i = 0; i < r->ncells; i++) {
			pages += r->cell[i].pages;
			seen += r->cell[i].n[CAT_PRESENT];
			assert_int_equal(r->cell[i].seen, r->cell[i].pages);
		}
		assert_int_equal(pages, 1037);
		assert_int_equal(seen, 1037);
		assert_true(r->ncells <= 1037);
		raster_destroy(r);
	}
}

/* The categories of the test pages of test_model_raster_any_order. */
static cat_mask
order_cats(size_t i)
{
	static const cat_mask	cats[3] = { CAT_BIT(CAT_PRESENT),
	    CAT_BIT(CAT_SWAPPED), 0 };

	return cats[i / 7 % 3];
}

/*
 * raster_add() remembers where it ended, which must not change a result:
 * page runs added in ascending order, single pages in ascending order
 * and single pages in a scrambled order give the same cells.
 */
static void
test_model_raster_any_order(void **state)
{
	const struct raster_segment	seg[3] = {
		{ 0x10000, 0x10000 + 3 * PG },
		{ 0x100000, 0x100000 + 500 * PG },
		{ 0x900000, 0x900000 + 77 * PG },
	};
	struct raster			*r[3];
	uint64_t			 addr[580], present = 0;
	size_t				 n = 0, i, j, k, ncells;
	int				 scale, m;

	(void)state;
	for (i = 0; i < 3; i++) {
		for (j = seg[i].start; j < seg[i].end; j += PG)
			addr[n++] = j;
	}
	for (scale = 0; scale < 2; scale++) {
		for (ncells = 1; ncells < 700; ncells += 13) {
			for (m = 0; m < 3; m++) {
				r[m] = raster_create(seg, 3, ncells, PG, NULL,
				    scale ? RASTER_BALANCED : RASTER_LINEAR);
				assert_non_null(r[m]);
			}

			/* Runs: equal categories, adjacent pages. */
			for (i = 0; i < n; i = j) {
				for (j = i + 1; j < n && addr[j] ==
				    addr[j - 1] + PG &&
				    order_cats(j) == order_cats(i); j++)
					;
				raster_add(r[0], addr[i], addr[j - 1] + PG,
				    order_cats(i));
			}
			for (i = 0; i < n; i++) {
				raster_add(r[1], addr[i], addr[i] + PG,
				    order_cats(i));
				k = i * 257 % n;	/* prime to 580 */
				raster_add(r[2], addr[k], addr[k] + PG,
				    order_cats(k));
			}

			assert_int_equal(r[1]->ncells, r[0]->ncells);
			assert_memory_equal(r[0]->cell, r[1]->cell,
			    r[0]->ncells * sizeof *r[0]->cell);
			assert_memory_equal(r[0]->cell, r[2]->cell,
			    r[0]->ncells * sizeof *r[0]->cell);
			present = 0;
			for (i = 0; i < r[0]->ncells; i++) {
				assert_int_equal(r[0]->cell[i].seen,
				    r[0]->cell[i].pages);
				present += r[0]->cell[i].n[CAT_PRESENT];
			}
			assert_int_equal(present, 7 * 28);
			for (m = 0; m < 3; m++)
				raster_destroy(r[m]);
		}
	}
}

/* A page's cell holds exactly that page's categories. */
static void
test_model_raster_places_pages(void **state)
{
	const struct raster_segment	seg[2] = { { 0x10000, 0x20000 },
	    { 0x40000, 0x50000 } };
	struct raster			*r;

	(void)state;
	/* One page per cell. */
	r = raster_create(seg, 2, 32, PG, NULL, RASTER_LINEAR);
	assert_non_null(r);
	assert_int_equal(r->ncells, 32);
	raster_add(r, 0x1f000, 0x41000, CAT_BIT(CAT_SWAPPED));
	assert_int_equal(r->cell[15].n[CAT_SWAPPED], 1);
	assert_int_equal(r->cell[16].n[CAT_SWAPPED], 1);
	assert_int_equal(r->cell[14].n[CAT_SWAPPED], 0);
	assert_int_equal(r->cell[17].n[CAT_SWAPPED], 0);
	assert_int_equal(raster_page_address(r, 16), 0x40000);
	assert_int_equal(raster_page_address(r, 15), 0x1f000);
	raster_destroy(r);

	assert_null(raster_create(seg, 0, 10, PG, NULL, RASTER_LINEAR));
	assert_null(raster_create(seg, 2, 0, PG, NULL, RASTER_LINEAR));
}

/* Enormous windows: cell arithmetic must not overflow. */
static void
test_model_raster_huge_window(void **state)
{
	const struct raster_segment	seg[1] = { { 0x1000,
	    0x1000 + (100ULL << 40) } };	/* 100 TiB */
	struct raster			*r;
	uint64_t			 sum = 0;
	size_t				 i;

	(void)state;
	r = raster_create(seg, 1, 250 * 80, PG, NULL, RASTER_LINEAR);
	assert_non_null(r);
	raster_add(r, 0x1000 + (50ULL << 40), 0x1000 + (50ULL << 40) + PG,
	    CAT_BIT(CAT_PRESENT));
	for (i = 0; i < r->ncells; i++)
		sum += r->cell[i].n[CAT_PRESENT];
	assert_int_equal(sum, 1);
	assert_int_equal(r->cell[10000].n[CAT_PRESENT], 1);
	raster_destroy(r);
}

/* The kernel's semantics: invert, then all of mask, then one of anyof. */
static void
test_model_filter_kernel_semantics(void **state)
{
	const cat_mask	P = CAT_BIT(CAT_PRESENT), F = CAT_BIT(CAT_FILE),
			S = CAT_BIT(CAT_SWAPPED), H = CAT_BIT(CAT_HUGE);
	struct filter	f;

	(void)state;
	f = filter_from_choice(0, false, false);
	assert_true(filter_is_open(&f));
	assert_true(filter_match(&f, 0));

	f = filter_from_choice(P | F, true, false);	/* all of */
	assert_true(filter_match(&f, P | F | H));
	assert_false(filter_match(&f, P));

	f = filter_from_choice(P | S, false, false);	/* any of */
	assert_true(filter_match(&f, S));
	assert_false(filter_match(&f, F));

	f = filter_from_choice(P | S, false, true);	/* missing one */
	assert_true(filter_match(&f, P));
	assert_true(filter_match(&f, 0));
	assert_false(filter_match(&f, P | S));

	f = filter_from_choice(P | S, true, true);	/* neither */
	assert_true(filter_match(&f, F));
	assert_false(filter_match(&f, P));
}

/* The raster counts matched pages and their categories apart. */
static void
test_model_raster_filter(void **state)
{
	const struct raster_segment	seg[1] = { { 0x10000, 0x20000 } };
	struct filter			f;
	struct raster			*r;

	(void)state;
	f = filter_from_choice(CAT_BIT(CAT_FILE), true, false);
	r = raster_create(seg, 1, 1, PG, &f, RASTER_LINEAR);
	assert_non_null(r);
	raster_add(r, 0x10000, 0x14000, CAT_BIT(CAT_PRESENT));
	raster_add(r, 0x14000, 0x16000, CAT_BIT(CAT_PRESENT) |
	    CAT_BIT(CAT_FILE));
	assert_int_equal(r->cell[0].pages, 16);
	assert_int_equal(r->cell[0].seen, 6);
	assert_int_equal(r->cell[0].n[CAT_PRESENT], 6);
	assert_int_equal(r->cell[0].matched, 2);
	assert_int_equal(r->cell[0].m[CAT_PRESENT], 2);
	assert_int_equal(r->cell[0].m[CAT_FILE], 2);
	raster_destroy(r);
}

/* Dominance with overlapping categories, levels in quarters. */
static void
test_model_heat_look(void **state)
{
	struct raster_cell	c;
	struct heat_look	l;
	cat_mask		shown = CAT_BIT(CAT_PRESENT) |
	    CAT_BIT(CAT_HUGE) | CAT_BIT(CAT_FILE);

	(void)state;
	memset(&c, 0, sizeof c);
	l = heat_look(&c, shown);
	assert_false(l.mapped);

	c.pages = 8;
	c.seen = 8;
	l = heat_look(&c, shown);
	assert_true(l.mapped);
	assert_int_equal(l.level, 0);

	/* All present pages huge: huge wins the tie. */
	c.matched = c.m[CAT_PRESENT] = c.m[CAT_HUGE] = 8;
	l = heat_look(&c, shown);
	assert_int_equal(l.cat, CAT_HUGE);
	assert_int_equal(l.level, 4);

	/* Half huge: present has more pages. */
	c.m[CAT_HUGE] = 4;
	assert_int_equal(heat_look(&c, shown).cat, CAT_PRESENT);

	/* One page of eight matches: a quarter, not nothing. */
	c.matched = 1;
	c.m[CAT_PRESENT] = 1;
	c.m[CAT_HUGE] = 0;
	assert_int_equal(heat_look(&c, shown).level, 1);

	/* Matching pages without a shown category. */
	c.m[CAT_PRESENT] = 0;
	assert_int_equal(heat_look(&c, shown).cat, HEAT_OTHER);

	c.seen = 4;
	assert_true(heat_look(&c, shown).unknown);
}

/* Balanced: every segment is seen, small ones next to huge ones. */
static void
test_model_raster_balanced(void **state)
{
	const struct raster_segment	seg[3] = {
		{ 0x10000, 0x11000 },				/* 1 page */
		{ 0x100000, 0x100000 + (64ULL << 30) },		/* 64 GiB */
		{ 0x7f0000000000, 0x7f0000000000 + 33 * PG },	/* 33 pages */
	};
	struct raster			*r;
	uint64_t			 pages = 0, idx;
	size_t				 i, c;

	(void)state;
	r = raster_create(seg, 3, 1000, PG, NULL, RASTER_BALANCED);
	assert_non_null(r);
	assert_non_null(r->seg_cell);
	assert_true(r->ncells <= 1000);
	/* The one-page segment has exactly its own cell. */
	assert_int_equal(r->seg_cell[1] - r->seg_cell[0], 1);
	assert_true(r->seg_cell[3] - r->seg_cell[2] >= 2);
	for (i = 0; i < r->ncells; i++)
		pages += r->cell[i].pages;
	assert_int_equal(pages, r->npages);

	/* Each page's cell is the one whose range holds it. */
	for (idx = 0; idx < r->npages; idx += r->npages / 997 + 1) {
		c = raster_cell_of(r, idx);
		assert_true(raster_cell_first(r, c) <= idx);
		assert_true(raster_cell_last(r, c) > idx);
	}
	raster_add(r, 0x7f0000000000, 0x7f0000000000 + PG,
	    CAT_BIT(CAT_PRESENT));
	assert_int_equal(r->cell[r->seg_cell[2]].n[CAT_PRESENT], 1);
	raster_add(r, 0x10000, 0x11000, CAT_BIT(CAT_SWAPPED));
	assert_int_equal(r->cell[0].n[CAT_SWAPPED], 1);
	assert_int_equal(r->cell[0].pages, 1);
	assert_int_equal(raster_page_address(r, raster_cell_first(r,
	    r->seg_cell[2])), 0x7f0000000000);
	raster_destroy(r);

	/* More segments than cells: linear. */
	r = raster_create(seg, 3, 2, PG, NULL, RASTER_BALANCED);
	assert_non_null(r);
	assert_null(r->seg_cell);
	raster_destroy(r);
}

/*
 * Written runs, recorded before the regions, cut them: counts, raster
 * and filter see WRITTEN on exactly those pages, and only a tracked VMA
 * has a written count.
 */
static void
test_model_written_runs_merge(void **state)
{
	const uint64_t		 r[2][2] = { { 0x10000, 0x20000 },
	    { 0x20000, 0x30000 } };
	const struct raster_segment seg[2] = { { 0x10000, 0x20000 },
	    { 0x20000, 0x30000 } };
	struct filter		 f = filter_from_choice(CAT_BIT(CAT_WRITTEN),
	    true, false);
	struct snapshot		*s = make_snapshot(r, 2, "rw-p");
	size_t			 cur = 0, i;

	(void)state;
	s->raster = raster_create(seg, 2, 32, PG, &f, RASTER_LINEAR);
	assert_non_null(s->raster);
	snapshot_mark_scanned(s, 0, CAT_BIT(CAT_PRESENT));
	snapshot_mark_scanned(s, 1, CAT_BIT(CAT_PRESENT));
	snapshot_mark_tracked(s, 0, VMA_TRACK_ON);
	snapshot_mark_tracked(s, 1, VMA_TRACK_NEW);

	/* Out of order and adjacent: kept sorted and merged. */
	assert_int_equal(snapshot_add_written(s, 0x13000, 0x14000), 0);
	assert_int_equal(snapshot_add_written(s, 0x11000, 0x12000), 0);
	assert_int_equal(snapshot_add_written(s, 0x14000, 0x15000), 0);
	assert_int_equal(s->nwritten, 2);
	assert_true(s->written[0].start == 0x11000);
	assert_true(s->written[1].start == 0x13000);
	assert_true(s->written[1].end == 0x15000);

	/* A run across the VMA boundary, then regions in two pieces. */
	assert_int_equal(snapshot_add_written(s, 0x1f000, 0x21000), 0);
	snapshot_add_region(s, &cur, 0x10000, 0x18000, CAT_BIT(CAT_PRESENT));
	snapshot_add_region(s, &cur, 0x18000, 0x30000, CAT_BIT(CAT_PRESENT));
	snapshot_finish(s);

	assert_int_equal(s->vma[0].count[CAT_WRITTEN], 4);
	assert_int_equal(s->vma[0].count[CAT_PRESENT], 16);
	assert_true(s->vma[0].known & CAT_BIT(CAT_WRITTEN));
	assert_int_equal(s->vma[1].count[CAT_WRITTEN], 1);
	assert_false(s->vma[1].known & CAT_BIT(CAT_WRITTEN));
	assert_int_equal(s->total[CAT_WRITTEN], 4);
	assert_null(s->written);

	/* Page by page: cells 1, 3, 4, 15 of VMA 0 and 16 of VMA 1. */
	for (i = 0; i < 32; i++) {
		bool	w = i == 1 || i == 3 || i == 4 || i == 15 || i == 16;

		assert_int_equal(s->raster->cell[i].n[CAT_WRITTEN], w);
		assert_int_equal(s->raster->cell[i].matched, w);
		assert_int_equal(s->raster->cell[i].n[CAT_PRESENT], 1);
	}
	snapshot_unref(s);
}

/* Write heat rises with writes, halves each half-life, resets. */
static void
test_model_writeheat(void **state)
{
	const struct raster_segment seg[1] = { { 0x10000, 0x30000 } };
	const struct raster_segment other[1] = { { 0x10000, 0x20000 } };
	struct raster		*r, *r2;
	struct writeheat	 h;
	struct heat_look	 l;

	(void)state;
	r = raster_create(seg, 1, 4, PG, NULL, RASTER_LINEAR);
	assert_non_null(r);
	r->cell[0].n[CAT_WPALLOWED] = r->cell[1].n[CAT_WPALLOWED] = 8;
	r->cell[2].n[CAT_WPALLOWED] = 8;
	r->cell[0].n[CAT_WRITTEN] = 8;
	r->cell[1].n[CAT_WRITTEN] = 1;
	writeheat_init(&h);
	assert_int_equal(writeheat_update(&h, r, 7, 1, 100.0, 2.0), 0);

	/* Full, one page of eight (shows), none, not tracked. */
	l = writeheat_look(&h, r, 0);
	assert_true(l.mapped && !l.unknown);
	assert_int_equal(l.level, HEAT_LEVELS);
	assert_int_equal(l.cat, CAT_WRITTEN);
	assert_int_equal(writeheat_look(&h, r, 1).level, 1);
	assert_int_equal(writeheat_look(&h, r, 2).level, 0);
	assert_false(writeheat_look(&h, r, 2).unknown);
	assert_true(writeheat_look(&h, r, 3).unknown);

	/* The same refresh again changes nothing. */
	assert_int_equal(writeheat_update(&h, r, 7, 1, 100.0, 2.0), 0);
	assert_int_equal(writeheat_look(&h, r, 0).level, HEAT_LEVELS);

	/* One half-life without writes: 8 -> 4 pages, 1 -> 0.5. */
	r->cell[0].n[CAT_WRITTEN] = r->cell[1].n[CAT_WRITTEN] = 0;
	assert_int_equal(writeheat_update(&h, r, 7, 2, 102.0, 2.0), 0);
	assert_int_equal(writeheat_look(&h, r, 0).level, HEAT_LEVELS / 2);
	assert_int_equal(writeheat_look(&h, r, 1).level, 1);

	/* Another: half a page is cold. */
	assert_int_equal(writeheat_update(&h, r, 7, 3, 104.0, 2.0), 0);
	assert_int_equal(writeheat_look(&h, r, 1).level, 0);
	assert_int_equal(writeheat_look(&h, r, 0).level, 1);

	/* Writes again: capped at the cell's pages. */
	r->cell[0].n[CAT_WRITTEN] = 8;
	assert_int_equal(writeheat_update(&h, r, 7, 4, 104.5, 2.0), 0);
	assert_true(h.pages[0] <= 8.0);

	/* Other cells (geometry) or another process: cold again. */
	r2 = raster_create(other, 1, 4, PG, NULL, RASTER_LINEAR);
	r2->cell[0].n[CAT_WPALLOWED] = 4;
	assert_int_equal(writeheat_update(&h, r2, 7, 5, 105.0, 2.0), 0);
	assert_int_equal(writeheat_look(&h, r2, 0).level, 0);
	r2->cell[0].n[CAT_WRITTEN] = 4;
	assert_int_equal(writeheat_update(&h, r2, 7, 6, 106.0, 2.0), 0);
	assert_int_equal(writeheat_look(&h, r2, 0).level, HEAT_LEVELS);
	r2->cell[0].n[CAT_WRITTEN] = 0;
	assert_int_equal(writeheat_update(&h, r2, 8, 7, 106.5, 2.0), 0);
	assert_int_equal(writeheat_look(&h, r2, 0).level, 0);

	assert_int_equal(writeheat_update(&h, NULL, 8, 8, 107.0, 2.0), 0);
	assert_null(h.pages);
	writeheat_fini(&h);
	raster_destroy(r);
	raster_destroy(r2);
}

/* Written runs stay sorted and merged, across the array's growth. */
static void
test_model_written_runs_grow(void **state)
{
	struct snapshot	*s = snapshot_create(PG);
	size_t		 i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 256; i++)
		assert_int_equal(snapshot_add_written(s, 0x100000 + 2 * i * PG,
		    0x100000 + (2 * i + 1) * PG), 0);
	/* The 257th run grows the array and comes out of order. */
	assert_int_equal(snapshot_add_written(s, 0x1000, 0x2000), 0);
	assert_int_equal(s->nwritten, 257);
	assert_int_equal(s->written[0].start, 0x1000);
	for (i = 1; i < s->nwritten; i++)
		assert_true(s->written[i - 1].end <= s->written[i].start);
	/* Adjacent to the last one: merged. */
	assert_int_equal(snapshot_add_written(s, 0x100000 + 511 * PG,
	    0x100000 + 512 * PG), 0);
	assert_int_equal(s->nwritten, 257);
	snapshot_unref(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_region_split_at_vma_boundaries),
		cmocka_unit_test(test_model_markers_and_huge_zero),
		cmocka_unit_test(test_model_uncovered_vma_is_unknown),
		cmocka_unit_test(test_model_shmem_swapped_unknown),
		cmocka_unit_test(test_model_find_vma),
		cmocka_unit_test(test_model_raster_partition),
		cmocka_unit_test(test_model_raster_places_pages),
		cmocka_unit_test(test_model_raster_any_order),
		cmocka_unit_test(test_model_raster_huge_window),
		cmocka_unit_test(test_model_filter_kernel_semantics),
		cmocka_unit_test(test_model_raster_filter),
		cmocka_unit_test(test_model_heat_look),
		cmocka_unit_test(test_model_raster_balanced),
		cmocka_unit_test(test_model_written_runs_grow),
		cmocka_unit_test(test_model_written_runs_merge),
		cmocka_unit_test(test_model_writeheat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
