/*
 * channel.h -- the channels a delivery can go through: each turns a
 * batch of alerts into one request on a libcurl easy handle.  deliver.c
 * owns the handle and the transfer; a channel only fills them in.
 *
 * The transfer struct owns every buffer a request points into, so that
 * a reload that frees the configuration cannot pull memory out from
 * under a transfer in flight.
 *
 * Each channel is one row of a table (channel.c), as tmux describes each
 * command in a cmd_entry: how to set a message up, how many alerts one
 * message carries, and how to judge the answer.  deliver.c picks a
 * receiver's row once, when a configuration is taken in, and never asks
 * about types or formats again.  A new channel is one file (its set-up)
 * and one row.
 */
#ifndef DEADLINED_CHANNEL_H
#define DEADLINED_CHANNEL_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"

/* curl_easy_setopt, or return -1 from the calling function with the
 * option named in its err (the caller has char *err, size_t errlen). */
#define CHANNEL_SETOPT(easy, opt, val)                                         \
	do {                                                                   \
		CURLcode rc_ = curl_easy_setopt(easy, opt, val);               \
		if (rc_ != CURLE_OK) {                                         \
			snprintf(err, errlen, "%s: %s", #opt,                  \
			    curl_easy_strerror(rc_));                          \
			return -1;                                             \
		}                                                              \
	} while (0)

/* How a message ended. */
enum channel_outcome {
	CHANNEL_SENT,
	CHANNEL_RETRY,  /* worth another try, after a wait */
	CHANNEL_FAILED, /* refused for good */
};

struct transfer;

/* One channel: a row of channel.c's table. */
struct channel {
	const char *name;
	enum receiver_type type;
	enum receiver_format format; /* webhooks: the row of each format */
	/* Set up t to carry alerts (a JSON array) under the message key
	 * delivery_id; 0, or -1 with a message in err.  An instant channel
	 * fills in t->body only: its message is done once it is set up. */
	int (*setup)(struct transfer *t, const struct receiver *r,
	    const char *delivery_id, json_t *alerts, time_t now, bool test,
	    char *err, size_t errlen);
	/* The most alerts one message to r carries. */
	size_t (*digest_max)(const struct receiver *r);
	/* How many of the alerts, from the first, one message shows whole
	 * (at least 1); NULL: all of them. */
	size_t (*fits)(const struct receiver *r, json_t *alerts);
	/* What the answer says: rc is curl's result, code the HTTP or SMTP
	 * status; a refusal's reason is appended to desc.  NULL for an
	 * instant channel. */
	enum channel_outcome (*judge)(const struct transfer *t,
	    enum receiver_format format, CURLcode rc, long code, int attempts,
	    char *desc, size_t desclen);
	/* What the log says of an alert once its message is recorded as
	 * sent (a new string); NULL: "delivered ... to ...". */
	char *(*sent_line)(json_t *alert, const char *alert_id,
	    const char *receiver);
	const char *proto; /* "HTTP" or "SMTP", for descriptions */
	bool instant;      /* no transfer: written where it goes at once */
	/* Its message is made of each alert's JSON text: setup reads
	 * t->texts, never alerts (which is NULL), and there is no fits. */
	bool texts;
};

/* The channel of receiver r: never NULL (an unknown type or format is
 * refused when the configuration is loaded; the log is the fallback). */
const struct channel *channel_of(const struct receiver *r);

/* Describe a transfer's result for the log and the outbox into buf:
 * "HTTP 204", "SMTP 550: <curl's message>", or curl's error. */
void channel_describe(const struct channel *ch, const struct transfer *t,
    CURLcode rc, long code, char *buf, size_t len);

/* The log channel (logchannel.c): the ALERT or ADMIN line of each alert,
 * one a line, as t->body. */
int logchannel_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test, char *err,
    size_t errlen);

/* The log line of one alert (a case alert or an administrators' notice)
 * of alert_id to receiver, as a new string. */
char *logchannel_line(json_t *alert, const char *alert_id,
    const char *receiver);

