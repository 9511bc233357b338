/*
 * Write-tracking tests on the real kernel. The target (util/track_target)
 * writes exactly the pages the test names, in lockstep with it over
 * pipes; after each step the test reads what the tracker reports and
 * compares page sets exactly, refresh after refresh, in launch and in
 * attach mode. Then the refusals, which must leave the target untouched,
 * the VMAs that are not worth arming, and a target that checks its own
 * data while tracked, detached or orphaned by a SIGKILLed tracker.
 *
 * Under valgrind (3.19) pidfd_open() and pidfd_getfd() do not exist
 * (ENOSYS), so pmtop cannot take a file descriptor from the target: the
 * tests that inject skip there, and the tracker itself is run on a
 * userfaultfd the target makes and passes over a socket (track_adopt()),
 * which valgrind supports.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/snapshot.h"
#include "scan/backend.h"
#include "scan/engine.h"
#include "scan/maps.h"
#include "scan/pagescan.h"
#include "scan/track.h"
#include "scan/uapi.h"
#include "util/smaps.h"

#define LINE_TIMEOUT	20		/* seconds for a reply */
#define MAX_PAGES	256

static uint64_t	page;

/* A running track_target and the pipes to it. */
struct tgt {
	pid_t		 pid;
	int		 to;		/* its input */
	int		 from;		/* its output */
	char		 buf[512];	/* read ahead */
	size_t		 len;
	uint64_t	 addr;		/* the region */
	size_t		 pages;
	uint64_t	 extra[2];	/* -g: PROT_NONE, reservation */
	int		 sock;		/* it passes uffds here */
	int		 uffd;		/* passed, not adopted */
	struct track	*track;
};

static const char *
target_path(void)
{
	const char	*p = getenv("PMTOP_TRACK_TARGET");

	return p != NULL ? p : "build/tests/track_target";
}

/* True if pmtop can take an fd from another process here. */
static bool
can_inject(void)
{
	int	fd;

	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd == -1)
		return false;
	close(fd);
	return true;
}

#define NEED_INJECTION() do {						\
	if (!can_inject()) {						\
		print_message("skipped: no pidfd_open here (valgrind)\n"); \
		skip();							\
	}								\
} while (0)

/* One line from the target, without its newline. */
static void
tgt_line(struct tgt *t, char *out, size_t size)
{
	struct pollfd	 pfd = { .fd = t->from, .events = POLLIN };
	char		*nl;
	ssize_t		 n;
	size_t		 k;

	while ((nl = memchr(t->buf, '\n', t->len)) == NULL) {
		assert_true(t->len < sizeof t->buf - 1);
		assert_int_equal(poll(&pfd, 1, LINE_TIMEOUT * 1000), 1);
		n = read(t->from, t->buf + t->len, sizeof t->buf - 1 - t->len);
		if (n <= 0)
			fail_msg("target %d closed its output", (int)t->pid);
		t->len += (size_t)n;
	}
	k = (size_t)(nl - t->buf);
	snprintf(out, size, "%.*s", (int)k, t->buf);
	memmove(t->buf, nl + 1, t->len - k - 1);
	t->len -= k + 1;
}

/* Send a command and check the reply starts with "ok". */
static void
tgt_cmd(struct tgt *t, const char *fmt, ...)
{
	char	line[512];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	line[n] = '\n';
	assert_int_equal(write(t->to, line, (size_t)n + 1), n + 1);
	tgt_line(t, line, sizeof line);
	if (strncmp(line, "ok", 2) != 0)
		fail_msg("target said: %s", line);
	if (line[2] == ' ')
		t->addr = strtoull(line + 3, NULL, 16);
}

static void
tgt_ready(struct tgt *t)
{
	char			line[512];
	unsigned long long	a = 0, e0 = 0, e1 = 0;
	int			pid;
	size_t			pages = 0;

	tgt_line(t, line, sizeof line);
	if (sscanf(line, "ready %d %llx %zu %llx %llx", &pid, &a, &pages,
	    &e0, &e1) < 1)
		fail_msg("target said: %s", line);
	assert_int_equal(pid, t->pid);
	t->addr = a;
	t->pages = pages;
	t->extra[0] = e0;
	t->extra[1] = e1;
}

/*
 * Start the target with args: exec'd by the test (attach mode, track
 * NULL) or by the tracker (launch mode). Returns after it said ready.
 */
