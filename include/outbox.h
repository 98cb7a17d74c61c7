/*
 * outbox.h -- the SQLite outbox: every alert, every delivery and its
 * outcome, and what has been announced about each window.
 *
 * A delivery row is written (and committed) before anything is sent and
 * marked after, so a crash can cause a resend, never a loss.  The database
 * is also the audit trail: who was told what, when, and what they said.
 */
#ifndef DEADLINED_OUTBOX_H
#define DEADLINED_OUTBOX_H

#include <stdbool.h>
#include <time.h>

#include "date.h"

struct outbox;

/* What was last announced about a window. */
struct outbox_window {
	date_t opened;
	date_t deadline;
	bool closed;
};

/* A delivery waiting to be sent. */
struct outbox_pending {
	const char *alert_id;
	const char *receiver;
	int attempts;
	const char *payload; /* the alert object, JSON */
	time_t due_at;
};

/* Open (creating if needed) dir/outbox.db; NULL with a logged error. */
struct outbox *outbox_open(const char *dir);

/* Close the database; NULL is fine. */
void outbox_close(struct outbox *ob);

/* Group the writes that follow into one transaction; 0 or -1. */
int outbox_begin(struct outbox *ob);
int outbox_commit(struct outbox *ob);

/* Abandon the transaction outbox_begin started; 0 or -1. */
int outbox_rollback(struct outbox *ob);

/* What was announced about a window: 1 found, 0 never seen, -1 error. */
int outbox_window_get(struct outbox *ob, const char *case_id,
    const char *window, struct outbox_window *out);

/* Record what is now known about a window; 0 or -1. */
int outbox_window_put(struct outbox *ob, const char *case_id,
    const char *window, const struct outbox_window *w);

/* 1 if alert_id is already queued or sent to receiver, 0 if not, -1. */
int outbox_has(struct outbox *ob, const char *alert_id, const char *receiver);

/* Queue alert_id for receiver, to be sent from not_before on; the alert
 * row is written once.  1 if queued, 0 if it already was, -1 on error. */
int outbox_add(struct outbox *ob, const char *alert_id, const char *case_id,
    const char *window, const char *kind, time_t due_at, const char *payload,
    const char *receiver, time_t now, time_t not_before);

/* Cancel the timed alerts (reminder, due, overdue) of a window still
 * waiting to be sent, noting why: they would speak of a deadline that no
 * longer stands.  How many were cancelled, or -1. */
int outbox_cancel_timed(struct outbox *ob, const char *case_id,
    const char *window, const char *why);

/* Call fn for each pending delivery whose next try is at or before now,
 * oldest first, until fn returns non-zero; 0 or -1. */
int outbox_pending(struct outbox *ob, time_t now,
    int (*fn)(const struct outbox_pending *, void *), void *arg);

/* The earliest next try after `after` of a pending delivery, or -1.
 * (Those already due are in flight or wait for a transfer to end.) */
time_t outbox_next_try(struct outbox *ob, time_t after);

/* Record an outcome; status is the HTTP or SMTP code (0 if none). */
int outbox_mark_sent(struct outbox *ob, const char *alert_id,
    const char *receiver, time_t now, long status);
int outbox_mark_retry(struct outbox *ob, const char *alert_id,
    const char *receiver, time_t now, time_t next_try, long status,
    const char *error);
int outbox_mark_failed(struct outbox *ob, const char *alert_id,
    const char *receiver, time_t now, long status, const char *error);

/* Queue receiver's failed and waiting deliveries again, at once and with
 * a fresh count of attempts: those of windows still open (of case_id
 * only, unless NULL) that are still true, i.e. speak of the window's
 * current deadline, and of its timed alerts only the latest.  How many
 * were queued again, or -1. */
int outbox_requeue(struct outbox *ob, const char *receiver, const char *case_id,
    time_t now);

/* Call fn with each receiver that has a delivery waiting, until fn
 * returns non-zero; 0 or -1. */
int outbox_waiting_receivers(struct outbox *ob,
    int (*fn)(const char *receiver, void *), void *arg);

/* Cancel every delivery waiting for receiver, noting why; how many, or
 * -1. */
int outbox_cancel_receiver(struct outbox *ob, const char *receiver,
    const char *why);

#endif
