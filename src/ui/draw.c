/*
 * Drawing helpers. Colours: each heatmap look maps to a colour number
 * (a 4-step ramp per category with 256 colours, one colour per category
 * with 8 or 16); pairs of foreground and background are made on first
 * use, which half-blocks need since any two cells can share a character.
 * Without colour, a category is its key letter and fullness its case.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "model/buf.h"
#include "model/escape.h"
#include "model/writeheat.h"
#include "ui/draw.h"

/* Ramps, dim to full, in the xterm 256-colour palette. */
static const short draw_ramp[CAT_COUNT + 1][HEAT_LEVELS] = {
	[CAT_WPALLOWED] = { 54, 55, 56, 57 },
	[CAT_WRITTEN] = { 58, 100, 142, 226 },
	[CAT_FILE] = { 24, 25, 32, 39 },
	[CAT_PRESENT] = { 22, 28, 34, 46 },
	[CAT_SWAPPED] = { 53, 90, 127, 201 },
	[CAT_PFNZERO] = { 240, 245, 250, 255 },
	[CAT_HUGE] = { 23, 30, 37, 51 },
	[CAT_SOFT_DIRTY] = { 94, 130, 166, 208 },
	[CAT_GUARD] = { 52, 88, 124, 196 },
	[HEAT_OTHER] = { 243, 247, 251, 231 },
};

/* One colour per category with 8 or 16 colours. */
static const short draw_basic[CAT_COUNT + 1] = {
	[CAT_WPALLOWED] = COLOR_MAGENTA,
	[CAT_WRITTEN] = COLOR_YELLOW,
	[CAT_FILE] = COLOR_BLUE,
	[CAT_PRESENT] = COLOR_GREEN,
	[CAT_SWAPPED] = COLOR_MAGENTA,
	[CAT_PFNZERO] = COLOR_WHITE,
	[CAT_HUGE] = COLOR_CYAN,
	[CAT_SOFT_DIRTY] = COLOR_YELLOW,
	[CAT_GUARD] = COLOR_RED,
	[HEAT_OTHER] = COLOR_WHITE,
};

static const char draw_keys[CAT_COUNT + 1] = {
	[CAT_WPALLOWED] = 'a',
	[CAT_WRITTEN] = 'w',
	[CAT_FILE] = 'f',
	[CAT_PRESENT] = 'p',
	[CAT_SWAPPED] = 's',
	[CAT_PFNZERO] = 'z',
	[CAT_HUGE] = 'h',
	[CAT_SOFT_DIRTY] = 'y',
	[CAT_GUARD] = 'g',
	[HEAT_OTHER] = 'o',
};

/* Mapped memory with no matching page: a dark cell. */
#define DRAW_EMPTY_256	236
#define DRAW_DEFAULT	-1

static short	draw_pairs[257][257];	/* [fg + 1][bg + 1], 0: unmade */
static short	draw_next_pair = 1;
static int	draw_colours;

void
draw_init(struct ui_term *term)
{
	draw_colours = term->colours;
	memset(draw_pairs, 0, sizeof draw_pairs);
	draw_next_pair = 1;
}

/* The pair for fg on bg (colour numbers, -1 default), made if new. */
static short
draw_pair(short fg, short bg)
{
	short	*p = &draw_pairs[fg + 1][bg + 1];

	if (draw_colours == 0)
		return 0;
	if (*p == 0) {
		if (draw_next_pair >= COLOR_PAIRS ||
		    init_pair(draw_next_pair, fg, bg) == ERR)
			return 0;
		*p = draw_next_pair++;
	}
	return *p;
}

int
draw_category_key(int cat)
{
	return cat >= 0 && cat <= CAT_COUNT ? draw_keys[cat] : '?';
}

int
draw_text(int y, int x, const char *text, int maxcols)
{
	mbstate_t	st;
	wchar_t		wc;
	size_t		n, len = strlen(text);
	int		cols = 0, w;

	memset(&st, 0, sizeof st);
	while (len > 0 && cols < maxcols) {
		n = mbrtowc(&wc, text, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* Not for this locale: show one safe byte. */
			mvaddch(y, x + cols, '?');
			memset(&st, 0, sizeof st);
			n = 1;
			w = 1;
		} else {
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
			if (cols + w > maxcols)
				break;
			mvaddnstr(y, x + cols, text, (int)n);
		}
		cols += w;
		text += n;
		len -= n;
	}
	return cols;
}

