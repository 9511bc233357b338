/*
 * System call injection with ptrace, x86-64 only.
 *
 * HOW. One thread of the target is seized and interrupted (PTRACE_SEIZE,
 * PTRACE_INTERRUPT); its registers and signal mask are saved and every
 * signal is blocked (PTRACE_SETSIGMASK), so that nothing of the target's
 * own runs while it is in pmtop's hands. A call is made by pointing rip
 * at a `syscall` instruction that already exists in the target (its vDSO
 * has one: no memory is ever written), loading the number and arguments,
 * setting orig_rax to -1 so that the kernel's restart logic leaves these
 * registers alone, and single-stepping: the trap after the instruction
 * stops the thread again with the result in rax. Putting the saved
 * registers back restores the state the thread was stopped in, an
 * interrupted system call included, which the kernel then restarts as it
 * does after any stop. Signals that stop the thread on the way (one
 * dequeued just before the interrupt, or SIGSTOP, which cannot be
 * blocked) are kept and delivered when it is released.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __x86_64__
#include <sys/user.h>
#endif

#include "scan/inject.h"
#include "scan/target.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP	128
#endif

/* task->flags bit for kernel threads (include/linux/sched.h). */
#define INJECT_PF_KTHREAD	0x00200000UL

/* The user code segment of 64-bit processes; 32-bit ones use 0x23. */
#define INJECT_CS_64		0x33

/* How long a thread may take to stop once interrupted, in seconds. */
#define INJECT_STOP_TIMEOUT	10.0

/* How much of an executable mapping is searched for an instruction. */
#define INJECT_SEARCH_MAX	(1 << 20)

#define INJECT_MAX_PENDING	4

/* One thread of a target, while pmtop holds it. */
struct inject {
	int		 pid;		/* the process */
	pid_t		 tid;		/* the thread stopped */
	bool		 traced;	/* pmtop is its tracer */
	bool		 signal_stop;	/* in a signal-delivery stop */
	uint64_t	 insn;		/* where a syscall insn is */

	bool		 regs_saved;
	bool		 mask_saved;
	uint64_t	 mask;		/* its signal mask */
#ifdef __x86_64__
	struct user_regs_struct	saved;
#endif

	/* Signals that stopped it meanwhile, delivered when released. */
	int		 pending[INJECT_MAX_PENDING];
	siginfo_t	 info[INJECT_MAX_PENDING];
	int		 npending;
};

static int
inject_fail(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set *cause to the formatted message; returns -1. */
static int
inject_fail(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
	return -1;
}

/* What /proc/PID/status says about tracing and seccomp. */
struct inject_status {
	int	tracer;		/* TracerPid, 0 if none */
	int	seccomp;	/* 0 none, 1 strict, 2 filter */
};

static int
inject_read_status(int pid, struct inject_status *st)
{
	char	 path[64], *line = NULL;
	size_t	 cap = 0;
	FILE	*f;

	memset(st, 0, sizeof *st);
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "TracerPid: %d", &st->tracer) == 1)
			continue;
		sscanf(line, "Seccomp: %d", &st->seccomp);
	}
	free(line);
	fclose(f);
	return 0;
}

/* comm of pid into buf, "?" if it cannot be read. */
static void
inject_comm(int pid, char *buf, size_t size)
{
	char	path[64];
	ssize_t	n = -1;
	size_t	i;
	int	fd;

	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd != -1) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(buf, size, "?");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';

	/* A name is the target's to choose: keep it printable. */
	for (i = 0; buf[i] != '\0'; i++) {
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	}
}

/* A 32-bit program, from its ELF header; false if it cannot be read. */
static bool
inject_is_32bit(int pid)
{
	unsigned char	ident[5];
	char		path[64];
	int		fd;
	ssize_t		n;

	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return false;
	n = read(fd, ident, sizeof ident);
	close(fd);
	return n == (ssize_t)sizeof ident && memcmp(ident, "\177ELF", 4) == 0 &&
	    ident[4] == 1;
}

/* True if a smaps VmFlags line holds a userfaultfd flag (uw, um, ui). */
static bool
inject_uffd_flags(const char *flags)
{
	static const char *const uffd[] = { " uw", " um", " ui" };
	const char		*p;
	size_t			 i;

	for (i = 0; i < sizeof uffd / sizeof uffd[0]; i++) {
		for (p = flags; (p = strstr(p, uffd[i])) != NULL; p += 3) {
			if (p[3] == ' ' || p[3] == '\n' || p[3] == '\0')
				return true;
		}
	}
	return false;
}

