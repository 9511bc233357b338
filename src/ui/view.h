/*
 * Views and the state they share. A view is one screen of the viewer:
 * the picker, a process, one VMA, the help. The views form a stack; the
 * top one draws and gets the keys first. Internal to src/ui.
 */
#ifndef PMTOP_UI_VIEW_H
#define PMTOP_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/category.h"
#include "model/filter.h"
#include "model/snapshot.h"
#include "model/writeheat.h"
#include "scan/engine.h"

struct ui;
struct view;

/* What a key handler did. */
enum view_result {
	VIEW_IGNORED,		/* not this view's key */
	VIEW_HANDLED,		/* handled; redraw */
	VIEW_REQUEST		/* handled; the engine request changed */
};

struct view_ops {
	const char	*name;

	/* Draw the whole screen (the status line excepted). */
	void		(*draw)(struct ui *ui, struct view *v);

	/* A key (curses code); mouse events come as KEY_MOUSE. */
	enum view_result (*key)(struct ui *ui, struct view *v, int key);

	/* Fill in what this view needs from the engine. */
	void		(*request)(struct ui *ui, struct view *v,
			    struct engine_request *req);

	/* One line of key hints for the bottom of the screen. */
	const char	*hints;

	void		(*destroy)(struct view *v);
};

struct view {
	const struct view_ops	*ops;
	void			*data;
};

/* Display capabilities, found once at start. */
struct ui_term {
	bool		utf8;		/* the locale's charset is UTF-8 */
	bool		halfblocks;	/* two cells per character */
	int		colours;	/* 0 (monochrome), 8, 16, 256 */
};

struct ui {
	struct engine		*engine;
	struct ui_term		 term;

	struct view		*stack[4];
	int			 depth;

	struct snapshot		*snap;		/* newest taken */
	int			 pid;		/* the process looked at */
	bool			 picker;	/* started at the picker */
	unsigned int		 interval_ms;
	bool			 paused;

	/* The category filter, shared by every heatmap. */
	cat_mask		 chosen;
	bool			 all_of;
	bool			 invert;

	/* Write tracking, as asked of the engine, and the writes heatmap. */
	bool			 tracking;
	bool			 track_force;
	unsigned int		 track_gen;
	uint64_t		 track_msg_seq;	/* the last message shown */
	bool			 writes;	/* heatmaps show write heat */
	struct writeheat	 heat;

	char			 message[256];	/* status line text */
	double			 message_until;
	bool			 dirty;
	bool			 quit;
	int			 exit_status;
};

/* Push a view (the ui owns it from now on) or pop the top one. */
void ui_push(struct ui *ui, struct view *v);
void ui_pop(struct ui *ui);

/* Ask the engine again for what the views need (after a view change). */
void ui_request(struct ui *ui);

/* Show a message on the status line for a few seconds. */
void ui_message(struct ui *ui, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Look at a process: its view goes on top of the picker. */
void ui_open_process(struct ui *ui, int pid);

/* Back to the picker; the engine stops reading the process. */
void ui_close_process(struct ui *ui);

/* The filter the user chose, as the kernel's three masks. */
struct filter ui_filter(const struct ui *ui);

/* The categories the legend shows: known to the kernel, shown by pmtop. */
cat_mask ui_shown(const struct ui *ui);

/*
 * Start write tracking of the process looked at (force: despite a
 * seccomp filter), or stop it if it is on. The engine answers in a
 * later snapshot, whose message the status line shows.
 */
void ui_track_toggle(struct ui *ui, bool force);

/* Show the writes heatmap instead of the categories, or back. */
void ui_writes_toggle(struct ui *ui);

/* The views. */
struct view *picker_create(struct ui *ui);
struct view *procview_create(struct ui *ui);
struct view *vmaview_create(struct ui *ui, uint64_t start, uint64_t end);
struct view *help_create(struct ui *ui);

#endif
