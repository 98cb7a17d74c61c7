/*
 * config.c -- read and check the configuration.
 *
 * The main file is read first, with the holiday files named by
 * calendar.include, then every *.conf in cases_dir in name order.
 * libconfig 1.5 has no include hooks, so each file is a separate config_t
 * and the directory is read here.  Every value is checked and every problem is
 * recorded as "FILE:LINE: message", and loading goes on after an error so
 * that one run shows them all.  Only a configuration without a single
 * error is handed to the caller: the daemon never runs on a half-read one.
 *
 * What is valid but unlikely to be right (a file in cases_dir that is
 * not read, an event after today or long after its window opened) is a
 * warning, not an error.  config_warnings finds those on a loaded
 * configuration: "today" needs the configured zone and --now, which the
 * caller sets only once the configuration is accepted.
 *
 * Defaults live in config_defaults() and in the built-in window below
 * (and receiver.c's built-in log receiver), nowhere else.  The getters
 * and error recording shared with receiver.c are in loader.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "loader.h"
#include "log.h"
#include "receiver.h"
#include "route.h"
#include "silence.h"
#include "utf8.h"
#include "xmalloc.h"

#define CONFIG_DAYS_MAX 3650 /* ten years: longer is a typo */
/* Days after its window opened beyond which an event is more likely a
 * wrong year than a late decision. */
#define CONFIG_LATE_DAYS 366

/* Case keys that are not events. */
static const char *case_fields[] = {"id", "title", "court", "notify",
    "acknowledged", "acknowledged_by", "silence", NULL};
#define CONFIG_NCASE_FIELDS (sizeof(case_fields) / sizeof(*case_fields) - 1)

/* True if name is one of case_fields (called for every case setting:
 * the first letters are compared before the strings). */
static bool
config_case_field(const char *name)
{
	for (size_t i = 0; i < CONFIG_NCASE_FIELDS; i++)
		if (case_fields[i][0] == name[0] &&
		    strcmp(case_fields[i], name) == 0)
			return true;
	return false;
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

/* True if d is one of the n days of list. */
static bool
config_in_dates(const date_t *list, size_t n, date_t d)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == d)
			return true;
	return false;
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
    .on = REMINDERS_WORKING_DAYS,
    .on_due_day = true,
    .overdue_every = 1,
    .overdue_max = 30,
    .ack_days = ROUTE_ACK_DAYS,
};

/* Parse "HH:MM" into seconds after midnight; -1 if malformed. */
static int
config_hhmm(const char *s)
{
	int h, m;

	/* Exactly two digits, a colon, two digits: no sign, no space. */
	if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 3600 + m * 60;
}

static void
config_globals(struct loader *ld, config_setting_t *root)
{
	struct config *cfg = ld->cfg;
	config_setting_t *s;
	const char *v;

	if (loader_string(ld, root, "timezone", &v) == 1) {
		if (!clock_zone_valid(v))
			loader_error(ld,
			    loader_line(ld,
			        config_setting_get_member(root, "timezone")),
			    "unknown time zone '%s' (not in the tz database)",
			    v);
		cfg->timezone = v;
	}
	if (loader_string(ld, root, "state_dir", &v) == 1)
		cfg->state_dir = v;
	if (loader_string(ld, root, "cases_dir", &v) == 1)
		cfg->cases_dir = v;
	if (loader_string(ld, root, "silences_dir", &v) == 1)
		cfg->silences_dir = loader_path(ld, v);
	if (loader_string(ld, root, "notify_at", &v) == 1) {
		if ((cfg->notify_at = config_hhmm(v)) == -1)
			loader_error(ld,
			    loader_line(ld,
			        config_setting_get_member(root, "notify_at")),
			    "'notify_at' must be a time \"HH:MM\", not '%s'",
			    v);
	}
	cfg->state_dir = loader_path(ld, cfg->state_dir);
	cfg->cases_dir = loader_path(ld, cfg->cases_dir);

	if (loader_group(ld, root, "retry", &s) == 1) {
		static const char *keys[] = {"first", "max", NULL};

		loader_check_keys(ld, s, keys, "retry");
		loader_int(ld, s, "first", 1, 86400, &cfg->retry_first);
		loader_int(ld, s, "max", 1, 7 * 86400, &cfg->retry_max);
		if (cfg->retry_max < cfg->retry_first)
			loader_error(ld, loader_line(ld, s),
			    "retry: 'max' (%d) is less than 'first' (%d)",
			    cfg->retry_max, cfg->retry_first);
	}
}

/* Split "HOST:PORT" or "[V6]:PORT" into a numeric address and a port;
 * false if either is malformed. *loopback tells 127.0.0.0/8 and ::1. */
static bool
config_listen(const char *v, char *host, size_t hostsz, int *port,
    bool *loopback)
{
	const char *colon, *h = v, *hend;
	unsigned char a[16];
	char *end;
	long p;

	if ((colon = strrchr(v, ':')) == NULL)
		return false;
	hend = colon;
	if (*v == '[') {
		if (colon == v || colon[-1] != ']')
			return false;
		h = v + 1;
		hend = colon - 1;
	}
	if ((size_t)(hend - h) >= hostsz || hend == h)
		return false;
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || p < 1 ||
	    p > 65535)
		return false;
	*port = (int)p;
	if (*v == '[') {
		if (inet_pton(AF_INET6, host, a) != 1)
			return false;
		*loopback = IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a);
		return true;
	}
	if (inet_pton(AF_INET, host, a) != 1)
		return false;
	*loopback = a[0] == 127;
	return true;
}

