/*
 * outbox.c -- the outbox in SQLite.
 *
 * WAL mode with synchronous=FULL: a committed row survives a crash or a
 * power cut.  Every fsync costs, so the daemon groups the writes of one
 * planning pass or one burst of outcomes into a single transaction
 * (outbox_begin / outbox_commit) instead of paying one per alert.
 *
 * Tables:
 *   alerts      one row per alert: id, what it is about, its JSON payload
 *   deliveries  one row per (alert, receiver): state pending, sent,
 *               failed or cancelled (a timed alert still waiting when
 *               its window closed or its deadline moved), attempts,
 *               next try, last status and error
 *   windows     per (case, window): the opening day, deadline and closed
 *               flag last announced, to notice opened/extended/closed
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "outbox.h"
#include "xmalloc.h"

static const char outbox_schema[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "PRAGMA foreign_keys = ON;"
    "CREATE TABLE IF NOT EXISTS alerts ("
    "  id         TEXT PRIMARY KEY,"
    "  case_id    TEXT NOT NULL,"
    "  window     TEXT NOT NULL,"
    "  kind       TEXT NOT NULL,"
    "  due_at     INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  payload    TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS deliveries ("
    "  alert_id    TEXT NOT NULL REFERENCES alerts(id),"
    "  receiver    TEXT NOT NULL,"
    "  state       TEXT NOT NULL CHECK (state IN"
    "                ('pending', 'sent', 'failed', 'cancelled')),"
    "  attempts    INTEGER NOT NULL DEFAULT 0,"
    "  created_at  INTEGER NOT NULL,"
    "  next_try    INTEGER NOT NULL,"
    "  last_try    INTEGER,"
    "  last_status INTEGER,"
    "  last_error  TEXT,"
    "  sent_at     INTEGER,"
    "  PRIMARY KEY (alert_id, receiver));"
    "CREATE INDEX IF NOT EXISTS deliveries_pending"
    "  ON deliveries (next_try) WHERE state = 'pending';"
    "CREATE TABLE IF NOT EXISTS windows ("
    "  case_id  TEXT NOT NULL,"
    "  window   TEXT NOT NULL,"
    "  opened   INTEGER NOT NULL,"
    "  deadline INTEGER NOT NULL,"
    "  closed   INTEGER NOT NULL,"
    "  PRIMARY KEY (case_id, window));";

enum outbox_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_WINDOW_GET,
	ST_WINDOW_PUT,
	ST_HAS,
	ST_ADD_ALERT,
	ST_ADD_DELIVERY,
	ST_PENDING,
	ST_NEXT_TRY,
	ST_SENT,
	ST_RETRY,
	ST_FAILED,
	ST_CANCEL,
	ST_REQUEUE,
	ST_WAITING_RECEIVERS,
	ST_CANCEL_RECEIVER,
	ST_COUNT,
};

static const char *outbox_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_WINDOW_GET] = "SELECT opened, deadline, closed FROM windows"
                      " WHERE case_id = ?1 AND window = ?2",
    [ST_WINDOW_PUT] =
        "INSERT INTO windows VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT (case_id, window) DO UPDATE SET opened = ?3,"
        " deadline = ?4, closed = ?5",
    [ST_HAS] = "SELECT 1 FROM deliveries WHERE alert_id = ?1"
               " AND receiver = ?2",
    [ST_ADD_ALERT] = "INSERT OR IGNORE INTO alerts VALUES"
                     " (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_ADD_DELIVERY] = "INSERT OR IGNORE INTO deliveries (alert_id,"
                        " receiver, state, created_at, next_try) VALUES"
                        " (?1, ?2, 'pending', ?3, ?4)",
    [ST_PENDING] =
        "SELECT d.alert_id, d.receiver, d.attempts, a.payload,"
        " a.due_at FROM deliveries d JOIN alerts a ON a.id = d.alert_id"
        " WHERE d.state = 'pending' AND d.next_try <= ?1"
        " ORDER BY d.next_try, d.rowid",
    [ST_NEXT_TRY] = "SELECT min(next_try) FROM deliveries"
                    " WHERE state = 'pending' AND next_try > ?1",
    [ST_SENT] = "UPDATE deliveries SET state = 'sent',"
                " attempts = attempts + 1, last_try = ?3, sent_at = ?3,"
                " last_status = ?4, last_error = NULL"
                " WHERE alert_id = ?1 AND receiver = ?2",
    [ST_RETRY] =
        "UPDATE deliveries SET attempts = attempts + 1,"
        " last_try = ?3, next_try = ?4, last_status = ?5, last_error = ?6"
        " WHERE alert_id = ?1 AND receiver = ?2",
    [ST_FAILED] = "UPDATE deliveries SET state = 'failed',"
                  " attempts = attempts + 1, last_try = ?3, last_status = ?4,"
                  " last_error = ?5 WHERE alert_id = ?1 AND receiver = ?2",
    [ST_CANCEL] = "UPDATE deliveries SET state = 'cancelled',"
                  " last_error = ?3 WHERE state = 'pending' AND alert_id IN"
                  " (SELECT id FROM alerts WHERE case_id = ?1 AND window = ?2"
                  " AND kind IN ('reminder', 'due', 'overdue'))",
    /* Failed or waiting deliveries to ?1 of windows still open (of case
     * ?3 only, unless NULL) that still say what is true: announcements
     * of the window's current deadline, and of its timed alerts only the
     * latest one queued for ?1 (an earlier one would speak of days that
     * are gone).  2440587.5 is the Julian day of 1970-01-01, day 0. */
    [ST_REQUEUE] =
        "UPDATE deliveries SET state = 'pending', attempts = 0,"
        " next_try = ?2 WHERE receiver = ?1"
        " AND state IN ('pending', 'failed') AND alert_id IN"
        " (SELECT a.id FROM alerts a JOIN windows w"
        "  ON w.case_id = a.case_id AND w.window = a.window"
        "  WHERE w.closed = 0 AND (?3 IS NULL OR a.case_id = ?3)"
        "  AND julianday(json_extract(a.payload, '$.window.deadline'))"
        "   - 2440587.5 = w.deadline"
        "  AND (a.kind NOT IN ('reminder', 'due', 'overdue') OR a.due_at ="
        "   (SELECT max(b.due_at) FROM alerts b JOIN deliveries e"
        "    ON e.alert_id = b.id WHERE b.case_id = a.case_id"
        "    AND b.window = a.window AND e.receiver = ?1"
        "    AND e.state != 'cancelled'"
        "    AND b.kind IN ('reminder', 'due', 'overdue'))))",
    [ST_WAITING_RECEIVERS] = "SELECT DISTINCT receiver FROM deliveries"
                             " WHERE state = 'pending'",
    [ST_CANCEL_RECEIVER] = "UPDATE deliveries SET state = 'cancelled',"
                           " last_error = ?2 WHERE state = 'pending'"
                           " AND receiver = ?1",
};

