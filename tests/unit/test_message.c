/*
 * test_message.c -- the words of an alert: every kind in Chinese and in
 * English (key words, weekday, days left / due today / overdue, what to
 * do next for each window), digests (a header, then one entry per alert
 * in order), Markdown against plain text, receivers' templates (every
 * placeholder, literal braces, values inserted as text), message_body_max
 * (the byte limit, "and N more", UTF-8 never split), test messages and
 * administrators' notices (every event, both languages, digests of them,
 * templates not applied to them).
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

#include "message.h"
#include "template.h"
#include "utf8.h"

#define CASE_ID "(2025)沪0115执1234号"
#define TITLE   "张三诉李四拒不执行判决"
#define COURT   "上海市浦东新区人民法院"
#define WTITLE  "公安机关立案决定"
/* An English text's title for the built-in window "decision" whose alert
 * has only a Chinese title. */
#define EN_WTITLE "Police decision on opening a case"
#define ALERTID   "0123456789abcdef0123456789abcdef"
#define SECRET    "hook-secret-DO-NOT-LEAK"
#define URLTOKEN  "URLTOKEN"

static char secret[] = SECRET;
static char password[] = SECRET;

/* An alert object as alert.h describes it, deadline 2025-07-10 (a
 * Thursday). */
static json_t *
make_alert(const char *kind, int days_left, const char *case_id,
    const char *window)
{
	json_t *a = json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s}, "
	                      "s:{s:s, s:s, s:s, s:i, s:b, s:s, s:s}}",
	    "id", ALERTID, "kind", kind, "days_left", days_left, "case", "id",
	    case_id, "title", TITLE, "court", COURT, "window", "name", window,
	    "title", WTITLE, "opened", "2025-07-03", "days", 7, "extended", 0,
	    "deadline", "2025-07-10", "deadline_at",
	    "2025-07-10T23:59:59+08:00");

	assert_non_null(a);
	return a;
}

/* A receiver in lang with a URL and a secret that must never show. */
static void
make_receiver(struct receiver *r, enum receiver_language lang)
{
	memset(r, 0, sizeof(*r));
	r->name = "legal";
	r->type = RECEIVER_WEBHOOK;
	r->url = "https://oapi.example.org/robot/send?access_token=" URLTOKEN;
	r->secret = secret;
	r->password = password;
	r->language = lang;
}

/* An array of one alert; a new reference. */
static json_t *
one(const char *kind, int days_left, const char *window)
{
	json_t *alerts =
	    json_pack("[o]", make_alert(kind, days_left, CASE_ID, window));

	assert_non_null(alerts);
	return alerts;
}

/* Checks s holds every string of want (NULL-terminated). */
static void
assert_has(const char *s, const char *const *want)
{
	for (size_t i = 0; want[i] != NULL; i++)
		if (strstr(s, want[i]) == NULL)
			fail_msg("no \"%s\" in:\n%s", want[i], s);
}

/* Checks s holds none of the strings of bad (NULL-terminated). */
static void
assert_lacks(const char *s, const char *const *bad)
{
	for (size_t i = 0; bad[i] != NULL; i++)
		if (strstr(s, bad[i]) != NULL)
			fail_msg("\"%s\" in:\n%s", bad[i], s);
}

/* Checks a subject: one line, valid UTF-8, no secret. */
static void
assert_subject_ok(const char *s)
{
	assert_true(utf8_valid(s));
	assert_null(strpbrk(s, "\r\n"));
	assert_null(strstr(s, SECRET));
	assert_null(strstr(s, URLTOKEN));
}

