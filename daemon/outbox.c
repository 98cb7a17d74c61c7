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
 *               failed, cancelled (a timed alert still waiting when
 *               its window closed or its deadline moved) or silenced
 *               (a timed alert skipped under a silence, which
 *               last_error names), attempts, next try, last status
 *               and error
 *   attempts    every attempt to send a message, and what was sent
 *   windows     per (case, window): the opening day, deadline and closed
 *               flag last announced, to notice opened/extended/closed
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "outbox.h"
#include "xmalloc.h"

/*
 * The schema, version by version.  outbox_migrations[v - 1] takes a
 * database from version v - 1 to v; PRAGMA user_version says where a
 * database stands.  Version 1 (deadlined 0.1.0) never set user_version,
 * so 0 means "new or version 1": its statements are all IF NOT EXISTS.
 * Each step runs in one transaction with the version bump, so a crash
 * mid-way leaves the database at the version before.  Steps are only
 * ever appended: an outbox is the users' evidence, and every existing
 * one must migrate in place without losing a row.
 */
static const char *const outbox_migrations[] = {
    /* 1: alerts, deliveries and the windows last announced. */
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
    "  PRIMARY KEY (case_id, window));",
    /* 2: what each window's announcements said (revision, extension,
     * the closing event, removal), lookups by window, the queue of each
     * receiver by index, and the message each delivery last went out in
     * (its Idempotency-Key and how many alerts it carried), so that a
     * resend after a crash sends the same message; and the record of
     * every attempt, with what was sent, in real time. */
    "ALTER TABLE windows ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE windows ADD COLUMN extended INTEGER NOT NULL DEFAULT -1;"
    "ALTER TABLE windows ADD COLUMN closed_by TEXT;"
    "ALTER TABLE windows ADD COLUMN closed_on INTEGER;"
    "ALTER TABLE windows ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX alerts_window ON alerts (case_id, window);"
    "CREATE INDEX deliveries_due ON deliveries (receiver, next_try)"
    "  WHERE state = 'pending';"
    "ALTER TABLE deliveries ADD COLUMN message TEXT;"
    "ALTER TABLE deliveries ADD COLUMN message_size INTEGER;"
    "CREATE TABLE attempts ("
    "  id          INTEGER PRIMARY KEY,"
    "  receiver    TEXT NOT NULL,"
    "  message     TEXT NOT NULL,"
    "  started_ms  INTEGER NOT NULL,"
    "  duration_ms INTEGER NOT NULL,"
    "  result      TEXT NOT NULL CHECK (result IN"
    "                ('sent', 'retry', 'failed')),"
    "  status      INTEGER,"
    "  detail      TEXT,"
    "  subject     TEXT,"
    "  recipients  TEXT,"
    "  message_id  TEXT,"
    "  body        TEXT,"
    "  body_sha256 TEXT,"
    "  clock_shift INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX attempts_receiver ON attempts (receiver, started_ms);"
    "CREATE TABLE attempt_alerts ("
    "  attempt_id INTEGER NOT NULL REFERENCES attempts(id),"
    "  alert_id   TEXT NOT NULL,"
    "  PRIMARY KEY (attempt_id, alert_id));"
    "CREATE INDEX attempt_alerts_alert ON attempt_alerts (alert_id);",
    /* 3: deliveries gain the state 'silenced' (a timed alert not sent
     * because its case or window was silenced; last_error holds the
     * silence).  SQLite cannot alter a CHECK constraint, so the table
     * is rebuilt: created anew, every row copied, the old one dropped,
     * the new one renamed and its indexes made again (outbox_migrate
     * turns foreign keys off around it and checks them before the
     * commit).  Attempts gain the addresses an SMTP server refused. */
    "CREATE TABLE deliveries_v3 ("
    "  alert_id     TEXT NOT NULL REFERENCES alerts(id),"
    "  receiver     TEXT NOT NULL,"
    "  state        TEXT NOT NULL CHECK (state IN"
    "                 ('pending', 'sent', 'failed', 'cancelled',"
    "                  'silenced')),"
    "  attempts     INTEGER NOT NULL DEFAULT 0,"
    "  created_at   INTEGER NOT NULL,"
    "  next_try     INTEGER NOT NULL,"
    "  last_try     INTEGER,"
    "  last_status  INTEGER,"
    "  last_error   TEXT,"
    "  sent_at      INTEGER,"
    "  message      TEXT,"
    "  message_size INTEGER,"
    "  PRIMARY KEY (alert_id, receiver));"
    "INSERT INTO deliveries_v3 (rowid, alert_id, receiver, state, attempts,"
    "  created_at, next_try, last_try, last_status, last_error, sent_at,"
    "  message, message_size)"
    "  SELECT rowid, alert_id, receiver, state, attempts, created_at,"
    "  next_try, last_try, last_status, last_error, sent_at, message,"
    "  message_size FROM deliveries;"
    "DROP TABLE deliveries;"
    "ALTER TABLE deliveries_v3 RENAME TO deliveries;"
    "CREATE INDEX deliveries_pending"
    "  ON deliveries (next_try) WHERE state = 'pending';"
    "CREATE INDEX deliveries_due ON deliveries (receiver, next_try)"
    "  WHERE state = 'pending';"
    "ALTER TABLE attempts ADD COLUMN refused TEXT;",
    /* 4: the same CHECK constraints written as comparisons rather than
     * IN lists, which SQLite (3.40) evaluates by building a temporary
     * b-tree on every insert or update of a row: for deliveries, twice
     * per alert of a burst, more than the write itself.  Both tables are
     * rebuilt as in step 3, every row with its rowid; attempt_alerts
     * keeps referring to attempts by id. */
    "CREATE TABLE deliveries_v4 ("
    "  alert_id     TEXT NOT NULL REFERENCES alerts(id),"
    "  receiver     TEXT NOT NULL,"
    "  state        TEXT NOT NULL CHECK (state = 'pending' OR"
    "                 state = 'sent' OR state = 'failed' OR"
    "                 state = 'cancelled' OR state = 'silenced'),"
    "  attempts     INTEGER NOT NULL DEFAULT 0,"
    "  created_at   INTEGER NOT NULL,"
    "  next_try     INTEGER NOT NULL,"
    "  last_try     INTEGER,"
    "  last_status  INTEGER,"
    "  last_error   TEXT,"
    "  sent_at      INTEGER,"
    "  message      TEXT,"
    "  message_size INTEGER,"
    "  PRIMARY KEY (alert_id, receiver));"
    "INSERT INTO deliveries_v4 (rowid, alert_id, receiver, state, attempts,"
    "  created_at, next_try, last_try, last_status, last_error, sent_at,"
    "  message, message_size)"
    "  SELECT rowid, alert_id, receiver, state, attempts, created_at,"
    "  next_try, last_try, last_status, last_error, sent_at, message,"
    "  message_size FROM deliveries;"
    "DROP TABLE deliveries;"
    "ALTER TABLE deliveries_v4 RENAME TO deliveries;"
    "CREATE INDEX deliveries_pending"
    "  ON deliveries (next_try) WHERE state = 'pending';"
    "CREATE INDEX deliveries_due ON deliveries (receiver, next_try)"
    "  WHERE state = 'pending';"
    "CREATE TABLE attempts_v4 ("
    "  id          INTEGER PRIMARY KEY,"
    "  receiver    TEXT NOT NULL,"
    "  message     TEXT NOT NULL,"
    "  started_ms  INTEGER NOT NULL,"
    "  duration_ms INTEGER NOT NULL,"
    "  result      TEXT NOT NULL CHECK (result = 'sent' OR"
    "                result = 'retry' OR result = 'failed'),"
    "  status      INTEGER,"
    "  detail      TEXT,"
    "  subject     TEXT,"
    "  recipients  TEXT,"
    "  message_id  TEXT,"
    "  body        TEXT,"
    "  body_sha256 TEXT,"
    "  clock_shift INTEGER NOT NULL DEFAULT 0,"
    "  refused     TEXT);"
    "INSERT INTO attempts_v4 (id, receiver, message, started_ms,"
    "  duration_ms, result, status, detail, subject, recipients,"
    "  message_id, body, body_sha256, clock_shift, refused)"
    "  SELECT id, receiver, message, started_ms, duration_ms, result,"
    "  status, detail, subject, recipients, message_id, body, body_sha256,"
    "  clock_shift, refused FROM attempts;"
    "DROP TABLE attempts;"
    "ALTER TABLE attempts_v4 RENAME TO attempts;"
    "CREATE INDEX attempts_receiver ON attempts (receiver, started_ms);",
    /* 5: each delivery gets an id of its own, its rowid until now, as an
     * INTEGER PRIMARY KEY (VACUUM may renumber an implicit rowid; it
     * keeps this), with (alert_id, receiver) still unique; and each
     * alert an attempt carried names the delivery, by which it is
     * found.  Found by alert id before, random hex, the record of one
     * message of a burst wrote as many index pages as it carried alerts
     * (two thirds of what a 20,000-alert burst wrote to the WAL); the
     * deliveries of a message are neighbours.  Both tables are rebuilt
     * as in step 3, every row with its rowid. */
    "CREATE TABLE deliveries_v5 ("
    "  id           INTEGER PRIMARY KEY,"
    "  alert_id     TEXT NOT NULL REFERENCES alerts(id),"
    "  receiver     TEXT NOT NULL,"
    "  state        TEXT NOT NULL CHECK (state = 'pending' OR"
    "                 state = 'sent' OR state = 'failed' OR"
    "                 state = 'cancelled' OR state = 'silenced'),"
    "  attempts     INTEGER NOT NULL DEFAULT 0,"
    "  created_at   INTEGER NOT NULL,"
    "  next_try     INTEGER NOT NULL,"
    "  last_try     INTEGER,"
    "  last_status  INTEGER,"
    "  last_error   TEXT,"
    "  sent_at      INTEGER,"
    "  message      TEXT,"
    "  message_size INTEGER,"
    "  UNIQUE (alert_id, receiver));"
    "INSERT INTO deliveries_v5 (id, alert_id, receiver, state, attempts,"
    "  created_at, next_try, last_try, last_status, last_error, sent_at,"
    "  message, message_size)"
    "  SELECT rowid, alert_id, receiver, state, attempts, created_at,"
    "  next_try, last_try, last_status, last_error, sent_at, message,"
    "  message_size FROM deliveries;"
    "DROP TABLE deliveries;"
    "ALTER TABLE deliveries_v5 RENAME TO deliveries;"
    "CREATE INDEX deliveries_pending"
    "  ON deliveries (next_try) WHERE state = 'pending';"
    "CREATE INDEX deliveries_due ON deliveries (receiver, next_try)"
    "  WHERE state = 'pending';"
    "CREATE TABLE attempt_alerts_v5 ("
    "  attempt_id INTEGER NOT NULL REFERENCES attempts(id),"
    "  alert_id   TEXT NOT NULL,"
    "  delivery   INTEGER REFERENCES deliveries(id),"
    "  PRIMARY KEY (attempt_id, alert_id));"
    "INSERT INTO attempt_alerts_v5 (rowid, attempt_id, alert_id, delivery)"
    "  SELECT x.rowid, x.attempt_id, x.alert_id,"
    "  (SELECT d.id FROM attempts t JOIN deliveries d"
    "   ON d.alert_id = x.alert_id AND d.receiver = t.receiver"
    "   WHERE t.id = x.attempt_id)"
    "  FROM attempt_alerts x;"
    "DROP TABLE attempt_alerts;"
    "ALTER TABLE attempt_alerts_v5 RENAME TO attempt_alerts;"
    "CREATE INDEX attempt_alerts_delivery ON attempt_alerts (delivery);",
};

