/*
 * The process view: a heatmap of the whole process over its VMA table.
 * The heatmap lays the process's VMAs end to end (holes take no room),
 * so a 64 GiB reservation and a 4 KiB stack both get their share of
 * cells. The table is sortable; Enter opens the selected VMA. t starts
 * and stops write tracking: the Written column then shows pages written
 * per second, in the written colour for the VMAs tracked.
 */
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/draw.h"
#include "ui/view.h"

enum procview_sort {
	PV_SORT_ADDRESS,
	PV_SORT_SIZE,
	PV_SORT_PRESENT,
	PV_SORT_SWAPPED,
	PV_SORT_FILE,
	PV_SORT_ZERO,
	PV_SORT_HUGE,
	PV_SORT_WRITTEN,
	PV_SORT_NAME,
	PV_SORT_COUNT
};

static const char *const procview_sort_names[PV_SORT_COUNT] = {
	"address", "size", "present", "swapped", "file", "zero", "huge",
	"written", "name",
};

/* The count column of each sort key, or -1. */
static const int procview_sort_cat[PV_SORT_COUNT] = {
	-1, -1, CAT_PRESENT, CAT_SWAPPED, CAT_FILE, CAT_PFNZERO, CAT_HUGE,
	CAT_WRITTEN, -1,
};

struct procview {
	struct ui		*ui;
	struct list_pos		 lp;
	uint64_t		 sel_start;	/* the selected VMA */
	enum procview_sort	 sort;
	bool			 reverse;
	size_t			*order;		/* VMA indexes, sorted */
	size_t			 norder;
};

/* Where things go on the screen. */
struct procview_layout {
	int	heat_y, heat_h;
	int	table_y, table_rows;
};

static void
procview_layout(struct procview_layout *l)
{
	int	avail = LINES - 4;	/* header, totals, legend, status */

	l->heat_y = 3;
	l->heat_h = avail / 3;
	if (l->heat_h < 2)
		l->heat_h = 2;
	if (l->heat_h > 12)
		l->heat_h = 12;
	l->table_y = l->heat_y + l->heat_h;
	l->table_rows = LINES - 1 - l->table_y - 1;
	if (l->table_rows < 1)
		l->table_rows = 1;
}

/* The sort currently applied (qsort has no context argument). */
static const struct snapshot	*procview_cmp_snap;
static struct procview		*procview_cmp_view;

static int
procview_cmp(const void *a, const void *b)
{
	const struct snap_vma	*x = &procview_cmp_snap->vma[*(const size_t *)a];
	const struct snap_vma	*y = &procview_cmp_snap->vma[*(const size_t *)b];
	int			 cat, r = 0;
	uint64_t		 vx, vy;

	cat = procview_sort_cat[procview_cmp_view->sort];
	if (cat >= 0) {
		/* Unknown counts sort last, whatever the direction. */
		if ((x->known ^ y->known) & CAT_BIT(cat))
			return (x->known & CAT_BIT(cat)) ? -1 : 1;
		vx = x->count[cat];
		vy = y->count[cat];
		r = vx < vy ? 1 : vx > vy ? -1 : 0;
	} else if (procview_cmp_view->sort == PV_SORT_SIZE)
		r = x->pages < y->pages ? 1 : x->pages > y->pages ? -1 : 0;
	else if (procview_cmp_view->sort == PV_SORT_NAME)
		r = strcmp(x->info.name, y->info.name);
	if (procview_cmp_view->reverse)
		r = -r;
	if (r == 0)
		r = x->info.start < y->info.start ? -1 : 1;
	return r;
}

/* Sort the snapshot's VMAs and find the selected one again. */
static void
procview_sort_rows(struct procview *pv, const struct snapshot *s, int rows)
{
	size_t	i, *order;

	order = realloc(pv->order, (s->nvma ? s->nvma : 1) * sizeof *order);
	if (order == NULL)
		return;
	pv->order = order;
	pv->norder = s->nvma;
	for (i = 0; i < s->nvma; i++)
		order[i] = i;
	procview_cmp_snap = s;
	procview_cmp_view = pv;
	qsort(order, s->nvma, sizeof *order, procview_cmp);

	for (i = 0; i < s->nvma; i++) {
		if (s->vma[order[i]].info.start == pv->sel_start) {
			pv->lp.sel = i;
			break;
		}
	}
	list_clamp(&pv->lp, pv->norder, rows);
	if (pv->lp.sel < pv->norder)
		pv->sel_start = s->vma[order[pv->lp.sel]].info.start;
}

/* Pages per second in at most 7 columns: "0/s", "512/s", "1.5K/s". */
static void
procview_rate(char *buf, size_t size, double rate)
{
	if (rate < 999.5)
		snprintf(buf, size, "%.0f/s", rate);
	else if (rate < 9.95e3)
		snprintf(buf, size, "%.1fK/s", rate / 1e3);
	else if (rate < 999.5e3)
		snprintf(buf, size, "%.0fK/s", rate / 1e3);
	else
		snprintf(buf, size, "%.1fM/s", rate / 1e6);
}

