/*
 * test_webhook.c -- the webhook channel: the version 1 body (parsed back
 * with jansson), the HMAC-SHA256 signature against RFC 4231's vectors,
 * the request headers webhook_setup builds, and one real POST over the
 * loopback to a one-shot HTTP server in a child process, which checks
 * what was sent and how Retry-After and a long answer are read.
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

#include "channel.h"
#include "deliver.h"
#include "clock.h"

#define CASE_ID "(2025)沪0115执1234号"
#define NOW     ((time_t)1751850001) /* 2025-07-07T09:00:01+08:00 */
#define SECRET  "hook-secret-DO-NOT-LEAK"

/* An alert object as alert.h describes it. */
static json_t *
make_alert(const char *kind, int days_left)
{
	json_t *a = json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s}, "
	                      "s:{s:s, s:s, s:s, s:i, s:b, s:s, s:s}}",
	    "id", "0123456789abcdef0123456789abcdef", "kind", kind, "days_left",
	    days_left, "case", "id", CASE_ID, "title", "张三诉李四拒不执行判决",
	    "court", "上海市浦东新区人民法院", "window", "name", "decision",
	    "title", "Police decision on opening a case", "opened",
	    "2025-07-03", "days", 7, "extended", 0, "deadline", "2025-07-10",
	    "deadline_at", "2025-07-10T23:59:59+08:00");

	assert_non_null(a);
	return a;
}

/* A webhook receiver; secret may be NULL. */
static void
make_receiver(struct receiver *r, char *secret)
{
	static const char *headers[] = {"Authorization: Bearer tok",
	    "X-Team: legal", "X-Empty:"};

	memset(r, 0, sizeof(*r));
	r->name = "ops_hook";
	r->type = RECEIVER_WEBHOOK;
	r->url = "https://hooks.example.org/deadlines?token=URLTOKEN";
	r->format = FORMAT_JSON;
	r->secret = secret;
	r->headers = headers;
	r->nheaders = 3;
	r->timeout = 30;
}

/* How many entries of list are exactly s. */
static int
slist_count(const struct curl_slist *l, const char *s)
{
	int n = 0;

	for (; l != NULL; l = l->next)
		n += strcmp(l->data, s) == 0;
	return n;
}

/* The entry of list that starts with prefix (case-insensitive), or NULL. */
static const char *
slist_find(const struct curl_slist *l, const char *prefix)
{
	for (; l != NULL; l = l->next)
		if (strncasecmp(l->data, prefix, strlen(prefix)) == 0)
			return l->data;
	return NULL;
}

static int
setup_zone(void **state)
{
	(void)state;
	return clock_set_zone("Asia/Shanghai");
}

/* Checks the body's keys, their order, sent_at and the alerts array. */
static void
test_body_shape(void **state)
{
	json_t *alerts = json_pack("[o, o]", make_alert("reminder", 3),
	    make_alert("overdue", -2));
	json_t *doc;
	char *body;

	(void)state;
	body = webhook_body("ops_hook", alerts, NOW, false);
	assert_non_null(body);
	assert_true(
	    strncmp(body,
	        "{\"version\":1,\"receiver\":\"ops_hook\","
	        "\"sent_at\":\"2025-07-07T09:00:01+08:00\",\"alerts\":[",
	        strlen("{\"version\":1,\"receiver\":\"ops_hook\",\"sent_at\":"
	               "\"2025-07-07T09:00:01+08:00\",\"alerts\":[")) == 0);
	assert_non_null(doc = json_loads(body, 0, NULL));
	assert_int_equal(json_object_size(doc), 4);
	assert_int_equal(json_integer_value(json_object_get(doc, "version")),
	    1);
	assert_string_equal(json_string_value(json_object_get(doc, "receiver")),
	    "ops_hook");
	assert_string_equal(json_string_value(json_object_get(doc, "sent_at")),
	    "2025-07-07T09:00:01+08:00");
	assert_null(json_object_get(doc, "test"));
	assert_true(json_equal(json_object_get(doc, "alerts"), alerts));
	json_decref(doc);
	json_decref(alerts);
	free(body);
}

/* Checks a test message: "test": true and an empty alerts array. */
static void
test_body_test_message(void **state)
{
	json_t *doc, *a;
	char *body;

	(void)state;
	body = webhook_body("ops_hook", NULL, NOW, true);
	assert_non_null(body);
	assert_non_null(doc = json_loads(body, 0, NULL));
	assert_int_equal(json_integer_value(json_object_get(doc, "version")),
	    1);
	assert_true(json_is_true(json_object_get(doc, "test")));
	a = json_object_get(doc, "alerts");
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 0);
	json_decref(doc);
	free(body);
}