/* How many lines of s start with prefix. */
static size_t
lines_starting(const char *s, const char *prefix)
{
	size_t n = 0;

	for (const char *l = s; l != NULL && *l != '\0';
	     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		n += strncmp(l, prefix, strlen(prefix)) == 0;
	return n;
}

/* Checks message_date: the weekday in either language, the day alone
 * when it does not parse. */
static void
test_date(void **state)
{
	struct receiver zh, en;
	char buf[32];

	(void)state;
	make_receiver(&zh, LANGUAGE_ZH);
	make_receiver(&en, LANGUAGE_EN);
	assert_string_equal(message_date(&zh, "2025-07-10", buf, sizeof(buf)),
	    "2025-07-10 (周四)");
	assert_string_equal(message_date(&en, "2025-07-10", buf, sizeof(buf)),
	    "2025-07-10 (Thu)");
	message_date(&zh, "2025-07-14", buf, sizeof(buf));
	assert_string_equal(buf, "2025-07-14 (周一)");
	message_date(&en, "2025-07-13", buf, sizeof(buf));
	assert_string_equal(buf, "2025-07-13 (Sun)");
	message_date(&zh, "2025-10-09", buf, sizeof(buf));
	assert_string_equal(buf, "2025-10-09 (周四)");
	message_date(&en, "2025-02-30", buf, sizeof(buf));
	assert_string_equal(buf, "2025-02-30");
	message_date(&en, "", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* What one kind must say in one language. */
struct kind_case {
	const char *kind;
	int days_left;
	const char *subject; /* the subject's start */
	const char *word[4]; /* in the body besides the case's facts */
};

/* Checks the subject and body of one alert of kc in lang. */
static void
check_kind(enum receiver_language lang, const struct kind_case *kc)
{
	static const char *const facts_zh[] = {CASE_ID, TITLE, COURT, WTITLE,
	    "2025-07-03 (周四)", "2025-07-10 (周四)", "案件：", "法院：",
	    "截止日：", NULL};
	static const char *const facts_en[] = {CASE_ID, TITLE, COURT, EN_WTITLE,
	    "2025-07-03 (Thu)", "2025-07-10 (Thu)",
	    "Case: ", "Court: ", "Deadline: ", NULL};
	const char *word[5] = {kc->word[0], kc->word[1], kc->word[2],
	    kc->word[3], NULL};
	json_t *alerts = one(kc->kind, kc->days_left, "decision");
	struct receiver r;
	char *s, *b;

	make_receiver(&r, lang);
	s = message_subject(&r, alerts, false);
	assert_subject_ok(s);
	if (strncmp(s, kc->subject, strlen(kc->subject)) != 0)
		fail_msg("subject \"%s\" does not start \"%s\"", s,
		    kc->subject);
	assert_non_null(strstr(s, CASE_ID));
	assert_non_null(strstr(s,
	    lang == LANGUAGE_ZH ? "2025-07-10 (周四)" : "2025-07-10 (Thu)"));
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_true(utf8_valid(b));
	assert_has(b, lang == LANGUAGE_ZH ? facts_zh : facts_en);
	assert_has(b, word);
	free(s);
	free(b);
	json_decref(alerts);
}

/* Checks every kind in Chinese: the kind's word, where the window
 * stands, and what to do or what changed. */
static void
test_kinds_zh(void **state)
{
	static const struct kind_case c[] = {
	    {"reminder", 3, "【提醒】" CASE_ID,
	        {"【提醒】", "还有 3 天", "下一步：",
	            "督促公安机关在期限内作出是否立案的决定"}},
	    {"due", 0, "【到期】",
	        {"【到期】", "今日到期", "下一步：", "督促公安机关"}},
	    {"overdue", -2, "【逾期】",
	        {"已逾期 2 天", "请求检察院立案监督", "要求公安机关说明理由",
	            "准备自诉材料"}},
	    {"opened", 7, "【期限起算】",
	        {"变化：", "期限自 2025-07-03 (周四) 起算", "共 7 天",
	            "届满前将发送提醒"}},
	    {"extended", 20, "【期限延长】",
	        {"变化：", "期限延长至 7 天", "新截止日 2025-07-10 (周四)",
	            "还有 20 天"}},
	    {"closed", 0, "【已办结】",
	        {"变化：", "已作出决定", "不再跟踪", "不再发送提醒"}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		check_kind(LANGUAGE_ZH, &c[i]);
}

/* Checks every kind in English. */
static void
test_kinds_en(void **state)
{
	static const struct kind_case c[] = {
	    {"reminder", 3, "[deadlined] reminder: " CASE_ID,
	        {"Reminder", "3 days left", "Next step: ",
	            "Chase the police to decide whether to open a case"}},
	    {"due", 0, "[deadlined] due: ",
	        {"Due today", "due today",
	            "Next step: ", "before the deadline"}},
	    {"overdue", -2, "[deadlined] overdue: ",
	        {"2 days overdue", "missed the statutory deadline",
	            "procuratorate to supervise", "private prosecution"}},
	    {"opened", 7, "[deadlined] opened: ",
	        {"What changed: ", "started on 2025-07-03 (Thu)", "7 days",
	            "Reminders will follow"}},
	    {"extended", 20, "[deadlined] extended: ",
	        {"What changed: ", "extended to 7 days",
	            "new deadline 2025-07-10 (Thu)", "20 days left"}},
	    {"closed", 0, "[deadlined] closed: ",
	        {"What changed: ", "decision was recorded", "no longer tracked",
	            "no more alerts"}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		check_kind(LANGUAGE_EN, &c[i]);
}

/* The subject of one alert to a receiver in lang; a new string. */
static char *
subject_of(enum receiver_language lang, const char *kind, int days_left)
{
	json_t *alerts = one(kind, days_left, "decision");
	struct receiver r;
	char *s;

	make_receiver(&r, lang);
	s = message_subject(&r, alerts, false);
	json_decref(alerts);
	return s;
}

/* Checks the whole subjects of the examples, and days left, due today
 * and overdue in both languages, singular and plural. */
static void
test_days_wording(void **state)
{
	static const struct {
		enum receiver_language lang;
		const char *kind;
		int days_left;
		const char *want;
	} c[] = {
	    {LANGUAGE_ZH, "overdue", -2,
	        "【逾期】" CASE_ID " " WTITLE
	        " 期限 2025-07-10 (周四)，已逾期 2 天"},
	    {LANGUAGE_EN, "overdue", -2,
	        "[deadlined] overdue: " CASE_ID " " EN_WTITLE
	        ", deadline 2025-07-10 (Thu), 2 days overdue"},
	    {LANGUAGE_EN, "overdue", -1,
	        "[deadlined] overdue: " CASE_ID " " EN_WTITLE
	        ", deadline 2025-07-10 (Thu), 1 day overdue"},
	    {LANGUAGE_EN, "reminder", 1,
	        "[deadlined] reminder: " CASE_ID " " EN_WTITLE
	        ", deadline 2025-07-10 (Thu), 1 day left"},
	    {LANGUAGE_ZH, "reminder", 1,
	        "【提醒】" CASE_ID " " WTITLE
	        " 期限 2025-07-10 (周四)，还有 1 天"},
	    {LANGUAGE_ZH, "due", 0,
	        "【到期】" CASE_ID " " WTITLE
	        " 期限 2025-07-10 (周四)，今日到期"},
	    {LANGUAGE_EN, "due", 0,
	        "[deadlined] due: " CASE_ID " " EN_WTITLE
	        ", deadline 2025-07-10 (Thu), due today"},
	    {LANGUAGE_ZH, "closed", 0,
	        "【已办结】" CASE_ID " " WTITLE
	        " 期限 2025-07-10 (周四)，已结束"},
	    {LANGUAGE_EN, "closed", 0,
	        "[deadlined] closed: " CASE_ID " " EN_WTITLE
	        ", deadline 2025-07-10 (Thu), closed"},
	};
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		s = subject_of(c[i].lang, c[i].kind, c[i].days_left);
		assert_string_equal(s, c[i].want);
		free(s);
	}
}

/* The text body of one alert of kind in window; a new string. */
static char *
body_of(enum receiver_language lang, const char *kind, int days_left,
    const char *window)
{
	json_t *alerts = one(kind, days_left, window);
	struct receiver r;
	char *b;

	make_receiver(&r, lang);
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	json_decref(alerts);
	return b;
}

/* Checks the advice fits the window: reasons, the reply to the
 * procuratorate, and generic words for a window it does not know. */
static void
test_window_advice(void **state)
{
	static const struct {
		enum receiver_language lang;
		const char *kind;
		int days_left;
		const char *window, *want, *not ;
	} c[] = {
	    {LANGUAGE_ZH, "reminder", 3, "reasons", "书面告知不立案的理由",
	        "作出是否立案的决定"},
	    {LANGUAGE_EN, "reminder", 3, "reasons", "written reasons",
	        "decide whether"},
	    {LANGUAGE_ZH, "overdue", -1, "reasons", "准备自诉材料",
	        "作出是否立案的决定"},
	    {LANGUAGE_ZH, "due", 0, "supervision_reply",
	        "答复检察院的立案监督通知", "作出是否立案的决定"},
	    {LANGUAGE_EN, "overdue", -1, "supervision_reply",
	        "did not reply to the procuratorate", "decide whether"},
	    {LANGUAGE_ZH, "overdue", -1, "supervision_reply",
	        "通知公安机关立案", "作出是否立案的决定"},
	    {LANGUAGE_ZH, "reminder", 3, "hearing", "督促有关机关",
	        "督促公安机关"},
	    {LANGUAGE_EN, "overdue", -4, "hearing", "The deadline has passed",
	        "The police"},
	    /* Opened when already overdue: no promise of reminders. */
	    {LANGUAGE_EN, "opened", -3, "decision", "missed the statutory",
	        "Reminders will follow"},
	    {LANGUAGE_ZH, "opened", -3, "decision", "请求检察院立案监督",
	        "届满前将发送提醒"},
	};
	char *b;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		b = body_of(c[i].lang, c[i].kind, c[i].days_left, c[i].window);
		if (strstr(b, c[i].want) == NULL ||
		    strstr(b, c[i].not ) != NULL)
			fail_msg("case %zu: want \"%s\", not \"%s\":\n%s", i,
			    c[i].want, c[i].not, b);
		free(b);
	}
}

/* Five alerts to one receiver: a digest. */
static json_t *
digest5(void)
{
	json_t *alerts = json_pack("[o, o, o, o, o]",
	    make_alert("reminder", 3, "A-1", "decision"),
	    make_alert("overdue", -2, "B-2", "decision"),
	    make_alert("reminder", 3, "C-3", "reasons"),
	    make_alert("overdue", -5, "D-4", "decision"),
	    make_alert("reminder", 1, "E-5", "decision"));

	assert_non_null(alerts);
	return alerts;
}

/* Checks text is a header line, then exactly one line per alert of
 * digest5, in order, each with its facts. */
static void
check_digest_lines(const char *text, const char *header, const char *prefix,
    bool en)
{
	static const char *ids[] = {"A-1", "B-2", "C-3", "D-4", "E-5"};
	const char *l = text, *end;
	char *line;

	assert_true(strncmp(text, header, strlen(header)) == 0);
	for (size_t i = 0; i < 5; i++) {
		assert_non_null(l = strchr(l, '\n'));
		l++;
		end = strchr(l, '\n');
		assert_non_null(end);
		line = strndup(l, (size_t)(end - l));
		assert_true(strncmp(line, prefix, strlen(prefix)) == 0);
		assert_non_null(strstr(line, ids[i]));
		assert_non_null(strstr(line, COURT));
		/* English: the built-in windows' English titles (C-3's window
		 * is "reasons"). */
		assert_non_null(strstr(line,
		    !en          ? WTITLE
		        : i == 2 ? "Written reasons for not opening a case"
		                 : EN_WTITLE));
		assert_non_null(strstr(line, "2025-07-03"));
		assert_non_null(strstr(line, "2025-07-10"));
		free(line);
	}
}

/* Checks a digest: the subject counts kinds and names the first case,
 * the body has a header then one entry per alert, in order. */
static void
test_digest(void **state)
{
	json_t *alerts = digest5();
	struct receiver r;
	char *s, *b;

	(void)state;
	make_receiver(&r, LANGUAGE_ZH);
	s = message_subject(&r, alerts, false);
	assert_string_equal(s,
	    "【期限提醒】5 条：3 条提醒，2 条逾期；首件 A-1 " WTITLE
	    " 期限 2025-07-10 (周四)，还有 3 天");
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	check_digest_lines(b, "deadlined：5 条期限提醒（3 条提醒，2 条逾期）\n",
	    "【", false);
	assert_non_null(strstr(b, "【逾期】D-4 " TITLE));
	assert_non_null(strstr(b, "已逾期 5 天"));
	assert_non_null(strstr(b, "请求检察院立案监督"));
	assert_int_equal(lines_starting(b, "【"), 5);
	free(s);
	free(b);
	r.language = LANGUAGE_EN;
	s = message_subject(&r, alerts, false);
	assert_string_equal(s,
	    "[deadlined] 5 alerts: 3 reminder, 2 overdue; "
	    "first A-1 " EN_WTITLE ", deadline 2025-07-10 (Thu), 3 days left");
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	check_digest_lines(b, "deadlined: 5 alerts (3 reminder, 2 overdue)\n",
	    "", true);
	assert_int_equal(lines_starting(b, "Reminder: "), 3);
	assert_int_equal(lines_starting(b, "Overdue: "), 2);
	assert_non_null(strstr(b, "5 days overdue"));
	free(s);
	free(b);
	json_decref(alerts);
}

/* Checks Markdown has a heading, bold labels and list items where text
 * has none. */
static void
test_markdown_vs_text(void **state)
{
	static const char *const md_one[] = {"### 【逾期】", "- **案件**：",
	    "- **法院**：" COURT, "**下一步**：", NULL};
	static const char *const md_digest[] = {"### deadlined: 5 alerts",
	    "\n\n- **Reminder:** A-1", "\n- **Overdue:** B-2",
	    "**Next steps:**", NULL};
	static const char *const plain[] = {"**", "###", "\n- **", NULL};
	json_t *alerts = one("overdue", -2, "decision"), *d = digest5();
	struct receiver r;
	char *b;

	(void)state;
	make_receiver(&r, LANGUAGE_ZH);
	b = message_body(&r, alerts, false, MESSAGE_MARKDOWN);
	assert_has(b, md_one);
	free(b);
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_lacks(b, plain);
	free(b);
	r.language = LANGUAGE_EN;
	b = message_body(&r, d, false, MESSAGE_MARKDOWN);
	assert_has(b, md_digest);
	assert_int_equal(lines_starting(b, "- **"), 5);
	free(b);
	b = message_body(&r, d, false, MESSAGE_TEXT);
	assert_lacks(b, plain);
	free(b);
	json_decref(alerts);
	json_decref(d);
}

#define ALL_PLACEHOLDERS                                                       \
	"{case.id}|{case.title}|{case.court}|{window.name}|{window.title}|"    \
	"{window.opened}|{window.deadline}|{window.weekday}|{window.days}|"    \
	"{days_left}|{days_overdue}|{kind}|{kind_text}|{alert.id}|{count}"

/* Checks a body template renders every placeholder, per alert, joined
 * with a blank line, and "{{" "}}" as braces. */
static void
test_template_body(void **state)
{
	json_t *alerts =
	    json_pack("[o, o]", make_alert("overdue", -2, CASE_ID, "decision"),
	        make_alert("reminder", 3, "B-2", "reasons"));
	struct receiver r;
	char err[128], *b;

	(void)state;
	assert_int_equal(template_check(ALL_PLACEHOLDERS, err, sizeof(err)), 0);
	make_receiver(&r, LANGUAGE_ZH);
	r.body = "{{" ALL_PLACEHOLDERS "}}\n";
	b = message_body(&r, alerts, false, MESSAGE_MARKDOWN);
	assert_string_equal(b,
	    "{" CASE_ID "|" TITLE "|" COURT "|decision|" WTITLE
	    "|2025-07-03|2025-07-10|周四|7|-2|2|overdue|逾期|" ALERTID "|2}"
	    "\n\n"
	    "{B-2|" TITLE "|" COURT "|reasons|" WTITLE
	    "|2025-07-03|2025-07-10|周四|7|3|0|reminder|提醒|" ALERTID "|2}");
	free(b);
	r.language = LANGUAGE_EN;
	r.body = "{window.weekday} {kind_text}: {advice}";
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_true(strncmp(b, "Thu Overdue: The police missed the statutory",
	                44) == 0);
	assert_non_null(strstr(b,
	    "\n\nThu Reminder: Chase the police for "
	    "their written reasons"));
	free(b);
	r.language = LANGUAGE_ZH;
	r.body = "{advice}";
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_non_null(strstr(b, "请求检察院立案监督"));
	free(b);
	json_decref(alerts);
}

/* Checks a subject template: the first alert's values and {count}, one
 * line whatever the template or a value holds, values as plain text. */
static void
test_template_subject(void **state)
{
	json_t *alerts = json_pack("[o, o, o]",
	    make_alert("overdue", -2, "\"},{\"x\":1\r\nBcc: y", "decision"),
	    make_alert("reminder", 3, "B-2", "decision"),
	    make_alert("due", 0, "C-3", "decision"));
	struct receiver r;
	char *s;

	(void)state;
	make_receiver(&r, LANGUAGE_EN);
	r.subject = "{{{count}}} {kind_text} {case.id}\n{window.deadline} "
	            "({window.weekday}) {days_overdue}";
	s = message_subject(&r, alerts, false);
	assert_subject_ok(s);
	assert_string_equal(s,
	    "{3} Overdue \"},{\"x\":1  Bcc: y 2025-07-10 "
	    "(Thu) 2");
	free(s);
	/* A test message keeps its own subject. */
	s = message_subject(&r, NULL, true);
	assert_string_equal(s, "[deadlined] test message from receiver legal");
	free(s);
	json_decref(alerts);
}

/* An array of n reminders, case ids "案件-1" ...; a new reference. */
static json_t *
many(size_t n)
{
	json_t *alerts = json_array();
	char id[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "案件-%zu", i + 1);
		json_array_append_new(alerts,
		    make_alert(i % 2 ? "overdue" : "reminder", i % 2 ? -1 : 2,
		        id, "decision"));
	}
	return alerts;
}

/* Checks one fitted digest: within max, valid UTF-8, and the entries
 * kept plus "N more" make up all n, the first ones kept. */
static void
check_fitted(const char *b, size_t max, size_t n, enum receiver_language lang,
    enum message_style style)
{
	const char *more = lang == LANGUAGE_ZH ? "…… 另有 " : "... and ";
	size_t kept, dropped = 0;
	const char *p;

	assert_true(strlen(b) <= max);
	assert_true(utf8_valid(b));
	kept = lines_starting(b,
	    style == MESSAGE_MARKDOWN ? "- **"
	        : lang == LANGUAGE_ZH ? "【"
	                              : "Reminder: ");
	if (lang == LANGUAGE_EN && style == MESSAGE_TEXT)
		kept += lines_starting(b, "Overdue: ");
	if ((p = strstr(b, more)) != NULL)
		dropped = strtoul(p + strlen(more), NULL, 10);
	assert_true(kept >= 1);
	assert_int_equal(kept + dropped, n);
	assert_non_null(strstr(b, "案件-1 "));
	if (dropped > 0)
		assert_null(strstr(b, "案件-200 "));
}

/* Checks message_body_max on a big digest at many limits, in both
 * languages and styles. */
static void
test_body_max_digest(void **state)
{
	static const size_t maxes[] = {512, 700, 1000, 2048, 4096, 20000,
	    200000};
	json_t *alerts = many(200);
	struct receiver r;
	char *b;

	(void)state;
	for (int lang = LANGUAGE_ZH; lang <= LANGUAGE_EN; lang++) {
		make_receiver(&r, (enum receiver_language)lang);
		for (int st = MESSAGE_TEXT; st <= MESSAGE_MARKDOWN; st++)
			for (size_t i = 0; i < 7; i++) {
				b = message_body_max(&r, alerts, false,
				    (enum message_style)st, maxes[i]);
				check_fitted(b, maxes[i], 200,
				    (enum receiver_language)lang,
				    (enum message_style)st);
				free(b);
			}
	}
	/* Room for all: the same as message_body, nothing "more". */
	b = message_body_max(&r, alerts, false, MESSAGE_TEXT, 1000000);
	assert_null(strstr(b, "more"));
	free(b);
	json_decref(alerts);
}

/* Checks the count of "more" on a small digest, exactly. */
static void
test_body_max_count(void **state)
{
	json_t *alerts = digest5();
	struct receiver r;
	char *full, *b;
	size_t len;

	(void)state;
	make_receiver(&r, LANGUAGE_EN);
	full = message_body(&r, alerts, false, MESSAGE_TEXT);
	len = strlen(full);
	b = message_body_max(&r, alerts, false, MESSAGE_TEXT, len);
	assert_string_equal(b, full);
	free(b);
	b = message_body_max(&r, alerts, false, MESSAGE_TEXT, len - 1);
	assert_true(strlen(b) <= len - 1);
	assert_non_null(strstr(b, "... and 1 more\n"));
	assert_non_null(strstr(b, "D-4"));
	assert_null(strstr(b, "E-5"));
	free(b);
	b = message_body_max(&r, alerts, false, MESSAGE_TEXT, 400);
	assert_non_null(strstr(b, "A-1"));
	free(b);
	free(full);
	json_decref(alerts);
}

/* Checks that when not even one alert fits, the text is cut at every
 * limit without splitting a character. */
static void
test_body_max_cut(void **state)
{
	json_t *alerts = one("overdue", -2, "decision"), *d = many(3);
	struct receiver r;
	char *b;

	(void)state;
	make_receiver(&r, LANGUAGE_ZH);
	for (size_t max = 0; max < 700; max++) {
		b = message_body_max(&r, alerts, false, MESSAGE_TEXT, max);
		assert_true(strlen(b) <= max);
		assert_true(utf8_valid(b));
		free(b);
		b = message_body_max(&r, d, false, MESSAGE_MARKDOWN, max);
		assert_true(strlen(b) <= max);
		assert_true(utf8_valid(b));
		free(b);
	}
	b = message_body_max(&r, alerts, false, MESSAGE_TEXT, 60);
	assert_true(strncmp(b, "【逾期】", 12) == 0);
	free(b);
	json_decref(alerts);
	json_decref(d);
}

/* Checks a body template's digest is trimmed by whole alerts too. */
static void
test_body_max_template(void **state)
{
	json_t *alerts = many(10);
	struct receiver r;
	char *b;

	(void)state;
	make_receiver(&r, LANGUAGE_EN);
	r.body = "{case.id} {kind}";
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_true(strncmp(b, "案件-1 reminder\n\n案件-2 overdue\n\n",
	                strlen("案件-1 reminder\n\n案件-2 overdue\n\n")) == 0);
	free(b);
	b = message_body_max(&r, alerts, false, MESSAGE_TEXT, 60);
	assert_true(strlen(b) <= 60);
	assert_string_equal(b,
	    "案件-1 reminder\n\n案件-2 overdue\n\n"
	    "... and 8 more");
	free(b);
	json_decref(alerts);
}

/* Checks test messages in both languages and styles. */
static void
test_test_message(void **state)
{
	json_t *empty = json_array();
	struct receiver r;
	char *s, *b;

	(void)state;
	make_receiver(&r, LANGUAGE_ZH);
	r.body = "{case.id}";
	s = message_subject(&r, NULL, true);
	assert_string_equal(s, "【deadlined】测试消息（接收方 legal）");
	b = message_body(&r, NULL, true, MESSAGE_TEXT);
	assert_non_null(strstr(b, "测试消息"));
	assert_non_null(strstr(b, "legal"));
	assert_null(strstr(b, "没有到期"));
	assert_non_null(strstr(b, "无需处理"));
	free(s);
	free(b);
	r.language = LANGUAGE_EN;
	s = message_subject(&r, NULL, true);
	assert_string_equal(s, "[deadlined] test message from receiver legal");
	b = message_body(&r, empty, true, MESSAGE_MARKDOWN);
	assert_true(strncmp(b, "### ", 4) == 0);
	assert_non_null(strstr(b,
	    "test message from deadlined for receiver "
	    "legal"));
	assert_null(strstr(b, "Nothing is due"));
	assert_non_null(strstr(b, "No action is needed"));
	free(s);
	free(b);
	json_decref(empty);
}

/* Checks no URL, token or secret reaches any text. */
static void
test_no_secret(void **state)
{
	json_t *alerts = digest5(), *single = one("due", 0, "decision");
	struct receiver r;
	char *s[6];

	(void)state;
	make_receiver(&r, LANGUAGE_ZH);
	s[0] = message_subject(&r, alerts, false);
	s[1] = message_body(&r, alerts, false, MESSAGE_TEXT);
	s[2] = message_body(&r, single, false, MESSAGE_MARKDOWN);
	s[3] = message_body(&r, NULL, true, MESSAGE_TEXT);
	s[4] = message_subject(&r, NULL, true);
	s[5] = message_body_max(&r, alerts, false, MESSAGE_MARKDOWN, 300);
	for (size_t i = 0; i < 6; i++) {
		assert_null(strstr(s[i], SECRET));
		assert_null(strstr(s[i], URLTOKEN));
		assert_null(strstr(s[i], "example.org"));
		free(s[i]);
	}
	json_decref(alerts);
	json_decref(single);
}

/* The body of one alert whose object is changed by fn; a new string. */
static char *
changed_body(enum receiver_language lang, const char *kind, int days_left,
    void (*fn)(json_t *))
{
	struct receiver r;
	json_t *alerts = one(kind, days_left, "decision");
	char *body;

	fn(json_array_get(alerts, 0));
	make_receiver(&r, lang);
	body = message_body(&r, alerts, false, MESSAGE_TEXT);
	json_decref(alerts);
	assert_true(utf8_valid(body));
	return body;
}

static void
set_previous(json_t *a)
{
	json_object_set_new(json_object_get(a, "window"), "previous_deadline",
	    json_string("2025-08-04"));
}

static void
set_calendar(json_t *a)
{
	set_previous(a);
	json_object_set_new(a, "calendar_changed", json_true());
}

static void
set_closed_by(json_t *a)
{
	json_t *w = json_object_get(a, "window");

	json_object_set_new(w, "closed_by", json_string("not_filed"));
	json_object_set_new(w, "closed_on", json_string("2025-07-05"));
	json_object_set_new(w, "follow_up",
	    json_pack("[{s:s, s:s}]", "name", "reasons", "title",
	        "书面说明理由"));
}

static void
set_reopened(json_t *a)
{
	json_object_set_new(a, "reopened", json_true());
}

static void
set_nothing(json_t *a)
{
	(void)a;
}

/* Checks the announcements of what changed: moved (never called an
 * extension) and extended with the previous deadline, the calendar as
 * the cause, closed naming its event and follow-up, reopened, removed. */
static void
test_changes(void **state)
{
	static const struct {
		enum receiver_language lang;
		const char *kind;
		void (*fn)(json_t *);
		const char *want[4];
		const char *bad[2];
	} c[] = {
	    {LANGUAGE_ZH, "moved", set_previous,
	        {"【期限提前】", "期限提前：",
	            "原截止日 2025-08-04 (周一)，新截止日 2025-07-10 (周四)。"},
	        {"延长", NULL}},
	    {LANGUAGE_EN, "moved", set_previous,
	        {"Deadline moved earlier",
	            "The deadline moved earlier: previous deadline "
	            "2025-08-04 (Mon), new deadline 2025-07-10 (Thu)."},
	        {"extended to", NULL}},
	    {LANGUAGE_ZH, "extended", set_calendar,
	        {"节假日安排已变更。截止日推后", "原截止日 2025-08-04 (周一)"},
	        {"延长至", NULL}},
	    {LANGUAGE_ZH, "closed", set_closed_by,
	        {"已记录：不予立案（2025-07-05）",
	            "书面说明理由的期限开始计算。"},
	        {"已作出决定", NULL}},
	    {LANGUAGE_EN, "closed", set_closed_by,
	        {"Recorded: not filed (2025-07-05).",
	            "The period \"Written reasons for not opening a case\" "
	            "now runs."},
	        {NULL}},
	    {LANGUAGE_ZH, "opened", set_reopened,
	        {"案件中的办结记录已删除，此期限恢复跟踪。"}, {NULL}},
	    {LANGUAGE_ZH, "removed", set_nothing,
	        {"【不再跟踪】", "已不在配置中", "不会再发送提醒"}, {NULL}},
	    {LANGUAGE_EN, "removed", set_nothing,
	        {"No longer watched", "no longer in the configuration"},
	        {NULL}},
	};
	char *body;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		body = changed_body(c[i].lang, c[i].kind, 3, c[i].fn);
		for (size_t k = 0; k < 4 && c[i].want[k] != NULL; k++)
			if (strstr(body, c[i].want[k]) == NULL)
				fail_msg("%s: no \"%s\" in:\n%s", c[i].kind,
				    c[i].want[k], body);
		for (size_t k = 0; k < 2 && c[i].bad[k] != NULL; k++)
			if (strstr(body, c[i].bad[k]) != NULL)
				fail_msg("%s: \"%s\" in:\n%s", c[i].kind,
				    c[i].bad[k], body);
		free(body);
	}
}

/* Checks that an English text takes a window's English title and a
 * Chinese one its configured (Chinese) title. */
static void
test_title_en(void **state)
{
	struct receiver r;
	json_t *alerts = one("reminder", 3, "decision");
	char *body;

	(void)state;
	json_object_set_new(json_object_get(json_array_get(alerts, 0),
	                        "window"),
	    "title_en", json_string("Police decision on opening a case"));
	make_receiver(&r, LANGUAGE_EN);
	body = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_non_null(strstr(body, "Police decision on opening a case"));
	assert_null(strstr(body, WTITLE));
	free(body);
	make_receiver(&r, LANGUAGE_ZH);
	body = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_non_null(strstr(body, WTITLE));
	assert_null(strstr(body, "Police decision"));
	free(body);
	json_decref(alerts);
}

/* A notice object as admin.h describes it, for event with the members
 * of details (a JSON object, stolen). */
static json_t *
make_notice(const char *event, const char *text, json_t *details)
{
	json_t *a = json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", ALERTID, "kind",
	    "admin", "admin", "event", event, "text", text);

	assert_non_null(a);
	assert_non_null(details);
	assert_int_equal(json_object_update(json_object_get(a, "admin"),
	                     details),
	    0);
	json_decref(details);
	return a;
}

static json_t *
notice_failed(void)
{
	return make_notice("delivery_failed",
	    "delivery of due for case " CASE_ID " window decision to hook "
	    "failed for good: HTTP 404",
	    json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s, s:s, s:s}}",
	        "receiver", "hook", "error", "HTTP 404", "status", 404, "alert",
	        "id", ALERTID, "kind", "due", "case", CASE_ID, "window",
	        "decision", "deadline", "2025-07-10"));
}

