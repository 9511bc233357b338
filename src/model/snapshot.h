/*
 * A snapshot: one refresh's answer about one process. The engine builds
 * it on its thread, publishes it, and never changes it again; any number
 * of readers may then hold references on any thread.
 *
 * Counts are in pages. A count is known only where its bit is set in the
 * matching "known" mask: unknown counts are shown as null or "n/a", never
 * as 0. The counts mean:
 *   present	pages mapped to a frame, the zero page included
 *   swapped	real swap entries: guard markers are not counted; in shmem
 *		VMAs it is unknown (the kernel reports no swap entry for
 *		swapped shmem) as it is in write-tracked VMAs (uffd-wp
 *		markers look like swap entries there)
 *   file	page cache and shmem pages
 *   pfnzero	pages mapped to the shared zero page
 *   huge	pages mapped by a huge page, the huge zero page excluded
 *   written	pages written since the previous refresh: known only in
 *		VMAs write tracking has armed since then (VMA_TRACK_ON)
 *   others	the page carries that category bit
 * So present - pfnzero equals smaps Rss, and huge equals AnonHugePages +
 * ShmemPmdMapped + FilePmdMapped.
 */
#ifndef PMTOP_MODEL_SNAPSHOT_H
#define PMTOP_MODEL_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/category.h"
#include "model/procinfo.h"
#include "model/raster.h"
#include "model/vma.h"

enum target_state {
	TARGET_NONE,		/* no target chosen yet */
	TARGET_OK,		/* scanned */
	TARGET_NOT_FOUND,	/* no such process */
	TARGET_EXITED,		/* it was scanned, then exited */
	TARGET_KTHREAD,		/* a kernel thread: no user memory */
	TARGET_ZOMBIE,		/* exited, not yet reaped */
	TARGET_DENIED,		/* its pagemap cannot be opened */
	TARGET_ERROR		/* anything else; see error */
};

enum backend {
	BACKEND_IOCTL,		/* PAGEMAP_SCAN */
	BACKEND_PAGEMAP		/* classic 8-byte pagemap entries */
};

/*
 * Write tracking of one VMA. Only VMA_TRACK_ON has a written count; a
 * VMA armed in this refresh has one from the next. The skipped ones are
 * not registered with the kernel at all.
 */
enum vma_track {
	VMA_TRACK_OFF,		/* tracking is off */
	VMA_TRACK_ON,		/* armed since the previous refresh */
	VMA_TRACK_NEW,		/* armed in this refresh */
	VMA_TRACK_PROT_NONE,	/* skipped: no access, nothing to write */
	VMA_TRACK_SPARSE,	/* skipped: large and mostly unpopulated, */
				/* arming would cost page tables */
	VMA_TRACK_SPECIAL,	/* skipped: vdso, vvar, vsyscall */
	VMA_TRACK_REFUSED,	/* the kernel refused it (read-only shared */
				/* file, shadow stack...) */
	VMA_TRACK_BUSY		/* another userfaultfd has it */
};

struct snap_vma {
	struct vma_info	 info;
	uint64_t	 pages;			/* (end - start) / page_size */
	uint64_t	 count[CAT_COUNT];
	cat_mask	 known;			/* which counts are known */
	uint64_t	 covered;		/* pages the kernel reported */
	cat_mask	 asked;			/* bits asked of the kernel */
	bool		 scanned;		/* asked at all */
	enum vma_track	 track;
};

/* Pages written, [start, end), as write tracking reported them. */
struct snap_run {
	uint64_t	start;
	uint64_t	end;
};

struct snapshot {
	atomic_int		 refs;

	uint64_t		 seq;		/* 1, 2, ... per engine */
	int			 pid;
	char			*comm;		/* raw bytes, never NULL; */
						/* "" if gone when read */
	double			 time;		/* Unix seconds, when taken */
	uint64_t		 page_size;
	enum backend		 backend;
	cat_mask		 supported;	/* bits the kernel reports */

	enum target_state	 state;
	int			 error_errno;	/* errno behind the state */
	char			*error;		/* one line for the user */
	unsigned int		 execs;		/* execs seen since attach */

