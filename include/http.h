/*
 * http.h -- what the HTTP channels (webhook.c, chat.c) share: request
 * headers, and a POST whose answer is read for Retry-After and kept (the
 * first 4 KiB) for the robots' verdicts and the log.
 */
#ifndef DEADLINED_HTTP_H
#define DEADLINED_HTTP_H

#include <curl/curl.h>
#include <stddef.h>

#include "channel.h"
#include "config.h"

#define HTTP_RESPONSE_MAX 4096  /* bytes of an answer kept */
#define HTTP_RETRY_MAX    86400 /* longest Retry-After honoured */

/* Append a formatted header to *list; out of memory is fatal. */
void http_header(struct curl_slist **list, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append the receiver's own `headers` ("Name: value"). */
void http_extra_headers(struct curl_slist **list, const struct receiver *r);

/* Set t->easy to POST t->body (t->len bytes) with t->headers to url
 * (copied by curl), reading Retry-After into t->retry_after and the
 * answer into t->response.  0, or -1 with err. */
int http_post(struct transfer *t, const char *url, char *err, size_t errlen);

/* Seconds a Retry-After value asks for (delta-seconds or an HTTP-date),
 * clamped to 0..HTTP_RETRY_MAX; -1 if it is neither. */
long http_retry_seconds(const char *value);

#endif
