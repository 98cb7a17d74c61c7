/*
 * email.c -- the email channel: one RFC 5322 message per delivery, sent
 * through libcurl's SMTP (smtp:// with STARTTLS as the receiver's `tls`
 * says, or smtps://).
 *
 * email_message writes the whole message into memory: headers in ASCII
 * (the subject as RFC 2047 encoded-words when it is not plain ASCII or
 * would not fit on one line), then a text/plain UTF-8 body in base64,
 * with CRLF line endings throughout.  The words (subject and text, in the
 * receiver's language, Chinese unless it says English, or from its
 * templates) come from message.c, as for every channel; this file only
 * frames them as mail.
 *
 * email_setup hands the message to curl through a read callback over
 * t->body, which the struct transfer owns.  Neither the password nor the
 * URL (which may hold a token) is ever written into a message or an error.
 *
 * A recipient the server refuses at RCPT TO does not stop the others
 * (CURLOPT_MAIL_RCPT_ALLOWFAILS): the message goes to those it accepts,
 * and the delivery counts as sent if any was.  curl does not say which
 * were refused, so a debug callback watches the SMTP dialogue for a 4xx
 * or 5xx reply to a RCPT command, logs it and keeps "address: reply" in
 * t->refused (deliver.c records it with the attempt and tells the admin
 * receivers).  A refused address is not tried again: the message went
 * to the others.  It looks at nothing else (the AUTH lines pass through
 * it too, and are never kept).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "log.h"
#include "message.h"
#include "xmalloc.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define EMAIL_SUBJECT_FIRST 39 /* bytes in "Subject: =?UTF-8?B?...?=" */
#define EMAIL_SUBJECT_NEXT  45 /* bytes in " =?UTF-8?B?...?=" */
#define EMAIL_B64_LINE      57 /* bytes per 76-character body line */
#define EMAIL_LINE_MAX      78 /* where a header line folds */

