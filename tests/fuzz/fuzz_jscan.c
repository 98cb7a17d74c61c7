/*
 * fuzz_jscan.c -- jscan against jansson: a text the walk accepts is one
 * that json_loads reads, into the same tree as the walk's visits build
 * (every path, index, type, number and string, escapes undone); a text
 * the alert scan accepts is one that json_loads reads into an object,
 * with the same kind, days_left, case id, window name and deadline; and
 * a webhook body spliced from it (webhook_body_texts, as delivery sends
 * it) is the same JSON as the body dumped from the parsed alert
 * (webhook_body).
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

/* The tree a walk builds: what holds the values at each depth. */
struct fuzz_tree {
	json_t *stack[JSCAN_DEPTH + 1];
	json_t *top;
	char *scratch; /* room for any string of the text */
};

/* The jansson value v stands for. */
static json_t *
fuzz_value(const struct jscan_value *v, const char *s, char *scratch)
{
	size_t len;

	switch (v->type) {
	case JSCAN_OBJECT:
		return json_object();
	case JSCAN_ARRAY:
		return json_array();
	case JSCAN_STRING:
		len = jscan_unescape(s, v->span, scratch);
		return json_stringn(scratch, len);
	case JSCAN_INTEGER:
		return json_integer(v->integer);
	case JSCAN_REAL:
		return json_real(strtod(s + v->span.off, NULL));
	case JSCAN_TRUE:
		return json_true();
	case JSCAN_FALSE:
		return json_false();
	case JSCAN_NULL:
		break;
	}
	return json_null();
}

/* A visit: v put where the path says, as json_loads would (the last of
 * two members of one key kept). */
static int
fuzz_build(const struct jscan_step *path, int depth,
    const struct jscan_value *v, const char *s, void *arg)
{
	struct fuzz_tree *t = arg;
	const struct jscan_step *step;
	json_t *j = fuzz_value(v, s, t->scratch), *parent;

	FUZZ_CHECK(j != NULL && depth >= 0 && depth <= JSCAN_DEPTH);
	t->stack[depth] = j;
	if (depth == 0) {
		t->top = j;
		return 0;
	}
	parent = t->stack[depth - 1];
	step = &path[depth - 1];
	if (json_is_array(parent)) {
		FUZZ_CHECK(step->index == (long)json_array_size(parent));
		FUZZ_CHECK(json_array_append_new(parent, j) == 0);
		return 0;
	}
	FUZZ_CHECK(json_is_object(parent) && step->index == -1);
	jscan_unescape(s, step->key, t->scratch);
	FUZZ_CHECK(json_object_set_new(parent, t->scratch, j) == 0);
	return 0;
}

/* A text the walk accepts is the JSON its visits say. */
static void
fuzz_walk(const char *s)
{
	struct fuzz_tree t = {.scratch = malloc(strlen(s) + 1)};
	json_t *o;

	FUZZ_CHECK(t.scratch != NULL);
	if (jscan_walk(s, fuzz_build, &t) == 0) {
		o = json_loads(s, JSON_DECODE_ANY, NULL);
		FUZZ_CHECK(o != NULL && json_equal(o, t.top));
		json_decref(o);
	}
	json_decref(t.top);
	free(t.scratch);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	struct jscan_alert brief;
	json_t *o, *days;

	fuzz_walk(s);
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
