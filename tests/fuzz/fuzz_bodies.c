/*
 * fuzz_bodies.c -- every text a channel writes, from arbitrary alert
 * JSON: message_subject, message_body(_max), chat_body for each robot
 * format and msgtype, webhook_body and email_message.
 *
 * The input is parsed as JSON; an array is the alerts array, an object
 * one alert.  Alerts normally come from the daemon's own outbox, so this
 * is about a stored row that is not what alert.h says (an older version,
 * a hand edit): the channels must still write something well-formed.
 * Checked: the texts are UTF-8 (jansson only gives valid UTF-8), within
 * message_body_max's limit, the robots' and webhook's bodies are JSON
 * objects, the mail has CRLF lines of at most 998 bytes, and neither the
 * URL's token nor a secret shows anywhere.
 *
 * The first byte picks what is written, so that one input costs one
 * text and libFuzzer's mutations of the JSON stay on that path: its low
 * four bits the text (below, FUZZ_SUBJECT...), bit 4 the language
 * (English when set), bit 5 chat_fits beside a robot's body.  0xff
 * writes every text in both languages (the crash files use it, as the
 * target did before it had a selector).  The templates, the test flag
 * and message_body_max's limit are picked by a hash of the JSON, so each
 * corpus file always runs the same way.
 */
#include <jansson.h>
#include <string.h>

#include "channel.h"
#include "clock.h"
#include "fuzz.h"
#include "message.h"
#include "utf8.h"

#define NOW      ((time_t)1751850001) /* 2025-07-07T09:00:01+08:00 */
#define REAL_MS  1751850001234LL
#define URLTOKEN "URLTOKEN"
#define SECRET   "hook-secret-DO-NOT-LEAK"

static char secret[] = SECRET;
static bool input_names_them; /* the input holds the token or secret */
static char password[] = SECRET;

/* Valid templates (they pass template_check), and none. */
static const char *subjects[] = {NULL, "{kind_text}: {case.id} ({count})",
    "[{kind}] {window.title} {window.deadline} {{literal}}", ""};
static const char *bodies[] = {NULL,
    "{case.id} {case.title} {case.court}\n{window.name} {window.opened} "
    "{window.deadline} {window.weekday} {window.days}\n{days_left} "
    "{days_overdue} {advice} {alert.id}",
    "{advice}", ""};

