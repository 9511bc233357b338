/*
 * The viewer's main loop. One thread: poll() waits on the terminal, the
 * engine's fd and a self-pipe that signal handlers write to, so a key, a
 * new snapshot, a resize and a quit request are all just events here.
 * Handlers only record what happened; one place in the loop redraws, and
 * only when something changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>

#include "sigpipe.h"
#include "ui/draw.h"
#include "ui/ui.h"
#include "ui/view.h"

#define UI_MIN_INTERVAL_MS	100
#define UI_MAX_INTERVAL_MS	60000

/* Resizes, and the ways a user or a session ends a program. */
static const int ui_signals[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };

static double
ui_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What this terminal can show, from the locale, terminfo and options. */
static void
ui_term_detect(struct ui_term *term, const struct ui_options *opt)
{
	const char	*no_color = getenv("NO_COLOR");

	term->utf8 = !opt->ascii &&
	    strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	term->colours = 0;
	if (!opt->no_color && (no_color == NULL || no_color[0] == '\0') &&
	    has_colors()) {
		start_color();
		use_default_colors();
		term->colours = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 :
		    COLORS >= 8 ? 8 : 0;
	}
	term->halfblocks = term->utf8 && term->colours >= 256;
}

static void
ui_curses_start(struct ui *ui, const struct ui_options *opt)
{
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
	    BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	ui_term_detect(&ui->term, opt);
	draw_init(&ui->term);
}

void
ui_push(struct ui *ui, struct view *v)
{
	if (v == NULL) {
		ui_message(ui, "out of memory");
		return;
	}
	if (ui->depth == (int)(sizeof ui->stack / sizeof ui->stack[0])) {
		v->ops->destroy(v);
		return;
	}
	ui->stack[ui->depth++] = v;
	ui_request(ui);
}

void
ui_pop(struct ui *ui)
{
	struct view	*v;

	if (ui->depth <= 1)
		return;
	v = ui->stack[--ui->depth];
	v->ops->destroy(v);
	ui_request(ui);
}

void
ui_message(struct ui *ui, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	ui->message_until = ui_now() + 4;
	ui->dirty = true;
}

struct filter
ui_filter(const struct ui *ui)
{
	return filter_from_choice(ui->chosen, ui->all_of, ui->invert);
}

cat_mask
ui_shown(const struct ui *ui)
{
	cat_mask	shown;

	if (ui->snap == NULL)
		return 0;

	/* Without tracking, WRITTEN means nothing and WPALLOWED is never set. */
	shown = ui->snap->supported;
	if (!ui->snap->tracking)
		shown &= ~(CAT_BIT(CAT_WRITTEN) | CAT_BIT(CAT_WPALLOWED));
	return shown;
}

void
ui_track_toggle(struct ui *ui, bool force)
{
	bool	on = ui->snap != NULL && ui->snap->pid == ui->pid &&
	    ui->snap->tracking;

	if (on && force)
		return;
	ui->tracking = !on;
	ui->track_force = force;
	ui->track_gen++;
	ui_message(ui, on ? "stopping write tracking of pid %d..." :
	    "starting write tracking of pid %d...", ui->pid);
	ui_request(ui);
}

void
ui_writes_toggle(struct ui *ui)
{
	ui->writes = !ui->writes;
	if (ui->writes && (ui->snap == NULL || !ui->snap->tracking))
		ui_message(ui, "writes heatmap: write tracking is off (t in "
		    "the process view starts it)");
	ui->dirty = true;
}

void
ui_request(struct ui *ui)
{
	struct engine_request	 req;
	struct view		*v;
	int			 i;

	memset(&req, 0, sizeof req);
	req.categories = CAT_ALL;
	req.interval_ms = ui->interval_ms;
	req.paused = ui->paused;
	req.filter = ui_filter(ui);
	req.track = ui->tracking;
	req.track_force = ui->track_force;
	req.track_gen = ui->track_gen;

	/* The topmost view that has needs (help has none) decides. */
	for (i = ui->depth - 1; i >= 0; i--) {
		v = ui->stack[i];
		if (v->ops->request != NULL) {
			v->ops->request(ui, v, &req);
			break;
		}
	}
	engine_set_request(ui->engine, &req);
	ui->dirty = true;
}