static void
tgt_start(struct tgt *t, bool launch, const char *const *args)
{
	char	*argv[16], in[16], out[16], sock[16], *cause = NULL;
	int	 to[2], from[2], sv[2], i = 0, kid_in, kid_out, kid_sock;

	memset(t, 0, sizeof *t);
	t->uffd = -1;
	assert_int_equal(pipe2(to, O_CLOEXEC), 0);
	assert_int_equal(pipe2(from, O_CLOEXEC), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
	    sv), 0);

	/* The child's ends, inherited across exec. */
	kid_in = dup(to[0]);
	kid_out = dup(from[1]);
	kid_sock = dup(sv[1]);
	snprintf(in, sizeof in, "%d", kid_in);
	snprintf(out, sizeof out, "%d", kid_out);
	snprintf(sock, sizeof sock, "%d", kid_sock);
	argv[i++] = (char *)target_path();
	argv[i++] = (char *)"-i";
	argv[i++] = in;
	argv[i++] = (char *)"-o";
	argv[i++] = out;
	if (args == NULL || args[0] == NULL || strcmp(args[0], "-c") != 0) {
		argv[i++] = (char *)"-u";
		argv[i++] = sock;
	}
	while (args != NULL && *args != NULL && i < 15)
		argv[i++] = (char *)*args++;
	argv[i] = NULL;

	if (launch) {
		t->track = track_launch(argv, INJECT_STDIO_INHERIT, &cause);
		if (t->track == NULL)
			fail_msg("track_launch: %s", cause);
		t->pid = track_pid(t->track);
	} else {
		t->pid = fork();
		assert_true(t->pid != -1);
		if (t->pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
	}
	close(kid_in);
	close(kid_out);
	close(kid_sock);
	close(to[0]);
	close(from[1]);
	close(sv[1]);
	t->to = to[1];
	t->from = from[0];
	t->sock = sv[0];
	tgt_ready(t);
}

static void
tgt_stop(struct tgt *t)
{
	track_destroy(t->track);
	t->track = NULL;
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	close(t->to);
	close(t->from);
	close(t->sock);
	if (t->uffd != -1)
		close(t->uffd);
	t->pid = 0;
}

static void
tgt_attach(struct tgt *t, bool force)
{
	char	*cause = NULL;

	t->track = track_attach(t->pid, force, &cause);
	if (t->track == NULL)
		fail_msg("track_attach: %s", cause);
}

/*
 * A file descriptor passed over sock, close-on-exec: a userfaultfd the
 * test holds must not reach the targets it starts later, which would
 * then not look untouched.
 */
static int
receive_fd(int sock)
{
	char		 cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;
	int		 fd = -1;

	memset(&msg, 0, sizeof msg);
	memset(cbuf, 0, sizeof cbuf);
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof cbuf;
	assert_int_equal(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC), 1);
	c = CMSG_FIRSTHDR(&msg);
	assert_non_null(c);
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

/*
 * Track a lockstep target: by injection where pmtop can, else
 * (valgrind) with a userfaultfd it makes and passes over on command.
 */
static void
tgt_track_any(struct tgt *t)
{
	char	*cause = NULL;

	if (can_inject()) {
		tgt_attach(t, false);
		return;
	}
	tgt_cmd(t, "u");
	t->track = track_adopt(t->pid, receive_fd(t->sock), &cause);
	if (t->track == NULL)
		fail_msg("track_adopt: %s", cause);
}

/* --- a refresh, as the engine makes one ----------------------------- */

/* What one refresh told about the region. */
struct seen {
	bool		written[MAX_PAGES];
	size_t		nwritten;
	enum vma_track	state;		/* of the region's VMA */
	int		rc;		/* of track_collect() */
	int		err;
};

/* A snapshot of pid's maps, or NULL (no cmocka: forked trackers use it). */
static struct snapshot *
read_maps_quiet(int pid)
{
	struct vma_list	 list = { 0 };
	struct snapshot	*snap;
	char		 path[64], *cause = NULL;
	int		 fd, rc;

	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	snap = snapshot_create(page);
	rc = snap == NULL ? -1 : maps_read(fd, (uint64_t)1 << 47, &list,
	    &cause);
	close(fd);
	free(cause);
	if (rc == -1 || snapshot_take_vmas(snap, &list) == -1) {
		vma_list_clear(&list);
		snapshot_unref(snap);
		return NULL;
	}
	return snap;
}

static struct snapshot *
read_maps(int pid)
{
	struct snapshot	*snap = read_maps_quiet(pid);

	assert_non_null(snap);
	return snap;
}

/* Collect and sync once; what was written in [addr, addr + n pages). */
static void
refresh(struct track *tr, int pid, uint64_t addr, size_t n, struct seen *out)
{
	struct snapshot	*snap;
	uint64_t	 a;
	long		 i;
	size_t		 r;

	memset(out, 0, sizeof *out);
	snap = read_maps(pid);
	out->rc = track_collect(tr, snap);
	out->err = errno;
	for (r = 0; out->rc == 0 && r < snap->nwritten; r++) {
		for (a = snap->written[r].start; a < snap->written[r].end;
		    a += page) {
			if (a >= addr && a < addr + n * page) {
				out->written[(a - addr) / page] = true;
				out->nwritten++;
			}
		}
	}
	i = snapshot_find_vma(snap, addr);
	if (out->rc == 0) {
		assert_int_equal(track_sync(tr, snap), 0);
		out->state = i < 0 ? VMA_TRACK_OFF : snap->vma[i].track;
	}
	snapshot_unref(snap);
}

