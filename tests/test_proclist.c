/*
 * Tests for the process list: sorting and -p NAME resolution on lists
 * built by hand, then real reads through libproc2 of this process, of
 * children it starts (named, oddly named, zombie) and of kthreadd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/procinfo.h"
#include "scan/proclist.h"

#define KNOWN_VM	(PROC_KNOWN_RSS | PROC_KNOWN_SWAP | PROC_KNOWN_VSZ)
#define KNOWN_ALL	(PROC_KNOWN_USER | PROC_KNOWN_CMDLINE | KNOWN_VM)

/* Append a hand-made record; known says which fields count. */
static void
add(struct proclist *list, int pid, const char *user, const char *comm,
    const char *cmdline, uint64_t rss, uint64_t swap, uint64_t vsz,
    unsigned int known)
{
	struct procinfo	info;

	memset(&info, 0, sizeof info);
	info.pid = pid;
	info.user = strdup(user);
	info.comm = strdup(comm);
	info.cmdline = strdup(cmdline);
	assert_non_null(info.user);
	assert_non_null(info.comm);
	assert_non_null(info.cmdline);
	info.rss_kib = rss;
	info.swap_kib = swap;
	info.vsz_kib = vsz;
	info.known = known;
	info.state = 'S';
	assert_int_equal(proclist_append(list, &info), 0);
}

/*
 * Five records with ties and unknowns. The unknown values are set to
 * numbers that would sort first if the known bits were ignored.
 */
static void
sample(struct proclist *list)
{
	add(list, 10, "root", "zsh", "/bin/zsh -l", 300, 0, 900, KNOWN_ALL);
	add(list, 20, "alice", "bash", "bash", 100, 50, 500, KNOWN_ALL);
	add(list, 30, "root", "kthreadd", "", 0, 0, 0, PROC_KNOWN_USER);
	list->p[list->n - 1].kthread = true;
	add(list, 40, "", "awk", "awk {}", 100, 0, 700,
	    PROC_KNOWN_CMDLINE | PROC_KNOWN_RSS | PROC_KNOWN_VSZ);
	add(list, 5, "bob", "bash", "", 1, 1, 1, PROC_KNOWN_USER);
}

static void
check_order(enum proc_sort_key key, bool descending, const int *want)
{
	struct proclist	list = { 0 };
	size_t		i;

	sample(&list);
	proclist_sort(&list, key, descending);
	assert_int_equal(list.n, 5);
	for (i = 0; i < list.n; i++)
		assert_int_equal(list.p[i].pid, want[i]);
	proclist_clear(&list);
}

static void
test_proclist_sort_pid(void **state)
{
	(void)state;
	check_order(PROC_SORT_PID, false, (const int[]){ 5, 10, 20, 30, 40 });
	check_order(PROC_SORT_PID, true, (const int[]){ 40, 30, 20, 10, 5 });
}

static void
test_proclist_sort_user(void **state)
{
	(void)state;
	check_order(PROC_SORT_USER, false, (const int[]){ 20, 5, 10, 30, 40 });
	check_order(PROC_SORT_USER, true, (const int[]){ 10, 30, 5, 20, 40 });
}

static void
test_proclist_sort_rss(void **state)
{
	(void)state;
	check_order(PROC_SORT_RSS, false, (const int[]){ 20, 40, 10, 5, 30 });
	check_order(PROC_SORT_RSS, true, (const int[]){ 10, 20, 40, 5, 30 });
}

static void
test_proclist_sort_swap(void **state)
{
	(void)state;
	check_order(PROC_SORT_SWAP, false, (const int[]){ 10, 20, 5, 30, 40 });
	check_order(PROC_SORT_SWAP, true, (const int[]){ 20, 10, 5, 30, 40 });
}

static void
test_proclist_sort_vsz(void **state)
{
	(void)state;
	check_order(PROC_SORT_VSZ, false, (const int[]){ 20, 40, 10, 5, 30 });
	check_order(PROC_SORT_VSZ, true, (const int[]){ 10, 40, 20, 5, 30 });
}

