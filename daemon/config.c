/*
 * config.c -- read and check the configuration.
 *
 * The main file is read first, with the holiday files named by
 * calendar.include, then every *.conf in cases_dir in name order.  libconfig 1.5
 * has no include hooks, so each file is a separate config_t and the
 * directory is read here.  Every value is checked and every problem is
 * recorded as "FILE:LINE: message", and loading goes on after an error so
 * that one run shows them all.  Only a configuration without a single
 * error is handed to the caller: the daemon never runs on a half-read one.
 *
 * Defaults live in config_defaults() and in the built-in window and
 * receiver below, nowhere else.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "utf8.h"
#include "xmalloc.h"

#define CONFIG_DAYS_MAX		3650	/* ten years: longer is a typo */
#define CONFIG_TIMEOUT_MAX	3600
#define CONFIG_SECRET_MAX	65536

/* Loading state: the configuration being built and where we are. */
struct loader {
	struct config *cfg;
	struct config_errors *errs;
	const char *dir;	/* the main file's directory */
	const char *file;	/* the file being read, for messages */
	const char **events;	/* every event name some window uses */
	size_t nevents;
	struct loader_text *texts; /* every file read, to place errors */
	size_t ntexts;
};

/* The text of a file that was read. */
struct loader_text {
	const char *path;
	char *text;
};

/* Case keys that are not events. */
static const char *case_fields[] = {"id", "title", "court", "notify", NULL};

/*
 * Recording errors.
 */

/* Record "FILE:LINE: message"; line 0 leaves the line out. */
static void __attribute__((format(printf, 3, 4)))
loader_error(struct loader *ld, int line, const char *fmt, ...)
{
	struct config_errors *errs = ld->errs;
	char *msg, *full;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (line > 0)
		xasprintf(&full, "%s:%d: %s", ld->file, line, msg);
	else
		xasprintf(&full, "%s: %s", ld->file, msg);
	free(msg);
	errs->msgs = xreallocarray(errs->msgs, errs->n + 1,
	    sizeof(*errs->msgs));
	errs->msgs[errs->n++] = full;
}

void
config_errors_free(struct config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

/*
 * Memory: everything lives in the configuration's arena.
 */

static void *
loader_alloc(struct loader *ld, size_t n, size_t size)
{
	void *p;

	if ((p = arena_calloc(&ld->cfg->arena, n, size)) == NULL)
		fatal("arena_calloc");
	return p;
}

static const char *
loader_strdup(struct loader *ld, const char *s)
{
	char *p;

	if ((p = arena_strdup(&ld->cfg->arena, s)) == NULL)
		fatal("arena_strdup");
	return p;
}

/* path itself if absolute, else path under the main file's directory. */
static const char *
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
static int
loader_line(struct loader *ld, const config_setting_t *s)
{
	const char *file, *text = NULL, *value, *p, *end;
	int line, l;
	size_t vlen;

	if (s == NULL)
		return 0;
	line = (int)config_setting_source_line(s);
	if (config_setting_name(s) != NULL ||
	    config_setting_type(s) != CONFIG_TYPE_STRING ||
	    (file = config_setting_source_file(s)) == NULL)
		return line;
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
		for (const char *q = p; (q = strchr(q, '"')) != NULL &&
		    (end == NULL || q < end); q++)
			if (strncmp(q + 1, value, vlen) == 0 && q[1 + vlen] == '"')
				return l;
		if (p == text)
			break;
		for (p -= 1; p > text && p[-1] != '\n'; p--)
			;
	}
	return line;
}

/* Record an error for each key of group that is not in allowed. */
static void
loader_check_keys(struct loader *ld, const config_setting_t *group,
    const char *const *allowed, const char *what)
{
	config_setting_t *s;
	const char *name;
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
			    "unknown key '%s' in %s", name, what);
	}
}

static int
get_string(struct loader *ld, const config_setting_t *group, const char *key,
    const char **out)
{
	config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		loader_error(ld, loader_line(ld, s), "'%s' must be a string", key);
		return -1;
	}
	if (!utf8_valid(config_setting_get_string(s))) {
		loader_error(ld, loader_line(ld, s), "'%s' is not valid UTF-8",
		    key);
		return -1;
	}
	*out = loader_strdup(ld, config_setting_get_string(s));
	return 1;
}

static int
get_int(struct loader *ld, const config_setting_t *group, const char *key,
    int min, int max, int *out)
{
	config_setting_t *s = config_setting_get_member(group, key);
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
	if (v < min || v > max) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' must be between %d and %d, not %lld", key, min, max,
		    v);
		return -1;
	}
	*out = (int)v;
	return 1;
}

static int
get_bool(struct loader *ld, const config_setting_t *group, const char *key,
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
static int
get_group(struct loader *ld, const config_setting_t *group, const char *key,
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
static int
get_strings(struct loader *ld, const config_setting_t *group, const char *key,
    const char ***out, size_t *n)
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
static int
setting_date(struct loader *ld, const config_setting_t *s, const char *what,
    date_t *out)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		loader_error(ld, loader_line(ld, s),
		    "%s must be a date string \"YYYY-MM-DD\"", what);
		return -1;
	}
	v = config_setting_get_string(s);
	if (date_parse(v, out) == -1) {
		loader_error(ld, loader_line(ld, s),
		    "%s: '%s' is not a valid date (YYYY-MM-DD)", what, v);
		return -1;
	}
	return 0;
}

/* True if s is a name: a lower-case letter, then letters, digits, '_'. */
static bool
valid_name(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return false;
	return true;
}

/* True if s can name a receiver: letters, digits, '_', '-' and '.',
 * starting with a letter or digit, as in "legal-mail". */
