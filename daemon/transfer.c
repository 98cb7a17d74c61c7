/*
 * transfer.c -- libcurl's multi interface on libevent, after curl's
 * docs/examples/hiperfifo.c.
 *
 * curl tells us which sockets to watch (transfer_socket_cb) and when to
 * call it back (transfer_timer_cb); libevent tells curl when a socket is
 * ready (transfer_event_cb) or the timer fired (transfer_timeout_cb).
 * Finished transfers are collected in transfer_check_done and handed to
 * the owner one by one, then once as a batch, so that their outcomes can
 * be written in one transaction.  The batch waits for the end of the
 * loop's turn, so that every transfer finished by the sockets ready at
 * once shares it (a loopbreak before it runs loses nothing:
 * deliver_shutdown records what is done).  Nothing here blocks, and the
 * multi API is never called from inside a curl callback.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "log.h"
#include "transfer.h"
#include "xmalloc.h"

/* A socket curl asked us to watch. */
struct transfer_sock {
	struct event *ev;
};

static struct {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	struct event *settle; /* the batch, once per loop iteration */
	void (*done)(CURL *, CURLcode);
	void (*batch)(void);
} tr;

/* Hand every transfer that ended to the owner, then the batch. */
static void
transfer_check_done(void)
{
	CURLMsg *msg;
	CURL *easy;
	CURLcode rc;
	bool any = false;
	int left;

	while ((msg = curl_multi_info_read(tr.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		rc = msg->data.result;
		curl_multi_remove_handle(tr.multi, easy);
		tr.done(easy, rc);
		any = true;
	}
	if (any)
		event_active(tr.settle, EV_TIMEOUT, 1);
}

/* libevent: after every socket that was ready at once has been read,
 * the batch of what ended (one round, one commit, for all of them). */
static void
transfer_settle_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	tr.batch();
}

/* libevent: a socket curl watches is ready. */
static void
transfer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	int action, running;

	(void)arg;
	action = (what & EV_READ ? CURL_CSELECT_IN : 0) |
	    (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
	if (curl_multi_socket_action(tr.multi, fd, action, &running) !=
	    CURLM_OK)
		log_warnx("curl_multi_socket_action failed");
	transfer_check_done();
}

/* libevent: curl's timer fired. */
static void
transfer_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	int running;

	(void)fd, (void)what, (void)arg;
	if (curl_multi_socket_action(tr.multi, CURL_SOCKET_TIMEOUT, 0,
	        &running) != CURLM_OK)
		log_warnx("curl_multi_socket_action failed");
	transfer_check_done();
}

/* curl: watch socket s for what (or stop watching it). */
static int
transfer_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *sockp)
{
	struct transfer_sock *ts = sockp;
	short kind;

	(void)easy, (void)userp;
	if (what == CURL_POLL_REMOVE) {
		if (ts != NULL) {
			event_free(ts->ev);
			free(ts);
		}
		curl_multi_assign(tr.multi, s, NULL);
		return 0;
	}
	kind = (what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST;
	if (ts == NULL) {
		ts = xcalloc(1, sizeof(*ts));
		curl_multi_assign(tr.multi, s, ts);
	} else
		event_free(ts->ev);
	if ((ts->ev = event_new(tr.base, s, kind, transfer_event_cb, NULL)) ==
	        NULL ||
	    event_add(ts->ev, NULL) == -1)
		fatalx("event_new/event_add for a curl socket");
	return 0;
}

/* curl: call us back in timeout_ms (-1: never).  A timeout of 0 is armed
 * as an immediate timer, not acted on here. */
static int
transfer_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct timeval tv;

	(void)multi, (void)userp;
	if (timeout_ms < 0) {
		evtimer_del(tr.timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(tr.timer, &tv);
}

int
transfer_init(struct event_base *base, void (*done)(CURL *, CURLcode),
    void (*batch)(void))
{
	tr.base = base;
	tr.done = done;
	tr.batch = batch;
	if ((tr.multi = curl_multi_init()) == NULL ||
	    (tr.timer = evtimer_new(base, transfer_timeout_cb, NULL)) == NULL ||
	    (tr.settle = event_new(base, -1, 0, transfer_settle_cb, NULL)) ==
	        NULL)
		return -1;
	if (curl_multi_setopt(tr.multi, CURLMOPT_SOCKETFUNCTION,
	        transfer_socket_cb) != CURLM_OK ||
	    curl_multi_setopt(tr.multi, CURLMOPT_TIMERFUNCTION,
	        transfer_timer_cb) != CURLM_OK)
		return -1;
	return 0;
}

int
transfer_add(CURL *easy)
{
	return curl_multi_add_handle(tr.multi, easy) == CURLM_OK ? 0 : -1;
}

void
transfer_remove(CURL *easy)
{
	curl_multi_remove_handle(tr.multi, easy);
}

void
transfer_shutdown(void)
{
	if (tr.multi != NULL)
		curl_multi_cleanup(tr.multi);
	if (tr.timer != NULL)
		event_free(tr.timer);
	if (tr.settle != NULL)
		event_free(tr.settle);
	tr.multi = NULL;
	tr.timer = NULL;
	tr.settle = NULL;
}
