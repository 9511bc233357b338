/*
 * The demo workload on its own, as `pmtop --demo-workload` runs it, but
 * built without sanitizers: the tests watch it from a sanitized pmtop,
 * and a child forked from a sanitized program would carry terabytes of
 * shadow mappings that push the demo's own regions off the screen.
 */
#include "demo.h"

int
main(void)
{
	return demo_workload_main();
}
