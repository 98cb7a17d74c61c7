/*
 * admin.h -- notices to the administrators: the main configuration's
 * `admin` receivers are told what would otherwise only be in the log.
 *
 * A notice is an alert of kind "admin" in the outbox (its case_id and
 * window are ""), so it is durable, retried, rate-limited and digested
 * like any other alert.  Its object, in the webhook's "alerts" array:
 *
 *   { "id": "...", "kind": "admin",
 *     "admin": { "event": "delivery_failed", "text": "...", ...details } }
 *
 * "text" is one line of English for the log; the channels write their
 * own words from the event and the details (message.c).  A notice's id
 * is made from its event and a subject id, so a notice queued again (at
 * a restart, say) is sent once.  With no admin receivers, nothing is
 * queued: the log line that goes with every event is all there is.
 */
#ifndef DEADLINED_ADMIN_H
#define DEADLINED_ADMIN_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "outbox.h"

#define ADMIN_KIND "admin" /* the alerts.kind of a notice */

/* The events, as the "event" member says them. */
#define ADMIN_DELIVERY_FAILED    "delivery_failed"
#define ADMIN_RELOAD_FAILED      "reload_failed"
#define ADMIN_CALENDAR_UNCOVERED "calendar_uncovered"
#define ADMIN_CASE_REMOVED       "case_removed"
#define ADMIN_RECIPIENTS_REFUSED "recipients_refused"

/*
 * Queue a notice of event for every admin receiver of cfg, held for its
 * group_wait.  subject_id names what the notice is about (for
 * case_removed: the case id): the same event and subject_id make the
 * same notice, queued once.  text is one line of English, never a
 * secret.  How many deliveries were queued (0 when there are no admin
 * receivers or all had it), or -1 on an outbox error.
 */
int admin_notice(struct outbox *ob, const struct config *cfg, const char *event,
    const char *subject_id, const char *text, time_t now);

/* As admin_notice, with the members of the object details (borrowed;
 * NULL for none) added to the notice's "admin" object. */
int admin_notice_details(struct outbox *ob, const struct config *cfg,
    const char *event, const char *subject_id, const char *text,
    json_t *details, time_t now);

/* A delivery of alert (its object) to receiver failed for good with
 * error (the provider's reason).  Returns as admin_notice. */
int admin_delivery_failed(struct outbox *ob, const struct config *cfg,
    json_t *alert, const char *receiver, long status, const char *error,
    time_t now);

/* The SMTP server of receiver refused some recipients of message (its
 * Idempotency-Key), which went to the others; refused says which and
 * why ("addr: reply; ...").  Returns as admin_notice. */
int admin_recipients_refused(struct outbox *ob, const struct config *cfg,
    const char *receiver, const char *message, const char *refused, time_t now);

/* A reload of cfg->path was rejected with errs; cfg is the configuration
 * still running.  Returns as admin_notice. */
int admin_reload_failed(struct outbox *ob, const struct config *cfg,
    const struct config_errors *errs, time_t now);

/* Each year in which an open window's deadline falls that the holiday
 * calendar does not cover: once per year and revision of the calendar.
 * Returns as admin_notice. */
int admin_calendar_uncovered(struct outbox *ob, const struct config *cfg,
    time_t now);

/* True if alert (an alert object) is an administrators' notice. */
bool admin_is_notice(json_t *alert);

#endif
