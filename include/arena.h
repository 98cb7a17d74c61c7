/*
 * arena.h -- a region allocator: many small allocations, one free.
 *
 * A configuration owns one arena for all its strings and fixed-size
 * arrays, so replacing a configuration on reload is a single arena_free
 * and nothing inside it can leak.  The arena's memory is mapped apart
 * from the malloc heap, so what a load mallocs and frees on the way
 * (libconfig's trees, the files' text) leaves no holes between the
 * configuration's pieces, and a freed configuration goes back to the
 * system whole.
 */
#ifndef DEADLINED_ARENA_H
#define DEADLINED_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;    /* aligned objects */
	struct arena_chunk *strings; /* strings, packed apart from them */
};

/* Zeroed memory for n objects of size bytes, aligned for any type;
 * NULL when out of memory or on overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);

/* A copy of s in the arena, packed with the other strings (apart from
 * the aligned objects, so that neither leaves padding between them);
 * NULL when out of memory. */
char *arena_strdup(struct arena *a, const char *s);

/* Bytes the arena holds from the system (for tests and benchmarks). */
size_t arena_size(const struct arena *a);

/* Free everything allocated from a; it may be used again. */
void arena_free(struct arena *a);

#endif
