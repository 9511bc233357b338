/*
 * Parsing the PMTOP_FAKE_KERNEL test seam. A word that is not understood
 * is an error rather than ignored: a misspelt seam would otherwise make a
 * test pass while testing nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/fake.h"

static int
scan_fake_fail(char **cause, const char *what, const char *word, size_t len)
{
	if (asprintf(cause, "%s: %s \"%.*s\"", SCAN_FAKE_ENV, what, (int)len,
	    word) == -1)
		*cause = NULL;
	return -1;
}

/* "a,b,c": category names into a mask. */
static int
scan_fake_bits(const char *list, size_t len, cat_mask *bits, char **cause)
{
	char	name[32];
	size_t	n;
	int	c;

	/* Each name is followed by a comma and another, or by the end. */
	for (;;) {
		n = strcspn(list, ",");
		if (n > len)
			n = len;
		if (n == 0 || n >= sizeof name)
			return scan_fake_fail(cause, "bad category", list, n);
		memcpy(name, list, n);
		name[n] = '\0';
		if ((c = category_from_name(name)) == -1)
			return scan_fake_fail(cause, "no category", list, n);
		*bits |= CAT_BIT(c);
		if (n == len)
			return 0;
		list += n + 1;
		len -= n + 1;
	}
}

static int
scan_fake_word(const char *w, size_t len, struct scan_fake *fake,
    char **cause)
{
	static const char	bits[] = "no-bits=";

	if (len == 8 && strncmp(w, "no-ioctl", len) == 0)
		fake->no_ioctl = true;
	else if (len == 6 && strncmp(w, "no-pfn", len) == 0)
		fake->no_pfn = true;
	else if (len == 16 && strncmp(w, "no-guard-regions", len) == 0)
		fake->no_guard_regions = true;
	else if (len > sizeof bits - 1 &&
	    strncmp(w, bits, sizeof bits - 1) == 0)
		return scan_fake_bits(w + sizeof bits - 1,
		    len - (sizeof bits - 1), &fake->no_bits, cause);
	else
		return scan_fake_fail(cause, "unknown word", w, len);
	return 0;
}

int
scan_fake_parse(const char *spec, struct scan_fake *fake, char **cause)
{
	size_t	len;

	memset(fake, 0, sizeof *fake);
	*cause = NULL;
	if (spec == NULL)
		return 0;
	for (;;) {
		spec += strspn(spec, " \t");
		if (*spec == '\0')
			return 0;
		len = strcspn(spec, " \t");
		if (scan_fake_word(spec, len, fake, cause) == -1)
			return -1;
		spec += len;
	}
}
