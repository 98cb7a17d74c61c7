/*
 * http.c -- the HTTP plumbing shared by the webhook and chat channels.
 *
 * Every request is a POST of a body the transfer owns.  The answer is
 * read by two small callbacks: one notes Retry-After (so that a retry
 * waits at least as long as the receiver asked), the other keeps the
 * first HTTP_RESPONSE_MAX bytes of the body (where the chat robots put
 * their verdict) and discards the rest without failing the transfer.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "log.h"
#include "xmalloc.h"

void
http_header(struct curl_slist **list, const char *fmt, ...)
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

/* Append one "Name: value"; an empty value is sent as "Name;", since
 * curl drops a header written "Name:". */
static void
http_extra_header(struct curl_slist **list, const char *h)
{
	const char *colon = strchr(h, ':');
	const char *v;

	if (colon == NULL)
		return;
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (*v == '\0')
		http_header(list, "%.*s;", (int)(colon - h), h);
	else
		http_header(list, "%s", h);
}

void
http_extra_headers(struct curl_slist **list, const struct receiver *r)
{
	for (size_t i = 0; i < r->nheaders; i++)
		http_extra_header(list, r->headers[i]);
}

long
http_retry_seconds(const char *v)
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
		return n > HTTP_RETRY_MAX ? HTTP_RETRY_MAX : (long)n;
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
	return n > HTTP_RETRY_MAX ? HTTP_RETRY_MAX : (long)n;
}

/* Header callback: note Retry-After; a new status line forgets it. */
static size_t
http_header_cb(char *buf, size_t size, size_t n, void *arg)
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
	if ((secs = http_retry_seconds(value)) != -1)
		t->retry_after = secs;
	return len;
}

/* Write callback: keep the first HTTP_RESPONSE_MAX bytes, NUL-ended;
 * claim the rest as read so that the transfer goes on. */
static size_t
http_write_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n, keep;

	if (t->rlen >= HTTP_RESPONSE_MAX)
		return len;
	keep = HTTP_RESPONSE_MAX - t->rlen;
	if (keep > len)
		keep = len;
	t->response = xreallocarray(t->response, t->rlen + keep + 1, 1);
	memcpy(t->response + t->rlen, buf, keep);
	t->rlen += keep;
	t->response[t->rlen] = '\0';
	return len;
}

int
http_post(struct transfer *t, const char *url, char *err, size_t errlen)
{
	CURL *e = t->easy;

	t->off = 0;
	t->retry_after = 0;
	t->errbuf[0] = '\0';
	CHANNEL_SETOPT(e, CURLOPT_URL, url);
	CHANNEL_SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https");
	CHANNEL_SETOPT(e, CURLOPT_ERRORBUFFER, t->errbuf);
	CHANNEL_SETOPT(e, CURLOPT_HTTPHEADER, t->headers);
	CHANNEL_SETOPT(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->len);
	CHANNEL_SETOPT(e, CURLOPT_POSTFIELDS, t->body);
	CHANNEL_SETOPT(e, CURLOPT_HEADERFUNCTION, http_header_cb);
	CHANNEL_SETOPT(e, CURLOPT_HEADERDATA, t);
	CHANNEL_SETOPT(e, CURLOPT_WRITEFUNCTION, http_write_cb);
	CHANNEL_SETOPT(e, CURLOPT_WRITEDATA, t);
	return 0;
}