static bool
valid_receiver_name(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_-.", *s) == NULL)
			return false;
	return true;
}

static bool
in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool
in_list_date(const date_t *list, size_t n, date_t d)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == d)
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
			for (p += 2; *p != '\0' && !(*p == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			if (*p == '\0')
				return start;
			p++;
		}
	}
	return 0;
}

/* Read the whole of path into a new string; NULL with errno set. */
static char *
loader_slurp(const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || S_ISDIR(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			errno = EISDIR;
		close(fd);
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xreallocarray(buf, cap, 1);
		}
	} while ((n = read(fd, buf + len, cap - len - 1)) > 0 &&
	    (len += (size_t)n, 1));
	if (n == -1) {
		int saved = errno;

		free(buf);
		close(fd);
		errno = saved;
		return NULL;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* Read a libconfig file into cf; on a syntax or I/O error record it and
 * return -1 (cf is then destroyed).  A file named at line `from` of the
 * current file has an I/O error reported there. */
static int
loader_read(struct loader *ld, config_t *cf, const char *path, int from)
{
	const char *file;
	char *text;
	int line;

	if ((text = loader_slurp(path)) == NULL) {
		if (from > 0) {
			loader_error(ld, from, "cannot read '%s': %s", path,
			    strerror(errno));
			return -1;
		}
		ld->file = path;
		loader_error(ld, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	ld->texts = xreallocarray(ld->texts, ld->ntexts + 1,
	    sizeof(*ld->texts));
	ld->texts[ld->ntexts].path = path;
	ld->texts[ld->ntexts++].text = text;
	if ((line = loader_open_comment(text)) != 0) {
		ld->file = path;
		loader_error(ld, line, "unterminated /* comment");
		return -1;
	}
	config_init(cf);
	if (config_read_file(cf, path) == CONFIG_TRUE)
		return 0;
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO) {
		ld->file = path;
		loader_error(ld, 0, "cannot read: %s", strerror(errno));
	} else {
		file = config_error_file(cf);
		ld->file = file != NULL ? file : path;
		loader_error(ld, config_error_line(cf), "%s",
		    config_error_text(cf));
	}
	config_destroy(cf);
	return -1;
}

/* Read a secret file (named relative to the main file) into a malloc'd
 * string without its trailing newline; NULL with an error recorded. */
static char *
loader_secret(struct loader *ld, const config_setting_t *group,
    const char *key)
{
	config_setting_t *s = config_setting_get_member(group, key);
	const char *rel, *path, *problem = NULL;
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	if (get_string(ld, group, key, &rel) != 1)
		return NULL;
	path = loader_path(ld, rel);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		loader_error(ld, loader_line(ld, s), "cannot read %s '%s': %s",
		    key, path, strerror(errno));
		return NULL;
	}
	buf = xcalloc(1, CONFIG_SECRET_MAX + 1);
	while ((n = read(fd, buf + len, CONFIG_SECRET_MAX + 1 - len)) > 0)
		if ((len += (size_t)n) > CONFIG_SECRET_MAX)
			break;
	close(fd);
	while (n != -1 && len > 0 && len <= CONFIG_SECRET_MAX &&
	    (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (n == -1)
		problem = strerror(errno);
	else if (len > CONFIG_SECRET_MAX)
		problem = "file too large";
	else if (len == 0)
		problem = "file is empty";
	else if (memchr(buf, '\0', len) != NULL)
		problem = "file holds a NUL byte";
	if (problem != NULL) {
		loader_error(ld, loader_line(ld, s), "cannot use %s '%s': %s",
		    key, path, problem);
		explicit_bzero(buf, CONFIG_SECRET_MAX + 1);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/*
 * The main file: global settings.
 */

static void
config_defaults(struct config *cfg)
{
	cfg->timezone = "Asia/Shanghai";
	cfg->state_dir = "/var/lib/deadlined";
	cfg->cases_dir = "cases.d";
	cfg->notify_at = 9 * 3600;
	cfg->retry_first = 30;
	cfg->retry_max = 3600;
	cfg->calendar.weekend = 1u << 5 | 1u << 6; /* sat, sun */
	cfg->default_roll = ROLL_NEXT_WORKING_DAY;
}

static const struct reminders reminders_default = {
	.before = {3, 1},
	.nbefore = 2,
	.on_due_day = true,
	.overdue_every = 1,
	.overdue_max = 30,
};

/* Parse "HH:MM" into seconds after midnight; -1 if malformed. */
static int
parse_hhmm(const char *s)
{
	int h, m;
	char end;

	if (strlen(s) != 5 || s[2] != ':' ||
	    sscanf(s, "%2d:%2d%c", &h, &m, &end) != 2 || h < 0 || h > 23 ||
	    m < 0 || m > 59)
		return -1;
	return h * 3600 + m * 60;
}

static void
loader_globals(struct loader *ld, config_setting_t *root)
{
	struct config *cfg = ld->cfg;
	config_setting_t *s;
	const char *v;

	if (get_string(ld, root, "timezone", &v) == 1) {
		if (!clock_zone_valid(v))
			loader_error(ld,
			    loader_line(ld, config_setting_get_member(root,
				"timezone")),
			    "unknown time zone '%s' (not in the tz database)",
			    v);
		cfg->timezone = v;
	}
	if (get_string(ld, root, "state_dir", &v) == 1)
		cfg->state_dir = v;
	if (get_string(ld, root, "cases_dir", &v) == 1)
		cfg->cases_dir = v;
	if (get_string(ld, root, "notify_at", &v) == 1) {
		if ((cfg->notify_at = parse_hhmm(v)) == -1)
			loader_error(ld,
			    loader_line(ld, config_setting_get_member(root,
				"notify_at")),
			    "'notify_at' must be a time \"HH:MM\", not '%s'",
			    v);
	}
	cfg->state_dir = loader_path(ld, cfg->state_dir);
	cfg->cases_dir = loader_path(ld, cfg->cases_dir);

	if (get_group(ld, root, "retry", &s) == 1) {
		static const char *keys[] = {"first", "max", NULL};

		loader_check_keys(ld, s, keys, "retry");
		get_int(ld, s, "first", 1, 86400, &cfg->retry_first);
		get_int(ld, s, "max", 1, 7 * 86400, &cfg->retry_max);
		if (cfg->retry_max < cfg->retry_first)
			loader_error(ld, loader_line(ld, s),
			    "retry: 'max' (%d) is less than 'first' (%d)",
			    cfg->retry_max, cfg->retry_first);
	}
}

/* Read the reminders group g over *rem (which holds the defaults). */
static void
loader_reminders(struct loader *ld, config_setting_t *g,
    struct reminders *rem)
{
	static const char *keys[] = {"before", "on_due_day", "overdue_every",
	    "overdue_max", NULL};
	config_setting_t *s, *e;
	int len, v;
	size_t i, j;

	loader_check_keys(ld, g, keys, "reminders");
	get_bool(ld, g, "on_due_day", &rem->on_due_day);
	get_int(ld, g, "overdue_every", 0, CONFIG_DAYS_MAX, &rem->overdue_every);
	get_int(ld, g, "overdue_max", 0, CONFIG_DAYS_MAX, &rem->overdue_max);

	if ((s = config_setting_get_member(g, "before")) == NULL)
		return;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		loader_error(ld, loader_line(ld, s),
		    "'before' must be a list of days: [ 3, 1 ]");
		return;
	}
	if ((len = config_setting_length(s)) > REMINDERS_BEFORE_MAX) {
		loader_error(ld, loader_line(ld, s),
		    "'before' has more than %d reminders", REMINDERS_BEFORE_MAX);
		return;
	}
	rem->nbefore = 0;
	for (int k = 0; k < len; k++) {
		e = config_setting_get_elem(s, (unsigned)k);
		if (config_setting_type(e) != CONFIG_TYPE_INT ||
		    (v = config_setting_get_int(e)) < 1 ||
		    v > CONFIG_DAYS_MAX) {
			loader_error(ld, loader_line(ld, e),
			    "'before' must hold positive numbers of days");
			continue;
		}
		for (i = 0; i < rem->nbefore && rem->before[i] != v; i++)
			;
		if (i < rem->nbefore) {
			loader_error(ld, loader_line(ld, e),
			    "'before' lists %d days twice", v);
			continue;
		}
		/* Keep the list largest first. */
		for (i = 0; i < rem->nbefore && rem->before[i] > v; i++)
			;
		for (j = rem->nbefore; j > i; j--)
			rem->before[j] = rem->before[j - 1];
		rem->before[i] = v;
		rem->nbefore++;
	}
}

/*
 * The calendar.
 */

/* Add the dates listed under key in group as holidays (or workdays). */
static void
loader_days(struct loader *ld, const config_setting_t *group,
    const char *key, bool holiday)
{
	struct calendar *cal = &ld->cfg->calendar;
	config_setting_t *s = config_setting_get_member(group, key), *e;
	char what[64];
	date_t d;
	int len;

	if (s == NULL)
		return;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' must be a list of dates: [ \"YYYY-MM-DD\" ]", key);
		return;
	}
	len = config_setting_length(s);
	for (int i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		snprintf(what, sizeof(what), "'%s'", key);
		if (setting_date(ld, e, what, &d) == -1)
			continue;
		if (holiday ? in_list_date(cal->workdays, cal->nworkdays, d) :
		    in_list_date(cal->holidays, cal->nholidays, d)) {
			char buf[DATE_BUFSZ];

			loader_error(ld, loader_line(ld, e),
			    "%s is listed both as a holiday and as a workday",
			    date_format(d, buf));
			continue;
		}
		if ((holiday ? calendar_add_holiday(cal, d) :
		    calendar_add_workday(cal, d)) == -1)
			fatal("calendar");
	}
}

/* Read one holiday file named by calendar.include at line. */
static void
loader_holiday_file(struct loader *ld, const char *path, int line)
{
	static const char *keys[] = {"holidays", "workdays", NULL};
	const char *saved = ld->file;
	config_t cf;

	if (loader_read(ld, &cf, path, line) == 0) {
		ld->file = path;
		loader_check_keys(ld, config_root_setting(&cf), keys,
		    "a holiday file");
		loader_days(ld, config_root_setting(&cf), "holidays", true);
		loader_days(ld, config_root_setting(&cf), "workdays", false);
		config_destroy(&cf);
	}
	ld->file = saved;
}

static void
loader_calendar(struct loader *ld, config_setting_t *root)
{
	static const char *keys[] = {"weekend", "include", "holidays",
	    "workdays", "roll", NULL};
	struct config *cfg = ld->cfg;
	config_setting_t *g, *s;
	const char **list, *roll;
	size_t n;
	int wd;

	if (get_group(ld, root, "calendar", &g) != 1)
		return;
	loader_check_keys(ld, g, keys, "calendar");
	if (get_strings(ld, g, "weekend", &list, &n) == 1) {
		s = config_setting_get_member(g, "weekend");
		cfg->calendar.weekend = 0;
		for (size_t i = 0; i < n; i++) {
			if ((wd = calendar_weekday_parse(list[i])) == -1)
				loader_error(ld, loader_line(ld, s),
				    "unknown weekday '%s' in 'weekend' "
				    "(mon, tue, wed, thu, fri, sat, sun)",
				    list[i]);
			else
				cfg->calendar.weekend |= 1u << wd;
		}
		if (cfg->calendar.weekend == 0x7f)
			loader_error(ld, loader_line(ld, s),
			    "'weekend' leaves no working day in the week");
	}
	if (get_string(ld, g, "roll", &roll) == 1 &&
	    calendar_roll_parse(roll, &cfg->default_roll) == -1)
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "roll")),
		    "unknown roll '%s' (next_working_day or none)", roll);
	loader_days(ld, g, "holidays", true);
	loader_days(ld, g, "workdays", false);
	if (get_strings(ld, g, "include", &list, &n) == 1) {
		s = config_setting_get_member(g, "include");
		for (size_t i = 0; i < n; i++)
			loader_holiday_file(ld, loader_path(ld, list[i]),
			    loader_line(ld, config_setting_get_elem(s,
				(unsigned)i)));
	}
}

