/*
 * Opening and following a target process. The pidfd is taken first: from
 * then on the process's identity is pinned, so a pid reused after an exit
 * is noticed (the pidfd becomes readable) instead of silently scanned.
 * Failures are sorted into states the user can act on.
 *
 * pagemap and comm stay open across refreshes; comm is read from offset
 * 0 each time and follows the process through exec. maps is opened anew
 * for every read: a maps file is bound to the mm it was opened on, which
 * after an exec by a process that shared its mm with another (vfork,
 * CLONE_VM) lives on and would go on showing the other's mappings, and
 * opening it checks again that pmtop may read the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scan/maps.h"
#include "scan/target.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* task->flags bit for kernel threads (include/linux/sched.h). */
#define TARGET_PF_KTHREAD 0x00200000UL

struct target {
	int		pid;
	int		pidfd;
	int		pagemap_fd;
	int		comm_fd;	/* -1 until first read */
};

/* Open /proc/PID/NAME read-only. */
static int
target_open_file(int pid, const char *name)
{
	char	path[64];

	snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void
target_close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

int
target_read_stat(const char *path, char *state, unsigned long *flags)
{
	char	 buf[1024], *p;
	ssize_t	 n;
	int	 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';

	/* comm may hold spaces and parentheses: skip to the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", state,
	    flags) != 2)
		return -1;
	return 0;
}

/* What /proc/PID/stat says: state letter and whether a kernel thread. */
static int
target_stat(int pid, char *state, bool *kthread)
{
	char		path[64];
	unsigned long	flags;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (target_read_stat(path, state, &flags) == -1)
		return -1;
	*kthread = (flags & TARGET_PF_KTHREAD) != 0;
	return 0;
}

/* Fill the failure outputs of target_open(). */
static struct target *
target_fail(struct target *t, enum target_state *state, int *err,
    char **cause, enum target_state why, int error, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static struct target *
target_fail(struct target *t, enum target_state *state, int *err,
    char **cause, enum target_state why, int error, const char *fmt, ...)
{
	va_list	ap;

	target_close(t);
	*state = why;
	*err = error;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
	return NULL;
}

/* Why a process that exists gave ESRCH: zombie or kernel thread. */
static struct target *
target_fail_no_mm(struct target *t, int pid, enum target_state *state,
    int *err, char **cause)
{
	bool	kthread = false;
	char	letter = '?';

	if (target_stat(pid, &letter, &kthread) == -1) {
		return target_fail(t, state, err, cause, TARGET_NOT_FOUND,
		    ESRCH, "no process with pid %d", pid);
	}
	if (kthread) {
		return target_fail(t, state, err, cause, TARGET_KTHREAD, ESRCH,
		    "pid %d is a kernel thread: it has no user memory",
		    pid);
	}
	if (letter == 'Z' || letter == 'X') {
		return target_fail(t, state, err, cause, TARGET_ZOMBIE, ESRCH,
		    "pid %d is a zombie: its memory is gone", pid);
	}
	return target_fail(t, state, err, cause, TARGET_EXITED, ESRCH,
	    "pid %d has no memory map", pid);
}

struct target *
target_open(int pid, enum target_state *state, int *err, char **cause)
{
	struct target	*t;

	t = calloc(1, sizeof *t);
	if (t == NULL) {
		return target_fail(NULL, state, err, cause, TARGET_ERROR,
		    ENOMEM, "pid %d: %s", pid, strerror(ENOMEM));
	}
	t->pid = pid;
	t->pagemap_fd = -1;
	t->comm_fd = -1;

	t->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (t->pidfd == -1 && (errno == ESRCH || errno == EINVAL)) {
		return target_fail(t, state, err, cause, TARGET_NOT_FOUND,
		    ESRCH, "no process with pid %d", pid);
	}

	t->pagemap_fd = target_open_file(pid, "pagemap");
	if (t->pagemap_fd == -1) {
		if (errno == ESRCH || errno == ENOENT)
			return target_fail_no_mm(t, pid, state, err, cause);
		if (errno == EACCES || errno == EPERM) {
			return target_fail(t, state, err, cause,
			    TARGET_DENIED, errno, "cannot read the memory "
			    "of pid %d (%s): it takes the same user and a "
			    "dumpable process, or CAP_SYS_PTRACE", pid,
			    strerror(errno));
		}
		return target_fail(t, state, err, cause, TARGET_ERROR, errno,
		    "/proc/%d/pagemap: %s", pid, strerror(errno));
	}

	/* The pid may have been reused between the pidfd and the open. */
	if (target_exited(t)) {
		return target_fail(t, state, err, cause, TARGET_EXITED, ESRCH,
		    "pid %d exited", pid);
	}
	*state = TARGET_OK;
	*err = 0;
	*cause = NULL;
	return t;
}

void
target_close(struct target *t)
{
	if (t == NULL)
		return;
	target_close_fd(&t->pagemap_fd);
	target_close_fd(&t->comm_fd);
	target_close_fd(&t->pidfd);
	free(t);
}

int
target_pid(const struct target *t)
{
	return t->pid;
}

int
target_pagemap_fd(const struct target *t)
{
	return t->pagemap_fd;
}

bool
target_exited(const struct target *t)
{
	struct pollfd	pfd = { .fd = t->pidfd, .events = POLLIN };
	char		letter;
	bool		kthread;

	/* Without a pidfd (old kernel), fall back to /proc. */
	if (t->pidfd == -1)
		return target_stat(t->pid, &letter, &kthread) == -1 ||
		    letter == 'Z' || letter == 'X';
	return poll(&pfd, 1, 0) == 1;
}

int
target_reopen(struct target *t)
{
	int	fd;

	fd = target_open_file(t->pid, "pagemap");
	if (fd == -1)
		return -1;
	if (target_exited(t)) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	close(t->pagemap_fd);
	t->pagemap_fd = fd;
	return 0;
}

int
target_read_maps(struct target *t, uint64_t user_limit,
    struct vma_list *list, char **cause)
{
	int	fd, rc, saved;

	*cause = NULL;
	fd = target_open_file(t->pid, "maps");
	if (fd == -1)
		return -1;
	rc = maps_read(fd, user_limit, list, cause);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* comm from fd, without the kernel's newline. Returns length or -1. */
static int
target_pread_comm(int fd, char *buf, size_t size)
{
	ssize_t	n;

	n = pread(fd, buf, size, 0);
	if (n < 0)
		return -1;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	return (int)n;
}

int
target_read_comm(struct target *t, char *buf, size_t size)
{
	if (t->comm_fd == -1 &&
	    (t->comm_fd = target_open_file(t->pid, "comm")) == -1)
		return -1;
	return target_pread_comm(t->comm_fd, buf, size);
}

int
target_read_comm_of(int pid, char *buf, size_t size)
{
	int	fd, n;

	fd = target_open_file(pid, "comm");
	if (fd == -1)
		return -1;
	n = target_pread_comm(fd, buf, size);
	close(fd);
	return n;
}

/*
 * From a mountinfo line: the device, and whether its file system is
 * tmpfs-based (shmem) and whether it holds devices (devtmpfs, sysfs).
 * False if the line says nothing of either.
 */
static bool
target_mount_line(const char *line, unsigned int *major, unsigned int *minor,
    bool *tmpfs, bool *device)
{
	const char	*sep;
	char		 fstype[64];

	if (sscanf(line, "%*d %*d %u:%u", major, minor) != 2)
		return false;

	/* Optional fields end at " - ", then the file system type. */
	sep = strstr(line, " - ");
	if (sep == NULL || sscanf(sep + 3, "%63s", fstype) != 1)
		return false;
	*tmpfs = strcmp(fstype, "tmpfs") == 0 ||
	    strcmp(fstype, "devtmpfs") == 0;
	*device = strcmp(fstype, "devtmpfs") == 0 ||
	    strcmp(fstype, "sysfs") == 0;
	return *tmpfs || *device;
}

static void
target_mark_dev(struct vma_list *list, unsigned int major, unsigned int minor,
    bool tmpfs, bool device)
{
	size_t	i;

	for (i = 0; i < list->n; i++) {
		if (list->v[i].kind != VMA_FILE || list->v[i].inode == 0 ||
		    list->v[i].dev_major != major ||
		    list->v[i].dev_minor != minor)
			continue;
		list->v[i].tmpfs |= tmpfs;
		list->v[i].device |= device;
	}
}

int
target_mark_tmpfs(const struct target *t, struct vma_list *list)
{
	unsigned int	 major, minor;
	char		 path[64], *line = NULL;
	bool		 tmpfs, device;
	size_t		 cap = 0, i;
	FILE		*f;

	/* tmpfs has no device: files on disks need no mountinfo. */
	for (i = 0; i < list->n; i++) {
		if (list->v[i].kind == VMA_FILE && list->v[i].dev_major == 0)
			break;
	}
	if (i == list->n)
		return 0;

	snprintf(path, sizeof path, "/proc/%d/mountinfo", t->pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (target_mount_line(line, &major, &minor, &tmpfs, &device))
			target_mark_dev(list, major, minor, tmpfs, device);
	}
	free(line);
	fclose(f);
	return 0;
}
