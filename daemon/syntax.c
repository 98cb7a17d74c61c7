/*
 * syntax.c -- what libconfig's "syntax error" was about, found by
 * looking at the text ourselves.
 *
 * libconfig 1.5 stops at the first token it cannot use and names only
 * the line, sometimes the line after the mistake (a comma before ')' is
 * seen at the ')').  The mistakes people make most are ones a plain scan
 * can name: full-width punctuation typed with a Chinese input method, an
 * ideographic space, a Chinese key, a comma after the last item, a date
 * or time without quotes.  Each is always a syntax error, so the first
 * one in the file, if it is at or before the line libconfig named, is
 * the one libconfig stopped at.
 *
 * The scans walk the text as libconfig's scanner does: strings in double
 * quotes (which may span lines, with backslash escapes) and #, // and
 * block comments are skipped, everything else is "code".
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "syntax.h"
#include "utf8.h"
#include "xmalloc.h"

size_t
syntax_decode(const char *s, int32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	int32_t c, min;
	size_t n;

	*cp = -1;
	if (u[0] == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2, c = u[0] & 0x1f, min = 0x80;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3, c = u[0] & 0x0f, min = 0x800;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4, c = u[0] & 0x07, min = 0x10000;
	else
		return 1;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 1;
		c = c << 6 | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 1;
	*cp = c;
	return n;
}

int
syntax_column(const char *line, size_t off)
{
	int col = 1;
	int32_t cp;
	size_t n;

	for (size_t i = 0; i < off; i += n, col++)
		if ((n = syntax_decode(line + i, &cp)) == 0)
			break;
	return col;
}

/* Characters with a name and an ASCII stand-in, besides U+FF01..FF5E. */
static const struct {
	int32_t cp;
	const char *name; /* NULL: show the character itself */
	const char *fix;
} syntax_chars[] = {
    {0x3000, "ideographic space", "use a plain space"},
    {0x00a0, "no-break space", "use a plain space"},
    {0x3001, "ideographic comma", "use ','"},
    {0x3002, "ideographic full stop", "use ';'"},
    {0x201c, "curly quote", "use '\"'"},
    {0x201d, "curly quote", "use '\"'"},
    {0x2018, "curly quote", "use '\"'"},
    {0x2019, "curly quote", "use '\"'"},
    {0x3010, "lenticular bracket", "use '['"},
    {0x3011, "lenticular bracket", "use ']'"},
    {0xfeff, "byte order mark", "remove it"},
    {0x200b, "zero-width space", "remove it"},
};

/* Whether cp shows nothing, so that quoting it helps nobody. */
static bool
syntax_invisible(int32_t cp)
{
	return cp == 0x3000 || cp == 0x00a0 || cp == 0xfeff || cp == 0x200b;
}

char *
syntax_char_message(const char *s, char *buf, size_t len)
{
	int32_t cp;
	size_t n = syntax_decode(s, &cp), i;
	int ch = (int)n;

	if (cp < 0) {
		snprintf(buf, len, "byte 0x%02X is not UTF-8",
		    (unsigned char)*s);
		return buf;
	}
	if (cp >= 0xff01 && cp <= 0xff5e) {
		snprintf(buf, len, "full-width '%.*s' (U+%04X): use '%c'", ch,
		    s, (unsigned)cp, (char)(cp - 0xfee0));
		return buf;
	}
	for (i = 0; i < sizeof(syntax_chars) / sizeof(*syntax_chars); i++)
		if (syntax_chars[i].cp == cp)
			break;
	if (i == sizeof(syntax_chars) / sizeof(*syntax_chars))
		snprintf(buf, len,
		    "'%.*s' (U+%04X) outside quotes: only ASCII may be written "
		    "there (text goes in \"...\")",
		    ch, s, (unsigned)cp);
	else if (syntax_invisible(cp))
		snprintf(buf, len, "%s (U+%04X): %s", syntax_chars[i].name,
		    (unsigned)cp, syntax_chars[i].fix);
	else
		snprintf(buf, len, "%s '%.*s' (U+%04X): %s",
		    syntax_chars[i].name, ch, s, (unsigned)cp,
		    syntax_chars[i].fix);
	return buf;
}

