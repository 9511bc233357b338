/*
 * The two scan backends against each other on the real kernel. Targets
 * of known layout and the demo are started by the test, stopped with
 * SIGSTOP, and scanned with PAGEMAP_SCAN and with classic pagemap
 * entries; every count of every VMA is compared between the two and
 * against /proc/PID/smaps. As root, then as nobody (a child that drops to
 * uid 65534 and starts targets of its own), then with the
 * PMTOP_FAKE_KERNEL seam making this kernel look like an older one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "demo.h"
#include "model/buf.h"
#include "model/report.h"
#include "scan/backend.h"
#include "scan/engine.h"
#include "scan/pagemap.h"
#include "scan/pagescan.h"
#include "util/kinds.h"
#include "util/smaps.h"
#include "util/swap.h"
#include "util/target.h"

#define NOBODY 65534
#define TIMING_RUNS 5
#define HELPER_TIMEOUT_S 60

/* This process's capabilities, as probed with no seam. */
static struct pagescan_caps caps;

/* Swap state for the whole run: real swap entries make a better test. */
static int swap_on;
static char swap_why[256];

static const struct engine_request all_categories = {
	.categories = CAT_ALL,
	.interval_ms = 1000,
};

/* The counts both backends must agree on. */
static const enum category compared[] = {
	CAT_PRESENT, CAT_SWAPPED, CAT_FILE, CAT_PFNZERO, CAT_HUGE, CAT_GUARD,
	CAT_SOFT_DIRTY,
};

#define NCOMPARED (sizeof compared / sizeof compared[0])

/* What a comparison found, for the summary line. */
struct agree {
	size_t		vmas;		/* VMAs compared */
	size_t		counts;		/* known on both sides, equal */
	size_t		unknown;	/* unknown on both sides */
	size_t		more;		/* known only to pagemap, allowed */
	size_t		smaps;		/* counts checked against smaps */
	size_t		bad;		/* disagreements */
};

/* --- comparing ------------------------------------------------------- */

