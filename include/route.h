/*
 * route.h -- who hears of an alert: receivers' kinds, escalation steps,
 * and acknowledgements that pause overdue repeats.
 *
 * The pure parts (route_takes, route_steps_reached, route_receivers,
 * route_ack, route_next_alert, route_last_alert) read the configuration
 * and a worked-out window only; the planner (schedule.c) adds what the
 * outbox knows (who was already escalated to), --list shows the rest.
 */
#ifndef DEADLINED_ROUTE_H
#define DEADLINED_ROUTE_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "deadline.h"
#include "loader.h"

/* Every window alert kind: a receiver's default `kinds`. */
#define ROUTE_KINDS_ALL ((1u << (ALERT_REMOVED + 1)) - 1)

/* Default days an acknowledgement pauses overdue repeats. */
#define ROUTE_ACK_DAYS 7

/* Read receiver r's `kinds` in group g (what names it in errors). */
void route_kinds(struct loader *ld, const config_setting_t *g,
    struct receiver *r, const char *what);

/* Read the global `escalate` of root and each window's own (windows
 * without one take the global steps); receivers must be loaded. */
void route_escalate_load(struct loader *ld, const config_setting_t *root);

/* Read a case's `acknowledged` and `acknowledged_by` from group g. */
void route_ack_load(struct loader *ld, const config_setting_t *g,
    struct case_info *c, const char *what);

/* True if receiver r takes alerts of kind. */
bool route_takes(const struct receiver *r, enum alert_kind kind);

/* How many steps of e a window overdue overdue_days days has reached. */
size_t route_steps_reached(const struct escalation *e, int overdue_days);

/*
 * The receivers of an alert of kind about window w of case c, a window
 * overdue overdue_days days on the alert's day (0 or less: not overdue),
 * into out (room for cfg->nreceivers): first the case's receivers, then
 * (from *nbase on) those the window's reached escalation steps add, each
 * once, every one taking kind.  Escalation adds receivers to overdue
 * alerts only, unless all_steps (announcements, which go to each step's
 * receivers that heard of the window: the caller checks that).  How many.
 */
size_t route_receivers(const struct config *cfg, const struct case_info *c,
    const struct window_def *w, enum alert_kind kind, int overdue_days,
    bool all_steps, size_t *out, size_t *nbase);

/* Note on ws whether case c's acknowledgement pauses its overdue alerts
 * (it does for a window whose deadline is before the acknowledgement)
 * and from when through when; rem gives ack_days. */
void route_ack(const struct case_info *c, const struct reminders *rem,
    struct window_state *ws);

/* deadline_next_alert and deadline_last_alert, without the overdue
 * alerts an acknowledgement pauses: the next is the first after the
 * pause; during it nothing overdue is due, not even a catch-up. */
bool route_next_alert(const struct window_state *ws,
    const struct reminders *rem, date_t from, struct timed_alert *out);
bool route_last_alert(const struct window_state *ws,
    const struct reminders *rem, date_t upto, struct timed_alert *out);

#endif
