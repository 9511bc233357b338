/*
 * The /proc/PID/maps parser.
 *
 * A maps line is "start-end perms offset major:minor inode   path". The
 * path is everything after the inode field and the spaces that pad it;
 * spaces inside it are kept. The kernel escapes a newline in a path as
 * "\012" (seq_file_path escapes "\n" only, as octal), and appends
 * " (deleted)" to paths of unlinked files. Lines can be of any length.
 *
 * Every backslash followed by three octal digits, the first 0-3, becomes
 * that byte; any other backslash is kept. Other bytes (tab, CR, ESC) come
 * raw from the kernel and stay raw in the name. An empty line is an error
 * (the kernel never writes one), except that the text may end in '\n'.
 *
 * On failure *cause is NULL only if memory ran out; on success it is set
 * to NULL, so the caller can free it either way. errno is EINVAL for
 * text that is not maps, ENOMEM when memory runs out.
 */
#ifndef PMTOP_SCAN_MAPS_H
#define PMTOP_SCAN_MAPS_H

#include <stddef.h>
#include <stdint.h>

#include "model/vma.h"

/*
 * Parse one line (without its newline) into *out. user_limit is the
 * highest address user space can map (a VMA ending above it, and
 * [vsyscall], is listed with scannable false). out->name is allocated.
 * Returns 0, or -1 with a one-line description in *cause (allocated;
 * the caller frees it) and nothing allocated in *out.
 */
int maps_parse_line(const char *line, size_t len, uint64_t user_limit,
    struct vma_info *out, char **cause);

/*
 * Parse a whole maps text (lines separated by '\n', the last one possibly
 * unterminated) and append each VMA to list. Returns 0, or -1 with *cause
 * naming the bad line; list may then hold the VMAs parsed before it.
 */
int maps_parse(const char *text, size_t len, uint64_t user_limit,
    struct vma_list *list, char **cause);

/*
 * Read the whole of an open maps file from offset 0 (with pread, so the
 * fd can be reused each refresh) and parse it into list, which is
 * cleared first. Returns 0, or -1 with errno set (ESRCH or ENOENT when
 * the process is gone) and *cause set for parse errors (errno EINVAL).
 */
int maps_read(int fd, uint64_t user_limit, struct vma_list *list,
    char **cause);

#endif
