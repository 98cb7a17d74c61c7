/*
 * test_golden.c -- the words of every alert kind, compared exactly with
 * files a person has read: tests/unit/golden/.
 *
 * The alerts are in golden/alerts.json (one of each kind, as alert.c
 * writes them).  For Chinese and English this renders each kind alone,
 * then a digest of all of them, then test messages, as plain text
 * (e-mail and the text robots: subject and body) and as the exact body a
 * DingTalk markdown robot receives (with its text shown once more, to be
 * read); and a case whose title, court and id are full of markup, sent to
 * every robot format, as the exact JSON body each receives.
 *
 * A difference fails the test and names the first line that differs.
 * After a deliberate change of wording, regenerate and read the diff:
 *
 *     make SAN=1 unit-bins && GOLDEN_UPDATE=1 build/san/tests/test_golden
 *     git diff tests/unit/golden/
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "message.h"

#define GOLDEN_DIR "tests/unit/golden/"

/* The kinds, in the order the files show them. */
static const char *const golden_kinds[] = {"opened", "reminder", "due",
    "overdue", "overdue_reasons", "extended", "moved", "closed", "removed",
    NULL};

static json_t *golden_alerts;

static int
golden_setup(void **state)
{
	json_error_t e;

	(void)state;
	golden_alerts = json_load_file(GOLDEN_DIR "alerts.json", 0, &e);
	if (golden_alerts == NULL)
		fprintf(stderr, "alerts.json:%d: %s\n", e.line, e.text);
	return golden_alerts == NULL ? -1 : 0;
}

static int
golden_teardown(void **state)
{
	(void)state;
	json_decref(golden_alerts);
	return 0;
}

/* A receiver named name in lang, of format (FORMAT_JSON: e-mail). */
static void
golden_receiver(struct receiver *r, enum receiver_language lang,
    enum receiver_format format, const char *msgtype)
{
	memset(r, 0, sizeof(*r));
	r->name = "legal";
	r->type = format == FORMAT_JSON ? RECEIVER_EMAIL : RECEIVER_WEBHOOK;
	r->url = "https://robot.example.org/send";
	r->format = format;
	r->msgtype = msgtype;
	r->language = lang;
	r->timeout = 30;
}

/* An array of the alert named kind; a new reference. */
static json_t *
golden_one(const char *kind)
{
	json_t *a = json_object_get(golden_alerts, kind);

	assert_non_null(a);
	return json_pack("[O]", a);
}

/* An array of every alert, in golden_kinds order; a new reference. */
static json_t *
golden_all(void)
{
	json_t *all = json_array();

	for (size_t i = 0; golden_kinds[i] != NULL; i++)
		json_array_append(all,
		    json_object_get(golden_alerts, golden_kinds[i]));
	return all;
}

/* Append the plain text of alerts (or a test message) under name. */
static void
golden_text_entry(struct buf *b, const struct receiver *r, const char *name,
    json_t *alerts, bool test)
{
	char *subject = message_subject(r, alerts, test);
	char *body = message_body(r, alerts, test, MESSAGE_TEXT);

	buf_printf(b, "===== %s =====\nSubject: %s\n\n%s\n", name, subject,
	    body);
	free(subject);
	free(body);
}

/* Append the exact DingTalk body of alerts under name, then its text. */
static void
golden_chat_entry(struct buf *b, const struct receiver *r, const char *name,
    json_t *alerts, bool test)
{
	char *body = chat_body(r, alerts, test, 0);
	json_t *doc;

	assert_non_null(body);
	doc = json_loads(body, 0, NULL);
	assert_non_null(doc);
	buf_printf(b,
	    "===== %s =====\n%s\n----- markdown.text, to read -----\n%s\n",
	    name, body,
	    json_string_value(
	        json_object_get(json_object_get(doc, "markdown"), "text")));
	json_decref(doc);
	free(body);
}

/* Every kind alone, the digest and test messages, by entry. */
static char *
golden_render(enum receiver_language lang, enum receiver_format format,
    const char *msgtype,
    void (*entry)(struct buf *, const struct receiver *, const char *, json_t *,
        bool))
{
	struct buf b = {NULL, 0, 0};
	struct receiver r;
	json_t *alerts;

	golden_receiver(&r, lang, format, msgtype);
	for (size_t i = 0; golden_kinds[i] != NULL; i++) {
		alerts = golden_one(golden_kinds[i]);
		entry(&b, &r, golden_kinds[i], alerts, false);
		json_decref(alerts);
	}
	alerts = golden_all();
	entry(&b, &r, "digest", alerts, false);
	json_decref(alerts);
	alerts = json_array();
	message_test_counts(5, 2);
	entry(&b, &r, "test, 5 open, 2 overdue", alerts, true);
	message_test_counts(0, 0);
	entry(&b, &r, "test, nothing open", alerts, true);
	json_decref(alerts);
	return buf_take(&b);
}

