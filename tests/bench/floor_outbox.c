/*
 * floor_outbox.c -- the bare outbox floor of a burst: the rows deadlined
 * must write for n alerts due at once, with SQLite alone.
 *
 * It runs on a copy of a seeded outbox (the schema and the rows a
 * deadlined first start left), so its tables, indexes and pragmas are
 * the daemon's, and it issues the daemon's own statements in the
 * daemon's transactions, with no planning, no JSON and no HTTP:
 *
 *   - one transaction queues the n alerts: for each, the look-up of
 *     its delivery, the alert row (its text, about as long as the
 *     daemon's) and the delivery row;
 *   - then rounds of one transaction (one fsync) each: record the
 *     messages of the round before (the attempt with the body sent and
 *     its SHA-256, a link per alert, each delivery marked sent), read
 *     the next rows due after the lane's cursor with their texts, and
 *     note in each row the message it goes out in, for k messages of up
 *     to d alerts a round (deadlined's burst to a quick receiver records
 *     and sets up 24 a round: those set up ahead of the 4 in flight are
 *     topped up when down to 4 of 28).
 *
 * What the burst costs above this is planning, building messages and
 * sending them.
 *
 *   floor_outbox DB N D K [BYTES]
 *
 * DB is an outbox whose windows table lists at least N windows (one
 * alert each); D alerts a message, K messages a round; each alert
 * puts BYTES of its text in the body (default: all of it, as a JSON
 * webhook does).  Prints the seconds to queue, to deliver, and in all;
 * exits 1 on any SQLite error.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "floor.h"

#define FLOOR_RECEIVER "hook"
#define FLOOR_DUE      1781053200 /* 2026-06-10 09:00 +08:00 */

enum {
	FS_HAS,
	FS_ADD_ALERT,
	FS_ADD_DELIVERY,
	FS_DUE,
	FS_MESSAGE,
	FS_ATTEMPT,
	FS_ATTEMPT_ALERT,
	FS_SENT,
	FS_COUNT,
};

/* deadlined's statements (daemon/outbox.c), word for word. */
static const char *const floor_sql[FS_COUNT] = {
    [FS_HAS] = "SELECT 1 FROM deliveries WHERE alert_id = ?1"
               " AND receiver = ?2",
    [FS_ADD_ALERT] = "INSERT OR IGNORE INTO alerts VALUES"
                     " (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [FS_ADD_DELIVERY] = "INSERT OR IGNORE INTO deliveries (alert_id,"
                        " receiver, state, created_at, next_try) VALUES"
                        " (?1, ?2, 'pending', ?3, ?4)",
    [FS_DUE] =
        "SELECT d.alert_id, d.receiver, d.attempts, a.payload, a.due_at,"
        " d.next_try, d.id, d.message, d.message_size FROM deliveries d"
        " JOIN alerts a ON a.id = d.alert_id"
        " WHERE d.state = 'pending' AND d.receiver = ?1 AND d.next_try <= ?2"
        " AND (d.next_try, d.id) > (?3, ?4)"
        " ORDER BY d.next_try, d.id LIMIT ?5",
    [FS_MESSAGE] = "UPDATE deliveries SET message = ?2, message_size = ?3"
                   " WHERE id = ?1",
    [FS_ATTEMPT] = "INSERT INTO attempts (receiver, message, started_ms,"
                   " duration_ms, result, status, detail, subject,"
                   " recipients, message_id, body, body_sha256, clock_shift,"
                   " refused)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                   " ?12, ?13, ?14)",
    [FS_ATTEMPT_ALERT] =
        "INSERT OR IGNORE INTO attempt_alerts (attempt_id, alert_id, delivery)"
        " VALUES (?1, ?2, ?3)",
    [FS_SENT] = "UPDATE deliveries SET state = 'sent',"
                " attempts = attempts + 1, last_try = ?2, sent_at = ?2,"
                " last_status = ?3, last_error = NULL WHERE id = ?1",
};

/* A message in flight: its key, body and rows. */
struct floor_msg {
	char key[33];
	char *body;
	size_t len;
	size_t n;
	long long *dids;
	char (*ids)[33];
};

static sqlite3 *floor_db;
static sqlite3_stmt *floor_st[FS_COUNT];
static uint64_t floor_rng = 0x9e3779b97f4a7c15ULL;

static void
floor_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "floor_outbox: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", sqlite3_errmsg(floor_db));
	va_end(ap);
	exit(1);
}

static void
floor_exec(const char *sql)
{
	if (sqlite3_exec(floor_db, sql, NULL, NULL, NULL) != SQLITE_OK)
		floor_die("%s", sql);
}

