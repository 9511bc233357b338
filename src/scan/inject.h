/*
 * System call injection: make another process run one system call that
 * pmtop chooses, through ptrace, and leave the process exactly as it was.
 * Write tracking needs this once per target: a userfaultfd is always
 * bound to the mm of the process that creates it, so the target must
 * create its own, and pmtop then takes a copy of the fd and closes the
 * target's.
 *
 * Only x86-64 targets are supported. Every function here runs its ptrace
 * requests on the calling thread, which becomes the tracer for as long as
 * the call lasts: a process it leaves stopped (inject_spawn()) must be
 * resumed or killed by the same thread.
 */
#ifndef PMTOP_SCAN_INJECT_H
#define PMTOP_SCAN_INJECT_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Check, without touching the process, that pmtop may inject into pid:
 * it is a user process on a supported architecture, alive, not traced,
 * not in an uninterruptible sleep, not under seccomp (unless force), and
 * none of its VMAs belongs to a userfaultfd already (the kernel allows
 * one per VMA). Returns 0, or -1 with *cause (allocated), a line for the
 * user saying what is wrong and what would help.
 */
int inject_check(int pid, bool force, char **cause);

/*
 * Make pid create a userfaultfd with the given flags and return pmtop's
 * copy of it (close-on-exec), the target's own being closed again: after
 * this, pmtop holds the only reference. The process is seized, stopped,
 * runs the two calls with every signal blocked, gets back its registers
 * and signal mask, and is released; a group stop it was in is kept, a
 * signal that arrived meanwhile is delivered afterwards, a system call it
 * was blocked in is restarted. inject_check() is run first. With force, a
 * seccomp filter is suspended for the calls when pmtop may (it needs
 * CAP_SYS_ADMIN), and ignored otherwise. *stopped (if not NULL) gets
 * how long the thread was stopped, in seconds. Returns the fd, or -1
 * with *cause (allocated); the process is then as it was.
 */
int inject_userfaultfd(int pid, int flags, bool force, double *stopped,
    char **cause);

/* How inject_spawn() sets up the command's standard streams. */
enum inject_stdio {
	INJECT_STDIO_INHERIT,	/* pmtop's own */
	INJECT_STDOUT_TO_STDERR, /* stdout goes to pmtop's stderr */
	INJECT_STDIO_NULL	/* all three on /dev/null */
};

/*
 * Start argv (searched in PATH) as a child of the calling thread, traced
 * from the start: it is left stopped right after its exec, before its
 * first instruction. Returns its pid, or -1 with *cause (allocated),
 * such as the command not found (the child is then reaped).
 */
pid_t inject_spawn(char *const argv[], enum inject_stdio stdio,
    char **cause);

/*
 * inject_userfaultfd() for a child inject_spawn() left stopped: the
 * calls run, the registers are restored, and the child stays stopped.
 */
int inject_userfaultfd_stopped(pid_t pid, int flags, char **cause);

/*
 * Let a child inject_spawn() left stopped run, untraced. Returns 0 or -1
 * with errno.
 */
int inject_resume(pid_t pid);

/* Kill a child inject_spawn() left stopped, and reap it. */
void inject_abort(pid_t pid);

#endif
