/*
 * deliver.c -- libcurl's multi interface on libevent, after curl's
 * docs/examples/hiperfifo.c.
 *
 * curl tells us which sockets to watch (deliver_socket_cb) and when to
 * call it back (deliver_timer_cb); libevent tells curl when a socket is
 * ready (deliver_event_cb) or the timer fired (deliver_timeout_cb).
 * Finished transfers are collected in deliver_check_done and their
 * outcomes written to the outbox in one transaction.  Nothing here
 * blocks, and the multi API is never called from inside a curl callback.
 *
 * A delivery in flight holds copies of everything it needs, so a reload
 * may free the configuration under it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "alert.h"
#include "channel.h"
#include "clock.h"
#include "deliver.h"
#include "log.h"
#include "xmalloc.h"

#define DELIVER_PER_RECEIVER	4	/* transfers in flight to one receiver */
#define DELIVER_CONNECT_TIMEOUT	10	/* seconds */

struct job {
	TAILQ_ENTRY(job) entry;
	char alert_id[ALERT_ID_LEN + 1];
	char delivery_id[ALERT_ID_LEN + 1];
	char *receiver;
	char *what;		/* "reminder for case X window Y", for logs */
	enum receiver_type type;
	int attempts;
	struct transfer t;
};

/* A socket curl asked us to watch. */
struct deliver_sock {
	struct event *ev;
};

static struct {
	struct event_base *base;
	struct outbox *ob;
	const struct config *cfg;
	CURLM *multi;
	struct event *timer;
	TAILQ_HEAD(, job) jobs;
	size_t njobs;
	size_t unsent;
	bool stopping;		/* start nothing new */
	void (*retry_fn)(time_t); /* outcomes recorded: retries may be due */
	void (*idle_fn)(void *);
	void *idle_arg;
} dl;

static void deliver_check_done(void);

/* libevent: a socket curl watches is ready. */
static void
deliver_event_cb(evutil_socket_t fd, short what, void *arg)
{
	int action, running;

	(void)arg;
	action = (what & EV_READ ? CURL_CSELECT_IN : 0) |
	    (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
	if (curl_multi_socket_action(dl.multi, fd, action, &running) !=
	    CURLM_OK)
		log_warnx("curl_multi_socket_action failed");
	deliver_check_done();
}

/* libevent: curl's timer fired. */
static void
deliver_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	int running;

	(void)fd, (void)what, (void)arg;
	if (curl_multi_socket_action(dl.multi, CURL_SOCKET_TIMEOUT, 0,
	    &running) != CURLM_OK)
		log_warnx("curl_multi_socket_action failed");
	deliver_check_done();
}

