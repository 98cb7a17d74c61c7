/*
 * syntax.h -- pure scanners over the text of a configuration file, to
 * say what and where when libconfig only says "syntax error" at a line:
 * the column, the character (its name and code point) and the fix.
 *
 * Nothing here reads a file or records an error: each function looks at
 * text and answers with a struct syntax_finding or a message.
 */
#ifndef DEADLINED_SYNTAX_H
#define DEADLINED_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where in the text something is wrong, and what to do about it. */
struct syntax_finding {
	int line;      /* 1-based */
	int col;       /* 1-based, in characters (code points) */
	bool key;      /* a non-ASCII key: the caller may list the keys */
	char msg[256]; /* "full-width '；' (U+FF1B): use ';'" */
};

/* The 1-based column of byte off of line (which starts a line): one per
 * UTF-8 character, one per byte that is not UTF-8. */
int syntax_column(const char *line, size_t off);

/* Decode the UTF-8 character at s: its length in bytes (0 at the end of
 * the string), with the code point in *cp; a malformed sequence (an
 * overlong, a surrogate, a stray byte) has length 1 and *cp -1. */
size_t syntax_decode(const char *s, int32_t *cp);

/* Name the non-ASCII character at s written outside quotes and say what
 * to write instead, into buf: "full-width '；' (U+FF1B): use ';'",
 * "ideographic space (U+3000): use a plain space".  Returns buf. */
char *syntax_char_message(const char *s, char *buf, size_t len);

/* The first byte of text that is not UTF-8: true with f->line, f->col
 * and f->msg ("the file is not UTF-8 (byte 0xB2)...") set. */
bool syntax_not_utf8(const char *text, struct syntax_finding *f);

/* Why libconfig found a syntax error at line: the first mistake in text
 * at or before that line that libconfig cannot parse (a full-width or
 * other non-ASCII character outside quotes, a non-ASCII key, a comma
 * before ')' or ']', an unquoted date, time or word, no value after
 * '=', a string closed by a curly quote); failing that, brackets that
 * do not pair.  True with f filled. */
bool syntax_explain(const char *text, int line, struct syntax_finding *f);

/* The first "\x00" escape inside a quoted string (libconfig 1.5 drops
 * it without a word): true with f filled. */
bool syntax_nul_escape(const char *text, struct syntax_finding *f);

/* The key set twice that libconfig reports as "duplicate setting name"
 * at line: true with f filled ("duplicate setting 'id' ..."). */
bool syntax_duplicate(const char *text, int line, struct syntax_finding *f);

/* Why the string v is not a date "YYYY-MM-DD" between years min and
 * max, into buf ("November has 30 days"); NULL if it is one. */
const char *syntax_date_problem(const char *v, int min, int max, char *buf,
    size_t len);

/* The integer literal for key written on line of text (or on the lines
 * after it, when the value follows the '='), parsed as written: decimal
 * or 0x hex, with an optional L suffix.  libconfig 1.5 reads integers
 * through atoi(3), so 4294967303 arrives as 7: a literal is taken only
 * when it agrees with what libconfig read (lib, is64: its value and
 * type), or when it does not fit 64 bits (*overflow set).  Returns true
 * with *out set and the literal as written in lit. */
bool syntax_int_literal(const char *text, int line, const char *key,
    long long lib, bool is64, long long *out, bool *overflow, char *lit,
    size_t litlen);

/* As syntax_int_literal, for item k (from 0) of the list set by key on
 * line: "before = [ 3, 4294967297 ]". */
bool syntax_list_int_literal(const char *text, int line, const char *key,
    size_t k, long long lib, long long *out, bool *overflow, char *lit,
    size_t litlen);

/* An element of a cases file's list: bytes [start, end) of the text,
 * starting on line `line`. */
struct syntax_span {
	size_t start, end;
	int line;
};

/*
 * If text has exactly the shape of a cases file, `cases = ( { ... },
 * { ... } );` with only blanks and comments around and between, its
 * elements (each a brace-balanced group) in a new array, *n of them;
 * else NULL (no element, another shape, or a bracket this scan cannot
 * match: the file is then read whole).  A text of this shape parses
 * exactly when each run of its elements does as "cases = ( ... );".
 */
struct syntax_span *syntax_cases_split(const char *text, size_t *n);

#endif
