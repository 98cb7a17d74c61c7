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

#define OUTBOX_NAME_MAX 128 /* an event name kept with a window */

/* What was last announced about a window. */
struct outbox_window {
	date_t opened;
	date_t deadline;
	bool closed;
	int revision; /* announcements made, less one; part of their ids */
	int extended; /* 1 or 0; -1 when not known (a version 1 outbox) */
	char closed_by[OUTBOX_NAME_MAX]; /* the closing event, if closed */
	date_t closed_on;
	bool removed; /* the case or window is no longer configured */
};

/* Where a delivery stands in its receiver's queue: ordered by next try,
 * then by when it was queued. */
struct outbox_cursor {
	time_t next_try;
	long long id; /* the delivery's */
};

/* A delivery waiting to be sent. */
struct outbox_pending {
	const char *alert_id;
	const char *receiver;
	int attempts;
	const char *payload; /* the alert object, JSON */
	time_t due_at;
	struct outbox_cursor at; /* outbox_due only: */
	const char *message;     /* the message it last went out in, or NULL */
	int message_size;        /* how many alerts that message carried */
};

/* Have fn called with what goes on ("migrating the outbox to schema
 * version 4") as a migration begins and every few seconds while it runs
 * (a large outbox takes minutes); NULL: nobody is told. */
void outbox_on_progress(void (*fn)(const char *what));

/* Open (creating if needed) dir/outbox.db; NULL with a logged error. */
struct outbox *outbox_open(const char *dir);

/* A private copy in memory of dir/outbox.db (read-only, no lock taken;
 * empty when there is none yet), for a dry run: writes to it change
 * nothing on disk.  NULL with a logged error. */
struct outbox *outbox_open_copy(const char *dir);

/* Close the database; NULL is fine. */
void outbox_close(struct outbox *ob);

/* Nothing is under way: write the WAL back into the database (as far
 * as readers let it) and give back the page cache a burst grew.  An
 * error is only logged (with -v): the WAL keeps every row, and the next
 * checkpoint tries again. */
void outbox_idle(struct outbox *ob);

/* Group the writes that follow into one transaction; 0 or -1. */
int outbox_begin(struct outbox *ob);

/* The same for a transaction that writes rows all over the database (a
 * planning pass): the page cache may grow to 128 MiB until it ends. */
int outbox_begin_bulk(struct outbox *ob);
int outbox_commit(struct outbox *ob);

/* Abandon the transaction outbox_begin started; 0 or -1. */
int outbox_rollback(struct outbox *ob);

/* What was announced about a window: 1 found, 0 never seen, -1 error. */
int outbox_window_get(struct outbox *ob, const char *case_id,
    const char *window, struct outbox_window *out);

/* Record what is now known about a window; 0 or -1. */
int outbox_window_put(struct outbox *ob, const char *case_id,
    const char *window, const struct outbox_window *w);

/* Call fn(case_id, window, w, arg) for each of up to limit windows not
 * marked removed that come after *after (0: from the first), in the
 * order they were first recorded, until fn returns non-zero; *after is
 * left at the last one read, so that the next call goes on from there.
 * 1 if limit windows were read (there may be more), 0 if that was the
 * last of them (or fn stopped), -1 on error.  fn must not write the
 * outbox. */
int outbox_windows_live(struct outbox *ob, long long *after, size_t limit,
    int (*fn)(const char *, const char *, const struct outbox_window *, void *),
    void *arg);

/* Call fn(receiver, arg) for each receiver that was ever queued an
 * alert of the window (with sent, only those that one was delivered
 * to), until fn returns non-zero; 0 or -1. */
int outbox_window_receivers(struct outbox *ob, const char *case_id,
    const char *window, bool sent, int (*fn)(const char *, void *), void *arg);

/* The payload of the window's latest alert into *payload (malloc'd):
 * 1 found, 0 none, -1 error. */
int outbox_window_payload(struct outbox *ob, const char *case_id,
    const char *window, char **payload);

/* Cancel every delivery of the window still waiting, noting why: how
 * many, or -1. */
int outbox_cancel_window(struct outbox *ob, const char *case_id,
    const char *window, const char *why);

/* Cancel the timed alerts of the window still waiting for receiver,
 * but alert_id, which says where the window stands now: how many, -1. */
int outbox_supersede(struct outbox *ob, const char *case_id, const char *window,
    const char *receiver, const char *alert_id, const char *why);

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

/* Call fn for at most limit pending deliveries of receiver due by now
 * that stand after `after` in its queue (NULL: from the start), in queue
 * order, until fn returns non-zero; 0 or -1.  Served by an index on
 * (receiver, next_try), so a call costs what it returns. */
int outbox_due(struct outbox *ob, const char *receiver, time_t now,
    const struct outbox_cursor *after, size_t limit,
    int (*fn)(const struct outbox_pending *, void *), void *arg);

/* Note that delivery (its id, outbox_pending's at.id) goes out in
 * message (its Idempotency-Key) of size alerts, before it is sent; 0 or
 * -1. */
int outbox_mark_message(struct outbox *ob, long long delivery,
    const char *message, int size);

