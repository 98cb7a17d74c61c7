/*
 * arena.c -- a region allocator.
 *
 * Chunks of ARENA_CHUNK bytes are mapped with mmap and chained, one
 * chain for aligned objects and one for strings (packed); an
 * allocation larger than a quarter chunk gets a chunk of its own, linked
 * behind the head so the head's free space is not lost.  Nothing is ever
 * freed alone, which is exactly the lifetime of a parsed configuration.
 * mmap rather than malloc: malloc would place the chunks between the
 * short-lived allocations of a load, and the holes those leave could not
 * be given back; a mapping is given back whole by munmap.
 */
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"

#define ARENA_CHUNK (1024 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size; /* bytes mapped, this header included */
	size_t used; /* bytes of data used */
	alignas(max_align_t) unsigned char data[];
};

/* A new chunk with room for len bytes of data, or NULL. */
static struct arena_chunk *
arena_chunk_new(size_t len)
{
	struct arena_chunk *c;
	size_t size = sizeof(*c) + len;
	void *p;

	if (size < len)
		return NULL;
	size = size < ARENA_CHUNK ? ARENA_CHUNK : (size + 4095) & ~(size_t)4095;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	c = p;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

/* len bytes aligned to align (a power of two) from the chunks at *head,
 * not zeroed; or NULL. */
static void *
arena_take(struct arena_chunk **head, size_t len, size_t align)
{
	struct arena_chunk *c = *head;
	size_t off;

	if (c != NULL) {
		off = (c->used + align - 1) & ~(align - 1);
		if (off <= c->size - sizeof(*c) &&
		    c->size - sizeof(*c) - off >= len) {
			c->used = off + len;
			return c->data + off;
		}
	}
	if (len > SIZE_MAX - sizeof(*c) - 4095 ||
	    (c = arena_chunk_new(len)) == NULL)
		return NULL;
	c->used = len;
	if (*head != NULL && len > ARENA_CHUNK / 4) {
		/* A big one: keep the head, whose free space is larger. */
		c->next = (*head)->next;
		(*head)->next = c;
	} else {
		c->next = *head;
		*head = c;
	}
	return c->data;
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	/* Mapped memory is zero, and nothing in an arena is reused. */
	return arena_take(&a->head, n * size, alignof(max_align_t));
}

char *
arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s) + 1;
	char *p;

	if ((p = arena_take(&a->strings, len, 1)) != NULL)
		memcpy(p, s, len);
	return p;
}

/* Bytes mapped by the chunks from c on. */
static size_t
arena_chunks_size(const struct arena_chunk *c)
{
	size_t n = 0;

	for (; c != NULL; c = c->next)
		n += c->size;
	return n;
}

size_t
arena_size(const struct arena *a)
{
	return arena_chunks_size(a->head) + arena_chunks_size(a->strings);
}

/* Unmap the chunks from c on. */
static void
arena_chunks_free(struct arena_chunk *c)
{
	struct arena_chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		munmap(c, c->size);
	}
}

void
arena_free(struct arena *a)
{
	arena_chunks_free(a->head);
	arena_chunks_free(a->strings);
	a->head = a->strings = NULL;
}
