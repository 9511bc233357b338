/*
 * A growable byte buffer for building output text. Allocation failure is
 * sticky: once an append fails, buf->failed stays set and further appends
 * do nothing, so a caller checks once at the end.
 */
#ifndef PMTOP_MODEL_BUF_H
#define PMTOP_MODEL_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* Hands the contents on (to a file, say); false if that failed. */
typedef bool buf_flush_cb(struct buf *b, void *arg);

struct buf {
	char		*p;	/* always NUL-terminated once non-NULL */
	size_t		 len;
	size_t		 cap;
	bool		 failed;

	buf_flush_cb	*flush;	/* NULL: keep everything */
	void		*flush_arg;
	size_t		 flush_at;
};

void buf_init(struct buf *b);
void buf_fini(struct buf *b);

/* Forget the contents, keep the memory. */
void buf_reset(struct buf *b);

/*
 * Stream instead of keeping: once the contents reach at bytes, cb gets
 * them and they are forgotten, so memory stays bounded however much is
 * appended. The caller flushes what is left at the end. A false return
 * marks the buffer failed.
 */
void buf_set_flush(struct buf *b, size_t at, buf_flush_cb *cb, void *arg);

void buf_add(struct buf *b, const void *data, size_t len);
void buf_add_str(struct buf *b, const char *s);
void buf_add_char(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
