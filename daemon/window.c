/*
 * window.c -- windows of configured cases at a moment in time.
 *
 * Timed alerts go out at notify_at local time on their day, so an alert
 * falling today is still ahead until that instant and due from it on.
 * window_alerts_due_today is the one place that rule is written: the
 * planner (schedule.c) and --list (via window_next_alert) both ask it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "route.h"
#include "window.h"

#define WINDOW_YEARS 16 /* distinct years reported at most */

/* How many open windows have their deadline in a year. */
struct window_year {
	int year;
	size_t windows;
};

bool
window_state(const struct config *cfg, const struct case_info *c,
    const struct window_def *w, struct window_state *ws)
{
	struct window_events ev;

	config_window_events(w, c, &ev);
	if (!ev.opened)
		return false;
	deadline_compute(&w->rule, &cfg->calendar, &ev, ws);
	route_ack(c, &w->reminders, ws);
	return true;
}

time_t
window_alert_time(const struct config *cfg, date_t day)
{
	return clock_local(day, cfg->notify_at);
}

bool
window_alerts_due_today(const struct config *cfg, time_t now, date_t *today)
{
	int secs;

	clock_split(now, today, &secs);
	/* Instants, not secs: on a day the clock changes, wall clock and
	 * time elapsed part, and notify_at may be skipped or repeated. */
	return now >= window_alert_time(cfg, *today);
}

bool
window_next_alert(const struct config *cfg, const struct window_def *w,
    const struct window_state *ws, time_t now, struct timed_alert *alert,
    time_t *when)
{
	date_t today;

	if (window_alerts_due_today(cfg, now, &today))
		today++;
	if (!route_next_alert(ws, &w->reminders, today, alert))
		return false;
	*when = window_alert_time(cfg, alert->day);
	return true;
}

/* Count one more window deadline in year among v[0..*n). */
static void
window_count_year(struct window_year *v, size_t *n, int year)
{
	size_t i;

	for (i = 0; i < *n && v[i].year != year; i++)
		;
	if (i == *n) {
		if (*n == WINDOW_YEARS)
			return;
		v[(*n)++] = (struct window_year){year, 0};
	}
	v[i].windows++;
}

static int
window_year_cmp(const void *a, const void *b)
{
	return ((const struct window_year *)a)->year -
	    ((const struct window_year *)b)->year;
}

void
window_uncovered_years(const struct config *cfg,
    void (*fn)(int year, size_t windows, void *arg), void *arg)
{
	struct window_year v[WINDOW_YEARS];
	struct window_state ws;
	size_t n = 0;
	int y, m, d;

	if (!calendar_has_days(&cfg->calendar))
		return;
	for (size_t i = 0; i < cfg->ncases; i++) {
		for (size_t k = 0; k < cfg->nwindows; k++) {
			if (!window_state(cfg, &cfg->cases[i], &cfg->windows[k],
			        &ws) ||
			    !ws.provisional)
				continue;
			/* The last day counted, or the day it rolled to. */
			date_to_ymd(calendar_uncovered(&cfg->calendar,
			                ws.last_day)
			        ? ws.last_day
			        : ws.deadline,
			    &y, &m, &d);
			window_count_year(v, &n, y);
		}
	}
	qsort(v, n, sizeof(*v), window_year_cmp);
	for (size_t i = 0; i < n; i++)
		fn(v[i].year, v[i].windows, arg);
}

char *
window_uncovered_message(int year, size_t windows, char *buf, size_t len)
{
	snprintf(buf, len,
	    "%zu open window%s ha%s a deadline in %d, a year no holiday file "
	    "covers: a deadline on one of its public holidays would not "
	    "roll; add the State Council's %d holiday notice (e.g. "
	    "holidays/cn-%d.conf) to calendar.include",
	    windows, windows == 1 ? "" : "s", windows == 1 ? "s" : "ve", year,
	    year, year);
	return buf;
}
