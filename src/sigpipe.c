/*
 * Signals through a self-pipe. Handlers must do almost nothing, so this
 * one writes a byte and keeps errno; a full pipe already holds a wake-up,
 * so a byte that does not fit is simply dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sigpipe.h"

#define SIGPIPE_MAX 8

static int	sigpipe_fds[2] = { -1, -1 };
static int	sigpipe_signals[SIGPIPE_MAX];
static size_t	sigpipe_nsignals;

static void
sigpipe_cb(int signo)
{
	unsigned char	c = (unsigned char)signo;
	int		saved = errno;
	ssize_t		n;

	n = write(sigpipe_fds[1], &c, 1);
	(void)n;
	errno = saved;
}

int
sigpipe_start(const int *signals, size_t n)
{
	struct sigaction	sa;
	size_t			i;

	if (n > SIGPIPE_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sigpipe_cb;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < n; i++) {
		sigpipe_signals[i] = signals[i];
		sigaction(signals[i], &sa, NULL);
	}
	sigpipe_nsignals = n;
	return sigpipe_fds[0];
}

void
sigpipe_stop(void)
{
	size_t	i;

	for (i = 0; i < sigpipe_nsignals; i++)
		signal(sigpipe_signals[i], SIG_DFL);
	sigpipe_nsignals = 0;
	close(sigpipe_fds[0]);
	close(sigpipe_fds[1]);
	sigpipe_fds[0] = sigpipe_fds[1] = -1;
}

int
sigpipe_read(void)
{
	unsigned char	c;

	return read(sigpipe_fds[0], &c, 1) == 1 ? c : 0;
}
