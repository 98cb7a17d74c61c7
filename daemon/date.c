/*
 * date.c -- civil date arithmetic.
 *
 * Conversions use Howard Hinnant's days_from_civil / civil_from_days
 * algorithms: exact over the whole proleptic Gregorian calendar, with no
 * tables and no time zone, so leap days and year ends need no special case.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

date_t
date_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (date_t)(era * 146097 + doe - 719468);
}

void
date_to_ymd(date_t dt, int *y, int *m, int *d)
{
	int z, era, doe, yoe, doy, mp;

	z = dt + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* Days in month m of year y. */
static int
date_month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

bool
date_valid(int y, int m, int d)
{
	if (m < 1 || m > 12 || d < 1)
		return false;
	return d <= date_month_days(y, m);
}

/* Read exactly n decimal digits from s; -1 if any is not a digit. */
static int
date_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
date_parse(const char *s, date_t *out)
{
	int y, m, d;

	if (strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if ((y = date_digits(s, 4)) < 0 || (m = date_digits(s + 5, 2)) < 0 ||
	    (d = date_digits(s + 8, 2)) < 0)
		return -1;
	/* Years past 2999 are typos, and a deadline counted from 9999-12-31
	 * would not fit four digits. */
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX || !date_valid(y, m, d))
		return -1;
	*out = date_from_ymd(y, m, d);
	return 0;
}

char *
date_format(date_t dt, char *buf)
{
	int y, m, d;

	unsigned v[3];

	date_to_ymd(dt, &y, &m, &d);
	/* "%04u-%02u-%02u" of y % 10000, m % 100, d % 100, by hand: --list
	 * writes three dates for each of a million windows. */
	v[0] = (unsigned)y % 10000;
	v[1] = (unsigned)m % 100;
	v[2] = (unsigned)d % 100;
	buf[0] = (char)('0' + v[0] / 1000);
	buf[1] = (char)('0' + v[0] / 100 % 10);
	buf[2] = (char)('0' + v[0] / 10 % 10);
	buf[3] = (char)('0' + v[0] % 10);
	buf[4] = buf[7] = '-';
	buf[5] = (char)('0' + v[1] / 10);
	buf[6] = (char)('0' + v[1] % 10);
	buf[8] = (char)('0' + v[2] / 10);
	buf[9] = (char)('0' + v[2] % 10);
	buf[10] = '\0';
	return buf;
}

int
date_weekday(date_t dt)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int w = (dt + 3) % 7;

	return w < 0 ? w + 7 : w;
}
