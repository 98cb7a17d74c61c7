/*
 * suggest.c -- the nearest valid name to a misspelt one, for messages
 * such as "unknown key 'transfered': did you mean 'transferred'?".
 *
 * Names are short (keys, events, receivers), so the quadratic dynamic
 * programme is cheap; it keeps three rows so that a swap of two
 * neighbouring letters ("tilte") costs one edit, not two.
 */
#include <string.h>

#include "suggest.h"

size_t
suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), cost, v;
	size_t rows[3][SUGGEST_MAX_LEN + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return la > lb ? la : lb;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			cost = a[i - 1] != b[j - 1];
			v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* How many edits still make name a typo of another. */
static size_t
suggest_limit(size_t len)
{
	if (len <= 4)
		return 1;
	return len <= 8 ? 2 : 3;
}

const char *
suggest_nearest(const char *name, const char *const *list, size_t n)
{
	size_t len = strlen(name), best = (size_t)-1, d;
	const char *found = NULL;

	for (size_t i = 0; i < n; i++) {
		if (list[i] == NULL || strcmp(list[i], name) == 0)
			continue;
		d = suggest_distance(name, list[i]);
		if (d < best) {
			best = d;
			found = list[i];
		}
	}
	if (found == NULL || best > suggest_limit(len) || best >= len)
		return NULL;
	return found;
}
