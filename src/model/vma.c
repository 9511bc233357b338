/*
 * Helpers over decoded maps lines: kind names, the shmem and page-cache
 * tests the scan side uses to choose categories, and list ownership.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/vma.h"

static const char *const vma_kind_names[VMA_KIND_COUNT] = {
	[VMA_ANON] = "anon",
	[VMA_FILE] = "file",
	[VMA_HEAP] = "heap",
	[VMA_STACK] = "stack",
	[VMA_SPECIAL] = "special",
	[VMA_NAMED_ANON] = "named_anon",
	[VMA_MEMFD] = "memfd",
	[VMA_SHM] = "shm",
};

const char *
vma_kind_name(enum vma_kind kind)
{
	if ((unsigned)kind >= VMA_KIND_COUNT)
		return "?";
	return vma_kind_names[kind];
}

bool
vma_is_shmem(const struct vma_info *vma)
{
	if (vma->kind == VMA_MEMFD || vma->kind == VMA_SHM || vma->tmpfs)
		return true;

	/* MAP_SHARED|MAP_ANONYMOUS shows as "/dev/zero (deleted)". */
	if (vma->perms[3] == 's' && vma->inode != 0 && vma->deleted &&
	    vma->name_len == 9 && memcmp(vma->name, "/dev/zero", 9) == 0)
		return true;

	/* [anon_shmem:NAME] is named shared anonymous memory. */
	return vma->kind == VMA_NAMED_ANON && vma->name_len > 11 &&
	    memcmp(vma->name, "[anon_shmem", 11) == 0;
}

bool
vma_may_hold_file_pages(const struct vma_info *vma)
{
	/*
	 * A private mapping with no inode only ever holds anonymous pages
	 * and the zero page, for which the kernel never sets PAGE_IS_FILE.
	 * Asking for that bit costs a struct page access per present page,
	 * so it is worth knowing when the answer is known in advance.
	 */
	return vma->perms[3] == 's' || vma->inode != 0 ||
	    vma->kind == VMA_SPECIAL;
}

bool
vma_may_be_pfnmap(const struct vma_info *vma)
{
	return vma->kind == VMA_SPECIAL || vma->device;
}

int
vma_info_copy(struct vma_info *dst, const struct vma_info *src)
{
	char	*name;

	name = malloc(src->name_len + 1);
	if (name == NULL)
		return -1;
	memcpy(name, src->name, src->name_len);
	name[src->name_len] = '\0';

	*dst = *src;
	dst->name = name;
	return 0;
}

void
vma_info_fini(struct vma_info *vma)
{
	free(vma->name);
	vma->name = NULL;
	vma->name_len = 0;
}

void
vma_list_clear(struct vma_list *list)
{
	size_t	i;

	for (i = 0; i < list->n; i++)
		vma_info_fini(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = list->cap = 0;
}

int
vma_list_append(struct vma_list *list, const struct vma_info *vma)
{
	struct vma_info	*grown;
	size_t		 cap;

	if (list->n == list->cap) {
		cap = list->cap ? list->cap * 2 : 64;
		grown = realloc(list->v, cap * sizeof *grown);
		if (grown == NULL)
			return -1;
		list->v = grown;
		list->cap = cap;
	}
	if (vma_info_copy(&list->v[list->n], vma) == -1)
		return -1;
	list->n++;
	return 0;
}