/*
 * Windows.
 */

/* Check that an event name may be used, and note it as a case key. */
static void
loader_event_name(struct loader *ld, const config_setting_t *s,
    const char *name)
{
	if (!valid_name(name)) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' is not a valid event name (a-z, 0-9, _)", name);
		return;
	}
	if (in_list(case_fields, 4, name)) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' is a case field and cannot name an event", name);
		return;
	}
	if (in_list(ld->events, ld->nevents, name))
		return;
	ld->events = xreallocarray(ld->events, ld->nevents + 1,
	    sizeof(*ld->events));
	ld->events[ld->nevents++] = name;
}

static void
loader_window(struct loader *ld, config_setting_t *g, struct window_def *w)
{
	static const char *keys[] = {"title", "opens", "closes", "days",
	    "extended_days", "extended_by", "roll", "reminders", NULL};
	config_setting_t *s;
	const char *roll;
	char what[128];
	int r;

	w->name = loader_strdup(ld, config_setting_name(g));
	w->title = w->name;
	w->file = ld->file;
	w->line = loader_line(ld, g);
	w->rule.roll = ld->cfg->default_roll;
	w->reminders = ld->cfg->reminders;
	snprintf(what, sizeof(what), "window '%s'", w->name);
	if (!config_setting_is_group(g)) {
		loader_error(ld, w->line, "%s must be a group: %s = { ... };",
		    what, w->name);
		return;
	}
	if (!valid_name(w->name))
		loader_error(ld, w->line,
		    "'%s' is not a valid window name (a-z, 0-9, _)", w->name);
	loader_check_keys(ld, g, keys, what);
	get_string(ld, g, "title", &w->title);

	if ((r = get_string(ld, g, "opens", &w->opens)) == 0)
		loader_error(ld, w->line, "%s has no 'opens' event", what);
	else if (r == 1)
		loader_event_name(ld, config_setting_get_member(g, "opens"),
		    w->opens);

	if ((r = get_strings(ld, g, "closes", &w->closes, &w->ncloses)) == 0 ||
	    (r == 1 && w->ncloses == 0))
		loader_error(ld, w->line, "%s has no 'closes' events", what);
	for (size_t i = 0; r == 1 && i < w->ncloses; i++) {
		s = config_setting_get_member(g, "closes");
		loader_event_name(ld, s, w->closes[i]);
		if (w->opens != NULL && strcmp(w->closes[i], w->opens) == 0)
			loader_error(ld, loader_line(ld, s),
			    "%s: '%s' cannot both open and close it", what,
			    w->opens);
	}

	if ((r = get_int(ld, g, "days", 1, CONFIG_DAYS_MAX, &w->rule.days)) ==
	    0)
		loader_error(ld, w->line, "%s has no 'days'", what);
	get_int(ld, g, "extended_days", 1, CONFIG_DAYS_MAX,
	    &w->rule.extended_days);
	if ((r = get_string(ld, g, "extended_by", &w->extended_by)) == 1) {
		s = config_setting_get_member(g, "extended_by");
		loader_event_name(ld, s, w->extended_by);
		if ((w->opens != NULL && strcmp(w->extended_by, w->opens) == 0) ||
		    in_list(w->closes, w->ncloses, w->extended_by))
			loader_error(ld, loader_line(ld, s),
			    "%s: 'extended_by' must be an event of its own",
			    what);
	}
	if ((w->extended_by != NULL) != (w->rule.extended_days > 0))
		loader_error(ld, w->line,
		    "%s: 'extended_days' and 'extended_by' go together", what);

	if (get_string(ld, g, "roll", &roll) == 1 &&
	    calendar_roll_parse(roll, &w->rule.roll) == -1)
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "roll")),
		    "unknown roll '%s' (next_working_day or none)", roll);
	if (get_group(ld, g, "reminders", &s) == 1)
		loader_reminders(ld, s, &w->reminders);
}