struct outbox {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	int depth; /* outbox_begin nesting */
};

/* Log the database's last error for what we were doing. */
static void
outbox_error(struct outbox *ob, const char *what)
{
	log_warnx("outbox %s: %s: %s", ob->path, what, sqlite3_errmsg(ob->db));
}

struct outbox *
outbox_open(const char *dir)
{
	struct outbox *ob;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("cannot create state_dir %s", dir);
		return NULL;
	}
	ob = xcalloc(1, sizeof(*ob));
	xasprintf(&ob->path, "%s/outbox.db", dir);
	if (sqlite3_open_v2(ob->path, &ob->db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	            SQLITE_OPEN_NOMUTEX,
	        NULL) != SQLITE_OK) {
		outbox_error(ob, "open");
		outbox_close(ob);
		return NULL;
	}
	sqlite3_busy_timeout(ob->db, 5000);
	if (sqlite3_exec(ob->db, outbox_schema, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		outbox_error(ob, "schema");
		outbox_close(ob);
		return NULL;
	}
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(ob->db, outbox_sql[i], -1,
		        SQLITE_PREPARE_PERSISTENT, &ob->st[i],
		        NULL) != SQLITE_OK) {
			outbox_error(ob, "prepare");
			outbox_close(ob);
			return NULL;
		}
	}
	return ob;
}