static void
complain(const struct vma_info *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
complain(const struct vma_info *v, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "  DISAGREE %" PRIx64 "-%" PRIx64 " %.*s: ",
	    v->start, v->end, (int)v->name_len, v->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * One VMA, both backends: the same counts known, with the same values.
 * more: categories pagemap may know where the ioctl cannot (swapped in
 * uffd-wp VMAs, when frame numbers tell markers from swap).
 */
static void
agree_vma(struct agree *a, const struct snap_vma *io,
    const struct snap_vma *pm, cat_mask more)
{
	cat_mask	bit;
	size_t		i;
	bool		ki, kp;

	a->vmas++;
	for (i = 0; i < NCOMPARED; i++) {
		bit = CAT_BIT(compared[i]);
		ki = (io->known & bit) != 0;
		kp = (pm->known & bit) != 0;
		if (ki && kp && io->count[compared[i]] ==
		    pm->count[compared[i]])
			a->counts++;
		else if (ki && kp) {
			complain(&io->info, "%s: ioctl %" PRIu64 ", pagemap "
			    "%" PRIu64, category_name(compared[i]),
			    io->count[compared[i]], pm->count[compared[i]]);
			a->bad++;
		} else if (!ki && !kp)
			a->unknown++;
		else if (kp && (more & bit))
			a->more++;
		else {
			complain(&io->info, "%s known only to %s",
			    category_name(compared[i]), ki ? "ioctl" :
			    "pagemap");
			a->bad++;
		}
	}
}

/* Two snapshots of one stopped target: same VMAs, same counts. */
static void
agree_snapshots(struct agree *a, const struct snapshot *io,
    const struct snapshot *pm, cat_mask more)
{
	size_t	i;

	if (io->state != TARGET_OK || pm->state != TARGET_OK ||
	    io->nvma != pm->nvma) {
		fprintf(stderr, "  states %d/%d, %zu/%zu VMAs\n", io->state,
		    pm->state, io->nvma, pm->nvma);
		a->bad++;
		return;
	}
	for (i = 0; i < io->nvma; i++) {
		if (io->vma[i].info.start != pm->vma[i].info.start ||
		    io->vma[i].info.end != pm->vma[i].info.end) {
			complain(&io->vma[i].info, "pagemap has %" PRIx64
			    "-%" PRIx64, pm->vma[i].info.start,
			    pm->vma[i].info.end);
			a->bad++;
			continue;
		}
		agree_vma(a, &io->vma[i], &pm->vma[i],
		    (io->vma[i].count[CAT_WPALLOWED] != 0) ? more : 0);
	}
}

static void
expect_smaps(struct agree *a, const struct vma_info *v, const char *what,
    uint64_t pmtop, uint64_t smaps)
{
	a->smaps++;
	if (pmtop == smaps)
		return;
	complain(v, "%s: pmtop %" PRIu64 ", smaps %" PRIu64, what, pmtop,
	    smaps);
	a->bad++;
}

/* Every count the snapshot knows, against smaps (util/smaps.c). */
static void
agree_smaps_vma(struct agree *a, const struct snap_vma *v,
    const struct smaps_vma *m, uint64_t kb)
{
	const cat_mask	zero = CAT_BIT(CAT_PRESENT) | CAT_BIT(CAT_PFNZERO);

	if (smaps_has_flag(m, "pf") || smaps_has_flag(m, "io") ||
	    !v->info.scannable)
		return;
	if ((v->known & zero) == zero)
		expect_smaps(a, &v->info, "present - pfnzero",
		    v->count[CAT_PRESENT] - v->count[CAT_PFNZERO],
		    (m->rss_kb + m->hugetlb_kb) / kb);
	if ((v->known & CAT_BIT(CAT_HUGE)) && !smaps_has_flag(m, "ht"))
		expect_smaps(a, &v->info, "huge", v->count[CAT_HUGE],
		    (m->anon_huge_kb + m->shmem_pmd_kb + m->file_pmd_kb) / kb);
	if (v->known & CAT_BIT(CAT_SWAPPED))
		expect_smaps(a, &v->info, "swapped", v->count[CAT_SWAPPED],
		    m->swap_kb / kb);
}

static void
agree_smaps(struct agree *a, const struct snapshot *s, int pid)
{
	struct smaps_vma	*m;
	long			 n;
	size_t			 i;

	n = smaps_read(pid, &m);
	if (n < 0 || (size_t)n != s->nvma) {
		fprintf(stderr, "  smaps: %ld VMAs, snapshot %zu\n", n,
		    s->nvma);
		a->bad++;
		free(n >= 0 ? m : NULL);
		return;
	}
	for (i = 0; i < s->nvma; i++) {
		if (m[i].start != s->vma[i].info.start)
			a->bad++;
		else
			agree_smaps_vma(a, &s->vma[i], &m[i],
			    s->page_size / 1024);
	}
	free(m);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A snapshot of pid through backend id, timed in *seconds if not NULL. */
static struct snapshot *
scan_with(const struct pagescan_caps *base, enum backend id, int pid,
    double *seconds)
{
	struct pagescan_caps	 c = *base;
	struct snapshot		*s;
	double			 t0 = now();

	c.backend = id;
	s = engine_scan_once(&c, pid, &all_categories);
	if (seconds != NULL)
		*seconds = now() - t0;
	return s;
}

/*
 * Scan a stopped target with both backends (with base's capabilities)
 * and compare them with each other and with smaps. Used as root and in
 * the child that runs as nobody, so it counts instead of asserting.
 */
static void
compare_backends(struct agree *a, const struct pagescan_caps *base, int pid,
    cat_mask more)
{
	struct snapshot	*io, *pm;

	io = scan_with(base, BACKEND_IOCTL, pid, NULL);
	pm = scan_with(base, BACKEND_PAGEMAP, pid, NULL);
	if (io == NULL || pm == NULL) {
		a->bad++;
	} else {
		if (pm->backend != BACKEND_PAGEMAP ||
		    io->backend != BACKEND_IOCTL)
			a->bad++;
		agree_snapshots(a, io, pm, more);
		agree_smaps(a, io, pid);
		agree_smaps(a, pm, pid);
	}
	snapshot_unref(io);
	snapshot_unref(pm);
}

static void
agree_summary(const char *label, const struct agree *a)
{
	fprintf(stderr, "backend: %s: %zu VMAs, %zu counts equal, %zu unknown"
	    " to both, %zu known only to pagemap, %zu checked against smaps,"
	    " %zu disagreement(s)\n", label, a->vmas, a->counts, a->unknown,
	    a->more, a->smaps, a->bad);
}

/* --- targets: the backend_target program ------------------------------ */

/* A running backend_target and what it reported. */
struct helper {
	pid_t			pid;		/* the program, our child */
	pid_t			target;		/* the process to read */
	struct test_child	c;		/* its regions */
};

/* backend_target, next to this test's own executable. */
static int
helper_path(char *buf, size_t len)
{
	ssize_t	 n;
	char	*slash;

	n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL ||
	    (size_t)(slash - buf) + sizeof "/backend_target" > len)
		return -1;
	strcpy(slash, "/backend_target");
	return 0;
}

/* One line of the program's report into h; 1 once "ready". */
static int
helper_line(struct helper *h, const char *line)
{
	unsigned long long	s, e;
	long			v;
	int			i, pid;

	if (strcmp(line, "ready") == 0)
		return 1;
	if (sscanf(line, "region %d %llx %llx %ld", &i, &s, &e, &v) == 4 &&
	    i >= 0 && i < TEST_CHILD_REGIONS) {
		h->c.start[i] = s;
		h->c.end[i] = e;
		h->c.value[i] = v;
	} else if (sscanf(line, "pid %d", &pid) == 1)
		h->target = pid;
	return 0;
}

/*
 * Read the report from fd up to "ready", within the timeout. Plain reads,
 * not stdio: a FILE would buffer lines that poll() then never sees.
 */
static int
helper_read(struct helper *h, int fd)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		 buf[4096], *line, *nl;
	size_t		 len = 0;
	ssize_t		 n;

	while (len < sizeof buf - 1 &&
	    poll(&pfd, 1, HELPER_TIMEOUT_S * 1000) == 1) {
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\nready\n") != NULL)
			break;
	}
	for (line = buf; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (helper_line(h, line))
			return 0;
	}
	return -1;
}

static void
helper_kill(struct helper *h)
{
	if (h->target > 0 && h->target != h->pid)
		kill(h->target, SIGKILL);
	test_child_kill(h->pid);
	h->pid = h->target = 0;
}

/* Start backend_target MODE and read its report. Returns 0 or -1. */
static int
helper_start(const char *mode, struct helper *h)
{
	char	path[4096];
	int	fds[2], rc;

	memset(h, 0, sizeof *h);
	h->c.page = (size_t)sysconf(_SC_PAGESIZE);
	if (helper_path(path, sizeof path) == -1 ||
	    pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if ((h->pid = fork()) == -1)
		return -1;
	if (h->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execl(path, "backend_target", mode, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	rc = helper_read(h, fds[0]);
	close(fds[0]);
	if (rc == 0 && h->target > 0)
		return 0;
	helper_kill(h);
	return -1;
}

/* SIGSTOP the target and wait until it is stopped. */
static int
helper_stop(struct helper *h)
{
	char	 path[64], buf[512], *p;
	int	 tries;
	FILE	*f;

	if (h->target == h->pid)
		return test_child_stop(h->pid);
	/* The demo is the program's child, not ours: watch its state. */
	if (kill(h->target, SIGSTOP) == -1)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)h->target);
	for (tries = 0; tries < 1000; tries++) {
		if ((f = fopen(path, "r")) == NULL)
			return -1;
		p = fgets(buf, sizeof buf, f);
		fclose(f);
		if (p != NULL && (p = strrchr(buf, ')')) != NULL &&
		    p[1] == ' ' && p[2] == 'T')
			return 0;
		usleep(10 * 1000);
	}
	return -1;
}

/* Start and stop a target; -1 after saying why. */
static int
helper_ready(const char *mode, struct helper *h, const char *label)
{
	if (helper_start(mode, h) == 0 && helper_stop(h) == 0)
		return 0;
	fprintf(stderr, "%s: backend_target %s did not start\n", label,
	    mode);
	helper_kill(h);
	return -1;
}

/* --- what each test does, as whoever runs it -------------------------- */

/* The capabilities of whoever runs this now; -1 if the probe fails. */
static int
probe_as_now(struct pagescan_caps *c, const char *fake)
{
	char	*cause = NULL;

	if (pagescan_probe_fake(c, fake, &cause) == -1) {
		fprintf(stderr, "probe: %s\n", cause ? cause : "failed");
		free(cause);
		return -1;
	}
	return 0;
}

/* The count c of the VMA at addr, or -1 if unknown (or no such VMA). */
static int64_t
count_at(const struct snapshot *s, uint64_t addr, enum category c)
{
	long	i = snapshot_find_vma(s, addr);

	if (i < 0 || !(s->vma[i].known & CAT_BIT(c)))
		return -1;
	return (int64_t)s->vma[i].count[c];
}

static void
expect_count(struct agree *a, const struct snapshot *s, uint64_t addr,
    enum category c, int64_t want)
{
	int64_t	got = count_at(s, addr, c);
	long	i = snapshot_find_vma(s, addr);

	if (got == want)
		return;
	fprintf(stderr, "  WRONG %s at %#" PRIx64 " (%s): %" PRId64 ", want %"
	    PRId64 "\n", category_name(c), addr, i >= 0 ?
	    s->vma[i].info.perms : "no VMA", got, want);
	a->bad++;
}

/*
 * What the kinds layout must show, whatever the backend: each count that
 * the layout fixes (-1: unknown). Agreement alone would pass two
 * backends that are wrong the same way.
 */
static void
expect_kinds(struct agree *a, const struct snapshot *s,
    const struct pagescan_caps *c, const struct test_child *t)
{
	int64_t	n = (int64_t)(KIND_LEN / c->page_size);

	expect_count(a, s, t->start[K_WRITTEN], CAT_PRESENT, n);
	expect_count(a, s, t->start[K_WRITTEN], CAT_PFNZERO, 0);
	expect_count(a, s, t->start[K_ZERO], CAT_PFNZERO, n);
	expect_count(a, s, t->start[K_HALF], CAT_PRESENT, n);
	expect_count(a, s, t->start[K_HALF], CAT_PFNZERO, n / 2);
	expect_count(a, s, t->start[K_SHARED], CAT_FILE, n / 2);
	expect_count(a, s, t->start[K_SHARED], CAT_SWAPPED, -1);
	expect_count(a, s, t->start[K_FILE_READ], CAT_FILE,
	    count_at(s, t->start[K_FILE_READ], CAT_PRESENT));
	expect_count(a, s, t->start[K_PROTNONE], CAT_PRESENT, n);
	expect_count(a, s, t->start[K_DONTNEED], CAT_PRESENT, n / 2);
	expect_count(a, s, t->start[K_THP_ZERO], CAT_PFNZERO, n);
	expect_count(a, s, t->start[K_THP_ZERO], CAT_HUGE, 0);
	/* Split by mprotect: PTE-mapped now, so not huge any more. */
	expect_count(a, s, t->start[K_THP_SPLIT], CAT_HUGE, 0);
	if (t->value[K_GUARD] && (s->supported & CAT_BIT(CAT_GUARD))) {
		expect_count(a, s, t->start[K_GUARD], CAT_GUARD, n / 4);
		expect_count(a, s, t->start[K_GUARD], CAT_SWAPPED, 0);
	}
	if (swap_on && count_at(s, t->start[K_SWAPPED], CAT_SWAPPED) <= 0)
		expect_count(a, s, t->start[K_SWAPPED], CAT_SWAPPED, n);
	/* Markers and swap: told apart only by the swap type. */
	if (t->value[K_UFFD] && !c->pfn_visible)
		expect_count(a, s, t->start[K_UFFD], CAT_SWAPPED, -1);
	if (t->value[K_UFFD] && c->pfn_visible &&
	    s->backend == BACKEND_PAGEMAP)
		expect_count(a, s, t->start[K_UFFD], CAT_SWAPPED, n / 4 -
		    (count_at(s, t->start[K_UFFD], CAT_PRESENT) - n / 4));
}

/* Compare on the kinds layout; returns the disagreements. */
static size_t
check_kinds(const struct pagescan_caps *c, const char *label)
{
	struct helper		 h;
	struct snapshot		*s;
	struct agree		 a = { 0 };
	char			 text[128];

	if (helper_ready("kinds", &h, label) == -1)
		return 1;
	/* Frame numbers tell uffd-wp markers from swap: swapped known. */
	compare_backends(&a, c, h.target, c->pfn_visible ?
	    CAT_BIT(CAT_SWAPPED) : 0);
	s = scan_with(c, BACKEND_PAGEMAP, h.target, NULL);
	expect_kinds(&a, s, c, &h.c);
	snapshot_unref(s);
	s = scan_with(c, BACKEND_IOCTL, h.target, NULL);
	expect_kinds(&a, s, c, &h.c);
	snapshot_unref(s);
	helper_kill(&h);
	snprintf(text, sizeof text, "%s, kinds (guard %s, uffd-wp %s, swap "
	    "%s)", label, h.c.value[K_GUARD] ? "yes" : "no",
	    h.c.value[K_UFFD] ? "yes" : "no", swap_on ? "on" : "off");
	agree_summary(text, &a);
	return a.bad + (a.vmas == 0);
}

/* Compare on the demo; returns the disagreements. */
static size_t
check_demo(const struct pagescan_caps *c, const char *label)
{
	struct helper	h;
	struct agree	a = { 0 };
	char		text[128];

	if (helper_ready("demo", &h, label) == -1)
		return 1;
	compare_backends(&a, c, h.target, 0);
	helper_kill(&h);
	snprintf(text, sizeof text, "%s, demo", label);
	agree_summary(text, &a);
	return a.bad + (a.vmas == 0);
}

/*
 * Run the checks in a child that has become nobody, on targets the child
 * starts itself. Changing uid leaves a process non-dumpable, which would
 * make its own children unreadable to it: undo that first. Returns the
 * child's exit status: the disagreements, capped.
 */
static int
run_as_nobody(size_t (*check)(const struct pagescan_caps *, const char *),
    const char *fake)
{
	struct pagescan_caps	c;
	size_t			bad;
	int			status;
	pid_t			pid;

	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) == -1 ||
		    setresgid(NOBODY, NOBODY, NOBODY) == -1 ||
		    setresuid(NOBODY, NOBODY, NOBODY) == -1 ||
		    prctl(PR_SET_DUMPABLE, 1) == -1)
			_exit(100);
		if (probe_as_now(&c, fake) == -1)
			_exit(101);
		if (c.pfn_visible)
			_exit(102);	/* nobody must not see frames */
		bad = check(&c, fake ? "nobody+seam" : "nobody");
		_exit(bad > 99 ? 99 : (int)bad);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* --- the tests --------------------------------------------------------- */

static void
test_backend_kinds_agree(void **state)
{
	(void)state;
	assert_int_equal(check_kinds(&caps, geteuid() == 0 ? "root" :
	    "unprivileged"), 0);
}

static void
test_backend_demo_agree(void **state)
{
	(void)state;
	assert_int_equal(check_demo(&caps, geteuid() == 0 ? "root" :
	    "unprivileged"), 0);
}

static void
test_backend_kinds_agree_as_nobody(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "not root: the tests above ran unprivileged\n");
		return;
	}
	assert_int_equal(run_as_nobody(check_kinds, NULL), 0);
}

