/*
 * test_digest.c -- reading a lane's rows (digest_collect: stored alerts
 * that parse, that do not, that are not objects, notices) and cutting
 * them into messages: a message that went out before is resent whole or
 * not at all, new messages stop at the limit, at a stored message, at an
 * unreadable row and between case alerts and administrators' notices.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "digest.h"

#define CASE_ALERT "{\"id\":\"x\",\"kind\":\"overdue\",\"days_left\":-1}"
#define ADMIN_ALERT                                                            \
	"{\"id\":\"y\",\"kind\":\"admin\",\"admin\":{\"event\":\"e\"}}"

/* Add a row of payload, stored in message (NULL: none) of size. */
static void
add(struct digest_rows *rows, const char *payload, const char *message,
    int size)
{
	char id[ALERT_ID_LEN + 1];
	struct outbox_pending p;

	snprintf(id, sizeof(id), "%032zu", rows->n);
	memset(&p, 0, sizeof(p));
	p.alert_id = id;
	p.receiver = "hook";
	p.attempts = (int)rows->n % 3;
	p.payload = payload;
	p.at.next_try = 100;
	p.at.id = (long long)rows->n + 1;
	p.message = message;
	p.message_size = size;
	assert_int_equal(digest_collect(&p, rows), 0);
}

/* Rows are copied whole; the alert parsed, or set aside with why. */
static void
test_collect(void **state)
{
	struct digest_rows rows = {.v = NULL};

	(void)state;
	add(&rows, CASE_ALERT, NULL, 0);
	add(&rows, "{not json", NULL, 0);
	add(&rows, "[1, 2]", NULL, 0);
	add(&rows, NULL, NULL, 0);
	add(&rows, ADMIN_ALERT, "k1", 1);
	assert_int_equal(rows.n, 5);
	assert_non_null(rows.v[0].alert);
	assert_false(rows.v[0].admin);
	assert_string_equal(rows.v[0].error, "");
	assert_string_equal(rows.v[0].message, "");
	assert_null(rows.v[1].alert);
	assert_non_null(strstr(rows.v[1].error, "cannot be read"));
	assert_null(rows.v[2].alert);
	assert_non_null(strstr(rows.v[2].error, "not a JSON object"));
	assert_null(rows.v[3].alert);
	assert_true(rows.v[4].admin);
	assert_string_equal(rows.v[4].message, "k1");
	assert_int_equal(rows.v[4].message_size, 1);
	assert_int_equal(rows.v[4].at.id, 5);
	assert_string_equal(rows.v[4].alert_id,
	    "00000000000000000000000000000004");
	digest_rows_free(&rows);
	assert_int_equal(rows.n, 0);
	assert_null(rows.v);
}

/* A case alert as the planner stores it, deadline 2026-11-27, with
 * days_left (a number, as text). */
#define STORED(days)                                                           \
	"{\"id\":\"x\",\"kind\":\"overdue\",\"days_left\":" days               \
	",\"case\":{\"id\":\"(2026)沪0115执5001号\"},\"window\":{"          \
	"\"name\":\"decision\",\"deadline\":\"2026-11-27\"}}"

/* For a message of texts, a case alert that scans and is true today is
 * only scanned; one whose days_left is out of date today, a notice, or
 * a text the scan refuses is parsed; without texts everything is. */
static void
test_collect_scanned(void **state)
{
	struct digest_rows rows = {.texts = true};
	date_t today;

	(void)state;
	assert_int_equal(date_parse("2026-11-30", &today), 0);
	rows.today = today;
	add(&rows, STORED("-3"), NULL, 0); /* true on 2026-11-30 */
	add(&rows, STORED("-2"), NULL, 0); /* a day out of date */
	add(&rows, ADMIN_ALERT, NULL, 0);
	add(&rows, "{\"kind\": \"overdue\"}", NULL, 0);
	add(&rows, "{not json", NULL, 0);
	assert_true(rows.v[0].scanned);
	assert_null(rows.v[0].alert);
	assert_true(digest_readable(&rows.v[0]));
	assert_string_equal(rows.v[0].text, STORED("-3"));
	assert_int_equal(rows.v[0].brief.days_left, -3);
	assert_false(rows.v[0].admin);
	for (size_t i = 1; i < 4; i++) {
		assert_false(rows.v[i].scanned);
		assert_non_null(rows.v[i].alert);
		assert_true(digest_readable(&rows.v[i]));
	}
	assert_true(rows.v[2].admin);
	assert_false(rows.v[4].scanned);
	assert_false(digest_readable(&rows.v[4]));
	/* Scanned rows make messages like parsed ones. */
	assert_int_equal(digest_fresh_run(&rows, 0, 100), 2);
	digest_rows_free(&rows);

	rows.texts = false;
	add(&rows, STORED("-3"), NULL, 0);
	assert_false(rows.v[0].scanned);
	assert_non_null(rows.v[0].alert);
	digest_rows_free(&rows);
}