/* The timed kinds, as a test of column k.  Written as comparisons, not
 * as `k IN ('reminder', 'due', 'overdue')`: SQLite (3.40) builds a
 * temporary b-tree for an IN list of more than two values each time the
 * statement runs, which the planning of a burst paid several times per
 * alert. */
#define OUTBOX_TIMED(k)                                                        \
	"(" k " = 'reminder' OR " k " = 'due' OR " k " = 'overdue')"

/* The windows columns outbox_window_read reads, in its order. */
#define OUTBOX_WINDOW_COLUMNS                                                  \
	"opened, deadline, closed, revision, extended, closed_by, closed_on, " \
	"removed"

/* A page cache of 16 MiB (SQLite's default is 2 MiB): a burst of 20,000
 * alerts reads the same index and alert pages again and again, and with
 * the default fetched them 160,000 times from the kernel (38,000 with
 * this).  It grows only as pages are used, and outbox_idle gives it
 * back.
 *
 * A bulk transaction (a planning pass) may grow it to 128 MiB until it
 * ends.  A pass's random keys (alert ids, case ids) touch index pages
 * all over the file: with 16 MiB the 100,000-alert burst's planning
 * transaction spilled pages to the WAL and fetched them back, 520 MB
 * written and 620 MB read, where with 128 MiB it writes each page once
 * (113 MB).  Only for that transaction: kept large, the cache costs
 * every later commit a walk over it (SQLite truncates its page cache to
 * the database size at each commit), 9% of the burst's delivery.
 *
 * A checkpoint when the WAL passes 256 MiB or the daemon falls idle,
 * not every 1,000 pages (SQLite's default): the burst's rounds then
 * neither wait for 26 checkpoints and their syncs of the database
 * (0.7 s of the 100k burst) nor write its hot pages back each time.
 * The WAL file is cut back to 64 MiB when it starts again after one. */
