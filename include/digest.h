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
#include "outbox.h"

/* A pending delivery copied out of the outbox, its alert read. */
struct digest_row {
	char alert_id[ALERT_ID_LEN + 1];
	json_t *alert; /* NULL: the stored alert does not parse */
	char error[256];
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
};

/* outbox_due callback (arg: struct digest_rows): copy one row, its alert
 * parsed, or NULL with the reason in error if it does not parse into a
 * JSON object.  Always 0. */
int digest_collect(const struct outbox_pending *p, void *arg);

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
