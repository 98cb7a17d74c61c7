/*
 * test_email.c -- the email channel: the RFC 5322 message email_message
 * writes (CRLF, each header once, the RFC 2047 subject decoded back to
 * the original UTF-8, the base64 body decoded back to text that says
 * what a reader needs, in Chinese by default or in English; the words
 * themselves are message.c's, see test_message.c), digests, test
 * messages, that no secret leaks, and one real SMTP conversation over
 * the loopback with a small server in a child process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "channel.h"
#include "deliver.h"
#include "clock.h"
#include "utf8.h"

#define CASE_ID "(2025)沪0115执1234号"
#define COURT   "上海市浦东新区人民法院"
#define WTITLE  "Police decision on opening a case"
/* What a Chinese text calls the built-in window whose title the alert
 * gives in English. */
#define ZH_TITLE "公安机关决定是否立案"
#define NOW      ((time_t)1751850001) /* 2025-07-07T09:00:01+08:00 */
#define PASSWORD "smtp-password-DO-NOT-LEAK"
#define SECRET   "hook-secret-DO-NOT-LEAK"
#define URLTOKEN "URLTOKEN"

static char password[] = PASSWORD;
static char secret[] = SECRET;

/* An alert object as alert.h describes it. */
static json_t *
make_alert(const char *kind, int days_left, const char *case_id)
{
	json_t *a = json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s}, "
	                      "s:{s:s, s:s, s:s, s:i, s:b, s:s, s:s}}",
	    "id", "0123456789abcdef0123456789abcdef", "kind", kind, "days_left",
	    days_left, "case", "id", case_id, "title", "张三诉李四拒不执行判决",
	    "court", COURT, "window", "name", "decision", "title", WTITLE,
	    "opened", "2025-07-03", "days", 7, "extended", 0, "deadline",
	    "2025-07-10", "deadline_at", "2025-07-10T23:59:59+08:00");

	assert_non_null(a);
	return a;
}

/* An email receiver with a password, and a secret it must not use. */
static void
make_receiver(struct receiver *r)
{
	static const char *to[] = {"legal@example.org", "boss@example.org"};

	memset(r, 0, sizeof(*r));
	r->name = "legal_mail";
	r->type = RECEIVER_EMAIL;
	r->url = "smtps://mail.example.org:465/" URLTOKEN;
	r->tls = TLS_REQUIRED;
	r->username = "deadlined";
	r->password = password;
	r->secret = secret;
	r->from = "deadlined@example.org";
	r->to = to;
	r->nto = 2;
	r->timeout = 30;
}

/* Decode len base64 characters of s into a new NUL-terminated string. */
static char *
b64_decode(const char *s, size_t len)
{
	unsigned char *out = calloc(1, len / 4 * 3 + 1);
	int n;

	assert_non_null(out);
	assert_int_equal(len % 4, 0);
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	assert_true(n >= 0);
	while (len > 0 && s[len - 1] == '=') {
		len--;
		n--;
	}
	out[n] = '\0';
	return (char *)out;
}

/* Checks every line of msg ends in CRLF: no bare CR or LF. */
static void
assert_crlf(const char *msg)
{
	for (const char *p = msg; *p != '\0'; p++) {
		if (*p == '\n')
			assert_true(p > msg && p[-1] == '\r');
		if (*p == '\r')
			assert_true(p[1] == '\n');
	}
	assert_true(strlen(msg) >= 2);
	assert_string_equal(msg + strlen(msg) - 2, "\r\n");
}

/* The header section of msg, unfolded lines kept: a new string. */
static char *
msg_headers(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");

	assert_non_null(end);
	return strndup(msg, (size_t)(end - msg) + 2);
}

/* How many header lines of msg start with name ("Subject:"). */
static int
header_count(const char *msg, const char *name)
{
	char *h = msg_headers(msg);
	int n = 0;

	for (char *l = h; *l != '\0'; l = strstr(l, "\r\n") + 2)
		n += strncasecmp(l, name, strlen(name)) == 0;
	free(h);
	return n;
}

