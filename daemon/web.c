/*
 * web.c -- the status listener.
 *
 * Off unless the main file has an http group.  evhttp runs on the
 * daemon's event_base, so a request is served between two turns of the
 * loop: every endpoint works from the configuration in memory and a few
 * short SQLite reads, and the limits below (header size, no body, a
 * timeout) keep a slow or hostile client from holding anything.
 *
 * With a token every request must carry it, as "Authorization: Bearer"
 * or, for calendar clients that cannot send headers, as ?token=.  Both
 * are compared through their SHA-256 digests with CRYPTO_memcmp, so the
 * time taken says nothing about the token or its length.
 *
 * Endpoints: /healthz, /metrics (Prometheus text 0.0.4), /api/windows
 * (the rows of --list --json), /api/history (the timeline of
 * --history CASE --json), /calendar.ics (RFC 5545), / (an HTML
 * dashboard) and /case (a case's evidence report, report.c).
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "clock.h"
#include "deliver.h"
#include "history.h"
#include "list.h"
#include "log.h"
#include "outbox.h"
#include "report.h"
#include "web.h"
#include "window.h"
#include "xmalloc.h"

#define WEB_MAX_HEADERS 8192
#define WEB_MAX_BODY    0
#define WEB_TIMEOUT     10 /* seconds for a whole request */
#define WEB_ICS_FOLD    75 /* octets per content line, CRLF excluded */

static const char *const web_states[] = {"open", "due_soon", "due_today",
    "overdue", "closed"};
static const char *const web_state_labels[] = {"未届满", "即将届满", "今日届满",
    "已逾期", "已结束"};
#define WEB_NSTATES (sizeof(web_states) / sizeof(web_states[0]))

static struct {
	struct evhttp *http;
	const struct config *cfg;
	struct outbox *ob;
	char *host; /* what we listen on */
	int port;
	char *token;        /* malloc'd, wiped on free; NULL: none */
	time_t loaded;      /* real time of the last (re)load attempt */
	bool reload_ok;     /* the last one succeeded */
	size_t config_errs; /* errors of the last failed one */
	bool plan_ok;
} web;

/* Free the token, wiping it first. */
static void
web_token_free(void)
{
	if (web.token == NULL)
		return;
	explicit_bzero(web.token, strlen(web.token));
	free(web.token);
	web.token = NULL;
}

/* True if host (a numeric address) is 127.0.0.0/8 or ::1. */
static bool
web_loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0;
}

/* True if the given token matches ours, in constant time. */
static bool
web_token_ok(const char *given, size_t len)
{
	unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
	bool ok;

	SHA256((const unsigned char *)given, len, a);
	SHA256((const unsigned char *)web.token, strlen(web.token), b);
	ok = CRYPTO_memcmp(a, b, sizeof(a)) == 0;
	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
	return ok;
}

/* True if the request may be served: no token, or it carries ours. */
static bool
web_authorized(struct evhttp_request *req, struct evkeyvalq *params)
{
	const char *h, *q;

	if (web.token == NULL)
		return true;
	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0 &&
	    web_token_ok(h + 7, strlen(h + 7)))
		return true;
	q = evhttp_find_header(params, "token");
	return q != NULL && web_token_ok(q, strlen(q));
}

/* Send code with body and content type; the buffer is drained. */
static void
web_reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, struct evbuffer *body)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);

	evhttp_add_header(out, "Content-Type", type);
	evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	evhttp_send_reply(req, code, reason, body);
}

/* Send a short plain-text answer. */
static void
web_text(struct evhttp_request *req, int code, const char *reason,
    const char *text)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add_printf(b, "%s\n", text);
	web_reply(req, code, reason, "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

/* Days left of a window today, and its state. */
static enum window_status
web_window(const struct window_def *w, const struct window_state *ws,
    int *days_left)
{
	date_t today;
	int secs;

	clock_split(clock_now(), &today, &secs);
	*days_left = deadline_days_left(ws, today);
	return deadline_status(ws, &w->reminders, today);
}

/*
 * /healthz
 */

static void
web_healthz(struct evhttp_request *req, struct evkeyvalq *params)
{
	char why[128];

	(void)params;
	if (!web.reload_ok) {
		snprintf(why, sizeof(why),
		    "the last reload failed with %zu error%s; running on the "
		    "previous configuration",
		    web.config_errs, web.config_errs == 1 ? "" : "s");
		web_text(req, 503, "Service Unavailable", why);
	} else if (!deliver_outbox_writable() || !web.plan_ok)
		web_text(req, 503, "Service Unavailable",
		    "the outbox cannot be written");
	else
		web_text(req, 200, "OK", "ok");
}

/*
 * /metrics
 */

/* What the deliveries query gathers. */
struct web_deliveries {
	struct evbuffer *samples;
	time_t oldest; /* the oldest pending delivery's queueing, or -1 */
};

/* Append s as a Prometheus label value (\\, \" and \n escaped). */
static void
web_label(struct evbuffer *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			evbuffer_add_printf(b, "\\%c", *s);
		else if (*s == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, s, 1);
	}
}

