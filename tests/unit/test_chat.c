/*
 * test_chat.c -- the chat-robot channel: each robot's body (parsed back
 * with jansson) for every format and msgtype, the people to @, WeCom's
 * byte limits on a digest of 200 alerts, the DingTalk and Feishu
 * signatures against vectors computed apart from deadlined (Python's
 * hmac, and here with OpenSSL's HMAC and a base64 written by hand), what
 * chat_verdict makes of the robots' answers, and the request chat_setup
 * builds: headers, the signed DingTalk URL over the real time, that
 * no secret or token goes into the body or an error, and that every robot
 * shows an administrators' notice readably.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "channel.h"
#include "deliver.h"
#include "clock.h"
#include "message.h"
#include "utf8.h"

#define CASE_ID  "(2025)沪0115执1234号"
#define TITLE    "张三诉李四拒不执行判决"
#define COURT    "上海市浦东新区人民法院"
#define REAL_MS  1751850001234LL /* 2025-07-07T09:00:01.234+08:00 */
#define SECRET   "SECtest-0123456789abcdef"
#define FSECRET  "feishu-secret-0123"
#define URLTOKEN "URLTOKEN-7c1d"
#define MOBILE1  "13800000001"
#define MOBILE2  "13900000002"

static char secret[] = SECRET;
static char fsecret[] = FSECRET;
static const char *mobiles[] = {MOBILE1, MOBILE2};

/* An alert object as alert.h describes it; title may be NULL for the
 * usual one. */
static json_t *
make_alert(const char *kind, int days_left, const char *title)
{
	json_t *a = json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s}, "
	                      "s:{s:s, s:s, s:s, s:i, s:b, s:s, s:s}}",
	    "id", "0123456789abcdef0123456789abcdef", "kind", kind, "days_left",
	    days_left, "case", "id", CASE_ID, "title",
	    title != NULL ? title : TITLE, "court", COURT, "window", "name",
	    "decision", "title", "Police decision on opening a case", "opened",
	    "2025-07-03", "days", 7, "extended", 0, "deadline", "2025-07-10",
	    "deadline_at", "2025-07-10T23:59:59+08:00");

	assert_non_null(a);
	return a;
}

/* A list of one reminder. */
static json_t *
one_alert(void)
{
	json_t *l = json_pack("[o]", make_alert("reminder", 3, NULL));

	assert_non_null(l);
	return l;
}

/* A chat receiver of format with msgtype (NULL: the default). */
static void
make_receiver(struct receiver *r, enum receiver_format format,
    const char *msgtype)
{
	memset(r, 0, sizeof(*r));
	r->name = "robot";
	r->type = RECEIVER_WEBHOOK;
	r->url = "https://robot.example.org/send?access_token=" URLTOKEN;
	r->format = format;
	r->msgtype = msgtype;
	r->timeout = 30;
	r->language = LANGUAGE_ZH;
}

/* The body for r and alerts, parsed back; it must be one JSON object. */
static json_t *
body_doc(const struct receiver *r, json_t *alerts, bool test)
{
	json_error_t e;
	json_t *doc;
	char *body;

	body = chat_body(r, alerts, test, REAL_MS);
	assert_non_null(body);
	assert_null(strstr(body, URLTOKEN));
	assert_null(strstr(body, SECRET));
	assert_null(strstr(body, FSECRET));
	doc = json_loads(body, 0, &e);
	if (doc == NULL)
		fail_msg("not JSON (%s): %s", e.text, body);
	assert_true(json_is_object(doc));
	free(body);
	return doc;
}

/* The string at a path of object keys; fails if there is none. */
static const char *
str_at(json_t *doc, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, doc);
	while ((key = va_arg(ap, const char *)) != NULL)
		doc = json_object_get(doc, key);
	va_end(ap);
	assert_true(json_is_string(doc));
	return json_string_value(doc);
}

/* True if the array a holds exactly the strings given, in order. */
static bool
strings_are(json_t *a, size_t n, const char **want)
{
	if (!json_is_array(a) || json_array_size(a) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!json_is_string(json_array_get(a, i)) ||
		    strcmp(json_string_value(json_array_get(a, i)), want[i]) !=
		        0)
			return false;
	return true;
}

