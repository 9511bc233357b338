/*
 * The process picker, the start screen without -p: every process with
 * its user, memory and command, sortable as in htop, with an incremental
 * search that jumps to matches and a filter that hides the rest.
 * Processes pmtop cannot read stay listed, marked with '!'; the line
 * above the hints says why when one is selected, before it is opened.
 */
#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/procinfo.h"
#include "ui/draw.h"
#include "ui/view.h"

enum picker_mode {
	PICK_BROWSE,
	PICK_SEARCH,	/* typing a search */
	PICK_FILTER	/* typing a filter */
};

static const char *const picker_sort_names[] = {
	[PROC_SORT_PID] = "pid", [PROC_SORT_USER] = "user",
	[PROC_SORT_RSS] = "rss", [PROC_SORT_SWAP] = "swap",
	[PROC_SORT_VSZ] = "vsz", [PROC_SORT_COMMAND] = "command",
};

#define PICK_SORT_COUNT 6

struct picker {
	struct list_pos		 lp;
	int			 sel_pid;
	enum proc_sort_key	 sort;
	bool			 descending;
	enum picker_mode	 mode;
	char			 search[64];
	char			 filter[64];
	size_t			*rows;		/* list indexes shown */
	size_t			 nrows;
	const struct proclist	*built_for;	/* the list rows index */
};

/* The rows between the two title lines and the footer and hints. */
static int
picker_rows_on_screen(void)
{
	return LINES - 4 > 1 ? LINES - 4 : 1;
}

/* Case-insensitive substring test on untrusted bytes. */
static bool
picker_contains(const char *hay, const char *needle)
{
	size_t	n = strlen(needle), i;

	if (n == 0)
		return true;
	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n; i++) {
			if (tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		}
		if (i == n)
			return true;
	}
	return false;
}

static bool
picker_matches(const struct procinfo *p, const char *text)
{
	char	pid[16];

	snprintf(pid, sizeof pid, "%d", p->pid);
	return picker_contains(p->comm, text) ||
	    picker_contains(p->cmdline, text) || strcmp(pid, text) == 0;
}

/*
 * Filter and sort the rows of list, and find the selected pid again. The
 * rows index one snapshot's list: every use of them goes through here,
 * so a snapshot taken between a redraw and a key cannot be indexed with
 * rows made for the one before.
 */
static void
picker_build(struct picker *pk, const struct proclist *list)
{
	size_t	i, *rows;

	rows = realloc(pk->rows, (list->n ? list->n : 1) * sizeof *rows);
	if (rows == NULL) {
		pk->nrows = 0;
		return;
	}
	pk->rows = rows;
	pk->nrows = 0;
	for (i = 0; i < list->n; i++) {
		if (picker_matches(&list->p[i], pk->filter))
			rows[pk->nrows++] = i;
	}
	proclist_sort_index(list, rows, pk->nrows, pk->sort, pk->descending);
	pk->built_for = list;
	for (i = 0; i < pk->nrows; i++) {
		if (list->p[rows[i]].pid == pk->sel_pid) {
			pk->lp.sel = i;
			break;
		}
	}
	list_clamp(&pk->lp, pk->nrows, picker_rows_on_screen());
}

/* The current list with its rows built, or NULL while there is none. */
static const struct proclist *
picker_list(struct ui *ui, struct picker *pk)
{
	const struct proclist	*list;

	list = ui->snap != NULL ? ui->snap->procs : NULL;
	if (list == NULL) {
		pk->nrows = 0;
		pk->built_for = NULL;
		return NULL;
	}
	picker_build(pk, list);
	return list;
}

static void
picker_kib(char *buf, size_t size, const struct procinfo *p,
    unsigned int bit, uint64_t kib)
{
	if (p->known & bit)
		draw_format_bytes(buf, size, kib * 1024);
	else
		snprintf(buf, size, "?");
}

static void
picker_draw_row(const struct procinfo *p, int y, bool selected)
{
	char	line[160], rss[24], swp[24], vsz[24];
	int	x;

	picker_kib(rss, sizeof rss, p, PROC_KNOWN_RSS, p->rss_kib);
	picker_kib(swp, sizeof swp, p, PROC_KNOWN_SWAP, p->swap_kib);
	picker_kib(vsz, sizeof vsz, p, PROC_KNOWN_VSZ, p->vsz_kib);
	attr_set(selected ? A_REVERSE : p->readable ? A_NORMAL : A_DIM, 0,
	    NULL);
	if (selected)
		mvhline(y, 0, ' ', COLS);
	snprintf(line, sizeof line, "%c%7d ", p->readable ? ' ' : '!',
	    p->pid);
	x = draw_text(y, 0, line, COLS);
	x += draw_escaped(y, x, p->user, strlen(p->user), 9);
	x = 18;
	snprintf(line, sizeof line, " %10s %10s %10s  ", rss, swp, vsz);
	x += draw_text(y, x, line, COLS - x);

	/* comm apart: threads and forks rename themselves (prctl). */
	draw_escaped(y, x, p->comm, strlen(p->comm), 16 < COLS - x ? 16 :
	    COLS - x);
	x += 17;
	if (x >= COLS) {
		attr_set(A_NORMAL, 0, NULL);
		return;
	}
	if (p->cmdline[0] != '\0')
		draw_escaped(y, x, p->cmdline, strlen(p->cmdline), COLS - x);
	else {
		x += draw_text(y, x, "[", COLS - x);
		x += draw_escaped(y, x, p->comm, strlen(p->comm), COLS - x);
		draw_text(y, x, "]", COLS - x);
	}
	attr_set(A_NORMAL, 0, NULL);
}

