/*
 * deadline.h -- the deadline engine: when a window closes and when its
 * reminders fall.  Pure code: civil dates in, civil dates out; no clock,
 * no time zone, no I/O.
 *
 * A window opens on one dated event of a case (the police received the
 * transfer), lasts `days` calendar days not counting the opening day
 * (`extended_days` once an extension is recorded), ends on the next
 * working day when that last day is a day off, and closes early when one
 * of its closing events is recorded.
 */
#ifndef DEADLINED_DEADLINE_H
#define DEADLINED_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "date.h"

#define REMINDERS_BEFORE_MAX 16

/* What the reminder days are counted in (reminders.on).  Zero is the
 * old behaviour, so a zeroed struct reminders counts calendar days. */
enum reminders_on {
	REMINDERS_CALENDAR_DAYS, /* reminders fall where counting puts them */
	REMINDERS_WORKING_DAYS,  /* off a day off: reminders earlier, overdue
	                            repeats later, to a working day */
};

/* When alerts fall, relative to a window's deadline day. */
struct reminders {
	int before[REMINDERS_BEFORE_MAX]; /* days before, largest first */
	size_t nbefore;
	bool before_working; /* before counts working days (before_working) */
	enum reminders_on on;
	bool on_due_day;
	int overdue_every; /* days between overdue alerts; 0 = once */
	int overdue_max;   /* no overdue alert later than this after */
	int ack_days;      /* days an acknowledgement pauses overdue alerts */
};

/* How a window's deadline is counted. */
struct window_rule {
	int days;          /* the ordinary period */
	int extended_days; /* the period once extended; 0 = cannot be */
	enum roll roll;
};

/* The events a case has recorded for one window. */
struct window_events {
	bool opened;
	date_t opened_on;
	bool extended;
	date_t extended_on;
	bool closed;
	date_t closed_on;      /* the earliest closing event */
	const char *closed_by; /* its name */
};

/* A window of a case, worked out. */
struct window_state {
	date_t opened;
	int days; /* the period that applies */
	bool extended;
	date_t last_day; /* opened + days, before any roll */
	date_t deadline; /* the day the window closes at the end of */
	bool closed;
	date_t closed_on;
	const char *closed_by; /* the event that closed it */
	bool provisional; /* open, rolls, and its last day or deadline falls
	                     in a year the calendar does not cover */
	const struct calendar *cal; /* the one it was worked out with (its
	                               working days place the alerts); NULL:
	                               every day is a working day */
	/* Set by route_ack (route.h), not by deadline_compute: overdue
	 * alerts pause from ack_from through ack_until. */
	bool acked;
	date_t ack_from, ack_until;
	const char *ack_by; /* who acknowledged, or NULL */
};

enum alert_kind {
	ALERT_REMINDER, /* n days before the deadline day */
	ALERT_DUE,      /* on the deadline day */
	ALERT_OVERDUE,  /* n days after it */
	ALERT_OPENED,   /* a window opened */
	ALERT_EXTENDED, /* its deadline moved */
	ALERT_CLOSED,   /* a closing event was recorded */
	ALERT_MOVED,    /* its deadline moved earlier */
	ALERT_REMOVED,  /* the case or window is no longer configured */
};

enum window_status {
	STATUS_OPEN,
	STATUS_DUE_SOON,
	STATUS_DUE_TODAY,
	STATUS_OVERDUE,
	STATUS_CLOSED,
};

/* One timed alert of a window. */
struct timed_alert {
	enum alert_kind kind;
	date_t day;     /* the civil day it goes out on */
	int occurrence; /* days before (reminder) or after (overdue) */
	int days_left;  /* deadline minus day */
};

/* Work out a window from its rule, the calendar and the case's events;
 * ev->opened must be true. */
void deadline_compute(const struct window_rule *rule,
    const struct calendar *cal, const struct window_events *ev,
    struct window_state *ws);

/* Deadline day minus today: 0 on the day, negative once overdue. */
int deadline_days_left(const struct window_state *ws, date_t today);

/* The state --list shows for a window on a given day. */
enum window_status deadline_status(const struct window_state *ws,
    const struct reminders *rem, date_t today);

/*
 * The earliest timed alert falling on or after day from; false if none
 * (a closed window has none).  With rem->on working days, a reminder that
 * would fall on a day off of ws->cal falls on the last working day before
 * it, and an overdue repeat on the next working day after it; a reminder
 * on or before the opening day is dropped, and alerts moved onto one day
 * are one alert (its occurrence is counted from the day it falls on).
 */
bool deadline_next_alert(const struct window_state *ws,
    const struct reminders *rem, date_t from, struct timed_alert *out);

/* The latest timed alert falling on or before day upto; false if none. */
bool deadline_last_alert(const struct window_state *ws,
    const struct reminders *rem, date_t upto, struct timed_alert *out);

/* "reminder", "due", ... as used in alerts, ids and logs. */
const char *deadline_kind_name(enum alert_kind kind);

/* "open", "due_soon", "due_today", "overdue" or "closed". */
const char *deadline_status_name(enum window_status status);

#endif
