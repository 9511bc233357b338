/*
 * A target for the backend tests, as a program of its own. The tests
 * run under AddressSanitizer too, and a process forked from a sanitized
 * test carries terabytes of shadow mappings, every page of which the
 * classic pagemap backend must read; this program is built without
 * sanitizers, so its address space is only what it maps.
 *
 * Usage: backend_target kinds|swapped|demo. It builds the layout
 * (util/kinds.h, or the demo), prints one line "region I START END VALUE"
 * per region (hex addresses), then "pid N" (the process to read: itself,
 * or the demo child) and "ready", and waits to be killed. It dies with
 * its parent.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"
#include "util/kinds.h"

static void
report(const struct test_child *c, int nregions, pid_t pid)
{
	int	i;

	for (i = 0; i < nregions; i++)
		printf("region %d %llx %llx %ld\n", i,
		    (unsigned long long)c->start[i],
		    (unsigned long long)c->end[i], c->value[i]);
	printf("pid %d\nready\n", (int)pid);
	fflush(stdout);
}

static int
run_demo(void)
{
	struct demo_layout	 d;
	struct test_child	 c;
	char			*cause = NULL;
	int			 r;

	if (demo_spawn(&d, &cause) == -1) {
		fprintf(stderr, "backend_target: %s\n", cause ? cause :
		    "demo failed");
		return 1;
	}
	memset(&c, 0, sizeof c);
	for (r = 0; r < DEMO_NREGIONS; r++) {
		c.start[r] = d.start[r];
		c.end[r] = d.end[r];
	}
	report(&c, DEMO_NREGIONS, d.pid);
	waitpid(d.pid, NULL, 0);
	return 0;
}

int
main(int argc, char **argv)
{
	struct test_child	c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&c, 0, sizeof c);
	c.page = (size_t)sysconf(_SC_PAGESIZE);
	if (argc == 2 && strcmp(argv[1], "demo") == 0)
		return run_demo();
	if (argc == 2 && strcmp(argv[1], "kinds") == 0) {
		kinds_layout(&c);
		report(&c, K_COUNT, getpid());
	} else if (argc == 2 && strcmp(argv[1], "swapped") == 0) {
		kinds_swapped_layout(&c);
		report(&c, 1, getpid());
	} else {
		fprintf(stderr, "usage: backend_target kinds|swapped|demo\n");
		return 2;
	}
	for (;;)
		pause();
}
