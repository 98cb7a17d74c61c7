/*
 * jscan.c -- a validating walk of JSON text; see jscan.h.
 *
 * Delivery reads back every alert it sends.  Parsed by json_loads, each
 * costs a tree of some forty nodes, built and freed again, for the few
 * values a message needs (a JSON webhook needs five besides the text it
 * sends as stored; a chat robot's words some thirty).  This walks the
 * text once by RFC 8259's grammar, stricter where that keeps it simple
 * (compact form only, short numbers), and shows each value to a visitor
 * with the path that leads to it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jscan.h"
#include "utf8.h"

struct jscan {
	const char *s;
	size_t i; /* the next byte */
	int depth;
	struct jscan_step path[JSCAN_DEPTH + 1];
	jscan_visit visit;
	void *arg;
};

static int jscan_value(struct jscan *js);

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

/* The code point of the \u escape at s (its backslash), or -1. */
static long
jscan_u(const char *s)
{
	long v = 0;
	int h;

	for (size_t k = 2; k < 6; k++) {
		if ((h = jscan_hex(s[k])) == -1)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Step over the escape at s[*i] (a backslash); 0 or -1.  A \u escape
 * of NUL or of half a surrogate pair is refused (jansson refuses the
 * one and pairs the other: not worth the code here). */
static int
jscan_escape(const char *s, size_t *i)
{
	long v;

	if (strchr("\"\\/bfnrt", s[*i + 1]) != NULL && s[*i + 1] != '\0') {
		*i += 2;
		return 0;
	}
	if (s[*i + 1] != 'u' || (v = jscan_u(s + *i)) == -1 || v == 0 ||
	    (v >= 0xd800 && v <= 0xdfff))
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

/* The number at the cursor into v: an integer and its value, or a
 * real; 0 or -1. */
static int
jscan_number(struct jscan *js, struct jscan_value *v)
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
	v->type = s[i] != '.' ? JSCAN_INTEGER : JSCAN_REAL;
	if (v->type == JSCAN_REAL && (i++, jscan_digits(s, &i, &frac) <= 0))
		return -1;
	if (s[i] == 'e' || s[i] == 'E')
		return -1;
	v->integer = neg ? -n : n;
	v->span.off = js->i;
	v->span.len = i - js->i;
	js->i = i;
	return 0;
}

/* The members of the object at the cursor; 0 or -1. */
static int
jscan_object(struct jscan *js)
{
	struct jscan_step *step = &js->path[js->depth];

	if (js->s[++js->i] == '}') {
		js->i++;
		return 0;
	}
	step->index = -1;
	for (;;) {
		if (jscan_string(js, &step->key, &step->escaped) == -1 ||
		    js->s[js->i++] != ':')
			return -1;
		js->depth++;
		if (jscan_value(js) == -1)
			return -1;
		js->depth--;
		if (js->s[js->i] == '}')
			break;
		if (js->s[js->i++] != ',')
			return -1;
	}
	js->i++;
	return 0;
}

/* The elements of the array at the cursor; 0 or -1. */
static int
jscan_array(struct jscan *js)
{
	struct jscan_step *step = &js->path[js->depth];

	if (js->s[++js->i] == ']') {
		js->i++;
		return 0;
	}
	memset(step, 0, sizeof(*step));
	for (;;) {
		js->depth++;
		if (jscan_value(js) == -1)
			return -1;
		js->depth--;
		if (js->s[js->i] == ']')
			break;
		if (js->s[js->i++] != ',')
			return -1;
		step->index++;
	}
	js->i++;
	return 0;
}

/* true, false or null at the cursor into v; 0 or -1. */
static int
jscan_literal(struct jscan *js, struct jscan_value *v)
{
	static const struct {
		const char *word;
		enum jscan_type type;
	} words[] = {
	    {"true", JSCAN_TRUE},
	    {"false", JSCAN_FALSE},
	    {"null", JSCAN_NULL},
	};

	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		if (strncmp(js->s + js->i, words[k].word,
		        strlen(words[k].word)) == 0) {
			js->i += strlen(words[k].word);
			v->type = words[k].type;
			return 0;
		}
	return -1;
}

/* The value at the cursor, shown to the visitor before what it holds;
 * 0 or -1. */
static int
jscan_value(struct jscan *js)
{
	struct jscan_value v = {0};
	char c = js->s[js->i];
	int rc;

	if (c == '{' || c == '[') {
		/* Nesting counts the containers around a value, the top
		 * one's included. */
		if (js->depth >= JSCAN_DEPTH)
			return -1;
		v.type = c == '{' ? JSCAN_OBJECT : JSCAN_ARRAY;
		if (js->visit(js->path, js->depth, &v, js->s, js->arg) == -1)
			return -1;
		return c == '{' ? jscan_object(js) : jscan_array(js);
	}
	if (c == '"') {
		v.type = JSCAN_STRING;
		rc = jscan_string(js, &v.span, &v.escaped);
	} else if (c == '-' || (c >= '0' && c <= '9'))
		rc = jscan_number(js, &v);
	else
		rc = jscan_literal(js, &v);
	if (rc == -1)
		return -1;
	return js->visit(js->path, js->depth, &v, js->s, js->arg);
}

int
jscan_walk(const char *s, jscan_visit visit, void *arg)
{
	struct jscan js = {.s = s, .visit = visit, .arg = arg};

	if (s == NULL || !utf8_valid(s) || jscan_value(&js) == -1 ||
	    s[js.i] != '\0')
		return -1;
	return 0;
}

/* The byte a one-letter escape \c stands for. */
static char
jscan_short(char c)
{
	switch (c) {
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return c; /* " \ / */
	}
}

/* Code point v, below 0x10000 (jscan_escape let no other through), as
 * UTF-8 into out: how many bytes. */
static size_t
jscan_utf8(long v, char *out)
{
	if (v < 0x80) {
		out[0] = (char)v;
		return 1;
	}
	if (v < 0x800) {
		out[0] = (char)(0xc0 | (v >> 6));
		out[1] = (char)(0x80 | (v & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (v >> 12));
	out[1] = (char)(0x80 | ((v >> 6) & 0x3f));
	out[2] = (char)(0x80 | (v & 0x3f));
	return 3;
}

size_t
jscan_unescape(const char *s, struct jscan_span sp, char *out)
{
	const char *p = s + sp.off, *end = p + sp.len;
	size_t n = 0;

	while (p < end) {
		if (*p != '\\')
			out[n++] = *p++;
		else if (p[1] != 'u') {
			out[n++] = jscan_short(p[1]);
			p += 2;
		} else {
			n += jscan_utf8(jscan_u(p), out + n);
			p += 6;
		}
	}
	out[n] = '\0';
	return n;
}

/* What jscan_alert looks for in an object that is `parent`. */
enum jscan_want {
	WANT_NONE,
	WANT_TOP,
	WANT_KIND,
	WANT_DAYS,
	WANT_CASE,
	WANT_WINDOW,
	WANT_CASE_ID,
	WANT_NAME,
	WANT_DEADLINE,
};

static const struct {
	enum jscan_want parent;
	const char *key;
	enum jscan_want want;
	enum jscan_type type;
} jscan_members[] = {
    {WANT_TOP, "kind", WANT_KIND, JSCAN_STRING},
    {WANT_TOP, "days_left", WANT_DAYS, JSCAN_INTEGER},
    {WANT_TOP, "case", WANT_CASE, JSCAN_OBJECT},
    {WANT_TOP, "window", WANT_WINDOW, JSCAN_OBJECT},
    {WANT_CASE, "id", WANT_CASE_ID, JSCAN_STRING},
    {WANT_WINDOW, "name", WANT_NAME, JSCAN_STRING},
    {WANT_WINDOW, "deadline", WANT_DEADLINE, JSCAN_STRING},
};

#define JSCAN_BIT(w) (1u << (w))
#define JSCAN_ALL                                                              \
	(JSCAN_BIT(WANT_KIND) | JSCAN_BIT(WANT_DAYS) |                         \
	    JSCAN_BIT(WANT_CASE_ID) | JSCAN_BIT(WANT_NAME) |                   \
	    JSCAN_BIT(WANT_DEADLINE))

struct jscan_brief {
	struct jscan_alert *out;
	unsigned seen; /* JSCAN_BIT of each member found */
};

bool
jscan_key_is(const char *s, const struct jscan_step *step, const char *key)
{
	return step->index == -1 && !step->escaped &&
	    step->key.len == strlen(key) &&
	    memcmp(s + step->key.off, key, step->key.len) == 0;
}

/* The object that holds a value at depth: the alert, its case, its
 * window, or none looked in. */
static enum jscan_want
jscan_parent(const struct jscan_step *path, int depth, const char *s)
{
	if (depth == 1)
		return WANT_TOP;
	if (depth == 2 && jscan_key_is(s, &path[0], "case"))
		return WANT_CASE;
	if (depth == 2 && jscan_key_is(s, &path[0], "window"))
		return WANT_WINDOW;
	return WANT_NONE;
}

/* jscan_alert's visitor: a member looked for noted, once, of its type. */
static int
jscan_brief_visit(const struct jscan_step *path, int depth,
    const struct jscan_value *v, const char *s, void *arg)
{
	struct jscan_brief *b = arg;
	const struct jscan_step *step;
	enum jscan_want parent;
	size_t i, n = sizeof(jscan_members) / sizeof(jscan_members[0]);

	if (depth == 0)
		return v->type == JSCAN_OBJECT ? 0 : -1;
	if ((parent = jscan_parent(path, depth, s)) == WANT_NONE)
		return 0;
	step = &path[depth - 1];
	if (step->escaped)
		return -1; /* it might spell a member looked for */
	for (i = 0; i < n; i++)
		if (jscan_members[i].parent == parent &&
		    jscan_key_is(s, step, jscan_members[i].key))
			break;
	if (i == n)
		return 0;
	/* json_loads keeps the last of twice the same key. */
	if ((b->seen & JSCAN_BIT(jscan_members[i].want)) ||
	    v->type != jscan_members[i].type ||
	    (v->type == JSCAN_STRING && v->escaped))
		return -1;
	b->seen |= JSCAN_BIT(jscan_members[i].want);
	switch (jscan_members[i].want) {
	case WANT_KIND:
		b->out->kind = v->span;
		break;
	case WANT_CASE_ID:
		b->out->case_id = v->span;
		break;
	case WANT_NAME:
		b->out->window = v->span;
		break;
	case WANT_DEADLINE:
		b->out->deadline = v->span;
		break;
	case WANT_DAYS:
		b->out->days_left = v->integer;
		break;
	default:
		break;
	}
	return 0;
}

int
jscan_alert(const char *s, struct jscan_alert *out)
{
	struct jscan_brief b = {.out = out};

	if (jscan_walk(s, jscan_brief_visit, &b) == -1 ||
	    (b.seen & JSCAN_ALL) != JSCAN_ALL)
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
