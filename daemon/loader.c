/*
 * loader.c -- the reading and checking that every part of the
 * configuration shares: errors as "FILE:LINE: message", typed getters
 * that report a wrong type where it is, names, dates, files and secrets.
 *
 * Getters return 1 when the key holds a value of the right type, 0 when
 * it is absent, and -1 (with the error recorded) otherwise, so a caller
 * can go on after an error and one run reports every problem.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "loader.h"
#include "log.h"
#include "suggest.h"
#include "syntax.h"
#include "utf8.h"
#include "xmalloc.h"

/* The most a file may hold: a configuration, cases or holiday file, and
 * a secret.  Checked against st_size and again while reading, for a file
 * that grows. */
#define LOADER_FILE_MAX   (64L * 1024 * 1024)
#define LOADER_SECRET_MAX 65536

/*
 * Recording errors.
 */

char *
loader_vformat(const char *file, int line, const char *prefix, const char *fmt,
    va_list ap)
{
	char *msg, *full;

	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	if (line > 0)
		xasprintf(&full, "%s:%d: %s%s", file, line, prefix, msg);
	else
		xasprintf(&full, "%s: %s%s", file, prefix, msg);
	free(msg);
	return full;
}

void
loader_errors_add(struct config_errors *errs, char *msg)
{
	errs->msgs =
	    xreallocarray(errs->msgs, errs->n + 1, sizeof(*errs->msgs));
	errs->msgs[errs->n++] = msg;
}

/* Record "FILE:LINE: message"; line 0 leaves the line out. */
void
loader_error(struct loader *ld, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	loader_errors_add(ld->errs,
	    loader_vformat(ld->file, line, "", fmt, ap));
	va_end(ap);
}

/* Record "FILE:LINE:COLUMN: message" for a place in the current file. */
static void __attribute__((format(printf, 4, 5)))
loader_error_at(struct loader *ld, int line, int col, const char *fmt, ...)
{
	char *msg, *full;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	xasprintf(&full, "%s:%d:%d: %s", ld->file, line, col, msg);
	free(msg);
	loader_errors_add(ld->errs, full);
}

/* Record "FILE:LINE: warning: message" on the configuration: -t prints
 * it, the daemon logs it at start and after a reload.  A warning does not
 * make the configuration invalid. */
void
loader_warning(struct loader *ld, int line, const char *fmt, ...)
{
	struct config *cfg = ld->cfg;
	char *full;
	va_list ap;

	va_start(ap, fmt);
	full = loader_vformat(ld->file, line, "warning: ", fmt, ap);
	va_end(ap);
	cfg->warnings = xreallocarray(cfg->warnings, cfg->nwarnings + 1,
	    sizeof(*cfg->warnings));
	cfg->warnings[cfg->nwarnings++] = loader_strdup(ld, full);
	free(full);
}

/*
 * Memory: everything lives in the configuration's arena.
 */

void *
loader_alloc(struct loader *ld, size_t n, size_t size)
{
	void *p;

	if ((p = arena_calloc(&ld->cfg->arena, n, size)) == NULL)
		fatal("arena_calloc");
	return p;
}

struct case_extra *
loader_case_extra(struct loader *ld, struct case_info *c)
{
	if (c->extra == NULL)
		c->extra = loader_alloc(ld, 1, sizeof(*c->extra));
	return c->extra;
}

const char *
loader_strdup(struct loader *ld, const char *s)
{
	char *p;

	if ((p = arena_strdup(&ld->cfg->arena, s)) == NULL)
		fatal("arena_strdup");
	return p;
}

/* path itself if absolute, else path under the main file's directory. */
const char *
loader_path(struct loader *ld, const char *path)
{
	char *full;
	const char *p;

	if (path[0] == '/' || strcmp(ld->dir, ".") == 0)
		return loader_strdup(ld, path);
	xasprintf(&full, "%s/%s", ld->dir, path);
	p = loader_strdup(ld, full);
	free(full);
	return p;
}

/*
 * Reading settings.  Each getter returns 1 when the key holds a value of
 * the right type, 0 when it is absent and -1 (error recorded) otherwise.
 */

/* The line s is on, for messages.  libconfig 1.5 gives a list item the
 * line of the token after it, which for the last item of a list written
 * one item a line is the closing bracket's; so for a string item, look
 * back for the line that holds it. */
