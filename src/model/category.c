/*
 * Category names. The table order follows enum category, which follows the
 * kernel's PAGE_IS_* bits.
 */
#include <string.h>

#include "model/category.h"

static const char *const category_names[CAT_COUNT] = {
	[CAT_WPALLOWED] = "wpallowed",
	[CAT_WRITTEN] = "written",
	[CAT_FILE] = "file",
	[CAT_PRESENT] = "present",
	[CAT_SWAPPED] = "swapped",
	[CAT_PFNZERO] = "pfnzero",
	[CAT_HUGE] = "huge",
	[CAT_SOFT_DIRTY] = "soft_dirty",
	[CAT_GUARD] = "guard",
};

const char *
category_name(enum category cat)
{
	if ((unsigned)cat >= CAT_COUNT)
		return "?";
	return category_names[cat];
}

int
category_from_name(const char *name)
{
	int	i;

	for (i = 0; i < CAT_COUNT; i++) {
		if (strcmp(name, category_names[i]) == 0)
			return i;
	}
	return -1;
}

int
category_count_bits(cat_mask mask)
{
	return __builtin_popcount(mask);
}
