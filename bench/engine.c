/*
 * The engine against the kernel's limit and against the old pagemap way.
 *
 * For each layout the bench starts a target of its own (bench_target,
 * which holds the layout and little else, or java), then times,
 * interleaved and repeated, three ways to learn every page's state:
 * pmtop's engine doing a full refresh (maps, scan, snapshot); reading
 * maps and then the classic /proc/PID/pagemap with pread over the same
 * VMAs, as older viewers do; and the bare kernel walk, one PAGEMAP_SCAN
 * with return mask 0 over the whole range. It also measures how long the
 * target's own mmap+munmap stalls while the engine refreshes flat out,
 * and the CPU and peak RSS of pmtop's viewer showing each layout at 1 s
 * and 0.1 s.
 * Only ratios are printed: the machine is shared and noisy.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scan/engine.h"
#include "scan/maps.h"
#include "scan/pagescan.h"
#include "scan/uapi.h"

#include "stall.h"

#define REPEAT		9
#define SETTLE_SECONDS	1.0	/* after a target starts */
#define STALL_SECONDS	3.0

enum layout {
	L_SPARSE,	/* 64 GiB PROT_NONE */
	L_DENSE,	/* 4 GiB, every 4 KiB page touched */
	L_FRAG,		/* 4 GiB, every other page touched */
	L_THP,		/* 4 GiB of THP */
	L_VMAS,		/* 10,000 small VMAs */
	L_JAVA,		/* java with a touched 2 GiB heap */
	L_COUNT
};

static const char *const layout_names[L_COUNT] = {
	"sparse 64G", "dense 4G", "fragmented 4G", "THP 4G", "10k VMAs",
	"java 2G heap",
};

/* Names for the command line, which may pick some parts only. */
static const char *const layout_keys[L_COUNT] = {
	"sparse", "dense", "fragmented", "thp", "vmas", "java",
};

struct result {
	double	engine, pread, walk;	/* median seconds */
	double	cpu_1s, cpu_100ms;	/* pmtop, per cent of a core */
	long	rss_1s, rss_100ms;	/* pmtop, peak KiB */
	bool	done;
};

static struct pagescan_caps	caps;
static const char		*pmtop_path, *target_path;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

/*
 * Start bench_target with layout l (and the stall probe writing to the
 * memfd stall_fd, if not -1); wait for its "ready" line.
 */