bool
syntax_not_utf8(const char *text, struct syntax_finding *f)
{
	const char *bad = utf8_invalid(text), *ls = text, *q;
	int line = 1;

	if (bad == NULL)
		return false;
	/* A newline is ASCII, never inside a character: count them. */
	for (q = text; (q = memchr(q, '\n', (size_t)(bad - q))) != NULL; q++) {
		line++;
		ls = q + 1;
	}
	f->line = line;
	f->col = syntax_column(ls, (size_t)(bad - ls));
	f->key = false;
	snprintf(f->msg, sizeof(f->msg),
	    "the file is not UTF-8 (byte 0x%02X): save it as "
	    "UTF-8 (a GBK or GB18030 export can be converted "
	    "with iconv -f GB18030 -t UTF-8)",
	    (unsigned char)*bad);
	return true;
}

/*
 * Walking the code: the bytes outside strings and comments.
 */

struct syntax_walk {
	const char *p;  /* the current code byte */
	const char *ls; /* the start of its line */
	int line;
	bool started;
	/* The last code byte before p that is not white space ('"' for a
	 * string), where it is, and its line's start. */
	char prevc;
	const char *prev, *prev_ls;
	int prev_line;
	/* The first string escape "\x00" seen, if any. */
	const char *nul, *nul_ls;
	int nul_line;
	/* The first curly or full-width quote in a string that runs on past
	 * the end of its line: likely meant to close it. */
	const char *curly, *curly_ls;
	int curly_line;
};

static void
syntax_walk_init(struct syntax_walk *w, const char *text)
{
	memset(w, 0, sizeof(*w));
	w->p = w->ls = text;
	w->line = 1;
}

/* Step over a newline at w->p. */
static void
syntax_newline(struct syntax_walk *w)
{
	w->line++;
	w->ls = ++w->p;
}

/* True if p starts a curly or full-width double quote. */
static bool
syntax_is_curly(const char *p)
{
	return strncmp(p, "\xe2\x80\x9c", 3) == 0 ||
	    strncmp(p, "\xe2\x80\x9d", 3) == 0 ||
	    strncmp(p, "\xef\xbc\x82", 3) == 0;
}

/* Skip the string that starts at w->p, noting a "\x00" in it, and a
 * curly quote when the string runs on to another line. */
static void
syntax_skip_string(struct syntax_walk *w)
{
	const char *q, *curly = NULL, *curly_ls = NULL;
	int curly_line = 0;

	for (w->p++; *w->p != '\0' && *w->p != '"';) {
		if (syntax_is_curly(w->p) && curly == NULL) {
			curly = w->p;
			curly_ls = w->ls;
			curly_line = w->line;
		}
		if (*w->p == '\n') {
			if (curly != NULL && w->curly == NULL) {
				w->curly = curly;
				w->curly_ls = curly_ls;
				w->curly_line = curly_line;
			}
			syntax_newline(w);
			continue;
		}
		if (*w->p == '\\' && w->p[1] != '\0') {
			q = w->p;
			if ((q[1] == 'x' || q[1] == 'X') && q[2] == '0' &&
			    q[3] == '0' && w->nul == NULL) {
				w->nul = q;
				w->nul_ls = w->ls;
				w->nul_line = w->line;
			}
			if (q[1] == '\n') {
				w->p++;
				syntax_newline(w);
				continue;
			}
			w->p += 2;
			continue;
		}
		w->p++;
	}
	if (*w->p == '"')
		w->p++;
	w->prevc = '"';
	w->prev = NULL;
}

/* Skip a comment at w->p, if there is one; true if there was. */
static bool
syntax_skip_comment(struct syntax_walk *w)
{
	if (*w->p == '#' || (w->p[0] == '/' && w->p[1] == '/')) {
		w->p += strcspn(w->p, "\n");
		return true;
	}
	if (w->p[0] != '/' || w->p[1] != '*')
		return false;
	for (w->p += 2; *w->p != '\0' && !(w->p[0] == '*' && w->p[1] == '/');)
		if (*w->p == '\n')
			syntax_newline(w);
		else
			w->p++;
	if (*w->p != '\0')
		w->p += 2;
	return true;
}

