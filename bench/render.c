/*
 * How long one frame of the viewer takes to render: a target with 10,000
 * VMAs is scanned once, then the process view and a VMA view of it are
 * drawn again and again into a 250x80 curses screen whose output goes to
 * /dev/null. Prints the figures; asserts nothing (machines are noisy).
 */
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scan/engine.h"
#include "scan/pagescan.h"
#include "ui/draw.h"
#include "ui/view.h"

#define BENCH_VMAS	10000
#define BENCH_ROWS	80
#define BENCH_COLS	250
#define BENCH_FRAMES	200

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A child with BENCH_VMAS small VMAs (in pairs that cannot merge). */
static pid_t
spawn_target(void)
{
	size_t	 page = (size_t)sysconf(_SC_PAGESIZE), i;
	char	*p;
	int	 fds[2];
	pid_t	 pid;
	char	 c;

	if (pipe(fds) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			return -1;
		close(fds[0]);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	p = mmap(NULL, BENCH_VMAS * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	for (i = 0; i < BENCH_VMAS / 2; i++) {
		p[2 * i * page] = 1;
		/* Alternate protections so neighbours stay apart. */
		mprotect(p + (2 * i + 1) * page, page, PROT_READ);
	}
	if (write(fds[1], "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/* Draw the top view n times; seconds per frame. */
static double
bench_frames(struct ui *ui, int n)
{
	struct view	*v = ui->stack[ui->depth - 1];
	double		 t0 = now();
	int		 i;

	for (i = 0; i < n; i++) {
		erase();
		v->ops->draw(ui, v);
		draw_status(ui);
		/* Force a full repaint, as after a change of every cell. */
		clearok(curscr, TRUE);
		refresh();
	}
	return (now() - t0) / n;
}

static struct snapshot *
bench_scan(const struct pagescan_caps *caps, pid_t pid, struct ui *ui)
{
	struct engine_request	 req;
	struct view		*v = ui->stack[ui->depth - 1];

	memset(&req, 0, sizeof req);
	req.categories = CAT_ALL;
	req.filter = ui_filter(ui);
	v->ops->request(ui, v, &req);
	return engine_scan_once(caps, pid, &req);
}

int
main(void)
{
	struct pagescan_caps	 caps;
	struct ui		 ui;
	struct snapshot		*s;
	SCREEN			*scr;
	FILE			*out;
	char			*cause = NULL;
	double			 t0, scan, proc, vma;
	pid_t			 pid;

	if (pagescan_probe(&caps, &cause) == -1 || !caps.have_ioctl) {
		fprintf(stderr, "bench: no PAGEMAP_SCAN here\n");
		return 1;
	}
	pid = spawn_target();
	if (pid == -1)
		return 1;

	setenv("LINES", "80", 1);
	setenv("COLUMNS", "250", 1);
	out = fopen("/dev/null", "w");
	scr = newterm("xterm-256color", out, stdin);
	if (scr == NULL)
		return 1;
	memset(&ui, 0, sizeof ui);
	ui.term.utf8 = true;
	ui.term.colours = 256;
	ui.term.halfblocks = true;
	start_color();
	use_default_colors();
	draw_init(&ui.term);
	ui.interval_ms = 1000;
	ui.chosen = CAT_ALL;
	ui.pid = pid;
	ui.stack[ui.depth++] = procview_create(&ui);

	t0 = now();
	s = bench_scan(&caps, pid, &ui);
	scan = now() - t0;
	ui.snap = s;
	proc = bench_frames(&ui, BENCH_FRAMES);

	ui.stack[ui.depth++] = vmaview_create(&ui,
	    s->vma[s->nvma / 2].info.start, s->vma[s->nvma / 2].info.end);
	ui.snap = bench_scan(&caps, pid, &ui);
	vma = bench_frames(&ui, BENCH_FRAMES);

	while (ui.depth > 0) {
		ui.depth--;
		ui.stack[ui.depth]->ops->destroy(ui.stack[ui.depth]);
	}
	endwin();
	delscreen(scr);
	fclose(out);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	printf("target: %zu VMAs; screen %dx%d, half-blocks, 256 colours\n",
	    s->nvma, BENCH_COLS, BENCH_ROWS);
	printf("scan with raster:      %8.3f ms\n", scan * 1e3);
	printf("process view, 1 frame: %8.3f ms\n", proc * 1e3);
	printf("VMA view, 1 frame:     %8.3f ms\n", vma * 1e3);
	snapshot_unref(s);
	snapshot_unref(ui.snap);
	return 0;
}
