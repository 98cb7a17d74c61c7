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
 *
 * Alerts due for the same receiver when deliver_kick runs go out as one
 * message (a digest), up to a per-format number of alerts, so that 200
 * reminders due at 09:00 make a handful of requests, not 200.  A
 * receiver's `rate` and a cap on transfers in flight decide how many
 * messages may start; the rest waits in the outbox for its turn.
 *
 * Administrators' notices (admin.h) travel the same way, in messages of
 * their own.  A case alert that fails for good is told to the admin
 * receivers, in the transaction that records the failure; a notice that
 * fails for good is only logged, so that a broken admin receiver cannot
 * make notices about itself without end.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "admin.h"
#include "alert.h"
#include "channel.h"
#include "clock.h"
#include "deliver.h"
#include "log.h"
#include "rate.h"
#include "xmalloc.h"

#define DELIVER_PER_RECEIVER    4  /* transfers in flight to one receiver */
#define DELIVER_CONNECT_TIMEOUT 10 /* seconds */

enum outcome {
	OUTCOME_SENT,
	OUTCOME_RETRY,
	OUTCOME_FAILED,
};

/* One message in flight: the alerts it carries to one receiver. */
struct job {
	TAILQ_ENTRY(job) entry;
	char (*ids)[ALERT_ID_LEN + 1]; /* the alerts */
	char **whats; /* "reminder for case X window Y", per alert */
	size_t nalerts;
	char delivery_id[ALERT_ID_LEN + 1];
	char *receiver;
	enum receiver_type type;
	enum receiver_format format;
	int attempts;   /* the most any of its alerts has had */
	bool admin;     /* it carries administrators' notices */
	json_t *alerts; /* what it carries, for the admin receivers */
	struct transfer t;
	/* How it ended, once it has. */
	enum outcome outcome;
	long wait; /* seconds before a retry */
	char desc[CURL_ERROR_SIZE + 320];
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
	bool stopping;            /* start nothing new */
	time_t rate_wake;         /* when a rate-limited receiver may go on */
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
	        NULL ||
	    event_add(ds->ev, NULL) == -1)
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

void
deliver_transfer_free(struct transfer *t)
{
	if (t->easy != NULL)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	curl_slist_free_all(t->rcpt);
	free(t->body);
	free(t->response);
	memset(t, 0, sizeof(*t));
}

/* True if this delivery is already in flight. */
static bool
deliver_in_flight(const char *alert_id, const char *receiver)
{
	struct job *j;

	TAILQ_FOREACH(j, &dl.jobs, entry) {
		if (strcmp(j->receiver, receiver) != 0)
			continue;
		for (size_t i = 0; i < j->nalerts; i++)
			if (strcmp(j->ids[i], alert_id) == 0)
				return true;
	}
	return false;
}

/* Free a job and everything its transfer owns. */
static void
deliver_job_free(struct job *j)
{
	deliver_transfer_free(&j->t);
	for (size_t i = 0; i < j->nalerts; i++)
		free(j->whats[i]);
	free(j->whats);
	free(j->ids);
	free(j->receiver);
	json_decref(j->alerts);
	free(j);
}

/* Sort a finished transfer into sent, worth a retry, or failed for good:
 * webhooks by HTTP status (429 and 5xx retried), mail by curl's result
 * and the SMTP reply (5xx is permanent). */
static enum outcome
deliver_classify(const struct job *j, CURLcode rc, long code)
{
	if (j->type == RECEIVER_WEBHOOK) {
		if (rc == CURLE_URL_MALFORMAT ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL)
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
		    j->t.errbuf[0] != '\0' ? j->t.errbuf
		                           : curl_easy_strerror(rc));
	else if (rc != CURLE_OK)
		snprintf(buf, len, "%s",
		    j->t.errbuf[0] != '\0' ? j->t.errbuf
		                           : curl_easy_strerror(rc));
	else
		snprintf(buf, len, "%s %ld", proto, code);
}

