/*
 * Escaping of untrusted bytes for the terminal and for JSON, and the
 * column width of the terminal form.
 *
 * UTF-8 is decoded here by hand and widths come from a small built-in
 * table rather than mbrtowc() and wcwidth(): those follow the locale, and
 * the same name must escape and measure the same way in batch output, on
 * screen and in tests whatever LC_CTYPE says.
 *
 * A valid sequence that is still not printable (C1 controls, line and
 * paragraph separators, bidirectional controls that could reorder what
 * follows on the line) is escaped byte by byte, as "\xc2\x9b", exactly
 * like invalid UTF-8: one rule for everything not shown as is.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/escape.h"

/* Longest escape one step writes: "\xHH" and its NUL. */
#define ESC_MAX 8

struct cp_range {
	uint32_t	first;
	uint32_t	last;
};

/* Code points that take no column: combining marks and zero-width. */
static const struct cp_range zero_width[] = {
	{ 0x0300, 0x036f },	/* combining diacritical marks */
	{ 0x0483, 0x0489 },
	{ 0x0591, 0x05bd },
	{ 0x05bf, 0x05bf },
	{ 0x05c1, 0x05c2 },
	{ 0x05c4, 0x05c5 },
	{ 0x05c7, 0x05c7 },
	{ 0x0610, 0x061a },
	{ 0x064b, 0x065f },
	{ 0x0670, 0x0670 },
	{ 0x06d6, 0x06dc },
	{ 0x06df, 0x06e4 },
	{ 0x06e7, 0x06e8 },
	{ 0x06ea, 0x06ed },
	{ 0x1ab0, 0x1aff },
	{ 0x1dc0, 0x1dff },
	{ 0x200b, 0x200d },	/* zero width space, non-joiner, joiner */
	{ 0x2060, 0x2064 },
	{ 0x20d0, 0x20ff },
	{ 0xfe00, 0xfe0f },	/* variation selectors */
	{ 0xfe20, 0xfe2f },
	{ 0xe0100, 0xe01ef },
};

/* Code points that take two columns: East Asian wide and emoji. */
static const struct cp_range double_width[] = {
	{ 0x1100, 0x115f },	/* Hangul Jamo initials */
	{ 0x2e80, 0xa4cf },	/* CJK radicals .. Yi */
	{ 0xac00, 0xd7a3 },	/* Hangul syllables */
	{ 0xf900, 0xfaff },	/* CJK compatibility ideographs */
	{ 0xfe30, 0xfe4f },	/* CJK compatibility forms */
	{ 0xff00, 0xff60 },	/* fullwidth forms */
	{ 0xffe0, 0xffe6 },
	{ 0x1f300, 0x1f64f },	/* pictographs, emoticons */
	{ 0x1f900, 0x1f9ff },	/* supplemental pictographs */
	{ 0x20000, 0x3fffd },	/* CJK extensions */
};

/* Valid code points that are escaped all the same. */
static const struct cp_range unprintable[] = {
	{ 0x0080, 0x009f },	/* C1 controls: 0x9b is a CSI */
	{ 0x061c, 0x061c },	/* Arabic letter mark */
	{ 0x200e, 0x200f },	/* left-to-right, right-to-left marks */
	{ 0x2028, 0x2029 },	/* line and paragraph separators */
	{ 0x202a, 0x202e },	/* bidi embeddings and overrides */
	{ 0x2066, 0x2069 },	/* bidi isolates */
};

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

static bool
in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (cp >= r[i].first && cp <= r[i].last)
			return true;
	}
	return false;
}

static size_t
cp_width(uint32_t cp)
{
	if (in_ranges(cp, zero_width, NITEMS(zero_width)))
		return 0;
	if (in_ranges(cp, double_width, NITEMS(double_width)))
		return 2;
	return 1;
}

/*
 * Decode one UTF-8 sequence at s. Returns its length, or 0 when the byte
 * at s does not start a valid sequence: a stray continuation byte, a
 * truncated sequence, an overlong form, a UTF-16 surrogate or a code
 * point above U+10FFFF. The caller then escapes that one byte and goes
 * on with the next, so every byte of a bad sequence is escaped.
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t	c, min;
	size_t		n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xc2)	/* continuation, or overlong 0xc0 0xc1 */
		return 0;
	if (s[0] < 0xe0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] < 0xf0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] < 0xf5) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;

	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* The escape for one ASCII byte, or NULL if it is shown as is. */
