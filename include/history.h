/*
 * history.h -- --history: a case's timeline from the configuration and
 * the outbox, for people (text), scripts (JSON) and spreadsheets (CSV).
 */
#ifndef DEADLINED_HISTORY_H
#define DEADLINED_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config.h"

struct outbox;

/* One delivery, or one attempt of it, copied out of the outbox. */
struct history_row {
	char *case_id, *window, *kind, *alert_id, *receiver, *state, *why;
	char *result, *detail, *message;
	char *subject, *recipients, *message_id; /* e-mail, or NULL */
	char *refused; /* e-mail: recipients refused, or NULL */
	time_t queued; /* daemon clock */
	bool has_attempt;
	long long started_ms, duration_ms, clock_shift; /* real time */
	long status;
};

struct history_rows {
	struct history_row *v;
	size_t n;
};

enum history_format {
	HISTORY_TEXT,
	HISTORY_JSON,
	HISTORY_CSV,
};

/*
 * Print the timeline of case_id (NULL: every case, newest first): the
 * events it records, each window (opened, deadline, closed by what), and
 * every alert with each delivery and every attempt and its outcome, from
 * since on (the daemon's clock).  0, or -1 on an error.
 */
int history_print(const struct config *cfg, const char *case_id, time_t since,
    enum history_format format, FILE *fp);

/* Load the deliveries and attempts of case_id (NULL: every case, newest
 * first) queued from since on into rows; 0, or -1 on an error. */
int history_load(struct outbox *ob, const char *case_id, time_t since,
    struct history_rows *rows);

/* Free what history_load gave. */
void history_rows_free(struct history_rows *rows);

/* The --history --json document of case_id and its rows; a new reference,
 * or NULL. */
json_t *history_json(const struct config *cfg, const char *case_id,
    const struct history_rows *rows);

/* When a row happened, in the configured zone: the attempt's real time,
 * else when it was queued; into buf (CLOCK_RFC3339_BUFSZ). */
char *history_when(const struct history_row *r, char *buf);

#endif