/*
 * The Written column: n/a without tracking; with it, pages written per
 * second in a tracked VMA, "new" in one armed in this refresh (its count
 * comes with the next), "skip" in one not worth arming or refused.
 */
static void
procview_written(char *buf, size_t size, const struct snapshot *s,
    const struct snap_vma *v)
{
	if (!s->tracking || v->track == VMA_TRACK_OFF)
		snprintf(buf, size, "n/a");
	else if (v->track == VMA_TRACK_NEW)
		snprintf(buf, size, "new");
	else if (v->track != VMA_TRACK_ON || !(v->known &
	    CAT_BIT(CAT_WRITTEN)))
		snprintf(buf, size, "skip");
	else if (s->track_seconds <= 0)
		snprintf(buf, size, "-");
	else
		procview_rate(buf, size, (double)v->count[CAT_WRITTEN] /
		    s->track_seconds);
}

/* A count column: a size, or n/a. */
static void
procview_cell(char *buf, size_t size, const struct snapshot *s,
    const struct snap_vma *v, int cat)
{
	if (!(v->known & CAT_BIT(cat))) {
		snprintf(buf, size, "n/a");
		return;
	}
	if (v->count[cat] == 0) {
		snprintf(buf, size, "-");
		return;
	}
	draw_format_short(buf, size, v->count[cat] * s->page_size);
}

static int
procview_addr_digits(const struct snapshot *s)
{
	size_t	i;

	for (i = 0; i < s->nvma; i++) {
		if (s->vma[i].info.end > ((uint64_t)1 << 48))
			return 16;
	}
	return 12;
}

static void
procview_draw_row(struct procview *pv, const struct snapshot *s,
    const struct snap_vma *v, int y, int digits, bool selected)
{
	static const int	 cats[] = { CAT_PRESENT, CAT_SWAPPED, CAT_FILE,
	    CAT_PFNZERO, CAT_HUGE };
	char			 line[256], cell[5][24], size[24], written[24];
	int			 x, i, wx;

	for (i = 0; i < 5; i++)
		procview_cell(cell[i], sizeof cell[i], s, v, cats[i]);
	procview_written(written, sizeof written, s, v);
	draw_format_short(size, sizeof size, v->pages * s->page_size);
	wx = snprintf(line, sizeof line, "%0*llx-%0*llx %-4s %7s %7s %7s %7s "
	    "%7s %7s ", digits, (unsigned long long)v->info.start,
	    digits, (unsigned long long)v->info.end, v->info.perms, size,
	    cell[0], cell[1], cell[2], cell[3], cell[4]);
	snprintf(line + wx, sizeof line - (size_t)wx, "%7s ", written);

	attr_set(selected ? A_REVERSE : A_NORMAL, 0, NULL);
	if (selected)
		mvhline(y, 0, ' ', COLS);
	x = draw_text(y, 0, line, COLS);

	/* The mark of a tracked VMA: its rate in the written colour. */
	if (s->tracking && v->track == VMA_TRACK_ON && wx < COLS) {
		attr_set((selected ? A_REVERSE : A_NORMAL) | A_BOLD,
		    draw_category_pair(pv->ui, CAT_WRITTEN), NULL);
		draw_text(y, wx, line + wx, COLS - wx);
		attr_set(selected ? A_REVERSE : A_NORMAL, 0, NULL);
	}
	if (v->info.name_len == 0)
		x += draw_text(y, x, "[anon]", COLS - x);
	else
		x += draw_escaped(y, x, v->info.name, v->info.name_len,
		    COLS - x);
	if (v->info.deleted)
		draw_text(y, x, " (deleted)", COLS - x);
	attr_set(A_NORMAL, 0, NULL);
}

static void
procview_draw_table(struct procview *pv, const struct snapshot *s,
    const struct procview_layout *l)
{
	char	head[256];
	int	digits = procview_addr_digits(s), row;
	size_t	i;

	snprintf(head, sizeof head, "%-*s %-4s %7s %7s %7s %7s %7s %7s %7s "
	    "Name   (sort: %s%s)", digits * 2 + 1, "Address", "Perm", "Size",
	    "Present", "Swapped", "File", "Zero", "Huge", "Written",
	    procview_sort_names[pv->sort], pv->reverse ? ", reversed" : "");
	attr_set(A_BOLD | A_UNDERLINE, 0, NULL);
	mvhline(l->table_y, 0, ' ', COLS);
	draw_text(l->table_y, 0, head, COLS);
	attr_set(A_NORMAL, 0, NULL);

	procview_sort_rows(pv, s, l->table_rows);
	for (row = 0; row < l->table_rows; row++) {
		i = pv->lp.top + (size_t)row;
		if (i >= pv->norder)
			break;
		procview_draw_row(pv, s, &s->vma[pv->order[i]],
		    l->table_y + 1 + row, digits, i == pv->lp.sel);
	}
}

