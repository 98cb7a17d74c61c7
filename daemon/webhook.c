/*
 * webhook.c -- the webhook channel: one HTTP POST per delivery, its body
 * the version 1 JSON document of DESIGN.md built with jansson.
 *
 * webhook_setup fills in an easy handle that deliver.c owns and drives:
 * URL, headers (Content-Type, Idempotency-Key, the HMAC signature when the
 * receiver has a secret, User-Agent, the receiver's own headers), the body,
 * and two callbacks that read the answer: the first 4096 bytes of the
 * response (for the log) and any Retry-After (for the retry).  Every
 * buffer curl points into belongs to the struct transfer, never to the
 * configuration, so a reload cannot free it under a transfer in flight.
 * The URL may hold a token and is therefore never put into a message.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "channel.h"
#include "clock.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

/* The version 1 body: alerts is ignored (an empty array sent) if test. */
char *
webhook_body(const char *receiver, json_t *alerts, time_t now, bool test)
{
	char sent_at[CLOCK_RFC3339_BUFSZ];
	json_t *doc;
	char *body;

	if (receiver == NULL || (!test && !json_is_array(alerts)))
		return NULL;
	clock_rfc3339(now, sent_at);
	if (test)
		doc = json_pack("{s:i, s:s, s:s, s:b, s:[]}", "version", 1,
		    "receiver", receiver, "sent_at", sent_at, "test", 1,
		    "alerts");
	else
		doc = json_pack("{s:i, s:s, s:s, s:O}", "version", 1,
		    "receiver", receiver, "sent_at", sent_at, "alerts", alerts);
	if (doc == NULL)
		return NULL;
	body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return body;
}

char *
webhook_body_texts(const char *receiver, const char *const *texts, size_t n,
    time_t now)
{
	char *head, *body, *p;
	size_t len, hlen;
	json_t *none;

	/* The document with no alerts, dumped as webhook_body dumps it,
	 * ends in "[]}": the texts go between the brackets. */
	if ((none = json_array()) == NULL)
		return NULL;
	head = webhook_body(receiver, none, now, false);
	json_decref(none);
	if (head == NULL)
		return NULL;
	hlen = strlen(head);
	if (hlen < 3 || strcmp(head + hlen - 3, "[]}") != 0) {
		free(head);
		return NULL;
	}
	len = hlen + n;
	for (size_t i = 0; i < n; i++)
		len += strlen(texts[i]);
	p = body = xcalloc(len + 1, 1);
	memcpy(p, head, hlen - 2);
	p += hlen - 2;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		len = strlen(texts[i]);
		memcpy(p, texts[i], len);
		p += len;
	}
	memcpy(p, "]}", 3);
	free(head);
	return body;
}

/* "sha256=" and the hex HMAC-SHA256 of body under secret; "" if out is
 * too small or HMAC fails. */
void
webhook_signature(const char *secret, const char *body, size_t len, char *out,
    size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t i;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	        (const unsigned char *)body, len, md, &mdlen) == NULL ||
	    outlen < 7 + 2 * (size_t)mdlen + 1)
		return;
	memcpy(out, "sha256=", 7);
	for (i = 0; i < mdlen; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[7 + 2 * i + 1] = hex[md[i] & 0xf];
	}
	out[7 + 2 * i] = '\0';
	explicit_bzero(md, sizeof(md));
}

/* Build every request header into t->headers. */
static void
webhook_headers(struct transfer *t, const struct receiver *r,
    const char *delivery_id)
{
	char sig[80];

	http_header(&t->headers, "Content-Type: application/json");
	http_header(&t->headers, "Idempotency-Key: %s", delivery_id);
	if (r->secret != NULL) {
		webhook_signature(r->secret, t->body, t->len, sig, sizeof(sig));
		http_header(&t->headers, "X-Deadlined-Signature: %s", sig);
	}
	http_header(&t->headers, "User-Agent: deadlined/%s", VERSION);
	http_header(&t->headers, "Expect:"); /* no 100-continue wait */
	http_extra_headers(&t->headers, r);
}

/* Fill in t->easy to POST the alerts to webhook receiver r. */
int
webhook_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test, char *err,
    size_t errlen)
{
	if (r->url == NULL) {
		snprintf(err, errlen, "receiver '%s' has no url", r->name);
		return -1;
	}
	if (!test && t->texts != NULL)
		t->body = webhook_body_texts(r->name, t->texts, t->ntexts, now);
	else
		t->body = webhook_body(r->name, alerts, now, test);
	if (t->body == NULL) {
		snprintf(err, errlen, "receiver '%s': cannot build the body",
		    r->name);
		return -1;
	}
	t->len = strlen(t->body);
	webhook_headers(t, r, delivery_id);
	return http_post(t, r->url, err, errlen);
}
