/*
 * Batch output: a snapshot as a text table or as one JSON document.
 * Pure formatting over a snapshot; nothing here reads the system.
 */
#ifndef PMTOP_MODEL_REPORT_H
#define PMTOP_MODEL_REPORT_H

#include "model/buf.h"
#include "model/snapshot.h"

/*
 * A per-VMA table in the spirit of pmap -X: address range, perms, size
 * (KiB), then pages present, swapped, file, zero, huge, written (while
 * write tracking is on: pages written since the previous refresh), and
 * the name, escaped; then a totals line. Unknown counts print as "n/a".
 * A snapshot whose state is not TARGET_OK prints only a header line with
 * the state.
 */
void report_text(struct buf *out, const struct snapshot *s);

/*
 * One JSON document on one line, newline-terminated, with exactly the
 * fields pid, comm, time, page_size, backend, supported, vmas, totals
 * (see man/pmtop.1). Unknown counts are null.
 */
void report_json(struct buf *out, const struct snapshot *s);

#endif