#define OUTBOX_ID_LEN 32 /* an alert id, hex */

/* One attempt to send a message: the record a creditor's lawyer shows. */
struct outbox_attempt {
	const char *receiver;
	const char *message;  /* its Idempotency-Key */
	long long started_ms; /* real time, never the --now clock */
	long long duration_ms;
	const char *result;     /* "sent", "retry" or "failed" */
	long status;            /* HTTP or SMTP code, 0 if none */
	const char *detail;     /* the provider's answer or the error */
	const char *subject;    /* e-mail: the subject, */
	const char *recipients; /* the addresses, */
	const char *message_id; /* and the Message-ID */
	const char *body;       /* what was sent, when it is small */
	const char *body_sha256;
	long long clock_shift; /* seconds --now shifted the daemon's clock */
	const char *refused;   /* e-mail: "addr: reply; ..." refused, or NULL */
};

/* Record an attempt and the n deliveries it carried (each its alert's
 * id and its own); 0 or -1. */
int outbox_attempt(struct outbox *ob, const struct outbox_attempt *a,
    const char (*alert_ids)[OUTBOX_ID_LEN + 1], const long long *deliveries,
    size_t n);

/* Where a receiver's deliveries stand, for --status. */
struct outbox_stats {
	long long waiting;
	time_t oldest_waiting; /* when it was queued (daemon clock), or -1 */
	long long failed;
	long long failed_open; /* of windows still open: worth a --resend */
	long long cancelled;
	long long silenced;        /* timed alerts not sent under a silence */
	long long last_sent_ms;    /* real time, or -1 */
	long long last_failure_ms; /* real time, or -1 */
	char last_failure[512];    /* why */
};

/* The stats of receiver into out; 0 or -1. */
int outbox_stats(struct outbox *ob, const char *receiver,
    struct outbox_stats *out);

/* Call fn(receiver, state, count, oldest, arg) for each receiver and
 * delivery state, oldest being the earliest queueing time (daemon clock)
 * of those deliveries; one GROUP BY query.  0 or -1. */
int outbox_deliveries(struct outbox *ob,
    void (*fn)(const char *, const char *, long long, time_t, void *),
    void *arg);

/* One delivery of an alert, with one of its attempts (if any). */
struct outbox_history {
	const char *case_id, *window, *kind, *alert_id;
	time_t queued; /* daemon clock */
	const char *receiver, *state, *why;
	bool has_attempt;
	long long started_ms, duration_ms; /* real time */
	const char *result, *detail, *message;
	long status;
	long long clock_shift;
	const char *refused; /* of the attempt: addresses refused, or NULL */
	const char *subject, *recipients, *message_id; /* e-mail, or NULL */
};

/* Call fn for every delivery (and each of its attempts) of the alerts of
 * case_id (NULL: every case) queued at or after since, by case, then in
 * the order they were queued; 0 or -1. */
int outbox_history(struct outbox *ob, const char *case_id, time_t since,
    int (*fn)(const struct outbox_history *, void *), void *arg);

/* How long a statement may wait for another process's lock before it
 * fails with an error (the daemon keeps this short and retries on its
 * loop, so that nothing blocks it); the default is 5000 ms. */
void outbox_busy_ms(struct outbox *ob, int ms);

/* The earliest next try after `after` of a pending delivery, or -1.
 * (Those already due are in flight or wait for a transfer to end.) */
time_t outbox_next_try(struct outbox *ob, time_t after);

/* Record the outcome of delivery (its id); status is the HTTP or SMTP
 * code (0 if none). */
int outbox_mark_sent(struct outbox *ob, long long delivery, time_t now,
    long status);
int outbox_mark_retry(struct outbox *ob, long long delivery, time_t now,
    time_t next_try, long status, const char *error);
int outbox_mark_failed(struct outbox *ob, long long delivery, time_t now,
    long status, const char *error);

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

/* 1 if a delivery to receiver is waiting (due or not), 0 if none, -1
 * on error.  Served by the (receiver, next_try) index. */
int outbox_receiver_waiting(struct outbox *ob, const char *receiver);

/* Cancel every delivery waiting for receiver, noting why; how many, or
 * -1. */
int outbox_cancel_receiver(struct outbox *ob, const char *receiver,
    const char *why);

/* Mark a delivery just queued as silenced: a timed alert not sent
 * because a silence covers its window, noting the silence; 0 or -1. */
int outbox_mark_silenced(struct outbox *ob, const char *alert_id,
    const char *receiver, const char *why);

/* Mark the timed alerts of a window still waiting to be sent (a
 * receiver that was down) as silenced, noting the silence: a silence
 * that starts holds back what was queued before it.  How many, or -1. */
int outbox_silence_waiting(struct outbox *ob, const char *case_id,
    const char *window, const char *why);

/* If the latest timed alert of the window queued for receiver (not
 * cancelled) was silenced, its payload into *payload (malloc'd) and 1;
 * 0 if not (or none), -1 on error.  The next timed alert is then the
 * first after the silence, and says so. */
int outbox_last_silenced(struct outbox *ob, const char *case_id,
    const char *window, const char *receiver, char **payload);

#endif