/* Check the refresh saw exactly the pages listed (ending with -1). */
static void
expect_pages(const struct seen *s, ...)
{
	bool	want[MAX_PAGES] = { false };
	va_list	ap;
	int	p;
	size_t	i, n = 0;

	va_start(ap, s);
	while ((p = va_arg(ap, int)) >= 0) {
		if (!want[p])
			n++;
		want[p] = true;
	}
	va_end(ap);
	assert_int_equal(s->rc, 0);
	assert_int_equal(s->state, VMA_TRACK_ON);
	for (i = 0; i < MAX_PAGES; i++) {
		if (want[i] != s->written[i])
			fail_msg("page %zu: written %d, want %d", i,
			    s->written[i], want[i]);
	}
	assert_int_equal(s->nwritten, n);
}

/* --- the target left as it was --------------------------------------- */

/* userfaultfds in pid's fd table. */
static int
count_uffds(int pid)
{
	struct dirent	*d;
	char		 path[320], link[128];
	ssize_t		 n;
	DIR		*dir;
	int		 count = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", pid);
	dir = opendir(path);
	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL) {
		snprintf(path, sizeof path, "/proc/%d/fd/%s", pid, d->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strstr(link, "userfaultfd") != NULL)
			count++;
	}
	closedir(dir);
	return count;
}

/* VMAs of pid registered with some userfaultfd for write-protect. */
static int
count_uw(int pid)
{
	struct smaps_vma	*v = NULL;
	long			 n, i;
	int			 count = 0;

	n = smaps_read(pid, &v);
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		count += smaps_has_flag(&v[i], "uw");
	free(v);
	return count;
}

static uint64_t
vm_pte_kb(int pid)
{
	char		 path[64], line[256];
	unsigned long	 kb = 0;
	FILE		*f;

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		sscanf(line, "VmPTE: %lu", &kb);
	fclose(f);
	return kb;
}

static void
expect_untouched(const struct tgt *t)
{
	assert_int_equal(count_uw(t->pid), 0);
	assert_int_equal(count_uffds(t->pid), 0);
}

/* --- exact page sets -------------------------------------------------- */

/*
 * The rounds both modes go through: writes to populated and unpopulated
 * pages, reads (not writes), a write by the kernel on the target's
 * behalf, nothing at all, the same page many times, every page.
 */
static void
rounds(struct tgt *t)
{
	struct seen	s;
	char		all[MAX_PAGES * 4];
	size_t		i, n = 0;

	tgt_cmd(t, "w 0 1 2");
	refresh(t->track, t->pid, t->addr, t->pages, &s);
	expect_pages(&s, 0, 1, 2, -1);

	tgt_cmd(t, "w 5");
	tgt_cmd(t, "l 6 7 8");
	tgt_cmd(t, "k 9");
	refresh(t->track, t->pid, t->addr, t->pages, &s);
	expect_pages(&s, 5, 9, -1);

	refresh(t->track, t->pid, t->addr, t->pages, &s);
	expect_pages(&s, -1);

	tgt_cmd(t, "w 63 0");
	tgt_cmd(t, "w 10 10 10 11");
	refresh(t->track, t->pid, t->addr, t->pages, &s);
	expect_pages(&s, 0, 10, 11, 63, -1);

	for (i = 0; i < t->pages; i++)
		n += (size_t)snprintf(all + n, sizeof all - n, " %zu", i);
	tgt_cmd(t, "w%s", all);
	refresh(t->track, t->pid, t->addr, t->pages, &s);
	assert_int_equal(s.nwritten, t->pages);

	tgt_cmd(t, "w 7");
	refresh(t->track, t->pid, t->addr, t->pages, &s);
	expect_pages(&s, 7, -1);
}

static void
test_track_attach_exact_pages(void **state)
{
	struct tgt	t;

	(void)state;
	NEED_INJECTION();
	tgt_start(&t, false, NULL);
	tgt_attach(&t, false);
	rounds(&t);
	track_destroy(t.track);
	t.track = NULL;
	expect_untouched(&t);

	/* Still alive and obeying after the detach. */
	tgt_cmd(&t, "w 3");
	tgt_stop(&t);
}

static void
test_track_launch_exact_pages(void **state)
{
	struct tgt	t;
	struct seen	s;

	(void)state;
	NEED_INJECTION();
	tgt_start(&t, true, NULL);

	/* The region was mapped after exec: armed by the first refresh. */
	refresh(t.track, t.pid, t.addr, t.pages, &s);
	assert_int_equal(s.rc, 0);
	assert_int_equal(s.state, VMA_TRACK_NEW);
	rounds(&t);
	track_destroy(t.track);
	t.track = NULL;
	expect_untouched(&t);
	tgt_stop(&t);
}

/* A VMA mapped while tracked is armed at the next refresh. */
static void
test_track_new_vmas(void **state)
{
	struct tgt	t;
	struct seen	s;

	(void)state;
	tgt_start(&t, false, NULL);
	tgt_track_any(&t);
	tgt_cmd(&t, "m 16");
	tgt_cmd(&t, "w 1");
	refresh(t.track, t.pid, t.addr, 16, &s);
	assert_int_equal(s.state, VMA_TRACK_NEW);

	tgt_cmd(&t, "w 2 3 15");
	refresh(t.track, t.pid, t.addr, 16, &s);
	expect_pages(&s, 2, 3, 15, -1);
	tgt_stop(&t);
}

