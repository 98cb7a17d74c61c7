/*
 * test_deadline.c -- the deadline engine against the law (DOMAIN.md) and
 * the "Deadline rule" and "Alerts" sections of DESIGN.md.
 *
 * Every expected date below was worked out by hand from the rule: last
 * day = opening day + period (the opening day is not counted, holidays
 * inside the period are not skipped); if that day is a Saturday, Sunday or
 * public holiday and not a make-up working day, the deadline is the next
 * working day.  The calendar is the 2025/2026 one of testcal.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "date.h"
#include "deadline.h"
#include "testcal.h"

static struct calendar cal;

/* The police decision window: 7 days, 30 when extended. */
static const struct window_rule decision = {7, 30, ROLL_NEXT_WORKING_DAY};

/* A follow-up window ("reasons"): 7 days, cannot be extended. */
static const struct window_rule reasons = {7, 0, ROLL_NEXT_WORKING_DAY};

/* Builds the shared 2025/2026 calendar. */
static int
setup(void **state)
{
	(void)state;
	testcal_build(&cal);
	return 0;
}

/* Frees the shared calendar. */
static int
teardown(void **state)
{
	(void)state;
	calendar_free(&cal);
	return 0;
}

/* The default reminders of DESIGN.md: 3 and 1 days before, on the day,
 * then daily for 30 days. */
static struct reminders
default_reminders(void)
{
	struct reminders r;

	memset(&r, 0, sizeof(r));
	r.before[0] = 3;
	r.before[1] = 1;
	r.nbefore = 2;
	r.on_due_day = true;
	r.overdue_every = 1;
	r.overdue_max = 30;
	return r;
}

/* Work out a window opened on `opened`, extended on `extended` and closed
 * on `closed` (either may be NULL). */
static struct window_state
compute(const struct window_rule *rule, const char *opened,
    const char *extended, const char *closed)
{
	struct window_events ev;
	struct window_state ws;

	memset(&ev, 0, sizeof(ev));
	memset(&ws, 0, sizeof(ws));
	ev.opened = true;
	ev.opened_on = testcal_day(opened);
	if (extended != NULL) {
		ev.extended = true;
		ev.extended_on = testcal_day(extended);
	}
	if (closed != NULL) {
		ev.closed = true;
		ev.closed_on = testcal_day(closed);
	}
	deadline_compute(rule, &cal, &ev, &ws);
	return ws;
}

/* A window with an arbitrary period and roll, neither extended nor
 * closed. */
static struct window_state
compute_days(int days, enum roll roll, const char *opened)
{
	struct window_rule rule = {days, 0, roll};

	return compute(&rule, opened, NULL, NULL);
}

/* Checks the worked examples of DOMAIN.md and DESIGN.md. */
static void
test_worked_examples(void **state)
{
	static const struct {
		const char *opened, *last, *deadline;
	} ex[] = {
	    {"2025-07-03", "2025-07-10", "2025-07-10"}, /* Thu, working */
	    {"2025-09-26", "2025-10-03", "2025-10-09"}, /* National Day */
	    {"2025-07-04", "2025-07-11", "2025-07-11"}, /* Fri, working */
	    {"2025-07-05", "2025-07-12", "2025-07-14"}, /* Sat -> Mon */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		struct window_state ws =
		    compute(&decision, ex[i].opened, NULL, NULL);

		assert_date_equal(ws.opened, ex[i].opened);
		assert_int_equal(ws.days, 7);
		assert_false(ws.extended);
		assert_date_equal(ws.last_day, ex[i].last);
		assert_date_equal(ws.deadline, ex[i].deadline);
		assert_false(ws.closed);
	}
}

/*
 * Checks a raw last day on every day of every 2025 and 2026 holiday
 * period (window opened 7 days earlier) rolls to the first working day
 * after the period, worked out by hand per period.
 */
