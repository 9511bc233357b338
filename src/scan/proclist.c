/*
 * The process list from libproc2: one reap per read, one procinfo per
 * process. libproc2 reports a /proc field it could not read as 0 or "-",
 * so the known bits are worked out here. comm is read from
 * /proc/PID/comm because libproc2 escapes it, and whether the pagemap
 * opens is tried directly (libproc2 has no item for it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "scan/proclist.h"

/*
 * libproc2 4.0.2's PIDS_VAL takes the info as a fourth argument; later
 * releases take three. Every result is read through this one macro. Only
 * libproc2's XTRA_PROCPS_DEBUG variant looks at info: the (void) keeps
 * it used in the plain one.
 */
#define PROCLIST_VAL(rel, type, stack, info) \
	((void)(info), PIDS_VAL(rel, type, stack, info))

/* PF_KTHREAD in include/linux/sched.h, seen in the flags of stat. */
#define PROCLIST_PF_KTHREAD	0x00200000UL

/* Positions of the items below in each result stack. */
enum proclist_rel {
	REL_PID,
	REL_EUSER,
	REL_CMD,
	REL_CMDLINE_V,
	REL_VM_RSS,
	REL_VM_SWAP,
	REL_VM_SIZE,
	REL_STATE,
	REL_FLAGS,
	REL_COUNT
};

/*
 * PIDS_CMDLINE_V, not PIDS_CMDLINE: the single string is escaped
 * (control bytes become '?') and is "[comm]" when there is no cmdline,
 * so an empty one could not be told from a real one.
 */
static enum pids_item proclist_items[REL_COUNT] = {
	[REL_PID] = PIDS_ID_PID,
	[REL_EUSER] = PIDS_ID_EUSER,
	[REL_CMD] = PIDS_CMD,
	[REL_CMDLINE_V] = PIDS_CMDLINE_V,
	[REL_VM_RSS] = PIDS_VM_RSS,
	[REL_VM_SWAP] = PIDS_VM_SWAP,
	[REL_VM_SIZE] = PIDS_VM_SIZE,
	[REL_STATE] = PIDS_STATE,
	[REL_FLAGS] = PIDS_FLAGS,
};

struct proclist_reader {
	struct pids_info	*info;
};