/* Move to the next code byte; false at the end of the text. */
static bool
syntax_step(struct syntax_walk *w)
{
	if (w->started && *w->p != '\0') {
		if (!isspace((unsigned char)*w->p)) {
			w->prevc = *w->p;
			w->prev = w->p;
			w->prev_ls = w->ls;
			w->prev_line = w->line;
		}
		w->p++;
	}
	w->started = true;
	while (*w->p != '\0') {
		if (*w->p == '\n')
			syntax_newline(w);
		else if (*w->p == '"')
			syntax_skip_string(w);
		else if (!syntax_skip_comment(w))
			return true;
	}
	return false;
}

/* Fill f for position p of line `line`, which starts at ls. */
static bool
syntax_found(struct syntax_finding *f, const char *ls, int line, const char *p)
{
	f->line = line;
	f->col = syntax_column(ls, (size_t)(p - ls));
	f->key = false;
	return true;
}

static bool
syntax_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '*';
}

/* The bytes of a key written with non-ASCII characters at p: up to a
 * space, an ASCII punctuation mark, U+3000, '＝' or '：'.  Its length, and
 * in *after what follows it: '=' if an equals sign or colon (either
 * width) comes next, after any spaces. */
static size_t
syntax_key_run(const char *p, char *after)
{
	const char *q = p;
	int32_t cp;
	size_t n;

	while ((n = syntax_decode(q, &cp)) > 0 &&
	    (cp >= 0x80 || cp < 0 || syntax_ident((char)cp)) && cp != 0x3000 &&
	    cp != 0xff1d && cp != 0xff1a)
		q += n;
	*after = 0;
	for (const char *r = q; (n = syntax_decode(r, &cp)) > 0; r += n) {
		if (cp == ' ' || cp == '\t' || cp == 0x3000)
			continue;
		if (cp == '=' || cp == ':' || cp == 0xff1d || cp == 0xff1a)
			*after = '=';
		break;
	}
	return (size_t)(q - p);
}

/* A non-ASCII character in the code at w->p: a key of non-ASCII
 * characters or a character to replace. */
static bool
syntax_non_ascii(struct syntax_walk *w, struct syntax_finding *f)
{
	char what[160], after;
	size_t n;
	int32_t cp;
	bool lookalike;

	syntax_decode(w->p, &cp);
	lookalike = (cp >= 0xff01 && cp <= 0xff5e) || cp == 0x3000 ||
	    cp == 0x3001 || cp == 0x3002 || (cp >= 0x2018 && cp <= 0x201d) ||
	    cp < 0;
	n = syntax_key_run(w->p, &after);
	syntax_found(f, w->ls, w->line, w->p);
	if (!lookalike && after == '=' && w->prevc != '=' && w->prevc != ':' &&
	    n < 100) {
		snprintf(f->msg, sizeof(f->msg),
		    "key '%.*s' is not ASCII: keys are ASCII names (a-z, 0-9, "
		    "_)",
		    (int)n, w->p);
		f->key = true;
		return true;
	}
	snprintf(f->msg, sizeof(f->msg), "%s",
	    syntax_char_message(w->p, what, sizeof(what)));
	return true;
}

/* The length of a date "YYYY-M-D" (one or two digits each) or time
 * "H:MM" at p, or 0. */
static size_t
syntax_date_or_time(const char *p, bool *date)
{
	size_t a = strspn(p, "0123456789"), b, c;

	*date = p[a] == '-';
	if (*date && a == 4) {
		b = strspn(p + 5, "0123456789");
		if (b < 1 || b > 2 || p[5 + b] != '-')
			return 0;
		c = strspn(p + 6 + b, "0123456789");
		if (c < 1 || c > 2 || isalnum((unsigned char)p[6 + b + c]))
			return 0;
		return 6 + b + c;
	}
	if (p[a] == ':' && a >= 1 && a <= 2) {
		b = strspn(p + a + 1, "0123456789");
		if (b == 2 && !isalnum((unsigned char)p[a + 3]))
			return a + 3;
	}
	return 0;
}

/* Text written without quotes where a value goes: a word at w->p after
 * '=' or ':', or in a list, that is not true or false (nor a key after
 * a ',' in a group).  Its length up to a space or separator, or 0. */