/* Base64 of n bytes, written out by hand from RFC 4648. */
static void
b64(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		out[o++] = abc[in[i] >> 2];
		out[o++] = abc[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = abc[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		out[o++] = abc[in[i + 2] & 63];
	}
	if (n - i == 1) {
		out[o++] = abc[in[i] >> 2];
		out[o++] = abc[(in[i] & 3) << 4];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		out[o++] = abc[in[i] >> 2];
		out[o++] = abc[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = abc[(in[i + 1] & 15) << 2];
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* Base64 HMAC-SHA256 of msg under key, computed here. */
static void
hmac_b64(const char *key, const char *msg, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	assert_non_null(HMAC(EVP_sha256(), key, (int)strlen(key),
	    (const unsigned char *)msg, strlen(msg), md, &len));
	assert_int_equal(len, 32);
	b64(md, len, out);
}

/* Percent-encode every byte of in that is not unreserved (RFC 3986). */
static void
urlencode(const char *in, char *out)
{
	for (; *in != '\0'; in++) {
		if (strchr("+/=", *in) != NULL)
			out += sprintf(out, "%%%02X", (unsigned char)*in);
		else
			*out++ = *in;
	}
	*out = '\0';
}

/* Checks DingTalk markdown: title, text, the people to @ in "at" and
 * as "@mobile" in the text. */
static void
test_dingtalk_markdown(void **state)
{
	json_t *alerts = one_alert(), *doc, *at;
	const char *text;
	struct receiver r;

	(void)state;
	make_receiver(&r, FORMAT_DINGTALK, "markdown");
	r.at_mobiles = mobiles;
	r.nat_mobiles = 2;
	r.at_all = true;
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "msgtype", NULL), "markdown");
	assert_true(strlen(str_at(doc, "markdown", "title", NULL)) > 0);
	text = str_at(doc, "markdown", "text", NULL);
	assert_non_null(strstr(text, CASE_ID));
	assert_non_null(strstr(text, "@" MOBILE1));
	assert_non_null(strstr(text, "@" MOBILE2));
	at = json_object_get(doc, "at");
	assert_true(strings_are(json_object_get(at, "atMobiles"), 2, mobiles));
	assert_true(json_is_true(json_object_get(at, "isAtAll")));
	assert_null(json_object_get(doc, "text"));
	json_decref(doc);
	json_decref(alerts);
}

/* Checks a robot's text says a provisional deadline may move. */
static void
test_provisional(void **state)
{
	json_t *alerts = one_alert(), *doc, *w;
	struct receiver r;

	(void)state;
	w = json_object_get(json_array_get(alerts, 0), "window");
	json_object_set_new(w, "deadline", json_string("2026-01-05"));
	json_object_set_new(w, "provisional", json_true());
	make_receiver(&r, FORMAT_DINGTALK, "markdown");
	doc = body_doc(&r, alerts, false);
	assert_non_null(strstr(str_at(doc, "markdown", "text", NULL),
	    "2026 年节假日安排尚未公布，期限可能顺延。"));
	json_decref(doc);
	make_receiver(&r, FORMAT_SLACK, NULL);
	r.language = LANGUAGE_EN;
	doc = body_doc(&r, alerts, false);
	assert_non_null(strstr(str_at(doc, "text", NULL),
	    "The holiday calendar for 2026 is not yet published; the "
	    "deadline may move later."));
	json_decref(doc);
	json_decref(alerts);
}

/* Checks DingTalk text: content, no "at" when nobody is to be @-ed, and
 * the default msgtype (NULL) is markdown. */
static void
test_dingtalk_text(void **state)
{
	json_t *alerts = one_alert(), *doc;
	struct receiver r;

	(void)state;
	make_receiver(&r, FORMAT_DINGTALK, "text");
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "msgtype", NULL), "text");
	assert_non_null(strstr(str_at(doc, "text", "content", NULL), CASE_ID));
	assert_null(json_object_get(doc, "at"));
	assert_null(json_object_get(doc, "markdown"));
	json_decref(doc);

	r.at_mobiles = mobiles;
	r.nat_mobiles = 1;
	doc = body_doc(&r, alerts, false);
	assert_non_null(
	    strstr(str_at(doc, "text", "content", NULL), "@" MOBILE1));
	assert_true(strings_are(json_object_get(json_object_get(doc, "at"),
	                            "atMobiles"),
	    1, mobiles));
	assert_true(json_is_false(
	    json_object_get(json_object_get(doc, "at"), "isAtAll")));
	json_decref(doc);

	make_receiver(&r, FORMAT_DINGTALK, NULL);
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "msgtype", NULL), "markdown");
	json_decref(doc);
	json_decref(alerts);
}

/* Checks WeCom markdown and text, and mentioned_mobile_list with
 * "@all" for at_all. */
static void
test_wecom(void **state)
{
	static const char *want[] = {MOBILE1, MOBILE2, "@all"};
	json_t *alerts = one_alert(), *doc;
	struct receiver r;

	(void)state;
	make_receiver(&r, FORMAT_WECOM, "markdown");
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "msgtype", NULL), "markdown");
	assert_non_null(
	    strstr(str_at(doc, "markdown", "content", NULL), CASE_ID));
	assert_int_equal(json_object_size(doc), 2);
	json_decref(doc);

	make_receiver(&r, FORMAT_WECOM, "text");
	r.at_mobiles = mobiles;
	r.nat_mobiles = 2;
	r.at_all = true;
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "msgtype", NULL), "text");
	assert_non_null(strstr(str_at(doc, "text", "content", NULL), CASE_ID));
	assert_true(strings_are(json_object_get(json_object_get(doc, "text"),
	                            "mentioned_mobile_list"),
	    3, want));
	json_decref(doc);

	r.nat_mobiles = 0;
	r.at_all = false;
	doc = body_doc(&r, alerts, false);
	assert_null(json_object_get(json_object_get(doc, "text"),
	    "mentioned_mobile_list"));
	json_decref(doc);
	json_decref(alerts);
}

/* The WeCom content of a digest of n alerts in msgtype and language. */
static json_t *
wecom_digest(const char *msgtype, enum receiver_language lang, size_t n)
{
	json_t *alerts = json_array(), *doc;
	struct receiver r;
	char title[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(title, sizeof(title), "案件 %zu：张三诉李四", i + 1);
		json_array_append_new(alerts, make_alert("reminder", 3, title));
	}
	make_receiver(&r, FORMAT_WECOM, msgtype);
	r.language = lang;
	doc = body_doc(&r, alerts, false);
	json_decref(alerts);
	return doc;
}

/* Checks a digest of 200 alerts keeps within WeCom's limits (4096 bytes
 * of Markdown, 2048 of text), whole and valid UTF-8, and says how many
 * more there are. */
