/*
 * Reading /proc/PID/smaps for the pagemap backend: a header line starts
 * an entry, "Key: value kB" lines fill it, VmFlags ends it. Only the keys
 * the backend needs are kept.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/smaps.h"

/* The kB fields kept, and where they are summed. */
static const struct {
	const char	*key;
	size_t		 off;
} smaps_keys[] = {
	{ "Rss:", offsetof(struct smaps_entry, rss_kb) },
	{ "Shared_Hugetlb:", offsetof(struct smaps_entry, hugetlb_kb) },
	{ "Private_Hugetlb:", offsetof(struct smaps_entry, hugetlb_kb) },
	{ "AnonHugePages:", offsetof(struct smaps_entry, pmd_kb) },
	{ "ShmemPmdMapped:", offsetof(struct smaps_entry, pmd_kb) },
	{ "FilePmdMapped:", offsetof(struct smaps_entry, pmd_kb) },
};

static const struct {
	char		 name[3];
	unsigned int	 bit;
} smaps_flags[] = {
	{ "uw", SMAPS_UFFD_WP },
	{ "pf", SMAPS_PFNMAP },
	{ "io", SMAPS_IO },
	{ "mm", SMAPS_MIXEDMAP },
	{ "ht", SMAPS_HUGETLB },
};

void
smaps_list_clear(struct smaps_list *list)
{
	free(list->v);
	list->v = NULL;
	list->n = list->cap = 0;
}

/* "start-end " at the very start of the line: a VMA header. */
static int
smaps_header(const char *line, uint64_t *start, uint64_t *end)
{
	const char	*p = line;
	char		*q;

	if (strchr("0123456789abcdef", *p) == NULL || *p == '\0')
		return -1;
	*start = strtoull(p, &q, 16);
	if (*q != '-')
		return -1;
	p = q + 1;
	*end = strtoull(p, &q, 16);
	if (q == p || *q != ' ' || *end <= *start)
		return -1;
	return 0;
}

static void
smaps_vmflags(struct smaps_entry *e, const char *flags)
{
	const char	*p = flags;
	size_t		 i, n;

	for (;;) {
		p += strspn(p, " \t");
		n = strcspn(p, " \t\n");
		if (n == 0)
			return;
		for (i = 0; i < sizeof smaps_flags / sizeof smaps_flags[0];
		    i++) {
			if (n == 2 && memcmp(p, smaps_flags[i].name, 2) == 0)
				e->flags |= smaps_flags[i].bit;
		}
		p += n;
	}
}

static void
smaps_field(struct smaps_entry *e, const char *line)
{
	unsigned long long	val;
	size_t			i, len;

	if (strncmp(line, "VmFlags:", 8) == 0) {
		smaps_vmflags(e, line + 8);
		return;
	}
	for (i = 0; i < sizeof smaps_keys / sizeof smaps_keys[0]; i++) {
		len = strlen(smaps_keys[i].key);
		if (strncmp(line, smaps_keys[i].key, len) == 0 &&
		    sscanf(line + len, "%llu", &val) == 1)
			*(uint64_t *)((char *)e + smaps_keys[i].off) += val;
	}
}

/* A new entry for [start, end), or NULL: ENOMEM, or it goes back. */
static struct smaps_entry *
smaps_append(struct smaps_list *list, uint64_t start, uint64_t end)
{
	struct smaps_entry	*grown;
	size_t			 cap;

	if (list->n > 0 && start < list->v[list->n - 1].end)
		return NULL;
	if (list->n == list->cap) {
		cap = list->cap ? list->cap * 2 : 64;
		grown = realloc(list->v, cap * sizeof *grown);
		if (grown == NULL)
			return NULL;
		list->v = grown;
		list->cap = cap;
	}
	memset(&list->v[list->n], 0, sizeof list->v[0]);
	list->v[list->n].start = start;
	list->v[list->n].end = end;
	return &list->v[list->n++];
}

int
smaps_list_read(int pid, struct smaps_list *list)
{
	struct smaps_entry	*cur = NULL;
	uint64_t		 start, end;
	char			 path[64], *line = NULL;
	size_t			 cap = 0;
	FILE			*f;
	int			 saved;

	list->n = 0;
	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	errno = 0;
	while (getline(&line, &cap, f) > 0) {
		if (smaps_header(line, &start, &end) == 0) {
			cur = smaps_append(list, start, end);
			if (cur == NULL && errno == ENOMEM)
				break;
		} else if (cur != NULL)
			smaps_field(cur, line);
		errno = 0;
	}
	saved = errno;
	free(line);
	fclose(f);
	if (saved != 0) {
		errno = saved;
		return -1;
	}
	return 0;
}

const struct smaps_entry *
smaps_list_find(const struct smaps_list *list, uint64_t start, uint64_t end)
{
	size_t	lo = 0, hi = list->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (list->v[mid].start < start)
			lo = mid + 1;
		else if (list->v[mid].start > start)
			hi = mid;
		else
			return list->v[mid].end == end ? &list->v[mid] : NULL;
	}
	return NULL;
}
