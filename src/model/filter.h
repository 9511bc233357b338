/*
 * Category filters, with exactly the meaning of PAGEMAP_SCAN's three
 * masks: a page's categories are XOR-ed with inverted, then every bit of
 * mask must be set and, if anyof is not empty, at least one bit of anyof.
 * The viewer builds one from the user's choice of categories, an "all of"
 * or "any of" switch, and an invert switch.
 */
#ifndef PMTOP_MODEL_FILTER_H
#define PMTOP_MODEL_FILTER_H

#include <stdbool.h>

#include "model/category.h"

struct filter {
	cat_mask	mask;		/* all of these */
	cat_mask	anyof;		/* at least one of these (0: no test) */
	cat_mask	inverted;	/* XOR-ed into the page's bits first */
};

/* Whether a page with categories cats passes the filter. */
bool filter_match(const struct filter *f, cat_mask cats);

/* True if every page passes (all masks empty). */
bool filter_is_open(const struct filter *f);

/*
 * The filter for a set of chosen categories: with all_of, a page needs
 * every chosen bit, otherwise one of them; with invert, the chosen bits
 * are negated first (so "any of" becomes "missing one of them").
 */
struct filter filter_from_choice(cat_mask chosen, bool all_of, bool invert);

#endif