static void
test_wecom_limits(void **state)
{
	static const struct {
		const char *msgtype;
		enum receiver_language lang;
		size_t max;
		const char *more;
	} cases[] = {
	    {"markdown", LANGUAGE_ZH, 4096, "另有"},
	    {"markdown", LANGUAGE_EN, 4096, "more"},
	    {"text", LANGUAGE_ZH, 2048, "另有"},
	    {"text", LANGUAGE_EN, 2048, "more"},
	};
	const char *content;
	json_t *doc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		doc = wecom_digest(cases[i].msgtype, cases[i].lang, 200);
		content = str_at(doc, cases[i].msgtype, "content", NULL);
		assert_true(strlen(content) <= cases[i].max);
		assert_true(strlen(content) > cases[i].max / 2);
		assert_true(utf8_valid(content));
		assert_non_null(strstr(content, cases[i].more));
		assert_non_null(strstr(content, "案件 1："));
		assert_null(strstr(content, "案件 200："));
		json_decref(doc);
	}
}

/* Checks Feishu post: title and one paragraph of text per line, in
 * zh_cn or en_us; no signing fields without a secret. */
static void
test_feishu_post(void **state)
{
	json_t *alerts = one_alert(), *doc, *post, *paras, *p;
	bool found = false;
	struct receiver r;
	size_t i;

	(void)state;
	make_receiver(&r, FORMAT_FEISHU, NULL);
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "msg_type", NULL), "post");
	assert_null(json_object_get(doc, "timestamp"));
	assert_null(json_object_get(doc, "sign"));
	post = json_object_get(json_object_get(doc, "content"), "post");
	assert_true(strlen(str_at(post, "zh_cn", "title", NULL)) > 0);
	paras = json_object_get(json_object_get(post, "zh_cn"), "content");
	assert_true(json_array_size(paras) > 1);
	json_array_foreach(paras, i, p) {
		assert_int_equal(json_array_size(p), 1);
		assert_string_equal(str_at(json_array_get(p, 0), "tag", NULL),
		    "text");
		assert_null(
		    strchr(str_at(json_array_get(p, 0), "text", NULL), '\n'));
		found |= strstr(str_at(json_array_get(p, 0), "text", NULL),
		             CASE_ID) != NULL;
	}
	assert_true(found);
	json_decref(doc);

	r.language = LANGUAGE_EN;
	doc = body_doc(&r, alerts, false);
	post = json_object_get(json_object_get(doc, "content"), "post");
	assert_non_null(json_object_get(post, "en_us"));
	assert_null(json_object_get(post, "zh_cn"));
	json_decref(doc);
	json_decref(alerts);
}

/* Checks Feishu text and interactive, and the signing fields (the real
 * time in seconds as a string, the sign over it) first in the body. */
static void
test_feishu_text_card_signed(void **state)
{
	json_t *alerts = one_alert(), *doc, *el;
	struct receiver r;
	const char *key;
	char *body;

	(void)state;
	make_receiver(&r, FORMAT_FEISHU, "text");
	r.secret = fsecret;
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "msg_type", NULL), "text");
	assert_non_null(strstr(str_at(doc, "content", "text", NULL), CASE_ID));
	assert_string_equal(str_at(doc, "timestamp", NULL), "1751850001");
	/* By Python: base64(hmac.new(b"1751850001\nfeishu-secret-0123",
	 * b"", hashlib.sha256).digest()). */
	assert_string_equal(str_at(doc, "sign", NULL),
	    "NzgAJByk0hjrT46QSJPUJ2U6162xyxvO6p9WNRUUTQw=");
	json_decref(doc);
	body = chat_body(&r, alerts, false, REAL_MS);
	assert_true(
	    strncmp(body, "{\"timestamp\":\"1751850001\",\"sign\":", 33) == 0);
	free(body);

	make_receiver(&r, FORMAT_FEISHU, "interactive");
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "msg_type", NULL), "interactive");
	assert_null(json_object_get(doc, "content"));
	assert_string_equal(str_at(doc, "card", "header", "title", "tag", NULL),
	    "plain_text");
	key = str_at(doc, "card", "header", "title", "content", NULL);
	assert_true(strlen(key) > 0);
	el = json_array_get(json_object_get(json_object_get(doc, "card"),
	                        "elements"),
	    0);
	assert_string_equal(str_at(el, "tag", NULL), "markdown");
	assert_non_null(strstr(str_at(el, "content", NULL), CASE_ID));
	json_decref(doc);
	json_decref(alerts);
}

/* Checks that a case title cannot @ a whole Feishu group: in text and
 * card messages "<at" never survives as a tag. */
static void
test_feishu_no_at_from_titles(void **state)
{
	static const char *types[] = {"text", "interactive"};
	json_t *alerts, *doc;
	struct receiver r;
	char *body;

	(void)state;
	alerts = json_pack("[o]",
	    make_alert("due", 0, "X <at user_id=\"all\">all</at> <AT id=1>"));
	for (size_t i = 0; i < 2; i++) {
		make_receiver(&r, FORMAT_FEISHU, types[i]);
		doc = body_doc(&r, alerts, false);
		body = json_dumps(doc, 0);
		assert_non_null(body);
		assert_null(strstr(body, "<at"));
		assert_null(strstr(body, "<AT"));
		/* The title is still there: with a zero-width space in text,
		 * its '<' full-width in a card's Markdown. */
		assert_true(strstr(body, "<\u200bat user_id") != NULL ||
		    strstr(body, "＜at user") != NULL);
		free(body);
		json_decref(doc);
	}
	json_decref(alerts);
}

/* Checks Slack text and blocks, and that &, < and > are escaped so no
 * case title can say <!channel>. */