int
draw_escaped(int y, int x, const char *bytes, size_t len, int maxcols)
{
	struct buf	b;
	int		cols;

	buf_init(&b);
	escape_visible(&b, bytes, len);
	cols = b.failed || b.p == NULL ? 0 : draw_text(y, x, b.p, maxcols);
	buf_fini(&b);
	return cols;
}

void
draw_format_short(char *buf, size_t size, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	double	v = (double)bytes;
	int	u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 100)
		snprintf(buf, size, "%.0f%c", v, units[u]);
	else
		snprintf(buf, size, "%.1f%c", v, units[u]);
}

void
draw_format_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB" };
	double	v = (double)bytes;
	int	u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
}

/* The colour number of a look at a level (256 colours). */
static short
draw_look_colour(const struct heat_look *l)
{
	if (!l->mapped)
		return DRAW_DEFAULT;
	if (l->level == 0)
		return l->unknown ? 238 : DRAW_EMPTY_256;
	return draw_ramp[l->cat][l->level - 1];
}

short
draw_category_pair(const struct ui *ui, int cat)
{
	if (ui->term.colours == 0)
		return 0;
	return draw_pair(ui->term.colours >= 256 ?
	    draw_ramp[cat][HEAT_LEVELS - 1] : draw_basic[cat], DRAW_DEFAULT);
}

size_t
draw_heatmap_capacity(const struct ui *ui, int h, int w)
{
	if (h <= 0 || w <= 0)
		return 0;
	return (size_t)h * (size_t)w * (ui->term.halfblocks ? 2 : 1);
}

long
draw_heatmap_cell_at(const struct ui *ui, int y, int x, int h, int w,
    int py, int px)
{
	if (py < y || py >= y + h || px < x || px >= x + w)
		return -1;
	if (ui->term.halfblocks)
		return (long)(py - y) * 2 * w + (px - x);
	return (long)(py - y) * w + (px - x);
}

/* How a cell is marked: the VMA view's cursor, the selected VMA's cells. */
#define DRAW_CURSOR	0x1
#define DRAW_MARKED	0x2

/* A look as one character cell without half-blocks. */
static void
draw_cell_glyph(const struct ui *ui, const struct heat_look *l, int mark,
    int y, int x)
{
	static const char *const shades_utf8[HEAT_LEVELS] = { "\u2591",
	    "\u2592", "\u2593", "\u2588" };
	static const char shades_ascii[HEAT_LEVELS] = { ':', '+', '*', '#' };
	attr_t	attr = (mark & DRAW_CURSOR ? A_REVERSE : A_NORMAL) |
	    (mark & DRAW_MARKED ? A_UNDERLINE : A_NORMAL);
	short	pair = 0;
	char	s[2] = { 0, 0 };

	if (!l->mapped) {
		attr_set(attr, 0, NULL);
		mvaddch(y, x, ' ');
		return;
	}
	if (l->level == 0) {
		attr_set(attr | A_DIM, 0, NULL);
		mvaddstr(y, x, l->unknown ? "?" : ui->term.utf8 ? "\u00b7" :
		    ".");
		return;
	}

	if (ui->term.colours == 0) {
		/* A letter says the category, its case the fullness. */
		s[0] = (char)draw_keys[l->cat];
		if (l->level == HEAT_LEVELS)
			s[0] = (char)(s[0] - 'a' + 'A');
		attr_set(attr | (l->level == HEAT_LEVELS ? A_BOLD : A_NORMAL),
		    0, NULL);
		mvaddstr(y, x, s);
		return;
	}

	pair = draw_pair(ui->term.colours >= 256 ? draw_look_colour(l) :
	    draw_basic[l->cat], DRAW_DEFAULT);
	attr_set(attr | (ui->term.colours == 16 && l->level == HEAT_LEVELS ?
	    A_BOLD : A_NORMAL), pair, NULL);
	if (ui->term.utf8)
		mvaddstr(y, x, shades_utf8[l->level - 1]);
	else
		mvaddch(y, x, (chtype)shades_ascii[l->level - 1]);
}

/*
 * The cursor's half of a character takes a colour no cell has, rather
 * than reverse video, which would swap the two halves and hide it.
 */