/* The value of header name, unfolded, as a new string. */
static char *
header_value(const char *msg, const char *name)
{
	char *h = msg_headers(msg), *p, *end, *v;
	size_t n = 0;

	for (p = h; strncasecmp(p, name, strlen(name)) != 0;
	     p = strstr(p, "\r\n") + 2)
		assert_true(*p != '\0');
	p += strlen(name);
	while (*p == ' ')
		p++;
	v = calloc(1, strlen(p) + 1);
	assert_non_null(v);
	for (end = p; *end != '\0'; end++) {
		if (end[0] == '\r' && end[1] == '\n' && end[2] != ' ' &&
		    end[2] != '\t')
			break;
		if (*end != '\r' && *end != '\n')
			v[n++] = *end;
	}
	free(h);
	return v;
}

/* Decode the Subject of msg: each encoded-word is checked (at most 75
 * characters, UTF-8 on its own, lines at most 76) and joined. */
static char *
subject_decode(const char *msg)
{
	char *h = msg_headers(msg), *line, *p, *q, *word, *out;
	size_t len = 0;

	assert_non_null(line = strstr(h, "\r\nSubject: "));
	line += 2;
	assert_non_null(out = calloc(1, strlen(h) + 1));
	if (strncmp(line + 9, "=?", 2) != 0) {
		strncpy(out, line + 9,
		    (size_t)(strstr(line, "\r\n") - line - 9));
		free(h);
		return out;
	}
	for (p = line + 9; strncmp(p, "=?UTF-8?B?", 10) == 0;) {
		q = strstr(p, "?=");
		assert_true(q - p + 2 <= 75);
		assert_true(q + 2 - line <= 76);
		word = b64_decode(p + 10, (size_t)(q - p - 10));
		assert_true(utf8_valid(word));
		memcpy(out + len, word, strlen(word));
		len += strlen(word);
		free(word);
		if (strncmp(q + 2, "\r\n ", 3) != 0)
			break;
		line = q + 4; /* the folding space */
		p = q + 5;
	}
	free(h);
	return out;
}

/* Decode the base64 body of msg, checking its lines are 76 at most. */
static char *
body_decode(const char *msg)
{
	const char *p = strstr(msg, "\r\n\r\n") + 4, *e;
	char *b64 = calloc(1, strlen(p) + 1), *text;
	size_t n = 0;

	assert_non_null(b64);
	for (; *p != '\0'; p = e + 2) {
		assert_non_null(e = strstr(p, "\r\n"));
		assert_true(e - p <= 76);
		memcpy(b64 + n, p, (size_t)(e - p));
		n += (size_t)(e - p);
	}
	text = b64_decode(b64, n);
	free(b64);
	return text;
}

/* Checks msg shows no password, secret or URL. */
static void
assert_no_secret(const char *msg)
{
	char *text = body_decode(msg), *subject = subject_decode(msg);

	assert_null(strstr(msg, PASSWORD));
	assert_null(strstr(msg, SECRET));
	assert_null(strstr(msg, URLTOKEN));
	assert_null(strstr(text, PASSWORD));
	assert_null(strstr(text, SECRET));
	assert_null(strstr(text, URLTOKEN));
	assert_null(strstr(text, "mail.example.org"));
	assert_null(strstr(subject, PASSWORD));
	free(text);
	free(subject);
}

/* The message for one alert of kind to a receiver in lang; a new
 * string. */
static char *
message_in(enum receiver_language lang, const char *kind, int days_left)
{
	json_t *alerts = json_pack("[o]", make_alert(kind, days_left, CASE_ID));
	struct receiver r;
	char *msg;

	make_receiver(&r);
	r.language = lang;
	msg = email_message(&r, "0f1e2d3c", alerts, NOW, false);
	assert_non_null(msg);
	json_decref(alerts);
	return msg;
}

/* The message for one alert of kind, in the default language. */
static char *
message_of(const char *kind, int days_left)
{
	return message_in(LANGUAGE_ZH, kind, days_left);
}