static size_t
syntax_bare_word(const struct syntax_walk *w)
{
	const char *q = w->p, *r;
	size_t n;

	if (!isalpha((unsigned char)*q) || w->prevc == '\0' ||
	    strchr("=:[(,", w->prevc) == NULL)
		return 0;
	for (n = 0; syntax_ident(q[n]); n++)
		;
	r = q + n + strspn(q + n, " \t\r\n");
	if (strchr("[(,", w->prevc) != NULL && (*r == '=' || *r == ':'))
		return 0; /* a key */
	if ((n == 4 && strncasecmp(q, "true", 4) == 0) ||
	    (n == 5 && strncasecmp(q, "false", 5) == 0))
		return 0;
	return strcspn(q, " \t\r\n;,)]}#");
}

/* The mistake at the code byte w->p, if it is one. */
static bool
syntax_mistake(struct syntax_walk *w, struct syntax_finding *f)
{
	size_t n;
	bool date;

	if ((unsigned char)*w->p >= 0x80)
		return syntax_non_ascii(w, f);
	if ((*w->p == ')' || *w->p == ']') && w->prevc == ',' &&
	    w->prev != NULL) {
		syntax_found(f, w->prev_ls, w->prev_line, w->prev);
		snprintf(f->msg, sizeof(f->msg),
		    "comma before '%c': remove the ',' after the last item",
		    *w->p);
		return true;
	}
	if ((*w->p == ';' || *w->p == ',' || *w->p == '}' || *w->p == ')' ||
	        *w->p == ']') &&
	    (w->prevc == '=' || w->prevc == ':') && w->prev != NULL) {
		syntax_found(f, w->prev_ls, w->prev_line, w->prev);
		snprintf(f->msg, sizeof(f->msg),
		    "no value after '%c': write one (a date goes in quotes), "
		    "or remove the setting",
		    w->prevc);
		return true;
	}
	if ((n = syntax_bare_word(w)) > 0) {
		if (n > 60)
			n = 60;
		syntax_found(f, w->ls, w->line, w->p);
		snprintf(f->msg, sizeof(f->msg),
		    "unquoted text %.*s: write it in quotes, \"%.*s\"", (int)n,
		    w->p, (int)n, w->p);
		return true;
	}
	if (isdigit((unsigned char)*w->p) && w->prevc != '\0' &&
	    strchr("=:[(,", w->prevc) != NULL &&
	    (n = syntax_date_or_time(w->p, &date)) > 0) {
		syntax_found(f, w->ls, w->line, w->p);
		snprintf(f->msg, sizeof(f->msg),
		    "unquoted %s %.*s: write it in quotes, \"%.*s\"",
		    date ? "date" : "time", (int)n, w->p, (int)n, w->p);
		return true;
	}
	return false;
}

/* The curly quote w found in a string that ran on: the string's end. */
static bool
syntax_curly_quote(const struct syntax_walk *w, struct syntax_finding *f)
{
	char what[160];

	syntax_found(f, w->curly_ls, w->curly_line, w->curly);
	snprintf(f->msg, sizeof(f->msg), "%s (the string runs on past it)",
	    syntax_char_message(w->curly, what, sizeof(what)));
	return true;
}

/* The bracket that closes opener c. */
static char
syntax_closer(char c)
{
	return c == '{' ? '}' : c == '(' ? ')' : ']';
}

/* Brackets that do not pair: a closer at or before line that does not
 * match the last opener, or an opener never closed when libconfig
 * stopped at the end of the text.  Gives up beyond 64 levels. */
static bool
syntax_brackets(const char *text, int line, struct syntax_finding *f)
{
	struct syntax_walk w, open[64];
	size_t depth = 0;

	syntax_walk_init(&w, text);
	while (syntax_step(&w)) {
		if (*w.p == '{' || *w.p == '(' || *w.p == '[') {
			if (depth == sizeof(open) / sizeof(*open))
				return false;
			open[depth++] = w;
		} else if (*w.p == '}' || *w.p == ')' || *w.p == ']') {
			if (depth > 0 &&
			    syntax_closer(*open[depth - 1].p) == *w.p) {
				depth--;
				continue;
			}
			if (w.line > line)
				return false;
			syntax_found(f, w.ls, w.line, w.p);
			if (depth == 0)
				snprintf(f->msg, sizeof(f->msg),
				    "'%c' closes nothing: remove it", *w.p);
			else
				snprintf(f->msg, sizeof(f->msg),
				    "'%c' does not close the '%c' of line %d: "
				    "use '%c'",
				    *w.p, *open[depth - 1].p,
				    open[depth - 1].line,
				    syntax_closer(*open[depth - 1].p));
			return true;
		}
	}
	if (depth == 0 || line < w.line)
		return false;
	w = open[depth - 1];
	syntax_found(f, w.ls, w.line, w.p);
	snprintf(f->msg, sizeof(f->msg), "'%c' is never closed: add '%c'", *w.p,
	    syntax_closer(*w.p));
	return true;
}