/*
 * The start of the first VMA of pid that some userfaultfd registered, or
 * 0 if none. The kernel lets one userfaultfd have a VMA: registering it
 * again would fail with EBUSY, so a process that uses userfaultfd itself
 * (or that another pmtop tracks) is refused before it is touched.
 */
static unsigned long long
inject_uffd_owned(int pid)
{
	unsigned long long	 start = 0, found = 0;
	char			 path[64], *line = NULL;
	size_t			 cap = 0;
	FILE			*f;

	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	while (found == 0 && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "VmFlags:", 8) == 0) {
			if (inject_uffd_flags(line + 8))
				found = start;
			continue;
		}
		if ((line[0] >= '0' && line[0] <= '9') ||
		    (line[0] >= 'a' && line[0] <= 'f'))
			sscanf(line, "%llx-", &start);
	}
	free(line);
	fclose(f);
	return found;
}

/* The checks on the process as a whole, from /proc/PID/stat and status. */
static int
inject_check_process(int pid, bool force, char **cause)
{
	struct inject_status	st;
	unsigned long		flags;
	char			path[64], state, comm[64];

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (target_read_stat(path, &state, &flags) == -1)
		return inject_fail(cause, "no process with pid %d", pid);
	if (flags & INJECT_PF_KTHREAD) {
		return inject_fail(cause, "pid %d is a kernel thread: it has "
		    "no user memory to track", pid);
	}
	if (state == 'Z' || state == 'X')
		return inject_fail(cause, "pid %d is a zombie", pid);
	if (inject_read_status(pid, &st) == -1)
		return inject_fail(cause, "pid %d exited", pid);

	if (st.tracer != 0) {
		inject_comm(st.tracer, comm, sizeof comm);
		return inject_fail(cause, "pid %d is already traced by pid %d "
		    "(%s), and a process can have only one tracer: detach it "
		    "first", pid, st.tracer, comm);
	}
	if (st.seccomp == 1) {
		return inject_fail(cause, "pid %d runs in seccomp strict mode: "
		    "the userfaultfd() call would kill it", pid);
	}
	if (st.seccomp == 2 && !force) {
		return inject_fail(cause, "pid %d runs under a seccomp filter, "
		    "which may kill it for the userfaultfd() call it would "
		    "have to make; track it anyway with T (--track=force)",
		    pid);
	}
	return 0;
}

int
inject_check(int pid, bool force, char **cause)
{
	unsigned long long	owned;

	*cause = NULL;
	if (pid == getpid())
		return inject_fail(cause, "pmtop cannot track itself");
	if (inject_check_process(pid, force, cause) == -1)
		return -1;
	if (inject_is_32bit(pid)) {
		return inject_fail(cause, "pid %d is a 32-bit program: only "
		    "x86-64 programs can be tracked", pid);
	}
	owned = inject_uffd_owned(pid);
	if (owned != 0) {
		return inject_fail(cause, "pid %d already uses a userfaultfd "
		    "(its VMA at %llx is registered), and the kernel allows "
		    "one per VMA", pid, owned);
	}
#ifndef __x86_64__
	return inject_fail(cause, "write tracking is not supported on this "
	    "architecture yet (x86-64 only)");
#endif
	return 0;
}

#ifdef __x86_64__

/*
 * The thread to stop: the main one, unless it has exited while others
 * run on (a zombie leader never stops). -1 with errno ESRCH if none.
 */
static pid_t
inject_pick_thread(int pid, char *state)
{
	struct dirent	*d;
	unsigned long	 flags;
	char		 path[320];
	pid_t		 tid = -1;
	DIR		*dir;

	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, pid);
	if (target_read_stat(path, state, &flags) == 0 && *state != 'Z' &&
	    *state != 'X')
		return pid;

	snprintf(path, sizeof path, "/proc/%d/task", pid);
	dir = opendir(path);
	while (dir != NULL && tid == -1 && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/stat", pid,
		    d->d_name);
		if (target_read_stat(path, state, &flags) == 0 && *state != 'Z' &&
		    *state != 'X')
			tid = atoi(d->d_name);
	}
	if (dir != NULL)
		closedir(dir);
	if (tid == -1)
		errno = ESRCH;
	return tid;
}