/* The outcome of a transfer, with the description logged and stored. */
static enum outcome
deliver_result(const struct job *j, CURLcode rc, char *desc, size_t len)
{
	enum outcome out;
	char msg[256];
	long code = 0;
	size_t used;

	curl_easy_getinfo(j->t.easy, CURLINFO_RESPONSE_CODE, &code);
	deliver_describe(j, rc, code, desc, len);
	out = deliver_classify(j, rc, code);
	if (out != OUTCOME_SENT || j->type != RECEIVER_WEBHOOK ||
	    j->format == FORMAT_JSON)
		return out;
	/* Chat robots answer 200 and put their verdict in the body. */
	msg[0] = '\0';
	switch (chat_verdict(j->format, j->t.response, msg, sizeof(msg))) {
	case CHAT_OK:
		return OUTCOME_SENT;
	case CHAT_RETRY:
		out = OUTCOME_RETRY;
		break;
	case CHAT_FAIL:
		out = OUTCOME_FAILED;
		break;
	case CHAT_RETRY_ONCE:
		out = j->attempts == 0 ? OUTCOME_RETRY : OUTCOME_FAILED;
		break;
	}
	used = strlen(desc);
	snprintf(desc + used, len - used, ", refused: %s",
	    msg[0] != '\0' ? msg : "(no message)");
	return out;
}

/* Record how a transfer ended: one outbox row per alert.  The log lines
 * wait for deliver_log, after the commit, so that the log never says
 * more than the outbox holds. */
static void
deliver_record(struct job *j, CURLcode rc)
{
	time_t now = clock_now();
	long code = 0;

	j->outcome = deliver_result(j, rc, j->desc, sizeof(j->desc));
	curl_easy_getinfo(j->t.easy, CURLINFO_RESPONSE_CODE, &code);
	j->wait = deliver_backoff(j->attempts + 1, j->t.retry_after);
	for (size_t i = 0; i < j->nalerts; i++) {
		switch (j->outcome) {
		case OUTCOME_SENT:
			outbox_mark_sent(dl.ob, j->ids[i], j->receiver, now,
			    code);
			break;
		case OUTCOME_RETRY:
			/* The clock reads whole seconds: one more so that the
			 * retry never comes before the wait is over. */
			outbox_mark_retry(dl.ob, j->ids[i], j->receiver, now,
			    now + j->wait + 1, code, j->desc);
			dl.unsent++;
			break;
		case OUTCOME_FAILED:
			outbox_mark_failed(dl.ob, j->ids[i], j->receiver, now,
			    code, j->desc);
			dl.unsent++;
			if (!j->admin &&
			    admin_delivery_failed(dl.ob, dl.cfg,
			        json_array_get(j->alerts, i), j->receiver, code,
			        j->desc, now) == -1)
				log_warnx(
				    "the admin receivers will not hear of "
				    "it: the outbox failed");
			break;
		}
	}
}

/* One log line per alert of a recorded job. */
static void
deliver_log(const struct job *j)
{
	for (size_t i = 0; i < j->nalerts; i++) {
		switch (j->outcome) {
		case OUTCOME_SENT:
			log_info("delivered %s to %s: %s", j->whats[i],
			    j->receiver, j->desc);
			break;
		case OUTCOME_RETRY:
			log_warnx("delivery of %s to %s failed: %s; retry in "
			          "%lds",
			    j->whats[i], j->receiver, j->desc, j->wait);
			break;
		case OUTCOME_FAILED:
			log_warnx("delivery of %s to %s failed for good: %s",
			    j->whats[i], j->receiver, j->desc);
			break;
		}
	}
}

/* Collect finished transfers, record them in one transaction, log them,
 * and start what can start. */
static void
deliver_check_done(void)
{
	TAILQ_HEAD(, job) done = TAILQ_HEAD_INITIALIZER(done);
	struct job *j;
	CURLMsg *msg;
	time_t now;
	int left;

	while ((msg = curl_multi_info_read(dl.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		        (char **)&j) != CURLE_OK ||
		    j == NULL)
			fatalx("curl handle without its job");
		if (TAILQ_EMPTY(&done))
			outbox_begin(dl.ob);
		deliver_record(j, msg->data.result);
		curl_multi_remove_handle(dl.multi, j->t.easy);
		TAILQ_REMOVE(&dl.jobs, j, entry);
		TAILQ_INSERT_TAIL(&done, j, entry);
		dl.njobs--;
	}
	if (TAILQ_EMPTY(&done))
		return;
	outbox_commit(dl.ob);
	while ((j = TAILQ_FIRST(&done)) != NULL) {
		deliver_log(j);
		TAILQ_REMOVE(&done, j, entry);
		deliver_job_free(j);
	}
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
	bool admin; /* an administrators' notice */
	bool taken; /* handled in this kick */
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
	json_t *alert;

	rows->v = xreallocarray(rows->v, rows->n + 1, sizeof(*rows->v));
	r = &rows->v[rows->n++];
	snprintf(r->alert_id, sizeof(r->alert_id), "%s", p->alert_id);
	r->receiver = xstrdup(p->receiver);
	r->payload = xstrdup(p->payload);
	r->attempts = p->attempts;
	r->taken = false;
	if ((alert = json_loads(p->payload, 0, NULL)) == NULL)
		fatalx("alert %s: payload is not JSON", p->alert_id);
	r->admin = admin_is_notice(alert);
	json_decref(alert);
	return 0;
}