static json_t *
notice_reload(void)
{
	return make_notice("reload_failed", "reload rejected",
	    json_pack("{s:s, s:[s, s], s:i}", "config",
	        "/etc/deadlined/deadlined.conf", "errors",
	        "/etc/deadlined/cases.d/a.conf:3: unknown key 'transfered'",
	        "/etc/deadlined/deadlined.conf:7: 'days' must be an integer",
	        "more", 4));
}

static json_t *
notice_calendar(void)
{
	return make_notice("calendar_uncovered", "2 open windows ...",
	    json_pack("{s:i, s:i}", "year", 2027, "windows", 2));
}

static json_t *
notice_removed(void)
{
	return make_notice("case_removed", "case B-1 is no longer watched",
	    json_pack("{s:s}", "case", "B-1"));
}

/* Checks the subject and the text of one notice in lang hold want (and
 * its Markdown a headline), and that the receiver's templates are not
 * used for it. */
static void
check_notice(json_t *notice, enum receiver_language lang,
    const char *const *want_subject, const char *const *want_body)
{
	static const char *const never[] = {SECRET, URLTOKEN, "TEMPLATE", NULL};
	json_t *alerts = json_pack("[o]", notice);
	struct receiver r;
	char *subject, *text, *md;

	make_receiver(&r, lang);
	r.subject = "TEMPLATE {case.id}";
	r.body = "TEMPLATE {case.id}";
	subject = message_subject(&r, alerts, false);
	text = message_body(&r, alerts, false, MESSAGE_TEXT);
	md = message_body(&r, alerts, false, MESSAGE_MARKDOWN);
	assert_subject_ok(subject);
	assert_has(subject, want_subject);
	assert_has(text, want_body);
	assert_has(md,
	    (const char *[]){lang == LANGUAGE_EN ? "### Admin notice: "
	                                         : "### 【管理通知】",
	        NULL});
	assert_lacks(subject, never);
	assert_lacks(subject, (const char *[]){"due today", "今日到期", NULL});
	assert_lacks(text, never);
	assert_lacks(md, never);
	assert_true(utf8_valid(text) && utf8_valid(md));
	assert_non_null(strstr(text, ALERTID));
	assert_true(strncmp(md, "### ", 4) == 0);
	free(subject);
	free(text);
	free(md);
	json_decref(alerts);
}

