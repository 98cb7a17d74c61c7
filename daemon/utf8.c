/*
 * utf8.c -- UTF-8 checking and display width.
 *
 * The width table covers the East Asian Wide and Fullwidth blocks that
 * case ids, titles and court names use (CJK ideographs, fullwidth
 * brackets, Hangul, kana) and the common combining marks.  It is a table
 * rather than wcwidth(3) so that --list aligns the same whatever locale
 * the administrator's shell has.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xmalloc.h"

#define UTF8_IDEOGRAPHIC_SPACE "\xe3\x80\x80" /* U+3000 */

struct utf8_range {
	uint32_t first, last;
};

static const struct utf8_range utf8_wide[] = {
    {0x1100, 0x115f},
    {0x231a, 0x231b},
    {0x2329, 0x232a},
    {0x2e80, 0x303e},
    {0x3041, 0x33ff},
    {0x3400, 0x4dbf},
    {0x4e00, 0x9fff},
    {0xa000, 0xa4cf},
    {0xa960, 0xa97f},
    {0xac00, 0xd7a3},
    {0xf900, 0xfaff},
    {0xfe10, 0xfe19},
    {0xfe30, 0xfe6f},
    {0xff00, 0xff60},
    {0xffe0, 0xffe6},
    {0x1f300, 0x1f64f},
    {0x1f900, 0x1f9ff},
    {0x20000, 0x2fffd},
    {0x30000, 0x3fffd},
};

static const struct utf8_range utf8_zero[] = {
    {0x0300, 0x036f},
    {0x200b, 0x200f},
    {0x20d0, 0x20ff},
    {0xfe00, 0xfe0f},
    {0xfe20, 0xfe2f},
};

/* Decode one character at s into *cp; bytes used, or 0 if malformed. */
static int
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	int n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void
utf8_trim_cut(char *s)
{
	size_t n = strlen(s), lead = n, need;
	unsigned char c;

	while (lead > 0 && n - lead < 4 &&
	    ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char)s[lead - 1];
	if (c < 0xc0)
		return; /* ASCII, or stray continuation bytes: not a cut */
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (n - (lead - 1) < need)
		s[lead - 1] = '\0';
}

/* True if the eight bytes at p are all ASCII. */
static bool
utf8_ascii8(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return (w & 0x8080808080808080u) == 0;
}

const char *
utf8_invalid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	uint32_t cp;
	int n;

	while (p < end) {
		/* The common cases inline: runs of ASCII, eight bytes at a
		 * time, and a three-byte character outside the surrogates
		 * (every CJK ideograph). */
		if (*p < 0x80) {
			while (end - p >= 8 && utf8_ascii8(p))
				p += 8;
			while (p < end && *p < 0x80)
				p++;
			continue;
		}
		if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 &&
		    (p[2] & 0xc0) == 0x80 && (p[0] != 0xe0 || p[1] >= 0xa0) &&
		    (p[0] != 0xed || p[1] < 0xa0)) {
			p += 3;
			continue;
		}
		if ((n = utf8_decode(p, &cp)) == 0)
			return (const char *)p;
		p += n;
	}
	return NULL;
}

bool
utf8_valid(const char *s)
{
	return utf8_invalid(s) == NULL;
}

static bool
utf8_in(const struct utf8_range *r, size_t n, uint32_t cp)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i].first && cp <= r[i].last)
			return true;
	return false;
}

size_t
utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t width = 0;
	uint32_t cp;
	int n;

	while (*p != '\0') {
		if ((n = utf8_decode(p, &cp)) == 0) {
			width++;
			p++;
			continue;
		}
		p += n;
		if (utf8_in(utf8_zero, sizeof(utf8_zero) / sizeof(*utf8_zero),
		        cp))
			continue;
		width += utf8_in(utf8_wide,
		             sizeof(utf8_wide) / sizeof(*utf8_wide), cp)
		    ? 2
		    : 1;
	}
	return width;
}

/* True for the ASCII white space characters. */
static bool
utf8_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

void
utf8_fold_in(char *s)
{
	/* Only U+FF01..U+FF5E (lead byte EF) and U+3000 (E3) change, and
	 * a lead byte is never inside another character: the bytes before
	 * the first E3 or EF stay as they are. */
	size_t same = strcspn(s, "\xe3\xef");
	char *q = s + same, *start;
	const unsigned char *p = (const unsigned char *)s + same;
	uint32_t cp;
	int n;

	/* In place: a folded character is never longer than it was. */
	while (*p != '\0') {
		if ((n = utf8_decode(p, &cp)) == 0) {
			*q++ = (char)*p++;
			continue;
		}
		if (cp >= 0xff01 && cp <= 0xff5e)
			*q++ = (char)(cp - 0xfee0);
		else if (cp == 0x3000)
			*q++ = ' ';
		else
			for (int i = 0; i < n; i++)
				*q++ = (char)p[i];
		p += n;
	}
	while (q > s && utf8_space((unsigned char)q[-1]))
		q--;
	*q = '\0';
	for (start = s; utf8_space((unsigned char)*start); start++)
		;
	memmove(s, start, strlen(start) + 1);
}

char *
utf8_fold(const char *s)
{
	char *out = xstrdup(s);

	utf8_fold_in(out);
	return out;
}

bool
utf8_edge_space(const char *s)
{
	size_t len = strlen(s), n = strlen(UTF8_IDEOGRAPHIC_SPACE);

	if (len == 0)
		return false;
	return utf8_space((unsigned char)s[0]) ||
	    utf8_space((unsigned char)s[len - 1]) ||
	    strncmp(s, UTF8_IDEOGRAPHIC_SPACE, n) == 0 ||
	    (len >= n && strcmp(s + len - n, UTF8_IDEOGRAPHIC_SPACE) == 0);
}
