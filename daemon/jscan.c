/*
 * jscan.c -- a validating scan of a stored alert; see jscan.h.
 *
 * Delivery reads back every alert it sends.  Parsed by json_loads, each
 * costs a tree of some forty nodes, built and freed again, for the five
 * values a JSON webhook's message needs besides the text itself (which
 * it sends as stored).  This walks the text once by RFC 8259's grammar,
 * stricter where that keeps it simple (compact form only, short
 * numbers), and notes where those five are.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jscan.h"
#include "utf8.h"

/* What a value is to the scan: one of the members it looks for, or
 * nothing in particular. */
enum jscan_want {
	JSCAN_NONE,
	JSCAN_TOP, /* the alert object itself */
	JSCAN_KIND,
	JSCAN_DAYS,
	JSCAN_CASE,
	JSCAN_WINDOW,
	JSCAN_CASE_ID,
	JSCAN_NAME,
	JSCAN_DEADLINE,
};

#define JSCAN_BIT(w) (1u << (w))
#define JSCAN_ALL                                                              \
	(JSCAN_BIT(JSCAN_KIND) | JSCAN_BIT(JSCAN_DAYS) |                       \
	    JSCAN_BIT(JSCAN_CASE_ID) | JSCAN_BIT(JSCAN_NAME) |                 \
	    JSCAN_BIT(JSCAN_DEADLINE))

struct jscan {
	const char *s;
	size_t i; /* the next byte */
	int depth;
	unsigned seen; /* JSCAN_BIT of each member found */
	struct jscan_alert *out;
};

/* The members looked for in an object that is `parent`. */
static const struct {
	enum jscan_want parent;
	const char *key;
	enum jscan_want want;
} jscan_members[] = {
    {JSCAN_TOP, "kind", JSCAN_KIND},
    {JSCAN_TOP, "days_left", JSCAN_DAYS},
    {JSCAN_TOP, "case", JSCAN_CASE},
    {JSCAN_TOP, "window", JSCAN_WINDOW},
    {JSCAN_CASE, "id", JSCAN_CASE_ID},
    {JSCAN_WINDOW, "name", JSCAN_NAME},
    {JSCAN_WINDOW, "deadline", JSCAN_DEADLINE},
};

static int jscan_value(struct jscan *js, enum jscan_want w);

static int
jscan_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Step over the escape at s[*i] (a backslash); 0 or -1.  A \u escape
 * of NUL or of half a surrogate pair is refused (jansson refuses the
 * one and pairs the other: not worth the code here). */
