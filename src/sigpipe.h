/*
 * Signals as events for a poll() loop: the handler only writes the
 * signal's number as one byte to a pipe, and the loop reads it when
 * poll() says so. One set of signals at a time, main thread only.
 */
#ifndef PMTOP_SIGPIPE_H
#define PMTOP_SIGPIPE_H

#include <stddef.h>

/*
 * Catch the n signals; returns the fd to poll for reading, or -1 with
 * errno.
 */
int sigpipe_start(const int *signals, size_t n);

/* Give the signals their default actions back and close the pipe. */
void sigpipe_stop(void);

/* The next signal caught, or 0 when none is waiting. */
int sigpipe_read(void);

#endif