/* Checks the subject of a one-alert message decodes to want. */
static void
assert_subject(enum receiver_language lang, const char *kind, int days_left,
    const char *want)
{
	char *msg = message_in(lang, kind, days_left), *s;

	s = subject_decode(msg);
	assert_string_equal(s, want);
	free(s);
	free(msg);
}

static int
setup_zone(void **state)
{
	(void)state;
	return clock_set_zone("Asia/Shanghai");
}

/* Checks CRLF, each header once, and the fixed headers' values. */
static void
test_message_headers(void **state)
{
	static const char *once[] = {"From:", "To:", "Date:", "Message-ID:",
	    "MIME-Version:", "Subject:", "Content-Type:",
	    "Content-Transfer-Encoding:"};
	char *msg = message_of("reminder", 3), *v;

	(void)state;
	assert_crlf(msg);
	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		assert_int_equal(header_count(msg, once[i]), 1);
	v = header_value(msg, "To:");
	assert_string_equal(v, "legal@example.org, boss@example.org");
	free(v);
	v = header_value(msg, "From:");
	assert_string_equal(v, "deadlined <deadlined@example.org>");
	free(v);
	v = header_value(msg, "Date:");
	assert_string_equal(v, "Mon, 07 Jul 2025 09:00:01 +0800");
	free(v);
	v = header_value(msg, "Message-ID:");
	assert_string_equal(v, "<0f1e2d3c@example.org>");
	free(v);
	v = header_value(msg, "MIME-Version:");
	assert_string_equal(v, "1.0");
	free(v);
	v = header_value(msg, "Content-Type:");
	assert_string_equal(v, "text/plain; charset=UTF-8");
	free(v);
	v = header_value(msg, "Content-Transfer-Encoding:");
	assert_string_equal(v, "base64");
	free(v);
	for (const char *p = msg; *p != '\0'; p++)
		assert_true((unsigned char)*p < 0x80);
	free(msg);
}

/* Checks the subject decodes back to the UTF-8 it was made from: in
 * Chinese by default, in English when the receiver says so. */
static void
test_subject_reminder(void **state)
{
	(void)state;
	assert_subject(LANGUAGE_ZH, "reminder", 3,
	    "【提醒】" CASE_ID " " ZH_TITLE
	    " 期限 2025-07-10 (周四)，还有 3 天");
	assert_subject(LANGUAGE_ZH, "overdue", -1,
	    "【逾期】" CASE_ID " " ZH_TITLE
	    " 期限 2025-07-10 (周四)，已逾期 1 天");
	assert_subject(LANGUAGE_EN, "reminder", 3,
	    "[deadlined] reminder: " CASE_ID " " WTITLE
	    ", deadline 2025-07-10 (Thu), 3 days left");
	assert_subject(LANGUAGE_EN, "overdue", -1,
	    "[deadlined] overdue: " CASE_ID " " WTITLE
	    ", deadline 2025-07-10 (Thu), 1 day overdue");
	assert_subject(LANGUAGE_EN, "due", 0,
	    "[deadlined] due: " CASE_ID " " WTITLE
	    ", deadline 2025-07-10 (Thu), due today");
}

/* Checks a long subject of 4-byte characters splits between them. */
static void
test_subject_long(void **state)
{
	json_t *alerts;
	struct receiver r;
	char id[512] = "", *msg, *s, want[1024];

	(void)state;
	for (int i = 0; i < 40; i++)
		strcat(id, i % 3 == 0 ? "\xf0\x9f\x98\x80" : "沪a");
	alerts = json_pack("[o]", make_alert("reminder", 1, id));
	make_receiver(&r);
	assert_non_null(msg = email_message(&r, "x", alerts, NOW, false));
	s = subject_decode(msg);
	snprintf(want, sizeof(want),
	    "【提醒】%s " ZH_TITLE " 期限 2025-07-10 (周四)，还有 1 天", id);
	assert_string_equal(s, want);
	assert_crlf(msg);
	free(s);
	free(msg);
	json_decref(alerts);
}

/* Checks an ASCII subject too long for one line is encoded and decodes
 * back, and that a CR LF in a case id cannot add a header. */
