/*
 * deadline.c -- the deadline engine.
 *
 * Counting follows Criminal Procedure Law Art. 105: the opening day is not
 * counted, the period runs in calendar days (holidays inside it are not
 * skipped), and only a last day that is a day off moves, to the first
 * working day after it.  Timed alerts are never stored: they are computed
 * on demand from the window, so a reload that moves a deadline moves every
 * alert with it.
 */
#include <stdbool.h>

#include "deadline.h"

void
deadline_compute(const struct window_rule *rule, const struct calendar *cal,
    const struct window_events *ev, struct window_state *ws)
{
	ws->opened = ev->opened_on;
	ws->extended = ev->extended && rule->extended_days > 0;
	ws->days = ws->extended ? rule->extended_days : rule->days;
	ws->last_day = ws->opened + ws->days;
	ws->deadline = calendar_roll(cal, ws->last_day, rule->roll);
	ws->closed = ev->closed;
	ws->closed_on = ev->closed_on;
	ws->closed_by = ev->closed_by;
	ws->cal = cal;
	/* Only a deadline that could roll can move once the year's
	 * holidays are known; a closed window's no longer matters. */
	ws->provisional = !ws->closed && rule->roll != ROLL_NONE &&
	    (calendar_uncovered(cal, ws->last_day) ||
	        calendar_uncovered(cal, ws->deadline));
}

int
deadline_days_left(const struct window_state *ws, date_t today)
{
	return ws->deadline - today;
}

/* True if the window's alerts move off days off (reminders.on). */
static bool
deadline_moves(const struct window_state *ws, const struct reminders *rem)
{
	return ws->cal != NULL && rem->on == REMINDERS_WORKING_DAYS;
}

/*
 * The day reminder i (of rem->before) falls on, before the opening-day
 * check: counted back in working days (before_working), or in calendar
 * days and then, with reminders.on working days, moved from a day off to
 * the last working day before it.  Both keep the order of the list, so
 * reminder 0 is the earliest.
 */
static long
deadline_reminder_day(const struct window_state *ws,
    const struct reminders *rem, size_t i)
{
	long day = (long)ws->deadline - rem->before[i];

	if (rem->before_working && ws->cal != NULL)
		return calendar_working_days_before(ws->cal, ws->deadline,
		    rem->before[i]);
	if (!rem->before_working && deadline_moves(ws, rem))
		return calendar_working_on_or_before(ws->cal, (date_t)day);
	return day;
}

enum window_status
deadline_status(const struct window_state *ws, const struct reminders *rem,
    date_t today)
{
	int left = deadline_days_left(ws, today);
	int soon = rem->nbefore > 0
	    ? (int)((long)ws->deadline - deadline_reminder_day(ws, rem, 0))
	    : 0;

	if (ws->closed)
		return STATUS_CLOSED;
	if (left < 0)
		return STATUS_OVERDUE;
	if (left == 0)
		return STATUS_DUE_TODAY;
	if (left <= soon)
		return STATUS_DUE_SOON;
	return STATUS_OPEN;
}

/* Fill a timed alert falling on day. */
static void
deadline_alert(const struct window_state *ws, enum alert_kind kind, date_t day,
    struct timed_alert *out)
{
	out->kind = kind;
	out->day = day;
	out->days_left = ws->deadline - day;
	out->occurrence = out->days_left < 0 ? -out->days_left : out->days_left;
}

/* Keep in *best the alert with the earliest (or latest) day; reminders
 * come in order, so the first found wins a tie. */
static void
deadline_pick(const struct window_state *ws, enum alert_kind kind, date_t day,
    bool earliest, bool *found, struct timed_alert *best)
{
	if (*found && (earliest ? day >= best->day : day <= best->day))
		return;
	deadline_alert(ws, kind, day, best);
	*found = true;
}

/*
 * Overdue alerts fall on the day after the deadline day and then every
 * overdue_every days, while no more than overdue_max days after it; the
 * first is always sent.  The index of the last one:
 */
static long
deadline_overdue_last(const struct reminders *rem)
{
	if (rem->overdue_every == 0 || rem->overdue_max < 1)
		return 0;
	return (rem->overdue_max - 1) / rem->overdue_every;
}

/* The day of overdue alert n (n = 0 is the day after the deadline). */
static long
deadline_overdue_day(const struct window_state *ws, const struct reminders *rem,
    long n)
{
	return (long)ws->deadline + 1 + n * rem->overdue_every;
}