/* Many rows: the array grows, nothing is lost. */
static void
test_collect_many(void **state)
{
	struct digest_rows rows = {.v = NULL};

	(void)state;
	for (int i = 0; i < 1000; i++)
		add(&rows, CASE_ALERT, NULL, 0);
	assert_int_equal(rows.n, 1000);
	assert_true(rows.cap >= 1000);
	assert_int_equal(rows.v[999].at.id, 1000);
	assert_non_null(rows.v[999].alert);
	digest_rows_free(&rows);
}

/* A stored message goes again only whole: all its alerts, in a row. */
static void
test_stored_run(void **state)
{
	struct digest_rows rows = {.v = NULL};

	(void)state;
	add(&rows, CASE_ALERT, "k1", 3);
	add(&rows, CASE_ALERT, "k1", 3);
	add(&rows, CASE_ALERT, "k1", 3);
	add(&rows, CASE_ALERT, "k2", 2); /* its second alert is not here */
	add(&rows, CASE_ALERT, NULL, 0);
	add(&rows, CASE_ALERT, "k3", 2);
	add(&rows, "{bad", "k3", 2); /* unreadable: not whole */
	assert_int_equal(digest_stored_run(&rows, 0), 3);
	assert_int_equal(digest_stored_run(&rows, 1),
	    0); /* not from its start */
	assert_int_equal(digest_stored_run(&rows, 3), 0);
	assert_int_equal(digest_stored_run(&rows, 4), 0);
	assert_int_equal(digest_stored_run(&rows, 5), 0);
	assert_int_equal(digest_stored_run(&rows, 6), 0);
	digest_rows_free(&rows);
}

/* New messages: up to max, never into a stored message's rows, never
 * across an unreadable row, case alerts and notices apart. */
static void
test_fresh_run(void **state)
{
	struct digest_rows rows = {.v = NULL};

	(void)state;
	for (int i = 0; i < 5; i++)
		add(&rows, CASE_ALERT, NULL, 0); /* 0..4 */
	add(&rows, CASE_ALERT, "k1", 1);         /* 5 */
	add(&rows, CASE_ALERT, NULL, 0);         /* 6 */
	add(&rows, "{bad", NULL, 0);             /* 7 */
	add(&rows, CASE_ALERT, NULL, 0);         /* 8 */
	add(&rows, ADMIN_ALERT, NULL, 0);        /* 9 */
	add(&rows, ADMIN_ALERT, NULL, 0);        /* 10 */
	add(&rows, CASE_ALERT, NULL, 0);         /* 11 */
	assert_int_equal(digest_fresh_run(&rows, 0, 100), 5);
	assert_int_equal(digest_fresh_run(&rows, 0, 2), 2);
	assert_int_equal(digest_fresh_run(&rows, 3, 100), 2);
	/* The first row is taken whatever message it names (the caller
	 * tried it as a stored run first); fresh rows after it join. */
	assert_int_equal(digest_fresh_run(&rows, 5, 100), 2);
	assert_int_equal(digest_fresh_run(&rows, 7, 100), 0);
	assert_int_equal(digest_fresh_run(&rows, 8, 100), 1);
	assert_int_equal(digest_fresh_run(&rows, 9, 100), 2);
	assert_int_equal(digest_fresh_run(&rows, 11, 100), 1);
	assert_int_equal(digest_fresh_run(&rows, 11, 1), 1);
	digest_rows_free(&rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_collect),
	    cmocka_unit_test(test_collect_many),
	    cmocka_unit_test(test_collect_scanned),
	    cmocka_unit_test(test_stored_run),
	    cmocka_unit_test(test_fresh_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
