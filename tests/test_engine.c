/*
 * Engine thread tests: snapshots are published and taken without either
 * side waiting, the newest wins, pause and requests take effect, and the
 * raster follows the request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "scan/engine.h"
#include "scan/pagescan.h"
#include "util/target.h"

static struct pagescan_caps caps;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait up to timeout seconds for a snapshot; NULL if none came. */
static struct snapshot *
wait_snapshot(struct engine *e, double timeout)
{
	struct pollfd	 pfd = { .fd = engine_fd(e), .events = POLLIN };
	struct snapshot	*s;
	double		 end = now() + timeout;

	while (now() < end) {
		if (poll(&pfd, 1, 50) == 1 && (s = engine_take(e)) != NULL)
			return s;
	}
	return NULL;
}

static void
layout_256m(struct test_child *c, void *arg)
{
	size_t	 len = (size_t)256 << 20;
	char	*p;

	(void)arg;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 1, len);
	c->start[0] = (uintptr_t)p;
	c->end[0] = (uintptr_t)p + len;
}

static void
test_engine_publishes_at_interval(void **state)
{
	struct engine_request	 req = { .categories = CAT_ALL,
	    .interval_ms = 50 };
	struct test_child	 c;
	struct snapshot		*s;
	struct engine		*e;
	char			*cause;
	uint64_t		 last = 0;
	int			 i;

	(void)state;
	assert_int_equal(test_child_spawn(layout_256m, NULL, &c), 0);
	e = engine_create(&caps, &cause);
	assert_non_null(e);
	engine_set_request(e, &req);
	engine_set_target(e, c.pid);
	assert_int_equal(engine_start(e), 0);

	for (i = 0; i < 5; i++) {
		s = wait_snapshot(e, 10);
		assert_non_null(s);
		assert_int_equal(s->state, TARGET_OK);
		assert_int_equal(s->pid, c.pid);
		assert_true(s->seq > last);
		last = s->seq;
		snapshot_unref(s);
	}
	engine_destroy(e);
	test_child_kill(c.pid);
}

/* A consumer that takes rarely gets the newest, never a backlog. */
static void
test_engine_newest_wins(void **state)
{
	struct engine_request	 req = { .categories = CAT_ALL,
	    .interval_ms = 10 };
	struct snapshot		*a, *b;
	struct engine		*e;
	char			*cause;

	(void)state;
	e = engine_create(&caps, &cause);
	engine_set_request(e, &req);
	engine_set_target(e, getpid());
	assert_int_equal(engine_start(e), 0);

	a = wait_snapshot(e, 10);
	assert_non_null(a);
	usleep(300 * 1000);
	b = wait_snapshot(e, 10);
	assert_non_null(b);
	/* Many refreshes happened; only the last one is handed over. */
	assert_true(b->seq > a->seq + 3);

	/* The old snapshot stays valid while held. */
	assert_int_equal(a->state, TARGET_OK);
	assert_true(a->nvma > 0);
	snapshot_unref(a);
	snapshot_unref(b);
	engine_destroy(e);
}

/* Paused: nothing published until a refresh is asked for. */
static void
test_engine_pause_and_refresh(void **state)
{
	struct engine_request	 req = { .categories = CAT_ALL,
	    .interval_ms = 10 };
	struct snapshot		*s;
	struct engine		*e;
	char			*cause;
	uint64_t		 seq;

	(void)state;
	e = engine_create(&caps, &cause);
	engine_set_request(e, &req);
	engine_set_target(e, getpid());
	assert_int_equal(engine_start(e), 0);
	s = wait_snapshot(e, 10);
	assert_non_null(s);
	snapshot_unref(s);

	req.paused = true;
	engine_set_request(e, &req);
	s = wait_snapshot(e, 5);	/* the refresh the request caused */
	assert_non_null(s);
	seq = s->seq;
	snapshot_unref(s);
	assert_null(wait_snapshot(e, 0.5));

	/* Idle: the refresh asked for is the next one, and says so. */
	assert_int_equal(engine_refresh(e), seq + 1);
	s = wait_snapshot(e, 10);
	assert_non_null(s);
	assert_int_equal(s->seq, seq + 1);
	snapshot_unref(s);
	engine_destroy(e);
}