/* The day overdue alert n goes out on: its day, or with reminders.on
 * working days the first working day on or after it. */
static long
deadline_overdue_on(const struct window_state *ws, const struct reminders *rem,
    long n)
{
	long day = deadline_overdue_day(ws, rem, n);

	if (!deadline_moves(ws, rem))
		return day;
	return calendar_roll(ws->cal, (date_t)day, ROLL_NEXT_WORKING_DAY);
}

/* The earliest day an overdue alert's own day may be for it to go out on
 * or after from: from, or when repeats move, the day after the last
 * working day before from (one due earlier moved to that day or before). */
static long
deadline_overdue_from(const struct window_state *ws,
    const struct reminders *rem, date_t from)
{
	if (!deadline_moves(ws, rem))
		return from;
	return (long)calendar_working_on_or_before(ws->cal, from - 1) + 1;
}

/* The latest day an overdue alert's own day may be for it to go out on
 * or before upto: upto, or when repeats move, the last working day on or
 * before it. */
static long
deadline_overdue_upto(const struct window_state *ws,
    const struct reminders *rem, date_t upto)
{
	if (!deadline_moves(ws, rem))
		return upto;
	return calendar_working_on_or_before(ws->cal, upto);
}

bool
deadline_next_alert(const struct window_state *ws, const struct reminders *rem,
    date_t from, struct timed_alert *out)
{
	bool found = false;
	long n, day, lo;

	if (ws->closed)
		return false;
	for (size_t i = 0; i < rem->nbefore; i++) {
		day = deadline_reminder_day(ws, rem, i);
		if (day > ws->opened && day >= from)
			deadline_pick(ws, ALERT_REMINDER, day, true, &found,
			    out);
	}
	if (rem->on_due_day && ws->deadline >= from)
		deadline_pick(ws, ALERT_DUE, ws->deadline, true, &found, out);

	/* The first overdue alert on or after from, if one is left. */
	n = 0;
	lo = deadline_overdue_from(ws, rem, from);
	if (lo > (long)ws->deadline + 1 && rem->overdue_every > 0)
		n = (lo - ws->deadline - 1 + rem->overdue_every - 1) /
		    rem->overdue_every;
	day = deadline_overdue_on(ws, rem, n);
	if (n <= deadline_overdue_last(rem) && day >= from)
		deadline_pick(ws, ALERT_OVERDUE, day, true, &found, out);
	return found;
}

bool
deadline_last_alert(const struct window_state *ws, const struct reminders *rem,
    date_t upto, struct timed_alert *out)
{
	bool found = false;
	long n, day, hi;

	if (ws->closed)
		return false;
	for (size_t i = 0; i < rem->nbefore; i++) {
		day = deadline_reminder_day(ws, rem, i);
		if (day > ws->opened && day <= upto)
			deadline_pick(ws, ALERT_REMINDER, day, false, &found,
			    out);
	}
	if (rem->on_due_day && ws->deadline <= upto)
		deadline_pick(ws, ALERT_DUE, ws->deadline, false, &found, out);

	/* The last overdue alert on or before upto. */
	hi = deadline_overdue_upto(ws, rem, upto);
	if (hi > ws->deadline) {
		n = 0;
		if (rem->overdue_every > 0)
			n = (hi - ws->deadline - 1) / rem->overdue_every;
		if (n > deadline_overdue_last(rem))
			n = deadline_overdue_last(rem);
		day = deadline_overdue_on(ws, rem, n);
		deadline_pick(ws, ALERT_OVERDUE, day, false, &found, out);
	}
	return found;
}

const char *
deadline_kind_name(enum alert_kind kind)
{
	switch (kind) {
	case ALERT_REMINDER:
		return "reminder";
	case ALERT_DUE:
		return "due";
	case ALERT_OVERDUE:
		return "overdue";
	case ALERT_OPENED:
		return "opened";
	case ALERT_EXTENDED:
		return "extended";
	case ALERT_CLOSED:
		return "closed";
	case ALERT_MOVED:
		return "moved";
	case ALERT_REMOVED:
		return "removed";
	}
	return "unknown";
}

const char *
deadline_status_name(enum window_status status)
{
	switch (status) {
	case STATUS_OPEN:
		return "open";
	case STATUS_DUE_SOON:
		return "due_soon";
	case STATUS_DUE_TODAY:
		return "due_today";
	case STATUS_OVERDUE:
		return "overdue";
	case STATUS_CLOSED:
		return "closed";
	}
	return "unknown";
}
