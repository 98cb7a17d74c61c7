/*
 * email.c -- the email channel: one RFC 5322 message per delivery, sent
 * through libcurl's SMTP (smtp:// with STARTTLS as the receiver's `tls`
 * says, or smtps://).
 *
 * email_message writes the whole message into memory: headers in ASCII
 * (the subject as RFC 2047 encoded-words when it is not plain ASCII or
 * would not fit on one line), then a text/plain UTF-8 body in base64,
 * with CRLF line endings throughout.  The body tells a reader everything
 * about each alert, in English and then in Chinese, with what to do next.
 * email_setup hands the message to curl through a read callback over
 * t->body, which the struct transfer owns.  Neither the password nor the
 * URL (which may hold a token) is ever written into a message or an error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "channel.h"
#include "clock.h"
#include "date.h"
#include "deadline.h"
#include "log.h"
#include "xmalloc.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define EMAIL_SUBJECT_FIRST 39 /* bytes in "Subject: =?UTF-8?B?...?=" */
#define EMAIL_SUBJECT_NEXT  45 /* bytes in " =?UTF-8?B?...?=" */
#define EMAIL_B64_LINE      57 /* bytes per 76-character body line */
#define EMAIL_LINE_MAX      78 /* where a header line folds */

/* curl_easy_setopt, or return -1 from the caller with the option in err
 * (the caller's err and errlen). */
#define EMAIL_SETOPT(easy, opt, val)                                           \
	do {                                                                   \
		CURLcode rc_ = curl_easy_setopt(easy, opt, val);               \
		if (rc_ != CURLE_OK) {                                         \
			snprintf(err, errlen, "%s: %s", #opt,                  \
			    curl_easy_strerror(rc_));                          \
			return -1;                                             \
		}                                                              \
	} while (0)

/* A growing string; s is NUL-terminated whenever it is not NULL. */
struct email_buf {
	char *s;
	size_t len;
	size_t cap;
};

/* One alert, read out of its JSON object; missing strings are "". */
struct email_alert {
	const char *id;
	int kind; /* enum alert_kind, or -1 if unknown */
	const char *kind_name;
	const char *case_id;
	const char *title;
	const char *court;
	const char *window;
	const char *wtitle;
	const char *opened;
	const char *deadline;
	int days;
	bool extended;
	int days_left;
	int wday; /* of the deadline: 0 = Monday, -1 unknown */
};

static const char *email_wday_en[] = {"Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday"};
static const char *email_wday_zh[] = {
    "星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"};

