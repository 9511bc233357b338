/*
 * One line of /proc/PID/maps, decoded. Plain data shared by the maps parser
 * (which fills it), the snapshot (which keeps it) and the views.
 */
#ifndef PMTOP_MODEL_VMA_H
#define PMTOP_MODEL_VMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vma_kind {
	VMA_ANON,	/* private or shared anonymous, no name */
	VMA_FILE,	/* a file on some file system */
	VMA_HEAP,	/* [heap] */
	VMA_STACK,	/* [stack] */
	VMA_SPECIAL,	/* [vdso], [vvar], [vsyscall], other [bracketed] */
	VMA_NAMED_ANON,	/* [anon:NAME] or [anon_shmem:NAME] */
	VMA_MEMFD,	/* /memfd:NAME */
	VMA_SHM,	/* SysV shared memory, /SYSV%08x */
	VMA_KIND_COUNT
};

struct vma_info {
	uint64_t	 start;		/* first byte */
	uint64_t	 end;		/* one past the last byte */
	uint64_t	 offset;	/* file offset, as maps shows it */
	char		 perms[5];	/* "rwxp", NUL-terminated */
	unsigned int	 dev_major;
	unsigned int	 dev_minor;
	uint64_t	 inode;
	char		*name;		/* decoded bytes, owned; never NULL */
	size_t		 name_len;	/* may contain NUL bytes and newlines */
	enum vma_kind	 kind;
	bool		 deleted;	/* the name had " (deleted)" */
	bool		 scannable;	/* below the user address limit */
	bool		 tmpfs;		/* its file is on tmpfs (shmem) */
	bool		 device;	/* its file is on devtmpfs or */
					/* sysfs: device memory */
};

/* A growable array of VMAs in address order. */
struct vma_list {
	struct vma_info	*v;
	size_t		 n;
	size_t		 cap;
};

/* "anon", "file", "heap", "stack", "special", "named_anon", "memfd", "shm" */
const char *vma_kind_name(enum vma_kind kind);

/*
 * True for memory whose pages live in shmem: memfd, SysV, shared anonymous
 * memory, and files on tmpfs (POSIX shared memory, a tmpfs /tmp).
 */
bool vma_is_shmem(const struct vma_info *vma);

/* True if the VMA can hold page-cache or shmem pages (PAGE_IS_FILE). */
bool vma_may_hold_file_pages(const struct vma_info *vma);

/*
 * True if the VMA may map device memory by frame number (VM_PFNMAP),
 * which page walks skip whole: a special mapping ([vvar]), or a file on
 * devtmpfs or sysfs (a device node, a PCI resource). Other memory can
 * be scanned for its populated pages alone, the rest known to be empty.
 */
bool vma_may_be_pfnmap(const struct vma_info *vma);

/* Deep-copy src into dst; returns -1 (errno ENOMEM) on failure. */
int vma_info_copy(struct vma_info *dst, const struct vma_info *src);

/* Free what a vma_info owns (its name). */
void vma_info_fini(struct vma_info *vma);

/* Empty a list and free everything it owns; the list can be reused. */
void vma_list_clear(struct vma_list *list);

/*
 * Append a copy of vma (its name is copied). Returns -1 with errno ENOMEM
 * on failure, leaving the list as it was.
 */
int vma_list_append(struct vma_list *list, const struct vma_info *vma);

#endif