/* Requests are served at once, with a raster of the asked window. */
static void
test_engine_request_window(void **state)
{
	struct engine_request	 req = { .categories = CAT_ALL,
	    .interval_ms = 60000 };
	struct test_child	 c;
	struct snapshot		*s;
	struct engine		*e;
	char			*cause;
	double			 t0;
	size_t			 i;
	uint64_t		 present = 0;

	(void)state;
	assert_int_equal(test_child_spawn(layout_256m, NULL, &c), 0);
	e = engine_create(&caps, &cause);
	engine_set_request(e, &req);
	engine_set_target(e, c.pid);
	assert_int_equal(engine_start(e), 0);
	s = wait_snapshot(e, 10);
	assert_non_null(s);
	assert_null(s->raster);
	snapshot_unref(s);

	/* Despite a one-minute interval, the new request comes at once. */
	req.window_start = c.start[0];
	req.window_end = c.end[0];
	req.ncells = 200;
	req.categories = CAT_BIT(CAT_PRESENT);
	t0 = now();
	engine_set_request(e, &req);
	assert_true(now() - t0 < 0.05);
	s = wait_snapshot(e, 10);
	assert_non_null(s);
	assert_non_null(s->raster);
	assert_int_equal(s->raster->ncells, 200);
	for (i = 0; i < s->raster->ncells; i++)
		present += s->raster->cell[i].n[CAT_PRESENT];
	assert_int_equal(present, (c.end[0] - c.start[0]) / caps.page_size);
	/* Only what was asked for is known. */
	i = (size_t)snapshot_find_vma(s, c.start[0]);
	assert_true(s->vma[i].known & CAT_BIT(CAT_PRESENT));
	assert_false(s->vma[i].known & CAT_BIT(CAT_SWAPPED));
	snapshot_unref(s);
	engine_destroy(e);
	test_child_kill(c.pid);
}

/* Switching targets, and a target that does not exist. */
static void
test_engine_retarget(void **state)
{
	struct engine_request	 req = { .categories = CAT_ALL,
	    .interval_ms = 1000 };
	struct test_child	 c;
	struct snapshot		*s;
	struct engine		*e;
	char			*cause;

	(void)state;
	assert_int_equal(test_child_spawn(layout_256m, NULL, &c), 0);
	e = engine_create(&caps, &cause);
	engine_set_request(e, &req);
	engine_set_target(e, c.pid);
	assert_int_equal(engine_start(e), 0);
	s = wait_snapshot(e, 10);
	assert_int_equal(s->pid, c.pid);
	snapshot_unref(s);

	engine_set_target(e, getpid());
	do {
		s = wait_snapshot(e, 10);
		assert_non_null(s);
		if (s->pid != getpid())
			snapshot_unref(s);
	} while (s->pid != getpid());
	assert_int_equal(s->state, TARGET_OK);
	snapshot_unref(s);

	test_child_kill(c.pid);
	engine_set_target(e, c.pid);
	do {
		s = wait_snapshot(e, 10);
		assert_non_null(s);
		if (s->pid != c.pid)
			snapshot_unref(s);
	} while (s->pid != c.pid);
	assert_int_equal(s->state, TARGET_NOT_FOUND);
	snapshot_unref(s);
	engine_destroy(e);
}

/* Asked for, the process list comes with each snapshot. */
static void
test_engine_process_list(void **state)
{
	struct engine_request	 req = { .categories = CAT_ALL,
	    .interval_ms = 1000, .processes = true };
	struct snapshot		*s;
	struct engine		*e;
	char			*cause;
	size_t			 i;
	int			 found = 0;

	(void)state;
	e = engine_create(&caps, &cause);
	engine_set_request(e, &req);
	assert_int_equal(engine_start(e), 0);
	s = wait_snapshot(e, 10);
	assert_non_null(s);
	assert_int_equal(s->state, TARGET_NONE);
	assert_non_null(s->procs);
	for (i = 0; i < s->procs->n; i++)
		found += s->procs->p[i].pid == getpid();
	assert_int_equal(found, 1);
	snapshot_unref(s);
	engine_destroy(e);
}

static int
setup(void **state)
{
	char	*cause = NULL;

	(void)state;
	return pagescan_probe(&caps, &cause) == 0 && caps.have_ioctl ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_publishes_at_interval),
		cmocka_unit_test(test_engine_newest_wins),
		cmocka_unit_test(test_engine_pause_and_refresh),
		cmocka_unit_test(test_engine_request_window),
		cmocka_unit_test(test_engine_retarget),
		cmocka_unit_test(test_engine_process_list),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
