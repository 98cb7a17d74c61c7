/*
 * digest.h -- the rows a receiver's lane reads from the outbox, and how
 * they are cut into messages (digests): a message that went out before
 * goes out again whole and alone, with the same key; the others make new
 * messages of up to the channel's limit, administrators' notices apart
 * from case alerts.  Pure: no I/O, no clock.
 */
#ifndef DEADLINED_DIGEST_H
#define DEADLINED_DIGEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "alert.h"
#include "date.h"
#include "jscan.h"
#include "outbox.h"

/* A pending delivery copied out of the outbox, its alert read: parsed,
 * or only scanned (jscan.h) when its text is all the message needs. */
struct digest_row {
	char alert_id[ALERT_ID_LEN + 1];
	json_t *alert; /* NULL: scanned, or the stored alert does not parse */
	bool scanned;  /* text is the alert, as of today; brief says what */
	struct jscan_alert brief;
	char error[256]; /* "" unless the stored alert does not parse */
	int attempts;
	struct outbox_cursor at;
	char message[ALERT_ID_LEN + 1]; /* the message it went out in, or "" */
	int message_size;
	bool admin;     /* an administrators' notice */
	char *text;     /* the alert as stored (when it parses) */
	bool refreshed; /* alert_refresh changed it: text says less */
};

struct digest_rows {
	struct digest_row *v;
	size_t n, cap;
	/* Set by the caller: the message is made of the stored texts (a
	 * JSON webhook's), and the day it goes out. */
	bool texts;
	date_t today;
};

/* outbox_due callback (arg: struct digest_rows): copy one row, its alert
 * parsed, or NULL with the reason in error if it does not parse into a
 * JSON object.  With rows->texts, a case alert whose text scans and
 * whose days_left is still true today is only scanned.  Always 0. */
int digest_collect(const struct outbox_pending *p, void *arg);

/* Whether the row's stored alert could be read (parsed or scanned). */
bool digest_readable(const struct digest_row *r);

/* Release the rows (the struct is left empty, ready for more). */
void digest_rows_free(struct digest_rows *rows);

/* How many rows from rows[off] are a message that went out before (the
 * same key, every alert of it still waiting, in a row): 0 if none. */
size_t digest_stored_run(const struct digest_rows *rows, size_t off);

/* How many readable rows from rows[off] may make a new message: up to
 * max, of one sort (case alerts or notices), and not into a message that
 * went out before.  0 if rows[off] is unreadable. */
size_t digest_fresh_run(const struct digest_rows *rows, size_t off, size_t max);

#endif