/* Checks every notice event reads in Chinese and English: what happened,
 * its details and what to do. */
static void
test_admin_notices(void **state)
{
	(void)state;
	check_notice(notice_failed(), LANGUAGE_EN,
	    (const char *[]){"[deadlined] admin: Delivery failed for good: ",
	        CASE_ID " decision (due) → hook", NULL},
	    (const char *[]){"Admin notice: Delivery failed for good",
	        "Case: " CASE_ID, "Window: decision", "Deadline: 2025-07-10",
	        "Alert kind: due", "Receiver: hook", "Reason: HTTP 404",
	        "deadlined --resend", NULL});
	check_notice(notice_failed(), LANGUAGE_ZH,
	    (const char *[]){"【管理通知】提醒投递失败：",
	        CASE_ID " decision (due) → hook", NULL},
	    (const char *[]){"【管理通知】提醒投递失败", "案件：" CASE_ID,
	        "接收方：hook", "原因：HTTP 404", "deadlined --resend", NULL});
	check_notice(notice_reload(), LANGUAGE_EN,
	    (const char *[]){"Configuration reload rejected: "
	                     "/etc/deadlined/deadlined.conf",
	        NULL},
	    (const char *[]){"Configuration: /etc/deadlined/deadlined.conf",
	        "Errors:", "/etc/deadlined/cases.d/a.conf:3: unknown key",
	        "/etc/deadlined/deadlined.conf:7: 'days'", "... and 4 more",
	        "deadlined -t", NULL});
	check_notice(notice_reload(), LANGUAGE_ZH,
	    (const char *[]){"【管理通知】配置重新加载被拒绝", NULL},
	    (const char *[]){"配置文件：/etc/deadlined/deadlined.conf",
	        "错误：", "/etc/deadlined/cases.d/a.conf:3:", "…… 另有 4 条",
	        NULL});
	check_notice(notice_calendar(), LANGUAGE_EN,
	    (const char *[]){"Holiday calendar does not cover a year: 2027",
	        NULL},
	    (const char *[]){"Year: 2027", "Open windows: 2",
	        "calendar.include", NULL});
	check_notice(notice_calendar(), LANGUAGE_ZH,
	    (const char *[]){"节假日日历未覆盖该年度：2027", NULL},
	    (const char *[]){"年度：2027", "未结期限：2", "国务院办公厅",
	        NULL});
	check_notice(notice_removed(), LANGUAGE_EN,
	    (const char *[]){"Case no longer watched: B-1", NULL},
	    (const char *[]){"Case: B-1",
	        "Details: case B-1 is no longer watched", NULL});
	check_notice(notice_removed(), LANGUAGE_ZH,
	    (const char *[]){"案件不再跟踪：B-1", NULL},
	    (const char *[]){"案件：B-1", NULL});
	check_notice(make_notice("something_new", "a new kind of notice",
	                 json_object()),
	    LANGUAGE_EN, (const char *[]){"Notice: a new kind of notice", NULL},
	    (const char *[]){"Details: a new kind of notice", NULL});
}