static void
test_backend_demo_agree_as_nobody(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "not root: the tests above ran unprivileged\n");
		return;
	}
	assert_int_equal(run_as_nobody(check_demo, NULL), 0);
}

/* Root without frame numbers takes nobody's way to the same counts. */
static void
test_backend_seam_no_pfn(void **state)
{
	struct pagescan_caps	c;

	(void)state;
	assert_int_equal(probe_as_now(&c, "no-pfn"), 0);
	assert_false(c.pfn_visible);
	assert_false(c.pagemap_working & CAT_BIT(CAT_PFNZERO));
	assert_int_equal(check_kinds(&c, "no-pfn"), 0);
	assert_int_equal(check_demo(&c, "no-pfn"), 0);
}

/* --- the seam: this kernel made to look older -------------------------- */

/* Every VMA and count of two snapshots of one stopped target, equal. */
static void
assert_same_snapshots(const struct snapshot *a, const struct snapshot *b)
{
	size_t	i;

	assert_int_equal(a->state, TARGET_OK);
	assert_int_equal(b->state, TARGET_OK);
	assert_int_equal(a->nvma, b->nvma);
	assert_int_equal(a->supported, b->supported);
	assert_int_equal(a->total_known, b->total_known);
	for (i = 0; i < a->nvma; i++) {
		assert_int_equal(a->vma[i].info.start, b->vma[i].info.start);
		assert_int_equal(a->vma[i].known, b->vma[i].known);
		assert_memory_equal(a->vma[i].count, b->vma[i].count,
		    sizeof a->vma[i].count);
	}
}

