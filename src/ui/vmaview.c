/*
 * The VMA view: the heatmap of one VMA, each cell N pages. N starts at
 * what fits the screen and halves with each zoom down to one page a cell;
 * the engine is asked for just the visible window at that resolution.
 * A cursor moves over the cells and the line above the hints tells what
 * its pages are.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/draw.h"
#include "ui/view.h"

struct vmaview {
	uint64_t	start;		/* identifies the VMA */
	uint64_t	end;
	uint64_t	ppc;		/* pages per cell; 0: fit */
	uint64_t	first;		/* first visible cell */
	uint64_t	cursor;		/* cell under the cursor */
};

struct vmaview_layout {
	int		heat_y, heat_h, width;
	size_t		capacity;	/* cells on screen */
	uint64_t	pages;		/* in the VMA */
	uint64_t	ppc;		/* pages per cell now */
	uint64_t	cells;		/* in the whole VMA */
	uint64_t	per_row;	/* cells per row of cells */
};

static void
vmaview_layout(const struct ui *ui, const struct vmaview *vv,
    struct vmaview_layout *l)
{
	uint64_t	page = ui->snap != NULL ? ui->snap->page_size : 4096;

	l->heat_y = 4;
	l->heat_h = LINES - l->heat_y - 2;
	if (l->heat_h < 1)
		l->heat_h = 1;
	l->width = COLS;
	l->capacity = draw_heatmap_capacity(ui, l->heat_h, l->width);
	l->per_row = (uint64_t)l->width;
	l->pages = (vv->end - vv->start) / page;

	l->ppc = (l->pages + l->capacity - 1) / l->capacity;
	if (vv->ppc != 0 && vv->ppc < l->ppc)
		l->ppc = vv->ppc;
	if (l->ppc == 0)
		l->ppc = 1;
	l->cells = (l->pages + l->ppc - 1) / l->ppc;
}

/* Keep the cursor inside the VMA and on screen. */
static void
vmaview_clamp(struct vmaview *vv, const struct vmaview_layout *l)
{
	if (vv->cursor >= l->cells)
		vv->cursor = l->cells ? l->cells - 1 : 0;
	if (vv->cursor < vv->first)
		vv->first = vv->cursor - vv->cursor % l->per_row;
	while (vv->cursor >= vv->first + l->capacity)
		vv->first += l->per_row;
	if (l->cells <= l->capacity)
		vv->first = 0;
}

/* The snapshot's raster, if it is the window this view asked for. */
static const struct raster *
vmaview_raster(const struct ui *ui, const struct vmaview *vv,
    const struct vmaview_layout *l)
{
	const struct raster	*r = ui->snap != NULL ? ui->snap->raster :
	    NULL;
	uint64_t		 start;

	if (r == NULL || r->nseg != 1)
		return NULL;
	start = vv->start + vv->first * l->ppc * r->page_size;
	return r->seg[0].start == start && r->ncells <= l->capacity ? r :
	    NULL;
}

/* Whether write tracking watches this VMA, and how fast it is written. */
static void
vmaview_draw_tracking(const struct snapshot *s, const struct snap_vma *v,
    int y, int x)
{
	char	line[96];

	if (!s->tracking || x >= COLS)
		return;
	if (v->track == VMA_TRACK_ON && (v->known & CAT_BIT(CAT_WRITTEN)) &&
	    s->track_seconds > 0)
		snprintf(line, sizeof line, "  tracked: %.0f pages/s written",
		    (double)v->count[CAT_WRITTEN] / s->track_seconds);
	else if (v->track == VMA_TRACK_ON || v->track == VMA_TRACK_NEW)
		snprintf(line, sizeof line, "  tracked from the next refresh");
	else
		snprintf(line, sizeof line, "  not tracked: %s",
		    vma_track_name(v->track));
	draw_text(y, x, line, COLS - x);
}

static void
vmaview_draw_info(struct ui *ui, const struct snap_vma *v,
    const struct vmaview_layout *l, int y)
{
	char	line[256], size[32];
	int	x;

	draw_format_bytes(size, sizeof size, l->pages * ui->snap->page_size);
	snprintf(line, sizeof line, "%llx-%llx %s %s, %llu page%s a cell  ",
	    (unsigned long long)v->info.start,
	    (unsigned long long)v->info.end, v->info.perms, size,
	    (unsigned long long)l->ppc, l->ppc == 1 ? "" : "s");
	attr_set(A_BOLD, 0, NULL);
	x = draw_text(y, 0, line, COLS);
	if (v->info.name_len == 0)
		x += draw_text(y, x, "[anon]", COLS - x);
	else
		x += draw_escaped(y, x, v->info.name, v->info.name_len,
		    COLS - x);
	attr_set(A_NORMAL, 0, NULL);
	vmaview_draw_tracking(ui->snap, v, y, x);
}

