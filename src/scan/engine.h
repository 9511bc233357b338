/*
 * The scan engine: a thread that, at an interval, reads one target's maps,
 * scans its pages and publishes an immutable snapshot. Consumers (the
 * viewer, the batch mode) poll engine_fd() and take the newest snapshot;
 * they tell the engine what they need with a request. Neither side ever
 * waits for the other: requests and snapshots change hands under a mutex
 * held only for a pointer swap or a struct copy.
 */
#ifndef PMTOP_SCAN_ENGINE_H
#define PMTOP_SCAN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"
#include "scan/pagescan.h"
#include "scan/track.h"

/* What the consumer needs from the next refreshes. */
struct engine_request {
	cat_mask	categories;	/* counts it shows; only these */
					/* (and what they rely on) are */
					/* asked of the kernel */
	uint64_t	window_start;	/* raster window; both 0: */
	uint64_t	window_end;	/* the whole process */
	size_t		ncells;		/* 0: no raster */
	struct filter	filter;		/* decides the raster's matches */
	enum raster_scale scale;	/* how VMAs share the cells */
	bool		processes;	/* also list every process */
	unsigned int	interval_ms;	/* between refreshes */
	bool		paused;		/* no refreshes until unpaused */

	/*
	 * Write tracking (track.h), acted on when track_gen changes, so
	 * that a refusal is not tried again at each refresh: track on
	 * attaches to the target (track_force: despite a seccomp filter),
	 * off detaches. On the pagemap backend track on is refused
	 * (track_unsupported()) without touching the target.
	 */
	bool		track;
	bool		track_force;
	unsigned int	track_gen;
};

struct engine;

/*
 * Create an engine with the kernel's capabilities (pagescan_probe()); it
 * scans with the backend they name (caps->backend). Returns NULL with
 * *cause (allocated) on failure, such as the ioctl backend asked of a
 * kernel without PAGEMAP_SCAN.
 */
struct engine *engine_create(const struct pagescan_caps *caps, char **cause);

/* Stop the thread if it runs, and free everything. Main thread. */
void engine_destroy(struct engine *e);

/* Start or stop the scan thread. engine_start() returns -1 with errno. */
int engine_start(struct engine *e);
void engine_stop(struct engine *e);

/*
 * Choose the process to follow (0: none). The next refresh opens it and
 * comes at once. Any thread.
 */
void engine_set_target(struct engine *e, int pid);

/*
 * Give the engine a tracker of its target, made on the calling thread
 * (track_launch(), track_attach()). The engine owns it from then on and
 * ends it, leaving the target as it was, when tracking is turned off,
 * the target changes, exits or execs, or the engine is destroyed; each
 * of these is said in the snapshots (track_msg). Before engine_start().
 * Only where track_unsupported() allows it, which the caller must ask
 * before it makes the tracker: otherwise the engine ends the tracker at
 * once and says why.
 */
void engine_set_tracker(struct engine *e, struct track *t);

/* Replace the request; a refresh follows at once. Any thread. */
void engine_set_request(struct engine *e, const struct engine_request *req);

/*
 * Refresh now, out of turn, even if paused. Any thread. Returns the
 * first snapshot seq that begins after this call, and so sees every
 * target, request and change of the target made before it: a refresh
 * already under way is published too, with a smaller seq.
 */
uint64_t engine_refresh(struct engine *e);

/*
 * A file descriptor that becomes readable when a snapshot is published.
 * engine_take() drains it.
 */
int engine_fd(const struct engine *e);

/*
 * The newest published snapshot not yet taken, with a reference the
 * caller must drop (snapshot_unref()), or NULL. Any thread.
 */
struct snapshot *engine_take(struct engine *e);

/*
 * One refresh on the calling thread, without the engine thread: open pid,
 * scan it as req asks, close it. Never NULL except on ENOMEM; failures
 * are states in the snapshot. For tests and one-shot tools.
 */
struct snapshot *engine_scan_once(const struct pagescan_caps *caps, int pid,
    const struct engine_request *req);

#endif
