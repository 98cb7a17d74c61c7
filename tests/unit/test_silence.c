/*
 * test_silence.c -- silences as the planning pass and -t see them:
 * which silence covers a window on a day (silence_find), the 90-day
 * limit from today (silence_check_until) and the outbox's note.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "date.h"
#include "silence.h"

/* The day a "YYYY-MM-DD" names. */
static date_t
day(const char *s)
{
	date_t d;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static void
test_find(void **state)
{
	struct window_def decision = {.name = "decision"};
	struct window_def reasons = {.name = "reasons"};
	struct silence whole = {.until = day("2026-12-05"), .reason = "a"};
	struct silence one = {.window = "decision",
	    .until = day("2026-12-10"),
	    .reason = "b"};
	const struct silence *list[] = {&whole, &one};
	struct case_extra x = {.silences = list, .nsilences = 2};
	struct case_info c = {.id = "X", .extra = &x};

	(void)state;
	/* Both cover decision up to 12-05: the one that ends last counts. */
	assert_ptr_equal(silence_find(&c, &decision, day("2026-12-01")), &one);
	assert_ptr_equal(silence_find(&c, &decision, day("2026-12-10")), &one);
	assert_null(silence_find(&c, &decision, day("2026-12-11")));
	/* Only the whole-case one covers reasons, through its last day. */
	assert_ptr_equal(silence_find(&c, &reasons, day("2026-12-05")), &whole);
	assert_null(silence_find(&c, &reasons, day("2026-12-06")));
	x.nsilences = 0;
	assert_null(silence_find(&c, &decision, day("2026-12-01")));
	c.extra = NULL;
	assert_null(silence_find(&c, &decision, day("2026-12-01")));
}

static void
test_ninety_days(void **state)
{
	struct silence ok = {.until = day("2027-03-01"),
	    .reason = "x",
	    .file = "a.conf",
	    .until_line = 3};
	struct silence far = {.until = day("2027-03-02"),
	    .reason = "x",
	    .file = "s.conf",
	    .until_line = 7};
	struct case_extra xa = {.silence = &ok};
	struct case_info cases[2] = {{.id = "A", .extra = &xa}, {.id = "B"}};
	struct config cfg;
	struct config_errors errs = {0};

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.cases = cases;
	cfg.ncases = 2;
	cfg.silences = &far;
	cfg.nsilences = 1;
	assert_int_equal(silence_check_until(&cfg, day("2026-12-01"), &errs),
	    1);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0],
	    "s.conf:7: silence until 2027-03-02 is 91 days after today "
	    "(2026-12-01): a silence lasts at most 90 days (until 2027-03-01 "
	    "at the latest)");
	config_errors_free(&errs);
	/* A day later both are within the limit; an ended one is fine. */
	assert_int_equal(silence_check_until(&cfg, day("2026-12-02"), &errs),
	    0);
	assert_int_equal(silence_check_until(&cfg, day("2027-06-01"), &errs),
	    0);
	assert_int_equal(errs.n, 0);
}

static void
test_note(void **state)
{
	struct silence s = {.until = day("2026-12-10"),
	    .reason = "settlement talks under way"};
	char buf[128];

	(void)state;
	assert_string_equal(silence_note(&s, buf, sizeof(buf)),
	    "silenced until 2026-12-10: settlement talks under way");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_ninety_days),
	    cmocka_unit_test(test_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
