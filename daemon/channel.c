/*
 * channel.c -- the table of channels: one row per receiver type (and,
 * for webhooks, per format), picked once per receiver by channel_of when
 * a configuration is taken in.
 *
 * A row says how to set a message up (webhook.c, chat.c, email.c,
 * logchannel.c), how many alerts one message carries (a digest: 100 for
 * deadlined's own JSON, 50 a mail, 20 a chat message, fewer for WeCom's
 * 4096 bytes), and how to judge the answer: a webhook by its HTTP status,
 * a chat robot also by the verdict in its body, mail by curl's result and
 * the SMTP reply.  deliver.c calls through the row and knows nothing else
 * of a channel.
 */
#include <stdio.h>
#include <string.h>

#include "channel.h"
#include "utf8.h"

#define CHANNEL_REFUSED_TRIES 3   /* mail every recipient refused (4xx) */
#define CHANNEL_ANSWER_MAX    160 /* bytes of a refusing answer kept */

/* A webhook's answer: 2xx sent; 408, 429, 5xx and network errors worth
 * a retry; a URL curl cannot use and any other status, failed. */
static enum channel_outcome
channel_judge_http(const struct transfer *t, enum receiver_format format,
    CURLcode rc, long code, int attempts, char *desc, size_t desclen)
{
	(void)t, (void)format, (void)attempts, (void)desc, (void)desclen;
	if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
		return CHANNEL_FAILED;
	if (rc != CURLE_OK)
		return CHANNEL_RETRY;
	if (code >= 200 && code < 300)
		return CHANNEL_SENT;
	if (code == 408 || code == 429 || code >= 500)
		return CHANNEL_RETRY;
	return CHANNEL_FAILED;
}

/* A chat robot's answer: as a webhook's, but a 2xx may still carry a
 * refusal in the body (chat_verdict), whose reason goes into desc. */
static enum channel_outcome
channel_judge_chat(const struct transfer *t, enum receiver_format format,
    CURLcode rc, long code, int attempts, char *desc, size_t desclen)
{
	enum channel_outcome out;
	char msg[256] = "";
	size_t used;

	out = channel_judge_http(t, format, rc, code, attempts, desc, desclen);
	if (out != CHANNEL_SENT)
		return out;
	switch (chat_verdict(format, t->response, msg, sizeof(msg))) {
	case CHAT_OK:
		return CHANNEL_SENT;
	case CHAT_RETRY:
		out = CHANNEL_RETRY;
		break;
	case CHAT_FAIL:
		out = CHANNEL_FAILED;
		break;
	case CHAT_RETRY_ONCE:
		out = attempts == 0 ? CHANNEL_RETRY : CHANNEL_FAILED;
		break;
	}
	used = strlen(desc);
	snprintf(desc + used, desclen - used, ", refused: %s",
	    msg[0] != '\0' ? msg : "(no message)");
	return out;
}

/* Mail: sent when curl says so; an SMTP 5xx is permanent unless it
 * refused the login (a password can be fixed); the rest is retried. */
static enum channel_outcome
channel_smtp_status(CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		return CHANNEL_SENT;
	if (rc != CURLE_LOGIN_DENIED && code >= 500 && code < 600)
		return CHANNEL_FAILED;
	return CHANNEL_RETRY;
}

/* Mail, with the recipients the server refused: the description says
 * which and why.  A refused address is never tried again on its own:
 * the message went to the others.  When every one was refused, a
 * temporary refusal (4xx) is retried like any failure, but only until
 * CHANNEL_REFUSED_TRIES attempts, then the delivery fails for good. */
static enum channel_outcome
channel_judge_smtp(const struct transfer *t, enum receiver_format format,
    CURLcode rc, long code, int attempts, char *desc, size_t desclen)
{
	enum channel_outcome out = channel_smtp_status(rc, code);
	size_t used = strlen(desc);

	(void)format;
	if (t->refused == NULL)
		return out;
	snprintf(desc + used, desclen - used,
	    "; refused %d of %d recipient%s: %s", t->rcpt_refused, t->rcpt_sent,
	    t->rcpt_sent == 1 ? "" : "s", t->refused);
	if (out == CHANNEL_RETRY && t->rcpt_refused >= t->rcpt_sent &&
	    attempts + 1 >= CHANNEL_REFUSED_TRIES)
		return CHANNEL_FAILED;
	return out;
}

/* The digest limits, by channel. */
static size_t
channel_one(const struct receiver *r)
{
	(void)r;
	return 1;
}

static size_t
channel_mail_max(const struct receiver *r)
{
	(void)r;
	return 50;
}

static size_t
channel_json_max(const struct receiver *r)
{
	(void)r;
	return 100;
}

static size_t
channel_chat_max(const struct receiver *r)
{
	(void)r;
	return 20;
}

