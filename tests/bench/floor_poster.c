/*
 * floor_poster.c -- the bare delivery floor: N JSON bodies POSTed with K
 * transfers in flight, curl multi on libevent (curl's hiperfifo.c).
 *
 * No outbox, no planning, no JSON built per request: only what a
 * webhook delivery cannot avoid (a request with its headers and body,
 * over connections kept alive by the multi handle).  deadlined's burst
 * is reported as a ratio to this.
 *
 *   floor_poster URL N [K] [BODY_FILE]
 *
 * K defaults to 4 (deadlined's transfers in flight per receiver).
 * Without BODY_FILE each body is a typical one-alert webhook body.
 * Prints posted, 2xx answers and seconds; exits 1 unless all were 2xx.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "floor.h"

static const char floor_poster_body[] =
    "{\"version\":1,\"receiver\":\"hook\",\"sent_at\":"
    "\"2026-06-10T09:00:00+08:00\",\"alerts\":[{\"id\":"
    "\"5c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f\","
    "\"kind\":\"overdue\",\"days_left\":-12,\"case\":{\"id\":"
    "\"(2026)沪0115执1234号\",\"title\":\"张伟诉上海王芳贸易有限公司拒不执行"
    "判决、裁定案\",\"court\":\"上海市浦东新区人民法院\"},\"window\":{"
    "\"name\":\"decision\",\"title\":\"Police decision on opening a case\","
    "\"opened\":\"2026-05-20\",\"days\":7,\"extended\":false,"
    "\"deadline\":\"2026-05-27\",\"deadline_at\":"
    "\"2026-05-27T23:59:59+08:00\"}}]}";

struct poster_conn {
	CURL *easy;
	struct curl_slist *headers;
};

struct poster_sock {
	struct event *ev;
};

static struct {
	struct event_base *base;
	struct event *timer;
	CURLM *multi;
	const char *url, *body;
	long started, done, ok, n;
} fp;

static void poster_check_done(void);

/* Start the next request on c. */
static void
poster_start(struct poster_conn *c)
{
	char key[80];

	snprintf(key, sizeof(key), "Idempotency-Key: floor-%08ld", fp.started);
	curl_slist_free_all(c->headers);
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	c->headers = curl_slist_append(c->headers, key);
	curl_easy_setopt(c->easy, CURLOPT_URL, fp.url);
	curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, fp.body);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
	curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT, 30L);
	if (curl_multi_add_handle(fp.multi, c->easy) != CURLM_OK) {
		fprintf(stderr, "curl_multi_add_handle failed\n");
		exit(1);
	}
	fp.started++;
}

/* libevent: a socket is ready. */
static void
poster_event_cb(evutil_socket_t fd, short what, void *arg)
{
	int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) |
	    (what & EV_WRITE ? CURL_CSELECT_OUT : 0),
	    running;

	(void)arg;
	curl_multi_socket_action(fp.multi, fd, flags, &running);
	poster_check_done();
}

/* libevent: curl's timeout expired. */
static void
poster_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	int running;

	(void)fd, (void)what, (void)arg;
	curl_multi_socket_action(fp.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	poster_check_done();
}

/* curl: watch s for what. */
static int
poster_socket_cb(CURL *e, curl_socket_t s, int what, void *u, void *sp)
{
	struct poster_sock *ps = sp;
	short kind = (short)((what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST);

	(void)e, (void)u;
	if (what == CURL_POLL_REMOVE) {
		if (ps != NULL) {
			event_free(ps->ev);
			free(ps);
		}
		curl_multi_assign(fp.multi, s, NULL);
		return 0;
	}
	if (ps == NULL) {
		ps = calloc(1, sizeof(*ps));
		curl_multi_assign(fp.multi, s, ps);
	} else
		event_free(ps->ev);
	ps->ev = event_new(fp.base, s, kind, poster_event_cb, NULL);
	event_add(ps->ev, NULL);
	return 0;
}

/* curl: call back in ms (-1: never). */
static int
poster_timer_cb(CURLM *m, long ms, void *u)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	(void)m, (void)u;
	if (ms == -1)
		evtimer_del(fp.timer);
	else
		evtimer_add(fp.timer, &tv);
	return 0;
}

/* Collect finished requests; start the next ones; stop when all ended. */
static void
poster_check_done(void)
{
	struct poster_conn *c;
	CURLMsg *msg;
	long status;
	int left;

	while ((msg = curl_multi_info_read(fp.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&c);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		    &status);
		if (msg->data.result == CURLE_OK && status / 100 == 2)
			fp.ok++;
		fp.done++;
		curl_multi_remove_handle(fp.multi, c->easy);
		if (fp.started < fp.n)
			poster_start(c);
	}
	if (fp.done == fp.n)
		event_base_loopbreak(fp.base);
}

/* The body in path, or the built-in one. */
static const char *
poster_body(const char *path)
{
	static char buf[1 << 20];
	FILE *f;
	size_t n;

	if (path == NULL)
		return floor_poster_body;
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	struct poster_conn *conns;
	double start;
	long k;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: floor_poster URL N [K] [BODY_FILE]\n");
		return 2;
	}
	fp.url = argv[1];
	fp.n = atol(argv[2]);
	k = argc > 3 ? atol(argv[3]) : 4;
	fp.body = poster_body(argc > 4 ? argv[4] : NULL);
	if (fp.n < 1 || k < 1)
		return 2;
	if (k > fp.n)
		k = fp.n;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fp.base = event_base_new();
	fp.timer = evtimer_new(fp.base, poster_timeout_cb, NULL);
	fp.multi = curl_multi_init();
	curl_multi_setopt(fp.multi, CURLMOPT_SOCKETFUNCTION, poster_socket_cb);
	curl_multi_setopt(fp.multi, CURLMOPT_TIMERFUNCTION, poster_timer_cb);
	conns = calloc((size_t)k, sizeof(*conns));
	start = floor_seconds();
	for (long i = 0; i < k; i++) {
		conns[i].easy = curl_easy_init();
		poster_start(&conns[i]);
	}
	event_base_dispatch(fp.base);
	printf("floor_poster: %ld posted, %ld ok, %.3f s\n", fp.done, fp.ok,
	    floor_seconds() - start);
	for (long i = 0; i < k; i++) {
		curl_easy_cleanup(conns[i].easy);
		curl_slist_free_all(conns[i].headers);
	}
	free(conns);
	curl_multi_cleanup(fp.multi);
	event_free(fp.timer);
	event_base_free(fp.base);
	curl_global_cleanup();
	return fp.ok == fp.n ? 0 : 1;
}