static pid_t
spawn_target(enum layout l, int stall_fd)
{
	char	 fdarg[16], line[64];
	FILE	*f;
	int	 fds[2];
	pid_t	 pid;

	if (pipe(fds) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		snprintf(fdarg, sizeof fdarg, "%d", stall_fd);
		execl(target_path, target_path, layout_keys[l],
		    stall_fd == -1 ? (char *)NULL : fdarg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (f == NULL || fgets(line, sizeof line, f) == NULL ||
	    strncmp(line, "ready", 5) != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	if (f != NULL)
		fclose(f);
	return pid;
}

/* java with a 2 GiB heap it has touched; a line "ready" when up. */
static pid_t
spawn_java(void)
{
	static const char src[] =
	    "public class PmtopBench { public static void main(String[] a)"
	    " throws Exception { System.out.println(\"ready\");"
	    " Thread.sleep(1000000000); } }\n";
	char		 path[] = "/tmp/pmtop-bench-XXXXXX", file[64], line[64];
	FILE		*f;
	int		 fds[2];
	pid_t		 pid;

	if (mkdtemp(path) == NULL)
		return -1;
	snprintf(file, sizeof file, "%s/PmtopBench.java", path);
	f = fopen(file, "w");
	if (f == NULL || pipe(fds) == -1) {
		if (f != NULL)
			fclose(f);
		rmdir(path);
		return -1;
	}
	fputs(src, f);
	fclose(f);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], STDOUT_FILENO);
		execlp("java", "java", "-Xms2g", "-Xmx2g",
		    "-XX:+AlwaysPreTouch",
		    file, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (pid > 0 && (f == NULL || fgets(line, sizeof line, f) == NULL ||
	    strncmp(line, "ready", 5) != 0)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	if (f != NULL)
		fclose(f);

	/* Up (or not): the source has been compiled and can go. */
	unlink(file);
	rmdir(path);
	return pid;
}

static void
kill_target(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * The engine as it runs: a thread following the target, asked for a
 * refresh and waited for. The time is the refresh's own (maps, scan,
 * snapshot), without the thread's wake-up.
 */
static struct engine *
engine_follow(pid_t pid)
{
	struct engine_request	 req;
	struct engine		*e;
	char			*cause = NULL;

	e = engine_create(&caps, &cause);
	if (e == NULL) {
		fprintf(stderr, "bench: %s\n", cause ? cause : "engine");
		exit(1);
	}
	memset(&req, 0, sizeof req);
	req.categories = CAT_ALL;
	req.interval_ms = 3600 * 1000;
	engine_set_request(e, &req);
	engine_set_target(e, pid);
	if (engine_start(e) == -1)
		exit(1);
	return e;
}

static double
time_engine(struct engine *e)
{
	struct pollfd	 pfd = { .fd = engine_fd(e), .events = POLLIN };
	struct snapshot	*s = NULL;
	double		 dt;

	engine_refresh(e);
	while (s == NULL) {
		poll(&pfd, 1, -1);
		s = engine_take(e);
	}
	if (s->state != TARGET_OK) {
		fprintf(stderr, "bench: engine: %s\n", s->error ? s->error :
		    "failed");
		exit(1);
	}
	dt = s->scan_seconds;
	snapshot_unref(s);
	return dt;
}

/* The scannable VMAs of pid, from a snapshot. */
static struct snapshot *
vmas_of(pid_t pid)
{
	struct engine_request	req;

	memset(&req, 0, sizeof req);
	req.categories = CAT_BIT(CAT_PRESENT);
	return engine_scan_once(&caps, pid, &req);
}

/*
 * What older viewers do on each refresh: read maps, then pread every
 * entry of every VMA, 2 MiB of entries at a time. Both files are open
 * before the clock starts, as the engine keeps its own.
 */
static double
time_pread(pid_t pid)
{
	static uint64_t	 buf[1 << 18];
	struct vma_list	 list = { 0 };
	char		 path[64], *cause = NULL;
	uint64_t	 pg = caps.page_size, off, end;
	double		 t0, dt;
	size_t		 i, want;
	ssize_t		 n;
	int		 fd, maps_fd;

	snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	maps_fd = open(path, O_RDONLY);
	t0 = now();
	if (maps_read(maps_fd, caps.user_limit, &list, &cause) == -1) {
		fprintf(stderr, "bench: maps: %s\n", cause ? cause : "error");
		exit(1);
	}
	for (i = 0; i < list.n; i++) {
		if (!list.v[i].scannable)
			continue;
		off = list.v[i].start / pg * 8;
		end = list.v[i].end / pg * 8;
		while (off < end) {
			want = end - off < sizeof buf ? end - off : sizeof buf;
			n = pread(fd, buf, want, (off_t)off);
			if (n <= 0)
				break;
			off += (uint64_t)n;
		}
	}
	dt = now() - t0;
	vma_list_clear(&list);
	close(maps_fd);
	close(fd);
	return dt;
}

/*
 * The bare walk: one PAGEMAP_SCAN, return mask 0, the whole range; more
 * only if the regions (one per run of VMAs without holes) overflow the
 * vector.
 */
static double
time_walk(pid_t pid, const struct snapshot *s)
{
	static struct page_region	 vec[4096];
	struct pm_scan_arg		 arg;
	char				 path[64];
	uint64_t			 lo = UINT64_MAX, hi = 0;
	double				 t0, dt;
	size_t				 i;
	long				 n;
	int				 fd;

	for (i = 0; i < s->nvma; i++) {
		if (!s->vma[i].info.scannable)
			continue;
		if (s->vma[i].info.start < lo)
			lo = s->vma[i].info.start;
		if (s->vma[i].info.end > hi)
			hi = s->vma[i].info.end;
	}
	snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	memset(&arg, 0, sizeof arg);
	arg.size = sizeof arg;
	arg.start = lo;
	arg.end = hi;
	arg.vec = (uintptr_t)vec;
	arg.vec_len = 4096;
	t0 = now();
	while (arg.start < hi) {
		if ((n = ioctl(fd, PAGEMAP_SCAN, &arg)) == -1) {
			if (errno == EINTR)
				continue;
			perror("bench: PAGEMAP_SCAN");
			exit(1);
		}
		if (n < 4096)
			break;
		arg.start = arg.walk_end > vec[n - 1].end ? arg.walk_end :
		    vec[n - 1].end;
	}
	dt = now() - t0;
	close(fd);
	return dt;
}

/* The three timings, interleaved, REPEAT times; medians into r. */
static void
measure_scans(pid_t pid, struct result *r)
{
	double			 e[REPEAT], p[REPEAT], w[REPEAT];
	struct snapshot		*s = vmas_of(pid);
	struct engine		*eng = engine_follow(pid);
	int			 i;

	time_engine(eng);	/* the first one opens the target */
	for (i = 0; i < REPEAT; i++) {
		e[i] = time_engine(eng);
		p[i] = time_pread(pid);
		w[i] = time_walk(pid, s);
	}
	r->engine = median(e, REPEAT);
	r->pread = median(p, REPEAT);
	r->walk = median(w, REPEAT);
	engine_destroy(eng);
	snapshot_unref(s);
}

/* CPU seconds of all threads of pid, a child of the bench, so far. */
static double
cpu_seconds(pid_t pid)
{
	struct dirent	*d;
	unsigned long long ns, sum = 0;
	char		 path[300];
	FILE		*f;
	DIR		*dir;

	snprintf(path, sizeof path, "/proc/%d/task", pid);
	if ((dir = opendir(path)) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/schedstat", pid,
		    d->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(dir);
	return (double)sum / 1e9;
}

/* Read and drop what pmtop draws on the terminal until the time end. */
static void
drain_until(int master, double end)
{
	struct pollfd	pfd;
	char		buf[65536];
	double		left;

	while ((left = end - now()) > 0) {
		pfd.fd = master;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(left * 1e3) + 1) == 1 &&
		    read(master, buf, sizeof buf) <= 0)
			return;
	}
}

/*
 * pmtop's viewer showing pid, refreshing at interval, on a 120x40
 * pseudo-terminal whose output the bench reads and drops: its CPU (per
 * cent of one core) over secs after a second to start, and its peak RSS.
 */
static void
measure_pmtop(pid_t pid, const char *interval, double secs, double *cpu,
    long *rss)
{
	struct winsize	ws = { .ws_row = 40, .ws_col = 120 };
	struct pollfd	pfd;
	struct rusage	ru;
	char		spid[16], buf[65536];
	double		t0, c0;
	pid_t		pm;
	int		master;

	snprintf(spid, sizeof spid, "%d", pid);
	pm = forkpty(&master, NULL, NULL, &ws);
	if (pm == -1) {
		perror("bench: forkpty");
		exit(1);
	}
	if (pm == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		execl(pmtop_path, pmtop_path, "-d", interval, "-p", spid,
		    (char *)NULL);
		_exit(127);
	}

	drain_until(master, now() + 1.0);
	t0 = now();
	c0 = cpu_seconds(pm);
	drain_until(master, t0 + secs);
	*cpu = 100.0 * (cpu_seconds(pm) - c0) / (now() - t0);

	/* It redraws the terminal as it leaves: keep reading till then. */
	kill(pm, SIGTERM);
	while (wait4(pm, NULL, WNOHANG, &ru) == 0) {
		pfd.fd = master;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 10) == 1 &&
		    read(master, buf, sizeof buf) <= 0)
			usleep(1000);
	}
	close(master);
	*rss = ru.ru_maxrss;
}