bool
syntax_explain(const char *text, int line, struct syntax_finding *f)
{
	struct syntax_walk w;

	syntax_walk_init(&w, text);
	while (syntax_step(&w) && w.line <= line) {
		if (w.curly != NULL)
			return syntax_curly_quote(&w, f);
		if (syntax_mistake(&w, f))
			return true;
	}
	if (w.curly != NULL && w.curly_line <= line)
		return syntax_curly_quote(&w, f);
	return syntax_brackets(text, line, f);
}

bool
syntax_nul_escape(const char *text, struct syntax_finding *f)
{
	struct syntax_walk w;

	/* Most files have none: one fast search says so. */
	if (strstr(text, "\\x00") == NULL && strstr(text, "\\X00") == NULL)
		return false;
	syntax_walk_init(&w, text);
	while (syntax_step(&w) && w.nul == NULL)
		;
	if (w.nul == NULL)
		return false;
	syntax_found(f, w.nul_ls, w.nul_line, w.nul);
	snprintf(f->msg, sizeof(f->msg),
	    "\\x00 in a string: a string cannot hold a NUL character; remove "
	    "it");
	return true;
}

/* If the code at w->p starts a key (a name, then '=' or ':'), its
 * length; else 0. */
static size_t
syntax_key_at(const struct syntax_walk *w)
{
	const char *q = w->p;
	size_t n;

	if (!isalpha((unsigned char)*q) && *q != '*')
		return 0;
	if (w->prev != NULL && syntax_ident(*w->prev) && w->prev == q - 1)
		return 0;
	for (n = 0; syntax_ident(q[n]); n++)
		;
	q += n + strspn(q + n, " \t\r\n");
	return *q == '=' || *q == ':' ? n : 0;
}

/*
 * Duplicate keys.  Two keys at one depth are in the same group if the
 * depth never drops below theirs between them.  A walk numbers the
 * groups as it goes: a new one at each opening bracket, and at a depth
 * first reached by a closing one (a stray '}' at the top).  Two walks
 * find the duplicate in time linear in the text: the first collects the
 * keys of the reported line, the second looks each key up among them.
 * (Searching the text again for each key of the line made a one-line
 * file of 20,000 cases take longer than minutes.)
 */

/* Group numbers of the depths from the lowest reached to the current. */
struct syntax_groups {
	uint32_t *g;
	size_t n, cap;
	uint32_t next;
};

/* A key of the reported line, and where its group first set it. */
struct syntax_key {
	uint32_t group;
	const char *k;
	size_t n;
	int first; /* line of the first occurrence, 0 not yet seen */
};

static void
syntax_groups_init(struct syntax_groups *gs)
{
	gs->cap = 16;
	gs->g = xreallocarray(NULL, gs->cap, sizeof(*gs->g));
	gs->g[0] = 0;
	gs->n = 1;
	gs->next = 1;
}

/* Follow the code byte c. */
static void
syntax_groups_step(struct syntax_groups *gs, char c)
{
	if (c == '{' || c == '(' || c == '[') {
		if (gs->n == gs->cap) {
			gs->cap *= 2;
			gs->g = xreallocarray(gs->g, gs->cap, sizeof(*gs->g));
		}
		gs->g[gs->n++] = gs->next++;
	} else if (c == '}' || c == ')' || c == ']') {
		if (gs->n > 1)
			gs->n--;
		else
			gs->g[0] = gs->next++; /* a depth not reached before */
	}
}

static int
syntax_key_cmp(const void *a, const void *b)
{
	const struct syntax_key *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return memcmp(x->k, y->k, x->n);
}

/* Drop repeats from the n sorted keys v: how many are left. */
static size_t
syntax_keys_unique(struct syntax_key *v, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (m == 0 || syntax_key_cmp(&v[m - 1], &v[i]) != 0)
			v[m++] = v[i];
	return m;
}

