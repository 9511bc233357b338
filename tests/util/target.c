/*
 * Test targets: fork, let the child build its layout, and read the
 * result back over a pipe. The child dies with the test (PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/target.h"

static int
read_all(int fd, void *buf, size_t len)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int
test_child_spawn(test_layout_fn *fn, void *arg, struct test_child *c)
{
	int	fds[2];
	pid_t	pid;

	memset(c, 0, sizeof *c);
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		c->page = (size_t)sysconf(_SC_PAGESIZE);
		fn(c, arg);
		if (write(fds[1], c, sizeof *c) != (ssize_t)sizeof *c)
			_exit(1);
		close(fds[1]);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read_all(fds[0], c, sizeof *c) == -1) {
		close(fds[0]);
		test_child_kill(pid);
		return -1;
	}
	close(fds[0]);
	c->pid = pid;
	return 0;
}

int
test_child_stop(pid_t pid)
{
	int	status;

	if (kill(pid, SIGSTOP) == -1)
		return -1;
	if (waitpid(pid, &status, WUNTRACED) == -1)
		return -1;
	return WIFSTOPPED(status) ? 0 : -1;
}

void
test_child_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

pid_t
test_program_spawn(char *const argv[], int timeout_s)
{
	struct pollfd	 pfd;
	char		 line[256];
	FILE		*f;
	int		 fds[2];
	pid_t		 pid;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);

	pfd.fd = fds[0];
	pfd.events = POLLIN;
	f = fdopen(fds[0], "r");
	while (f != NULL && poll(&pfd, 1, timeout_s * 1000) == 1 &&
	    fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "ready", 5) == 0) {
			fclose(f);
			return pid;
		}
	}
	if (f != NULL)
		fclose(f);
	test_child_kill(pid);
	return -1;
}