/* Checks a digest of notices: its own header and one line each. */
static void
test_admin_digest(void **state)
{
	json_t *alerts = json_pack("[o, o, o]", notice_failed(),
	    notice_reload(), notice_calendar());
	struct receiver r;
	char *subject, *text;

	(void)state;
	make_receiver(&r, LANGUAGE_EN);
	subject = message_subject(&r, alerts, false);
	text = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_subject_ok(subject);
	assert_has(subject,
	    (const char *[]){"[deadlined] 3 admin notices: first Delivery "
	                     "failed for good",
	        NULL});
	assert_has(text,
	    (const char *[]){"deadlined: 3 admin notices\n",
	        "Delivery failed for good: " CASE_ID,
	        "Configuration reload rejected: ",
	        "Holiday calendar does not cover a year: 2027\n", NULL});
	assert_lacks(text, (const char *[]){"Next steps", "days", NULL});
	free(subject);
	free(text);
	make_receiver(&r, LANGUAGE_ZH);
	subject = message_subject(&r, alerts, false);
	text = message_body(&r, alerts, false, MESSAGE_MARKDOWN);
	assert_has(subject,
	    (const char *[]){"【deadlined】3 条管理通知：首件 ", NULL});
	assert_has(text,
	    (const char *[]){"### deadlined：3 条管理通知\n",
	        "- 提醒投递失败：", "- 节假日日历未覆盖该年度：2027", NULL});
	free(subject);
	free(text);
	json_decref(alerts);
}