static void
test_slack(void **state)
{
	json_t *alerts, *doc, *block;
	struct receiver r;
	const char *s;

	(void)state;
	alerts = json_pack("[o]", make_alert("due", 0, "A & B <!channel>"));
	make_receiver(&r, FORMAT_SLACK, NULL);
	doc = body_doc(&r, alerts, false);
	assert_int_equal(json_object_size(doc), 1);
	s = str_at(doc, "text", NULL);
	assert_non_null(strstr(s, CASE_ID));
	assert_non_null(strstr(s, "A &amp; B &lt;!channel&gt;"));
	assert_null(strstr(s, "<!channel>"));
	json_decref(doc);

	make_receiver(&r, FORMAT_SLACK, "blocks");
	doc = body_doc(&r, alerts, false);
	assert_true(strlen(str_at(doc, "text", NULL)) > 0);
	assert_int_equal(json_array_size(json_object_get(doc, "blocks")), 1);
	block = json_array_get(json_object_get(doc, "blocks"), 0);
	assert_string_equal(str_at(block, "type", NULL), "section");
	assert_string_equal(str_at(block, "text", "type", NULL), "mrkdwn");
	s = str_at(block, "text", "text", NULL);
	assert_non_null(strstr(s, CASE_ID));
	assert_null(strstr(s, "<!channel>"));
	json_decref(doc);
	json_decref(alerts);
}

/* Checks a Slack section of a big digest stays within 3000 bytes. */
static void
test_slack_section_limit(void **state)
{
	json_t *alerts = json_array(), *doc, *block;
	struct receiver r;

	(void)state;
	for (int i = 0; i < 100; i++)
		json_array_append_new(alerts,
		    make_alert("overdue", -2, "<&> <&> <&> <&>"));
	make_receiver(&r, FORMAT_SLACK, "blocks");
	doc = body_doc(&r, alerts, false);
	block = json_array_get(json_object_get(doc, "blocks"), 0);
	assert_true(strlen(str_at(block, "text", "text", NULL)) <= 3000);
	json_decref(doc);
	json_decref(alerts);
}

/* Checks the Teams message: one Adaptive Card 1.4 of TextBlocks, the
 * first the subject in bold. */
static void
test_teams(void **state)
{
	json_t *alerts = one_alert(), *doc, *att, *card, *body, *b;
	bool found = false;
	struct receiver r;
	size_t i;

	(void)state;
	make_receiver(&r, FORMAT_TEAMS, NULL);
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "type", NULL), "message");
	assert_int_equal(json_array_size(json_object_get(doc, "attachments")),
	    1);
	att = json_array_get(json_object_get(doc, "attachments"), 0);
	assert_string_equal(str_at(att, "contentType", NULL),
	    "application/vnd.microsoft.card.adaptive");
	card = json_object_get(att, "content");
	assert_string_equal(str_at(card, "type", NULL), "AdaptiveCard");
	assert_string_equal(str_at(card, "$schema", NULL),
	    "http://adaptivecards.io/schemas/adaptive-card.json");
	assert_string_equal(str_at(card, "version", NULL), "1.4");
	body = json_object_get(card, "body");
	assert_true(json_array_size(body) > 1);
	assert_string_equal(str_at(json_array_get(body, 0), "weight", NULL),
	    "Bolder");
	json_array_foreach(body, i, b) {
		assert_string_equal(str_at(b, "type", NULL), "TextBlock");
		assert_true(strlen(str_at(b, "text", NULL)) > 0);
		found |= strstr(str_at(b, "text", NULL), CASE_ID) != NULL;
	}
	assert_true(found);
	json_decref(doc);
	json_decref(alerts);
}

/* Checks a test message builds for every format and msgtype, with no
 * alerts (NULL is fine), and bad input is an error. */
static void
test_test_message_and_errors(void **state)
{
	static const struct {
		enum receiver_format format;
		const char *msgtype;
	} all[] = {
	    {FORMAT_DINGTALK, "markdown"},
	    {FORMAT_DINGTALK, "text"},
	    {FORMAT_WECOM, "markdown"},
	    {FORMAT_WECOM, "text"},
	    {FORMAT_FEISHU, "post"},
	    {FORMAT_FEISHU, "text"},
	    {FORMAT_FEISHU, "interactive"},
	    {FORMAT_SLACK, "text"},
	    {FORMAT_SLACK, "blocks"},
	    {FORMAT_TEAMS, NULL},
	};
	json_t *obj = json_object(), *doc;
	struct receiver r;

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		make_receiver(&r, all[i].format, all[i].msgtype);
		doc = body_doc(&r, NULL, true);
		json_decref(doc);
	}
	make_receiver(&r, FORMAT_JSON, NULL);
	assert_null(chat_body(&r, NULL, true, REAL_MS));
	make_receiver(&r, FORMAT_DINGTALK, NULL);
	assert_null(chat_body(&r, NULL, false, REAL_MS));
	assert_null(chat_body(&r, obj, false, REAL_MS));
	assert_null(chat_body(NULL, NULL, true, REAL_MS));
	json_decref(obj);
}

/* Checks the subject opens the text of a robot without a title only when
 * the receiver has its own texts: the default body has a headline. */
static void
test_subject_line(void **state)
{
	json_t *alerts = one_alert(), *doc;
	struct receiver r;
	char *subject;

	(void)state;
	make_receiver(&r, FORMAT_WECOM, "text");
	subject = message_subject(&r, alerts, false);
	doc = body_doc(&r, alerts, false);
	assert_null(strstr(str_at(doc, "text", "content", NULL), subject));
	json_decref(doc);
	free(subject);

	r.subject = "DUE {case.id}";
	doc = body_doc(&r, alerts, false);
	assert_true(
	    strncmp(str_at(doc, "text", "content", NULL), "DUE " CASE_ID "\n\n",
	        strlen("DUE " CASE_ID "\n\n")) == 0);
	json_decref(doc);

	make_receiver(&r, FORMAT_DINGTALK, "markdown");
	r.subject = "DUE {case.id}";
	doc = body_doc(&r, alerts, false);
	assert_string_equal(str_at(doc, "markdown", "title", NULL),
	    "DUE " CASE_ID);
	assert_true(strncmp(str_at(doc, "markdown", "text", NULL),
	                "#### DUE " CASE_ID "\n\n",
	                strlen("#### DUE " CASE_ID "\n\n")) == 0);
	json_decref(doc);
	json_decref(alerts);
}

