/*
 * Pacing of the reads that take a target's mmap lock (PAGEMAP_SCAN calls,
 * pagemap preads), so that a scan never starves the target's own mmap,
 * munmap, mprotect or brk. A reader that drops the lock and takes it
 * again at once keeps a waiting writer out: the writer, woken by the
 * release, finds the lock read-held again by the time it runs, and
 * readers may pass a waiting writer until it has waited several
 * milliseconds. Back to back, 1 ms calls over dense memory kept a
 * target's mmap+munmap out for up to 17 ms at a time and let it through
 * about 200 times a second; with a pause of 20-50 us after each
 * millisecond of calls, the worst was 4 ms and 18,000-28,000 got through
 * a second.
 */
#ifndef PMTOP_SCAN_PACE_H
#define PMTOP_SCAN_PACE_H

#include <stdint.h>

/* Back-to-back call time after which the next call waits, in seconds. */
#define PACE_HOLD	0.001

/*
 * How long it waits, and how far apart calls are not back to back. A
 * sleep lasts this plus the thread's timer slack (50 us by default),
 * which the engine's thread makes 1 us.
 */
#define PACE_PAUSE	0.00003

struct pace {
	double		held;		/* seconds of calls back to back */
	double		last_end;	/* when the last call returned */
	uint64_t	pauses;		/* waits made */
};

/* Seconds on the monotonic clock. */
double pace_now(void);

/*
 * Before a call that takes the lock: wait PACE_PAUSE first if the calls
 * before it held the lock back to back for PACE_HOLD. Any thread; one
 * thread at a time per struct pace, which starts zeroed.
 */
void pace_before(struct pace *p);

/* After the call, with the times it started and returned. */
void pace_after(struct pace *p, double start, double end);

#endif