static void
test_proclist_sort_command(void **state)
{
	(void)state;
	check_order(PROC_SORT_COMMAND, false,
	    (const int[]){ 40, 5, 20, 30, 10 });
	check_order(PROC_SORT_COMMAND, true,
	    (const int[]){ 10, 30, 5, 20, 40 });
}

static void
test_proclist_append_grows_and_clears(void **state)
{
	struct proclist	list = { 0 };
	int		i;

	(void)state;
	for (i = 1; i <= 1000; i++)
		add(&list, i, "u", "c", "c", 1, 0, 1, KNOWN_ALL);
	assert_int_equal(list.n, 1000);
	assert_int_equal(list.p[999].pid, 1000);

	proclist_clear(&list);
	assert_int_equal(list.n, 0);
	assert_null(list.p);

	/* A cleared list is reusable. */
	add(&list, 7, "u", "c", "c", 1, 0, 1, KNOWN_ALL);
	assert_int_equal(list.p[0].pid, 7);
	proclist_clear(&list);
	proclist_clear(&list);
}

/* proclist_resolve with *cause reset, so a stale one cannot pass. */
static int
resolve(struct proclist *list, const char *spec, char **cause)
{
	*cause = NULL;
	return proclist_resolve(list, spec, cause);
}

static void
test_proclist_resolve_pid(void **state)
{
	struct proclist	 list = { 0 };
	char		*cause;

	(void)state;
	sample(&list);
	assert_int_equal(resolve(&list, "20", &cause), 20);
	assert_null(cause);

	/* Kernel threads do match by pid. */
	assert_int_equal(resolve(&list, "30", &cause), 30);

	assert_int_equal(resolve(&list, "99", &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "99"));
	free(cause);

	assert_int_equal(resolve(&list, "99999999999999999999", &cause), -1);
	free(cause);
	assert_int_equal(resolve(&list, "0", &cause), -1);
	free(cause);
	proclist_clear(&list);
}

static void
test_proclist_resolve_comm(void **state)
{
	struct proclist	 list = { 0 };
	char		*cause;

	(void)state;
	sample(&list);
	assert_int_equal(resolve(&list, "zsh", &cause), 10);
	assert_int_equal(resolve(&list, "awk", &cause), 40);
	assert_null(cause);
	proclist_clear(&list);
}

static void
test_proclist_resolve_argv0(void **state)
{
	struct proclist	 list = { 0 };
	char		*cause;

	(void)state;
	sample(&list);
	add(&list, 50, "u", "chromium-browse",
	    "/usr/lib/chromium/chromium-browser --type=renderer", 1, 0, 1,
	    KNOWN_ALL);
	add(&list, 60, "u", "foo", "/bin/bar -x", 1, 0, 1, KNOWN_ALL);
	add(&list, 61, "u", "bar", "/bin/baz", 1, 0, 1, KNOWN_ALL);

	assert_int_equal(resolve(&list, "chromium-browser", &cause), 50);
	assert_null(cause);

	/* An exact comm wins over an argv[0] basename. */
	assert_int_equal(resolve(&list, "bar", &cause), 61);
	assert_int_equal(resolve(&list, "baz", &cause), 61);

	/* A substring of argv[0] is no match. */
	assert_int_equal(resolve(&list, "chromium", &cause), -1);
	free(cause);
	proclist_clear(&list);
}

static void
test_proclist_resolve_no_match(void **state)
{
	struct proclist	 list = { 0 };
	char		*cause;

	(void)state;
	sample(&list);
	assert_int_equal(resolve(&list, "nosuchthing", &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "nosuchthing"));
	free(cause);

	/* Kernel threads match only by pid. */
	assert_int_equal(resolve(&list, "kthreadd", &cause), -1);
	assert_non_null(cause);
	free(cause);
	proclist_clear(&list);
}