/* Checks Markdown is written in each robot's dialect: Slack's mrkdwn has
 * *bold* and no headings, a Feishu card no headings either. */
static void
test_markdown_dialects(void **state)
{
	json_t *alerts = one_alert(), *doc, *block, *el;
	struct receiver r;
	const char *s;

	(void)state;
	make_receiver(&r, FORMAT_SLACK, "blocks");
	doc = body_doc(&r, alerts, false);
	block = json_array_get(json_object_get(doc, "blocks"), 0);
	s = str_at(block, "text", "text", NULL);
	assert_null(strstr(s, "**"));
	assert_null(strstr(s, "#"));
	assert_non_null(strchr(s, '*'));
	json_decref(doc);

	make_receiver(&r, FORMAT_FEISHU, "interactive");
	doc = body_doc(&r, alerts, false);
	el = json_array_get(json_object_get(json_object_get(doc, "card"),
	                        "elements"),
	    0);
	s = str_at(el, "content", NULL);
	assert_null(strstr(s, "#"));
	assert_non_null(strstr(s, "**"));
	json_decref(doc);

	make_receiver(&r, FORMAT_DINGTALK, "markdown");
	doc = body_doc(&r, alerts, false);
	assert_non_null(strstr(str_at(doc, "markdown", "text", NULL), "**"));
	json_decref(doc);
	json_decref(alerts);
}

/* Checks the DingTalk sign against vectors from Python and against
 * HMAC-SHA256 here with base64 and URL-encoding written by hand. */
static void
test_dingtalk_sign(void **state)
{
	static const long long ts[] = {REAL_MS, 1700000000000LL, 1, 0};
	char out[160], tosign[64], want[64], wantenc[160];

	(void)state;
	/*
	 * By Python: urllib.parse.quote_plus(base64.b64encode(hmac.new(
	 * b"SECtest-0123456789abcdef", b"<ts>\nSECtest-0123456789abcdef",
	 * hashlib.sha256).digest())).
	 */
	chat_dingtalk_sign(SECRET, REAL_MS, out, sizeof(out));
	assert_string_equal(out,
	    "xXqKXqFQ3UXpseSw4QNFgkSdYbQA8i67p0szSl9vVQE%3D");
	chat_dingtalk_sign(SECRET, 1700000000000LL, out, sizeof(out));
	assert_string_equal(out,
	    "Kp71SiRayr0CjZfXzSHHGwdavse9j%2F72bTP%2Bu5YY9X0%3D");
	for (size_t i = 0; i < sizeof(ts) / sizeof(*ts); i++) {
		snprintf(tosign, sizeof(tosign), "%lld\n%s", ts[i], SECRET);
		hmac_b64(SECRET, tosign, want);
		urlencode(want, wantenc);
		chat_dingtalk_sign(SECRET, ts[i], out, sizeof(out));
		assert_string_equal(out, wantenc);
	}
	chat_dingtalk_sign(SECRET, REAL_MS, out, 20);
	assert_string_equal(out, "");
}

/* Checks the Feishu sign the same two ways: the key is timestamp and
 * secret, the message empty. */
static void
test_feishu_sign(void **state)
{
	static const long long ts[] = {1751850001, 1599360473, 0};
	char out[80], key[64], want[64];

	(void)state;
	/* By Python: base64.b64encode(hmac.new(b"<ts>\nfeishu-secret-0123",
	 * b"", hashlib.sha256).digest()). */
	chat_feishu_sign(FSECRET, 1599360473, out, sizeof(out));
	assert_string_equal(out,
	    "F0R4q0wBUPFBzv5I0wXEkcJR9CJErLm/2cdEjoo9ZR0=");
	for (size_t i = 0; i < sizeof(ts) / sizeof(*ts); i++) {
		snprintf(key, sizeof(key), "%lld\n%s", ts[i], FSECRET);
		hmac_b64(key, "", want);
		chat_feishu_sign(FSECRET, ts[i], out, sizeof(out));
		assert_string_equal(out, want);
	}
	chat_feishu_sign(FSECRET, 1599360473, out, 44);
	assert_string_equal(out, "");
}

