/*
 * What write tracking costs the process it watches. A child writes one
 * byte in every page of a 256 MiB buffer, pass after pass, a fixed number
 * of passes (about 2.5 s of work), and says how long that took. It runs
 * alone, then watched by pmtop's engine without tracking and with it,
 * refreshing every second and every 0.1 s: each tracked refresh re-arms
 * every page, so the pass after it takes a write-protect fault per page.
 * The times are printed as ratios to the run alone and to the untracked
 * run at the same refresh (what tracking itself adds), the median of
 * five runs each, the five kinds of run taking turns so that a change
 * in the machine's load falls on all of them, with what attaching cost.
 * Asserts nothing: machines are noisy.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scan/engine.h"
#include "scan/pagescan.h"
#include "scan/track.h"

#define BENCH_BYTES	((size_t)256 << 20)
#define BENCH_RUNS	5
#define BENCH_WORK	2.5		/* seconds of passes, alone */

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A writer: populated and waiting for the go. */
struct writer {
	pid_t	pid;
	int	go;		/* write a byte to start it */
	int	result;		/* its seconds come back here */
};

static void __attribute__((noreturn))
writer_main(long passes, int go, int result)
{
	volatile char	*buf;
	size_t		 page = (size_t)sysconf(_SC_PAGESIZE), off;
	double		 t0, dt;
	long		 p;
	char		 c;

	buf = mmap(NULL, BENCH_BYTES, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		_exit(1);
	madvise((void *)buf, BENCH_BYTES, MADV_NOHUGEPAGE);
	for (off = 0; off < BENCH_BYTES; off += page)
		buf[off] = 1;
	if (write(result, "r", 1) != 1 || read(go, &c, 1) != 1)
		_exit(1);

	t0 = now();
	for (p = 0; p < passes; p++) {
		for (off = 0; off < BENCH_BYTES; off += page)
			buf[off]++;
	}
	dt = now() - t0;
	if (write(result, &dt, sizeof dt) != sizeof dt)
		_exit(1);
	_exit(0);
}

static int
writer_spawn(struct writer *w, long passes)
{
	int	go[2], result[2];
	char	c;

	if (pipe(go) == -1 || pipe(result) == -1)
		return -1;
	w->pid = fork();
	if (w->pid == -1)
		return -1;
	if (w->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		close(result[0]);
		writer_main(passes, go[0], result[1]);
	}
	close(go[0]);
	close(result[1]);
	w->go = go[1];
	w->result = result[0];
	return read(w->result, &c, 1) == 1 ? 0 : -1;
}

/* Start it, wait for its time, reap it. */
static double
writer_run(struct writer *w)
{
	double	dt = -1;

	if (write(w->go, "g", 1) != 1 ||
	    read(w->result, &dt, sizeof dt) != sizeof dt)
		dt = -1;
	waitpid(w->pid, NULL, 0);
	close(w->go);
	close(w->result);
	return dt;
}

/* How the writer is watched. */
enum watch {
	WATCH_NONE,		/* alone */
	WATCH_SCAN,		/* pmtop's engine, no tracking */
	WATCH_TRACK		/* pmtop's engine, tracking */
};

struct attach_cost {
	double	stopped;	/* the target, for the injection */
	double	attach;		/* track_attach(), all of it */
	double	arm;		/* of which arming */
	size_t	vmas;
};

/* One timed run of passes, watched as asked every interval_ms. */
static double
bench_once(const struct pagescan_caps *caps, long passes, enum watch how,
    unsigned int interval_ms, struct attach_cost *cost)
{
	struct engine_request	 req = { 0 };
	struct track_stats	 st;
	struct writer		 w;
	struct engine		*e = NULL;
	struct track		*t;
	char			*cause = NULL;
	double			 t0, dt;

	if (writer_spawn(&w, passes) == -1)
		return -1;
	if (how != WATCH_NONE) {
		e = engine_create(caps, &cause);
		if (e == NULL)
			goto fail;
	}
	if (how == WATCH_TRACK) {
		if (track_unsupported(caps) != NULL) {
			cause = strdup(track_unsupported(caps));
			goto fail;
		}
		t0 = now();
		t = track_attach(w.pid, false, &cause);
		if (t == NULL)
			goto fail;
		cost->attach = now() - t0;
		track_get_stats(t, &st);
		cost->stopped = st.stopped_seconds;
		cost->arm = st.arm_seconds;
		cost->vmas = st.armed_vmas;
		engine_set_tracker(e, t);
		req.track = true;
	}
	if (e != NULL) {
		req.categories = CAT_ALL;
		req.interval_ms = interval_ms;
		engine_set_request(e, &req);
		engine_set_target(e, w.pid);
		if (engine_start(e) == -1)
			goto fail;
	}
	dt = writer_run(&w);
	engine_destroy(e);
	return dt;

fail:
	fprintf(stderr, "bench_track: %s\n", cause != NULL ? cause :
	    strerror(errno));
	free(cause);
	engine_destroy(e);
	kill(w.pid, SIGKILL);
	waitpid(w.pid, NULL, 0);
	return -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The kinds of run, in the order they take turns. */
static const struct bench_kind {
	enum watch	how;
	unsigned int	interval_ms;
} bench_kinds[] = {
	{ WATCH_NONE, 0 },
	{ WATCH_SCAN, 1000 },
	{ WATCH_TRACK, 1000 },
	{ WATCH_SCAN, 100 },
	{ WATCH_TRACK, 100 },
};

#define BENCH_KINDS (sizeof bench_kinds / sizeof bench_kinds[0])

/* The median time of each kind into med[]; -1 if a run failed. */
static int
bench_all(const struct pagescan_caps *caps, long passes, double *med,
    struct attach_cost *cost)
{
	double	t[BENCH_KINDS][BENCH_RUNS];
	size_t	k;
	int	i;

	for (i = 0; i < BENCH_RUNS; i++) {
		for (k = 0; k < BENCH_KINDS; k++) {
			t[k][i] = bench_once(caps, passes, bench_kinds[k].how,
			    bench_kinds[k].interval_ms, cost);
			if (t[k][i] < 0)
				return -1;
		}
	}
	for (k = 0; k < BENCH_KINDS; k++) {
		qsort(t[k], BENCH_RUNS, sizeof t[k][0], cmp_double);
		med[k] = t[k][BENCH_RUNS / 2];
	}
	return 0;
}

int
main(void)
{
	struct pagescan_caps	caps;
	struct attach_cost	cost = { 0 };
	char			*cause = NULL;
	double			med[BENCH_KINDS], probe;
	double			alone, scan1, scan01, slow, fast;
	long			passes;

	if (pagescan_probe(&caps, &cause) == -1 || !caps.have_ioctl) {
		fprintf(stderr, "bench_track: %s\n", cause != NULL ? cause :
		    "this kernel has no PAGEMAP_SCAN");
		return 1;
	}

	/* Passes for about BENCH_WORK seconds alone. */
	probe = bench_once(&caps, 20, WATCH_NONE, 0, &cost);
	if (probe <= 0)
		return 1;
	passes = (long)(BENCH_WORK / probe * 20);
	if (passes < 20)
		passes = 20;

	if (bench_all(&caps, passes, med, &cost) == -1)
		return 1;
	alone = med[0];
	scan1 = med[1];
	slow = med[2];
	scan01 = med[3];
	fast = med[4];

	printf("writer: %ld passes over %zu MiB, one byte a page "
	    "(%.1f ns a page alone)\n", passes, BENCH_BYTES >> 20,
	    alone * 1e9 / ((double)passes * (double)(BENCH_BYTES / 4096)));
	printf("%-30s %8s %9s %12s\n", "", "seconds", "vs alone",
	    "vs untracked");
	printf("%-30s %8.2f %9.2f\n", "alone", alone, 1.0);
	printf("%-30s %8.2f %9.2f\n", "refresh every 1 s, untracked",
	    scan1, scan1 / alone);
	printf("%-30s %8.2f %9.2f %12.2f\n", "refresh every 1 s, tracked",
	    slow, slow / alone, slow / scan1);
	printf("%-30s %8.2f %9.2f\n", "refresh every 0.1 s, untracked",
	    scan01, scan01 / alone);
	printf("%-30s %8.2f %9.2f %12.2f\n", "refresh every 0.1 s, tracked",
	    fast, fast / alone, fast / scan01);
	printf("attach: %.1f ms (checks, injection, registering and arming "
	    "%zu VMAs), the target stopped %.2f ms, arming %.1f ms\n",
	    cost.attach * 1e3, cost.vmas, cost.stopped * 1e3,
	    cost.arm * 1e3);
	printf("summary: write tracking slows a write-heavy loop %.2fx at "
	    "1 s and %.2fx at 0.1 s (%.2fx and %.2fx the untracked run)\n",
	    slow / alone, fast / alone, slow / scan1, fast / scan01);
	return 0;
}
