/*
 * Scan tests on the real kernel: targets of known layout, started by the
 * test, stopped with SIGSTOP, scanned, and every category count checked
 * exactly. Also the target's life: exit, zombie, kernel thread, denied,
 * exec.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "demo.h"
#include "scan/engine.h"
#include "scan/pace.h"
#include "scan/pagescan.h"
#include "util/smaps.h"
#include "util/target.h"

static struct pagescan_caps caps;

static const struct engine_request all_categories = {
	.categories = CAT_ALL,
	.interval_ms = 1000,
};

/* Sum the raster cells of one category. */
static uint64_t
raster_sum(const struct raster *r, enum category c)
{
	uint64_t	sum = 0;
	size_t		i;

	for (i = 0; i < r->ncells; i++)
		sum += r->cell[i].n[c];
	return sum;
}

/* Scan pid with a raster over exactly [start, end), one page a cell. */
static struct snapshot *
scan_window(int pid, uint64_t start, uint64_t end)
{
	struct engine_request	 req = all_categories;
	struct snapshot		*s;

	req.window_start = start;
	req.window_end = end;
	req.ncells = (end - start) / caps.page_size;
	s = engine_scan_once(&caps, pid, &req);
	assert_non_null(s);
	assert_int_equal(s->state, TARGET_OK);
	assert_non_null(s->raster);
	assert_int_equal(s->raster->npages, (end - start) / caps.page_size);
	return s;
}

static const struct snap_vma *
vma_at(const struct snapshot *s, uint64_t addr)
{
	long	i = snapshot_find_vma(s, addr);

	assert_true(i >= 0);
	return &s->vma[i];
}

/* --- alternating pages: the walk_end trap ----------------------------- */

#define ALT_PAGES 204800	/* 102,400 present, 102,400 not */

