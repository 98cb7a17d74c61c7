/*
 * testcal.h -- shared data and helpers for the unit tests: the Chinese
 * public holidays and make-up working days of 2025 and 2026, written out
 * from DOMAIN.md (State Council notices), and small date helpers.
 *
 * Include after <cmocka.h>.
 */
#ifndef DEADLINED_TESTCAL_H
#define DEADLINED_TESTCAL_H

#include "calendar.h"
#include "date.h"

/* A run of consecutive public holidays, both ends included. */
struct testcal_range {
	const char *first, *last;
};

/* Holidays, as DOMAIN.md lists them (besides Saturdays and Sundays). */
static const struct testcal_range testcal_holidays[] = {
    {"2025-01-01", "2025-01-01"}, /* New Year's Day, Wed */
    {"2025-01-28", "2025-02-04"}, /* Spring Festival, Tue..Tue */
    {"2025-04-04", "2025-04-06"}, /* Qingming, Fri..Sun */
    {"2025-05-01", "2025-05-05"}, /* Labour Day, Thu..Mon */
    {"2025-05-31", "2025-06-02"}, /* Dragon Boat, Sat..Mon */
    {"2025-10-01", "2025-10-08"}, /* National Day, Wed..Wed */
    {"2026-01-01", "2026-01-03"}, /* New Year's Day, Thu..Sat */
    {"2026-02-15", "2026-02-23"}, /* Spring Festival, Sun..Mon */
    {"2026-04-04", "2026-04-06"}, /* Qingming, Sat..Mon */
    {"2026-05-01", "2026-05-05"}, /* Labour Day, Fri..Tue */
    {"2026-06-19", "2026-06-21"}, /* Dragon Boat, Fri..Sun */
    {"2026-09-25", "2026-09-27"}, /* Mid-Autumn, Fri..Sun */
    {"2026-10-01", "2026-10-07"}, /* National Day, Thu..Wed */
};

#define TESTCAL_NHOLIDAYS                                                      \
	(sizeof(testcal_holidays) / sizeof(testcal_holidays[0]))

/* Make-up working days (调休): weekend days declared working days. */
static const char *const testcal_workdays[] = {
    "2025-01-26", /* Sun, Spring Festival */
    "2025-02-08", /* Sat, Spring Festival */
    "2025-04-27", /* Sun, Labour Day */
    "2025-09-28", /* Sun, National Day */
    "2025-10-11", /* Sat, National Day */
    "2026-01-04", /* Sun, New Year's Day */
    "2026-02-14", /* Sat, Spring Festival */
    "2026-02-28", /* Sat, Spring Festival */
    "2026-05-09", /* Sat, Labour Day */
    "2026-09-20", /* Sun, National Day */
    "2026-10-10", /* Sat, National Day */
};

#define TESTCAL_NWORKDAYS                                                      \
	(sizeof(testcal_workdays) / sizeof(testcal_workdays[0]))

/* Saturday (5) and Sunday (6) off, Monday = 0. */
#define TESTCAL_WEEKEND (1u << 5 | 1u << 6)

/* The day named by "YYYY-MM-DD"; fails the test if it does not parse. */
static inline date_t
testcal_day(const char *s)
{
	date_t d = 0;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

/* Fill cal with the weekend, holidays and make-up workdays above. */
static inline void
testcal_build(struct calendar *cal)
{
	calendar_init(cal);
	cal->weekend = TESTCAL_WEEKEND;
	for (size_t i = 0; i < TESTCAL_NHOLIDAYS; i++) {
		date_t first = testcal_day(testcal_holidays[i].first);
		date_t last = testcal_day(testcal_holidays[i].last);

		for (date_t d = first; d <= last; d++)
			assert_int_equal(calendar_add_holiday(cal, d), 0);
	}
	for (size_t i = 0; i < TESTCAL_NWORKDAYS; i++)
		assert_int_equal(calendar_add_workday(cal,
		                     testcal_day(testcal_workdays[i])),
		    0);
	calendar_finish(cal);
}

/* Compare a date with "YYYY-MM-DD", so a failure prints both dates. */
#define assert_date_equal(got, want)                                           \
	do {                                                                   \
		char testcal_buf_[DATE_BUFSZ];                                 \
		assert_string_equal(date_format((got), testcal_buf_), (want)); \
	} while (0)

#endif