static double
inject_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Wait for the thread's next stop, at most timeout seconds (< 0: no
 * limit). Returns 0 with *status, or -1: it died (ESRCH) or did not stop
 * in time (ETIMEDOUT).
 */
static int
inject_wait(struct inject *in, int *status, double timeout)
{
	struct timespec	 nap = { 0, 100 * 1000 };
	double		 deadline = inject_now() + timeout;
	pid_t		 r;

	for (;;) {
		r = waitpid(in->tid, status, __WALL |
		    (timeout < 0 ? 0 : WNOHANG));
		if (r == in->tid)
			break;
		if (r == -1 && errno != EINTR)
			return -1;
		if (r == 0 && inject_now() > deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r == 0)
			nanosleep(&nap, NULL);
	}
	if (!WIFSTOPPED(*status)) {
		in->traced = false;
		errno = ESRCH;
		return -1;
	}
	in->signal_stop = (*status >> 16) == 0;
	return 0;
}

/* Keep a signal that stopped the thread, to deliver when released. */
static void
inject_keep(struct inject *in, int sig)
{
	if (in->npending == INJECT_MAX_PENDING)
		return;
	memset(&in->info[in->npending], 0, sizeof in->info[0]);
	if (ptrace(PTRACE_GETSIGINFO, in->tid, 0, &in->info[in->npending]) ==
	    -1)
		in->info[in->npending].si_signo = 0;
	in->pending[in->npending++] = sig;
}

/*
 * Let the thread go: registers and mask back, detached, and the kept
 * signals delivered. The first goes with the detach, with its own
 * siginfo, when the thread is stopped delivering a signal (the only stop
 * a detach can hand a signal to); the others are sent again.
 */
static void
inject_release(struct inject *in, bool detach)
{
	int	i = 0, sig = 0;

	if (!in->traced)
		return;
	if (in->regs_saved)
		ptrace(PTRACE_SETREGS, in->tid, 0, &in->saved);
	if (in->mask_saved)
		ptrace(PTRACE_SETSIGMASK, in->tid, sizeof in->mask, &in->mask);
	if (!detach) {
		/* Still traced: sent again, they wait for the resume. */
		for (; i < in->npending; i++)
			syscall(SYS_tgkill, in->pid, in->tid, in->pending[i]);
		in->npending = 0;
		return;
	}

	if (in->npending > 0 && in->signal_stop) {
		if (in->info[0].si_signo != 0)
			ptrace(PTRACE_SETSIGINFO, in->tid, 0, &in->info[0]);
		sig = in->pending[0];
		i = 1;
	}
	ptrace(PTRACE_DETACH, in->tid, 0, sig);
	in->traced = false;
	for (; i < in->npending; i++)
		syscall(SYS_tgkill, in->pid, in->tid, in->pending[i]);
}

/* The message for a PTRACE_SEIZE that was refused. */
static int
inject_fail_seize(int pid, int err, char **cause)
{
	char	hint[160] = "";
	int	scope = -1;
	FILE	*f;

	f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (f != NULL) {
		if (fscanf(f, "%d", &scope) != 1)
			scope = -1;
		fclose(f);
	}
	if (err == EPERM && scope >= 1 && geteuid() != 0) {
		snprintf(hint, sizeof hint, "; kernel.yama.ptrace_scope is %d: "
		    "%s", scope, scope == 1 ? "only pmtop's own children, or "
		    "with CAP_SYS_PTRACE" : "only with CAP_SYS_PTRACE");
	} else if (err == EPERM) {
		snprintf(hint, sizeof hint, "; it takes the same user and a "
		    "dumpable process, or CAP_SYS_PTRACE");
	}
	return inject_fail(cause, "pmtop may not trace pid %d (%s)%s", pid,
	    strerror(err), hint);
}

/*
 * Seize and stop the thread. The first stop is the interrupt, or the
 * group stop the process was in; a signal dequeued just before the
 * interrupt stops it first and is kept.
 */