/* Read the http group: where the status listener listens, its token. */
static void
config_http(struct loader *ld, config_setting_t *root)
{
	static const char *keys[] = {"listen", "token_file", NULL};
	struct config *cfg = ld->cfg;
	config_setting_t *g, *s;
	char host[64];
	const char *v;
	bool loopback = false;

	if (loader_group(ld, root, "http", &g) != 1)
		return;
	loader_check_keys(ld, g, keys, "http");
	if (loader_string(ld, g, "listen", &v) != 1) {
		loader_error(ld, loader_line(ld, g),
		    "http has no 'listen' address (\"127.0.0.1:9107\")");
		return;
	}
	s = config_setting_get_member(g, "listen");
	if (!config_listen(v, host, sizeof(host), &cfg->http_port, &loopback)) {
		loader_error(ld, loader_line(ld, s),
		    "http.listen must be \"ADDRESS:PORT\" with a numeric "
		    "address and a port 1-65535, not '%s'",
		    v);
		return;
	}
	cfg->http_host = loader_strdup(ld, host);
	cfg->http_token = loader_secret(ld, g, "token_file");
	if (!loopback && config_setting_get_member(g, "token_file") == NULL)
		loader_error(ld, loader_line(ld, s),
		    "http.listen is not a loopback address: set "
		    "http.token_file");
}

/* Read a list of reminder days (before or before_working) from s into
 * rem->before, largest first. */
static void
config_reminder_days(struct loader *ld, config_setting_t *s, const char *key,
    struct reminders *rem)
{
	config_setting_t *e;
	long long lv;
	int len, v;
	size_t i, j;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' must be a list of days: [ 3, 1 ]", key);
		return;
	}
	if ((len = config_setting_length(s)) > REMINDERS_BEFORE_MAX) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' has more than %d reminders", key,
		    REMINDERS_BEFORE_MAX);
		return;
	}
	rem->nbefore = 0;
	for (int k = 0; k < len; k++) {
		e = config_setting_get_elem(s, (unsigned)k);
		if (config_setting_type(e) != CONFIG_TYPE_INT ||
		    (lv = loader_list_int(ld, s, (size_t)k)) < 1 ||
		    lv > CONFIG_DAYS_MAX) {
			loader_error(ld, loader_line(ld, e),
			    "'%s' must hold positive numbers of days", key);
			continue;
		}
		v = (int)lv;
		for (i = 0; i < rem->nbefore && rem->before[i] != v; i++)
			;
		if (i < rem->nbefore) {
			loader_error(ld, loader_line(ld, e),
			    "'%s' lists %d days twice", key, v);
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

/* Read reminders.on: "working_days" or "calendar_days". */
static void
config_reminders_on(struct loader *ld, config_setting_t *g,
    struct reminders *rem)
{
	const char *on;

	if (loader_string(ld, g, "on", &on) != 1)
		return;
	if (strcmp(on, "working_days") == 0)
		rem->on = REMINDERS_WORKING_DAYS;
	else if (strcmp(on, "calendar_days") == 0)
		rem->on = REMINDERS_CALENDAR_DAYS;
	else
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "on")),
		    "unknown reminders.on '%s' (working_days or "
		    "calendar_days)",
		    on);
}

/* Read the reminders group g over *rem (which holds the defaults: a
 * window's start from the global ones).  before and before_working are
 * one list counted two ways, so a group gives at most one of them, and
 * the one it gives replaces whichever the defaults had. */
static void
config_reminders(struct loader *ld, config_setting_t *g, struct reminders *rem)
{
	static const char *keys[] = {"on", "before", "before_working",
	    "on_due_day", "overdue_every", "overdue_max", "ack_days", NULL};
	config_setting_t *cal, *work;

	loader_check_keys(ld, g, keys, "reminders");
	config_reminders_on(ld, g, rem);
	loader_bool(ld, g, "on_due_day", &rem->on_due_day);
	loader_int(ld, g, "overdue_every", 0, CONFIG_DAYS_MAX,
	    &rem->overdue_every);
	loader_int(ld, g, "overdue_max", 0, CONFIG_DAYS_MAX, &rem->overdue_max);
	loader_int(ld, g, "ack_days", 1, CONFIG_DAYS_MAX, &rem->ack_days);

	cal = config_setting_get_member(g, "before");
	work = config_setting_get_member(g, "before_working");
	if (cal != NULL && work != NULL) {
		loader_error(ld, loader_line(ld, work),
		    "'before' and 'before_working' are one list counted two "
		    "ways: give one of them");
		return;
	}
	if (cal != NULL) {
		rem->before_working = false;
		config_reminder_days(ld, cal, "before", rem);
	} else if (work != NULL) {
		rem->before_working = true;
		config_reminder_days(ld, work, "before_working", rem);
	}
}

/*
 * The calendar.
 */

/* Add the dates listed under key in group as holidays (or workdays). */
static void
config_days(struct loader *ld, const config_setting_t *group, const char *key,
    bool holiday)
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
		if (loader_date(ld, e, what, &d) == -1)
			continue;
		if (holiday
		        ? config_in_dates(cal->workdays, cal->nworkdays, d)
		        : config_in_dates(cal->holidays, cal->nholidays, d)) {
			char buf[DATE_BUFSZ];

			loader_error(ld, loader_line(ld, e),
			    "%s is listed both as a holiday and as a workday",
			    date_format(d, buf));
			continue;
		}
		if ((holiday ? calendar_add_holiday(cal, d)
		             : calendar_add_workday(cal, d)) == -1)
			fatal("calendar");
	}
}

/* Read one holiday file named by calendar.include at line. */
static void
config_holiday_file(struct loader *ld, const char *path, int line)
{
	static const char *keys[] = {"holidays", "workdays", NULL};
	const char *saved = ld->file, *saved_hint = ld->key_hint;
	config_t cf;

	ld->key_hint = "a holiday file sets holidays and workdays";
	if (loader_read(ld, &cf, path, line) == 0) {
		ld->file = path;
		loader_check_keys(ld, config_root_setting(&cf), keys,
		    "a holiday file");
		config_days(ld, config_root_setting(&cf), "holidays", true);
		config_days(ld, config_root_setting(&cf), "workdays", false);
		config_destroy(&cf);
	}
	loader_forget(ld, path);
	ld->file = saved;
	ld->key_hint = saved_hint;
}