static short
draw_cursor_colour(short under)
{
	return under >= 250 && under <= 255 ? 201 : 231;
}

/* Two looks in one character: the upper half and the lower half. */
static void
draw_cell_halves(const struct heat_look *top, const struct heat_look *bot,
    int top_mark, int bot_mark, int y, int x)
{
	short	fg = draw_look_colour(top), bg = draw_look_colour(bot);

	if (!top->mapped && !bot->mapped) {
		attr_set(A_NORMAL, 0, NULL);
		mvaddch(y, x, ' ');
		return;
	}
	if (top_mark & DRAW_CURSOR)
		fg = draw_cursor_colour(fg);
	if (bot_mark & DRAW_CURSOR)
		bg = draw_cursor_colour(bg);
	attr_set((top_mark | bot_mark) & DRAW_MARKED ? A_UNDERLINE : A_NORMAL,
	    draw_pair(fg, bg), NULL);
	mvaddstr(y, x, "\u2580");
}

static int
draw_mark_of(size_t i, const struct draw_marks *m)
{
	return (i == m->cursor ? DRAW_CURSOR : 0) |
	    (i >= m->first && i < m->end ? DRAW_MARKED : 0);
}

/* Cell i as the heatmap shows it: its categories, or its write heat. */
static struct heat_look
draw_look_at(const struct ui *ui, const struct raster *r, size_t i,
    cat_mask shown)
{
	const struct raster_cell	none = { 0 };

	if (ui->writes)
		return writeheat_look(&ui->heat, r, i);
	return heat_look(r != NULL && i < r->ncells ? &r->cell[i] : &none,
	    shown);
}

void
draw_heatmap(struct ui *ui, const struct raster *r, int y, int x, int h,
    int w, const struct draw_marks *m)
{
	const struct draw_marks		 no_marks = { SIZE_MAX, 0, 0 };
	struct heat_look		 top, bot;
	cat_mask			 shown = ui_shown(ui) & ui->chosen;
	size_t				 i, j;
	int				 row, col;

	if (m == NULL)
		m = &no_marks;
	for (row = 0; row < h; row++) {
		for (col = 0; col < w; col++) {
			if (ui->term.halfblocks) {
				i = (size_t)row * 2 * w + (size_t)col;
				j = i + (size_t)w;
				top = draw_look_at(ui, r, i, shown);
				bot = draw_look_at(ui, r, j, shown);
				draw_cell_halves(&top, &bot, draw_mark_of(i, m),
				    draw_mark_of(j, m), y + row, x + col);
				continue;
			}
			i = (size_t)row * w + (size_t)col;
			top = draw_look_at(ui, r, i, shown);
			draw_cell_glyph(ui, &top, draw_mark_of(i, m), y + row,
			    x + col);
		}
	}
	attr_set(A_NORMAL, 0, NULL);
}

/* "tracking off", or "tracking on" with the write rate of the process. */
static void
draw_tracking(const struct snapshot *s, char *buf, size_t size)
{
	if (!s->tracking)
		snprintf(buf, size, "tracking off");
	else if (!(s->total_known & CAT_BIT(CAT_WRITTEN)) ||
	    s->track_seconds <= 0)
		snprintf(buf, size, "tracking on");
	else
		snprintf(buf, size, "tracking on, %.0f pages/s written",
		    (double)s->total[CAT_WRITTEN] / s->track_seconds);
}

/* "pid N (comm)", the comm left out when the engine could not read it. */
static int
draw_header_who(const struct snapshot *s, int y, int x)
{
	char	pid[32];
	int	x0 = x;

	snprintf(pid, sizeof pid, "pid %d", s->pid);
	x += draw_text(y, x, pid, COLS - x);
	if (s->comm[0] == '\0')
		return x - x0;
	x += draw_text(y, x, " (", COLS - x);
	x += draw_escaped(y, x, s->comm, strlen(s->comm), COLS - x);
	x += draw_text(y, x, ")", COLS - x);
	return x - x0;
}