static void
test_last_day_in_each_holiday(void **state)
{
	static const struct {
		const char *first, *last, *deadline, *why;
	} per[] = {
	    {"2025-01-01", "2025-01-01", "2025-01-02", "Wed -> Thu"},
	    {"2025-01-28", "2025-02-04", "2025-02-05", "Tue..Tue -> Wed"},
	    {"2025-04-04", "2025-04-06", "2025-04-07", "Fri..Sun -> Mon"},
	    {"2025-05-01", "2025-05-05", "2025-05-06", "Thu..Mon -> Tue"},
	    {"2025-05-31", "2025-06-02", "2025-06-03", "Sat..Mon -> Tue"},
	    {"2025-10-01", "2025-10-08", "2025-10-09", "Wed..Wed -> Thu"},
	    /* Ends on a Saturday; Sun 4 Jan is a make-up working day. */
	    {"2026-01-01", "2026-01-03", "2026-01-04", "-> make-up Sun"},
	    {"2026-02-15", "2026-02-23", "2026-02-24", "Sun..Mon -> Tue"},
	    {"2026-04-04", "2026-04-06", "2026-04-07", "Sat..Mon -> Tue"},
	    {"2026-05-01", "2026-05-05", "2026-05-06", "Fri..Tue -> Wed"},
	    {"2026-06-19", "2026-06-21", "2026-06-22", "Fri..Sun -> Mon"},
	    {"2026-09-25", "2026-09-27", "2026-09-28", "Fri..Sun -> Mon"},
	    {"2026-10-01", "2026-10-07", "2026-10-08", "Thu..Wed -> Thu"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(per) / sizeof(per[0]); i++) {
		date_t first = testcal_day(per[i].first);
		date_t last = testcal_day(per[i].last);
		date_t want = testcal_day(per[i].deadline);

		for (date_t raw = first; raw <= last; raw++) {
			char obuf[DATE_BUFSZ], gbuf[DATE_BUFSZ];
			struct window_events ev = {0};
			struct window_state ws;

			ev.opened = true;
			ev.opened_on = raw - 7;
			deadline_compute(&decision, &cal, &ev, &ws);
			assert_int_equal(ws.last_day, raw);
			if (ws.deadline != want)
				fail_msg("opened %s: want %s (%s), got %s",
				    date_format(raw - 7, obuf), per[i].deadline,
				    per[i].why, date_format(ws.deadline, gbuf));
		}
	}
}

/* Checks a raw last day that is a make-up working day stays put, for
 * every make-up day of 2025 and 2026, and that a Saturday right before a
 * make-up Sunday rolls onto that Sunday. */
static void
test_makeup_workday_deadlines(void **state)
{
	static const struct {
		const char *opened, *deadline;
	} ex[] = {
	    {"2025-01-19", "2025-01-26"}, /* Sun */
	    {"2025-02-01", "2025-02-08"}, /* Sat; opened on a holiday */
	    {"2025-04-20", "2025-04-27"}, /* Sun */
	    {"2025-09-21", "2025-09-28"}, /* Sun */
	    {"2025-10-04", "2025-10-11"}, /* Sat; opened on a holiday */
	    {"2025-12-28", "2026-01-04"}, /* Sun, across the year end */
	    {"2026-02-07", "2026-02-14"}, /* Sat */
	    {"2026-02-21", "2026-02-28"}, /* Sat; opened on a holiday */
	    {"2026-05-02", "2026-05-09"}, /* Sat; opened on a holiday */
	    {"2026-09-13", "2026-09-20"}, /* Sun */
	    {"2026-10-03", "2026-10-10"}, /* Sat; opened on a holiday */
	    /* Raw last day Sat (off), next day a make-up Sunday. */
	    {"2025-01-18", "2025-01-26"},
	    {"2025-04-19", "2025-04-27"},
	    {"2025-09-20", "2025-09-28"},
	    {"2026-09-12", "2026-09-20"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		struct window_state ws =
		    compute(&decision, ex[i].opened, NULL, NULL);

		assert_date_equal(ws.deadline, ex[i].deadline);
	}
	/* The day after a make-up Saturday is an ordinary Sunday: opened
	 * 2025-10-05, raw 10-12 Sun -> Mon 10-13. */
	assert_date_equal(compute(&decision, "2025-10-05", NULL, NULL).deadline,
	    "2025-10-13");
}

/* Checks an extension recorded before the 7-day deadline: the period
 * becomes 30 days from the opening day, rolled. */
static void
test_extension_before_deadline(void **state)
{
	struct window_state ws;
	struct reminders rem = default_reminders();

	(void)state;
	/* 07-03 + 30 = 08-02 (July has 31 days), a Saturday -> Mon 08-04. */
	ws = compute(&decision, "2025-07-03", "2025-07-08", NULL);
	assert_true(ws.extended);
	assert_int_equal(ws.days, 30);
	assert_date_equal(ws.opened, "2025-07-03");
	assert_date_equal(ws.last_day, "2025-08-02");
	assert_date_equal(ws.deadline, "2025-08-04");
	/* On 07-10, the old deadline, nothing is due or overdue. */
	assert_int_equal(deadline_days_left(&ws, testcal_day("2025-07-10")),
	    25);
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-07-10")),
	    STATUS_OPEN);
}

/* Checks an extension recorded after the 7-day deadline had passed still
 * counts 30 days from the opening day, not from the extension. */
static void
test_extension_after_deadline(void **state)
{
	struct window_state ws;
	struct reminders rem = default_reminders();
	struct timed_alert a;

	(void)state;
	ws = compute(&decision, "2025-07-03", "2025-07-15", NULL);
	assert_true(ws.extended);
	assert_int_equal(ws.days, 30);
	assert_date_equal(ws.deadline, "2025-08-04");
	/* 07-15 was overdue under 7 days; now 20 days are left. */
	assert_int_equal(deadline_days_left(&ws, testcal_day("2025-07-15")),
	    20);
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-07-15")),
	    STATUS_OPEN);
	/* The next alert is the 3-day reminder before 08-04: 08-01. */
	assert_true(
	    deadline_next_alert(&ws, &rem, testcal_day("2025-07-15"), &a));
	assert_int_equal(a.kind, ALERT_REMINDER);
	assert_date_equal(a.day, "2025-08-01");
	assert_int_equal(a.occurrence, 3);
	assert_int_equal(a.days_left, 3);
}

/* Checks 30-day periods that end in a holiday roll too. */
static void
test_extension_into_holiday(void **state)
{
	(void)state;
	/* 09-05 + 25 = 09-30, + 5 = 10-05 (National Day) -> 10-09. */
	assert_date_equal(compute(&decision, "2025-09-05", "2025-09-10", NULL)
	                      .deadline,
	    "2025-10-09");
	/* 12-04 + 27 = 12-31, + 3 = 2026-01-03 (holiday Sat) -> make-up
	 * Sun 01-04. */
	assert_date_equal(compute(&decision, "2025-12-04", "2025-12-05", NULL)
	                      .deadline,
	    "2026-01-04");
	/* 2026-01-20 + 11 = 01-31, + 19 = 02-19 (Spring Festival) -> 02-24. */
	assert_date_equal(compute(&decision, "2026-01-20", "2026-01-21", NULL)
	                      .deadline,
	    "2026-02-24");
}

/* Checks an extension is ignored by a window that cannot be extended. */
static void
test_extension_not_allowed(void **state)
{
	struct window_state ws;

	(void)state;
	ws = compute(&reasons, "2025-07-09", "2025-07-10", NULL);
	assert_false(ws.extended);
	assert_int_equal(ws.days, 7);
	assert_date_equal(ws.deadline, "2025-07-16");
}

/* Checks closing before the deadline: closed state, no timed alerts. */
static void
test_closed_before_deadline(void **state)
{
	struct window_state ws;
	struct reminders rem = default_reminders();
	struct timed_alert a;

	(void)state;
	ws = compute(&decision, "2025-07-03", NULL, "2025-07-08");
	assert_true(ws.closed);
	assert_date_equal(ws.closed_on, "2025-07-08");
	assert_date_equal(ws.deadline, "2025-07-10");
	for (date_t t = testcal_day("2025-07-01");
	     t <= testcal_day("2025-09-01"); t++) {
		assert_int_equal(deadline_status(&ws, &rem, t), STATUS_CLOSED);
		assert_false(deadline_next_alert(&ws, &rem, t, &a));
		assert_false(deadline_last_alert(&ws, &rem, t, &a));
	}
}