void
outbox_close(struct outbox *ob)
{
	if (ob == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(ob->st[i]);
	if (ob->db != NULL && sqlite3_close(ob->db) != SQLITE_OK)
		outbox_error(ob, "close");
	free(ob->path);
	free(ob);
}

/* Run a prepared statement that returns no rows; 0 or -1. */
static int
outbox_step_done(struct outbox *ob, enum outbox_stmt i, const char *what)
{
	sqlite3_stmt *st = ob->st[i];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		outbox_error(ob, what);
		return -1;
	}
	return 0;
}

int
outbox_begin(struct outbox *ob)
{
	if (ob->depth++ > 0)
		return 0;
	return outbox_step_done(ob, ST_BEGIN, "begin");
}

int
outbox_commit(struct outbox *ob)
{
	if (ob->depth == 0 || --ob->depth > 0)
		return 0;
	return outbox_step_done(ob, ST_COMMIT, "commit");
}

int
outbox_rollback(struct outbox *ob)
{
	if (ob->depth == 0)
		return 0;
	ob->depth = 0;
	return outbox_step_done(ob, ST_ROLLBACK, "rollback");
}

/* Bind a text parameter; SQLITE_TRANSIENT so callers' buffers may go. */
static void
outbox_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int
outbox_window_get(struct outbox *ob, const char *case_id, const char *window,
    struct outbox_window *out)
{
	sqlite3_stmt *st = ob->st[ST_WINDOW_GET];
	int rc;

	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->opened = (date_t)sqlite3_column_int(st, 0);
		out->deadline = (date_t)sqlite3_column_int(st, 1);
		out->closed = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		outbox_error(ob, "window");
		return -1;
	}
	return rc == SQLITE_ROW;
}

int
outbox_window_put(struct outbox *ob, const char *case_id, const char *window,
    const struct outbox_window *w)
{
	sqlite3_stmt *st = ob->st[ST_WINDOW_PUT];

	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	sqlite3_bind_int(st, 3, w->opened);
	sqlite3_bind_int(st, 4, w->deadline);
	sqlite3_bind_int(st, 5, w->closed);
	return outbox_step_done(ob, ST_WINDOW_PUT, "window update");
}

int
outbox_has(struct outbox *ob, const char *alert_id, const char *receiver)
{
	sqlite3_stmt *st = ob->st[ST_HAS];
	int rc;

	outbox_bind_text(st, 1, alert_id);
	outbox_bind_text(st, 2, receiver);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		outbox_error(ob, "lookup");
		return -1;
	}
	return rc == SQLITE_ROW;
}

int
outbox_add(struct outbox *ob, const char *alert_id, const char *case_id,
    const char *window, const char *kind, time_t due_at, const char *payload,
    const char *receiver, time_t now, time_t not_before)
{
	sqlite3_stmt *st = ob->st[ST_ADD_ALERT];

	outbox_bind_text(st, 1, alert_id);
	outbox_bind_text(st, 2, case_id);
	outbox_bind_text(st, 3, window);
	outbox_bind_text(st, 4, kind);
	sqlite3_bind_int64(st, 5, due_at);
	sqlite3_bind_int64(st, 6, now);
	outbox_bind_text(st, 7, payload);
	if (outbox_step_done(ob, ST_ADD_ALERT, "add alert") == -1)
		return -1;
	st = ob->st[ST_ADD_DELIVERY];
	outbox_bind_text(st, 1, alert_id);
	outbox_bind_text(st, 2, receiver);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, not_before);
	if (outbox_step_done(ob, ST_ADD_DELIVERY, "add delivery") == -1)
		return -1;
	return sqlite3_changes(ob->db) > 0;
}