/* The window every case has when the file defines none: the 2025
 * Opinions' police decision on opening a case. */
static void
loader_default_window(struct loader *ld)
{
	struct window_def *w;
	const char **closes;

	w = ld->cfg->windows = loader_alloc(ld, 1, sizeof(*w));
	ld->cfg->nwindows = 1;
	closes = loader_alloc(ld, 2, sizeof(*closes));
	closes[0] = "filed";
	closes[1] = "not_filed";
	w->name = "decision";
	w->title = "Police decision on opening a case";
	w->opens = "transferred";
	w->closes = closes;
	w->ncloses = 2;
	w->extended_by = "extended";
	w->rule.days = 7;
	w->rule.extended_days = 30;
	w->rule.roll = ld->cfg->default_roll;
	w->reminders = ld->cfg->reminders;
	w->file = ld->file;
	for (size_t i = 0; i < 2; i++)
		loader_event_name(ld, NULL, closes[i]);
	loader_event_name(ld, NULL, w->opens);
	loader_event_name(ld, NULL, w->extended_by);
}

static void
loader_windows(struct loader *ld, config_setting_t *root)
{
	config_setting_t *g;
	int n;

	if ((g = config_setting_get_member(root, "windows")) == NULL) {
		loader_default_window(ld);
		return;
	}
	if (!config_setting_is_group(g)) {
		loader_error(ld, loader_line(ld, g),
		    "'windows' must be a group: windows = { name = { ... }; };");
		return;
	}
	if ((n = config_setting_length(g)) == 0) {
		loader_error(ld, loader_line(ld, g), "'windows' defines no window");
		return;
	}
	ld->cfg->windows = loader_alloc(ld, (size_t)n, sizeof(struct window_def));
	ld->cfg->nwindows = (size_t)n;
	for (int i = 0; i < n; i++)
		loader_window(ld, config_setting_get_elem(g, (unsigned)i),
		    &ld->cfg->windows[i]);
}

