/*
 * test_alert.c -- alert_text writes, byte for byte, what json_dumps
 * (JSON_COMPACT) writes of alert_payload's object: every timed kind,
 * with and without the transfer event and an English title, extended
 * and provisional or not, and strings that need escaping (quotes,
 * backslashes, every control character) or none (Chinese); and it
 * refuses a string that is not UTF-8 as jansson does.  What it writes
 * also scans (jscan.h), so that delivery need not parse it.
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

#include "alert.h"
#include "clock.h"
#include "jscan.h"

/* alert_text and the dump of alert_payload agree for these. */
static void
same(const struct case_info *c, const struct window_def *w,
    const struct window_state *ws, enum alert_kind kind, date_t today)
{
	static const char id[] = "0123456789abcdef0123456789abcdef";
	json_t *o = alert_payload(id, kind, c, w, ws, today, NULL);
	char *dumped = json_dumps(o, JSON_COMPACT);
	char *text = alert_text(id, kind, c, w, ws, today);
	struct jscan_alert brief;

	assert_non_null(dumped);
	assert_non_null(text);
	assert_string_equal(text, dumped);
	assert_int_equal(jscan_alert(text, &brief), 0);
	free(text);
	free(dumped);
	json_decref(o);
}

static void
test_same_as_jansson(void **state)
{
	static const char *const titles[] = {
	    "",
	    "张某诉李某拒不执行",
	    "say \"no\" \\ or / yes",
	    "tab\there\nline\r\x01\x08\x0c\x1f\x7f end",
	    "上海市浦东新区人民法院",
	};
	struct case_event ev[] = {{"transferred", 0, 3}, {"filed", 0, 4}};
	struct case_info c = {.id = "(2026)沪0115执5001号", .events = ev};
	struct window_def w = {.name = "decision",
	    .title = "Police decision on opening a case"};
	struct window_state ws = {.days = 7};
	date_t today;

	(void)state;
	assert_int_equal(date_parse("2026-11-30", &today), 0);
	assert_int_equal(date_parse("2026-11-20", &ev[0].date), 0);
	ev[1].date = ev[0].date + 3;
	ws.opened = ev[0].date;
	ws.deadline = ev[0].date + 7;
	for (size_t t = 0; t < sizeof(titles) / sizeof(titles[0]); t++)
		for (int bits = 0; bits < 16; bits++) {
			c.title = titles[t];
			c.court = titles[(t + 1) % 5];
			c.nevents = bits & 1 ? 2 : 0;
			w.title_en = bits & 2 ? titles[(t + 2) % 5] : NULL;
			ws.extended = bits & 4;
			ws.provisional = bits & 8;
			ws.days = bits & 4 ? 30 : 7;
			for (int k = ALERT_REMINDER; k <= ALERT_OVERDUE; k++)
				same(&c, &w, &ws, (enum alert_kind)k, today);
		}
}

/* A string that is not UTF-8: no text (jansson would refuse it). */
static void
test_not_utf8(void **state)
{
	struct case_info c = {.id = "A-1",
	    .title = "bad \xff byte",
	    .court = ""};
	struct window_def w = {.name = "decision", .title = "t"};
	struct window_state ws = {.days = 7};

	(void)state;
	assert_null(alert_text("0123456789abcdef0123456789abcdef", ALERT_DUE,
	    &c, &w, &ws, 0));
}

static int
setup(void **state)
{
	(void)state;
	return clock_set_zone("Asia/Shanghai");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_as_jansson),
	    cmocka_unit_test(test_not_utf8),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