#define OUTBOX_CACHE      "-16384"
#define OUTBOX_CACHE_BULK "-131072"
#define OUTBOX_WAL_PAGES  65536

static const char outbox_pragmas[] = "PRAGMA journal_mode = WAL;"
                                     "PRAGMA synchronous = FULL;"
                                     "PRAGMA foreign_keys = ON;"
                                     "PRAGMA cache_size = " OUTBOX_CACHE ";"
                                     "PRAGMA journal_size_limit = 67108864;";

#define OUTBOX_VERSION                                                         \
	((int)(sizeof(outbox_migrations) / sizeof(outbox_migrations[0])))

enum outbox_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_WINDOW_GET,
	ST_WINDOW_PUT,
	ST_HAS,
	ST_ADD_ALERT,
	ST_ADD_DELIVERY,
	ST_NEXT_TRY,
	ST_SENT,
	ST_RETRY,
	ST_FAILED,
	ST_CANCEL,
	ST_WINDOWS_LIVE,
	ST_WINDOW_RECEIVERS,
	ST_WINDOW_SENT_TO,
	ST_WINDOW_PAYLOAD,
	ST_CANCEL_WINDOW,
	ST_SUPERSEDE,
	ST_SUPERSEDE_ANY,
	ST_DUE,
	ST_MESSAGE,
	ST_ATTEMPT,
	ST_ATTEMPT_ALERT,
	ST_STATS,
	ST_LAST_FAILURE,
	ST_HISTORY,
	ST_REQUEUE,
	ST_WAITING_RECEIVERS,
	ST_CANCEL_RECEIVER,
	ST_SILENCED,
	ST_LAST_TIMED,
	ST_SILENCE_WAITING,
	ST_ANY_SILENCED,
	ST_RECEIVER_WAITING,
	ST_COUNT,
};

