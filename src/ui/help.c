/*
 * The help screen: every key, by the view it works in. The table here is
 * the one list of keys; the man page repeats it.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "ui/draw.h"
#include "ui/view.h"

struct help_line {
	const char	*keys;
	const char	*what;
};

static const struct help_line help_lines[] = {
	{ NULL, "Everywhere" },
	{ "F1 ?", "this help: arrows scroll, any other key closes it" },
	{ "q F10", "quit" },
	{ "space", "pause or resume refreshing" },
	{ "[ ]", "refresh twice as often / half as often" },
	{ "p s f z h g", "filter: present, swapped, file, zero page, huge, "
	    "guard" },
	{ "w y a", "filter: written, soft-dirty, write-protect allowed "
	    "(w and a while tracking)" },
	{ "W", "heatmap of write heat instead of categories, or back" },
	{ "i", "invert the filter (pages missing the chosen categories)" },
	{ "m", "filter by all of the chosen categories, or any of them" },
	{ "^L", "redraw the screen" },
	{ NULL, "Process list" },
	{ "arrows PgUp PgDn Home End", "move" },
	{ "Enter, double click", "open the process" },
	{ "/ F3", "search; F3 again finds the next match" },
	{ "\\ F4", "show only matching processes" },
	{ "< > F6", "sort by the previous / next column" },
	{ "I", "reverse the sort order" },
	{ "Esc", "clear the search or the filter" },
	{ NULL, "Process" },
	{ "arrows PgUp PgDn Home End", "move in the VMA table" },
	{ "Enter, double click", "open the VMA's heatmap" },
	{ "< > F6  I", "sort the table; reverse" },
	{ "t", "start write tracking (attach by ptrace), or stop it "
	    "(detach: the process is left as it was)" },
	{ "T", "start write tracking despite a seccomp filter" },
	{ "Written column", "pages written a second; new: armed this "
	    "refresh; skip: not worth arming" },
	{ "Esc Backspace", "back to the process list" },
	{ NULL, "VMA" },
	{ "arrows PgUp PgDn Home End", "move the cursor, scroll" },
	{ "click", "put the cursor on a cell" },
	{ "+ -", "zoom in (down to one page a cell) / out" },
	{ "Esc Backspace", "back to the process" },
	{ NULL, "Heatmap" },
	{ "cells", "the process view gives each VMA a share growing with "
	    "the square root of its size" },
	{ "colour", "the chosen category most pages of the cell have" },
	{ "shade", "how many of the cell's pages pass the filter" },
	{ "dark cell", "mapped, but no page passes the filter" },
	{ "?", "pages the kernel did not report" },
	{ "W: colour", "pages written lately, brighter for more; the heat "
	    "halves every 3 s" },
	{ "W: ?", "pages not tracked" },
};

#define HELP_NLINES (sizeof help_lines / sizeof help_lines[0])

/* Screen lines of help line i: section titles take a blank line too. */
static int
help_height(size_t i)
{
	return help_lines[i].keys == NULL ? 2 : 1;
}

static void
help_draw(struct ui *ui, struct view *v)
{
	size_t	*top = v->data, i;
	int	 y = 1;

	(void)ui;
	attr_set(A_BOLD, 0, NULL);
	draw_text(0, 0, "pmtop keys", COLS);
	attr_set(A_NORMAL, 0, NULL);
	for (i = *top; i < HELP_NLINES && y + help_height(i) < LINES; i++) {
		if (help_lines[i].keys == NULL) {
			attr_set(A_BOLD | A_UNDERLINE, 0, NULL);
			draw_text(y + 1, 0, help_lines[i].what, COLS);
			attr_set(A_NORMAL, 0, NULL);
			y += 2;
			continue;
		}
		attr_set(A_BOLD, 0, NULL);
		draw_text(y, 2, help_lines[i].keys, 26);
		attr_set(A_NORMAL, 0, NULL);
		draw_text(y, 30, help_lines[i].what, COLS - 30);
		y++;
	}
}

static enum view_result
help_key(struct ui *ui, struct view *v, int key)
{
	size_t	*top = v->data;

	switch (key) {
	case 'q':
	case KEY_F(10):
		return VIEW_IGNORED;
	case KEY_RESIZE:
	case KEY_MOUSE:
		return VIEW_HANDLED;
	case KEY_DOWN:
	case KEY_NPAGE:
		if (*top + 1 < HELP_NLINES)
			*top += key == KEY_DOWN ? 1 : 10;
		if (*top >= HELP_NLINES)
			*top = HELP_NLINES - 1;
		return VIEW_HANDLED;
	case KEY_UP:
	case KEY_PPAGE:
		*top -= *top < (key == KEY_UP ? 1u : 10u) ? *top :
		    (key == KEY_UP ? 1 : 10);
		return VIEW_HANDLED;
	}
	ui_pop(ui);
	return VIEW_HANDLED;
}

static void
help_destroy(struct view *v)
{
	free(v->data);
	free(v);
}

static const struct view_ops help_ops = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	.request = NULL,
	.hints = " arrows/PgUp/PgDn scroll  any other key: back  q quit",
	.destroy = help_destroy,
};

struct view *
help_create(struct ui *ui)
{
	struct view	*v;

	(void)ui;
	v = calloc(1, sizeof *v);
	if (v == NULL)
		return NULL;
	v->data = calloc(1, sizeof(size_t));
	if (v->data == NULL) {
		free(v);
		return NULL;
	}
	v->ops = &help_ops;
	return v;
}
