/*
 * A swap file for the tests: filled with zeros (swapon refuses holes),
 * mkswap'd and swapped on; it lives in /var/tmp, never on tmpfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/swap.h"

#define SWAP_MIB 64

static char swap_path[64];

/*
 * A test killed on timeout (meson sends SIGTERM) must not leave its swap
 * file on: turn it off and remove it, then die of the signal as before.
 * Only system calls here, which are safe in a handler.
 */
static void
swap_on_signal(int sig)
{
	if (swap_path[0] != '\0' && swapoff(swap_path) == 0)
		unlink(swap_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
swap_catch_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = swap_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int
swap_active(void)
{
	char	 line[512];
	FILE	*f;
	int	 n = 0;

	f = fopen("/proc/swaps", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		n++;
	fclose(f);
	return n > 1;	/* a header line, then one per swap area */
}

/*
 * Run a util-linux command on path quietly; 0 on success. mkswap has no
 * system call, and swapon/swapoff run as commands so that they also
 * work where the test runs under valgrind, which lacks those calls.
 */
static int
swap_run(const char *cmd, const char *path)
{
	char	sbin[64], usbin[64];
	int	status, fd;
	pid_t	pid;

	snprintf(sbin, sizeof sbin, "/sbin/%s", cmd);
	snprintf(usbin, sizeof usbin, "/usr/sbin/%s", cmd);
	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd != -1)
			dup2(fd, STDOUT_FILENO);
		execlp(cmd, cmd, path, (char *)NULL);
		execl(usbin, cmd, path, (char *)NULL);
		execl(sbin, cmd, path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int
swap_fill(int fd)
{
	static const char	zeros[1 << 16];
	size_t			i;

	for (i = 0; i < ((size_t)SWAP_MIB << 20) / sizeof zeros; i++) {
		if (write(fd, zeros, sizeof zeros) != (ssize_t)sizeof zeros)
			return -1;
	}
	return fsync(fd);
}

int
test_swap_on(char *why, size_t len)
{
	const char	*step = "mkstemp";
	int		 fd;

	if (swap_active())
		return 1;
	if (geteuid() != 0) {
		snprintf(why, len, "no swap, and only root can make some");
		return 0;
	}
	snprintf(swap_path, sizeof swap_path, "/var/tmp/pmtop-swap.XXXXXX");
	if ((fd = mkstemp(swap_path)) == -1)
		goto fail;
	step = "write";
	if (fchmod(fd, 0600) == -1 || swap_fill(fd) == -1) {
		close(fd);
		goto fail;
	}
	close(fd);
	step = "mkswap";
	errno = 0;
	if (swap_run("mkswap", swap_path) == -1)
		goto fail;
	step = "swapon";
	swap_catch_signals();
	if (swap_run("swapon", swap_path) == -1)
		goto fail;
	return 1;

fail:
	snprintf(why, len, "%s %s: %s", step, swap_path, errno != 0 ?
	    strerror(errno) : "failed");
	if (strcmp(step, "mkstemp") != 0)
		unlink(swap_path);
	swap_path[0] = '\0';
	return 0;
}

void
test_swap_off(void)
{
	if (swap_path[0] == '\0')
		return;
	/* A swap file that is still on must not vanish: leave it. */
	if (swap_run("swapoff", swap_path) == -1) {
		fprintf(stderr, "swapoff %s failed; left in place\n",
		    swap_path);
		return;
	}
	unlink(swap_path);
	swap_path[0] = '\0';
}