/* The line of the file s was read from (a slice's tree counts from the
 * slice's first line). */
static int
loader_source_line(const struct loader *ld, const config_setting_t *s)
{
	return (int)config_setting_source_line(s) + ld->line_offset;
}

int
loader_line(struct loader *ld, const config_setting_t *s)
{
	const char *file, *text = NULL, *value, *p, *end;
	int line, l;
	size_t vlen;

	if (s == NULL)
		return 0;
	line = loader_source_line(ld, s);
	if (config_setting_name(s) != NULL ||
	    config_setting_type(s) != CONFIG_TYPE_STRING)
		return line;
	/* Parsed from the text loader_read read: the file being read. */
	if ((file = config_setting_source_file(s)) == NULL)
		file = ld->file;
	for (size_t i = 0; i < ld->ntexts && text == NULL; i++)
		if (strcmp(ld->texts[i].path, file) == 0)
			text = ld->texts[i].text;
	if (text == NULL)
		return line;
	value = config_setting_get_string(s);
	vlen = strlen(value);
	/* Find where line `line` starts, then walk back a few lines. */
	for (p = text, l = 1; l < line && (p = strchr(p, '\n')) != NULL; l++)
		p++;
	for (; p != NULL && l >= 1 && l > line - 20; l--) {
		end = strchr(p, '\n');
		for (const char *q = p;
		     (q = strchr(q, '"')) != NULL && (end == NULL || q < end);
		     q++)
			if (strncmp(q + 1, value, vlen) == 0 &&
			    q[1 + vlen] == '"')
				return l;
		if (p == text)
			break;
		for (p -= 1; p > text && p[-1] != '\n'; p--)
			;
	}
	return line;
}

/* ": did you mean 'x'?" for the name of list (n of them) nearest to
 * name, in buf; "" if none is near. */
const char *
loader_suggest(const char *name, const char *const *list, size_t n, char *buf,
    size_t len)
{
	const char *near = suggest_nearest(name, list, n);

	if (near == NULL)
		return "";
	snprintf(buf, len, ": did you mean '%s'?", near);
	return buf;
}

/* If name is a window's, report it as a case key, saying which events
 * the case records for it instead; true if so. */
static bool
loader_window_as_key(struct loader *ld, const config_setting_t *s,
    const char *name, const char *what)
{
	const struct window_def *w = NULL;
	struct buf b = {NULL, 0, 0};

	for (size_t i = 0; i < ld->cfg->nwindows && w == NULL; i++)
		if (strcmp(ld->cfg->windows[i].name, name) == 0)
			w = &ld->cfg->windows[i];
	if (w == NULL || w->opens == NULL)
		return false;
	for (size_t i = 0; i < w->ncloses; i++)
		buf_printf(&b, "%s'%s'",
		    i == 0                    ? ""
		        : i + 1 == w->ncloses ? " or "
		                              : ", ",
		    w->closes[i]);
	loader_error(ld, loader_line(ld, s),
	    "unknown key '%s' in %s: '%s' is a window; a case records its "
	    "events: '%s' opens it, %s %s it",
	    name, what, name, w->opens, b.s != NULL ? b.s : "nothing",
	    w->ncloses == 1 ? "closes" : "close");
	free(b.s);
	return true;
}

void
loader_unknown_case_key(struct loader *ld, const config_setting_t *s,
    const char *name, const char *what, const char *const *fields)
{
	const char **keys;
	const char *near;
	char hint[128];
	size_t n = 0, nfields = 0;

	while (fields[nfields] != NULL)
		nfields++;
	keys = xcalloc(nfields + ld->nevents + 1, sizeof(*keys));
	for (size_t i = 0; i < nfields; i++)
		keys[n++] = fields[i];
	for (size_t i = 0; i < ld->nevents; i++)
		keys[n++] = ld->events[i];
	near = loader_suggest(name, keys, n, hint, sizeof(hint));
	free(keys);
	if (loader_window_as_key(ld, s, name, what))
		return;
	if (*near != '\0')
		loader_error(ld, loader_line(ld, s), "unknown key '%s' in %s%s",
		    name, what, near);
	else
		loader_error(ld, loader_line(ld, s),
		    "unknown key '%s' in %s (not a case field nor an event of "
		    "any window)",
		    name, what);
}