/* Without the ioctl (ENOTTY), pmtop runs on the pagemap backend. */
static void
test_backend_seam_no_ioctl(void **state)
{
	struct pagescan_caps	 c, forced;
	struct snapshot		*fake, *real;
	struct helper		 h;
	struct engine		*e;
	char			*cause = NULL;

	(void)state;
	assert_int_equal(probe_as_now(&c, "no-ioctl"), 0);
	assert_false(c.have_ioctl);
	assert_int_equal(c.accepted, 0);
	assert_int_equal(c.backend, BACKEND_PAGEMAP);
	assert_int_equal(c.user_limit, caps.user_limit);
	assert_int_equal(c.pagemap_working, caps.pagemap_working);

	/* Asking for the ioctl anyway is refused, with the way out. */
	forced = c;
	assert_int_equal(scan_backend_choose(&forced, BACKEND_IOCTL, &cause),
	    -1);
	assert_non_null(strstr(cause, "--backend=pagemap"));
	free(cause);
	forced.backend = BACKEND_IOCTL;
	assert_null(engine_create(&forced, &cause));
	assert_non_null(strstr(cause, "PAGEMAP_SCAN"));
	free(cause);
	e = engine_create(&c, &cause);
	assert_non_null(e);
	engine_destroy(e);

	assert_int_equal(helper_ready("demo", &h, "no-ioctl"), 0);
	fake = engine_scan_once(&c, h.target, &all_categories);
	real = scan_with(&caps, BACKEND_PAGEMAP, h.target, NULL);
	assert_int_equal(fake->backend, BACKEND_PAGEMAP);
	assert_same_snapshots(fake, real);
	snapshot_unref(fake);
	snapshot_unref(real);
	helper_kill(&h);
}