/* "reminder for case X window Y" from an alert object. */
static char *
deliver_what(json_t *alert)
{
	const char *kind = "?", *case_id = "?", *window = "?";
	char *s;

	if (admin_is_notice(alert)) {
		json_unpack(alert, "{s:{s:s}}", "admin", "event", &kind);
		xasprintf(&s, "admin notice %s", kind);
		return s;
	}
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

	if (admin_is_notice(alert)) {
		json_unpack(alert, "{s:{s:s, s:s}}", "admin", "event", &kind,
		    "text", &title);
		log_info("ADMIN %s: %s [%s, alert %s]", kind, title,
		    row->receiver, row->alert_id);
		outbox_mark_sent(dl.ob, row->alert_id, row->receiver,
		    clock_now(), 0);
		return;
	}
	json_unpack(alert, "{s:s, s:i, s:{s:s, s:s}, s:{s:s, s:s}}", "kind",
	    &kind, "days_left", &left, "case", "id", &case_id, "court", &court,
	    "window", "title", &title, "deadline", &deadline);
	log_info("ALERT %s: case %s (%s): %s, deadline %s, %d day%s %s "
	         "[%s, alert %s]",
	    kind, case_id, court, title, deadline, left < 0 ? -left : left,
	    left == 1 || left == -1 ? "" : "s", left < 0 ? "overdue" : "left",
	    row->receiver, row->alert_id);
	outbox_mark_sent(dl.ob, row->alert_id, row->receiver, clock_now(), 0);
}

/* How many alerts one message to r may carry: as many as its format
 * shows well (WeCom's 4096 bytes hold about ten). */
static size_t
deliver_digest_max(const struct receiver *r)
{
	if (r->type == RECEIVER_EMAIL)
		return 50;
	switch (r->format) {
	case FORMAT_JSON:
		return 100;
	case FORMAT_WECOM:
		return strcmp(r->msgtype, "text") == 0 ? 5 : 10;
	default:
		return 20;
	}
}

/* Set up the transfer of j to r; 0, or -1 with err. */
static int
deliver_setup(struct job *j, const struct receiver *r, json_t *alerts,
    bool test, char *err, size_t errlen)
{
	time_t now = clock_now();
	int rc;

	if ((j->t.easy = curl_easy_init()) == NULL)
		fatalx("curl_easy_init");
	if (r->type == RECEIVER_EMAIL)
		rc = email_setup(&j->t, r, j->delivery_id, alerts, now, test,
		    err, errlen);
	else if (r->format == FORMAT_JSON)
		rc = webhook_setup(&j->t, r, j->delivery_id, alerts, now, test,
		    err, errlen);
	else
		rc = chat_setup(&j->t, r, j->delivery_id, alerts, now, test,
		    err, errlen);
	if (rc == -1 ||
	    curl_easy_setopt(j->t.easy, CURLOPT_PRIVATE, j) != CURLE_OK ||
	    curl_easy_setopt(j->t.easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(j->t.easy, CURLOPT_CONNECTTIMEOUT,
	        (long)(r->timeout < DELIVER_CONNECT_TIMEOUT
	                ? r->timeout
	                : DELIVER_CONNECT_TIMEOUT)) != CURLE_OK ||
	    curl_easy_setopt(j->t.easy, CURLOPT_TIMEOUT, (long)r->timeout) !=
	        CURLE_OK) {
		if (err[0] == '\0')
			snprintf(err, errlen, "curl set-up failed");
		return -1;
	}
	return 0;
}

/* A new job for receiver r. */
static struct job *
deliver_job_new(const struct receiver *r)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->receiver = xstrdup(r->name);
	j->type = r->type;
	j->format = r->format;
	return j;
}