/*
 * Receivers.
 */

/* Parse a rate "N/sec", "N/min" or "N/hour". */
static int
parse_rate(const char *s, int *count, int *period)
{
	char unit[8];
	int n, len;

	if (sscanf(s, "%d/%7[a-z]%n", &n, unit, &len) != 2 ||
	    s[len] != '\0' || n < 1)
		return -1;
	if (strcmp(unit, "s") == 0 || strcmp(unit, "sec") == 0)
		*period = 1;
	else if (strcmp(unit, "min") == 0)
		*period = 60;
	else if (strcmp(unit, "h") == 0 || strcmp(unit, "hour") == 0)
		*period = 3600;
	else
		return -1;
	*count = n;
	return 0;
}

/* True if s is "Name: value" with a valid header name and no CR or LF. */
static bool
valid_header(const char *s)
{
	const char *colon = strchr(s, ':');

	if (colon == NULL || colon == s || strpbrk(s, "\r\n") != NULL)
		return false;
	for (const char *p = s; p < colon; p++)
		if (*p <= ' ' || *p >= 127 || strchr("\"(),/:;<=>?@[\\]{}", *p))
			return false;
	return true;
}

/* True if s looks like a bare mail address: local@domain, no spaces. */
static bool
valid_address(const char *s)
{
	const char *at = strchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && strpbrk(s, " \t\r\n<>,;\"") == NULL;
}

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
loader_webhook(struct loader *ld, config_setting_t *g, struct receiver *r,
    const char *what)
{
	static const char *reserved[] = {"content-type", "idempotency-key",
	    "x-deadlined-signature", "user-agent", "content-length", NULL};
	config_setting_t *s;

	if (r->url != NULL && !has_prefix(r->url, "https://") &&
	    !has_prefix(r->url, "http://"))
		loader_error(ld, loader_line(ld, config_setting_get_member(g,
		    "url")), "%s: 'url' must start with https:// or http://",
		    what);
	r->format = "json";
	if (get_string(ld, g, "format", &r->format) == 1 &&
	    strcmp(r->format, "json") != 0)
		loader_error(ld, loader_line(ld, config_setting_get_member(g,
		    "format")), "%s: unknown format '%s' (json)", what,
		    r->format);
	r->secret = loader_secret(ld, g, "secret_file");
	if (get_strings(ld, g, "headers", &r->headers, &r->nheaders) != 1)
		return;
	s = config_setting_get_member(g, "headers");
	for (size_t i = 0; i < r->nheaders; i++) {
		size_t len = strcspn(r->headers[i], ":");
		size_t k;

		if (!valid_header(r->headers[i])) {
			loader_error(ld, loader_line(ld, s),
			    "%s: header %zu is not \"Name: value\"", what,
			    i + 1);
			continue;
		}
		for (k = 0; reserved[k] != NULL; k++)
			if (strlen(reserved[k]) == len &&
			    strncasecmp(r->headers[i], reserved[k], len) == 0)
				break;
		if (reserved[k] != NULL)
			loader_error(ld, loader_line(ld, s),
			    "%s: header %zu sets %.*s, which deadlined sets "
			    "itself", what, i + 1, (int)len, r->headers[i]);
	}
}

static void
loader_email(struct loader *ld, config_setting_t *g, struct receiver *r,
    const char *what)
{
	config_setting_t *s;
	const char *tls;
	bool smtps;

	smtps = r->url != NULL && has_prefix(r->url, "smtps://");
	if (r->url != NULL && !smtps && !has_prefix(r->url, "smtp://"))
		loader_error(ld, loader_line(ld, config_setting_get_member(g,
		    "url")), "%s: 'url' must start with smtp:// or smtps://",
		    what);
	if (get_string(ld, g, "tls", &tls) == 1) {
		s = config_setting_get_member(g, "tls");
		if (strcmp(tls, "required") == 0)
			r->tls = TLS_REQUIRED;
		else if (strcmp(tls, "try") == 0)
			r->tls = TLS_TRY;
		else if (strcmp(tls, "none") == 0)
			r->tls = TLS_NONE;
		else
			loader_error(ld, loader_line(ld, s),
			    "%s: unknown tls '%s' (required, try or none)",
			    what, tls);
		if (smtps && r->tls != TLS_REQUIRED)
			loader_error(ld, loader_line(ld, s),
			    "%s: smtps:// is always TLS; 'tls' applies to "
			    "smtp:// only", what);
	}
	get_string(ld, g, "username", &r->username);
	if (config_setting_get_member(g, "password_file") != NULL) {
		if (r->username == NULL)
			loader_error(ld, loader_line(ld, config_setting_get_member(
			    g, "password_file")),
			    "%s: 'password_file' needs a 'username'", what);
		r->password = loader_secret(ld, g, "password_file");
	}
	if (get_string(ld, g, "from", &r->from) == 0)
		loader_error(ld, r->line, "%s has no 'from' address", what);
	else if (r->from != NULL && !valid_address(r->from))
		loader_error(ld, loader_line(ld, config_setting_get_member(g,
		    "from")), "%s: 'from' is not a mail address", what);
	if (get_strings(ld, g, "to", &r->to, &r->nto) == 0 || r->nto == 0) {
		loader_error(ld, r->line, "%s has no 'to' addresses", what);
		return;
	}
	s = config_setting_get_member(g, "to");
	for (size_t i = 0; r->to != NULL && i < r->nto; i++)
		if (!valid_address(r->to[i]))
			loader_error(ld, loader_line(ld, s),
			    "%s: 'to' address %zu is not a mail address", what,
			    i + 1);
}

