/*
 * test_date.c -- civil dates: conversions, validity, parsing, formatting,
 * weekdays and day arithmetic.  Expected day numbers and weekdays were
 * worked out by hand (and agree with any perpetual calendar).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "testcal.h"

/* Checks day numbers of anchor dates computed by hand from 1970-01-01. */
static void
test_from_ymd_anchors(void **state)
{
	(void)state;
	assert_int_equal(date_from_ymd(1970, 1, 1), 0);
	assert_int_equal(date_from_ymd(1970, 1, 2), 1);
	assert_int_equal(date_from_ymd(1969, 12, 31), -1);
	/* 30 years, 7 leap years (1972..1996): 30 * 365 + 7. */
	assert_int_equal(date_from_ymd(2000, 1, 1), 10957);
	/* 70 years back, 17 leap years (1904..1968; 1900 is not). */
	assert_int_equal(date_from_ymd(1900, 1, 1), -25567);
	/* 55 * 365 + 14 leap years (1972..2024) = 20089. */
	assert_int_equal(date_from_ymd(2025, 1, 1), 20089);
	/* + Jan..Jun (181 days) + 2. */
	assert_int_equal(date_from_ymd(2025, 7, 3), 20272);
	/* 2028-01-01 = 20089 + 3 * 365 (2025..2027 are not leap) = 21184,
	 * then + 31 (Jan) + 28 = 2028-02-29. */
	assert_int_equal(date_from_ymd(2028, 1, 1), 21184);
	assert_int_equal(date_from_ymd(2028, 2, 29), 21184 + 31 + 28);
}

/* Checks every day 1899..2101 converts to ymd and back, one apart. */
static void
test_round_trip_every_day(void **state)
{
	date_t prev = date_from_ymd(1898, 12, 31);

	(void)state;
	for (int y = 1899; y <= 2101; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= 31; d++) {
				int y2, m2, d2;
				date_t dt;

				if (!date_valid(y, m, d))
					continue;
				dt = date_from_ymd(y, m, d);
				assert_int_equal(dt, prev + 1);
				date_to_ymd(dt, &y2, &m2, &d2);
				assert_int_equal(y2, y);
				assert_int_equal(m2, m);
				assert_int_equal(d2, d);
				prev = dt;
			}
	/* 203 years, 1899..2101: 49 leap years (1904..2096 are 49, 1900
	 * and 2100 are not, 2000 is). */
	assert_int_equal(prev - date_from_ymd(1898, 12, 31), 203 * 365 + 49);
}

/* Checks round trips of notable days: century years and leap days. */
static void
test_round_trip_notable(void **state)
{
	static const int days[][3] = {
	    {1900, 1, 1},
	    {1900, 2, 28},
	    {1900, 3, 1},
	    {1900, 12, 31},
	    {2000, 2, 29},
	    {2000, 3, 1},
	    {2000, 12, 31},
	    {2024, 2, 29},
	    {2028, 2, 29},
	    {2028, 3, 1},
	    {2100, 2, 28},
	    {2100, 3, 1},
	    {2400, 2, 29},
	    {9999, 12, 31},
	    {1, 1, 1},
	    {1600, 2, 29},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		int y, m, d;

		date_to_ymd(date_from_ymd(days[i][0], days[i][1], days[i][2]),
		    &y, &m, &d);
		assert_int_equal(y, days[i][0]);
		assert_int_equal(m, days[i][1]);
		assert_int_equal(d, days[i][2]);
	}
	/* 1900 is not leap: Feb 28 is followed by Mar 1. */
	assert_int_equal(date_from_ymd(1900, 3, 1) - date_from_ymd(1900, 2, 28),
	    1);
	/* 2100 is not leap either; 2000 is. */
	assert_int_equal(date_from_ymd(2100, 3, 1) - date_from_ymd(2100, 2, 28),
	    1);
	assert_int_equal(date_from_ymd(2000, 3, 1) - date_from_ymd(2000, 2, 28),
	    2);
}

/* Checks date_valid on month lengths, leap rules and bad fields. */
static void
test_valid(void **state)
{
	(void)state;
	assert_true(date_valid(2025, 7, 3));
	assert_true(date_valid(2025, 1, 31));
	assert_true(date_valid(2025, 12, 31));
	assert_true(date_valid(2025, 2, 28));
	assert_false(date_valid(2025, 2, 29));
	assert_false(date_valid(2025, 2, 30));
	assert_true(date_valid(2024, 2, 29));
	assert_true(date_valid(2028, 2, 29));
	assert_false(date_valid(2100, 2, 29));
	assert_false(date_valid(1900, 2, 29));
	assert_true(date_valid(2000, 2, 29));
	assert_false(date_valid(2025, 4, 31));
	assert_false(date_valid(2025, 6, 31));
	assert_false(date_valid(2025, 9, 31));
	assert_false(date_valid(2025, 11, 31));
	assert_true(date_valid(2025, 8, 31));
	assert_false(date_valid(2025, 13, 1));
	assert_false(date_valid(2025, 0, 1));
	assert_false(date_valid(2025, -1, 1));
	assert_false(date_valid(2025, 1, 0));
	assert_false(date_valid(2025, 1, 32));
	assert_false(date_valid(2025, 1, -1));
}

