/*
 * utf8.h -- the little of UTF-8 deadlined needs: checking it, how many
 * terminal columns a string takes (Chinese characters take two), and
 * folding full-width forms so that ids can be compared.
 */
#ifndef DEADLINED_UTF8_H
#define DEADLINED_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Drop a character cut in two at the end of s (as snprintf leaves one
 * when it stops at its limit), so that a copy of UTF-8 stays UTF-8. */
void utf8_trim_cut(char *s);

/* True if s is well-formed UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s);

/* Where s stops being well-formed UTF-8: the first byte of the first
 * character that is not, or NULL if s is valid throughout. */
const char *utf8_invalid(const char *s);

/* Columns s takes on a terminal: 2 for East Asian wide characters, 0 for
 * the common Latin combining marks and zero-width spaces, 1 otherwise
 * (and for each byte of bad UTF-8). */
size_t utf8_width(const char *s);

/* s as it compares with other ways of writing it: full-width ASCII forms
 * (U+FF01..U+FF5E, such as （ and ）) as ASCII, the ideographic space
 * U+3000 as a space, and white space trimmed from both ends.  So
 * "（2026）沪1号" and "(2026)沪1号 " fold alike.  A new string. */
char *utf8_fold(const char *s);

/* The same in place: s is folded into itself (never longer). */
void utf8_fold_in(char *s);

/* True if s starts or ends with white space, ASCII or U+3000. */
bool utf8_edge_space(const char *s);

#endif