/* outbox_deliveries callback: one sample; note the oldest pending. */
static void
web_metrics_delivery(const char *receiver, const char *state, long long n,
    time_t oldest, void *arg)
{
	struct web_deliveries *wd = arg;

	evbuffer_add_printf(wd->samples, "deadlined_deliveries{receiver=\"");
	web_label(wd->samples, receiver != NULL ? receiver : "");
	evbuffer_add_printf(wd->samples, "\",state=\"");
	web_label(wd->samples, state != NULL ? state : "");
	evbuffer_add_printf(wd->samples, "\"} %lld\n", n);
	if (state != NULL && strcmp(state, "pending") == 0 &&
	    (wd->oldest == -1 || oldest < wd->oldest))
		wd->oldest = oldest;
}

/* The deliveries gauge and the age of the oldest waiting one; -1 if
 * the outbox could not be read. */
static int
web_metrics_deliveries(struct evbuffer *b)
{
	struct web_deliveries wd = {evbuffer_new(), -1};
	time_t now = clock_now();
	int rc;

	if (wd.samples == NULL)
		return -1;
	rc = outbox_deliveries(web.ob, web_metrics_delivery, &wd);
	evbuffer_add_printf(b,
	    "# HELP deadlined_deliveries Deliveries in the outbox, by "
	    "receiver and state.\n# TYPE deadlined_deliveries gauge\n");
	evbuffer_add_buffer(b, wd.samples);
	evbuffer_free(wd.samples);
	evbuffer_add_printf(b,
	    "# HELP deadlined_outbox_oldest_waiting_seconds Age of the "
	    "oldest delivery waiting to be sent (0 if none).\n"
	    "# TYPE deadlined_outbox_oldest_waiting_seconds gauge\n"
	    "deadlined_outbox_oldest_waiting_seconds %lld\n",
	    (long long)(wd.oldest != -1 && now > wd.oldest ? now - wd.oldest
	                                                   : 0));
	return rc;
}

/* The windows gauge: how many windows are in each state. */
static void
web_metrics_windows(struct evbuffer *b)
{
	const struct config *cfg = web.cfg;
	struct window_state ws;
	long long count[WEB_NSTATES] = {0};
	int days;

	for (size_t i = 0; i < cfg->ncases; i++)
		for (size_t k = 0; k < cfg->nwindows; k++)
			if (window_state(cfg, &cfg->cases[i], &cfg->windows[k],
			        &ws))
				count[web_window(&cfg->windows[k], &ws,
				    &days)]++;
	evbuffer_add_printf(b,
	    "# HELP deadlined_windows Windows of configured cases, by "
	    "state.\n# TYPE deadlined_windows gauge\n");
	for (size_t s = 0; s < WEB_NSTATES; s++)
		evbuffer_add_printf(b, "deadlined_windows{state=\"%s\"} %lld\n",
		    web_states[s], count[s]);
}

/* A gauge with one sample and no labels. */
static void
web_gauge(struct evbuffer *b, const char *name, const char *help,
    long long value)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name,
	    help, name, name, value);
}

static void
web_metrics(struct evhttp_request *req, struct evkeyvalq *params)
{
	struct evbuffer *b = evbuffer_new();

	(void)params;
	if (b == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	web_metrics_windows(b);
	if (web_metrics_deliveries(b) == -1) {
		evbuffer_free(b);
		web_text(req, 503, "Service Unavailable",
		    "the outbox cannot be read");
		return;
	}
	web_gauge(b, "deadlined_last_reload_timestamp_seconds",
	    "When the configuration was last loaded or reloaded (Unix time).",
	    (long long)web.loaded);
	web_gauge(b, "deadlined_last_reload_success",
	    "1 if the last load or reload of the configuration succeeded.",
	    web.reload_ok ? 1 : 0);
	web_gauge(b, "deadlined_config_errors",
	    "Errors of the last failed reload; 0 after a success.",
	    web.reload_ok ? 0 : (long long)web.config_errs);
	web_gauge(b, "deadlined_calendar_last_year",
	    "The last year the holiday calendar lists days of (0: none).",
	    calendar_last_year(&web.cfg->calendar));
	evbuffer_add_printf(b,
	    "# HELP deadlined_build_info The running version.\n"
	    "# TYPE deadlined_build_info gauge\n"
	    "deadlined_build_info{version=\"%s\"} 1\n",
	    VERSION);
	web_reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
	    b);
	evbuffer_free(b);
}