/* Checks what the robots' answers mean. */
static void
test_verdict(void **state)
{
	static const struct {
		enum receiver_format format;
		const char *answer;
		enum chat_verdict want;
		const char *msg; /* a part of msg, or NULL for "" */
	} cases[] = {
	    {FORMAT_DINGTALK, "{\"errcode\":0,\"errmsg\":\"ok\"}", CHAT_OK,
	        NULL},
	    {FORMAT_DINGTALK,
	        "{\"errcode\":130101,\"errmsg\":\"send too "
	        "fast\"}",
	        CHAT_RETRY, "send too fast"},
	    {FORMAT_DINGTALK,
	        "{\"errcode\":310000,\"errmsg\":\"sign not "
	        "match\"}",
	        CHAT_RETRY_ONCE, "310000: sign not match"},
	    {FORMAT_DINGTALK, "{\"errcode\":300001,\"errmsg\":\"token\"}",
	        CHAT_FAIL, "300001"},
	    {FORMAT_DINGTALK, "{\"errcode\":400102,\"errmsg\":\"off\"}",
	        CHAT_FAIL, "off"},
	    {FORMAT_DINGTALK, "{\"errcode\":-1,\"errmsg\":\"busy\"}",
	        CHAT_RETRY, "busy"},
	    {FORMAT_DINGTALK, "{\"errcode\":777777}", CHAT_RETRY, "777777"},
	    {FORMAT_DINGTALK, "ok", CHAT_RETRY, "not JSON"},
	    {FORMAT_DINGTALK, "", CHAT_RETRY, "not JSON"},
	    {FORMAT_DINGTALK, NULL, CHAT_RETRY, "not JSON"},
	    {FORMAT_DINGTALK, "{\"errmsg\":\"ok\"}", CHAT_RETRY, "errcode"},
	    {FORMAT_DINGTALK, "[0]", CHAT_RETRY, "errcode"},
	    {FORMAT_WECOM, "{\"errcode\":0,\"errmsg\":\"ok\"}", CHAT_OK, NULL},
	    {FORMAT_WECOM,
	        "{\"errcode\":45009,\"errmsg\":\"api freq out of "
	        "limit\"}",
	        CHAT_RETRY, "45009: api freq"},
	    {FORMAT_WECOM,
	        "{\"errcode\":93000,\"errmsg\":\"invalid webhook "
	        "url\"}",
	        CHAT_FAIL, "invalid webhook url"},
	    {FORMAT_WECOM, "{\"errcode\":40008,\"errmsg\":\"bad\"}", CHAT_FAIL,
	        "40008"},
	    {FORMAT_WECOM, "{\"errcode\":40058,\"errmsg\":\"bad\"}", CHAT_FAIL,
	        "40058"},
	    {FORMAT_WECOM, "<html>502</html>", CHAT_RETRY, "not JSON"},
	    {FORMAT_FEISHU, "{\"code\":0,\"data\":{},\"msg\":\"success\"}",
	        CHAT_OK, NULL},
	    {FORMAT_FEISHU,
	        "{\"Extra\":null,\"StatusCode\":0,"
	        "\"StatusMessage\":\"success\"}",
	        CHAT_OK, NULL},
	    {FORMAT_FEISHU,
	        "{\"code\":19021,\"data\":{},\"msg\":\"sign match "
	        "fail or timestamp is not within one hour from "
	        "current time\"}",
	        CHAT_RETRY_ONCE, "19021: sign match"},
	    {FORMAT_FEISHU,
	        "{\"code\":19024,\"msg\":\"Key Words Not "
	        "Found\"}",
	        CHAT_FAIL, "Key Words"},
	    {FORMAT_FEISHU, "{\"code\":9499,\"msg\":\"Bad Request\"}",
	        CHAT_FAIL, "Bad Request"},
	    {FORMAT_FEISHU, "{\"code\":11232,\"msg\":\"frequency limited\"}",
	        CHAT_RETRY, "frequency"},
	    {FORMAT_FEISHU, "{\"code\":11233,\"msg\":\"x\"}", CHAT_RETRY, "x"},
	    {FORMAT_FEISHU, "{\"code\":1,\"msg\":\"new\"}", CHAT_RETRY, "new"},
	    {FORMAT_FEISHU, "{\"errcode\":0}", CHAT_RETRY, "code"},
	    {FORMAT_FEISHU, "Bad Gateway", CHAT_RETRY, "not JSON"},
	    {FORMAT_SLACK, "ok", CHAT_OK, NULL},
	    {FORMAT_SLACK, "", CHAT_OK, NULL},
	    {FORMAT_SLACK, NULL, CHAT_OK, NULL},
	    {FORMAT_TEAMS, "1", CHAT_OK, NULL},
	    {FORMAT_TEAMS, "{\"errcode\":1}", CHAT_OK, NULL},
	};
	char msg[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		memset(msg, 'x', sizeof(msg));
		if (chat_verdict(cases[i].format, cases[i].answer, msg,
		        sizeof(msg)) != cases[i].want)
			fail_msg("case %zu (%s): verdict", i,
			    cases[i].answer ? cases[i].answer : "NULL");
		if (cases[i].msg == NULL)
			assert_string_equal(msg, "");
		else if (strstr(msg, cases[i].msg) == NULL)
			fail_msg("case %zu: msg '%s' lacks '%s'", i, msg,
			    cases[i].msg);
	}
}

/* Checks the provider's message is cut short, on a character boundary,
 * without control characters. */
static void
test_verdict_msg(void **state)
{
	char answer[2048], msg[64];
	int n;

	(void)state;
	n = snprintf(answer, sizeof(answer),
	    "{\"errcode\":310000,\"errmsg\":\"a\\nb\\u001b[31m");
	for (int i = 0; i < 100; i++)
		n += snprintf(answer + n, sizeof(answer) - (size_t)n, "错");
	snprintf(answer + n, sizeof(answer) - (size_t)n, "\"}");
	assert_int_equal(chat_verdict(FORMAT_DINGTALK, answer, msg,
	                     sizeof(msg)),
	    CHAT_RETRY_ONCE);
	assert_true(strlen(msg) < sizeof(msg));
	assert_true(utf8_valid(msg));
	assert_null(strchr(msg, '\n'));
	assert_null(strchr(msg, '\033'));
	assert_true(strncmp(msg, "errcode 310000: a b", 19) == 0);
	assert_int_equal(chat_verdict(FORMAT_WECOM, "{\"errcode\":0}", msg, 0),
	    CHAT_OK);
}

/* The header of list that starts with prefix (case-insensitive). */
static const char *
slist_find(const struct curl_slist *l, const char *prefix)
{
	for (; l != NULL; l = l->next)
		if (strncasecmp(l->data, prefix, strlen(prefix)) == 0)
			return l->data;
	return NULL;
}

/* Set up a transfer for r; returns chat_setup's result. */
static int
setup(struct transfer *t, const struct receiver *r, char *err, size_t errlen)
{
	json_t *alerts = one_alert();
	int rc;

	memset(t, 0, sizeof(*t));
	assert_non_null(t->easy = curl_easy_init());
	rc = chat_setup(t, r, "delivery-0001", alerts, (time_t)1000000000,
	    false, err, errlen);
	json_decref(alerts);
	return rc;
}

