/*
 * history.h -- --history: a case's timeline from the configuration and
 * the outbox, for people (text), scripts (JSON) and spreadsheets (CSV).
 */
#ifndef DEADLINED_HISTORY_H
#define DEADLINED_HISTORY_H

#include <stdio.h>
#include <time.h>

#include "config.h"

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

#endif
