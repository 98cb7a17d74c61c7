/*
 * test_jscan.c -- the walk: each value shown once, containers first, with
 * the path to it, strings with their escapes undone as json_loads reads
 * them.  The scan of a stored alert: what the planner stores
 * scans, with the values json_loads reads; anything that is not JSON, or
 * not in the compact shape the scan promises, is refused (and then
 * parsed by the caller); whatever it accepts, json_loads accepts too;
 * and a string is escaped as jansson escapes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"

/* An alert as the planner stores it (alert_payload, json_dumps with
 * JSON_COMPACT): Chinese, an escape in the title, a nested array. */
#define ALERT                                                                    \
	"{\"id\":\"8765e7046cde75976038f4209a32933f\",\"kind\":\"overdue\","     \
	"\"days_left\":-3,\"case\":{\"id\":\"(2026)沪0115执5001号\","         \
	"\"title\":\"张某诉\\\"李某\\\"拒不执行\\n\",\"court\":"        \
	"\"上海市浦东新区人民法院\",\"transferred\":\"2026-11-20\"}," \
	"\"window\":{\"name\":\"decision\",\"title\":\"Police decision\","       \
	"\"opened\":\"2026-11-20\",\"days\":7,\"extended\":false,"               \
	"\"deadline\":\"2026-11-27\",\"deadline_at\":"                           \
	"\"2026-11-27T23:59:59+08:00\",\"provisional\":false,"                   \
	"\"follow_up\":[{\"name\":\"reasons\",\"days\":7.5}],\"x\":null},"       \
	"\"silenced\":{\"until\":\"2026-12-10\",\"reason\":\"\\u00e9\"}}"

/* Whether span of text is want. */
static int
span_is(const char *text, struct jscan_span sp, const char *want)
{
	return sp.len == strlen(want) &&
	    memcmp(text + sp.off, want, sp.len) == 0;
}

/* json_loads reads text into an object whose members agree with out. */
static void
agrees(const char *text, const struct jscan_alert *out)
{
	json_t *o = json_loads(text, 0, NULL);
	const char *kind, *case_id, *window, *deadline;
	json_int_t days;

	assert_non_null(o);
	assert_true(json_is_object(o));
	assert_int_equal(json_unpack(o, "{s:s, s:I, s:{s:s}, s:{s:s, s:s}}",
	                     "kind", &kind, "days_left", &days, "case", "id",
	                     &case_id, "window", "name", &window, "deadline",
	                     &deadline),
	    0);
	assert_true(span_is(text, out->kind, kind));
	assert_true(span_is(text, out->case_id, case_id));
	assert_true(span_is(text, out->window, window));
	assert_true(span_is(text, out->deadline, deadline));
	assert_int_equal(out->days_left, days);
	json_decref(o);
}

/* What the planner stores scans, and says what json_loads reads. */
static void
test_planner_alert(void **state)
{
	struct jscan_alert a;

	(void)state;
	assert_int_equal(jscan_alert(ALERT, &a), 0);
	assert_true(span_is(ALERT, a.kind, "overdue"));
	assert_true(span_is(ALERT, a.case_id, "(2026)沪0115执5001号"));
	assert_true(span_is(ALERT, a.window, "decision"));
	assert_true(span_is(ALERT, a.deadline, "2026-11-27"));
	assert_int_equal(a.days_left, -3);
	agrees(ALERT, &a);
}

/* Members in any order, values of every kind elsewhere, -0 and 0. */
static void
test_accepted(void **state)
{
	static const char *const good[] = {
	    "{\"window\":{\"deadline\":\"d\",\"name\":\"w\"},\"case\":{\"id\":"
	    "\"c\"},\"days_left\":0,\"kind\":\"due\"}",
	    "{\"kind\":\"k\",\"days_left\":-0,\"case\":{\"id\":\"c\",\"n\":"
	    "[[],{},[1,-2.25,true,false,null,\"\\/\\b\\f\\r\\t\\\\\"]]},"
	    "\"window\":{\"name\":\"w\",\"deadline\":\"\"},\"m\":{\"\\u0041\":"
	    "1}}",
	    "{\"kind\":\"k\",\"days_left\":999999999999999999,\"case\":{"
	    "\"id\":\"c\"},\"window\":{\"name\":\"w\",\"deadline\":\"x\"},"
	    "\"more\":{\"kind\":1,\"case\":[]}}",
	};
	struct jscan_alert a;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (jscan_alert(good[i], &a) != 0)
			fail_msg("refused: %s", good[i]);
		agrees(good[i], &a);
	}
}

