/*
 * Test targets: child processes with a memory layout the test chooses.
 * The child runs a layout function, sends what it mapped back through a
 * pipe, and waits to be killed. Only children a test started itself are
 * ever stopped or killed.
 */
#ifndef PMTOP_TEST_TARGET_H
#define PMTOP_TEST_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TEST_CHILD_REGIONS 16

struct test_child {
	pid_t		pid;
	size_t		page;
	uint64_t	start[TEST_CHILD_REGIONS];
	uint64_t	end[TEST_CHILD_REGIONS];
	long		value[TEST_CHILD_REGIONS];	/* free for the layout */
};

/* Runs in the child: map things and record them in *c. */
typedef void test_layout_fn(struct test_child *c, void *arg);

/*
 * Fork a child that runs fn, then idles. Returns 0 with *c filled from
 * the child, or -1 (the child is reaped).
 */
int test_child_spawn(test_layout_fn *fn, void *arg, struct test_child *c);

/* SIGSTOP the child and wait until it is stopped. */
int test_child_stop(pid_t pid);

/* SIGKILL and reap. */
void test_child_kill(pid_t pid);

/* Start a program (argv) whose stdout prints a line "ready" when set up. */
pid_t test_program_spawn(char *const argv[], int timeout_s);

#endif
