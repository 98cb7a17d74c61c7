/*
 * window.c -- windows of configured cases at a moment in time.
 *
 * Timed alerts go out at notify_at local time on their day, so an alert
 * falling today is still ahead until notify_at has passed.
 */
#include "clock.h"
#include "window.h"

bool
window_state(const struct config *cfg, const struct case_info *c,
    const struct window_def *w, struct window_state *ws)
{
	struct window_events ev;

	config_window_events(w, c, &ev);
	if (!ev.opened)
		return false;
	deadline_compute(&w->rule, &cfg->calendar, &ev, ws);
	return true;
}

bool
window_next_alert(const struct config *cfg, const struct window_def *w,
    const struct window_state *ws, time_t now, struct timed_alert *alert,
    time_t *when)
{
	date_t today;
	int secs;

	clock_split(now, &today, &secs);
	if (!deadline_next_alert(ws, &w->reminders,
	        secs <= cfg->notify_at ? today : today + 1, alert))
		return false;
	*when = clock_local(alert->day, cfg->notify_at);
	return true;
}
