/*
 * Write tracking (KERNEL.md §4 and §5 have the recipe and its traps).
 *
 * HOW. The userfaultfd is made in the target (inject.c) and only ever
 * used from here: UFFDIO_API asks for asynchronous write-protect and
 * nothing else (an EVENT_* feature would block the target until someone
 * read the fd), then each VMA worth it is registered on its own (one bad
 * VMA fails a whole range) and armed with PAGEMAP_SCAN WP_MATCHING and no
 * vector. At each refresh one PAGEMAP_SCAN per run of neighbouring armed
 * VMAs, with WP_MATCHING | CHECK_WPASYNC and mask = return = WRITTEN,
 * reports the pages written and arms them again under the same page-table
 * lock, so that no write is lost between reading and re-arming.
 *
 * The tracker keeps one record per VMA it has seen (its range and its
 * state), rebuilt from the target's maps at each refresh: registration
 * does not follow a VMA that is moved, nor reach one mapped later, so
 * new VMAs are registered as they appear, and CHECK_WPASYNC failing
 * (EPERM) tells that an armed range was unmapped and mapped again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "scan/maps.h"
#include "scan/pace.h"
#include "scan/track.h"
#include "scan/uapi.h"

/* Newer than the system's headers (Debian 12 ships 6.1's). */
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC	(1 << 15)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY	1
#endif

#define TRACK_VEC_LEN		4096

/*
 * One call covers at most this much, on aligned boundaries: the target's
 * mmap lock is held for a whole call, and a cut inside a huge page would
 * split it.
 */
#define TRACK_CHUNK		((uint64_t)64 << 20)

/* Every VMA a scan can reach is below this; [vsyscall] is not. */
#define TRACK_USER_LIMIT	((uint64_t)1 << 56)

/*
 * Refreshes a VMA must have stayed armed to share a call with its armed
 * neighbours. A call that meets a VMA that lost its registration fails
 * (EPERM) after it may have re-armed the pages of the VMAs before it, so
 * their counts are lost for that refresh: VMAs that come and go, as
 * allocators' do, get calls of their own.
 */
#define TRACK_STABLE		3

/* What the tracker knows of one VMA, by its range. */
struct track_rec {
	uint64_t	start;
	uint64_t	end;
	enum vma_track	state;		/* never VMA_TRACK_NEW */
	unsigned int	age;		/* refreshes armed */
};

struct track {
	int			 pid;
	int			 uffd;
	int			 pagemap_fd;	/* uffd's mm */
	uint64_t		 page_size;
	struct page_region	*vec;

	struct track_rec	*rec;		/* ascending */
	size_t			 nrec;
	double			 last_collect;	/* counts begin */
	uint64_t		 busy_at;	/* a VMA another uffd has */
	bool			 launched;
	struct pace		 pace;		/* for the target's writers */
	struct track_stats	 stats;
};

/* Called with each region a walk reports. */
typedef void track_run_cb(void *arg, uint64_t start, uint64_t end);

const char *
track_unsupported(const struct pagescan_caps *caps)
{
	if (caps->backend == BACKEND_IOCTL && caps->have_ioctl)
		return NULL;

	/* With the ioctl there, the pagemap backend was asked for. */
	if (caps->have_ioctl)
		return "write tracking needs PAGEMAP_SCAN (Linux 6.7+); the "
		    "pagemap backend cannot track writes (--backend=ioctl can)";
	return "write tracking needs PAGEMAP_SCAN (Linux 6.7+); the pagemap "
	    "backend cannot track writes";
}

bool
track_vma_needs_count(const struct vma_info *vma, uint64_t page_size)
{
	(void)page_size;
	return vma->scannable && vma->kind != VMA_SPECIAL &&
	    strncmp(vma->perms, "---", 3) != 0 &&
	    vma->end - vma->start > TRACK_SMALL_BYTES;
}

