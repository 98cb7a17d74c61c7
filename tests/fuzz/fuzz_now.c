/*
 * fuzz_now.c -- clock_parse, the --now argument, in Asia/Shanghai (a
 * zone with local mean time before 1901 and summer time in 1986-1991):
 * whatever parses is printed by clock_rfc3339 as a time that parses back
 * to the same instant.
 */
#include <string.h>
#include <time.h>

#include "clock.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (!clock_zone_valid("Asia/Shanghai") ||
	    clock_set_zone("Asia/Shanghai") == -1) {
		fprintf(stderr, "fuzz_now: no Asia/Shanghai (tzdata)\n");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size), buf[CLOCK_RFC3339_BUFSZ];
	time_t t, back;
	struct tm tm;

	if (clock_parse(s, &t) == 0) {
		clock_rfc3339(t, buf);
		FUZZ_CHECK(clock_parse(buf, &back) == 0);
		/*
		 * RFC 3339 offsets are whole minutes; local mean time
		 * (+08:05:43 before 1901) is not, and prints 43 s short.
		 */
		localtime_r(&t, &tm);
		if (tm.tm_gmtoff % 60 == 0)
			FUZZ_CHECK(back == t);
		else
			FUZZ_CHECK(back - t == tm.tm_gmtoff % 60);
	}
	free(s);
	return 0;
}
