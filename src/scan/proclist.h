/*
 * Reading the process list through libproc2 (procps-ng).
 */
#ifndef PMTOP_SCAN_PROCLIST_H
#define PMTOP_SCAN_PROCLIST_H

#include "model/procinfo.h"

struct proclist_reader;

/*
 * Create a reader; it keeps libproc2's context between reads. Returns
 * NULL with *cause set (allocated) if libproc2 cannot start. A reader
 * belongs to the thread that created it (libproc2 keeps per-thread
 * buffers).
 */
struct proclist_reader *proclist_reader_create(char **cause);
void proclist_reader_destroy(struct proclist_reader *r);

/*
 * Fill list (cleared first) with every process, threads excluded. A field
 * that cannot be read (smaps of another user's process, say) is left out
 * of procinfo.known, never reported as 0. Returns 0, or -1 with *cause.
 */
int proclist_read(struct proclist_reader *r, struct proclist *list,
    char **cause);

#endif
