/*
 * calendar.c -- working days and the deadline roll rule.
 *
 * Criminal Procedure Law Art. 105: when the last day of a period is a
 * holiday, the period ends on the first working day after it.  Weekends
 * count as holidays unless the State Council has declared that Saturday or
 * Sunday a make-up working day.  Lookups are binary searches over sorted
 * arrays: a decade of holidays is a few hundred entries.
 */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

/*
 * The longest run of days off the roll will cross.  No real calendar comes
 * near it; it only bounds the loop when a configuration marks every day as
 * a day off.
 */
#define CALENDAR_ROLL_MAX 366

void
calendar_init(struct calendar *cal)
{
	memset(cal, 0, sizeof(*cal));
}

void
calendar_free(struct calendar *cal)
{
	free(cal->holidays);
	free(cal->workdays);
	calendar_init(cal);
}

/* Append day to a growing array; 0, or -1 when out of memory. */
static int
calendar_append(date_t **list, size_t *n, date_t day)
{
	date_t *p;

	/* Start at 8 and double at each power of two from there. */
	if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) {
		p = realloc(*list, (*n ? *n * 2 : 8) * sizeof(*p));
		if (p == NULL)
			return -1;
		*list = p;
	}
	(*list)[(*n)++] = day;
	return 0;
}

int
calendar_add_holiday(struct calendar *cal, date_t day)
{
	return calendar_append(&cal->holidays, &cal->nholidays, day);
}

int
calendar_add_workday(struct calendar *cal, date_t day)
{
	return calendar_append(&cal->workdays, &cal->nworkdays, day);
}

static int
calendar_cmp(const void *a, const void *b)
{
	date_t x = *(const date_t *)a, y = *(const date_t *)b;

	return (x > y) - (x < y);
}

/* Sort list and drop repeated days. */
static void
calendar_sort(date_t *list, size_t *n)
{
	size_t i, j;

	if (*n == 0)
		return;
	qsort(list, *n, sizeof(*list), calendar_cmp);
	for (i = 1, j = 1; i < *n; i++)
		if (list[i] != list[j - 1])
			list[j++] = list[i];
	*n = j;
}

void
calendar_finish(struct calendar *cal)
{
	calendar_sort(cal->holidays, &cal->nholidays);
	calendar_sort(cal->workdays, &cal->nworkdays);
}

static bool
calendar_find(const date_t *list, size_t n, date_t day)
{
	return n > 0 && bsearch(&day, list, n, sizeof(*list), calendar_cmp);
}

bool
calendar_is_holiday(const struct calendar *cal, date_t day)
{
	return calendar_find(cal->holidays, cal->nholidays, day);
}

bool
calendar_is_working_day(const struct calendar *cal, date_t day)
{
	if (calendar_find(cal->workdays, cal->nworkdays, day))
		return true;
	if (cal->weekend & (1u << date_weekday(day)))
		return false;
	return !calendar_is_holiday(cal, day);
}

/* True if a sorted list holds a day in [first, last]. */
static bool
calendar_any(const date_t *list, size_t n, date_t first, date_t last)
{
	size_t lo = 0, hi = n, mid;

	/* The first day not before first. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (list[mid] < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && list[lo] <= last;
}

bool
calendar_covers(const struct calendar *cal, int year)
{
	date_t first = date_from_ymd(year, 1, 1);
	date_t last = date_from_ymd(year, 12, 31);

	return calendar_any(cal->holidays, cal->nholidays, first, last) ||
	    calendar_any(cal->workdays, cal->nworkdays, first, last);
}

bool
calendar_has_days(const struct calendar *cal)
{
	return cal->nholidays > 0 || cal->nworkdays > 0;
}

bool
calendar_uncovered(const struct calendar *cal, date_t day)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	return calendar_has_days(cal) && !calendar_covers(cal, y);
}

int
calendar_last_year(const struct calendar *cal)
{
	date_t last = 0;
	int y, m, d;

	if (!calendar_has_days(cal))
		return 0;
	if (cal->nholidays > 0)
		last = cal->holidays[cal->nholidays - 1];
	if (cal->nworkdays > 0 && cal->workdays[cal->nworkdays - 1] > last)
		last = cal->workdays[cal->nworkdays - 1];
	date_to_ymd(last, &y, &m, &d);
	return y;
}

date_t
calendar_roll(const struct calendar *cal, date_t day, enum roll roll)
{
	if (roll == ROLL_NONE)
		return day;
	for (int i = 0; i < CALENDAR_ROLL_MAX; i++)
		if (calendar_is_working_day(cal, day + i))
			return day + i;
	return day;
}

date_t
calendar_working_on_or_before(const struct calendar *cal, date_t day)
{
	for (int i = 0; i < CALENDAR_ROLL_MAX; i++)
		if (calendar_is_working_day(cal, day - i))
			return day - i;
	return day;
}

date_t
calendar_working_days_before(const struct calendar *cal, date_t day, int n)
{
	date_t d = day;

	/* Each step is bounded, so a calendar of days off ends the loop. */
	for (int k = 0; k < n; k++)
		d = calendar_working_on_or_before(cal, d - 1);
	return d;
}

int
calendar_roll_parse(const char *s, enum roll *out)
{
	if (strcmp(s, "none") == 0)
		*out = ROLL_NONE;
	else if (strcmp(s, "next_working_day") == 0)
		*out = ROLL_NEXT_WORKING_DAY;
	else
		return -1;
	return 0;
}

int
calendar_weekday_parse(const char *s)
{
	static const char *names[] = {"mon", "tue", "wed", "thu", "fri", "sat",
	    "sun"};

	for (int i = 0; i < 7; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}