static int
inject_seize(struct inject *in, bool suspend_seccomp, char **cause)
{
	long	opts = suspend_seccomp ? PTRACE_O_SUSPEND_SECCOMP : 0;
	int	status;

	if (ptrace(PTRACE_SEIZE, in->tid, 0, opts) == -1 && (opts == 0 ||
	    ptrace(PTRACE_SEIZE, in->tid, 0, 0) == -1)) {
		/* Without CAP_SYS_ADMIN, seccomp stays: the user insisted. */
		return inject_fail_seize(in->pid, errno, cause);
	}
	in->traced = true;
	if (ptrace(PTRACE_INTERRUPT, in->tid, 0, 0) == -1)
		goto lost;
	for (;;) {
		if (inject_wait(in, &status, INJECT_STOP_TIMEOUT) == -1)
			goto lost;
		if ((status >> 16) == PTRACE_EVENT_STOP)
			return 0;
		inject_keep(in, WSTOPSIG(status));
		if (ptrace(PTRACE_CONT, in->tid, 0, 0) == -1)
			goto lost;
	}

lost:
	/*
	 * XXX: a thread that does not stop within the timeout stays seized
	 * until pmtop exits; it is only possible after a long
	 * uninterruptible sleep, which inject_check() refuses up front.
	 */
	if (errno == ETIMEDOUT) {
		return inject_fail(cause, "pid %d did not stop within %.0f s",
		    in->pid, INJECT_STOP_TIMEOUT);
	}
	return inject_fail(cause, "pid %d exited", in->pid);
}

/* Save what the calls change, check the architecture, block signals. */
static int
inject_prepare(struct inject *in, char **cause)
{
	uint64_t	all = ~(uint64_t)0;

	if (ptrace(PTRACE_GETREGS, in->tid, 0, &in->saved) == -1)
		return inject_fail(cause, "pid %d: %s", in->pid,
		    strerror(errno));
	if (in->saved.cs != INJECT_CS_64) {
		return inject_fail(cause, "pid %d runs 32-bit code: only "
		    "x86-64 programs can be tracked", in->pid);
	}
	in->regs_saved = true;

	if (ptrace(PTRACE_GETSIGMASK, in->tid, sizeof in->mask,
	    &in->mask) == -1)
		return inject_fail(cause, "pid %d: %s", in->pid,
		    strerror(errno));
	in->mask_saved = true;
	if (ptrace(PTRACE_SETSIGMASK, in->tid, sizeof all, &all) == -1)
		return inject_fail(cause, "pid %d: %s", in->pid,
		    strerror(errno));
	return 0;
}

/* Look for the bytes of `syscall` (0f 05) in [start, end) of the target. */
static uint64_t
inject_search(int memfd, uint64_t start, uint64_t end)
{
	unsigned char	*buf, *p;
	uint64_t	 found = 0;
	size_t		 len;
	ssize_t		 n;

	len = end - start > INJECT_SEARCH_MAX ? INJECT_SEARCH_MAX :
	    (size_t)(end - start);
	buf = malloc(len);
	if (buf == NULL)
		return 0;
	n = pread(memfd, buf, len, (off_t)start);
	if (n > 1) {
		p = memmem(buf, (size_t)n, "\x0f\x05", 2);
		if (p != NULL)
			found = start + (uint64_t)(p - buf);
	}
	free(buf);
	return found;
}

/*
 * An address in the target holding a `syscall` instruction: in its vDSO
 * first, which every process has unless booted with vdso=0, then in any
 * executable mapping. Only read, never written.
 */
static int
inject_find_insn(struct inject *in, char **cause)
{
	unsigned long long	 s, e;
	char			 path[64], perms[8], *line = NULL;
	size_t			 cap = 0;
	FILE			*f;
	int			 memfd, pass, off;

	snprintf(path, sizeof path, "/proc/%d/mem", in->pid);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/%d/maps", in->pid);
	f = memfd == -1 ? NULL : fopen(path, "re");
	for (pass = 0; f != NULL && pass < 2 && in->insn == 0; pass++) {
		rewind(f);
		while (in->insn == 0 && getline(&line, &cap, f) > 0) {
			if (sscanf(line, "%llx-%llx %7s %*s %*s %*s%n", &s,
			    &e, perms, &off) != 3 || perms[2] != 'x')
				continue;
			if ((pass == 0) != (strstr(line + off, "[vdso]") !=
			    NULL))
				continue;
			in->insn = inject_search(memfd, s, e);
		}
	}
	free(line);
	if (f != NULL)
		fclose(f);
	if (memfd != -1)
		close(memfd);
	if (in->insn == 0) {
		return inject_fail(cause, "pid %d has no syscall instruction "
		    "pmtop can use", in->pid);
	}
	return 0;
}

