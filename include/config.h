/*
 * config.h -- the whole configuration: main file, cases and calendars.
 *
 * config_load reads and checks everything into a new struct config and
 * hands it over only when every file is valid; otherwise it returns every
 * problem it found, each as "FILE:LINE: message".  A struct config is
 * read-only once loaded: the daemon swaps whole configurations.
 */
#ifndef DEADLINED_CONFIG_H
#define DEADLINED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "calendar.h"
#include "date.h"
#include "deadline.h"

#define CONFIG_DEFAULT_PATH "/etc/deadlined/deadlined.conf"

/* One escalation step: once a window has been overdue overdue_days days,
 * its overdue alerts also go to notify (route.h). */
struct escalate_step {
	int overdue_days;
	size_t *notify; /* indexes into config.receivers */
	size_t nnotify;
	int line;
};

/* The steps, overdue_days increasing; none when nsteps is 0. */
struct escalation {
	struct escalate_step *steps;
	size_t nsteps;
};

/* A window: opened by one event of a case, closed by others. */
struct window_def {
	const char *name;
	const char *title;    /* as the administrator wrote it */
	const char *title_en; /* for English texts, or NULL */
	const char *opens;    /* event name */
	const char **closes;  /* event names */
	size_t ncloses;
	const char *extended_by; /* event name, or NULL */
	struct window_rule rule;
	struct reminders reminders; /* the window's own, or the global ones */
	struct escalation escalate; /* the window's own, or the global one */
	const char *file;
	int line;
};

enum receiver_type {
	RECEIVER_LOG,
	RECEIVER_EMAIL,
	RECEIVER_WEBHOOK,
};

/* What a webhook's body looks like. */
enum receiver_format {
	FORMAT_JSON,     /* deadlined's own, version 1 */
	FORMAT_DINGTALK, /* DingTalk custom robot */
	FORMAT_WECOM,    /* WeCom (企业微信) group robot */
	FORMAT_FEISHU,   /* Feishu / Lark custom bot */
	FORMAT_SLACK,    /* Slack incoming webhook */
	FORMAT_TEAMS,    /* Microsoft Teams Workflows webhook */
};

enum receiver_language {
	LANGUAGE_ZH,
	LANGUAGE_EN,
};

/* Who reads a receiver's alerts: the overdue advice is theirs. */
enum receiver_audience {
	AUDIENCE_ANY,           /* not said: neutral advice */
	AUDIENCE_COURT,         /* the enforcement court */
	AUDIENCE_CREDITOR,      /* the applicant and its lawyers */
	AUDIENCE_PROCURATORATE, /* the supervising procurator */
};

enum receiver_tls {
	TLS_REQUIRED,
	TLS_TRY,
	TLS_NONE,
};

struct receiver {
	const char *name;
	enum receiver_type type;
	const char *url;     /* may hold a token: never log it */
	const char *ca_file; /* a private CA's certificates, or NULL */
	int rate_count;      /* at most rate_count per rate_period s; */
	int rate_period;     /* 0 when there is no limit */
	int timeout;         /* seconds for a whole transfer */
	int group_wait;      /* seconds announcements are collected */
	enum receiver_language language;
	enum receiver_audience audience;
	unsigned kinds; /* bit 1u << kind per alert kind it takes (route.h) */
	const char *subject; /* template, or NULL for the default text */
	const char *body;    /* template, or NULL */
	/* webhook */
	enum receiver_format format;
	const char *msgtype;     /* chat formats: "markdown", "text", ... */
	const char **at_mobiles; /* DingTalk, WeCom: people to @ */
	size_t nat_mobiles;
	bool at_all;
	char *secret;         /* from secret_file; malloc'd, wiped on free */
	const char **headers; /* "Name: value" */
	size_t nheaders;
	/* email */
	enum receiver_tls tls;
	const char *username;
	char *password;        /* from password_file; as secret */
	const char *from;      /* the bare address (envelope, Message-ID) */
	const char *from_name; /* the display name from `from`, or NULL */
	const char **to;
	size_t nto;
	const char *file;
	int line;
};

/* A silence: no timed alerts for a case (or one of its windows) up to
 * and including `until`.  Written in a case file (for that case) or in
 * a file of silences_dir (for the cases it names, or those of a court);
 * silence.c reads and resolves them. */
struct silence {
	const char *window; /* NULL: every window of the case */
	date_t until;       /* the last day silenced, local */
	const char *reason;
	const char **cases; /* silences_dir: the case ids named, */
	size_t ncases;
	const char *court; /* or the court whose cases it covers */
	const char *file;
	int line;
	int until_line; /* where `until` is written, for errors */
};

/* A dated event recorded on a case.  name is the window definition's
 * own string, one copy for every case. */
struct case_event {
	const char *name;
	date_t date;
	int line;
};

/*
 * What few cases carry, kept beside the case rather than in every one:
 * receivers of its own, silences, an acknowledgement.  A case that has
 * none of them has no extra (case_info.extra is NULL).
 */