/* The keys of line, sorted by group and name, each once; *n of them. */
static struct syntax_key *
syntax_line_keys(const char *text, int line, size_t *n)
{
	struct syntax_walk w;
	struct syntax_groups gs;
	struct syntax_key *v = NULL;
	size_t len, cap = 0;

	*n = 0;
	syntax_groups_init(&gs);
	syntax_walk_init(&w, text);
	while (syntax_step(&w) && w.line <= line) {
		if (w.line == line && (len = syntax_key_at(&w)) != 0) {
			if (*n == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			v[(*n)++] =
			    (struct syntax_key){gs.g[gs.n - 1], w.p, len, 0};
		}
		syntax_groups_step(&gs, *w.p);
	}
	free(gs.g);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), syntax_key_cmp);
	*n = syntax_keys_unique(v, *n);
	return v;
}

bool
syntax_duplicate(const char *text, int line, struct syntax_finding *f)
{
	struct syntax_walk w;
	struct syntax_groups gs;
	struct syntax_key *keys, want, *k;
	size_t n, len;
	bool found = false;

	if ((keys = syntax_line_keys(text, line, &n)) == NULL)
		return false;
	syntax_groups_init(&gs);
	syntax_walk_init(&w, text);
	while (!found && syntax_step(&w) && w.line <= line) {
		if ((len = syntax_key_at(&w)) != 0) {
			want = (struct syntax_key){gs.g[gs.n - 1], w.p, len, 0};
			k = bsearch(&want, keys, n, sizeof(*keys),
			    syntax_key_cmp);
			if (k != NULL && k->first == 0)
				k->first = w.line;
			else if (k != NULL && w.line == line) {
				syntax_found(f, w.ls, w.line, w.p);
				snprintf(f->msg, sizeof(f->msg),
				    "duplicate setting '%.*s' (first set at "
				    "line %d): a group sets each key once",
				    (int)(len > 64 ? 64 : len), w.p, k->first);
				found = true;
			}
		}
		syntax_groups_step(&gs, *w.p);
	}
	free(gs.g);
	free(keys);
	return found;
}

/*
 * Dates.
 */

static const char *const syntax_months[] = {"January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December"};

static bool
syntax_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

const char *
syntax_date_problem(const char *v, int min, int max, char *buf, size_t len)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};
	int y, m, d, n = 0, days;
	int32_t cp;

	for (const char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80) {
			syntax_decode(p, &cp);
			if (cp >= 0xff01 && cp <= 0xff5e)
				return syntax_char_message(p, buf, len);
			break;
		}
	if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || v[n] != '\0' ||
	    strspn(v, "0123456789-") != strlen(v)) {
		snprintf(buf, len, "write dates as YYYY-MM-DD");
		return buf;
	}
	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-') {
		snprintf(buf, len, "write dates as YYYY-MM-DD, %04d-%02d-%02d",
		    y, m, d);
		return buf;
	}
	if (y < min || y > max) {
		snprintf(buf, len, "years %d to %d", min, max);
		return buf;
	}
	if (m < 1 || m > 12) {
		snprintf(buf, len, "there is no month %d", m);
		return buf;
	}
	days = mdays[m - 1] + (m == 2 && syntax_leap(y));
	if (d >= 1 && d <= days)
		return NULL;
	if (m == 2 && d == 29)
		snprintf(buf, len, "%d is not a leap year", y);
	else if (d < 1)
		snprintf(buf, len, "there is no day 0");
	else
		snprintf(buf, len, "%s has %d days", syntax_months[m - 1],
		    days);
	return buf;
}

/*
 * Integer literals as written.
 */

/* Parse the integer literal at p as libconfig writes them: [-+], then
 * digits or 0x and hex digits, then L or LL.  Its length (0 if none),
 * the value in *out, *overflow if it does not fit 64 bits. */
