/*
 * Tests of escape.c and report.c: terminal escaping and width, JSON
 * escaping, and the text and JSON reports of hand-built snapshots with
 * hostile names. The JSON is checked by decoding it with Python's json
 * module, so that the test does not trust our own idea of JSON.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/escape.h"
#include "model/report.h"

/* A hostile file name: every kind of byte a terminal must not see raw. */
static const char hostile_name[] =
    "/tmp/x\n\x1b[31m\"q\"\\b\t\r\xff\x7f\xc2\x9b" "2J\xe6\x97\xa5";

static const char hostile_comm[] = "ev\x1b]0;il\x07\xff";

/*
 * Helpers
 */

static char *
visible(const char *s, size_t len)
{
	struct buf	b;

	buf_init(&b);
	escape_visible(&b, s, len);
	assert_false(b.failed);
	if (b.p == NULL)
		return calloc(1, 1);
	return b.p;
}

static void
check_visible(const char *in, size_t len, const char *want)
{
	char	*got = visible(in, len);

	assert_string_equal(got, want);
	free(got);
}

static char *
json(const char *s, size_t len)
{
	struct buf	b;

	buf_init(&b);
	escape_json(&b, s, len);
	assert_false(b.failed);
	return b.p;
}

static void
check_json(const char *in, size_t len, const char *want)
{
	char	*got = json(in, len);

	assert_string_equal(got, want);
	free(got);
}