/* Checks a window closed after it went overdue also stops alerting. */
static void
test_closed_after_deadline(void **state)
{
	struct window_state ws;
	struct reminders rem = default_reminders();
	struct timed_alert a;

	(void)state;
	ws = compute(&decision, "2025-07-03", NULL, "2025-07-15");
	assert_true(ws.closed);
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-07-20")),
	    STATUS_CLOSED);
	assert_false(
	    deadline_next_alert(&ws, &rem, testcal_day("2025-07-20"), &a));
	assert_false(
	    deadline_last_alert(&ws, &rem, testcal_day("2025-07-20"), &a));
}

/* Checks a follow-up window opened by a not_filed date is an ordinary
 * window with its own opening day. */
static void
test_follow_up_window(void **state)
{
	struct window_state dec, rea;
	struct reminders rem = default_reminders();
	struct timed_alert a;

	(void)state;
	/* Transferred Fri 09-19 -> deadline Fri 09-26; not_filed Wed 09-24
	 * closes it and opens "reasons". */
	dec = compute(&decision, "2025-09-19", NULL, "2025-09-24");
	assert_date_equal(dec.deadline, "2025-09-26");
	assert_true(dec.closed);
	/* reasons: 09-24 + 7 = 10-01 (National Day) -> 10-09. */
	rea = compute(&reasons, "2025-09-24", NULL, NULL);
	assert_date_equal(rea.opened, "2025-09-24");
	assert_date_equal(rea.last_day, "2025-10-01");
	assert_date_equal(rea.deadline, "2025-10-09");
	assert_false(rea.closed);
	/* Its first reminder: 3 days before 10-09 = 10-06 (reminder days
	 * are not moved off holidays). */
	assert_true(
	    deadline_next_alert(&rea, &rem, testcal_day("2025-09-24"), &a));
	assert_int_equal(a.kind, ALERT_REMINDER);
	assert_date_equal(a.day, "2025-10-06");
	assert_int_equal(a.occurrence, 3);
	/* An ordinary case: not_filed 2025-07-09 (Wed) -> 07-16 (Wed). */
	rea = compute(&reasons, "2025-07-09", NULL, NULL);
	assert_date_equal(rea.deadline, "2025-07-16");
	/* And closed by reasons_received. */
	rea = compute(&reasons, "2025-07-09", NULL, "2025-07-14");
	assert_true(rea.closed);
	assert_false(
	    deadline_next_alert(&rea, &rem, testcal_day("2025-07-09"), &a));
}

/* Checks deadline_days_left: positive before, 0 on, negative after. */
static void
test_days_left(void **state)
{
	struct window_state ws = compute(&decision, "2025-07-03", NULL, NULL);

	(void)state;
	assert_int_equal(deadline_days_left(&ws, testcal_day("2025-07-03")), 7);
	assert_int_equal(deadline_days_left(&ws, testcal_day("2025-07-09")), 1);
	assert_int_equal(deadline_days_left(&ws, testcal_day("2025-07-10")), 0);
	assert_int_equal(deadline_days_left(&ws, testcal_day("2025-07-11")),
	    -1);
	assert_int_equal(deadline_days_left(&ws, testcal_day("2025-08-09")),
	    -30);
	/* Rolled: counted to the rolled deadline 10-09, not to 10-03. */
	ws = compute(&decision, "2025-09-26", NULL, NULL);
	assert_int_equal(deadline_days_left(&ws, testcal_day("2025-10-03")), 6);
}

/* Checks deadline_status through the life of a window: open, due_soon
 * (1..3 days left), due_today, overdue; closed wins over all. */
static void
test_status(void **state)
{
	static const struct {
		const char *today;
		enum window_status want;
	} days[] = {
	    {"2025-07-03", STATUS_OPEN},      /* 7 left */
	    {"2025-07-06", STATUS_OPEN},      /* 4 left */
	    {"2025-07-07", STATUS_DUE_SOON},  /* 3 left */
	    {"2025-07-08", STATUS_DUE_SOON},  /* 2 left */
	    {"2025-07-09", STATUS_DUE_SOON},  /* 1 left */
	    {"2025-07-10", STATUS_DUE_TODAY}, /* 0 */
	    {"2025-07-11", STATUS_OVERDUE},   /* -1 */
	    {"2025-09-30", STATUS_OVERDUE},   /* long after */
	};
	struct window_state ws = compute(&decision, "2025-07-03", NULL, NULL);
	struct window_state closed =
	    compute(&decision, "2025-07-03", NULL, "2025-07-09");
	struct reminders rem = default_reminders();

	(void)state;
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		date_t t = testcal_day(days[i].today);
		enum window_status got = deadline_status(&ws, &rem, t);

		if (got != days[i].want)
			fail_msg("%s: want %s, got %s", days[i].today,
			    deadline_status_name(days[i].want),
			    deadline_status_name(got));
		assert_int_equal(deadline_status(&closed, &rem, t),
		    STATUS_CLOSED);
	}
}

/* Checks due_soon follows the largest `before` reminder, and that with
 * no reminders before the day there is no due_soon at all. */
static void
test_status_due_soon_bounds(void **state)
{
	struct window_state ws = compute(&decision, "2025-07-03", NULL, NULL);
	struct reminders rem = default_reminders();

	(void)state;
	rem.before[0] = 5;
	rem.before[1] = 2;
	/* 07-04: 6 left; 07-05: 5 left. */
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-07-04")),
	    STATUS_OPEN);
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-07-05")),
	    STATUS_DUE_SOON);
	rem.nbefore = 0;
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-07-09")),
	    STATUS_OPEN);
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-07-10")),
	    STATUS_DUE_TODAY);
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-07-11")),
	    STATUS_OVERDUE);
}

/* One expected timed alert. */
struct want {
	enum alert_kind kind;
	date_t day;
	int occurrence;
	int days_left;
};

#define WANT_MAX 64

/* A list of expected alerts, earliest first. */
struct wants {
	struct want w[WANT_MAX];
	size_t n;
};