const char *
loader_case_key_hint(struct loader *ld, const char *const *fields)
{
	struct buf b = {NULL, 0, 0};
	const char *hint;

	buf_adds(&b, "a case sets");
	for (size_t i = 0; fields[i] != NULL; i++)
		buf_printf(&b, "%s %s", i == 0 ? "" : ",", fields[i]);
	buf_adds(&b, " and the events");
	for (size_t i = 0; i < ld->nevents; i++)
		buf_printf(&b, "%s %s", i == 0 ? "" : ",", ld->events[i]);
	hint = loader_strdup(ld, b.s);
	free(b.s);
	return hint;
}

/* Record an error for each key of group that is not in allowed. */
void
loader_check_keys(struct loader *ld, const config_setting_t *group,
    const char *const *allowed, const char *what)
{
	config_setting_t *s;
	const char *name;
	char hint[128];
	size_t i;
	int n = config_setting_length(group);

	for (int k = 0; k < n; k++) {
		s = config_setting_get_elem(group, (unsigned)k);
		name = config_setting_name(s);
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], name) == 0)
				break;
		if (allowed[i] == NULL)
			loader_error(ld, loader_line(ld, s),
			    "unknown key '%s' in %s%s", name, what,
			    loader_suggest(name, allowed, i, hint,
			        sizeof(hint)));
	}
}

/* The text a setting was read from, when the loader kept it. */
static const struct loader_text *
loader_text_entry(struct loader *ld, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s);

	if (file == NULL)
		file = ld->file;
	for (size_t i = 0; i < ld->ntexts; i++)
		if (strcmp(ld->texts[i].path, file) == 0)
			return &ld->texts[i];
	return NULL;
}

static const char *
loader_text_of(struct loader *ld, const config_setting_t *s)
{
	const struct loader_text *t = loader_text_entry(ld, s);

	return t != NULL ? t->text : NULL;
}

/* True if the strings of the text s was read from are known to be
 * UTF-8: the text is, and has no escape (\x80 could make one that is
 * not). */
static bool
loader_plain(struct loader *ld, const config_setting_t *s)
{
	const struct loader_text *t = loader_text_entry(ld, s);

	return t != NULL && t->plain;
}

/* The string value of setting s (key, or NULL if absent), checked; 1, 0
 * or -1 as a getter. */
static int
loader_string_value(struct loader *ld, const config_setting_t *s,
    const char *key, const char **out)
{
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		loader_error(ld, loader_line(ld, s), "'%s' must be a string",
		    key);
		return -1;
	}
	if (!loader_plain(ld, s) && !utf8_valid(config_setting_get_string(s))) {
		loader_error(ld, loader_line(ld, s), "'%s' is not valid UTF-8",
		    key);
		return -1;
	}
	*out = config_setting_get_string(s);
	return 1;
}

/* Replace *v, the integer libconfig read for s, by the literal as the
 * file writes it (libconfig 1.5 reads through atoi(3): 4294967303 comes
 * out as 7), and write that literal into lit; a literal that does not
 * fit 64 bits is written "!LITERAL".  Without the text, lit is *v. */
static void
loader_int_as_written(struct loader *ld, const config_setting_t *s,
    long long *v, char *lit, size_t len)
{
	const char *text = loader_text_of(ld, s);
	bool overflow = false;
	long long w;

	snprintf(lit, len, "%lld", *v);
	if (text == NULL || config_setting_name(s) == NULL ||
	    !syntax_int_literal(text, loader_source_line(ld, s),
	        config_setting_name(s), *v,
	        config_setting_type(s) == CONFIG_TYPE_INT64, &w, &overflow,
	        lit + 1, len - 1)) {
		return;
	}
	if (overflow)
		lit[0] = '!';
	else {
		memmove(lit, lit + 1, strlen(lit + 1) + 1);
		*v = w;
	}
}

long long
loader_list_int(struct loader *ld, const config_setting_t *list, size_t k)
{
	const config_setting_t *e = config_setting_get_elem(list, (unsigned)k);
	const char *text = loader_text_of(ld, list);
	long long v = config_setting_get_int64(e), w;
	bool overflow = false;
	char lit[48];

	if (text == NULL || config_setting_name(list) == NULL ||
	    !syntax_list_int_literal(text, loader_source_line(ld, list),
	        config_setting_name(list), k, v, &w, &overflow, lit,
	        sizeof(lit)))
		return v;
	return overflow ? LLONG_MIN : w;
}

