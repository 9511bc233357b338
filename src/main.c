/*
 * pmtop: a memory-map viewer for Linux. This file reads the options,
 * probes the kernel, chooses the scan backend, finds the target and hands
 * over to a mode: the viewer, batch output, or the demo workload watched
 * in either.
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
#include <unistd.h>

#include "batch.h"
#include "demo.h"
#include "model/buf.h"
#include "model/escape.h"
#include "scan/backend.h"
#include "scan/engine.h"
#include "scan/pagescan.h"
#include "scan/proclist.h"
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
	    "usage: pmtop [-d SECONDS] [--no-color] [-p PID|NAME]\n"
	    "       pmtop --batch [-n COUNT] [-d SECONDS] [--json] "
	    "-p PID|NAME\n"
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
		case 'h':
			usage(0);
		case 'V':
			printf("pmtop %s\n", PMTOP_VERSION);
			exit(0);
		default:
			usage(2);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument", argv[optind]);
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
 * Run only the demo workload, for watching from another pmtop: print its
 * pid and its regions, then wait until interrupted.
 */
static int
run_workload(void)
{
	struct demo_layout	 d;
	char			*cause = NULL;
	int			 r;

	if (demo_spawn(&d, &cause) == -1) {
		print_error(cause ? cause : "demo failed");
		free(cause);
		return 1;
	}
	printf("pmtop-demo running as pid %d\n", (int)d.pid);
	for (r = 0; r < DEMO_NREGIONS; r++)
		printf("%-8s %llx-%llx\n", demo_region_name(r),
		    (unsigned long long)d.start[r],
		    (unsigned long long)d.end[r]);
	printf("ready\n");
	fflush(stdout);
	waitpid(d.pid, NULL, 0);
	return 0;
}

/* Watch pid (0: pick one) in the viewer or in batch mode. */
static int
run_mode(struct engine *e, const struct options *o, int pid)
{
	struct ui_options	uo;

	if (o->batch)
		return batch_run(e, pid, &o->batch_opt);
	memset(&uo, 0, sizeof uo);
	uo.pid = pid;
	uo.interval_ms = o->batch_opt.interval_ms;
	uo.no_color = o->no_color;
	return ui_run(e, &uo);
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
	rc = run_mode(e, o, layout.pid);
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
	char			*cause = NULL;
	int			 pid = 0, rc;

	parse_options(argc, argv, &o);
	if (o.workload)
		return run_workload();
	if (o.batch && !o.demo && o.target == NULL)
		die_usage("no target", "give -p PID|NAME, or --demo");
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

	rc = o.demo ? run_demo(e, &o) : run_mode(e, &o, pid);
	engine_destroy(e);
	return rc;
}