static void
test_subject_ascii(void **state)
{
	json_t *alerts;
	struct receiver r;
	char *msg, *s, *v;

	(void)state;
	make_receiver(&r);
	r.language = LANGUAGE_EN;
	alerts = json_pack("[o]", make_alert("due", 0, "A-1"));
	msg = email_message(&r, "x", alerts, NOW, false);
	v = header_value(msg, "Subject:");
	assert_non_null(strstr(v, "=?UTF-8?B?"));
	s = subject_decode(msg);
	assert_string_equal(s,
	    "[deadlined] due: A-1 " WTITLE
	    ", deadline 2025-07-10 (Thu), due today");
	free(s);
	free(v);
	free(msg);
	json_decref(alerts);
	alerts = json_pack("[o]",
	    make_alert("due", 0,
	        "A-very-long-case-"
	        "identifier-that-pushes-the-subject-past-"
	        "one-line\r\nBcc: x@y"));
	msg = email_message(&r, "x", alerts, NOW, false);
	assert_crlf(msg);
	assert_int_equal(header_count(msg, "Bcc:"), 0);
	s = subject_decode(msg);
	assert_non_null(strstr(s, "past-one-line"));
	assert_null(strpbrk(s, "\r\n"));
	free(s);
	free(msg);
	json_decref(alerts);
}

/* Checks the decoded body of msg is UTF-8 with CRLF lines, holds every
 * string of want, and shows no secret. */
static void
assert_body_has(const char *msg, const char *const *want)
{
	char *text = body_decode(msg);

	assert_true(utf8_valid(text));
	assert_crlf(text);
	for (size_t i = 0; want[i] != NULL; i++)
		if (strstr(text, want[i]) == NULL)
			fail_msg("no \"%s\" in:\n%s", want[i], text);
	assert_no_secret(msg);
	free(text);
}

/* Checks the body of a reminder says what a reader needs, in Chinese by
 * default and in English when asked. */
static void
test_body_reminder(void **state)
{
	static const char *const zh[] = {CASE_ID, "张三诉李四拒不执行判决",
	    COURT, ZH_TITLE, "2025-07-03 (周四)", "2025-07-10 (周四)",
	    "【提醒】", "案件：" CASE_ID, "法院：" COURT, "还有 3 天",
	    "督促公安机关", "编号：0123456789abcdef0123456789abcdef",
	    "-- \r\ndeadlined ", "delivery 0f1e2d3c", NULL};
	static const char *const en[] = {CASE_ID, "张三诉李四拒不执行判决",
	    COURT, WTITLE, "2025-07-03 (Thu)", "2025-07-10 (Thu)", "Reminder",
	    "Case: " CASE_ID, "Court: " COURT, "3 days left",
	    "Chase the police to decide", NULL};
	char *msg, *text;

	(void)state;
	msg = message_of("reminder", 3);
	assert_body_has(msg, zh);
	text = body_decode(msg);
	assert_null(strstr(text, "Chase the police"));
	assert_null(strstr(text, WTITLE));
	free(text);
	free(msg);
	msg = message_in(LANGUAGE_EN, "reminder", 3);
	assert_body_has(msg, en);
	text = body_decode(msg);
	assert_null(strstr(text, "督促"));
	free(text);
	free(msg);
}

/* Checks an overdue alert advises supervision or private prosecution. */
static void
test_body_overdue(void **state)
{
	static const char *const zh[] = {CASE_ID, "【逾期】", "已逾期 2 天",
	    "检察院立案监督", "自诉", NULL};
	static const char *const en[] = {CASE_ID, "Overdue", "2 days overdue",
	    "missed the statutory", "procuratorate to supervise",
	    "private prosecution", NULL};
	char *msg, *text;

	(void)state;
	msg = message_of("overdue", -2);
	assert_body_has(msg, zh);
	text = body_decode(msg);
	assert_null(strstr(text, "还有"));
	free(text);
	free(msg);
	msg = message_in(LANGUAGE_EN, "overdue", -2);
	assert_body_has(msg, en);
	text = body_decode(msg);
	assert_null(strstr(text, "days left"));
	free(text);
	free(msg);
}