static void
config_calendar(struct loader *ld, config_setting_t *root)
{
	static const char *keys[] = {"weekend", "include", "holidays",
	    "workdays", "roll", NULL};
	struct config *cfg = ld->cfg;
	config_setting_t *g, *s;
	const char **list, *roll;
	size_t n;
	int wd;

	if (loader_group(ld, root, "calendar", &g) != 1)
		return;
	loader_check_keys(ld, g, keys, "calendar");
	if (loader_strings(ld, g, "weekend", &list, &n) == 1) {
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
	if (loader_string(ld, g, "roll", &roll) == 1 &&
	    calendar_roll_parse(roll, &cfg->default_roll) == -1)
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "roll")),
		    "unknown roll '%s' (next_working_day or none)", roll);
	config_days(ld, g, "holidays", true);
	config_days(ld, g, "workdays", false);
	if (loader_strings(ld, g, "include", &list, &n) == 1) {
		s = config_setting_get_member(g, "include");
		cfg->holiday_files = loader_alloc(ld, n + 1, sizeof(char *));
		cfg->nholiday_files = n;
		for (size_t i = 0; i < n; i++) {
			cfg->holiday_files[i] = loader_path(ld, list[i]);
			config_holiday_file(ld, cfg->holiday_files[i],
			    loader_line(ld,
			        config_setting_get_elem(s, (unsigned)i)));
		}
	}
}

/*
 * Windows.
 */

/* Check that an event name may be used, and note it as a case key. */
static void
config_event_name(struct loader *ld, const config_setting_t *s,
    const char *name)
{
	if (!loader_valid_name(name)) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' is not a valid event name (a-z, 0-9, _)", name);
		return;
	}
	if (loader_in_list(case_fields, CONFIG_NCASE_FIELDS, name)) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' is a case field and cannot name an event", name);
		return;
	}
	if (loader_in_list(ld->events, ld->nevents, name))
		return;
	ld->events =
	    xreallocarray(ld->events, ld->nevents + 1, sizeof(*ld->events));
	ld->events[ld->nevents++] = name;
}

/* The window definitions' own copy of event name, or NULL if no window
 * uses it. */
static const char *
config_event_known(const struct loader *ld, const char *name)
{
	for (size_t i = 0; i < ld->nevents; i++)
		if (strcmp(ld->events[i], name) == 0)
			return ld->events[i];
	return NULL;
}

static void
config_window(struct loader *ld, config_setting_t *g, struct window_def *w)
{
	static const char *keys[] = {"title", "title_en", "opens", "closes",
	    "days", "extended_days", "extended_by", "roll", "reminders",
	    "escalate", NULL};
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
	if (!loader_valid_name(w->name))
		loader_error(ld, w->line,
		    "'%s' is not a valid window name (a-z, 0-9, _)", w->name);
	loader_check_keys(ld, g, keys, what);
	loader_string(ld, g, "title", &w->title);
	loader_string(ld, g, "title_en", &w->title_en);

	if ((r = loader_string(ld, g, "opens", &w->opens)) == 0)
		loader_error(ld, w->line, "%s has no 'opens' event", what);
	else if (r == 1)
		config_event_name(ld, config_setting_get_member(g, "opens"),
		    w->opens);

	if ((r = loader_strings(ld, g, "closes", &w->closes, &w->ncloses)) ==
	        0 ||
	    (r == 1 && w->ncloses == 0))
		loader_error(ld, w->line, "%s has no 'closes' events", what);
	for (size_t i = 0; r == 1 && i < w->ncloses; i++) {
		s = config_setting_get_member(g, "closes");
		config_event_name(ld, s, w->closes[i]);
		if (w->opens != NULL && strcmp(w->closes[i], w->opens) == 0)
			loader_error(ld, loader_line(ld, s),
			    "%s: '%s' cannot both open and close it", what,
			    w->opens);
	}

	if ((r = loader_int(ld, g, "days", 1, CONFIG_DAYS_MAX,
	         &w->rule.days)) == 0)
		loader_error(ld, w->line, "%s has no 'days'", what);
	loader_int(ld, g, "extended_days", 1, CONFIG_DAYS_MAX,
	    &w->rule.extended_days);
	if ((r = loader_string(ld, g, "extended_by", &w->extended_by)) == 1) {
		s = config_setting_get_member(g, "extended_by");
		config_event_name(ld, s, w->extended_by);
		if ((w->opens != NULL &&
		        strcmp(w->extended_by, w->opens) == 0) ||
		    loader_in_list(w->closes, w->ncloses, w->extended_by))
			loader_error(ld, loader_line(ld, s),
			    "%s: 'extended_by' must be an event of its own",
			    what);
	}
	if ((w->extended_by != NULL) != (w->rule.extended_days > 0))
		loader_error(ld, w->line,
		    "%s: 'extended_days' and 'extended_by' go together", what);

	if (loader_string(ld, g, "roll", &roll) == 1 &&
	    calendar_roll_parse(roll, &w->rule.roll) == -1)
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "roll")),
		    "unknown roll '%s' (next_working_day or none)", roll);
	if (loader_group(ld, g, "reminders", &s) == 1)
		config_reminders(ld, s, &w->reminders);
}

/*
 * The windows every case has when the file defines none: each period of
 * the 2025 Opinions and the procuratorate's rules (see DOMAIN.md and
 * deadlined.conf(5)), in Chinese and English.
 */