void
ui_open_process(struct ui *ui, int pid)
{
	ui->pid = pid;
	snapshot_unref(ui->snap);
	ui->snap = NULL;
	engine_set_target(ui->engine, pid);
	ui_push(ui, procview_create(ui));
}

void
ui_close_process(struct ui *ui)
{
	while (ui->depth > 1)
		ui_pop(ui);
	ui->pid = 0;
	engine_set_target(ui->engine, 0);
	ui_request(ui);
}

/* Toggle a category in the filter. */
static void
ui_toggle(struct ui *ui, int cat)
{
	if (!(ui_shown(ui) & CAT_BIT(cat))) {
		ui_message(ui, "%s: %s", category_name((enum category)cat),
		    cat == CAT_WRITTEN || cat == CAT_WPALLOWED ?
		    "needs write tracking, which is off (t starts it)" :
		    "this kernel cannot report it");
		return;
	}
	ui->chosen ^= CAT_BIT(cat);
	ui_request(ui);
}

static void
ui_interval(struct ui *ui, bool longer)
{
	unsigned int	ms = ui->interval_ms;

	ms = longer ? ms * 2 : ms / 2;
	if (ms < UI_MIN_INTERVAL_MS)
		ms = UI_MIN_INTERVAL_MS;
	if (ms > UI_MAX_INTERVAL_MS)
		ms = UI_MAX_INTERVAL_MS;
	ui->interval_ms = ms;
	ui_message(ui, "refresh every %.2g s", ms / 1000.0);
	ui_request(ui);
}

/* Keys every view shares, after the top view passed on them. */
static void
ui_global_key(struct ui *ui, int key)
{
	int	cat;

	switch (key) {
	case 'q':
	case KEY_F(10):
		ui->quit = true;
		return;
	case '?':
	case KEY_F(1):
		if (strcmp(ui->stack[ui->depth - 1]->ops->name, "help") != 0)
			ui_push(ui, help_create(ui));
		return;
	case ' ':
		ui->paused = !ui->paused;
		ui_message(ui, ui->paused ? "paused" : "running");
		ui_request(ui);
		return;
	case '[':
	case ']':
		ui_interval(ui, key == ']');
		return;
	case 'i':
		ui->invert = !ui->invert;
		ui_request(ui);
		return;
	case 'm':
		ui->all_of = !ui->all_of;
		ui_request(ui);
		return;
	case 'W':
		ui_writes_toggle(ui);
		return;
	case 12:	/* ^L */
		clearok(curscr, TRUE);
		ui->dirty = true;
		return;
	}
	for (cat = 0; cat < CAT_COUNT; cat++) {
		if (key == draw_category_key(cat)) {
			ui_toggle(ui, cat);
			return;
		}
	}
}

static void
ui_key(struct ui *ui, int key)
{
	struct view	*top = ui->stack[ui->depth - 1];

	switch (top->ops->key(ui, top, key)) {
	case VIEW_REQUEST:
		ui_request(ui);
		break;
	case VIEW_HANDLED:
		ui->dirty = true;
		break;
	case VIEW_IGNORED:
		ui_global_key(ui, key);
		break;
	}
}

static void
ui_resize(struct ui *ui)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	ui_request(ui);
}

/* Drain the self-pipe; false once a terminating signal came. */
static bool
ui_signals_read(struct ui *ui)
{
	bool	resize = false;
	int	c;

	while ((c = sigpipe_read()) != 0) {
		if (c == SIGWINCH)
			resize = true;
		else {
			/* As a shell reports a death by that signal. */
			ui->quit = true;
			ui->exit_status = 128 + c;
		}
	}
	if (resize)
		ui_resize(ui);
	return !ui->quit;
}