/* Append an expected alert, given its day as text. */
static void
want_add(struct wants *ws, enum alert_kind kind, date_t day, int occurrence,
    int days_left)
{
	assert_true(ws->n < WANT_MAX);
	ws->w[ws->n].kind = kind;
	ws->w[ws->n].day = day;
	ws->w[ws->n].occurrence = occurrence;
	ws->w[ws->n].days_left = days_left;
	ws->n++;
}

/* Fail with both sides spelled out if a != w. */
static void
want_match(const char *what, date_t t, const struct timed_alert *a,
    const struct want *w)
{
	char tb[DATE_BUFSZ], ab[DATE_BUFSZ], wb[DATE_BUFSZ];

	if (a->kind == w->kind && a->day == w->day &&
	    a->occurrence == w->occurrence && a->days_left == w->days_left)
		return;
	fail_msg("%s(%s): want %s %s occ %d left %d, got %s %s occ %d left %d",
	    what, date_format(t, tb), deadline_kind_name(w->kind),
	    date_format(w->day, wb), w->occurrence, w->days_left,
	    deadline_kind_name(a->kind), date_format(a->day, ab), a->occurrence,
	    a->days_left);
}

/*
 * For every day t in [from, to], deadline_next_alert(t) must be the
 * earliest expected alert on or after t and deadline_last_alert(t) the
 * latest on or before t (or none).
 */
static void
check_schedule(const struct window_state *ws, const struct reminders *rem,
    const struct wants *want, const char *from, const char *to)
{
	date_t first = testcal_day(from), last = testcal_day(to);

	for (size_t i = 1; i < want->n; i++)
		assert_true(want->w[i - 1].day < want->w[i].day);
	for (date_t t = first; t <= last; t++) {
		const struct want *next = NULL, *prev = NULL;
		struct timed_alert a;
		char tb[DATE_BUFSZ];
		bool got;

		for (size_t i = 0; i < want->n; i++) {
			if (next == NULL && want->w[i].day >= t)
				next = &want->w[i];
			if (want->w[i].day <= t)
				prev = &want->w[i];
		}
		memset(&a, 0, sizeof(a));
		got = deadline_next_alert(ws, rem, t, &a);
		if (got != (next != NULL))
			fail_msg("next_alert(%s): want %s, got %s %s",
			    date_format(t, tb), next ? "an alert" : "none",
			    got ? deadline_kind_name(a.kind) : "none",
			    got ? date_format(a.day, tb) : "");
		if (next != NULL)
			want_match("next_alert", t, &a, next);
		memset(&a, 0, sizeof(a));
		got = deadline_last_alert(ws, rem, t, &a);
		if (got != (prev != NULL))
			fail_msg("last_alert(%s): want %s, got %s %s",
			    date_format(t, tb), prev ? "an alert" : "none",
			    got ? deadline_kind_name(a.kind) : "none",
			    got ? date_format(a.day, tb) : "");
		if (prev != NULL)
			want_match("last_alert", t, &a, prev);
	}
}

/* Checks the default schedule for opened 07-03, deadline Thu 07-10:
 * reminders 07-07 and 07-09, due 07-10, overdue daily 07-11 .. 08-09
 * (deadline + 30: 07-31 is + 21, 08-09 is + 30), then nothing. */
static void
test_schedule_default(void **state)
{
	struct window_state ws = compute(&decision, "2025-07-03", NULL, NULL);
	struct reminders rem = default_reminders();
	struct wants w = {0};
	date_t d = testcal_day("2025-07-10");

	(void)state;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-07"), 3, 3);
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-09"), 1, 1);
	want_add(&w, ALERT_DUE, d, 0, 0);
	for (int k = 1; k <= 30; k++)
		want_add(&w, ALERT_OVERDUE, d + k, k, -k);
	assert_date_equal(w.w[w.n - 1].day, "2025-08-09");
	check_schedule(&ws, &rem, &w, "2025-06-20", "2025-09-30");
}

/* Checks overdue_every = 0: a single overdue alert, the day after. */
static void
test_schedule_overdue_once(void **state)
{
	struct window_state ws = compute(&decision, "2025-07-03", NULL, NULL);
	struct reminders rem = default_reminders();
	struct wants w = {0};

	(void)state;
	rem.overdue_every = 0;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-07"), 3, 3);
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-09"), 1, 1);
	want_add(&w, ALERT_DUE, testcal_day("2025-07-10"), 0, 0);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-11"), 1, -1);
	check_schedule(&ws, &rem, &w, "2025-07-01", "2025-09-30");
}

/* Checks overdue_every = 7, overdue_max = 30: D+1, D+8, D+15, D+22,
 * D+29 (D+36 is past 30), i.e. 07-11, 07-18, 07-25, 08-01, 08-08. */
static void
test_schedule_overdue_weekly(void **state)
{
	struct window_state ws = compute(&decision, "2025-07-03", NULL, NULL);
	struct reminders rem = default_reminders();
	struct wants w = {0};

	(void)state;
	rem.overdue_every = 7;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-07"), 3, 3);
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-09"), 1, 1);
	want_add(&w, ALERT_DUE, testcal_day("2025-07-10"), 0, 0);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-11"), 1, -1);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-18"), 8, -8);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-25"), 15, -15);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-08-01"), 22, -22);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-08-08"), 29, -29);
	check_schedule(&ws, &rem, &w, "2025-07-01", "2025-10-31");
}

/* Checks overdue_max bounds the last alert exactly: every 7 with max 28
 * stops at D+22; with max 29 it includes D+29. */
static void
test_schedule_overdue_max_edge(void **state)
{
	struct window_state ws = compute(&decision, "2025-07-03", NULL, NULL);
	struct reminders rem = default_reminders();
	struct wants w = {0};
	date_t d = testcal_day("2025-07-10");

	(void)state;
	rem.nbefore = 0;
	rem.on_due_day = false;
	rem.overdue_every = 7;
	rem.overdue_max = 28;
	for (int k = 1; k <= 22; k += 7)
		want_add(&w, ALERT_OVERDUE, d + k, k, -k);
	check_schedule(&ws, &rem, &w, "2025-07-01", "2025-10-31");

	rem.overdue_max = 29;
	want_add(&w, ALERT_OVERDUE, d + 29, 29, -29);
	check_schedule(&ws, &rem, &w, "2025-07-01", "2025-10-31");

	/* Daily, at most 10 days after. */
	memset(&w, 0, sizeof(w));
	rem.overdue_every = 1;
	rem.overdue_max = 10;
	for (int k = 1; k <= 10; k++)
		want_add(&w, ALERT_OVERDUE, d + k, k, -k);
	check_schedule(&ws, &rem, &w, "2025-07-01", "2025-10-31");
}