static const char *outbox_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_WINDOW_GET] = "SELECT " OUTBOX_WINDOW_COLUMNS " FROM windows"
                      " WHERE case_id = ?1 AND window = ?2",
    [ST_WINDOW_PUT] =
        "INSERT INTO windows (case_id, window, " OUTBOX_WINDOW_COLUMNS ")"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        " ON CONFLICT (case_id, window) DO UPDATE SET opened = ?3,"
        " deadline = ?4, closed = ?5, revision = ?6, extended = ?7,"
        " closed_by = ?8, closed_on = ?9, removed = ?10",
    [ST_HAS] = "SELECT 1 FROM deliveries WHERE alert_id = ?1"
               " AND receiver = ?2",
    [ST_ADD_ALERT] = "INSERT OR IGNORE INTO alerts VALUES"
                     " (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_ADD_DELIVERY] = "INSERT OR IGNORE INTO deliveries (alert_id,"
                        " receiver, state, created_at, next_try) VALUES"
                        " (?1, ?2, 'pending', ?3, ?4)",
    [ST_NEXT_TRY] = "SELECT min(next_try) FROM deliveries"
                    " WHERE state = 'pending' AND next_try > ?1",
    [ST_SENT] = "UPDATE deliveries SET state = 'sent',"
                " attempts = attempts + 1, last_try = ?2, sent_at = ?2,"
                " last_status = ?3, last_error = NULL WHERE id = ?1",
    [ST_RETRY] =
        "UPDATE deliveries SET attempts = attempts + 1,"
        " last_try = ?2, next_try = ?3, last_status = ?4, last_error = ?5"
        " WHERE id = ?1",
    [ST_FAILED] = "UPDATE deliveries SET state = 'failed',"
                  " attempts = attempts + 1, last_try = ?2, last_status = ?3,"
                  " last_error = ?4 WHERE id = ?1",
    [ST_CANCEL] = "UPDATE deliveries SET state = 'cancelled',"
                  " last_error = ?3 WHERE state = 'pending' AND alert_id IN"
                  " (SELECT id FROM alerts WHERE case_id = ?1 AND window = ?2"
                  " AND " OUTBOX_TIMED("kind") ")",
    [ST_WINDOWS_LIVE] = "SELECT rowid, case_id, window, " OUTBOX_WINDOW_COLUMNS
                        " FROM windows WHERE removed = 0 AND rowid > ?1"
                        " ORDER BY rowid LIMIT ?2",
    [ST_WINDOW_RECEIVERS] =
        "SELECT DISTINCT d.receiver FROM deliveries d"
        " JOIN alerts a ON a.id = d.alert_id"
        " WHERE a.case_id = ?1 AND a.window = ?2 ORDER BY d.receiver",
    [ST_WINDOW_SENT_TO] =
        "SELECT DISTINCT d.receiver FROM deliveries d"
        " JOIN alerts a ON a.id = d.alert_id"
        " WHERE a.case_id = ?1 AND a.window = ?2 AND d.state = 'sent'"
        " ORDER BY d.receiver",
    [ST_WINDOW_PAYLOAD] = "SELECT payload FROM alerts"
                          " WHERE case_id = ?1 AND window = ?2"
                          " ORDER BY created_at DESC, rowid DESC LIMIT 1",
    [ST_CANCEL_WINDOW] = "UPDATE deliveries SET state = 'cancelled',"
                         " last_error = ?3 WHERE state = 'pending' AND"
                         " alert_id IN (SELECT id FROM alerts"
                         " WHERE case_id = ?1 AND window = ?2)",
    [ST_SUPERSEDE] =
        "UPDATE deliveries SET state = 'cancelled', last_error = ?5"
        " WHERE state = 'pending' AND receiver = ?3 AND alert_id != ?4"
        " AND alert_id IN (SELECT id FROM alerts WHERE case_id = ?1"
        " AND window = ?2 AND " OUTBOX_TIMED("kind") ")",
    /* Whether ST_SUPERSEDE has anything to do: a plain join, where the
     * UPDATE's subquery costs a temporary table on every run. */
    [ST_SUPERSEDE_ANY] =
        "SELECT 1 FROM alerts a JOIN deliveries d ON d.alert_id = a.id"
        " WHERE a.case_id = ?1 AND a.window = ?2 AND " OUTBOX_TIMED(
            "a.kind") " AND d.receiver = ?3 AND d.state = 'pending' AND a.id "
                      "!= ?4"
                      " LIMIT 1",
    [ST_DUE] =
        "SELECT d.alert_id, d.receiver, d.attempts, a.payload, a.due_at,"
        " d.next_try, d.id, d.message, d.message_size FROM deliveries d"
        " JOIN alerts a ON a.id = d.alert_id"
        " WHERE d.state = 'pending' AND d.receiver = ?1 AND d.next_try <= ?2"
        " AND (d.next_try, d.id) > (?3, ?4)"
        " ORDER BY d.next_try, d.id LIMIT ?5",
    [ST_MESSAGE] = "UPDATE deliveries SET message = ?2, message_size = ?3"
                   " WHERE id = ?1",
    [ST_ATTEMPT] = "INSERT INTO attempts (receiver, message, started_ms,"
                   " duration_ms, result, status, detail, subject,"
                   " recipients, message_id, body, body_sha256, clock_shift,"
                   " refused)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                   " ?12, ?13, ?14)",
    [ST_ATTEMPT_ALERT] =
        "INSERT OR IGNORE INTO attempt_alerts (attempt_id, alert_id, delivery)"
        " VALUES (?1, ?2, ?3)",
    [ST_STATS] =
        "SELECT (SELECT count(*) FROM deliveries WHERE receiver = ?1"
        "   AND state = 'pending'),"
        " (SELECT min(created_at) FROM deliveries WHERE receiver = ?1"
        "   AND state = 'pending'),"
        " (SELECT count(*) FROM deliveries WHERE receiver = ?1"
        "   AND state = 'failed'),"
        " (SELECT count(*) FROM deliveries d JOIN alerts a ON a.id ="
        "   d.alert_id LEFT JOIN windows w ON w.case_id = a.case_id AND"
        "   w.window = a.window WHERE d.receiver = ?1 AND"
        "   d.state = 'failed' AND coalesce(w.closed + w.removed, 0) = 0),"
        " (SELECT count(*) FROM deliveries WHERE receiver = ?1"
        "   AND state = 'cancelled'),"
        " (SELECT max(started_ms + duration_ms) FROM attempts"
        "   WHERE receiver = ?1 AND result = 'sent'),"
        " (SELECT count(*) FROM deliveries WHERE receiver = ?1"
        "   AND state = 'silenced')",
    [ST_LAST_FAILURE] = "SELECT started_ms + duration_ms, detail FROM attempts"
                        " WHERE receiver = ?1 AND result != 'sent'"
                        " ORDER BY id DESC LIMIT 1",
    [ST_HISTORY] =
        "SELECT a.case_id, a.window, a.kind, a.id, a.created_at,"
        " d.receiver, d.state, d.last_error, t.started_ms, t.duration_ms,"
        " t.result, t.status, t.detail, t.message, t.clock_shift,"
        " t.subject, t.recipients, t.message_id, t.refused"
        " FROM alerts a JOIN deliveries d ON d.alert_id = a.id"
        " LEFT JOIN (attempt_alerts x JOIN attempts t ON t.id = x.attempt_id)"
        "   ON x.delivery = d.id"
        " WHERE (?1 IS NULL OR a.case_id = ?1) AND a.created_at >= ?2"
        " ORDER BY a.case_id, a.created_at, a.rowid, d.receiver, t.id",
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
        "  WHERE w.closed = 0 AND w.removed = 0"
        "  AND (?3 IS NULL OR a.case_id = ?3)"
        "  AND julianday(json_extract(a.payload, '$.window.deadline'))"
        "   - 2440587.5 = w.deadline"
        "  AND (NOT " OUTBOX_TIMED(
            "a.kind") " OR a.due_at ="
                      "   (SELECT max(b.due_at) FROM alerts b JOIN deliveries e"
                      "    ON e.alert_id = b.id WHERE b.case_id = a.case_id"
                      "    AND b.window = a.window AND e.receiver = ?1"
                      "    AND e.state != 'cancelled'"
                      "    AND " OUTBOX_TIMED("b.kind") ")))",
    [ST_WAITING_RECEIVERS] = "SELECT DISTINCT receiver FROM deliveries"
                             " WHERE state = 'pending'",
    [ST_CANCEL_RECEIVER] = "UPDATE deliveries SET state = 'cancelled',"
                           " last_error = ?2 WHERE state = 'pending'"
                           " AND receiver = ?1",
    [ST_SILENCED] = "UPDATE deliveries SET state = 'silenced',"
                    " last_error = ?3 WHERE alert_id = ?1 AND receiver = ?2"
                    " AND state = 'pending'",
    /* The latest timed alert of a window queued for ?3 and not
     * cancelled, and where its delivery stands. */
    [ST_RECEIVER_WAITING] = "SELECT 1 FROM deliveries WHERE state = 'pending'"
                            " AND receiver = ?1 LIMIT 1",
    [ST_ANY_SILENCED] = "SELECT 1 FROM deliveries WHERE state = 'silenced'"
                        " LIMIT 1",
    [ST_SILENCE_WAITING] =
        "UPDATE deliveries SET state = 'silenced', last_error = ?3"
        " WHERE state = 'pending' AND alert_id IN (SELECT id FROM alerts"
        " WHERE case_id = ?1 AND window = ?2"
        " AND " OUTBOX_TIMED("kind") ")",
    [ST_LAST_TIMED] =
        "SELECT d.state, a.payload, a.due_at, a.rowid FROM alerts a"
        " JOIN deliveries d"
        " ON d.alert_id = a.id WHERE a.case_id = ?1 AND a.window = ?2"
        " AND d.receiver = ?3 AND d.state != 'cancelled'"
        " AND " OUTBOX_TIMED("a.kind"),
};

struct outbox {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	int depth; /* outbox_begin nesting */
	bool bulk; /* the transaction grew the page cache */
	/* Whether a delivery was ever silenced: -1 not known yet, 0 none
	 * (so no timed alert follows a silence), 1 some.  Only this
	 * connection writes the state (the daemon holds the state lock),
	 * and it only ever goes from 0 to 1. */
	int silenced;
};

/* Log the database's last error for what we were doing. */
static void
outbox_error(struct outbox *ob, const char *what)
{
	log_warnx("outbox %s: %s: %s", ob->path, what, sqlite3_errmsg(ob->db));
}