/* Step st to its end and reset it. */
static void
floor_done(int which)
{
	sqlite3_stmt *st = floor_st[which];

	if (sqlite3_step(st) != SQLITE_DONE)
		floor_die("statement %d", which);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* 32 hex digits, as random as deadlined's hashed alert ids. */
static void
floor_hex(char out[33])
{
	static const char hex[] = "0123456789abcdef";

	for (int half = 0; half < 2; half++) {
		floor_rng ^= floor_rng << 13;
		floor_rng ^= floor_rng >> 7;
		floor_rng ^= floor_rng << 17;
		for (int i = 0; i < 16; i++)
			out[half * 16 + i] = hex[(floor_rng >> (4 * i)) & 15];
	}
	out[32] = '\0';
}

/* An alert's text, about as long as deadlined's overdue alert. */
static int
floor_text(char *out, size_t len, const char *id, const char *case_id)
{
	return snprintf(out, len,
	    "{\"id\":\"%s\",\"kind\":\"overdue\",\"days_left\":-23,"
	    "\"case\":{\"id\":\"%s\",\"title\":\"陈超诉高静拒不执行判决、裁定"
	    "案\",\"court\":\"北京市海淀区人民法院\",\"transferred\":"
	    "\"2026-04-18\"},\"window\":{\"name\":\"decision\",\"title\":"
	    "\"Police decision on opening a case\",\"opened\":\"2026-04-18\","
	    "\"days\":30,\"extended\":true,\"deadline\":\"2026-05-18\","
	    "\"deadline_at\":\"2026-05-18T23:59:59+08:00\",\"provisional\":"
	    "false}}",
	    id, case_id);
}

/* Queue n alerts, one for each of the first n live windows. */
static void
floor_queue(long n)
{
	sqlite3_stmt *w;
	char id[33], text[1024];
	long got = 0;
	int len;

	if (sqlite3_prepare_v2(floor_db,
	        "SELECT case_id, window FROM windows WHERE removed = 0"
	        " ORDER BY rowid LIMIT ?1",
	        -1, &w, NULL) != SQLITE_OK)
		floor_die("windows");
	sqlite3_bind_int64(w, 1, n);
	floor_exec("BEGIN IMMEDIATE");
	while (sqlite3_step(w) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(w, 0);
		const char *win = (const char *)sqlite3_column_text(w, 1);

		floor_hex(id);
		sqlite3_bind_text(floor_st[FS_HAS], 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(floor_st[FS_HAS], 2, FLOOR_RECEIVER, -1,
		    SQLITE_STATIC);
		if (sqlite3_step(floor_st[FS_HAS]) != SQLITE_DONE)
			floor_die("has");
		sqlite3_reset(floor_st[FS_HAS]);
		len = floor_text(text, sizeof(text), id, c);
		sqlite3_bind_text(floor_st[FS_ADD_ALERT], 1, id, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(floor_st[FS_ADD_ALERT], 2, c, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(floor_st[FS_ADD_ALERT], 3, win, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(floor_st[FS_ADD_ALERT], 4, "overdue", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(floor_st[FS_ADD_ALERT], 5, FLOOR_DUE);
		sqlite3_bind_int64(floor_st[FS_ADD_ALERT], 6, FLOOR_DUE);
		sqlite3_bind_text(floor_st[FS_ADD_ALERT], 7, text, len,
		    SQLITE_STATIC);
		floor_done(FS_ADD_ALERT);
		sqlite3_bind_text(floor_st[FS_ADD_DELIVERY], 1, id, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(floor_st[FS_ADD_DELIVERY], 2, FLOOR_RECEIVER,
		    -1, SQLITE_STATIC);
		sqlite3_bind_int64(floor_st[FS_ADD_DELIVERY], 3, FLOOR_DUE);
		sqlite3_bind_int64(floor_st[FS_ADD_DELIVERY], 4, FLOOR_DUE);
		floor_done(FS_ADD_DELIVERY);
		got++;
	}
	sqlite3_finalize(w);
	floor_exec("COMMIT");
	if (got < n) {
		fprintf(stderr, "floor_outbox: only %ld windows\n", got);
		exit(1);
	}
}

/* Hex SHA-256 of the body, as deadlined keeps it. */
static void
floor_sha256(const char *p, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "floor_outbox: EVP_Digest failed\n");
		exit(1);
	}
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Record m as sent: its attempt, a link per alert, each row sent. */
static void
floor_record(struct floor_msg *m, long long now_ms)
{
	sqlite3_stmt *st = floor_st[FS_ATTEMPT];
	char sha[65];
	long long attempt;

	floor_sha256(m->body, m->len, sha);
	sqlite3_bind_text(st, 1, FLOOR_RECEIVER, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ms);
	sqlite3_bind_int64(st, 4, 1);
	sqlite3_bind_text(st, 5, "sent", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, 204);
	sqlite3_bind_text(st, 11, m->body, (int)m->len, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, 0);
	floor_done(FS_ATTEMPT);
	attempt = sqlite3_last_insert_rowid(floor_db);
	for (size_t i = 0; i < m->n; i++) {
		st = floor_st[FS_ATTEMPT_ALERT];
		sqlite3_bind_int64(st, 1, attempt);
		sqlite3_bind_text(st, 2, m->ids[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, m->dids[i]);
		floor_done(FS_ATTEMPT_ALERT);
		st = floor_st[FS_SENT];
		sqlite3_bind_int64(st, 1, m->dids[i]);
		sqlite3_bind_int64(st, 2, FLOOR_DUE);
		sqlite3_bind_int64(st, 3, 204);
		floor_done(FS_SENT);
	}
	free(m->body);
	free(m->dids);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

/* Start m with up to d rows due after the cursor; how many it took. */
static size_t
floor_start(struct floor_msg *m, long d, long bytes, long long *cur_next,
    long long *cur_id)
{
	sqlite3_stmt *st = floor_st[FS_DUE];
	size_t cap = 0, len = 0;
	char *body = NULL;

	sqlite3_bind_text(st, 1, FLOOR_RECEIVER, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, FLOOR_DUE);
	sqlite3_bind_int64(st, 3, *cur_next);
	sqlite3_bind_int64(st, 4, *cur_id);
	sqlite3_bind_int64(st, 5, d);
	m->dids = calloc((size_t)d, sizeof(*m->dids));
	m->ids = calloc((size_t)d, sizeof(*m->ids));
	if (m->dids == NULL || m->ids == NULL)
		exit(1);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 3);
		size_t tl = (size_t)sqlite3_column_bytes(st, 3);

		if (bytes > 0 && tl > (size_t)bytes)
			tl = (size_t)bytes;
		if (len + tl + 2 > cap) {
			cap = (len + tl + 2) * 2;
			if ((body = realloc(body, cap)) == NULL)
				exit(1);
		}
		body[len++] = m->n == 0 ? '[' : ',';
		memcpy(body + len, text, tl);
		len += tl;
		snprintf(m->ids[m->n], sizeof(m->ids[0]), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		*cur_next = sqlite3_column_int64(st, 5);
		*cur_id = m->dids[m->n++] = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	if (m->n == 0) {
		free(m->dids);
		free(m->ids);
		memset(m, 0, sizeof(*m));
		return 0;
	}
	body[len++] = ']';
	m->body = body;
	m->len = len;
	floor_hex(m->key);
	for (size_t i = 0; i < m->n; i++) {
		st = floor_st[FS_MESSAGE];
		sqlite3_bind_int64(st, 1, m->dids[i]);
		sqlite3_bind_text(st, 2, m->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)m->n);
		floor_done(FS_MESSAGE);
	}
	return m->n;
}

/* Rounds until every queued row is sent; how many rounds. */
static long
floor_deliver(long d, long k, long bytes)
{
	struct floor_msg *m = calloc((size_t)k, sizeof(*m));
	long long cur_next = 0, cur_id = 0, ms = 0;
	long rounds = 0;
	size_t busy;

	if (m == NULL)
		exit(1);
	do {
		floor_exec("BEGIN IMMEDIATE");
		busy = 0;
		for (long i = 0; i < k; i++) {
			if (m[i].n > 0)
				floor_record(&m[i], ms++);
			busy += floor_start(&m[i], d, bytes, &cur_next,
			            &cur_id) > 0;
		}
		floor_exec("COMMIT");
		rounds++;
	} while (busy > 0);
	free(m);
	return rounds;
}

int
main(int argc, char *argv[])
{
	double t0, t1, t2;
	long n, d, k, bytes, rounds;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: floor_outbox DB N D K [BYTES]\n");
		return 2;
	}
	n = atol(argv[2]);
	d = atol(argv[3]);
	k = atol(argv[4]);
	bytes = argc == 6 ? atol(argv[5]) : 0;
	if (n <= 0 || d <= 0 || k <= 0 || bytes < 0) {
		fprintf(stderr, "floor_outbox: N, D and K must be positive\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &floor_db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		floor_die("%s", argv[1]);
	/* deadlined's pragmas and its planning cache (daemon/outbox.c). */
	floor_exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	           "PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;"
	           "PRAGMA journal_size_limit = 67108864;");
	sqlite3_wal_autocheckpoint(floor_db, 65536);
	for (int i = 0; i < FS_COUNT; i++)
		if (sqlite3_prepare_v3(floor_db, floor_sql[i], -1,
		        SQLITE_PREPARE_PERSISTENT, &floor_st[i],
		        NULL) != SQLITE_OK)
			floor_die("prepare %d", i);
	t0 = floor_seconds();
	floor_exec("PRAGMA cache_size = -131072");
	floor_queue(n);
	floor_exec("PRAGMA cache_size = -16384");
	t1 = floor_seconds();
	rounds = floor_deliver(d, k, bytes);
	t2 = floor_seconds();
	for (int i = 0; i < FS_COUNT; i++)
		sqlite3_finalize(floor_st[i]);
	if (sqlite3_close(floor_db) != SQLITE_OK)
		floor_die("close");
	printf("queued %ld in %.3f s, delivered in %ld rounds in %.3f s; "
	       "%.3f s\n",
	    n, t1 - t0, rounds, t2 - t1, t2 - t0);
	return 0;
}