/* Checks on_due_day = false drops only the due-day alert. */
static void
test_schedule_no_due_day(void **state)
{
	struct window_state ws = compute(&decision, "2025-07-03", NULL, NULL);
	struct reminders rem = default_reminders();
	struct wants w = {0};

	(void)state;
	rem.on_due_day = false;
	rem.overdue_every = 0;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-07"), 3, 3);
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-09"), 1, 1);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-11"), 1, -1);
	check_schedule(&ws, &rem, &w, "2025-07-01", "2025-09-30");
}

/* Checks reminders count back from the rolled deadline (10-09), falling
 * on holidays as they may: 10-06 and 10-08; overdue 10-10 .. 11-08. */
static void
test_schedule_rolled_deadline(void **state)
{
	struct window_state ws = compute(&decision, "2025-09-26", NULL, NULL);
	struct reminders rem = default_reminders();
	struct wants w = {0};
	date_t d = testcal_day("2025-10-09");

	(void)state;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-10-06"), 3, 3);
	want_add(&w, ALERT_REMINDER, testcal_day("2025-10-08"), 1, 1);
	want_add(&w, ALERT_DUE, d, 0, 0);
	for (int k = 1; k <= 30; k++)
		want_add(&w, ALERT_OVERDUE, d + k, k, -k);
	assert_date_equal(w.w[w.n - 1].day, "2025-11-08");
	check_schedule(&ws, &rem, &w, "2025-09-20", "2025-12-31");
}

/* Checks no reminder falls before the opening day: a 2-day window opened
 * Mon 07-07 ends Wed 07-09; the 3-day reminder (07-06) is dropped, the
 * 1-day one (07-08) stays. */
static void
test_reminder_before_opening_dropped(void **state)
{
	struct window_state ws =
	    compute_days(2, ROLL_NEXT_WORKING_DAY, "2025-07-07");
	struct reminders rem = default_reminders();
	struct wants w = {0};

	(void)state;
	assert_date_equal(ws.deadline, "2025-07-09");
	rem.overdue_every = 0;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-08"), 1, 1);
	want_add(&w, ALERT_DUE, testcal_day("2025-07-09"), 0, 0);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-10"), 1, -1);
	check_schedule(&ws, &rem, &w, "2025-06-25", "2025-08-31");
}

/* Checks a reminder that would fall ON the opening day is dropped: a
 * 3-day window opened Mon 07-07 ends Thu 07-10, its 3-day reminder would
 * be 07-07; a 1-day window's 1-day reminder likewise. */
static void
test_reminder_on_opening_dropped(void **state)
{
	struct window_state ws =
	    compute_days(3, ROLL_NEXT_WORKING_DAY, "2025-07-07");
	struct reminders rem = default_reminders();
	struct wants w = {0};

	(void)state;
	assert_date_equal(ws.deadline, "2025-07-10");
	rem.overdue_every = 0;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-09"), 1, 1);
	want_add(&w, ALERT_DUE, testcal_day("2025-07-10"), 0, 0);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-11"), 1, -1);
	check_schedule(&ws, &rem, &w, "2025-06-25", "2025-08-31");

	ws = compute_days(1, ROLL_NEXT_WORKING_DAY, "2025-07-07");
	assert_date_equal(ws.deadline, "2025-07-08");
	memset(&w, 0, sizeof(w));
	want_add(&w, ALERT_DUE, testcal_day("2025-07-08"), 0, 0);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-09"), 1, -1);
	check_schedule(&ws, &rem, &w, "2025-06-25", "2025-08-31");

	/* before = {7, 3, 1} on a 7-day window: the 7-day reminder is the
	 * opening day 07-03 itself and is dropped. */
	ws = compute(&decision, "2025-07-03", NULL, NULL);
	rem.before[0] = 7;
	rem.before[1] = 3;
	rem.before[2] = 1;
	rem.nbefore = 3;
	memset(&w, 0, sizeof(w));
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-07"), 3, 3);
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-09"), 1, 1);
	want_add(&w, ALERT_DUE, testcal_day("2025-07-10"), 0, 0);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-11"), 1, -1);
	check_schedule(&ws, &rem, &w, "2025-06-25", "2025-08-31");
}

/* Checks a rolled 1-day window: opened Fri 07-04, raw Sat 07-05 ->
 * Mon 07-07; the 3-day reminder (07-04) is the opening day and dropped,
 * the 1-day one (Sun 07-06) is after it and stays. */
static void
test_reminder_opening_rolled(void **state)
{
	struct window_state ws =
	    compute_days(1, ROLL_NEXT_WORKING_DAY, "2025-07-04");
	struct reminders rem = default_reminders();
	struct wants w = {0};

	(void)state;
	assert_date_equal(ws.last_day, "2025-07-05");
	assert_date_equal(ws.deadline, "2025-07-07");
	rem.overdue_every = 0;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-07-06"), 1, 1);
	want_add(&w, ALERT_DUE, testcal_day("2025-07-07"), 0, 0);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-08"), 1, -1);
	check_schedule(&ws, &rem, &w, "2025-06-25", "2025-08-31");
}

/* Checks windows across and ending on 2028-02-29 (2028 is leap; no
 * holidays are loaded for 2028, weekends still apply). */
