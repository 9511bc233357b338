/*
 * The target of the write-tracking tests: a program that writes exactly
 * the pages it is told to, in lockstep with the test, or checks its own
 * data while pmtop tracks it. Built without sanitizers and exec'd, so
 * that it runs natively even when the test runs under valgrind.
 *
 *   track_target [-i FD] [-o FD] [-n PAGES] [-s] [-b] [-g] [-u FD]
 *   track_target [-q] [-n PAGES] [-s] [-b] -W PAGE,PAGE...
 *   track_target -c SECONDS [-s] [-u FD]
 *
 * It maps a region of PAGES pages (64) between two PROT_NONE guard pages,
 * so the region is a VMA of its own, touches every other page, says
 * "ready PID ADDR PAGES" on its output (FD, default 1), then obeys lines
 * on its input (FD, default 0), each answered with "ok" (or "ok ADDR"):
 *   w P...	write one byte in each page P of the region
 *   l P...	read pages P (a load, no write)
 *   k P	have the kernel write page P: read() into it from a pipe
 *   m N	map a new region of N pages, guarded the same way, which
 *		the commands use from then on: "ok ADDR"
 *   u		create a userfaultfd, pass it over the socket of -u and
 *		close it
 *   x		exec itself again (the new image says "ready" again)
 *   q		exit
 * With -W it writes the pages listed, one byte each, every millisecond,
 * forever, and obeys nothing (for pmtop run from the command line); -q
 * keeps it from saying ready. -s installs a seccomp filter that allows
 * everything; -b registers a
 * userfaultfd of its own on the region (so another cannot have it); -g
 * also maps a PROT_NONE region and a 1 GiB reservation, untouched, and
 * adds their addresses to the ready line.
 *
 * With -c it writes and verifies a pattern over its memory for SECONDS,
 * through mmap, munmap, mremap, mprotect, fork, MADV_DONTNEED, huge pages
 * and kernel writes, then says "pass ROUNDS" (exit 0) or "fail ..." (exit
 * 1): its data must be the same whether it is tracked or not. With -u
 * it first passes a userfaultfd over the socket, as the command u does.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static size_t	page;
static int	in_fd, out_fd = 1, sock_fd = -1;

static void __attribute__((noreturn))
die(const char *what)
{
	dprintf(out_fd, "fail %s: %s\n", what, strerror(errno));
	exit(1);
}

/* pages writable pages between two PROT_NONE ones. */
static char *
map_region(size_t pages)
{
	char	*p;

	p = mmap(NULL, (pages + 2) * page, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	if (mprotect(p + page, pages * page, PROT_READ | PROT_WRITE) == -1)
		die("mprotect");
	madvise(p + page, pages * page, MADV_NOHUGEPAGE);
	return p + page;
}

static void
allow_everything(void)
{
	struct sock_filter	allow = BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	struct sock_fprog	prog = { 1, &allow };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		die("seccomp");
}

/* A userfaultfd of its own on the region, kept open. */
static void
own_userfaultfd(char *region, size_t pages)
{
	struct uffdio_api	api = { .api = UFFD_API };
	struct uffdio_register	reg;
	int			fd;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | 1);
	if (fd == -1 || ioctl(fd, UFFDIO_API, &api) == -1)
		die("userfaultfd");
	memset(&reg, 0, sizeof reg);
	reg.range.start = (uintptr_t)region;
	reg.range.len = pages * page;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	if (ioctl(fd, UFFDIO_REGISTER, &reg) == -1)
		die("UFFDIO_REGISTER");
}

static void
send_userfaultfd(int sock)
{
	char		 cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;
	char		 byte = 'u';
	int		 fd;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | 1);
	if (fd == -1)
		die("userfaultfd");
	memset(&msg, 0, sizeof msg);
	memset(cbuf, 0, sizeof cbuf);
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof cbuf;
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	if (sendmsg(sock, &msg, 0) != 1)
		die("sendmsg");
	close(fd);
}

