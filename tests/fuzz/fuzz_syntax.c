/*
 * fuzz_syntax.c -- the scanners that explain libconfig's syntax errors.
 * The first byte picks the line libconfig "reported" (1 to 64), the rest
 * is the file's text.  Checked: a finding is at or before that line, at
 * a column from 1, with a message; the UTF-8 scan agrees with
 * utf8_valid; a \x00 finding has one; a duplicate is on the line; an
 * integer literal parses back to a value; a date has a problem exactly
 * when date_parse refuses it; a cases file splits into groups.
 */
#include <string.h>

#include "date.h"
#include "fuzz.h"
#include "syntax.h"
#include "utf8.h"

/* A finding is placed at or before line, with a message. */
static void
fuzz_syntax_placed(const struct syntax_finding *f, int line)
{
	FUZZ_CHECK(f->line >= 1 && f->line <= line);
	FUZZ_CHECK(f->col >= 1);
	FUZZ_CHECK(memchr(f->msg, '\0', sizeof(f->msg)) != NULL);
	FUZZ_CHECK(f->msg[0] != '\0');
}

/* The date problem agrees with date_parse on the first bytes of s. */
static void
fuzz_syntax_date(const char *s)
{
	char v[16], buf[96];
	date_t d;

	snprintf(v, sizeof(v), "%s", s);
	FUZZ_CHECK((syntax_date_problem(v, DATE_YEAR_MIN, DATE_YEAR_MAX, buf,
	                sizeof(buf)) == NULL) == (date_parse(v, &d) == 0));
}

/* The elements a split finds are groups, in order, each on the line
 * its first byte is on. */
static void
fuzz_syntax_split(const char *text)
{
	struct syntax_span *v;
	size_t n, from = 0;
	int line = 1;

	if ((v = syntax_cases_split(text, &n)) == NULL)
		return;
	FUZZ_CHECK(n > 0);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(v[i].start >= from && v[i].end > v[i].start);
		FUZZ_CHECK(
		    text[v[i].start] == '{' && text[v[i].end - 1] == '}');
		for (; from < v[i].start; from++)
			line += text[from] == '\n';
		FUZZ_CHECK(v[i].line == line);
	}
	free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syntax_finding f;
	char *text, lit[48];
	long long v;
	bool over;
	int line;

	if (size < 1)
		return 0;
	line = 1 + data[0] % 64;
	text = fuzz_cstring(data + 1, size - 1);
	if (syntax_explain(text, line, &f))
		fuzz_syntax_placed(&f, line);
	FUZZ_CHECK(syntax_not_utf8(text, &f) == !utf8_valid(text));
	if (syntax_nul_escape(text, &f)) {
		fuzz_syntax_placed(&f, f.line);
		FUZZ_CHECK(strstr(text, "\\x00") != NULL ||
		    strstr(text, "\\X00") != NULL);
	}
	if (syntax_duplicate(text, line, &f)) {
		fuzz_syntax_placed(&f, line);
		FUZZ_CHECK(f.line == line);
	}
	if (syntax_int_literal(text, line, "days", 7, false, &v, &over, lit,
	        sizeof(lit)))
		FUZZ_CHECK(over || (int)(v & 0xffffffff) == 7);
	if (syntax_list_int_literal(text, line, "before", 1, 1, &v, &over, lit,
	        sizeof(lit)))
		FUZZ_CHECK(over || (int)(v & 0xffffffff) == 1);
	fuzz_syntax_date(text);
	fuzz_syntax_split(text);
	free(text);
	return 0;
}