int
loader_string_check(struct loader *ld, const config_setting_t *s,
    const char *key)
{
	const char *v;

	return loader_string_value(ld, s, key, &v);
}

int
loader_string_of(struct loader *ld, const config_setting_t *s, const char *key,
    const char **out)
{
	const char *v;
	int r;

	if ((r = loader_string_value(ld, s, key, &v)) == 1)
		*out = loader_strdup(ld, v);
	return r;
}

int
loader_string(struct loader *ld, const config_setting_t *group, const char *key,
    const char **out)
{
	return loader_string_of(ld, config_setting_get_member(group, key), key,
	    out);
}

int
loader_string_shared_of(struct loader *ld, const config_setting_t *s,
    const char *key, const char **out)
{
	const char *v;
	int r;

	if ((r = loader_string_value(ld, s, key, &v)) == 1 &&
	    (*out = strtab_intern(&ld->strings, &ld->cfg->arena, v)) == NULL)
		fatal("strtab_intern");
	return r;
}

int
loader_string_shared(struct loader *ld, const config_setting_t *group,
    const char *key, const char **out)
{
	return loader_string_shared_of(ld,
	    config_setting_get_member(group, key), key, out);
}

int
loader_int(struct loader *ld, const config_setting_t *group, const char *key,
    int min, int max, int *out)
{
	config_setting_t *s = config_setting_get_member(group, key);
	char lit[48];
	long long v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		loader_error(ld, loader_line(ld, s), "'%s' must be an integer",
		    key);
		return -1;
	}
	v = config_setting_get_int64(s);
	loader_int_as_written(ld, s, &v, lit, sizeof(lit));
	if (v < min || v > max || lit[0] == '!') {
		loader_error(ld, loader_line(ld, s),
		    "'%s' must be between %d and %d, not %s", key, min, max,
		    lit + (lit[0] == '!'));
		return -1;
	}
	*out = (int)v;
	return 1;
}

int
loader_bool(struct loader *ld, const config_setting_t *group, const char *key,
    bool *out)
{
	config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' must be true or false", key);
		return -1;
	}
	*out = config_setting_get_bool(s) != 0;
	return 1;
}

/* A group member that must be a group. */
int
loader_group(struct loader *ld, const config_setting_t *group, const char *key,
    config_setting_t **out)
{
	config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		return 0;
	if (!config_setting_is_group(s)) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' must be a group: %s = { ... };", key, key);
		return -1;
	}
	*out = s;
	return 1;
}

/* A list or array of strings: [ "a", "b" ]. */
int
loader_strings(struct loader *ld, const config_setting_t *group,
    const char *key, const char ***out, size_t *n)
{
	config_setting_t *s = config_setting_get_member(group, key), *e;
	const char **v;
	int len, bad = 0;

	if (s == NULL)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' must be a list of strings: [ \"...\" ]", key);
		return -1;
	}
	len = config_setting_length(s);
	v = loader_alloc(ld, (size_t)len + 1, sizeof(*v));
	for (int i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			loader_error(ld, loader_line(ld, e),
			    "'%s' must hold only strings", key);
			bad = 1;
			continue;
		}
		if (!utf8_valid(config_setting_get_string(e))) {
			loader_error(ld, loader_line(ld, e),
			    "'%s' is not valid UTF-8", key);
			bad = 1;
			continue;
		}
		v[i] = loader_strdup(ld, config_setting_get_string(e));
	}
	if (bad)
		return -1;
	*out = v;
	*n = (size_t)len;
	return 1;
}

/* A date setting: exactly "YYYY-MM-DD", a day that exists. */
int
loader_date(struct loader *ld, const config_setting_t *s, const char *what,
    date_t *out)
{
	const char *v, *why;
	char buf[96];

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		loader_error(ld, loader_line(ld, s),
		    "%s must be a date string \"YYYY-MM-DD\"", what);
		return -1;
	}
	v = config_setting_get_string(s);
	if (date_parse(v, out) == -1) {
		why = syntax_date_problem(v, DATE_YEAR_MIN, DATE_YEAR_MAX, buf,
		    sizeof(buf));
		if (why == NULL || strncmp(why, "years ", 6) == 0)
			loader_error(ld, loader_line(ld, s),
			    "%s: '%s' is not a valid date (YYYY-MM-DD, years "
			    "%d to %d)",
			    what, v, DATE_YEAR_MIN, DATE_YEAR_MAX);
		else
			loader_error(ld, loader_line(ld, s),
			    "%s: '%s' is not a valid date: %s", what, v, why);
		return -1;
	}
	return 0;
}