static void email_line(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Append a formatted line and its CRLF to b. */
static void
email_line(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
	buf_addn(b, "\r\n", 2);
}

/* Append CRLF to b: an empty line when at the start of one. */
static void
email_crlf(struct buf *b)
{
	buf_addn(b, "\r\n", 2);
}

/* Append text with every line ending made CRLF (a lone CR is dropped). */
static void
email_crlf_text(struct buf *b, const char *text)
{
	size_t n;

	while (*text != '\0') {
		n = strcspn(text, "\r\n");
		buf_addn(b, text, n);
		text += n;
		if (*text == '\n')
			email_crlf(b);
		if (*text != '\0')
			text++;
	}
}

/* The whole plain text (UTF-8, CRLF) of the message: message.c's text in
 * the receiver's language, then a signature naming the delivery. */
static char *
email_text(const struct receiver *r, const char *delivery_id, json_t *alerts,
    time_t now, bool test)
{
	char sent_at[CLOCK_RFC3339_BUFSZ], *text;
	struct buf b = {NULL, 0, 0};

	clock_rfc3339(now, sent_at);
	text = message_body(r, alerts, test, MESSAGE_TEXT);
	email_crlf_text(&b, text);
	free(text);
	if (b.len < 2 || strcmp(b.s + b.len - 2, "\r\n") != 0)
		email_crlf(&b);
	email_crlf(&b);
	email_line(&b, "-- ");
	email_line(&b, "deadlined %s, %s, delivery %s", VERSION, sent_at,
	    delivery_id);
	return b.s;
}

/* The subject in UTF-8: the kind, the case, the window and its deadline;
 * a digest counts its alerts by kind and names the first case. */
static char *
email_subject(const struct receiver *r, json_t *alerts, bool test)
{
	char *s = message_subject(r, alerts, test);

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

/* True if s is printable ASCII only. */
static bool
email_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return false;
	return true;
}

/* Append s as RFC 2047 "B" encoded-words of at most 75 characters, each
 * on its own line of at most 76, the first after a header name of up to
 * 9 characters; returns the length of the last line. */
static size_t
email_words(struct buf *b, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned char word[EMAIL_SUBJECT_NEXT / 3 * 4 + 1];
	size_t n, max = EMAIL_SUBJECT_FIRST, col = 0;

	while (*s != '\0') {
		n = email_utf8_cut(s, max);
		EVP_EncodeBlock(word, s, (int)n);
		buf_printf(b, "%s=?UTF-8?B?%s?=",
		    max == EMAIL_SUBJECT_FIRST ? "" : "\r\n ", word);
		col = (max == EMAIL_SUBJECT_FIRST ? 9 : 1) + 12 +
		    strlen((const char *)word);
		s += n;
		max = EMAIL_SUBJECT_NEXT;
	}
	return col;
}

/* Append "Subject: " and subject: as is when it is printable ASCII and
 * fits the line, else as encoded-words. */
static void
email_subject_header(struct buf *b, const char *subject)
{
	if (strlen(subject) <= EMAIL_LINE_MAX - 9 && email_ascii(subject)) {
		email_line(b, "Subject: %s", subject);
		return;
	}
	buf_printf(b, "Subject: ");
	email_words(b, subject);
	buf_addn(b, "\r\n", 2);
}

/*
 * Append "From: " with the display name and the address: a name in
 * printable ASCII as a quoted string (receiver.c refused '"' and '\\'
 * in it), any other as encoded-words; "deadlined" without one.  The
 * address goes on a line of its own when it would not fit.
 */
static void
email_from_header(struct buf *b, const struct receiver *r)
{
	const char *name = r->from_name != NULL ? r->from_name : "deadlined";
	size_t col;

	if (email_ascii(name) && strlen(name) + 6 + 3 <= EMAIL_LINE_MAX - 9) {
		/* Atoms and spaces as they are, else a quoted string. */
		bool atoms = strspn(name,
		                 "abcdefghijklmnopqrstuvwxyz"
		                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		                 "!#$%&'*+-/=?^_`{|}~ ") == strlen(name);

		buf_printf(b, atoms ? "From: %s" : "From: \"%s\"", name);
		col = 6 + 2 + strlen(name);
	} else {
		buf_printf(b, "From: ");
		col = email_words(b, name);
	}
	if (col + 3 + strlen(r->from) > EMAIL_LINE_MAX)
		buf_printf(b, "\r\n");
	email_line(b, " <%s>", r->from);
}

/* Append "To: " and every recipient, folding before a line gets long. */
static void
email_to_header(struct buf *b, const struct receiver *r)
{
	size_t col = 4, len;

	buf_printf(b, "To: ");
	for (size_t i = 0; i < r->nto; i++) {
		len = strlen(r->to[i]);
		if (i > 0 && col + 2 + len > EMAIL_LINE_MAX) {
			buf_printf(b, ",\r\n ");
			col = 1;
		} else if (i > 0) {
			buf_printf(b, ", ");
			col += 2;
		}
		buf_printf(b, "%s", r->to[i]);
		col += len;
	}
	buf_addn(b, "\r\n", 2);
}

/* Append "Date: " and now as RFC 5322 local time with a numeric offset. */
static void
email_date_header(struct buf *b, time_t now)
{
	static const char *wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat"};
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
email_base64_body(struct buf *b, const char *text)
{
	unsigned char line[EMAIL_B64_LINE / 3 * 4 + 1];
	size_t len = strlen(text), n;

	for (size_t off = 0; off < len; off += n) {
		n = len - off < EMAIL_B64_LINE ? len - off : EMAIL_B64_LINE;
		EVP_EncodeBlock(line, (const unsigned char *)text + off,
		    (int)n);
		email_line(b, "%s", (const char *)line);
	}
}

char *
email_message_id(const struct receiver *r, const char *delivery_id)
{
	const char *at = strrchr(r->from, '@');
	char *s;

	xasprintf(&s, "<%s@%s>", delivery_id,
	    at != NULL && at[1] != '\0' ? at + 1 : "localhost");
	return s;
}

/* Append every header and the blank line that ends them. */
static void
email_headers(struct buf *b, const struct receiver *r, const char *delivery_id,
    const char *subject, time_t now)
{
	char *id = email_message_id(r, delivery_id);

	email_from_header(b, r);
	email_to_header(b, r);
	email_date_header(b, now);
	email_line(b, "Message-ID: %s", id);
	free(id);
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
	struct buf b = {NULL, 0, 0};
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

/* Libcurl 7.88 (Debian 12) spells the option with three L's; 8.2 adds
 * the right spelling and keeps the old one only as an alias (an enum
 * constant, so #ifdef cannot tell: the version must). */
#if LIBCURL_VERSION_NUM >= 0x080200
#define EMAIL_RCPT_ALLOWFAILS CURLOPT_MAIL_RCPT_ALLOWFAILS
#else
#define EMAIL_RCPT_ALLOWFAILS CURLOPT_MAIL_RCPT_ALLLOWFAILS
#endif

/* The n-th (from 1) recipient address, "<...>", or "?". */
static const char *
email_rcpt_nth(const struct transfer *t, int n)
{
	const struct curl_slist *l = t->rcpt;

	for (int i = 1; l != NULL && i < n; i++)
		l = l->next;
	return l != NULL ? l->data : "?";
}

/* Note that the server refused recipient addr ("<...>") with the
 * reply line (len bytes): "addr: reply", appended to t->refused. */
static void
email_refused(struct transfer *t, const char *addr, const char *reply,
    size_t len)
{
	size_t alen = strlen(addr);
	char *s;

	if (alen >= 2 && addr[0] == '<' && addr[alen - 1] == '>') {
		addr++;
		alen -= 2;
	}
	if (len > 200)
		len = 200;
	xasprintf(&s, "%s%s%.*s: %.*s", t->refused != NULL ? t->refused : "",
	    t->refused != NULL ? "; " : "", (int)alen, addr, (int)len, reply);
	free(t->refused);
	t->refused = s;
	t->rcpt_refused++;
}

/* Debug callback: log each recipient the server refuses.  Only command
 * and reply lines are looked at; a RCPT command is remembered until the
 * last line of its reply, and a 4xx or 5xx reply is logged. */
static int
email_debug_cb(CURL *e, curl_infotype type, char *data, size_t size, void *arg)
{
	struct transfer *t = arg;
	size_t len = size;

	(void)e;
	if (type == CURLINFO_HEADER_OUT) {
		t->rcpt_wait =
		    size >= 8 && strncasecmp(data, "RCPT TO:", 8) == 0;
		t->rcpt_sent += t->rcpt_wait;
		return 0;
	}
	if (type != CURLINFO_HEADER_IN || !t->rcpt_wait || size < 4)
		return 0;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (data[0] == '4' || data[0] == '5') {
		log_warnx("the SMTP server refused recipient %s: %.*s",
		    email_rcpt_nth(t, t->rcpt_sent),
		    (int)(len < 200 ? len : 200), data);
		/* A reply of several lines: its first says it. */
		if (t->rcpt_refused < t->rcpt_sent)
			email_refused(t, email_rcpt_nth(t, t->rcpt_sent), data,
			    len);
	}
	if (data[3] != '-') /* the last line of the reply */
		t->rcpt_wait = false;
	return 0;
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
email_options(struct transfer *t, const struct receiver *r, char *err,
    size_t errlen)
{
	CURL *e = t->easy;
	char from[512];

	if ((size_t)snprintf(from, sizeof(from), "<%s>", r->from) >=
	    sizeof(from)) {
		snprintf(err, errlen, "the from address is too long");
		return -1;
	}
	CHANNEL_SETOPT(e, CURLOPT_URL, r->url);
	CHANNEL_SETOPT(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	CHANNEL_SETOPT(e, CURLOPT_ERRORBUFFER, t->errbuf);
	CHANNEL_SETOPT(e, CURLOPT_USE_SSL, email_use_ssl(r));
	if (r->username != NULL) {
		CHANNEL_SETOPT(e, CURLOPT_USERNAME, r->username);
		if (r->password != NULL)
			CHANNEL_SETOPT(e, CURLOPT_PASSWORD, r->password);
	}
	CHANNEL_SETOPT(e, CURLOPT_MAIL_FROM, from);
	CHANNEL_SETOPT(e, CURLOPT_MAIL_RCPT, t->rcpt);
	CHANNEL_SETOPT(e, EMAIL_RCPT_ALLOWFAILS, 1L);
	CHANNEL_SETOPT(e, CURLOPT_DEBUGFUNCTION, email_debug_cb);
	CHANNEL_SETOPT(e, CURLOPT_DEBUGDATA, t);
	CHANNEL_SETOPT(e, CURLOPT_VERBOSE, 1L);
	CHANNEL_SETOPT(e, CURLOPT_UPLOAD, 1L);
	CHANNEL_SETOPT(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)t->len);
	CHANNEL_SETOPT(e, CURLOPT_READFUNCTION, email_read_cb);
	CHANNEL_SETOPT(e, CURLOPT_READDATA, t);
	return 0;
}

bool
email_describe(CURLcode rc, char *buf, size_t len)
{
	if (rc != CURLE_USE_SSL_FAILED)
		return false;
	/* curl asks for STARTTLS only under tls = "required" (smtp://):
	 * smtps:// fails in the handshake instead, "try" goes on in clear. */
	snprintf(buf, len,
	    "the SMTP server does not offer STARTTLS, and the receiver has "
	    "tls = \"required\" (the default for smtp://): use the server's "
	    "smtps:// port, or set tls = \"try\" (or \"none\") to send "
	    "without encryption");
	return true;
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
		snprintf(err, errlen, "receiver '%s': no alerts to send",
		    r->name);
		return -1;
	}
	t->len = strlen(t->body);
	t->off = 0;
	t->errbuf[0] = '\0';
	email_rcpt(t, r);
	return email_options(t, r, err, errlen);
}
