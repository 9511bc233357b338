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
};

/*
 * Follow pid with e (not yet started) and print count refreshes on
 * stdout. Errors go to stderr as one line each. Returns the exit status:
 * 0, or 1 when the target cannot be read or goes away.
 */
int batch_run(struct engine *e, int pid, const struct batch_options *opt);

#endif
