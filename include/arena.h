/*
 * arena.h -- a region allocator: many small allocations, one free.
 *
 * A configuration owns one arena for all its strings and fixed-size
 * arrays, so replacing a configuration on reload is a single arena_free
 * and nothing inside it can leak.
 */
#ifndef DEADLINED_ARENA_H
#define DEADLINED_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

/* Zeroed memory for n objects of size bytes, aligned for any type;
 * NULL when out of memory or on overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);

/* A copy of s in the arena; NULL when out of memory. */
char *arena_strdup(struct arena *a, const char *s);

/* Free everything allocated from a; it may be used again. */
void arena_free(struct arena *a);

#endif