/*
 * /api/windows
 */

/* True if a --list row passes the filters state=, court=, case= and
 * due_before= (a deadline before that day). */
static bool
web_row_wanted(json_t *row, struct evkeyvalq *params)
{
	const char *state = evhttp_find_header(params, "state");
	const char *court = evhttp_find_header(params, "court");
	const char *id = evhttp_find_header(params, "case");
	const char *before = evhttp_find_header(params, "due_before");
	const char *rid = json_string_value(json_object_get(row, "case"));
	const char *dl = json_string_value(json_object_get(row, "deadline"));
	const char *rs = json_string_value(json_object_get(row, "state"));
	const struct case_info *c;

	if (rid == NULL || dl == NULL || rs == NULL)
		return false;
	if (state != NULL && strcmp(state, rs) != 0)
		return false;
	if (id != NULL && strcmp(id, rid) != 0)
		return false;
	if (before != NULL && strcmp(dl, before) >= 0)
		return false;
	if (court != NULL &&
	    ((c = config_case_find(web.cfg, rid)) == NULL ||
	        strcmp(c->court, court) != 0))
		return false;
	return true;
}

/* Reply 400 if due_before= is not a date; true if it was. */
static bool
web_check_date(struct evhttp_request *req, struct evkeyvalq *params)
{
	const char *before = evhttp_find_header(params, "due_before");
	date_t d;

	if (before == NULL || date_parse(before, &d) == 0)
		return true;
	web_text(req, 400, "Bad Request", "due_before must be YYYY-MM-DD");
	return false;
}

/* Send a JSON document with 200. */
static void
web_json(struct evhttp_request *req, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2));
	struct evbuffer *b;

	if (text == NULL || (b = evbuffer_new()) == NULL) {
		free(text);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add_printf(b, "%s\n", text);
	free(text);
	web_reply(req, 200, "OK", "application/json", b);
	evbuffer_free(b);
}