/* The median of the histogram, in seconds. */
static double
stall_median(const struct stall *st)
{
	long	total = 0, seen = 0;
	int	b;

	for (b = 0; b < STALL_BUCKETS; b++)
		total += st->count[b];
	for (b = 0; b < STALL_BUCKETS; b++) {
		seen += st->count[b];
		if (seen * 2 >= total)
			return b * STALL_BUCKET;
	}
	return 0;
}

/*
 * Stop the probe recording, and give a round it has begun time to end
 * before its record is read or reset.
 */
static void
stall_pause(struct stall *st)
{
	st->run = 0;
	usleep(100 * 1000);
}

/* The target's mmap+munmap latency, unobserved and then observed. */
static void
measure_stall(double *worst_idle, double *med_idle, double *worst_obs,
    double *med_obs)
{
	struct stall	*st;
	struct engine	*e;
	double		 end;
	pid_t		 pid;
	int		 fd;

	fd = memfd_create("pmtop-bench-stall", 0);
	if (fd == -1 || ftruncate(fd, sizeof *st) == -1) {
		perror("bench: memfd");
		exit(1);
	}
	st = mmap(NULL, sizeof *st, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0);
	if (st == MAP_FAILED || (pid = spawn_target(L_DENSE, fd)) <= 0) {
		fprintf(stderr, "bench: cannot start the stall target\n");
		exit(1);
	}
	close(fd);

	st->run = 1;
	usleep((useconds_t)(STALL_SECONDS * 1e6));
	stall_pause(st);
	*worst_idle = st->worst;
	*med_idle = stall_median(st);

	memset((void *)st->count, 0, sizeof st->count);
	st->worst = 0;
	e = engine_follow(pid);
	st->run = 1;
	end = now() + STALL_SECONDS;
	while (now() < end)
		time_engine(e);
	stall_pause(st);
	engine_destroy(e);
	*worst_obs = st->worst;
	*med_obs = stall_median(st);
	st->run = 2;
	kill_target(pid);
	munmap(st, sizeof *st);
}

