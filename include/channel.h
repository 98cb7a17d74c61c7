/*
 * channel.h -- the channels a delivery can go through: each turns a
 * batch of alerts into one request on a libcurl easy handle.  deliver.c
 * owns the handle and the transfer; a channel only fills them in.
 *
 * The transfer struct owns every buffer a request points into, so that
 * a reload that frees the configuration cannot pull memory out from
 * under a transfer in flight.
 */
#ifndef DEADLINED_CHANNEL_H
#define DEADLINED_CHANNEL_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"

struct transfer {
	CURL *easy;
	struct curl_slist *headers;	/* HTTP headers; freed by deliver */
	struct curl_slist *rcpt;	/* SMTP recipients; freed by deliver */
	char *body;			/* request body or mail; freed */
	size_t len;
	size_t off;			/* bytes already handed to curl */
	char *response;			/* what the peer answered, capped */
	size_t rlen;
	long retry_after;		/* seconds from Retry-After, or 0 */
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * Set up t->easy to POST the alerts (a JSON array of alert objects) to a
 * webhook receiver; delivery_id becomes the Idempotency-Key, now the
 * body's sent_at.  0, or -1 with a message in err.
 */
int webhook_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test,
    char *err, size_t errlen);

/* The webhook body (version 1) as a new string; NULL on error. */
char *webhook_body(const char *receiver, json_t *alerts, time_t now,
    bool test);

/* "sha256=<hex HMAC-SHA256 of body with key secret>" into out (72+ bytes). */
void webhook_signature(const char *secret, const char *body, size_t len,
    char *out, size_t outlen);

/*
 * Set up t->easy to mail the alerts to an email receiver: envelope, every
 * recipient, and the whole message in t->body.  0, or -1 with err.
 */
int email_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test,
    char *err, size_t errlen);

/* The whole RFC 5322 message as a new string; NULL on error. */
char *email_message(const struct receiver *r, const char *delivery_id,
    json_t *alerts, time_t now, bool test);

#endif