/* Checks a body spliced from the alerts' stored texts is byte for byte
 * the one dumped from the alerts: none, one, several, and a receiver
 * name and titles that need escaping. */
static void
test_body_texts(void **state)
{
	static const char *const names[] = {"ops_hook", "q\"uo\\te\tx"};
	json_t *alerts = json_pack("[o, o, o]", make_alert("reminder", 3),
	    make_alert("due", 0), make_alert("overdue", -2));
	char *texts[3], *want, *got;
	json_t *some;

	(void)state;
	json_object_set_new(json_object_get(json_array_get(alerts, 1), "case"),
	    "title", json_string("a \"b\" \\ \n c 上海"));
	for (size_t i = 0; i < 3; i++)
		texts[i] = json_dumps(json_array_get(alerts, i), JSON_COMPACT);
	for (size_t k = 0; k < 2; k++)
		for (size_t n = 0; n <= 3; n++) {
			some = json_array();
			for (size_t i = 0; i < n; i++)
				json_array_append(some,
				    json_array_get(alerts, i));
			want = webhook_body(names[k], some, NOW, false);
			got = webhook_body_texts(names[k],
			    (const char *const *)texts, n, NOW);
			assert_non_null(want);
			assert_non_null(got);
			assert_string_equal(got, want);
			free(want);
			free(got);
			json_decref(some);
		}
	assert_null(
	    webhook_body_texts(NULL, (const char *const *)texts, 1, NOW));
	for (size_t i = 0; i < 3; i++)
		free(texts[i]);
	json_decref(alerts);
}

/* Checks Chinese text goes out as raw UTF-8, not \u escapes. */
static void
test_body_utf8(void **state)
{
	json_t *alerts = json_pack("[o]", make_alert("due", 0));
	char *body;

	(void)state;
	body = webhook_body("ops_hook", alerts, NOW, false);
	assert_non_null(body);
	assert_non_null(strstr(body, "\"" CASE_ID "\""));
	assert_non_null(strstr(body, "上海市浦东新区人民法院"));
	assert_null(strstr(body, "\\u"));
	json_decref(alerts);
	free(body);
}

/* Checks a missing receiver name or alerts array is an error. */
static void
test_body_errors(void **state)
{
	json_t *obj = json_object();

	(void)state;
	assert_null(webhook_body(NULL, NULL, NOW, true));
	assert_null(webhook_body("ops_hook", NULL, NOW, false));
	assert_null(webhook_body("ops_hook", obj, NOW, false));
	json_decref(obj);
}