static void
web_windows(struct evhttp_request *req, struct evkeyvalq *params)
{
	json_t *all, *out, *row;
	size_t i;

	if (!web_check_date(req, params))
		return;
	if ((all = list_array(web.cfg, clock_now())) == NULL ||
	    (out = json_array()) == NULL) {
		json_decref(all);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	json_array_foreach(all, i, row)
		if (web_row_wanted(row, params))
			json_array_append(out, row);
	json_decref(all);
	web_json(req, out);
	json_decref(out);
}

/* Send a JSON object {"error": why} with code. */
static void
web_json_error(struct evhttp_request *req, int code, const char *reason,
    const char *why)
{
	struct evbuffer *b = evbuffer_new();
	json_t *o = json_pack("{s:s}", "error", why);
	char *text = o != NULL ? json_dumps(o, 0) : NULL;

	json_decref(o);
	if (b == NULL || text == NULL) {
		free(text);
		if (b != NULL)
			evbuffer_free(b);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add_printf(b, "%s\n", text);
	free(text);
	web_reply(req, code, reason, "application/json", b);
	evbuffer_free(b);
}

/* The timeline of ?case=, as --history CASE --json prints it; 404 when
 * the case is neither configured nor in the outbox. */
static void
web_history(struct evhttp_request *req, struct evkeyvalq *params)
{
	const char *id = evhttp_find_header(params, "case");
	struct history_rows rows;
	json_t *doc;

	if (id == NULL || *id == '\0') {
		web_json_error(req, 400, "Bad Request", "case= is required");
		return;
	}
	if (history_load(web.ob, id, 0, &rows) == -1) {
		web_json_error(req, 503, "Service Unavailable",
		    "the outbox cannot be read");
		return;
	}
	if (rows.n == 0 && config_case_find(web.cfg, id) == NULL)
		web_json_error(req, 404, "Not Found", "no such case");
	else if ((doc = history_json(web.cfg, id, &rows)) == NULL)
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
	else {
		web_json(req, doc);
		json_decref(doc);
	}
	history_rows_free(&rows);
}

/*
 * /calendar.ics
 */

/* Append one content line, folded at 75 octets (never inside a UTF-8
 * sequence) and ended with CRLF, as RFC 5545 3.1 asks. */
static void
web_ics_line(struct evbuffer *b, const char *line)
{
	size_t len = strlen(line), room = WEB_ICS_FOLD, n;

	while (len > room) {
		n = room;
		while (n > 0 && ((unsigned char)line[n] & 0xc0) == 0x80)
			n--;
		evbuffer_add(b, line, n);
		evbuffer_add(b, "\r\n ", 3);
		line += n;
		len -= n;
		room = WEB_ICS_FOLD - 1;
	}
	evbuffer_add(b, line, len);
	evbuffer_add(b, "\r\n", 2);
}

/* s escaped as RFC 5545 TEXT (\\, \;, \, and \n), malloc'd. */
static char *
web_ics_text(const char *s)
{
	char *out = xcalloc(2, strlen(s) + 1), *p = out;

	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ';' || *s == ',') {
			*p++ = '\\';
			*p++ = *s;
		} else if (*s == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else if (*s != '\r')
			*p++ = *s;
	}
	return out;
}

/* Append "NAME:" and the escaped text as one folded line. */
static void
web_ics_prop(struct evbuffer *b, const char *name, const char *text)
{
	char *esc = web_ics_text(text), *line;

	xasprintf(&line, "%s:%s", name, esc);
	web_ics_line(b, line);
	free(line);
	free(esc);
}

/* A stable UID for window w of case c: sha256(case id NUL window). */
static void
web_ics_uid(const struct case_info *c, const struct window_def *w, char *out,
    size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	size_t a = strlen(c->id), n = strlen(w->name);
	char *key = xcalloc(1, a + n + 2);

	memcpy(key, c->id, a);
	memcpy(key + a + 1, w->name, n);
	SHA256((unsigned char *)key, a + n + 1, md);
	free(key);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(out, len, "%s@deadlined", hex);
}

/* True if case c names receiver (its own notify list, or the default). */
static bool
web_case_notifies(const struct case_info *c, const char *receiver)
{
	size_t n;
	const size_t *idx = config_case_notify(web.cfg, c, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(web.cfg->receivers[idx[i]].name, receiver) == 0)
			return true;
	return false;
}

/* "YYYYMMDD" of day. */
static void
web_ics_date(date_t day, char out[16])
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	snprintf(out, 16, "%04d%02d%02d", y, m, d);
}

/* One VEVENT: the window's deadline day. */
static void
web_ics_event(struct evbuffer *b, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws, int days,
    const char *stamp)
{
	struct outbox_window ow;
	char uid[96], start[16], end[16], dl[DATE_BUFSZ], *s;
	const char *title = w->title != NULL ? w->title : w->name;
	int rev = 0;

	if (outbox_window_get(web.ob, c->id, w->name, &ow) == 1)
		rev = ow.revision;
	web_ics_uid(c, w, uid, sizeof(uid));
	web_ics_date(ws->deadline, start);
	web_ics_date(ws->deadline + 1, end);
	date_format(ws->deadline, dl);
	web_ics_line(b, "BEGIN:VEVENT");
	web_ics_prop(b, "UID", uid);
	evbuffer_add_printf(b,
	    "SEQUENCE:%d\r\nDTSTAMP:%s\r\n"
	    "LAST-MODIFIED:%s\r\nDTSTART;VALUE=DATE:%s\r\n"
	    "DTEND;VALUE=DATE:%s\r\nTRANSP:TRANSPARENT\r\n",
	    rev, stamp, stamp, start, end);
	if (days > 0)
		xasprintf(&s, "%s · %s · %d day%s left", c->id, title, days,
		    days == 1 ? "" : "s");
	else if (days == 0)
		xasprintf(&s, "%s · %s · due today", c->id, title);
	else
		xasprintf(&s, "%s · %s · %d day%s overdue", c->id, title, -days,
		    days == -1 ? "" : "s");
	web_ics_prop(b, "SUMMARY", s);
	free(s);
	xasprintf(&s, "%s%s%s\nCourt: %s\nDeadline: %s (end of day)", c->id,
	    *c->title != '\0' ? " " : "", c->title,
	    *c->court != '\0' ? c->court : "-", dl);
	web_ics_prop(b, "DESCRIPTION", s);
	free(s);
	web_ics_line(b, "END:VEVENT");
}

/* True if window state st passes state= (one of the --list states). */
static bool
web_state_wanted(enum window_status st, struct evkeyvalq *params)
{
	const char *want = evhttp_find_header(params, "state");

	return want == NULL || strcmp(want, deadline_status_name(st)) == 0;
}