/* WeCom's 4096 bytes hold about ten alerts in markdown, five in text. */
static size_t
channel_wecom_max(const struct receiver *r)
{
	return r->msgtype != NULL && strcmp(r->msgtype, "text") == 0 ? 5 : 10;
}

/* Every channel, one row each.  The log writes each alert on its own
 * line at once; the email and log rows match any format. */
static const struct channel channel_table[] = {
    {
        .name = "log",
        .type = RECEIVER_LOG,
        .format = FORMAT_JSON,
        .setup = logchannel_setup,
        .digest_max = channel_one,
        .sent_line = logchannel_line,
        .proto = "LOG",
        .instant = true,
    },
    {
        .name = "email",
        .type = RECEIVER_EMAIL,
        .format = FORMAT_JSON,
        .setup = email_setup,
        .digest_max = channel_mail_max,
        .judge = channel_judge_smtp,
        .proto = "SMTP",
    },
    {
        .name = "json",
        .type = RECEIVER_WEBHOOK,
        .format = FORMAT_JSON,
        .setup = webhook_setup,
        .texts = true,
        .digest_max = channel_json_max,
        .judge = channel_judge_http,
        .proto = "HTTP",
    },
    {
        .name = "dingtalk",
        .type = RECEIVER_WEBHOOK,
        .format = FORMAT_DINGTALK,
        .setup = chat_setup,
        .digest_max = channel_chat_max,
        .fits = chat_fits,
        .judge = channel_judge_chat,
        .proto = "HTTP",
    },
    {
        .name = "wecom",
        .type = RECEIVER_WEBHOOK,
        .format = FORMAT_WECOM,
        .setup = chat_setup,
        .digest_max = channel_wecom_max,
        .fits = chat_fits,
        .judge = channel_judge_chat,
        .proto = "HTTP",
    },
    {
        .name = "feishu",
        .type = RECEIVER_WEBHOOK,
        .format = FORMAT_FEISHU,
        .setup = chat_setup,
        .digest_max = channel_chat_max,
        .fits = chat_fits,
        .judge = channel_judge_chat,
        .proto = "HTTP",
    },
    {
        .name = "slack",
        .type = RECEIVER_WEBHOOK,
        .format = FORMAT_SLACK,
        .setup = chat_setup,
        .digest_max = channel_chat_max,
        .fits = chat_fits,
        .judge = channel_judge_chat,
        .proto = "HTTP",
    },
    {
        .name = "teams",
        .type = RECEIVER_WEBHOOK,
        .format = FORMAT_TEAMS,
        .setup = chat_setup,
        .digest_max = channel_chat_max,
        .fits = chat_fits,
        .judge = channel_judge_chat,
        .proto = "HTTP",
    },
};

const struct channel *
channel_of(const struct receiver *r)
{
	size_t n = sizeof(channel_table) / sizeof(channel_table[0]);

	for (size_t i = 0; i < n; i++) {
		const struct channel *ch = &channel_table[i];

		if (ch->type == r->type &&
		    (r->type != RECEIVER_WEBHOOK || ch->format == r->format))
			return ch;
	}
	return &channel_table[0];
}

/* "HTTP 503: what the peer said" into buf: the start of a refusing
 * answer's body, on one line, so that the record keeps the receiver's
 * own words ("maintenance until 10:00") and not only its status. */
static void
channel_answer(char *buf, size_t len, const char *proto, long code,
    const char *answer)
{
	char said[CHANNEL_ANSWER_MAX + 1];
	size_t i, n;

	snprintf(said, sizeof(said), "%s", answer != NULL ? answer : "");
	utf8_trim_cut(said);
	for (i = 0; said[i] != '\0'; i++)
		if ((unsigned char)said[i] < 0x20 || said[i] == 0x7f)
			said[i] = ' ';
	for (n = i; n > 0 && said[n - 1] == ' '; n--)
		said[n - 1] = '\0';
	if (said[0] != '\0' && utf8_valid(said))
		snprintf(buf, len, "%s %ld: %s", proto, code, said);
	else
		snprintf(buf, len, "%s %ld", proto, code);
}

void
channel_describe(const struct channel *ch, const struct transfer *t,
    CURLcode rc, long code, char *buf, size_t len)
{
	const char *err =
	    t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(rc);

	/* e-mail knows better for a server without STARTTLS. */
	if (ch->type == RECEIVER_EMAIL && email_describe(rc, buf, len))
		return;
	if (rc != CURLE_OK && code > 0)
		snprintf(buf, len, "%s %ld: %s", ch->proto, code, err);
	else if (rc != CURLE_OK)
		snprintf(buf, len, "%s", err);
	else if (ch->type == RECEIVER_WEBHOOK && (code < 200 || code >= 300))
		channel_answer(buf, len, ch->proto, code, t->response);
	else
		snprintf(buf, len, "%s %ld", ch->proto, code);
}