enum vma_track
track_vma_worth(const struct vma_info *vma, uint64_t page_size,
    uint64_t populated)
{
	uint64_t	pages = (vma->end - vma->start) / page_size;

	/* The kernel refuses vdso and vvar; vsyscall is not even a VMA. */
	if (!vma->scannable || vma->kind == VMA_SPECIAL)
		return VMA_TRACK_SPECIAL;
	if (strncmp(vma->perms, "---", 3) == 0)
		return VMA_TRACK_PROT_NONE;
	if (vma->end - vma->start <= TRACK_SMALL_BYTES)
		return VMA_TRACK_ON;

	/*
	 * Arming allocates a page of page table per 2 MiB of the range,
	 * populated or not: an ASan shadow or a JVM heap reservation of
	 * terabytes would cost gigabytes. Populated pages have their page
	 * tables already, so a dense VMA costs little more.
	 */
	return populated * TRACK_DENSE >= pages ? VMA_TRACK_ON :
	    VMA_TRACK_SPARSE;
}

/*
 * One PAGEMAP_SCAN walk of [lo, hi) as tmpl asks, in aligned chunks
 * spaced for the target's writers (pace.h);
 * with a callback the regions go to it through the tracker's vector,
 * without one the walk has no output (arming). After a full vector the
 * walk resumes at the later of walk_end and the last region's end:
 * walk_end goes stale beyond 512 regions (KERNEL.md §3). Returns 0, or
 * -1 with errno.
 */
static int
track_walk(struct track *t, uint64_t lo, uint64_t hi,
    const struct pm_scan_arg *tmpl, track_run_cb *cb, void *arg)
{
	struct pm_scan_arg	scan;
	uint64_t		s = lo, e;
	double			t0;
	long			n, i;

	while (s < hi) {
		e = (s / TRACK_CHUNK + 1) * TRACK_CHUNK;
		if (e > hi || e <= s)
			e = hi;
		scan = *tmpl;
		scan.size = sizeof scan;
		scan.start = s;
		scan.end = e;
		if (cb != NULL) {
			scan.vec = (uintptr_t)t->vec;
			scan.vec_len = TRACK_VEC_LEN;
		}
		pace_before(&t->pace);
		t0 = pace_now();
		do {
			n = ioctl(t->pagemap_fd, PAGEMAP_SCAN, &scan);
		} while (n == -1 && errno == EINTR);
		pace_after(&t->pace, t0, pace_now());
		if (n == -1)
			return -1;

		for (i = 0; i < n; i++)
			cb(arg, t->vec[i].start, t->vec[i].end);
		if (cb == NULL || n < TRACK_VEC_LEN)
			s = e;
		else
			s = scan.walk_end > t->vec[n - 1].end ? scan.walk_end :
			    t->vec[n - 1].end;
	}
	return 0;
}

static void
track_count_cb(void *arg, uint64_t start, uint64_t end)
{
	*(uint64_t *)arg += end - start;
}

/* Pages of vma present or swapped, in *pages. 0 or -1 with errno. */
static int
track_populated(struct track *t, const struct vma_info *vma,
    uint64_t *pages)
{
	struct pm_scan_arg	tmpl;
	uint64_t		bytes = 0;

	/* No return bits: the populated extents come back merged. */
	memset(&tmpl, 0, sizeof tmpl);
	tmpl.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
	if (track_walk(t, vma->start, vma->end, &tmpl, track_count_cb,
	    &bytes) == -1)
		return -1;
	*pages = bytes / t->page_size;
	return 0;
}

/* Write-protect every page of [start, end) in registered VMAs. */
static int
track_arm(struct track *t, uint64_t start, uint64_t end)
{
	struct pm_scan_arg	tmpl;

	/* WP_MATCHING without a vector protects all, holes included. */
	memset(&tmpl, 0, sizeof tmpl);
	tmpl.flags = PM_SCAN_WP_MATCHING;
	return track_walk(t, start, end, &tmpl, NULL, NULL);
}

/*
 * Register one VMA: VMA_TRACK_NEW, or why the kernel would not, or -1
 * (errno ESRCH) when the userfaultfd's mm is gone.
 */
