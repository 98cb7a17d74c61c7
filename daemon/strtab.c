/*
 * strtab.c -- a string table for interning.
 *
 * Open addressing with linear probing over a power-of-two array, kept at
 * most half full; the hash is FNV-1a, stored beside each slot so that a
 * probe compares strings only when the hashes agree.
 */
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

#define STRTAB_MIN 1024

static uint32_t
strtab_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot holding s (hash h), or the empty slot where it goes. */
static size_t
strtab_find(const struct strtab *t, const char *s, uint32_t h)
{
	size_t i = h & (t->size - 1);

	while (t->slot[i] != NULL &&
	    (t->hash[i] != h || strcmp(t->slot[i], s) != 0))
		i = (i + 1) & (t->size - 1);
	return i;
}

/* Double the table (or make the first one); -1 when out of memory. */
static int
strtab_grow(struct strtab *t)
{
	struct strtab bigger = {.n = t->n};
	size_t k;

	bigger.size = t->size == 0 ? STRTAB_MIN : t->size * 2;
	bigger.slot = calloc(bigger.size, sizeof(*bigger.slot));
	bigger.hash = calloc(bigger.size, sizeof(*bigger.hash));
	if (bigger.slot == NULL || bigger.hash == NULL) {
		free(bigger.slot);
		free(bigger.hash);
		return -1;
	}
	for (size_t i = 0; i < t->size; i++) {
		if (t->slot[i] == NULL)
			continue;
		k = strtab_find(&bigger, t->slot[i], t->hash[i]);
		bigger.slot[k] = t->slot[i];
		bigger.hash[k] = t->hash[i];
	}
	strtab_free(t);
	*t = bigger;
	return 0;
}

const char *
strtab_intern(struct strtab *t, struct arena *a, const char *s)
{
	uint32_t h = strtab_hash(s);
	size_t i;
	char *copy;

	if (t->size == 0 || (t->n + 1) * 2 > t->size)
		if (strtab_grow(t) == -1)
			return NULL;
	i = strtab_find(t, s, h);
	if (t->slot[i] != NULL)
		return t->slot[i];
	if ((copy = arena_strdup(a, s)) == NULL)
		return NULL;
	t->slot[i] = copy;
	t->hash[i] = h;
	t->n++;
	return copy;
}

void
strtab_free(struct strtab *t)
{
	free(t->slot);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}
