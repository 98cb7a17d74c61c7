/*
 * test_route.c -- the pure planning parts of routing (route.h): which
 * receivers an alert goes to (kinds, escalation steps), which step a
 * window has reached, and how an acknowledgement pauses overdue repeats
 * on top of deadline_next_alert and deadline_last_alert.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <stdlib.h>

#include "message.h"
#include "route.h"
#include "testcal.h"

#define KIND(k) (1u << (k))

enum { CLERK, LAWYER, PROC, HEAD, NRECEIVERS };

static struct receiver receivers[NRECEIVERS] = {
    [CLERK] = {.name = "clerk", .kinds = ROUTE_KINDS_ALL},
    [LAWYER] = {.name = "lawyer",
        .kinds = KIND(ALERT_OVERDUE) | KIND(ALERT_CLOSED)},
    [PROC] = {.name = "proc", .kinds = ROUTE_KINDS_ALL},
    [HEAD] = {.name = "head", .kinds = ROUTE_KINDS_ALL},
};

static size_t base_notify[] = {CLERK, LAWYER};
static size_t step1_notify[] = {PROC};
static size_t step2_notify[] = {HEAD, CLERK}; /* clerk: already told */
static struct escalate_step steps[] = {
    {.overdue_days = 3, .notify = step1_notify, .nnotify = 1},
    {.overdue_days = 10, .notify = step2_notify, .nnotify = 2},
};

static const struct reminders daily = {.before = {3, 1},
    .nbefore = 2,
    .on_due_day = true,
    .overdue_every = 1,
    .overdue_max = 30,
    .ack_days = 7};

static struct config
config_routed(void)
{
	struct config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.receivers = receivers;
	cfg.nreceivers = NRECEIVERS;
	cfg.notify = base_notify;
	cfg.nnotify = 2;
	return cfg;
}

static struct window_def
window_escalated(void)
{
	struct window_def w;

	memset(&w, 0, sizeof(w));
	w.name = "decision";
	w.escalate.steps = steps;
	w.escalate.nsteps = 2;
	return w;
}

/* The receiver names of route_receivers, "a,b|c" with | at nbase. */
static const char *
route(enum alert_kind kind, int overdue_days, bool all_steps,
    const struct case_info *c)
{
	static char buf[128];
	struct config cfg = config_routed();
	struct window_def w = window_escalated();
	size_t out[NRECEIVERS], n, nbase;

	n = route_receivers(&cfg, c, &w, kind, overdue_days, all_steps, out,
	    &nbase);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(buf, i == nbase ? "|" : ",");
		strcat(buf, receivers[out[i]].name);
	}
	if (n == nbase)
		strcat(buf, "|");
	return buf;
}

static void
test_takes_its_kinds_only(void **state)
{
	(void)state;
	assert_true(route_takes(&receivers[CLERK], ALERT_REMINDER));
	assert_true(route_takes(&receivers[CLERK], ALERT_REMOVED));
	assert_false(route_takes(&receivers[LAWYER], ALERT_REMINDER));
	assert_false(route_takes(&receivers[LAWYER], ALERT_OPENED));
	assert_true(route_takes(&receivers[LAWYER], ALERT_OVERDUE));
	assert_true(route_takes(&receivers[LAWYER], ALERT_CLOSED));
}

static void
test_steps_reached(void **state)
{
	struct escalation none = {NULL, 0}, two = {steps, 2};

	(void)state;
	assert_int_equal(route_steps_reached(&none, 100), 0);
	assert_int_equal(route_steps_reached(&two, 0), 0);
	assert_int_equal(route_steps_reached(&two, 2), 0);
	assert_int_equal(route_steps_reached(&two, 3), 1);
	assert_int_equal(route_steps_reached(&two, 9), 1);
	assert_int_equal(route_steps_reached(&two, 10), 2);
	assert_int_equal(route_steps_reached(&two, 365), 2);
}