static void
layout_alternating(struct test_child *c, void *arg)
{
	char	*p;
	size_t	 i;

	(void)arg;
	p = mmap(NULL, ALT_PAGES * c->page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	madvise(p, ALT_PAGES * c->page, MADV_NOHUGEPAGE);
	for (i = 0; i < ALT_PAGES; i += 2)
		p[i * c->page] = 1;
	c->start[0] = (uintptr_t)p;
	c->end[0] = (uintptr_t)p + ALT_PAGES * c->page;
}

struct region_log {
	uint64_t	start, end, last_end;
	uint64_t	regions, present, pages;
	int		out_of_order;
};

static void
region_log_cb(void *arg, uint64_t start, uint64_t end, cat_mask cats)
{
	struct region_log	*log = arg;

	if (start < log->last_end || end <= start)
		log->out_of_order++;
	log->last_end = end;
	log->regions++;
	log->pages += (end - start) / caps.page_size;
	if (cats & CAT_BIT(CAT_PRESENT))
		log->present += (end - start) / caps.page_size;
}

/*
 * More than 100,000 alternating regions: a loop that trusts walk_end
 * after a call of more than 512 regions reports the tail twice.
 */
static void
test_scan_alternating_pages_exactly_once(void **state)
{
	struct test_child	 c;
	struct region_log	 log = { 0 };
	struct pagescan_stats	 st;
	struct pagescan		*ps;
	struct snapshot		*s;
	const struct snap_vma	*v;
	char			 path[64];
	int			 fd;

	(void)state;
	assert_int_equal(test_child_spawn(layout_alternating, NULL, &c), 0);
	assert_int_equal(test_child_stop(c.pid), 0);

	snprintf(path, sizeof path, "/proc/%d/pagemap", c.pid);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	ps = pagescan_create(fd, &caps);
	assert_int_equal(pagescan_range(ps, c.start[0], c.end[0],
	    CAT_BIT(CAT_PRESENT), region_log_cb, &log), 0);
	pagescan_get_stats(ps, &st);
	assert_int_equal(log.out_of_order, 0);
	assert_int_equal(log.regions, ALT_PAGES);
	assert_int_equal(log.pages, ALT_PAGES);
	assert_int_equal(log.present, ALT_PAGES / 2);
	assert_int_equal(st.regions, ALT_PAGES);
	assert_true(st.calls >= ALT_PAGES / 4096);

	/*
	 * Populated-only: the kernel reports half as many regions, the
	 * gaps are filled in, and the result is the same, the trailing
	 * unpopulated page included.
	 */
	memset(&log, 0, sizeof log);
	assert_int_equal(pagescan_range_populated(ps, c.start[0] + c.page,
	    c.end[0], CAT_BIT(CAT_PRESENT), CAT_BIT(CAT_PRESENT),
	    region_log_cb, &log), 0);
	assert_int_equal(log.out_of_order, 0);
	assert_int_equal(log.regions, ALT_PAGES - 1);
	assert_int_equal(log.pages, ALT_PAGES - 1);
	assert_int_equal(log.present, ALT_PAGES / 2 - 1);
	pagescan_destroy(ps);
	close(fd);

	s = engine_scan_once(&caps, c.pid, &all_categories);
	v = vma_at(s, c.start[0]);
	assert_int_equal(v->pages, ALT_PAGES);
	assert_int_equal(v->covered, ALT_PAGES);
	assert_int_equal(v->count[CAT_PRESENT], ALT_PAGES / 2);
	assert_int_equal(v->count[CAT_SWAPPED], 0);
	assert_int_equal(v->count[CAT_PFNZERO], 0);
	assert_int_equal(v->count[CAT_FILE], 0);
	snapshot_unref(s);
	test_child_kill(c.pid);
}

/* --- VMAs the kernel merges into one region --------------------------- */

static void
layout_three_protections(struct test_child *c, void *arg)
{
	size_t	 pg = c->page;
	char	*p;

	(void)arg;
	p = mmap(NULL, 12 * pg, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 1, 12 * pg);
	/* Same categories throughout, three VMAs: r, rw, rwx. */
	mprotect(p, 4 * pg, PROT_READ);
	mprotect(p + 8 * pg, 4 * pg, PROT_READ | PROT_WRITE | PROT_EXEC);
	c->start[0] = (uintptr_t)p;
	c->end[0] = (uintptr_t)p + 12 * pg;
}

static void
test_scan_merged_regions_split_per_vma(void **state)
{
	struct test_child	 c;
	struct region_log	 log = { 0 };
	struct pagescan		*ps;
	struct snapshot		*s;
	const struct snap_vma	*v;
	char			 path[64];
	int			 fd, i;

	(void)state;
	assert_int_equal(test_child_spawn(layout_three_protections, NULL, &c),
	    0);
	assert_int_equal(test_child_stop(c.pid), 0);

	/* The kernel itself returns one region for all three VMAs. */
	snprintf(path, sizeof path, "/proc/%d/pagemap", c.pid);
	fd = open(path, O_RDONLY);
	ps = pagescan_create(fd, &caps);
	assert_int_equal(pagescan_range(ps, c.start[0], c.end[0],
	    CAT_BIT(CAT_PRESENT), region_log_cb, &log), 0);
	assert_int_equal(log.regions, 1);
	assert_int_equal(log.present, 12);
	pagescan_destroy(ps);
	close(fd);

	s = engine_scan_once(&caps, c.pid, &all_categories);
	for (i = 0; i < 3; i++) {
		v = vma_at(s, c.start[0] + (uint64_t)i * 4 * c.page);
		assert_int_equal(v->info.start,
		    c.start[0] + (uint64_t)i * 4 * c.page);
		assert_int_equal(v->pages, 4);
		assert_int_equal(v->count[CAT_PRESENT], 4);
	}
	assert_string_equal(vma_at(s, c.start[0])->info.perms, "r--p");
	assert_string_equal(vma_at(s, c.start[0] + 8 * c.page)->info.perms,
	    "rwxp");
	snapshot_unref(s);
	test_child_kill(c.pid);
}

/* --- a hole, then dense memory: calls cut by pages ------------------- */

#define HOLE_BYTES	((uint64_t)1 << 30)
#define DENSE_PAGES	(2 * PAGESCAN_PAGES_MAX)	/* two calls' worth */

static void
layout_hole_then_dense(struct test_child *c, void *arg)
{
	uint64_t	 dense = DENSE_PAGES * c->page;
	char		*p;

	(void)arg;
	p = mmap(NULL, HOLE_BYTES + dense, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED ||
	    mprotect(p + HOLE_BYTES, dense, PROT_READ | PROT_WRITE) == -1)
		_exit(1);
	madvise(p + HOLE_BYTES, dense, MADV_NOHUGEPAGE);
	memset(p + HOLE_BYTES, 1, dense);
	c->start[0] = (uintptr_t)p;
	c->end[0] = (uintptr_t)p + HOLE_BYTES + dense;
}

/*
 * A call that was quick because it crossed a GiB of nothing says
 * nothing of the dense memory behind it: sized by address range, the
 * next call took all the dense pages at once and held the target's mmap
 * lock for it. Both kinds of scan must stay within the page allowance
 * and still report every page once.
 */
static void
test_scan_calls_cut_by_pages(void **state)
{
	struct test_child	 c;
	struct region_log	 log;
	struct pagescan_stats	 st;
	struct pagescan		*ps;
	char			 path[64];
	uint64_t		 total;
	int			 fd, populated;

	(void)state;
	assert_int_equal(test_child_spawn(layout_hole_then_dense, NULL, &c),
	    0);
	assert_int_equal(test_child_stop(c.pid), 0);
	total = (c.end[0] - c.start[0]) / c.page;

	snprintf(path, sizeof path, "/proc/%d/pagemap", c.pid);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	for (populated = 0; populated < 2; populated++) {
		ps = pagescan_create(fd, &caps);
		memset(&log, 0, sizeof log);
		if (populated)
			assert_int_equal(pagescan_range_populated(ps,
			    c.start[0], c.end[0], CAT_BIT(CAT_PRESENT),
			    CAT_BIT(CAT_PRESENT), region_log_cb, &log), 0);
		else
			assert_int_equal(pagescan_range(ps, c.start[0],
			    c.end[0], CAT_BIT(CAT_PRESENT), region_log_cb,
			    &log), 0);
		pagescan_get_stats(ps, &st);
		assert_int_equal(log.out_of_order, 0);
		assert_int_equal(log.regions, 2);
		assert_int_equal(log.pages, total);
		assert_int_equal(log.present, DENSE_PAGES);
		assert_true(st.most_pages > 0);
		assert_true(st.most_pages <= PAGESCAN_PAGES_MAX);
		assert_true(st.calls >= (populated ? DENSE_PAGES : total) /
		    st.most_pages);
		pagescan_destroy(ps);
	}
	close(fd);
	test_child_kill(c.pid);
}

/* Calls back to back for a millisecond wait; spaced ones do not. */
static void
test_scan_pace(void **state)
{
	struct pace	p = { 0 };
	double		t0;

	(void)state;

	/* A call that ends in the future has just ended, however slow. */
	t0 = pace_now();
	pace_after(&p, t0, t0 + 0.1);
	pace_before(&p);
	assert_int_equal(p.pauses, 1);
	assert_true(pace_now() - t0 >= PACE_PAUSE);

	t0 = pace_now();
	pace_after(&p, t0, t0 + PACE_HOLD / 2);
	pace_before(&p);
	assert_int_equal(p.pauses, 1);

	/* A long call that ended a while ago let writers in since. */
	t0 = pace_now();
	pace_after(&p, t0 - 1.0, t0 - 10 * PACE_PAUSE);
	pace_before(&p);
	assert_int_equal(p.pauses, 1);
	assert_true(p.held == 0);
}

/* --- the demo: every category, exact ---------------------------------- */

static void
test_scan_demo_exact_counts(void **state)
{
	struct demo_layout	 d;
	struct snapshot		*s;
	const struct raster	*r;
	char			*cause = NULL;
	uint64_t		 pg = caps.page_size, n;

	(void)state;
	assert_true(demo_spawn(&d, &cause) > 0);
	assert_int_equal(test_child_stop(d.pid), 0);

	/* Striped: 16 pages written, 16 not. */
	s = scan_window(d.pid, d.start[DEMO_STRIPED], d.end[DEMO_STRIPED]);
	n = (d.end[DEMO_STRIPED] - d.start[DEMO_STRIPED]) / pg;
	r = s->raster;
	assert_int_equal(raster_sum(r, CAT_PRESENT), n / 2);
	assert_int_equal(r->cell[0].n[CAT_PRESENT], 1);
	assert_int_equal(r->cell[DEMO_STRIPE_PAGES - 1].n[CAT_PRESENT], 1);
	assert_int_equal(r->cell[DEMO_STRIPE_PAGES].n[CAT_PRESENT], 0);
	assert_int_equal(raster_sum(r, CAT_PFNZERO), 0);
	assert_int_equal(vma_at(s, d.start[DEMO_STRIPED])->count[CAT_PRESENT],
	    n / 2);
	snapshot_unref(s);

	/* Only read: every page is the zero page. */
	s = scan_window(d.pid, d.start[DEMO_ZERO], d.end[DEMO_ZERO]);
	n = (d.end[DEMO_ZERO] - d.start[DEMO_ZERO]) / pg;
	assert_int_equal(raster_sum(s->raster, CAT_PRESENT), n);
	assert_int_equal(raster_sum(s->raster, CAT_PFNZERO), n);
	assert_int_equal(vma_at(s, d.start[DEMO_ZERO])->count[CAT_PFNZERO], n);
	snapshot_unref(s);

	/* Partly read file: every 8th page of the first half. */
	s = scan_window(d.pid, d.start[DEMO_FILE], d.end[DEMO_FILE]);
	n = (d.end[DEMO_FILE] - d.start[DEMO_FILE]) / pg;
	assert_int_equal(raster_sum(s->raster, CAT_PRESENT),
	    n / 2 / DEMO_FILE_STRIDE);
	assert_int_equal(raster_sum(s->raster, CAT_FILE),
	    n / 2 / DEMO_FILE_STRIDE);
	assert_int_equal(s->raster->cell[8].n[CAT_FILE], 1);
	assert_int_equal(s->raster->cell[9].n[CAT_FILE], 0);
	assert_true(vma_at(s, d.start[DEMO_FILE])->info.deleted);
	snapshot_unref(s);

	/* memfd: first half written; shmem is file, its swap unknown. */
	s = scan_window(d.pid, d.start[DEMO_MEMFD], d.end[DEMO_MEMFD]);
	n = (d.end[DEMO_MEMFD] - d.start[DEMO_MEMFD]) / pg;
	assert_int_equal(raster_sum(s->raster, CAT_PRESENT), n / 2);
	assert_int_equal(raster_sum(s->raster, CAT_FILE), n / 2);
	assert_int_equal(vma_at(s, d.start[DEMO_MEMFD])->info.kind, VMA_MEMFD);
	assert_false(vma_at(s, d.start[DEMO_MEMFD])->known &
	    CAT_BIT(CAT_SWAPPED));
	snapshot_unref(s);

	/* Guard pages: every 16th, the rest present. */
	s = scan_window(d.pid, d.start[DEMO_GUARD], d.end[DEMO_GUARD]);
	n = (d.end[DEMO_GUARD] - d.start[DEMO_GUARD]) / pg;
	if (caps.working & CAT_BIT(CAT_GUARD)) {
		assert_int_equal(raster_sum(s->raster, CAT_GUARD),
		    n / DEMO_GUARD_STRIDE);
		assert_int_equal(raster_sum(s->raster, CAT_PRESENT),
		    n - n / DEMO_GUARD_STRIDE);
		assert_int_equal(s->raster->cell[0].n[CAT_GUARD], 1);
		assert_int_equal(vma_at(s,
		    d.start[DEMO_GUARD])->count[CAT_SWAPPED], 0);
		assert_true(vma_at(s, d.start[DEMO_GUARD])->known &
		    CAT_BIT(CAT_SWAPPED));
	}
	snapshot_unref(s);

	/* THP: all huge where the kernel gave huge pages. */
	s = scan_window(d.pid, d.start[DEMO_THP], d.end[DEMO_THP]);
	n = (d.end[DEMO_THP] - d.start[DEMO_THP]) / pg;
	assert_int_equal(raster_sum(s->raster, CAT_PRESENT), n);
	assert_int_equal(vma_at(s, d.start[DEMO_THP])->count[CAT_HUGE],
	    raster_sum(s->raster, CAT_HUGE));
	snapshot_unref(s);

	/* The 64 GiB reservation: nothing, and every page accounted. */
	s = engine_scan_once(&caps, d.pid, &all_categories);
	n = (d.end[DEMO_RESERVE] - d.start[DEMO_RESERVE]) / pg;
	assert_int_equal(vma_at(s, d.start[DEMO_RESERVE])->pages, n);
	assert_int_equal(vma_at(s, d.start[DEMO_RESERVE])->covered, n);
	assert_int_equal(vma_at(s, d.start[DEMO_RESERVE])->count[CAT_PRESENT],
	    0);
	assert_string_equal(s->comm, "pmtop-demo");
	snapshot_unref(s);

	test_child_kill(d.pid);
}

/* --- the target's life ------------------------------------------------ */

/* pid's comm, without its newline, into buf ("" if it cannot be read). */
static void
comm_of(pid_t pid, char *buf, size_t size)
{
	char	path[64];
	FILE	*f;

	buf[0] = '\0';
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(buf, (int)size, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void
test_scan_target_exited(void **state)
{
	struct snapshot	*s;
	pid_t		 pid;

	(void)state;
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	s = engine_scan_once(&caps, pid, &all_categories);
	assert_int_equal(s->state, TARGET_NOT_FOUND);
	assert_non_null(s->error);
	assert_non_null(strstr(s->error, "no process"));
	/* No name: the pid may be another process's by now. */
	assert_string_equal(s->comm, "");
	snapshot_unref(s);
}

static void
test_scan_target_zombie(void **state)
{
	struct snapshot	*s;
	pid_t		 pid;

	(void)state;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "pmtzombie");
		_exit(0);
	}
	usleep(100 * 1000);	/* exited, not reaped */
	s = engine_scan_once(&caps, pid, &all_categories);
	assert_int_equal(s->state, TARGET_ZOMBIE);
	assert_non_null(strstr(s->error, "zombie"));
	assert_string_equal(s->comm, "pmtzombie");
	snapshot_unref(s);
	waitpid(pid, NULL, 0);
}

static void
test_scan_target_kernel_thread(void **state)
{
	struct snapshot	*s;
	char		 comm[32] = "";
	FILE		*f;

	(void)state;
	f = fopen("/proc/2/comm", "r");
	if (f != NULL) {
		if (fgets(comm, sizeof comm, f) == NULL)
			comm[0] = '\0';
		fclose(f);
	}
	/* Only reads pid 2; on machines without kthreadd there, no check. */
	if (strcmp(comm, "kthreadd\n") != 0)
		return;
	s = engine_scan_once(&caps, 2, &all_categories);
	assert_int_equal(s->state, TARGET_KTHREAD);
	assert_non_null(strstr(s->error, "kernel thread"));
	assert_string_equal(s->comm, "kthreadd");
	snapshot_unref(s);
}

/* A user other than the target's is refused with a clear state. */
static void
test_scan_target_denied(void **state)
{
	struct test_child	 c;
	struct snapshot		*s;
	char			 comm[32];
	int			 status;
	pid_t			 pid;

	(void)state;
	if (geteuid() != 0)
		return;		/* needs root to become another user */
	assert_int_equal(test_child_spawn(layout_three_protections, NULL, &c),
	    0);
	comm_of(c.pid, comm, sizeof comm);
	assert_true(comm[0] != '\0');
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) == -1 ||
		    setresuid(65534, 65534, 65534) == -1)
			_exit(10);
		s = engine_scan_once(&caps, c.pid, &all_categories);
		status = s->state == TARGET_DENIED &&
		    strstr(s->error, "CAP_SYS_PTRACE") != NULL ? 0 : 11;
		/* Its name all the same: any user may read a comm. */
		if (status == 0 && strcmp(s->comm, comm) != 0)
			status = 12;
		snapshot_unref(s);
		_exit(status);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	test_child_kill(c.pid);
}