static const char *
visible_ascii(unsigned char c, char esc[ESC_MAX])
{
	switch (c) {
	case '\\':
		return "\\\\";
	case '\t':
		return "\\t";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case 0x1b:
		return "\\e";
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(esc, ESC_MAX, "\\x%02x", c);
		return esc;
	}
	return NULL;
}

/*
 * One step of escape_visible(): returns how many input bytes the next
 * piece of output stands for, and sets *esc to the text to write instead
 * of them, or to NULL when they are copied as is and *cp is their code
 * point. Unprintable sequences consume only their first byte; the
 * continuation bytes that follow are then invalid on their own and are
 * escaped one by one in later steps.
 */
static size_t
visible_step(const unsigned char *s, size_t len, char buf[ESC_MAX],
    const char **esc, uint32_t *cp)
{
	size_t	n;

	if (s[0] < 0x80) {
		*cp = s[0];
		*esc = visible_ascii(s[0], buf);
		return 1;
	}

	n = utf8_decode(s, len, cp);
	if (n == 0 || in_ranges(*cp, unprintable, NITEMS(unprintable))) {
		snprintf(buf, ESC_MAX, "\\x%02x", s[0]);
		*esc = buf;
		return 1;
	}
	*esc = NULL;
	return n;
}

void
escape_visible(struct buf *out, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*esc;
	char			 tmp[ESC_MAX];
	uint32_t		 cp;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		n = visible_step(p + i, len - i, tmp, &esc, &cp);
		if (esc != NULL)
			buf_add_str(out, esc);
		else
			buf_add(out, p + i, n);
	}
}

size_t
escape_visible_width(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*esc;
	char			 tmp[ESC_MAX];
	uint32_t		 cp;
	size_t			 i, n, width = 0;

	for (i = 0; i < len; i += n) {
		n = visible_step(p + i, len - i, tmp, &esc, &cp);
		if (esc != NULL)
			width += strlen(esc);
		else
			width += cp_width(cp);
	}
	return width;
}

/*
 * One ASCII byte as JSON. DEL is escaped too although JSON allows it raw:
 * the output is often read on a terminal.
 */
static void
json_ascii(struct buf *out, unsigned char c)
{
	switch (c) {
	case '"':
		buf_add_str(out, "\\\"");
		return;
	case '\\':
		buf_add_str(out, "\\\\");
		return;
	case '\n':
		buf_add_str(out, "\\n");
		return;
	case '\t':
		buf_add_str(out, "\\t");
		return;
	case '\r':
		buf_add_str(out, "\\r");
		return;
	case '\b':
		buf_add_str(out, "\\b");
		return;
	case '\f':
		buf_add_str(out, "\\f");
		return;
	}
	if (c < 0x20 || c == 0x7f)
		buf_printf(out, "\\u%04x", c);
	else
		buf_add_char(out, (char)c);
}

/*
 * C1 controls are escaped for the terminal's sake, U+2028 and U+2029
 * because JavaScript before ES2019 rejects them raw in strings. Both
 * decode to the same code points, so nothing is lost.
 */
static bool
json_must_escape(uint32_t cp)
{
	return cp <= 0x9f || cp == 0x2028 || cp == 0x2029;
}

void
escape_json(struct buf *out, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 i, n;

	buf_add_char(out, '"');
	for (i = 0; i < len; i += n) {
		if (p[i] < 0x80) {
			json_ascii(out, p[i]);
			n = 1;
			continue;
		}

		/* Invalid bytes are all >= 0x80: "\udc80" to "\udcff". */
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			buf_printf(out, "\\udc%02x", p[i]);
			n = 1;
		} else if (json_must_escape(cp))
			buf_printf(out, "\\u%04x", cp);
		else
			buf_add(out, p + i, n);
	}
	buf_add_char(out, '"');
}
