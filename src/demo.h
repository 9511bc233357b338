/*
 * The built-in demo workload: a child process whose memory shows every
 * category this machine can show, in regions of known size. pmtop --demo
 * watches it; the tests use it as a target of known layout.
 */
#ifndef PMTOP_DEMO_H
#define PMTOP_DEMO_H

#include <stdint.h>
#include <sys/types.h>

enum demo_region {
	DEMO_STRIPED,	/* 16 MiB anon, 16 pages written, 16 not, ... */
	DEMO_ZERO,	/* 4 MiB anon, only read: the zero page */
	DEMO_THP,	/* 8 MiB anon, MADV_HUGEPAGE, written */
	DEMO_FILE,	/* 8 MiB file, every 8th page of the first half read */
	DEMO_MEMFD,	/* 4 MiB memfd, first half written */
	DEMO_GUARD,	/* 1 MiB anon, written, every 16th page a guard */
	DEMO_RESERVE,	/* 64 GiB PROT_NONE reservation */
	DEMO_MOVING,	/* 8 MiB anon, a 1 MiB window of writes moves */
	DEMO_SWAPPED,	/* 4 MiB anon, written, then paged out */
	DEMO_NREGIONS
};

/* Sizes in pages of 4 KiB pages; page_size scales them. */
#define DEMO_STRIPE_PAGES	16
#define DEMO_FILE_STRIDE	8
#define DEMO_GUARD_STRIDE	16
#define DEMO_MOVING_WINDOW	((uint64_t)1 << 20)

struct demo_layout {
	pid_t		pid;
	uint64_t	start[DEMO_NREGIONS];
	uint64_t	end[DEMO_NREGIONS];
};

/* "striped", "zero", "thp", ... */
const char *demo_region_name(enum demo_region r);

/*
 * Fork the workload. Returns its pid once its layout is in place (filled
 * into *layout), or -1 with *cause (allocated). The caller owns the child:
 * it kills and reaps it.
 */
pid_t demo_spawn(struct demo_layout *layout, char **cause);

/*
 * Run the workload for another pmtop to watch: print "pmtop-demo running
 * as pid N", one "NAME START-END" line per region and "ready" on stdout,
 * then wait for the child (it dies with the caller). Returns an exit
 * status; errors go to stderr.
 */
int demo_workload_main(void);

#endif