/* The target's exec ends tracking: its mm, and the registration, died. */
static void
test_track_exec_ends(void **state)
{
	struct tgt	t;
	struct seen	s;

	(void)state;
	tgt_start(&t, false, NULL);
	tgt_track_any(&t);
	assert_int_equal(write(t.to, "x\n", 2), 2);
	tgt_ready(&t);
	refresh(t.track, t.pid, t.addr, t.pages, &s);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.err, ESRCH);
	track_destroy(t.track);
	t.track = NULL;
	expect_untouched(&t);
	tgt_stop(&t);
}

/* A process stopped by SIGSTOP stays stopped, and is tracked. */
static void
test_track_group_stop_kept(void **state)
{
	struct tgt	t;
	struct seen	s;
	char		path[64], buf[256], *p;
	int		status, fd;
	ssize_t		n;

	(void)state;
	NEED_INJECTION();
	tgt_start(&t, false, NULL);
	kill(t.pid, SIGSTOP);
	assert_int_equal(waitpid(t.pid, &status, WUNTRACED), t.pid);
	tgt_attach(&t, false);

	usleep(100 * 1000);
	snprintf(path, sizeof path, "/proc/%d/stat", t.pid);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	assert_non_null(p);
	assert_int_equal(p[2], 'T');

	kill(t.pid, SIGCONT);
	tgt_cmd(&t, "w 4");
	refresh(t.track, t.pid, t.addr, t.pages, &s);
	expect_pages(&s, 4, -1);
	tgt_stop(&t);
}

/* --- refusals, which leave the target untouched ------------------------ */

static void
expect_refused(int pid, bool force, const char *words)
{
	struct track	*tr;
	char		*cause = NULL;

	tr = track_attach(pid, force, &cause);
	assert_null(tr);
	assert_non_null(cause);
	if (strstr(cause, words) == NULL)
		fail_msg("refusal \"%s\" does not say \"%s\"", cause, words);
	free(cause);
}

static void
test_track_refuse_traced(void **state)
{
	struct tgt	t;
	int		status;

	(void)state;
	tgt_start(&t, false, NULL);
	assert_int_equal(ptrace(PTRACE_SEIZE, t.pid, 0, 0), 0);
	expect_refused(t.pid, false, "already traced");
	expect_untouched(&t);

	assert_int_equal(ptrace(PTRACE_INTERRUPT, t.pid, 0, 0), 0);
	assert_int_equal(waitpid(t.pid, &status, __WALL), t.pid);
	assert_int_equal(ptrace(PTRACE_DETACH, t.pid, 0, 0), 0);
	tgt_cmd(&t, "w 1");
	tgt_stop(&t);
}

static void
test_track_refuse_busy(void **state)
{
	static const char *const args[] = { "-b", NULL };
	struct tgt		 t;

	(void)state;
	tgt_start(&t, false, args);
	assert_int_equal(count_uw(t.pid), 1);
	expect_refused(t.pid, false, "already uses a userfaultfd");

	/* Its own userfaultfd and registration are as they were. */
	assert_int_equal(count_uw(t.pid), 1);
	assert_int_equal(count_uffds(t.pid), 1);
	tgt_cmd(&t, "w 1");
	tgt_stop(&t);
}

static void
test_track_refuse_kernel_thread(void **state)
{
	char	comm[32] = "";
	FILE	*f;

	(void)state;
	f = fopen("/proc/2/comm", "r");
	if (f == NULL || fgets(comm, sizeof comm, f) == NULL ||
	    strncmp(comm, "kthreadd", 8) != 0) {
		if (f != NULL)
			fclose(f);
		skip();
	}
	fclose(f);
	expect_refused(2, true, "kernel thread");
}

static void
test_track_refuse_zombie(void **state)
{
	siginfo_t	info;
	pid_t		pid;

	(void)state;
	pid = fork();
	if (pid == 0)
		_exit(0);

	/*
	 * Wait for the zombie, unreaped, rather than for a while: under
	 * valgrind the child goes through valgrind's exit (its leak check
	 * too) first, 20 to 80 ms on a loaded machine and once over the
	 * 100 ms this waited.
	 */
	assert_int_equal(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT),
	    0);
	expect_refused(pid, false, "zombie");
	waitpid(pid, NULL, 0);
	expect_refused(pid, false, "no process");
}

static void
test_track_refuse_seccomp(void **state)
{
	static const char *const args[] = { "-s", NULL };
	struct tgt		 t;

	(void)state;
	tgt_start(&t, false, args);
	expect_refused(t.pid, false, "seccomp");
	expect_untouched(&t);

	/* The filter allows everything: insisting works. */
	if (can_inject()) {
		tgt_attach(&t, true);
		rounds(&t);
	}
	tgt_stop(&t);
}

/*
 * As nobody, a root process may not be traced (tests/test_cli.py checks
 * that nobody may track nobody's own).
 */