/* "guard":null, never "guard":0, for a category that is unknown. */
static void
assert_json_null(const struct snapshot *s, enum category c)
{
	struct buf	out;
	char		zero[32], null[32];

	buf_init(&out);
	report_json(&out, s);
	assert_false(out.failed);
	snprintf(zero, sizeof zero, "\"%s\":0", category_name(c));
	snprintf(null, sizeof null, "\"%s\":null", category_name(c));
	assert_null(strstr(out.p, zero));
	assert_non_null(strstr(out.p, null));
	buf_fini(&out);
}

/* Nothing of an unknown category is known, or printed as 0. */
static void
assert_unknown(const struct snapshot *s, enum category c)
{
	size_t	i;

	assert_int_equal(s->state, TARGET_OK);
	assert_false(s->supported & CAT_BIT(c));
	assert_false(s->total_known & CAT_BIT(c));
	for (i = 0; i < s->nvma; i++)
		assert_false(s->vma[i].known & CAT_BIT(c));
	assert_json_null(s, c);
}

/*
 * A kernel without SOFT_DIRTY and GUARD (6.7 rejects both with EINVAL;
 * 6.13-6.15 have guard pages but no bit): both unknown on either
 * backend, and swapped too, since guard markers would count as swap.
 */
static void
test_backend_seam_no_bits(void **state)
{
	struct pagescan_caps	 c;
	struct snapshot		*s;
	struct helper		 h;
	uint64_t		 n, *start, *end;
	int			 b;

	(void)state;
	assert_int_equal(probe_as_now(&c, "no-bits=soft_dirty,guard"), 0);
	assert_true(c.have_ioctl);
	assert_false(c.accepted & (CAT_BIT(CAT_GUARD) |
	    CAT_BIT(CAT_SOFT_DIRTY)));
	assert_false(c.pagemap_working & (CAT_BIT(CAT_GUARD) |
	    CAT_BIT(CAT_SOFT_DIRTY)));
	assert_false(c.absent & CAT_BIT(CAT_GUARD));

	assert_int_equal(helper_ready("demo", &h, "no-bits"), 0);
	start = h.c.start;
	end = h.c.end;
	n = (end[DEMO_GUARD] - start[DEMO_GUARD]) / c.page_size;
	for (b = BACKEND_IOCTL; b <= BACKEND_PAGEMAP; b++) {
		s = scan_with(&c, (enum backend)b, h.target, NULL);
		assert_unknown(s, CAT_GUARD);
		assert_unknown(s, CAT_SOFT_DIRTY);
		assert_int_equal(count_at(s, start[DEMO_GUARD], CAT_SWAPPED),
		    -1);
		assert_int_equal(count_at(s, start[DEMO_GUARD], CAT_PRESENT),
		    (int64_t)(n - n / DEMO_GUARD_STRIDE));
		assert_int_equal(count_at(s, start[DEMO_ZERO], CAT_PFNZERO),
		    (int64_t)((end[DEMO_ZERO] - start[DEMO_ZERO]) /
		    c.page_size));
		snapshot_unref(s);
	}
	helper_kill(&h);
}