static void
test_leap_day_2028(void **state)
{
	struct window_state ws;
	struct reminders rem = default_reminders();
	struct timed_alert a;

	(void)state;
	/* Tue 02-22 + 7 = Tue 02-29: a working day, the deadline. */
	ws = compute(&decision, "2028-02-22", NULL, NULL);
	assert_date_equal(ws.deadline, "2028-02-29");
	/* Fri 02-25 + 7: 02-26, 27, 28, 29, 03-01, 02, 03 -> Fri 03-03. */
	ws = compute(&decision, "2028-02-25", NULL, NULL);
	assert_date_equal(ws.deadline, "2028-03-03");
	/* Wed 02-23 -> Wed 03-01; reminders 02-27 (Sun) and 02-29. */
	ws = compute(&decision, "2028-02-23", NULL, NULL);
	assert_date_equal(ws.deadline, "2028-03-01");
	assert_true(
	    deadline_next_alert(&ws, &rem, testcal_day("2028-02-28"), &a));
	assert_int_equal(a.kind, ALERT_REMINDER);
	assert_date_equal(a.day, "2028-02-29");
	assert_int_equal(a.occurrence, 1);
	assert_true(
	    deadline_last_alert(&ws, &rem, testcal_day("2028-02-28"), &a));
	assert_date_equal(a.day, "2028-02-27");
	assert_int_equal(a.occurrence, 3);
	/* Tue 02-01 + 30 = 03-02 (Thu), counting 02-29. */
	ws = compute(&decision, "2028-02-01", "2028-02-03", NULL);
	assert_date_equal(ws.last_day, "2028-03-02");
	assert_date_equal(ws.deadline, "2028-03-02");
	/* Mon 02-21 -> Mon 02-28; the first overdue day is 02-29. */
	ws = compute(&decision, "2028-02-21", NULL, NULL);
	assert_date_equal(ws.deadline, "2028-02-28");
	assert_true(
	    deadline_next_alert(&ws, &rem, testcal_day("2028-02-29"), &a));
	assert_int_equal(a.kind, ALERT_OVERDUE);
	assert_date_equal(a.day, "2028-02-29");
	assert_int_equal(a.days_left, -1);
	/* Sat 2028-02-19 + 7 = Sat 02-26 -> Mon 02-28. */
	assert_date_equal(compute(&decision, "2028-02-19", NULL, NULL).deadline,
	    "2028-02-28");
	/* Non-leap 2027: Thu 02-25 + 7 = Thu 03-04. */
	assert_date_equal(compute(&decision, "2027-02-25", NULL, NULL).deadline,
	    "2027-03-04");
}

/* Checks a window opened on a holiday: counting starts the next day and
 * holidays inside the period are not skipped. */
static void
test_opened_on_holiday(void **state)
{
	(void)state;
	/* Thu 05-01 (holiday) + 7 = Thu 05-08, a working day; had the
	 * holidays 05-02..05 been skipped it would be later. */
	assert_date_equal(compute(&decision, "2025-05-01", NULL, NULL).deadline,
	    "2025-05-08");
	/* Wed 10-01 + 7 = Wed 10-08, still a holiday -> Thu 10-09. */
	assert_date_equal(compute(&decision, "2025-10-01", NULL, NULL).deadline,
	    "2025-10-09");
	/* Sun 2026-02-15 + 7 = Sun 02-22 (holiday) -> Tue 02-24. */
	assert_date_equal(compute(&decision, "2026-02-15", NULL, NULL).deadline,
	    "2026-02-24");
	/* Sat 2026-02-21 (holiday) + 7 = Sat 02-28, a make-up workday. */
	assert_date_equal(compute(&decision, "2026-02-21", NULL, NULL).deadline,
	    "2026-02-28");
	/* Mon 2026-02-23 (holiday) + 7 = Mon 03-02. */
	assert_date_equal(compute(&decision, "2026-02-23", NULL, NULL).deadline,
	    "2026-03-02");
	/* A 30-day window opened on Tue 2025-01-28, first day of the
	 * Spring Festival: 01-28 + 3 = 01-31, + 27 = Thu 02-27, a working
	 * day; the holidays 01-29..02-04 inside count as ordinary days. */
	assert_date_equal(compute(&decision, "2025-01-28", "2025-01-29", NULL)
	                      .deadline,
	    "2025-02-27");
	/* Opened on New Year's Day 2025 (Wed), 30 days: 01-31 falls in the
	 * Spring Festival (01-28..02-04) -> Wed 02-05. */
	assert_date_equal(compute(&decision, "2025-01-01", "2025-01-02", NULL)
	                      .deadline,
	    "2025-02-05");
}

/* Checks roll = none keeps a Saturday (or holiday) deadline. */
static void
test_roll_none(void **state)
{
	struct window_rule none = {7, 30, ROLL_NONE};
	struct window_state ws;

	(void)state;
	ws = compute(&none, "2025-07-05", NULL, NULL);
	assert_date_equal(ws.last_day, "2025-07-12");
	assert_date_equal(ws.deadline, "2025-07-12");
	ws = compute(&none, "2025-09-26", NULL, NULL);
	assert_date_equal(ws.deadline, "2025-10-03");
	ws = compute(&none, "2025-07-03", "2025-07-08", NULL);
	assert_date_equal(ws.deadline, "2025-08-02");
}

/* Checks that a deadline in a year the calendar does not cover (it
 * lists 2025 and 2026 only) is provisional, unless it cannot roll, the
 * window is closed, or the calendar lists no days at all. */
static void
test_provisional(void **state)
{
	struct window_rule none = {7, 30, ROLL_NONE};
	struct window_events ev;
	struct window_state ws;
	struct calendar weekends;

	(void)state;
	ws = compute(&decision, "2026-12-24", NULL, NULL);
	assert_date_equal(ws.deadline, "2026-12-31");
	assert_false(ws.provisional);
	ws = compute(&decision, "2026-12-28", NULL, NULL);
	assert_date_equal(ws.deadline, "2027-01-04");
	assert_true(ws.provisional);
	/* Extended into the next year. */
	ws = compute(&decision, "2026-12-10", NULL, NULL);
	assert_false(ws.provisional);
	ws = compute(&decision, "2026-12-10", "2026-12-11", NULL);
	assert_date_equal(ws.deadline, "2027-01-11");
	assert_true(ws.provisional);
	ws = compute(&none, "2026-12-28", NULL, NULL);
	assert_false(ws.provisional);
	ws = compute(&decision, "2026-12-28", NULL, "2026-12-30");
	assert_false(ws.provisional);

	calendar_init(&weekends);
	weekends.weekend = TESTCAL_WEEKEND;
	memset(&ev, 0, sizeof(ev));
	ev.opened = true;
	ev.opened_on = testcal_day("2026-12-28");
	deadline_compute(&decision, &weekends, &ev, &ws);
	assert_false(ws.provisional);
	calendar_free(&weekends);
}