static void
test_proclist_resolve_several(void **state)
{
	struct proclist	 list = { 0 };
	char		*cause;
	int		 pid;

	(void)state;
	sample(&list);
	assert_int_equal(resolve(&list, "bash", &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "bash"));
	assert_non_null(strstr(cause, "5"));
	assert_non_null(strstr(cause, "20"));
	free(cause);

	/* Seven matches: five pids are named, the rest counted. */
	for (pid = 1001; pid <= 1007; pid++)
		add(&list, pid, "u", "worker", "worker", 1, 0, 1, KNOWN_ALL);
	assert_int_equal(resolve(&list, "worker", &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "1001"));
	assert_non_null(strstr(cause, "1005"));
	assert_null(strstr(cause, "1006"));
	assert_non_null(strstr(cause, "2 more"));
	free(cause);
	proclist_clear(&list);
}

/* Read every process into list, asserting that it works. */
/* A record as the picker gets it, for procinfo_unreadable_reason(). */
static const char *
reason(bool readable, bool kthread, char state, int err, char *buf,
    size_t size)
{
	struct procinfo	p;

	memset(&p, 0, sizeof p);
	p.readable = readable;
	p.kthread = kthread;
	p.state = state;
	p.pagemap_errno = err;
	return procinfo_unreadable_reason(&p, buf, size);
}

static void
test_proclist_unreadable_reason(void **state)
{
	char		 buf[128];
	const char	*r;

	(void)state;
	assert_null(reason(true, false, 'S', 0, buf, sizeof buf));
	assert_non_null(strstr(reason(false, true, 'S', 0, buf, sizeof buf),
	    "kernel thread"));
	assert_non_null(strstr(reason(false, false, 'Z', ESRCH, buf,
	    sizeof buf), "zombie"));
	assert_non_null(strstr(reason(false, false, 'S', EACCES, buf,
	    sizeof buf), "permission denied"));
	assert_non_null(strstr(reason(false, false, 'S', EPERM, buf,
	    sizeof buf), "CAP_SYS_PTRACE"));
	assert_non_null(strstr(reason(false, false, 'R', ESRCH, buf,
	    sizeof buf), "exiting"));

	/* Anything else names the error, in buf. */
	r = reason(false, false, 'S', EIO, buf, sizeof buf);
	assert_ptr_equal(r, buf);
	assert_non_null(strstr(r, strerror(EIO)));

	/* A short buffer cuts the line, it does not overflow. */
	r = reason(false, false, 'S', EIO, buf, 8);
	assert_int_equal(strlen(r), 7);
}

static void
read_all(struct proclist *list)
{
	struct proclist_reader	*r;
	char			*cause = NULL;

	r = proclist_reader_create(&cause);
	if (r == NULL)
		fail_msg("proclist_reader_create: %s", cause);
	if (proclist_read(r, list, &cause) == -1)
		fail_msg("proclist_read: %s", cause);
	proclist_reader_destroy(r);
}

static const struct procinfo *
find(const struct proclist *list, int pid)
{
	size_t	i;

	for (i = 0; i < list->n; i++) {
		if (list->p[i].pid == pid)
			return &list->p[i];
	}
	return NULL;
}

/* How many records list has for pid. */
static size_t
count_pid(const struct proclist *list, int pid)
{
	size_t	i, n = 0;

	for (i = 0; i < list->n; i++)
		n += list->p[i].pid == pid;
	return n;
}

/*
 * Fork a child named name. It waits for SIGKILL, or exits at once and
 * stays a zombie (not reaped) if zombie is set. Returns once the name is
 * set (or the zombie is dead).
 */