static void
test_receivers_by_kind_and_step(void **state)
{
	struct case_info c;
	size_t own[] = {HEAD};

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_string_equal(route(ALERT_REMINDER, 0, false, &c), "clerk|");
	assert_string_equal(route(ALERT_OPENED, 0, false, &c), "clerk|");
	assert_string_equal(route(ALERT_OVERDUE, 1, false, &c),
	    "clerk,lawyer|");
	assert_string_equal(route(ALERT_OVERDUE, 2, false, &c),
	    "clerk,lawyer|");
	assert_string_equal(route(ALERT_OVERDUE, 3, false, &c),
	    "clerk,lawyer|proc");
	assert_string_equal(route(ALERT_OVERDUE, 10, false, &c),
	    "clerk,lawyer|proc,head");
	/* Only overdue alerts escalate... */
	assert_string_equal(route(ALERT_DUE, 10, false, &c), "clerk|");
	/* ...but an announcement may go to every step's receivers (the
	 * planner keeps those that heard of the window). */
	assert_string_equal(route(ALERT_CLOSED, 0, true, &c),
	    "clerk,lawyer|proc,head");
	assert_string_equal(route(ALERT_EXTENDED, 0, true, &c),
	    "clerk|proc,head");
	/* A case's own notify replaces the default list. */
	c.extra = &(struct case_extra){.notify = own, .nnotify = 1};
	assert_string_equal(route(ALERT_OVERDUE, 10, false, &c),
	    "head|proc,clerk");
}

/* An open window opened on 2025-07-03, deadline 2025-07-10, case c. */
static struct window_state
window_acked(const struct case_info *c, const struct reminders *rem)
{
	struct window_state ws;

	memset(&ws, 0, sizeof(ws));
	ws.opened = testcal_day("2025-07-03");
	ws.days = 7;
	ws.last_day = ws.deadline = testcal_day("2025-07-10");
	route_ack(c, rem, &ws);
	return ws;
}

/* A case acknowledged on day (NULL: not acknowledged); its extra is
 * the one extra of these tests, made again on each call. */
static struct case_info
case_acked(const char *day)
{
	static struct case_extra x;
	struct case_info c;

	memset(&c, 0, sizeof(c));
	memset(&x, 0, sizeof(x));
	x.acknowledged = day != NULL;
	x.acknowledged_on = day != NULL ? testcal_day(day) : 0;
	x.acknowledged_by = "Judge Wang";
	c.extra = &x;
	return c;
}

static void
test_ack_applies_to_windows_overdue_on_its_day(void **state)
{
	struct case_info c = case_acked("2025-07-14");
	struct window_state ws = window_acked(&c, &daily);

	(void)state;
	assert_true(ws.acked);
	assert_int_equal(ws.ack_from, testcal_day("2025-07-14"));
	assert_int_equal(ws.ack_until, testcal_day("2025-07-20"));
	assert_string_equal(ws.ack_by, "Judge Wang");
	/* On the deadline day the window is not overdue yet. */
	c = case_acked("2025-07-10");
	ws = window_acked(&c, &daily);
	assert_false(ws.acked);
	c = case_acked(NULL);
	ws = window_acked(&c, &daily);
	assert_false(ws.acked);
}

/* The day of the next (or last) alert as "YYYY-MM-DD kind", or "-". */
static const char *
alert_at(const struct window_state *ws, const struct reminders *rem,
    const char *day, bool next)
{
	static char buf[64];
	struct timed_alert a;
	char d[DATE_BUFSZ];
	bool found = next ? route_next_alert(ws, rem, testcal_day(day), &a)
	                  : route_last_alert(ws, rem, testcal_day(day), &a);

	if (!found)
		return "-";
	snprintf(buf, sizeof(buf), "%s %s", date_format(a.day, d),
	    deadline_kind_name(a.kind));
	return buf;
}

static void
test_ack_pauses_daily_overdue_then_resumes(void **state)
{
	struct case_info c = case_acked("2025-07-14");
	struct window_state ws = window_acked(&c, &daily);

	(void)state;
	assert_string_equal(alert_at(&ws, &daily, "2025-07-10", true),
	    "2025-07-10 due");
	assert_string_equal(alert_at(&ws, &daily, "2025-07-13", true),
	    "2025-07-13 overdue");
	assert_string_equal(alert_at(&ws, &daily, "2025-07-14", true),
	    "2025-07-21 overdue");
	assert_string_equal(alert_at(&ws, &daily, "2025-07-20", true),
	    "2025-07-21 overdue");
	assert_string_equal(alert_at(&ws, &daily, "2025-07-22", true),
	    "2025-07-22 overdue");
	/* Paused: nothing is due, not even a catch-up. */
	assert_string_equal(alert_at(&ws, &daily, "2025-07-13", false),
	    "2025-07-13 overdue");
	assert_string_equal(alert_at(&ws, &daily, "2025-07-14", false), "-");
	assert_string_equal(alert_at(&ws, &daily, "2025-07-20", false), "-");
	assert_string_equal(alert_at(&ws, &daily, "2025-07-21", false),
	    "2025-07-21 overdue");
}