static void
picker_draw_top(struct ui *ui, struct picker *pk, size_t total)
{
	char	line[256];

	attr_set(A_BOLD, 0, NULL);
	draw_text(0, 0, "pmtop", COLS);
	attr_set(A_NORMAL, 0, NULL);
	snprintf(line, sizeof line, "  choose a process: %zu of %zu shown, "
	    "sorted by %s%s%s", pk->nrows, total, picker_sort_names[pk->sort],
	    pk->descending ? " (descending)" : "", ui->paused ?
	    "  PAUSED" : "");
	draw_text(0, 5, line, COLS - 5);

	attr_set(A_BOLD | A_UNDERLINE, 0, NULL);
	mvhline(1, 0, ' ', COLS);
	draw_text(1, 0, "     PID USER             RSS       SWAP        VSZ"
	    "  NAME             COMMAND", COLS);
	attr_set(A_NORMAL, 0, NULL);
}

/* The search or filter prompt. */
static void
picker_draw_prompt(struct picker *pk)
{
	const char	*text;
	int		 x;

	text = pk->mode == PICK_SEARCH ? pk->search : pk->filter;
	attr_set(A_BOLD, 0, NULL);
	mvhline(LINES - 2, 0, ' ', COLS);
	x = draw_text(LINES - 2, 0, pk->mode == PICK_SEARCH ? "search: " :
	    "filter: ", COLS);
	x += draw_escaped(LINES - 2, x, text, strlen(text), COLS - x);
	draw_text(LINES - 2, x, pk->mode == PICK_BROWSE ?
	    "   (\\ to change, Esc to clear)" : "_", COLS - x);
	attr_set(A_NORMAL, 0, NULL);
}

/* Why the selected process cannot be read; false if it can. */
static bool
picker_draw_reason(const struct procinfo *p)
{
	const char	*why;
	char		 buf[160], line[256];

	why = procinfo_unreadable_reason(p, buf, sizeof buf);
	if (why == NULL)
		return false;
	snprintf(line, sizeof line, "! pid %d: %s", p->pid, why);
	attr_set(A_BOLD, 0, NULL);
	draw_text(LINES - 2, 0, line, COLS);
	attr_set(A_NORMAL, 0, NULL);
	return true;
}

/*
 * The line above the hints: the prompt while a search or a filter is
 * typed; else why the selected process cannot be read, if it cannot,
 * which matters more than the reminder of a filter (the title says how
 * many rows it shows); else that reminder.
 */
static void
picker_draw_footer(struct picker *pk, const struct proclist *list)
{
	if (pk->mode != PICK_BROWSE) {
		picker_draw_prompt(pk);
		return;
	}
	if (pk->lp.sel < pk->nrows &&
	    picker_draw_reason(&list->p[pk->rows[pk->lp.sel]]))
		return;
	if (pk->filter[0] != '\0')
		picker_draw_prompt(pk);
}

static void
picker_draw(struct ui *ui, struct view *v)
{
	struct picker		*pk = v->data;
	const struct proclist	*list;
	int			 row, rows = picker_rows_on_screen();
	size_t			 i;

	list = picker_list(ui, pk);
	if (list == NULL) {
		draw_text(0, 0, ui->snap != NULL && ui->snap->procs_error ?
		    ui->snap->procs_error : "pmtop: reading the process "
		    "list...", COLS);
		return;
	}
	picker_draw_top(ui, pk, list->n);
	for (row = 0; row < rows; row++) {
		i = pk->lp.top + (size_t)row;
		if (i >= pk->nrows)
			break;
		picker_draw_row(&list->p[pk->rows[i]], 2 + row,
		    i == pk->lp.sel);
	}
	picker_draw_footer(pk, list);
}

static void
picker_select(struct ui *ui, struct picker *pk)
{
	const struct proclist	*list = ui->snap ? ui->snap->procs : NULL;

	if (list != NULL && list == pk->built_for && pk->lp.sel < pk->nrows)
		pk->sel_pid = list->p[pk->rows[pk->lp.sel]].pid;
}

/* Move to the next row (after the selected one) matching the search. */
static void
picker_search_next(struct ui *ui, struct picker *pk, bool skip_current)
{
	const struct proclist	*list = picker_list(ui, pk);
	size_t			 i, k;

	if (list == NULL || pk->nrows == 0 || pk->search[0] == '\0')
		return;
	for (k = skip_current ? 1 : 0; k <= pk->nrows; k++) {
		i = (pk->lp.sel + k) % pk->nrows;
		if (picker_matches(&list->p[pk->rows[i]], pk->search)) {
			pk->lp.sel = i;
			list_clamp(&pk->lp, pk->nrows, picker_rows_on_screen());
			picker_select(ui, pk);
			return;
		}
	}
	ui_message(ui, "no process matches");
}