/* Checks date_parse accepts exact YYYY-MM-DD and gives the right day. */
static void
test_parse_good(void **state)
{
	date_t d = -1;

	(void)state;
	assert_int_equal(date_parse("2025-07-03", &d), 0);
	assert_int_equal(d, date_from_ymd(2025, 7, 3));
	assert_int_equal(date_parse("2024-02-29", &d), 0);
	assert_int_equal(d, date_from_ymd(2024, 2, 29));
	assert_int_equal(date_parse("2000-02-29", &d), 0);
	assert_int_equal(d, date_from_ymd(2000, 2, 29));
	/* The header promises years 1900..2999. */
	assert_int_equal(date_parse("1900-01-01", &d), 0);
	assert_int_equal(d, date_from_ymd(1900, 1, 1));
	assert_int_equal(date_parse("2999-12-31", &d), 0);
	assert_int_equal(d, date_from_ymd(2999, 12, 31));
	assert_int_equal(date_parse("3000-01-01", &d), -1);
	assert_int_equal(date_parse("9999-12-31", &d), -1);
	assert_int_equal(date_parse("1899-12-31", &d), -1);
}

/* Checks date_parse rejects anything but exactly YYYY-MM-DD of a real day. */
static void
test_parse_bad(void **state)
{
	static const char *const bad[] = {
	    "2025-7-3",
	    "2025-13-01",
	    "2025-02-30",
	    "2025-07-03x",
	    "",
	    "2025-",
	    "20250703",
	    " 2025-07-03",
	    "2025-07-3 ",
	    "2025-07-03 ",
	    "2025-07-03\n",
	    "2025/07/03",
	    "2025-00-10",
	    "2025-07-00",
	    "2025-07-32",
	    "2100-02-29",
	    "2025-02-29",
	    "1899-12-31",
	    "0000-01-01",
	    "+025-07-03",
	    "2025-+7-03",
	    "2025-07--3",
	    "2025-07-+3",
	    "-025-07-03",
	    "2025 07 03",
	    "２０２５-07-03",
	    "2025-07",
	    "2025-0a-03",
	    "99999-01-01",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		date_t d = 0;

		if (date_parse(bad[i], &d) != -1)
			fail_msg("date_parse accepted \"%s\"", bad[i]);
	}
}

/* Checks date_format writes zero-padded YYYY-MM-DD and returns buf. */
static void
test_format(void **state)
{
	char buf[DATE_BUFSZ];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_ptr_equal(date_format(date_from_ymd(2025, 7, 3), buf), buf);
	assert_string_equal(buf, "2025-07-03");
	assert_string_equal(date_format(0, buf), "1970-01-01");
	assert_string_equal(date_format(-1, buf), "1969-12-31");
	assert_string_equal(date_format(date_from_ymd(1900, 1, 1), buf),
	    "1900-01-01");
	assert_string_equal(date_format(date_from_ymd(2028, 2, 29), buf),
	    "2028-02-29");
	assert_string_equal(date_format(date_from_ymd(9999, 12, 31), buf),
	    "9999-12-31");
	assert_string_equal(date_format(date_from_ymd(2026, 10, 1), buf),
	    "2026-10-01");
}

/* Checks format and parse are inverse over 1900..2100. */
static void
test_format_parse_round_trip(void **state)
{
	date_t first = date_from_ymd(1900, 1, 1);
	date_t last = date_from_ymd(2100, 12, 31);

	(void)state;
	for (date_t dt = first; dt <= last; dt++) {
		char buf[DATE_BUFSZ];
		date_t back = 0;

		assert_int_equal(date_parse(date_format(dt, buf), &back), 0);
		assert_int_equal(back, dt);
	}
}