/*
 * Single-step from the prepared registers until the thread has executed
 * the instruction at in->insn. A group stop or the interrupt on the way
 * is stepped over; a signal is kept for later.
 */
static int
inject_step(struct inject *in, struct user_regs_struct *regs)
{
	int	status;

	if (ptrace(PTRACE_SINGLESTEP, in->tid, 0, 0) == -1)
		return -1;
	for (;;) {
		if (inject_wait(in, &status, -1) == -1)
			return -1;
		if (ptrace(PTRACE_GETREGS, in->tid, 0, regs) == -1)
			return -1;
		if ((status >> 16) == 0 && WSTOPSIG(status) == SIGTRAP &&
		    regs->rip == in->insn + 2)
			return 0;
		if ((status >> 16) == 0)
			inject_keep(in, WSTOPSIG(status));
		if (ptrace(PTRACE_SINGLESTEP, in->tid, 0, 0) == -1)
			return -1;
	}
}

/*
 * Run one system call in the stopped thread. Returns its result (a
 * negative errno on failure), or -1 with *cause when the thread could
 * not be made to run it (*ran false).
 */
static long
inject_syscall(struct inject *in, long nr, uint64_t a0, uint64_t a1,
    bool *ran, char **cause)
{
	struct user_regs_struct	regs = in->saved;

	*ran = false;
	regs.rip = in->insn;
	regs.rax = (uint64_t)nr;
	regs.orig_rax = (uint64_t)-1;
	regs.rdi = a0;
	regs.rsi = a1;
	regs.rdx = regs.r10 = regs.r8 = regs.r9 = 0;
	if (ptrace(PTRACE_SETREGS, in->tid, 0, &regs) == -1 ||
	    inject_step(in, &regs) == -1)
		return inject_fail(cause, "pid %d exited", in->pid);
	*ran = true;
	return (long)regs.rax;
}

/* What went wrong in the target's userfaultfd() call, for the user. */
static int
inject_fail_uffd(struct inject *in, long err, char **cause)
{
	const char	*hint = "";

	if (err == ENOSYS)
		hint = " (a kernel without userfaultfd, or a seccomp filter)";
	else if (err == EPERM || err == EACCES)
		hint = " (a security module or a seccomp filter denies it)";
	return inject_fail(cause, "pid %d could not create a userfaultfd: %s%s",
	    in->pid, strerror((int)err), hint);
}

/*
 * Have the thread create a userfaultfd, take pmtop's copy through the
 * pidfd, and have the thread close its own. Returns pmtop's fd or -1.
 */
static int
inject_take_uffd(struct inject *in, int pidfd, int flags, char **cause)
{
	long	theirs, rc;
	int	fd, err;
	bool	ran;

	theirs = inject_syscall(in, SYS_userfaultfd, (uint64_t)flags, 0, &ran,
	    cause);
	if (!ran)
		return -1;
	if (theirs < 0)
		return inject_fail_uffd(in, -theirs, cause);

	fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)theirs, 0);
	err = errno;
	rc = inject_syscall(in, SYS_close, (uint64_t)theirs, 0, &ran, cause);
	if (!ran) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (fd == -1) {
		return inject_fail(cause, "cannot take pid %d's userfaultfd: "
		    "pidfd_getfd: %s", in->pid, strerror(err));
	}
	if (rc != 0) {
		/* Its copy would keep tracking alive after pmtop: give up. */
		close(fd);
		return inject_fail(cause, "pid %d could not close its "
		    "userfaultfd: %s", in->pid, strerror((int)-rc));
	}
	return fd;
}

/* A pidfd for pid, or -1 with *cause. */
static int
inject_pidfd(int pid, char **cause)
{
	int	fd;

	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd == -1 && errno == ENOSYS) {
		return inject_fail(cause, "cannot take a file descriptor from "
		    "another process here: pidfd_open: %s (Linux 5.6 or "
		    "later has it)", strerror(ENOSYS));
	}
	if (fd == -1)
		return inject_fail(cause, "no process with pid %d", pid);
	return fd;
}

