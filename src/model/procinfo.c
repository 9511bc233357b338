/*
 * The process list records: ownership, sorting and the -p NAME lookup.
 * Sorting puts records whose key is unknown (see procinfo.known) after
 * the known ones in either direction, so "unknown" never poses as 0.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/procinfo.h"

/* How many pids an ambiguous -p NAME message names. */
#define PROC_RESOLVE_SHOWN	5

struct proc_sort_ctx {
	enum proc_sort_key	 key;
	bool			 descending;
};

static void
procinfo_free(struct procinfo *info)
{
	free(info->user);
	free(info->comm);
	free(info->cmdline);
	info->user = info->comm = info->cmdline = NULL;
}

/*
 * The reasons follow target_open()'s, which the process view shows once
 * the process is opened, in fewer words: the list has no room for more.
 */
const char *
procinfo_unreadable_reason(const struct procinfo *p, char *buf, size_t size)
{
	if (p->readable)
		return NULL;
	if (p->kthread)
		return "kernel thread: it has no user memory";
	if (p->state == 'Z' || p->state == 'X')
		return "zombie: its memory is gone";
	switch (p->pagemap_errno) {
	case EACCES:
	case EPERM:
		return "permission denied: it takes the same user and a "
		    "dumpable process, or CAP_SYS_PTRACE";
	case ESRCH:
	case ENOENT:
		return "no memory map: it is exiting or gone";
	case 0:
		return "its memory cannot be read";
	}
	snprintf(buf, size, "its pagemap does not open: %s",
	    strerror(p->pagemap_errno));
	return buf;
}

/* Free the records and the array itself: there is no other free. */
void
proclist_clear(struct proclist *list)
{
	size_t	i;

	for (i = 0; i < list->n; i++)
		procinfo_free(&list->p[i]);
	free(list->p);
	list->p = NULL;
	list->n = list->cap = 0;
}

/* Doubling growth; the record is copied, its strings are taken over. */
int
proclist_append(struct proclist *list, struct procinfo *info)
{
	struct procinfo	*p;
	size_t		 cap;

	if (list->n == list->cap) {
		cap = list->cap ? list->cap * 2 : 256;
		if (cap > SIZE_MAX / sizeof *p)
			goto fail;
		p = realloc(list->p, cap * sizeof *p);
		if (p == NULL)
			goto fail;
		list->p = p;
		list->cap = cap;
	}

	list->p[list->n++] = *info;
	return 0;

fail:
	procinfo_free(info);
	return -1;
}

/* The known bit a sort key depends on; 0 if the key is always known. */
static unsigned int
proc_sort_known_bit(enum proc_sort_key key)
{
	switch (key) {
	case PROC_SORT_USER:
		return PROC_KNOWN_USER;
	case PROC_SORT_RSS:
		return PROC_KNOWN_RSS;
	case PROC_SORT_SWAP:
		return PROC_KNOWN_SWAP;
	case PROC_SORT_VSZ:
		return PROC_KNOWN_VSZ;
	case PROC_SORT_PID:
	case PROC_SORT_COMMAND:
		break;
	}
	return 0;
}

static int
proc_cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int
proc_cmp_int(int a, int b)
{
	return (a > b) - (a < b);
}

static const char *
proc_str(const char *s)
{
	return s != NULL ? s : "";
}

/* Compare two records by a key both of them know, ascending. */
static int
proc_cmp_key(const struct procinfo *a, const struct procinfo *b,
    enum proc_sort_key key)
{
	switch (key) {
	case PROC_SORT_PID:
		return proc_cmp_int(a->pid, b->pid);
	case PROC_SORT_USER:
		return strcmp(proc_str(a->user), proc_str(b->user));
	case PROC_SORT_RSS:
		return proc_cmp_u64(a->rss_kib, b->rss_kib);
	case PROC_SORT_SWAP:
		return proc_cmp_u64(a->swap_kib, b->swap_kib);
	case PROC_SORT_VSZ:
		return proc_cmp_u64(a->vsz_kib, b->vsz_kib);
	case PROC_SORT_COMMAND:
		/* comm, byte order: what -p NAME matches and always known. */
		return strcmp(proc_str(a->comm), proc_str(b->comm));
	}
	return 0;
}

static int
proc_cmp(const void *va, const void *vb, void *arg)
{
	const struct procinfo		*a = va, *b = vb;
	const struct proc_sort_ctx	*ctx = arg;
	unsigned int			 bit;
	bool				 ka, kb;
	int				 c;

	bit = proc_sort_known_bit(ctx->key);
	ka = bit == 0 || (a->known & bit);
	kb = bit == 0 || (b->known & bit);
	if (ka != kb)
		return ka ? -1 : 1;

	if (ka) {
		c = proc_cmp_key(a, b, ctx->key);
		if (c != 0)
			return ctx->descending ? -c : c;
	}

	/* Ties (and unknowns among themselves) go by ascending pid. */
	return proc_cmp_int(a->pid, b->pid);
}