/* The body each robot format receives for a case full of markup. */
static char *
golden_markup(void)
{
	static const struct {
		enum receiver_format format;
		const char *msgtype, *name;
	} f[] = {
	    {FORMAT_DINGTALK, "markdown", "dingtalk markdown"},
	    {FORMAT_DINGTALK, "text", "dingtalk text"},
	    {FORMAT_WECOM, "markdown", "wecom markdown"},
	    {FORMAT_WECOM, "text", "wecom text"},
	    {FORMAT_FEISHU, "post", "feishu post"},
	    {FORMAT_FEISHU, "text", "feishu text"},
	    {FORMAT_FEISHU, "interactive", "feishu interactive"},
	    {FORMAT_SLACK, "text", "slack text"},
	    {FORMAT_SLACK, "blocks", "slack blocks"},
	    {FORMAT_TEAMS, "card", "teams card"},
	};
	struct buf b = {NULL, 0, 0};
	struct receiver r;
	json_t *alerts = golden_one("overdue"), *c;
	char *body;

	c = json_object_get(json_array_get(alerts, 0), "case");
	json_object_set_new(c, "id", json_string("(2025)沪0115执1234号 <@U1>"));
	json_object_set_new(c, "title",
	    json_string("<@U123> <!channel> @all [点我](http://evil.example) "
	                "**粗体** _斜_ ~删~ `代码` # 标题 A&B "
	                "<at user_id=\"all\">所有人</at> <font "
	                "color=\"red\">x</font>"));
	json_object_set_new(c, "court", json_string("> 引用 | 表格 |"));
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		golden_receiver(&r, LANGUAGE_ZH, f[i].format, f[i].msgtype);
		body = chat_body(&r, alerts, false, 0);
		assert_non_null(body);
		buf_printf(&b, "===== %s =====\n%s\n", f[i].name, body);
		free(body);
	}
	json_decref(alerts);
	return buf_take(&b);
}

/* Read path into a new string, or NULL. */
static char *
golden_read(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = {NULL, 0, 0};
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_printf(&b, "%s", "");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_addn(&b, chunk, n);
	fclose(f);
	return buf_take(&b);
}

/* Compare got with golden file name (or write it, under GOLDEN_UPDATE). */
static void
golden_check(const char *name, char *got)
{
	char path[256], *want;
	size_t line = 1, start = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), GOLDEN_DIR "%s", name);
	if (getenv("GOLDEN_UPDATE") != NULL) {
		assert_non_null(f = fopen(path, "w"));
		assert_int_equal(fputs(got, f) >= 0, 1);
		assert_int_equal(fclose(f), 0);
		free(got);
		return;
	}
	if ((want = golden_read(path)) == NULL)
		fail_msg("%s: missing (GOLDEN_UPDATE=1 writes it)", path);
	for (i = 0; want[i] != '\0' && want[i] == got[i]; i++)
		if (want[i] == '\n') {
			line++;
			start = i + 1;
		}
	if (want[i] != got[i])
		fail_msg("%s differs at line %zu:\n  want: %.*s\n  got:  %.*s",
		    path, line, (int)strcspn(want + start, "\n"), want + start,
		    (int)strcspn(got + start, "\n"), got + start);
	free(want);
	free(got);
}

static void
test_text_zh(void **state)
{
	(void)state;
	golden_check("text.zh.txt",
	    golden_render(LANGUAGE_ZH, FORMAT_JSON, NULL, golden_text_entry));
}

static void
test_text_en(void **state)
{
	(void)state;
	golden_check("text.en.txt",
	    golden_render(LANGUAGE_EN, FORMAT_JSON, NULL, golden_text_entry));
}

static void
test_dingtalk_zh(void **state)
{
	(void)state;
	golden_check("dingtalk.zh.txt",
	    golden_render(LANGUAGE_ZH, FORMAT_DINGTALK, "markdown",
	        golden_chat_entry));
}

static void
test_dingtalk_en(void **state)
{
	(void)state;
	golden_check("dingtalk.en.txt",
	    golden_render(LANGUAGE_EN, FORMAT_DINGTALK, "markdown",
	        golden_chat_entry));
}

static void
test_markup(void **state)
{
	(void)state;
	golden_check("markup.txt", golden_markup());
}

/* No English title of a window appears in a Chinese golden text, and no
 * Chinese title in an English one. */
static void
test_titles_in_language(void **state)
{
	static const char *const files[] = {"text.zh.txt", "dingtalk.zh.txt",
	    "text.en.txt", "dingtalk.en.txt"};
	const char *en[] = {"Police decision on opening a case",
	    "Written reasons for not opening a case"};
	const char *zh[] = {"公安机关决定是否立案", "书面告知不立案理由"};
	char path[256], *s;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), GOLDEN_DIR "%s", files[i]);
		assert_non_null(s = golden_read(path));
		for (size_t k = 0; k < 2; k++) {
			const char *bad = i < 2 ? en[k] : zh[k];
			const char *good = i < 2 ? zh[k] : en[k];

			if (strstr(s, bad) != NULL)
				fail_msg("%s holds \"%s\"", path, bad);
			assert_non_null(strstr(s, good));
		}
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_zh),
	    cmocka_unit_test(test_text_en),
	    cmocka_unit_test(test_dingtalk_zh),
	    cmocka_unit_test(test_dingtalk_en),
	    cmocka_unit_test(test_markup),
	    cmocka_unit_test(test_titles_in_language),
	};

	return cmocka_run_group_tests(tests, golden_setup, golden_teardown);
}