static enum vma_track
track_register(struct track *t, const struct vma_info *vma)
{
	struct uffdio_register	reg;

	memset(&reg, 0, sizeof reg);
	reg.range.start = vma->start;
	reg.range.len = vma->end - vma->start;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	if (ioctl(t->uffd, UFFDIO_REGISTER, &reg) == 0)
		return VMA_TRACK_NEW;
	if (errno == ESRCH)
		return (enum vma_track)-1;
	if (errno == EBUSY) {
		if (t->busy_at == 0)
			t->busy_at = vma->start;
		return VMA_TRACK_BUSY;
	}
	return VMA_TRACK_REFUSED;
}

/*
 * The state recorded for [start, end): that of a record of exactly this
 * range, whose age goes in *age; VMA_TRACK_ON if armed records cover it
 * whole (a VMA split by mprotect keeps its registration in both halves,
 * and halves merge back), with age 0; VMA_TRACK_OFF if it is new.
 */
static enum vma_track
track_recorded_age(const struct track *t, uint64_t start, uint64_t end,
    unsigned int *age)
{
	size_t		lo = 0, hi = t->nrec, mid;
	uint64_t	at = start;

	*age = 0;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->rec[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->nrec && t->rec[lo].start == start &&
	    t->rec[lo].end == end) {
		*age = t->rec[lo].age;
		return t->rec[lo].state;
	}

	for (; lo < t->nrec && at < end; lo++) {
		if (t->rec[lo].start > at || t->rec[lo].state != VMA_TRACK_ON)
			return VMA_TRACK_OFF;
		at = t->rec[lo].end;
	}
	return at >= end ? VMA_TRACK_ON : VMA_TRACK_OFF;
}

static enum vma_track
track_recorded(const struct track *t, uint64_t start, uint64_t end)
{
	unsigned int	age;

	return track_recorded_age(t, start, end, &age);
}

/* True if VMA i of snap has been armed for TRACK_STABLE refreshes. */
static bool
track_stable(const struct track *t, const struct snapshot *snap, size_t i)
{
	unsigned int	age;

	return track_recorded_age(t, snap->vma[i].info.start,
	    snap->vma[i].info.end, &age) == VMA_TRACK_ON &&
	    age >= TRACK_STABLE;
}

/* Where the written runs of one collect go. */
struct track_fill {
	struct snapshot	*snap;
	bool		 failed;
};

static void
track_written_cb(void *arg, uint64_t start, uint64_t end)
{
	struct track_fill	*fill = arg;

	if (snapshot_add_written(fill->snap, start, end) == -1)
		fill->failed = true;
}

/*
 * Read and re-arm VMAs [i, j) of snap, all armed, in one walk. On
 * failure the runs of this walk are taken back out and the VMAs stay
 * unmarked: their count is unknown this time (some pages may have been
 * re-armed before the kernel met the VMA that failed).
 */
static int
track_collect_run(struct track *t, struct snapshot *snap, size_t i,
    size_t j)
{
	struct pm_scan_arg	 tmpl;
	struct track_fill	 fill = { snap, false };
	size_t			 n0 = snap->nwritten, k;
	uint64_t		 end0 = n0 > 0 ? snap->written[n0 - 1].end : 0;
	int			 rc;

	memset(&tmpl, 0, sizeof tmpl);
	tmpl.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC;
	tmpl.category_mask = tmpl.return_mask = PAGE_IS_WRITTEN;
	rc = track_walk(t, snap->vma[i].info.start, snap->vma[j - 1].info.end,
	    &tmpl, track_written_cb, &fill);
	if (rc == 0 && !fill.failed) {
		for (k = i; k < j; k++)
			snapshot_mark_tracked(snap, k, VMA_TRACK_ON);
		return 0;
	}
	snap->nwritten = n0;
	if (n0 > 0)
		snap->written[n0 - 1].end = end0;
	return rc == -1 && errno == ESRCH ? -1 : 0;
}