static int
jscan_escape(const char *s, size_t *i)
{
	unsigned v = 0;
	int h;

	if (strchr("\"\\/bfnrt", s[*i + 1]) != NULL && s[*i + 1] != '\0') {
		*i += 2;
		return 0;
	}
	if (s[*i + 1] != 'u')
		return -1;
	for (size_t k = 2; k < 6; k++) {
		if ((h = jscan_hex(s[*i + k])) == -1)
			return -1;
		v = v * 16 + (unsigned)h;
	}
	if (v == 0 || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*i += 6;
	return 0;
}

/* The string at the cursor: where its contents are, and whether they
 * hold an escape; 0 or -1.  The text is known to be UTF-8. */
static int
jscan_string(struct jscan *js, struct jscan_span *sp, bool *escaped)
{
	const char *s = js->s;
	size_t i = js->i;
	unsigned char c;

	if (s[i] != '"')
		return -1;
	sp->off = ++i;
	*escaped = false;
	while ((c = (unsigned char)s[i]) != '"') {
		if (c < 0x20) /* a control character, or the end */
			return -1;
		if (c != '\\') {
			i++;
			continue;
		}
		*escaped = true;
		if (jscan_escape(s, &i) == -1)
			return -1;
	}
	sp->len = i - sp->off;
	js->i = i + 1;
	return 0;
}

/* Digits at s[*i], at most 18 of them: how many, or -1. */
static int
jscan_digits(const char *s, size_t *i, long long *v)
{
	int n = 0;

	for (; s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		if (++n > 18)
			return -1;
		*v = *v * 10 + (s[*i] - '0');
	}
	return n;
}

/* The number at the cursor: whether it is an integer, and if so its
 * value; 0 or -1. */
static int
jscan_number(struct jscan *js, bool *integer, long long *v)
{
	const char *s = js->s;
	size_t i = js->i;
	long long n = 0, frac = 0;
	bool neg = s[i] == '-';

	if (neg)
		i++;
	if (s[i] == '0')
		i++;
	else if (s[i] < '1' || s[i] > '9' || jscan_digits(s, &i, &n) == -1)
		return -1;
	*integer = s[i] != '.';
	if (!*integer && (i++, jscan_digits(s, &i, &frac) <= 0))
		return -1;
	if (s[i] == 'e' || s[i] == 'E')
		return -1;
	*v = neg ? -n : n;
	js->i = i;
	return 0;
}

/* The member a key names in an object that is parent; JSCAN_NONE if
 * none, -1 if the key holds an escape where members are looked for
 * (it might spell one). */
static int
jscan_member(enum jscan_want parent, const char *s, struct jscan_span key,
    bool escaped)
{
	if (parent != JSCAN_TOP && parent != JSCAN_CASE &&
	    parent != JSCAN_WINDOW)
		return JSCAN_NONE;
	if (escaped)
		return -1;
	for (size_t i = 0; i < sizeof(jscan_members) / sizeof(jscan_members[0]);
	     i++)
		if (jscan_members[i].parent == parent &&
		    strlen(jscan_members[i].key) == key.len &&
		    memcmp(jscan_members[i].key, s + key.off, key.len) == 0)
			return jscan_members[i].want;
	return JSCAN_NONE;
}

/* The object at the cursor, which is `parent` to the scan; 0 or -1. */
static int
jscan_object(struct jscan *js, enum jscan_want parent)
{
	struct jscan_span key;
	bool escaped;
	int w;

	if (++js->depth > JSCAN_DEPTH)
		return -1;
	if (js->s[++js->i] == '}') {
		js->i++;
		js->depth--;
		return 0;
	}
	for (;;) {
		if (jscan_string(js, &key, &escaped) == -1 ||
		    js->s[js->i++] != ':' ||
		    (w = jscan_member(parent, js->s, key, escaped)) == -1)
			return -1;
		if (w != JSCAN_NONE) {
			if (js->seen & JSCAN_BIT(w))
				return -1; /* json_loads keeps the last */
			js->seen |= JSCAN_BIT(w);
		}
		if (jscan_value(js, (enum jscan_want)w) == -1)
			return -1;
		if (js->s[js->i] == '}')
			break;
		if (js->s[js->i++] != ',')
			return -1;
	}
	js->i++;
	js->depth--;
	return 0;
}

/* The array at the cursor; 0 or -1. */
static int
jscan_array(struct jscan *js)
{
	if (++js->depth > JSCAN_DEPTH)
		return -1;
	if (js->s[++js->i] != ']') {
		for (;;) {
			if (jscan_value(js, JSCAN_NONE) == -1)
				return -1;
			if (js->s[js->i] == ']')
				break;
			if (js->s[js->i++] != ',')
				return -1;
		}
	}
	js->i++;
	js->depth--;
	return 0;
}

/* true, false or null at the cursor; 0 or -1. */
static int
jscan_literal(struct jscan *js)
{
	static const char *const words[] = {"true", "false", "null"};

	for (size_t k = 0; k < 3; k++)
		if (strncmp(js->s + js->i, words[k], strlen(words[k])) == 0) {
			js->i += strlen(words[k]);
			return 0;
		}
	return -1;
}

/* A string value, noted if it is a member looked for; 0 or -1. */
static int
jscan_string_value(struct jscan *js, enum jscan_want w)
{
	struct jscan_span sp, *to = NULL;
	bool escaped;

	switch (w) {
	case JSCAN_KIND:
		to = &js->out->kind;
		break;
	case JSCAN_CASE_ID:
		to = &js->out->case_id;
		break;
	case JSCAN_NAME:
		to = &js->out->window;
		break;
	case JSCAN_DEADLINE:
		to = &js->out->deadline;
		break;
	case JSCAN_NONE:
		break;
	default:
		return -1; /* an object or a number, not a string */
	}
	if (jscan_string(js, &sp, &escaped) == -1 || (to != NULL && escaped))
		return -1;
	if (to != NULL)
		*to = sp;
	return 0;
}

/* The value at the cursor, which is w to the scan; 0 or -1. */
static int
jscan_value(struct jscan *js, enum jscan_want w)
{
	char c = js->s[js->i];
	bool integer;
	long long v;

	if (c == '"')
		return jscan_string_value(js, w);
	if (c == '{')
		return w == JSCAN_NONE || w == JSCAN_CASE || w == JSCAN_WINDOW
		    ? jscan_object(js, w)
		    : -1;
	if (w == JSCAN_CASE || w == JSCAN_WINDOW)
		return -1;
	if (c == '-' || (c >= '0' && c <= '9')) {
		if (jscan_number(js, &integer, &v) == -1 ||
		    (w != JSCAN_NONE && (w != JSCAN_DAYS || !integer)))
			return -1;
		if (w == JSCAN_DAYS)
			js->out->days_left = v;
		return 0;
	}
	if (w != JSCAN_NONE)
		return -1;
	if (c == '[')
		return jscan_array(js);
	return jscan_literal(js);
}

int
jscan_alert(const char *s, struct jscan_alert *out)
{
	struct jscan js = {.s = s, .out = out};

	if (s == NULL || s[0] != '{' || !utf8_valid(s) ||
	    jscan_object(&js, JSCAN_TOP) == -1 || s[js.i] != '\0' ||
	    (js.seen & JSCAN_ALL) != JSCAN_ALL)
		return -1;
	return 0;
}

char *
jscan_escape_seq(unsigned char c, char *seq)
{
	/* Pairs: the byte, then the letter after its backslash. */
	static const char shorts[] = "\"\"\\\\\bb\ff\nn\rr\tt";

	for (size_t i = 0; shorts[i] != '\0'; i += 2)
		if ((unsigned char)shorts[i] == c) {
			seq[0] = '\\';
			seq[1] = shorts[i + 1];
			seq[2] = '\0';
			return seq;
		}
	snprintf(seq, JSCAN_SEQ, "\\u%04X", c);
	return seq;
}
