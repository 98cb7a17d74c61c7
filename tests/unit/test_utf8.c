/*
 * test_utf8.c -- UTF-8 well-formedness and terminal width.  Widths are
 * counted by hand: ASCII 1, CJK ideographs and fullwidth forms 2,
 * combining marks 0, each byte of malformed input 1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "utf8.h"

/* Checks well-formed text, ASCII and Chinese, is accepted. */
static void
test_valid_good(void **state)
{
	static const char *const good[] = {
	    "", "plain ASCII 0123456789 ~", "(2025)沪0115执1234号",
	    "（2025）沪0115执1234号", "上海市浦东新区人民法院",
	    "拒不执行判决、裁定罪",
	    "\xe6\xb2\xaa",     /* 沪 U+6CAA, spelled in bytes */
	    "\xc2\x80",         /* U+0080, smallest 2-byte */
	    "\xdf\xbf",         /* U+07FF, largest 2-byte */
	    "\xe0\xa0\x80",     /* U+0800, smallest 3-byte */
	    "\xed\x9f\xbf",     /* U+D7FF, below surrogates */
	    "\xee\x80\x80",     /* U+E000, above surrogates */
	    "\xef\xbf\xbd",     /* U+FFFD */
	    "\xf0\x90\x80\x80", /* U+10000, smallest 4-byte */
	    "\xf0\xa0\x80\x80", /* U+20000, CJK Ext. B */
	    "\xf4\x8f\xbf\xbf", /* U+10FFFF, the last */
	    "\xf0\x9f\x98\x80", /* U+1F600 emoji */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!utf8_valid(good[i]))
			fail_msg("utf8_valid rejected good string %zu", i);
}

/* Checks bad bytes, truncations, overlongs, surrogates and code points
 * past U+10FFFF are rejected, also in the middle of good text. */