/* The engine thread follows a target through exec and exit. */
static void
test_scan_engine_follows_exec_and_exit(void **state)
{
	struct engine_request	 req = all_categories;
	struct snapshot		*s;
	struct engine		*e;
	char			*cause = NULL;
	int			 fds[2], execs = 0, exited = 0, tries;
	pid_t			 pid;
	char			 go;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &go, 1) != 1)
			_exit(1);
		execlp("sleep", "sleep", "1", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);

	e = engine_create(&caps, &cause);
	assert_non_null(e);
	req.interval_ms = 20;
	engine_set_request(e, &req);
	engine_set_target(e, pid);
	assert_int_equal(engine_start(e), 0);

	for (tries = 0; tries < 400 && !exited; tries++) {
		usleep(20 * 1000);
		s = engine_take(e);
		if (s == NULL)
			continue;
		if (s->seq == 3)
			assert_int_equal(write(fds[1], "x", 1), 1);
		if (s->state == TARGET_OK && strcmp(s->comm, "sleep") == 0) {
			assert_int_equal(s->execs, 1);
			assert_true(s->nvma > 0);
			execs++;
		}
		if (s->state == TARGET_EXITED || s->state == TARGET_ZOMBIE)
			exited = 1;
		assert_true(s->state == TARGET_OK || exited);
		snapshot_unref(s);
	}
	engine_destroy(e);
	close(fds[1]);
	waitpid(pid, NULL, 0);
	assert_true(execs > 0);
	assert_true(exited);
}

static int
setup(void **state)
{
	char	*cause = NULL;

	(void)state;
	if (pagescan_probe(&caps, &cause) == -1 || !caps.have_ioctl) {
		fprintf(stderr, "no PAGEMAP_SCAN here: %s\n",
		    cause ? cause : "kernel older than 6.7");
		return -1;
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_alternating_pages_exactly_once),
		cmocka_unit_test(test_scan_merged_regions_split_per_vma),
		cmocka_unit_test(test_scan_calls_cut_by_pages),
		cmocka_unit_test(test_scan_pace),
		cmocka_unit_test(test_scan_demo_exact_counts),
		cmocka_unit_test(test_scan_target_exited),
		cmocka_unit_test(test_scan_target_zombie),
		cmocka_unit_test(test_scan_target_kernel_thread),
		cmocka_unit_test(test_scan_target_denied),
		cmocka_unit_test(test_scan_engine_follows_exec_and_exit),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