/* curl: watch socket s for what (or stop watching it). */
static int
deliver_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *sockp)
{
	struct deliver_sock *ds = sockp;
	short kind;

	(void)easy, (void)userp;
	if (what == CURL_POLL_REMOVE) {
		if (ds != NULL) {
			event_free(ds->ev);
			free(ds);
		}
		curl_multi_assign(dl.multi, s, NULL);
		return 0;
	}
	kind = (what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST;
	if (ds == NULL) {
		ds = xcalloc(1, sizeof(*ds));
		curl_multi_assign(dl.multi, s, ds);
	} else
		event_free(ds->ev);
	if ((ds->ev = event_new(dl.base, s, kind, deliver_event_cb, NULL)) ==
	    NULL || event_add(ds->ev, NULL) == -1)
		fatalx("event_new/event_add for a curl socket");
	return 0;
}

/* curl: call us back in timeout_ms (-1: never).  A timeout of 0 is armed
 * as an immediate timer, not acted on here. */
static int
deliver_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct timeval tv;

	(void)multi, (void)userp;
	if (timeout_ms < 0) {
		evtimer_del(dl.timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(dl.timer, &tv);
}

int
deliver_init(struct event_base *base, struct outbox *ob)
{
	memset(&dl, 0, sizeof(dl));
	TAILQ_INIT(&dl.jobs);
	dl.base = base;
	dl.ob = ob;
	if ((dl.multi = curl_multi_init()) == NULL)
		return -1;
	if ((dl.timer = evtimer_new(base, deliver_timeout_cb, NULL)) == NULL)
		return -1;
	if (curl_multi_setopt(dl.multi, CURLMOPT_SOCKETFUNCTION,
	    deliver_socket_cb) != CURLM_OK ||
	    curl_multi_setopt(dl.multi, CURLMOPT_TIMERFUNCTION,
	    deliver_timer_cb) != CURLM_OK)
		return -1;
	return 0;
}

void
deliver_set_config(const struct config *cfg)
{
	dl.cfg = cfg;
}

void
deliver_on_outcome(void (*fn)(time_t))
{
	dl.retry_fn = fn;
}

size_t
deliver_inflight(void)
{
	return dl.njobs;
}

size_t
deliver_unsent(void)
{
	return dl.unsent;
}

void
deliver_on_idle(void (*fn)(void *), void *arg)
{
	dl.idle_fn = fn;
	dl.idle_arg = arg;
	if (dl.njobs == 0 && fn != NULL)
		fn(arg);
}

/* The configured receiver called name, or NULL. */
static const struct receiver *
deliver_receiver(const char *name)
{
	for (size_t i = 0; i < dl.cfg->nreceivers; i++)
		if (strcmp(dl.cfg->receivers[i].name, name) == 0)
			return &dl.cfg->receivers[i];
	return NULL;
}

/* Transfers in flight to receiver name. */
static size_t
deliver_busy(const char *name)
{
	struct job *j;
	size_t n = 0;

	TAILQ_FOREACH(j, &dl.jobs, entry)
		n += strcmp(j->receiver, name) == 0;
	return n;
}

/* True if this delivery is already in flight. */
static bool
deliver_in_flight(const char *alert_id, const char *receiver)
{
	struct job *j;

	TAILQ_FOREACH(j, &dl.jobs, entry)
		if (strcmp(j->alert_id, alert_id) == 0 &&
		    strcmp(j->receiver, receiver) == 0)
			return true;
	return false;
}

static void
deliver_job_free(struct job *j)
{
	if (j->t.easy != NULL)
		curl_easy_cleanup(j->t.easy);
	curl_slist_free_all(j->t.headers);
	curl_slist_free_all(j->t.rcpt);
	free(j->t.body);
	free(j->t.response);
	free(j->receiver);
	free(j->what);
	free(j);
}

enum outcome {
	OUTCOME_SENT,
	OUTCOME_RETRY,
	OUTCOME_FAILED,
};

/* Sort a finished transfer into sent, worth a retry, or failed for good:
 * webhooks by HTTP status (429 and 5xx retried), mail by curl's result
 * and the SMTP reply (5xx is permanent). */
static enum outcome
deliver_classify(const struct job *j, CURLcode rc, long code)
{
	if (j->type == RECEIVER_WEBHOOK) {
		if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
			return OUTCOME_FAILED;
		if (rc != CURLE_OK)
			return OUTCOME_RETRY;
		if (code >= 200 && code < 300)
			return OUTCOME_SENT;
		if (code == 408 || code == 429 || code >= 500)
			return OUTCOME_RETRY;
		return OUTCOME_FAILED;
	}
	if (rc == CURLE_OK)
		return OUTCOME_SENT;
	if (rc != CURLE_LOGIN_DENIED && code >= 500 && code < 600)
		return OUTCOME_FAILED;
	return OUTCOME_RETRY;
}

/* Seconds to wait before attempt number attempts + 1: exponential from
 * retry.first up to retry.max, with up to a quarter more of jitter so
 * that receivers coming back are not hit all at once, and never sooner
 * than the receiver's Retry-After. */
static long
deliver_backoff(int attempts, long retry_after)
{
	long d = dl.cfg->retry_first, max = dl.cfg->retry_max;

	for (int i = 1; i < attempts && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	d += random() % (d / 4 + 1);
	if (d > max)
		d = max;
	return d > retry_after ? d : retry_after;
}

/* Describe a transfer's result for the log and the outbox. */
static void
deliver_describe(const struct job *j, CURLcode rc, long code, char *buf,
    size_t len)
{
	const char *proto = j->type == RECEIVER_WEBHOOK ? "HTTP" : "SMTP";

	if (rc != CURLE_OK && code > 0)
		snprintf(buf, len, "%s %ld: %s", proto, code,
		    j->t.errbuf[0] != '\0' ? j->t.errbuf :
		    curl_easy_strerror(rc));
	else if (rc != CURLE_OK)
		snprintf(buf, len, "%s", j->t.errbuf[0] != '\0' ? j->t.errbuf :
		    curl_easy_strerror(rc));
	else
		snprintf(buf, len, "%s %ld", proto, code);
}

/* Record how a transfer ended and log one line about it. */
static void
deliver_finish(struct job *j, CURLcode rc)
{
	time_t now = clock_now();
	char desc[CURL_ERROR_SIZE + 64];
	long code = 0, wait;

	curl_easy_getinfo(j->t.easy, CURLINFO_RESPONSE_CODE, &code);
	deliver_describe(j, rc, code, desc, sizeof(desc));
	switch (deliver_classify(j, rc, code)) {
	case OUTCOME_SENT:
		log_info("delivered %s to %s: %s", j->what, j->receiver, desc);
		outbox_mark_sent(dl.ob, j->alert_id, j->receiver, now, code);
		break;
	case OUTCOME_RETRY:
		wait = deliver_backoff(j->attempts + 1, j->t.retry_after);
		log_warnx("delivery of %s to %s failed: %s; retry in %lds",
		    j->what, j->receiver, desc, wait);
		/* The clock reads whole seconds: one more so that the retry
		 * never comes before the wait is over. */
		outbox_mark_retry(dl.ob, j->alert_id, j->receiver, now,
		    now + wait + 1, code, desc);
		dl.unsent++;
		break;
	case OUTCOME_FAILED:
		log_warnx("delivery of %s to %s failed for good: %s", j->what,
		    j->receiver, desc);
		outbox_mark_failed(dl.ob, j->alert_id, j->receiver, now, code,
		    desc);
		dl.unsent++;
		break;
	}
}

/* Collect finished transfers, record them, and start what can start. */
static void
deliver_check_done(void)
{
	struct job *j;
	CURLMsg *msg;
	time_t now;
	int left, done = 0;

	while ((msg = curl_multi_info_read(dl.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&j) != CURLE_OK || j == NULL)
			fatalx("curl handle without its job");
		if (done++ == 0)
			outbox_begin(dl.ob);
		deliver_finish(j, msg->data.result);
		curl_multi_remove_handle(dl.multi, j->t.easy);
		TAILQ_REMOVE(&dl.jobs, j, entry);
		dl.njobs--;
		deliver_job_free(j);
	}
	if (done == 0)
		return;
	outbox_commit(dl.ob);
	now = clock_now();
	deliver_kick(now);
	if (dl.retry_fn != NULL)
		dl.retry_fn(now);
	if (dl.njobs == 0 && dl.idle_fn != NULL)
		dl.idle_fn(dl.idle_arg);
}

/* A pending delivery copied out of the outbox. */
struct deliver_row {
	char alert_id[ALERT_ID_LEN + 1];
	char *receiver;
	char *payload;
	int attempts;
};

struct deliver_rows {
	struct deliver_row *v;
	size_t n;
};

/* outbox_pending callback: copy one row. */
static int
deliver_collect(const struct outbox_pending *p, void *arg)
{
	struct deliver_rows *rows = arg;
	struct deliver_row *r;

	rows->v = xreallocarray(rows->v, rows->n + 1, sizeof(*rows->v));
	r = &rows->v[rows->n++];
	snprintf(r->alert_id, sizeof(r->alert_id), "%s", p->alert_id);
	r->receiver = xstrdup(p->receiver);
	r->payload = xstrdup(p->payload);
	r->attempts = p->attempts;
	return 0;
}

/* "reminder for case X window Y" from an alert object. */
static char *
deliver_what(json_t *alert)
{
	const char *kind = "?", *case_id = "?", *window = "?";
	char *s;

	json_unpack(alert, "{s:s, s:{s:s}, s:{s:s}}", "kind", &kind, "case",
	    "id", &case_id, "window", "name", &window);
	xasprintf(&s, "%s for case %s window %s", kind, case_id, window);
	return s;
}

/* Write an alert to the log: the log receiver's whole delivery. */
static void
deliver_to_log(const struct deliver_row *row, json_t *alert)
{
	const char *kind = "", *case_id = "", *court = "", *title = "";
	const char *deadline = "";
	int left = 0;

	json_unpack(alert, "{s:s, s:i, s:{s:s, s:s}, s:{s:s, s:s}}",
	    "kind", &kind, "days_left", &left, "case", "id", &case_id,
	    "court", &court, "window", "title", &title, "deadline", &deadline);
	log_info("ALERT %s: case %s (%s): %s, deadline %s, %d day%s %s "
	    "[%s, alert %s]", kind, case_id, court, title, deadline,
	    left < 0 ? -left : left, left == 1 || left == -1 ? "" : "s",
	    left < 0 ? "overdue" : "left", row->receiver, row->alert_id);
	outbox_mark_sent(dl.ob, row->alert_id, row->receiver, clock_now(), 0);
}

/* Start the transfer of one delivery; false if it could not start. */
static bool
deliver_start(const struct receiver *r, const struct deliver_row *row,
    json_t *alert)
{
	char err[256];
	json_t *alerts;
	struct job *j;
	int rc;

	j = xcalloc(1, sizeof(*j));
	memcpy(j->alert_id, row->alert_id, sizeof(j->alert_id));
	alert_delivery_id(row->alert_id, r->name, j->delivery_id);
	j->receiver = xstrdup(r->name);
	j->what = deliver_what(alert);
	j->type = r->type;
	j->attempts = row->attempts;
	if ((j->t.easy = curl_easy_init()) == NULL)
		fatalx("curl_easy_init");
	if ((alerts = json_array()) == NULL ||
	    json_array_append(alerts, alert) == -1)
		fatalx("json_array");
	err[0] = '\0';
	rc = r->type == RECEIVER_WEBHOOK ?
	    webhook_setup(&j->t, r, j->delivery_id, alerts, clock_now(), false,
		err, sizeof(err)) :
	    email_setup(&j->t, r, j->delivery_id, alerts, clock_now(), false,
		err, sizeof(err));
	json_decref(alerts);
	if (rc == -1 ||
	    curl_easy_setopt(j->t.easy, CURLOPT_PRIVATE, j) != CURLE_OK ||
	    curl_easy_setopt(j->t.easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(j->t.easy, CURLOPT_CONNECTTIMEOUT,
		(long)(r->timeout < DELIVER_CONNECT_TIMEOUT ? r->timeout :
		DELIVER_CONNECT_TIMEOUT)) != CURLE_OK ||
	    curl_easy_setopt(j->t.easy, CURLOPT_TIMEOUT, (long)r->timeout) !=
		CURLE_OK ||
	    curl_multi_add_handle(dl.multi, j->t.easy) != CURLM_OK) {
		log_warnx("cannot start delivery of %s to %s: %s", j->what,
		    r->name, err[0] != '\0' ? err : "curl set-up failed");
		deliver_job_free(j);
		return false;
	}
	TAILQ_INSERT_TAIL(&dl.jobs, j, entry);
	dl.njobs++;
	log_debug("sending %s to %s (attempt %d)", j->what, r->name,
	    row->attempts + 1);
	return true;
}

/* Deliver one pending row if its receiver exists and has room. */
static void
deliver_row(const struct deliver_row *row)
{
	const struct receiver *r;
	json_t *alert;

	if (deliver_in_flight(row->alert_id, row->receiver))
		return;
	if ((r = deliver_receiver(row->receiver)) == NULL) {
		log_debug("alert %s waits for receiver %s, which is not "
		    "configured", row->alert_id, row->receiver);
		return;
	}
	if (r->type != RECEIVER_LOG &&
	    deliver_busy(r->name) >= DELIVER_PER_RECEIVER)
		return;
	if ((alert = json_loads(row->payload, 0, NULL)) == NULL) {
		log_warnx("alert %s in the outbox is not valid JSON",
		    row->alert_id);
		outbox_mark_failed(dl.ob, row->alert_id, row->receiver,
		    clock_now(), 0, "payload is not valid JSON");
		return;
	}
	if (r->type == RECEIVER_LOG)
		deliver_to_log(row, alert);
	else
		deliver_start(r, row, alert);
	json_decref(alert);
}

void
deliver_kick(time_t now)
{
	struct deliver_rows rows = {NULL, 0};

	if (dl.stopping || dl.cfg == NULL)
		return;
	if (outbox_pending(dl.ob, now, deliver_collect, &rows) == -1)
		return;
	outbox_begin(dl.ob);
	for (size_t i = 0; i < rows.n; i++) {
		deliver_row(&rows.v[i]);
		free(rows.v[i].receiver);
		free(rows.v[i].payload);
	}
	outbox_commit(dl.ob);
	free(rows.v);
}

void
deliver_stop(void)
{
	dl.stopping = true;
}

void
deliver_shutdown(void)
{
	struct job *j;

	while ((j = TAILQ_FIRST(&dl.jobs)) != NULL) {
		log_warnx("abandoning %s to %s: it stays queued for the next "
		    "start", j->what, j->receiver);
		curl_multi_remove_handle(dl.multi, j->t.easy);
		TAILQ_REMOVE(&dl.jobs, j, entry);
		deliver_job_free(j);
	}
	dl.njobs = 0;
	if (dl.multi != NULL)
		curl_multi_cleanup(dl.multi);
	if (dl.timer != NULL)
		event_free(dl.timer);
	dl.multi = NULL;
	dl.timer = NULL;
}