/* The figures of a process that was read, and how it is read. */
static void
draw_header_figures(struct ui *ui, const struct snapshot *s, int y, int x)
{
	char	line[512], rss[32], swp[32], vsz[32], track[64];

	draw_format_bytes(rss, sizeof rss, (s->total[CAT_PRESENT] -
	    s->total[CAT_PFNZERO]) * s->page_size);
	draw_format_bytes(swp, sizeof swp, s->total[CAT_SWAPPED] *
	    s->page_size);
	draw_format_bytes(vsz, sizeof vsz, s->total_pages * s->page_size);
	draw_tracking(s, track, sizeof track);
	snprintf(line, sizeof line, "  rss %s  swap %s  virt %s  %zu vmas"
	    "  %s  every %.2gs  %s%s", rss,
	    (s->total_known & CAT_BIT(CAT_SWAPPED)) ? swp : "n/a",
	    vsz, s->nvma, snapshot_backend_name(s->backend),
	    ui->interval_ms / 1000.0, track, ui->paused ? "  PAUSED" : "");
	draw_text(y, x, line, COLS - x);
}

/*
 * Draw text from line y on, broken at spaces to fit the screen's width,
 * in at most maxlines lines (a word too long for a line is cut). Returns
 * the lines used.
 */
static int
draw_wrapped(int y, const char *text, int maxlines)
{
	char	line[512];
	size_t	len, cut, room = (size_t)COLS < sizeof line ? (size_t)COLS :
	    sizeof line - 1;
	int	n;

	for (n = 0; *text != '\0' && n < maxlines; n++) {
		len = strlen(text);
		cut = len;
		if (len > room) {
			for (cut = room; cut > 0 && text[cut] != ' '; cut--)
				continue;
			if (cut == 0)
				cut = room;
		}
		memcpy(line, text, cut);
		line[cut] = '\0';
		draw_text(y + n, 0, line, COLS);
		for (text += cut; *text == ' '; text++)
			continue;
	}
	return n;
}

/*
 * A process that was not read: its state, and no figures at all, since
 * zeros would say it has no memory when pmtop only does not know. Then
 * why, in full: the end says what would help. Returns the lines used.
 */
static int
draw_header_state(struct ui *ui, const struct snapshot *s, int y, int x)
{
	char	line[256];
	int	n;

	snprintf(line, sizeof line, "  %s  every %.2gs%s",
	    snapshot_state_name(s->state), ui->interval_ms / 1000.0,
	    ui->paused ? "  PAUSED" : "");
	draw_text(y, x, line, COLS - x);

	attr_set(A_BOLD, 0, NULL);
	n = draw_wrapped(y + 1, s->error != NULL && s->error[0] != '\0' ?
	    s->error : snapshot_state_name(s->state), 3);
	attr_set(A_NORMAL, 0, NULL);
	return 1 + (n > 0 ? n : 1);
}

int
draw_header(struct ui *ui, int y)
{
	const struct snapshot	*s = ui->snap;
	int			 x;

	attr_set(A_BOLD, 0, NULL);
	x = draw_text(y, 0, "pmtop  ", COLS);
	attr_set(A_NORMAL, 0, NULL);
	if (s == NULL || s->pid != ui->pid) {
		draw_text(y, x, "reading...", COLS - x);
		return 1;
	}

	x += draw_header_who(s, y, x);
	if (s->state != TARGET_OK)
		return draw_header_state(ui, s, y, x);
	draw_header_figures(ui, s, y, x);
	return 1;
}

void
draw_totals(struct ui *ui, const uint64_t *count, cat_mask known, int y)
{
	static const int	cats[] = { CAT_PRESENT, CAT_SWAPPED, CAT_FILE,
	    CAT_PFNZERO, CAT_HUGE, CAT_GUARD };
	char			item[64], size[32];
	size_t			i;
	int			x = 0;

	for (i = 0; i < sizeof cats / sizeof cats[0]; i++) {
		if (known & CAT_BIT(cats[i]))
			draw_format_bytes(size, sizeof size,
			    count[cats[i]] * ui->snap->page_size);
		else
			snprintf(size, sizeof size, "n/a");
		snprintf(item, sizeof item, "%s %s   ",
		    category_name((enum category)cats[i]), size);
		x += draw_text(y, x, item, COLS - x);
	}
}

