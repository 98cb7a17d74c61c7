/*
 * strtab.h -- a string table: one copy of each distinct string.
 *
 * Court names repeat across thousands of cases and titles often do;
 * strtab_intern returns the one copy (in an arena) of a string equal to
 * s, making it on first sight.  The table itself is only needed while
 * strings are added: free it and the copies stay, owned by the arena.
 */
#ifndef DEADLINED_STRTAB_H
#define DEADLINED_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct strtab {
	const char **slot; /* open addressing; NULL is empty */
	uint32_t *hash;    /* each slot's hash */
	size_t size;       /* slots, a power of two */
	size_t n;          /* strings held */
};

/* The arena copy of s, shared with every equal string interned before;
 * NULL when out of memory. */
const char *strtab_intern(struct strtab *t, struct arena *a, const char *s);

/* Forget the table (the strings stay in their arena); t may be reused. */
void strtab_free(struct strtab *t);

#endif
