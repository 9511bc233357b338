/*
 * The stall probe's record, shared between bench_engine and the thread
 * of bench_target that times its own mmap+munmap (a memfd both map).
 */
#ifndef PMTOP_BENCH_STALL_H
#define PMTOP_BENCH_STALL_H

#define STALL_BUCKETS	20001	/* by 1 us; the last: 20 ms or more */
#define STALL_BUCKET	1e-6	/* seconds */

struct stall {
	volatile int	run;		/* 0: wait; 1: measure; 2: quit */
	volatile double	worst;		/* seconds */
	volatile long	count[STALL_BUCKETS];
};

#endif