static void
test_track_refuse_not_permitted(void **state)
{
	struct tgt	 t;
	struct track	*tr;
	char		*cause = NULL;
	pid_t		 pid;
	int		 status;

	(void)state;
	NEED_INJECTION();
	if (geteuid() != 0)
		skip();
	tgt_start(&t, false, NULL);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) == -1 ||
		    setresuid(65534, 65534, 65534) == -1)
			_exit(2);
		tr = track_attach(t.pid, false, &cause);
		if (tr == NULL && cause != NULL)
			fprintf(stderr, "as nobody: %s\n", cause);
		_exit(tr == NULL && cause != NULL &&
		    strstr(cause, "may not trace") != NULL ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	expect_untouched(&t);
	tgt_cmd(&t, "w 1");
	tgt_stop(&t);
}

/* --- through the engine: snapshots and their raster -------------------- */

/* The first good snapshot numbered from or later. */
static struct snapshot *
engine_wait_seq(struct engine *e, uint64_t from)
{
	struct pollfd	 pfd = { .fd = engine_fd(e), .events = POLLIN };
	struct snapshot	*s;
	int		 i;

	for (i = 0; i < LINE_TIMEOUT * 20; i++) {
		if (poll(&pfd, 1, 50) == 1 && (s = engine_take(e)) != NULL) {
			if (s->seq >= from && s->state == TARGET_OK)
				return s;
			snapshot_unref(s);
		}
	}
	fail_msg("no snapshot from the engine");
	return NULL;
}

/*
 * The snapshot of a refresh asked for now, which begins after all the
 * test did before. Not just the next one: a refresh already under way
 * may have read the target before the test's last writes or request
 * (under valgrind, whose threads take turns, it often has).
 */
static struct snapshot *
engine_next(struct engine *e)
{
	return engine_wait_seq(e, engine_refresh(e));
}

/*
 * What a snapshot says of the region: its VMA is tracked with exactly
 * the pages listed (ending with -1) written, the raster (one page a
 * cell) has them, and every VMA's written count is known exactly when
 * it is tracked.
 */
static void
expect_snapshot(const struct snapshot *s, const struct tgt *t, ...)
{
	bool			 want[MAX_PAGES] = { false };
	const struct snap_vma	*v;
	va_list			 ap;
	size_t			 i, n = 0;
	long			 k;
	int			 p;

	va_start(ap, t);
	while ((p = va_arg(ap, int)) >= 0) {
		n += !want[p];
		want[p] = true;
	}
	va_end(ap);

	assert_true(s->tracking);
	k = snapshot_find_vma(s, t->addr);
	assert_true(k >= 0);
	v = &s->vma[k];
	assert_int_equal(v->track, VMA_TRACK_ON);
	assert_true(v->known & CAT_BIT(CAT_WRITTEN));
	assert_int_equal(v->count[CAT_WRITTEN], n);
	assert_non_null(s->raster);
	assert_int_equal(s->raster->ncells, t->pages);
	for (i = 0; i < t->pages; i++) {
		if (s->raster->cell[i].n[CAT_WRITTEN] != (want[i] ? 1u : 0u))
			fail_msg("cell %zu: written %u, want %d", i,
			    s->raster->cell[i].n[CAT_WRITTEN], want[i]);
	}
	for (i = 0; i < s->nvma; i++) {
		v = &s->vma[i];
		assert_int_equal(!!(v->known & CAT_BIT(CAT_WRITTEN)),
		    v->track == VMA_TRACK_ON);
		if (strncmp(v->info.perms, "---", 3) == 0)
			assert_int_equal(v->track, VMA_TRACK_PROT_NONE);
	}
}

static void
test_track_engine_snapshots(void **state)
{
	struct engine_request	 req = { 0 };
	struct pagescan_caps	 caps;
	struct engine		*e;
	struct snapshot		*s;
	struct tgt		 t;
	char			*cause = NULL;

	(void)state;
	assert_int_equal(pagescan_probe(&caps, &cause), 0);
	if (!caps.have_ioctl)
		skip();
	tgt_start(&t, false, NULL);
	tgt_track_any(&t);
	e = engine_create(&caps, &cause);
	assert_non_null(e);
	engine_set_tracker(e, t.track);
	t.track = NULL;

	/* Only refreshes the test asks for, over the region page by page. */
	req.categories = CAT_ALL;
	req.interval_ms = 60000;
	req.paused = true;
	req.track = true;
	req.window_start = t.addr;
	req.window_end = t.addr + t.pages * page;
	req.ncells = t.pages;
	engine_set_request(e, &req);
	engine_set_target(e, t.pid);
	assert_int_equal(engine_start(e), 0);

	/*
	 * Tracking began by attaching: counts from the next refresh. The
	 * first is the one engine_start() makes; paused, nothing follows.
	 */
	s = engine_wait_seq(e, 1);
	assert_int_equal(s->seq, 1);
	assert_true(s->tracking);
	assert_int_equal(s->vma[snapshot_find_vma(s, t.addr)].track,
	    VMA_TRACK_NEW);
	assert_false(s->total_known & CAT_BIT(CAT_WRITTEN));
	snapshot_unref(s);

	tgt_cmd(&t, "w 1 2 3 40");
	s = engine_next(e);
	expect_snapshot(s, &t, 1, 2, 3, 40, -1);
	snapshot_unref(s);

	tgt_cmd(&t, "l 5");
	tgt_cmd(&t, "k 63");
	s = engine_next(e);
	expect_snapshot(s, &t, 63, -1);
	snapshot_unref(s);

	/* Off: the target as it was, written unknown everywhere. */
	req.track = false;
	req.track_gen++;
	engine_set_request(e, &req);
	s = engine_next(e);
	assert_false(s->tracking);
	assert_false(s->total_known & CAT_BIT(CAT_WRITTEN));
	assert_non_null(s->track_msg);
	snapshot_unref(s);
	expect_untouched(&t);

	engine_destroy(e);
	tgt_stop(&t);
}