int
inject_userfaultfd(int pid, int flags, bool force, double *stopped,
    char **cause)
{
	struct inject_status	st;
	struct inject		in;
	char			state;
	int			pidfd, fd = -1;
	double			t0;

	if (inject_check(pid, force, cause) == -1)
		return -1;
	memset(&in, 0, sizeof in);
	in.pid = pid;
	in.tid = inject_pick_thread(pid, &state);
	if (in.tid == -1)
		return inject_fail(cause, "pid %d exited", pid);
	if (state == 'D') {
		return inject_fail(cause, "pid %d is in an uninterruptible "
		    "sleep: try again", pid);
	}
	if ((pidfd = inject_pidfd(pid, cause)) == -1)
		return -1;

	if (inject_read_status(pid, &st) == -1)
		st.seccomp = 0;
	t0 = inject_now();
	if (inject_seize(&in, force && st.seccomp != 0, cause) == 0 &&
	    inject_prepare(&in, cause) == 0 &&
	    inject_find_insn(&in, cause) == 0)
		fd = inject_take_uffd(&in, pidfd, flags, cause);
	inject_release(&in, true);
	if (stopped != NULL)
		*stopped = inject_now() - t0;
	close(pidfd);
	return fd;
}

/* The child side of inject_spawn(): never returns. */
static void __attribute__((noreturn))
inject_child(char *const argv[], enum inject_stdio stdio, int errfd)
{
	sigset_t	none;
	int		sig, fd, err;

	/* What pmtop set up is not the command's to inherit. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);

	if (stdio == INJECT_STDOUT_TO_STDERR)
		dup2(STDERR_FILENO, STDOUT_FILENO);
	if (stdio == INJECT_STDIO_NULL &&
	    (fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) == 0)
		execvp(argv[0], argv);
	err = errno;
	if (write(errfd, &err, sizeof err) == -1)
		_exit(127);
	_exit(127);
}

pid_t
inject_spawn(char *const argv[], enum inject_stdio stdio, char **cause)
{
	ssize_t	n;
	pid_t	pid;
	int	fds[2], err, status;

	*cause = NULL;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return inject_fail(cause, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == -1) {
		close(fds[0]);
		close(fds[1]);
		return inject_fail(cause, "fork: %s", strerror(errno));
	}
	if (pid == 0)
		inject_child(argv, stdio, fds[1]);

	/* The pipe closes at a successful exec; else it brings errno. */
	close(fds[1]);
	do {
		n = read(fds[0], &err, sizeof err);
	} while (n == -1 && errno == EINTR);
	close(fds[0]);
	if (n == (ssize_t)sizeof err) {
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		return inject_fail(cause, "%s: %s", argv[0], strerror(err));
	}

	while (waitpid(pid, &status, __WALL) == -1 && errno == EINTR)
		;
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
		if (WIFSTOPPED(status))
			inject_abort(pid);
		return inject_fail(cause, "%s did not start", argv[0]);
	}
	return pid;
}

int
inject_userfaultfd_stopped(pid_t pid, int flags, char **cause)
{
	struct inject	in;
	int		pidfd, fd = -1;

	*cause = NULL;
	memset(&in, 0, sizeof in);
	in.pid = pid;
	in.tid = pid;
	in.traced = true;
	in.signal_stop = true;
	if ((pidfd = inject_pidfd(pid, cause)) == -1)
		return -1;
	if (inject_prepare(&in, cause) == 0 &&
	    inject_find_insn(&in, cause) == 0)
		fd = inject_take_uffd(&in, pidfd, flags, cause);
	inject_release(&in, false);
	close(pidfd);
	return fd;
}

#else /* !__x86_64__ */

int
inject_userfaultfd(int pid, int flags, bool force, double *stopped,
    char **cause)
{
	(void)flags;
	(void)stopped;
	return inject_check(pid, force, cause);
}

pid_t
inject_spawn(char *const argv[], enum inject_stdio stdio, char **cause)
{
	(void)argv;
	(void)stdio;
	return inject_fail(cause, "write tracking is not supported on this "
	    "architecture yet (x86-64 only)");
}

int
inject_userfaultfd_stopped(pid_t pid, int flags, char **cause)
{
	(void)pid;
	(void)flags;
	return inject_fail(cause, "write tracking is not supported on this "
	    "architecture yet (x86-64 only)");
}

#endif /* __x86_64__ */

int
inject_resume(pid_t pid)
{
	return ptrace(PTRACE_DETACH, pid, 0, 0) == -1 ? -1 : 0;
}

void
inject_abort(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) == -1 && errno == EINTR)
		;
}