/*
 * Whether the mm of the tracker (of its userfaultfd and pagemap fd) is
 * the one snap's maps describe. After an exec it is not: PAGEMAP_SCAN
 * says ESRCH (6.18 and 7.3) or walks an empty mm (6.12, 7.2), so a page
 * of a VMA that every mm has, and that nobody unmaps, is asked for.
 */
static bool
track_same_mm(struct track *t, const struct snapshot *snap)
{
	struct pm_scan_arg	 scan;
	const struct vma_info	*v;
	size_t			 i;
	long			 n;

	for (i = 0; i < snap->nvma; i++) {
		v = &snap->vma[i].info;
		if (v->kind == VMA_STACK || (v->kind == VMA_SPECIAL &&
		    v->name_len == 6 && memcmp(v->name, "[vdso]", 6) == 0))
			break;
	}
	if (i == snap->nvma)
		return true;

	/* No return bits: any page of a VMA comes back. */
	memset(&scan, 0, sizeof scan);
	scan.size = sizeof scan;
	scan.start = v->end - t->page_size;
	scan.end = v->end;
	scan.vec = (uintptr_t)t->vec;
	scan.vec_len = 1;
	n = ioctl(t->pagemap_fd, PAGEMAP_SCAN, &scan);
	return !(n == 0 || (n == -1 && errno == ESRCH));
}

int
track_collect(struct track *t, struct snapshot *snap)
{
	double	t0 = pace_now();
	size_t	i, j;

	snap->tracking = true;
	if (!track_same_mm(t, snap)) {
		errno = ESRCH;
		return -1;
	}
	for (i = 0; i < snap->nvma; i = j) {
		j = i + 1;
		if (track_recorded(t, snap->vma[i].info.start,
		    snap->vma[i].info.end) != VMA_TRACK_ON)
			continue;

		/*
		 * Stable neighbours share the call (holes cost the kernel
		 * nothing), unless the hole would take calls of its own:
		 * a call covers at most one chunk.
		 */
		while (j < snap->nvma && snap->vma[j].info.start -
		    snap->vma[j - 1].info.end < TRACK_CHUNK &&
		    track_stable(t, snap, j - 1) && track_stable(t, snap, j))
			j++;
		if (track_collect_run(t, snap, i, j) == -1)
			return -1;
	}
	snap->track_seconds = t0 - t->last_collect;
	t->last_collect = t0;
	t->stats.collect_seconds = pace_now() - t0;
	t->stats.collects++;
	return 0;
}

/*
 * Decide about one VMA not armed yet, and register it if it is worth it.
 * Returns its state, or -1 (as an int) with errno ESRCH.
 */
static int
track_decide(struct track *t, const struct vma_info *vma)
{
	enum vma_track	prev, state;
	uint64_t	populated = 0;

	/* The kernel said no to this very VMA before: do not ask again. */
	prev = track_recorded(t, vma->start, vma->end);
	if (prev == VMA_TRACK_REFUSED || prev == VMA_TRACK_BUSY)
		return (int)prev;

	if (track_vma_needs_count(vma, t->page_size) &&
	    track_populated(t, vma, &populated) == -1) {
		if (errno == ESRCH)
			return -1;
		populated = 0;
	}
	state = track_vma_worth(vma, t->page_size, populated);
	if (state != VMA_TRACK_ON)
		return (int)state;
	return (int)track_register(t, vma);
}

/* Arm the runs of neighbouring VMAs of snap registered in this refresh. */
static int
track_arm_new(struct track *t, struct snapshot *snap)
{
	double	t0 = pace_now();
	size_t	i, j;
	bool	any = false;

	for (i = 0; i < snap->nvma; i = j) {
		j = i + 1;
		if (snap->vma[i].track != VMA_TRACK_NEW)
			continue;
		while (j < snap->nvma && snap->vma[j].track == VMA_TRACK_NEW &&
		    snap->vma[j].info.start - snap->vma[j - 1].info.end <
		    TRACK_CHUNK)
			j++;
		any = true;
		if (track_arm(t, snap->vma[i].info.start,
		    snap->vma[j - 1].info.end) == -1 && errno == ESRCH)
			return -1;
	}
	if (any)
		t->stats.arm_seconds = pace_now() - t0;
	return 0;
}

