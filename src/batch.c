/*
 * Batch mode. Starts the engine on the target, waits on its fd for each
 * snapshot, and prints it whole with one write, so that what reaches
 * stdout is always complete documents even when the target dies mid-run:
 * a failure ends the run with a line on stderr instead.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "model/buf.h"
#include "model/report.h"

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
	struct pollfd		 pfd;
	struct snapshot		*snap;
	long			 printed = 0;
	int			 rc = 0;

	req.categories = CAT_ALL;
	req.interval_ms = opt->interval_ms;
	engine_set_request(e, &req);
	engine_set_target(e, pid);
	if (engine_start(e) == -1) {
		fprintf(stderr, "pmtop: cannot start the scan thread: %s\n",
		    strerror(errno));
		return 1;
	}

	pfd.fd = engine_fd(e);
	pfd.events = POLLIN;
	while (rc == 0 && (opt->count == 0 || printed < opt->count)) {
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			break;
		snap = engine_take(e);
		if (snap == NULL)
			continue;
		rc = batch_print(snap, opt, printed);
		printed++;
		snapshot_unref(snap);
	}
	engine_stop(e);
	return rc;
}