/* qsort_r, since the comparison needs the key and the direction. */
void
proclist_sort(struct proclist *list, enum proc_sort_key key,
    bool descending)
{
	struct proc_sort_ctx	ctx = { key, descending };

	if (list->n > 1)
		qsort_r(list->p, list->n, sizeof *list->p, proc_cmp, &ctx);
}

/* The index form: compare the records the indexes point at. */
struct proc_index_ctx {
	const struct proclist	*list;
	struct proc_sort_ctx	 sort;
};

static int
proc_index_cmp(const void *va, const void *vb, void *arg)
{
	const struct proc_index_ctx	*ctx = arg;

	return proc_cmp(&ctx->list->p[*(const size_t *)va],
	    &ctx->list->p[*(const size_t *)vb], (void *)&ctx->sort);
}

void
proclist_sort_index(const struct proclist *list, size_t *index, size_t n,
    enum proc_sort_key key, bool descending)
{
	struct proc_index_ctx	ctx = { list, { key, descending } };

	if (n > 1)
		qsort_r(index, n, sizeof *index, proc_index_cmp, &ctx);
}

static int
proc_resolve_fail(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set *cause from fmt (NULL if that fails) and return -1. */
static int
proc_resolve_fail(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return -1;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
	return -1;
}

/*
 * -1 if spec is not all decimal digits (so a name), else the pid, or 0
 * if it is too large to be one (no process has pid 0 either).
 */
static int
proc_parse_pid(const char *spec)
{
	long long	pid = 0;

	if (*spec == '\0')
		return -1;
	for (; *spec != '\0'; spec++) {
		if (*spec < '0' || *spec > '9')
			return -1;
		if (pid <= INT_MAX)
			pid = pid * 10 + (*spec - '0');
	}
	return pid <= INT_MAX ? (int)pid : 0;
}

static int
proc_resolve_pid(const struct proclist *list, const char *spec, int pid,
    char **cause)
{
	size_t	i;

	for (i = 0; i < list->n; i++) {
		if (pid != 0 && list->p[i].pid == pid)
			return pid;
	}
	return proc_resolve_fail(cause, "no process with pid %s", spec);
}

/*
 * Whether argv[0]'s basename is name. cmdline holds the arguments joined
 * by spaces, so argv[0] ends at the first space.
 */
static bool
proc_argv0_is(const struct procinfo *info, const char *name)
{
	const char	*s, *end, *base;
	size_t		 len = strlen(name);

	if (!(info->known & PROC_KNOWN_CMDLINE) || info->cmdline == NULL)
		return false;

	s = info->cmdline;
	end = strchrnul(s, ' ');
	base = memrchr(s, '/', end - s);
	base = base != NULL ? base + 1 : s;

	return (size_t)(end - base) == len && memcmp(base, name, len) == 0;
}

static bool
proc_name_matches(const struct procinfo *info, const char *name,
    bool by_argv0)
{
	if (info->kthread)
		return false;
	if (by_argv0)
		return proc_argv0_is(info, name);
	return strcmp(proc_str(info->comm), name) == 0;
}

/* Say which pids match name: "12, 34, 56 and 3 more". */
static int
proc_resolve_several(const struct proclist *list, const char *name,
    bool by_argv0, size_t found, char **cause)
{
	char	pids[PROC_RESOLVE_SHOWN * 16];
	size_t	i, len = 0, shown = 0;

	/* Each pid takes at most ", " and 11 characters: never truncated. */
	pids[0] = '\0';
	for (i = 0; i < list->n && shown < PROC_RESOLVE_SHOWN; i++) {
		if (!proc_name_matches(&list->p[i], name, by_argv0))
			continue;
		len += snprintf(pids + len, sizeof pids - len, "%s%d",
		    shown ? ", " : "", list->p[i].pid);
		shown++;
	}

	if (found > shown) {
		return proc_resolve_fail(cause,
		    "%zu processes named %s: %s and %zu more", found, name,
		    pids, found - shown);
	}
	return proc_resolve_fail(cause, "%zu processes named %s: %s", found,
	    name, pids);
}

/* 1 and *pid if one record matches, 0 if none, -1 if several. */
static int
proc_resolve_name(const struct proclist *list, const char *name,
    bool by_argv0, int *pid, char **cause)
{
	size_t	i, found = 0;

	for (i = 0; i < list->n; i++) {
		if (proc_name_matches(&list->p[i], name, by_argv0)) {
			*pid = list->p[i].pid;
			found++;
		}
	}

	if (found > 1)
		return proc_resolve_several(list, name, by_argv0, found, cause);
	return found == 1;
}

/* A pid, else one comm, else one argv[0] basename; see procinfo.h. */
int
proclist_resolve(const struct proclist *list, const char *spec,
    char **cause)
{
	int	pid, rc;

	pid = proc_parse_pid(spec);
	if (pid != -1)
		return proc_resolve_pid(list, spec, pid, cause);

	/* comm first: it is what ps and top show and what pkill matches. */
	rc = proc_resolve_name(list, spec, false, &pid, cause);
	if (rc == 0)
		rc = proc_resolve_name(list, spec, true, &pid, cause);
	if (rc == 1)
		return pid;
	if (rc == 0)
		return proc_resolve_fail(cause, "no process named %s", spec);
	return -1;
}
