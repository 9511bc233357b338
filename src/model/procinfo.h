/*
 * The process list: one record per process, as the picker and the -p NAME
 * lookup see it. Plain data and pure functions over it; scan/proclist.c
 * fills it from libproc2.
 */
#ifndef PMTOP_MODEL_PROCINFO_H
#define PMTOP_MODEL_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bits of procinfo.known: which of the numeric and text fields are real. */
#define PROC_KNOWN_USER		0x01
#define PROC_KNOWN_CMDLINE	0x02
#define PROC_KNOWN_RSS		0x04
#define PROC_KNOWN_SWAP		0x08
#define PROC_KNOWN_VSZ		0x10

struct procinfo {
	int		 pid;
	char		*user;		/* owned; "" when unknown */
	char		*comm;		/* owned, raw bytes; never NULL */
	char		*cmdline;	/* owned, args joined by ' '; "" */
	uint64_t	 rss_kib;
	uint64_t	 swap_kib;
	uint64_t	 vsz_kib;
	unsigned int	 known;		/* PROC_KNOWN_* */
	char		 state;		/* R, S, D, Z, T, ... */
	bool		 kthread;	/* kernel thread: nothing to scan */
	bool		 readable;	/* this user may open its pagemap */
	int		 pagemap_errno;	/* why it did not open, or 0 */
};

struct proclist {
	struct procinfo	*p;
	size_t		 n;
	size_t		 cap;
};

enum proc_sort_key {
	PROC_SORT_PID,
	PROC_SORT_USER,
	PROC_SORT_RSS,
	PROC_SORT_SWAP,
	PROC_SORT_VSZ,
	PROC_SORT_COMMAND
};

/*
 * Why pmtop cannot read p's memory, in one line for the user, or NULL if
 * it can. Worked out from the record alone (the kernel thread flag, the
 * state, pagemap_errno); buf (size bytes) holds the line when it is not
 * a constant string.
 */
const char *procinfo_unreadable_reason(const struct procinfo *p, char *buf,
    size_t size);

/* Free every record and empty the list; it can be reused. */
void proclist_clear(struct proclist *list);

/*
 * Append a record; the list takes ownership of its strings. -1 on ENOMEM
 * (the strings are then freed).
 */
int proclist_append(struct proclist *list, struct procinfo *info);

/*
 * Sort by key; unknown values sort after known ones in either direction,
 * ties by pid.
 */
void proclist_sort(struct proclist *list, enum proc_sort_key key,
    bool descending);

/*
 * The same order for n indexes into list, leaving the list itself as it
 * is (a published snapshot's list must not change).
 */
void proclist_sort_index(const struct proclist *list, size_t *index,
    size_t n, enum proc_sort_key key, bool descending);

/*
 * Resolve what the user typed after -p: a decimal pid, or a name matched
 * exactly against comm, then against the basename of argv[0]. Kernel
 * threads only match by pid. Returns the pid, or -1 with *cause set
 * (allocated) to a one-line reason: nothing matches, or several do (it
 * names up to five of their pids).
 */
int proclist_resolve(const struct proclist *list, const char *spec,
    char **cause);

#endif