static void
web_calendar(struct evhttp_request *req, struct evkeyvalq *params)
{
	const struct config *cfg = web.cfg;
	const char *court = evhttp_find_header(params, "court");
	const char *receiver = evhttp_find_header(params, "receiver");
	struct evbuffer *b = evbuffer_new();
	struct window_state ws;
	enum window_status st;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int days;

	if (b == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	web_ics_line(b, "BEGIN:VCALENDAR");
	web_ics_line(b, "VERSION:2.0");
	web_ics_line(b, "PRODID:-//deadlined//deadlined " VERSION "//EN");
	web_ics_line(b, "CALSCALE:GREGORIAN");
	web_ics_line(b, "METHOD:PUBLISH");
	web_ics_prop(b, "X-WR-CALNAME", "deadlined 期限");
	for (size_t i = 0; i < cfg->ncases; i++) {
		const struct case_info *c = &cfg->cases[i];

		if ((court != NULL && strcmp(c->court, court) != 0) ||
		    (receiver != NULL && !web_case_notifies(c, receiver)))
			continue;
		for (size_t k = 0; k < cfg->nwindows; k++) {
			const struct window_def *w = &cfg->windows[k];

			if (!window_state(cfg, c, w, &ws))
				continue;
			st = web_window(w, &ws, &days);
			if (st != STATUS_CLOSED && web_state_wanted(st, params))
				web_ics_event(b, c, w, &ws, days, stamp);
		}
	}
	web_ics_line(b, "END:VCALENDAR");
	web_reply(req, 200, "OK", "text/calendar; charset=utf-8", b);
	evbuffer_free(b);
}

/*
 * / -- the dashboard: plain HTML, no scripts or external resources.
 */

/* One open window on the dashboard. */
struct web_dash_row {
	const struct case_info *c;
	const struct window_def *w;
	date_t deadline;
	int days;
	enum window_status st;
};

/* Append s with &, <, >, " and ' escaped. */
static void
web_html(struct evbuffer *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			evbuffer_add(b, "&amp;", 5);
			break;
		case '<':
			evbuffer_add(b, "&lt;", 4);
			break;
		case '>':
			evbuffer_add(b, "&gt;", 4);
			break;
		case '"':
			evbuffer_add(b, "&quot;", 6);
			break;
		case '\'':
			evbuffer_add(b, "&#39;", 5);
			break;
		default:
			evbuffer_add(b, s, 1);
		}
	}
}

/* qsort: fewest days left first. */
static int
web_dash_cmp(const void *a, const void *b)
{
	const struct web_dash_row *x = a, *y = b;

	return (x->days > y->days) - (x->days < y->days);
}

/* True if the dashboard's filters (court=, state=) keep a row. */
static bool
web_dash_wanted(const struct web_dash_row *r, struct evkeyvalq *params)
{
	const char *court = evhttp_find_header(params, "court");
	const char *state = evhttp_find_header(params, "state");

	if (court != NULL && *court != '\0' && strcmp(r->c->court, court) != 0)
		return false;
	return state == NULL || *state == '\0' ||
	    strcmp(deadline_status_name(r->st), state) == 0;
}

/* The open windows that pass the filters, sorted by days left; how
 * many. */
static size_t
web_dash_rows(struct evkeyvalq *params, struct web_dash_row **out)
{
	const struct config *cfg = web.cfg;
	struct web_dash_row *rows = NULL, r;
	struct window_state ws;
	size_t n = 0;

	for (size_t i = 0; i < cfg->ncases; i++)
		for (size_t k = 0; k < cfg->nwindows; k++) {
			r.c = &cfg->cases[i];
			r.w = &cfg->windows[k];
			if (!window_state(cfg, r.c, r.w, &ws))
				continue;
			r.st = web_window(r.w, &ws, &r.days);
			r.deadline = ws.deadline;
			if (r.st == STATUS_CLOSED ||
			    !web_dash_wanted(&r, params))
				continue;
			rows = xreallocarray(rows, n + 1, sizeof(*rows));
			rows[n++] = r;
		}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), web_dash_cmp);
	*out = rows;
	return n;
}

/* "&token=..." when the request carried ?token= (a browser that cannot
 * send the header keeps it from page to page), else ""; malloc'd. */
static char *
web_dash_token(struct evkeyvalq *params)
{
	const char *t = evhttp_find_header(params, "token");
	char *enc, *out;

	if (t == NULL || (enc = evhttp_encode_uri(t)) == NULL)
		return xstrdup("");
	xasprintf(&out, "&token=%s", enc);
	free(enc);
	return out;
}

