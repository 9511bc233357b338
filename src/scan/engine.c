/*
 * The scan engine.
 *
 * DESIGN. One thread owns every kernel call for the target: it opens the
 * target, and on each refresh re-reads maps, scans the pages with the
 * chosen backend (PAGEMAP_SCAN, or classic pagemap entries: backend.h)
 * and builds a snapshot on its own, with no lock held. Only
 * then does it take the mutex, swap the snapshot in as the newest (an
 * older one not yet taken is dropped: the newest wins) and write to an
 * eventfd, which consumers poll next to their own input. Consumers change
 * the target or the request under the same mutex and signal a condition
 * variable the thread sleeps on between refreshes, so a new request is
 * served at once and never waits for the interval. A scan in progress is
 * never interrupted; its result is simply superseded by the next one.
 *
 * Write tracking lives on the same thread: the tracker (track.h) reads
 * and re-arms the written pages before the pages are scanned, so that
 * the regions carry them, and registers new VMAs after. The thread
 * attaches and detaches it when a request says so anew (track_gen), and
 * what it did goes into every snapshot as a numbered message.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "scan/backend.h"
#include "scan/engine.h"
#include "scan/proclist.h"
#include "scan/target.h"

/* The thread's own state: which process it has open. */
struct engine_scanner {
	struct pagescan_caps	 caps;
	struct target		*target;
	const struct scan_backend *be;
	void			*scan;		/* the backend's reader */
	struct proclist_reader	*procs;		/* made on the thread */
	int			 pid;
	bool			 seen;		/* scanned it at least once */
	unsigned int		 execs;
	uint64_t		 seq;

	struct track		*track;		/* write tracking, if on */
	unsigned int		 track_gen;	/* the request's, acted on */
	bool			 track_again;	/* after an exec */
	bool			 track_fresh;	/* attached, not read yet */
	char			*track_msg;	/* what tracking last did */
	uint64_t		 track_msg_seq;
	bool			 track_msg_error;
};

struct engine {
	struct engine_scanner	 sc;

	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	pthread_t		 thread;
	bool			 running;

	/* Under lock. */
	bool			 stopping;
	bool			 kick;		/* refresh now */
	int			 pid;
	struct engine_request	 req;
	struct snapshot		*latest;	/* published, not taken */
	uint64_t		 begun;		/* seq of the refresh that */
						/* last took pid and req */

	int			 event_fd;
};

/* State for the region callback of one refresh. */
struct engine_fill {
	struct snapshot	*snap;
	size_t		 cursor;
};

