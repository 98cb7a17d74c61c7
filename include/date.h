/*
 * date.h -- civil (proleptic Gregorian) dates as day numbers.
 *
 * A date is the number of days since 1970-01-01, so that adding days is
 * addition and the difference of two dates is a subtraction.  Nothing here
 * reads a clock or knows a time zone.
 */
#ifndef DEADLINED_DATE_H
#define DEADLINED_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t date_t;

#define DATE_BUFSZ 11 /* "YYYY-MM-DD" and a NUL */

/* Day number of year/month/day; the fields must already be valid. */
date_t date_from_ymd(int y, int m, int d);

/* Split a day number into year, month (1-12) and day (1-31). */
void date_to_ymd(date_t dt, int *y, int *m, int *d);

/* True if y-m-d names a real day (2025-02-30 does not). */
bool date_valid(int y, int m, int d);

#define DATE_YEAR_MIN 1900
#define DATE_YEAR_MAX 2999

/* Parse exactly "YYYY-MM-DD" (years DATE_YEAR_MIN to DATE_YEAR_MAX); 0 on
 * success, -1 if not. */
int date_parse(const char *s, date_t *out);

/* Write "YYYY-MM-DD" into buf (DATE_BUFSZ bytes); returns buf. */
char *date_format(date_t dt, char *buf);

/* Day of the week: 0 = Monday ... 6 = Sunday. */
int date_weekday(date_t dt);

#endif