static void
procview_draw(struct ui *ui, struct view *v)
{
	struct procview		*pv = v->data;
	struct procview_layout	 l;
	const struct snapshot	*s = ui->snap;
	struct draw_marks	 marks;

	procview_layout(&l);
	if (draw_header(ui, 0) > 1 || s == NULL || s->pid != ui->pid ||
	    s->state != TARGET_OK)
		return;
	draw_totals(ui, s->total, s->total_known, 1);
	draw_legend(ui, 2);
	procview_draw_table(pv, s, &l);

	/* The selected VMA's cells are marked in the heatmap. */
	marks.cursor = SIZE_MAX;
	if (s->raster == NULL || !raster_segment_cells(s->raster,
	    pv->sel_start, &marks.first, &marks.end))
		marks.first = marks.end = 0;
	draw_heatmap(ui, s->raster, l.heat_y, 0, l.heat_h, COLS, &marks);
}

static void
procview_select(struct procview *pv, const struct snapshot *s)
{
	if (pv->lp.sel < pv->norder && s != NULL)
		pv->sel_start = s->vma[pv->order[pv->lp.sel]].info.start;
}

static void
procview_open(struct ui *ui, struct procview *pv)
{
	const struct snap_vma	*v;
	const struct snapshot	*s = ui->snap;

	if (s == NULL || s->state != TARGET_OK || pv->lp.sel >= pv->norder)
		return;
	v = &s->vma[pv->order[pv->lp.sel]];
	if (!v->info.scannable) {
		ui_message(ui, "the kernel does not scan this VMA");
		return;
	}
	ui_push(ui, vmaview_create(ui, v->info.start, v->info.end));
}

static enum view_result
procview_mouse(struct ui *ui, struct procview *pv)
{
	struct procview_layout	l;
	MEVENT			ev;
	size_t			row;

	if (getmouse(&ev) != OK)
		return VIEW_HANDLED;
	procview_layout(&l);
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		list_key(&pv->lp, ev.bstate & BUTTON4_PRESSED ? KEY_UP :
		    KEY_DOWN, pv->norder, l.table_rows);
	} else if (ev.y > l.table_y && ev.y <= l.table_y + l.table_rows) {
		row = pv->lp.top + (size_t)(ev.y - l.table_y - 1);
		if (row < pv->norder) {
			pv->lp.sel = row;
			procview_select(pv, ui->snap);
			if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
				procview_open(ui, pv);
		}
	}
	procview_select(pv, ui->snap);
	return VIEW_HANDLED;
}

static enum view_result
procview_key(struct ui *ui, struct view *v, int key)
{
	struct procview		*pv = v->data;
	struct procview_layout	 l;

	procview_layout(&l);
	if (list_key(&pv->lp, key, pv->norder, l.table_rows)) {
		procview_select(pv, ui->snap);
		return VIEW_HANDLED;
	}
	switch (key) {
	case KEY_MOUSE:
		return procview_mouse(ui, pv);
	case '\r':
	case '\n':
	case KEY_ENTER:
		procview_open(ui, pv);
		return VIEW_HANDLED;
	case '>':
	case KEY_F(6):
		pv->sort = (pv->sort + 1) % PV_SORT_COUNT;
		return VIEW_HANDLED;
	case '<':
		pv->sort = (pv->sort + PV_SORT_COUNT - 1) % PV_SORT_COUNT;
		return VIEW_HANDLED;
	case 'I':
		pv->reverse = !pv->reverse;
		return VIEW_HANDLED;
	case 't':
	case 'T':
		ui_track_toggle(ui, key == 'T');
		return VIEW_HANDLED;
	case 27:	/* Esc */
	case KEY_BACKSPACE:
	case 127:
	case 8:
		ui_close_process(ui);
		return VIEW_HANDLED;
	}
	return VIEW_IGNORED;
}

static void
procview_request(struct ui *ui, struct view *v, struct engine_request *req)
{
	struct procview_layout	l;

	(void)ui;
	(void)v;
	procview_layout(&l);
	req->ncells = draw_heatmap_capacity(ui, l.heat_h, COLS);
	req->scale = RASTER_BALANCED;
}

static void
procview_destroy(struct view *v)
{
	struct procview	*pv = v->data;

	free(pv->order);
	free(pv);
	free(v);
}

static const struct view_ops procview_ops = {
	.name = "process",
	.draw = procview_draw,
	.key = procview_key,
	.request = procview_request,
	.hints = " F1 help  Enter open  t track  W writes  </> sort  "
	    "I reverse  p s f z h g filter  i invert  m all/any  "
	    "space pause  Esc back  q quit",
	.destroy = procview_destroy,
};

struct view *
procview_create(struct ui *ui)
{
	struct procview	*pv;
	struct view	*v;

	pv = calloc(1, sizeof *pv);
	v = calloc(1, sizeof *v);
	if (pv == NULL || v == NULL) {
		free(pv);
		free(v);
		return NULL;
	}
	pv->ui = ui;
	v->ops = &procview_ops;
	v->data = pv;
	return v;
}