/*
 * Before 6.13 there are no guard pages at all: their count is a known 0
 * and swapped needs no guard bit. (The seam only pretends: the target
 * must have no guard pages, or the 0 would be the seam's lie.)
 */
static void
test_backend_seam_no_guard_regions(void **state)
{
	struct pagescan_caps	 c;
	struct snapshot		*s;
	struct helper		 h;
	int64_t			 swapped;
	int			 b;

	(void)state;
	assert_int_equal(probe_as_now(&c,
	    "no-guard-regions no-bits=guard"), 0);
	assert_true(c.absent & CAT_BIT(CAT_GUARD));
	assert_int_equal(helper_ready("swapped", &h, "no-guard-regions"), 0);
	for (b = BACKEND_IOCTL; b <= BACKEND_PAGEMAP; b++) {
		s = scan_with(&c, (enum backend)b, h.target, NULL);
		assert_int_equal(s->state, TARGET_OK);
		assert_true(s->supported & CAT_BIT(CAT_GUARD));
		assert_int_equal(count_at(s, h.c.start[0], CAT_GUARD), 0);
		swapped = count_at(s, h.c.start[0], CAT_SWAPPED);
		assert_true(swapped >= 0);
		assert_int_equal(swapped + count_at(s, h.c.start[0],
		    CAT_PRESENT), (int64_t)(KIND_LEN / c.page_size));
		if (swap_on)
			assert_true(swapped > 0);
		snapshot_unref(s);
	}
	helper_kill(&h);
}

