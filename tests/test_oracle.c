/*
 * The oracle test: pmtop's per-VMA counts against the kernel's own
 * accounting in /proc/PID/smaps, for every VMA of real programs (the
 * demo, python3, node, java) and of memory paged out to swap. Each target
 * is started by the test and stopped with SIGSTOP before it is read; the
 * smaps reader shares no code with the scan, so agreement means something.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "demo.h"
#include "scan/engine.h"
#include "scan/pagescan.h"
#include "util/smaps.h"
#include "util/swap.h"
#include "util/target.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define MIB ((size_t)1 << 20)
#define ORACLE_TRIES 10		/* scans bracketed by smaps reads */
#define PAGEOUT_MIB 64

/* The counts that must be known wherever the kernel can tell them. */
#define ORACLE_NEEDED (CAT_BIT(CAT_PRESENT) | CAT_BIT(CAT_PFNZERO) | \
    CAT_BIT(CAT_SWAPPED) | CAT_BIT(CAT_HUGE) | CAT_BIT(CAT_FILE))

static struct pagescan_caps caps;
static uint64_t page_kb;

static const struct engine_request all_categories = {
	.categories = CAT_ALL,
	.interval_ms = 1000,
};

/*
 * What the tests leave for the teardowns, which run even when an
 * assertion failed: a target to kill, java's source file, our swap file.
 */
static struct {
	pid_t	pid;
	char	dir[64];		/* java's temp dir, or "" */
	int	swap_on;		/* swap is active, ours or not */
	int	not_root;		/* none, and we cannot make one */
	char	swap_why[256];		/* why making swap failed */
} ctx;

/* One consistent reading of a target: smaps and a snapshot. */
struct oracle_read {
	struct smaps_vma	*sm;
	long			 nsm;
	struct snapshot		*snap;
	int			 tries;
};

/* What was compared, for the summary line. */
struct oracle_sum {
	size_t		vmas;		/* compared */
	size_t		skipped;	/* pf/io and [vsyscall] */
	size_t		shmem;		/* compared, swap unknown */
	uint64_t	pages;		/* virtual pages compared */
	uint64_t	rss;		/* resident, zero page excluded */
	uint64_t	swapped;
	uint64_t	huge;
	int		bad;		/* disagreements */
};

/* --- reading --------------------------------------------------------- */

static int
smaps_same(const struct smaps_vma *a, long na, const struct smaps_vma *b,
    long nb)
{
	/* smaps_read() zeroes each entry first, so bytes compare. */
	return na == nb && na > 0 &&
	    memcmp(a, b, (size_t)na * sizeof *a) == 0;
}

static void
oracle_read_free(struct oracle_read *r)
{
	free(r->sm);
	snapshot_unref(r->snap);
	memset(r, 0, sizeof *r);
}

/*
 * Read smaps, scan, read smaps again. A stopped target's memory can still
 * change (khugepaged collapses it, reclaim drops file pages, a migration
 * is under way), and the scan only compares if nothing moved around it.
 */
static void
oracle_read(pid_t pid, struct oracle_read *r)
{
	struct smaps_vma	*again;
	long			 n;

	memset(r, 0, sizeof *r);
	for (r->tries = 1; r->tries <= ORACLE_TRIES; r->tries++) {
		r->nsm = smaps_read(pid, &r->sm);
		assert_true(r->nsm > 0);
		r->snap = engine_scan_once(&caps, pid, &all_categories);
		assert_non_null(r->snap);
		assert_int_equal(r->snap->state, TARGET_OK);
		n = smaps_read(pid, &again);
		assert_true(n > 0);
		if (smaps_same(r->sm, r->nsm, again, n)) {
			free(again);
			return;
		}
		free(again);
		oracle_read_free(r);
		usleep(200 * 1000);
	}
	fail_msg("pid %d: smaps changed during each of %d scans", (int)pid,
	    ORACLE_TRIES);
}

/* --- comparing ------------------------------------------------------- */

/* The VMA's name as smaps shows it, without padding or newline. */
static int
name_len(const char **name)
{
	const char	*p = *name;

	while (*p == ' ' || *p == '\t')
		p++;
	*name = p;
	return (int)strcspn(p, "\n");
}