/* An array of one alert whose deadline, Monday 2026-01-05, falls in a
 * year the holiday calendar does not cover; a new reference. */
static json_t *
one_provisional(const char *kind, int days_left)
{
	json_t *alerts = one(kind, days_left, "decision");
	json_t *w = json_object_get(json_array_get(alerts, 0), "window");

	assert_int_equal(json_object_set_new(w, "deadline",
	                     json_string("2026-01-05")),
	    0);
	assert_int_equal(json_object_set_new(w, "provisional", json_true()), 0);
	return alerts;
}

/* Checks a provisional deadline is said to be so, in a sentence after
 * the deadline in a block and by a mark in subjects and digest lines;
 * and that "provisional": false (or none) says nothing. */
static void
test_provisional(void **state)
{
	json_t *alerts = one_provisional("reminder", 3), *two, *plain;
	struct receiver r;
	char *s, *b;

	(void)state;
	make_receiver(&r, LANGUAGE_ZH);
	s = message_subject(&r, alerts, false);
	assert_string_equal(s,
	    "【提醒】" CASE_ID " " WTITLE " 期限 2026-01-05 (周一)（暂定），"
	    "还有 3 天");
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_has(b,
	    (const char *[]){"截止日：2026-01-05 (周一) 当日结束。"
	                     "2026 年节假日安排尚未公布，期限可能顺延。\n",
	        NULL});
	free(s);
	free(b);
	b = message_body(&r, alerts, false, MESSAGE_MARKDOWN);
	assert_has(b,
	    (const char *[]){"- **截止日**：2026-01-05 (周一) 当日结束。"
	                     "2026 年节假日安排尚未公布，期限可能顺延。\n",
	        NULL});
	free(b);

	r.language = LANGUAGE_EN;
	s = message_subject(&r, alerts, false);
	assert_string_equal(s,
	    "[deadlined] reminder: " CASE_ID " " EN_WTITLE
	    ", deadline 2026-01-05 (Mon) (provisional), 3 days left");
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_has(b,
	    (const char *[]){"Deadline: 2026-01-05 (Mon), end of day. The "
	                     "holiday calendar for 2026 is not yet published; "
	                     "the deadline may move later.\n",
	        NULL});
	free(s);
	free(b);

	/* A digest: the mark on the provisional entry only. */
	plain = one("overdue", -2, "decision");
	two = json_pack("[O, O]", json_array_get(alerts, 0),
	    json_array_get(plain, 0));
	b = message_body(&r, two, false, MESSAGE_TEXT);
	assert_has(b,
	    (const char *[]){"deadline 2026-01-05 (Mon) (provisional); 3 days "
	                     "left\n",
	        "deadline 2025-07-10 (Thu); 2 days overdue\n", NULL});
	free(b);
	r.language = LANGUAGE_ZH;
	b = message_body(&r, two, false, MESSAGE_TEXT);
	assert_has(b,
	    (const char *[]){"截止 2026-01-05 (周一)（暂定），", NULL});
	free(b);

	/* Not provisional: no word of it. */
	b = message_body(&r, plain, false, MESSAGE_TEXT);
	assert_lacks(b, (const char *[]){"暂定", "节假日安排", NULL});
	free(b);
	r.language = LANGUAGE_EN;
	b = message_body(&r, plain, false, MESSAGE_TEXT);
	assert_lacks(b,
	    (const char *[]){"provisional", "holiday calendar", NULL});
	free(b);
	json_decref(two);
	json_decref(plain);
	json_decref(alerts);
}

