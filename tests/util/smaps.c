/*
 * A plain smaps reader for the tests: header lines start a VMA, "Key:
 * value kB" lines fill it. Deliberately shares no code with pmtop's maps
 * parser, so that it can serve as an oracle.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/smaps.h"

static void
smaps_field(struct smaps_vma *v, const char *line)
{
	static const struct {
		const char	*key;
		size_t		 off;
	} keys[] = {
		{ "Rss:", offsetof(struct smaps_vma, rss_kb) },
		{ "Swap:", offsetof(struct smaps_vma, swap_kb) },
		{ "AnonHugePages:", offsetof(struct smaps_vma, anon_huge_kb) },
		{ "ShmemPmdMapped:", offsetof(struct smaps_vma, shmem_pmd_kb) },
		{ "FilePmdMapped:", offsetof(struct smaps_vma, file_pmd_kb) },
	};
	unsigned long long	val;
	size_t			i;

	if (strncmp(line, "VmFlags:", 8) == 0) {
		snprintf(v->vmflags, sizeof v->vmflags, "%s", line + 8);
		return;
	}
	if ((strncmp(line, "Shared_Hugetlb:", 15) == 0 &&
	    sscanf(line + 15, "%llu", &val) == 1) ||
	    (strncmp(line, "Private_Hugetlb:", 16) == 0 &&
	    sscanf(line + 16, "%llu", &val) == 1)) {
		v->hugetlb_kb += val;
		return;
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strncmp(line, keys[i].key, strlen(keys[i].key)) == 0 &&
		    sscanf(line + strlen(keys[i].key), "%llu", &val) == 1)
			*(uint64_t *)((char *)v + keys[i].off) = val;
	}
}

long
smaps_read(int pid, struct smaps_vma **out)
{
	struct smaps_vma	*v = NULL, *grown;
	char			 path[64], *line = NULL;
	size_t			 cap = 0, n = 0, linecap = 0;
	unsigned long long	 s, e;
	int			 off;
	FILE			*f;

	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (getline(&line, &linecap, f) > 0) {
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s%n", &s, &e,
		    &off) == 2 && strchr(line, ':') != NULL &&
		    line[0] != ' ' && strchr(line, '-') < strchr(line, ' ')) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				grown = realloc(v, cap * sizeof *v);
				if (grown == NULL)
					break;
				v = grown;
			}
			memset(&v[n], 0, sizeof v[n]);
			v[n].start = s;
			v[n].end = e;
			snprintf(v[n].name, sizeof v[n].name, "%s",
			    line + off);
			n++;
		} else if (n > 0)
			smaps_field(&v[n - 1], line);
	}
	free(line);
	fclose(f);
	*out = v;
	return (long)n;
}

int
smaps_has_flag(const struct smaps_vma *v, const char *flag)
{
	const char	*p = v->vmflags;

	while ((p = strstr(p, flag)) != NULL) {
		if ((p == v->vmflags || p[-1] == ' ') &&
		    (p[2] == ' ' || p[2] == '\n' || p[2] == '\0'))
			return 1;
		p += 2;
	}
	return 0;
}