static void
loader_receiver(struct loader *ld, config_setting_t *g, struct receiver *r)
{
	static const char *log_keys[] = {"name", "type", "rate", "timeout",
	    NULL};
	static const char *webhook_keys[] = {"name", "type", "rate",
	    "timeout", "url", "format", "secret_file", "headers", NULL};
	static const char *email_keys[] = {"name", "type", "rate", "timeout",
	    "url", "tls", "username", "password_file", "from", "to", NULL};
	const char *type = NULL, *rate;
	char what[128];

	r->file = ld->file;
	r->line = loader_line(ld, g);
	r->timeout = 30;
	if (!config_setting_is_group(g)) {
		loader_error(ld, r->line,
		    "a receiver must be a group: { name = ...; type = ...; }");
		return;
	}
	if (get_string(ld, g, "name", &r->name) == 0)
		loader_error(ld, r->line, "receiver has no 'name'");
	else if (r->name != NULL && !valid_receiver_name(r->name))
		loader_error(ld, r->line, "'%s' is not a valid receiver name "
		    "(letters, digits, '_', '-' and '.')", r->name);
	snprintf(what, sizeof(what), "receiver '%s'",
	    r->name != NULL ? r->name : "?");

	if (get_string(ld, g, "type", &type) == 0) {
		loader_error(ld, r->line, "%s has no 'type'", what);
		return;
	}
	if (type == NULL)
		return;
	if (strcmp(type, "log") == 0) {
		r->type = RECEIVER_LOG;
		loader_check_keys(ld, g, log_keys, what);
	} else if (strcmp(type, "webhook") == 0) {
		r->type = RECEIVER_WEBHOOK;
		loader_check_keys(ld, g, webhook_keys, what);
	} else if (strcmp(type, "email") == 0) {
		r->type = RECEIVER_EMAIL;
		loader_check_keys(ld, g, email_keys, what);
	} else {
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "type")),
		    "%s: unknown type '%s' (email, webhook or log)", what, type);
		return;
	}
	if (get_string(ld, g, "rate", &rate) == 1 &&
	    parse_rate(rate, &r->rate_count, &r->rate_period) == -1)
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "rate")),
		    "%s: 'rate' must look like \"20/min\" (sec, min, hour)",
		    what);
	get_int(ld, g, "timeout", 1, CONFIG_TIMEOUT_MAX, &r->timeout);
	if (r->type == RECEIVER_LOG)
		return;
	if (get_string(ld, g, "url", &r->url) == 0)
		loader_error(ld, r->line, "%s has no 'url'", what);
	if (r->type == RECEIVER_WEBHOOK)
		loader_webhook(ld, g, r, what);
	else
		loader_email(ld, g, r, what);
}

/* The receiver a configuration without any has: alerts go to the log. */
static void
loader_default_receiver(struct loader *ld)
{
	struct receiver *r;

	r = ld->cfg->receivers = loader_alloc(ld, 1, sizeof(*r));
	ld->cfg->nreceivers = 1;
	r->name = "log";
	r->type = RECEIVER_LOG;
	r->timeout = 30;
	r->file = ld->file;
}

static void
loader_receivers(struct loader *ld, config_setting_t *root)
{
	struct config *cfg = ld->cfg;
	config_setting_t *l;
	int n;

	if ((l = config_setting_get_member(root, "receivers")) == NULL) {
		loader_default_receiver(ld);
		return;
	}
	if (!config_setting_is_list(l)) {
		loader_error(ld, loader_line(ld, l),
		    "'receivers' must be a list: receivers = ( { ... } );");
		return;
	}
	if ((n = config_setting_length(l)) == 0) {
		loader_error(ld, loader_line(ld, l),
		    "'receivers' is empty: nobody would be told");
		return;
	}
	cfg->receivers = loader_alloc(ld, (size_t)n, sizeof(*cfg->receivers));
	cfg->nreceivers = (size_t)n;
	for (int i = 0; i < n; i++) {
		struct receiver *r = &cfg->receivers[i];

		loader_receiver(ld, config_setting_get_elem(l, (unsigned)i), r);
		for (int j = 0; r->name != NULL && j < i; j++)
			if (cfg->receivers[j].name != NULL &&
			    strcmp(cfg->receivers[j].name, r->name) == 0) {
				loader_error(ld, r->line,
				    "duplicate receiver '%s' (first at line %d)",
				    r->name, cfg->receivers[j].line);
				break;
			}
	}
}

/* Resolve the receiver names under key to indexes; 1 if given, 0 if not,
 * -1 on error. */