/* One line from in_fd, without its newline; false at EOF. */
static int
read_line(char *buf, size_t size)
{
	size_t	n = 0;
	ssize_t	r;

	while (n + 1 < size) {
		r = read(in_fd, buf + n, 1);
		if (r == -1 && errno == EINTR) {
			/* Never: a stop by ptrace must not surface here. */
			die("read interrupted");
		}
		if (r <= 0)
			return n > 0;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 1;
}

/* Have the kernel write page p: read() into it from a pipe. */
static void
kernel_write(char *p)
{
	int	fds[2];
	char	c = 'k';

	if (pipe(fds) == -1 || write(fds[1], &c, 1) != 1 ||
	    read(fds[0], p, 1) != 1)
		die("pipe");
	close(fds[0]);
	close(fds[1]);
}

static void
obey(char *region, size_t pages, char **argv)
{
	volatile char	*v;
	char		 line[4096], *tok, *save;
	unsigned long	 n;
	int		 sink = 0;

	while (read_line(line, sizeof line)) {
		tok = strtok_r(line, " ", &save);
		if (tok == NULL)
			continue;
		if (strcmp(tok, "q") == 0)
			exit(0);
		if (strcmp(tok, "x") == 0) {
			execv("/proc/self/exe", argv);
			die("exec");
		}
		if (strcmp(tok, "m") == 0) {
			n = strtoul(strtok_r(NULL, " ", &save), NULL, 10);
			region = map_region(n);
			pages = n;
			dprintf(out_fd, "ok %lx\n", (unsigned long)region);
			continue;
		}
		v = (volatile char *)region;
		while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
			n = strtoul(tok, NULL, 10);
			if (n >= pages)
				continue;
			if (line[0] == 'w')
				v[n * page + 1]++;
			else if (line[0] == 'l')
				sink += v[n * page + 2];
			else if (line[0] == 'k')
				kernel_write(region + n * page + 3);
		}
		if (line[0] == 'u')
			send_userfaultfd(sock_fd);
		dprintf(out_fd, "ok\n");
	}
	(void)sink;
	exit(0);
}

/* Write pages of the region every millisecond, forever. */
static void __attribute__((noreturn))
keep_writing(char *region, size_t pages, char *list)
{
	volatile char	*v = (volatile char *)region;
	struct timespec	 ms = { 0, 1000 * 1000 };
	size_t		 want[64], n = 0, i;
	char		*tok, *save;

	for (tok = strtok_r(list, ",", &save); tok != NULL && n < 64;
	    tok = strtok_r(NULL, ",", &save)) {
		want[n] = strtoul(tok, NULL, 10);
		if (want[n] < pages)
			n++;
	}
	for (;;) {
		for (i = 0; i < n; i++)
			v[want[i] * page + 1]++;
		nanosleep(&ms, NULL);
	}
}

/* --- self-checking mode ------------------------------------------------- */

#define CHECK_PAGES	2048		/* 8 MiB of data */
#define CHECK_WORDS	8		/* checked words per page */

static uint64_t	rng = 88172645463325252ULL;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The data: what each page should hold, and where it lives now. */
struct check {
	uint64_t	*mem;		/* CHECK_PAGES pages */
	uint64_t	 want[CHECK_PAGES];
	char		*thp;		/* a huge-page area, 4 MiB */
	uint64_t	 thp_want;
	unsigned long	 round;
};

static void
check_fill(struct check *c, size_t pg, uint64_t value)
{
	uint64_t	*w = c->mem + pg * (page / sizeof *w);
	int		 i;

	for (i = 0; i < CHECK_WORDS; i++)
		w[i * (page / sizeof *w / CHECK_WORDS)] = value + (uint64_t)i;
	c->want[pg] = value;
}

static int
check_page(const struct check *c, size_t pg)
{
	const uint64_t	*w = c->mem + pg * (page / sizeof *w);
	int		 i;

	for (i = 0; i < CHECK_WORDS; i++) {
		if (w[i * (page / sizeof *w / CHECK_WORDS)] !=
		    (c->want[pg] == 0 ? 0 : c->want[pg] + (uint64_t)i))
			return -1;
	}
	return 0;
}

static void __attribute__((noreturn))
check_fail(const struct check *c, const char *what, size_t pg)
{
	dprintf(out_fd, "fail round %lu: %s at page %zu\n", c->round, what,
	    pg);
	exit(1);
}

static void
check_all(const struct check *c, const char *after)
{
	size_t	pg;

	for (pg = 0; pg < CHECK_PAGES; pg++) {
		if (check_page(c, pg) == -1)
			check_fail(c, after, pg);
	}
}

