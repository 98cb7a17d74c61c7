/*
 * admin.c -- notices to the administrators (see admin.h).
 *
 * Each notice is queued like an alert, one delivery per admin receiver,
 * so that the delivery path (deliver.c) sends, retries, rate-limits and
 * digests it without knowing what it says.  The one thing deliver.c does
 * know is that a notice that fails is only logged: telling the admin
 * receivers that telling them failed would loop.
 *
 * Ids: a failed delivery is a notice per failure (the alert, the
 * receiver and the moment), a rejected reload one per reload, and an
 * uncovered year one per year and revision of the calendar (a hash of
 * its days), so restarts do not repeat it but a new calendar that still
 * leaves the year out says so again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "alert.h"
#include "buf.h"
#include "log.h"
#include "window.h"

#define ADMIN_ERRORS_MAX 10 /* errors of a rejected reload in a notice */

/* The notice object as a new JSON string. */
static char *
admin_payload(const char *id, const char *event, const char *subject_id,
    const char *text, json_t *details)
{
	json_t *obj, *admin;
	char *s;

	if ((admin = json_pack("{s:s, s:s}", "event", event, "text", text)) ==
	        NULL ||
	    (details != NULL && json_object_update(admin, details) == -1) ||
	    /* A removed case's id is what the notice is about. */
	    (strcmp(event, ADMIN_CASE_REMOVED) == 0 &&
	        json_object_get(admin, "case") == NULL &&
	        json_object_set_new(admin, "case", json_string(subject_id)) ==
	            -1) ||
	    (obj = json_pack("{s:s, s:s, s:o}", "id", id, "kind", ADMIN_KIND,
	         "admin", admin)) == NULL)
		fatalx("json_pack: admin notice %s", event);
	if ((s = json_dumps(obj, JSON_COMPACT)) == NULL)
		fatalx("json_dumps: admin notice %s", event);
	json_decref(obj);
	return s;
}

int
admin_notice_details(struct outbox *ob, const struct config *cfg,
    const char *event, const char *subject_id, const char *text,
    json_t *details, time_t now)
{
	char id[ALERT_ID_LEN + 1], *payload;
	const struct receiver *r;
	int rc, queued = 0, failed = 0;

	if (cfg->nadmin == 0)
		return 0;
	alert_admin_id(event, subject_id, id);
	payload = admin_payload(id, event, subject_id, text, details);
	if (outbox_begin(ob) == -1) {
		free(payload);
		return -1;
	}
	for (size_t i = 0; i < cfg->nadmin; i++) {
		r = &cfg->receivers[cfg->admin[i]];
		if ((rc = outbox_add(ob, id, "", "", ADMIN_KIND, now, payload,
		         r->name, now, now + r->group_wait)) == -1)
			failed = 1;
		else if (rc == 1) {
			queued++;
			log_debug("queued admin notice %s for %s", event,
			    r->name);
		}
	}
	free(payload);
	if (outbox_commit(ob) == -1 || failed) {
		log_warnx("admin notice %s: not queued", event);
		return -1;
	}
	return queued;
}

int
admin_notice(struct outbox *ob, const struct config *cfg, const char *event,
    const char *subject_id, const char *text, time_t now)
{
	return admin_notice_details(ob, cfg, event, subject_id, text, NULL,
	    now);
}

int
admin_delivery_failed(struct outbox *ob, const struct config *cfg,
    json_t *alert, const char *receiver, long status, const char *error,
    time_t now)
{
	const char *id = "", *kind = "", *case_id = "", *window = "";
	const char *deadline = "";
	char subject[256], *text;
	json_t *details;
	int rc;

	json_unpack(alert, "{s?s, s?s, s?{s?s}, s?{s?s, s?s}}", "id", &id,
	    "kind", &kind, "case", "id", &case_id, "window", "name", &window,
	    "deadline", &deadline);
	snprintf(subject, sizeof(subject), "%s\n%s\n%lld", id, receiver,
	    (long long)now);
	if (asprintf(&text,
	        "delivery of %s for case %s window %s to %s failed for good: "
	        "%s",
	        kind, case_id, window, receiver, error) == -1)
		fatal("asprintf");
	if ((details = json_pack("{s:s, s:s, s:I, s:{s:s, s:s, s:s, s:s, s:s}}",
	         "receiver", receiver, "error", error, "status",
	         (json_int_t)status, "alert", "id", id, "kind", kind, "case",
	         case_id, "window", window, "deadline", deadline)) == NULL)
		fatalx("json_pack: admin notice");
	rc = admin_notice_details(ob, cfg, ADMIN_DELIVERY_FAILED, subject, text,
	    details, now);
	json_decref(details);
	free(text);
	return rc;
}

