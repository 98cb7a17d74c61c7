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
#include "log.h"
#include "xmalloc.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define WEBHOOK_RESPONSE_MAX 4096  /* bytes of an answer kept */
#define WEBHOOK_RETRY_MAX    86400 /* longest Retry-After honoured */

static void webhook_header(struct curl_slist **, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * curl_easy_setopt, or return -1 from the calling function with the
 * option named in err (the caller's err and errlen).
 */
#define WEBHOOK_SETOPT(easy, opt, val)                                         \
	do {                                                                   \
		CURLcode rc_ = curl_easy_setopt(easy, opt, val);               \
		if (rc_ != CURLE_OK) {                                         \
			snprintf(err, errlen, "%s: %s", #opt,                  \
			    curl_easy_strerror(rc_));                          \
			return -1;                                             \
		}                                                              \
	} while (0)

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

/* "sha256=" and the hex HMAC-SHA256 of body under secret; "" if out is
 * too small or HMAC fails. */
void
webhook_signature(
    const char *secret, const char *body, size_t len, char *out, size_t outlen)
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

/* Append a formatted header to *list; out of memory is fatal. */
static void
webhook_header(struct curl_slist **list, const char *fmt, ...)
{
	struct curl_slist *l;
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("vasprintf");
	if ((l = curl_slist_append(*list, s)) == NULL)
		fatalx("curl_slist_append: out of memory");
	free(s);
	*list = l;
}

/* Append a receiver's own "Name: value"; an empty value is sent as
 * "Name;", since curl drops a header written "Name:". */
static void
webhook_extra_header(struct curl_slist **list, const char *h)
{
	const char *colon = strchr(h, ':');
	const char *v;

	if (colon == NULL)
		return;
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (*v == '\0')
		webhook_header(list, "%.*s;", (int)(colon - h), h);
	else
		webhook_header(list, "%s", h);
}

/* Build every request header into t->headers. */
static void
webhook_headers(
    struct transfer *t, const struct receiver *r, const char *delivery_id)
{
	char sig[80];

	webhook_header(&t->headers, "Content-Type: application/json");
	webhook_header(&t->headers, "Idempotency-Key: %s", delivery_id);
	if (r->secret != NULL) {
		webhook_signature(r->secret, t->body, t->len, sig, sizeof(sig));
		webhook_header(&t->headers, "X-Deadlined-Signature: %s", sig);
	}
	webhook_header(&t->headers, "User-Agent: deadlined/%s", VERSION);
	webhook_header(&t->headers, "Expect:"); /* no 100-continue wait */
	for (size_t i = 0; i < r->nheaders; i++)
		webhook_extra_header(&t->headers, r->headers[i]);
}

/* Seconds a Retry-After value asks for (delta-seconds or an HTTP-date),
 * clamped to 0..WEBHOOK_RETRY_MAX; -1 if it is neither. */
static long
webhook_retry_seconds(const char *v)
{
	char *end;
	long long n;
	time_t when;

	if (isdigit((unsigned char)*v)) {
		n = strtoll(v, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0')
			return -1;
		return n > WEBHOOK_RETRY_MAX ? WEBHOOK_RETRY_MAX : (long)n;
	}
	if ((when = curl_getdate(v, NULL)) == -1)
		return -1;
	/*
	 * The date is the server's wall clock, so it is compared with ours,
	 * not with clock_now(): --now shifts what the daemon thinks today is,
	 * not how long the server wants us to wait.
	 */
	n = (long long)when - (long long)time(NULL);
	if (n < 0)
		return 0;
	return n > WEBHOOK_RETRY_MAX ? WEBHOOK_RETRY_MAX : (long)n;
}

/* Header callback: note Retry-After; a new status line forgets it. */
static size_t
webhook_header_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n, vlen;
	char value[256];
	const char *v;
	long secs;

	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0)
		t->retry_after = 0;
	if (len < 12 || strncasecmp(buf, "Retry-After:", 12) != 0)
		return len;
	for (v = buf + 12; v < buf + len && (*v == ' ' || *v == '\t'); v++)
		;
	vlen = (size_t)(buf + len - v);
	while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
		vlen--;
	if (vlen >= sizeof(value))
		return len;
	memcpy(value, v, vlen);
	value[vlen] = '\0';
	if ((secs = webhook_retry_seconds(value)) != -1)
		t->retry_after = secs;
	return len;
}

/* Write callback: keep the first WEBHOOK_RESPONSE_MAX bytes, NUL-ended;
 * claim the rest as read so that the transfer goes on. */
static size_t
webhook_write_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n, keep;

	if (t->rlen >= WEBHOOK_RESPONSE_MAX)
		return len;
	keep = WEBHOOK_RESPONSE_MAX - t->rlen;
	if (keep > len)
		keep = len;
	t->response = xreallocarray(t->response, t->rlen + keep + 1, 1);
	memcpy(t->response + t->rlen, buf, keep);
	t->rlen += keep;
	t->response[t->rlen] = '\0';
	return len;
}

/* Set the options of a POST of t->body with t->headers to r->url. */
static int
webhook_options(
    struct transfer *t, const struct receiver *r, char *err, size_t errlen)
{
	CURL *e = t->easy;

	WEBHOOK_SETOPT(e, CURLOPT_URL, r->url);
	WEBHOOK_SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https");
	WEBHOOK_SETOPT(e, CURLOPT_ERRORBUFFER, t->errbuf);
	WEBHOOK_SETOPT(e, CURLOPT_HTTPHEADER, t->headers);
	WEBHOOK_SETOPT(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->len);
	WEBHOOK_SETOPT(e, CURLOPT_POSTFIELDS, t->body);
	WEBHOOK_SETOPT(e, CURLOPT_HEADERFUNCTION, webhook_header_cb);
	WEBHOOK_SETOPT(e, CURLOPT_HEADERDATA, t);
	WEBHOOK_SETOPT(e, CURLOPT_WRITEFUNCTION, webhook_write_cb);
	WEBHOOK_SETOPT(e, CURLOPT_WRITEDATA, t);
	return 0;
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
	if ((t->body = webhook_body(r->name, alerts, now, test)) == NULL) {
		snprintf(err, errlen, "receiver '%s': cannot build the body",
		    r->name);
		return -1;
	}
	t->len = strlen(t->body);
	t->off = 0;
	t->retry_after = 0;
	t->errbuf[0] = '\0';
	webhook_headers(t, r, delivery_id);
	return webhook_options(t, r, err, errlen);
}