/* True if s is a name: a lower-case letter, then letters, digits, '_'. */
bool
loader_valid_name(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		        *s == '_'))
			return false;
	return true;
}

bool
loader_in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/*
 * Reading files.
 */

/* The line of an unterminated block comment in text, or 0 if none
 * (libconfig 1.5 silently drops everything after one). */
static int
loader_open_comment(const char *text)
{
	int line = 1, start = 0;
	const char *p;

	/* Most files have none: one fast search says so. */
	if (strstr(text, "/*") == NULL)
		return 0;
	for (p = text; *p != '\0'; p++) {
		if (*p == '\n')
			line++;
		else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"' && *p != '\n'; p++)
				if (*p == '\\' && p[1] != '\0' && p[1] != '\n')
					p++;
			if (*p == '\n')
				line++;
			if (*p == '\0')
				break;
		} else if (*p == '#' || (*p == '/' && p[1] == '/')) {
			while (p[1] != '\0' && p[1] != '\n')
				p++;
		} else if (*p == '/' && p[1] == '*') {
			start = line;
			for (p += 2; *p != '\0' && !(*p == '*' && p[1] == '/');
			     p++)
				line += *p == '\n';
			if (*p == '\0')
				return start;
			p++;
		}
	}
	return 0;
}

/* "not a regular file (a FIFO)" and the like, for mode. */
static const char *
loader_not_regular(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "not a regular file (a FIFO)";
	if (S_ISSOCK(mode))
		return "not a regular file (a socket)";
	if (S_ISCHR(mode))
		return "not a regular file (a character device)";
	if (S_ISBLK(mode))
		return "not a regular file (a block device)";
	return "not a regular file";
}

/* What "larger than max" says. */
static const char *
loader_too_large(off_t max)
{
	return max == LOADER_SECRET_MAX ? "larger than 64 KiB"
	                                : "larger than 64 MiB";
}

/* Open path to read it whole, only if it is a regular file of at most
 * max bytes: NULL with the descriptor in *fdp and its status in *st, or
 * what is wrong.  O_NONBLOCK, so that opening a FIFO cannot hang. */
static const char *
loader_open(const char *path, off_t max, int *fdp, struct stat *st)
{
	const char *problem = NULL;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return strerror(errno);
	if (fstat(fd, st) == -1)
		problem = strerror(errno);
	else if (S_ISDIR(st->st_mode))
		problem = strerror(EISDIR);
	else if (!S_ISREG(st->st_mode))
		problem = loader_not_regular(st->st_mode);
	else if (st->st_size > max)
		problem = loader_too_large(max);
	if (problem != NULL) {
		close(fd);
		return problem;
	}
	*fdp = fd;
	return NULL;
}

/* Read the whole of path (a regular file, at most LOADER_FILE_MAX
 * bytes) into a new string; NULL with what is wrong in *problem. */
static char *
loader_slurp(const char *path, const char **problem)
{
	struct stat st;
	size_t len = 0, size;
	ssize_t n = 0;
	char *text;
	int fd;

	if ((*problem = loader_open(path, LOADER_FILE_MAX, &fd, &st)) != NULL)
		return NULL;
	/* Sized for the file as it is and the end of file (one byte to
	 * spare, and the NUL); grown only if it grows meanwhile. */
	size = (size_t)st.st_size + 2;
	text = xreallocarray(NULL, size, 1);
	for (;;) {
		if (len + 1 == size) {
			if ((off_t)len > LOADER_FILE_MAX) {
				*problem = loader_too_large(LOADER_FILE_MAX);
				break;
			}
			text = xreallocarray(text, size, 2);
			size *= 2;
		}
		if ((n = read(fd, text + len, size - 1 - len)) <= 0)
			break;
		len += (size_t)n;
	}
	if (n == -1)
		*problem = strerror(errno);
	else if (*problem == NULL && memchr(text, '\0', len) != NULL)
		*problem =
		    "the file holds a NUL byte"; /* text would end there */
	close(fd);
	if (*problem != NULL) {
		free(text);
		return NULL;
	}
	text[len] = '\0';
	return text;
}

