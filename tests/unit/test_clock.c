/*
 * test_clock.c -- local time in zones that change their clocks:
 * clock_local, clock_split and clock_parse on the days New York and
 * Berlin spring forward and fall back in 2026.  Expected instants are
 * written as RFC 3339 with the offset the zone shows at them.
 *
 *   America/New_York  2026-03-08 02:00 EST -> 03:00 EDT
 *                     2026-11-01 02:00 EDT -> 01:00 EST
 *   Europe/Berlin     2026-03-29 02:00 CET -> 03:00 CEST
 *                     2026-10-25 03:00 CEST -> 02:00 CET
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "testcal.h"

#define HMS(h, m, s) ((h)*3600 + (m)*60 + (s))

/* clock_local(day, secs) as RFC 3339, in a static buffer. */
static const char *
local_str(const char *day, int secs)
{
	static char buf[CLOCK_RFC3339_BUFSZ];

	return clock_rfc3339(clock_local(testcal_day(day), secs), buf);
}

/* clock_parse(s) as RFC 3339, or "error". */
static const char *
parse_str(const char *s)
{
	static char buf[CLOCK_RFC3339_BUFSZ];
	time_t t;

	if (clock_parse(s, &t) == -1)
		return "error";
	return clock_rfc3339(t, buf);
}

static void
zone(const char *name)
{
	assert_int_equal(clock_set_zone(name), 0);
}

/* Checks notify_at times on New York's spring-forward day: 02:30 does not
 * exist and is the moment the clock jumps, 03:00 EDT. */
static void
test_ny_spring_forward(void **state)
{
	(void)state;
	zone("America/New_York");
	assert_string_equal(local_str("2026-03-08", HMS(0, 0, 0)),
	    "2026-03-08T00:00:00-05:00");
	assert_string_equal(local_str("2026-03-08", HMS(1, 30, 0)),
	    "2026-03-08T01:30:00-05:00");
	assert_string_equal(local_str("2026-03-08", HMS(1, 59, 59)),
	    "2026-03-08T01:59:59-05:00");
	assert_string_equal(local_str("2026-03-08", HMS(2, 0, 0)),
	    "2026-03-08T03:00:00-04:00");
	assert_string_equal(local_str("2026-03-08", HMS(2, 30, 0)),
	    "2026-03-08T03:00:00-04:00");
	assert_string_equal(local_str("2026-03-08", HMS(2, 59, 59)),
	    "2026-03-08T03:00:00-04:00");
	assert_string_equal(local_str("2026-03-08", HMS(3, 0, 0)),
	    "2026-03-08T03:00:00-04:00");
	assert_string_equal(local_str("2026-03-08", HMS(9, 0, 0)),
	    "2026-03-08T09:00:00-04:00");
	assert_string_equal(local_str("2026-03-08", HMS(23, 30, 0)),
	    "2026-03-08T23:30:00-04:00");
	/* The gap is one hour of instants, not of wall clock. */
	assert_int_equal(clock_local(testcal_day("2026-03-08"), HMS(3, 0, 0)) -
	        clock_local(testcal_day("2026-03-08"), HMS(1, 0, 0)),
	    3600);
}

/* Checks New York's fall-back day: 01:30 happens twice and means the
 * first time, still on EDT. */
static void
test_ny_fall_back(void **state)
{
	(void)state;
	zone("America/New_York");
	assert_string_equal(local_str("2026-11-01", HMS(0, 0, 0)),
	    "2026-11-01T00:00:00-04:00");
	assert_string_equal(local_str("2026-11-01", HMS(1, 0, 0)),
	    "2026-11-01T01:00:00-04:00");
	assert_string_equal(local_str("2026-11-01", HMS(1, 30, 0)),
	    "2026-11-01T01:30:00-04:00");
	assert_string_equal(local_str("2026-11-01", HMS(1, 59, 59)),
	    "2026-11-01T01:59:59-04:00");
	assert_string_equal(local_str("2026-11-01", HMS(2, 0, 0)),
	    "2026-11-01T02:00:00-05:00");
	assert_string_equal(local_str("2026-11-01", HMS(2, 30, 0)),
	    "2026-11-01T02:30:00-05:00");
	assert_string_equal(local_str("2026-11-01", HMS(9, 0, 0)),
	    "2026-11-01T09:00:00-05:00");
	assert_string_equal(local_str("2026-11-01", HMS(23, 30, 0)),
	    "2026-11-01T23:30:00-05:00");
	/* 01:00 to 02:00 by the clock is two hours of instants. */
	assert_int_equal(clock_local(testcal_day("2026-11-01"), HMS(2, 0, 0)) -
	        clock_local(testcal_day("2026-11-01"), HMS(1, 0, 0)),
	    7200);
}