static const struct {
	const char *name, *title, *title_en, *opens, *closes[2];
	const char *extended_by;
	int days, extended_days;
} config_builtin_windows[] = {
    /* The police decide whether to open a case: 7 days from receiving
     * the transfer, 30 in all once approved (2025 Opinions). */
    {"decision", "公安机关决定是否立案", "Police decision on opening a case",
        "transferred", {"filed", "not_filed"}, "extended", 7, 30},
    /* Not filed: the court is told in writing, with reasons, within 7
     * days (2025 Opinions, as reported). */
    {"reasons", "书面告知不立案理由", "Written reasons for not opening a case",
        "not_filed", {"reasons_received", NULL}, NULL, 7, 0},
    /* The procuratorate asks the police to explain: they reply within 7
     * days of its notice (procuratorate rules Art. 560). */
    {"supervision_reply", "公安机关答复检察院说明理由",
        "Police reply to the procuratorate", "supervision_notice",
        {"police_replied", NULL}, NULL, 7, 0},
    /* The procuratorate tells the police to open the case: they do so
     * within 15 days of its notice (procuratorate rules Art. 563). */
    {"filing_after_notice", "接检察院通知后立案",
        "Filing after the procuratorate's notice", "filing_notice",
        {"filed_after_notice", NULL}, NULL, 15, 0},
};

#define CONFIG_NBUILTIN                                                        \
	(sizeof(config_builtin_windows) / sizeof(config_builtin_windows[0]))

/* Every built-in window, for a file that defines no windows. */
static void
config_default_windows(struct loader *ld)
{
	struct window_def *w;

	ld->cfg->windows = loader_alloc(ld, CONFIG_NBUILTIN, sizeof(*w));
	ld->cfg->nwindows = CONFIG_NBUILTIN;
	for (size_t i = 0; i < CONFIG_NBUILTIN; i++) {
		w = &ld->cfg->windows[i];
		w->name = config_builtin_windows[i].name;
		w->title = config_builtin_windows[i].title;
		w->title_en = config_builtin_windows[i].title_en;
		w->opens = config_builtin_windows[i].opens;
		w->ncloses =
		    config_builtin_windows[i].closes[1] != NULL ? 2 : 1;
		w->closes = loader_alloc(ld, w->ncloses, sizeof(*w->closes));
		for (size_t k = 0; k < w->ncloses; k++)
			w->closes[k] = config_builtin_windows[i].closes[k];
		w->extended_by = config_builtin_windows[i].extended_by;
		w->rule.days = config_builtin_windows[i].days;
		w->rule.extended_days = config_builtin_windows[i].extended_days;
		w->rule.roll = ld->cfg->default_roll;
		w->reminders = ld->cfg->reminders;
		w->file = ld->file;
		config_event_name(ld, NULL, w->opens);
		for (size_t k = 0; k < w->ncloses; k++)
			config_event_name(ld, NULL, w->closes[k]);
		if (w->extended_by != NULL)
			config_event_name(ld, NULL, w->extended_by);
	}
}

static void
config_windows(struct loader *ld, config_setting_t *root)
{
	config_setting_t *g;
	int n;

	if ((g = config_setting_get_member(root, "windows")) == NULL) {
		config_default_windows(ld);
		return;
	}
	if (!config_setting_is_group(g)) {
		loader_error(ld, loader_line(ld, g),
		    "'windows' must be a group: windows = { name = { ... }; "
		    "};");
		return;
	}
	if ((n = config_setting_length(g)) == 0) {
		loader_error(ld, loader_line(ld, g),
		    "'windows' defines no window");
		return;
	}
	ld->cfg->windows =
	    loader_alloc(ld, (size_t)n, sizeof(struct window_def));
	ld->cfg->nwindows = (size_t)n;
	for (int i = 0; i < n; i++)
		config_window(ld, config_setting_get_elem(g, (unsigned)i),
		    &ld->cfg->windows[i]);
}

/*
 * Cases.
 */

const struct case_info *
config_case_find(const struct config *cfg, const char *id)
{
	for (size_t i = 0; id != NULL && i < cfg->ncases; i++)
		if (strcmp(cfg->cases[i].id, id) == 0)
			return &cfg->cases[i];
	return NULL;
}

const char *
config_builtin_title(const char *name, bool en)
{
	for (size_t i = 0; name != NULL && i < CONFIG_NBUILTIN; i++)
		if (strcmp(config_builtin_windows[i].name, name) == 0)
			return en ? config_builtin_windows[i].title_en
			          : config_builtin_windows[i].title;
	return NULL;
}

const size_t *
config_case_notify(const struct config *cfg, const struct case_info *c,
    size_t *n)
{
	if (c->extra != NULL && c->extra->nnotify > 0) {
		*n = c->extra->nnotify;
		return c->extra->notify;
	}
	*n = cfg->nnotify;
	return cfg->notify;
}

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
		if (!ev->closed || e->date < ev->closed_on) {
			ev->closed_on = e->date;
			ev->closed_by = e->name;
		}
		ev->closed = true;
	}
}

/* Report each closing event of w that case c records after another:
 * a window is closed by one event, and which one says what happened. */
static void
config_case_closes(struct loader *ld, const struct case_info *c,
    const struct window_def *w, const char *what)
{
	const struct case_event *first = NULL, *e;

	for (size_t i = 0; i < c->nevents; i++) {
		e = &c->events[i];
		if (!loader_in_list(w->closes, w->ncloses, e->name))
			continue;
		if (first == NULL) {
			first = e;
			continue;
		}
		loader_error(ld, e->line,
		    "%s: '%s' closes window '%s', which '%s' (%s:%d) already "
		    "closes; keep only the one that happened",
		    what, e->name, w->name, first->name, c->file, first->line);
	}
}

/* Check that the events of case c make sense for each window. */
static void
config_case_windows(struct loader *ld, const struct case_info *c,
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
		config_case_closes(ld, c, w, what);
		for (size_t k = 0; k <= w->ncloses; k++) {
			const char *name =
			    k < w->ncloses ? w->closes[k] : w->extended_by;

			if (name == NULL ||
			    (e = config_case_event(c, name)) == NULL)
				continue;
			if (open == NULL)
				loader_error(ld, e->line,
				    "%s records '%s' but not '%s', which opens "
				    "window '%s'",
				    what, name, w->opens, w->name);
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
		    "(such as '%s'): nothing to watch",
		    what,
		    ld->cfg->nwindows > 0 && ld->cfg->windows[0].opens != NULL
		        ? ld->cfg->windows[0].opens
		        : "transferred");
}