static int
proclist_fail(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set *cause from fmt (NULL if that fails) and return -1. */
static int
proclist_fail(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
	return -1;
}

/* One libproc2 context per reader, kept for every later read. */
struct proclist_reader *
proclist_reader_create(char **cause)
{
	struct proclist_reader	*r;
	int			 error;

	r = calloc(1, sizeof *r);
	if (r == NULL) {
		proclist_fail(cause, "out of memory");
		return NULL;
	}

	error = procps_pids_new(&r->info, proclist_items, REL_COUNT);
	if (error < 0) {
		proclist_fail(cause, "libproc2: %s", strerror(-error));
		free(r);
		return NULL;
	}
	return r;
}

/* Drop the libproc2 context; NULL is allowed. */
void
proclist_reader_destroy(struct proclist_reader *r)
{
	if (r == NULL)
		return;
	procps_pids_unref(&r->info);
	free(r);
}

/*
 * The raw comm, or NULL if it cannot be read (the process is gone). The
 * kernel caps it at 63 bytes (a kernel thread's full name) plus '\n'.
 */
static char *
proclist_read_comm(int pid)
{
	char	path[64], comm[128];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return NULL;
	n = read(fd, comm, sizeof comm - 1);
	close(fd);
	if (n <= 0)
		return NULL;

	/* Only the last '\n' is the kernel's: a comm may end in one too. */
	if (comm[n - 1] == '\n')
		n--;
	comm[n] = '\0';
	return strdup(comm);
}

/*
 * argv joined by spaces into *out; -1 on ENOMEM. libproc2 gives the
 * vector {"-"} when cmdline is empty (kernel thread, zombie) or cannot be
 * read (the process is gone): that leaves the cmdline unknown, at the
 * cost of a real argv of exactly "-". libproc2 also splits arguments at
 * '\n', so a newline inside one comes back as a space.
 */
static int
proclist_join_argv(char **argv, char **out, bool *known)
{
	size_t	i, len = 0, n;
	char	*s;

	*known = argv != NULL && argv[0] != NULL &&
	    !(strcmp(argv[0], "-") == 0 && argv[1] == NULL);
	if (!*known) {
		*out = strdup("");
		return *out != NULL ? 0 : -1;
	}

	for (i = 0; argv[i] != NULL; i++)
		len += strlen(argv[i]) + 1;
	s = *out = malloc(len);
	if (s == NULL)
		return -1;

	for (i = 0; argv[i] != NULL; i++) {
		n = strlen(argv[i]);
		memcpy(s, argv[i], n);
		s += n;
		*s++ = ' ';
	}
	s[-1] = '\0';
	return 0;
}

static int
proclist_fill_strings(struct pids_info *info, struct pids_stack *stack,
    struct procinfo *p)
{
	const char	*user, *cmd;
	bool		 known;

	user = PROCLIST_VAL(REL_EUSER, str, stack, info);
	cmd = PROCLIST_VAL(REL_CMD, str, stack, info);

	p->user = strdup(user != NULL ? user : "");
	if (p->user == NULL)
		return -1;
	if (*p->user != '\0')
		p->known |= PROC_KNOWN_USER;

	/* libproc2's escaped comm only if the process is already gone. */
	p->comm = proclist_read_comm(p->pid);
	if (p->comm == NULL)
		p->comm = strdup(cmd != NULL ? cmd : "");
	if (p->comm == NULL)
		return -1;

	if (proclist_join_argv(PROCLIST_VAL(REL_CMDLINE_V, strv, stack, info),
	    &p->cmdline, &known) == -1)
		return -1;
	if (known)
		p->known |= PROC_KNOWN_CMDLINE;
	return 0;
}

/*
 * status has no Vm* lines for a task without an mm (a kernel thread, a
 * zombie, a process on its way out) or when it vanished before status
 * was read; libproc2 then reports zeros. VmSize is never 0 for a task
 * with an mm, and VmRSS and VmSwap come with it, so it tells them apart.
 */
static void
proclist_fill_vm(struct pids_info *info, struct pids_stack *stack,
    struct procinfo *p)
{
	unsigned long	vsz;

	vsz = PROCLIST_VAL(REL_VM_SIZE, ul_int, stack, info);
	if (p->kthread || vsz == 0)
		return;

	p->vsz_kib = vsz;
	p->rss_kib = PROCLIST_VAL(REL_VM_RSS, ul_int, stack, info);
	p->swap_kib = PROCLIST_VAL(REL_VM_SWAP, ul_int, stack, info);
	p->known |= PROC_KNOWN_VSZ | PROC_KNOWN_RSS | PROC_KNOWN_SWAP;
}

/*
 * Whether this user may open the pagemap: 0, or the errno that says why
 * not. The open does the kernel's ptrace-read check, which access(2)
 * would not (root gets EACCES on some processes). Opening reads nothing
 * and does not disturb the process.
 */
static int
proclist_pagemap_errno(int pid)
{
	char	path[64];
	int	fd;

	snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return errno;
	close(fd);
	return 0;
}

/* One stack into *p; -1 on ENOMEM, with *p's strings freed. */
static int
proclist_fill(struct pids_info *info, struct pids_stack *stack,
    struct procinfo *p)
{
	unsigned long	flags;

	memset(p, 0, sizeof *p);
	p->pid = PROCLIST_VAL(REL_PID, s_int, stack, info);
	p->state = PROCLIST_VAL(REL_STATE, s_ch, stack, info);
	flags = PROCLIST_VAL(REL_FLAGS, ul_int, stack, info);
	p->kthread = (flags & PROCLIST_PF_KTHREAD) != 0;

	if (proclist_fill_strings(info, stack, p) == -1) {
		free(p->user);
		free(p->comm);
		free(p->cmdline);
		return -1;
	}
	proclist_fill_vm(info, stack, p);

	/* A kernel thread has no mm: its pagemap never opens. */
	if (!p->kthread) {
		p->pagemap_errno = proclist_pagemap_errno(p->pid);
		p->readable = p->pagemap_errno == 0;
	}
	return 0;
}

/* Reap every task (no threads) and turn each stack into a record. */
int
proclist_read(struct proclist_reader *r, struct proclist *list,
    char **cause)
{
	struct pids_fetch	*fetch;
	struct procinfo		 info;
	int			 i;

	proclist_clear(list);

	fetch = procps_pids_reap(r->info, PIDS_FETCH_TASKS_ONLY);
	if (fetch == NULL)
		return proclist_fail(cause, "libproc2: %s", strerror(errno));

	for (i = 0; i < fetch->counts->total; i++) {
		if (proclist_fill(r->info, fetch->stacks[i], &info) == -1 ||
		    proclist_append(list, &info) == -1) {
			proclist_clear(list);
			return proclist_fail(cause, "out of memory");
		}
	}

	/* This process is always there: none at all means no /proc. */
	if (list->n == 0)
		return proclist_fail(cause, "no processes: is /proc mounted?");
	return 0;
}