static void
ui_take_snapshot(struct ui *ui)
{
	struct snapshot	*s;

	s = engine_take(ui->engine);
	if (s == NULL)
		return;
	snapshot_unref(ui->snap);
	ui->snap = s;
	ui->dirty = true;

	/* What tracking did, once, even if that snapshot was skipped. */
	if (s->track_msg != NULL && s->track_msg_seq != ui->track_msg_seq) {
		ui->track_msg_seq = s->track_msg_seq;
		ui_message(ui, "%s", s->track_msg);
	}
	if (s->state == TARGET_OK && s->pid == ui->pid)
		writeheat_update(&ui->heat, s->raster, s->pid, s->seq, s->time,
		    WRITEHEAT_HALF_LIFE);
}

static void
ui_draw(struct ui *ui)
{
	struct view	*top = ui->stack[ui->depth - 1];

	erase();
	if (LINES < 8 || COLS < 40) {
		draw_text(0, 0, "pmtop: the terminal is too small", COLS);
		refresh();
		return;
	}
	top->ops->draw(ui, top);
	draw_status(ui);
	refresh();
	ui->dirty = false;
}

/* Read every key waiting; false if the terminal is gone. */
static bool
ui_read_keys(struct ui *ui, short revents)
{
	int	key, n = 0;

	while (!ui->quit && (key = getch()) != ERR) {
		n++;
		ui_key(ui, key);
	}
	/* Readable but nothing to read, or hung up: stdin is closed. */
	return !((revents & (POLLHUP | POLLERR)) || ((revents & POLLIN) &&
	    n == 0));
}

static void
ui_loop(struct ui *ui, int sigfd)
{
	struct pollfd	pfd[3];
	double		expiry;

	pfd[0].fd = STDIN_FILENO;
	pfd[1].fd = engine_fd(ui->engine);
	pfd[2].fd = sigfd;
	pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;

	while (!ui->quit) {
		if (ui->dirty)
			ui_draw(ui);
		expiry = ui->message_until - ui_now();
		if (poll(pfd, 3, expiry > 0 ? (int)(expiry * 1000) + 1 :
		    -1) == -1 && errno != EINTR)
			break;
		if (ui->message[0] != '\0' && ui_now() >= ui->message_until) {
			ui->message[0] = '\0';
			ui->dirty = true;
		}
		if (pfd[2].revents && !ui_signals_read(ui))
			break;
		if (pfd[1].revents)
			ui_take_snapshot(ui);
		if (pfd[0].revents && !ui_read_keys(ui, pfd[0].revents))
			ui->quit = true;
	}
}

int
ui_run(struct engine *e, const struct ui_options *opt)
{
	struct ui	ui;
	int		sigfd;

	memset(&ui, 0, sizeof ui);
	ui.engine = e;
	ui.interval_ms = opt->interval_ms;
	ui.tracking = opt->tracking;
	writeheat_init(&ui.heat);
	ui.chosen = CAT_BIT(CAT_PRESENT) | CAT_BIT(CAT_SWAPPED) |
	    CAT_BIT(CAT_FILE) | CAT_BIT(CAT_PFNZERO) | CAT_BIT(CAT_HUGE) |
	    CAT_BIT(CAT_GUARD);
	ui.dirty = true;

	setlocale(LC_ALL, "");
	sigfd = sigpipe_start(ui_signals, sizeof ui_signals /
	    sizeof ui_signals[0]);
	if (sigfd == -1) {
		fprintf(stderr, "pmtop: %s\n", strerror(errno));
		return 1;
	}
	ui_curses_start(&ui, opt);

	ui.picker = opt->pid == 0;
	ui_push(&ui, picker_create(&ui));
	if (opt->pid != 0)
		ui_open_process(&ui, opt->pid);
	if (engine_start(e) == -1) {
		endwin();
		sigpipe_stop();
		fprintf(stderr, "pmtop: cannot start the scan thread: %s\n",
		    strerror(errno));
		return 1;
	}

	ui_loop(&ui, sigfd);

	endwin();
	sigpipe_stop();
	engine_stop(e);
	while (ui.depth > 0) {
		ui.depth--;
		ui.stack[ui.depth]->ops->destroy(ui.stack[ui.depth]);
	}
	snapshot_unref(ui.snap);
	writeheat_fini(&ui.heat);
	return ui.exit_status;
}