static void email_add(struct email_buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static void email_line(struct email_buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Append n bytes of s to b. */
static void
email_addn(struct email_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Append a formatted string to b. */
static void
email_vadd(struct email_buf *b, const char *fmt, va_list ap)
{
	char *s;
	int n;

	if ((n = vasprintf(&s, fmt, ap)) == -1)
		fatal("vasprintf");
	email_addn(b, s, (size_t)n);
	free(s);
}

/* Append a formatted string to b. */
static void
email_add(struct email_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	email_vadd(b, fmt, ap);
	va_end(ap);
}

/* Append a formatted line and its CRLF to b. */
static void
email_line(struct email_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	email_vadd(b, fmt, ap);
	va_end(ap);
	email_addn(b, "\r\n", 2);
}

/* Append CRLF to b: an empty line when at the start of one. */
static void
email_crlf(struct email_buf *b)
{
	email_addn(b, "\r\n", 2);
}

/* Member key of object o as a string, or "" (o may be NULL). */
static const char *
email_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The enum alert_kind named name, or -1. */
static int
email_kind(const char *name)
{
	for (int k = ALERT_REMINDER; k <= ALERT_CLOSED; k++)
		if (strcmp(deadline_kind_name((enum alert_kind)k), name) == 0)
			return k;
	return -1;
}

/* Read alert object o into a. */
static void
email_alert_read(json_t *o, struct email_alert *a)
{
	json_t *c = json_object_get(o, "case");
	json_t *w = json_object_get(o, "window");
	date_t dl;

	a->id = email_str(o, "id");
	a->kind_name = email_str(o, "kind");
	a->kind = email_kind(a->kind_name);
	a->days_left = (int)json_integer_value(json_object_get(o, "days_left"));
	a->case_id = email_str(c, "id");
	a->title = email_str(c, "title");
	a->court = email_str(c, "court");
	a->window = email_str(w, "name");
	a->wtitle = email_str(w, "title");
	if (*a->wtitle == '\0')
		a->wtitle = a->window;
	a->opened = email_str(w, "opened");
	a->deadline = email_str(w, "deadline");
	a->days = (int)json_integer_value(json_object_get(w, "days"));
	a->extended = json_is_true(json_object_get(w, "extended"));
	a->wday = date_parse(a->deadline, &dl) == 0 ? date_weekday(dl) : -1;
}

/* "1 day" or "n days". */
static const char *
email_days(int n, char *buf, size_t len)
{
	snprintf(buf, len, "%d day%s", n, n == 1 ? "" : "s");
	return buf;
}

/* The first line of an alert, in English. */
static void
email_headline_en(struct email_buf *b, const struct email_alert *a)
{
	char d[32];

	switch (a->kind) {
	case ALERT_REMINDER:
		email_line(b, "REMINDER: the deadline is in %s.",
		    email_days(a->days_left, d, sizeof(d)));
		break;
	case ALERT_DUE:
		email_line(b, "DUE TODAY: the deadline is the end of today.");
		break;
	case ALERT_OVERDUE:
		email_line(b, "OVERDUE: the statutory deadline passed %s ago.",
		    email_days(-a->days_left, d, sizeof(d)));
		break;
	case ALERT_OPENED:
		email_line(b, "OPENED: a new deadline is being tracked.");
		break;
	case ALERT_EXTENDED:
		email_line(b, "EXTENDED: the deadline has moved.");
		break;
	case ALERT_CLOSED:
		email_line(b, "CLOSED: a closing event was recorded.");
		break;
	default:
		email_line(b, "ALERT (%s)", a->kind_name);
		break;
	}
}

/* The first line of an alert, in Chinese. */
static void
email_headline_zh(struct email_buf *b, const struct email_alert *a)
{
	switch (a->kind) {
	case ALERT_REMINDER:
		email_line(b, "【提醒】距期限届满还有%d天。", a->days_left);
		break;
	case ALERT_DUE:
		email_line(b, "【到期】期限于今日届满。");
		break;
	case ALERT_OVERDUE:
		email_line(
		    b, "【逾期】法定期限已过，已逾期%d天。", -a->days_left);
		break;
	case ALERT_OPENED:
		email_line(b, "【开始】新的期限开始计算。");
		break;
	case ALERT_EXTENDED:
		email_line(b, "【延长】期限已延长。");
		break;
	case ALERT_CLOSED:
		email_line(b, "【结束】已记录结束事件。");
		break;
	default:
		email_line(b, "【通知】（%s）", a->kind_name);
		break;
	}
}

/* Days left or days overdue, in English; nothing once closed. */
static void
email_days_en(struct email_buf *b, const struct email_alert *a)
{
	if (a->kind == ALERT_CLOSED)
		return;
	if (a->days_left > 0)
		email_line(b, "  Days left:    %d", a->days_left);
	else if (a->days_left == 0)
		email_line(b, "  Days left:    0 (the deadline is today)");
	else
		email_line(b, "  Days overdue: %d", -a->days_left);
}

/* Days left or days overdue, in Chinese; nothing once closed. */
static void
email_days_zh(struct email_buf *b, const struct email_alert *a)
{
	if (a->kind == ALERT_CLOSED)
		return;
	if (a->days_left > 0)
		email_line(b, "  剩余天数：%d天", a->days_left);
	else if (a->days_left == 0)
		email_line(b, "  剩余天数：0天（今日到期）");
	else
		email_line(b, "  已逾期%d天", -a->days_left);
}

/* What to do next, or what changed, in English. */
static void
email_advice_en(struct email_buf *b, const struct email_alert *a)
{
	switch (a->kind) {
	case ALERT_REMINDER:
	case ALERT_DUE:
		email_line(b, "  Next step:    chase the police for a decision "
		              "before the deadline");
		email_line(b, "                (the end of %s).", a->deadline);
		break;
	case ALERT_OVERDUE:
		email_line(b, "  Next step:    the police missed the statutory "
		              "deadline. Ask the procuratorate to supervise");
		email_line(b, "                (require the police to explain "
		              "why no decision was made), or prepare a");
		email_line(b, "                private prosecution.");
		break;
	case ALERT_OPENED:
		email_line(b,
		    "  What changed: the window opened on %s; the "
		    "police have %d days, until the end",
		    a->opened, a->days);
		email_line(b,
		    "                of %s. Reminders will follow "
		    "before the deadline.",
		    a->deadline);
		break;
	case ALERT_EXTENDED:
		email_line(b,
		    "  What changed: the period was extended to %d "
		    "days; the new deadline is the end of %s.",
		    a->days, a->deadline);
		break;
	case ALERT_CLOSED:
		email_line(b, "  What changed: a closing event was recorded; "
		              "this window is no longer tracked");
		email_line(b, "                and no further alerts will be "
		              "sent for it.");
		break;
	}
}

/* What to do next, or what changed, in Chinese. */
static void
email_advice_zh(struct email_buf *b, const struct email_alert *a)
{
	switch (a->kind) {
	case ALERT_REMINDER:
	case ALERT_DUE:
		email_line(b,
		    "  建议：督促公安机关在期限届满前（%s当日结束前）"
		    "依法作出决定。",
		    a->deadline);
		break;
	case ALERT_OVERDUE:
		email_line(b,
		    "  建议：公安机关未在法定期限内作出决定。"
		    "请求检察院立案监督（要求公安机关说明理由），或准备自诉。");
		break;
	case ALERT_OPENED:
		email_line(b,
		    "  变化：期限自%s起算，公安机关须在%d天内、"
		    "即%s当日结束前作出决定。届满前将发送提醒。",
		    a->opened, a->days, a->deadline);
		break;
	case ALERT_EXTENDED:
		email_line(b, "  变化：期间已延长至%d天，新的截止日为%s。",
		    a->days, a->deadline);
		break;
	case ALERT_CLOSED:
		email_line(b, "  变化：已记录结束事件，此期限不再跟踪，"
		              "也不再发送提醒。");
		break;
	}
}

/* One alert in English. */
static void
email_alert_en(struct email_buf *b, const struct email_alert *a)
{
	email_headline_en(b, a);
	email_line(b, "  Case:         %s", a->case_id);
	if (*a->title != '\0')
		email_line(b, "  Title:        %s", a->title);
	if (*a->court != '\0')
		email_line(b, "  Court:        %s", a->court);
	email_line(b, "  Window:       %s (%s)", a->wtitle, a->window);
	email_line(b, "  Opened:       %s", a->opened);
	email_line(b, "  Period:       %d days%s", a->days,
	    a->extended ? " (extended)" : "");
	email_line(b, "  Deadline:     %s (%s), end of day", a->deadline,
	    a->wday >= 0 ? email_wday_en[a->wday] : "?");
	email_days_en(b, a);
	email_advice_en(b, a);
}

/* One alert in Chinese. */
static void
email_alert_zh(struct email_buf *b, const struct email_alert *a)
{
	email_headline_zh(b, a);
	email_line(b, "  案件：%s", a->case_id);
	if (*a->title != '\0')
		email_line(b, "  案件名称：%s", a->title);
	if (*a->court != '\0')
		email_line(b, "  法院：%s", a->court);
	email_line(b, "  期限：%s（%s）", a->wtitle, a->window);
	email_line(b, "  起算日：%s", a->opened);
	email_line(
	    b, "  期间：%d天%s", a->days, a->extended ? "（已延长）" : "");
	email_line(b, "  截止日：%s（%s）当日结束", a->deadline,
	    a->wday >= 0 ? email_wday_zh[a->wday] : "?");
	email_days_zh(b, a);
	email_advice_zh(b, a);
}

/* The plain text of a message carrying alerts. */
static void
email_text_alerts(struct email_buf *b, const struct receiver *r, json_t *alerts)
{
	struct email_alert a;
	size_t i, n = json_array_size(alerts);

	email_line(b, "deadlined has %zu alert%s for receiver %s.", n,
	    n == 1 ? "" : "s", r->name);
	email_line(b, "deadlined 给接收者 %s 的提醒共 %zu 条。", r->name, n);
	for (i = 0; i < n; i++) {
		email_alert_read(json_array_get(alerts, i), &a);
		email_crlf(b);
		if (n > 1)
			email_line(b, "--- %zu/%zu ---", i + 1, n);
		email_alert_en(b, &a);
		email_crlf(b);
		email_alert_zh(b, &a);
		email_crlf(b);
		email_line(b, "  Alert id / 提醒编号: %s", a.id);
	}
}

/* The plain text of a test message. */
static void
email_text_test(
    struct email_buf *b, const struct receiver *r, const char *sent_at)
{
	email_line(b, "This is a test message from deadlined to receiver %s,",
	    r->name);
	email_line(b, "sent at %s. It carries no alerts: if you can read it,",
	    sent_at);
	email_line(b, "mail from deadlined reaches you.");
	email_crlf(b);
	email_line(b, "这是 deadlined 发给接收者 %s 的测试消息，发送时间 %s。",
	    r->name, sent_at);
	email_line(
	    b, "本消息不含提醒。能读到它，说明 deadlined 的邮件可以送达。");
}

/* The whole plain text (UTF-8, CRLF) of the message. */
static char *
email_text(const struct receiver *r, const char *delivery_id, json_t *alerts,
    time_t now, bool test)
{
	char sent_at[CLOCK_RFC3339_BUFSZ];
	struct email_buf b = {NULL, 0, 0};

	clock_rfc3339(now, sent_at);
	if (test)
		email_text_test(&b, r, sent_at);
	else
		email_text_alerts(&b, r, alerts);
	email_crlf(&b);
	email_line(&b, "-- ");
	email_line(
	    &b, "deadlined %s, %s, delivery %s", VERSION, sent_at, delivery_id);
	return b.s;
}

/* How the subject describes where an alert stands. */
static const char *
email_subject_state(const struct email_alert *a, char *buf, size_t len)
{
	if (a->kind == ALERT_CLOSED)
		snprintf(buf, len, "closed");
	else if (a->days_left > 0)
		snprintf(buf, len, "%d day%s left", a->days_left,
		    a->days_left == 1 ? "" : "s");
	else if (a->days_left == 0)
		snprintf(buf, len, "due today");
	else
		snprintf(buf, len, "%d day%s overdue", -a->days_left,
		    a->days_left == -1 ? "" : "s");
	return buf;
}

/* "3 reminder, 2 overdue": how many alerts there are of each kind. */
static void
email_subject_counts(struct email_buf *b, json_t *alerts)
{
	size_t count[ALERT_CLOSED + 2] = {0};
	const char *sep = "";
	int k;

	for (size_t i = 0; i < json_array_size(alerts); i++) {
		k = email_kind(email_str(json_array_get(alerts, i), "kind"));
		count[k == -1 ? ALERT_CLOSED + 1 : k]++;
	}
	for (k = ALERT_REMINDER; k <= ALERT_CLOSED + 1; k++) {
		if (count[k] == 0)
			continue;
		email_add(b, "%s%zu %s", sep, count[k],
		    k <= ALERT_CLOSED ? deadline_kind_name((enum alert_kind)k)
		                      : "other");
		sep = ", ";
	}
}

/* The subject's words, before control characters are blanked out. */
static char *
email_subject_text(const struct receiver *r, json_t *alerts, bool test)
{
	struct email_buf b = {NULL, 0, 0};
	struct email_alert a;
	size_t n = json_array_size(alerts);
	char state[64];

	if (test) {
		email_add(
		    &b, "[deadlined] test message from receiver %s", r->name);
		return b.s;
	}
	email_alert_read(json_array_get(alerts, 0), &a);
	if (n == 1) {
		email_add(&b, "[deadlined] %s: %s %s deadline %s (%s)",
		    a.kind_name, a.case_id, a.window, a.deadline,
		    email_subject_state(&a, state, sizeof(state)));
		return b.s;
	}
	email_add(&b, "[deadlined] %zu alerts: ", n);
	email_subject_counts(&b, alerts);
	email_add(&b, "; first %s %s deadline %s (%s)", a.case_id, a.window,
	    a.deadline, email_subject_state(&a, state, sizeof(state)));
	return b.s;
}

/* The subject in UTF-8: the kind, the case, the window and its deadline;
 * a digest counts its alerts by kind and names the first case. */
static char *
email_subject(const struct receiver *r, json_t *alerts, bool test)
{
	char *s = email_subject_text(r, alerts, test);

	for (char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' '; /* no CR or LF from a case id */
	return s;
}

/* The longest start of s, at most max bytes, that ends on a UTF-8
 * character boundary (max itself if s is not UTF-8 there). */
static size_t
email_utf8_cut(const unsigned char *s, size_t max)
{
	size_t n = strnlen((const char *)s, max);

	if (s[n] == '\0')
		return n;
	while (n > 0 && (s[n] & 0xc0) == 0x80)
		n--;
	return n > 0 ? n : max;
}

/* Append "Subject: " and subject: as is when it is printable ASCII and
 * fits the line, else as RFC 2047 "B" encoded-words of at most 75
 * characters, each on its own line of at most 76. */
static void
email_subject_header(struct email_buf *b, const char *subject)
{
	const unsigned char *s = (const unsigned char *)subject;
	unsigned char word[EMAIL_SUBJECT_NEXT / 3 * 4 + 1];
	size_t n, max = EMAIL_SUBJECT_FIRST;
	bool plain = strlen(subject) <= EMAIL_LINE_MAX - 9;

	for (const unsigned char *p = s; plain && *p != '\0'; p++)
		plain = *p >= 0x20 && *p < 0x7f;
	if (plain) {
		email_line(b, "Subject: %s", subject);
		return;
	}
	email_add(b, "Subject: ");
	while (*s != '\0') {
		n = email_utf8_cut(s, max);
		EVP_EncodeBlock(word, s, (int)n);
		email_add(b, "%s=?UTF-8?B?%s?=",
		    max == EMAIL_SUBJECT_FIRST ? "" : "\r\n ", word);
		s += n;
		max = EMAIL_SUBJECT_NEXT;
	}
	email_addn(b, "\r\n", 2);
}

/* Append "To: " and every recipient, folding before a line gets long. */
static void
email_to_header(struct email_buf *b, const struct receiver *r)
{
	size_t col = 4, len;

	email_add(b, "To: ");
	for (size_t i = 0; i < r->nto; i++) {
		len = strlen(r->to[i]);
		if (i > 0 && col + 2 + len > EMAIL_LINE_MAX) {
			email_add(b, ",\r\n ");
			col = 1;
		} else if (i > 0) {
			email_add(b, ", ");
			col += 2;
		}
		email_add(b, "%s", r->to[i]);
		col += len;
	}
	email_addn(b, "\r\n", 2);
}

/* Append "Date: " and now as RFC 5322 local time with a numeric offset. */
static void
email_date_header(struct email_buf *b, time_t now)
{
	static const char *wday[] = {
	    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	long off;

	localtime_r(&now, &tm);
	off = tm.tm_gmtoff / 60;
	email_line(b, "Date: %s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
	    labs(off) / 60, labs(off) % 60);
}

/* Append text in base64, 76 characters a line. */
static void
email_base64_body(struct email_buf *b, const char *text)
{
	unsigned char line[EMAIL_B64_LINE / 3 * 4 + 1];
	size_t len = strlen(text), n;

	for (size_t off = 0; off < len; off += n) {
		n = len - off < EMAIL_B64_LINE ? len - off : EMAIL_B64_LINE;
		EVP_EncodeBlock(
		    line, (const unsigned char *)text + off, (int)n);
		email_line(b, "%s", (const char *)line);
	}
}

/* Append every header and the blank line that ends them. */
static void
email_headers(struct email_buf *b, const struct receiver *r,
    const char *delivery_id, const char *subject, time_t now)
{
	const char *at = strrchr(r->from, '@');

	email_line(b, "From: deadlined <%s>", r->from);
	email_to_header(b, r);
	email_date_header(b, now);
	email_line(b, "Message-ID: <%s@%s>", delivery_id,
	    at != NULL && at[1] != '\0' ? at + 1 : "localhost");
	email_subject_header(b, subject);
	email_line(b, "MIME-Version: 1.0");
	email_line(b, "Content-Type: text/plain; charset=UTF-8");
	email_line(b, "Content-Transfer-Encoding: base64");
	email_line(b, "Auto-Submitted: auto-generated");
	email_crlf(b);
}

/* The whole message; NULL without a from, a recipient or an alert. */
char *
email_message(const struct receiver *r, const char *delivery_id, json_t *alerts,
    time_t now, bool test)
{
	struct email_buf b = {NULL, 0, 0};
	char *subject, *text;

	if (r->from == NULL || r->nto == 0 ||
	    (!test && json_array_size(alerts) == 0))
		return NULL;
	subject = email_subject(r, alerts, test);
	text = email_text(r, delivery_id, alerts, now, test);
	email_headers(&b, r, delivery_id, subject, now);
	email_base64_body(&b, text);
	free(subject);
	free(text);
	return b.s;
}

/* Read callback: hand curl the next part of the message. */
static size_t
email_read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;

	if (len > t->len - t->off)
		len = t->len - t->off;
	memcpy(buf, t->body + t->off, len);
	t->off += len;
	return len;
}

/* Build the envelope recipients, each "<address>", into t->rcpt. */
static void
email_rcpt(struct transfer *t, const struct receiver *r)
{
	struct curl_slist *l;
	char *s;

	for (size_t i = 0; i < r->nto; i++) {
		xasprintf(&s, "<%s>", r->to[i]);
		if ((l = curl_slist_append(t->rcpt, s)) == NULL)
			fatalx("curl_slist_append: out of memory");
		free(s);
		t->rcpt = l;
	}
}

/* The CURLOPT_USE_SSL level for r: smtps:// is TLS from the start. */
static long
email_use_ssl(const struct receiver *r)
{
	if (strncmp(r->url, "smtps://", 8) == 0)
		return (long)CURLUSESSL_ALL;
	switch (r->tls) {
	case TLS_TRY:
		return (long)CURLUSESSL_TRY;
	case TLS_NONE:
		return (long)CURLUSESSL_NONE;
	default:
		return (long)CURLUSESSL_ALL;
	}
}

/* Set the options of an SMTP upload of t->body to t->rcpt. */
static int
email_options(
    struct transfer *t, const struct receiver *r, char *err, size_t errlen)
{
	CURL *e = t->easy;
	char from[512];

	if ((size_t)snprintf(from, sizeof(from), "<%s>", r->from) >=
	    sizeof(from)) {
		snprintf(err, errlen, "the from address is too long");
		return -1;
	}
	EMAIL_SETOPT(e, CURLOPT_URL, r->url);
	EMAIL_SETOPT(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	EMAIL_SETOPT(e, CURLOPT_ERRORBUFFER, t->errbuf);
	EMAIL_SETOPT(e, CURLOPT_USE_SSL, email_use_ssl(r));
	if (r->username != NULL) {
		EMAIL_SETOPT(e, CURLOPT_USERNAME, r->username);
		if (r->password != NULL)
			EMAIL_SETOPT(e, CURLOPT_PASSWORD, r->password);
	}
	EMAIL_SETOPT(e, CURLOPT_MAIL_FROM, from);
	EMAIL_SETOPT(e, CURLOPT_MAIL_RCPT, t->rcpt);
	EMAIL_SETOPT(e, CURLOPT_UPLOAD, 1L);
	EMAIL_SETOPT(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)t->len);
	EMAIL_SETOPT(e, CURLOPT_READFUNCTION, email_read_cb);
	EMAIL_SETOPT(e, CURLOPT_READDATA, t);
	return 0;
}

/* Fill in t->easy to mail the alerts to email receiver r. */
int
email_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test, char *err,
    size_t errlen)
{
	if (r->url == NULL || r->from == NULL || r->nto == 0) {
		snprintf(err, errlen, "receiver '%s' needs url, from and to",
		    r->name);
		return -1;
	}
	t->body = email_message(r, delivery_id, alerts, now, test);
	if (t->body == NULL) {
		snprintf(
		    err, errlen, "receiver '%s': no alerts to send", r->name);
		return -1;
	}
	t->len = strlen(t->body);
	t->off = 0;
	t->errbuf[0] = '\0';
	email_rcpt(t, r);
	return email_options(t, r, err, errlen);
}