static void
oracle_complain(const struct smaps_vma *m, const char *fmt, ...)
{
	const char	*name = m->name;
	int		 len = name_len(&name);
	va_list		 ap;

	fprintf(stderr, "  DISAGREE %" PRIx64 "-%" PRIx64 " %.*s: ",
	    m->start, m->end, len, name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
oracle_expect(struct oracle_sum *sum, const struct smaps_vma *m,
    const char *what, uint64_t pmtop, uint64_t smaps)
{
	if (pmtop == smaps)
		return;
	oracle_complain(m, "%s: pmtop %" PRIu64 " pages, smaps %" PRIu64,
	    what, pmtop, smaps);
	sum->bad++;
}

static int
is_vsyscall(const struct smaps_vma *m)
{
	return strstr(m->name, "[vsyscall]") != NULL;
}

/*
 * VMAs whose counts are not compared: [vsyscall] cannot be scanned (it
 * lies above the user address limit), PAGEMAP_SCAN skips VM_PFNMAP, and
 * smaps counts no frame without a struct page in VM_IO/PFNMAP memory.
 */
static int
oracle_skipped(const struct smaps_vma *m)
{
	return is_vsyscall(m) || smaps_has_flag(m, "pf") ||
	    smaps_has_flag(m, "io");
}

/* The counts that may be unknown in this VMA; 0: all must be known. */
static cat_mask
oracle_may_be_unknown(const struct snap_vma *v, const struct smaps_vma *m)
{
	if (oracle_skipped(m))
		return CAT_ALL;
	/*
	 * Swapped shmem leaves no swap entry in the page table; in uffd-wp
	 * VMAs markers look like swap entries (snapshot.h says both).
	 */
	if (vma_is_shmem(&v->info) || smaps_has_flag(m, "uw"))
		return CAT_BIT(CAT_SWAPPED);
	return 0;
}

static void
oracle_check_known(struct oracle_sum *sum, const struct snap_vma *v,
    const struct smaps_vma *m)
{
	cat_mask	missing;

	missing = ORACLE_NEEDED & ~v->known & ~oracle_may_be_unknown(v, m);
	if (missing != 0) {
		oracle_complain(m, "unknown counts %#x (known %#x)",
		    (unsigned)missing, (unsigned)v->known);
		sum->bad++;
	}
	/* Nothing of [vsyscall] was read, so nothing can be known. */
	if (is_vsyscall(m) && v->known != 0) {
		oracle_complain(m, "known %#x in an unscanned VMA",
		    (unsigned)v->known);
		sum->bad++;
	}
}

/*
 * hugetlb pages are not in smaps Rss but in *_Hugetlb, and PAGEMAP_SCAN
 * calls every page of a hugetlb VMA huge, mapped or not: bounds only.
 */
static void
oracle_hugetlb(struct oracle_sum *sum, const struct snap_vma *v,
    const struct smaps_vma *m)
{
	uint64_t	huge = v->count[CAT_HUGE];

	if (huge < m->hugetlb_kb / page_kb || huge > v->pages) {
		oracle_complain(m, "hugetlb: %" PRIu64 " huge pages, "
		    "smaps %" PRIu64 " kB", huge, m->hugetlb_kb);
		sum->bad++;
	}
}

static void
oracle_compare_vma(struct oracle_sum *sum, const struct snap_vma *v,
    const struct smaps_vma *m)
{
	uint64_t	rss, huge;

	oracle_check_known(sum, v, m);
	if (oracle_skipped(m)) {
		sum->skipped++;
		return;
	}
	rss = (m->rss_kb + m->hugetlb_kb) / page_kb;
	oracle_expect(sum, m, "present - pfnzero",
	    v->count[CAT_PRESENT] - v->count[CAT_PFNZERO], rss);
	if (v->known & CAT_BIT(CAT_SWAPPED)) {
		oracle_expect(sum, m, "swapped", v->count[CAT_SWAPPED],
		    m->swap_kb / page_kb);
	} else
		sum->shmem++;
	huge = (m->anon_huge_kb + m->shmem_pmd_kb + m->file_pmd_kb) / page_kb;
	if (smaps_has_flag(m, "ht"))
		oracle_hugetlb(sum, v, m);
	else
		oracle_expect(sum, m, "huge", v->count[CAT_HUGE], huge);

	sum->vmas++;
	sum->pages += v->pages;
	sum->rss += rss;
	sum->swapped += m->swap_kb / page_kb;
	sum->huge += huge;
}

/* The same VMAs, in the same order, on both sides. */
static void
oracle_same_vmas(const struct oracle_read *r)
{
	const struct snapshot	*s = r->snap;
	size_t			 i, n = (size_t)r->nsm, bad = 0;

	for (i = 0; i < n || i < s->nvma; i++) {
		if (i < n && i < s->nvma &&
		    r->sm[i].start == s->vma[i].info.start &&
		    r->sm[i].end == s->vma[i].info.end)
			continue;
		fprintf(stderr, "  VMA %zu: smaps %" PRIx64 "-%" PRIx64
		    ", pmtop %" PRIx64 "-%" PRIx64 "\n", i,
		    i < n ? r->sm[i].start : 0, i < n ? r->sm[i].end : 0,
		    i < s->nvma ? s->vma[i].info.start : 0,
		    i < s->nvma ? s->vma[i].info.end : 0);
		bad++;
	}
	assert_int_equal(bad, 0);
}

static void
oracle_summary(const char *label, pid_t pid, const struct oracle_read *r,
    const struct oracle_sum *sum)
{
	fprintf(stderr, "oracle: %s (pid %d): %zu VMAs compared, %zu skipped "
	    "(pf/io/vsyscall), %zu shmem with swap unknown; pages: %" PRIu64
	    " virtual, %" PRIu64 " resident, %" PRIu64 " swapped, %" PRIu64
	    " huge; %d scan(s); %d disagreement(s)\n", label, (int)pid,
	    sum->vmas, sum->skipped, sum->shmem, sum->pages, sum->rss,
	    sum->swapped, sum->huge, r->tries, sum->bad);
}

/* Read a stopped target and compare every VMA; r is the caller's. */
static void
oracle_target(pid_t pid, const char *label, struct oracle_read *r)
{
	struct oracle_sum	sum;
	size_t			i;

	memset(&sum, 0, sizeof sum);
	oracle_read(pid, r);
	oracle_same_vmas(r);
	for (i = 0; i < r->snap->nvma; i++)
		oracle_compare_vma(&sum, &r->snap->vma[i], &r->sm[i]);
	oracle_summary(label, pid, r, &sum);
	assert_int_equal(sum.bad, 0);
	assert_true(sum.vmas > 0);
}

/* --- targets --------------------------------------------------------- */

static void
test_oracle_demo(void **state)
{
	struct demo_layout	 d;
	struct oracle_read	 r;
	char			*cause = NULL;

	(void)state;
	ctx.pid = demo_spawn(&d, &cause);
	if (ctx.pid <= 0)
		fail_msg("demo: %s", cause != NULL ? cause : "failed");
	assert_int_equal(test_child_stop(ctx.pid), 0);
	oracle_target(ctx.pid, "demo", &r);
	oracle_read_free(&r);
}

/* True if name (a path, or a command looked up in PATH) can be run. */
static int
have_program(const char *name)
{
	const char	*path = getenv("PATH"), *p, *end;
	char		 buf[4096];

	if (strchr(name, '/') != NULL)
		return access(name, X_OK) == 0;
	for (p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0'; p = end) {
		end = p + strcspn(p, ":");
		snprintf(buf, sizeof buf, "%.*s/%s", (int)(end - p), p, name);
		if (access(buf, X_OK) == 0)
			return 1;
		if (*end == ':')
			end++;
	}
	return 0;
}

/* Start a program that prints "ready", stop it, compare it. */
static void
oracle_program(const char *label, const char *package, char *const argv[],
    int timeout_s)
{
	struct oracle_read	r;

	if (!have_program(argv[0]))
		fail_msg("%s: %s not found; install it: apt-get install %s",
		    label, argv[0], package);
	ctx.pid = test_program_spawn(argv, timeout_s);
	if (ctx.pid <= 0)
		fail_msg("%s: no \"ready\" line within %d s", label,
		    timeout_s);
	assert_int_equal(test_child_stop(ctx.pid), 0);
	oracle_target(ctx.pid, label, &r);
	oracle_read_free(&r);
}

/*
 * Heap, a THP-advised private mapping, zero pages, shared anonymous
 * memory (shmem) and a partly read file mapping.
 */
static char python_script[] =
    "import mmap, sys, time\n"
    "M = 1 << 20\n"
    "b = bytearray(64 * M)\n"
    "for i in range(0, 32 * M, 4096):\n"
    "    b[i] = 1\n"
    "h = mmap.mmap(-1, 32 * M, flags=mmap.MAP_PRIVATE)\n"
    "h.madvise(mmap.MADV_HUGEPAGE)\n"
    "h.write(b'h' * (16 * M))\n"
    "z = mmap.mmap(-1, 8 * M, flags=mmap.MAP_PRIVATE)\n"
    "n = sum(z[i] for i in range(0, 8 * M, 4096))\n"
    "s = mmap.mmap(-1, 8 * M)\n"
    "s.write(b's' * (4 * M))\n"
    "f = open(sys.executable, 'rb')\n"
    "m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)\n"
    "n += sum(m[i] for i in range(0, len(m), 16 * 4096))\n"
    "print('ready', flush=True)\n"
    "time.sleep(3600)\n";

static void
test_oracle_python(void **state)
{
	char	python[] = "/usr/bin/python3", dash_c[] = "-c";
	char	*argv[] = { python, dash_c, python_script, NULL };

	(void)state;
	oracle_program("python3", "python3", argv, 30);
}

static char node_script[] =
    "const M = 1 << 20;\n"
    "const b = Buffer.alloc(64 * M, 1);\n"
    "const f = new Float64Array(4 * M).fill(1.5);\n"
    "const a = [];\n"
    "for (let i = 0; i < 500000; i++) a.push({ i, s: 'x' + i });\n"
    "globalThis.keep = [b, f, a];\n"
    "console.log('ready');\n"
    "setInterval(() => {}, 1 << 30);\n";

static void
test_oracle_node(void **state)
{
	char	node[] = "node", dash_e[] = "-e";
	char	*argv[] = { node, dash_e, node_script, NULL };

	(void)state;
	oracle_program("node", "nodejs", argv, 30);
}

static const char java_source[] =
    "public class Oracle {\n"
    "\tpublic static void main(String[] args) throws Exception {\n"
    "\t\tbyte[][] keep = new byte[48][];\n"
    "\t\tfor (int i = 0; i < keep.length; i++) {\n"
    "\t\t\tkeep[i] = new byte[1 << 20];\n"
    "\t\t\tjava.util.Arrays.fill(keep[i], (byte)1);\n"
    "\t\t}\n"
    "\t\tSystem.out.println(\"ready \" + keep.length);\n"
    "\t\tSystem.out.flush();\n"
    "\t\tThread.sleep(Long.MAX_VALUE);\n"
    "\t}\n"
    "}\n";

/* Write Oracle.java into a new temp dir (ctx.dir); path gets its name. */
static void
java_write_source(char *path, size_t len)
{
	FILE	*f;

	snprintf(ctx.dir, sizeof ctx.dir, "/tmp/pmtop-oracle.XXXXXX");
	if (mkdtemp(ctx.dir) == NULL) {
		ctx.dir[0] = '\0';
		fail_msg("mkdtemp: %s", strerror(errno));
	}
	snprintf(path, len, "%s/Oracle.java", ctx.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(java_source, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/*
 * A single-file source launch (JDK 11+) compiles in memory. The heap is
 * pre-touched and THP-advised, so it shows huge pages; no perf data file,
 * which a killed JVM would leave behind in /tmp.
 */
static void
test_oracle_java(void **state)
{
	char	java[] = "java", xms[] = "-Xms128m", xmx[] = "-Xmx256m";
	char	touch[] = "-XX:+AlwaysPreTouch";
	char	thp[] = "-XX:+UseTransparentHugePages";
	char	perf[] = "-XX:-UsePerfData", path[128];
	char	*argv[] = { java, xms, xmx, touch, thp, perf, path, NULL };

	(void)state;
	if (!have_program("java"))
		fail_msg("java: not found; install it: apt-get install "
		    "openjdk-17-jdk-headless");
	java_write_source(path, sizeof path);
	oracle_program("java", "openjdk-17-jdk-headless", argv, 60);
}

/* --- swap ------------------------------------------------------------ */

static void
layout_pageout(struct test_child *c, void *arg)
{
	size_t	 len = PAGEOUT_MIB * MIB;
	char	*p;

	(void)arg;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 0x5a, len);
	c->value[0] = madvise(p, len, MADV_PAGEOUT) == 0 ? 0 : errno;
	c->start[0] = (uintptr_t)p;
	c->end[0] = (uintptr_t)p + len;
}

/* Whether the swap tests can run: fails if they should and cannot. */
static int
swap_ready(void)
{
	if (ctx.swap_on)
		return 1;
	if (ctx.not_root) {
		fprintf(stderr, "cannot test swap: not root\n");
		return 0;
	}
	fail_msg("cannot test swap: %s", ctx.swap_why);
	return 0;
}

/* The VMA at addr on both sides, which must have real swap in it. */
static size_t
oracle_swapped_vma(const struct oracle_read *r, uint64_t addr)
{
	const struct snap_vma	*v;
	long			 i;

	i = snapshot_find_vma(r->snap, addr);
	assert_true(i >= 0);
	v = &r->snap->vma[i];
	assert_true(v->known & CAT_BIT(CAT_SWAPPED));
	assert_true(v->count[CAT_SWAPPED] > 0);
	assert_int_equal(v->count[CAT_SWAPPED], r->sm[i].swap_kb / page_kb);
	return (size_t)i;
}

/* 64 MiB written, then paged out: swapped, and every page accounted. */
static void
test_oracle_swap_pageout(void **state)
{
	const struct snap_vma	*v;
	struct oracle_read	 r;
	struct test_child	 t;
	uint64_t		 pages;

	(void)state;
	if (!swap_ready())
		return;
	assert_int_equal(test_child_spawn(layout_pageout, NULL, &t), 0);
	ctx.pid = t.pid;
	assert_int_equal(t.value[0], 0);
	assert_int_equal(test_child_stop(ctx.pid), 0);

	oracle_target(ctx.pid, "pageout", &r);
	v = &r.snap->vma[oracle_swapped_vma(&r, t.start[0])];
	pages = (t.end[0] - t.start[0]) / caps.page_size;
	assert_true(v->count[CAT_PRESENT] + v->count[CAT_SWAPPED] >= pages);
	fprintf(stderr, "oracle: pageout: %" PRIu64 " of %" PRIu64
	    " written pages swapped, %" PRIu64 " present\n",
	    v->count[CAT_SWAPPED], pages, v->count[CAT_PRESENT]);
	oracle_read_free(&r);
}

/* A file on tmpfs (/dev/shm), written, then paged out to swap. */
static void
layout_tmpfs_pageout(struct test_child *c, void *arg)
{
	char	 path[] = "/dev/shm/pmtop-oracle.XXXXXX";
	size_t	 len = 16 * MIB;
	char	*p;
	int	 fd;

	(void)arg;
	fd = mkstemp(path);
	if (fd == -1 || ftruncate(fd, (off_t)len) == -1)
		_exit(1);
	unlink(path);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 0x5a, len);
	c->value[0] = madvise(p, len, MADV_PAGEOUT) == 0 ? 0 : errno;
	c->start[0] = (uintptr_t)p;
	c->end[0] = (uintptr_t)p + len;
}

/*
 * Swapped tmpfs pages leave nothing in the page tables: pmtop must call
 * the swapped count unknown there, never claim a 0 that smaps denies.
 */
static void
test_oracle_swap_tmpfs_unknown(void **state)
{
	const struct snap_vma	*v;
	struct oracle_read	 r;
	struct test_child	 t;
	long			 i;

	(void)state;
	if (!swap_ready())
		return;
	assert_int_equal(test_child_spawn(layout_tmpfs_pageout, NULL, &t), 0);
	ctx.pid = t.pid;
	assert_int_equal(t.value[0], 0);
	assert_int_equal(test_child_stop(ctx.pid), 0);

	oracle_target(ctx.pid, "tmpfs pageout", &r);
	i = snapshot_find_vma(r.snap, t.start[0]);
	assert_true(i >= 0);
	v = &r.snap->vma[i];
	assert_true(v->info.tmpfs);
	assert_true(r.sm[i].swap_kb > 0);
	assert_false(v->known & CAT_BIT(CAT_SWAPPED));
	assert_true(v->known & CAT_BIT(CAT_PRESENT));
	oracle_read_free(&r);
}

/* The demo pages out its "swapped" region at start: with swap, it is. */
static void
test_oracle_swap_demo(void **state)
{
	const struct snap_vma	*v;
	struct demo_layout	 d;
	struct oracle_read	 r;
	char			*cause = NULL;

	(void)state;
	if (!swap_ready())
		return;
	ctx.pid = demo_spawn(&d, &cause);
	if (ctx.pid <= 0)
		fail_msg("demo: %s", cause != NULL ? cause : "failed");
	assert_int_equal(test_child_stop(ctx.pid), 0);

	oracle_target(ctx.pid, "demo+swap", &r);
	v = &r.snap->vma[oracle_swapped_vma(&r, d.start[DEMO_SWAPPED])];
	fprintf(stderr, "oracle: demo+swap: %" PRIu64 " of %" PRIu64
	    " pages of the swapped region swapped\n", v->count[CAT_SWAPPED],
	    (d.end[DEMO_SWAPPED] - d.start[DEMO_SWAPPED]) / caps.page_size);
	oracle_read_free(&r);
}

/* --- setup and teardown ---------------------------------------------- */

static int
probe(void)
{
	char	*cause = NULL;

	if (pagescan_probe(&caps, &cause) == -1 || !caps.have_ioctl) {
		fprintf(stderr, "no PAGEMAP_SCAN here: %s\n",
		    cause ? cause : "kernel older than 6.7");
		free(cause);
		return -1;
	}
	page_kb = caps.page_size / 1024;
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	return probe();
}

/*
 * Use swap that is on already and leave it alone; otherwise make some,
 * which only root can (tests/util/swap.c).
 */
static int
swap_setup(void **state)
{
	(void)state;
	if (probe() == -1)
		return -1;
	if (test_swap_on(ctx.swap_why, sizeof ctx.swap_why))
		ctx.swap_on = 1;
	else if (geteuid() != 0)
		ctx.not_root = 1;
	return 0;
}

static int
swap_teardown(void **state)
{
	(void)state;
	test_swap_off();
	ctx.swap_on = 0;
	return 0;
}

/* After each test: kill its target and remove java's source. */
static int
kill_target(void **state)
{
	char	path[128];

	(void)state;
	test_child_kill(ctx.pid);
	ctx.pid = 0;
	if (ctx.dir[0] != '\0') {
		snprintf(path, sizeof path, "%s/Oracle.java", ctx.dir);
		unlink(path);
		rmdir(ctx.dir);
		ctx.dir[0] = '\0';
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_oracle_demo, kill_target),
		cmocka_unit_test_teardown(test_oracle_python, kill_target),
		cmocka_unit_test_teardown(test_oracle_node, kill_target),
		cmocka_unit_test_teardown(test_oracle_java, kill_target),
	};
	const struct CMUnitTest swap_tests[] = {
		cmocka_unit_test_teardown(test_oracle_swap_pageout,
		    kill_target),
		cmocka_unit_test_teardown(test_oracle_swap_demo, kill_target),
		cmocka_unit_test_teardown(test_oracle_swap_tmpfs_unknown,
		    kill_target),
	};
	int	failed;

	failed = cmocka_run_group_tests(tests, setup, NULL);
	failed += cmocka_run_group_tests(swap_tests, swap_setup,
	    swap_teardown);
	return failed;
}
