/*
 * Swap for the tests: use the swap that is on, or, as root, make a small
 * swap file of our own for the length of a test group and remove it
 * afterwards. Swap that was on before is never touched.
 */
#ifndef PMTOP_TEST_SWAP_H
#define PMTOP_TEST_SWAP_H

#include <stddef.h>

/*
 * Make sure swap is on. Returns 1 if it is, 0 if not, with why (len
 * bytes) saying why not: not root, or which step failed.
 */
int test_swap_on(char *why, size_t len);

/* Turn off and remove the swap file test_swap_on() made, if any. */
void test_swap_off(void);

#endif