/* A key while typing a search or a filter. */
static enum view_result
picker_type(struct ui *ui, struct picker *pk, int key)
{
	char	*text = pk->mode == PICK_SEARCH ? pk->search : pk->filter;
	size_t	 len = strlen(text);

	if (key == 27) {
		text[0] = '\0';
		pk->mode = PICK_BROWSE;
	} else if (key == '\r' || key == '\n' || key == KEY_ENTER)
		pk->mode = PICK_BROWSE;
	else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (len > 0)
			text[len - 1] = '\0';
	} else if (key == KEY_F(3) && pk->mode == PICK_SEARCH)
		picker_search_next(ui, pk, true);
	else if (key >= 32 && key < 127 && len + 1 < sizeof pk->search) {
		text[len] = (char)key;
		text[len + 1] = '\0';
	} else
		return VIEW_HANDLED;
	if (pk->mode == PICK_SEARCH || text == pk->search)
		picker_search_next(ui, pk, false);
	return VIEW_HANDLED;
}

static void
picker_open(struct ui *ui, struct picker *pk)
{
	picker_select(ui, pk);
	if (pk->nrows > 0)
		ui_open_process(ui, pk->sel_pid);
}

static enum view_result
picker_mouse(struct ui *ui, struct picker *pk)
{
	MEVENT	ev;
	size_t	row;

	if (getmouse(&ev) != OK)
		return VIEW_HANDLED;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))
		list_key(&pk->lp, ev.bstate & BUTTON4_PRESSED ? KEY_UP :
		    KEY_DOWN, pk->nrows, picker_rows_on_screen());
	else if (ev.y >= 2 && ev.y < 2 + picker_rows_on_screen()) {
		row = pk->lp.top + (size_t)(ev.y - 2);
		if (row < pk->nrows) {
			pk->lp.sel = row;
			if (ev.bstate & BUTTON1_DOUBLE_CLICKED) {
				picker_open(ui, pk);
				return VIEW_HANDLED;
			}
		}
	}
	picker_select(ui, pk);
	return VIEW_HANDLED;
}

static enum view_result
picker_key(struct ui *ui, struct view *v, int key)
{
	struct picker	*pk = v->data;

	/* Keys act on what is on screen: rows of the newest list. */
	picker_list(ui, pk);
	if (pk->mode != PICK_BROWSE)
		return picker_type(ui, pk, key);
	if (list_key(&pk->lp, key, pk->nrows, picker_rows_on_screen())) {
		picker_select(ui, pk);
		return VIEW_HANDLED;
	}
	switch (key) {
	case KEY_MOUSE:
		return picker_mouse(ui, pk);
	case '\r':
	case '\n':
	case KEY_ENTER:
		picker_open(ui, pk);
		return VIEW_HANDLED;
	case '/':
	case KEY_F(3):
		pk->mode = PICK_SEARCH;
		pk->search[0] = '\0';
		return VIEW_HANDLED;
	case '\\':
	case KEY_F(4):
		pk->mode = PICK_FILTER;
		return VIEW_HANDLED;
	case 27:
		pk->filter[0] = pk->search[0] = '\0';
		return VIEW_HANDLED;
	case '>':
	case KEY_F(6):
		pk->sort = (pk->sort + 1) % PICK_SORT_COUNT;
		return VIEW_HANDLED;
	case '<':
		pk->sort = (pk->sort + PICK_SORT_COUNT - 1) % PICK_SORT_COUNT;
		return VIEW_HANDLED;
	case 'I':
		pk->descending = !pk->descending;
		return VIEW_HANDLED;
	}
	return VIEW_IGNORED;
}

static void
picker_request(struct ui *ui, struct view *v, struct engine_request *req)
{
	(void)ui;
	(void)v;
	req->processes = true;
}

static void
picker_destroy(struct view *v)
{
	struct picker	*pk = v->data;

	free(pk->rows);
	free(pk);
	free(v);
}

static const struct view_ops picker_ops = {
	.name = "picker",
	.draw = picker_draw,
	.key = picker_key,
	.request = picker_request,
	.hints = " F1 help  Enter open  / search  \\ filter  </> sort  "
	    "I reverse  space pause  q quit",
	.destroy = picker_destroy,
};

struct view *
picker_create(struct ui *ui)
{
	struct picker	*pk;
	struct view	*v;

	(void)ui;
	pk = calloc(1, sizeof *pk);
	v = calloc(1, sizeof *v);
	if (pk == NULL || v == NULL) {
		free(pk);
		free(v);
		return NULL;
	}
	pk->sort = PROC_SORT_RSS;
	pk->descending = true;
	v->ops = &picker_ops;
	v->data = pk;
	return v;
}
