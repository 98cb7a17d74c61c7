/*
 * suggest.h -- "did you mean ...?": the valid name nearest to a name
 * that is not one, by edit distance.
 */
#ifndef DEADLINED_SUGGEST_H
#define DEADLINED_SUGGEST_H

#include <stddef.h>

/* The optimal-string-alignment (restricted Damerau-Levenshtein) distance
 * between a and b: insertions, deletions, substitutions and swaps of two
 * neighbouring bytes each cost 1.  Names longer than SUGGEST_MAX_LEN
 * bytes are as far as their lengths. */
#define SUGGEST_MAX_LEN 64
size_t suggest_distance(const char *a, const char *b);

/* The name of list (n of them, NULL entries skipped) nearest to name, if
 * it is close enough to be a typo of it: at most 1 edit for names of up
 * to 4 bytes, 2 up to 8, 3 beyond, and fewer edits than the name has
 * bytes.  The first of equally near ones; NULL if none is close. */
const char *suggest_nearest(const char *name, const char *const *list,
    size_t n);

#endif
