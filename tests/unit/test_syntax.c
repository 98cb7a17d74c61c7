/*
 * test_syntax.c -- the scanners that explain libconfig's syntax errors:
 * columns, naming characters, each kind of mistake, not-UTF-8 files,
 * \x00 escapes, duplicate keys, impossible dates and integer literals as
 * written.  Columns are counted by hand, one per character.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syntax.h"

/* Checks columns count characters, not bytes, from 1. */
static void
test_column(void **state)
{
	const char *line = "  id = \"沪\"；";

	(void)state;
	assert_int_equal(syntax_column(line, 0), 1);
	assert_int_equal(syntax_column(line, 2), 3);
	/* '"' at byte 7, 沪 bytes 8-10, '"' 11, '；' 12. */
	assert_int_equal(syntax_column(line, 12), 11);
	assert_int_equal(syntax_column("\xb2\xe2x", 2), 3);
}

/* Checks decoding takes only well-formed UTF-8. */
static void
test_decode(void **state)
{
	int32_t cp;

	(void)state;
	assert_int_equal(syntax_decode("；", &cp), 3);
	assert_int_equal(cp, 0xff1b);
	assert_int_equal(syntax_decode("\xc0\xaf", &cp), 1); /* overlong */
	assert_int_equal(cp, -1);
	assert_int_equal(syntax_decode("\xed\xa0\x80", &cp), 1); /* surrogate */
	assert_int_equal(cp, -1);
	assert_int_equal(syntax_decode("\xf0\x9f\x98\x80", &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(syntax_decode("", &cp), 0);
}

/* Checks each look-alike is named with its code point and its fix. */
static void
test_char_message(void **state)
{
	static const char *const cases[][2] = {
	    {"；", "full-width '；' (U+FF1B): use ';'"},
	    {"，", "full-width '，' (U+FF0C): use ','"},
	    {"＝", "full-width '＝' (U+FF1D): use '='"},
	    {"：", "full-width '：' (U+FF1A): use ':'"},
	    {"（", "full-width '（' (U+FF08): use '('"},
	    {"）", "full-width '）' (U+FF09): use ')'"},
	    {"［", "full-width '［' (U+FF3B): use '['"},
	    {"ａ", "full-width 'ａ' (U+FF41): use 'a'"},
	    {"！", "full-width '！' (U+FF01): use '!'"},
	    {"～", "full-width '～' (U+FF5E): use '~'"},
	    {"“", "curly quote '“' (U+201C): use '\"'"},
	    {"”", "curly quote '”' (U+201D): use '\"'"},
	    {"\u3000", "ideographic space (U+3000): use a plain space"},
	    {"、", "ideographic comma '、' (U+3001): use ','"},
	    {"\ufeff", "byte order mark (U+FEFF): remove it"},
	    {"立",
	        "'立' (U+7ACB) outside quotes: only ASCII may be written "
	        "there (text goes in \"...\")"},
	    {"\xb2", "byte 0xB2 is not UTF-8"},
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(syntax_char_message(cases[i][0], buf,
		                        sizeof(buf)),
		    cases[i][1]);
}

/* Explain text whose libconfig error is at line; the finding as
 * "LINE:COL: message", or "" if none. */
static const char *
explain(const char *text, int line)
{
	static char out[320];
	struct syntax_finding f;

	if (!syntax_explain(text, line, &f))
		return "";
	snprintf(out, sizeof(out), "%d:%d:%s %s", f.line, f.col,
	    f.key ? " key:" : "", f.msg);
	return out;
}

/* Checks each common mistake is found where it is. */
static void
test_explain(void **state)
{
	(void)state;
	assert_string_equal(explain("a = 1;\nb = \"沪\"；\n", 2),
	    "2:8: full-width '；' (U+FF1B): use ';'");
	assert_string_equal(explain("x = ( 1, 2,\n);\n", 2),
	    "1:11: comma before ')': remove the ',' after the last item");
	assert_string_equal(explain("x = [ \"a\", # c\n /* d */ ];\n", 2),
	    "1:10: comma before ']': remove the ',' after the last item");
	assert_string_equal(explain("t = 2026-11-02;\n", 1),
	    "1:5: unquoted date 2026-11-02: write it in quotes, "
	    "\"2026-11-02\"");
	assert_string_equal(explain("n = 9:00;\n", 1),
	    "1:5: unquoted time 9:00: write it in quotes, \"9:00\"");
	assert_string_equal(explain("{ 移送日期 = \"x\"; }\n", 1),
	    "1:3: key: key '移送日期' is not ASCII: keys are ASCII names "
	    "(a-z, 0-9, _)");
	assert_string_equal(explain("a =\u30001;\n", 1),
	    "1:4: ideographic space (U+3000): use a plain space");
	/* Inside strings and comments everything is allowed. */
	assert_string_equal(
	    explain("a = \"；,)\"; # ；\n// （\n/* ， */ b = 1\n", 4), "");
	/* A mistake after the line libconfig named is not the cause. */
	assert_string_equal(explain("a = 1 2;\nb = 1；\n", 1), "");
	assert_string_equal(explain("a = {\n  b = ;\n};\n", 2),
	    "2:5: no value after '=': write one (a date goes in quotes), or "
	    "remove the setting");
	assert_string_equal(explain("a = ( { b = 1; )\n;\n", 1),
	    "1:16: ')' does not close the '{' of line 1: use '}'");
	assert_string_equal(explain("a = ( { b = 1; }\n\n", 3),
	    "1:5: '(' is never closed: add ')'");
	assert_string_equal(explain("a = 1; }\n", 1),
	    "1:8: '}' closes nothing: remove it");
	assert_string_equal(explain("n = [ legal-mail ];\n", 1),
	    "1:7: unquoted text legal-mail: write it in quotes, "
	    "\"legal-mail\"");
	assert_string_equal(explain("u = https://x.example/a;\n", 1),
	    "1:5: unquoted text https://x.example/a: write it in quotes, "
	    "\"https://x.example/a\"");
	/* Booleans and the keys of a group after a ',' are not text. */
	assert_string_equal(explain("a = TRUE; b = { c = 1, d = 2 }; e = 1 2\n",
	                        1),
	    "");
	/* A string closed by a curly quote runs on: the quote is named. */
	assert_string_equal(explain("a = \"x”;\nb = \"y\";\n", 2),
	    "1:7: curly quote '”' (U+201D): use '\"' (the string runs on "
	    "past it)");
	/* A string may span lines, as in libconfig. */
	assert_string_equal(explain("a = \"x\n；\";\nb = 1）\n", 3),
	    "3:6: full-width '）' (U+FF09): use ')'");
}

/* Checks a file that is not UTF-8 is found at its first bad byte. */
static void
test_not_utf8(void **state)
{
	struct syntax_finding f;

	(void)state;
	assert_false(syntax_not_utf8("a = \"沪\";\n", &f));
	/* "测试" in GBK. */
	assert_true(syntax_not_utf8("a = 1;\nt = \"\xb2\xe2\xca\xd4\";\n", &f));
	assert_int_equal(f.line, 2);
	assert_int_equal(f.col, 6);
	assert_non_null(strstr(f.msg,
	    "not UTF-8 (byte 0xB2): save it as "
	    "UTF-8"));
}

/* Checks a bad byte after long runs of ASCII and CJK is found where it
 * is, on the right line, and that a line of only ASCII is valid. */
static void
test_not_utf8_after_runs(void **state)
{
	struct syntax_finding f;

	(void)state;
	assert_false(
	    syntax_not_utf8("abcdefghijklmnopqrstuvwxyz0123456789", &f));
	assert_true(syntax_not_utf8(
	    "abcdefghijklmnop\n沪沪沪沪\nqrstuvwxyz012345 \xed\xa0\x80", &f));
	assert_int_equal(f.line, 3);
	assert_int_equal(f.col, 18);
	/* A character cut at the end of the text. */
	assert_true(syntax_not_utf8("abcdefgh\xe6\xb2", &f));
	assert_int_equal(f.line, 1);
	assert_int_equal(f.col, 9);
}

/* Checks a cases file is split into its elements, with their lines,
 * and that any other shape is not split. */
static void
test_cases_split(void **state)
{
	const char *text =
	    "# cases\ncases = (\n  { id = \"a\"; t = [ 1 ]; },"
	    " /* x\n */ { id = \"}\\\"\"; # }\n x = ( 1 ); }\n);\n";
	struct syntax_span *v;
	size_t n;

	(void)state;
	assert_non_null(v = syntax_cases_split(text, &n));
	assert_int_equal(n, 2);
	assert_int_equal(v[0].line, 3);
	assert_int_equal(strncmp(text + v[0].start, "{ id = \"a\"", 10), 0);
	assert_int_equal(text[v[0].end - 1], '}');
	assert_int_equal(v[1].line, 4);
	assert_int_equal(text[v[1].start], '{');
	assert_int_equal(text[v[1].end - 1], '}');
	assert_int_equal(text[v[1].end], '\n');
	free(v);
	/* Not this shape: read whole. */
	assert_null(syntax_cases_split("cases = ( { a = 1; }, );", &n));
	assert_null(syntax_cases_split("cases = ( { a = 1; } )", &n));
	assert_null(syntax_cases_split("cases = ( { a = 1; } ); x = 1;", &n));
	assert_null(syntax_cases_split("casesx = ( { a = 1; } );", &n));
	assert_null(syntax_cases_split("cases = ( { a = ( 1; } ) } );", &n));
	assert_null(syntax_cases_split("cases = ( { a = \"1; } );", &n));
	assert_null(syntax_cases_split("cases = ( { a = 1; } /* );", &n));
	assert_null(syntax_cases_split("cases = ( 1, { a = 1; } );", &n));
	assert_null(syntax_cases_split("cases = ( );", &n));
	assert_null(syntax_cases_split("cases = [ { a = 1; } ];", &n));
	/* libconfig wants a line comment's newline, even at the end. */
	assert_null(syntax_cases_split("cases = ( { a = 1; } );\n# end", &n));
	assert_null(syntax_cases_split("cases = ( { a = 1; } ); // end", &n));
	assert_non_null(v = syntax_cases_split("cases = ({a=1;});# x\n", &n));
	free(v);
	assert_non_null(v = syntax_cases_split("cases:({a=1;});", &n));
	assert_int_equal(n, 1);
	free(v);
}

/* Checks "\x00" in a string is found, and nothing else is. */
static void
test_nul_escape(void **state)
{
	struct syntax_finding f;

	(void)state;
	assert_false(
	    syntax_nul_escape("a = \"\\x41\\\\x00\"; # \"\\x00\"\n", &f));
	assert_true(syntax_nul_escape("a = 1;\nb = \"ab\\x00c\";\n", &f));
	assert_int_equal(f.line, 2);
	assert_int_equal(f.col, 8);
}

/* Checks the key set twice is named, with where it was first set. */
static void
test_duplicate(void **state)
{
	struct syntax_finding f;

	(void)state;
	assert_true(syntax_duplicate("{ id = \"a\";\n  title = \"t\"; id = "
	                             "\"b\"; }\n",
	    2, &f));
	assert_int_equal(f.line, 2);
	assert_int_equal(f.col, 16);
	assert_string_equal(f.msg,
	    "duplicate setting 'id' (first set at "
	    "line 1): a group sets each key once");
	assert_false(syntax_duplicate("a = 1;\nb = 2;\n", 2, &f));
	/* The same key in another group is not the first setting. */
	assert_true(syntax_duplicate("a = { d = 1; };\nb = { e = 2; d = 3; "
	                             "d = 4; };\n",
	    2, &f));
	assert_int_equal(f.col, 21);
	assert_non_null(strstr(f.msg, "(first set at line 2)"));
	/* Groups in a list are groups of their own, and so is the level
	 * a stray '}' leads to. */
	assert_false(
	    syntax_duplicate("l = ( { d = 1; }, { d = 2; } );\n", 1, &f));
	assert_false(syntax_duplicate("d = 1; } d = 2;\n", 1, &f));
	assert_true(syntax_duplicate("} d = 1; { } d = 2;\n", 1, &f));
	assert_int_equal(f.col, 14);
}

/* Checks a one-line file of many groups: the duplicate in its last group
 * is found with one look at the text per key, not a search of the whole
 * text for each (which took longer than minutes at this size). */
static void
test_duplicate_one_line(void **state)
{
	static const char group[] = "{ id = \"C\"; title = \"t\"; }, ";
	static const char last[] = "{ id = \"L\"; title = \"t\"; title = "
	                           "\"u\"; } );\n";
	enum { N = 20000 };
	struct syntax_finding f;
	size_t n = strlen(group), off = strlen("cases = ( ");
	char *text = malloc(off + N * n + sizeof(last));

	(void)state;
	assert_non_null(text);
	memcpy(text, "cases = ( ", off);
	for (size_t i = 0; i < N; i++)
		memcpy(text + off + i * n, group, n);
	memcpy(text + off + N * n, last, sizeof(last));
	assert_true(syntax_duplicate(text, 1, &f));
	assert_int_equal(f.line, 1);
	assert_int_equal(f.col,
	    (int)(off + N * n +
	        strlen("{ id = \"L\"; "
	               "title = \"t\"; ") +
	        1));
	assert_string_equal(f.msg,
	    "duplicate setting 'title' (first set at "
	    "line 1): a group sets each key once");
	free(text);
}

/* Checks an impossible date says why. */
static void
test_date_problem(void **state)
{
	static const char *const cases[][2] = {
	    {"2026-11-31", "November has 30 days"},
	    {"2025-02-29", "2025 is not a leap year"},
	    {"2025-02-30", "February has 28 days"},
	    {"2024-02-30", "February has 29 days"},
	    {"1900-02-29", "1900 is not a leap year"},
	    {"2025-13-01", "there is no month 13"},
	    {"2025-00-01", "there is no month 0"},
	    {"2025-01-00", "there is no day 0"},
	    {"2025-7-3", "write dates as YYYY-MM-DD, 2025-07-03"},
	    {"9999-12-31", "years 1900 to 2999"},
	    {"2025/07/03", "write dates as YYYY-MM-DD"},
	    {"", "write dates as YYYY-MM-DD"},
	    {"２０２５-07-03", "full-width '２' (U+FF12): use '2'"},
	    {"2025－07－03", "full-width '－' (U+FF0D): use '-'"},
	    {"2025年7月3日", "write dates as YYYY-MM-DD"},
	};
	char buf[96];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(syntax_date_problem(cases[i][0], 1900, 2999,
		                        buf, sizeof(buf)),
		    cases[i][1]);
	assert_null(
	    syntax_date_problem("2024-02-29", 1900, 2999, buf, sizeof(buf)));
	assert_null(
	    syntax_date_problem("2026-11-30", 1900, 2999, buf, sizeof(buf)));
}

/* Checks literals are read as written, and only for their own key. */
static void
test_int_literal(void **state)
{
	const char *text = "w = { days = 4294967303; };\n"
	                   "r = { a = 0x10; b = -5; c = 99999999999999999999; "
	                   "d = 9223372036854775807L; };\n"
	                   "x = { days = 7; }; y = { days = 8; };\n";
	char lit[48];
	long long v;
	bool over;

	(void)state;
	assert_true(syntax_int_literal(text, 1, "days", 7, false, &v, &over,
	    lit, sizeof(lit)));
	assert_true(v == 4294967303LL && !over);
	assert_string_equal(lit, "4294967303");
	assert_true(syntax_int_literal(text, 2, "a", 16, false, &v, &over, lit,
	    sizeof(lit)));
	assert_true(v == 16);
	assert_true(syntax_int_literal(text, 2, "b", -5, false, &v, &over, lit,
	    sizeof(lit)));
	assert_true(v == -5);
	assert_true(syntax_int_literal(text, 2, "c", -1, false, &v, &over, lit,
	    sizeof(lit)));
	assert_true(over);
	assert_string_equal(lit, "99999999999999999999");
	assert_true(syntax_int_literal(text, 2, "d", 9223372036854775807LL,
	    true, &v, &over, lit, sizeof(lit)));
	assert_true(v == 9223372036854775807LL && !over);
	/* Two settings of one name on a line: the one that agrees. */
	assert_true(syntax_int_literal(text, 3, "days", 8, false, &v, &over,
	    lit, sizeof(lit)));
	assert_true(v == 8);
	assert_false(syntax_int_literal(text, 3, "days", 9, false, &v, &over,
	    lit, sizeof(lit)));
	/* An item of a list. */
	assert_true(syntax_list_int_literal("b = [ 3,\n  4294967297 ];\n", 1,
	    "b", 1, 1, &v, &over, lit, sizeof(lit)));
	assert_true(v == 4294967297LL);
	assert_false(syntax_list_int_literal("b = [ 3, 1 ];\n", 1, "b", 2, 1,
	    &v, &over, lit, sizeof(lit)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_column),
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_char_message),
	    cmocka_unit_test(test_explain),
	    cmocka_unit_test(test_not_utf8),
	    cmocka_unit_test(test_not_utf8_after_runs),
	    cmocka_unit_test(test_cases_split),
	    cmocka_unit_test(test_nul_escape),
	    cmocka_unit_test(test_duplicate),
	    cmocka_unit_test(test_duplicate_one_line),
	    cmocka_unit_test(test_date_problem),
	    cmocka_unit_test(test_int_literal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