/* Move the data elsewhere with mremap (it loses any registration). */
static void
check_move(struct check *c)
{
	void	*dst, *p;

	dst = mmap(NULL, CHECK_PAGES * page, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED)
		die("mmap");
	p = mremap(c->mem, CHECK_PAGES * page, CHECK_PAGES * page,
	    MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	if (p == MAP_FAILED)
		die("mremap");
	c->mem = p;
}

/* A child writes its copy and checks it; ours must not change. */
static void
check_fork(struct check *c)
{
	pid_t	pid;
	int	status;
	size_t	pg;

	pid = fork();
	if (pid == -1)
		die("fork");
	if (pid == 0) {
		for (pg = 0; pg < CHECK_PAGES; pg += 7)
			check_fill(c, pg, 0xc0ffee00 + pg);
		for (pg = 0; pg < CHECK_PAGES; pg++) {
			if (check_page(c, pg) == -1)
				_exit(1);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		check_fail(c, "forked child", 0);
}

/* One of the things that change a mapping, in turn. */
static void
check_churn(struct check *c)
{
	size_t	pg = next_random() % CHECK_PAGES;
	char	*tmp;

	switch (c->round % 6) {
	case 0:
		check_move(c);
		break;
	case 1:
		if (mprotect(c->mem, CHECK_PAGES * page / 2, PROT_READ) == -1 ||
		    mprotect(c->mem, CHECK_PAGES * page / 2,
		    PROT_READ | PROT_WRITE) == -1)
			die("mprotect");
		break;
	case 2:
		check_fork(c);
		break;
	case 3:
		madvise((char *)c->mem + pg * page, page, MADV_DONTNEED);
		c->want[pg] = 0;
		break;
	case 4:
		tmp = mmap(NULL, 64 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (tmp == MAP_FAILED)
			die("mmap");
		memset(tmp, 0x5a, 64 * page);
		munmap(tmp, 64 * page);
		break;
	case 5:
		kernel_write((char *)c->mem + pg * page + page / 2 + 100);
		if (((char *)c->mem)[pg * page + page / 2 + 100] != 'k')
			check_fail(c, "kernel write", pg);
		((char *)c->mem)[pg * page + page / 2 + 100] = 0;
		break;
	}
}

static void
check_thp(struct check *c)
{
	uint64_t	*w = (uint64_t *)c->thp;
	size_t		 i, n = (4 << 20) / sizeof *w;

	for (i = 0; i < n; i += 512) {
		if (w[i] != c->thp_want + i)
			check_fail(c, "huge page", i);
	}
	c->thp_want = next_random();
	for (i = 0; i < n; i += 512)
		w[i] = c->thp_want + i;
}

static void __attribute__((noreturn))
self_check(double seconds)
{
	struct check	*c;
	struct timespec	 ts;
	double		 end, now;
	size_t		 i, pg;

	c = calloc(1, sizeof *c);
	c->mem = mmap(NULL, CHECK_PAGES * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c->thp = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->mem == MAP_FAILED || c->thp == MAP_FAILED)
		die("mmap");
	c->thp = (char *)(((uintptr_t)c->thp + (2 << 20) - 1) &
	    ~(uintptr_t)((2 << 20) - 1));
	madvise(c->thp, 4 << 20, MADV_HUGEPAGE);
	for (i = 0; i < (4 << 20) / sizeof(uint64_t); i += 512)
		((uint64_t *)c->thp)[i] = i;
	dprintf(out_fd, "ready %d\n", (int)getpid());

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + seconds;
	do {
		c->round++;
		for (i = 0; i < CHECK_PAGES / 4; i++) {
			pg = next_random() % CHECK_PAGES;
			check_fill(c, pg, (next_random() | 1) & ~0xffULL);
		}
		check_churn(c);
		check_all(c, "after a round");
		check_thp(c);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	} while (now < end);
	dprintf(out_fd, "pass %lu\n", c->round);
	exit(0);
}

int
main(int argc, char **argv)
{
	size_t	 pages = 64, i;
	char	*region, *none, *reserve, *writes = NULL;
	int	 c, sandbox = 0, busy = 0, big = 0, quiet = 0;
	double	 check = 0;

	page = (size_t)sysconf(_SC_PAGESIZE);
	while ((c = getopt(argc, argv, "bc:gi:n:o:qsu:W:")) != -1) {
		switch (c) {
		case 'b':
			busy = 1;
			break;
		case 'c':
			check = atof(optarg);
			break;
		case 'g':
			big = 1;
			break;
		case 'i':
			in_fd = atoi(optarg);
			break;
		case 'n':
			pages = strtoul(optarg, NULL, 10);
			break;
		case 'o':
			out_fd = atoi(optarg);
			break;
		case 's':
			sandbox = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'u':
			sock_fd = atoi(optarg);
			break;
		case 'W':
			writes = optarg;
			break;
		default:
			return 2;
		}
	}
	if (sandbox)
		allow_everything();
	if (check > 0) {
		if (sock_fd != -1)
			send_userfaultfd(sock_fd);
		self_check(check);
	}

	region = map_region(pages);
	for (i = 0; i < pages; i += 2)
		region[i * page] = 1;
	if (busy)
		own_userfaultfd(region, pages);
	if (quiet) {
		/* Nothing to say. */
	} else if (!big) {
		dprintf(out_fd, "ready %d %lx %zu\n", (int)getpid(),
		    (unsigned long)region, pages);
	} else {
		none = mmap(NULL, 1024 * page, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		reserve = mmap(NULL, (size_t)1 << 30, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (none == MAP_FAILED || reserve == MAP_FAILED)
			die("mmap");
		dprintf(out_fd, "ready %d %lx %zu %lx %lx\n", (int)getpid(),
		    (unsigned long)region, pages, (unsigned long)none,
		    (unsigned long)reserve);
	}
	if (writes != NULL)
		keep_writing(region, pages, writes);
	obey(region, pages, argv);
	return 0;
}