static pid_t
child_start(const char *name, bool zombie)
{
	siginfo_t	si;
	pid_t		pid;
	int		fds[2];
	char		c = 0;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, name);
		if (zombie)
			_exit(0);
		if (write(fds[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}

	close(fds[1]);
	if (zombie) {
		/* Wait for the exit without reaping it. */
		assert_int_equal(waitid(P_PID, pid, &si, WEXITED | WNOWAIT),
		    0);
	} else
		assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static void
child_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
test_proclist_read_finds_self(void **state)
{
	struct proclist		 list = { 0 };
	const struct procinfo	*self;
	char			 comm[17] = "";

	(void)state;
	assert_int_equal(prctl(PR_GET_NAME, comm), 0);
	read_all(&list);

	self = find(&list, getpid());
	assert_non_null(self);
	assert_string_equal(self->comm, comm);
	assert_false(self->kthread);
	assert_true(self->readable);
	assert_int_equal(self->pagemap_errno, 0);
	assert_int_equal(self->state, 'R');
	assert_int_equal(self->known & KNOWN_ALL, KNOWN_ALL);
	assert_true(self->rss_kib > 0);
	assert_true(self->vsz_kib >= self->rss_kib);
	assert_true(self->user[0] != '\0');
	assert_true(self->cmdline[0] != '\0');
	proclist_clear(&list);
}

static void
test_proclist_read_reuses_reader(void **state)
{
	struct proclist_reader	*r;
	struct proclist		 list = { 0 };
	char			*cause = NULL;

	(void)state;
	r = proclist_reader_create(&cause);
	assert_non_null(r);
	assert_int_equal(proclist_read(r, &list, &cause), 0);
	assert_int_equal(count_pid(&list, getpid()), 1);

	/* A second read replaces the list, it does not add to it. */
	assert_int_equal(proclist_read(r, &list, &cause), 0);
	assert_int_equal(count_pid(&list, getpid()), 1);
	proclist_clear(&list);
	proclist_reader_destroy(r);
	proclist_reader_destroy(NULL);
}

static void
test_proclist_read_finds_named_child(void **state)
{
	struct proclist		 list = { 0 };
	const struct procinfo	*kid;
	char			 name[16], *cause = NULL;
	pid_t			 pid;

	(void)state;
	/* Our pid in the name keeps parallel runs apart. */
	snprintf(name, sizeof name, "pmtkid%d", (int)getpid());
	pid = child_start(name, false);
	read_all(&list);

	kid = find(&list, pid);
	assert_non_null(kid);
	assert_string_equal(kid->comm, name);
	assert_true(kid->known & PROC_KNOWN_RSS);
	assert_true(kid->known & PROC_KNOWN_CMDLINE);
	assert_int_equal(proclist_resolve(&list, name, &cause), pid);
	assert_null(cause);
	assert_int_equal(count_pid(&list, pid), 1);

	child_stop(pid);
	proclist_clear(&list);
}

static void
test_proclist_read_raw_comm(void **state)
{
	static const char	 odd[] = "a\tb\x1b[31m";
	struct proclist		 list = { 0 };
	const struct procinfo	*kid;
	pid_t			 pid;

	(void)state;
	pid = child_start(odd, false);
	read_all(&list);

	kid = find(&list, pid);
	assert_non_null(kid);
	assert_memory_equal(kid->comm, odd, sizeof odd);
	child_stop(pid);
	proclist_clear(&list);
}

static void
test_proclist_read_zombie_has_no_vm(void **state)
{
	struct proclist		 list = { 0 };
	const struct procinfo	*kid;
	pid_t			 pid;

	(void)state;
	pid = child_start("pmtzombie", true);
	read_all(&list);

	kid = find(&list, pid);
	assert_non_null(kid);
	assert_int_equal(kid->state, 'Z');
	assert_false(kid->kthread);
	assert_false(kid->readable);
	assert_int_equal(kid->pagemap_errno, ESRCH);
	assert_non_null(strstr(procinfo_unreadable_reason(kid, NULL, 0),
	    "zombie"));
	assert_int_equal(kid->known & (KNOWN_VM | PROC_KNOWN_CMDLINE), 0);
	assert_true(kid->known & PROC_KNOWN_USER);
	assert_string_equal(kid->comm, "pmtzombie");
	assert_string_equal(kid->cmdline, "");
	child_stop(pid);
	proclist_clear(&list);
}

static void
test_proclist_read_kthread(void **state)
{
	struct proclist		 list = { 0 };
	const struct procinfo	*k;

	(void)state;
	read_all(&list);
	k = find(&list, 2);
	if (k == NULL || strcmp(k->comm, "kthreadd") != 0) {
		proclist_clear(&list);
		skip();
	}

	assert_true(k->kthread);
	assert_false(k->readable);
	assert_non_null(strstr(procinfo_unreadable_reason(k, NULL, 0),
	    "kernel thread"));
	assert_int_equal(k->known & (KNOWN_VM | PROC_KNOWN_CMDLINE), 0);
	assert_string_equal(k->cmdline, "");
	proclist_clear(&list);
}

/* 0 if this process, read by nobody, is unreadable for want of rights. */
static int
denied_as_nobody(pid_t root)
{
	struct proclist_reader	*r;
	struct proclist		 list = { 0 };
	const struct procinfo	*p;
	const char		*why;
	char			*cause = NULL;
	int			 rc = 1;

	if (setresgid(65534, 65534, 65534) == -1 ||
	    setresuid(65534, 65534, 65534) == -1)
		return 2;
	r = proclist_reader_create(&cause);
	if (r == NULL || proclist_read(r, &list, &cause) == -1)
		return 3;
	p = find(&list, root);
	if (p != NULL && !p->readable && p->pagemap_errno == EACCES) {
		why = procinfo_unreadable_reason(p, NULL, 0);
		rc = why != NULL && strstr(why, "permission denied") ? 0 : 4;
	}
	proclist_clear(&list);
	proclist_reader_destroy(r);
	return rc;
}

static void
test_proclist_read_denied(void **state)
{
	pid_t	pid;
	int	status;

	(void)state;
	if (geteuid() != 0)
		skip();		/* needs root to become another user */
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(denied_as_nobody(getppid()));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

struct waiter {
	int	ready[2];	/* the thread says it has its tid */
	int	done[2];	/* closed when it may return */
	pid_t	tid;
};

static void *
waiter_main(void *arg)
{
	struct waiter	*w = arg;
	char		 c = 0;

	w->tid = gettid();
	if (write(w->ready[1], &c, 1) != 1)
		return NULL;
	if (read(w->done[0], &c, 1) == -1)
		return NULL;
	return NULL;
}

static void
test_proclist_read_skips_threads(void **state)
{
	struct proclist	list = { 0 };
	struct waiter	w;
	pthread_t	thread;
	char		c;

	(void)state;
	assert_int_equal(pipe(w.ready), 0);
	assert_int_equal(pipe(w.done), 0);
	assert_int_equal(pthread_create(&thread, NULL, waiter_main, &w), 0);
	assert_int_equal(read(w.ready[0], &c, 1), 1);

	read_all(&list);
	close(w.done[1]);
	pthread_join(thread, NULL);
	close(w.done[0]);
	close(w.ready[0]);
	close(w.ready[1]);

	/* The process is listed once; its thread is not listed. */
	assert_true(w.tid != getpid());
	assert_int_equal(count_pid(&list, getpid()), 1);
	assert_int_equal(count_pid(&list, w.tid), 0);
	proclist_clear(&list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proclist_sort_pid),
		cmocka_unit_test(test_proclist_sort_user),
		cmocka_unit_test(test_proclist_sort_rss),
		cmocka_unit_test(test_proclist_sort_swap),
		cmocka_unit_test(test_proclist_sort_vsz),
		cmocka_unit_test(test_proclist_sort_command),
		cmocka_unit_test(test_proclist_append_grows_and_clears),
		cmocka_unit_test(test_proclist_resolve_pid),
		cmocka_unit_test(test_proclist_resolve_comm),
		cmocka_unit_test(test_proclist_resolve_argv0),
		cmocka_unit_test(test_proclist_resolve_no_match),
		cmocka_unit_test(test_proclist_resolve_several),
		cmocka_unit_test(test_proclist_unreadable_reason),
		cmocka_unit_test(test_proclist_read_finds_self),
		cmocka_unit_test(test_proclist_read_reuses_reader),
		cmocka_unit_test(test_proclist_read_finds_named_child),
		cmocka_unit_test(test_proclist_read_raw_comm),
		cmocka_unit_test(test_proclist_read_zombie_has_no_vm),
		cmocka_unit_test(test_proclist_read_kthread),
		cmocka_unit_test(test_proclist_read_denied),
		cmocka_unit_test(test_proclist_read_skips_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