/*
 * The kernel refusing mid-scan (a probe that got it wrong): the refresh
 * fails with the kernel's errno, and nothing is counted or crashes.
 */
static void
test_backend_seam_kernel_refuses(void **state)
{
	struct pagescan_caps	 c;
	struct snapshot		*s;
	struct helper		 h;

	(void)state;
	assert_int_equal(helper_ready("swapped", &h, "refuses"), 0);

	assert_int_equal(probe_as_now(&c, "no-bits=file"), 0);
	c.working |= CAT_BIT(CAT_FILE);
	s = engine_scan_once(&c, h.target, &all_categories);
	assert_int_equal(s->state, TARGET_ERROR);
	assert_int_equal(s->error_errno, EINVAL);
	snapshot_unref(s);

	assert_int_equal(probe_as_now(&c, "no-ioctl"), 0);
	c.backend = BACKEND_IOCTL;
	s = engine_scan_once(&c, h.target, &all_categories);
	assert_int_equal(s->state, TARGET_ERROR);
	assert_int_equal(s->error_errno, ENOTTY);
	snapshot_unref(s);
	helper_kill(&h);
}

/* A misspelt seam is an error, not a test that silently tests nothing. */
static void
test_backend_seam_bad_spec(void **state)
{
	static const char *const bad[] = { "no-ioctls", "no-bits=", "no-bits",
	    "no-bits=guard,", "no-bits=bogus", "no-pfn x" };
	struct pagescan_caps	 c;
	char			*cause;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(pagescan_probe_fake(&c, bad[i], &cause), -1);
		assert_non_null(cause);
		assert_non_null(strstr(cause, SCAN_FAKE_ENV));
		free(cause);
	}
	assert_int_equal(probe_as_now(&c, "  no-pfn\tno-ioctl "), 0);
	assert_true(c.fake.no_pfn && c.fake.no_ioctl);
}