/* The line of an "@include" directive in text, or 0 if none.  libconfig
 * would open the file it names itself, without our checks; deadlined has
 * calendar.include and cases_dir instead. */
static int
loader_at_include(const char *text)
{
	int line = 1;

	if (strstr(text, "@include") == NULL)
		return 0;
	for (const char *p = text; *p != '\0'; line++) {
		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) == 0)
			return line;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
	}
	return 0;
}

/* Parse text into cf; 0, or -1 with libconfig's error in cf.  Through
 * a memory stream rather than config_read_string, which would first
 * copy the whole text. */
static int
loader_parse(config_t *cf, char *text)
{
	FILE *fp;
	int rc;

	if ((fp = fmemopen(text, strlen(text), "r")) == NULL)
		return config_read_string(cf, text) == CONFIG_TRUE ? 0 : -1;
	rc = config_read(cf, fp) == CONFIG_TRUE ? 0 : -1;
	fclose(fp);
	return rc;
}

/* Record libconfig's error at line of text, saying what and where when
 * the text shows it: the column, the character and the fix. */
static void
loader_parse_error(struct loader *ld, const char *text, int line,
    const char *what)
{
	struct syntax_finding f;

	if (strcmp(what, "syntax error") == 0 &&
	    syntax_explain(text, line, &f)) {
		if (f.key && ld->key_hint != NULL)
			loader_error_at(ld, f.line, f.col, "%s; %s", f.msg,
			    ld->key_hint);
		else
			loader_error_at(ld, f.line, f.col, "%s", f.msg);
	} else if (strcmp(what, "duplicate setting name") == 0 &&
	    syntax_duplicate(text, line, &f))
		loader_error_at(ld, f.line, f.col, "%s", f.msg);
	else
		loader_error(ld, line, "%s", what);
}

/* Read path and check its text as a whole (UTF-8, comments, @include):
 * the text, kept in ld->texts until loader_forget; or NULL with the
 * error recorded (at line `from` of the current file if from > 0). */
static char *
loader_text_read(struct loader *ld, const char *path, int from)
{
	struct syntax_finding f;
	const char *problem;
	char *text;
	int line;

	if ((text = loader_slurp(path, &problem)) == NULL) {
		if (from > 0) {
			loader_error(ld, from, "cannot read '%s': %s", path,
			    problem);
			return NULL;
		}
		ld->file = path;
		loader_error(ld, 0, "cannot read: %s", problem);
		return NULL;
	}
	ld->texts =
	    xreallocarray(ld->texts, ld->ntexts + 1, sizeof(*ld->texts));
	ld->texts[ld->ntexts].path = path;
	ld->texts[ld->ntexts].plain = false;
	ld->texts[ld->ntexts++].text = text;
	/* A byte order mark (Windows Notepad writes one) is accepted. */
	if (strncmp(text, "\xef\xbb\xbf", 3) == 0)
		memmove(text, text + 3, strlen(text + 3) + 1);
	if (syntax_not_utf8(text, &f)) {
		ld->file = path;
		loader_error_at(ld, f.line, f.col, "%s", f.msg);
		return NULL;
	}
	if ((line = loader_open_comment(text)) != 0) {
		ld->file = path;
		loader_error(ld, line, "unterminated /* comment");
		return NULL;
	}
	if ((line = loader_at_include(text)) != 0) {
		ld->file = path;
		loader_error(ld, line,
		    "@include is not supported: name holiday files in "
		    "calendar.include and put cases in cases_dir");
		return NULL;
	}
	ld->texts[ld->ntexts - 1].plain = strchr(text, '\\') == NULL;
	return text;
}

/* Read a libconfig file into cf; on a syntax or I/O error record it and
 * return -1 (cf is then destroyed).  A file named at line `from` of the
 * current file has an I/O error reported there. */