/* --- the pagemap backend cannot track ---------------------------------- */

#define NEEDS_IOCTL	"write tracking needs PAGEMAP_SCAN (Linux 6.7+); " \
			"the pagemap backend cannot track writes"

/* Times pid was scheduled out; *sleeping if it is asleep now. */
static long
switches(int pid, bool *sleeping)
{
	char	 path[64], line[256];
	long	 n = 0, v;
	char	 st = '?';
	FILE	*f;

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %ld", &v) == 1)
			n += v;
		else
			sscanf(line, "State: %c", &st);
	}
	fclose(f);
	if (sleeping != NULL)
		*sleeping = st == 'S';
	return n;
}

/*
 * Wait until the target sleeps reading its input, where nothing but a
 * stop, a signal or code run in it by ptrace wakes it; its switches.
 */
static long
asleep(const struct tgt *t)
{
	long	n, last = -1;
	bool	sleeping;
	int	i;

	for (i = 0; i < LINE_TIMEOUT * 10; i++) {
		n = switches(t->pid, &sleeping);
		if (sleeping && n == last)
			return n;
		last = n;
		usleep(100 * 1000);
	}
	fail_msg("target %d never slept", (int)t->pid);
	return -1;
}

/*
 * With the pagemap backend, a kernel's without the ioctl or chosen, the
 * engine refuses a request to track without touching the target, and
 * ends a tracker it is given (a caller that did not ask first).
 */
static void
test_track_engine_pagemap_refused(void **state)
{
	static const char *const	 why[2] = {
		NEEDS_IOCTL, NEEDS_IOCTL " (--backend=ioctl can)"
	};
	struct engine_request		 req = { 0 };
	struct pagescan_caps		 caps[2];
	struct engine			*e;
	struct snapshot			*s;
	struct tgt			 t;
	char				*cause = NULL;
	long				 before;
	int				 i;

	(void)state;
	assert_int_equal(pagescan_probe_fake(&caps[0], "no-ioctl", &cause),
	    0);
	assert_int_equal(pagescan_probe(&caps[1], &cause), 0);
	if (!caps[1].have_ioctl)
		skip();
	assert_null(track_unsupported(&caps[1]));
	assert_int_equal(scan_backend_choose(&caps[1], BACKEND_PAGEMAP,
	    &cause), 0);

	for (i = 0; i < 2; i++) {
		assert_string_equal(track_unsupported(&caps[i]), why[i]);
		tgt_start(&t, false, NULL);
		before = asleep(&t);
		e = engine_create(&caps[i], &cause);
		assert_non_null(e);
		req.categories = CAT_ALL;
		req.interval_ms = 60000;
		req.paused = true;
		req.track = true;
		req.track_gen = 1;
		engine_set_request(e, &req);
		engine_set_target(e, t.pid);
		assert_int_equal(engine_start(e), 0);
		s = engine_wait_seq(e, 1);
		assert_false(s->tracking);
		assert_true(s->track_msg_error);
		assert_non_null(s->track_msg);
		assert_string_equal(s->track_msg, why[i]);
		snapshot_unref(s);
		engine_destroy(e);
		expect_untouched(&t);
		assert_int_equal(switches(t.pid, NULL), before);

		/* Given a tracker anyway, it lets go of it at once. */
		tgt_track_any(&t);
		assert_true(count_uw(t.pid) > 0);
		e = engine_create(&caps[i], &cause);
		assert_non_null(e);
		engine_set_tracker(e, t.track);
		t.track = NULL;
		expect_untouched(&t);
		req.track = false;
		req.track_gen = 0;
		engine_set_request(e, &req);
		engine_set_target(e, t.pid);
		assert_int_equal(engine_start(e), 0);
		s = engine_wait_seq(e, 1);
		assert_false(s->tracking);
		assert_non_null(s->track_msg);
		assert_string_equal(s->track_msg, why[i]);
		snapshot_unref(s);
		engine_destroy(e);
		tgt_stop(&t);
	}
}

/* --- what is not worth arming ---------------------------------------- */

