/*
 * window.h -- the windows of the configured cases, worked out for a
 * moment in time: the bridge between the configuration, the pure deadline
 * engine and the configured zone's wall clock.
 */
#ifndef DEADLINED_WINDOW_H
#define DEADLINED_WINDOW_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "deadline.h"

/* Work out window w of case c; false if the case has not opened it. */
bool window_state(const struct config *cfg, const struct case_info *c,
    const struct window_def *w, struct window_state *ws);

/* When the timed alerts of local day go out: notify_at on it, as
 * clock_local resolves a skipped or repeated time. */
time_t window_alert_time(const struct config *cfg, date_t day);

/* True if today's timed alerts are due at now (now is at or after
 * window_alert_time of today); today gets now's local day.  The one rule
 * for "is today's alert still ahead?". */
bool window_alerts_due_today(const struct config *cfg, time_t now,
    date_t *today);

/* The first timed alert of a window not yet due at now, and when it goes
 * out; false if there is none left. */
bool window_next_alert(const struct config *cfg, const struct window_def *w,
    const struct window_state *ws, time_t now, struct timed_alert *alert,
    time_t *when);

/*
 * Provisional windows (struct window_state): open windows whose deadline
 * falls in a year the holiday calendar says nothing of, while it does
 * list days of other years: the next year's State Council notice has not
 * been put in, so a deadline on one of its holidays would not roll.
 * Calls fn(year, windows, arg) for each such year, earliest first.
 */
void window_uncovered_years(const struct config *cfg,
    void (*fn)(int year, size_t windows, void *arg), void *arg);

/* The warning for such a year, into buf. */
char *window_uncovered_message(int year, size_t windows, char *buf, size_t len);

#endif
