/*
 * fuzz_retry_after.c -- http_retry_seconds, the value of a Retry-After
 * header (delta-seconds or an HTTP-date, through curl_getdate).
 *
 * http.c's header callback (static) trims the value and drops one of
 * 256 bytes or more before calling it, so inputs are cut the same way;
 * the callback itself is only reached through a real transfer.
 */
#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "http.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	unsigned long long n;
	long secs;
	size_t digits;

	if (strlen(s) >= 256) {
		free(s);
		return 0;
	}
	secs = http_retry_seconds(s);
	FUZZ_CHECK(secs >= -1 && secs <= HTTP_RETRY_MAX);
	/* Plain delta-seconds are taken as they are, clamped. */
	digits = strspn(s, "0123456789");
	if (digits > 0 && s[digits] == '\0') {
		n = strtoull(s, NULL, 10); /* ULLONG_MAX when too long */
		FUZZ_CHECK(
		    secs == (n > HTTP_RETRY_MAX ? HTTP_RETRY_MAX : (long)n));
	}
	free(s);
	return 0;
}
