/*
 * Write tracking: which pages of a target are written, refresh after
 * refresh.
 *
 * A tracker holds the only reference to a userfaultfd of the target's mm
 * in asynchronous write-protect mode (UFFD_FEATURE_WP_ASYNC). The VMAs it
 * registers are write-protected ("armed"); the kernel itself lifts the
 * protection on the first write to each page, at a cost of about a
 * microsecond to the target, so a PAGEMAP_SCAN for PAGE_IS_WRITTEN finds
 * the pages written since, and with PM_SCAN_WP_MATCHING the same call
 * arms them again. Closing the userfaultfd (track_destroy(), or pmtop's
 * death, even by SIGKILL) unregisters every VMA and removes every
 * protection: the target is left as it was.
 *
 * A tracker is made on one thread (the one that ran the injection) and
 * may then be used by any one thread at a time.
 */
#ifndef PMTOP_SCAN_TRACK_H
#define PMTOP_SCAN_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/snapshot.h"
#include "model/vma.h"
#include "scan/inject.h"
#include "scan/pagescan.h"

/* VMAs up to this size are always armed: their page tables are cheap. */
#define TRACK_SMALL_BYTES	((uint64_t)64 << 20)

/* Larger ones only when at least 1/TRACK_DENSE of their pages are in. */
#define TRACK_DENSE		4

struct track;

/* What the tracker has done, for the user and the benchmarks. */
struct track_stats {
	double		stopped_seconds; /* the target, when attaching */
	size_t		armed_vmas;	/* registered and armed now */
	uint64_t	armed_pages;	/* their virtual size, in pages */
	double		arm_seconds;	/* the last arming, all of it */
	double		collect_seconds; /* the last read and re-arm */
	uint64_t	collects;	/* refreshes read */
};

/*
 * Why write tracking cannot run where caps says pmtop scans, a line for
 * the user, or NULL if it can. Reading and re-arming written pages is
 * PAGEMAP_SCAN's: on the pagemap backend (a kernel without it, or
 * --backend=pagemap) pmtop must refuse before it attaches to or starts
 * anything. Pure.
 */
const char *track_unsupported(const struct pagescan_caps *caps);

/*
 * Track pid: make it create a userfaultfd (inject_userfaultfd(), with
 * every refusal check; force overrides a seccomp filter), then register
 * and arm its VMAs that are worth it (track_vma_worth()). Returns the
 * tracker, or NULL with *cause (allocated), a line for the user; pid is
 * then as it was. Must run on a thread that may ptrace pid.
 */
struct track *track_attach(int pid, bool force, char **cause);

/*
 * Start argv traced, track it from its first instruction (its VMAs are
 * armed while it is stopped after exec), and let it run. Returns the
 * tracker, whose pid is the child's, or NULL with *cause (the child is
 * then killed and reaped). The child is the calling thread's: reaping it
 * is the caller's (track_destroy() does not).
 */
struct track *track_launch(char *const argv[], enum inject_stdio stdio,
    char **cause);

/*
 * Track pid with a userfaultfd of its mm that the caller already holds
 * (the target made it and passed it on); the tracker owns uffd from now
 * on, even on failure. NULL with *cause on failure.
 */
struct track *track_adopt(int pid, int uffd, char **cause);

/*
 * Stop tracking: close the userfaultfd, which unregisters and unprotects
 * everything in the target. NULL is ignored.
 */
void track_destroy(struct track *t);

int track_pid(const struct track *t);

/* True for a tracker of a command track_launch() started. */
bool track_launched(const struct track *t);

void track_get_stats(const struct track *t, struct track_stats *stats);

/*
 * One refresh, first step, before snap's regions are added: for each VMA
 * of snap that was armed before, read the pages written since and arm
 * them again, in one call per VMA (per 64 MiB of it); the written runs go
 * to snap (snapshot_add_written()), the VMA is marked VMA_TRACK_ON and
 * snap->track_seconds says how long the counts cover. A VMA that lost
 * its registration (unmapped and mapped again, moved) is left for
 * track_sync(). Returns 0, or -1 with errno: ESRCH when the target's mm
 * is gone (it exited or exec'd), which ends tracking for good.
 */
int track_collect(struct track *t, struct snapshot *snap);

/*
 * One refresh, last step: register and arm every VMA of snap that is not
 * armed yet and worth it (the new ones: maps change), and mark the rest
 * with why not. Returns 0, or -1 with errno ESRCH as above.
 */
int track_sync(struct track *t, struct snapshot *snap);

/*
 * Instead of both steps, in the refresh in which tracking began by
 * attaching: mark the VMAs of snap as the tracker left them, the armed
 * ones VMA_TRACK_NEW, without reading them. Their first count would
 * cover only the milliseconds since arming, which as a rate means
 * nothing; it comes with the next refresh.
 */
void track_mark(struct track *t, struct snapshot *snap);

/*
 * Whether a VMA is worth tracking: VMA_TRACK_ON, or why not. populated is
 * how many of its pages are present or swapped; it only matters for VMAs
 * above TRACK_SMALL_BYTES, since arming allocates page tables for the
 * whole range (virtual size / 512), holes included. Pure.
 */
enum vma_track track_vma_worth(const struct vma_info *vma,
    uint64_t page_size, uint64_t populated);

/* The same question, when the populated count is not needed. */
bool track_vma_needs_count(const struct vma_info *vma, uint64_t page_size);

#endif