/* Checks the names used in alerts, ids, logs and --list. */
static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(deadline_kind_name(ALERT_REMINDER), "reminder");
	assert_string_equal(deadline_kind_name(ALERT_DUE), "due");
	assert_string_equal(deadline_kind_name(ALERT_OVERDUE), "overdue");
	assert_string_equal(deadline_kind_name(ALERT_OPENED), "opened");
	assert_string_equal(deadline_kind_name(ALERT_EXTENDED), "extended");
	assert_string_equal(deadline_kind_name(ALERT_CLOSED), "closed");
	assert_string_equal(deadline_status_name(STATUS_OPEN), "open");
	assert_string_equal(deadline_status_name(STATUS_DUE_SOON), "due_soon");
	assert_string_equal(deadline_status_name(STATUS_DUE_TODAY),
	    "due_today");
	assert_string_equal(deadline_status_name(STATUS_OVERDUE), "overdue");
	assert_string_equal(deadline_status_name(STATUS_CLOSED), "closed");
}

/* The default reminders counted in working days (reminders.on). */
static struct reminders
working_reminders(void)
{
	struct reminders r = default_reminders();

	r.on = REMINDERS_WORKING_DAYS;
	return r;
}

/* Add the overdue alerts of deadline d from d + 1 to d + 30 (and the one
 * a day off after d + 30 moves to, at `after`), but those on the days
 * off of skip (NULL-ended): each of those is one with the next. */
static void
want_overdue_working(struct wants *w, date_t d, const char *const *skip,
    const char *after)
{
	for (int k = 1; k <= 30; k++) {
		bool off = false;

		for (size_t i = 0; skip[i] != NULL; i++)
			off |= testcal_day(skip[i]) == d + k;
		if (!off)
			want_add(w, ALERT_OVERDUE, d + k, k, -k);
	}
	if (after != NULL)
		want_add(w, ALERT_OVERDUE, testcal_day(after),
		    testcal_day(after) - d, d - testcal_day(after));
}

/* Checks the National Day example with reminders.on working
 * days: opened Fri 2025-09-26, deadline Thu 10-09; the reminders of
 * 10-06 and 10-08 (holidays) both move to Tue 09-30, the last working day
 * before the holiday, and are one reminder (9 days left); overdue
 * repeats on Sundays and Saturdays move to the Monday, but the make-up
 * Saturday 10-11 keeps its own; the last (Sat 11-08) moves to 11-10. */
static void
test_working_national_day(void **state)
{
	static const char *const off[] = {"2025-10-12", "2025-10-18",
	    "2025-10-19", "2025-10-25", "2025-10-26", "2025-11-01",
	    "2025-11-02", "2025-11-08", NULL};
	struct window_state ws = compute(&decision, "2025-09-26", NULL, NULL);
	struct reminders rem = working_reminders();
	struct wants w = {0};
	date_t d = testcal_day("2025-10-09");

	(void)state;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-09-30"), 9, 9);
	want_add(&w, ALERT_DUE, d, 0, 0);
	want_overdue_working(&w, d, off, "2025-11-10");
	check_schedule(&ws, &rem, &w, "2025-09-20", "2025-12-31");
}

/* Checks before_working = [ 3, 1 ] on the same window: 3 working days
 * before 10-09 is the make-up Sunday 09-28, 1 is Tue 09-30. */
static void
test_before_working_national_day(void **state)
{
	struct window_state ws = compute(&decision, "2025-09-26", NULL, NULL);
	struct reminders rem = working_reminders();
	struct wants w = {0};
	date_t d = testcal_day("2025-10-09");

	(void)state;
	rem.before_working = true;
	rem.overdue_every = 0;
	want_add(&w, ALERT_REMINDER, testcal_day("2025-09-28"), 11, 11);
	want_add(&w, ALERT_REMINDER, testcal_day("2025-09-30"), 9, 9);
	want_add(&w, ALERT_DUE, d, 0, 0);
	want_add(&w, ALERT_OVERDUE, d + 1, 1, -1);
	check_schedule(&ws, &rem, &w, "2025-09-20", "2025-12-31");
	/* Counting working days does not depend on reminders.on. */
	rem.on = REMINDERS_CALENDAR_DAYS;
	check_schedule(&ws, &rem, &w, "2025-09-20", "2025-12-31");
}

/* Checks the 2026 Spring Festival: opened Tue 02-10, last day 02-17
 * (holiday) rolls to Tue 02-24.  The reminders of Sat 02-21 and Mon 02-23
 * (holidays) move to the make-up Saturday 02-14; the make-up Saturday
 * 02-28 keeps its overdue alert, Sun 03-01 moves to Mon 03-02. */
static void
test_working_spring_festival(void **state)
{
	static const char *const off[] = {"2026-03-01", "2026-03-07",
	    "2026-03-08", "2026-03-14", "2026-03-15", "2026-03-21",
	    "2026-03-22", NULL};
	struct window_state ws = compute(&decision, "2026-02-10", NULL, NULL);
	struct reminders rem = working_reminders();
	struct wants w = {0};
	date_t d = testcal_day("2026-02-24");

	(void)state;
	assert_date_equal(ws.deadline, "2026-02-24");
	want_add(&w, ALERT_REMINDER, testcal_day("2026-02-14"), 10, 10);
	want_add(&w, ALERT_DUE, d, 0, 0);
	want_overdue_working(&w, d, off, NULL);
	check_schedule(&ws, &rem, &w, "2026-02-01", "2026-05-31");
	/* before_working: 3, 2 and 1 working days back skip the holiday. */
	rem.before_working = true;
	memset(&w, 0, sizeof(w));
	want_add(&w, ALERT_REMINDER, testcal_day("2026-02-12"), 12, 12);
	want_add(&w, ALERT_REMINDER, testcal_day("2026-02-14"), 10, 10);
	want_add(&w, ALERT_DUE, d, 0, 0);
	want_overdue_working(&w, d, off, NULL);
	check_schedule(&ws, &rem, &w, "2026-02-01", "2026-05-31");
}