static size_t
syntax_parse_int(const char *p, long long *out, bool *overflow)
{
	const char *q = p;
	unsigned long long v = 0, lim;
	bool neg = false;
	int base = 10, dig;
	size_t n = 0;

	*overflow = false;
	if (*q == '-' || *q == '+')
		neg = *q++ == '-';
	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
		base = 16;
		q += 2;
	}
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; isxdigit((unsigned char)q[n]); n++) {
		if (base == 10 && !isdigit((unsigned char)q[n]))
			break;
		dig = isdigit((unsigned char)q[n])
		    ? q[n] - '0'
		    : tolower((unsigned char)q[n]) - 'a' + 10;
		if (v > (lim - (unsigned)dig) / (unsigned)base)
			*overflow = true;
		else
			v = v * (unsigned)base + (unsigned)dig;
	}
	if (n == 0)
		return 0;
	q += n;
	while (*q == 'L' || *q == 'l')
		q++;
	if (syntax_ident(*q) || *q == '.')
		return 0; /* a float, or not a number */
	*out = neg ? (long long)(0 - v) : (long long)v;
	return (size_t)(q - p);
}

bool
syntax_int_literal(const char *text, int line, const char *key, long long lib,
    bool is64, long long *out, bool *overflow, char *lit, size_t litlen)
{
	struct syntax_walk w;
	size_t klen = strlen(key), n;
	const char *q;
	long long v;

	syntax_walk_init(&w, text);
	while (syntax_step(&w) && w.line <= line) {
		if (w.line != line || syntax_key_at(&w) != klen ||
		    strncmp(w.p, key, klen) != 0)
			continue;
		q = w.p + klen;
		q += strspn(q, " \t\r\n");
		q += strspn(q + 1, " \t\r\n") + 1; /* past '=' or ':' */
		if ((n = syntax_parse_int(q, &v, overflow)) == 0)
			continue;
		if (!*overflow &&
		    (is64 ? v != lib : (int)(v & 0xffffffff) != (int)lib))
			continue;
		*out = v;
		snprintf(lit, litlen, "%.*s", (int)(n > 40 ? 40 : n), q);
		return true;
	}
	return false;
}

/* Move to the next code byte that is not white space. */
static bool
syntax_step_over_space(struct syntax_walk *w)
{
	while (syntax_step(w))
		if (!isspace((unsigned char)*w->p))
			return true;
	return false;
}

/* From the key at w->p, walk to the code byte after its '=' or ':' and
 * the opening bracket of its list; false if it is not a list. */
static bool
syntax_enter_list(struct syntax_walk *w, size_t klen)
{
	w->p += klen - 1;
	if (!syntax_step_over_space(w) || (*w->p != '=' && *w->p != ':'))
		return false;
	return syntax_step_over_space(w) && (*w->p == '[' || *w->p == '(');
}

/* Parse item k of the list at w (just inside its bracket), if it is an
 * integer literal. */
static size_t
syntax_list_item(struct syntax_walk *w, size_t k, long long *v, bool *overflow)
{
	size_t idx = 0;
	int depth = 1;

	while (syntax_step_over_space(w)) {
		if (depth == 1 && idx == k && *w->p != ',' && *w->p != ']' &&
		    *w->p != ')')
			return syntax_parse_int(w->p, v, overflow);
		if (strchr("[({", *w->p) != NULL)
			depth++;
		else if (strchr("])}", *w->p) != NULL && --depth == 0)
			return 0;
		else if (*w->p == ',' && depth == 1)
			idx++;
	}
	return 0;
}

bool
syntax_list_int_literal(const char *text, int line, const char *key, size_t k,
    long long lib, long long *out, bool *overflow, char *lit, size_t litlen)
{
	struct syntax_walk w, at;
	size_t klen = strlen(key), n;
	long long v;

	syntax_walk_init(&w, text);
	while (syntax_step(&w) && w.line <= line) {
		if (w.line != line || syntax_key_at(&w) != klen ||
		    strncmp(w.p, key, klen) != 0)
			continue;
		at = w;
		if (!syntax_enter_list(&at, klen) ||
		    (n = syntax_list_item(&at, k, &v, overflow)) == 0)
			continue;
		if (!*overflow && (int)(v & 0xffffffff) != (int)lib)
			continue;
		*out = v;
		snprintf(lit, litlen, "%.*s", (int)(n > 40 ? 40 : n), at.p);
		return true;
	}
	return false;
}

/*
 * Splitting a cases file into its elements.
 */

struct syntax_split {
	const char *p;
	int line;
};

/* Skip blanks and comments as libconfig's scanner does; false at a
 * block comment that does not end, and at a line comment that the end
 * of the text ends (libconfig's scanner wants its newline: without it,
 * the file does not parse). */