/* Checks due, opened, extended and closed say what is due or changed. */
static void
test_body_state_changes(void **state)
{
	static const struct {
		const char *kind, *en, *zh;
	} c[] = {
	    {"due", "due today", "今日到期"},
	    {"opened", "The period started on 2025-07-03 (Thu)",
	        "期限自 2025-07-03 (周四) 起算"},
	    {"extended", "The period was extended", "期限延长至"},
	    {"closed", "no longer tracked", "不再跟踪"},
	};
	const char *want[3] = {CASE_ID, NULL, NULL};
	char *msg;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		msg = message_of(c[i].kind, 0);
		want[1] = c[i].zh;
		assert_body_has(msg, want);
		free(msg);
		msg = message_in(LANGUAGE_EN, c[i].kind, 0);
		want[1] = c[i].en;
		assert_body_has(msg, want);
		free(msg);
	}
}

/* Checks a digest: its subject counts kinds and names the first case,
 * its body has a line per alert. */
static void
test_digest(void **state)
{
	static const char *const zh[] = {"5 条期限提醒", CASE_ID, "【逾期】D ",
	    "已逾期 5 天", "【提醒】E ", NULL};
	static const char *const en[] = {"5 alerts", CASE_ID, "Overdue: D ",
	    "5 days overdue", "Reminder: E ", NULL};
	json_t *alerts =
	    json_pack("[o, o, o, o, o]", make_alert("reminder", 3, CASE_ID),
	        make_alert("overdue", -2, "B"), make_alert("reminder", 3, "C"),
	        make_alert("overdue", -5, "D"), make_alert("reminder", 1, "E"));
	struct receiver r;
	char *msg, *s;

	(void)state;
	make_receiver(&r);
	assert_non_null(msg = email_message(&r, "dg", alerts, NOW, false));
	s = subject_decode(msg);
	assert_string_equal(s,
	    "【期限提醒】5 条：3 条提醒，2 条逾期；首件 " CASE_ID " " ZH_TITLE
	    " 期限 2025-07-10 (周四)，还有 3 天");
	assert_body_has(msg, zh);
	free(s);
	free(msg);
	r.language = LANGUAGE_EN;
	assert_non_null(msg = email_message(&r, "dg", alerts, NOW, false));
	s = subject_decode(msg);
	assert_string_equal(s,
	    "[deadlined] 5 alerts: 3 reminder, 2 overdue; first " CASE_ID
	    " " WTITLE ", deadline 2025-07-10 (Thu), 3 days left");
	assert_body_has(msg, en);
	free(s);
	free(msg);
	json_decref(alerts);
}

/* Checks a test message's subject and body in both languages. */
static void
test_test_message(void **state)
{
	static const char *const zh[] = {"测试消息", "legal_mail",
	    "2025-07-07T09:00:01+08:00", NULL};
	static const char *const en[] = {"test message", "legal_mail",
	    "2025-07-07T09:00:01+08:00", NULL};
	struct receiver r;
	char *msg, *v;

	(void)state;
	make_receiver(&r);
	assert_non_null(msg = email_message(&r, "t1", NULL, NOW, true));
	assert_crlf(msg);
	v = subject_decode(msg);
	assert_string_equal(v, "【deadlined】测试消息（接收方 legal_mail）");
	assert_body_has(msg, zh);
	free(v);
	free(msg);
	r.language = LANGUAGE_EN;
	assert_non_null(msg = email_message(&r, "t1", NULL, NOW, true));
	v = header_value(msg, "Subject:");
	assert_string_equal(v,
	    "[deadlined] test message from receiver "
	    "legal_mail");
	assert_body_has(msg, en);
	free(v);
	free(msg);
	/* Not a test and nothing to say: no message. */
	assert_null(email_message(&r, "t2", NULL, NOW, false));
}

