/*
 * test_suggest.c -- edit distance and the nearest valid name.  Distances
 * are counted by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "suggest.h"

/* Checks insertions, deletions, substitutions and swaps cost one. */
static void
test_distance(void **state)
{
	(void)state;
	assert_int_equal(suggest_distance("", ""), 0);
	assert_int_equal(suggest_distance("abc", ""), 3);
	assert_int_equal(suggest_distance("transfered", "transferred"), 1);
	assert_int_equal(suggest_distance("tilte", "title"), 1);
	assert_int_equal(suggest_distance("notfy", "notify"), 1);
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(suggest_distance("ca", "abc"), 3); /* OSA, not 2 */
	assert_int_equal(suggest_distance("filed", "not_filed"), 4);
}

/* Checks only a near name is offered, the nearest first. */
static void
test_nearest(void **state)
{
	static const char *const events[] = {"transferred", "filed",
	    "not_filed", "extended", NULL, "reasons_received"};
	static const char *const names[] = {"legal-mail", "ops-hook", "log"};
	const size_t ne = sizeof(events) / sizeof(events[0]);

	(void)state;
	assert_string_equal(suggest_nearest("transfered", events, ne),
	    "transferred");
	assert_string_equal(suggest_nearest("Transferred", events, ne),
	    "transferred");
	assert_string_equal(suggest_nearest("extnded", events, ne), "extended");
	assert_string_equal(suggest_nearest("not_fild", events, ne),
	    "not_filed");
	assert_null(suggest_nearest("colour", events, ne));
	assert_null(suggest_nearest("x", events, ne));
	assert_string_equal(suggest_nearest("legal-mial", names, 3),
	    "legal-mail");
	assert_string_equal(suggest_nearest("lg", names, 3), "log");
	assert_null(suggest_nearest("pager", names, 3));
	/* A name that is in the list is not a typo of another. */
	assert_null(suggest_nearest("log", names, 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_distance),
	    cmocka_unit_test(test_nearest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