/* The integer a one-row query returns, or -1. */
static int
outbox_query_int(struct outbox *ob, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* 0 if no row breaks a foreign key, else -1 (logged). */
static int
outbox_check_foreign_keys(struct outbox *ob)
{
	int n = outbox_query_int(ob,
	    "SELECT count(*) FROM pragma_foreign_key_check");

	if (n != 0)
		log_warnx("outbox %s: migration: %d rows break a foreign key",
		    ob->path, n);
	return n == 0 ? 0 : -1;
}

/* Take the database from version `from` to from + 1 in one transaction;
 * 0 or -1 (rolled back). */
static int
outbox_migrate_step(struct outbox *ob, int from)
{
	char bump[64];

	snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", from + 1);
	if (sqlite3_exec(ob->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_exec(ob->db, outbox_migrations[from], NULL, NULL, NULL) !=
	        SQLITE_OK ||
	    outbox_check_foreign_keys(ob) == -1 ||
	    sqlite3_exec(ob->db, bump, NULL, NULL, NULL) != SQLITE_OK) {
		outbox_error(ob, "migration");
		sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK
	    ? 0
	    : -1;
}

/*
 * A migration rebuilds tables in one transaction: minutes for an outbox
 * of millions of rows, before the daemon can say READY.  Whoever waits
 * for it (systemd's start timeout) is told now and then that it goes on.
 */
#define OUTBOX_PROGRESS_OPS  1000000 /* SQLite VM steps between looks */
#define OUTBOX_PROGRESS_SECS 5       /* between two calls of the hook */

static void (*outbox_progress_fn)(const char *);
static char outbox_progress_what[128];
static struct timespec outbox_progress_last;

void
outbox_on_progress(void (*fn)(const char *what))
{
	outbox_progress_fn = fn;
}

/* Tell the hook what goes on, and note when. */
static void
outbox_progress_tell(void)
{
	clock_gettime(CLOCK_MONOTONIC, &outbox_progress_last);
	outbox_progress_fn(outbox_progress_what);
}

/* sqlite3_progress_handler callback: the hook again once
 * OUTBOX_PROGRESS_SECS have passed; 0, go on. */
static int
outbox_progress(void *arg)
{
	struct timespec now;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - outbox_progress_last.tv_sec >= OUTBOX_PROGRESS_SECS)
		outbox_progress_tell();
	return 0;
}

/* Step `from` of an outbox holding tables, with the hook told before it
 * and during it (a new outbox is made in no time: nobody is told). */
static int
outbox_migrate_watched(struct outbox *ob, int from, int tables)
{
	int rc;

	if (outbox_progress_fn == NULL || tables == 0)
		return outbox_migrate_step(ob, from);
	snprintf(outbox_progress_what, sizeof(outbox_progress_what),
	    "migrating the outbox to schema version %d", from + 1);
	outbox_progress_tell();
	sqlite3_progress_handler(ob->db, OUTBOX_PROGRESS_OPS, outbox_progress,
	    NULL);
	rc = outbox_migrate_step(ob, from);
	sqlite3_progress_handler(ob->db, 0, NULL, NULL);
	return rc;
}

/* Run the steps from version v on with foreign keys off (a table
 * rebuilt by a step is dropped while rows still refer to it; each step
 * checks them before it commits), then turn them on again; 0 or -1. */
static int
outbox_migrate_steps(struct outbox *ob, int v, int tables)
{
	int rc = 0;

	if (sqlite3_exec(ob->db, "PRAGMA foreign_keys = OFF", NULL, NULL,
	        NULL) != SQLITE_OK)
		return -1;
	for (; rc == 0 && v < OUTBOX_VERSION; v++) {
		if (tables > 0 && v > 0)
			log_info("outbox %s: migrating to schema version %d "
			         "(minutes for an outbox of millions of rows)",
			    ob->path, v + 1);
		if ((rc = outbox_migrate_watched(ob, v, tables)) == 0 &&
		    tables > 0 && v > 0)
			log_info("outbox %s: migrated to schema version %d",
			    ob->path, v + 1);
	}
	if (sqlite3_exec(ob->db, "PRAGMA foreign_keys = ON", NULL, NULL,
	        NULL) != SQLITE_OK)
		return -1;
	return rc;
}

/* Bring the schema up to OUTBOX_VERSION; 0 or -1.  A database from a
 * newer deadlined is left alone: this one cannot know what it holds. */
static int
outbox_migrate(struct outbox *ob)
{
	int v, tables;

	if ((v = outbox_query_int(ob, "PRAGMA user_version")) == -1 ||
	    (tables = outbox_query_int(ob,
	         "SELECT count(*) FROM sqlite_master")) == -1)
		return -1;
	if (v > OUTBOX_VERSION) {
		log_warnx("outbox %s has schema version %d, newer than this "
		          "deadlined's %d: run the newer deadlined",
		    ob->path, v, OUTBOX_VERSION);
		return -1;
	}
	if (v == OUTBOX_VERSION)
		return 0;
	return outbox_migrate_steps(ob, v, tables);
}

/* Set up an open database: pragmas, schema, statements; ob, or NULL
 * (closed) with a logged error. */
static struct outbox *
outbox_setup(struct outbox *ob)
{
	sqlite3_busy_timeout(ob->db, 5000);
	if (sqlite3_exec(ob->db, outbox_pragmas, NULL, NULL, NULL) !=
	        SQLITE_OK ||
	    sqlite3_wal_autocheckpoint(ob->db, OUTBOX_WAL_PAGES) != SQLITE_OK ||
	    outbox_migrate(ob) == -1) {
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

struct outbox *
outbox_open(const char *dir)
{
	struct outbox *ob;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("cannot create state_dir %s", dir);
		return NULL;
	}
	ob = xcalloc(1, sizeof(*ob));
	ob->silenced = -1;
	xasprintf(&ob->path, "%s/outbox.db", dir);
	if (sqlite3_open_v2(ob->path, &ob->db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	            SQLITE_OPEN_NOMUTEX,
	        NULL) != SQLITE_OK) {
		outbox_error(ob, "open");
		outbox_close(ob);
		return NULL;
	}
	return outbox_setup(ob);
}

/* Copy the database at path, opened read-only, into ob's; 0 or -1. */
static int
outbox_copy_from(struct outbox *ob, const char *path)
{
	sqlite3 *src = NULL;
	sqlite3_backup *bk;
	int rc = -1;

	if (sqlite3_open_v2(path, &src,
	        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
	        NULL) != SQLITE_OK) {
		log_warnx("outbox %s: open read-only: %s", path,
		    sqlite3_errmsg(src));
		sqlite3_close(src);
		return -1;
	}
	sqlite3_busy_timeout(src, 5000);
	if ((bk = sqlite3_backup_init(ob->db, "main", src, "main")) != NULL) {
		if (sqlite3_backup_step(bk, -1) == SQLITE_DONE)
			rc = 0;
		if (sqlite3_backup_finish(bk) != SQLITE_OK)
			rc = -1;
	}
	if (rc == -1)
		log_warnx("outbox %s: copy: %s", path, sqlite3_errmsg(ob->db));
	sqlite3_close(src);
	return rc;
}

struct outbox *
outbox_open_copy(const char *dir)
{
	struct outbox *ob;
	struct stat st;
	char *path;

	ob = xcalloc(1, sizeof(*ob));
	ob->silenced = -1;
	xasprintf(&path, "%s/outbox.db", dir);
	xasprintf(&ob->path, "%s (a copy in memory)", path);
	if (sqlite3_open_v2(":memory:", &ob->db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	        NULL) != SQLITE_OK ||
	    (stat(path, &st) == 0 && outbox_copy_from(ob, path) == -1)) {
		outbox_error(ob, "open");
		free(path);
		outbox_close(ob);
		return NULL;
	}
	free(path);
	return outbox_setup(ob);
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

void
outbox_idle(struct outbox *ob)
{
	int logged = 0, moved = 0;

	if (ob == NULL || !sqlite3_get_autocommit(ob->db))
		return;
	/* PASSIVE: it never waits for a reader; what it cannot move now,
	 * the next one does. */
	if (sqlite3_wal_checkpoint_v2(ob->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	        &logged, &moved) != SQLITE_OK)
		log_debug("outbox: checkpoint: %s", sqlite3_errmsg(ob->db));
	sqlite3_db_release_memory(ob->db);
}

/* Done with statement st, whose last step returned rc: reset it and
 * clear its bindings; 0, or -1 with the error logged (as what) if rc
 * is not SQLITE_DONE. */
static int
outbox_end(struct outbox *ob, sqlite3_stmt *st, int rc, const char *what)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		outbox_error(ob, what);
		return -1;
	}
	return 0;
}

/* Run a prepared statement that returns no rows; 0 or -1. */
static int
outbox_step_done(struct outbox *ob, enum outbox_stmt i, const char *what)
{
	sqlite3_stmt *st = ob->st[i];

	return outbox_end(ob, st, sqlite3_step(st), what);
}

int
outbox_begin(struct outbox *ob)
{
	if (ob->depth++ > 0)
		return 0;
	return outbox_step_done(ob, ST_BEGIN, "begin");
}

/* Set the page cache's size (KiB, negative: SQLite's convention). */
static int
outbox_cache_size(struct outbox *ob, const char *size)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %s", size);
	if (sqlite3_exec(ob->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		outbox_error(ob, "cache size");
		return -1;
	}
	return 0;
}

int
outbox_begin_bulk(struct outbox *ob)
{
	if (ob->depth == 0 && outbox_cache_size(ob, OUTBOX_CACHE_BULK) == 0)
		ob->bulk = true;
	return outbox_begin(ob);
}

/* The transaction has ended: the page cache goes back to its size,
 * which drops the pages over it. */
static void
outbox_end_bulk(struct outbox *ob)
{
	if (ob->bulk && outbox_cache_size(ob, OUTBOX_CACHE) == 0)
		ob->bulk = false;
}

int
outbox_commit(struct outbox *ob)
{
	int rc;

	if (ob->depth == 0 || --ob->depth > 0)
		return 0;
	rc = outbox_step_done(ob, ST_COMMIT, "commit");
	/* A COMMIT that failed and left the transaction open leaves the
	 * bulk to the rollback. */
	if (rc == 0 || sqlite3_get_autocommit(ob->db))
		outbox_end_bulk(ob);
	return rc;
}

int
outbox_rollback(struct outbox *ob)
{
	int rc;

	if (ob->depth == 0)
		return 0;
	ob->depth = 0;
	rc = outbox_step_done(ob, ST_ROLLBACK, "rollback");
	outbox_end_bulk(ob);
	return rc;
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

/* Read the OUTBOX_WINDOW_COLUMNS of a row, from column col on. */
static void
outbox_window_read(sqlite3_stmt *st, int col, struct outbox_window *w)
{
	const char *by;

	memset(w, 0, sizeof(*w));
	w->opened = (date_t)sqlite3_column_int(st, col);
	w->deadline = (date_t)sqlite3_column_int(st, col + 1);
	w->closed = sqlite3_column_int(st, col + 2) != 0;
	w->revision = sqlite3_column_int(st, col + 3);
	w->extended = sqlite3_column_int(st, col + 4);
	if ((by = (const char *)sqlite3_column_text(st, col + 5)) != NULL)
		snprintf(w->closed_by, sizeof(w->closed_by), "%s", by);
	w->closed_on = (date_t)sqlite3_column_int(st, col + 6);
	w->removed = sqlite3_column_int(st, col + 7) != 0;
}

int
outbox_window_get(struct outbox *ob, const char *case_id, const char *window,
    struct outbox_window *out)
{
	sqlite3_stmt *st = ob->st[ST_WINDOW_GET];
	int rc;

	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		outbox_window_read(st, 0, out);
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
	sqlite3_bind_int(st, 6, w->revision);
	sqlite3_bind_int(st, 7, w->extended);
	if (w->closed)
		outbox_bind_text(st, 8, w->closed_by);
	else
		sqlite3_bind_null(st, 8);
	if (w->closed)
		sqlite3_bind_int(st, 9, w->closed_on);
	else
		sqlite3_bind_null(st, 9);
	sqlite3_bind_int(st, 10, w->removed);
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
outbox_mark_sent(struct outbox *ob, long long delivery, time_t now, long status)
{
	sqlite3_stmt *st = ob->st[ST_SENT];

	sqlite3_bind_int64(st, 1, delivery);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, status);
	return outbox_step_done(ob, ST_SENT, "mark sent");
}

int
outbox_mark_retry(struct outbox *ob, long long delivery, time_t now,
    time_t next_try, long status, const char *error)
{
	sqlite3_stmt *st = ob->st[ST_RETRY];

	sqlite3_bind_int64(st, 1, delivery);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, next_try);
	sqlite3_bind_int64(st, 4, status);
	outbox_bind_text(st, 5, error);
	return outbox_step_done(ob, ST_RETRY, "mark retry");
}

int
outbox_mark_failed(struct outbox *ob, long long delivery, time_t now,
    long status, const char *error)
{
	sqlite3_stmt *st = ob->st[ST_FAILED];

	sqlite3_bind_int64(st, 1, delivery);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, status);
	outbox_bind_text(st, 4, error);
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
outbox_windows_live(struct outbox *ob, long long *after, size_t limit,
    int (*fn)(const char *, const char *, const struct outbox_window *, void *),
    void *arg)
{
	sqlite3_stmt *st = ob->st[ST_WINDOWS_LIVE];
	struct outbox_window w;
	bool stopped = false;
	size_t n = 0;
	int rc;

	sqlite3_bind_int64(st, 1, *after);
	sqlite3_bind_int64(st, 2,
	    limit > (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		*after = sqlite3_column_int64(st, 0);
		outbox_window_read(st, 3, &w);
		if (fn((const char *)sqlite3_column_text(st, 1),
		        (const char *)sqlite3_column_text(st, 2), &w,
		        arg) != 0) {
			rc = SQLITE_DONE;
			stopped = true;
			break;
		}
	}
	if (outbox_end(ob, st, rc, "windows") == -1)
		return -1;
	return !stopped && n == limit;
}

int
outbox_window_receivers(struct outbox *ob, const char *case_id,
    const char *window, bool sent, int (*fn)(const char *, void *), void *arg)
{
	sqlite3_stmt *st =
	    ob->st[sent ? ST_WINDOW_SENT_TO : ST_WINDOW_RECEIVERS];
	int rc;

	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn((const char *)sqlite3_column_text(st, 0), arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	return outbox_end(ob, st, rc, "window receivers");
}

int
outbox_window_payload(struct outbox *ob, const char *case_id,
    const char *window, char **payload)
{
	sqlite3_stmt *st = ob->st[ST_WINDOW_PAYLOAD];
	int rc;

	*payload = NULL;
	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*payload = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		outbox_error(ob, "window payload");
		return -1;
	}
	return rc == SQLITE_ROW;
}

int
outbox_cancel_window(struct outbox *ob, const char *case_id, const char *window,
    const char *why)
{
	sqlite3_stmt *st = ob->st[ST_CANCEL_WINDOW];

	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	outbox_bind_text(st, 3, why);
	if (outbox_step_done(ob, ST_CANCEL_WINDOW, "cancel window") == -1)
		return -1;
	return sqlite3_changes(ob->db);
}

/* 1 if the window has a timed alert other than alert_id waiting for
 * receiver, 0 if not, -1 on error. */
static int
outbox_supersede_any(struct outbox *ob, const char *case_id, const char *window,
    const char *receiver, const char *alert_id)
{
	sqlite3_stmt *st = ob->st[ST_SUPERSEDE_ANY];
	int rc;

	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	outbox_bind_text(st, 3, receiver);
	outbox_bind_text(st, 4, alert_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		outbox_error(ob, "supersede");
		return -1;
	}
	return rc == SQLITE_ROW;
}

int
outbox_supersede(struct outbox *ob, const char *case_id, const char *window,
    const char *receiver, const char *alert_id, const char *why)
{
	sqlite3_stmt *st = ob->st[ST_SUPERSEDE];
	int rc;

	/* Nearly always nothing waits (the receiver was up): say so
	 * without the UPDATE's cost. */
	if ((rc = outbox_supersede_any(ob, case_id, window, receiver,
	         alert_id)) != 1)
		return rc;
	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	outbox_bind_text(st, 3, receiver);
	outbox_bind_text(st, 4, alert_id);
	outbox_bind_text(st, 5, why);
	if (outbox_step_done(ob, ST_SUPERSEDE, "supersede") == -1)
		return -1;
	return sqlite3_changes(ob->db);
}

int
outbox_due(struct outbox *ob, const char *receiver, time_t now,
    const struct outbox_cursor *after, size_t limit,
    int (*fn)(const struct outbox_pending *, void *), void *arg)
{
	sqlite3_stmt *st = ob->st[ST_DUE];
	struct outbox_pending p;
	int rc;

	outbox_bind_text(st, 1, receiver);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, after != NULL ? after->next_try : INT64_MIN);
	sqlite3_bind_int64(st, 4, after != NULL ? after->id : INT64_MIN);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p.alert_id = (const char *)sqlite3_column_text(st, 0);
		p.receiver = (const char *)sqlite3_column_text(st, 1);
		p.attempts = sqlite3_column_int(st, 2);
		p.payload = (const char *)sqlite3_column_text(st, 3);
		p.due_at = (time_t)sqlite3_column_int64(st, 4);
		p.at.next_try = (time_t)sqlite3_column_int64(st, 5);
		p.at.id = sqlite3_column_int64(st, 6);
		p.message = (const char *)sqlite3_column_text(st, 7);
		p.message_size = sqlite3_column_int(st, 8);
		if (fn(&p, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	return outbox_end(ob, st, rc, "due");
}

void
outbox_busy_ms(struct outbox *ob, int ms)
{
	sqlite3_busy_timeout(ob->db, ms);
}

int
outbox_mark_message(struct outbox *ob, long long delivery, const char *message,
    int size)
{
	sqlite3_stmt *st = ob->st[ST_MESSAGE];

	sqlite3_bind_int64(st, 1, delivery);
	outbox_bind_text(st, 2, message);
	sqlite3_bind_int(st, 3, size);
	return outbox_step_done(ob, ST_MESSAGE, "mark message");
}

int
outbox_attempt(struct outbox *ob, const struct outbox_attempt *a,
    const char (*alert_ids)[OUTBOX_ID_LEN + 1], const long long *deliveries,
    size_t n)
{
	sqlite3_stmt *st = ob->st[ST_ATTEMPT];
	sqlite3_int64 id;

	outbox_bind_text(st, 1, a->receiver);
	outbox_bind_text(st, 2, a->message);
	sqlite3_bind_int64(st, 3, a->started_ms);
	sqlite3_bind_int64(st, 4, a->duration_ms);
	outbox_bind_text(st, 5, a->result);
	sqlite3_bind_int64(st, 6, a->status);
	outbox_bind_text(st, 7, a->detail);
	outbox_bind_text(st, 8, a->subject);
	outbox_bind_text(st, 9, a->recipients);
	outbox_bind_text(st, 10, a->message_id);
	outbox_bind_text(st, 11, a->body);
	outbox_bind_text(st, 12, a->body_sha256);
	sqlite3_bind_int64(st, 13, a->clock_shift);
	outbox_bind_text(st, 14, a->refused);
	if (outbox_step_done(ob, ST_ATTEMPT, "record attempt") == -1)
		return -1;
	id = sqlite3_last_insert_rowid(ob->db);
	st = ob->st[ST_ATTEMPT_ALERT];
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, id);
		outbox_bind_text(st, 2, alert_ids[i]);
		sqlite3_bind_int64(st, 3, deliveries[i]);
		if (outbox_step_done(ob, ST_ATTEMPT_ALERT, "record attempt") ==
		    -1)
			return -1;
	}
	return 0;
}

int
outbox_stats(struct outbox *ob, const char *receiver, struct outbox_stats *out)
{
	sqlite3_stmt *st = ob->st[ST_STATS];
	const char *why;
	int rc;

	memset(out, 0, sizeof(*out));
	outbox_bind_text(st, 1, receiver);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->waiting = sqlite3_column_int64(st, 0);
		out->oldest_waiting = sqlite3_column_type(st, 1) == SQLITE_NULL
		    ? -1
		    : (time_t)sqlite3_column_int64(st, 1);
		out->failed = sqlite3_column_int64(st, 2);
		out->failed_open = sqlite3_column_int64(st, 3);
		out->cancelled = sqlite3_column_int64(st, 4);
		out->last_sent_ms = sqlite3_column_type(st, 5) == SQLITE_NULL
		    ? -1
		    : sqlite3_column_int64(st, 5);
		out->silenced = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW) {
		outbox_error(ob, "stats");
		return -1;
	}
	st = ob->st[ST_LAST_FAILURE];
	out->last_failure_ms = -1;
	outbox_bind_text(st, 1, receiver);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->last_failure_ms = sqlite3_column_int64(st, 0);
		why = (const char *)sqlite3_column_text(st, 1);
		snprintf(out->last_failure, sizeof(out->last_failure), "%s",
		    why != NULL ? why : "");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		outbox_error(ob, "stats");
		return -1;
	}
	return 0;
}