/* The members of a case group, found in one pass over it: the search
 * config_setting_get_member makes for each key cost more than the rest
 * of reading a case. */
struct config_case_members {
	config_setting_t *id, *title, *court;
	bool extra;     /* notify, acknowledged(_by) or silence is set */
	size_t nevents; /* the other settings: events, known or not */
};

static void
config_case_members(config_setting_t *g, int n, struct config_case_members *m)
{
	config_setting_t *s;
	const char *name;

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		name = config_setting_name(s);
		if (strcmp(name, "id") == 0)
			m->id = s;
		else if (strcmp(name, "title") == 0)
			m->title = s;
		else if (strcmp(name, "court") == 0)
			m->court = s;
		else if (config_case_field(name))
			m->extra = true;
		else
			m->nevents++;
	}
}

/* Read the events of case group g (n settings, count of them events)
 * into c; false if one is wrong (reported). */
static bool
config_case_events(struct loader *ld, config_setting_t *g, int n, size_t count,
    struct case_info *c, const char *what)
{
	config_setting_t *s;
	struct case_event *e;
	const char *name;
	char quoted[128];
	bool bad = false;

	if (count == 0)
		return true;
	if (count > UINT8_MAX) {
		loader_error(ld, c->line, "%s has more than %d events", what,
		    UINT8_MAX);
		return false;
	}
	c->events = loader_alloc(ld, count, sizeof(*c->events));
	for (int i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		name = config_setting_name(s);
		if (config_case_field(name))
			continue;
		e = &c->events[c->nevents];
		if ((e->name = config_event_known(ld, name)) == NULL) {
			loader_unknown_case_key(ld, s, name, what, case_fields);
			bad = true;
			continue;
		}
		e->line = loader_line(ld, s);
		/* The message's words only when there is a message. */
		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    date_parse(config_setting_get_string(s), &e->date) == 0) {
			c->nevents++;
			continue;
		}
		snprintf(quoted, sizeof(quoted), "'%s'", name);
		loader_date(ld, s, quoted, &e->date);
		bad = true;
	}
	return !bad;
}

/* "case \"ID\"" in buf, for messages; cut to fit (snprintf's work, at
 * a tenth of its cost for every case). */
static void
config_case_what(char *buf, size_t size, const char *id)
{
	size_t len = strlen(id != NULL ? id : "?");

	if (len > size - 9)
		len = size - 9;
	memcpy(buf, "case \"", 6);
	memcpy(buf + 6, id != NULL ? id : "?", len);
	memcpy(buf + 6 + len, "\"", 2);
}

/* Read what few cases set (c's extra): its own receivers, an
 * acknowledgement, a silence. */
static void
config_case_extra(struct loader *ld, config_setting_t *g, struct case_info *c,
    const char *what)
{
	size_t *notify = NULL, nnotify = 0;

	receiver_notify(ld, g, &notify, &nnotify);
	if (nnotify > UINT16_MAX)
		loader_error(ld, c->line,
		    "%s names more than %d receivers in 'notify'", what,
		    UINT16_MAX);
	if (nnotify > 0) {
		loader_case_extra(ld, c)->notify = notify;
		c->extra->nnotify = (uint16_t)nnotify;
	}
	route_ack_load(ld, g, c, what);
	silence_case(ld, g, c);
}

static void
config_case(struct loader *ld, config_setting_t *g, struct case_info *c)
{
	struct config_case_members m;
	char what[512];
	int r, n;

	c->file = ld->file;
	c->line = loader_line(ld, g);
	c->title = c->court = "";
	if (!config_setting_is_group(g)) {
		loader_error(ld, c->line,
		    "a case must be a group: { id = ...; transferred = ...; }");
		return;
	}
	config_case_members(g, n = config_setting_length(g), &m);
	if ((r = loader_string_of(ld, m.id, "id", &c->id)) == 0)
		loader_error(ld, c->line, "case has no 'id'");
	else if (r == 1 && c->id[0] == '\0')
		loader_error(ld, c->line, "case has an empty 'id'");
	else if (r == 1 && utf8_edge_space(c->id))
		loader_error(ld, loader_line(ld, m.id),
		    "case id \"%s\" has white space at its start or end",
		    c->id);
	config_case_what(what, sizeof(what), c->id);
	/* Titles are mostly unique; court names repeat across thousands. */
	if (ld->no_titles)
		loader_string_check(ld, m.title, "title");
	else
		loader_string_of(ld, m.title, "title", &c->title);
	loader_string_shared_of(ld, m.court, "court", &c->court);
	if (m.extra)
		config_case_extra(ld, g, c, what);
	/* With an event already wrong, how they fit together says nothing. */
	if (config_case_events(ld, g, n, m.nevents, c, what))
		config_case_windows(ld, c, what);
}

static void config_cases_whole(struct loader *ld, const char *path);

/* Read the cases of the list l (of the file being read). */
static void
config_cases_list(struct loader *ld, config_setting_t *l)
{
	struct config *cfg = ld->cfg;
	int n = config_setting_length(l);

	for (int i = 0; i < n; i++) {
		struct case_info *c = &cfg->cases[cfg->ncases++];

		memset(c, 0, sizeof(*c));
		config_case(ld, config_setting_get_elem(l, (unsigned)i), c);
	}
}

/* Forget what reading a file gave from the counts on: its cases, errors
 * and warnings. */