/* Checks weekdays (Monday = 0) of days whose weekday is known. */
static void
test_weekday(void **state)
{
	(void)state;
	assert_int_equal(date_weekday(date_from_ymd(2025, 7, 3)), 3); /* Thu */
	assert_int_equal(date_weekday(date_from_ymd(2025, 7, 5)), 5); /* Sat */
	assert_int_equal(date_weekday(date_from_ymd(2025, 7, 6)), 6); /* Sun */
	assert_int_equal(date_weekday(date_from_ymd(2025, 7, 7)), 0); /* Mon */
	assert_int_equal(date_weekday(date_from_ymd(2025, 9, 28)), 6);
	assert_int_equal(date_weekday(date_from_ymd(2025, 10, 1)), 2); /* Wed */
	assert_int_equal(date_weekday(date_from_ymd(2026, 1, 4)), 6);  /* Sun */
	assert_int_equal(date_weekday(date_from_ymd(2026, 2, 14)), 5);
	assert_int_equal(date_weekday(date_from_ymd(1970, 1, 1)), 3); /* Thu */
	assert_int_equal(date_weekday(date_from_ymd(1969, 12, 31)), 2);
	assert_int_equal(date_weekday(date_from_ymd(1969, 12, 29)), 0);
	assert_int_equal(date_weekday(date_from_ymd(1969, 12, 28)), 6);
	assert_int_equal(date_weekday(date_from_ymd(2000, 1, 1)), 5);  /* Sat */
	assert_int_equal(date_weekday(date_from_ymd(1900, 1, 1)), 0);  /* Mon */
	assert_int_equal(date_weekday(date_from_ymd(2028, 2, 29)), 1); /* Tue */
}

/* Checks weekdays advance by one each day, also before 1970. */
static void
test_weekday_cycle(void **state)
{
	date_t first = date_from_ymd(1900, 1, 1); /* a Monday */

	(void)state;
	for (date_t dt = first; dt < first + 80000; dt++)
		assert_int_equal(date_weekday(dt), (dt - first) % 7);
}

/* Checks adding days across month ends, year ends and leap days. */
static void
test_arithmetic(void **state)
{
	(void)state;
	assert_date_equal(testcal_day("2025-01-31") + 1, "2025-02-01");
	assert_date_equal(testcal_day("2025-02-28") + 1, "2025-03-01");
	assert_date_equal(testcal_day("2024-02-28") + 1, "2024-02-29");
	assert_date_equal(testcal_day("2024-02-29") + 1, "2024-03-01");
	assert_date_equal(testcal_day("2028-02-28") + 1, "2028-02-29");
	assert_date_equal(testcal_day("2000-02-28") + 1, "2000-02-29");
	assert_date_equal(testcal_day("2100-02-28") + 1, "2100-03-01");
	assert_date_equal(testcal_day("1900-02-28") + 1, "1900-03-01");
	assert_date_equal(testcal_day("2025-12-31") + 1, "2026-01-01");
	assert_date_equal(testcal_day("2026-01-01") - 1, "2025-12-31");
	assert_date_equal(testcal_day("2025-04-30") + 1, "2025-05-01");
	/* 7 and 30 days: 07-03 + 28 = 07-31, + 2 = 08-02. */
	assert_date_equal(testcal_day("2025-07-03") + 7, "2025-07-10");
	assert_date_equal(testcal_day("2025-07-03") + 30, "2025-08-02");
	/* September has 30 days: 09-26 + 4 = 09-30, + 3 = 10-03. */
	assert_date_equal(testcal_day("2025-09-26") + 7, "2025-10-03");
	/* 12-28 + 3 = 12-31, + 4 = 01-04. */
	assert_date_equal(testcal_day("2025-12-28") + 7, "2026-01-04");
	/* 2028-02-25 + 4 = 02-29, + 3 = 03-03; 2027 has no 02-29. */
	assert_date_equal(testcal_day("2028-02-25") + 7, "2028-03-03");
	assert_date_equal(testcal_day("2027-02-25") + 7, "2027-03-04");
	assert_date_equal(testcal_day("2028-02-22") + 7, "2028-02-29");
	/* Differences are day counts. */
	assert_int_equal(testcal_day("2026-01-01") - testcal_day("2025-01-01"),
	    365);
	assert_int_equal(testcal_day("2025-01-01") - testcal_day("2024-01-01"),
	    366);
	assert_int_equal(testcal_day("2028-03-01") - testcal_day("2028-02-01"),
	    29);
	assert_int_equal(testcal_day("2100-03-01") - testcal_day("2100-02-01"),
	    28);
	assert_int_equal(testcal_day("2001-01-01") - testcal_day("2000-01-01"),
	    366);
	assert_int_equal(testcal_day("1901-01-01") - testcal_day("1900-01-01"),
	    365);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_from_ymd_anchors),
	    cmocka_unit_test(test_round_trip_every_day),
	    cmocka_unit_test(test_round_trip_notable),
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_format_parse_round_trip),
	    cmocka_unit_test(test_weekday),
	    cmocka_unit_test(test_weekday_cycle),
	    cmocka_unit_test(test_arithmetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