static char *
dup_bytes(const char *s, size_t len)
{
	char	*p = malloc(len + 1);

	assert_non_null(p);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void
set_vma(struct snap_vma *v, uint64_t start, uint64_t end, const char *perms,
    const char *name, size_t name_len, enum vma_kind kind)
{
	memset(v, 0, sizeof *v);
	v->info.start = start;
	v->info.end = end;
	snprintf(v->info.perms, sizeof v->info.perms, "%s", perms);
	v->info.name = dup_bytes(name, name_len);
	v->info.name_len = name_len;
	v->info.kind = kind;
	v->info.scannable = true;
	v->pages = (end - start) / 4096;
}

/*
 * A snapshot built by hand, without snapshot.c's builders:
 *   0 a deleted file with a hostile name, all counts known
 *   1 plain anonymous memory, never scanned: nothing known
 *   2 [heap], swapped unknown
 *   3 a name holding a NUL byte
 *   4 [vsyscall], above the 12-digit addresses, nothing known
 */
static struct snapshot *
make_snapshot(void)
{
	struct snapshot	*s = calloc(1, sizeof *s);
	struct snap_vma	*v;
	size_t		 i;
	int		 c;

	assert_non_null(s);
	s->pid = 4242;
	s->comm = dup_bytes(hostile_comm, sizeof hostile_comm - 1);
	s->time = 1700000000.25;
	s->page_size = 4096;
	s->backend = BACKEND_IOCTL;
	s->supported = CAT_ALL & ~CAT_BIT(CAT_GUARD);
	s->state = TARGET_OK;
	s->nvma = 5;
	s->vma = calloc(s->nvma, sizeof *s->vma);
	assert_non_null(s->vma);

	v = &s->vma[0];
	set_vma(v, 0x400000, 0x402000, "r-xp", hostile_name,
	    sizeof hostile_name - 1, VMA_FILE);
	v->info.offset = 0x1000;
	v->info.dev_major = 0x08;
	v->info.dev_minor = 0x11;
	v->info.inode = 1234567;
	v->info.deleted = true;
	for (c = 0; c < CAT_COUNT; c++)
		v->count[c] = (uint64_t)c + 1;
	v->known = CAT_ALL;
	v->scanned = true;

	set_vma(&s->vma[1], 0x7f0000000000, 0x7f0000100000, "rw-p", "", 0,
	    VMA_ANON);

	v = &s->vma[2];
	set_vma(v, 0x7f0000200000, 0x7f0000400000, "rw-p", "[heap]", 6,
	    VMA_HEAP);
	v->count[CAT_PRESENT] = 512;
	v->count[CAT_HUGE] = 512;
	v->known = CAT_ALL & ~CAT_BIT(CAT_SWAPPED);
	v->scanned = true;

	v = &s->vma[3];
	set_vma(v, 0x7f0000500000, 0x7f0000501000, "rw-s", "a\0b", 3,
	    VMA_MEMFD);
	v->known = CAT_ALL;
	v->scanned = true;

	set_vma(&s->vma[4], 0xffffffffff600000, 0xffffffffff601000, "--xp",
	    "[vsyscall]", 10, VMA_SPECIAL);
	s->vma[4].info.scannable = false;

	for (i = 0; i < s->nvma; i++) {
		s->total_pages += s->vma[i].pages;
		for (c = 0; c < CAT_COUNT; c++) {
			if (s->vma[i].known & CAT_BIT(c))
				s->total[c] += s->vma[i].count[c];
		}
		s->total_known |= s->vma[i].known;
	}
	return s;
}

static void
free_snapshot(struct snapshot *s)
{
	size_t	i;

	for (i = 0; i < s->nvma; i++)
		free(s->vma[i].info.name);
	free(s->vma);
	free(s->comm);
	free(s->error);
	free(s);
}

static char *
text_of(const struct snapshot *s)
{
	struct buf	b;

	buf_init(&b);
	report_text(&b, s);
	assert_false(b.failed);
	assert_non_null(b.p);
	return b.p;
}

static char *
json_of(const struct snapshot *s)
{
	struct buf	b;

	buf_init(&b);
	report_json(&b, s);
	assert_false(b.failed);
	assert_non_null(b.p);
	return b.p;
}

/* Split text into lines in place; returns the count. */
static size_t
split_lines(char *text, char **line, size_t max)
{
	size_t	 n = 0;
	char	*nl;

	while (*text != '\0' && n < max) {
		nl = strchr(text, '\n');
		assert_non_null(nl);
		*nl = '\0';
		line[n++] = text;
		text = nl + 1;
	}
	return n;
}

static void
hex_of(struct buf *b, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		buf_printf(b, "%02x", (unsigned char)s[i]);
}

/*
 * Escaping for the terminal
 */

static void
test_escape_esc_sequence(void **state)
{
	check_visible("\x1b[2J\x1b]0;t\x07", 10, "\\e[2J\\e]0;t\\x07");
}

static void
test_escape_tab_newline_cr(void **state)
{
	check_visible("a\tb\nc\rd", 7, "a\\tb\\nc\\rd");
}

static void
test_escape_nul_and_del(void **state)
{
	check_visible("a\0b\x7f", 4, "a\\x00b\\x7f");
	check_visible("\x01\x1f", 2, "\\x01\\x1f");
}

static void
test_escape_backslash(void **state)
{
	check_visible("a\\x1b", 5, "a\\\\x1b");
}

static void
test_escape_invalid_utf8(void **state)
{
	check_visible("\xff", 1, "\\xff");
	check_visible("\x80z", 2, "\\x80z");
	check_visible("\xc3", 1, "\\xc3");
	check_visible("\xe2\x82" "A", 3, "\\xe2\\x82A");
	check_visible("\xf8\x88\x80\x80\x80", 5,
	    "\\xf8\\x88\\x80\\x80\\x80");
}

static void
test_escape_overlong(void **state)
{
	check_visible("\xc0\xaf", 2, "\\xc0\\xaf");
	check_visible("\xc1\xbf", 2, "\\xc1\\xbf");
	check_visible("\xe0\x80\xaf", 3, "\\xe0\\x80\\xaf");
	check_visible("\xf0\x80\x80\xaf", 4, "\\xf0\\x80\\x80\\xaf");
}

static void
test_escape_surrogate_and_too_high(void **state)
{
	check_visible("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");
	check_visible("\xed\xbf\xbf", 3, "\\xed\\xbf\\xbf");
	check_visible("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80");
	check_visible("\xf5\x80\x80\x80", 4, "\\xf5\\x80\\x80\\x80");
}

static void
test_escape_multibyte_kept(void **state)
{
	check_visible("caf\xc3\xa9", 5, "caf\xc3\xa9");
	check_visible("\xe6\x97\xa5\xe6\x9c\xac", 6,
	    "\xe6\x97\xa5\xe6\x9c\xac");
	check_visible("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80");
	check_visible("\xed\x9f\xbf", 3, "\xed\x9f\xbf");	/* U+D7FF */
	check_visible("\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf");
}

static void
test_escape_c1_and_bidi_controls(void **state)
{
	check_visible("\xc2\x9b" "2J", 4, "\\xc2\\x9b2J");
	check_visible("\xc2\x85", 2, "\\xc2\\x85");
	check_visible("\xe2\x80\xae" "txt", 6, "\\xe2\\x80\\xaetxt");
	check_visible("\xe2\x80\xa8", 3, "\\xe2\\x80\\xa8");
	check_visible("\xc2\xa0", 2, "\xc2\xa0");	/* NBSP: printable */
}

static void
test_escape_width(void **state)
{
	assert_int_equal(escape_visible_width("abc", 3), 3);
	assert_int_equal(escape_visible_width("", 0), 0);
	assert_int_equal(escape_visible_width("caf\xc3\xa9", 5), 4);
	assert_int_equal(escape_visible_width("e\xcc\x81", 3), 1);
	assert_int_equal(escape_visible_width("\x1b\\\t", 3), 6);
	assert_int_equal(escape_visible_width("\xff", 1), 4);
	assert_int_equal(escape_visible_width("\xc2\x9b", 2), 8);
}

static void
test_escape_width_cjk_and_emoji(void **state)
{
	/* 日本, 한, Ａ (fullwidth), 😀, 🧐, 𠀀 */
	assert_int_equal(escape_visible_width("\xe6\x97\xa5\xe6\x9c\xac", 6),
	    4);
	assert_int_equal(escape_visible_width("\xea\xb0\x80", 3), 2);
	assert_int_equal(escape_visible_width("\xef\xbc\xa1", 3), 2);
	assert_int_equal(escape_visible_width("\xf0\x9f\x98\x80", 4), 2);
	assert_int_equal(escape_visible_width("\xf0\x9f\xa7\x90", 4), 2);
	assert_int_equal(escape_visible_width("\xf0\xa0\x80\x80", 4), 2);
	assert_int_equal(escape_visible_width("a\xe6\x97\xa5" "b", 5), 4);
}

/* s with every backslash doubled, as escape_visible() writes it. */
static char *
double_backslashes(const char *s)
{
	struct buf	b;

	buf_init(&b);
	buf_add_str(&b, "");
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_add_char(&b, '\\');
		buf_add_char(&b, *s);
	}
	assert_false(b.failed);
	return b.p;
}