/* Checks the headers, and the DingTalk URL: the configured one with
 * timestamp (the real time, not the time passed in) and its sign. */
static void
test_setup_dingtalk(void **state)
{
	static const char *headers[] = {"X-Team: legal"};
	char err[256], sign[160], *url = NULL;
	long long before, after, ts;
	struct transfer t;
	struct receiver r;
	const char *q;

	(void)state;
	make_receiver(&r, FORMAT_DINGTALK, "markdown");
	r.secret = secret;
	r.headers = headers;
	r.nheaders = 1;
	before = clock_real_ms();
	assert_int_equal(setup(&t, &r, err, sizeof(err)), 0);
	after = clock_real_ms();
	assert_string_equal(slist_find(t.headers, "Content-Type:"),
	    "Content-Type: application/json; charset=utf-8");
	assert_string_equal(slist_find(t.headers, "Idempotency-Key:"),
	    "Idempotency-Key: delivery-0001");
	assert_non_null(slist_find(t.headers, "User-Agent: deadlined/"));
	assert_non_null(slist_find(t.headers, "X-Team: legal"));
	assert_null(slist_find(t.headers, "X-Deadlined-Signature"));
	assert_int_equal(t.len, strlen(t.body));
	assert_null(strstr(t.body, SECRET));

	assert_int_equal(curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL,
	                     &url),
	    CURLE_OK);
	assert_non_null(url);
	assert_true(strncmp(url, r.url, strlen(r.url)) == 0);
	q = url + strlen(r.url);
	assert_int_equal(sscanf(q, "&timestamp=%lld&sign=", &ts), 1);
	assert_true(ts >= before && ts <= after);
	chat_dingtalk_sign(SECRET, ts, sign, sizeof(sign));
	assert_non_null(strstr(q, "&sign="));
	assert_string_equal(strstr(q, "&sign=") + 6, sign);
	deliver_transfer_free(&t);

	/* No query yet: '?'; no secret: the URL as configured. */
	r.url = "https://robot.example.org/send";
	assert_int_equal(setup(&t, &r, err, sizeof(err)), 0);
	assert_int_equal(curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL,
	                     &url),
	    CURLE_OK);
	assert_true(
	    strncmp(url, "https://robot.example.org/send?timestamp=", 41) == 0);
	deliver_transfer_free(&t);
	r.secret = NULL;
	assert_int_equal(setup(&t, &r, err, sizeof(err)), 0);
	assert_int_equal(curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL,
	                     &url),
	    CURLE_OK);
	assert_string_equal(url, "https://robot.example.org/send");
	deliver_transfer_free(&t);
}

/* Checks Feishu signs in the body over the real time, that other
 * formats keep their URL, and errors name neither URL nor secret. */
static void
test_setup_others(void **state)
{
	long long before, after, ts;
	char err[256], *url = NULL;
	struct transfer t;
	struct receiver r;
	json_t *doc;

	(void)state;
	make_receiver(&r, FORMAT_FEISHU, NULL);
	r.secret = fsecret;
	before = clock_real_ms() / 1000;
	assert_int_equal(setup(&t, &r, err, sizeof(err)), 0);
	after = clock_real_ms() / 1000;
	assert_non_null(doc = json_loads(t.body, 0, NULL));
	ts = strtoll(str_at(doc, "timestamp", NULL), NULL, 10);
	assert_true(ts >= before && ts <= after);
	json_decref(doc);
	assert_int_equal(curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL,
	                     &url),
	    CURLE_OK);
	assert_string_equal(url, r.url);
	deliver_transfer_free(&t);

	make_receiver(&r, FORMAT_JSON, NULL);
	assert_int_equal(setup(&t, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chat robot"));
	assert_null(strstr(err, URLTOKEN));
	deliver_transfer_free(&t);
	make_receiver(&r, FORMAT_SLACK, NULL);
	r.url = NULL;
	assert_int_equal(setup(&t, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "url"));
	deliver_transfer_free(&t);
}

/* An administrators' notice: a delivery that failed for good. */
static json_t *
one_notice(void)
{
	json_t *l = json_pack(
	    "[{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}}]",
	    "id", "fedcba9876543210fedcba9876543210", "kind", "admin", "admin",
	    "event", "delivery_failed", "text", "delivery ... failed for good",
	    "receiver", "legal-hook", "error", "HTTP 404", "alert", "kind",
	    "due", "case", CASE_ID, "window", "decision", "deadline",
	    "2025-07-10");

	assert_non_null(l);
	return l;
}

/* Checks each robot's body for a notice: valid JSON that names what
 * happened, the case and the receiver, in either language. */
static void
test_admin_notice(void **state)
{
	static const struct {
		enum receiver_format format;
		const char *msgtype;
	} robots[] = {{FORMAT_DINGTALK, "markdown"}, {FORMAT_DINGTALK, "text"},
	    {FORMAT_WECOM, "markdown"}, {FORMAT_WECOM, "text"},
	    {FORMAT_FEISHU, "post"}, {FORMAT_FEISHU, "interactive"},
	    {FORMAT_SLACK, "blocks"}, {FORMAT_SLACK, "text"},
	    {FORMAT_TEAMS, NULL}};
	json_t *alerts = one_notice(), *doc;
	struct receiver r;
	char *text;

	(void)state;
	for (size_t i = 0; i < sizeof(robots) / sizeof(*robots); i++) {
		for (int en = 0; en <= 1; en++) {
			make_receiver(&r, robots[i].format, robots[i].msgtype);
			r.language = en ? LANGUAGE_EN : LANGUAGE_ZH;
			doc = body_doc(&r, alerts, false);
			text = json_dumps(doc, 0);
			assert_non_null(text);
			if (strstr(text,
			        en ? "Delivery failed for good"
			           : "提醒投递失败") == NULL ||
			    strstr(text, CASE_ID) == NULL ||
			    strstr(text, "legal-hook") == NULL ||
			    strstr(text, "HTTP 404") == NULL)
				fail_msg("format %d %s: %s", robots[i].format,
				    en ? "en" : "zh", text);
			free(text);
			json_decref(doc);
		}
	}
	json_decref(alerts);
}

/* Checks a title of 20,000 '<' still makes a sane message for every
 * robot format: not empty, within the provider's limit, the case id and
 * the cut title shown, no '<' acting as markup. */
static void
test_huge_markup_title(void **state)
{
	static const struct {
		enum receiver_format format;
		const char *msgtype;
		size_t max;
	} f[] = {
	    {FORMAT_DINGTALK, "markdown", 20000},
	    {FORMAT_DINGTALK, "text", 20000},
	    {FORMAT_WECOM, "markdown", 4096 + 200},
	    {FORMAT_WECOM, "text", 2048 + 200},
	    {FORMAT_FEISHU, "post", 20000},
	    {FORMAT_FEISHU, "interactive", 20000},
	    {FORMAT_SLACK, NULL, 40000},
	    {FORMAT_SLACK, "blocks", 3000 + 2000},
	    {FORMAT_TEAMS, NULL, 28000},
	};
	static char big[20001];
	struct receiver r;
	json_t *alerts;
	char *body;

	(void)state;
	memset(big, '<', sizeof(big) - 1);
	alerts = json_pack("[o]", make_alert("overdue", -2, big));
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		make_receiver(&r, f[i].format, f[i].msgtype);
		body = chat_body(&r, alerts, false, REAL_MS);
		assert_non_null(body);
		if (strlen(body) > f[i].max || strstr(body, CASE_ID) == NULL ||
		    (strstr(body, "＜＜＜") == NULL &&
		        strstr(body, "&lt;&lt;&lt;") == NULL &&
		        strstr(body, "<<<") == NULL))
			fail_msg("format %d %s: %zu bytes:\n%.300s",
			    f[i].format, f[i].msgtype ? f[i].msgtype : "-",
			    strlen(body), body);
		/* Markup formats never pass a '<' of the title through. */
		if (f[i].format != FORMAT_TEAMS &&
		    !(f[i].msgtype != NULL &&
		        (strcmp(f[i].msgtype, "text") == 0 ||
		            strcmp(f[i].msgtype, "post") == 0)))
			assert_null(strstr(body, "<<"));
		free(body);
	}
	json_decref(alerts);
}

