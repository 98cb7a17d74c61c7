/*
 * alert.h -- what an alert says, and its stable id.
 *
 * An alert is stored in the outbox as a JSON object, exactly the element
 * of the webhook body's "alerts" array:
 *
 *   { "id": "...", "kind": "reminder", "days_left": 3,
 *     "case":   { "id": "...", "title": "...", "court": "..." },
 *     "window": { "name": "decision", "title": "...",
 *                 "opened": "2025-07-03", "days": 7, "extended": false,
 *                 "deadline": "2025-07-10",
 *                 "deadline_at": "2025-07-10T23:59:59+08:00",
 *                 "provisional": false } }
 *
 * "provisional" is true when the deadline falls in a year the holiday
 * calendar does not cover yet, so it may move later (window.h).  Objects
 * stored before the field existed lack it; readers take that as false.
 *
 * Announcements add what changed: "previous_deadline" in the window
 * (extended, moved), "closed_by" and "closed_on" (closed) with
 * "follow_up", the windows that closing event opens ([{"name", "title"}]),
 * "reopened": true (opened again after a closing event was removed) and
 * "calendar_changed": true (a deadline that moved with the holiday
 * calendar, no event of the case having changed).
 *
 * Channels (webhook.c, email.c) read these objects; they never see the
 * configuration's cases, so an alert reads the same whenever it is sent.
 */
#ifndef DEADLINED_ALERT_H
#define DEADLINED_ALERT_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "deadline.h"

#define ALERT_ID_LEN 32 /* hex characters */

/* The stable id of (case, window, kind, deadline day, occurrence) into
 * id (ALERT_ID_LEN + 1 bytes). */
void alert_id(const char *case_id, const char *window, enum alert_kind kind,
    date_t deadline, int occurrence, char *id);

/* The stable id of an administrators' notice (admin.h): the event and
 * what it is about, into id (ALERT_ID_LEN + 1 bytes). */
void alert_admin_id(const char *event, const char *subject_id, char *id);

/* The id of delivering alert id to receiver: the Idempotency-Key. */
void alert_delivery_id(const char *id, const char *receiver, char *out);

/* What an announcement says changed; all zero for a timed alert. */
struct alert_change {
	bool has_previous;
	date_t previous_deadline;
	bool reopened;
	bool calendar; /* the deadline moved with the holiday calendar */
	const struct window_def *const *follow_up; /* opened by closed_by */
	size_t nfollow_up;
};

/* The alert object for a window of a case; days_left counts from today;
 * chg may be NULL.  Returns a new reference. */
json_t *alert_payload(const char *id, enum alert_kind kind,
    const struct case_info *c, const struct window_def *w,
    const struct window_state *ws, date_t today,
    const struct alert_change *chg);

/* The same object with no change (chg NULL) as JSON text, exactly as
 * json_dumps(alert_payload(...), JSON_COMPACT) writes it, without
 * building it: a new string, or NULL if a string of it is not UTF-8
 * (json_string refuses it). */
char *alert_text(const char *id, enum alert_kind kind,
    const struct case_info *c, const struct window_def *w,
    const struct window_state *ws, date_t today);

/* Make a stored alert speak as of today: its days_left counted again
 * from its window's deadline (a delivery that leaves on a later day
 * than it was queued, after an outage, says where things stand now).
 * True if that changed it. */
bool alert_refresh(json_t *alert, date_t today);

#endif