/*
 * Whatever the input, the output holds no control byte, is valid and
 * printable UTF-8 (escaping it again changes nothing but backslashes),
 * and when it is all ASCII its width is its length.
 */
static void
test_escape_random_bytes(void **state)
{
	char	 in[64], *out, *again, *want, *p;
	size_t	 len, i;
	int	 round;
	bool	 ascii;

	srand(12345);
	for (round = 0; round < 20000; round++) {
		len = (size_t)(rand() % (int)sizeof in);
		for (i = 0; i < len; i++)
			in[i] = (char)(rand() % 256);
		out = visible(in, len);

		ascii = true;
		for (p = out; *p != '\0'; p++) {
			assert_true((unsigned char)*p >= 0x20);
			assert_true(*p != 0x7f);
			if ((unsigned char)*p >= 0x80)
				ascii = false;
		}
		if (ascii)
			assert_int_equal(escape_visible_width(in, len),
			    strlen(out));

		again = visible(out, strlen(out));
		want = double_backslashes(out);
		assert_string_equal(again, want);
		free(want);
		free(again);
		free(out);
	}
}

/*
 * Escaping for JSON
 */

static void
test_escape_json_controls(void **state)
{
	check_json("\"\\\n\t\r\b\f\x01\x1b\x7f", 10,
	    "\"\\\"\\\\\\n\\t\\r\\b\\f\\u0001\\u001b\\u007f\"");
	check_json("a\0b", 3, "\"a\\u0000b\"");
	check_json("", 0, "\"\"");
}

static void
test_escape_json_invalid_bytes(void **state)
{
	check_json("\xff", 1, "\"\\udcff\"");
	check_json("\x80" "a", 2, "\"\\udc80a\"");
	check_json("\xc0\xaf", 2, "\"\\udcc0\\udcaf\"");
	check_json("\xed\xa0\x80", 3, "\"\\udced\\udca0\\udc80\"");
}