/*
 * Decide about and register every VMA of snap not armed; with initial,
 * stop before arming anything if a VMA belongs to another userfaultfd
 * (EBUSY), so that the target is left untouched. Then arm the new ones
 * and keep a record of every VMA.
 */
static int
track_sync_vmas(struct track *t, struct snapshot *snap, bool initial)
{
	struct track_rec	*rec;
	size_t			 i;
	int			 state;

	rec = calloc(snap->nvma ? snap->nvma : 1, sizeof *rec);
	if (rec == NULL)
		return -1;
	t->busy_at = 0;
	for (i = 0; i < snap->nvma; i++) {
		rec[i].start = snap->vma[i].info.start;
		rec[i].end = snap->vma[i].info.end;
		if (snap->vma[i].track == VMA_TRACK_ON) {
			track_recorded_age(t, rec[i].start, rec[i].end,
			    &rec[i].age);
			rec[i].age++;
			rec[i].state = VMA_TRACK_ON;
			continue;
		}
		state = track_decide(t, &snap->vma[i].info);
		if (state == -1) {
			free(rec);
			return -1;
		}
		snapshot_mark_tracked(snap, i, (enum vma_track)state);
		rec[i].state = state == VMA_TRACK_NEW ? VMA_TRACK_ON :
		    (enum vma_track)state;
	}
	if (initial && t->busy_at != 0) {
		free(rec);
		errno = EBUSY;
		return -1;
	}
	free(t->rec);
	t->rec = rec;
	t->nrec = snap->nvma;

	t->stats.armed_vmas = 0;
	t->stats.armed_pages = 0;
	for (i = 0; i < t->nrec; i++) {
		if (rec[i].state != VMA_TRACK_ON)
			continue;
		t->stats.armed_vmas++;
		t->stats.armed_pages += (rec[i].end - rec[i].start) /
		    t->page_size;
	}
	return track_arm_new(t, snap);
}

int
track_sync(struct track *t, struct snapshot *snap)
{
	return track_sync_vmas(t, snap, false);
}

void
track_mark(struct track *t, struct snapshot *snap)
{
	enum vma_track	state;
	size_t		i;

	snap->tracking = true;
	for (i = 0; i < snap->nvma; i++) {
		state = track_recorded(t, snap->vma[i].info.start,
		    snap->vma[i].info.end);
		snapshot_mark_tracked(snap, i, state == VMA_TRACK_ON ?
		    VMA_TRACK_NEW : state);
	}
}

/* The message of a failed first arming. */
static int
track_fail_start(struct track *t, int err, char **cause)
{
	if (err == EBUSY) {
		if (asprintf(cause, "pid %d already uses a userfaultfd (its "
		    "VMA at %llx is registered), and the kernel allows one "
		    "per VMA", t->pid, (unsigned long long)t->busy_at) == -1)
			*cause = NULL;
	} else if (asprintf(cause, "pid %d: %s", t->pid,
	    err == ESRCH ? "exited" : strerror(err)) == -1)
		*cause = NULL;
	return -1;
}

/*
 * Ask for asynchronous write-protect, then register and arm the VMAs of
 * the target's maps as they are now. Returns 0 or -1 with *cause.
 */