/* Checks a reminder never moves onto or before the opening day: opened
 * Tue 2025-09-30, the deadline is 10-09 too, and both reminders would
 * move to 09-30 itself, so there are none; opened Mon 09-29, they do. */
static void
test_working_not_before_opening(void **state)
{
	struct window_state ws = compute(&decision, "2025-09-30", NULL, NULL);
	struct reminders rem = working_reminders();
	struct wants w = {0};
	date_t d = testcal_day("2025-10-09");

	(void)state;
	rem.overdue_every = 0;
	assert_date_equal(ws.deadline, "2025-10-09");
	want_add(&w, ALERT_DUE, d, 0, 0);
	want_add(&w, ALERT_OVERDUE, d + 1, 1, -1);
	check_schedule(&ws, &rem, &w, "2025-09-20", "2025-11-30");
	ws = compute(&decision, "2025-09-29", NULL, NULL);
	memset(&w, 0, sizeof(w));
	want_add(&w, ALERT_REMINDER, testcal_day("2025-09-30"), 9, 9);
	want_add(&w, ALERT_DUE, d, 0, 0);
	want_add(&w, ALERT_OVERDUE, d + 1, 1, -1);
	check_schedule(&ws, &rem, &w, "2025-09-20", "2025-11-30");
}

/* Checks a single overdue alert (overdue_every = 0) on a Saturday moves
 * to Monday, and a weekly repeat keeps its weekday but off holidays:
 * opened Fri 2025-07-04, deadline Fri 07-11. */
static void
test_working_overdue_moves(void **state)
{
	struct window_state ws = compute(&decision, "2025-07-04", NULL, NULL);
	struct reminders rem = working_reminders();
	struct wants w = {0};
	date_t d = testcal_day("2025-07-11");

	(void)state;
	rem.nbefore = 0;
	rem.overdue_every = 0;
	want_add(&w, ALERT_DUE, d, 0, 0);
	want_add(&w, ALERT_OVERDUE, testcal_day("2025-07-14"), 3, -3);
	check_schedule(&ws, &rem, &w, "2025-07-01", "2025-08-31");
	/* Calendar days: the Saturday itself. */
	rem.on = REMINDERS_CALENDAR_DAYS;
	w.w[1].day = testcal_day("2025-07-12");
	w.w[1].occurrence = 1;
	w.w[1].days_left = -1;
	check_schedule(&ws, &rem, &w, "2025-07-01", "2025-08-31");
}

/* Checks a weekly repeat whose days are all Saturdays: deadline Fri
 * 2025-07-11, overdue_every 7 from Sat 07-12 to Sat 08-09; each goes out
 * on the Monday after, counting its days from that Monday. */
static void
test_working_overdue_weekly(void **state)
{
	static const char *const days[] = {"2025-07-14", "2025-07-21",
	    "2025-07-28", "2025-08-04", "2025-08-11"};
	struct window_state ws = compute(&decision, "2025-07-04", NULL, NULL);
	struct reminders rem = working_reminders();
	struct wants w = {0};
	date_t d = testcal_day("2025-07-11"), day;

	(void)state;
	rem.nbefore = 0;
	rem.overdue_every = 7;
	want_add(&w, ALERT_DUE, d, 0, 0);
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		day = testcal_day(days[i]);
		want_add(&w, ALERT_OVERDUE, day, day - d, d - day);
	}
	check_schedule(&ws, &rem, &w, "2025-07-01", "2025-09-30");
}

/* Checks due_soon starts with the first reminder where it moved to: on
 * 09-30 (9 days before 10-09), not on 10-06. */
static void
test_working_status(void **state)
{
	struct window_state ws = compute(&decision, "2025-09-26", NULL, NULL);
	struct reminders rem = working_reminders();

	(void)state;
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-09-29")),
	    STATUS_OPEN);
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-09-30")),
	    STATUS_DUE_SOON);
	rem.on = REMINDERS_CALENDAR_DAYS;
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-10-05")),
	    STATUS_OPEN);
	assert_int_equal(deadline_status(&ws, &rem, testcal_day("2025-10-06")),
	    STATUS_DUE_SOON);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_worked_examples),
	    cmocka_unit_test(test_last_day_in_each_holiday),
	    cmocka_unit_test(test_makeup_workday_deadlines),
	    cmocka_unit_test(test_extension_before_deadline),
	    cmocka_unit_test(test_extension_after_deadline),
	    cmocka_unit_test(test_extension_into_holiday),
	    cmocka_unit_test(test_extension_not_allowed),
	    cmocka_unit_test(test_closed_before_deadline),
	    cmocka_unit_test(test_closed_after_deadline),
	    cmocka_unit_test(test_follow_up_window),
	    cmocka_unit_test(test_days_left),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_status_due_soon_bounds),
	    cmocka_unit_test(test_schedule_default),
	    cmocka_unit_test(test_schedule_overdue_once),
	    cmocka_unit_test(test_schedule_overdue_weekly),
	    cmocka_unit_test(test_schedule_overdue_max_edge),
	    cmocka_unit_test(test_schedule_no_due_day),
	    cmocka_unit_test(test_schedule_rolled_deadline),
	    cmocka_unit_test(test_reminder_before_opening_dropped),
	    cmocka_unit_test(test_reminder_on_opening_dropped),
	    cmocka_unit_test(test_reminder_opening_rolled),
	    cmocka_unit_test(test_leap_day_2028),
	    cmocka_unit_test(test_opened_on_holiday),
	    cmocka_unit_test(test_roll_none),
	    cmocka_unit_test(test_provisional),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_working_national_day),
	    cmocka_unit_test(test_before_working_national_day),
	    cmocka_unit_test(test_working_spring_festival),
	    cmocka_unit_test(test_working_not_before_opening),
	    cmocka_unit_test(test_working_overdue_moves),
	    cmocka_unit_test(test_working_overdue_weekly),
	    cmocka_unit_test(test_working_status),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
