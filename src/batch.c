/*
 * Batch mode. Starts the engine on the target, waits on its fd for each
 * snapshot, and prints it whole with one write, so that what reaches
 * stdout is always complete documents even when the target dies mid-run:
 * a failure ends the run with a line on stderr instead. A terminating
 * signal only writes to a pipe the loop polls too, so the run ends the
 * ordinary way and write tracking is detached on the way out.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "sigpipe.h"
#include "model/buf.h"
#include "model/report.h"

static const int batch_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* The first signal that came, as a shell reports a death by it; or 0. */
static int
batch_signals_read(void)
{
	int	signo = sigpipe_read();

	return signo != 0 ? 128 + signo : 0;
}

/*
 * A tracking message not shown yet goes to stderr if it is an error (a
 * refusal, tracking that ended with an exec): the output still goes on,
 * with written counts null.
 */
static void
batch_track_msg(const struct snapshot *snap, uint64_t *shown)
{
	if (snap->track_msg == NULL || snap->track_msg_seq == *shown)
		return;
	*shown = snap->track_msg_seq;
	if (snap->track_msg_error)
		fprintf(stderr, "pmtop: %s\n", snap->track_msg);
}

/* Write what the report built so far to stdout. */
static bool
batch_flush(struct buf *b, void *arg)
{
	(void)arg;
	return fwrite(b->p, 1, b->len, stdout) == b->len;
}

/*
 * Print one snapshot. Returns 0, or 1 after reporting on stderr. The
 * report streams out in pieces: a process with 65,000 VMAs makes a
 * 20 MB document, which need not be held whole.
 */
static int
batch_print(const struct snapshot *snap, const struct batch_options *opt,
    long printed)
{
	struct buf	out;
	int		rc = 0;

	if (snap->state != TARGET_OK) {
		fprintf(stderr, "pmtop: %s\n", snap->error != NULL ?
		    snap->error : snapshot_state_name(snap->state));
		return 1;
	}

	buf_init(&out);
	buf_set_flush(&out, 64 * 1024, batch_flush, NULL);
	if (!opt->json && printed > 0)
		buf_add_char(&out, '\n');
	if (opt->json)
		report_json(&out, snap);
	else
		report_text(&out, snap);

	/* A failed report is out of memory or a failed write: errno says. */
	if (out.failed || !batch_flush(&out, NULL) || fflush(stdout) != 0) {
		fprintf(stderr, "pmtop: stdout: %s\n", strerror(errno));
		rc = 1;
	}
	buf_fini(&out);
	return rc;
}

int
batch_run(struct engine *e, int pid, const struct batch_options *opt)
{
	struct engine_request	 req = { 0 };
	struct pollfd		 pfd[2];
	struct snapshot		*snap;
	uint64_t		 shown = 0;
	long			 printed = 0;
	int			 rc = 0, sigfd;

	req.categories = CAT_ALL;
	req.interval_ms = opt->interval_ms;
	req.track = opt->track;
	engine_set_request(e, &req);
	engine_set_target(e, pid);
	sigfd = sigpipe_start(batch_signals, sizeof batch_signals /
	    sizeof batch_signals[0]);
	if (sigfd == -1 || engine_start(e) == -1) {
		fprintf(stderr, "pmtop: cannot start the scan thread: %s\n",
		    strerror(errno));
		return 1;
	}

	pfd[0].fd = engine_fd(e);
	pfd[1].fd = sigfd;
	pfd[0].events = pfd[1].events = POLLIN;
	while (rc == 0 && (opt->count == 0 || printed < opt->count)) {
		if (poll(pfd, 2, -1) == -1 && errno != EINTR)
			break;
		if (pfd[1].revents && (rc = batch_signals_read()) != 0)
			break;
		snap = engine_take(e);
		if (snap == NULL)
			continue;
		batch_track_msg(snap, &shown);
		rc = batch_print(snap, opt, printed);
		printed++;
		snapshot_unref(snap);
	}
	engine_stop(e);
	sigpipe_stop();
	return rc;
}