/* The cursor line: the cell's addresses and its pages by category. */
static void
vmaview_draw_cursor(struct ui *ui, const struct raster *r, size_t i, int y)
{
	const struct raster_cell	*c = &r->cell[i];
	cat_mask			 shown = ui_shown(ui);
	char				 item[96];
	uint64_t			 lo, hi;
	int				 x, cat;

	lo = raster_page_address(r, raster_cell_first(r, i));
	hi = raster_page_address(r, raster_cell_last(r, i) - 1) + r->page_size;
	snprintf(item, sizeof item, "%llx-%llx %u page%s:",
	    (unsigned long long)lo, (unsigned long long)hi, c->pages,
	    c->pages == 1 ? "" : "s");
	x = draw_text(y, 0, item, COLS);
	if (c->seen < c->pages)
		x += draw_text(y, x, " (not reported by the kernel)", COLS - x);
	for (cat = 0; cat < CAT_COUNT && x < COLS; cat++) {
		if (!(shown & CAT_BIT(cat)))
			continue;
		snprintf(item, sizeof item, " %s %u",
		    category_name((enum category)cat), c->n[cat]);
		x += draw_text(y, x, item, COLS - x);
	}
}

static const struct snap_vma *
vmaview_vma(const struct ui *ui, struct vmaview *vv)
{
	long	i;

	if (ui->snap == NULL || ui->snap->state != TARGET_OK)
		return NULL;
	i = snapshot_find_vma(ui->snap, vv->start);
	if (i < 0 || ui->snap->vma[i].info.start != vv->start)
		return NULL;
	vv->end = ui->snap->vma[i].info.end;	/* VMAs can grow */
	return &ui->snap->vma[i];
}

static void
vmaview_draw(struct ui *ui, struct view *v)
{
	struct vmaview		*vv = v->data;
	struct vmaview_layout	 l;
	const struct snap_vma	*vma;
	const struct raster	*r;
	struct draw_marks	 marks;

	if (draw_header(ui, 0) > 1)
		return;
	vma = vmaview_vma(ui, vv);
	if (vma == NULL) {
		draw_text(2, 0, ui->snap != NULL && ui->snap->pid == ui->pid ?
		    "this VMA is gone (unmapped or moved)" : "reading...",
		    COLS);
		return;
	}
	vmaview_layout(ui, vv, &l);
	vmaview_clamp(vv, &l);
	draw_totals(ui, vma->count, vma->known, 1);
	draw_legend(ui, 2);
	vmaview_draw_info(ui, vma, &l, 3);

	r = vmaview_raster(ui, vv, &l);
	if (r == NULL) {
		draw_text(l.heat_y, 0, "reading...", COLS);
		return;
	}
	marks.cursor = (size_t)(vv->cursor - vv->first);
	marks.first = marks.end = 0;
	draw_heatmap(ui, r, l.heat_y, 0, l.heat_h, l.width, &marks);
	if (vv->cursor - vv->first < r->ncells)
		vmaview_draw_cursor(ui, r, (size_t)(vv->cursor - vv->first),
		    LINES - 2);
}

/* Zoom by a factor of two, keeping the cursor's page under the cursor. */
static void
vmaview_zoom(struct ui *ui, struct vmaview *vv, bool in)
{
	struct vmaview_layout	l;
	uint64_t		page, fit;

	vmaview_layout(ui, vv, &l);
	fit = (l.pages + l.capacity - 1) / l.capacity;
	page = vv->cursor * l.ppc;
	if (in && l.ppc == 1) {
		ui_message(ui, "one page a cell: the closest zoom");
		return;
	}
	vv->ppc = in ? l.ppc / 2 : l.ppc * 2;
	if (vv->ppc >= fit)
		vv->ppc = 0;
	vmaview_layout(ui, vv, &l);
	vv->cursor = page / l.ppc;
	vv->first = vv->cursor - vv->cursor % l.per_row;
	if (vv->first >= l.capacity / 2)
		vv->first -= (l.capacity / 2) - (l.capacity / 2) % l.per_row;
	vmaview_clamp(vv, &l);
}