/* Checks Berlin's two change days, which change at other hours (02:00
 * in spring, 03:00 in autumn) and east of UTC. */
static void
test_berlin(void **state)
{
	(void)state;
	zone("Europe/Berlin");
	assert_string_equal(local_str("2026-03-29", HMS(1, 30, 0)),
	    "2026-03-29T01:30:00+01:00");
	assert_string_equal(local_str("2026-03-29", HMS(2, 30, 0)),
	    "2026-03-29T03:00:00+02:00");
	assert_string_equal(local_str("2026-03-29", HMS(9, 0, 0)),
	    "2026-03-29T09:00:00+02:00");
	assert_string_equal(local_str("2026-03-29", HMS(23, 30, 0)),
	    "2026-03-29T23:30:00+02:00");
	assert_string_equal(local_str("2026-10-25", HMS(1, 30, 0)),
	    "2026-10-25T01:30:00+02:00");
	assert_string_equal(local_str("2026-10-25", HMS(2, 30, 0)),
	    "2026-10-25T02:30:00+02:00");
	assert_string_equal(local_str("2026-10-25", HMS(3, 0, 0)),
	    "2026-10-25T03:00:00+01:00");
	assert_string_equal(local_str("2026-10-25", HMS(9, 0, 0)),
	    "2026-10-25T09:00:00+01:00");
	assert_string_equal(local_str("2026-10-25", HMS(23, 30, 0)),
	    "2026-10-25T23:30:00+01:00");
	/* 02:00 to 03:00 by the clock is two hours of instants. */
	assert_int_equal(clock_local(testcal_day("2026-10-25"), HMS(3, 0, 0)) -
	        clock_local(testcal_day("2026-10-25"), HMS(2, 0, 0)),
	    7200);
}

/* Checks the end of the deadline day, 23:59:59, which deadline_at shows. */
static void
test_end_of_day(void **state)
{
	(void)state;
	zone("America/New_York");
	assert_string_equal(local_str("2026-03-08", HMS(23, 59, 59)),
	    "2026-03-08T23:59:59-04:00");
	assert_string_equal(local_str("2026-11-01", HMS(23, 59, 59)),
	    "2026-11-01T23:59:59-05:00");
	assert_string_equal(local_str("2026-03-07", HMS(23, 59, 59)),
	    "2026-03-07T23:59:59-05:00");
	assert_string_equal(local_str("2026-10-31", HMS(23, 59, 59)),
	    "2026-10-31T23:59:59-04:00");
	/* 86400 is the next midnight. */
	assert_string_equal(local_str("2026-03-08", 86400),
	    "2026-03-09T00:00:00-04:00");
	zone("Europe/Berlin");
	assert_string_equal(local_str("2026-03-29", HMS(23, 59, 59)),
	    "2026-03-29T23:59:59+02:00");
	assert_string_equal(local_str("2026-10-25", HMS(23, 59, 59)),
	    "2026-10-25T23:59:59+01:00");
}

/* Checks zones without changes still come out plain. */
static void
test_fixed_zones(void **state)
{
	(void)state;
	zone("Asia/Shanghai");
	assert_string_equal(local_str("2026-03-08", HMS(9, 0, 0)),
	    "2026-03-08T09:00:00+08:00");
	assert_string_equal(local_str("2025-07-10", HMS(23, 59, 59)),
	    "2025-07-10T23:59:59+08:00");
	zone("UTC");
	assert_int_equal(clock_local(testcal_day("2026-03-08"), HMS(9, 0, 0)),
	    (time_t)testcal_day("2026-03-08") * 86400 + 9 * 3600);
	/* Days before 1970 are negative instants, still exact. */
	assert_string_equal(local_str("1969-12-31", HMS(23, 0, 0)),
	    "1969-12-31T23:00:00+00:00");
}

/* Checks --now in local time on change days reads as clock_local does,
 * and with an explicit offset picks the occurrence it names. */