static void
config_cases_undo(struct loader *ld, size_t ncases, size_t nerrs,
    size_t nwarnings)
{
	ld->cfg->ncases = ncases;
	while (ld->errs->n > nerrs)
		free(ld->errs->msgs[--ld->errs->n]);
	ld->cfg->nwarnings = nwarnings;
}

/* Read the cases of one file in cases_dir a slice at a time (sl open):
 * 0, or -1 if a slice did not parse (nothing is then kept of the file). */
static int
config_cases_sliced(struct loader *ld, struct loader_slices *sl)
{
	struct config *cfg = ld->cfg;
	size_t ncases = cfg->ncases, nerrs = ld->errs->n;
	size_t nwarnings = cfg->nwarnings;
	config_t cf;
	int r;

	cfg->cases =
	    xreallocarray(cfg->cases, cfg->ncases + sl->n, sizeof(*cfg->cases));
	while ((r = loader_slice_next(ld, sl, &cf)) == 1) {
		config_cases_list(ld, config_lookup(&cf, "cases"));
		config_destroy(&cf);
	}
	loader_slices_close(ld, sl);
	if (r == 0)
		return 0;
	config_cases_undo(ld, ncases, nerrs, nwarnings);
	return -1;
}

/* Read the cases of one file in cases_dir: in slices when it has the
 * usual shape, else (or when a slice does not parse, for libconfig's
 * own error about the whole) as one tree. */
static void
config_cases_file(struct loader *ld, const char *path)
{
	struct loader_slices sl;

	switch (loader_slices_open(ld, path, &sl)) {
	case -1:
		return;
	case 1:
		if (config_cases_sliced(ld, &sl) == 0)
			return;
		break;
	}
	config_cases_whole(ld, path);
}

/* Read the cases of one file in cases_dir as one tree. */
static void
config_cases_whole(struct loader *ld, const char *path)
{
	static const char *keys[] = {"cases", NULL};
	struct config *cfg = ld->cfg;
	config_setting_t *l;
	config_t cf;
	int n;

	if (loader_read(ld, &cf, path, 0) == -1) {
		loader_forget(ld, path);
		return;
	}
	ld->file = path;
	loader_check_keys(ld, config_root_setting(&cf), keys, "a cases file");
	if ((l = config_lookup(&cf, "cases")) != NULL &&
	    !config_setting_is_list(l)) {
		loader_error(ld, loader_line(ld, l),
		    "'cases' must be a list: cases = ( { ... } );");
		l = NULL;
	}
	n = l != NULL ? config_setting_length(l) : 0;
	cfg->cases = xreallocarray(cfg->cases, cfg->ncases + (size_t)n,
	    sizeof(*cfg->cases));
	if (l != NULL)
		config_cases_list(ld, l);
	/* The file is done: its tree and its text go before the next. */
	config_destroy(&cf);
	loader_forget(ld, path);
}

static int
config_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keep the paths of the n names in cases_dir that are not read, in name
 * order, for config_warnings; frees names. */
static void
config_unread(struct loader *ld, char **names, size_t n)
{
	struct config *cfg = ld->cfg;
	char *path;

	if (n > 0)
		qsort(names, n, sizeof(*names), config_name_cmp);
	cfg->unread = loader_alloc(ld, n + 1, sizeof(*cfg->unread));
	for (size_t i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", cfg->cases_dir, names[i]);
		cfg->unread[i] = loader_strdup(ld, path);
		free(path);
		free(names[i]);
	}
	cfg->nunread = n;
	free(names);
}

/* Read every *.conf in cases_dir, in name order. */
static void
config_cases_dir(struct loader *ld, int line)
{
	const char *dir = ld->cfg->cases_dir, *main_file = ld->file;
	const char *saved_hint = ld->key_hint;
	struct dirent *de;
	char **names = NULL, **unread = NULL, *path;
	size_t n = 0, nunread = 0, len;
	DIR *d;

	ld->key_hint = loader_case_key_hint(ld, case_fields);
	if ((d = opendir(dir)) == NULL) {
		loader_error(ld, line, "cannot open cases_dir '%s': %s", dir,
		    strerror(errno));
		return;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		/* Hidden files (and . and ..) are set aside on purpose. */
		if (de->d_name[0] == '.')
			continue;
		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0) {
			unread =
			    xreallocarray(unread, nunread + 1, sizeof(*unread));
			unread[nunread++] = xstrdup(de->d_name);
			continue;
		}
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (errno != 0)
		loader_error(ld, line, "cannot read cases_dir '%s': %s", dir,
		    strerror(errno));
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), config_name_cmp);
	for (size_t i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]);
		config_cases_file(ld, loader_strdup(ld, path));
		free(path);
		free(names[i]);
	}
	free(names);
	config_unread(ld, unread, nunread);
	ld->file = main_file;
	ld->key_hint = saved_hint;
}

/*
 * Cases by the hash of their ids as ids compare (utf8_fold), each a
 * uint64_t: the hash in the high bits, the case's index in the low
 * `bits`, so that sorting orders by hash, then in the order the cases
 * were read.  8 bytes a case while ids are checked (sorted in place),
 * where a folded copy of every id would take a string each; equal
 * hashes are then compared by their folded ids.
 */

/* Sift v[i] down the max-heap v[0..n). */
static void
config_id_sift(uint64_t *v, size_t i, size_t n)
{
	uint64_t x = v[i];
	size_t k;

	while ((k = 2 * i + 1) < n) {
		if (k + 1 < n && v[k + 1] > v[k])
			k++;
		if (v[k] <= x)
			break;
		v[i] = v[k];
		i = k;
	}
	v[i] = x;
}

/* Sort v in place (heapsort): qsort would take a copy as large as v,
 * and at a million cases this is the load's peak. */
static void
config_id_sort(uint64_t *v, size_t n)
{
	uint64_t t;

	for (size_t i = n / 2; i-- > 0;)
		config_id_sift(v, i, n);
	for (size_t end = n; end-- > 1;) {
		t = v[0];
		v[0] = v[end];
		v[end] = t;
		config_id_sift(v, 0, end);
	}
}

