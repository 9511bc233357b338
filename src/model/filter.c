/*
 * Category filters, evaluated as the kernel's pagemap_scan_is_interesting
 * does, so that the viewer and a PAGEMAP_SCAN call given the same masks
 * agree page for page.
 */
#include "model/filter.h"

bool
filter_match(const struct filter *f, cat_mask cats)
{
	cats ^= f->inverted;
	if ((cats & f->mask) != f->mask)
		return false;
	return f->anyof == 0 || (cats & f->anyof) != 0;
}

bool
filter_is_open(const struct filter *f)
{
	return f->mask == 0 && f->anyof == 0 && f->inverted == 0;
}

struct filter
filter_from_choice(cat_mask chosen, bool all_of, bool invert)
{
	struct filter	f = { 0, 0, 0 };

	if (all_of)
		f.mask = chosen;
	else
		f.anyof = chosen;
	if (invert)
		f.inverted = chosen;
	return f;
}
