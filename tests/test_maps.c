/*
 * Tests for the /proc/PID/maps parser: field decoding, paths with spaces
 * and escapes, hostile bytes, kinds, the user address limit, malformed
 * lines, reading from files of any size, and the real /proc/self/maps.
 * Fixture files live in $PMTOP_TESTS_DIR/fixtures/maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "scan/maps.h"

/* TASK_SIZE on x86-64 with 4-level page tables. */
#define USER_LIMIT	0x7ffffffff000ULL

/* An anonymous line as the kernel writes it: "inode " and no pad. */
#define ANON_PREFIX	"7f66bd908000-7f66bd9cc000 rw-p 00000000 00:00 0"

/* The prefix of a named line, padded so the name starts at column 73. */
#define FILE_PREFIX \
	"7f66bda2d000-7f66bda53000 r--p 00000000 fe:00 332835" \
	"                     "

/* Parse a line that must be good; the caller finis the result. */
static struct vma_info
parse_ok_len(const char *line, size_t len)
{
	struct vma_info	 v;
	char		*cause = (char *)"unset";

	if (maps_parse_line(line, len, USER_LIMIT, &v, &cause) != 0)
		fail_msg("rejected: %s", cause != NULL ? cause : "(null)");
	assert_null(cause);
	assert_non_null(v.name);
	assert_int_equal(v.name[v.name_len], '\0');
	return v;
}

static struct vma_info
parse_ok(const char *line)
{
	return parse_ok_len(line, strlen(line));
}

/* A cause is one line of printable ASCII. */
static void
check_cause(const char *cause)
{
	const unsigned char	*p;

	assert_non_null(cause);
	for (p = (const unsigned char *)cause; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			fail_msg("raw byte 0x%02x in cause", *p);
	}
}