int
loader_read(struct loader *ld, config_t *cf, const char *path, int from)
{
	struct syntax_finding f;
	const char *file;
	char *text;

	if ((text = loader_text_read(ld, path, from)) == NULL)
		return -1;
	/* Parse the text just read and checked, not the file again: it
	 * could have been replaced since (by a FIFO, say). */
	config_init(cf);
	if (loader_parse(cf, text) == 0) {
		if (!syntax_nul_escape(text, &f))
			return 0;
		ld->file = path;
		loader_error_at(ld, f.line, f.col, "%s", f.msg);
		config_destroy(cf);
		return -1;
	}
	file = config_error_file(cf);
	ld->file = file != NULL ? file : path;
	loader_parse_error(ld, text, config_error_line(cf),
	    config_error_text(cf));
	config_destroy(cf);
	return -1;
}

void
loader_forget(struct loader *ld, const char *path)
{
	for (size_t i = ld->ntexts; i-- > 0;) {
		if (ld->texts[i].path != path &&
		    strcmp(ld->texts[i].path, path) != 0)
			continue;
		free(ld->texts[i].text);
		ld->texts[i] = ld->texts[--ld->ntexts];
		return;
	}
}

int
loader_slices_open(struct loader *ld, const char *path,
    struct loader_slices *sl)
{
	struct syntax_finding f;

	memset(sl, 0, sizeof(*sl));
	if ((sl->text = loader_text_read(ld, path, 0)) == NULL) {
		loader_forget(ld, path);
		return -1;
	}
	/* A \x00 is told only once the whole file parses: read it whole. */
	if (syntax_nul_escape(sl->text, &f) ||
	    (sl->spans = syntax_cases_split(sl->text, &sl->n)) == NULL) {
		loader_forget(ld, path);
		return 0;
	}
	sl->path = path;
	ld->file = path;
	return 1;
}

int
loader_slice_next(struct loader *ld, struct loader_slices *sl, config_t *cf)
{
	static const char head[] = "cases=(", tail[] = ");";
	size_t first = sl->next, last, len, size;

	if (first == sl->n)
		return 0;
	last = first + LOADER_SLICE < sl->n ? first + LOADER_SLICE : sl->n;
	len = sl->spans[last - 1].end - sl->spans[first].start;
	size = sizeof(head) - 1 + len + sizeof(tail);
	if (size > sl->size) {
		free(sl->buf);
		sl->buf = xreallocarray(NULL, size, 1);
		sl->size = size;
	}
	/* On the line of the first element: libconfig counts from there. */
	memcpy(sl->buf, head, sizeof(head) - 1);
	memcpy(sl->buf + sizeof(head) - 1, sl->text + sl->spans[first].start,
	    len);
	memcpy(sl->buf + sizeof(head) - 1 + len, tail, sizeof(tail));
	sl->next = last;
	config_init(cf);
	if (loader_parse(cf, sl->buf) == -1) {
		config_destroy(cf);
		return -1;
	}
	ld->line_offset = sl->spans[first].line - 1;
	return 1;
}

void
loader_slices_close(struct loader *ld, struct loader_slices *sl)
{
	ld->line_offset = 0;
	free(sl->spans);
	free(sl->buf);
	if (sl->path != NULL)
		loader_forget(ld, sl->path);
	memset(sl, 0, sizeof(*sl));
}

/* Judge a secret file's mode, as ssh judges a key's: writable by group
 * or others is an error (-1, recorded), readable by them a warning. */
static int
loader_secret_mode(struct loader *ld, int line, const char *key,
    const char *path, mode_t mode)
{
	if (mode & (S_IWGRP | S_IWOTH)) {
		loader_error(ld, line,
		    "%s '%s' is writable by %s; chmod 600 it", key, path,
		    mode & S_IWOTH ? "others" : "its group");
		return -1;
	}
	if (mode & (S_IRGRP | S_IROTH))
		loader_warning(ld, line,
		    "%s '%s' is readable by %s; chmod 600 it", key, path,
		    mode & S_IROTH ? "others" : "its group");
	return 0;
}

/* The systemd unit whose credentials directory holds path
 * (/run/credentials/UNIT/NAME, or NAME under $CREDENTIALS_DIRECTORY),
 * into unit and dir; false if path is not a credential. */