/* A link to the case page of c. */
static void
web_dash_case_link(struct evbuffer *b, const struct case_info *c,
    const char *token)
{
	char *enc = evhttp_encode_uri(c->id);

	evbuffer_add_printf(b, "<a href=\"/case?id=");
	web_html(b, enc != NULL ? enc : "");
	web_html(b, token);
	evbuffer_add_printf(b, "\">");
	web_html(b, c->id);
	evbuffer_add_printf(b, "</a>");
	free(enc);
}

/* One option of a filter's select, selected if it is the current one. */
static void
web_dash_option(struct evbuffer *b, const char *value, const char *label,
    const char *current)
{
	evbuffer_add_printf(b, "<option value=\"");
	web_html(b, value);
	evbuffer_add_printf(b, "\"%s>",
	    current != NULL && strcmp(current, value) == 0 ? " selected" : "");
	web_html(b, label);
	evbuffer_add_printf(b, "</option>");
}

/* The filter form: court and state, sent back as a GET. */
static void
web_dash_filters(struct evbuffer *b, struct evkeyvalq *params)
{
	const char *court = evhttp_find_header(params, "court");
	const char *state = evhttp_find_header(params, "state");
	const char *token = evhttp_find_header(params, "token");
	const struct config *cfg = web.cfg;

	evbuffer_add_printf(b,
	    "<form method=\"get\" action=\"/\">"
	    "<label>法院 <select name=\"court\">");
	web_dash_option(b, "", "全部", court);
	for (size_t i = 0; i < cfg->ncases; i++) {
		size_t k;

		for (k = 0; k < i; k++)
			if (strcmp(cfg->cases[k].court, cfg->cases[i].court) ==
			    0)
				break;
		if (k == i && *cfg->cases[i].court != '\0')
			web_dash_option(b, cfg->cases[i].court,
			    cfg->cases[i].court, court);
	}
	evbuffer_add_printf(b,
	    "</select></label> <label>状态 <select "
	    "name=\"state\">");
	web_dash_option(b, "", "全部", state);
	for (size_t s = 0; s < 4; s++)
		web_dash_option(b, web_states[s], web_state_labels[s], state);
	evbuffer_add_printf(b, "</select></label> ");
	if (token != NULL) {
		evbuffer_add_printf(b,
		    "<input type=\"hidden\" name=\"token\" "
		    "value=\"");
		web_html(b, token);
		evbuffer_add_printf(b, "\">");
	}
	evbuffer_add_printf(b,
	    "<button type=\"submit\">筛选</button>"
	    "</form>\n");
}

/* The table of open windows, each case linked to its page. */
static void
web_dash_windows(struct evbuffer *b, struct evkeyvalq *params)
{
	struct web_dash_row *rows;
	char dl[DATE_BUFSZ], *token = web_dash_token(params);
	size_t n = web_dash_rows(params, &rows);

	evbuffer_add_printf(b, "<h2>未届满的期限（%zu）</h2>\n", n);
	web_dash_filters(b, params);
	evbuffer_add_printf(b,
	    "<table id=\"windows\">\n"
	    "<tr><th>案号</th><th>案件名称</th><th>法院</th><th>期限</th>"
	    "<th>届满日</th><th>剩余天数</th><th>状态</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		const struct web_dash_row *r = &rows[i];

		date_format(r->deadline, dl);
		evbuffer_add_printf(b, "<tr class=\"window%s\" data-window=\"",
		    r->st == STATUS_OVERDUE ? " overdue" : "");
		web_html(b, r->w->name);
		evbuffer_add_printf(b, "\"><td>");
		web_dash_case_link(b, r->c, token);
		evbuffer_add_printf(b, "</td><td>");
		web_html(b, r->c->title);
		evbuffer_add_printf(b, "</td><td>");
		web_html(b, r->c->court);
		evbuffer_add_printf(b, "</td><td>");
		web_html(b, r->w->title != NULL ? r->w->title : r->w->name);
		evbuffer_add_printf(b,
		    "</td><td>%s</td><td>%d</td><td>%s <small>%s</small>"
		    "</td></tr>\n",
		    dl, r->days, web_state_labels[r->st],
		    deadline_status_name(r->st));
	}
	evbuffer_add_printf(b, "</table>\n");
	free(rows);
	free(token);
}

/* A real time in ms in the configured zone (RFC 3339, as --status
 * writes it), or "-". */
static void
web_dash_time(long long ms, char *out, size_t len)
{
	char t[CLOCK_RFC3339_BUFSZ];

	snprintf(out, len, "%s",
	    ms < 0 ? "-" : clock_rfc3339((time_t)(ms / 1000), t));
}