/* The Idempotency-Key of a message: for one alert, the alert and the
 * receiver; for a digest, every alert in it and the receiver. */
static void
deliver_job_id(struct job *j)
{
	char *all;
	size_t len = j->nalerts * (ALERT_ID_LEN + 1) + 1;

	if (j->nalerts == 1) {
		alert_delivery_id(j->ids[0], j->receiver, j->delivery_id);
		return;
	}
	all = xcalloc(len, 1);
	for (size_t i = 0; i < j->nalerts; i++) {
		strcat(all, j->ids[i]);
		strcat(all, ",");
	}
	alert_delivery_id(all, j->receiver, j->delivery_id);
	free(all);
}

/* The alerts of rows idx[0..n) as a JSON array. */
static json_t *
deliver_alerts(struct deliver_row *rows, const size_t *idx, size_t n)
{
	json_t *alerts, *alert;

	if ((alerts = json_array()) == NULL)
		fatalx("json_array");
	for (size_t i = 0; i < n; i++) {
		if ((alert = json_loads(rows[idx[i]].payload, 0, NULL)) == NULL)
			fatalx("alert %s: payload is not JSON",
			    rows[idx[i]].alert_id);
		if (json_array_append_new(alerts, alert) == -1)
			fatalx("json_array_append_new");
	}
	return alerts;
}

/* Start one message to r carrying the first of the rows idx[0..n) that
 * it shows whole; how many it took, 0 if it could not start (its rows
 * stay pending). */
static size_t
deliver_start(const struct receiver *r, struct deliver_row *rows,
    const size_t *idx, size_t n)
{
	char err[256] = "";
	json_t *alerts = deliver_alerts(rows, idx, n);
	struct job *j = deliver_job_new(r);

	if (r->type == RECEIVER_WEBHOOK && r->format != FORMAT_JSON &&
	    (n = chat_fits(r, alerts)) < json_array_size(alerts)) {
		json_decref(alerts);
		alerts = deliver_alerts(rows, idx, n);
	}
	j->ids = xcalloc(n, sizeof(*j->ids));
	j->whats = xcalloc(n, sizeof(*j->whats));
	for (size_t i = 0; i < n; i++) {
		struct deliver_row *row = &rows[idx[i]];

		memcpy(j->ids[j->nalerts], row->alert_id, ALERT_ID_LEN + 1);
		j->whats[j->nalerts++] =
		    deliver_what(json_array_get(alerts, i));
		if (row->attempts > j->attempts)
			j->attempts = row->attempts;
		j->admin = row->admin;
	}
	deliver_job_id(j);
	if (deliver_setup(j, r, alerts, false, err, sizeof(err)) == -1 ||
	    curl_multi_add_handle(dl.multi, j->t.easy) != CURLM_OK) {
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "curl_multi_add_handle");
		log_warnx("cannot start delivery of %s to %s: %s; retry in "
		          "%ds",
		    j->whats[0], r->name, err, dl.cfg->retry_first);
		for (size_t i = 0; i < n; i++)
			outbox_mark_retry(dl.ob, j->ids[i], r->name,
			    clock_now(), clock_now() + dl.cfg->retry_first, 0,
			    err);
		json_decref(alerts);
		deliver_job_free(j);
		return 0;
	}
	j->alerts = alerts;
	TAILQ_INSERT_TAIL(&dl.jobs, j, entry);
	dl.njobs++;
	log_debug("sending %zu alert%s to %s (attempt %d)", n,
	    n == 1 ? "" : "s", r->name, j->attempts + 1);
	return n;
}

/* Start messages to r of up to deliver_digest_max of the rows idx[0..n)
 * while r has room. */
static void
deliver_messages(const struct receiver *r, struct deliver_rows *rows,
    const size_t *idx, size_t n, time_t now)
{
	size_t max = deliver_digest_max(r), off, took;

	for (off = 0; off < n; off += took) {
		if (deliver_busy(r->name) >= DELIVER_PER_RECEIVER)
			break;
		if (!rate_allow(r)) {
			/* Whole seconds, rounded up: never too early. */
			time_t t =
			    now + (time_t)((rate_wait_ms(r) + 999) / 1000);

			if (dl.rate_wake == -1 || t < dl.rate_wake)
				dl.rate_wake = t;
			break;
		}
		if ((took = deliver_start(r, rows->v, idx + off,
		         n - off < max ? n - off : max)) == 0)
			break;
		rate_note(r);
	}
}