static void
test_valid_bad(void **state)
{
	static const char *const bad[] = {
	    "\x80",                   /* lone continuation */
	    "\xbf", "a\x80z", "\xff", /* never in UTF-8 */
	    "\xfe", "\xc3",           /* truncated 2-byte */
	    "\xe6\xb2",               /* truncated 沪 */
	    "\xe6\xb2"
	    "a",                        /* 沪 cut by ASCII */
	    "\xf0\x9f\x98",             /* truncated 4-byte */
	    "\xc0\xaf",                 /* overlong '/' */
	    "\xc1\xbf",                 /* overlong U+007F */
	    "\xc0\x80",                 /* overlong NUL */
	    "\xe0\x80\xaf",             /* overlong '/', 3 bytes */
	    "\xe0\x9f\xbf",             /* overlong U+07FF */
	    "\xf0\x80\x80\xaf",         /* overlong '/', 4 bytes */
	    "\xf0\x8f\xbf\xbf",         /* overlong U+FFFF */
	    "\xed\xa0\x80",             /* U+D800, a surrogate */
	    "\xed\xbf\xbf",             /* U+DFFF */
	    "\xed\xa0\xbd\xed\xb8\x80", /* CESU-8 surrogate pair */
	    "\xf4\x90\x80\x80",         /* U+110000 */
	    "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", /* old 5-byte form */
	    "\xfc\x84\x80\x80\x80\x80",                 /* old 6-byte form */
	    "(2025)沪0115\xff执1234号", /* one bad byte inside */
	    "执\xe6",                   /* truncated at the very end */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (utf8_valid(bad[i]))
			fail_msg("utf8_valid accepted bad string %zu", i);
}

/* Checks the width of a case id with ASCII brackets: "(2025)" 6, "0115"
 * 4, "1234" 4 = 14 ASCII columns, plus 沪 执 号 at 2 each = 20. */
static void
test_width_case_id_ascii(void **state)
{
	const char *id = "(2025)沪0115执1234号";

	(void)state;
	/* 14 ASCII bytes + 3 three-byte characters. */
	assert_int_equal(strlen(id), 14 + 3 * 3);
	assert_int_equal(utf8_width(id), 14 + 3 * 2);
}

/* Checks the width of a case id with fullwidth brackets （ ） (U+FF08,
 * U+FF09, 2 columns each): digits 2025, 0115, 1234 = 12 columns, two
 * brackets 4, three ideographs 6: 22. */
static void
test_width_case_id_fullwidth(void **state)
{
	const char *id = "\xef\xbc\x88"
	                 "2025"
	                 "\xef\xbc\x89"
	                 "沪0115执1234号";

	(void)state;
	assert_string_equal(id, "（2025）沪0115执1234号");
	assert_int_equal(utf8_width(id), 12 + 2 * 2 + 3 * 2);
}

/* Checks widths of ASCII, CJK, fullwidth and halfwidth forms, Hangul,
 * kana, supplementary ideographs and the empty string. */
static void
test_width_basic(void **state)
{
	(void)state;
	assert_int_equal(utf8_width(""), 0);
	assert_int_equal(utf8_width("a"), 1);
	assert_int_equal(utf8_width("decision"), 8);
	assert_int_equal(utf8_width("沪"), 2);
	/* 11 ideographs. */
	assert_int_equal(utf8_width("上海市浦东新区人民法院"), 22);
	/* "Zhang v. Li" 11 + fullwidth colon U+FF1A 2 + 拒执 4. */
	assert_int_equal(utf8_width("Zhang v. Li：拒执"), 17);
	/* Ideographic comma U+3001 and full stop U+3002. */
	assert_int_equal(utf8_width("、。"), 4);
	/* Ideographic space U+3000. */
	assert_int_equal(utf8_width("\xe3\x80\x80"), 2);
	/* Fullwidth digit ２ U+FF12 is wide; halfwidth katakana ｱ U+FF71
	 * is narrow. */
	assert_int_equal(utf8_width("\xef\xbc\x92"), 2);
	assert_int_equal(utf8_width("\xef\xbd\xb1"), 1);
	/* The fullwidth block ends at U+FF60; U+FF61 (halfwidth
	 * ideographic full stop) starts the narrow halfwidth forms. */
	assert_int_equal(utf8_width("\xef\xbd\xa0"), 2);
	assert_int_equal(utf8_width("\xef\xbd\xa1"), 1);
	/* Hiragana あ, katakana ア, Hangul 한. */
	assert_int_equal(utf8_width("あア한"), 6);
	/* U+20000, a CJK Extension B ideograph (4 bytes). */
	assert_int_equal(utf8_width("\xf0\xa0\x80\x80"), 2);
	/* Latin with diacritics, precomposed: é U+00E9, ü U+00FC. */
	assert_int_equal(utf8_width("\xc3\xa9\xc3\xbc"), 2);
	/* Greek and Cyrillic letters are narrow. */
	assert_int_equal(utf8_width("αЖ"), 2);
}

/* Checks combining marks and zero-width characters take no column. */
static void
test_width_zero(void **state)
{
	(void)state;
	/* e + U+0301 combining acute. */
	assert_int_equal(utf8_width("e\xcc\x81"), 1);
	/* U+200B zero width space between two ideographs. */
	assert_int_equal(utf8_width("沪\xe2\x80\x8b执"), 4);
	/* U+FE0F variation selector after an ASCII digit. */
	assert_int_equal(utf8_width("1\xef\xb8\x8f"), 1);
}

/* Checks malformed input counts one column per bad byte and resumes at
 * the next byte. */
static void
test_width_bad_bytes(void **state)
{
	(void)state;
	assert_int_equal(utf8_width("\xff"), 1);
	assert_int_equal(utf8_width("\xff\xfe"), 2);
	assert_int_equal(utf8_width("\x80"), 1);
	/* Truncated 沪 (2 bytes left) then ASCII: 1 + 1 + 1. */
	assert_int_equal(utf8_width("\xe6\xb2"
	                            "a"),
	    3);
	/* Truncated at the end of the string. */
	assert_int_equal(utf8_width("\xe6\xb2"), 2);
	/* a, overlong '/' (2 bad bytes), b. */
	assert_int_equal(utf8_width("a\xc0\xaf"
	                            "b"),
	    4);
	/* A surrogate's three bytes, then 沪. */
	assert_int_equal(utf8_width("\xed\xa0\x80沪"), 3 + 2);
	/* A bad byte inside a case id adds one column. */
	assert_int_equal(utf8_width("(2025)沪0115\xff执1234号"), 21);
}

/* Checks utf8_fold: full-width ASCII forms and U+3000 folded, white
 * space trimmed, everything else kept. */
static void
test_fold(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"（2026）沪0115执5001号", "(2026)沪0115执5001号"},
	    {"(2026)沪0115执5001号 ", "(2026)沪0115执5001号"},
	    {"\u3000 \tＡ－１\u3000", "A-1"}, {"！～", "!~"},
	    {"a\u3000b", "a b"},
	    {"【2026】〔1〕", "【2026】〔1〕"}, /* not full-width ASCII */
	    {"\uff00\uff5f", "\uff00\uff5f"},   /* just outside the block */
	    {"", ""}, {"   ", ""},
	    {"\xff\xfe ", "\xff\xfe"}, /* bad bytes are kept */
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = utf8_fold(cases[i].in);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

/* Checks utf8_edge_space at either end, ASCII or U+3000. */
static void
test_edge_space(void **state)
{
	(void)state;
	assert_false(utf8_edge_space(""));
	assert_false(utf8_edge_space("A 1"));
	assert_false(utf8_edge_space("（2026）"));
	assert_true(utf8_edge_space(" A"));
	assert_true(utf8_edge_space("A\t"));
	assert_true(utf8_edge_space("\u3000A"));
	assert_true(utf8_edge_space("A\u3000"));
	assert_true(utf8_edge_space("\n"));
}

/* Checks utf8_trim_cut: a character cut at the end goes, a whole one
 * or bytes that are not a cut stay. */
static void
test_trim_cut(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"", ""}, {"abc", "abc"},
	    {"a\xe4\xb8\xad", "a\xe4\xb8\xad"}, /* a中 whole */
	    {"a\xe4\xb8", "a"},                 /* 中 cut after 2 bytes */
	    {"a\xe4", "a"},                     /* ... after 1 */
	    {"\xf0\x9f\x98", ""},               /* a 4-byte character cut */
	    {"\xc3\xa9", "\xc3\xa9"},           /* é whole */
	    {"a\xc3", "a"},
	    {"a\x80\x80\x80\x80", "a\x80\x80\x80\x80"}, /* stray bytes */
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		utf8_trim_cut(buf);
		assert_string_equal(buf, cases[i].out);
	}
	/* What snprintf leaves when it stops in a character: "a中" into 3
	 * bytes. */
	memcpy(buf, cases[2].in, 2);
	buf[2] = '\0';
	utf8_trim_cut(buf);
	assert_string_equal(buf, "a");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_good),
	    cmocka_unit_test(test_valid_bad),
	    cmocka_unit_test(test_width_case_id_ascii),
	    cmocka_unit_test(test_width_case_id_fullwidth),
	    cmocka_unit_test(test_width_basic),
	    cmocka_unit_test(test_width_zero),
	    cmocka_unit_test(test_width_bad_bytes),
	    cmocka_unit_test(test_fold),
	    cmocka_unit_test(test_edge_space),
	    cmocka_unit_test(test_trim_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