/* Checks email_setup: the body, the envelope, and errors. */
static void
test_setup(void **state)
{
	json_t *alerts = json_pack("[o]", make_alert("due", 0, CASE_ID));
	struct transfer t;
	struct receiver r;
	char err[256] = "";

	(void)state;
	make_receiver(&r);
	memset(&t, 0, sizeof(t));
	assert_non_null(t.easy = curl_easy_init());
	assert_int_equal(email_setup(&t, &r, "s1", alerts, NOW, false, err,
	                     sizeof(err)),
	    0);
	assert_int_equal(t.len, strlen(t.body));
	assert_int_equal(t.off, 0);
	assert_string_equal(t.rcpt->data, "<legal@example.org>");
	assert_string_equal(t.rcpt->next->data, "<boss@example.org>");
	assert_null(t.rcpt->next->next);
	assert_null(t.headers);
	assert_no_secret(t.body);
	deliver_transfer_free(&t);

	memset(&t, 0, sizeof(t));
	assert_non_null(t.easy = curl_easy_init());
	assert_int_equal(email_setup(&t, &r, "s2", NULL, NOW, false, err,
	                     sizeof(err)),
	    -1);
	assert_true(err[0] != '\0');
	assert_null(strstr(err, URLTOKEN));
	assert_null(strstr(err, PASSWORD));
	deliver_transfer_free(&t);
	json_decref(alerts);
}

/* Answer one line of an SMTP conversation; false after QUIT. */
static bool
smtp_answer(int fd, const char *line, bool *data)
{
	const char *reply = "500 what?\r\n";

	if (*data) {
		if (strcmp(line, ".\r\n") != 0)
			return true;
		*data = false;
		reply = "250 queued\r\n";
	} else if (strncasecmp(line, "EHLO", 4) == 0)
		reply = "250-test\r\n250 SIZE 1000000\r\n";
	else if (strncasecmp(line, "MAIL", 4) == 0 ||
	    strncasecmp(line, "RCPT", 4) == 0)
		reply = "250 ok\r\n";
	else if (strncasecmp(line, "DATA", 4) == 0) {
		reply = "354 go on\r\n";
		*data = true;
	} else if (strncasecmp(line, "QUIT", 4) == 0)
		reply = "221 bye\r\n";
	if (write(fd, reply, strlen(reply)) == -1)
		_exit(1);
	return strncasecmp(line, "QUIT", 4) != 0;
}

/* The child: hold one SMTP conversation, pass what it heard up. */
static void
smtp_child(int lfd, int out)
{
	char *line = NULL;
	size_t cap = 0;
	bool data = false;
	FILE *in;
	int fd;

	alarm(20); /* never outlive a test that went wrong */
	if ((fd = accept(lfd, NULL, NULL)) == -1 ||
	    (in = fdopen(dup(fd), "r")) == NULL)
		_exit(1);
	if (write(fd, "220 test ESMTP\r\n", 16) != 16)
		_exit(1);
	while (getline(&line, &cap, in) > 0) {
		if (write(out, line, strlen(line)) == -1)
			_exit(1);
		if (!smtp_answer(fd, line, &data))
			break;
	}
	_exit(0);
}

/* Listen on the loopback; the socket, its port in *port. */
static int
smtp_listen(int *port)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int lfd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_not_equal(lfd = socket(AF_INET, SOCK_STREAM, 0), -1);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &slen), 0);
	*port = ntohs(sin.sin_port);
	return lfd;
}

/* Send one message to a local SMTP server with receiver r (its url is
 * set here); the transfer's result, and what the server heard in
 * *heard. */
