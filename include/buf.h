/*
 * buf.h -- a growing string, for building messages piece by piece.
 * s is NULL until the first append, and NUL-terminated after it; the
 * caller owns s (free it, or keep it as the result).
 */
#ifndef DEADLINED_BUF_H
#define DEADLINED_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *s;
	size_t len;
	size_t cap;
};

/* Append n bytes of s (out of memory is fatal). */
void buf_addn(struct buf *b, const char *s, size_t n);

/* Append a NUL-terminated string. */
void buf_adds(struct buf *b, const char *s);

/* Append a formatted string. */
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* The string so far, "" when nothing was appended; b is left empty and
 * the caller owns the result. */
char *buf_take(struct buf *b);

#endif
