/*
 * Growable byte buffer. Capacity doubles; a failed allocation marks the
 * buffer failed instead of returning an error from every append.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/buf.h"

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof *b);
}

void
buf_fini(struct buf *b)
{
	free(b->p);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
buf_set_flush(struct buf *b, size_t at, buf_flush_cb *cb, void *arg)
{
	b->flush = cb;
	b->flush_arg = arg;
	b->flush_at = at;
}

/* Make room for need more bytes and the NUL; false once failed. */
static bool
buf_reserve(struct buf *b, size_t need)
{
	size_t	 cap;
	char	*p;

	if (b->failed)
		return false;
	if (b->flush != NULL && b->len > 0 && b->len + need > b->flush_at) {
		if (!b->flush(b, b->flush_arg)) {
			b->failed = true;
			return false;
		}
		buf_reset(b);
	}
	if (b->len + need + 1 <= b->cap)
		return true;

	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	if (!buf_reserve(b, len))
		return;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
buf_add_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_add_char(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!buf_reserve(b, (size_t)n))
		return;

	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
