/*
 * Pacing of lock-taking reads (pace.h): the time of calls made back to
 * back is summed, and once it reaches PACE_HOLD the next call sleeps
 * PACE_PAUSE first, which is long enough for a woken writer to run and
 * take the lock. Calls made further apart than the pause have let
 * writers in already and start the sum again.
 */
#include <time.h>

#include "scan/pace.h"

double
pace_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
pace_before(struct pace *p)
{
	struct timespec	ts = { 0, (long)(PACE_PAUSE * 1e9) };

	if (pace_now() - p->last_end >= PACE_PAUSE)
		p->held = 0;
	if (p->held < PACE_HOLD)
		return;

	/* EINTR cuts the pause short, which costs a writer little. */
	nanosleep(&ts, NULL);
	p->held = 0;
	p->pauses++;
}

void
pace_after(struct pace *p, double start, double end)
{
	p->held += end - start;
	p->last_end = end;
}
