/*
 * pmtop: a memory-map viewer for Linux. This file reads the options,
 * probes the kernel, chooses the scan backend, finds the target (or
 * starts it, tracked, for -- CMD; or attaches to it for --track) and
 * hands over to a mode: the viewer, batch output, or the demo workload
 * watched in either.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "demo.h"
#include "model/buf.h"
#include "model/escape.h"
#include "scan/backend.h"
#include "scan/engine.h"
#include "scan/pagescan.h"
#include "scan/proclist.h"
#include "scan/track.h"
#include "ui/ui.h"

#define PMTOP_VERSION "0.1.0"

struct options {
	bool			 batch;
	bool			 demo;
	bool			 no_color;
	bool			 workload;	/* --demo-workload */
	bool			 backend_set;	/* --backend given */
	enum backend		 backend;
	const char		*target;	/* -p */
	bool			 track;		/* --track */
	bool			 track_force;	/* --track=force */
	char			**command;	/* -- CMD ARG... */
	struct batch_options	 batch_opt;
};

/*
 * Print "pmtop: " and msg on stderr, escaped: messages may quote what the
 * user typed or a process's name, and neither may drive the terminal.
 */
static void
print_error(const char *msg)
{
	struct buf	b;

	buf_init(&b);
	escape_visible(&b, msg, strlen(msg));
	fprintf(stderr, "pmtop: %s\n", b.failed ? "out of memory" : b.p);
	buf_fini(&b);
}

static __attribute__((noreturn)) void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: pmtop [-d SECONDS] [--no-color] [--track[=force]] "
	    "[-p PID|NAME]\n"
	    "       pmtop [-d SECONDS] [--no-color] -- COMMAND [ARG...]\n"
	    "       pmtop --batch [-n COUNT] [-d SECONDS] [--json] "
	    "[--track[=force]] -p PID|NAME\n"
	    "       pmtop --batch [-n COUNT] [-d SECONDS] [--json] "
	    "-- COMMAND [ARG...]\n"
	    "       pmtop --demo [--batch] [-n COUNT] [-d SECONDS] "
	    "[--json]\n"
	    "       any of them with --backend ioctl|pagemap\n");
	exit(status);
}

static __attribute__((noreturn)) void
die_usage(const char *what, const char *arg)
{
	char	*msg;

	if (asprintf(&msg, "%s: %s", what, arg) == -1)
		msg = NULL;
	print_error(msg != NULL ? msg : what);
	free(msg);
	usage(2);
}

static long
parse_count(const char *arg)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || n < 0)
		die_usage("-n wants a count of refreshes (0: forever)", arg);
	return n;
}

static unsigned int
parse_interval(const char *arg)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(d >= 0.01) ||
	    d > 86400)
		die_usage("-d wants seconds between 0.01 and 86400", arg);
	return (unsigned int)(d * 1000 + 0.5);
}

static enum backend
parse_backend(const char *arg)
{
	enum backend	id;

	if (scan_backend_parse(arg, &id) == -1)
		die_usage("--backend wants ioctl or pagemap", arg);
	return id;
}