/* Checks the signature against RFC 4231 test cases 1 and 2. */
static void
test_signature_rfc4231(void **state)
{
	char key1[21], out[80];

	(void)state;
	webhook_signature("Jefe", "what do ya want for nothing?", 28, out,
	    sizeof(out));
	assert_string_equal(out,
	    "sha256=5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	memset(key1, 0x0b, 20);
	key1[20] = '\0';
	webhook_signature(key1, "Hi There", 8, out, sizeof(out));
	assert_string_equal(out,
	    "sha256=b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
	/* 72 bytes is enough; 71 is not, and gives "". */
	webhook_signature("Jefe", "x", 1, out, 72);
	assert_int_equal(strlen(out), 71);
	webhook_signature("Jefe", "x", 1, out, 71);
	assert_string_equal(out, "");
}

/* Checks webhook_setup's headers and body with a secret. */
static void
test_setup_headers(void **state)
{
	json_t *alerts = json_pack("[o]", make_alert("reminder", 3));
	struct transfer t;
	struct receiver r;
	char secret[] = SECRET, err[256] = "", sig[80], want[128];
	const char *h;

	(void)state;
	memset(&t, 0, sizeof(t));
	make_receiver(&r, secret);
	assert_non_null(t.easy = curl_easy_init());
	assert_int_equal(webhook_setup(&t, &r, "d-123", alerts, NOW, false, err,
	                     sizeof(err)),
	    0);
	assert_non_null(t.body);
	assert_int_equal(t.len, strlen(t.body));
	assert_null(strstr(t.body, SECRET));
	assert_null(strstr(t.body, "URLTOKEN"));
	assert_int_equal(slist_count(t.headers,
	                     "Content-Type: application/json"),
	    1);
	assert_int_equal(slist_count(t.headers, "Idempotency-Key: d-123"), 1);
	assert_int_equal(slist_count(t.headers,
	                     "User-Agent: deadlined/" VERSION),
	    1);
	assert_int_equal(slist_count(t.headers, "Authorization: Bearer tok"),
	    1);
	assert_int_equal(slist_count(t.headers, "X-Team: legal"), 1);
	assert_int_equal(slist_count(t.headers, "X-Empty;"), 1);
	webhook_signature(SECRET, t.body, t.len, sig, sizeof(sig));
	snprintf(want, sizeof(want), "X-Deadlined-Signature: %s", sig);
	assert_int_equal(slist_count(t.headers, want), 1);
	for (const struct curl_slist *l = t.headers; l != NULL; l = l->next)
		assert_null(strstr(l->data, SECRET));
	assert_non_null(h = slist_find(t.headers, "X-Deadlined-Signature:"));
	assert_int_equal(strlen(h), strlen("X-Deadlined-Signature: ") + 71);
	deliver_transfer_free(&t);
	json_decref(alerts);
}

/* Checks there is no signature header without a secret. */
static void
test_setup_no_secret(void **state)
{
	struct transfer t;
	struct receiver r;
	char err[256] = "";

	(void)state;
	memset(&t, 0, sizeof(t));
	make_receiver(&r, NULL);
	assert_non_null(t.easy = curl_easy_init());
	assert_int_equal(webhook_setup(&t, &r, "d-9", NULL, NOW, true, err,
	                     sizeof(err)),
	    0);
	assert_null(slist_find(t.headers, "X-Deadlined-Signature"));
	assert_non_null(slist_find(t.headers, "Idempotency-Key: d-9"));
	assert_non_null(strstr(t.body, "\"test\":true"));
	deliver_transfer_free(&t);
}

/* Checks setup fails, without naming the URL, when there is no body. */
static void
test_setup_error(void **state)
{
	struct transfer t;
	struct receiver r;
	char err[256] = "";

	(void)state;
	memset(&t, 0, sizeof(t));
	make_receiver(&r, NULL);
	assert_non_null(t.easy = curl_easy_init());
	assert_int_equal(webhook_setup(&t, &r, "d-1", NULL, NOW, false, err,
	                     sizeof(err)),
	    -1);
	assert_true(err[0] != '\0');
	assert_null(strstr(err, "URLTOKEN"));
	deliver_transfer_free(&t);
}

/* A one-shot HTTP server on the loopback, in a child process. */
struct server {
	pid_t pid;
	int port;
	int out; /* read end: the request the child got */
};

/* Read one HTTP request (headers and Content-Length body) from fd into
 * buf; its length. */
static size_t
server_read_request(int fd, char *buf, size_t cap)
{
	size_t len = 0, need = 0;
	const char *end, *cl;
	ssize_t n;

	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL)
			need = strtoul(cl + 17, NULL, 10);
		if (len >= (size_t)(end + 4 - buf) + need)
			break;
	}
	return len;
}

/* The child: answer one request with response, pass the request up. */
static void
server_child(int lfd, int out, const char *response, size_t rlen)
{
	static char req[65536];
	size_t len;
	int fd;

	alarm(20); /* never outlive a test that went wrong */
	if ((fd = accept(lfd, NULL, NULL)) == -1)
		_exit(1);
	len = server_read_request(fd, req, sizeof(req));
	if (write(fd, response, rlen) != (ssize_t)rlen)
		_exit(1);
	shutdown(fd, SHUT_WR);
	if (write(out, req, len) != (ssize_t)len)
		_exit(1);
	_exit(0);
}

/* Start a server that answers one request with response. */
static void
server_start(struct server *s, const char *response, size_t rlen)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int lfd, p[2];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_not_equal(lfd = socket(AF_INET, SOCK_STREAM, 0), -1);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &slen), 0);
	s->port = ntohs(sin.sin_port);
	assert_int_equal(pipe(p), 0);
	assert_int_not_equal(s->pid = fork(), -1);
	if (s->pid == 0) {
		close(p[0]);
		server_child(lfd, p[1], response, rlen);
	}
	close(p[1]);
	close(lfd);
	s->out = p[0];
}

/* Wait for the server; the request it got, malloc'd. */
static char *
server_finish(struct server *s)
{
	size_t len = 0, cap = 65536;
	char *buf = calloc(1, cap + 1);
	ssize_t n;
	int status;

	assert_non_null(buf);
	while ((n = read(s->out, buf + len, cap - len)) > 0)
		len += (size_t)n;
	close(s->out);
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return buf;
}