/* The table of receivers, from outbox_stats. */
static void
web_dash_receivers(struct evbuffer *b)
{
	struct outbox_stats st;
	char sent[CLOCK_RFC3339_BUFSZ], fail[CLOCK_RFC3339_BUFSZ];
	char oldest[CLOCK_RFC3339_BUFSZ];

	evbuffer_add_printf(b,
	    "<h2>接收方</h2>\n<table id=\"receivers\">\n<tr><th>名称</th>"
	    "<th>待发送</th><th>最久等待自</th><th>失败</th><th>已取消</th>"
	    "<th>已静默</th><th>最近成功</th><th>最近失败</th><th>原因</th>"
	    "</tr>\n");
	for (size_t i = 0; i < web.cfg->nreceivers; i++) {
		const char *name = web.cfg->receivers[i].name;

		if (outbox_stats(web.ob, name, &st) == -1)
			continue;
		web_dash_time(st.last_sent_ms, sent, sizeof(sent));
		web_dash_time(st.last_failure_ms, fail, sizeof(fail));
		evbuffer_add_printf(b, "<tr%s><td>",
		    st.failed_open > 0 ? " class=\"overdue\"" : "");
		web_html(b, name);
		if (st.oldest_waiting == -1)
			snprintf(oldest, sizeof(oldest), "-");
		else
			clock_rfc3339(st.oldest_waiting, oldest);
		evbuffer_add_printf(b,
		    "</td><td>%lld</td><td>%s</td><td>%lld</td>"
		    "<td>%lld</td><td>%lld</td><td>%s</td><td>%s</td><td>",
		    st.waiting, oldest, st.failed, st.cancelled, st.silenced,
		    sent, fail);
		web_html(b, st.last_failure);
		evbuffer_add_printf(b, "</td></tr>\n");
	}
	evbuffer_add_printf(b, "</table>\n");
}

/* The header every HTML page sends: no script, no resource from
 * anywhere, styles inline only. */
static void
web_html_csp(struct evhttp_request *req)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; "
	    "form-action 'self'");
}

static void
web_dashboard(struct evhttp_request *req, struct evkeyvalq *params)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add_printf(b,
	    "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n"
	    "<head><meta charset=\"utf-8\"><title>deadlined</title>\n"
	    "<style>body{font-family:sans-serif;margin:1em}"
	    "table{border-collapse:collapse}td,th{border:1px solid #ccc;"
	    "padding:2px 6px;text-align:left}.overdue{background:#fdd}"
	    "form{margin:0 0 .5em}"
	    "</style></head>\n<body>\n<h1>deadlined 期限一览</h1>\n");
	web_dash_windows(b, params);
	web_dash_receivers(b);
	evbuffer_add_printf(b, "<p>deadlined %s</p>\n</body>\n</html>\n",
	    VERSION);
	web_html_csp(req);
	web_reply(req, 200, "OK", "text/html; charset=utf-8", b);
	evbuffer_free(b);
}

/*
 * /case -- a case's page: its evidence report, with a link back.
 */

/* The report of case id into a new buffer; *rc as report_write. */
static struct evbuffer *
web_case_report(const char *id, enum report_lang lang, const char *back,
    int *rc)
{
	struct evbuffer *b;
	size_t len = 0;
	char *text = NULL;
	FILE *fp;

	*rc = -1;
	if ((fp = open_memstream(&text, &len)) == NULL)
		return NULL;
	*rc = report_write(web.cfg, web.ob, id, lang, back, fp);
	if (fclose(fp) == EOF)
		*rc = -1;
	if (*rc != 0 || (b = evbuffer_new()) == NULL) {
		free(text);
		return NULL;
	}
	evbuffer_add(b, text, len);
	free(text);
	return b;
}

static void
web_case(struct evhttp_request *req, struct evkeyvalq *params)
{
	const char *id = evhttp_find_header(params, "id");
	const char *lang_s = evhttp_find_header(params, "lang");
	enum report_lang lang = REPORT_ZH;
	struct evbuffer *b;
	char *token, *back;
	int rc;

	if (id == NULL || *id == '\0' ||
	    (lang_s != NULL && report_lang_parse(lang_s, &lang) == -1)) {
		web_text(req, 400, "Bad Request", "/case?id=CASE[&lang=zh|en]");
		return;
	}
	token = web_dash_token(params);
	xasprintf(&back, "/%s%s", *token != '\0' ? "?" : "",
	    *token != '\0' ? token + 1 : "");
	b = web_case_report(id, lang, back, &rc);
	free(back);
	free(token);
	if (rc == 1)
		web_text(req, 404, "Not Found", "no such case");
	else if (b == NULL)
		web_text(req, 503, "Service Unavailable",
		    "the outbox cannot be read");
	else {
		web_html_csp(req);
		web_reply(req, 200, "OK", "text/html; charset=utf-8", b);
		evbuffer_free(b);
	}
}