/* A robot format and one of its msgtypes (receiver.c's table). */
static const struct {
	enum receiver_format format;
	const char *msgtype;
} robots[] = {
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

static const char *mobiles[] = {"13800138000", "13900139000"};
static const char *to[] = {"legal@example.org", "boss@example.org"};

/* A receiver as tests/unit/test_message.c makes it, options from h. */
static void
fuzz_receiver(struct receiver *r, enum receiver_language lang, uint32_t h)
{
	memset(r, 0, sizeof(*r));
	r->name = "legal";
	r->type = RECEIVER_WEBHOOK;
	r->url = "https://oapi.example.org/robot/send?access_token=" URLTOKEN;
	r->secret = secret;
	r->password = password;
	r->language = lang;
	r->subject = subjects[(h >> 1) % 4];
	r->body = bodies[(h >> 3) % 4];
	r->timeout = 30;
}

/* s is a new string that is UTF-8 and leaks nothing; freed. */
static void
fuzz_text(char *s)
{
	FUZZ_CHECK(s != NULL);
	FUZZ_CHECK(utf8_valid(s));
	FUZZ_CHECK(input_names_them ||
	    (strstr(s, URLTOKEN) == NULL && strstr(s, SECRET) == NULL));
	free(s);
}

/* s is a JSON object (or NULL when allowed); freed. */
static void
fuzz_json(char *s, bool may_fail)
{
	json_t *doc;

	if (s == NULL) {
		FUZZ_CHECK(may_fail);
		return;
	}
	doc = json_loads(s, 0, NULL);
	FUZZ_CHECK(json_is_object(doc));
	json_decref(doc);
	fuzz_text(s);
}

/* What the first byte's low four bits choose. */
enum fuzz_text {
	FUZZ_SUBJECT,
	FUZZ_BODY_TEXT,
	FUZZ_BODY_MARKDOWN,
	FUZZ_BODY_MAX,
	FUZZ_ROBOT, /* FUZZ_ROBOT + i: robots[i]'s body */
	FUZZ_EMAIL = FUZZ_ROBOT + sizeof(robots) / sizeof(*robots),
	FUZZ_WEBHOOK,
	FUZZ_NTEXTS
};

#define FUZZ_SEL_EN   0x10 /* English */
#define FUZZ_SEL_FITS 0x20 /* chat_fits beside a robot's body */
#define FUZZ_SEL_ALL  0xff /* every text, both languages */

_Static_assert(FUZZ_NTEXTS == 16, "the selector's low four bits");

/* Robot i's body for r (and chat_fits when fits). */
static void
fuzz_robot(struct receiver *r, json_t *alerts, bool test, uint32_t h, size_t i,
    bool fits)
{
	size_t n = json_array_size(alerts), fit;

	r->format = robots[i].format;
	r->msgtype = robots[i].msgtype;
	/* WeCom markdown cannot @ people (receiver.c refuses it). */
	if ((r->format == FORMAT_DINGTALK || r->format == FORMAT_WECOM) &&
	    !(r->format == FORMAT_WECOM &&
	        strcmp(r->msgtype, "markdown") == 0)) {
		r->at_mobiles = mobiles;
		r->nat_mobiles = (h >> 15) % 3;
		r->at_all = (h >> 17) & 1;
	} else {
		r->at_mobiles = NULL;
		r->nat_mobiles = 0;
		r->at_all = false;
	}
	fuzz_json(chat_body(r, alerts, test, REAL_MS), false);
	if (fits && !test && n > 0) {
		fit = chat_fits(r, alerts);
		FUZZ_CHECK(fit >= 1 && fit <= n);
	}
}

/* One of the message texts, or robot t - FUZZ_ROBOT's body. */
static void
fuzz_message(struct receiver *r, json_t *alerts, bool test, uint32_t h, int t,
    bool fits)
{
	size_t max = (h >> 5) % 600;
	char *s;

	switch (t) {
	case FUZZ_SUBJECT:
		fuzz_text(message_subject(r, alerts, test));
		break;
	case FUZZ_BODY_TEXT:
		fuzz_text(message_body(r, alerts, test, MESSAGE_TEXT));
		break;
	case FUZZ_BODY_MARKDOWN:
		fuzz_text(message_body(r, alerts, test, MESSAGE_MARKDOWN));
		break;
	case FUZZ_BODY_MAX:
		s = message_body_max(r, alerts, test, MESSAGE_MARKDOWN, max);
		FUZZ_CHECK(s != NULL && strlen(s) <= max);
		fuzz_text(s);
		break;
	default:
		fuzz_robot(r, alerts, test, h, (size_t)(t - FUZZ_ROBOT), fits);
		break;
	}
}

/* The mail: CRLF lines of at most 998 bytes, no secret. */
static void
fuzz_email(json_t *alerts, bool test, enum receiver_language lang)
{
	struct receiver r;
	char *msg;
	const char *p, *nl;

	memset(&r, 0, sizeof(r));
	r.name = "legal_mail";
	r.type = RECEIVER_EMAIL;
	r.url = "smtps://mail.example.org:465/" URLTOKEN;
	r.username = "deadlined";
	r.password = password;
	r.secret = secret;
	r.from = "deadlined@example.org";
	r.to = to;
	r.nto = 2;
	r.language = lang;
	msg = email_message(&r, "0f1e2d3c", alerts, NOW, test);
	if (msg == NULL) {
		FUZZ_CHECK(!test && json_array_size(alerts) == 0);
		return;
	}
	for (p = msg; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		FUZZ_CHECK(nl > msg && nl[-1] == '\r');
		FUZZ_CHECK(nl - p <= 999);
	}
	fuzz_text(msg);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (clock_set_zone("Asia/Shanghai") == -1)
		abort();
	return 0;
}

/* Text t (enum fuzz_text) in language lang. */
static void
fuzz_one(json_t *alerts, bool test, uint32_t h, int t, int lang, bool fits)
{
	struct receiver r;

	if (t == FUZZ_EMAIL)
		fuzz_email(alerts, test, (enum receiver_language)lang);
	else if (t == FUZZ_WEBHOOK)
		fuzz_json(webhook_body("legal", alerts, NOW, test), false);
	else {
		fuzz_receiver(&r, (enum receiver_language)lang, h);
		fuzz_message(&r, alerts, test, h, t, fits);
	}
}

/* Every text in both languages, chat_fits for a third of the robots. */
static void
fuzz_all(json_t *alerts, bool test, uint32_t h)
{
	for (int lang = LANGUAGE_ZH; lang <= LANGUAGE_EN; lang++)
		for (int t = 0; t < FUZZ_NTEXTS; t++) {
			if (t == FUZZ_WEBHOOK && lang != LANGUAGE_ZH)
				continue;
			fuzz_one(alerts, test, h, t, lang,
			    t >= FUZZ_ROBOT && t < FUZZ_EMAIL &&
			        (size_t)(t - FUZZ_ROBOT) % 3 == (h >> 18) % 3);
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t h;
	bool test;
	json_t *doc, *alerts;
	uint8_t sel;

	if (size < 1 || (data[0] != FUZZ_SEL_ALL && (data[0] & 0xc0) != 0))
		return -1; /* no selector: not worth keeping */
	sel = data[0];
	data++, size--;
	h = fuzz_hash(data, size);
	test = (h & 1) && (h >> 20) % 8 == 0; /* now and then */
	input_names_them = memmem(data, size, URLTOKEN, strlen(URLTOKEN)) ||
	    memmem(data, size, SECRET, strlen(SECRET));
	doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (json_is_array(doc))
		alerts = json_incref(doc);
	else if (json_is_object(doc))
		alerts = json_pack("[O]", doc);
	else {
		json_decref(doc);
		return 0;
	}
	if (sel == FUZZ_SEL_ALL)
		fuzz_all(alerts, test, h);
	else
		fuzz_one(alerts, test, h, sel & 0x0f,
		    sel & FUZZ_SEL_EN ? LANGUAGE_EN : LANGUAGE_ZH,
		    (sel & FUZZ_SEL_FITS) != 0);
	json_decref(alerts);
	json_decref(doc);
	return 0;
}