	struct snap_vma		*vma;
	size_t			 nvma;

	uint64_t		 total_pages;
	uint64_t		 total[CAT_COUNT];
	cat_mask		 total_known;	/* known in some VMA */

	/*
	 * Write tracking. The message says what tracking last did (on,
	 * off, refused, ended); msg_seq grows with each new one, so that a
	 * consumer shows it once even if it missed the snapshot that
	 * brought it.
	 */
	bool			 tracking;	/* on in this refresh */
	double			 track_seconds;	/* what written covers */
	char			*track_msg;	/* one line, or NULL */
	uint64_t		 track_msg_seq;
	bool			 track_msg_error;

	/* Written runs, ascending; only while building. */
	struct snap_run		*written;
	size_t			 nwritten;
	size_t			 written_cap;
	size_t			 written_cursor;

	struct raster		*raster;	/* the request's window */
	struct proclist		*procs;		/* every process, if asked */
	char			*procs_error;	/* why procs is NULL, if asked */
	double			 scan_seconds;	/* time the scan took */
	uint64_t		 scan_calls;	/* reads of pages it made */
};

/* A new, empty snapshot with one reference, or NULL (ENOMEM). */
struct snapshot *snapshot_create(uint64_t page_size);

/* Take one more reference; any thread. */
struct snapshot *snapshot_ref(struct snapshot *s);

/* Drop a reference; the last one frees. NULL is ignored. Any thread. */
void snapshot_unref(struct snapshot *s);

/* Set the state and the one-line error text (copied). -1 on ENOMEM. */
int snapshot_set_error(struct snapshot *s, enum target_state state,
    int error_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Set comm (len bytes, copied). -1 on ENOMEM. */
int snapshot_set_comm(struct snapshot *s, const char *comm, size_t len);

/*
 * Take the VMAs of list into the snapshot (the list is left empty: names
 * move, they are not copied). -1 on ENOMEM.
 */
int snapshot_take_vmas(struct snapshot *s, struct vma_list *list);

/*
 * Building, on the engine's thread only, before the snapshot is
 * published. snapshot_mark_scanned() records that VMA i was asked for
 * the bits in asked; snapshot_add_region() accounts a region the kernel
 * returned, splitting it at VMA boundaries; *cursor is a VMA index the
 * caller keeps (start it at 0) so that ascending regions cost O(1) each.
 * snapshot_finish() turns coverage and asked bits into known masks and
 * sums the totals.
 */
void snapshot_mark_scanned(struct snapshot *s, size_t i, cat_mask asked);
void snapshot_add_region(struct snapshot *s, size_t *cursor, uint64_t start,
    uint64_t end, cat_mask cats);
void snapshot_finish(struct snapshot *s);

/*
 * Write tracking, also while building. snapshot_add_written() records
 * pages written, before the regions are added: snapshot_add_region()
 * then adds PAGE_IS_WRITTEN to the pages they cover (so that counts,
 * raster and filter see one set of categories per page). Runs must come
 * in ascending order; -1 on ENOMEM. snapshot_mark_tracked() sets the
 * tracking state of VMA i; VMA_TRACK_ON makes its written count known.
 */
int snapshot_add_written(struct snapshot *s, uint64_t start, uint64_t end);
void snapshot_mark_tracked(struct snapshot *s, size_t i,
    enum vma_track track);

/* Set the tracking message (copied) and its sequence. -1 on ENOMEM. */
int snapshot_set_track_msg(struct snapshot *s, uint64_t seq, bool error,
    const char *msg);

/* "tracked", "new", "PROT_NONE", "sparse", ... for a tracking state. */
const char *vma_track_name(enum vma_track track);

/* Index of the VMA holding addr, or -1. */
long snapshot_find_vma(const struct snapshot *s, uint64_t addr);

/* Human names for states ("exited", "kernel thread", ...). */
const char *snapshot_state_name(enum target_state state);

/* "ioctl" or "pagemap". */
const char *snapshot_backend_name(enum backend backend);

#endif
