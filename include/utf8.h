/*
 * utf8.h -- the little of UTF-8 deadlined needs: checking it, and how
 * many terminal columns a string takes (Chinese characters take two).
 */
#ifndef DEADLINED_UTF8_H
#define DEADLINED_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True if s is well-formed UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s);

/* Columns s takes on a terminal: 2 for East Asian wide characters, 0 for
 * the common Latin combining marks and zero-width spaces, 1 otherwise
 * (and for each byte of bad UTF-8). */
size_t utf8_width(const char *s);

#endif