/* id folded (utf8_fold) into buf of size bytes, or a new string when it
 * does not fit (*heap set). */
static char *
config_id_fold(const char *id, char *buf, size_t size, bool *heap)
{
	size_t len = strlen(id);
	char *s = buf;

	*heap = len >= size;
	if (*heap)
		s = xstrdup(id);
	else
		memcpy(buf, id, len + 1);
	utf8_fold_in(s);
	return s;
}

/* The FNV-1a hash of id as ids compare. */
static uint64_t
config_id_hash(const char *id)
{
	char buf[256], *s;
	uint64_t h = 14695981039346656037u;
	bool heap;

	s = config_id_fold(id, buf, sizeof(buf), &heap);
	for (const char *p = s; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	if (heap)
		free(s);
	return h;
}

/* True if two ids fold alike. */
static bool
config_id_same(const char *a, const char *b)
{
	char abuf[256], bbuf[256], *fa, *fb;
	bool aheap, bheap, same;

	fa = config_id_fold(a, abuf, sizeof(abuf), &aheap);
	fb = config_id_fold(b, bbuf, sizeof(bbuf), &bheap);
	same = strcmp(fa, fb) == 0;
	if (aheap)
		free(fa);
	if (bheap)
		free(fb);
	return same;
}

/* Report case c, whose id folds like that of the earlier case first. */
static void
config_duplicate_id(struct loader *ld, const struct case_info *c,
    const struct case_info *first)
{
	ld->file = c->file;
	if (strcmp(c->id, first->id) == 0)
		loader_error(ld, c->line,
		    "duplicate case id \"%s\" (first defined at %s:%d)", c->id,
		    first->file, first->line);
	else
		loader_error(ld, c->line,
		    "case id \"%s\" differs from \"%s\" (first defined at "
		    "%s:%d) only in full-width forms or white space: they name "
		    "the same case",
		    c->id, first->id, first->file, first->line);
}

/* The earliest case of the run v[from..k) (equal hashes, in case
 * order) whose id folds like that of case v[k]; case v[k] itself if
 * none.  mask takes a case index out of an entry. */
static size_t
config_id_first(const struct config *cfg, const uint64_t *v, size_t from,
    size_t k, uint64_t mask)
{
	for (size_t j = from; j < k; j++)
		if (config_id_same(cfg->cases[v[j] & mask].id,
		        cfg->cases[v[k] & mask].id))
			return (size_t)(v[j] & mask);
	return (size_t)(v[k] & mask);
}

/* The n duplicates found, each a pair of indexes (case, first case),
 * by case order. */
static int
config_dup_cmp(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Report every case whose id an earlier case already has, written the
 * same way or with full-width brackets, digits or spaces for
 * half-width ones, or with white space around it; in case order. */
static void
config_duplicate_ids(struct loader *ld)
{
	struct config *cfg = ld->cfg;
	const char *saved = ld->file;
	size_t n = 0, from = 0, first, (*dup)[2] = NULL, ndup = 0;
	unsigned bits = 1;
	uint64_t *v, mask;

	while (bits < 63 && ((uint64_t)1 << bits) < cfg->ncases)
		bits++;
	mask = ((uint64_t)1 << bits) - 1;
	v = xcalloc(cfg->ncases + 1, sizeof(*v));
	for (size_t i = 0; i < cfg->ncases; i++)
		if (cfg->cases[i].id != NULL)
			v[n++] = (config_id_hash(cfg->cases[i].id) & ~mask) |
			    (uint64_t)i;
	config_id_sort(v, n);
	for (size_t k = 1; k < n; k++) {
		if ((v[k] & ~mask) != (v[from] & ~mask)) {
			from = k;
			continue;
		}
		if ((first = config_id_first(cfg, v, from, k, mask)) ==
		    (size_t)(v[k] & mask))
			continue;
		dup = xreallocarray(dup, ndup + 1, sizeof(*dup));
		dup[ndup][0] = (size_t)(v[k] & mask);
		dup[ndup++][1] = first;
	}
	free(v);
	if (ndup > 0)
		qsort(dup, ndup, sizeof(*dup), config_dup_cmp);
	for (size_t k = 0; k < ndup; k++)
		config_duplicate_id(ld, &cfg->cases[dup[k][0]],
		    &cfg->cases[dup[k][1]]);
	free(dup);
	ld->file = saved;
}

/*
 * Warnings: facts that are valid but unlikely to be right.
 */

/* Append "FILE:LINE: warning: message" (line 0: "FILE: warning: ..."). */
static void __attribute__((format(printf, 4, 5)))
config_warn(struct config_errors *warns, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	loader_errors_add(warns,
	    loader_vformat(file, line, "warning: ", fmt, ap));
	va_end(ap);
}

/* The window that event e of case c closes or extends and that opened
 * more than CONFIG_LATE_DAYS before it, or NULL; its opening in *open. */
static const struct window_def *
config_late_window(const struct config *cfg, const struct case_info *c,
    const struct case_event *e, const struct case_event **open)
{
	const struct window_def *w;

	for (size_t k = 0; k < cfg->nwindows; k++) {
		w = &cfg->windows[k];
		if (!loader_in_list(w->closes, w->ncloses, e->name) &&
		    (w->extended_by == NULL ||
		        strcmp(w->extended_by, e->name) != 0))
			continue;
		*open = config_case_event(c, w->opens);
		if (*open != NULL && e->date - (*open)->date > CONFIG_LATE_DAYS)
			return w;
	}
	return NULL;
}

/* Warn about the dates of case c: after today (a typo such as 2062
 * closes a window today), or long after the window opened.  At most one
 * warning an event. */
static void
config_case_warnings(const struct config *cfg, const struct case_info *c,
    date_t today, struct config_errors *warns)
{
	const struct case_event *e, *open;
	const struct window_def *w;
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ];

	for (size_t i = 0; i < c->nevents; i++) {
		e = &c->events[i];
		if (e->date > today)
			config_warn(warns, c->file, e->line,
			    "case \"%s\": '%s' (%s) is after today (%s); an "
			    "event counts as soon as it is recorded, so check "
			    "the date",
			    c->id, e->name, date_format(e->date, d1),
			    date_format(today, d2));
		else if ((w = config_late_window(cfg, c, e, &open)) != NULL)
			config_warn(warns, c->file, e->line,
			    "case \"%s\": '%s' (%s) is %d days after '%s' "
			    "(%s), which opens window '%s'; check the date",
			    c->id, e->name, date_format(e->date, d1),
			    (int)(e->date - open->date), open->name,
			    date_format(open->date, d2), w->name);
	}
}

/* True if case c's acknowledgement pauses some window: one whose
 * deadline is before it. */
static bool
config_ack_pauses(const struct config *cfg, const struct case_info *c)
{
	struct window_events ev;
	struct window_state ws;

	for (size_t k = 0; k < cfg->nwindows; k++) {
		config_window_events(&cfg->windows[k], c, &ev);
		if (!ev.opened)
			continue;
		deadline_compute(&cfg->windows[k].rule, &cfg->calendar, &ev,
		    &ws);
		if (ws.deadline < c->extra->acknowledged_on)
			return true;
	}
	return false;
}

/* Warn about an acknowledgement after today or one that pauses
 * nothing (no window's deadline is before it). */
static void
config_ack_warnings(const struct config *cfg, const struct case_info *c,
    date_t today, struct config_errors *warns)
{
	const struct case_extra *x = c->extra;
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ];

	if (x == NULL || !x->acknowledged)
		return;
	if (x->acknowledged_on > today)
		config_warn(warns, c->file, x->acknowledged_line,
		    "case \"%s\": 'acknowledged' (%s) is after today (%s); "
		    "check the date",
		    c->id, date_format(x->acknowledged_on, d1),
		    date_format(today, d2));
	else if (!config_ack_pauses(cfg, c))
		config_warn(warns, c->file, x->acknowledged_line,
		    "case \"%s\": 'acknowledged' (%s) is not after the "
		    "deadline of any of its windows: it pauses nothing",
		    c->id, date_format(x->acknowledged_on, d1));
}

