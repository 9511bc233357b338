/*
 * Batch mode: the engine's snapshots printed as text tables or NDJSON
 * instead of drawn. A second consumer of the same snapshots as the
 * viewer; nothing in it scans on its own.
 */
#ifndef PMTOP_BATCH_H
#define PMTOP_BATCH_H

#include <stdbool.h>

#include "scan/engine.h"

struct batch_options {
	long		count;		/* refreshes to print; 0: forever */
	unsigned int	interval_ms;
	bool		json;
	bool		track;		/* e was given a tracker of pid */
};

/*
 * Follow pid with e (not yet started) and print count refreshes on
 * stdout. Errors go to stderr as one line each, and so does the end of
 * write tracking if it ends before the run. SIGINT, SIGTERM and SIGHUP
 * end the run (the caller's engine_destroy() then detaches). Returns the
 * exit status: 0, 1 when the target cannot be read or goes away, or 128
 * plus the number of the signal that ended the run.
 */
int batch_run(struct engine *e, int pid, const struct batch_options *opt);

#endif