/* Deliver the due rows of receiver r: to the log at once, or as
 * messages, case alerts and administrators' notices apart. */
static void
deliver_receiver_rows(const struct receiver *r, struct deliver_rows *rows,
    time_t now)
{
	size_t *idx, *notices, n = 0, nnotices = 0;
	json_t *alert;

	idx = xcalloc(rows->n, sizeof(*idx));
	notices = xcalloc(rows->n, sizeof(*notices));
	for (size_t i = 0; i < rows->n; i++) {
		struct deliver_row *row = &rows->v[i];

		if (row->taken || strcmp(row->receiver, r->name) != 0)
			continue;
		row->taken = true;
		if (deliver_in_flight(row->alert_id, row->receiver))
			continue;
		if (r->type != RECEIVER_LOG) {
			if (row->admin)
				notices[nnotices++] = i;
			else
				idx[n++] = i;
			continue;
		}
		if ((alert = json_loads(row->payload, 0, NULL)) == NULL)
			fatalx("alert %s: payload is not JSON", row->alert_id);
		deliver_to_log(row, alert);
		json_decref(alert);
	}
	deliver_messages(r, rows, idx, n, now);
	deliver_messages(r, rows, notices, nnotices, now);
	free(idx);
	free(notices);
}

void
deliver_kick(time_t now)
{
	struct deliver_rows rows = {NULL, 0};

	dl.rate_wake = -1;
	if (dl.stopping || dl.cfg == NULL)
		return;
	if (outbox_pending(dl.ob, now, deliver_collect, &rows) == -1)
		return;
	outbox_begin(dl.ob);
	for (size_t k = 0; k < dl.cfg->nreceivers && rows.n > 0; k++)
		deliver_receiver_rows(&dl.cfg->receivers[k], &rows, now);
	outbox_commit(dl.ob);
	for (size_t i = 0; i < rows.n; i++) {
		if (!rows.v[i].taken)
			log_debug(
			    "alert %s waits for receiver %s, which is not "
			    "configured",
			    rows.v[i].alert_id, rows.v[i].receiver);
		free(rows.v[i].receiver);
		free(rows.v[i].payload);
	}
	free(rows.v);
}

time_t
deliver_next_wake(void)
{
	return dl.rate_wake;
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
		log_warnx("abandoning %s%s to %s: it stays queued for the "
		          "next start",
		    j->whats[0], j->nalerts > 1 ? " and more" : "",
		    j->receiver);
		curl_multi_remove_handle(dl.multi, j->t.easy);
		TAILQ_REMOVE(&dl.jobs, j, entry);
		deliver_job_free(j);
	}
	dl.njobs = 0;
	if (dl.multi != NULL)
		curl_multi_cleanup(dl.multi);
	if (dl.timer != NULL)
		event_free(dl.timer);
	rate_free();
	dl.multi = NULL;
	dl.timer = NULL;
}
int
deliver_test(const struct receiver *r, char *result, size_t len)
{
	char err[256] = "", desc[CURL_ERROR_SIZE + 320], tag[64];
	struct job *j;
	json_t *alerts;
	CURLcode rc;
	int status;

	if (r->type == RECEIVER_LOG) {
		log_info("TEST message for receiver %s: deadlined can write "
		         "alerts to this log",
		    r->name);
		snprintf(result, len, "written to the log");
		return 0;
	}
	j = deliver_job_new(r);
	/* Each test its own key: a receiver that drops repeats must not
	 * drop the second test. */
	snprintf(tag, sizeof(tag), "test-%lld", clock_real_ms());
	alert_delivery_id(tag, r->name, j->delivery_id);
	if ((alerts = json_array()) == NULL)
		fatalx("json_array");
	if (deliver_setup(j, r, alerts, true, err, sizeof(err)) == -1) {
		snprintf(result, len, "cannot set up: %s", err);
		json_decref(alerts);
		deliver_job_free(j);
		return -1;
	}
	json_decref(alerts);
	rc = curl_easy_perform(j->t.easy);
	status =
	    deliver_result(j, rc, desc, sizeof(desc)) == OUTCOME_SENT ? 0 : -1;
	snprintf(result, len, "%s", desc);
	deliver_job_free(j);
	return status;
}