/* Refused: not JSON, not of the shape, or outside the subset. */
static void
test_refused(void **state)
{
#define REST                                                                   \
	"\"case\":{\"id\":\"c\"},\"window\":{\"name\":\"w\",\"deadline\":"     \
	"\"d\"}}"
	static const char *const bad[] = {
	    "",
	    "[]",
	    "{}",
	    "{\"kind\":\"k\",\"days_left\":1," REST " ",  /* white space */
	    "{\"kind\": \"k\",\"days_left\":1," REST,     /* white space */
	    "{\"kind\":\"k\",\"days_left\":1," REST "x",  /* after it */
	    "{\"kind\":\"k\",\"days_left\":1," REST "{}", /* two texts */
	    "{\"days_left\":1," REST,                     /* no kind */
	    "{\"kind\":\"k\"," REST,                      /* no days_left */
	    "{\"kind\":\"k\",\"days_left\":1,\"case\":{},\"window\":{"
	    "\"name\":\"w\",\"deadline\":\"d\"}}", /* no case id */
	    "{\"kind\":\"k\",\"days_left\":1,\"case\":{\"id\":\"c\"},"
	    "\"window\":{\"name\":\"w\"}}", /* no deadline */
	    "{\"kind\":\"k\",\"kind\":\"k\",\"days_left\":1," REST, /* twice */
	    "{\"kind\":\"k\",\"days_left\":1,\"case\":{\"id\":\"c\"},"
	    "\"case\":{\"id\":\"c\"},\"window\":{\"name\":\"w\",\"deadline\":"
	    "\"d\"}}", /* case twice */
	    "{\"k\\u0069nd\":\"k\",\"kind\":\"k\",\"days_left\":1," REST,
	    "{\"kind\":\"k\\n\",\"days_left\":1," REST,  /* escaped value */
	    "{\"kind\":1,\"days_left\":1," REST,         /* not a string */
	    "{\"kind\":\"k\",\"days_left\":\"1\"," REST, /* a string */
	    "{\"kind\":\"k\",\"days_left\":1.5," REST,   /* a real */
	    "{\"kind\":\"k\",\"days_left\":1e3," REST,   /* exponent */
	    "{\"kind\":\"k\",\"days_left\":1234567890123456789," REST,
	    "{\"kind\":\"k\",\"days_left\":01," REST, /* leading 0 */
	    "{\"kind\":\"k\",\"days_left\":-," REST,
	    "{\"kind\":\"k\",\"days_left\":1.," REST,
	    "{\"kind\":\"k\",\"days_left\":+1," REST,
	    "{\"kind\":\"k\",\"days_left\":1,\"case\":[],\"window\":{"
	    "\"name\":\"w\",\"deadline\":\"d\"}}", /* not an object */
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":\"\\u0000\"," REST,
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":\"\\ud83d\\ude00\"," REST,
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":\"\\u12\"," REST,
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":\"\\x\"," REST,
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":\"\t\"," REST, /* control */
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":\"\xff\"," REST, /* UTF-8 */
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":\"\xed\xa0\x80\"," REST,
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":tru," REST,
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":[1,]," REST,
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":{,}," REST,
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":\"open",
	    "{\"kind\":\"k\",\"days_left\":1,\"x\":",
	    "{\"kind\":\"k\",\"days_left\":1," REST "\xe4\xb8",
	};
	struct jscan_alert a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (jscan_alert(bad[i], &a) != -1)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(jscan_alert(NULL, &a), -1);
#undef REST
}

/* An alert nested depth levels deep (the alert object is one), into
 * text. */
static void
nested(char *text, size_t size, int depth)
{
	int n = snprintf(text, size,
	    "{\"kind\":\"k\",\"days_left\":1,\"case\":{\"id\":\"c\"},"
	    "\"window\":{\"name\":\"w\",\"deadline\":\"d\"},\"x\":");

	for (int i = 1; i < depth; i++)
		text[n++] = '[';
	for (int i = 1; i < depth; i++)
		text[n++] = ']';
	memcpy(text + n, "}", 2);
}

