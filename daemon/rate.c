/*
 * rate.c -- per-receiver rate limits.
 *
 * A receiver with rate = "N/period" may start at most N messages in any
 * window of `period` seconds of real time: the chat robots throttle above
 * about 20 a minute and drop what exceeds it.  The start times (real
 * milliseconds) of the last N messages are kept in a ring per receiver
 * name (names survive a reload; the counts need not survive a restart).
 * What cannot start waits in the outbox for its turn; nothing is ever
 * dropped here.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "rate.h"
#include "xmalloc.h"

struct rate_state {
	char *name;
	long long *sent; /* ring of the last `size` start times, ms */
	int size;
	int n;    /* entries in use */
	int head; /* index of the oldest */
};

static struct rate_state *rates;
static size_t nrates;

/* The state of r, created (or resized after a reload) as needed. */
static struct rate_state *
rate_state(const struct receiver *r)
{
	struct rate_state *st = NULL;

	for (size_t i = 0; i < nrates && st == NULL; i++)
		if (strcmp(rates[i].name, r->name) == 0)
			st = &rates[i];
	if (st == NULL) {
		rates = xreallocarray(rates, nrates + 1, sizeof(*rates));
		st = &rates[nrates++];
		memset(st, 0, sizeof(*st));
		st->name = xstrdup(r->name);
	}
	if (st->size != r->rate_count) {
		free(st->sent);
		st->sent = xcalloc((size_t)r->rate_count, sizeof(*st->sent));
		st->size = r->rate_count;
		st->n = st->head = 0;
	}
	return st;
}

/* Drop start times that have left the window ending at now. */
static void
rate_expire(struct rate_state *st, const struct receiver *r, long long now)
{
	long long period = (long long)r->rate_period * 1000;

	while (st->n > 0 && st->sent[st->head] <= now - period) {
		st->head = (st->head + 1) % st->size;
		st->n--;
	}
}

bool
rate_allow(const struct receiver *r)
{
	struct rate_state *st;

	if (r->rate_period == 0)
		return true;
	st = rate_state(r);
	rate_expire(st, r, clock_real_ms());
	return st->n < st->size;
}

void
rate_note(const struct receiver *r)
{
	long long now = clock_real_ms();
	struct rate_state *st;

	if (r->rate_period == 0)
		return;
	st = rate_state(r);
	rate_expire(st, r, now);
	if (st->n == st->size) {
		/* Started regardless (a test message): the oldest goes. */
		st->head = (st->head + 1) % st->size;
		st->n--;
	}
	st->sent[(st->head + st->n) % st->size] = now;
	st->n++;
}

long long
rate_wait_ms(const struct receiver *r)
{
	struct rate_state *st;

	if (rate_allow(r))
		return 0;
	st = rate_state(r);
	return st->sent[st->head] + (long long)r->rate_period * 1000 -
	    clock_real_ms();
}

void
rate_free(void)
{
	for (size_t i = 0; i < nrates; i++) {
		free(rates[i].name);
		free(rates[i].sent);
	}
	free(rates);
	rates = NULL;
	nrates = 0;
}