/* The legend of the writes heatmap: its colour, its decay, its '?'. */
static int
draw_legend_writes(struct ui *ui, int y)
{
	char	item[128];
	int	x;

	attr_set(ui->term.colours ? A_NORMAL : A_BOLD,
	    draw_category_pair(ui, CAT_WRITTEN), NULL);
	x = draw_text(y, 0, ui->term.colours == 0 ? "W" : ui->term.utf8 ?
	    "\u2588" : "#", COLS);
	attr_set(A_BOLD, 0, NULL);
	snprintf(item, sizeof item, "writes: pages written lately, the heat "
	    "halving every %.0f s   ? not tracked   W: categories",
	    WRITEHEAT_HALF_LIFE);
	draw_text(y, x, item, COLS - x);
	attr_set(A_NORMAL, 0, NULL);
	return 1;
}

int
draw_legend(struct ui *ui, int y)
{
	static const enum category order[] = { CAT_PRESENT, CAT_SWAPPED,
	    CAT_FILE, CAT_PFNZERO, CAT_HUGE, CAT_GUARD, CAT_WRITTEN,
	    CAT_SOFT_DIRTY, CAT_WPALLOWED };
	cat_mask	 shown = ui_shown(ui);
	char		 item[64];
	size_t		 i;
	int		 x = 0, c;
	bool		 known, on;

	if (ui->writes)
		return draw_legend_writes(ui, y);
	for (i = 0; i < sizeof order / sizeof order[0] && x < COLS; i++) {
		c = (int)order[i];
		known = (shown & CAT_BIT(c)) != 0;
		on = (ui->chosen & CAT_BIT(c)) != 0;
		if (!known)
			attr_set(A_DIM, 0, NULL);
		else
			attr_set(ui->term.colours ? A_NORMAL : A_BOLD,
			    draw_category_pair(ui, c), NULL);
		if (ui->term.colours == 0) {
			item[0] = (char)(draw_keys[c] - 'a' + 'A');
			item[1] = '\0';
		} else
			snprintf(item, sizeof item, "%s", ui->term.utf8 ?
			    "\u2588" : "#");
		x += draw_text(y, x, item, COLS - x);
		attr_set(known ? (on ? A_BOLD : A_NORMAL) : A_DIM, 0, NULL);
		snprintf(item, sizeof item, "%c:%s ", draw_keys[c],
		    category_name((enum category)c));
		x += draw_text(y, x, item, COLS - x);
	}
	attr_set(A_NORMAL, 0, NULL);
	snprintf(item, sizeof item, " %s%s of bold", ui->invert ? "not " : "",
	    ui->all_of ? "all" : "any");
	draw_text(y, x, item, COLS - x);
	return 1;
}

void
draw_status(struct ui *ui)
{
	struct timespec	 ts;
	struct view	*top = ui->stack[ui->depth - 1];
	double		 now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	move(LINES - 1, 0);
	clrtoeol();
	if (ui->message[0] != '\0' && now < ui->message_until) {
		attr_set(A_BOLD, 0, NULL);
		draw_text(LINES - 1, 0, ui->message, COLS);
	} else {
		attr_set(A_REVERSE, 0, NULL);
		draw_text(LINES - 1, 0, top->ops->hints, COLS);
		hline(' ', COLS);
	}
	attr_set(A_NORMAL, 0, NULL);
}

void
list_clamp(struct list_pos *lp, size_t n, int rows)
{
	size_t	r = rows > 0 ? (size_t)rows : 1;

	if (n == 0) {
		lp->sel = lp->top = 0;
		return;
	}
	if (lp->sel >= n)
		lp->sel = n - 1;
	if (lp->sel < lp->top)
		lp->top = lp->sel;
	if (lp->sel >= lp->top + r)
		lp->top = lp->sel - r + 1;
	if (lp->top + r > n)
		lp->top = n > r ? n - r : 0;
}

bool
list_key(struct list_pos *lp, int key, size_t n, int rows)
{
	size_t	page = rows > 1 ? (size_t)rows - 1 : 1;

	switch (key) {
	case KEY_UP:
		if (lp->sel > 0)
			lp->sel--;
		break;
	case KEY_DOWN:
		lp->sel++;
		break;
	case KEY_PPAGE:
		lp->sel = lp->sel > page ? lp->sel - page : 0;
		break;
	case KEY_NPAGE:
		lp->sel += page;
		break;
	case KEY_HOME:
		lp->sel = 0;
		break;
	case KEY_END:
		lp->sel = n > 0 ? n - 1 : 0;
		break;
	default:
		return false;
	}
	list_clamp(lp, n, rows);
	return true;
}