/* Nesting up to JSCAN_DEPTH is accepted, deeper refused. */
static void
test_depth(void **state)
{
	char text[512];
	struct jscan_alert a;

	(void)state;
	nested(text, sizeof(text), JSCAN_DEPTH);
	assert_int_equal(jscan_alert(text, &a), 0);
	agrees(text, &a);
	nested(text, sizeof(text), JSCAN_DEPTH + 1);
	assert_int_equal(jscan_alert(text, &a), -1);
}

/* Every byte jansson escapes in a string, JSCAN_ESCAPED says so and
 * jscan_escape_seq writes what json_dumps does; no other byte below
 * 0x80 is escaped. */
static void
test_escapes_as_jansson(void **state)
{
	char seq[JSCAN_SEQ], in[2] = {0, 0}, want[16];

	(void)state;
	for (int c = 1; c < 0x80; c++) {
		json_t *str;
		char *dumped;

		in[0] = (char)c;
		str = json_string(in);
		dumped = json_dumps(str, JSON_ENCODE_ANY);
		assert_non_null(dumped);
		if (JSCAN_ESCAPED(c)) {
			snprintf(want, sizeof(want), "\"%s\"",
			    jscan_escape_seq((unsigned char)c, seq));
			assert_string_equal(dumped, want);
		} else {
			snprintf(want, sizeof(want), "\"%c\"", c);
			assert_string_equal(dumped, want);
		}
		free(dumped);
		json_decref(str);
	}
}

/* A visitor that refuses the second value it is shown. */
static int
walk_stop(const struct jscan_step *path, int depth, const struct jscan_value *v,
    const char *s, void *arg)
{
	(void)path;
	(void)v;
	(void)s;
	(void)arg;
	return depth == 0 ? 0 : -1;
}

/* One line a visit: the path, the type and the value, for
 * test_walk_paths. */
static int
walk_note(const struct jscan_step *path, int depth, const struct jscan_value *v,
    const char *s, void *arg)
{
	static const char *const types[] = {"object", "array", "string",
	    "integer", "real", "true", "false", "null"};
	char *out = arg, str[128];
	size_t len = strlen(out);

	for (int i = 0; i < depth; i++) {
		if (path[i].index >= 0)
			len += sprintf(out + len, "[%ld]", path[i].index);
		else
			len += sprintf(out + len, "%s%.*s%s", i > 0 ? "." : "",
			    (int)path[i].key.len, s + path[i].key.off,
			    path[i].escaped ? "(esc)" : "");
	}
	len += sprintf(out + len, " %s", types[v->type]);
	if (v->type == JSCAN_STRING) {
		assert_true(v->span.len < sizeof(str));
		jscan_unescape(s, v->span, str);
		len += sprintf(out + len, " '%s'%s", str,
		    v->escaped ? "(esc)" : "");
	} else if (v->type == JSCAN_INTEGER)
		len += sprintf(out + len, " %lld", v->integer);
	else if (v->type == JSCAN_REAL)
		len += sprintf(out + len, " %.*s", (int)v->span.len,
		    s + v->span.off);
	strcpy(out + len, "\n");
	return 0;
}

/* Every value in order, containers before what they hold, each with its
 * path; a visitor's -1 ends the walk refused. */
static void
test_walk_paths(void **state)
{
	static const char text[] =
	    "{\"a\":[1,-2.5,{\"b\\u0041\":\"x\\n\\u00e9\\u4e2d\\/\"}],"
	    "\"t\":true,\"f\":false,\"n\":null,\"e\":{},\"z\":[]}";
	static const char want[] = " object\n"
	                           "a array\n"
	                           "a[0] integer 1\n"
	                           "a[1] real -2.5\n"
	                           "a[2] object\n"
	                           "a[2].b\\u0041(esc) string 'x\né中/'(esc)\n"
	                           "t true\n"
	                           "f false\n"
	                           "n null\n"
	                           "e object\n"
	                           "z array\n";
	char out[1024] = "";

	(void)state;
	assert_int_equal(jscan_walk(text, walk_note, out), 0);
	assert_string_equal(out, want);
	assert_int_equal(jscan_walk("[1,2]", walk_stop, NULL), -1);
	assert_int_equal(jscan_walk("\"top\"", walk_note, (out[0] = '\0', out)),
	    0);
	assert_string_equal(out, " string 'top'\n");
	assert_int_equal(jscan_walk("{\"a\":1} ", walk_note, out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_walk_paths),
	    cmocka_unit_test(test_planner_alert),
	    cmocka_unit_test(test_accepted),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_escapes_as_jansson),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