int
outbox_pending(struct outbox *ob, time_t now,
    int (*fn)(const struct outbox_pending *, void *), void *arg)
{
	sqlite3_stmt *st = ob->st[ST_PENDING];
	struct outbox_pending p;
	int rc;

	sqlite3_bind_int64(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p.alert_id = (const char *)sqlite3_column_text(st, 0);
		p.receiver = (const char *)sqlite3_column_text(st, 1);
		p.attempts = sqlite3_column_int(st, 2);
		p.payload = (const char *)sqlite3_column_text(st, 3);
		p.due_at = (time_t)sqlite3_column_int64(st, 4);
		if (fn(&p, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		outbox_error(ob, "pending");
		return -1;
	}
	return 0;
}

time_t
outbox_next_try(struct outbox *ob, time_t after)
{
	sqlite3_stmt *st = ob->st[ST_NEXT_TRY];
	time_t t = -1;
	int rc;

	sqlite3_bind_int64(st, 1, after);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		t = (time_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		outbox_error(ob, "next try");
	return t;
}

int
outbox_mark_sent(struct outbox *ob, const char *alert_id, const char *receiver,
    time_t now, long status)
{
	sqlite3_stmt *st = ob->st[ST_SENT];

	outbox_bind_text(st, 1, alert_id);
	outbox_bind_text(st, 2, receiver);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, status);
	return outbox_step_done(ob, ST_SENT, "mark sent");
}

int
outbox_mark_retry(struct outbox *ob, const char *alert_id, const char *receiver,
    time_t now, time_t next_try, long status, const char *error)
{
	sqlite3_stmt *st = ob->st[ST_RETRY];

	outbox_bind_text(st, 1, alert_id);
	outbox_bind_text(st, 2, receiver);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, next_try);
	sqlite3_bind_int64(st, 5, status);
	outbox_bind_text(st, 6, error);
	return outbox_step_done(ob, ST_RETRY, "mark retry");
}

int
outbox_mark_failed(struct outbox *ob, const char *alert_id,
    const char *receiver, time_t now, long status, const char *error)
{
	sqlite3_stmt *st = ob->st[ST_FAILED];

	outbox_bind_text(st, 1, alert_id);
	outbox_bind_text(st, 2, receiver);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, status);
	outbox_bind_text(st, 5, error);
	return outbox_step_done(ob, ST_FAILED, "mark failed");
}

int
outbox_cancel_timed(struct outbox *ob, const char *case_id, const char *window,
    const char *why)
{
	sqlite3_stmt *st = ob->st[ST_CANCEL];

	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	outbox_bind_text(st, 3, why);
	if (outbox_step_done(ob, ST_CANCEL, "cancel") == -1)
		return -1;
	return sqlite3_changes(ob->db);
}

int
outbox_requeue(struct outbox *ob, const char *receiver, const char *case_id,
    time_t now)
{
	sqlite3_stmt *st = ob->st[ST_REQUEUE];

	outbox_bind_text(st, 1, receiver);
	sqlite3_bind_int64(st, 2, now);
	outbox_bind_text(st, 3, case_id);
	if (outbox_step_done(ob, ST_REQUEUE, "requeue") == -1)
		return -1;
	return sqlite3_changes(ob->db);
}

int
outbox_waiting_receivers(struct outbox *ob,
    int (*fn)(const char *receiver, void *), void *arg)
{
	sqlite3_stmt *st = ob->st[ST_WAITING_RECEIVERS];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(st, 0), arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		outbox_error(ob, "waiting receivers");
		return -1;
	}
	return 0;
}

int
outbox_cancel_receiver(struct outbox *ob, const char *receiver, const char *why)
{
	sqlite3_stmt *st = ob->st[ST_CANCEL_RECEIVER];

	outbox_bind_text(st, 1, receiver);
	outbox_bind_text(st, 2, why);
	if (outbox_step_done(ob, ST_CANCEL_RECEIVER, "cancel receiver") == -1)
		return -1;
	return sqlite3_changes(ob->db);
}