static int
track_start(struct track *t, char **cause)
{
	struct uffdio_api	 api;
	struct vma_list		 list = { 0 };
	struct snapshot		*snap;
	char			 path[64];
	int			 fd, rc, err;

	memset(&api, 0, sizeof api);
	api.api = UFFD_API;
	api.features = UFFD_FEATURE_WP_ASYNC;
	if (ioctl(t->uffd, UFFDIO_API, &api) == -1 ||
	    !(api.features & UFFD_FEATURE_WP_ASYNC)) {
		if (asprintf(cause, "this kernel has no asynchronous "
		    "write-protect for userfaultfd (Linux 6.7 or later has "
		    "it): %s", strerror(errno)) == -1)
			*cause = NULL;
		return -1;
	}

	snprintf(path, sizeof path, "/proc/%d/maps", t->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	snap = snapshot_create(t->page_size);
	if (fd == -1 || snap == NULL || maps_read(fd, TRACK_USER_LIMIT, &list,
	    cause) == -1 || snapshot_take_vmas(snap, &list) == -1) {
		err = errno;
		if (fd != -1)
			close(fd);
		vma_list_clear(&list);
		snapshot_unref(snap);
		if (*cause != NULL)
			return -1;
		return track_fail_start(t, err, cause);
	}
	close(fd);

	rc = track_sync_vmas(t, snap, true);
	err = errno;
	snapshot_unref(snap);
	t->last_collect = pace_now();
	return rc == -1 ? track_fail_start(t, err, cause) : 0;
}

/* A tracker around uffd for pid, with its pagemap open; not started. */
static struct track *
track_create(int pid, int uffd, char **cause)
{
	struct track	*t;
	char		 path[64];

	t = calloc(1, sizeof *t);
	if (t == NULL || (t->vec = calloc(TRACK_VEC_LEN,
	    sizeof *t->vec)) == NULL) {
		free(t);
		close(uffd);
		*cause = strdup("out of memory");
		return NULL;
	}
	t->pid = pid;
	t->uffd = uffd;
	t->page_size = (uint64_t)sysconf(_SC_PAGESIZE);

	snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
	t->pagemap_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (t->pagemap_fd == -1) {
		if (asprintf(cause, "%s: %s", path, strerror(errno)) == -1)
			*cause = NULL;
		track_destroy(t);
		return NULL;
	}
	return t;
}

struct track *
track_adopt(int pid, int uffd, char **cause)
{
	struct track	*t;

	*cause = NULL;
	t = track_create(pid, uffd, cause);
	if (t != NULL && track_start(t, cause) == -1) {
		track_destroy(t);
		return NULL;
	}
	return t;
}

struct track *
track_attach(int pid, bool force, char **cause)
{
	struct track	*t;
	double		 stopped = 0;
	int		 uffd;

	*cause = NULL;
	uffd = inject_userfaultfd(pid, O_CLOEXEC | O_NONBLOCK |
	    UFFD_USER_MODE_ONLY, force, &stopped, cause);
	if (uffd == -1)
		return NULL;
	t = track_adopt(pid, uffd, cause);
	if (t != NULL)
		t->stats.stopped_seconds = stopped;
	return t;
}

struct track *
track_launch(char *const argv[], enum inject_stdio stdio, char **cause)
{
	struct track	*t;
	pid_t		 pid;
	int		 uffd;

	pid = inject_spawn(argv, stdio, cause);
	if (pid == -1)
		return NULL;

	/* Armed while it is stopped after exec: tracked from the start. */
	uffd = inject_userfaultfd_stopped(pid, O_CLOEXEC | O_NONBLOCK |
	    UFFD_USER_MODE_ONLY, cause);
	t = uffd == -1 ? NULL : track_adopt(pid, uffd, cause);
	if (t != NULL)
		t->launched = true;
	if (t == NULL || inject_resume(pid) == -1) {
		if (t != NULL && *cause == NULL &&
		    asprintf(cause, "%s: %s", argv[0], strerror(errno)) == -1)
			*cause = NULL;
		track_destroy(t);
		inject_abort(pid);
		return NULL;
	}
	return t;
}

void
track_destroy(struct track *t)
{
	if (t == NULL)
		return;
	if (t->uffd != -1)
		close(t->uffd);
	if (t->pagemap_fd != -1)
		close(t->pagemap_fd);
	free(t->vec);
	free(t->rec);
	free(t);
}

int
track_pid(const struct track *t)
{
	return t->pid;
}

bool
track_launched(const struct track *t)
{
	return t->launched;
}

void
track_get_stats(const struct track *t, struct track_stats *stats)
{
	*stats = t->stats;
}
