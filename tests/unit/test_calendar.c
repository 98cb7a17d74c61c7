/*
 * test_calendar.c -- working days and the roll rule, against the 2025 and
 * 2026 Chinese public holidays and make-up working days of DOMAIN.md
 * (data in testcal.h).  Weekdays were checked by hand on a calendar.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "calendar.h"
#include "date.h"
#include "testcal.h"

static struct calendar cal;

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

/* True if day (given as text) is a working day of the shared calendar. */
static bool
working(const char *day)
{
	return calendar_is_working_day(&cal, testcal_day(day));
}

/* Checks Saturdays and Sundays are off, weekdays on, and neither is a
 * listed holiday. */
static void
test_weekend(void **state)
{
	(void)state;
	assert_true(working("2025-07-07"));  /* Mon */
	assert_true(working("2025-07-10"));  /* Thu */
	assert_true(working("2025-07-11"));  /* Fri */
	assert_false(working("2025-07-12")); /* Sat */
	assert_false(working("2025-07-13")); /* Sun */
	assert_false(calendar_is_holiday(&cal, testcal_day("2025-07-12")));
	assert_false(calendar_is_holiday(&cal, testcal_day("2025-07-13")));
	assert_false(calendar_is_holiday(&cal, testcal_day("2025-07-10")));
	/* An ordinary weekend far from the data set. */
	assert_false(working("2030-06-01")); /* Sat */
	assert_true(working("2030-06-03"));  /* Mon */
}

/* Checks which years the calendar covers: 2025 and 2026 are in the
 * data set, 2024 and 2027 are not, and an empty calendar covers none. */
static void
test_covers(void **state)
{
	struct calendar empty;

	(void)state;
	assert_true(calendar_has_days(&cal));
	assert_true(calendar_covers(&cal, 2025));
	assert_true(calendar_covers(&cal, 2026));
	assert_false(calendar_covers(&cal, 2024));
	assert_false(calendar_covers(&cal, 2027));
	calendar_init(&empty);
	assert_false(calendar_has_days(&empty));
	assert_false(calendar_covers(&empty, 2025));
	/* A year known by one make-up workday only is covered. */
	assert_int_equal(calendar_add_workday(&empty,
	                     testcal_day("2030-01-05")),
	    0);
	calendar_finish(&empty);
	assert_true(calendar_covers(&empty, 2030));
	assert_false(calendar_covers(&empty, 2029));
	assert_false(calendar_covers(&empty, 2031));
	calendar_free(&empty);
}

/* Checks every listed holiday day is a holiday and not a working day,
 * and that the weekday just before and after each period is not. */
static void
test_holidays_off(void **state)
{
	(void)state;
	for (size_t i = 0; i < TESTCAL_NHOLIDAYS; i++) {
		date_t first = testcal_day(testcal_holidays[i].first);
		date_t last = testcal_day(testcal_holidays[i].last);

		for (date_t d = first; d <= last; d++) {
			assert_true(calendar_is_holiday(&cal, d));
			assert_false(calendar_is_working_day(&cal, d));
		}
		assert_false(calendar_is_holiday(&cal, first - 1));
		assert_false(calendar_is_holiday(&cal, last + 1));
	}
	/* Weekday holidays, spelled out. */
	assert_false(working("2025-01-01")); /* Wed */
	assert_false(working("2025-10-08")); /* Wed */
	assert_false(working("2026-02-23")); /* Mon */
	assert_false(working("2026-10-01")); /* Thu */
	/* The weekdays right after some periods are working days. */
	assert_true(working("2025-01-02")); /* Thu */
	assert_true(working("2025-10-09")); /* Thu */
	assert_true(working("2026-02-24")); /* Tue */
	assert_true(working("2026-10-08")); /* Thu */
}

/* Checks make-up working days (调休) are working days though weekend
 * days, and are not holidays. */
static void
test_makeup_workdays_on(void **state)
{
	(void)state;
	for (size_t i = 0; i < TESTCAL_NWORKDAYS; i++) {
		date_t d = testcal_day(testcal_workdays[i]);

		/* Each is a Saturday or a Sunday... */
		assert_true(date_weekday(d) >= 5);
		/* ...and yet a working day. */
		assert_true(calendar_is_working_day(&cal, d));
		assert_false(calendar_is_holiday(&cal, d));
	}
	assert_true(working("2025-09-28")); /* Sun */
	assert_true(working("2026-01-04")); /* Sun */
	assert_true(working("2025-10-11")); /* Sat */
	assert_true(working("2026-02-14")); /* Sat */
	/* The other day of the same weekend stays off. */
	assert_false(working("2025-09-27")); /* Sat */
	assert_false(working("2025-10-12")); /* Sun */
	assert_false(working("2026-02-15")); /* Sun, also a holiday */
}

