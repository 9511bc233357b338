/*
 * The interactive viewer. ui_run() owns the terminal from start to end:
 * it draws the engine's snapshots through a stack of views (process
 * picker, process, VMA, help) and turns keys, mouse and resizes into view
 * changes and engine requests. It never scans or parses /proc itself.
 *
 * Everything here runs on the main thread; the engine runs on its own.
 */
#ifndef PMTOP_UI_UI_H
#define PMTOP_UI_UI_H

#include <stdbool.h>

#include "scan/engine.h"

struct ui_options {
	int		pid;		/* 0: start at the process picker */
	unsigned int	interval_ms;
	bool		no_color;	/* --no-color or NO_COLOR */
	bool		ascii;		/* force the ASCII fallback */
	bool		tracking;	/* e was given a tracker of pid */
};

/*
 * Run the viewer until the user quits or a terminating signal (SIGINT,
 * SIGTERM, SIGHUP) arrives; e must not be started yet. Write tracking
 * ends with it: the caller's engine_destroy() detaches. The terminal is
 * restored on every return. Returns the exit status: 0 after q, 1 after
 * a failure, which has then been printed on stderr, 128 + the signal's
 * number after a terminating signal, as a shell would report it.
 */
int ui_run(struct engine *e, const struct ui_options *opt);

#endif