static int
median_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, median_cmp);
	return v[n / 2];
}

/* How long a whole refresh of the stopped demo takes on each backend. */
static void
test_backend_demo_timing(void **state)
{
	struct snapshot		*s;
	struct helper		 h;
	double			 io[TIMING_RUNS], pm[TIMING_RUNS];
	uint64_t		 pages = 0;
	size_t			 i;

	(void)state;
	assert_int_equal(helper_ready("demo", &h, "timing"), 0);
	for (i = 0; i < TIMING_RUNS; i++) {
		s = scan_with(&caps, BACKEND_IOCTL, h.target, &io[i]);
		assert_int_equal(s->state, TARGET_OK);
		snapshot_unref(s);
		s = scan_with(&caps, BACKEND_PAGEMAP, h.target, &pm[i]);
		assert_int_equal(s->state, TARGET_OK);
		pages = s->total_pages;
		snapshot_unref(s);
	}
	fprintf(stderr, "backend: demo (%" PRIu64 " MiB in VMAs), median of %d"
	    " refreshes: ioctl %.2f ms, pagemap %.2f ms\n",
	    pages * caps.page_size >> 20, TIMING_RUNS,
	    median(io, TIMING_RUNS) * 1e3, median(pm, TIMING_RUNS) * 1e3);
	helper_kill(&h);
}

static int
setup(void **state)
{
	(void)state;
	if (probe_as_now(&caps, NULL) == -1 || !caps.have_ioctl) {
		fprintf(stderr, "no PAGEMAP_SCAN here: nothing to compare "
		    "the pagemap backend with\n");
		return -1;
	}
	swap_on = test_swap_on(swap_why, sizeof swap_why);
	if (!swap_on)
		fprintf(stderr, "backend: without swap (%s): swapped counts "
		    "are compared at 0\n", swap_why);
	fprintf(stderr, "backend: frames %s, zero page %#" PRIx64 ", huge "
	    "zero page %#" PRIx64 ", pagemap tells %#x, absent %#x\n",
	    caps.pfn_visible ? "visible" : "hidden", caps.zero_pfn,
	    caps.huge_zero_pfn, (unsigned)caps.pagemap_working,
	    (unsigned)caps.absent);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	test_swap_off();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_kinds_agree),
		cmocka_unit_test(test_backend_demo_agree),
		cmocka_unit_test(test_backend_kinds_agree_as_nobody),
		cmocka_unit_test(test_backend_demo_agree_as_nobody),
		cmocka_unit_test(test_backend_seam_no_pfn),
		cmocka_unit_test(test_backend_seam_no_ioctl),
		cmocka_unit_test(test_backend_seam_no_bits),
		cmocka_unit_test(test_backend_seam_no_guard_regions),
		cmocka_unit_test(test_backend_seam_kernel_refuses),
		cmocka_unit_test(test_backend_seam_bad_spec),
		cmocka_unit_test(test_backend_demo_timing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