static int
loader_notify(struct loader *ld, const config_setting_t *group,
    size_t **out, size_t *n)
{
	struct config *cfg = ld->cfg;
	config_setting_t *s;
	const char **names;
	size_t count, i, k;
	int r, bad = 0;

	if ((r = get_strings(ld, group, "notify", &names, &count)) != 1)
		return r;
	s = config_setting_get_member(group, "notify");
	if (count == 0) {
		loader_error(ld, loader_line(ld, s),
		    "'notify' is empty: nobody would be told");
		return -1;
	}
	*out = loader_alloc(ld, count, sizeof(**out));
	for (i = 0; i < count; i++) {
		for (k = 0; k < cfg->nreceivers; k++)
			if (cfg->receivers[k].name != NULL &&
			    strcmp(cfg->receivers[k].name, names[i]) == 0)
				break;
		if (k == cfg->nreceivers) {
			loader_error(ld, loader_line(ld, s),
			    "unknown receiver '%s' in 'notify'", names[i]);
			bad = 1;
		}
		(*out)[i] = k;
	}
	*n = count;
	return bad ? -1 : 1;
}

/*
 * Cases.
 */

const struct case_event *
config_case_event(const struct case_info *c, const char *name)
{
	for (size_t i = 0; i < c->nevents; i++)
		if (strcmp(c->events[i].name, name) == 0)
			return &c->events[i];
	return NULL;
}

void
config_window_events(const struct window_def *w, const struct case_info *c,
    struct window_events *ev)
{
	const struct case_event *e;

	memset(ev, 0, sizeof(*ev));
	if ((e = config_case_event(c, w->opens)) != NULL) {
		ev->opened = true;
		ev->opened_on = e->date;
	}
	if (w->extended_by != NULL &&
	    (e = config_case_event(c, w->extended_by)) != NULL) {
		ev->extended = true;
		ev->extended_on = e->date;
	}
	for (size_t i = 0; i < w->ncloses; i++) {
		if ((e = config_case_event(c, w->closes[i])) == NULL)
			continue;
		if (!ev->closed || e->date < ev->closed_on)
			ev->closed_on = e->date;
		ev->closed = true;
	}
}

/* Check that the events of case c make sense for each window. */
static void
loader_case_windows(struct loader *ld, const struct case_info *c,
    const char *what)
{
	const struct case_event *open, *e;
	const struct window_def *w;
	bool any = false;
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ];

	for (size_t i = 0; i < ld->cfg->nwindows; i++) {
		w = &ld->cfg->windows[i];
		if (w->opens == NULL)
			continue;
		open = config_case_event(c, w->opens);
		any |= open != NULL;
		for (size_t k = 0; k <= w->ncloses; k++) {
			const char *name = k < w->ncloses ? w->closes[k] :
			    w->extended_by;

			if (name == NULL ||
			    (e = config_case_event(c, name)) == NULL)
				continue;
			if (open == NULL)
				loader_error(ld, e->line,
				    "%s records '%s' but not '%s', which opens "
				    "window '%s'", what, name, w->opens,
				    w->name);
			else if (e->date < open->date)
				loader_error(ld, e->line,
				    "%s: '%s' (%s) is before '%s' (%s)", what,
				    name, date_format(e->date, d1), w->opens,
				    date_format(open->date, d2));
		}
	}
	if (!any)
		loader_error(ld, c->line,
		    "%s records no event that opens a window "
		    "(such as '%s'): nothing to watch", what,
		    ld->cfg->nwindows > 0 && ld->cfg->windows[0].opens != NULL ?
		    ld->cfg->windows[0].opens : "transferred");
}

static void
loader_case(struct loader *ld, config_setting_t *g, struct case_info *c)
{
	config_setting_t *s;
	const char *name;
	char what[512], quoted[128];
	bool bad = false;
	int n, r;

	c->file = ld->file;
	c->line = loader_line(ld, g);
	c->title = c->court = "";
	if (!config_setting_is_group(g)) {
		loader_error(ld, c->line,
		    "a case must be a group: { id = ...; transferred = ...; }");
		return;
	}
	if ((r = get_string(ld, g, "id", &c->id)) == 0)
		loader_error(ld, c->line, "case has no 'id'");
	else if (r == 1 && c->id[0] == '\0')
		loader_error(ld, c->line, "case has an empty 'id'");
	snprintf(what, sizeof(what), "case \"%s\"",
	    c->id != NULL ? c->id : "?");
	get_string(ld, g, "title", &c->title);
	get_string(ld, g, "court", &c->court);
	loader_notify(ld, g, &c->notify, &c->nnotify);

	n = config_setting_length(g);
	c->events = loader_alloc(ld, (size_t)n, sizeof(*c->events));
	for (int i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		name = config_setting_name(s);
		if (in_list(case_fields, 4, name))
			continue;
		if (!in_list(ld->events, ld->nevents, name)) {
			loader_error(ld, loader_line(ld, s),
			    "unknown key '%s' in %s (not a case field nor an "
			    "event of any window)", name, what);
			bad = true;
			continue;
		}
		struct case_event *e = &c->events[c->nevents];

		e->name = loader_strdup(ld, name);
		e->line = loader_line(ld, s);
		snprintf(quoted, sizeof(quoted), "'%s'", name);
		if (setting_date(ld, s, quoted, &e->date) == 0)
			c->nevents++;
		else
			bad = true;
	}
	/* With an event already wrong, how they fit together says nothing. */
	if (!bad)
		loader_case_windows(ld, c, what);
}