void
config_warnings(const struct config *cfg, date_t today,
    struct config_errors *warns)
{
	/* What loading warned about (secret files' modes) comes first. */
	for (size_t i = 0; i < cfg->nwarnings; i++)
		loader_errors_add(warns, xstrdup(cfg->warnings[i]));
	for (size_t i = 0; i < cfg->nunread; i++)
		config_warn(warns, cfg->unread[i], 0,
		    "not read: only *.conf files in cases_dir are read");
	for (size_t i = 0; i < cfg->ncases; i++) {
		config_case_warnings(cfg, &cfg->cases[i], today, warns);
		config_ack_warnings(cfg, &cfg->cases[i], today, warns);
	}
}

/*
 * Loading it all.
 */

static void
config_main(struct loader *ld, config_t *cf)
{
	static const char *keys[] = {"timezone", "state_dir", "cases_dir",
	    "notify_at", "retry", "calendar", "windows", "reminders",
	    "receivers", "notify", "admin", "http", "escalate", "silences_dir",
	    NULL};
	struct config *cfg = ld->cfg;
	config_setting_t *root = config_root_setting(cf), *s;
	int r;

	loader_check_keys(ld, root, keys, "the main configuration");
	config_globals(ld, root);
	cfg->reminders = reminders_default;
	if (loader_group(ld, root, "reminders", &s) == 1)
		config_reminders(ld, s, &cfg->reminders);
	config_calendar(ld, root);
	ld->file = cfg->path;
	config_http(ld, root);
	config_windows(ld, root);
	receiver_load(ld, root);
	if ((r = receiver_notify(ld, root, &cfg->notify, &cfg->nnotify)) == 0) {
		/* No default list: a case without its own tells everyone. */
		cfg->notify =
		    loader_alloc(ld, cfg->nreceivers + 1, sizeof(*cfg->notify));
		for (size_t i = 0; i < cfg->nreceivers; i++)
			cfg->notify[i] = i;
		cfg->nnotify = cfg->nreceivers;
	}
	receiver_admin(ld, root, &cfg->admin, &cfg->nadmin);
	route_escalate_load(ld, root);
	s = config_setting_get_member(root, "cases_dir");
	config_cases_dir(ld, s != NULL ? loader_line(ld, s) : 0);
	config_duplicate_ids(ld);
	s = config_setting_get_member(root, "silences_dir");
	silence_dir(ld, s != NULL ? loader_line(ld, s) : 0);
	silence_resolve(ld);
	calendar_finish(&cfg->calendar);
}

struct config *
config_load(const char *path, struct config_errors *errs)
{
	return config_load_flags(path, 0, errs);
}

struct config *
config_load_flags(const char *path, unsigned flags, struct config_errors *errs)
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
	ld.no_secrets = (flags & CONFIG_NO_SECRETS) != 0;
	ld.no_titles = (flags & CONFIG_NO_TITLES) != 0;
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
	ld.key_hint = "see deadlined.conf(5) for the keys";

	if (loader_read(&ld, &cf, path, 0) == 0) {
		config_main(&ld, &cf);
		config_destroy(&cf);
	}
	free(ld.events);
	strtab_free(&ld.strings);
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
	if (cfg->http_token != NULL) {
		explicit_bzero(cfg->http_token, strlen(cfg->http_token));
		free(cfg->http_token);
	}
	free(cfg->cases);
	free(cfg->silences);
	free(cfg->warnings);
	calendar_free(&cfg->calendar);
	arena_free(&cfg->arena);
	free(cfg);
}
