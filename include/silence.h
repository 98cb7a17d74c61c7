/*
 * silence.h -- silences: no timed alerts for a case, or one of its
 * windows, until a given day.
 *
 * A silence is written in a case file (`silence = { ... };` in the case)
 * or in a file of silences_dir for many cases at once (named by id, or
 * all of a court).  Announcements still go out; each timed alert that
 * falls under a silence is recorded in the outbox as `silenced` with
 * the silence, and the first one after it says it ended.
 */
#ifndef DEADLINED_SILENCE_H
#define DEADLINED_SILENCE_H

#include <jansson.h>

#include "config.h"
#include "loader.h"

#define SILENCE_DAYS_MAX 90 /* the longest silence, from today */

/* Read the `silence` group of case c into its extra; errors are
 * recorded against the current file. */
void silence_case(struct loader *ld, const config_setting_t *g,
    struct case_info *c);

/* Read every *.conf in silences_dir, in name order; `line` is where the
 * main file names it. */
void silence_dir(struct loader *ld, int line);

/* Once every case is read: give each case the silences that cover it,
 * recording an error for each case id or court no case has. */
void silence_resolve(struct loader *ld);

/* Append an error to errs for each silence that ends more than
 * SILENCE_DAYS_MAX days after today; how many.  Today needs the zone
 * and --now, so this is a step after config_load (as config_warnings). */
size_t silence_check_until(const struct config *cfg, date_t today,
    struct config_errors *errs);

/* The silence that covers window w of case c on day, the one that ends
 * last if several do; NULL if none. */
const struct silence *silence_find(const struct case_info *c,
    const struct window_def *w, date_t day);

/* {"until": "YYYY-MM-DD", "reason": "..."}: a new JSON object. */
json_t *silence_json(const struct silence *s);

/* "silenced until YYYY-MM-DD: reason", the outbox's note, into buf. */
char *silence_note(const struct silence *s, char *buf, size_t len);

#endif