static CURLcode
smtp_send(struct transfer *t, struct receiver *r, char **heard)
{
	json_t *alerts = json_pack("[o]", make_alert("reminder", 3, CASE_ID));
	char url[64], err[256] = "";
	size_t len = 0, cap = 1 << 20;
	int lfd, port, p[2], status;
	CURLcode rc;
	pid_t pid;
	ssize_t n;

	lfd = smtp_listen(&port);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	r->url = url;
	assert_int_equal(pipe(p), 0);
	assert_int_not_equal(pid = fork(), -1);
	if (pid == 0) {
		close(p[0]);
		smtp_child(lfd, p[1]);
	}
	close(p[1]);
	close(lfd);
	memset(t, 0, sizeof(*t));
	assert_non_null(t->easy = curl_easy_init());
	assert_int_equal(email_setup(t, r, "m1", alerts, NOW, false, err,
	                     sizeof(err)),
	    0);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT, 20L);
	/* Close the connection (QUIT) so that the server ends. */
	curl_easy_setopt(t->easy, CURLOPT_FORBID_REUSE, 1L);
	rc = curl_easy_perform(t->easy);
	assert_non_null(*heard = calloc(1, cap + 1));
	while ((n = read(p[0], *heard + len, cap - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	json_decref(alerts);
	return rc;
}

/* Checks a whole SMTP conversation: envelope, then the message as is. */
static void
test_smtp_loopback(void **state)
{
	struct transfer t;
	struct receiver r;
	char *heard, *data, *want;

	(void)state;
	make_receiver(&r);
	r.username = NULL; /* the test server offers no AUTH */
	r.tls = TLS_NONE;
	assert_int_equal(smtp_send(&t, &r, &heard), CURLE_OK);
	assert_non_null(strstr(heard, "MAIL FROM:<deadlined@example.org>"));
	assert_non_null(strstr(heard, "RCPT TO:<legal@example.org>\r\n"));
	assert_non_null(strstr(heard, "RCPT TO:<boss@example.org>\r\n"));
	assert_non_null(data = strstr(heard, "DATA\r\n"));
	assert_int_equal(asprintf(&want, "DATA\r\n%s.\r\n", t.body),
	    (int)t.len + 9);
	assert_true(strncmp(data, want, strlen(want)) == 0);
	assert_int_equal(t.off, t.len);
	free(want);
	free(heard);
	deliver_transfer_free(&t);
}

/* Checks tls = required refuses a server without STARTTLS. */
static void
test_smtp_tls_required(void **state)
{
	struct transfer t;
	struct receiver r;
	char *heard;

	(void)state;
	make_receiver(&r);
	r.username = NULL;
	r.tls = TLS_REQUIRED;
	assert_int_equal(smtp_send(&t, &r, &heard), CURLE_USE_SSL_FAILED);
	assert_null(strstr(heard, "DATA"));
	assert_null(strstr(heard, "RCPT"));
	free(heard);
	deliver_transfer_free(&t);
}

/* Checks the From header carries the display name: a Chinese one as an
 * RFC 2047 encoded-word, an ASCII one with specials quoted, a plain one
 * as it is; the address in angle brackets after it, always. */
static void
test_from_display_name(void **state)
{
	static const struct {
		const char *name, *want;
	} c[] = {
	    {"某某法院执行局",
	        "=?UTF-8?B?5p+Q5p+Q5rOV6Zmi5omn6KGM5bGA?= "
	        "<deadlined@example.org>"},
	    {"Court, Enforcement",
	        "\"Court, Enforcement\" <deadlined@example.org>"},
	    {"Pudong Court", "Pudong Court <deadlined@example.org>"},
	};
	json_t *alerts = json_pack("[o]", make_alert("due", 0, CASE_ID));
	struct receiver r;
	char *msg, *v;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		make_receiver(&r);
		r.from_name = c[i].name;
		assert_non_null(
		    msg = email_message(&r, "x", alerts, NOW, false));
		assert_crlf(msg);
		assert_int_equal(header_count(msg, "From:"), 1);
		v = header_value(msg, "From:");
		assert_string_equal(v, c[i].want);
		free(v);
		free(msg);
	}
	json_decref(alerts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_message_headers),
	    cmocka_unit_test(test_from_display_name),
	    cmocka_unit_test(test_subject_reminder),
	    cmocka_unit_test(test_subject_long),
	    cmocka_unit_test(test_subject_ascii),
	    cmocka_unit_test(test_body_reminder),
	    cmocka_unit_test(test_body_overdue),
	    cmocka_unit_test(test_body_state_changes),
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_test_message),
	    cmocka_unit_test(test_setup),
	    cmocka_unit_test(test_smtp_loopback),
	    cmocka_unit_test(test_smtp_tls_required),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, setup_zone, NULL);
	curl_global_cleanup();
	return rc;
}