/*
 * Dispatch, start and stop.
 */

static const struct web_route {
	const char *path;
	void (*fn)(struct evhttp_request *, struct evkeyvalq *);
} web_routes[] = {
    {"/healthz", web_healthz},
    {"/metrics", web_metrics},
    {"/api/windows", web_windows},
    {"/api/history", web_history},
    {"/case", web_case},
    {"/calendar.ics", web_calendar},
    {"/", web_dashboard},
};

/* Every request: GET only, the token, then the route. */
static void
web_request_cb(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyvalq params;

	(void)arg;
	TAILQ_INIT(&params);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET");
		web_text(req, 405, "Method Not Allowed", "only GET");
		return;
	}
	if (query != NULL && evhttp_parse_query_str(query, &params) == -1) {
		web_text(req, 400, "Bad Request", "malformed query");
		return;
	}
	if (!web_authorized(req, &params)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"deadlined\"");
		web_text(req, 401, "Unauthorized", "a token is required");
	} else {
		size_t i;

		for (i = 0; i < sizeof(web_routes) / sizeof(web_routes[0]); i++)
			if (path != NULL &&
			    strcmp(path, web_routes[i].path) == 0)
				break;
		if (i < sizeof(web_routes) / sizeof(web_routes[0]))
			web_routes[i].fn(req, &params);
		else
			web_text(req, 404, "Not Found", "no such page");
	}
	evhttp_clear_headers(&params);
}

int
web_start(struct event_base *base, const struct config *cfg, struct outbox *ob)
{
	web.cfg = cfg;
	web.ob = ob;
	web.loaded = time(NULL);
	web.reload_ok = true;
	web.plan_ok = true;
	if (cfg->http_host == NULL)
		return 0;
	if ((web.http = evhttp_new(base)) == NULL)
		return -1;
	evhttp_set_max_headers_size(web.http, WEB_MAX_HEADERS);
	evhttp_set_max_body_size(web.http, WEB_MAX_BODY);
	evhttp_set_timeout(web.http, WEB_TIMEOUT);
	evhttp_set_allowed_methods(web.http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	        EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
	        EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(web.http, web_request_cb, NULL);
	if (evhttp_bind_socket(web.http, cfg->http_host,
	        (ev_uint16_t)cfg->http_port) == -1) {
		log_warn("http: cannot listen on %s port %d", cfg->http_host,
		    cfg->http_port);
		evhttp_free(web.http);
		web.http = NULL;
		return -1;
	}
	web.host = xstrdup(cfg->http_host);
	web.port = cfg->http_port;
	if (cfg->http_token != NULL)
		web.token = xstrdup(cfg->http_token);
	log_info("http: listening on %s port %d%s", web.host, web.port,
	    web.token != NULL ? " (token required)" : "");
	return 0;
}

void
web_set_config(const struct config *cfg)
{
	web.cfg = cfg;
	if (web.http == NULL) {
		if (cfg->http_host != NULL)
			log_warnx("http.listen was added: it takes effect at "
			          "the next start");
		return;
	}
	if (cfg->http_host == NULL || strcmp(cfg->http_host, web.host) != 0 ||
	    cfg->http_port != web.port)
		log_warnx("http.listen changed: it takes effect at the next "
		          "start; still listening on %s port %d",
		    web.host, web.port);
	if (cfg->http_token != NULL) {
		web_token_free();
		web.token = xstrdup(cfg->http_token);
	} else if (web_loopback(web.host))
		web_token_free();
	else if (web.token != NULL)
		log_warnx("http.token_file was removed: keeping the old token "
		          "while listening on %s",
		    web.host);
}

void
web_reloaded(bool ok, size_t nerrors)
{
	web.loaded = time(NULL);
	web.reload_ok = ok;
	web.config_errs = ok ? 0 : nerrors;
}

void
web_set_plan_ok(bool ok)
{
	web.plan_ok = ok;
}

void
web_stop(void)
{
	if (web.http != NULL)
		evhttp_free(web.http);
	web.http = NULL;
	free(web.host);
	web.host = NULL;
	web_token_free();
}