static double
engine_clock(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
engine_region_cb(void *arg, uint64_t start, uint64_t end, cat_mask cats)
{
	struct engine_fill	*fill = arg;

	snapshot_add_region(fill->snap, &fill->cursor, start, end, cats);
}

/*
 * The raster of the request's window over the snapshot's VMAs. The
 * request's filter is applied here, page run by page run, rather than
 * handed to the kernel: every refresh walks every page anyway for the
 * per-VMA counts, and a filtered PAGEMAP_SCAN would be a second walk of
 * the same pages for the same answer.
 */
static void
engine_make_raster(struct snapshot *snap, const struct engine_request *req)
{
	struct raster_segment	*seg;
	struct vma_info		*v;
	uint64_t		 lo = req->window_start, hi = req->window_end;
	size_t			 i, n = 0;

	if (req->ncells == 0 || snap->nvma == 0)
		return;
	if (lo == 0 && hi == 0)
		hi = UINT64_MAX;

	seg = calloc(snap->nvma, sizeof *seg);
	if (seg == NULL)
		return;
	for (i = 0; i < snap->nvma; i++) {
		v = &snap->vma[i].info;
		if (!v->scannable || v->end <= lo || v->start >= hi)
			continue;
		seg[n].start = v->start > lo ? v->start : lo;
		seg[n].end = v->end < hi ? v->end : hi;
		n++;
	}
	snap->raster = raster_create(seg, n, req->ncells, snap->page_size,
	    &req->filter, req->scale);
	free(seg);
}

/* May VMA j share a range with VMA i, asked for mask? */
static bool
engine_joins(struct engine_scanner *sc, struct snapshot *snap, size_t i,
    size_t j, cat_mask mask, cat_mask wanted)
{
	const struct vma_info	*v = &snap->vma[j].info;

	return sc->be->spans_holes && v->scannable &&
	    vma_may_be_pfnmap(v) == vma_may_be_pfnmap(&snap->vma[i].info) &&
	    sc->be->vma_mask(&sc->caps, v, wanted) == mask;
}

/*
 * Mark the VMAs read in one range from VMA i on, asked for mask (and
 * what cannot happen here, a known 0), and return the end of the run:
 * the neighbours that need the same bits and the same kind of walk
 * (vma_may_be_pfnmap()) where the backend crosses holes for free, VMA i
 * alone otherwise.
 */
static size_t
engine_run(struct engine_scanner *sc, struct snapshot *snap, size_t i,
    cat_mask mask, cat_mask wanted)
{
	size_t	j = i;

	do {
		snapshot_mark_scanned(snap, j, mask | sc->caps.absent);
		j++;
	} while (j < snap->nvma && engine_joins(sc, snap, i, j, mask, wanted));
	return j;
}

/*
 * Scan every scannable VMA, one range per run (engine_run()), between
 * the backend's begin and finish steps. Returns 0 or -1 with errno from
 * the kernel.
 */
static int
engine_scan_vmas(struct engine_scanner *sc, struct snapshot *snap,
    cat_mask wanted)
{
	const struct scan_backend	*be = sc->be;
	struct engine_fill		 fill = { snap, 0 };
	struct pagescan_stats		 before, after;
	cat_mask			 mask;
	size_t				 i, j;

	be->get_stats(sc->scan, &before);
	if (be->begin != NULL && be->begin(sc->scan, wanted) == -1)
		return -1;
	for (i = 0; i < snap->nvma; i = j) {
		if (!snap->vma[i].info.scannable) {
			j = i + 1;
			continue;
		}
		mask = be->vma_mask(&sc->caps, &snap->vma[i].info, wanted);
		j = engine_run(sc, snap, i, mask, wanted);
		if (be->range(sc->scan, snap->vma[i].info.start,
		    snap->vma[j - 1].info.end, mask,
		    vma_may_be_pfnmap(&snap->vma[i].info), engine_region_cb,
		    &fill) == -1)
			return -1;
	}
	if (be->finish != NULL && be->finish(sc->scan, snap) == -1)
		return -1;
	be->get_stats(sc->scan, &after);
	snap->scan_calls = after.calls - before.calls;
	return 0;
}

/* A reader of the chosen backend for the open target; false: ENOMEM. */
static bool
engine_make_reader(struct engine_scanner *sc)
{
	if (sc->scan != NULL)
		sc->be->destroy(sc->scan);
	sc->scan = sc->be->create(sc->target, &sc->caps);
	return sc->scan != NULL;
}

static void
engine_track_say(struct engine_scanner *sc, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Say what tracking did; the next snapshots carry it. */
static void
engine_track_say(struct engine_scanner *sc, bool error, const char *fmt, ...)
{
	va_list	ap;

	free(sc->track_msg);
	va_start(ap, fmt);
	if (vasprintf(&sc->track_msg, fmt, ap) == -1)
		sc->track_msg = NULL;
	va_end(ap);
	sc->track_msg_seq++;
	sc->track_msg_error = error;
}

/* What a tracker just armed, for the message that says it is on. */
static void
engine_track_said_on(struct engine_scanner *sc, double seconds)
{
	struct track_stats	st;

	track_get_stats(sc->track, &st);
	engine_track_say(sc, false, "write tracking on: pid %d, %zu VMAs "
	    "armed in %.1f ms", track_pid(sc->track), st.armed_vmas,
	    seconds * 1e3);
}

/*
 * Tracking ended with the mm it tracked: the process exited or exec'd
 * (a userfaultfd is bound to one mm). After an exec the process is
 * tracked again at the next refresh: a command started through a
 * wrapper script (or a shim) execs at once, and the user asked for the
 * process. Nothing in snap may claim a written count meanwhile.
 */
static void
engine_track_lost(struct engine_scanner *sc, struct snapshot *snap)
{
	bool	exited = sc->target == NULL || target_exited(sc->target);
	int	pid = track_pid(sc->track);
	size_t	i;

	track_destroy(sc->track);
	sc->track = NULL;
	sc->track_again = !exited;
	engine_track_say(sc, false, "write tracking ended: pid %d %s", pid,
	    exited ? "exited" : "exec'd another program; tracking it again");
	if (snap == NULL)
		return;
	snap->tracking = false;
	snap->nwritten = 0;
	for (i = 0; i < snap->nvma; i++)
		snapshot_mark_tracked(snap, i, VMA_TRACK_OFF);
}

/* Let go of everything the scanner holds; on the thread that used it. */
static void
engine_scanner_fini(struct engine_scanner *sc)
{
	if (sc->scan != NULL)
		sc->be->destroy(sc->scan);
	track_destroy(sc->track);
	target_close(sc->target);
	proclist_reader_destroy(sc->procs);
	free(sc->track_msg);
	sc->scan = NULL;
	sc->track = NULL;
	sc->target = NULL;
	sc->procs = NULL;
	sc->track_msg = NULL;
}

static void
engine_close_target(struct engine_scanner *sc)
{
	/* A tracker given before the first open outlives no target. */
	if (sc->track != NULL && sc->target != NULL)
		engine_track_lost(sc, NULL);
	if (sc->scan != NULL)
		sc->be->destroy(sc->scan);
	target_close(sc->target);
	sc->scan = NULL;
	sc->target = NULL;
}

/*
 * Give snap the comm of pid, which target_open() refused, so that the
 * user sees which process cannot be read. Not once it is gone: its pid
 * may already be another process's.
 */
static void
engine_name_unopened(struct snapshot *snap, int pid, enum target_state state)
{
	char	comm[256];
	int	n;

	if (state == TARGET_NOT_FOUND || state == TARGET_EXITED)
		return;
	n = target_read_comm_of(pid, comm, sizeof comm);
	if (n >= 0)
		snapshot_set_comm(snap, comm, (size_t)n);
}

/* Open pid if it is not the one open. False with snap's state set. */
static bool
engine_open_target(struct engine_scanner *sc, struct snapshot *snap, int pid)
{
	enum target_state	 state;
	char			*cause;
	int			 err;

	if (sc->target != NULL && sc->pid == pid)
		return true;

	engine_close_target(sc);
	if (sc->pid != pid) {
		sc->pid = pid;
		sc->seen = false;
		sc->execs = 0;
	}

	sc->target = target_open(pid, &state, &err, &cause);
	if (sc->target == NULL) {
		/* A process we scanned before and cannot find has exited. */
		if (sc->seen && (state == TARGET_NOT_FOUND ||
		    state == TARGET_ZOMBIE))
			state = TARGET_EXITED;
		snapshot_set_error(snap, state, err, "%s",
		    cause != NULL ? cause : strerror(err));
		free(cause);
		engine_name_unopened(snap, pid, state);
		return false;
	}

	if (!engine_make_reader(sc)) {
		engine_close_target(sc);
		snapshot_set_error(snap, TARGET_ERROR, ENOMEM, "%s",
		    strerror(ENOMEM));
		return false;
	}
	return true;
}

/* The target went away under a read: exited, or exec'd (reopen). */
static bool
engine_target_lost(struct engine_scanner *sc, struct snapshot *snap, int err)
{
	if (err == ESRCH || err == ENOENT) {
		if (!target_exited(sc->target) &&
		    target_reopen(sc->target) == 0) {
			sc->execs++;
			if (engine_make_reader(sc))
				return true;
			snapshot_set_error(snap, TARGET_ERROR, ENOMEM, "%s",
			    strerror(ENOMEM));
			engine_close_target(sc);
			return false;
		}
		snapshot_set_error(snap, TARGET_EXITED, ESRCH,
		    "pid %d exited", sc->pid);
	} else {
		snapshot_set_error(snap, TARGET_ERROR, err, "pid %d: %s",
		    sc->pid, strerror(err));
	}
	engine_close_target(sc);
	return false;
}

static void
engine_keep_ascending(struct vma_list *list)
{
	size_t	i, n = 0;

	for (i = 0; i < list->n; i++) {
		if (n > 0 && list->v[i].start < list->v[n - 1].end) {
			vma_info_fini(&list->v[i]);
			continue;
		}
		list->v[n++] = list->v[i];
	}
	list->n = n;
}

static void
engine_mark_nodev_tmpfs(struct vma_list *list)
{
	size_t	i;

	for (i = 0; i < list->n; i++) {
		if (list->v[i].kind == VMA_FILE && list->v[i].dev_major == 0) {
			list->v[i].tmpfs = true;
			list->v[i].device = true;
		}
	}
}

/*
 * Read comm and maps and scan them into snap. Returns 0, 1 when the
 * target exec'd and the attempt must be made again, or -1 with snap's
 * state set.
 */
static int
engine_collect(struct engine_scanner *sc, struct snapshot *snap,
    const struct engine_request *req)
{
	struct vma_list	 list = { 0 };
	char		 comm[256], *cause = NULL;
	int		 n;

	n = target_read_comm(sc->target, comm, sizeof comm);
	if (n >= 0)
		snapshot_set_comm(snap, comm, (size_t)n);

	if (target_read_maps(sc->target, sc->caps.user_limit, &list,
	    &cause) == -1) {
		vma_list_clear(&list);
		if (cause != NULL) {
			snapshot_set_error(snap, TARGET_ERROR, EINVAL,
			    "pid %d: %s", sc->pid, cause);
			free(cause);
			return -1;
		}
		return engine_target_lost(sc, snap, errno) ? 1 : -1;
	}

	/*
	 * maps is read in several pieces and the target may map or unmap
	 * between them, so lines can repeat or go missing: keep only an
	 * ascending, non-overlapping list (the next refresh is whole).
	 */
	engine_keep_ascending(&list);

	/*
	 * Every process with memory has VMAs (at least its stack): none
	 * means its mm is being torn down, before the pidfd says it exited.
	 */
	if (list.n == 0) {
		snapshot_set_error(snap, TARGET_EXITED, ESRCH,
		    "pid %d exited", sc->pid);
		engine_close_target(sc);
		return -1;
	}

	/*
	 * Without mountinfo, any file on a device-less file system may be
	 * tmpfs, or a device: take them all as both rather than claim a
	 * swapped count, or empty pages the kernel did not look at.
	 */
	if (target_mark_tmpfs(sc->target, &list) == -1)
		engine_mark_nodev_tmpfs(&list);

	if (snapshot_take_vmas(snap, &list) == -1) {
		vma_list_clear(&list);
		snapshot_set_error(snap, TARGET_ERROR, ENOMEM, "%s",
		    strerror(ENOMEM));
		return -1;
	}
	engine_make_raster(snap, req);

	/* Written pages first: the regions of the scan take them in. */
	if (sc->track != NULL && sc->track_fresh)
		track_mark(sc->track, snap);
	else if (sc->track != NULL && track_collect(sc->track, snap) == -1)
		engine_track_lost(sc, snap);
	if (engine_scan_vmas(sc, snap, req->categories) == -1)
		return engine_target_lost(sc, snap, errno) ? 1 : -1;
	if (sc->track != NULL && !sc->track_fresh &&
	    track_sync(sc->track, snap) == -1)
		engine_track_lost(sc, snap);
	sc->track_fresh = false;

	/* Gone during the reads: what was read may be half a picture. */
	if (target_exited(sc->target)) {
		snapshot_set_error(snap, TARGET_EXITED, ESRCH,
		    "pid %d exited", sc->pid);
		engine_close_target(sc);
		return -1;
	}
	return 0;
}

/* Drop what a failed attempt put in snap before trying again. */
static void
engine_reset_snapshot(struct snapshot *snap)
{
	size_t	i;

	for (i = 0; i < snap->nvma; i++)
		vma_info_fini(&snap->vma[i].info);
	free(snap->vma);
	snap->vma = NULL;
	snap->nvma = 0;
	raster_destroy(snap->raster);
	snap->raster = NULL;
	snap->nwritten = 0;
	snap->written_cursor = 0;
}

/*
 * Turn write tracking on or off when the request says so anew. Runs on
 * the engine thread, which is then the target's tracer for the
 * injection's sub-millisecond stop.
 */
static void
engine_track_request(struct engine_scanner *sc, int pid,
    const struct engine_request *req)
{
	const char	*why;
	char		*cause = NULL;
	double		 t0;

	if (req->track_gen == sc->track_gen &&
	    !(sc->track_again && req->track))
		return;
	sc->track_gen = req->track_gen;
	sc->track_again = false;
	if (!req->track && sc->track != NULL) {
		track_destroy(sc->track);
		sc->track = NULL;
		engine_track_say(sc, false, "write tracking off: pid %d is "
		    "as it was", pid);
	}
	if (!req->track || sc->track != NULL)
		return;

	/* Refused before the target is stopped: it stays untouched. */
	if ((why = track_unsupported(&sc->caps)) != NULL) {
		engine_track_say(sc, true, "%s", why);
		return;
	}

	t0 = engine_clock(CLOCK_MONOTONIC);
	sc->track = track_attach(pid, req->track_force, &cause);
	sc->track_fresh = sc->track != NULL;
	if (sc->track == NULL)
		engine_track_say(sc, true, "%s", cause != NULL ? cause :
		    strerror(ENOMEM));
	else
		engine_track_said_on(sc, engine_clock(CLOCK_MONOTONIC) - t0);
	free(cause);
}

/* List every process into snap, or say why not. */
static void
engine_read_procs(struct engine_scanner *sc, struct snapshot *snap)
{
	char	*cause = NULL;

	if (sc->procs == NULL)
		sc->procs = proclist_reader_create(&cause);
	snap->procs = calloc(1, sizeof *snap->procs);
	if (sc->procs == NULL || snap->procs == NULL ||
	    proclist_read(sc->procs, snap->procs, &cause) == -1) {
		free(snap->procs);
		snap->procs = NULL;
		snap->procs_error = cause != NULL ? cause :
		    strdup("cannot list processes");
	}
}

/* Put the tracking state and the last message into snap. */
static void
engine_track_stamp(struct engine_scanner *sc, struct snapshot *snap)
{
	snap->tracking = sc->track != NULL;
	if (sc->track_msg != NULL)
		snapshot_set_track_msg(snap, sc->track_msg_seq,
		    sc->track_msg_error, sc->track_msg);
}

/* One refresh: a new snapshot whatever happens (NULL only on ENOMEM). */
static struct snapshot *
engine_refresh_once(struct engine_scanner *sc, int pid,
    const struct engine_request *req)
{
	struct snapshot	*snap;
	double		 t0;
	int		 attempt, rc = -1;

	snap = snapshot_create(sc->caps.page_size);
	if (snap == NULL)
		return NULL;
	snap->seq = ++sc->seq;
	snap->pid = pid;
	snap->time = engine_clock(CLOCK_REALTIME);
	snap->backend = sc->be->id;
	snap->supported = sc->be->supported(&sc->caps);
	t0 = engine_clock(CLOCK_MONOTONIC);
	if (req->processes)
		engine_read_procs(sc, snap);

	if (sc->track != NULL && track_pid(sc->track) != pid) {
		engine_track_say(sc, false, "write tracking off: pid %d is as "
		    "it was", track_pid(sc->track));
		track_destroy(sc->track);
		sc->track = NULL;
	}
	if (pid != sc->pid)
		sc->track_again = false;
	if (pid <= 0) {
		engine_close_target(sc);
		sc->pid = 0;
		engine_track_stamp(sc, snap);
		return snap;
	}
	if (!engine_open_target(sc, snap, pid)) {
		engine_track_stamp(sc, snap);
		return snap;
	}
	engine_track_request(sc, pid, req);

	/* An exec between two reads is retried a few times, then given up. */
	for (attempt = 0; attempt < 3; attempt++) {
		rc = engine_collect(sc, snap, req);
		if (rc != 1)
			break;
		engine_reset_snapshot(snap);
	}
	if (rc == 1)
		snapshot_set_error(snap, TARGET_ERROR, EAGAIN,
		    "pid %d keeps exec'ing; try again", pid);
	if (rc == 0) {
		snap->state = TARGET_OK;
		sc->seen = true;
		snapshot_finish(snap);
	}
	engine_track_stamp(sc, snap);
	snap->execs = sc->execs;
	snap->scan_seconds = engine_clock(CLOCK_MONOTONIC) - t0;
	return snap;
}

struct snapshot *
engine_scan_once(const struct pagescan_caps *caps, int pid,
    const struct engine_request *req)
{
	struct engine_scanner	 sc;
	struct snapshot		*snap;

	memset(&sc, 0, sizeof sc);
	sc.caps = *caps;
	sc.be = scan_backend_get(caps->backend);
	snap = engine_refresh_once(&sc, pid, req);
	engine_scanner_fini(&sc);
	return snap;
}

struct engine *
engine_create(const struct pagescan_caps *caps, char **cause)
{
	struct engine		*e;
	pthread_condattr_t	 attr;

	*cause = NULL;
	if (caps->backend == BACKEND_IOCTL && !caps->have_ioctl) {
		*cause = strdup("this kernel has no PAGEMAP_SCAN (Linux 6.7 "
		    "or later has it)");
		return NULL;
	}

	e = calloc(1, sizeof *e);
	if (e == NULL)
		return NULL;
	e->sc.caps = *caps;
	e->sc.be = scan_backend_get(caps->backend);
	e->req.categories = CAT_ALL;
	e->req.interval_ms = 1000;

	e->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->event_fd == -1) {
		free(e);
		return NULL;
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&e->wake, &attr);
	pthread_condattr_destroy(&attr);
	return e;
}

void
engine_destroy(struct engine *e)
{
	if (e == NULL)
		return;
	engine_stop(e);
	engine_scanner_fini(&e->sc);
	snapshot_unref(e->latest);
	close(e->event_fd);
	pthread_cond_destroy(&e->wake);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

/* Swap snap in as the newest and wake the consumer. Takes the lock. */
static void
engine_publish(struct engine *e, struct snapshot *snap)
{
	struct snapshot	*old;
	uint64_t	 one = 1;

	pthread_mutex_lock(&e->lock);
	old = e->latest;
	e->latest = snap;
	pthread_mutex_unlock(&e->lock);

	snapshot_unref(old);
	/* A full counter (EAGAIN) still means "readable": fine. */
	if (write(e->event_fd, &one, sizeof one) == -1 && errno != EAGAIN)
		return;
}

/* Sleep until a refresh is due or asked for. Called with the lock held. */
static void
engine_wait(struct engine *e, double due)
{
	struct timespec	ts;
	double		whole;

	while (!e->stopping && !e->kick &&
	    (e->req.paused || engine_clock(CLOCK_MONOTONIC) < due)) {
		if (e->req.paused) {
			pthread_cond_wait(&e->wake, &e->lock);
			continue;
		}
		whole = (double)(long long)due;
		ts.tv_sec = (time_t)whole;
		ts.tv_nsec = (long)((due - whole) * 1e9);
		pthread_cond_timedwait(&e->wake, &e->lock, &ts);
	}
}

static void *
engine_main(void *arg)
{
	struct engine		*e = arg;
	struct engine_request	 req;
	struct snapshot		*snap;
	double			 due = 0;
	int			 pid;

	/* Scans pause for the target's writers (pace.h): briefly. */
	prctl(PR_SET_TIMERSLACK, 1000UL);

	pthread_mutex_lock(&e->lock);
	for (;;) {
		engine_wait(e, due);
		if (e->stopping)
			break;
		e->kick = false;
		pid = e->pid;
		req = e->req;
		/* Only this thread numbers snapshots: the next is this one. */
		e->begun = e->sc.seq + 1;
		pthread_mutex_unlock(&e->lock);

		snap = engine_refresh_once(&e->sc, pid, &req);
		if (snap != NULL)
			engine_publish(e, snap);
		due = engine_clock(CLOCK_MONOTONIC) + req.interval_ms / 1e3;

		pthread_mutex_lock(&e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	engine_scanner_fini(&e->sc);
	return NULL;
}

int
engine_start(struct engine *e)
{
	sigset_t	all, old;
	int		rc;

	if (e->running)
		return 0;
	e->stopping = false;

	/* The thread inherits this mask: signals stay with the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&e->thread, NULL, engine_main, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	e->running = true;
	return 0;
}

void
engine_stop(struct engine *e)
{
	if (!e->running)
		return;
	pthread_mutex_lock(&e->lock);
	e->stopping = true;
	pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
	pthread_join(e->thread, NULL);
	e->running = false;
}

void
engine_set_tracker(struct engine *e, struct track *t)
{
	struct track_stats	 st;
	const char		*why;

	track_destroy(e->sc.track);
	e->sc.track = NULL;
	if (t == NULL)
		return;

	/* A caller's mistake: detach at once rather than track unread. */
	if ((why = track_unsupported(&e->sc.caps)) != NULL) {
		track_destroy(t);
		engine_track_say(&e->sc, true, "%s", why);
		return;
	}
	e->sc.track = t;

	/* A launched command's first count covers it since its exec. */
	e->sc.track_fresh = !track_launched(t);
	track_get_stats(t, &st);
	engine_track_said_on(&e->sc, st.arm_seconds);
}

void
engine_set_target(struct engine *e, int pid)
{
	pthread_mutex_lock(&e->lock);
	e->pid = pid;
	e->kick = true;
	pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
}

void
engine_set_request(struct engine *e, const struct engine_request *req)
{
	pthread_mutex_lock(&e->lock);
	e->req = *req;
	if (e->req.interval_ms == 0)
		e->req.interval_ms = 1;
	e->kick = true;
	pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
}

uint64_t
engine_refresh(struct engine *e)
{
	uint64_t	next;

	pthread_mutex_lock(&e->lock);
	e->kick = true;
	next = e->begun + 1;
	pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
	return next;
}

int
engine_fd(const struct engine *e)
{
	return e->event_fd;
}

struct snapshot *
engine_take(struct engine *e)
{
	struct snapshot	*snap;
	uint64_t	 count;
	ssize_t		 n;

	pthread_mutex_lock(&e->lock);
	snap = e->latest;
	e->latest = NULL;
	/* Nothing to read (EAGAIN) is fine: the fd is non-blocking. */
	n = read(e->event_fd, &count, sizeof count);
	(void)n;
	pthread_mutex_unlock(&e->lock);
	return snap;
}