static void
test_parse_change_days(void **state)
{
	(void)state;
	zone("America/New_York");
	assert_string_equal(parse_str("2026-03-08T09:00"),
	    "2026-03-08T09:00:00-04:00");
	assert_string_equal(parse_str("2026-03-08T02:30"),
	    "2026-03-08T03:00:00-04:00");
	assert_string_equal(parse_str("2026-03-08T01:59:30"),
	    "2026-03-08T01:59:30-05:00");
	assert_string_equal(parse_str("2026-11-01T00:59:50"),
	    "2026-11-01T00:59:50-04:00");
	assert_string_equal(parse_str("2026-11-01T01:30"),
	    "2026-11-01T01:30:00-04:00");
	assert_string_equal(parse_str("2026-11-01T01:30:00-05:00"),
	    "2026-11-01T01:30:00-05:00");
	assert_string_equal(parse_str("2026-11-01T09:00"),
	    "2026-11-01T09:00:00-05:00");
	assert_string_equal(parse_str("2026-11-01T14:00:00Z"),
	    "2026-11-01T09:00:00-05:00");
	zone("Europe/Berlin");
	assert_string_equal(parse_str("2026-03-29T09:00:00"),
	    "2026-03-29T09:00:00+02:00");
	assert_string_equal(parse_str("2026-10-25T02:30"),
	    "2026-10-25T02:30:00+02:00");
	assert_string_equal(parse_str("2026-10-25T09:00"),
	    "2026-10-25T09:00:00+01:00");
}

/* Walk a day minute by minute: clock_split then clock_local gives the
 * instant back, except on the second pass of a repeated hour, where it
 * gives the first pass, one hour earlier. */
static void
check_round_trip(const char *zname, const char *dayname)
{
	date_t day = testcal_day(dayname), d;
	time_t start, end, back;
	int secs, repeats = 0;

	zone(zname);
	start = clock_local(day, 0);
	end = clock_local(day + 1, 0);
	for (time_t t = start; t < end; t += 60) {
		clock_split(t, &d, &secs);
		assert_int_equal(d, day);
		back = clock_local(d, secs);
		if (back != t) {
			assert_int_equal(back, t - 3600);
			repeats++;
		}
	}
	clock_split(end, &d, &secs);
	assert_int_equal(d, day + 1);
	assert_int_equal(secs, 0);
	/* Only fall-back days have a repeated hour. */
	assert_int_equal(repeats, end - start > 86400 ? 60 : 0);
}

/* Checks clock_split and clock_local agree through whole change days. */
static void
test_split_round_trip(void **state)
{
	(void)state;
	check_round_trip("America/New_York", "2026-03-08");
	check_round_trip("America/New_York", "2026-11-01");
	check_round_trip("Europe/Berlin", "2026-03-29");
	check_round_trip("Europe/Berlin", "2026-10-25");
	check_round_trip("Asia/Shanghai", "2026-03-08");
}

/* Checks that later wall times never give earlier instants on a change
 * day, so "is notify_at past?" in instants agrees with the clock. */
static void
test_monotonic(void **state)
{
	const char *days[][2] = {{"America/New_York", "2026-03-08"},
	    {"America/New_York", "2026-11-01"}, {"Europe/Berlin", "2026-03-29"},
	    {"Europe/Berlin", "2026-10-25"}};

	(void)state;
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		date_t day = testcal_day(days[i][1]);
		time_t prev;

		zone(days[i][0]);
		prev = clock_local(day, 0);
		for (int s = 1; s <= 86400; s++) {
			time_t t = clock_local(day, s);

			assert_true(t >= prev);
			prev = t;
		}
	}
}

static int
teardown(void **state)
{
	(void)state;
	return clock_set_zone("Asia/Shanghai");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_ny_spring_forward, teardown),
	    cmocka_unit_test_teardown(test_ny_fall_back, teardown),
	    cmocka_unit_test_teardown(test_berlin, teardown),
	    cmocka_unit_test_teardown(test_end_of_day, teardown),
	    cmocka_unit_test_teardown(test_fixed_zones, teardown),
	    cmocka_unit_test_teardown(test_parse_change_days, teardown),
	    cmocka_unit_test_teardown(test_split_round_trip, teardown),
	    cmocka_unit_test_teardown(test_monotonic, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