static bool
syntax_split_blank(struct syntax_split *sp)
{
	const char *e;

	for (;;) {
		if (*sp->p == '\n') {
			sp->line++;
			sp->p++;
		} else if (*sp->p == ' ' || *sp->p == '\t' || *sp->p == '\r')
			sp->p++;
		else if (*sp->p == '#' ||
		    (sp->p[0] == '/' && sp->p[1] == '/')) {
			sp->p += strcspn(sp->p, "\n");
			if (*sp->p == '\0')
				return false;
		} else if (sp->p[0] == '/' && sp->p[1] == '*') {
			if ((e = strstr(sp->p + 2, "*/")) == NULL)
				return false;
			for (; sp->p < e; sp->p++)
				sp->line += *sp->p == '\n';
			sp->p = e + 2;
		} else
			return true;
	}
}

/* Skip the string at p (its opening quote): after it, or NULL if it
 * does not end. */
static const char *
syntax_split_string(const char *p)
{
	for (p++;; p += 2) {
		p += strcspn(p, "\"\\");
		if (*p == '"')
			return p + 1;
		if (*p == '\0' || p[1] == '\0')
			return NULL;
	}
}

/* Skip the group at sp->p (its '{'), brackets matched by kind outside
 * strings and comments; false if they do not match.  Lines are not
 * counted here (syntax_split_lines does, once). */
static bool
syntax_split_group(struct syntax_split *sp)
{
	const char *p = sp->p;
	char stack[64];
	size_t depth = 0;

	do {
		p += strcspn(p, "\"{}()[]#/");
		switch (*p) {
		case '\0':
			return false;
		case '"':
			if ((p = syntax_split_string(p)) == NULL)
				return false;
			continue;
		case '#':
			p += strcspn(p, "\n");
			continue;
		case '/':
			if (p[1] == '/')
				p += strcspn(p, "\n");
			else if (p[1] != '*')
				p++;
			else if ((p = strstr(p + 2, "*/")) == NULL)
				return false;
			else
				p += 2;
			continue;
		case '{':
		case '(':
		case '[':
			if (depth == sizeof(stack))
				return false;
			stack[depth++] = syntax_closer(*p);
			break;
		default: /* a closer */
			if (depth == 0 || stack[--depth] != *p)
				return false;
			break;
		}
		p++;
	} while (depth > 0);
	sp->p = p;
	return true;
}

/* Give each of the n spans of text its line, counting newlines once. */
static void
syntax_split_lines(const char *text, struct syntax_span *v, size_t n)
{
	const char *p = text, *q;
	int line = 1;

	for (size_t i = 0; i < n; i++) {
		while ((q = memchr(p, '\n', (size_t)(text + v[i].start - p))) !=
		    NULL) {
			line++;
			p = q + 1;
		}
		p = text + v[i].start;
		v[i].line = line;
	}
}

/* True if sp->p starts the name "cases" (not a longer one). */
static bool
syntax_split_name(struct syntax_split *sp)
{
	if (strncmp(sp->p, "cases", 5) != 0 || syntax_ident(sp->p[5]))
		return false;
	sp->p += 5;
	return true;
}

struct syntax_span *
syntax_cases_split(const char *text, size_t *n)
{
	struct syntax_split sp = {text, 1};
	struct syntax_span *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!syntax_split_blank(&sp) || !syntax_split_name(&sp) ||
	    !syntax_split_blank(&sp) || (*sp.p != '=' && *sp.p != ':'))
		return NULL;
	sp.p++;
	if (!syntax_split_blank(&sp) || *sp.p++ != '(')
		goto fail;
	for (;;) {
		if (!syntax_split_blank(&sp) || *sp.p != '{')
			goto fail;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[*n].start = (size_t)(sp.p - text);
		if (!syntax_split_group(&sp))
			goto fail;
		v[(*n)++].end = (size_t)(sp.p - text);
		if (!syntax_split_blank(&sp))
			goto fail;
		if (*sp.p == ')')
			break;
		if (*sp.p++ != ',')
			goto fail;
	}
	sp.p++;
	if (!syntax_split_blank(&sp) || *sp.p++ != ';' ||
	    !syntax_split_blank(&sp) || *sp.p != '\0')
		goto fail;
	syntax_split_lines(text, v, *n);
	return v;
fail:
	free(v);
	*n = 0;
	return NULL;
}