/* What the options cannot be given together with. */
static void
check_options(const struct options *o)
{
	if (o->command != NULL && o->target != NULL)
		die_usage("give -p or a command, not both", o->target);
	if (o->command != NULL && o->demo)
		die_usage("give --demo or a command, not both",
		    o->command[0]);
	if (o->track && o->demo)
		die_usage("--track", "the demo cannot be tracked");
	if (o->track && o->target == NULL && o->command == NULL)
		die_usage("--track", "give -p PID|NAME");
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'B' },
		{ "batch", no_argument, NULL, 'b' },
		{ "demo", no_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "demo-workload", no_argument, NULL, 'W' },
		{ "pid", required_argument, NULL, 'p' },
		{ "track", optional_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int	c;

	memset(o, 0, sizeof *o);
	o->batch_opt.count = 1;
	o->batch_opt.interval_ms = 1000;

	while ((c = getopt_long(argc, argv, "bd:hjn:p:V", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'B':
			o->backend = parse_backend(optarg);
			o->backend_set = true;
			break;
		case 'b':
			o->batch = true;
			break;
		case 'D':
			o->demo = true;
			break;
		case 'j':
			o->batch_opt.json = true;
			break;
		case 'C':
			o->no_color = true;
			break;
		case 'W':
			o->workload = true;
			break;
		case 'n':
			o->batch_opt.count = parse_count(optarg);
			break;
		case 'd':
			o->batch_opt.interval_ms = parse_interval(optarg);
			break;
		case 'p':
			o->target = optarg;
			break;
		case 'T':
			if (optarg != NULL && strcmp(optarg, "force") != 0)
				die_usage("--track takes only =force", optarg);
			o->track = true;
			o->track_force = optarg != NULL;
			break;
		case 'h':
			usage(0);
		case 'V':
			printf("pmtop %s\n", PMTOP_VERSION);
			exit(0);
		default:
			usage(2);
		}
	}
	/* After "--", the rest is the command to start. */
	if (optind < argc && strcmp(argv[optind - 1], "--") == 0)
		o->command = &argv[optind];
	else if (optind < argc)
		die_usage("unexpected argument", argv[optind]);
	else if (strcmp(argv[optind - 1], "--") == 0)
		die_usage("no command", "give one after --");
	check_options(o);
}

/* Turn -p PID|NAME into a pid; -1 after saying why. */
static int
resolve_target(const char *spec)
{
	struct proclist_reader	*r;
	struct proclist		 list = { 0 };
	char			*cause = NULL;
	int			 pid = -1;

	r = proclist_reader_create(&cause);
	if (r != NULL && proclist_read(r, &list, &cause) == 0)
		pid = proclist_resolve(&list, spec, &cause);
	if (pid == -1)
		print_error(cause != NULL ? cause :
		    "cannot read the process list");
	free(cause);
	proclist_clear(&list);
	proclist_reader_destroy(r);
	return pid;
}

/*
 * Watch pid (0: pick one) in the viewer or in batch mode; tracked says
 * the engine was given a tracker of it.
 */
static int
run_mode(struct engine *e, const struct options *o, int pid, bool tracked)
{
	struct batch_options	bo = o->batch_opt;
	struct ui_options	uo;

	if (o->batch) {
		bo.track = tracked;
		return batch_run(e, pid, &bo);
	}
	memset(&uo, 0, sizeof uo);
	uo.pid = pid;
	uo.interval_ms = o->batch_opt.interval_ms;
	uo.no_color = o->no_color;
	uo.tracking = tracked;
	return ui_run(e, &uo);
}

/*
 * Track pid from now on (--track) or start the command tracked, before
 * the engine runs: the tracker must be made on this thread, which is
 * then the target's tracer. Returns the tracker, or NULL after saying
 * why.
 */
static struct track *
start_tracking(const struct options *o, int pid)
{
	struct track	*t;
	char		*cause = NULL;

	if (o->command != NULL) {
		/* Its output must not mix with pmtop's, nor garble a screen. */
		t = track_launch(o->command, o->batch ?
		    INJECT_STDOUT_TO_STDERR : INJECT_STDIO_NULL, &cause);
	} else
		t = track_attach(pid, o->track_force, &cause);
	if (t == NULL) {
		print_error(cause != NULL ? cause : strerror(errno));
		free(cause);
	}
	return t;
}

/*
 * The command pmtop started ends with pmtop, as under strace: SIGTERM,
 * and SIGKILL if it is still there 5 s later. It was detached before
 * (engine_destroy()), so it ends untouched.
 */
static void
end_command(pid_t pid)
{
	struct timespec	nap = { 0, 10 * 1000 * 1000 };
	int		i;

	kill(pid, SIGTERM);
	for (i = 0; i < 500; i++) {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return;
		nanosleep(&nap, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Start the demo workload and watch it. */
static int
run_demo(struct engine *e, const struct options *o)
{
	struct demo_layout	 layout;
	char			*cause = NULL;
	int			 rc;

	if (demo_spawn(&layout, &cause) == -1) {
		print_error(cause ? cause : "demo failed");
		free(cause);
		return 1;
	}
	rc = run_mode(e, o, layout.pid, false);
	kill(layout.pid, SIGKILL);
	waitpid(layout.pid, NULL, 0);
	return rc;
}

int
main(int argc, char **argv)
{
	struct pagescan_caps	 caps;
	struct options		 o;
	struct engine		*e;
	struct track		*t = NULL;
	const char		*why;
	char			*cause = NULL;
	int			 pid = 0, rc;

	parse_options(argc, argv, &o);
	if (o.workload)
		return demo_workload_main();
	if (o.batch && !o.demo && o.target == NULL && o.command == NULL)
		die_usage("no target", "give -p PID|NAME, -- COMMAND, or "
		    "--demo");
	if (!o.batch && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
		print_error("not a terminal: use --batch to print what "
		    "pmtop sees");
		return 2;
	}

	if (o.target != NULL && (pid = resolve_target(o.target)) == -1)
		return 1;

	/* Without --backend, the probe chose: the ioctl where it exists. */
	if (pagescan_probe(&caps, &cause) == -1 ||
	    (o.backend_set &&
	    scan_backend_choose(&caps, o.backend, &cause) == -1) ||
	    (e = engine_create(&caps, &cause)) == NULL) {
		print_error(cause ? cause : strerror(errno));
		free(cause);
		return 1;
	}

	/* Before anything is attached to or started. */
	if ((o.track || o.command != NULL) &&
	    (why = track_unsupported(&caps)) != NULL) {
		print_error(why);
		engine_destroy(e);
		return 1;
	}
	if (o.track || o.command != NULL) {
		if ((t = start_tracking(&o, pid)) == NULL) {
			engine_destroy(e);
			return 1;
		}
		pid = track_pid(t);
		engine_set_tracker(e, t);
	}

	rc = o.demo ? run_demo(e, &o) : run_mode(e, &o, pid, t != NULL);
	engine_destroy(e);
	if (o.command != NULL)
		end_command(pid);
	return rc;
}
