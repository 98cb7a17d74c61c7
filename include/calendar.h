/*
 * calendar.h -- working days: weekends, public holidays and make-up
 * working days (调休), and the rule that moves a deadline off a day off.
 *
 * A calendar is plain data built by the configuration loader and read by
 * the deadline engine.  Nothing here reads a clock or a file.
 */
#ifndef DEADLINED_CALENDAR_H
#define DEADLINED_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"

enum roll {
	ROLL_NONE,             /* the deadline stays where counting ends */
	ROLL_NEXT_WORKING_DAY, /* a day off moves it to the next working day */
};

struct calendar {
	unsigned weekend; /* bit w set: weekday w (0 = Monday) is off */
	date_t *holidays; /* sorted, no duplicates after _finish */
	size_t nholidays;
	date_t *workdays; /* make-up working days, sorted */
	size_t nworkdays;
};

/* An empty calendar with no weekend; free with calendar_free. */
void calendar_init(struct calendar *cal);

/* Release the day lists; the struct may be initialised again. */
void calendar_free(struct calendar *cal);

/* Add a day off or a make-up working day; 0, or -1 when out of memory. */
int calendar_add_holiday(struct calendar *cal, date_t day);
int calendar_add_workday(struct calendar *cal, date_t day);

/* Sort and de-duplicate the lists; call once after the last add. */
void calendar_finish(struct calendar *cal);

/* True if day is listed as a holiday (a weekend alone does not count). */
bool calendar_is_holiday(const struct calendar *cal, date_t day);

/* True if day is a working day: a make-up workday, or neither weekend
 * nor holiday. */
bool calendar_is_working_day(const struct calendar *cal, date_t day);

/* True if the calendar lists any holiday or make-up workday in year: a
 * sign that the State Council's notice for that year was put in. */
bool calendar_covers(const struct calendar *cal, int year);

/* True if the calendar lists any holiday or make-up workday at all. */
bool calendar_has_days(const struct calendar *cal);

/* True if the calendar lists days of some year but none of day's: that
 * year's notice is not in yet, so whether day is a working day is a
 * guess.  A calendar of weekends alone is a choice, never a guess. */
bool calendar_uncovered(const struct calendar *cal, date_t day);
/* The last year the calendar lists a holiday or make-up workday in, or
 * 0 when it lists none. */
int calendar_last_year(const struct calendar *cal);

/* The day a period whose counting ends on day actually ends on. */
date_t calendar_roll(const struct calendar *cal, date_t day, enum roll roll);

/* The last working day on or before day (day itself when none is found
 * within a year: a calendar with every day off). */
date_t calendar_working_on_or_before(const struct calendar *cal, date_t day);

/* The n-th working day before day (n >= 1; day itself not counted), as
 * Chinese offices count "3 working days before". */
date_t calendar_working_days_before(const struct calendar *cal, date_t day,
    int n);

/* "none" or "next_working_day"; -1 for anything else. */
int calendar_roll_parse(const char *s, enum roll *out);

/* Weekday from "mon" ... "sun"; -1 for anything else. */
int calendar_weekday_parse(const char *s);

#endif