/* Checks a make-up workday wins over a holiday listing the same day. */
static void
test_workday_beats_holiday(void **state)
{
	struct calendar c;
	date_t d = testcal_day("2025-09-28");

	(void)state;
	calendar_init(&c);
	c.weekend = TESTCAL_WEEKEND;
	assert_int_equal(calendar_add_holiday(&c, d), 0);
	assert_int_equal(calendar_add_workday(&c, d), 0);
	calendar_finish(&c);
	assert_true(calendar_is_holiday(&c, d));
	assert_true(calendar_is_working_day(&c, d));
	calendar_free(&c);
}

/* Checks ROLL_NONE never moves a day, even a holiday or weekend. */
static void
test_roll_none(void **state)
{
	static const char *const days[] = {
	    "2025-07-10",
	    "2025-07-12",
	    "2025-07-13",
	    "2025-10-03",
	    "2026-01-01",
	    "2026-02-15",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		date_t d = testcal_day(days[i]);

		assert_int_equal(calendar_roll(&cal, d, ROLL_NONE), d);
	}
}

/* Checks ROLL_NEXT_WORKING_DAY moves a day off to the first working day
 * after it and leaves a working day alone. */
static void
test_roll_next(void **state)
{
	static const struct {
		const char *day, *want, *why;
	} cases[] = {
	    {"2025-07-10", "2025-07-10", "Thu, working"},
	    {"2025-07-12", "2025-07-14", "Sat -> Mon"},
	    {"2025-07-13", "2025-07-14", "Sun -> Mon"},
	    {"2025-10-01", "2025-10-09", "National Day 1-8 Oct (Wed)"},
	    {"2025-10-03", "2025-10-09", "National Day"},
	    {"2025-10-08", "2025-10-09", "last holiday -> Thu"},
	    {"2025-10-12", "2025-10-13", "Sun after the make-up Sat"},
	    {"2025-09-27", "2025-09-28", "Sat -> make-up Sun"},
	    {"2025-01-25", "2025-01-26", "Sat -> make-up Sun"},
	    {"2025-04-26", "2025-04-27", "Sat -> make-up Sun"},
	    {"2026-01-03", "2026-01-04", "holiday Sat -> make-up Sun"},
	    {"2026-09-19", "2026-09-20", "Sat -> make-up Sun"},
	    {"2026-02-15", "2026-02-24", "Spring Festival 15-23 Feb"},
	    {"2026-02-28", "2026-02-28", "make-up Sat stays"},
	    {"2026-03-01", "2026-03-02", "Sun -> Mon"},
	    {"2025-05-31", "2025-06-03", "Dragon Boat Sat..Mon -> Tue"},
	    {"2025-12-27", "2025-12-29", "Sat -> Mon"},
	    {"2025-12-31", "2025-12-31", "Wed, working"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[DATE_BUFSZ];
		date_t got = calendar_roll(&cal, testcal_day(cases[i].day),
		    ROLL_NEXT_WORKING_DAY);

		date_format(got, buf);
		if (got != testcal_day(cases[i].want))
			fail_msg("roll %s: want %s (%s), got %s", cases[i].day,
			    cases[i].want, cases[i].why, buf);
	}
}

/* Checks the rolled day is always a working day, never earlier, and
 * every day skipped is a day off (1 Dec 2024 .. 31 Jan 2027). */
static void
test_roll_property(void **state)
{
	date_t first = testcal_day("2024-12-01");
	date_t last = testcal_day("2027-01-31");

	(void)state;
	for (date_t d = first; d <= last; d++) {
		date_t r = calendar_roll(&cal, d, ROLL_NEXT_WORKING_DAY);

		assert_true(r >= d);
		assert_true(r - d <= 9);
		assert_true(calendar_is_working_day(&cal, r));
		for (date_t x = d; x < r; x++)
			assert_false(calendar_is_working_day(&cal, x));
	}
}

/* Checks calendar_roll_parse accepts the two names and nothing else. */
static void
test_roll_parse(void **state)
{
	static const char *const bad[] = {
	    "",
	    "None",
	    "NONE",
	    "next",
	    "next_working_day ",
	    " none",
	    "next-working-day",
	    "nextworkingday",
	    "none\n",
	    "previous_working_day",
	};
	enum roll r;

	(void)state;
	r = ROLL_NEXT_WORKING_DAY;
	assert_int_equal(calendar_roll_parse("none", &r), 0);
	assert_int_equal(r, ROLL_NONE);
	r = ROLL_NONE;
	assert_int_equal(calendar_roll_parse("next_working_day", &r), 0);
	assert_int_equal(r, ROLL_NEXT_WORKING_DAY);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (calendar_roll_parse(bad[i], &r) != -1)
			fail_msg("calendar_roll_parse accepted \"%s\"", bad[i]);
}

/* Checks calendar_weekday_parse maps mon..sun to 0..6 and rejects the
 * rest. */
static void
test_weekday_parse(void **state)
{
	static const char *const names[] = {"mon", "tue", "wed", "thu", "fri",
	    "sat", "sun"};
	static const char *const bad[] = {
	    "",
	    "monday",
	    "mo",
	    "m",
	    "sa",
	    "xyz",
	    "sat ",
	    " sun",
	    "saturday",
	    "7",
	    "0",
	};

	(void)state;
	for (int i = 0; i < 7; i++)
		assert_int_equal(calendar_weekday_parse(names[i]), i);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (calendar_weekday_parse(bad[i]) != -1)
			fail_msg("calendar_weekday_parse accepted \"%s\"",
			    bad[i]);
}

/* Checks calendar_finish sorts and drops repeats (e.g. two holiday files
 * both listing New Year's Day). */
static void
test_finish_dedup(void **state)
{
	struct calendar c;
	static const char *const hol[] = {
	    "2025-10-03",
	    "2025-01-01",
	    "2025-10-01",
	    "2025-01-01",
	    "2025-10-03",
	    "2025-10-02",
	    "2025-01-01",
	};
	static const char *const want[] = {
	    "2025-01-01",
	    "2025-10-01",
	    "2025-10-02",
	    "2025-10-03",
	};

	(void)state;
	calendar_init(&c);
	for (size_t i = 0; i < sizeof(hol) / sizeof(hol[0]); i++)
		assert_int_equal(calendar_add_holiday(&c, testcal_day(hol[i])),
		    0);
	assert_int_equal(calendar_add_workday(&c, testcal_day("2025-10-11")),
	    0);
	assert_int_equal(calendar_add_workday(&c, testcal_day("2025-09-28")),
	    0);
	assert_int_equal(calendar_add_workday(&c, testcal_day("2025-10-11")),
	    0);
	calendar_finish(&c);
	assert_int_equal(c.nholidays, 4);
	for (size_t i = 0; i < 4; i++)
		assert_date_equal(c.holidays[i], want[i]);
	assert_int_equal(c.nworkdays, 2);
	assert_date_equal(c.workdays[0], "2025-09-28");
	assert_date_equal(c.workdays[1], "2025-10-11");
	for (size_t i = 0; i < sizeof(hol) / sizeof(hol[0]); i++)
		assert_true(calendar_is_holiday(&c, testcal_day(hol[i])));
	assert_false(calendar_is_holiday(&c, testcal_day("2025-10-04")));
	calendar_free(&c);
	assert_null(c.holidays);
	assert_int_equal(c.nholidays, 0);
	assert_null(c.workdays);
	assert_int_equal(c.nworkdays, 0);
}

/* Checks the shared calendar holds each listed day exactly once. */
static void
test_shared_calendar_counts(void **state)
{
	(void)state;
	/* 1+8+3+5+3+8 (2025) + 3+9+3+5+3+3+7 (2026) = 61 days. */
	assert_int_equal(cal.nholidays, 61);
	assert_int_equal(cal.nworkdays, 11);
	for (size_t i = 1; i < cal.nholidays; i++)
		assert_true(cal.holidays[i - 1] < cal.holidays[i]);
	for (size_t i = 1; i < cal.nworkdays; i++)
		assert_true(cal.workdays[i - 1] < cal.workdays[i]);
}

/* Checks an empty calendar makes every day a working day. */
static void
test_empty_calendar(void **state)
{
	struct calendar c;
	date_t d = testcal_day("2025-10-04"); /* Sat and a holiday */

	(void)state;
	calendar_init(&c);
	calendar_finish(&c);
	assert_true(calendar_is_working_day(&c, d));
	assert_false(calendar_is_holiday(&c, d));
	assert_int_equal(calendar_roll(&c, d, ROLL_NEXT_WORKING_DAY), d);
	calendar_free(&c);
}

/* Checks many additions, out of order, grow and sort correctly. */
static void
test_many_holidays(void **state)
{
	struct calendar c;
	date_t base = testcal_day("2030-01-01");

	(void)state;
	calendar_init(&c);
	/* Every other day over 2000 days, added backwards, twice. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 1999; i >= 0; i -= 2)
			assert_int_equal(calendar_add_holiday(&c, base + i), 0);
	calendar_finish(&c);
	assert_int_equal(c.nholidays, 1000);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(calendar_is_holiday(&c, base + i), i % 2 == 1);
	/* Day 1 is off, day 2 is not. */
	assert_int_equal(calendar_roll(&c, base + 1, ROLL_NEXT_WORKING_DAY),
	    base + 2);
	calendar_free(&c);
}

/* Checks the roll terminates when every day is off (all seven weekdays
 * marked as weekend, or a long unbroken run of holidays). */
static void
test_roll_all_days_off(void **state)
{
	struct calendar c;
	date_t d = testcal_day("2025-07-03");
	date_t r;

	(void)state;
	calendar_init(&c);
	c.weekend = 0x7f;
	calendar_finish(&c);
	assert_false(calendar_is_working_day(&c, d));
	r = calendar_roll(&c, d, ROLL_NEXT_WORKING_DAY);
	/* Nothing to roll to: the result must at least be a sane day, not
	 * earlier than the input nor absurdly far away. */
	assert_true(r >= d && r <= d + 366);
	calendar_free(&c);

	calendar_init(&c);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(calendar_add_holiday(&c, d + i), 0);
	calendar_finish(&c);
	r = calendar_roll(&c, d, ROLL_NEXT_WORKING_DAY);
	assert_true(r >= d && r <= d + 366);
	/* A run that does end within reach is rolled past. */
	assert_int_equal(calendar_roll(&c, d + 900, ROLL_NEXT_WORKING_DAY),
	    d + 1000);
	calendar_free(&c);
}

/* The working day on or before a day, as text. */
static const char *
before_on(const char *day, char *buf)
{
	return date_format(calendar_working_on_or_before(&cal,
	                       testcal_day(day)),
	    buf);
}

/* Checks the last working day on or before a day: itself when working
 * (a make-up Sunday too), else back across weekends and holidays. */
static void
test_working_on_or_before(void **state)
{
	char b[DATE_BUFSZ];

	(void)state;
	assert_string_equal(before_on("2025-07-10", b), "2025-07-10");
	assert_string_equal(before_on("2025-07-13", b), "2025-07-11");
	assert_string_equal(before_on("2025-09-28", b), "2025-09-28");
	assert_string_equal(before_on("2025-10-06", b), "2025-09-30");
	assert_string_equal(before_on("2025-10-08", b), "2025-09-30");
	/* Spring Festival 2026: back to the make-up Saturday 02-14. */
	assert_string_equal(before_on("2026-02-21", b), "2026-02-14");
	assert_string_equal(before_on("2026-02-15", b), "2026-02-14");
}

/* Checks counting n working days back, the day itself not counted:
 * from Thu 2025-10-09, 1 is Tue 09-30, 2 Mon 09-29, 3 the make-up
 * Sunday 09-28; from Tue 2026-02-24, 1 is the make-up Saturday 02-14. */
static void
test_working_days_before(void **state)
{
	date_t d = testcal_day("2025-10-09"), e = testcal_day("2026-02-24");

	(void)state;
	assert_date_equal(calendar_working_days_before(&cal, d, 1),
	    "2025-09-30");
	assert_date_equal(calendar_working_days_before(&cal, d, 2),
	    "2025-09-29");
	assert_date_equal(calendar_working_days_before(&cal, d, 3),
	    "2025-09-28");
	assert_date_equal(calendar_working_days_before(&cal, d, 4),
	    "2025-09-26");
	assert_date_equal(calendar_working_days_before(&cal, e, 1),
	    "2026-02-14");
	assert_date_equal(calendar_working_days_before(&cal, e, 3),
	    "2026-02-12");
	/* An ordinary week: Mon 07-14 minus 1 is Fri 07-11. */
	assert_date_equal(calendar_working_days_before(&cal,
	                      testcal_day("2025-07-14"), 1),
	    "2025-07-11");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weekend),
	    cmocka_unit_test(test_covers),
	    cmocka_unit_test(test_holidays_off),
	    cmocka_unit_test(test_makeup_workdays_on),
	    cmocka_unit_test(test_workday_beats_holiday),
	    cmocka_unit_test(test_roll_none),
	    cmocka_unit_test(test_roll_next),
	    cmocka_unit_test(test_roll_property),
	    cmocka_unit_test(test_roll_parse),
	    cmocka_unit_test(test_weekday_parse),
	    cmocka_unit_test(test_finish_dedup),
	    cmocka_unit_test(test_shared_calendar_counts),
	    cmocka_unit_test(test_empty_calendar),
	    cmocka_unit_test(test_many_holidays),
	    cmocka_unit_test(test_roll_all_days_off),
	    cmocka_unit_test(test_working_on_or_before),
	    cmocka_unit_test(test_working_days_before),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
