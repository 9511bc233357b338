/*
 * Hostile targets on the real kernel: processes that exit or exec in the
 * middle of a scan, thousands of times; 65,000 VMAs; a 100 TiB
 * reservation. pmtop must give right counts or a clear state, and never
 * crash or leak (the suite also runs under ASan and LeakSanitizer).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "scan/engine.h"
#include "scan/pagescan.h"
#include "util/smaps.h"
#include "util/target.h"

static struct pagescan_caps	caps;
static char			self_path[4096];	/* this test binary */

static const struct engine_request all_categories = {
	.categories = CAT_ALL,
	.interval_ms = 1000,
};

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A snapshot is either a clear failure or a sound picture. */
static void
check_sound(const struct snapshot *s)
{
	size_t	i;
	int	c;

	if (s->state != TARGET_OK) {
		assert_non_null(s->error);
		assert_true(s->state == TARGET_EXITED ||
		    s->state == TARGET_NOT_FOUND ||
		    s->state == TARGET_ZOMBIE || s->state == TARGET_ERROR);
		return;
	}
	for (i = 0; i < s->nvma; i++) {
		assert_true(s->vma[i].info.start < s->vma[i].info.end);
		if (i > 0)
			assert_true(s->vma[i - 1].info.end <=
			    s->vma[i].info.start);
		for (c = 0; c < CAT_COUNT; c++) {
			if (s->vma[i].known & CAT_BIT(c))
				assert_true(s->vma[i].count[c] <=
				    s->vma[i].pages);
		}
	}
}

/* Children that exit at once, while being scanned: 2,000 of them. */
static void
test_hostile_exit_mid_scan_loop(void **state)
{
	struct snapshot	*s;
	int		 i, ok = 0, gone = 0;
	pid_t		 pid;

	(void)state;
	for (i = 0; i < 2000; i++) {
		pid = fork();
		if (pid == 0) {
			/* Live a little, sometimes long enough to be seen. */
			char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p != MAP_FAILED)
				memset(p, 1, (size_t)(i % 8) << 17);
			_exit(0);
		}
		s = engine_scan_once(&caps, pid, &all_categories);
		assert_non_null(s);
		check_sound(s);
		if (s->state == TARGET_OK)
			ok++;
		else
			gone++;
		snapshot_unref(s);
		waitpid(pid, NULL, 0);
	}
	fprintf(stderr, "hostile: 2000 exiting targets: %d scanned whole, "
	    "%d gone with a clear state\n", ok, gone);
	assert_int_equal(ok + gone, 2000);
	assert_true(gone > 0);
}

/* Run by a child: exec this test binary n more times, then exit. */
static __attribute__((noreturn)) void
exec_loop(long n)
{
	char	arg[32];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (n <= 0)
		_exit(0);
	snprintf(arg, sizeof arg, "%ld", n - 1);
	/* Not /proc/self/exe: under valgrind that is valgrind. */
	execl(self_path, self_path, "--exec-loop", arg, (char *)NULL);
	_exit(127);
}

/* The engine follows a target that execs itself 2,000 times, then exits. */
static void
test_hostile_exec_mid_scan_loop(void **state)
{
	struct engine_request	 req = all_categories;
	struct snapshot		*s;
	struct engine		*e;
	char			*cause;
	enum target_state	 last = TARGET_NONE;
	unsigned int		 execs = 0;
	int			 snaps = 0, status = -1;
	bool			 reaped = false;
	double			 end;
	pid_t			 pid;

	(void)state;
	pid = fork();
	if (pid == 0)
		exec_loop(2000);

	e = engine_create(&caps, &cause);
	assert_non_null(e);
	req.interval_ms = 1;
	engine_set_request(e, &req);
	engine_set_target(e, pid);
	assert_int_equal(engine_start(e), 0);

	/* Until the target is gone and the engine has said so. */
	end = now() + 300;
	while (now() < end && !(reaped && last != TARGET_OK)) {
		usleep(1000);
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid)
			reaped = true;
		s = engine_take(e);
		if (s == NULL)
			continue;
		check_sound(s);
		snaps++;
		last = s->state;
		if (s->execs > execs)
			execs = s->execs;
		snapshot_unref(s);
	}
	engine_destroy(e);
	if (!reaped) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	fprintf(stderr, "hostile: exec loop: %d snapshots, %u execs seen, "
	    "ended %s\n", snaps, execs, snapshot_state_name(last));
	assert_true(reaped);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(snaps > 100);
	assert_true(execs > 0);
	assert_true(last == TARGET_EXITED || last == TARGET_NOT_FOUND);
}