struct transfer {
	CURL *easy;
	struct curl_slist *headers; /* HTTP headers; freed by deliver */
	struct curl_slist *rcpt;    /* SMTP recipients; freed by deliver */
	char *body;                 /* request body or mail; freed */
	size_t len;
	size_t off;     /* bytes already handed to curl */
	char *response; /* what the peer answered, capped */
	size_t rlen;
	long retry_after; /* seconds from Retry-After, or 0 */
	int rcpt_sent;    /* SMTP: RCPT TO commands sent so far */
	bool rcpt_wait;   /* SMTP: the last of them awaits its reply */
	int rcpt_refused; /* SMTP: how many the server refused */
	char *refused;    /* SMTP: "addr: reply; ..." of those; freed */
	/* For set-up only, through a channel of texts (NULL, or valid until
	 * it returns): the ntexts alerts' JSON texts, each exactly what
	 * dumping the alert would give (as stored, when a case alert read
	 * back was true as of today), so that the webhook body is spliced
	 * rather than dumped again. */
	const char *const *texts;
	size_t ntexts;
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * Set up t->easy to POST the alerts (a JSON array of alert objects) to a
 * webhook receiver; delivery_id becomes the Idempotency-Key, now the
 * body's sent_at.  0, or -1 with a message in err.
 */
int webhook_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test, char *err,
    size_t errlen);

/* The webhook body (version 1) as a new string; NULL on error. */
char *webhook_body(const char *receiver, json_t *alerts, time_t now, bool test);

/* The same body made of n alerts already in JSON text (each as
 * json_dumps writes it, JSON_COMPACT): byte for byte what webhook_body
 * gives for those alerts parsed.  NULL on error. */
char *webhook_body_texts(const char *receiver, const char *const *texts,
    size_t n, time_t now);

/* "sha256=<hex HMAC-SHA256 of body with key secret>" into out (72+ bytes). */
void webhook_signature(const char *secret, const char *body, size_t len,
    char *out, size_t outlen);

/*
 * Set up t->easy to mail the alerts to an email receiver: envelope, every
 * recipient, and the whole message in t->body.  0, or -1 with err.
 */
int email_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test, char *err,
    size_t errlen);

/* The Message-ID header's value of the mail of delivery_id to r,
 * "<id@domain of from>"; a new string. */
char *email_message_id(const struct receiver *r, const char *delivery_id);

/* The words for an SMTP transfer that ended with rc, into buf, when
 * email.c knows better than curl what to say (a server without STARTTLS
 * under tls = "required"): true, else false and buf untouched. */
bool email_describe(CURLcode rc, char *buf, size_t len);

/* The whole RFC 5322 message as a new string; NULL on error. */
char *email_message(const struct receiver *r, const char *delivery_id,
    json_t *alerts, time_t now, bool test);

/*
 * Set up t->easy to POST the alerts to a chat robot (DingTalk, WeCom,
 * Feishu, Slack or Teams, by r->format) in the robot's own body shape and,
 * for DingTalk and Feishu with a secret, its signature over the real
 * time (never the --now clock).  0, or -1 with err.
 */
int chat_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test, char *err,
    size_t errlen);

/* How many of the alerts, from the first, one message to chat robot r
 * shows whole (at least 1): a digest larger than that would end in
 * "... and N more", so the rest go in a message of their own. */
size_t chat_fits(const struct receiver *r, json_t *alerts);

/* The request body chat_setup sends, as a new string (signing fields
 * included for Feishu); NULL on error.  real_ms is the real time. */
char *chat_body(const struct receiver *r, json_t *alerts, bool test,
    long long real_ms);

enum chat_verdict {
	CHAT_OK,    /* the robot took it */
	CHAT_RETRY, /* refused for now: retry like a 5xx */
	CHAT_FAIL,  /* refused for good */
	/* A bad signature: perhaps a clock step on either side, so once
	 * more, then for good. */
	CHAT_RETRY_ONCE,
};

/*
 * What a robot's 2xx answer says: DingTalk and WeCom put a non-zero
 * "errcode" in the body, Feishu a non-zero "code", when they refused the
 * message.  The provider's message goes into msg.  Formats that answer
 * with a plain status are always CHAT_OK.
 */
enum chat_verdict chat_verdict(enum receiver_format format,
    const char *response, char *msg, size_t msglen);

/* DingTalk: URL-encoded base64 HMAC-SHA256, key secret, over
 * "<timestamp_ms>\n<secret>", into out. */
void chat_dingtalk_sign(const char *secret, long long timestamp_ms, char *out,
    size_t outlen);

/* Feishu: base64 HMAC-SHA256 with key "<timestamp_s>\n<secret>" over an
 * empty message, into out. */
void chat_feishu_sign(const char *secret, long long timestamp_s, char *out,
    size_t outlen);

#endif