int
admin_recipients_refused(struct outbox *ob, const struct config *cfg,
    const char *receiver, const char *message, const char *refused, time_t now)
{
	char subject[256], *text;
	json_t *details;
	int rc;

	snprintf(subject, sizeof(subject), "%s\n%s", message, receiver);
	if (asprintf(&text,
	        "the SMTP server of %s refused recipients (not tried again; "
	        "the others got the message %s): %s",
	        receiver, message, refused) == -1)
		fatal("asprintf");
	if ((details = json_pack("{s:s, s:s, s:s}", "receiver", receiver,
	         "refused", refused, "message", message)) == NULL)
		fatalx("json_pack: admin notice");
	rc = admin_notice_details(ob, cfg, ADMIN_RECIPIENTS_REFUSED, subject,
	    text, details, now);
	json_decref(details);
	free(text);
	return rc;
}

int
admin_reload_failed(struct outbox *ob, const struct config *cfg,
    const struct config_errors *errs, time_t now)
{
	struct buf b = {NULL, 0, 0};
	size_t shown = errs->n < ADMIN_ERRORS_MAX ? errs->n : ADMIN_ERRORS_MAX;
	char subject[64], *text;
	json_t *details, *list;
	int rc;

	if ((list = json_array()) == NULL)
		fatalx("json_array");
	buf_printf(&b,
	    "reload of %s rejected with %zu error%s; still running on the "
	    "previous configuration:",
	    cfg->path, errs->n, errs->n == 1 ? "" : "s");
	for (size_t i = 0; i < shown; i++) {
		buf_printf(&b, "%s %s", i == 0 ? "" : ";", errs->msgs[i]);
		if (json_array_append_new(list, json_string(errs->msgs[i])) ==
		    -1)
			fatalx("json_array_append_new");
	}
	if (shown < errs->n)
		buf_printf(&b, "; and %zu more", errs->n - shown);
	text = buf_take(&b);
	if ((details = json_pack("{s:s, s:o, s:I}", "config", cfg->path,
	         "errors", list, "more", (json_int_t)(errs->n - shown))) ==
	    NULL)
		fatalx("json_pack: admin notice");
	snprintf(subject, sizeof(subject), "%lld", (long long)now);
	rc = admin_notice_details(ob, cfg, ADMIN_RELOAD_FAILED, subject, text,
	    details, now);
	json_decref(details);
	free(text);
	return rc;
}

/* The revision of cfg's calendar: a hash of its weekend and its days. */
static void
admin_calendar_revision(const struct config *cfg, char *rev)
{
	const struct calendar *cal = &cfg->calendar;
	struct buf b = {NULL, 0, 0};
	char *s;

	buf_printf(&b, "weekend %u; holidays", cal->weekend);
	for (size_t i = 0; i < cal->nholidays; i++)
		buf_printf(&b, " %ld", (long)cal->holidays[i]);
	buf_printf(&b, "; workdays");
	for (size_t i = 0; i < cal->nworkdays; i++)
		buf_printf(&b, " %ld", (long)cal->workdays[i]);
	s = buf_take(&b);
	alert_admin_id("calendar", s, rev);
	free(s);
}

/* What admin_calendar_uncovered passes window_uncovered_years. */
struct admin_uncovered {
	struct outbox *ob;
	const struct config *cfg;
	time_t now;
	char rev[ALERT_ID_LEN + 1];
	int queued;
	bool failed;
};

/* window_uncovered_years callback: one notice for the year. */
static void
admin_uncovered_year(int year, size_t windows, void *arg)
{
	struct admin_uncovered *u = arg;
	char subject[64], text[512];
	json_t *details;
	int rc;

	snprintf(subject, sizeof(subject), "%d %s", year, u->rev);
	window_uncovered_message(year, windows, text, sizeof(text));
	if ((details = json_pack("{s:i, s:I}", "year", year, "windows",
	         (json_int_t)windows)) == NULL)
		fatalx("json_pack: admin notice");
	rc = admin_notice_details(u->ob, u->cfg, ADMIN_CALENDAR_UNCOVERED,
	    subject, text, details, u->now);
	json_decref(details);
	if (rc == -1)
		u->failed = true;
	else
		u->queued += rc;
}

int
admin_calendar_uncovered(struct outbox *ob, const struct config *cfg,
    time_t now)
{
	struct admin_uncovered u = {.ob = ob, .cfg = cfg, .now = now};

	if (cfg->nadmin == 0)
		return 0;
	admin_calendar_revision(cfg, u.rev);
	window_uncovered_years(cfg, admin_uncovered_year, &u);
	return u.failed ? -1 : u.queued;
}

bool
admin_is_notice(json_t *alert)
{
	const char *kind = json_string_value(json_object_get(alert, "kind"));

	return kind != NULL && strcmp(kind, ADMIN_KIND) == 0;
}
