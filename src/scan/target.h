/*
 * A target: one process pmtop reads, opened once and followed across
 * refreshes. It holds a pidfd (which tells exit apart from pid reuse) and
 * the pagemap fd, which is bound to the mm the process had at open time.
 * Only reads are ever made; nothing here writes to, signals or traces the
 * process.
 */
#ifndef PMTOP_SCAN_TARGET_H
#define PMTOP_SCAN_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "model/snapshot.h"
#include "model/vma.h"

struct target;

/*
 * Open pid. On success returns the target and sets *state to TARGET_OK.
 * Otherwise returns NULL and sets *state (TARGET_NOT_FOUND, TARGET_KTHREAD,
 * TARGET_ZOMBIE, TARGET_DENIED, TARGET_ERROR), *err to the errno behind it
 * and *cause (allocated) to a one-line message for the user that says
 * what would help.
 */
struct target *target_open(int pid, enum target_state *state, int *err,
    char **cause);

void target_close(struct target *t);

int target_pid(const struct target *t);

/* The pagemap fd; valid until target_close() or target_reopen(). */
int target_pagemap_fd(const struct target *t);

/* True once the process has exited (its pidfd is readable). */
bool target_exited(const struct target *t);

/*
 * After ESRCH from the pagemap fd with the process still alive, it has
 * exec'd: open the new mm's pagemap. Returns 0, or -1 with errno.
 */
int target_reopen(struct target *t);

/*
 * Read the current maps into list. Returns 0, or -1 with errno (ESRCH
 * once gone) and, for a parse error, *cause. An empty list means the
 * process has no memory any more (it exited or is exiting).
 */
int target_read_maps(struct target *t, uint64_t user_limit,
    struct vma_list *list, char **cause);

/*
 * Mark the file VMAs of list whose file system is tmpfs (shmem), from the
 * target's mountinfo: swapped tmpfs pages leave no trace in page tables,
 * so their swapped count cannot be known. Mark those on devtmpfs and
 * sysfs as device memory (vma_may_be_pfnmap()). Returns 0 or -1 with
 * errno.
 */
int target_mark_tmpfs(const struct target *t, struct vma_list *list);

/*
 * From a stat file (/proc/PID/stat or /proc/PID/task/TID/stat): the state
 * letter and the task flags. -1 if it cannot be read (gone).
 */
int target_read_stat(const char *path, char *state, unsigned long *flags);

/* Read comm (without its newline) into buf. Returns length or -1. */
int target_read_comm(struct target *t, char *buf, size_t size);

/*
 * Read the comm of a process that is not open as a target (one that
 * target_open() refused: any user may read another's comm), without its
 * newline, into buf. Returns length or -1 (gone).
 */
int target_read_comm_of(int pid, char *buf, size_t size);

#endif