/* Move the cursor; true if it was a movement key. */
static bool
vmaview_move(struct vmaview *vv, const struct vmaview_layout *l, int key)
{
	uint64_t	page = l->capacity > l->per_row ? l->capacity -
	    l->per_row : l->per_row;
	uint64_t	c = vv->cursor;

	switch (key) {
	case KEY_LEFT:
		c = c > 0 ? c - 1 : 0;
		break;
	case KEY_RIGHT:
		c++;
		break;
	case KEY_UP:
		c = c >= l->per_row ? c - l->per_row : c;
		break;
	case KEY_DOWN:
		c += l->per_row;
		break;
	case KEY_PPAGE:
		c = c >= page ? c - page : 0;
		break;
	case KEY_NPAGE:
		c += page;
		break;
	case KEY_HOME:
		c = 0;
		break;
	case KEY_END:
		c = l->cells ? l->cells - 1 : 0;
		break;
	default:
		return false;
	}
	vv->cursor = c;
	vmaview_clamp(vv, l);
	return true;
}

static enum view_result
vmaview_mouse(struct ui *ui, struct vmaview *vv,
    const struct vmaview_layout *l)
{
	MEVENT	ev;
	long	cell;

	if (getmouse(&ev) != OK)
		return VIEW_HANDLED;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		vmaview_move(vv, l, ev.bstate & BUTTON4_PRESSED ? KEY_UP :
		    KEY_DOWN);
		return VIEW_REQUEST;
	}
	cell = draw_heatmap_cell_at(ui, l->heat_y, 0, l->heat_h, l->width,
	    ev.y, ev.x);
	if (cell >= 0) {
		vv->cursor = vv->first + (uint64_t)cell;
		vmaview_clamp(vv, l);
	}
	return VIEW_HANDLED;
}

static enum view_result
vmaview_key(struct ui *ui, struct view *v, int key)
{
	struct vmaview		*vv = v->data;
	struct vmaview_layout	 l;
	uint64_t		 first = vv->first;

	vmaview_layout(ui, vv, &l);
	if (vmaview_move(vv, &l, key))
		return vv->first != first ? VIEW_REQUEST : VIEW_HANDLED;
	switch (key) {
	case KEY_MOUSE:
		return vmaview_mouse(ui, vv, &l);
	case '+':
	case '=':
		vmaview_zoom(ui, vv, true);
		return VIEW_REQUEST;
	case '-':
		vmaview_zoom(ui, vv, false);
		return VIEW_REQUEST;
	case 27:	/* Esc */
	case KEY_BACKSPACE:
	case 127:
	case 8:
		ui_pop(ui);
		return VIEW_HANDLED;
	}
	return VIEW_IGNORED;
}

static void
vmaview_request(struct ui *ui, struct view *v, struct engine_request *req)
{
	struct vmaview		*vv = v->data;
	struct vmaview_layout	 l;
	uint64_t		 page = ui->snap != NULL ?
	    ui->snap->page_size : 4096;

	vmaview_layout(ui, vv, &l);
	vmaview_clamp(vv, &l);
	req->window_start = vv->start + vv->first * l.ppc * page;
	req->window_end = req->window_start + l.capacity * l.ppc * page;
	if (req->window_end > vv->end || req->window_end < req->window_start)
		req->window_end = vv->end;
	req->ncells = (size_t)(((req->window_end - req->window_start) / page +
	    l.ppc - 1) / l.ppc);
}

static void
vmaview_destroy(struct view *v)
{
	free(v->data);
	free(v);
}

static const struct view_ops vmaview_ops = {
	.name = "vma",
	.draw = vmaview_draw,
	.key = vmaview_key,
	.request = vmaview_request,
	.hints = " F1 help  arrows/PgUp/PgDn move  +/- zoom  W writes  "
	    "p s f z h g filter  i invert  m all/any  space pause  Esc back  "
	    "q quit",
	.destroy = vmaview_destroy,
};

struct view *
vmaview_create(struct ui *ui, uint64_t start, uint64_t end)
{
	struct vmaview	*vv;
	struct view	*v;

	(void)ui;
	vv = calloc(1, sizeof *vv);
	v = calloc(1, sizeof *v);
	if (vv == NULL || v == NULL) {
		free(vv);
		free(v);
		return NULL;
	}
	vv->start = start;
	vv->end = end;
	v->ops = &vmaview_ops;
	v->data = vv;
	return v;
}