/* POST to a local server answering response; the request it got. */
static char *
post_to(struct transfer *t, struct receiver *r, const char *response,
    size_t rlen)
{
	struct server s;
	char url[64], err[256] = "";
	json_t *alerts = json_pack("[o]", make_alert("reminder", 3));

	server_start(&s, response, rlen);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", s.port);
	r->url = url;
	memset(t, 0, sizeof(*t));
	assert_non_null(t->easy = curl_easy_init());
	assert_int_equal(webhook_setup(t, r, "d-42", alerts, NOW, false, err,
	                     sizeof(err)),
	    0);
	curl_easy_setopt(t->easy, CURLOPT_PROXY, "");
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT, 20L);
	assert_int_equal(curl_easy_perform(t->easy), CURLE_OK);
	json_decref(alerts);
	return server_finish(&s);
}

/* Checks a real POST: what is sent, Retry-After, and a capped answer. */
static void
test_post_loopback(void **state)
{
	static const char head[] =
	    "HTTP/1.1 503 Service Unavailable\r\n"
	    "Retry-After: 120\r\nContent-Length: 10000\r\n"
	    "Connection: close\r\n\r\n";
	char *response, *req, secret[] = SECRET, sig[80], want[128];
	struct transfer t;
	struct receiver r;
	long code = 0;

	(void)state;
	response = calloc(1, sizeof(head) + 10000);
	assert_non_null(response);
	memcpy(response, head, sizeof(head) - 1);
	memset(response + sizeof(head) - 1, 'x', 10000);
	make_receiver(&r, secret);
	req = post_to(&t, &r, response, sizeof(head) - 1 + 10000);
	curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &code);
	assert_int_equal(code, 503);
	assert_int_equal(t.retry_after, 120);
	assert_int_equal(t.rlen, 4096);
	assert_int_equal(strlen(t.response), 4096);
	assert_true(strncmp(req, "POST /hook HTTP/1.1\r\n", 21) == 0);
	assert_non_null(strcasestr(req, "\r\nIdempotency-Key: d-42\r\n"));
	assert_non_null(strcasestr(req, "\r\nUser-Agent: deadlined/"));
	assert_non_null(strstr(req, "\r\nX-Empty:"));
	webhook_signature(SECRET, t.body, t.len, sig, sizeof(sig));
	snprintf(want, sizeof(want), "\r\nX-Deadlined-Signature: %s\r\n", sig);
	assert_non_null(strstr(req, want));
	assert_string_equal(strstr(req, "\r\n\r\n") + 4, t.body);
	free(req);
	free(response);
	deliver_transfer_free(&t);
}

/* POST to a server answering 429 with header h; the retry_after read. */
static long
retry_after_of(const char *h)
{
	char response[512], *req;
	struct transfer t;
	struct receiver r;
	long secs;

	snprintf(response, sizeof(response),
	    "HTTP/1.1 429 Too Many\r\n%s\r\n"
	    "Content-Length: 2\r\nConnection: close\r\n\r\nno",
	    h);
	make_receiver(&r, NULL);
	req = post_to(&t, &r, response, strlen(response));
	assert_int_equal(t.rlen, 2);
	assert_string_equal(t.response, "no");
	secs = t.retry_after;
	free(req);
	deliver_transfer_free(&t);
	return secs;
}

/* An HTTP-date secs seconds from now, as a Retry-After header. */
static void
http_date(long secs, char *buf, size_t len)
{
	time_t when = time(NULL) + secs;
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(buf, len, "Retry-After: %a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Checks Retry-After as delta-seconds and HTTP-date, and its clamping. */
static void
test_retry_after(void **state)
{
	char h[128];
	long secs;

	(void)state;
	assert_int_equal(retry_after_of("Retry-After: 7"), 7);
	assert_int_equal(retry_after_of("retry-after:   0  "), 0);
	assert_int_equal(retry_after_of("Retry-After: 999999"), 86400);
	assert_int_equal(retry_after_of("Retry-After: soon"), 0);
	assert_int_equal(retry_after_of("X-Nothing: 1"), 0);
	http_date(3600, h, sizeof(h));
	secs = retry_after_of(h);
	assert_true(secs >= 3590 && secs <= 3600);
	http_date(-600, h, sizeof(h));
	assert_int_equal(retry_after_of(h), 0);
	http_date(10 * 86400, h, sizeof(h));
	assert_int_equal(retry_after_of(h), 86400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_body_shape),
	    cmocka_unit_test(test_body_test_message),
	    cmocka_unit_test(test_body_utf8),
	    cmocka_unit_test(test_body_texts),
	    cmocka_unit_test(test_body_errors),
	    cmocka_unit_test(test_signature_rfc4231),
	    cmocka_unit_test(test_setup_headers),
	    cmocka_unit_test(test_setup_no_secret),
	    cmocka_unit_test(test_setup_error),
	    cmocka_unit_test(test_post_loopback),
	    cmocka_unit_test(test_retry_after),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, setup_zone, NULL);
	curl_global_cleanup();
	return rc;
}