static void
test_track_skips_reservations(void **state)
{
	static const char *const args[] = { "-g", NULL };
	struct tgt		 t;
	struct snapshot		*snap;
	struct smaps_vma	*v = NULL;
	long			 n, i, none, res;
	uint64_t		 pte0;

	(void)state;
	tgt_start(&t, false, args);
	pte0 = vm_pte_kb(t.pid);
	tgt_track_any(&t);

	snap = read_maps(t.pid);
	assert_int_equal(track_collect(t.track, snap), 0);
	assert_int_equal(track_sync(t.track, snap), 0);
	none = snapshot_find_vma(snap, t.extra[0]);
	res = snapshot_find_vma(snap, t.extra[1]);
	assert_true(none >= 0 && res >= 0);
	assert_int_equal(snap->vma[none].track, VMA_TRACK_PROT_NONE);
	assert_int_equal(snap->vma[res].track, VMA_TRACK_SPARSE);
	assert_int_equal(snap->vma[snapshot_find_vma(snap, t.addr)].track,
	    VMA_TRACK_ON);
	snapshot_unref(snap);

	/* Not registered, and no page tables for the 1 GiB (2 MiB). */
	n = smaps_read(t.pid, &v);
	for (i = 0; i < n; i++) {
		if (v[i].start == t.extra[0] || v[i].start == t.extra[1])
			assert_false(smaps_has_flag(&v[i], "uw"));
		if (v[i].start == t.addr)
			assert_true(smaps_has_flag(&v[i], "uw"));
	}
	free(v);
	assert_true(vm_pte_kb(t.pid) < pte0 + 512);
	tgt_stop(&t);
}

static void
test_track_worth_policy(void **state)
{
	struct vma_info	v;
	uint64_t	pg = 4096, big = (uint64_t)1 << 30;

	(void)state;
	memset(&v, 0, sizeof v);
	v.scannable = true;
	v.kind = VMA_ANON;
	v.start = 0x10000;
	snprintf(v.perms, sizeof v.perms, "rw-p");

	v.end = v.start + TRACK_SMALL_BYTES;
	assert_false(track_vma_needs_count(&v, pg));
	assert_int_equal(track_vma_worth(&v, pg, 0), VMA_TRACK_ON);

	v.end = v.start + big;
	assert_true(track_vma_needs_count(&v, pg));
	assert_int_equal(track_vma_worth(&v, pg, 0), VMA_TRACK_SPARSE);
	assert_int_equal(track_vma_worth(&v, pg, big / pg / TRACK_DENSE - 1),
	    VMA_TRACK_SPARSE);
	assert_int_equal(track_vma_worth(&v, pg, big / pg / TRACK_DENSE),
	    VMA_TRACK_ON);

	snprintf(v.perms, sizeof v.perms, "---p");
	assert_false(track_vma_needs_count(&v, pg));
	assert_int_equal(track_vma_worth(&v, pg, big / pg),
	    VMA_TRACK_PROT_NONE);

	snprintf(v.perms, sizeof v.perms, "r-xp");
	v.kind = VMA_SPECIAL;
	assert_int_equal(track_vma_worth(&v, pg, 1), VMA_TRACK_SPECIAL);
	v.kind = VMA_ANON;
	v.scannable = false;
	assert_int_equal(track_vma_worth(&v, pg, 1), VMA_TRACK_SPECIAL);
}

/* --- valgrind's way in: a userfaultfd the target hands over ------------ */

static void
test_track_adopted_exact_pages(void **state)
{
	struct tgt	 t;
	char		*cause = NULL;
	int		 fd;

	(void)state;
	tgt_start(&t, false, NULL);
	tgt_cmd(&t, "u");
	fd = receive_fd(t.sock);
	assert_int_equal(count_uffds(t.pid), 0);
	t.track = track_adopt(t.pid, fd, &cause);
	if (t.track == NULL)
		fail_msg("track_adopt: %s", cause);
	rounds(&t);
	track_destroy(t.track);
	t.track = NULL;
	expect_untouched(&t);
	tgt_stop(&t);
}

/* --- a target checking its own data ---------------------------------- */