/* Parse a line that must be rejected with a cause that has want in it. */
static void
parse_bad_len(const char *line, size_t len, const char *want)
{
	struct vma_info	 v;
	char		*cause = NULL;

	errno = 0;
	assert_int_equal(maps_parse_line(line, len, USER_LIMIT, &v, &cause),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_null(v.name);
	check_cause(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
}

static void
parse_bad(const char *line, const char *want)
{
	parse_bad_len(line, strlen(line), want);
}

static void
assert_name(const struct vma_info *v, const char *want, size_t want_len)
{
	assert_int_equal(v->name_len, want_len);
	assert_memory_equal(v->name, want, want_len);
}

/* Read $PMTOP_TESTS_DIR/fixtures/maps/NAME into a malloc'd buffer. */
static char *
load_fixture(const char *name, size_t *lenp)
{
	const char	*dir = getenv("PMTOP_TESTS_DIR");
	char		 path[PATH_MAX];
	char		*text;
	FILE		*f;
	long		 size;

	if (dir == NULL)
		fail_msg("PMTOP_TESTS_DIR is not set");
	snprintf(path, sizeof path, "%s/fixtures/maps/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));

	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	text = malloc((size_t)size);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);

	*lenp = (size_t)size;
	return text;
}

static void
parse_fixture(const char *name, struct vma_list *list)
{
	char	*text, *cause = NULL;
	size_t	 len;

	text = load_fixture(name, &len);
	if (maps_parse(text, len, USER_LIMIT, list, &cause) != 0)
		fail_msg("%s: %s", name, cause != NULL ? cause : "(null)");
	free(text);
}

/* An anonymous in-memory file holding text, for maps_read. */
static int
text_fd(const char *text, size_t len)
{
	int	fd;

	fd = memfd_create("test_maps", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	return fd;
}

static void
test_maps_fields(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok("7f66bdc00000-7f66bdc02000 rw-s 001d3000 fe:0a "
	    "18446744073709551615                     /usr/lib/libc.so.6");
	assert_int_equal(v.start, 0x7f66bdc00000ULL);
	assert_int_equal(v.end, 0x7f66bdc02000ULL);
	assert_string_equal(v.perms, "rw-s");
	assert_int_equal(v.offset, 0x1d3000);
	assert_int_equal(v.dev_major, 0xfe);
	assert_int_equal(v.dev_minor, 0x0a);
	assert_int_equal(v.inode, UINT64_MAX);
	assert_string_equal(v.name, "/usr/lib/libc.so.6");
	assert_int_equal(v.kind, VMA_FILE);
	assert_false(v.deleted);
	assert_true(v.scannable);
	vma_info_fini(&v);
}

static void
test_maps_wide_device_numbers(void **state)
{
	struct vma_info	v;

	(void)state;

	/* Majors above 255 print as more than two hex digits. */
	v = parse_ok("00400000-00401000 r--p 00000000 103:1f0 12 /x");
	assert_int_equal(v.dev_major, 0x103);
	assert_int_equal(v.dev_minor, 0x1f0);
	vma_info_fini(&v);
}

static void
test_maps_spaces_in_path(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok(FILE_PREFIX "/usr/share/fonts/DejaVu  Sans Mono.ttf");
	assert_string_equal(v.name, "/usr/share/fonts/DejaVu  Sans Mono.ttf");
	assert_int_equal(v.kind, VMA_FILE);
	vma_info_fini(&v);

	/* One space of pad when the prefix is past the pad column. */
	v = parse_ok("ffffffffff600000-ffffffffff601000 r--p 00000000 fe:00 "
	    "123456789012345678 /a b");
	assert_string_equal(v.name, "/a b");
	vma_info_fini(&v);
}

static void
test_maps_trailing_spaces_kept(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok(FILE_PREFIX "/tmp/trailing   ");
	assert_string_equal(v.name, "/tmp/trailing   ");
	assert_false(v.deleted);
	vma_info_fini(&v);
}

static void
test_maps_anon_trailing_space(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok(ANON_PREFIX " ");
	assert_name(&v, "", 0);
	assert_int_equal(v.kind, VMA_ANON);
	assert_int_equal(v.inode, 0);
	vma_info_fini(&v);

	v = parse_ok(ANON_PREFIX "                          ");
	assert_name(&v, "", 0);
	assert_int_equal(v.kind, VMA_ANON);
	vma_info_fini(&v);
}

static void
test_maps_anon_no_trailing_space(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok(ANON_PREFIX);
	assert_name(&v, "", 0);
	assert_int_equal(v.kind, VMA_ANON);
	assert_true(v.scannable);
	vma_info_fini(&v);
}

static void
test_maps_octal_newline(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok(FILE_PREFIX "/tmp/evil\\012name\\012");
	assert_string_equal(v.name, "/tmp/evil\nname\n");
	vma_info_fini(&v);
}

static void
test_maps_octal_edge_cases(void **state)
{
	struct vma_info	v;

	(void)state;

	/* \000 decodes to a NUL byte, which name_len counts. */
	v = parse_ok(FILE_PREFIX "/a\\000b");
	assert_name(&v, "/a\0b", 4);
	vma_info_fini(&v);

	/* \377 is the largest byte; \400 does not fit one and is kept. */
	v = parse_ok(FILE_PREFIX "/\\377\\400");
	assert_name(&v, "/\xff\\400", 6);
	vma_info_fini(&v);

	/* Fewer than three octal digits, or none: left as they are. */
	v = parse_ok(FILE_PREFIX "/\\01 \\0a1 \\x41 \\8 \\");
	assert_string_equal(v.name, "/\\01 \\0a1 \\x41 \\8 \\");
	vma_info_fini(&v);

	/* The kernel does not escape '\\', so "\\\\012" is '\\' then \012. */
	v = parse_ok(FILE_PREFIX "/\\\\012");
	assert_string_equal(v.name, "/\\\n");
	vma_info_fini(&v);

	/* An escape cut off by the end of the line. */
	v = parse_ok(FILE_PREFIX "/x\\01");
	assert_string_equal(v.name, "/x\\01");
	vma_info_fini(&v);
}

static void
test_maps_raw_control_bytes_kept(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok(FILE_PREFIX "/tmp/\x1b[31mred\x1b[0m\ta\rb\x7f\x9b");
	assert_string_equal(v.name, "/tmp/\x1b[31mred\x1b[0m\ta\rb\x7f\x9b");
	vma_info_fini(&v);
}

static void
test_maps_raw_nul_in_line(void **state)
{
	static const char	line[] = FILE_PREFIX "/a\0b";
	struct vma_info		v;

	(void)state;

	/* Lengths, not terminators, bound the line. */
	v = parse_ok_len(line, sizeof line - 1);
	assert_name(&v, "/a\0b", 4);
	vma_info_fini(&v);
}

static void
test_maps_deleted(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok(FILE_PREFIX "/tmp/x (deleted)");
	assert_string_equal(v.name, "/tmp/x");
	assert_true(v.deleted);
	assert_int_equal(v.kind, VMA_FILE);
	vma_info_fini(&v);

	/* Spaces before the suffix belong to the name. */
	v = parse_ok(FILE_PREFIX "/tmp/a b  (deleted)");
	assert_string_equal(v.name, "/tmp/a b ");
	assert_true(v.deleted);
	vma_info_fini(&v);

	/* The suffix comes after the escaped name. */
	v = parse_ok(FILE_PREFIX "/tmp/a\\012 (deleted)");
	assert_string_equal(v.name, "/tmp/a\n");
	assert_true(v.deleted);
	vma_info_fini(&v);
}

static void
test_maps_deleted_suffix_exact(void **state)
{
	static const char *const	not_deleted[] = {
		"/tmp/x (deleted) ",
		"/tmp/x(deleted)",
		"/tmp/x (Deleted)",
		"/tmp/x (deleted)x",
		"(deleted)",
	};
	struct vma_info			v;
	char				line[256];
	size_t				i;

	(void)state;

	for (i = 0; i < sizeof not_deleted / sizeof *not_deleted; i++) {
		snprintf(line, sizeof line, FILE_PREFIX "%s", not_deleted[i]);
		v = parse_ok(line);
		assert_string_equal(v.name, not_deleted[i]);
		assert_false(v.deleted);
		vma_info_fini(&v);
	}

	/* An escaped space is not the kernel's suffix. */
	v = parse_ok(FILE_PREFIX "/tmp/x\\040(deleted)");
	assert_string_equal(v.name, "/tmp/x (deleted)");
	assert_false(v.deleted);
	vma_info_fini(&v);
}

/* Parse FILE_PREFIX + name and check the kind, name and deleted flag. */
static void
check_kind(const char *name, enum vma_kind kind, const char *want_name,
    bool deleted)
{
	struct vma_info	v;
	char		line[512];

	snprintf(line, sizeof line, FILE_PREFIX "%s", name);
	v = parse_ok(line);
	if (v.kind != kind)
		fail_msg("%s: kind %s, want %s", name, vma_kind_name(v.kind),
		    vma_kind_name(kind));
	assert_string_equal(v.name, want_name);
	assert_int_equal(v.deleted, deleted);
	vma_info_fini(&v);
}

static void
test_maps_kind_heap_stack(void **state)
{
	(void)state;

	check_kind("[heap]", VMA_HEAP, "[heap]", false);
	check_kind("[stack]", VMA_STACK, "[stack]", false);
	check_kind("[stack:1234]", VMA_STACK, "[stack:1234]", false);
	check_kind("[stack:]", VMA_SPECIAL, "[stack:]", false);
	check_kind("[stack:12a]", VMA_SPECIAL, "[stack:12a]", false);
	check_kind("[heapx]", VMA_SPECIAL, "[heapx]", false);
	check_kind("/tmp/[heap]", VMA_FILE, "/tmp/[heap]", false);
}

static void
test_maps_kind_named_anon(void **state)
{
	(void)state;

	check_kind("[anon:name with spaces]", VMA_NAMED_ANON,
	    "[anon:name with spaces]", false);
	check_kind("[anon:dalvik-main space (region space)]", VMA_NAMED_ANON,
	    "[anon:dalvik-main space (region space)]", false);
	check_kind("[anon_shmem:x]", VMA_NAMED_ANON, "[anon_shmem:x]", false);
	check_kind("[anon:x", VMA_FILE, "[anon:x", false);
}

static void
test_maps_kind_special(void **state)
{
	(void)state;

	check_kind("[vdso]", VMA_SPECIAL, "[vdso]", false);
	check_kind("[vvar]", VMA_SPECIAL, "[vvar]", false);
	check_kind("[vvar_vclock]", VMA_SPECIAL, "[vvar_vclock]", false);
	check_kind("[vsyscall]", VMA_SPECIAL, "[vsyscall]", false);
	check_kind("[uprobes]", VMA_SPECIAL, "[uprobes]", false);
	check_kind("[]", VMA_SPECIAL, "[]", false);
	check_kind("[", VMA_FILE, "[", false);
}

static void
test_maps_kind_memfd(void **state)
{
	(void)state;

	check_kind("/memfd:wayland-cursor (deleted)", VMA_MEMFD,
	    "/memfd:wayland-cursor", true);
	check_kind("/memfd:no suffix", VMA_MEMFD, "/memfd:no suffix", false);
	check_kind("/memfd:", VMA_MEMFD, "/memfd:", false);
	check_kind("/memfd", VMA_FILE, "/memfd", false);
	check_kind("/tmp/memfd:x", VMA_FILE, "/tmp/memfd:x", false);
}

static void
test_maps_kind_sysv(void **state)
{
	(void)state;

	check_kind("/SYSV0000002a (deleted)", VMA_SHM, "/SYSV0000002a", true);
	check_kind("/SYSVdeadBEEF", VMA_SHM, "/SYSVdeadBEEF", false);
	check_kind("/SYSV0000002", VMA_FILE, "/SYSV0000002", false);
	check_kind("/SYSV000000001", VMA_FILE, "/SYSV000000001", false);
	check_kind("/SYSV0000002g", VMA_FILE, "/SYSV0000002g", false);
}

static void
test_maps_dev_zero_shared_anon(void **state)
{
	struct vma_info	v;

	(void)state;

	/* MAP_SHARED|MAP_ANONYMOUS: a file kind that vma.c knows is shmem. */
	v = parse_ok("7f1a30c00000-7f1a30c10000 rw-s 00000000 00:01 1025"
	    "                       /dev/zero (deleted)");
	assert_int_equal(v.kind, VMA_FILE);
	assert_true(v.deleted);
	assert_string_equal(v.name, "/dev/zero");
	assert_true(vma_is_shmem(&v));
	vma_info_fini(&v);
}

static void
test_maps_vsyscall_unscannable(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
	    "                  [vsyscall]");
	assert_int_equal(v.start, 0xffffffffff600000ULL);
	assert_int_equal(v.end, 0xffffffffff601000ULL);
	assert_int_equal(v.kind, VMA_SPECIAL);
	assert_false(v.scannable);
	vma_info_fini(&v);

	/* By name alone, wherever it is mapped. */
	v = parse_ok("00400000-00401000 --xp 00000000 00:00 0 [vsyscall]");
	assert_false(v.scannable);
	vma_info_fini(&v);
}

static void
test_maps_user_limit(void **state)
{
	struct vma_info	v;

	(void)state;

	/* A stack that ends exactly at the limit is still user memory. */
	v = parse_ok("7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]");
	assert_true(v.scannable);
	vma_info_fini(&v);

	v = parse_ok("7ffffffff000-800000001000 rw-p 00000000 00:00 0 ");
	assert_int_equal(v.start, 0x7ffffffff000ULL);
	assert_false(v.scannable);
	vma_info_fini(&v);

	v = parse_ok("7fffffffffff-800000000000 rw-p 00000000 00:00 0");
	assert_false(v.scannable);
	vma_info_fini(&v);

	/* Above 2^47, as with 5-level page tables. */
	v = parse_ok("100000000000000-100000001000000 rw-p 00000000 00:00 0");
	assert_int_equal(v.start, 1ULL << 56);
	assert_false(v.scannable);
	vma_info_fini(&v);
}

static void
test_maps_user_limit_is_a_parameter(void **state)
{
	static const char	line[] =
	    "100000000000000-100000001000000 rw-p 00000000 00:00 0";
	struct vma_info		v;
	char			*cause;

	(void)state;

	assert_int_equal(maps_parse_line(line, sizeof line - 1, 1ULL << 57,
	    &v, &cause), 0);
	assert_true(v.scannable);
	vma_info_fini(&v);
}

static void
test_maps_full_64bit_hex(void **state)
{
	struct vma_info	v;

	(void)state;

	v = parse_ok("fffffffffffff000-ffffffffffffffff rw-p ffffffffffffffff "
	    "ffffffff:ffffffff 0");
	assert_int_equal(v.start, 0xfffffffffffff000ULL);
	assert_int_equal(v.end, UINT64_MAX);
	assert_int_equal(v.offset, UINT64_MAX);
	assert_int_equal(v.dev_major, UINT_MAX);
	assert_int_equal(v.dev_minor, UINT_MAX);
	vma_info_fini(&v);

	/* Leading zeros do not count against the 64 bits. */
	v = parse_ok("0000000000000000001000-0000000000000000002000 r--p "
	    "00000000 00:00 0");
	assert_int_equal(v.start, 0x1000);
	vma_info_fini(&v);
}

/* FILE_PREFIX, then "/" and fill bytes up to path_len bytes of path. */
static char *
make_long_line(size_t path_len, size_t *lenp)
{
	size_t	 prefix = strlen(FILE_PREFIX);
	char	*line;

	line = malloc(prefix + path_len + 1);
	assert_non_null(line);
	memcpy(line, FILE_PREFIX, prefix);
	line[prefix] = '/';
	memset(line + prefix + 1, 'p', path_len - 1);
	line[prefix + path_len] = '\0';
	*lenp = prefix + path_len;
	return line;
}

static void
test_maps_long_line(void **state)
{
	struct vma_info	 v;
	size_t		 len;
	char		*line;

	(void)state;

	line = make_long_line(5000, &len);
	assert_true(len > 4096);
	v = parse_ok_len(line, len);
	assert_int_equal(v.name_len, 5000);
	assert_memory_equal(v.name, line + len - 5000, 5000);
	vma_info_fini(&v);
	free(line);
}

static void
test_maps_path_10000(void **state)
{
	struct vma_list	 list = { 0 };
	struct vma_info	 v;
	size_t		 len;
	char		*line, *cause;
	int		 fd;

	(void)state;

	line = make_long_line(10000, &len);
	v = parse_ok_len(line, len);
	assert_int_equal(v.name_len, 10000);
	vma_info_fini(&v);

	/* Also through maps_read, between two short lines. */
	fd = text_fd(ANON_PREFIX "\n", strlen(ANON_PREFIX) + 1);
	assert_int_equal(write(fd, line, len), (ssize_t)len);
	assert_int_equal(write(fd, "\n" ANON_PREFIX, strlen(ANON_PREFIX) + 1),
	    (ssize_t)strlen(ANON_PREFIX) + 1);
	assert_int_equal(maps_read(fd, USER_LIMIT, &list, &cause), 0);
	assert_int_equal(list.n, 3);
	assert_int_equal(list.v[1].name_len, 10000);
	assert_int_equal(list.v[2].kind, VMA_ANON);

	vma_list_clear(&list);
	close(fd);
	free(line);
}

static void
test_maps_bad_perms(void **state)
{
	(void)state;

	parse_bad("00400000-00452000 r-xq 00000000 08:02 1 /a", "permissions");
	parse_bad("00400000-00452000 xr-p 00000000 08:02 1 /a", "permissions");
	parse_bad("00400000-00452000 r-x 00000000 08:02 1 /a", "permissions");
	parse_bad("00400000-00452000 r-xpp 00000000 08:02 1 /a",
	    "permissions");
	parse_bad("00400000-00452000 RWXP 00000000 08:02 1 /a", "permissions");
	parse_bad("00400000-00452000 r-", "permissions");
}

static void
test_maps_missing_fields(void **state)
{
	(void)state;

	parse_bad("00400000", "start address");
	parse_bad("00400000-", "end address");
	parse_bad("00400000-00452000", "end address");
	parse_bad("00400000-00452000 r-xp", "permissions");
	parse_bad("00400000-00452000 r-xp 00000000", "offset");
	parse_bad("00400000-00452000 r-xp 00000000 08:02", "device");
	parse_bad("00400000-00452000 r-xp 00000000 08:02 ", "inode");
	parse_bad("00400000-00452000 r-xp 00000000 08 1", "device");
	parse_bad("00400000-00452000 r-xp 00000000 :02 1", "device");
	parse_bad("-00452000 r-xp 00000000 08:02 1", "start address");
}

static void
test_maps_bad_separators(void **state)
{
	(void)state;

	parse_bad(" 00400000-00452000 r-xp 00000000 08:02 1", "start address");
	parse_bad("00400000-00452000  r-xp 00000000 08:02 1", "permissions");
	parse_bad("00400000-00452000\tr-xp 00000000 08:02 1", "end address");
	parse_bad("0x400000-00452000 r-xp 00000000 08:02 1", "start address");
	parse_bad("00400000-00452000 r-xp 00000000 08:02 1x", "inode");
	parse_bad("00400000-00452000 r-xp 00000000 08:02 1\t/a", "inode");
	parse_bad("00400000-00452000 r-xp 00000000 08:02 -1", "inode");
	parse_bad("00400000-00452000 r-xp 0000000g 08:02 1", "offset");
}

static void
test_maps_hex_overflow(void **state)
{
	(void)state;

	parse_bad("10000000000000000-10000000000000001 r--p 00000000 00:00 0",
	    "start address");
	parse_bad("00001000-ffffffffffffffff0 r--p 00000000 00:00 0",
	    "end address");
	parse_bad("00001000-00002000 r--p 1ffffffffffffffff 00:00 0",
	    "offset");
	parse_bad("00001000-00002000 r--p 00000000 100000000:00 0", "device");
	parse_bad("00001000-00002000 r--p 00000000 00:100000000 0", "device");
	parse_bad("00001000-00002000 r--p 00000000 00:00 18446744073709551616",
	    "inode");
}

static void
test_maps_bad_range(void **state)
{
	(void)state;

	parse_bad("00002000-00001000 r--p 00000000 00:00 0", "not above");
	parse_bad("00002000-00002000 r--p 00000000 00:00 0", "not above");
}

static void
test_maps_cause_escaped(void **state)
{
	static const char	line[] = "\x1b]0;pwned\x07\n\r\t\\\"\xff\0z";
	struct vma_info		v;
	char			*cause = NULL;
	char			*longline;
	size_t			 len;

	(void)state;

	parse_bad_len(line, sizeof line - 1, "\\x1b]0;pwned\\x07\\x0a");

	/* Only a prefix of a long line is quoted. */
	longline = make_long_line(10000, &len);
	memcpy(longline + 26, "zzzz", 4);
	assert_int_equal(maps_parse_line(longline, len, USER_LIMIT, &v,
	    &cause), -1);
	check_cause(cause);
	assert_true(strlen(cause) < 300);
	assert_non_null(strstr(cause, "permissions"));
	assert_non_null(strstr(cause, "...\""));
	free(cause);
	free(longline);
}

static void
test_maps_empty_line(void **state)
{
	(void)state;

	parse_bad("", "empty line");
}

static void
test_maps_failure_leaves_out_clean(void **state)
{
	struct vma_info	 v;
	char		*cause = NULL;

	(void)state;

	memset(&v, 0xa5, sizeof v);
	assert_int_equal(maps_parse_line("00400000-00452000 r-xp", 22,
	    USER_LIMIT, &v, &cause), -1);
	assert_null(v.name);
	assert_int_equal(v.name_len, 0);
	vma_info_fini(&v);
	free(cause);
}

static void
test_maps_parse_lines(void **state)
{
	static const char	text[] =
	    "00400000-00401000 r-xp 00000000 08:02 7 /bin/a\n"
	    ANON_PREFIX " \n"
	    "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]\n";
	struct vma_list		list = { 0 };
	char			*cause = NULL;

	(void)state;

	/* With the final newline, and without it. */
	assert_int_equal(maps_parse(text, sizeof text - 1, USER_LIMIT, &list,
	    &cause), 0);
	assert_null(cause);
	assert_int_equal(list.n, 3);
	assert_string_equal(list.v[0].name, "/bin/a");
	assert_int_equal(list.v[1].kind, VMA_ANON);
	assert_int_equal(list.v[2].kind, VMA_STACK);

	assert_int_equal(maps_parse(text, sizeof text - 2, USER_LIMIT, &list,
	    &cause), 0);
	assert_int_equal(list.n, 6);
	assert_string_equal(list.v[5].name, "[stack]");
	vma_list_clear(&list);
}

static void
test_maps_parse_empty_text(void **state)
{
	struct vma_list	 list = { 0 };
	char		*cause = (char *)"unset";

	(void)state;

	assert_int_equal(maps_parse("", 0, USER_LIMIT, &list, &cause), 0);
	assert_null(cause);
	assert_int_equal(list.n, 0);
}

/* maps_parse must fail on text, naming line lineno. */
static void
parse_text_bad(const char *text, size_t want_n, const char *want)
{
	struct vma_list	 list = { 0 };
	char		*cause = NULL;

	errno = 0;
	assert_int_equal(maps_parse(text, strlen(text), USER_LIMIT, &list,
	    &cause), -1);
	assert_int_equal(errno, EINVAL);
	check_cause(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	assert_int_equal(list.n, want_n);
	free(cause);
	vma_list_clear(&list);
}

static void
test_maps_parse_empty_line_is_error(void **state)
{
	(void)state;

	parse_text_bad(ANON_PREFIX "\n\n" ANON_PREFIX "\n", 1,
	    "line 2: empty line");
	parse_text_bad(ANON_PREFIX "\n\n", 1, "line 2: empty line");
	parse_text_bad("\n", 0, "line 1: empty line");
	parse_text_bad(ANON_PREFIX "\r\n", 0, "line 1: bad inode");
}

static void
test_maps_parse_bad_line_number(void **state)
{
	(void)state;

	parse_text_bad(ANON_PREFIX "\n" ANON_PREFIX "\n"
	    "00400000-00452000 r-xq 00000000 08:02 1 /a\n" ANON_PREFIX "\n",
	    2, "line 3: bad permissions in \"00400000-00452000 r-xq");
}

/* Build a maps text of at least size bytes; returns its line count. */
static size_t
make_big_text(char **textp, size_t *lenp, size_t size)
{
	char	*text, line[256];
	size_t	 len = 0, n = 0;
	int	 w;

	text = malloc(size + sizeof line);
	assert_non_null(text);
	while (len < size) {
		w = snprintf(line, sizeof line,
		    "%012llx-%012llx r--p %08zx fe:00 %zu%*s/usr/lib/f %zu\n",
		    0x10000ULL + 0x1000ULL * n, 0x11000ULL + 0x1000ULL * n,
		    n, n, 20, "", n);
		memcpy(text + len, line, (size_t)w);
		len += (size_t)w;
		n++;
	}

	*textp = text;
	*lenp = len;
	return n;
}

static void
test_maps_read_1mib_file(void **state)
{
	struct vma_list	 list = { 0 };
	char		*text, *cause = NULL, want[32];
	size_t		 len, n, i;
	int		 fd;

	(void)state;

	n = make_big_text(&text, &len, 1024 * 1024);
	fd = text_fd(text, len);
	assert_int_equal(maps_read(fd, USER_LIMIT, &list, &cause), 0);
	assert_null(cause);
	assert_int_equal(list.n, n);

	for (i = 0; i < n; i += n / 7) {
		assert_int_equal(list.v[i].start, 0x10000ULL + 0x1000ULL * i);
		assert_int_equal(list.v[i].inode, i);
		snprintf(want, sizeof want, "/usr/lib/f %zu", i);
		assert_string_equal(list.v[i].name, want);
	}

	vma_list_clear(&list);
	close(fd);
	free(text);
}

static void
test_maps_read_reuses_fd(void **state)
{
	static const char	text[] = ANON_PREFIX "\n" FILE_PREFIX "/a\n";
	struct vma_list		list = { 0 };
	char			*cause = NULL;
	int			fd;

	(void)state;

	/* The file offset is wherever the writes left it: pread ignores it. */
	fd = text_fd(text, sizeof text - 1);
	assert_int_equal(maps_read(fd, USER_LIMIT, &list, &cause), 0);
	assert_int_equal(list.n, 2);
	assert_int_equal(maps_read(fd, USER_LIMIT, &list, &cause), 0);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.v[1].name, "/a");

	vma_list_clear(&list);
	close(fd);
}

static void
test_maps_read_empty_file(void **state)
{
	struct vma_list	 list = { 0 };
	char		*cause = NULL;
	int		 fd;

	(void)state;

	fd = text_fd("", 0);
	assert_int_equal(maps_read(fd, USER_LIMIT, &list, &cause), 0);
	assert_int_equal(list.n, 0);
	close(fd);
}

static void
test_maps_read_parse_error(void **state)
{
	static const char	text[] =
	    ANON_PREFIX "\n" ANON_PREFIX "\njunk\n";
	struct vma_list		list = { 0 };
	char			*cause = NULL;
	int			fd;

	(void)state;

	fd = text_fd(text, sizeof text - 1);
	errno = 0;
	assert_int_equal(maps_read(fd, USER_LIMIT, &list, &cause), -1);
	assert_int_equal(errno, EINVAL);
	check_cause(cause);
	assert_non_null(strstr(cause, "line 3"));
	free(cause);

	vma_list_clear(&list);
	close(fd);
}

static void
test_maps_read_clears_list(void **state)
{
	struct vma_list	 list = { 0 };
	struct vma_info	 v;
	char		*cause = (char *)"unset";
	int		 fd;

	(void)state;

	v = parse_ok(FILE_PREFIX "/stale");
	assert_int_equal(vma_list_append(&list, &v), 0);
	assert_int_equal(vma_list_append(&list, &v), 0);
	vma_info_fini(&v);

	fd = text_fd(ANON_PREFIX "\n", strlen(ANON_PREFIX) + 1);
	assert_int_equal(maps_read(fd, USER_LIMIT, &list, &cause), 0);
	assert_null(cause);
	assert_int_equal(list.n, 1);
	assert_int_equal(list.v[0].kind, VMA_ANON);

	vma_list_clear(&list);
	close(fd);
}

static void
test_maps_read_pipe_fails(void **state)
{
	struct vma_list	 list = { 0 };
	char		*cause = (char *)"unset";
	int		 fds[2];

	(void)state;

	/* pread cannot seek a pipe; its errno must come back unchanged. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], ANON_PREFIX "\n",
	    strlen(ANON_PREFIX) + 1), (ssize_t)strlen(ANON_PREFIX) + 1);
	errno = 0;
	assert_int_equal(maps_read(fds[0], USER_LIMIT, &list, &cause), -1);
	assert_int_equal(errno, ESPIPE);
	assert_null(cause);
	assert_int_equal(list.n, 0);

	close(fds[0]);
	close(fds[1]);
}

static void
test_maps_read_bad_fd(void **state)
{
	struct vma_list	 list = { 0 };
	char		*cause = NULL;

	(void)state;

	errno = 0;
	assert_int_equal(maps_read(-1, USER_LIMIT, &list, &cause), -1);
	assert_int_equal(errno, EBADF);
	assert_null(cause);
}

static void
test_maps_read_gone_process(void **state)
{
	struct vma_list	 list = { 0 };
	char		 path[64], *cause = NULL;
	pid_t		 pid;
	int		 fd;

	(void)state;

	/* The child dies with us, should an assertion end the test early. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}

	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(maps_read(fd, USER_LIMIT, &list, &cause), 0);
	assert_true(list.n > 0);

	/* Once reaped, the fd still reads but the task is gone. */
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	errno = 0;
	assert_int_equal(maps_read(fd, USER_LIMIT, &list, &cause), -1);
	assert_int_equal(errno, ESRCH);
	assert_null(cause);
	assert_int_equal(list.n, 0);

	vma_list_clear(&list);
	close(fd);
}

static void
test_maps_read_proc_self(void **state)
{
	struct vma_list	 list = { 0 };
	char		 exe[PATH_MAX], *cause = NULL;
	ssize_t		 n;
	size_t		 i, stacks = 0, own = 0;
	int		 fd;

	(void)state;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	assert_true(n > 0);
	exe[n] = '\0';

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	if (maps_read(fd, UINT64_MAX, &list, &cause) != 0)
		fail_msg("/proc/self/maps: %s",
		    cause != NULL ? cause : strerror(errno));

	for (i = 0; i < list.n; i++) {
		if (list.v[i].kind == VMA_STACK)
			stacks++;
		if (list.v[i].kind == VMA_FILE && list.v[i].inode != 0 &&
		    strcmp(list.v[i].name, exe) == 0)
			own++;
		if (i > 0)
			assert_true(list.v[i].start >= list.v[i - 1].end);
	}
	assert_int_equal(stacks, 1);
	assert_true(own >= 1);

	vma_list_clear(&list);
	close(fd);
}

/* The line of list whose start is start. */
static const struct vma_info *
find_vma(const struct vma_list *list, uint64_t start)
{
	size_t	i;

	for (i = 0; i < list->n; i++) {
		if (list->v[i].start == start)
			return &list->v[i];
	}
	fail_msg("no VMA at %#llx", (unsigned long long)start);
	return NULL;
}

static void
test_maps_fixture_android_art(void **state)
{
	struct vma_list		 list = { 0 };
	const struct vma_info	*v;

	(void)state;

	parse_fixture("android_art.maps", &list);
	assert_int_equal(list.n, 19);

	v = find_vma(&list, 0x12c00000);
	assert_string_equal(v->name, "[anon:dalvik-main space (region space)]");
	assert_int_equal(v->kind, VMA_NAMED_ANON);
	assert_false(vma_is_shmem(v));

	v = find_vma(&list, 0x7a0c000000);
	assert_int_equal(v->kind, VMA_ANON);
	assert_string_equal(v->perms, "---p");

	v = find_vma(&list, 0x7a0d000000);
	assert_int_equal(v->kind, VMA_MEMFD);
	assert_string_equal(v->name, "/memfd:jit-cache");
	assert_true(v->deleted);
	assert_string_equal(v->perms, "r-xs");

	v = find_vma(&list, 0x7a0d400000);
	assert_int_equal(v->kind, VMA_NAMED_ANON);
	assert_true(vma_is_shmem(v));

	v = find_vma(&list, 0x7a0e000000);
	assert_int_equal(v->kind, VMA_FILE);
	assert_string_equal(v->name, "/dev/ashmem/dalvik-indirect ref table");
	assert_true(v->deleted);
	assert_int_equal(v->dev_minor, 0x11);

	v = find_vma(&list, 0x6f8f1000);
	assert_int_equal(v->offset, 0x4e000);
	assert_int_equal(v->inode, 1433);

	v = find_vma(&list, 0x7ffd4e7e0000);
	assert_int_equal(v->kind, VMA_STACK);
	assert_true(v->scannable);
	vma_list_clear(&list);
}

/*
 * Only special mappings and files on devtmpfs or sysfs may be skipped by
 * page walks (VM_PFNMAP); every other VMA is scanned for its populated
 * pages alone.
 */
static void
test_maps_may_be_pfnmap(void **state)
{
	struct vma_list		 list = { 0 };
	struct vma_info		*v;
	size_t			 i;

	(void)state;
	parse_fixture("chrome_x86_64.maps", &list);
	for (i = 0; i < list.n; i++) {
		v = &list.v[i];
		assert_int_equal(vma_may_be_pfnmap(v),
		    v->kind == VMA_SPECIAL);
		v->device = v->kind == VMA_FILE && v->inode != 0;
		assert_int_equal(vma_may_be_pfnmap(v),
		    v->kind == VMA_SPECIAL || v->device);
	}
	vma_list_clear(&list);
}

static void
test_maps_fixture_chrome(void **state)
{
	struct vma_list		 list = { 0 };
	const struct vma_info	*v;

	(void)state;

	parse_fixture("chrome_x86_64.maps", &list);
	assert_int_equal(list.n, 20);

	v = find_vma(&list, 0x1c0400000000);
	assert_string_equal(v->name, "[anon:partition_alloc]");
	assert_int_equal(v->kind, VMA_NAMED_ANON);

	v = find_vma(&list, 0x7f1a30000000);
	assert_int_equal(v->kind, VMA_MEMFD);
	assert_true(vma_is_shmem(v));

	v = find_vma(&list, 0x7f1a30800000);
	assert_int_equal(v->kind, VMA_SHM);
	assert_string_equal(v->name, "/SYSV00000000");

	v = find_vma(&list, 0x7f1a30c00000);
	assert_int_equal(v->kind, VMA_FILE);
	assert_true(vma_is_shmem(v));

	v = find_vma(&list, 0x7f1a32000000);
	assert_string_equal(v->name,
	    "/usr/share/fonts/truetype/dejavu/DejaVu Sans.ttf");

	v = find_vma(&list, 0x7f1a33000000);
	assert_string_equal(v->name, "/home/user/.config/google-chrome/"
	    "Default/Code Cache/js/index-dir/the-real-index");
	assert_int_equal(v->dev_minor, 2);
	assert_int_equal(v->inode, 7340033);

	v = find_vma(&list, 0x7ffc123d4000);
	assert_string_equal(v->name, "[vvar_vclock]");
	assert_int_equal(v->kind, VMA_SPECIAL);
	assert_true(v->scannable);

	v = find_vma(&list, 0xffffffffff600000);
	assert_int_equal(v->kind, VMA_SPECIAL);
	assert_false(v->scannable);
	vma_list_clear(&list);
}

static void
test_maps_fixture_hostile(void **state)
{
	static const struct {
		uint64_t	 start;
		const char	*name;
		size_t		 len;
		enum vma_kind	 kind;
		bool		 deleted;
	} want[] = {
#define W(start, name, kind, deleted) \
	{ start, name, sizeof name - 1, kind, deleted }
	W(0x10000, "/tmp/evil\nname", VMA_FILE, false),
	W(0x11000, "/tmp/\x1b[31mred\x1b[0m", VMA_FILE, false),
	W(0x12000, "/tmp/a\tb\rc", VMA_FILE, false),
	W(0x13000, "/tmp/trailing   ", VMA_FILE, false),
	W(0x14000, "/tmp/has  two spaces", VMA_FILE, true),
	W(0x15000, "/tmp/not deleted (deleted) ", VMA_FILE, false),
	W(0x16000, "/tmp/back\\slash\\x41\\01", VMA_FILE, false),
	W(0x17000, "/tmp/\xff\\400", VMA_FILE, false),
	W(0x18000, "/tmp/[heap]", VMA_FILE, false),
	W(0x19000, "/tmp/x (deleted)", VMA_FILE, false),
	W(0x1a000, "/tmp/\xff\xfe\xc3(", VMA_FILE, false),
	W(0x1b000, "/tmp/\xc2\x9b" "31m\xe2\x80\xaegpj.exe", VMA_FILE, false),
	W(0x1c000, "/memfd:\x1b]0;pwned\x07", VMA_MEMFD, true),
	W(0x1d000, "/tmp/\n\n\n", VMA_FILE, false),
	W(0x1e000, "/tmp/ends in backslash\\", VMA_FILE, false),
	W(0x1f000, "/tmp/\\\n", VMA_FILE, false),
#undef W
	};
	struct vma_list		 list = { 0 };
	const struct vma_info	*v;
	size_t			 i;

	(void)state;

	parse_fixture("hostile.maps", &list);
	assert_int_equal(list.n, sizeof want / sizeof *want);
	for (i = 0; i < list.n; i++) {
		v = &list.v[i];
		assert_int_equal(v->start, want[i].start);
		assert_name(v, want[i].name, want[i].len);
		assert_int_equal(v->kind, want[i].kind);
		assert_int_equal(v->deleted, want[i].deleted);
	}
	vma_list_clear(&list);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_maps_fields),
		cmocka_unit_test(test_maps_wide_device_numbers),
		cmocka_unit_test(test_maps_spaces_in_path),
		cmocka_unit_test(test_maps_trailing_spaces_kept),
		cmocka_unit_test(test_maps_anon_trailing_space),
		cmocka_unit_test(test_maps_anon_no_trailing_space),
		cmocka_unit_test(test_maps_octal_newline),
		cmocka_unit_test(test_maps_octal_edge_cases),
		cmocka_unit_test(test_maps_raw_control_bytes_kept),
		cmocka_unit_test(test_maps_raw_nul_in_line),
		cmocka_unit_test(test_maps_deleted),
		cmocka_unit_test(test_maps_deleted_suffix_exact),
		cmocka_unit_test(test_maps_kind_heap_stack),
		cmocka_unit_test(test_maps_kind_named_anon),
		cmocka_unit_test(test_maps_kind_special),
		cmocka_unit_test(test_maps_kind_memfd),
		cmocka_unit_test(test_maps_kind_sysv),
		cmocka_unit_test(test_maps_dev_zero_shared_anon),
		cmocka_unit_test(test_maps_vsyscall_unscannable),
		cmocka_unit_test(test_maps_user_limit),
		cmocka_unit_test(test_maps_user_limit_is_a_parameter),
		cmocka_unit_test(test_maps_full_64bit_hex),
		cmocka_unit_test(test_maps_long_line),
		cmocka_unit_test(test_maps_path_10000),
		cmocka_unit_test(test_maps_bad_perms),
		cmocka_unit_test(test_maps_missing_fields),
		cmocka_unit_test(test_maps_bad_separators),
		cmocka_unit_test(test_maps_hex_overflow),
		cmocka_unit_test(test_maps_bad_range),
		cmocka_unit_test(test_maps_cause_escaped),
		cmocka_unit_test(test_maps_empty_line),
		cmocka_unit_test(test_maps_failure_leaves_out_clean),
		cmocka_unit_test(test_maps_parse_lines),
		cmocka_unit_test(test_maps_parse_empty_text),
		cmocka_unit_test(test_maps_parse_empty_line_is_error),
		cmocka_unit_test(test_maps_parse_bad_line_number),
		cmocka_unit_test(test_maps_read_1mib_file),
		cmocka_unit_test(test_maps_read_reuses_fd),
		cmocka_unit_test(test_maps_read_empty_file),
		cmocka_unit_test(test_maps_read_parse_error),
		cmocka_unit_test(test_maps_read_clears_list),
		cmocka_unit_test(test_maps_read_pipe_fails),
		cmocka_unit_test(test_maps_read_bad_fd),
		cmocka_unit_test(test_maps_read_gone_process),
		cmocka_unit_test(test_maps_read_proc_self),
		cmocka_unit_test(test_maps_fixture_android_art),
		cmocka_unit_test(test_maps_may_be_pfnmap),
		cmocka_unit_test(test_maps_fixture_chrome),
		cmocka_unit_test(test_maps_fixture_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