static void
test_ack_days_and_weekly_repeats(void **state)
{
	struct reminders weekly = daily;
	struct case_info c = case_acked("2025-07-14");
	struct window_state ws;

	(void)state;
	/* Overdue on 07-11, 07-18, 07-25: the pause (07-14..07-20) takes
	 * 07-18's. */
	weekly.overdue_every = 7;
	ws = window_acked(&c, &weekly);
	assert_string_equal(alert_at(&ws, &weekly, "2025-07-12", true),
	    "2025-07-25 overdue");
	assert_string_equal(alert_at(&ws, &weekly, "2025-07-22", false), "-");
	assert_string_equal(alert_at(&ws, &weekly, "2025-07-25", false),
	    "2025-07-25 overdue");
	/* Before the pause, the last alert stands. */
	assert_string_equal(alert_at(&ws, &weekly, "2025-07-13", false),
	    "2025-07-11 overdue");
	/* ack_days = 2: paused 07-14 and 07-15. */
	weekly = daily;
	weekly.ack_days = 2;
	ws = window_acked(&c, &weekly);
	assert_int_equal(ws.ack_until, testcal_day("2025-07-15"));
	assert_string_equal(alert_at(&ws, &weekly, "2025-07-14", true),
	    "2025-07-16 overdue");
	/* The limit of overdue repeats still counts from the deadline. */
	weekly.overdue_max = 4;
	ws = window_acked(&c, &weekly);
	assert_string_equal(alert_at(&ws, &weekly, "2025-07-14", true), "-");
}

/* An overdue alert escalated at step 1 and told to proc for the first
 * time. */
static json_t *
escalated_alerts(void)
{
	json_t *a = json_loads(
	    "[{\"id\": \"x\", \"kind\": \"overdue\", \"days_left\": -3,"
	    " \"case\": {\"id\": \"A-1\", \"title\": \"\", \"court\": \"\"},"
	    " \"window\": {\"name\": \"decision\", \"title\": \"d\","
	    " \"opened\": \"2025-07-03\", \"days\": 7, \"extended\": false,"
	    " \"deadline\": \"2025-07-10\"},"
	    " \"escalation\": {\"step\": 1, \"overdue_days\": 3,"
	    " \"overdue_since\": \"2025-07-11\", \"receivers\": [\"proc\"],"
	    " \"first\": [\"proc\"]}}]",
	    0, NULL);

	assert_non_null(a);
	return a;
}

static void
test_first_escalation_says_so(void **state)
{
	struct receiver proc = {.name = "proc", .language = LANGUAGE_ZH};
	struct receiver clerk = {.name = "clerk", .language = LANGUAGE_ZH};
	json_t *alerts = escalated_alerts();
	char *s;

	(void)state;
	s = message_subject(&proc, alerts, false);
	assert_non_null(strstr(s, "【逾期·升级】A-1"));
	free(s);
	s = message_body(&proc, alerts, false, MESSAGE_TEXT);
	assert_non_null(strstr(s,
	    "升级通知：该期限自 2025-07-11 (周五) 起逾期；"
	    "已达升级规则第 1 级（逾期满 3 天）"));
	free(s);
	/* Not new to the clerk: a plain overdue alert. */
	s = message_body(&clerk, alerts, false, MESSAGE_TEXT);
	assert_null(strstr(s, "升级"));
	free(s);
	proc.language = LANGUAGE_EN;
	s = message_subject(&proc, alerts, false);
	assert_non_null(strstr(s, "[deadlined] overdue (escalation): A-1"));
	free(s);
	s = message_body(&proc, alerts, false, MESSAGE_MARKDOWN);
	assert_non_null(strstr(s,
	    "### Overdue (escalation): d, 3 days "
	    "overdue"));
	assert_non_null(strstr(s,
	    "- **Escalation**: overdue since 2025-07-11 "
	    "(Fri); escalation step 1 (overdue 3 days or "
	    "more) reached"));
	free(s);
	json_decref(alerts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_takes_its_kinds_only),
	    cmocka_unit_test(test_steps_reached),
	    cmocka_unit_test(test_receivers_by_kind_and_step),
	    cmocka_unit_test(test_ack_applies_to_windows_overdue_on_its_day),
	    cmocka_unit_test(test_ack_pauses_daily_overdue_then_resumes),
	    cmocka_unit_test(test_ack_days_and_weekly_repeats),
	    cmocka_unit_test(test_first_escalation_says_so),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
