/*
 * jscan.h -- JSON text by hand, where jansson's trees cost too much: a
 * validating scan of a stored alert's text that notes where the few
 * members delivery needs are, and the escapes jansson's dump writes in a
 * string.  Pure: no I/O, no allocation.
 */
#ifndef DEADLINED_JSCAN_H
#define DEADLINED_JSCAN_H

#include <stddef.h>

/* Where a string member's value is in the text: its bytes between the
 * quotes, which hold no escape. */
struct jscan_span {
	size_t off, len;
};

/* What delivery reads of a case alert. */
struct jscan_alert {
	struct jscan_span kind;     /* "kind" */
	struct jscan_span case_id;  /* "case": {"id"} */
	struct jscan_span window;   /* "window": {"name"} */
	struct jscan_span deadline; /* "window": {"deadline"} */
	long long days_left;        /* "days_left", an integer */
};

/*
 * 0 if s is one JSON object in the compact form the planner stores
 * (json_dumps with JSON_COMPACT: no white space between tokens) that has
 * each of the members above exactly once, its strings free of escapes,
 * and if not one byte of s breaks RFC 8259 or the UTF-8 rules; out is
 * filled in.  -1 otherwise, out undefined.
 *
 * It accepts a subset of what jansson's json_loads does (it refuses,
 * besides what is not JSON, white space, numbers of more than 18
 * digits or with an exponent, \u escapes of NUL and of surrogates, and
 * nesting deeper than JSCAN_DEPTH), so that a text it accepts is JSON
 * that json_loads reads into an object with the same values: a caller
 * parses whatever it refuses.
 */
#define JSCAN_DEPTH 32
int jscan_alert(const char *s, struct jscan_alert *out);

/* Whether jansson's dump escapes byte c of a UTF-8 string: a quote, a
 * backslash or a control character; nothing else. */
#define JSCAN_ESCAPED(c) ((c) == '"' || (c) == '\\' || (c) < 0x20)

/* The escape it writes for such a byte c into seq (JSCAN_SEQ bytes):
 * \" \\ \b \f \n \r \t, else \u00XX in upper-case hex.  Returns seq. */
#define JSCAN_SEQ 7
char *jscan_escape_seq(unsigned char c, char *seq);

#endif