struct case_extra {
	size_t *notify;                  /* indexes into config.receivers */
	const struct silence *silence;   /* its own, in its file, or NULL */
	const struct silence **silences; /* all that cover it, its own too */
	size_t nsilences;
	const char *acknowledged_by; /* who, or NULL */
	date_t acknowledged_on;
	int acknowledged_line;
	uint16_t nnotify;  /* 0: the default receivers */
	bool acknowledged; /* someone knows it is overdue (route.h) */
};

/*
 * A case, kept compact for a million of them: court names are interned
 * (one copy of each distinct string, shared by the cases that hold it),
 * ids and titles are packed in the arena, events are exactly
 * as many as the case records, a case records each event once (at most
 * 255 of them), and what few cases carry is in an extra: 56 bytes a
 * case.
 */
struct case_info {
	const char *id;
	const char *title; /* "" when not given */
	const char *court; /* "" when not given */
	struct case_event *events;
	const char *file;
	struct case_extra *extra; /* NULL for most cases */
	int line;
	uint8_t nevents;
};

struct config {
	const char *path; /* the main file, as given */
	const char *timezone;
	const char *state_dir; /* resolved against the main file's dir */
	const char *cases_dir;
	const char *silences_dir; /* NULL: none */
	int notify_at;   /* wall clock h:m:s as h * 3600 + m * 60 + s */
	int retry_first; /* seconds */
	int retry_max;
	const char *http_host; /* http.listen's address; NULL: no listener */
	int http_port;
	char *http_token; /* from http.token_file; malloc'd, wiped on free */
	struct calendar calendar;
	const char **holiday_files; /* calendar.include, resolved */
	size_t nholiday_files;
	enum roll default_roll;     /* calendar.roll */
	struct reminders reminders; /* the global reminders */
	struct escalation escalate; /* the global escalation steps */
	struct window_def *windows;
	size_t nwindows;
	struct receiver *receivers;
	size_t nreceivers;
	size_t *notify; /* default receivers of a case */
	size_t nnotify;
	size_t *admin; /* receivers told of failures (admin.c), or none */
	size_t nadmin;
	struct case_info *cases;
	size_t ncases;
	struct silence *silences; /* read from silences_dir (malloc'd) */
	size_t nsilences;
	const char **unread; /* paths in cases_dir that are not *.conf */
	size_t nunread;
	const char **warnings; /* "FILE:LINE: warning: ..."; the array is
	                          malloc'd, the strings in the arena */
	size_t nwarnings;
	struct arena arena; /* owns every string and array above */
};

/* Problems found while loading, in the order they were found; or
 * warnings (config_warnings). */
struct config_errors {
	char **msgs; /* "FILE:LINE: message" or "FILE:LINE: warning: ..." */
	size_t n;
};

/* Load and check the configuration rooted at path.  Returns it, or NULL
 * with every problem appended to errs. */
struct config *config_load(const char *path, struct config_errors *errs);

/* config_load with flags: CONFIG_NO_SECRETS leaves the secret files
 * (password_file, secret_file, http.token_file) unread, for the modes
 * that send nothing (--list, --history, --status): their secrets are
 * NULL. */
#define CONFIG_NO_SECRETS 0x1
/* CONFIG_NO_TITLES checks the cases' titles but keeps none (every title
 * is ""), for --list, which does not show them: at 100k cases they are
 * a quarter of what the configuration holds. */
#define CONFIG_NO_TITLES 0x2
struct config *config_load_flags(const char *path, unsigned flags,
    struct config_errors *errs);

/*
 * Append to warns what is valid but unlikely to be right, each as
 * "FILE:LINE: warning: message" (or "FILE: warning: message"): a file in
 * cases_dir that is not read, an event dated after today, and a closing
 * or extension event more than a year after its window's opening event.
 * Today is the daemon's, in the configured zone, so this is a step after
 * config_load: the caller sets the zone (and --now) first.
 */
void config_warnings(const struct config *cfg, date_t today,
    struct config_errors *warns);

/* Free a configuration; NULL is fine.  Secrets are wiped first. */
void config_free(struct config *cfg);

/* Free the messages; errs may be reused. */
void config_errors_free(struct config_errors *errs);

/* The events of case c that window w sees. */
void config_window_events(const struct window_def *w, const struct case_info *c,
    struct window_events *ev);

/* The case whose id is id (NULL: none), or NULL. */
const struct case_info *config_case_find(const struct config *cfg,
    const char *id);

/* The Chinese (or, if en, English) title of the built-in window named
 * name, or NULL if no built-in window has that name. */
const char *config_builtin_title(const char *name, bool en);

/* The receivers case c notifies (its own, or the default ones), their
 * number in *n. */
const size_t *config_case_notify(const struct config *cfg,
    const struct case_info *c, size_t *n);

/* The event named name on case c, or NULL. */
const struct case_event *config_case_event(const struct case_info *c,
    const char *name);

#endif