#define MANY_VMAS	65000

/*
 * Start tests/util/shape MODE N; its range into c. An exec'd target, not
 * a fork of this test, so that it runs natively even under valgrind
 * (which cannot hold 65,000 mappings of its own).
 */
static void
spawn_shape(struct test_child *c, const char *mode, const char *n)
{
	const char	*exe = getenv("PMTOP_SHAPE");
	char		 line[128];
	unsigned long	 s, e;
	FILE		*f;
	int		 fds[2];
	pid_t		 pid;

	assert_non_null(exe);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execl(exe, exe, mode, n, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_int_equal(sscanf(line, "ready %lx %lx", &s, &e), 2);
	c->pid = pid;
	c->start[0] = s;
	c->end[0] = e;
}

/* 65,000 VMAs (the default map count limit is 65,530): all right. */
static void
test_hostile_65000_vmas(void **state)
{
	struct test_child	 c;
	struct snapshot		*s;
	struct smaps_vma	*sm = NULL;
	long			 n, i;
	uint64_t		 rw = 0, present = 0;
	double			 t0;

	(void)state;
	spawn_shape(&c, "vmas", "65000");
	assert_int_equal(test_child_stop(c.pid), 0);

	t0 = now();
	s = engine_scan_once(&caps, c.pid, &all_categories);
	fprintf(stderr, "hostile: %zu VMAs scanned in %.0f ms\n", s->nvma,
	    (now() - t0) * 1e3);
	assert_int_equal(s->state, TARGET_OK);
	n = smaps_read(c.pid, &sm);
	assert_int_equal((long)s->nvma, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(s->vma[i].info.start, sm[i].start);
		if (s->vma[i].info.start < c.start[0] ||
		    s->vma[i].info.end > c.end[0])
			continue;
		assert_int_equal(s->vma[i].pages, 1);
		if (s->vma[i].info.perms[1] == 'w') {
			rw++;
			present += s->vma[i].count[CAT_PRESENT];
		}
	}
	assert_int_equal(rw, MANY_VMAS / 2);
	assert_int_equal(present, MANY_VMAS / 2);
	free(sm);
	snapshot_unref(s);
	test_child_kill(c.pid);
}

#define HUGE_RESERVE	((uint64_t)100 << 40)	/* 100 TiB */

/* A 100 TiB PROT_NONE reservation: counted exactly, scanned at once. */
static void
test_hostile_100tib_reservation(void **state)
{
	struct engine_request	 req = all_categories;
	struct test_child	 c;
	struct snapshot		*s;
	const struct snap_vma	*v;
	double			 t0, dt;
	long			 i;

	(void)state;
	spawn_shape(&c, "reserve", "100");
	req.ncells = 250 * 80 * 2;
	t0 = now();
	s = engine_scan_once(&caps, c.pid, &req);
	dt = now() - t0;
	assert_int_equal(s->state, TARGET_OK);
	i = snapshot_find_vma(s, c.start[0]);
	assert_true(i >= 0);
	v = &s->vma[i];
	assert_int_equal(v->pages, HUGE_RESERVE / caps.page_size);
	assert_int_equal(v->covered, v->pages);
	assert_int_equal(v->count[CAT_PRESENT], 0);
	assert_int_equal(v->count[CAT_SWAPPED], 0);
	assert_true(v->known & CAT_BIT(CAT_PRESENT));
	assert_non_null(s->raster);
	fprintf(stderr, "hostile: 100 TiB reservation scanned in %.1f ms\n",
	    dt * 1e3);
	/* pread of classic pagemap would take minutes here. */
	assert_true(dt < 5.0);
	snapshot_unref(s);
	test_child_kill(c.pid);
}

/*
 * A TiB of shared memory with one page written: shmem, so PAGE_IS_FILE
 * is asked, and calls cut by the pages they report must not be spent
 * on the untouched ones (a scan of every page took 10,923 calls here).
 */
static void
test_hostile_shared_tib(void **state)
{
	struct test_child	 c;
	struct snapshot		*s;
	const struct snap_vma	*v;
	long			 k;

	(void)state;
	spawn_shape(&c, "shared", "1");
	s = engine_scan_once(&caps, c.pid, &all_categories);
	assert_non_null(s);
	assert_int_equal(s->state, TARGET_OK);
	k = snapshot_find_vma(s, c.start[0]);
	assert_true(k >= 0);
	v = &s->vma[k];
	assert_int_equal(v->pages, (c.end[0] - c.start[0]) / caps.page_size);
	assert_int_equal(v->covered, v->pages);
	assert_int_equal(v->count[CAT_PRESENT], 1);
	assert_int_equal(v->count[CAT_FILE], 1);
	assert_true(s->scan_calls > 0);
	assert_true(s->scan_calls < 100);
	snapshot_unref(s);
	test_child_kill(c.pid);
}

/* --- exec by a process that shares its mm ----------------------------- */

static bool
has_vma_named(const struct snapshot *s, const char *suffix)
{
	size_t	i, n, k = strlen(suffix);

	for (i = 0; i < s->nvma; i++) {
		n = strlen(s->vma[i].info.name);
		if (n >= k && strcmp(s->vma[i].info.name + n - k, suffix) == 0)
			return true;
	}
	return false;
}

/*
 * A snapshot newer than seq of the target named comm, with a VMA whose
 * name ends in suffix. Both are waited for: in the middle of an exec
 * the new comm is set before the new program is mapped.
 */
static struct snapshot *
engine_next_with(struct engine *e, uint64_t seq, const char *comm,
    const char *suffix)
{
	struct snapshot	*s;
	int		 tries;

	for (tries = 0; tries < 500; tries++) {
		engine_refresh(e);
		usleep(10 * 1000);
		s = engine_take(e);
		if (s != NULL && s->seq > seq && s->state == TARGET_OK &&
		    strcmp(s->comm, comm) == 0 && has_vma_named(s, suffix))
			return s;
		snapshot_unref(s);
	}
	fail_msg("no snapshot of %s with a mapping of *%s", comm, suffix);
	return NULL;
}

/*
 * A process made with CLONE_VM (as vfork and posix_spawn make them)
 * execs while the one it shared its mm with lives on: a maps file kept
 * open from before the exec still reads the old mm, whole, so the
 * engine must show the new image's mappings, from a file opened since.
 */
static void
test_hostile_exec_after_clone_vm(void **state)
{
	struct engine_request	 req;
	struct test_child	 c;
	struct snapshot		*s;
	struct engine		*e;
	char			*cause = NULL;
	uint64_t		 seq;
	pid_t			 child;

	(void)state;
	spawn_shape(&c, "clonevm", "0");
	child = (pid_t)c.start[0];

	e = engine_create(&caps, &cause);
	assert_non_null(e);
	memset(&req, 0, sizeof req);
	req.categories = CAT_ALL;
	req.interval_ms = 60000;
	engine_set_request(e, &req);
	engine_set_target(e, child);
	assert_int_equal(engine_start(e), 0);

	/* Before the exec: the mappings it shares with shape. */
	s = engine_next_with(e, 0, "shape", "/shape");
	assert_false(has_vma_named(s, "/sleep"));
	seq = s->seq;
	snapshot_unref(s);

	assert_int_equal(kill(c.pid, SIGUSR1), 0);
	s = engine_next_with(e, seq, "sleep", "/sleep");
	assert_false(has_vma_named(s, "/shape"));
	snapshot_unref(s);

	engine_destroy(e);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(c.pid, NULL, 0), c.pid);
}

static int
setup(void **state)
{
	char	*cause = NULL;

	(void)state;
	return pagescan_probe(&caps, &cause) == 0 && caps.have_ioctl ? 0 : -1;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_exit_mid_scan_loop),
		cmocka_unit_test(test_hostile_exec_mid_scan_loop),
		cmocka_unit_test(test_hostile_65000_vmas),
		cmocka_unit_test(test_hostile_100tib_reservation),
		cmocka_unit_test(test_hostile_shared_tib),
		cmocka_unit_test(test_hostile_exec_after_clone_vm),
	};

	if (realpath(argv[0], self_path) == NULL)
		return 1;
	if (argc == 3 && strcmp(argv[1], "--exec-loop") == 0)
		exec_loop(strtol(argv[2], NULL, 10));
	return cmocka_run_group_tests(tests, setup, NULL);
}
