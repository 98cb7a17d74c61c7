/*
 * fuzz_jscan.c -- jscan_alert against jansson: a text the scan accepts
 * is one that json_loads reads into an object, with the same kind,
 * days_left, case id, window name and deadline; and a webhook body
 * spliced from it (webhook_body_texts, as delivery sends it) is the same
 * JSON as the body dumped from the parsed alert (webhook_body).
 */
#include <jansson.h>
#include <string.h>

#include "channel.h"
#include "fuzz.h"
#include "jscan.h"

#define NOW ((time_t)1751850001) /* 2025-07-07T09:00:01+08:00 */

/* Whether span of text is the string want. */
static bool
fuzz_span_is(const char *text, struct jscan_span sp, const char *want)
{
	return want != NULL && sp.len == strlen(want) &&
	    memcmp(text + sp.off, want, sp.len) == 0;
}

/* The bodies spliced from text and dumped from alert are the same JSON. */
static void
fuzz_same_body(const char *text, json_t *alert)
{
	const char *texts[] = {text, text};
	json_t *alerts = json_pack("[O, O]", alert, alert);
	char *spliced = webhook_body_texts("hook", texts, 2, NOW);
	char *dumped = webhook_body("hook", alerts, NOW, false);
	json_t *a, *b;

	FUZZ_CHECK(spliced != NULL && dumped != NULL);
	a = json_loads(spliced, 0, NULL);
	b = json_loads(dumped, 0, NULL);
	FUZZ_CHECK(a != NULL && b != NULL && json_equal(a, b));
	json_decref(a);
	json_decref(b);
	json_decref(alerts);
	free(spliced);
	free(dumped);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	struct jscan_alert brief;
	json_t *o, *days;

	if (jscan_alert(s, &brief) == 0) {
		o = json_loads(s, 0, NULL);
		FUZZ_CHECK(json_is_object(o));
		FUZZ_CHECK(fuzz_span_is(s, brief.kind,
		    json_string_value(json_object_get(o, "kind"))));
		days = json_object_get(o, "days_left");
		FUZZ_CHECK(json_is_integer(days) &&
		    json_integer_value(days) == brief.days_left);
		FUZZ_CHECK(fuzz_span_is(s, brief.case_id,
		    json_string_value(
		        json_object_get(json_object_get(o, "case"), "id"))));
		FUZZ_CHECK(fuzz_span_is(s, brief.window,
		    json_string_value(
		        json_object_get(json_object_get(o, "window"),
		            "name"))));
		FUZZ_CHECK(fuzz_span_is(s, brief.deadline,
		    json_string_value(
		        json_object_get(json_object_get(o, "window"),
		            "deadline"))));
		fuzz_same_body(s, o);
		json_decref(o);
	}
	free(s);
	return 0;
}