/* Checks that a title full of Markdown reaches a robot as text: no
 * mention, link, tag or formatting survives, the plain-text body keeps
 * the characters, and a huge title is cut. */
static void
test_markdown_values_are_text(void **state)
{
	struct receiver r;
	json_t *alerts = one("reminder", 3, "decision"), *c;
	char *md, *text, big[20001];

	(void)state;
	c = json_object_get(json_array_get(alerts, 0), "case");
	json_object_set_new(c, "title",
	    json_string("<@U123> <!channel> [click](http://evil.example) "
	                "**bold** <font color=\"red\">x</font> `c` #h"));
	make_receiver(&r, LANGUAGE_ZH);
	md = message_body(&r, alerts, false, MESSAGE_MARKDOWN);
	assert_lacks(md,
	    (const char *[]){"<@U123>", "<!channel>", "](", "**bold**", "<font",
	        "`c`", NULL});
	assert_has(md, (const char *[]){"＜＠U123＞", "［click］", NULL});
	text = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_has(text, (const char *[]){"<@U123>", "[click]", NULL});
	free(md);
	free(text);
	memset(big, '<', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_object_set_new(c, "title", json_string(big));
	md = message_body(&r, alerts, false, MESSAGE_MARKDOWN);
	assert_true(strlen(md) < 4000);
	assert_has(md, (const char *[]){"＜＜＜", "…", NULL});
	free(md);
	json_decref(alerts);
}

/* Checks the overdue advice fits who reads it: neutral without an
 * audience, and the court's, the creditor's and the procuratorate's own
 * next steps, in Chinese and English. */
static void
test_audience(void **state)
{
	static const struct {
		enum receiver_audience who;
		const char *zh, *en, *not_zh;
	} c[] = {
	    {AUDIENCE_ANY, "可请求检察院立案监督",
	        "Ask the procuratorate to supervise", "函询"},
	    {AUDIENCE_COURT, "可函询公安机关办理情况，并可商请检察院依法监督",
	        "Write to the police to ask where the case stands", "自诉"},
	    {AUDIENCE_CREDITOR, "可向检察院申请立案监督，并准备自诉证据",
	        "prepare the evidence for a private prosecution", "函询"},
	    {AUDIENCE_PROCURATORATE, "可要求公安机关说明不立案理由",
	        "Require the police to explain why", "自诉"},
	};
	json_t *alerts = one("overdue", -2, "decision");
	struct receiver r;
	char *b;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		make_receiver(&r, LANGUAGE_ZH);
		r.audience = c[i].who;
		b = message_body(&r, alerts, false, MESSAGE_TEXT);
		if (strstr(b, c[i].zh) == NULL ||
		    strstr(b, c[i].not_zh) != NULL)
			fail_msg("audience %d: want \"%s\", not \"%s\":\n%s",
			    c[i].who, c[i].zh, c[i].not_zh, b);
		/* What the police failed to do comes first, for everyone. */
		assert_non_null(
		    strstr(b, "公安机关未在法定期限内作出是否立案的决定"));
		free(b);
		r.language = LANGUAGE_EN;
		b = message_body(&r, alerts, false, MESSAGE_TEXT);
		if (strstr(b, c[i].en) == NULL)
			fail_msg("audience %d: want \"%s\":\n%s", c[i].who,
			    c[i].en, b);
		free(b);
	}
	/* Before the deadline the advice is the same for everyone. */
	json_decref(alerts);
	alerts = one("reminder", 3, "decision");
	make_receiver(&r, LANGUAGE_ZH);
	r.audience = AUDIENCE_CREDITOR;
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_non_null(strstr(b, "督促公安机关在期限内作出是否立案的决定"));
	assert_null(strstr(b, "自诉"));
	free(b);
	json_decref(alerts);
}