static bool
loader_credential(const char *path, char *unit, size_t ulen, char *dir,
    size_t dlen)
{
	static const char run[] = "/run/credentials/";
	const char *env = getenv("CREDENTIALS_DIRECTORY"), *u, *slash;
	size_t n;

	if (env != NULL && *env == '/' && (n = strlen(env)) > 1 &&
	    strncmp(path, env, n) == 0 && path[n] == '/')
		snprintf(dir, dlen, "%s", env);
	else if (strncmp(path, run, sizeof(run) - 1) == 0 &&
	    (slash = strchr(path + sizeof(run) - 1, '/')) != NULL)
		snprintf(dir, dlen, "%.*s", (int)(slash - path), path);
	else
		return false;
	u = strrchr(dir, '/') + 1;
	snprintf(unit, ulen, "%s", *u != '\0' ? u : "deadlined.service");
	return true;
}

/* What to do when the secret file path cannot be read because it is a
 * systemd credential: "" if it is not one.  A credentials directory
 * exists only while its service runs, and only the service can read it,
 * so a hand-run -t cannot check it; the unit's ExecReload= (and
 * ExecStartPre=) runs deadlined -t with the credentials in place. */
static const char *
loader_credential_hint(const char *path, char *buf, size_t len)
{
	char unit[64], dir[192];
	const char *name = strrchr(path, '/') + 1;

	if (!loader_credential(path, unit, sizeof(unit), dir, sizeof(dir)))
		return "";
	if (access(dir, F_OK) == -1 && errno == ENOENT)
		snprintf(buf, len,
		    " (%s is not running: its credentials are in %s only while "
		    "it runs; `systemctl start %s` checks them, as deadlined "
		    "-t runs first (ExecStartPre=), and once it runs "
		    "`systemctl reload %s` does; errors are in "
		    "`journalctl -u %s`)",
		    unit, dir, unit, unit, unit);
	else if (access(dir, X_OK) == -1 ||
	    (access(path, F_OK) == 0 && access(path, R_OK) == -1))
		snprintf(buf, len,
		    " (only %s can read its credentials: check by `systemctl "
		    "reload %s`, which runs deadlined -t as the service; "
		    "errors are in `journalctl -u %s`)",
		    unit, unit, unit);
	else if (access(path, F_OK) == -1 && errno == ENOENT)
		snprintf(buf, len,
		    " (%s has no credential '%s': add LoadCredential=%s:FILE "
		    "to it with `systemctl edit %s`)",
		    unit, name, name, unit);
	else
		return "";
	return buf;
}

/* Read a secret file (named relative to the main file) into a malloc'd
 * string without its trailing newline; NULL with an error recorded. */
char *
loader_secret(struct loader *ld, const config_setting_t *group, const char *key)
{
	config_setting_t *s = config_setting_get_member(group, key);
	const char *rel, *path, *problem = NULL;
	char hint[1024], *buf;
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd;

	if (loader_string(ld, group, key, &rel) != 1 || ld->no_secrets)
		return NULL;
	path = loader_path(ld, rel);
	if ((problem = loader_open(path, LOADER_SECRET_MAX, &fd, &st)) !=
	    NULL) {
		loader_error(ld, loader_line(ld, s),
		    "cannot read %s '%s': %s%s", key, path, problem,
		    loader_credential_hint(path, hint, sizeof(hint)));
		return NULL;
	}
	if (loader_secret_mode(ld, loader_line(ld, s), key, path, st.st_mode) ==
	    -1) {
		close(fd);
		return NULL;
	}
	buf = xcalloc(1, LOADER_SECRET_MAX + 1);
	while ((n = read(fd, buf + len, LOADER_SECRET_MAX + 1 - len)) > 0)
		if ((len += (size_t)n) > LOADER_SECRET_MAX)
			break;
	if (n == -1)
		problem = strerror(errno);
	else if (len > LOADER_SECRET_MAX)
		problem = loader_too_large(LOADER_SECRET_MAX);
	close(fd);
	while (problem == NULL && len > 0 &&
	    (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (problem == NULL && len == 0)
		problem = "file is empty";
	else if (problem == NULL && memchr(buf, '\0', len) != NULL)
		problem = "file holds a NUL byte";
	if (problem != NULL) {
		loader_error(ld, loader_line(ld, s), "cannot use %s '%s': %s",
		    key, path, problem);
		explicit_bzero(buf, LOADER_SECRET_MAX + 1);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}