static void
run_layout(enum layout l, struct result *r)
{
	pid_t	pid;

	pid = l == L_JAVA ? spawn_java() : spawn_target(l, -1);
	if (pid <= 0) {
		fprintf(stderr, "bench: cannot start the %s target\n",
		    layout_names[l]);
		return;
	}
	/* Let the machine settle after building the layout. */
	usleep((useconds_t)(SETTLE_SECONDS * 1e6));
	measure_scans(pid, r);
	measure_pmtop(pid, "1", 3.0, &r->cpu_1s, &r->rss_1s);
	measure_pmtop(pid, "0.1", 3.0, &r->cpu_100ms, &r->rss_100ms);
	r->done = true;
	kill_target(pid);
}

static void
print_table(const struct result *r)
{
	int	l;

	printf("%-14s %10s %10s %10s %8s %8s %8s %7s %7s %7s %7s\n",
	    "layout", "engine ms", "pread ms", "walk ms", "pread/e",
	    "pread/w", "e/walk", "cpu 1s", "cpu .1s", "MiB 1s", "MiB .1s");
	for (l = 0; l < L_COUNT; l++) {
		if (!r[l].done) {
			printf("%-14s (not measured)\n", layout_names[l]);
			continue;
		}
		printf("%-14s %10.3f %10.3f %10.3f %8.1f %8.1f %8.2f %6.1f%% "
		    "%6.1f%% %7.1f %7.1f\n", layout_names[l], r[l].engine * 1e3,
		    r[l].pread * 1e3, r[l].walk * 1e3, r[l].pread / r[l].engine,
		    r[l].pread / r[l].walk, r[l].engine / r[l].walk,
		    r[l].cpu_1s, r[l].cpu_100ms, r[l].rss_1s / 1024.0,
		    r[l].rss_100ms / 1024.0);
	}
}

static bool	want_layout[L_COUNT], want_stall;

/* Which parts to run: all without arguments. False on a bad name. */
static bool
pick_parts(int n, char **names)
{
	int	i, l;

	for (l = 0; l < L_COUNT; l++)
		want_layout[l] = n == 0;
	want_stall = n == 0;
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "stall") == 0) {
			want_stall = true;
			continue;
		}
		for (l = 0; l < L_COUNT; l++) {
			if (strcmp(names[i], layout_keys[l]) == 0)
				break;
		}
		if (l == L_COUNT)
			return false;
		want_layout[l] = true;
	}
	return true;
}

int
main(int argc, char **argv)
{
	struct result	 r[L_COUNT];
	double		 wi, mi, wo, mo;
	long		 rss = 0;
	char		*cause = NULL;
	int		 l;

	if (argc < 3 || !pick_parts(argc - 3, argv + 3)) {
		fprintf(stderr, "usage: bench_engine PMTOP BENCH-TARGET "
		    "[sparse|dense|fragmented|thp|vmas|java|stall]...\n");
		return 2;
	}
	pmtop_path = argv[1];
	target_path = argv[2];
	if (pagescan_probe(&caps, &cause) == -1 || !caps.have_ioctl) {
		fprintf(stderr, "bench: no PAGEMAP_SCAN here\n");
		return 1;
	}
	memset(r, 0, sizeof r);
	for (l = 0; l < L_COUNT; l++) {
		if (!want_layout[l])
			continue;
		fprintf(stderr, "bench: %s...\n", layout_names[l]);
		run_layout((enum layout)l, &r[l]);
		if (r[l].rss_1s > rss)
			rss = r[l].rss_1s;
		if (r[l].rss_100ms > rss)
			rss = r[l].rss_100ms;
	}
	wi = mi = wo = mo = 0;
	if (want_stall) {
		fprintf(stderr, "bench: stall...\n");
		measure_stall(&wi, &mi, &wo, &mo);
	}

	print_table(r);
	printf("pread/e: pread's time over the engine's; pread/w: over the "
	    "bare walk's, the most any full scan could reach here\n");
	printf("target mmap+munmap: unobserved median %.3f ms worst %.3f ms;"
	    " engine refreshing flat out: median %.3f ms worst %.3f ms\n",
	    mi * 1e3, wi * 1e3, mo * 1e3, wo * 1e3);
	/* The summary speaks of every part: a run of some has none. */
	if (!want_stall)
		return 0;
	for (l = 0; l < L_COUNT; l++) {
		if (!r[l].done)
			return 0;
	}
	printf("summary: sparse_vs_pread=%.0f thp_vs_pread=%.1f "
	    "dense_vs_pread=%.2f fragmented_vs_pread=%.2f dense_vs_walk=%.2f "
	    "stall_ms=%.1f rss_mib=%.1f\n",
	    r[L_SPARSE].pread / r[L_SPARSE].engine,
	    r[L_THP].pread / r[L_THP].engine,
	    r[L_DENSE].pread / r[L_DENSE].engine,
	    r[L_FRAG].pread / r[L_FRAG].engine,
	    r[L_DENSE].engine / r[L_DENSE].walk, wo * 1e3, rss / 1024.0);
	return 0;
}