/* Checks no English (ASCII-only) window title shows in a Chinese text
 * when the built-in window of that name has a Chinese title, for each
 * built-in window, in the subject, the body and a follow-up; and that an
 * English text keeps the English title. */
static void
test_no_english_title_in_zh(void **state)
{
	static const struct {
		const char *name, *en, *zh;
	} w[] = {
	    {"decision", "Police decision on opening a case",
	        "公安机关决定是否立案"},
	    {"reasons", "Written reasons for not opening a case",
	        "书面告知不立案理由"},
	    {"supervision_reply", "Police reply to the procuratorate",
	        "公安机关答复检察院说明理由"},
	    {"filing_after_notice", "Filing after the procuratorate's notice",
	        "接检察院通知后立案"},
	};
	struct receiver r;
	json_t *alerts, *win;
	char *s, *b;

	(void)state;
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		alerts = one("closed", 0, w[i].name);
		win = json_object_get(json_array_get(alerts, 0), "window");
		json_object_set_new(win, "title", json_string(w[i].en));
		json_object_set_new(win, "closed_by", json_string("x"));
		json_object_set_new(win, "follow_up",
		    json_pack("[{s:s, s:s}]", "name", w[i].name, "title",
		        w[i].en));
		make_receiver(&r, LANGUAGE_ZH);
		s = message_subject(&r, alerts, false);
		b = message_body(&r, alerts, false, MESSAGE_MARKDOWN);
		if (strstr(s, w[i].en) != NULL || strstr(b, w[i].en) != NULL)
			fail_msg("%s: English title in Chinese:\n%s\n%s",
			    w[i].name, s, b);
		assert_non_null(strstr(s, w[i].zh));
		assert_non_null(strstr(b, w[i].zh));
		free(s);
		free(b);
		make_receiver(&r, LANGUAGE_EN);
		b = message_body(&r, alerts, false, MESSAGE_TEXT);
		assert_non_null(strstr(b, w[i].en));
		assert_null(strstr(b, w[i].zh));
		free(b);
		json_decref(alerts);
	}
	/* A window deadlined does not know keeps its title, whatever it is. */
	alerts = one("reminder", 3, "hearing");
	win = json_object_get(json_array_get(alerts, 0), "window");
	json_object_set_new(win, "title", json_string("Hearing"));
	make_receiver(&r, LANGUAGE_ZH);
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_non_null(strstr(b, "Hearing"));
	free(b);
	json_decref(alerts);
}

/* Checks a digest's next steps name the cases they are for, each step
 * once, each case once per step. */
static void
test_steps_name_cases(void **state)
{
	json_t *alerts = json_pack("[o, o, o, o]",
	    make_alert("reminder", 3, "A-1", "decision"),
	    make_alert("overdue", -2, "B-2", "decision"),
	    make_alert("reminder", 1, "C-3", "decision"),
	    make_alert("overdue", -3, "B-2", "decision"));
	struct receiver r;
	char *b;

	(void)state;
	make_receiver(&r, LANGUAGE_ZH);
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_non_null(strstr(b,
	    "\n下一步：\n- A-1、C-3：督促公安机关在期限内作出是否立案的决定。\n"
	    "- B-2：公安机关未在法定期限内"));
	free(b);
	r.language = LANGUAGE_EN;
	b = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_non_null(
	    strstr(b, "\nNext steps:\n- A-1, C-3: Chase the police"));
	assert_non_null(strstr(b, "\n- B-2: The police missed"));
	free(b);
	json_decref(alerts);
}

/* Checks an administrators' notice is escaped like an alert: a rejected
 * reload's errors quote case files, and a case id is a case file's. */
static void
test_admin_values_are_text(void **state)
{
	json_t *alerts = json_pack("[o]",
	    make_notice("reload_failed", "reload rejected",
	        json_pack("{s:s, s:[s], s:i}", "config", "/etc/x.conf",
	            "errors",
	            "a.conf:3: unknown key '`<@U1> [x](http://e) **b**'",
	            "more", 0)));
	struct receiver r;
	char *md;

	(void)state;
	make_receiver(&r, LANGUAGE_EN);
	md = message_body(&r, alerts, false, MESSAGE_MARKDOWN);
	assert_lacks(md, (const char *[]){"<@U1>", "](", "**b**", "'`<", NULL});
	assert_has(md, (const char *[]){"＜＠U1＞", "［x］", "｀", NULL});
	free(md);
	md = message_body(&r, alerts, false, MESSAGE_TEXT);
	assert_has(md, (const char *[]){"<@U1> [x](http://e) **b**", NULL});
	free(md);
	json_decref(alerts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date),
	    cmocka_unit_test(test_kinds_zh),
	    cmocka_unit_test(test_kinds_en),
	    cmocka_unit_test(test_days_wording),
	    cmocka_unit_test(test_window_advice),
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_markdown_vs_text),
	    cmocka_unit_test(test_template_body),
	    cmocka_unit_test(test_template_subject),
	    cmocka_unit_test(test_body_max_digest),
	    cmocka_unit_test(test_body_max_count),
	    cmocka_unit_test(test_body_max_cut),
	    cmocka_unit_test(test_body_max_template),
	    cmocka_unit_test(test_test_message),
	    cmocka_unit_test(test_no_secret),
	    cmocka_unit_test(test_changes),
	    cmocka_unit_test(test_title_en),
	    cmocka_unit_test(test_markdown_values_are_text),
	    cmocka_unit_test(test_admin_notices),
	    cmocka_unit_test(test_admin_digest),
	    cmocka_unit_test(test_provisional),
	    cmocka_unit_test(test_audience),
	    cmocka_unit_test(test_no_english_title_in_zh),
	    cmocka_unit_test(test_steps_name_cases),
	    cmocka_unit_test(test_admin_values_are_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