/* Read the cases of one file in cases_dir. */
static void
loader_cases_file(struct loader *ld, const char *path)
{
	static const char *keys[] = {"cases", NULL};
	struct config *cfg = ld->cfg;
	config_setting_t *l;
	config_t cf;
	int n;

	if (loader_read(ld, &cf, path, 0) == -1)
		return;
	ld->file = path;
	loader_check_keys(ld, config_root_setting(&cf), keys, "a cases file");
	if ((l = config_lookup(&cf, "cases")) == NULL) {
		config_destroy(&cf);
		return;
	}
	if (!config_setting_is_list(l)) {
		loader_error(ld, loader_line(ld, l),
		    "'cases' must be a list: cases = ( { ... } );");
		config_destroy(&cf);
		return;
	}
	n = config_setting_length(l);
	cfg->cases = xreallocarray(cfg->cases, cfg->ncases + (size_t)n,
	    sizeof(*cfg->cases));
	for (int i = 0; i < n; i++) {
		struct case_info *c = &cfg->cases[cfg->ncases++];

		memset(c, 0, sizeof(*c));
		loader_case(ld, config_setting_get_elem(l, (unsigned)i), c);
	}
	config_destroy(&cf);
}

static int
loader_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read every *.conf in cases_dir, in name order. */
static void
loader_cases_dir(struct loader *ld, int line)
{
	const char *dir = ld->cfg->cases_dir, *main_file = ld->file;
	struct dirent *de;
	char **names = NULL, *path;
	size_t n = 0, len;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		loader_error(ld, line, "cannot open cases_dir '%s': %s", dir,
		    strerror(errno));
		return;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (errno != 0)
		loader_error(ld, line, "cannot read cases_dir '%s': %s", dir,
		    strerror(errno));
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), loader_name_cmp);
	for (size_t i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]);
		loader_cases_file(ld, loader_strdup(ld, path));
		free(path);
		free(names[i]);
	}
	free(names);
	ld->file = main_file;
}

static int
loader_case_cmp(const void *a, const void *b)
{
	const struct case_info *x = *(struct case_info *const *)a;
	const struct case_info *y = *(struct case_info *const *)b;
	int r = strcmp(x->id, y->id);

	if (r != 0)
		return r;
	return (x > y) - (x < y);
}

/* Report every case whose id an earlier case already has. */
static void
loader_duplicate_ids(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	struct case_info **v, *first;
	const char *saved = ld->file;
	size_t n = 0;

	v = xcalloc(cfg->ncases, sizeof(*v));
	for (size_t i = 0; i < cfg->ncases; i++)
		if (cfg->cases[i].id != NULL)
			v[n++] = &cfg->cases[i];
	qsort(v, n, sizeof(*v), loader_case_cmp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i]->id, v[i - 1]->id) != 0)
			continue;
		for (first = v[i - 1]; i < n && strcmp(v[i]->id,
		    first->id) == 0; i++) {
			ld->file = v[i]->file;
			loader_error(ld, v[i]->line,
			    "duplicate case id \"%s\" (first defined at %s:%d)",
			    v[i]->id, first->file, first->line);
		}
		i--;
	}
	free(v);
	ld->file = saved;
}

/*
 * Loading it all.
 */

static void
loader_main(struct loader *ld, config_t *cf)
{
	static const char *keys[] = {"timezone", "state_dir", "cases_dir",
	    "notify_at", "retry", "calendar", "windows", "reminders",
	    "receivers", "notify", NULL};
	struct config *cfg = ld->cfg;
	config_setting_t *root = config_root_setting(cf), *s;
	int r;

	loader_check_keys(ld, root, keys, "the main configuration");
	loader_globals(ld, root);
	cfg->reminders = reminders_default;
	if (get_group(ld, root, "reminders", &s) == 1)
		loader_reminders(ld, s, &cfg->reminders);
	loader_calendar(ld, root);
	ld->file = cfg->path;
	loader_windows(ld, root);
	loader_receivers(ld, root);
	if ((r = loader_notify(ld, root, &cfg->notify, &cfg->nnotify)) == 0) {
		/* No default list: a case without its own tells everyone. */
		cfg->notify = loader_alloc(ld, cfg->nreceivers + 1,
		    sizeof(*cfg->notify));
		for (size_t i = 0; i < cfg->nreceivers; i++)
			cfg->notify[i] = i;
		cfg->nnotify = cfg->nreceivers;
	}
	s = config_setting_get_member(root, "cases_dir");
	loader_cases_dir(ld, s != NULL ? loader_line(ld, s) : 0);
	loader_duplicate_ids(ld);
	calendar_finish(&cfg->calendar);
}

struct config *
config_load(const char *path, struct config_errors *errs)
{
	struct loader ld;
	struct config *cfg;
	size_t nerrs = errs->n;
	config_t cf;
	char *dir, *slash;

	cfg = xcalloc(1, sizeof(*cfg));
	config_defaults(cfg);
	memset(&ld, 0, sizeof(ld));
	ld.cfg = cfg;
	ld.errs = errs;
	cfg->path = loader_strdup(&ld, path);
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL)
		ld.dir = ".";
	else if (slash == dir)
		ld.dir = "/";
	else {
		*slash = '\0';
		ld.dir = dir;
	}
	ld.dir = loader_strdup(&ld, ld.dir);
	free(dir);
	ld.file = cfg->path;

	if (loader_read(&ld, &cf, path, 0) == 0) {
		loader_main(&ld, &cf);
		config_destroy(&cf);
	}
	free(ld.events);
	for (size_t i = 0; i < ld.ntexts; i++)
		free(ld.texts[i].text);
	free(ld.texts);
	if (errs->n > nerrs) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

void
config_free(struct config *cfg)
{
	struct receiver *r;

	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nreceivers; i++) {
		r = &cfg->receivers[i];
		if (r->secret != NULL) {
			explicit_bzero(r->secret, strlen(r->secret));
			free(r->secret);
		}
		if (r->password != NULL) {
			explicit_bzero(r->password, strlen(r->password));
			free(r->password);
		}
	}
	free(cfg->cases);
	calendar_free(&cfg->calendar);
	arena_free(&cfg->arena);
	free(cfg);
}