int
outbox_deliveries(struct outbox *ob,
    void (*fn)(const char *, const char *, long long, time_t, void *),
    void *arg)
{
	static const char sql[] =
	    "SELECT receiver, state, count(*), min(created_at) "
	    "FROM deliveries GROUP BY receiver, state ORDER BY 1, 2";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK) {
		outbox_error(ob, "deliveries");
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int64(st, 2),
		    (time_t)sqlite3_column_int64(st, 3), arg);
	if (rc != SQLITE_DONE)
		outbox_error(ob, "deliveries");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
outbox_history(struct outbox *ob, const char *case_id, time_t since,
    int (*fn)(const struct outbox_history *, void *), void *arg)
{
	sqlite3_stmt *st = ob->st[ST_HISTORY];
	struct outbox_history h;
	int rc;

	outbox_bind_text(st, 1, case_id);
	sqlite3_bind_int64(st, 2, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&h, 0, sizeof(h));
		h.case_id = (const char *)sqlite3_column_text(st, 0);
		h.window = (const char *)sqlite3_column_text(st, 1);
		h.kind = (const char *)sqlite3_column_text(st, 2);
		h.alert_id = (const char *)sqlite3_column_text(st, 3);
		h.queued = (time_t)sqlite3_column_int64(st, 4);
		h.receiver = (const char *)sqlite3_column_text(st, 5);
		h.state = (const char *)sqlite3_column_text(st, 6);
		h.why = (const char *)sqlite3_column_text(st, 7);
		h.has_attempt = sqlite3_column_type(st, 8) != SQLITE_NULL;
		h.started_ms = sqlite3_column_int64(st, 8);
		h.duration_ms = sqlite3_column_int64(st, 9);
		h.result = (const char *)sqlite3_column_text(st, 10);
		h.status = sqlite3_column_int64(st, 11);
		h.detail = (const char *)sqlite3_column_text(st, 12);
		h.message = (const char *)sqlite3_column_text(st, 13);
		h.clock_shift = sqlite3_column_int64(st, 14);
		h.subject = (const char *)sqlite3_column_text(st, 15);
		h.recipients = (const char *)sqlite3_column_text(st, 16);
		h.message_id = (const char *)sqlite3_column_text(st, 17);
		h.refused = (const char *)sqlite3_column_text(st, 18);
		if (fn(&h, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	return outbox_end(ob, st, rc, "history");
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
	return outbox_end(ob, st, rc, "waiting receivers");
}

int
outbox_receiver_waiting(struct outbox *ob, const char *receiver)
{
	sqlite3_stmt *st = ob->st[ST_RECEIVER_WAITING];
	int rc;

	outbox_bind_text(st, 1, receiver);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		outbox_error(ob, "receiver waiting");
		return -1;
	}
	return rc == SQLITE_ROW;
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

int
outbox_mark_silenced(struct outbox *ob, const char *alert_id,
    const char *receiver, const char *why)
{
	sqlite3_stmt *st = ob->st[ST_SILENCED];

	ob->silenced = 1;
	outbox_bind_text(st, 1, alert_id);
	outbox_bind_text(st, 2, receiver);
	outbox_bind_text(st, 3, why);
	return outbox_step_done(ob, ST_SILENCED, "mark silenced");
}

/* Whether any delivery was ever silenced (one scan, the first time):
 * 1, 0, or -1 on error. */
static int
outbox_any_silenced(struct outbox *ob)
{
	sqlite3_stmt *st = ob->st[ST_ANY_SILENCED];
	int rc;

	if (ob->silenced != -1)
		return ob->silenced;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		outbox_error(ob, "silenced");
		return -1;
	}
	return ob->silenced = rc == SQLITE_ROW;
}

int
outbox_last_silenced(struct outbox *ob, const char *case_id, const char *window,
    const char *receiver, char **payload)
{
	sqlite3_stmt *st = ob->st[ST_LAST_TIMED];
	const char *state, *text;
	long long due = 0, rowid = 0, d, r;
	bool any = false;
	int rc;

	/* The latest by (due_at, rowid), picked here: an ORDER BY would
	 * cost a temporary b-tree for the few rows of one window. */
	*payload = NULL;
	/* Where nothing was ever silenced (nearly every outbox), no alert
	 * follows a silence: planning a burst asks once, not per alert. */
	if ((rc = outbox_any_silenced(ob)) != 1)
		return rc;
	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	outbox_bind_text(st, 3, receiver);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d = sqlite3_column_int64(st, 2);
		r = sqlite3_column_int64(st, 3);
		if (any && (d < due || (d == due && r < rowid)))
			continue;
		any = true;
		due = d;
		rowid = r;
		free(*payload);
		*payload = NULL;
		state = (const char *)sqlite3_column_text(st, 0);
		text = (const char *)sqlite3_column_text(st, 1);
		if (state != NULL && strcmp(state, "silenced") == 0 &&
		    text != NULL)
			*payload = xstrdup(text);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		free(*payload);
		*payload = NULL;
		outbox_error(ob, "last silenced");
		return -1;
	}
	return *payload != NULL;
}

int
outbox_silence_waiting(struct outbox *ob, const char *case_id,
    const char *window, const char *why)
{
	sqlite3_stmt *st = ob->st[ST_SILENCE_WAITING];

	ob->silenced = 1;
	outbox_bind_text(st, 1, case_id);
	outbox_bind_text(st, 2, window);
	outbox_bind_text(st, 3, why);
	if (outbox_step_done(ob, ST_SILENCE_WAITING, "silence waiting") == -1)
		return -1;
	return sqlite3_changes(ob->db);
}