/* Wait for "pass N" from a self-checking target; then reap it. */
static void
expect_pass(struct tgt *t)
{
	char	line[256];
	int	status;

	tgt_line(t, line, sizeof line);
	if (strncmp(line, "pass ", 5) != 0)
		fail_msg("self-check: %s", line);
	assert_int_equal(waitpid(t->pid, &status, 0), t->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	t->pid = 0;
}

/* Refresh every 50 ms for seconds, or until the target is gone. */
static void
refresh_for(struct track *tr, int pid, double seconds)
{
	struct snapshot	*snap;
	struct timespec	 nap = { 0, 50 * 1000 * 1000 };
	int		 i, n = (int)(seconds * 20);

	for (i = 0; i < n; i++) {
		if ((snap = read_maps_quiet(pid)) == NULL)
			return;
		if (track_collect(tr, snap) == -1) {
			snapshot_unref(snap);
			return;
		}
		track_sync(tr, snap);
		snapshot_unref(snap);
		nanosleep(&nap, NULL);
	}
}

/*
 * Start a self-checking target for seconds and track it: by injection
 * where pmtop can, else (valgrind) with a userfaultfd it passes over.
 */
static void
tgt_start_checking(struct tgt *t, const char *seconds)
{
	char		 arg[16], *cause = NULL;
	const char	*args[] = { "-c", seconds, "-u", arg, NULL };
	int		 sv[2], fd;

	if (can_inject()) {
		args[2] = NULL;
		tgt_start(t, false, args);
		return;
	}
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	fd = dup(sv[1]);
	snprintf(arg, sizeof arg, "%d", fd);
	tgt_start(t, false, args);
	close(fd);
	close(sv[1]);
	t->uffd = receive_fd(sv[0]);
	close(sv[0]);
	(void)cause;
}

/* Track a target tgt_start_checking() started. */
static void
tgt_track(struct tgt *t)
{
	char	*cause = NULL;

	if (t->uffd == -1) {
		tgt_attach(t, false);
		return;
	}
	t->track = track_adopt(t->pid, t->uffd, &cause);
	t->uffd = -1;
	if (t->track == NULL)
		fail_msg("track_adopt: %s", cause);
}

static void
test_track_selfcheck_off(void **state)
{
	static const char *const args[] = { "-c", "3", NULL };
	struct tgt		 t;

	(void)state;
	tgt_start(&t, false, args);
	expect_pass(&t);
	tgt_stop(&t);
}

static void
test_track_selfcheck_on(void **state)
{
	struct tgt	t;

	(void)state;
	tgt_start_checking(&t, "3");
	tgt_track(&t);
	refresh_for(t.track, t.pid, 1);
	assert_true(count_uw(t.pid) > 0);
	refresh_for(t.track, t.pid, 5);
	expect_pass(&t);
	tgt_stop(&t);
}

static void
test_track_selfcheck_launched(void **state)
{
	static const char *const args[] = { "-c", "3", NULL };
	struct tgt		 t;

	(void)state;
	NEED_INJECTION();
	tgt_start(&t, true, args);
	refresh_for(t.track, t.pid, 5);
	expect_pass(&t);
	tgt_stop(&t);
}

static void
test_track_selfcheck_detached(void **state)
{
	struct tgt	t;

	(void)state;
	tgt_start_checking(&t, "3");
	tgt_track(&t);
	refresh_for(t.track, t.pid, 1);
	track_destroy(t.track);
	t.track = NULL;
	expect_untouched(&t);
	expect_pass(&t);
	tgt_stop(&t);
}

/* The tracker dies by SIGKILL: the kernel closes its userfaultfd. */
static void
test_track_selfcheck_tracker_killed(void **state)
{
	struct tgt	 t;
	pid_t		 tracker;
	int		 sync[2];
	char		 c, *cause = NULL;

	(void)state;
	tgt_start_checking(&t, "3");
	assert_int_equal(pipe(sync), 0);
	tracker = fork();
	if (tracker == 0) {
		/* No cmocka in here: it would go on with the next test. */
		close(sync[0]);
		if (t.uffd != -1)
			t.track = track_adopt(t.pid, t.uffd, &cause);
		else
			t.track = track_attach(t.pid, false, &cause);
		if (t.track == NULL || write(sync[1], "a", 1) != 1)
			_exit(1);
		for (;;)
			refresh_for(t.track, t.pid, 1);
	}

	/* The tracker's must be the only reference. */
	if (t.uffd != -1)
		close(t.uffd);
	t.uffd = -1;
	close(sync[1]);
	assert_int_equal(read(sync[0], &c, 1), 1);
	close(sync[0]);
	usleep(500 * 1000);
	assert_true(count_uw(t.pid) > 0);
	kill(tracker, SIGKILL);
	assert_int_equal(waitpid(tracker, NULL, 0), tracker);

	expect_untouched(&t);
	expect_pass(&t);
	tgt_stop(&t);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_track_worth_policy),
		cmocka_unit_test(test_track_attach_exact_pages),
		cmocka_unit_test(test_track_launch_exact_pages),
		cmocka_unit_test(test_track_adopted_exact_pages),
		cmocka_unit_test(test_track_new_vmas),
		cmocka_unit_test(test_track_exec_ends),
		cmocka_unit_test(test_track_group_stop_kept),
		cmocka_unit_test(test_track_refuse_traced),
		cmocka_unit_test(test_track_refuse_busy),
		cmocka_unit_test(test_track_refuse_kernel_thread),
		cmocka_unit_test(test_track_refuse_zombie),
		cmocka_unit_test(test_track_refuse_seccomp),
		cmocka_unit_test(test_track_refuse_not_permitted),
		cmocka_unit_test(test_track_skips_reservations),
		cmocka_unit_test(test_track_engine_snapshots),
		cmocka_unit_test(test_track_engine_pagemap_refused),
		cmocka_unit_test(test_track_selfcheck_off),
		cmocka_unit_test(test_track_selfcheck_on),
		cmocka_unit_test(test_track_selfcheck_launched),
		cmocka_unit_test(test_track_selfcheck_detached),
		cmocka_unit_test(test_track_selfcheck_tracker_killed),
	};

	page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
