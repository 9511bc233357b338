/*
 * Drawing helpers shared by the views: text that cannot escape its
 * column, escaped untrusted names, the colours of the heatmap, the header,
 * legend and status lines, and the heatmap itself. Internal to src/ui;
 * main thread only.
 */
#ifndef PMTOP_UI_DRAW_H
#define PMTOP_UI_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/heat.h"
#include "model/raster.h"
#include "ui/view.h"

/* Set up colours for term (after initscr). */
void draw_init(struct ui_term *term);

/*
 * Draw text (printable UTF-8 or ASCII, as escape_visible() writes it) at
 * y, x in at most maxcols columns; returns the columns used.
 */
int draw_text(int y, int x, const char *text, int maxcols);

/* Escape untrusted bytes and draw them like draw_text(). */
int draw_escaped(int y, int x, const char *bytes, size_t len, int maxcols);

/* Sizes in at most 5 columns: "12.3M", "512K", "7B". */
void draw_format_short(char *buf, size_t size, uint64_t bytes);

/* Sizes with binary units: "12.3 MiB". */
void draw_format_bytes(char *buf, size_t size, uint64_t bytes);

/*
 * The header for the process in ui->snap: one line of its figures, or,
 * when it could not be read, a line of its state (and no figures) and
 * up to three lines that say why. Returns the lines used; a view shows
 * nothing under more than one.
 */
int draw_header(struct ui *ui, int y);

/* A line of sizes by category; unknown ones say n/a. */
void draw_totals(struct ui *ui, const uint64_t *count, cat_mask known,
    int y);

/* The legend of categories and the filter; returns lines used (1). */
int draw_legend(struct ui *ui, int y);

/* The status line: a message, or the top view's key hints. */
void draw_status(struct ui *ui);

/* Cells to point out in a heatmap. */
struct draw_marks {
	size_t	cursor;		/* one cell, or SIZE_MAX */
	size_t	first;		/* a run of cells [first, end) */
	size_t	end;
};

/*
 * Draw raster r into the box at y, x of h rows and w columns, cell by
 * cell in reading order (two cells per character with half-blocks),
 * with marks (may be NULL). The box should hold as many cells as r has
 * (draw_heatmap_capacity()).
 */
void draw_heatmap(struct ui *ui, const struct raster *r, int y, int x, int h,
    int w, const struct draw_marks *marks);

/* How many cells a box of h rows and w columns shows. */
size_t draw_heatmap_capacity(const struct ui *ui, int h, int w);

/* Which cell of a box the screen position (py, px) is, or -1. */
long draw_heatmap_cell_at(const struct ui *ui, int y, int x, int h, int w,
    int py, int px);

/* The colour pair of a category's full colour (0 without colour). */
short draw_category_pair(const struct ui *ui, int cat);

/* The key letter of a category in the legend and the filter keys. */
int draw_category_key(int cat);

/* A scrolling list's position: the selected row and the first shown. */
struct list_pos {
	size_t	sel;
	size_t	top;
};

/*
 * Move a list of n rows shown rows at a time by a navigation key
 * (arrows, PgUp/PgDn, Home/End). Returns false for other keys.
 */
bool list_key(struct list_pos *lp, int key, size_t n, int rows);

/* Keep sel inside [0, n) and visible in rows rows. */
void list_clamp(struct list_pos *lp, size_t n, int rows);

#endif