/* The body chat_setup sends for alerts, through r's channel. */
static char *
setup_body(const struct receiver *r, json_t *alerts)
{
	const struct channel *ch = channel_of(r);
	struct transfer t = {0};
	char err[256], *body;

	assert_non_null(t.easy = curl_easy_init());
	assert_int_equal(ch->setup(&t, r, "0123456789abcdef0123456789abcdef",
	                     alerts, 0, false, err, sizeof(err)),
	    0);
	body = t.body;
	t.body = NULL;
	deliver_transfer_free(&t);
	return body;
}

/* Checks that the body chat_fits built is the one chat_setup sends for
 * the same alerts, and that other alerts (same count, or after no
 * chat_fits at all) get a body of their own. */
static void
test_fits_then_setup(void **state)
{
	json_t *a = json_pack("[o, o]", make_alert("reminder", 3, NULL),
	    make_alert("due", 0, NULL));
	json_t *b = json_pack("[o, o]", make_alert("overdue", -1, "乙"),
	    make_alert("overdue", -2, "丙"));
	struct receiver r;
	char *want, *got;

	(void)state;
	make_receiver(&r, FORMAT_SLACK, NULL);
	assert_int_equal(channel_of(&r)->fits(&r, a), 2);
	want = chat_body(&r, a, false, REAL_MS);
	got = setup_body(&r, a);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_int_equal(channel_of(&r)->fits(&r, a), 2);
	want = chat_body(&r, b, false, REAL_MS);
	got = setup_body(&r, b);
	assert_string_equal(got, want);
	free(got);
	got = setup_body(&r, b);
	assert_string_equal(got, want);
	free(got);
	free(want);
	json_decref(a);
	json_decref(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_provisional),
	    cmocka_unit_test(test_fits_then_setup),
	    cmocka_unit_test(test_dingtalk_markdown),
	    cmocka_unit_test(test_dingtalk_text),
	    cmocka_unit_test(test_wecom),
	    cmocka_unit_test(test_wecom_limits),
	    cmocka_unit_test(test_feishu_post),
	    cmocka_unit_test(test_feishu_text_card_signed),
	    cmocka_unit_test(test_feishu_no_at_from_titles),
	    cmocka_unit_test(test_slack),
	    cmocka_unit_test(test_huge_markup_title),
	    cmocka_unit_test(test_slack_section_limit),
	    cmocka_unit_test(test_teams),
	    cmocka_unit_test(test_test_message_and_errors),
	    cmocka_unit_test(test_subject_line),
	    cmocka_unit_test(test_markdown_dialects),
	    cmocka_unit_test(test_dingtalk_sign),
	    cmocka_unit_test(test_feishu_sign),
	    cmocka_unit_test(test_verdict),
	    cmocka_unit_test(test_verdict_msg),
	    cmocka_unit_test(test_setup_dingtalk),
	    cmocka_unit_test(test_setup_others),
	    cmocka_unit_test(test_admin_notice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
