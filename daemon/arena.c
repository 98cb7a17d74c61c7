/*
 * arena.c -- a region allocator.
 *
 * Chunks of at least ARENA_CHUNK bytes are chained; an allocation that does
 * not fit in the head chunk starts a new one sized for it.  Nothing is ever
 * freed alone, which is exactly the lifetime of a parsed configuration.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK 16384

struct arena_chunk {
	struct arena_chunk *next;
	size_t size; /* bytes in data */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t len, align = alignof(max_align_t), want;
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	len = n * size;
	if (len > SIZE_MAX - align)
		return NULL;
	len = (len + align - 1) & ~(align - 1);
	if (c == NULL || c->size - c->used < len) {
		want = len > ARENA_CHUNK ? len : ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + want)) == NULL)
			return NULL;
		c->next = a->head;
		c->size = want;
		c->used = 0;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += len;
	memset(p, 0, len);
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s) + 1;
	char *p;

	if ((p = arena_calloc(a, len, 1)) != NULL)
		memcpy(p, s, len);
	return p;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}
