/*
 * jscan.h -- JSON text by hand, where jansson's trees cost too much: a
 * validating walk of a stored alert's text that shows each value, with
 * the path to it, to a visitor; the scan delivery needs of a case alert
 * built on it; and the escapes jansson's dump writes in a string.  Pure:
 * no I/O, no allocation.
 */
#ifndef DEADLINED_JSCAN_H
#define DEADLINED_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Where a string is in the text: its bytes between the quotes. */
struct jscan_span {
	size_t off, len;
};

#define JSCAN_DEPTH 32

/* One step of the way to a value: a member of an object (its key) or an
 * element of an array (its index). */
struct jscan_step {
	struct jscan_span key; /* a member's key */
	bool escaped;          /* the key holds an escape */
	long index;            /* an element's index; -1 for a member */
};

enum jscan_type {
	JSCAN_OBJECT,
	JSCAN_ARRAY,
	JSCAN_STRING,
	JSCAN_INTEGER, /* no fraction */
	JSCAN_REAL,
	JSCAN_TRUE,
	JSCAN_FALSE,
	JSCAN_NULL,
};

/* A value as the walk shows it. */
struct jscan_value {
	enum jscan_type type;
	struct jscan_span span; /* a string's contents, a number's text */
	bool escaped;           /* a string holding an escape */
	long long integer;      /* an integer's value */
};

/* Shown each value of text s, an object or array before what it holds,
 * with the depth steps of path that lead to it (depth 0: the text's one
 * value); 0 goes on, -1 ends the walk refused. */
typedef int (*jscan_visit)(const struct jscan_step *path, int depth,
    const struct jscan_value *v, const char *s, void *arg);

/*
 * Walk s, one JSON value in compact form (json_dumps with JSON_COMPACT:
 * no white space between tokens), showing each value to visit; 0, or -1
 * if a visit refused or s is not such a value.
 *
 * It accepts a subset of what jansson's json_loads does (it refuses,
 * besides what is not JSON or not UTF-8, white space, numbers of more
 * than 18 digits or with an exponent, \u escapes of NUL and of
 * surrogates, and nesting deeper than JSCAN_DEPTH), so that a text it
 * accepts is JSON that json_loads reads with the same values: a caller
 * parses whatever it refuses.  json_loads keeps the last of two members
 * of the same key; a visitor that cares refuses the second.
 */
int jscan_walk(const char *s, jscan_visit visit, void *arg);

/* Whether step is the member key, spelled without escapes. */
bool jscan_key_is(const char *s, const struct jscan_step *step,
    const char *key);

/* String sp of a text jscan_walk accepted, its escapes undone, into out
 * (sp.len + 1 bytes are enough) and NUL-ended; its length. */
size_t jscan_unescape(const char *s, struct jscan_span sp, char *out);

/* What delivery reads of a case alert. */
struct jscan_alert {
	struct jscan_span kind;     /* "kind" */
	struct jscan_span case_id;  /* "case": {"id"} */
	struct jscan_span window;   /* "window": {"name"} */
	struct jscan_span deadline; /* "window": {"deadline"} */
	long long days_left;        /* "days_left", an integer */
};

/*
 * 0 if jscan_walk accepts s, an object that has each of the members
 * above exactly once, of its type, its strings free of escapes, and no
 * key spelled with an escape where they are looked for; out is filled
 * in.  -1 otherwise, out undefined.
 */
int jscan_alert(const char *s, struct jscan_alert *out);

/* Whether jansson's dump escapes byte c of a UTF-8 string: a quote, a
 * backslash or a control character; nothing else. */
#define JSCAN_ESCAPED(c) ((c) == '"' || (c) == '\\' || (c) < 0x20)

/* The escape it writes for such a byte c into seq (JSCAN_SEQ bytes):
 * \" \\ \b \f \n \r \t, else \u00XX in upper-case hex.  Returns seq. */
#define JSCAN_SEQ 7
char *jscan_escape_seq(unsigned char c, char *seq);

#endif
