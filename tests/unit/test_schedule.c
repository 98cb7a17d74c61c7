/*
 * test_schedule.c -- planning against a real outbox in a temporary
 * directory: the notify_at boundary, the catch-up after downtime (one
 * alert per window, the latest), the cancellation of a closed window's
 * waiting reminders, a newer alert superseding an older one, the first
 * timed alert after a silence saying so, and a case no longer configured
 * announced as removed.
 *
 * Each test writes a small configuration tree, loads it with config_load
 * as the daemon does, and reads the outbox back with SQL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "outbox.h"
#include "schedule.h"

/* A configuration tree and its outbox in a temporary directory. */
struct tree {
	char dir[64];
	char main[96];
	char cases[128];
	struct config *cfg;
	struct outbox *ob;
};

/* Write text to path. */
static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Load (or load again) the tree's configuration. */
static void
tree_load(struct tree *t)
{
	struct config_errors errs = {0};

	config_free(t->cfg);
	t->cfg = config_load(t->main, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	config_errors_free(&errs);
	assert_non_null(t->cfg);
}

/* A tree whose one case file holds cases (libconfig text of the list),
 * with one log receiver and the default reminders (3 and 1 days before,
 * due, daily overdue). */
static void
tree_new(struct tree *t, const char *cases)
{
	char path[160], state[96];

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/deadlined-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->main, sizeof(t->main), "%s/deadlined.conf", t->dir);
	snprintf(path, sizeof(path), "%s/cases.d", t->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(t->cases, sizeof(t->cases), "%s/cases.d/a.conf", t->dir);
	write_file(t->main,
	    "timezone = \"Asia/Shanghai\";\n"
	    "state_dir = \"state\";\n"
	    "notify_at = \"09:00\";\n"
	    "calendar = { weekend = [ \"sat\", \"sun\" ]; };\n"
	    "receivers = ( { name = \"log\"; type = \"log\"; } "
	    ");\n");
	write_file(t->cases, cases);
	assert_int_equal(clock_set_zone("Asia/Shanghai"), 0);
	tree_load(t);
	snprintf(state, sizeof(state), "%s/state", t->dir);
	assert_non_null(t->ob = outbox_open(state));
}

/* Remove the tree and free what it holds. */
static void
tree_free(struct tree *t)
{
	char path[160];
	static const char *const files[] = {"state/outbox.db",
	    "state/outbox.db-wal", "state/outbox.db-shm", "cases.d/a.conf",
	    "deadlined.conf", NULL};

	outbox_close(t->ob);
	config_free(t->cfg);
	for (size_t i = 0; files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", t->dir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/state", t->dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/cases.d", t->dir);
	rmdir(path);
	rmdir(t->dir);
}

/* The instant a --now string names. */
static time_t
at(const char *s)
{
	time_t t;

	assert_int_equal(clock_parse(s, &t), 0);
	return t;
}

/* How many deliveries of kind (NULL: any) are in state (NULL: any). */
static int
count(struct tree *t, const char *kind, const char *state)
{
	char path[160], sql[256];
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	snprintf(path, sizeof(path), "%s/state/outbox.db", t->dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM deliveries d JOIN alerts a ON a.id = "
	    "d.alert_id WHERE (?1 IS NULL OR a.kind = ?1) AND (?2 IS NULL OR "
	    "d.state = ?2)");
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* 1 if the payload of the alert of kind queued on day (YYYY-MM-DD, by
 * its due_at) names a silence, 0 if not, -1 if there is none. */
static int
payload_silenced(struct tree *t, const char *kind, const char *day)
{
	char path[160];
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	snprintf(path, sizeof(path), "%s/state/outbox.db", t->dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                     "SELECT json_extract(payload, '$.silenced') IS "
	                     "NOT NULL FROM alerts WHERE kind = ?1 AND "
	                     "date(due_at, 'unixepoch', '+8 hours') = ?2",
	                     -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* Transferred Thu 2025-07-03: deadline Thu 07-10, reminders Mon 07-07
 * and Wed 07-09 at 09:00, due 07-10, overdue from 07-11. */
#define CASE_A "cases = ( { id = \"A-1\"; transferred = \"2025-07-03\"; } );\n"

/* At exactly notify_at the reminder is due; a second before it is not,
 * and the plan says when it will be. */
static void
test_notify_at_boundary(void **state)
{
	struct tree t;

	(void)state;
	tree_new(&t, CASE_A);
	assert_int_equal(schedule_plan(t.cfg, t.ob, at("2025-07-07T08:59:59"),
	                     false),
	    at("2025-07-07T09:00:00"));
	assert_int_equal(count(&t, "reminder", NULL), 0);
	assert_int_equal(count(&t, "opened", NULL), 1);
	assert_int_equal(schedule_plan(t.cfg, t.ob, at("2025-07-07T09:00:00"),
	                     false),
	    at("2025-07-09T09:00:00"));
	assert_int_equal(count(&t, "reminder", "pending"), 1);
	/* Planning again queues nothing new. */
	schedule_plan(t.cfg, t.ob, at("2025-07-07T09:00:30"), false);
	assert_int_equal(count(&t, NULL, NULL), 2);
	tree_free(&t);
}

/* After downtime (the first start counts as one), one catch-up per
 * window: the latest alert missed, not every reminder. */
static void
test_catch_up_is_the_latest_alert(void **state)
{
	struct tree t;

	(void)state;
	tree_new(&t, CASE_A);
	schedule_plan(t.cfg, t.ob, at("2025-07-13T10:00"), false);
	assert_int_equal(count(&t, "reminder", NULL), 0);
	assert_int_equal(count(&t, "due", NULL), 0);
	assert_int_equal(count(&t, "overdue", NULL), 1);
	assert_int_equal(count(&t, NULL, NULL), 2); /* and opened */
	tree_free(&t);
}

/* A newer timed alert supersedes an older one still waiting; a closing
 * event cancels what waits and is announced. */
static void
test_supersede_and_cancel(void **state)
{
	struct tree t;

	(void)state;
	tree_new(&t, CASE_A);
	schedule_plan(t.cfg, t.ob, at("2025-07-07T09:00"), false);
	schedule_plan(t.cfg, t.ob, at("2025-07-09T09:00"), false);
	assert_int_equal(count(&t, "reminder", "cancelled"), 1);
	assert_int_equal(count(&t, "reminder", "pending"), 1);
	write_file(t.cases,
	    "cases = ( { id = \"A-1\"; transferred = "
	    "\"2025-07-03\"; filed = \"2025-07-09\"; } );\n");
	tree_load(&t);
	assert_int_equal(schedule_plan(t.cfg, t.ob, at("2025-07-09T10:00"),
	                     false),
	    -1);
	assert_int_equal(count(&t, "reminder", "pending"), 0);
	assert_int_equal(count(&t, "reminder", "cancelled"), 2);
	assert_int_equal(count(&t, "closed", "pending"), 1);
	tree_free(&t);
}

/* Under a silence the timed alerts are recorded as silenced; the first
 * one after it carries the silence that ended (after a restart too),
 * the next one does not; a silenced alert is not superseded (it is not
 * waiting). */
static void
test_resumed_after_silence(void **state)
{
	struct tree t;
	char dir[96];

	(void)state;
	tree_new(&t,
	    "cases = ( { id = \"A-1\"; transferred = "
	    "\"2025-07-03\"; silence = { until = \"2025-07-09\"; "
	    "reason = \"talks\"; }; } );\n");
	schedule_plan(t.cfg, t.ob, at("2025-07-07T09:00"), false);
	schedule_plan(t.cfg, t.ob, at("2025-07-09T09:00"), false);
	assert_int_equal(count(&t, "reminder", "silenced"), 2);
	assert_int_equal(count(&t, "reminder", "cancelled"), 0);
	/* A restart: the outbox opened anew still knows of the silence. */
	snprintf(dir, sizeof(dir), "%s/state", t.dir);
	outbox_close(t.ob);
	assert_non_null(t.ob = outbox_open(dir));
	schedule_plan(t.cfg, t.ob, at("2025-07-10T09:00"), false);
	assert_int_equal(count(&t, "due", "pending"), 1);
	assert_int_equal(payload_silenced(&t, "due", "2025-07-10"), 1);
	assert_int_equal(payload_silenced(&t, "reminder", "2025-07-09"), 1);
	schedule_plan(t.cfg, t.ob, at("2025-07-11T09:00"), false);
	assert_int_equal(payload_silenced(&t, "overdue", "2025-07-11"), 0);
	/* The due alert still waited: the overdue one superseded it. */
	assert_int_equal(count(&t, "due", "cancelled"), 1);
	assert_int_equal(count(&t, "overdue", "pending"), 1);
	tree_free(&t);
}

/* On working days (the default) the overdue alerts of a weekend go out
 * once, on the Monday: after Friday 07-11 the plan sleeps until Monday
 * 09:00, and a pass on the Saturday queues nothing. */
static void
test_weekend_overdue_on_monday(void **state)
{
	struct tree t;

	(void)state;
	tree_new(&t, CASE_A);
	assert_int_equal(schedule_plan(t.cfg, t.ob, at("2025-07-11T09:00"),
	                     false),
	    at("2025-07-14T09:00"));
	assert_int_equal(count(&t, "overdue", NULL), 1);
	assert_int_equal(schedule_plan(t.cfg, t.ob, at("2025-07-12T09:00"),
	                     false),
	    at("2025-07-14T09:00"));
	assert_int_equal(count(&t, "overdue", NULL), 1);
	assert_int_equal(schedule_plan(t.cfg, t.ob, at("2025-07-14T09:00"),
	                     false),
	    at("2025-07-15T09:00"));
	assert_int_equal(count(&t, "overdue", NULL), 2);
	tree_free(&t);
}

/* A case no longer configured: its waiting alerts are cancelled, the
 * receivers that heard of it are told, once. */
static void
test_removed_case(void **state)
{
	struct tree t;

	(void)state;
	tree_new(&t, CASE_A);
	schedule_plan(t.cfg, t.ob, at("2025-07-07T09:00"), false);
	write_file(t.cases,
	    "cases = ( { id = \"B-1\"; transferred = "
	    "\"2025-07-04\"; } );\n");
	tree_load(&t);
	assert_int_equal(schedule_removed(t.cfg, t.ob, at("2025-07-07T10:00"),
	                     false),
	    1);
	assert_int_equal(count(&t, "removed", "pending"), 1);
	assert_int_equal(count(&t, "reminder", "cancelled"), 1);
	assert_int_equal(count(&t, "opened", "cancelled"), 1);
	/* Once: a second sweep finds nothing. */
	assert_int_equal(schedule_removed(t.cfg, t.ob, at("2025-07-07T10:01"),
	                     false),
	    0);
	assert_int_equal(count(&t, "removed", NULL), 1);
	tree_free(&t);
}

/* The sweep in steps of one window finds what the whole sweep finds,
 * whatever is recorded between its steps, and only once. */
static void
test_removed_case_in_steps(void **state)
{
	struct schedule_sweep *sw;
	struct tree t;
	int rc, steps = 0;

	(void)state;
	tree_new(&t,
	    "cases = ( { id = \"A-1\"; transferred = \"2025-07-03\"; },\n"
	    "  { id = \"A-2\"; transferred = \"2025-07-03\"; },\n"
	    "  { id = \"A-3\"; transferred = \"2025-07-03\"; } );\n");
	schedule_plan(t.cfg, t.ob, at("2025-07-07T09:00"), false);
	write_file(t.cases,
	    "cases = ( { id = \"A-1\"; transferred = \"2025-07-03\"; },\n"
	    "  { id = \"A-3\"; transferred = \"2025-07-03\"; },\n"
	    "  { id = \"B-1\"; transferred = \"2025-07-04\"; } );\n");
	tree_load(&t);
	sw = schedule_sweep_new(t.cfg);
	while ((rc = schedule_sweep_step(sw, t.ob, 1)) == 1) {
		if (++steps == 1) /* B-1's window, recorded mid-sweep */
			schedule_plan(t.cfg, t.ob, at("2025-07-07T09:30"),
			    false);
	}
	assert_int_equal(rc, 0);
	/* and then B-1, one a step. */
	assert_int_equal(steps, 4);
	assert_int_equal(count(&t, "removed", NULL), 0);
	assert_int_equal(schedule_sweep_finish(sw, t.ob, at("2025-07-07T10:00"),
	                     false),
	    1);
	schedule_sweep_free(sw);
	assert_int_equal(count(&t, "removed", "pending"), 1);
	assert_int_equal(schedule_removed(t.cfg, t.ob, at("2025-07-07T10:01"),
	                     false),
	    0);
	assert_int_equal(count(&t, "removed", NULL), 1);
	tree_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_notify_at_boundary),
	    cmocka_unit_test(test_catch_up_is_the_latest_alert),
	    cmocka_unit_test(test_supersede_and_cancel),
	    cmocka_unit_test(test_resumed_after_silence),
	    cmocka_unit_test(test_removed_case),
	    cmocka_unit_test(test_removed_case_in_steps),
	    cmocka_unit_test(test_weekend_overdue_on_monday),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
