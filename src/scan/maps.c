/*
 * The /proc/PID/maps parser. It splits the text into lines, decodes the
 * fixed fields and the kernel's octal escapes in the path, and sorts each
 * mapping into a vma_kind by its name. maps_read() fetches the text with
 * pread from offset 0, so one open fd serves every refresh.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/maps.h"

/* How many bytes of a bad line a cause quotes (each escapes to <= 4). */
#define MAPS_QUOTE_MAX		48

/* Most maps texts fit; a large process's can run to megabytes. */
#define MAPS_READ_INITIAL	(64 * 1024)

/* A read position within one line; the line need not be NUL-terminated. */
struct cursor {
	const char	*p;
	const char	*end;
};

static bool
cursor_skip(struct cursor *c, char ch)
{
	if (c->p == c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static int
hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* At least one hex digit; false on overflow of 64 bits. */
static bool
cursor_hex(struct cursor *c, uint64_t *out)
{
	const char	*start = c->p;
	uint64_t	 v = 0;
	int		 d;

	while (c->p < c->end && (d = hex_digit(*c->p)) != -1) {
		if (v > UINT64_MAX >> 4)
			return false;
		v = v << 4 | (uint64_t)d;
		c->p++;
	}

	*out = v;
	return c->p != start;
}

/* At least one decimal digit; false on overflow of 64 bits. */
static bool
cursor_dec(struct cursor *c, uint64_t *out)
{
	const char	*start = c->p;
	uint64_t	 v = 0, d;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		d = (uint64_t)(*c->p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		c->p++;
	}

	*out = v;
	return c->p != start;
}

/* Exactly [r-][w-][x-][ps]. */
static bool
parse_perms(struct cursor *c, char perms[5])
{
	static const char	 allowed[4][2] = {
		{ 'r', '-' }, { 'w', '-' }, { 'x', '-' }, { 'p', 's' }
	};
	int			 i;

	if (c->end - c->p < 4)
		return false;
	for (i = 0; i < 4; i++) {
		if (c->p[i] != allowed[i][0] && c->p[i] != allowed[i][1])
			return false;
		perms[i] = c->p[i];
	}

	perms[4] = '\0';
	c->p += 4;
	return true;
}

/* Hex major:minor, each fitting an unsigned int. */
static bool
parse_dev(struct cursor *c, struct vma_info *v)
{
	uint64_t	major, minor;

	if (!cursor_hex(c, &major) || !cursor_skip(c, ':'))
		return false;
	if (!cursor_hex(c, &minor))
		return false;
	if (major > UINT_MAX || minor > UINT_MAX)
		return false;

	v->dev_major = (unsigned int)major;
	v->dev_minor = (unsigned int)minor;
	return true;
}

/*
 * Everything up to the path. The kernel separates fields with exactly one
 * space, so anything else is a sign the text is not a maps line. Returns
 * NULL, or what was wrong.
 */
static const char *
parse_fields(struct cursor *c, struct vma_info *v)
{
	if (!cursor_hex(c, &v->start) || !cursor_skip(c, '-'))
		return "bad start address";
	if (!cursor_hex(c, &v->end) || !cursor_skip(c, ' '))
		return "bad end address";
	if (v->end <= v->start)
		return "end address not above start";
	if (!parse_perms(c, v->perms) || !cursor_skip(c, ' '))
		return "bad permissions";
	if (!cursor_hex(c, &v->offset) || !cursor_skip(c, ' '))
		return "bad offset";
	if (!parse_dev(c, v) || !cursor_skip(c, ' '))
		return "bad device";
	if (!cursor_dec(c, &v->inode))
		return "bad inode";
	if (c->p != c->end && *c->p != ' ')
		return "bad inode";
	return NULL;
}

static bool
has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t	plen = strlen(prefix);

	return len >= plen && memcmp(s, prefix, plen) == 0;
}

static bool
is_equal(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(s, word, len) == 0;
}

/* "[stack:TID]", which kernels before 4.5 showed for thread stacks. */
static bool
is_thread_stack(const char *name, size_t len)
{
	size_t	i, plen = strlen("[stack:");

	if (!has_prefix(name, len, "[stack:") || len < plen + 2)
		return false;
	for (i = plen; i < len - 1; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
	}
	return true;
}

/* SysV shm segments are named "/SYSV" and the key as 8 hex digits. */
static bool
is_sysv_name(const char *name, size_t len)
{
	size_t	i;

	if (len != 13 || !has_prefix(name, len, "/SYSV"))
		return false;
	for (i = 5; i < len; i++) {
		if (hex_digit(name[i]) == -1)
			return false;
	}
	return true;
}

/* A name that starts with '[' and ends with ']'. */
static enum vma_kind
classify_bracketed(const char *name, size_t len)
{
	if (is_equal(name, len, "[heap]"))
		return VMA_HEAP;
	if (is_equal(name, len, "[stack]") || is_thread_stack(name, len))
		return VMA_STACK;
	if (has_prefix(name, len, "[anon:") ||
	    has_prefix(name, len, "[anon_shmem:"))
		return VMA_NAMED_ANON;
	return VMA_SPECIAL;
}

static enum vma_kind
classify(const char *name, size_t len)
{
	if (len == 0)
		return VMA_ANON;
	if (len >= 2 && name[0] == '[' && name[len - 1] == ']')
		return classify_bracketed(name, len);
	if (has_prefix(name, len, "/memfd:"))
		return VMA_MEMFD;
	if (is_sysv_name(name, len))
		return VMA_SHM;
	return VMA_FILE;
}

/* A backslash and three octal digits that make one byte (at most \377). */
static bool
is_octal_escape(const char *s, size_t len)
{
	return len >= 4 && s[0] == '\\' &&
	    s[1] >= '0' && s[1] <= '3' &&
	    s[2] >= '0' && s[2] <= '7' &&
	    s[3] >= '0' && s[3] <= '7';
}

/* Decode src into dst (room for len + 1); returns the decoded length. */
static size_t
decode_octal(char *dst, const char *src, size_t len)
{
	size_t	i = 0, n = 0;

	while (i < len) {
		if (is_octal_escape(src + i, len - i)) {
			dst[n++] = (char)((src[i + 1] - '0') << 6 |
			    (src[i + 2] - '0') << 3 | (src[i + 3] - '0'));
			i += 4;
		} else
			dst[n++] = src[i++];
	}

	dst[n] = '\0';
	return n;
}

/*
 * Fill the name, deleted flag and kind from the raw path. The suffix is
 * matched before decoding because the kernel appends it after escaping.
 */
static int
parse_name(const char *raw, size_t len, struct vma_info *v)
{
	static const char	 suffix[] = " (deleted)";
	const size_t		 slen = sizeof suffix - 1;

	if (len >= slen && memcmp(raw + len - slen, suffix, slen) == 0) {
		v->deleted = true;
		len -= slen;
	}

	v->name = malloc(len + 1);
	if (v->name == NULL)
		return -1;
	v->name_len = decode_octal(v->name, raw, len);
	v->kind = classify(v->name, v->name_len);
	return 0;
}

/* Escape the start of line into dst so a cause holds no control bytes. */
static void
quote_prefix(char *dst, size_t size, const char *line, size_t len)
{
	size_t		i, n = 0, max;
	unsigned char	ch;

	max = len < MAPS_QUOTE_MAX ? len : MAPS_QUOTE_MAX;
	for (i = 0; i < max; i++) {
		ch = (unsigned char)line[i];
		if (ch == '\\' || ch == '"') {
			dst[n++] = '\\';
			dst[n++] = (char)ch;
		} else if (ch >= 0x20 && ch < 0x7f)
			dst[n++] = (char)ch;
		else
			n += (size_t)snprintf(dst + n, size - n, "\\x%02x", ch);
	}

	if (len > max)
		n += (size_t)snprintf(dst + n, size - n, "...");
	dst[n] = '\0';
}

static int
parse_fail(const char *line, size_t len, const char *what, char **cause)
{
	char	quoted[MAPS_QUOTE_MAX * 4 + 4];

	quote_prefix(quoted, sizeof quoted, line, len);
	if (asprintf(cause, "%s in \"%s\"", what, quoted) == -1)
		*cause = NULL;

	errno = EINVAL;
	return -1;
}

/* The cause may itself fail to allocate; then it stays NULL. */
static int
memory_fail(char **cause)
{
	*cause = strdup("out of memory");
	errno = ENOMEM;
	return -1;
}

int
maps_parse_line(const char *line, size_t len, uint64_t user_limit,
    struct vma_info *out, char **cause)
{
	struct cursor	 c;
	struct vma_info	 v;
	const char	*what;

	*cause = NULL;
	memset(out, 0, sizeof *out);
	memset(&v, 0, sizeof v);
	if (len == 0)
		return parse_fail(line, len, "empty line", cause);

	c.p = line;
	c.end = line + len;
	what = parse_fields(&c, &v);
	if (what != NULL)
		return parse_fail(line, len, what, cause);

	/* The pad after the inode varies; no path starts with a space. */
	while (c.p < c.end && *c.p == ' ')
		c.p++;
	if (parse_name(c.p, (size_t)(c.end - c.p), &v) == -1)
		return memory_fail(cause);

	v.scannable = v.end <= user_limit &&
	    !is_equal(v.name, v.name_len, "[vsyscall]");
	*out = v;
	return 0;
}

/* Parse one line and append it; the list takes its own copy. */
static int
add_line(const char *line, size_t len, uint64_t user_limit,
    struct vma_list *list, char **cause)
{
	struct vma_info	v;
	int		rc;

	if (maps_parse_line(line, len, user_limit, &v, cause) == -1)
		return -1;

	rc = vma_list_append(list, &v);
	vma_info_fini(&v);
	if (rc == -1)
		return memory_fail(cause);
	return 0;
}

/* Prefix *cause with the line number, keeping errno. */
static int
fail_at_line(size_t lineno, char **cause)
{
	char	*numbered;
	int	 saved = errno;

	if (*cause != NULL &&
	    asprintf(&numbered, "line %zu: %s", lineno, *cause) != -1) {
		free(*cause);
		*cause = numbered;
	}

	errno = saved;
	return -1;
}

int
maps_parse(const char *text, size_t len, uint64_t user_limit,
    struct vma_list *list, char **cause)
{
	const char	*nl;
	size_t		 pos = 0, line_len, lineno = 0;

	*cause = NULL;
	while (pos < len) {
		nl = memchr(text + pos, '\n', len - pos);
		line_len = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		lineno++;

		if (add_line(text + pos, line_len, user_limit, list,
		    cause) == -1)
			return fail_at_line(lineno, cause);
		pos += line_len + 1;
	}
	return 0;
}

/* Free p without losing the errno of the failure being reported. */
static int
free_fail(void *p)
{
	int	saved = errno;

	free(p);
	errno = saved;
	return -1;
}

static int
grow(char **text, size_t *cap)
{
	size_t	 new_cap;
	char	*p;

	if (*cap > SIZE_MAX / 2) {
		errno = ENOMEM;
		return -1;
	}
	new_cap = *cap != 0 ? *cap * 2 : MAPS_READ_INITIAL;

	p = realloc(*text, new_cap);
	if (p == NULL)
		return -1;
	*text = p;
	*cap = new_cap;
	return 0;
}

/*
 * Read fd from offset 0 to EOF. Files in /proc report size 0 and seq_file
 * returns about a page per read, so only EOF says the text is complete.
 */
static int
read_all(int fd, char **textp, size_t *lenp)
{
	char	*text = NULL;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;

	for (;;) {
		if (len == cap && grow(&text, &cap) == -1)
			return free_fail(text);

		n = pread(fd, text + len, cap - len, (off_t)len);
		if (n == 0)
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return free_fail(text);
		len += (size_t)n;
	}

	*textp = text;
	*lenp = len;
	return 0;
}

int
maps_read(int fd, uint64_t user_limit, struct vma_list *list,
    char **cause)
{
	char	*text;
	size_t	 len;
	int	 rc;

	*cause = NULL;
	vma_list_clear(list);
	if (read_all(fd, &text, &len) == -1)
		return -1;

	rc = maps_parse(text, len, user_limit, list, cause);
	if (rc == -1)
		return free_fail(text);
	free(text);
	return 0;
}
