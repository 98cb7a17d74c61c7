/*
 * fuzz_utf8.c -- utf8_valid against a plain reference decoder (RFC 3629:
 * no overlongs, no surrogates, nothing past U+10FFFF), and utf8_width's
 * bounds: at most two columns a character, one per bad byte.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "utf8.h"

/* Bytes of the well-formed character at s, or 0: RFC 3629's table. */
static size_t
fuzz_utf8_char(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static bool
fuzz_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p != '\0'; p += n)
		if ((n = fuzz_utf8_char(p)) == 0)
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	size_t len = strlen(s), width;
	bool valid = utf8_valid(s);

	FUZZ_CHECK(valid == fuzz_utf8_valid(s));
	width = utf8_width(s);
	FUZZ_CHECK(width <= 2 * len);
	if (valid)
		FUZZ_CHECK(width <= len); /* wide characters take 3+ bytes */
	free(s);
	return 0;
}
