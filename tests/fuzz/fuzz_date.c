/*
 * fuzz_date.c -- date_parse and date_format: whatever parses is a real
 * day of the years date_parse accepts that formats back to exactly the text it
 * came from, and every day number of those years survives ymd and text round
 * trips.
 */
#include <string.h>

#include "date.h"
#include "fuzz.h"

/* The years date_parse accepts (date.h names them once it limits them
 * further than 1900-9999). */
#ifndef DATE_YEAR_MAX
#define DATE_YEAR_MIN 1900
#define DATE_YEAR_MAX 9999
#endif

/* The input read as text: parsed, then formatted back. */
static void
fuzz_date_text(const char *s)
{
	char buf[DATE_BUFSZ];
	date_t dt;
	int y, m, d;

	if (date_parse(s, &dt) == -1)
		return;
	FUZZ_CHECK(strcmp(date_format(dt, buf), s) == 0);
	date_to_ymd(dt, &y, &m, &d);
	FUZZ_CHECK(
	    y >= DATE_YEAR_MIN && y <= DATE_YEAR_MAX && date_valid(y, m, d));
	FUZZ_CHECK(date_from_ymd(y, m, d) == dt);
	FUZZ_CHECK(date_weekday(dt) >= 0 && date_weekday(dt) <= 6);
}

/* The first four bytes read as a day number within the years
 * date_parse accepts: formatted, then parsed back. */
static void
fuzz_date_number(const uint8_t *data, size_t size)
{
	date_t lo = date_from_ymd(DATE_YEAR_MIN, 1, 1),
	       hi = date_from_ymd(DATE_YEAR_MAX, 12, 31);
	char buf[DATE_BUFSZ];
	uint32_t u = 0;
	date_t dt, back;
	int y, m, d;

	if (size < 4)
		return;
	memcpy(&u, data, 4);
	dt = lo + (date_t)(u % (uint32_t)(hi - lo + 1));
	date_to_ymd(dt, &y, &m, &d);
	FUZZ_CHECK(date_valid(y, m, d) && date_from_ymd(y, m, d) == dt);
	FUZZ_CHECK(date_parse(date_format(dt, buf), &back) == 0 && back == dt);
	FUZZ_CHECK(date_weekday(dt + 1) == (date_weekday(dt) + 1) % 7);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);

	fuzz_date_text(s);
	fuzz_date_number(data, size);
	free(s);
	return 0;
}
