/*
 * test_window.c -- the one rule for "is today's timed alert still
 * ahead?": window_alerts_due_today and window_next_alert, at and around
 * notify_at, on the days New York's clock changes in 2026
 * (03-08 02:00 EST -> 03:00 EDT, 11-01 02:00 EDT -> 01:00 EST).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "clock.h"
#include "testcal.h"
#include "window.h"

#define HMS(h, m) ((h)*3600 + (m)*60)

/* The instant a --now string names, in the zone set. */
static time_t
at(const char *s)
{
	time_t t;

	assert_int_equal(clock_parse(s, &t), 0);
	return t;
}

/* A configuration that only has notify_at. */
static struct config
config_at(int notify_at)
{
	struct config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.notify_at = notify_at;
	return cfg;
}

/* Are today's timed alerts due at now, with notify_at? */
static bool
due(int notify_at, const char *now)
{
	struct config cfg = config_at(notify_at);
	date_t today;
	bool r;

	r = window_alerts_due_today(&cfg, at(now), &today);
	assert_int_equal(today, testcal_day(strndupa(now, 10)));
	return r;
}

/* When --list says the next alert of a window goes out, as RFC 3339:
 * a window due on `deadline`, alerting on the day and daily after. */
static const char *
next_alert(int notify_at, const char *deadline, const char *now)
{
	static char buf[CLOCK_RFC3339_BUFSZ];
	struct config cfg = config_at(notify_at);
	struct window_def w;
	struct window_state ws;
	struct timed_alert a;
	time_t when;

	memset(&w, 0, sizeof(w));
	w.reminders.on_due_day = true;
	w.reminders.overdue_every = 1;
	w.reminders.overdue_max = 30;
	memset(&ws, 0, sizeof(ws));
	ws.deadline = testcal_day(deadline);
	ws.opened = ws.deadline - 7;
	ws.last_day = ws.deadline;
	ws.days = 7;
	if (!window_next_alert(&cfg, &w, &ws, at(now), &a, &when))
		return "none";
	return clock_rfc3339(when, buf);
}

/* Checks that at exactly notify_at today's alert is due, not ahead. */
static void
test_due_at_notify_at(void **state)
{
	(void)state;
	assert_false(due(HMS(9, 0), "2025-07-10T08:59:59"));
	assert_true(due(HMS(9, 0), "2025-07-10T09:00:00"));
	assert_true(due(HMS(9, 0), "2025-07-10T09:00:01"));
	assert_string_equal(next_alert(HMS(9, 0), "2025-07-10",
	                        "2025-07-10T08:59:59"),
	    "2025-07-10T09:00:00+08:00");
	assert_string_equal(next_alert(HMS(9, 0), "2025-07-10",
	                        "2025-07-10T09:00:00"),
	    "2025-07-11T09:00:00+08:00");
}

/* Checks the spring-forward day: 09:00 is 09:00 EDT, 02:30 does not
 * exist and is due from 03:00 EDT, 23:30 is still that day. */
static void
test_spring_forward(void **state)
{
	(void)state;
	assert_int_equal(clock_set_zone("America/New_York"), 0);
	assert_false(due(HMS(9, 0), "2026-03-08T08:59:59"));
	assert_true(due(HMS(9, 0), "2026-03-08T09:00"));
	assert_false(due(HMS(2, 30), "2026-03-08T01:59:59"));
	assert_true(due(HMS(2, 30), "2026-03-08T03:00"));
	assert_false(due(HMS(23, 30), "2026-03-08T23:29:59"));
	assert_true(due(HMS(23, 30), "2026-03-08T23:30"));
	assert_string_equal(next_alert(HMS(9, 0), "2026-03-08",
	                        "2026-03-08T00:00"),
	    "2026-03-08T09:00:00-04:00");
	assert_string_equal(next_alert(HMS(2, 30), "2026-03-08",
	                        "2026-03-08T01:00"),
	    "2026-03-08T03:00:00-04:00");
	assert_string_equal(next_alert(HMS(23, 30), "2026-03-08",
	                        "2026-03-08T23:00"),
	    "2026-03-08T23:30:00-04:00");
	assert_string_equal(next_alert(HMS(23, 30), "2026-03-07",
	                        "2026-03-08T23:30"),
	    "2026-03-09T23:30:00-04:00");
}

/* Checks the fall-back day: 01:30 is due from its first occurrence and
 * stays due through the repeated hour; 09:00 is 09:00 EST. */
static void
test_fall_back(void **state)
{
	(void)state;
	assert_int_equal(clock_set_zone("America/New_York"), 0);
	assert_false(due(HMS(1, 30), "2026-11-01T01:29:59-04:00"));
	assert_true(due(HMS(1, 30), "2026-11-01T01:30:00-04:00"));
	/* The second 01:15, by the clock before notify_at, is after it. */
	assert_true(due(HMS(1, 30), "2026-11-01T01:15:00-05:00"));
	assert_false(due(HMS(9, 0), "2026-11-01T08:30"));
	assert_true(due(HMS(9, 0), "2026-11-01T09:00"));
	assert_string_equal(next_alert(HMS(9, 0), "2026-11-01",
	                        "2026-11-01T00:59:50"),
	    "2026-11-01T09:00:00-05:00");
	assert_string_equal(next_alert(HMS(9, 0), "2026-11-01",
	                        "2026-11-01T08:30"),
	    "2026-11-01T09:00:00-05:00");
	assert_string_equal(next_alert(HMS(1, 30), "2026-11-01",
	                        "2026-11-01T00:59:50"),
	    "2026-11-01T01:30:00-04:00");
	assert_string_equal(next_alert(HMS(1, 30), "2026-11-01",
	                        "2026-11-01T01:15:00-05:00"),
	    "2026-11-02T01:30:00-05:00");
}

static int
teardown(void **state)
{
	(void)state;
	return clock_set_zone("Asia/Shanghai");
}

static int
setup(void **state)
{
	(void)state;
	return clock_set_zone("Asia/Shanghai");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_due_at_notify_at, setup,
	        teardown),
	    cmocka_unit_test_teardown(test_spring_forward, teardown),
	    cmocka_unit_test_teardown(test_fall_back, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