static void
test_escape_json_unicode(void **state)
{
	check_json("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
	check_json("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
	check_json("\xc2\x9b", 2, "\"\\u009b\"");
	check_json("\xe2\x80\xa8", 3, "\"\\u2028\"");
}

/*
 * The text report
 */

static void
test_report_text_no_controls(void **state)
{
	struct snapshot	*s = make_snapshot();
	char		*text = text_of(s);
	char		*p;

	for (p = text; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n');
	assert_null(strchr(text, 0x7f));
	assert_null(strstr(text, "\xc2\x9b"));
	assert_non_null(strstr(text,
	    "/tmp/x\\n\\e[31m\"q\"\\\\b\\t\\r\\xff\\x7f\\xc2\\x9b2J"
	    "\xe6\x97\xa5 (deleted)\n"));
	assert_non_null(strstr(text, " a\\x00b\n"));
	assert_true(strncmp(text, "pid 4242 (ev\\e]0;il\\x07\\xff)  ", 30)
	    == 0);

	free(text);
	free_snapshot(s);
}

static void
test_report_text_unknown_is_na(void **state)
{
	struct snapshot	*s = make_snapshot();
	char		*text = text_of(s);
	char		*line[16];
	size_t		 n;

	n = split_lines(text, line, 16);
	assert_int_equal(n, 8);

	/* Never scanned: every count unknown, and no name at all. */
	assert_string_equal(line[3],
	    "00007f0000000000-00007f0000100000 rw-p 1024     n/a     n/a"
	    "  n/a  n/a  n/a");

	/* [heap]: only swapped unknown. */
	assert_non_null(strstr(line[4], " 2048     512     n/a    0    0  512 "
	    "[heap]"));

	/* Swapped is known in some VMA, so the total knows it. */
	assert_null(strstr(line[7], "n/a"));

	free(text);
	free_snapshot(s);
}

static void
test_report_text_layout(void **state)
{
	struct snapshot	*s = make_snapshot();
	char		*text = text_of(s);
	char		*line[16], *name;
	size_t		 n, i, col;

	n = split_lines(text, line, 16);
	assert_int_equal(n, 8);
	assert_non_null(strstr(line[0], "  backend "));
	assert_non_null(strstr(line[0], "  page size 4096  "));
	assert_non_null(strstr(line[0], "2023-11-14T22:13:20Z"));

	/* Every count column ends where the header's Huge ends. */
	name = strstr(line[1], " Name");
	assert_non_null(name);
	assert_string_equal(name, " Name");
	col = (size_t)(name - line[1]);
	for (i = 2; i < n; i++) {
		assert_true(strlen(line[i]) >= col);
		assert_true(line[i][col] == '\0' || line[i][col] == ' ');
		assert_true(line[i][col - 1] != ' ');
	}

	/* The vsyscall page needs 16 digits, so every address has them. */
	assert_true(strncmp(line[2], "0000000000400000-0000000000402000 r-xp ",
	    39) == 0);
	assert_true(strncmp(line[6], "ffffffffff600000-ffffffffff601000 --xp ",
	    39) == 0);
	assert_true(strncmp(line[7], "total ", 6) == 0);

	/* 2 + 256 + 512 + 1 + 1 pages of 4 KiB. */
	assert_non_null(strstr(line[7], " 3088 "));

	free(text);
	free_snapshot(s);
}

static void
test_report_text_short_addresses(void **state)
{
	struct snapshot	*s = make_snapshot();
	char		*text;

	s->nvma = 2;
	text = text_of(s);
	assert_non_null(strstr(text, "\n000000400000-000000402000 r-xp "));
	free(text);
	s->nvma = 5;
	free_snapshot(s);
}

static void
test_report_text_state(void **state)
{
	struct snapshot	*s = make_snapshot();
	struct buf	 want;
	char		*text;

	s->state = TARGET_EXITED;
	s->error = dup_bytes("gone\n\x1b[H", 8);
	text = text_of(s);

	buf_init(&want);
	buf_printf(&want, "pid 4242 (ev\\e]0;il\\x07\\xff): %s: gone\\n\\e[H\n",
	    snapshot_state_name(TARGET_EXITED));
	assert_string_equal(text, want.p);
	buf_fini(&want);
	free(text);

	free(s->error);
	s->error = NULL;
	free(s->comm);
	s->comm = dup_bytes("", 0);
	s->state = TARGET_NOT_FOUND;
	text = text_of(s);
	buf_init(&want);
	buf_printf(&want, "pid 4242: %s\n",
	    snapshot_state_name(TARGET_NOT_FOUND));
	assert_string_equal(text, want.p);
	buf_fini(&want);
	free(text);

	free_snapshot(s);
}

static void
test_report_text_empty(void **state)
{
	struct snapshot	*s = make_snapshot();
	const char	*tail;
	char		*text, *line[8];
	size_t		 i;

	for (i = 0; i < s->nvma; i++)
		free(s->vma[i].info.name);
	s->nvma = 0;
	s->total_pages = 0;
	s->total_known = 0;
	text = text_of(s);
	assert_int_equal(split_lines(text, line, 8), 3);
	assert_true(strncmp(line[2], "total ", 6) == 0);
	tail = "  0     n/a     n/a  n/a  n/a  n/a";
	assert_true(strlen(line[2]) > strlen(tail));
	assert_string_equal(line[2] + strlen(line[2]) - strlen(tail), tail);
	free(text);
	free_snapshot(s);
}

/*
 * The JSON report
 */

static void
test_report_json_one_line(void **state)
{
	struct snapshot	*s = make_snapshot();
	char		*text = json_of(s);
	size_t		 len = strlen(text);
	size_t		 i;

	assert_true(len > 2);
	assert_int_equal(text[len - 1], '\n');
	for (i = 0; i + 1 < len; i++) {
		assert_true((unsigned char)text[i] >= 0x20);
		assert_true(text[i] != 0x7f);
	}
	assert_non_null(strstr(text, "\"time\":1700000000.250000,"));
	assert_non_null(strstr(text, "\"dev\":\"08:11\""));
	assert_non_null(strstr(text, "\"offset\":\"0x1000\""));

	free(text);
	free_snapshot(s);
}

/*
 * Python prints what it decoded, one fact per line: the key sets sorted,
 * the strings as hex of their surrogateescape bytes, counts as JSON.
 */
static const char decode_py[] =
    "import json, sys\n"
    "raw = sys.stdin.buffer.read()\n"
    "d = json.loads(raw.decode('utf-8'))\n"
    "def b(s): return s.encode('utf-8', 'surrogateescape').hex()\n"
    "n = ['present', 'swapped', 'file', 'pfnzero', 'huge',\n"
    "     'wpallowed', 'written', 'soft_dirty', 'guard']\n"
    "print(','.join(sorted(d)))\n"
    "print(','.join(sorted(d['totals'])))\n"
    "print(d['pid'], b(d['comm']), repr(d['time']), d['page_size'],\n"
    "      d['backend'], ','.join(d['supported']))\n"
    "for v in d['vmas']:\n"
    "    print(','.join(sorted(v)))\n"
    "    print(b(v['name']), v['start'], v['end'], v['offset'],\n"
    "          v['perms'], v['dev'], v['inode'], v['kind'],\n"
    "          json.dumps(v['deleted']), v['pages'],\n"
    "          ' '.join(json.dumps(v[k]) for k in n))\n"
    "t = d['totals']\n"
    "print(t['pages'], ' '.join(json.dumps(t[k]) for k in n))\n";

static void
write_temp(char *path, const char *data, size_t len)
{
	int	fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Run decode_py over text and return what it printed. */
static char *
python_decode(const char *text)
{
	char		 script[] = "/tmp/pmtop-test-py.XXXXXX";
	char		 input[] = "/tmp/pmtop-test-json.XXXXXX";
	char		 cmd[128], chunk[4096];
	struct buf	 out;
	FILE		*f;
	size_t		 n;

	write_temp(script, decode_py, sizeof decode_py - 1);
	write_temp(input, text, strlen(text));
	snprintf(cmd, sizeof cmd, "python3 %s < %s", script, input);

	buf_init(&out);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&out, chunk, n);
	assert_int_equal(pclose(f), 0);
	unlink(script);
	unlink(input);
	assert_false(out.failed);
	assert_non_null(out.p);
	return out.p;
}

static const char vma_keys[] =
    "deleted,dev,end,file,guard,huge,inode,kind,name,offset,pages,perms,"
    "pfnzero,present,soft_dirty,start,swapped,wpallowed,written\n";

static void
expect_vma(struct buf *b, const struct snap_vma *v, const char *tail)
{
	buf_add_str(b, vma_keys);
	hex_of(b, v->info.name, v->info.name_len);
	buf_printf(b, " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " %s ",
	    v->info.start, v->info.end, v->info.offset, v->info.perms);
	buf_printf(b, "%02x:%02x %" PRIu64 " %s %s %" PRIu64 " %s\n",
	    v->info.dev_major, v->info.dev_minor, v->info.inode,
	    vma_kind_name(v->info.kind), v->info.deleted ? "true" : "false",
	    v->pages, tail);
}

static void
test_report_json_round_trip(void **state)
{
	struct snapshot	*s = make_snapshot();
	const char	*none = "null null null null null null null null null";
	struct buf	 want;
	char		*text, *got;

	if (system("python3 -c pass >/dev/null 2>&1") != 0) {
		free_snapshot(s);
		skip();
	}
	text = json_of(s);
	got = python_decode(text);

	buf_init(&want);
	buf_add_str(&want,
	    "backend,comm,page_size,pid,supported,time,totals,vmas\n"
	    "file,guard,huge,pages,pfnzero,present,soft_dirty,swapped,"
	    "wpallowed,written\n"
	    "4242 ");
	hex_of(&want, hostile_comm, sizeof hostile_comm - 1);
	buf_add_str(&want, " 1700000000.25 4096 ioctl wpallowed,written,"
	    "file,present,swapped,pfnzero,huge,soft_dirty\n");
	expect_vma(&want, &s->vma[0], "4 5 3 6 7 1 2 8 9");
	expect_vma(&want, &s->vma[1], none);
	expect_vma(&want, &s->vma[2], "512 null 0 0 512 0 0 0 0");
	expect_vma(&want, &s->vma[3], "0 0 0 0 0 0 0 0 0");
	expect_vma(&want, &s->vma[4], none);
	buf_add_str(&want, "772 516 5 3 6 519 1 2 8 9\n");
	assert_false(want.failed);
	assert_string_equal(got, want.p);

	buf_fini(&want);
	free(got);
	free(text);
	free_snapshot(s);
}

static void
test_report_json_unknown_totals(void **state)
{
	struct snapshot	*s = make_snapshot();
	char		*text;

	s->total_known = CAT_BIT(CAT_PRESENT);
	text = json_of(s);
	assert_non_null(strstr(text, "\"totals\":{\"pages\":772,"
	    "\"present\":516,\"swapped\":null,\"file\":null,"));
	assert_non_null(strstr(text, "\"guard\":null}}\n"));
	free(text);
	free_snapshot(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_esc_sequence),
		cmocka_unit_test(test_escape_tab_newline_cr),
		cmocka_unit_test(test_escape_nul_and_del),
		cmocka_unit_test(test_escape_backslash),
		cmocka_unit_test(test_escape_invalid_utf8),
		cmocka_unit_test(test_escape_overlong),
		cmocka_unit_test(test_escape_surrogate_and_too_high),
		cmocka_unit_test(test_escape_multibyte_kept),
		cmocka_unit_test(test_escape_c1_and_bidi_controls),
		cmocka_unit_test(test_escape_width),
		cmocka_unit_test(test_escape_width_cjk_and_emoji),
		cmocka_unit_test(test_escape_random_bytes),
		cmocka_unit_test(test_escape_json_controls),
		cmocka_unit_test(test_escape_json_invalid_bytes),
		cmocka_unit_test(test_escape_json_unicode),
		cmocka_unit_test(test_report_text_no_controls),
		cmocka_unit_test(test_report_text_unknown_is_na),
		cmocka_unit_test(test_report_text_layout),
		cmocka_unit_test(test_report_text_short_addresses),
		cmocka_unit_test(test_report_text_state),
		cmocka_unit_test(test_report_text_empty),
		cmocka_unit_test(test_report_json_one_line),
		cmocka_unit_test(test_report_json_round_trip),
		cmocka_unit_test(test_report_json_unknown_totals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
