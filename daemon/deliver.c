/*
 * deliver.c -- what goes out now: each receiver's queue, digests, rate
 * limits, the per-receiver cap and breaker, and the record of every
 * outcome.  transfer.c runs the transfers (curl multi on libevent) and
 * hands back each one that ended; channel.c says, per receiver, how a
 * message is set up and how its answer is judged.
 *
 * A delivery in flight holds copies of everything it needs, so a reload
 * may free the configuration under it.
 *
 * Alerts due for the same receiver when deliver_kick runs go out as one
 * message (a digest), up to a per-format number of alerts, so that 200
 * reminders due at 09:00 make a handful of requests, not 200.  A
 * receiver's `rate` and a cap on transfers in flight decide how many
 * messages may start; the rest waits in the outbox for its turn.
 * A JSON webhook's message is made of the alerts' texts as stored:
 * those still true today are only scanned (jscan.h), never parsed.
 *
 * Each receiver has a lane: how many of its messages are in flight, and
 * a cursor on the last outbox row started.  Rows up to the cursor are in
 * flight or done, so a kick asks the outbox only for rows after it, no
 * more than can start (outbox_due, by index): finishing a transfer costs
 * what it finished, not a scan of everything waiting.  A lane whose
 * messages keep failing opens its breaker: one probe message per retry
 * interval, the rest held, until the receiver answers again; then the
 * backlog drains at full speed.
 *
 * A message is set up (its body built, each of its rows noted with it
 * in the outbox) in a round, and started once that round is committed.
 * To a receiver that answers quickly, a round sets up more messages than
 * may be in flight: the lane keeps them ready and starts each as a slot
 * frees, and the outcomes of those sent wait (at most DELIVER_HOLD_MS)
 * for the round that tops the lane up, so that a burst of thousands of
 * messages commits once for every two dozen, not once for every few.
 * What is ready is put back, to be read again, when the receiver fails,
 * on a reload, when the outbox refuses a write and at shutdown.
 *
 * Outcomes are recorded in one transaction per batch, and only then
 * logged.  When the outbox cannot be written (a full disk, another
 * process's lock) the finished jobs stay in memory, nothing new starts
 * (their rows are still pending: starting again would send them again),
 * and the write is tried again with a growing wait, with one log line
 * for the episode, not one per row.
 * Administrators' notices (admin.h) travel the same way, in messages of
 * their own.  A case alert that fails for good is told to the admin
 * receivers, in the transaction that records the failure; a notice that
 * fails for good is only logged, so that a broken admin receiver cannot
 * make notices about itself without end.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "admin.h"
#include "alert.h"
#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "deliver.h"
#include "digest.h"
#include "log.h"
#include "message.h"
#include "rate.h"
#include "transfer.h"
#include "xmalloc.h"

#define DELIVER_PER_RECEIVER    4     /* transfers in flight to one receiver */
#define DELIVER_AHEAD           28    /* messages set up beyond them, */
#define DELIVER_AHEAD_LOW       4     /* topped up when down to this many, */
#define DELIVER_AHEAD_FAST_MS   50    /* for a receiver this quick */
#define DELIVER_HOLD_MS         100   /* outcomes wait at most this long */
#define DELIVER_HOLD_MAX        64    /* and this many messages */
#define DELIVER_CONNECT_TIMEOUT 10    /* seconds */
#define DELIVER_LOG_BATCH       4000  /* log receiver rows per round */
#define DELIVER_WRITE_FIRST_MS  250   /* then doubled, between tries to */
#define DELIVER_WRITE_MAX_MS    1000  /* record outcomes */
#define DELIVER_BODY_KEEP       65536 /* bodies kept whole in the record */

TAILQ_HEAD(jobs, job);

/* One receiver's queue, as far as delivery goes (it outlives reloads). */
struct lane {
	char *name;
	size_t busy; /* messages set up and not yet recorded */
	bool cursor_set;
	struct outbox_cursor cursor; /* the last row set up */
	int fails;                   /* messages in a row worth a retry */
	time_t probe_at;             /* breaker open: next probe; 0 closed */
	size_t flying;               /* transfers in curl */
	struct jobs ready;           /* set up and noted, not yet started */
	size_t nready;
	long long last_ms; /* how long the last transfer took; -1 none yet */
};

/* One message, set up, in flight or done: the alerts it carries to one
 * receiver. */
struct job {
	TAILQ_ENTRY(job) entry;
	struct lane *lane;
	char (*ids)[ALERT_ID_LEN + 1]; /* the alerts */
	long long *dids;               /* and their deliveries */
	char **whats; /* "reminder for case X window Y", per alert */
	char **texts; /* or, through a channel of texts, each one's JSON */
	size_t nalerts;
	char delivery_id[ALERT_ID_LEN + 1];
	char *receiver;
	const struct channel *ch;
	enum receiver_format format;
	int attempts;   /* the most any of its alerts has had */
	bool accounted; /* its lane knows it ended */
	bool fresh;     /* done at set-up in this round, not yet recorded */
	bool admin;     /* it carries administrators' notices */
	json_t *alerts; /* what it carries, for the admin receivers */
	/* Its lane's cursor before its rows, for putting it back unsent. */
	bool cursor_was_set;
	struct outbox_cursor cursor_before;
	struct transfer t;
	/* How it ended, once it has. */
	enum channel_outcome outcome;
	long code;       /* HTTP or SMTP status */
	long wait;       /* seconds before a retry */
	time_t finished; /* daemon clock */
	/* For the record of attempts: real times, and what was sent. */
	long long started_ms, duration_ms;
	char *subject, *recipients, *message_id; /* e-mail */
	char *body;                              /* small enough to keep */
	char body_sha256[65];
	char desc[CURL_ERROR_SIZE + 320];
};

static struct {
	struct event_base *base;
	struct outbox *ob;
	const struct config *cfg;
	const struct channel **chans; /* of each of cfg's receivers */
	struct jobs jobs;             /* transfers in curl */
	size_t njobs;
	struct jobs done;    /* finished, outcome not yet recorded */
	struct lane **lanes; /* each stays put: jobs point at theirs */
	size_t nlanes;
	size_t unsent;
	bool stopping;   /* start nothing new */
	bool breaker;    /* hold a failing receiver's deliveries */
	bool unwritable; /* the outbox refused the last write */
	long write_ms;   /* the wait before the next try to record */
	struct event *write_timer;
	struct event *hold_timer; /* outcomes held: record them */
	time_t wake;              /* when a held receiver may go on */
	void (*retry_fn)(time_t); /* outcomes recorded: retries may be due */
	void (*idle_fn)(void *);
	void *idle_arg;
} dl;

static void deliver_flush(void);
static void deliver_after(void);
static void deliver_ended(CURL *easy, CURLcode rc);
static void deliver_round(time_t now);
static void deliver_batch_ended(void);
static void deliver_hold_cb(evutil_socket_t fd, short what, void *arg);
static void deliver_unready_all(void);

bool
deliver_outbox_writable(void)
{
	return !dl.unwritable;
}

/* The write timer: try again to record what is held in memory. */
static void
deliver_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	deliver_flush();
	if (TAILQ_EMPTY(&dl.done))
		deliver_after(); /* a kick that failed tries again, too */
}

/* A write to the outbox failed: say so once per episode, start nothing
 * new, and try again after a growing wait. */
static void
deliver_write_failed(size_t held)
{
	struct timeval tv;

	if (!dl.unwritable)
		log_warnx(
		    "the outbox cannot be written: %zu delivery outcome%s "
		    "held in memory, no new deliveries start until it can "
		    "be; trying again",
		    held, held == 1 ? "" : "s");
	dl.unwritable = true;
	dl.write_ms =
	    dl.write_ms == 0 ? DELIVER_WRITE_FIRST_MS : dl.write_ms * 2;
	if (dl.write_ms > DELIVER_WRITE_MAX_MS)
		dl.write_ms = DELIVER_WRITE_MAX_MS;
	tv.tv_sec = dl.write_ms / 1000;
	tv.tv_usec = (dl.write_ms % 1000) * 1000;
	if (evtimer_add(dl.write_timer, &tv) == -1)
		log_warnx("evtimer_add: cannot arm the outbox write timer");
}

/* A write to the outbox succeeded: the episode, if any, is over. */
static void
deliver_write_ok(void)
{
	if (dl.unwritable)
		log_info("the outbox can be written again; deliveries go on");
	dl.unwritable = false;
	dl.write_ms = 0;
}

/* The lane of receiver name, made on first use. */
static struct lane *
deliver_lane(const char *name)
{
	struct lane *ln;

	for (size_t i = 0; i < dl.nlanes; i++)
		if (strcmp(dl.lanes[i]->name, name) == 0)
			return dl.lanes[i];
	dl.lanes = xreallocarray(dl.lanes, dl.nlanes + 1, sizeof(*dl.lanes));
	ln = dl.lanes[dl.nlanes++] = xcalloc(1, sizeof(*ln));
	ln->name = xstrdup(name);
	TAILQ_INIT(&ln->ready);
	ln->last_ms = -1;
	return ln;
}

/* Wake up at t at the latest (a rate limit or a breaker's probe). */
static void
deliver_wake_at(time_t t)
{
	if (dl.wake == -1 || t < dl.wake)
		dl.wake = t;
}

int
deliver_init(struct event_base *base, struct outbox *ob)
{
	memset(&dl, 0, sizeof(dl));
	TAILQ_INIT(&dl.jobs);
	TAILQ_INIT(&dl.done);
	dl.base = base;
	dl.ob = ob;
	dl.wake = -1;
	if ((dl.write_timer = evtimer_new(base, deliver_write_cb, NULL)) ==
	        NULL ||
	    (dl.hold_timer = evtimer_new(base, deliver_hold_cb, NULL)) == NULL)
		return -1;
	return transfer_init(base, deliver_ended, deliver_batch_ended);
}

void
deliver_set_config(const struct config *cfg)
{
	/* Each receiver's channel, picked once. */
	free(dl.chans);
	dl.chans = NULL;
	dl.cfg = cfg;
	/* Nothing set up under the old configuration starts under the new
	 * one: it is read again, and goes out as the new one says. */
	deliver_unready_all();
	if (cfg == NULL)
		return;
	dl.chans = xcalloc(cfg->nreceivers + 1, sizeof(*dl.chans));
	for (size_t i = 0; i < cfg->nreceivers; i++)
		dl.chans[i] = channel_of(&cfg->receivers[i]);
}

void
deliver_set_breaker(bool on)
{
	dl.breaker = on;
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
	if (dl.njobs == 0 && TAILQ_EMPTY(&dl.done) && fn != NULL)
		fn(arg);
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
	free(t->refused);
	memset(t, 0, sizeof(*t));
}

/* Free a job and everything its transfer owns. */
static void
deliver_job_free(struct job *j)
{
	deliver_transfer_free(&j->t);
	for (size_t i = 0; i < j->nalerts; i++)
		free(j->whats[i]);
	free(j->whats);
	for (size_t i = 0; j->texts != NULL && i < j->nalerts; i++)
		free(j->texts[i]);
	free(j->texts);
	free(j->ids);
	free(j->dids);
	free(j->receiver);
	free(j->subject);
	free(j->recipients);
	free(j->message_id);
	free(j->body);
	json_decref(j->alerts);
	free(j);
}

/* Put the messages ln has set up but not started back: their rows stay
 * pending, each noted with its message, and the lane's cursor goes back
 * to before the first of them, so that they are read again and go out
 * as the same messages. */
static void
deliver_unready(struct lane *ln)
{
	struct job *j = TAILQ_FIRST(&ln->ready);

	if (j == NULL)
		return;
	ln->cursor_set = j->cursor_was_set;
	ln->cursor = j->cursor_before;
	while ((j = TAILQ_FIRST(&ln->ready)) != NULL) {
		TAILQ_REMOVE(&ln->ready, j, entry);
		ln->busy--;
		deliver_job_free(j);
	}
	ln->nready = 0;
}

/* The same for every lane. */
static void
deliver_unready_all(void)
{
	for (size_t i = 0; i < dl.nlanes; i++)
		deliver_unready(dl.lanes[i]);
}

/* Hex SHA-256 of len bytes at p into out (65 bytes). */
static void
deliver_sha256(const void *p, size_t len, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		fatalx("EVP_Digest failed");
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Keep what a job sends, for the record: the body (when it is at most
 * DELIVER_BODY_KEEP bytes; its SHA-256 always), and for e-mail the
 * subject, the recipients and the Message-ID. */
static void
deliver_keep(struct job *j, const struct receiver *r, json_t *alerts)
{
	struct buf b = {NULL, 0, 0};

	j->started_ms = clock_real_ms();
	deliver_sha256(j->t.body != NULL ? j->t.body : "", j->t.len,
	    j->body_sha256);
	if (j->t.body != NULL && j->t.len <= DELIVER_BODY_KEEP &&
	    memchr(j->t.body, '\0', j->t.len) == NULL)
		xasprintf(&j->body, "%.*s", (int)j->t.len, j->t.body);
	if (j->ch->type != RECEIVER_EMAIL)
		return;
	j->subject = message_subject(r, alerts, false);
	j->message_id = email_message_id(r, j->delivery_id);
	buf_printf(&b, "%s", "");
	for (size_t i = 0; i < r->nto; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", r->to[i]);
	j->recipients = buf_take(&b);
}

/* Record one attempt of job j in the outbox; 0 or -1. */
static int
deliver_record_attempt(const struct job *j)
{
	static const char *const results[] = {
	    [CHANNEL_SENT] = "sent",
	    [CHANNEL_RETRY] = "retry",
	    [CHANNEL_FAILED] = "failed",
	};
	struct outbox_attempt a = {
	    .receiver = j->receiver,
	    .message = j->delivery_id,
	    .started_ms = j->started_ms,
	    .duration_ms = j->duration_ms,
	    .result = results[j->outcome],
	    .status = j->code,
	    .detail = j->desc,
	    .subject = j->subject,
	    .recipients = j->recipients,
	    .message_id = j->message_id,
	    .body = j->body,
	    .body_sha256 = j->body_sha256,
	    .clock_shift = (long long)(clock_now() - clock_real(clock_now())),
	    .refused = j->t.refused,
	};

	return outbox_attempt(dl.ob, &a, j->ids, j->dids, j->nalerts);
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

/* The outcome of a transfer, with the description logged and stored. */
static enum channel_outcome
deliver_result(const struct job *j, CURLcode rc, char *desc, size_t len)
{
	long code = 0;

	curl_easy_getinfo(j->t.easy, CURLINFO_RESPONSE_CODE, &code);
	channel_describe(j->ch, &j->t, rc, code, desc, len);
	return j->ch->judge(&j->t, j->format, rc, code, j->attempts, desc, len);
}

/* Work out how a transfer ended, once, when it ends. */
static void
deliver_finish(struct job *j, CURLcode rc)
{
	j->outcome = deliver_result(j, rc, j->desc, sizeof(j->desc));
	j->code = 0;
	curl_easy_getinfo(j->t.easy, CURLINFO_RESPONSE_CODE, &j->code);
	j->wait = deliver_backoff(j->attempts + 1, j->t.retry_after);
	j->finished = clock_now();
	j->duration_ms = clock_real_ms() - j->started_ms;
}

/* Tell the admin receivers that alert i of j failed for good; 0 or -1.
 * A job of texts has no JSON of its alerts: the text is read again. */
static int
deliver_tell_failed(const struct job *j, size_t i, time_t at)
{
	json_t *alert;
	int rc;

	if (j->alerts != NULL)
		alert = json_incref(json_array_get(j->alerts, i));
	else
		alert = json_loads(j->texts[i], 0, NULL);
	rc = admin_delivery_failed(dl.ob, dl.cfg, alert, j->receiver, j->code,
	    j->desc, at);
	json_decref(alert);
	return rc;
}

/* Write how a job ended: one outbox row per alert; 0 or -1.  The log
 * lines wait for deliver_log, after the commit, so that the log never
 * says more than the outbox holds. */
static int
deliver_record(const struct job *j)
{
	time_t at = j->finished;
	int rc = 0;

	for (size_t i = 0; i < j->nalerts && rc == 0; i++) {
		switch (j->outcome) {
		case CHANNEL_SENT:
			rc = outbox_mark_sent(dl.ob, j->dids[i], at, j->code);
			/* Recipients refused: the admin receivers hear of
			 * it once per message. */
			if (rc == 0 && i == 0 && j->t.refused != NULL &&
			    !j->admin &&
			    admin_recipients_refused(dl.ob, dl.cfg, j->receiver,
			        j->delivery_id, j->t.refused, at) == -1)
				rc = -1;
			break;
		case CHANNEL_RETRY:
			/* The clock reads whole seconds: one more so that the
			 * retry never comes before the wait is over. */
			rc = outbox_mark_retry(dl.ob, j->dids[i], at,
			    at + j->wait + 1, j->code, j->desc);
			break;
		case CHANNEL_FAILED:
			rc = outbox_mark_failed(dl.ob, j->dids[i], at, j->code,
			    j->desc);
			/* The admin receivers hear of it in the same
			 * transaction; of a notice, only the log does. */
			if (rc == 0 && !j->admin &&
			    deliver_tell_failed(j, i, at) == -1)
				rc = -1;
			break;
		}
	}
	return rc == 0 ? deliver_record_attempt(j) : -1;
}

/* One log line per alert of a recorded job. */
static void
deliver_log(const struct job *j)
{
	char *line;

	if (j->ch->sent_line != NULL && j->outcome == CHANNEL_SENT) {
		/* The log receiver: what it writes is the delivery. */
		for (size_t i = 0; i < j->nalerts; i++) {
			line = j->ch->sent_line(json_array_get(j->alerts, i),
			    j->ids[i], j->receiver);
			log_info("%s", line);
			free(line);
		}
		return;
	}
	for (size_t i = 0; i < j->nalerts; i++) {
		switch (j->outcome) {
		/* The message's key tells two deliveries of the same
		 * alert apart (and finds them in the outbox). */
		case CHANNEL_SENT:
			log_info("delivered %s to %s: %s [message %s]",
			    j->whats[i], j->receiver, j->desc, j->delivery_id);
			break;
		case CHANNEL_RETRY:
			log_warnx("delivery of %s to %s failed: %s; retry in "
			          "%lds [message %s]",
			    j->whats[i], j->receiver, j->desc, j->wait,
			    j->delivery_id);
			break;
		case CHANNEL_FAILED:
			log_warnx("delivery of %s to %s failed for good: %s "
			          "[message %s]",
			    j->whats[i], j->receiver, j->desc, j->delivery_id);
			break;
		}
	}
}

/* A lane's breaker after one of its messages ended: an answer closes
 * it; a failure worth a retry opens it, or keeps it open with a longer
 * wait before the next probe. */
static void
deliver_breaker(struct lane *ln, const struct job *j)
{
	if (!dl.breaker || j->outcome == CHANNEL_FAILED)
		return;
	if (j->outcome == CHANNEL_SENT) {
		if (ln->probe_at != 0)
			log_info("receiver %s answers again: sending what "
			         "waits for it",
			    ln->name);
		ln->fails = 0;
		ln->probe_at = 0;
		return;
	}
	if (ln->probe_at == 0)
		log_warnx("receiver %s is failing: its deliveries wait, and "
		          "one message is tried at a time until it answers",
		    ln->name);
	ln->fails++;
	ln->probe_at =
	    j->finished + deliver_backoff(ln->fails, j->t.retry_after) + 1;
	deliver_unready(ln); /* held with the rest, not sent */
}

/* Tell a recorded job's lane that it ended (once): a free slot, and the
 * breaker's view of the receiver. */
static void
deliver_account(struct job *j)
{
	if (j->accounted)
		return;
	j->accounted = true;
	j->lane->busy--;
	deliver_breaker(j->lane, j);
	if (j->outcome != CHANNEL_SENT)
		dl.unsent += j->nalerts;
}

/* A recorded job: its lane, the log, and its memory. */
static void
deliver_settle(struct job *j)
{
	deliver_account(j);
	deliver_log(j);
	deliver_job_free(j);
}

/* How many finished jobs wait to be recorded. */
static size_t
deliver_held(void)
{
	struct job *j;
	size_t n = 0;

	TAILQ_FOREACH(j, &dl.done, entry)
		n++;
	return n;
}

/* Settle every finished job, once its outcome is committed. */
static void
deliver_settle_done(void)
{
	struct job *j;

	/* A round's lines go out in one write, not one for each alert. */
	log_hold();
	while ((j = TAILQ_FIRST(&dl.done)) != NULL) {
		TAILQ_REMOVE(&dl.done, j, entry);
		deliver_settle(j);
	}
	log_release();
}

/* Record every finished job in one transaction, then settle them; if the
 * outbox refuses, keep them all for the next try. */
static void
deliver_flush(void)
{
	struct job *j;
	int rc;

	if (TAILQ_EMPTY(&dl.done))
		return;
	rc = outbox_begin(dl.ob);
	TAILQ_FOREACH(j, &dl.done, entry)
		if (rc == 0)
			rc = deliver_record(j);
	if (rc == 0)
		rc = outbox_commit(dl.ob);
	if (rc == -1) {
		outbox_rollback(dl.ob);
		deliver_write_failed(deliver_held());
		return;
	}
	deliver_write_ok();
	deliver_settle_done();
}

/* After outcomes: start what can start, let the daemon re-arm its
 * wake-up, and tell whoever waits for idleness. */
static void
deliver_after(void)
{
	time_t now = clock_now();

	deliver_round(now);
	if (dl.retry_fn != NULL)
		dl.retry_fn(now);
	if (dl.njobs == 0 && TAILQ_EMPTY(&dl.done) && dl.idle_fn != NULL)
		dl.idle_fn(dl.idle_arg);
}

/* transfer.c: the transfer of easy ended with rc; its job is done. */
static void
deliver_ended(CURL *easy, CURLcode rc)
{
	struct job *j;

	if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&j) !=
	        CURLE_OK ||
	    j == NULL)
		fatalx("curl handle without its job");
	deliver_finish(j, rc);
	TAILQ_REMOVE(&dl.jobs, j, entry);
	dl.njobs--;
	j->lane->flying--;
	j->lane->last_ms = j->duration_ms;
	TAILQ_INSERT_TAIL(&dl.done, j, entry);
}

/* Whether the outcomes in dl.done may wait for a later round: while every
 * message among them was sent, each of their lanes still has more than
 * DELIVER_AHEAD_LOW messages ready to take the slots they leave, and
 * fewer than DELIVER_HOLD_MAX wait.  A failure, a lane running low, a
 * shutdown or a stuck outbox is recorded at once. */
static bool
deliver_may_hold(void)
{
	struct job *j;
	size_t n = 0;

	if (TAILQ_EMPTY(&dl.done) || dl.stopping || dl.unwritable ||
	    dl.cfg == NULL)
		return false;
	TAILQ_FOREACH(j, &dl.done, entry)
		if (j->outcome != CHANNEL_SENT ||
		    j->lane->nready <= DELIVER_AHEAD_LOW ||
		    ++n >= DELIVER_HOLD_MAX)
			return false;
	return true;
}

/* Start the messages ln has ready while it has transfers to spare: their
 * rows were noted with their message in a round already committed. */
static void
deliver_launch(struct lane *ln)
{
	struct job *j;

	while (ln->flying < DELIVER_PER_RECEIVER &&
	    (j = TAILQ_FIRST(&ln->ready)) != NULL) {
		TAILQ_REMOVE(&ln->ready, j, entry);
		ln->nready--;
		j->started_ms = clock_real_ms();
		if (transfer_add(j->t.easy) == -1) {
			/* Recorded as an attempt to retry, like any other. */
			snprintf(j->desc, sizeof(j->desc),
			    "cannot start the transfer "
			    "(curl_multi_add_handle)");
			j->outcome = CHANNEL_RETRY;
			j->wait = deliver_backoff(j->attempts + 1, 0);
			j->finished = clock_now();
			TAILQ_INSERT_TAIL(&dl.done, j, entry);
			continue;
		}
		ln->flying++;
		TAILQ_INSERT_TAIL(&dl.jobs, j, entry);
		dl.njobs++;
		log_debug("sending %zu alert%s to %s (attempt %d)", j->nalerts,
		    j->nalerts == 1 ? "" : "s", j->receiver, j->attempts + 1);
	}
}

/* Start what every lane has ready; what could not start, and outcomes
 * held, are recorded by a round within DELIVER_HOLD_MS. */
static void
deliver_launch_all(void)
{
	struct timeval tv = {0, DELIVER_HOLD_MS * 1000};

	for (size_t i = 0; i < dl.nlanes; i++)
		deliver_launch(dl.lanes[i]);
	if (!TAILQ_EMPTY(&dl.done) && !evtimer_pending(dl.hold_timer, NULL) &&
	    evtimer_add(dl.hold_timer, &tv) == -1)
		log_warnx("evtimer_add: cannot arm the outcome timer");
}

/* The outcome timer: record what is held. */
static void
deliver_hold_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	if (!dl.unwritable && !TAILQ_EMPTY(&dl.done))
		deliver_after();
}

/* transfer.c: every transfer that ended on this wake-up is done.  To a
 * receiver that answers quickly, the messages set up ahead take the free
 * slots at once and the outcomes wait for a later round; otherwise they
 * are recorded now, and what can start is started, in one transaction;
 * then logged. */
static void
deliver_batch_ended(void)
{
	if (deliver_may_hold())
		deliver_launch_all();
	else
		deliver_after();
}

/* What one kick has done, to be logged once it is committed. */
struct deliver_kick {
	time_t now;
	date_t today;
	char **lines;
	size_t nlines;
	size_t aside; /* rows set aside */
	int failed;
};

/* A row whose stored alert cannot be read is marked failed with the
 * reason, and everything else goes on: stored data never stops the
 * daemon. */
static void
deliver_set_aside(struct deliver_kick *k, const char *receiver,
    const struct digest_row *row)
{
	char *line;

	if (outbox_mark_failed(dl.ob, row->at.id, k->now, 0, row->error) ==
	    -1) {
		k->failed = 1;
		return;
	}
	k->aside++;
	xasprintf(&line, "alert %s for %s: %s", row->alert_id, receiver,
	    row->error);
	k->lines = xreallocarray(k->lines, k->nlines + 1, sizeof(*k->lines));
	k->lines[k->nlines++] = line;
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

/* "reminder for case X window Y" of a row, parsed, or scanned (its
 * text, handed over to the job, is text). */
static char *
deliver_row_what(const struct digest_row *row, const char *text)
{
	const struct jscan_alert *b = &row->brief;
	char *s;

	if (!row->scanned)
		return deliver_what(row->alert);
	xasprintf(&s, "%.*s for case %.*s window %.*s", (int)b->kind.len,
	    text + b->kind.off, (int)b->case_id.len, text + b->case_id.off,
	    (int)b->window.len, text + b->window.off);
	return s;
}

/* Set up the message of j to r through its channel; 0, or -1 with err.
 * An instant channel's message is done once set up: nothing to
 * transfer. */
static int
deliver_setup(struct job *j, const struct receiver *r, json_t *alerts,
    bool test, char *err, size_t errlen)
{
	time_t now = clock_now();
	long timeout = (long)r->timeout;

	if (j->ch->instant)
		return j->ch->setup(&j->t, r, j->delivery_id, alerts, now, test,
		    err, errlen);
	if ((j->t.easy = curl_easy_init()) == NULL)
		fatalx("curl_easy_init");
	if (j->ch->setup(&j->t, r, j->delivery_id, alerts, now, test, err,
	        errlen) == -1)
		return -1;
	if (r->ca_file != NULL &&
	    curl_easy_setopt(j->t.easy, CURLOPT_CAINFO, r->ca_file) !=
	        CURLE_OK) {
		snprintf(err, errlen, "CURLOPT_CAINFO: cannot use ca_file");
		return -1;
	}
	if (curl_easy_setopt(j->t.easy, CURLOPT_PRIVATE, j) != CURLE_OK ||
	    curl_easy_setopt(j->t.easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(j->t.easy, CURLOPT_CONNECTTIMEOUT,
	        timeout < DELIVER_CONNECT_TIMEOUT
	            ? timeout
	            : DELIVER_CONNECT_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(j->t.easy, CURLOPT_TIMEOUT, timeout) != CURLE_OK) {
		snprintf(err, errlen, "curl set-up failed");
		return -1;
	}
	return 0;
}

/* A new job for receiver r, through channel ch. */
static struct job *
deliver_job_new(const struct receiver *r, const struct channel *ch)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->receiver = xstrdup(r->name);
	j->ch = ch;
	j->format = r->format;
	return j;
}

/* The Idempotency-Key of a message: for one alert, the alert and the
 * receiver; for a digest, every alert in it and the receiver.  What an
 * instant channel (the log) writes is recorded under the alert's id. */
static void
deliver_job_id(struct job *j)
{
	char *all;
	size_t len = j->nalerts * (ALERT_ID_LEN + 1) + 1;

	if (j->nalerts == 1 && j->ch->instant) {
		memcpy(j->delivery_id, j->ids[0], ALERT_ID_LEN + 1);
		return;
	}
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

/* The alerts of rows[0..n) as a JSON array, each as of today. */
static json_t *
deliver_alerts(struct digest_row *rows, size_t n, date_t today)
{
	json_t *alerts;

	if ((alerts = json_array()) == NULL)
		fatalx("json_array");
	for (size_t i = 0; i < n; i++) {
		if (alert_refresh(rows[i].alert, today))
			rows[i].refreshed = true;
		if (json_array_append(alerts, rows[i].alert) == -1)
			fatalx("json_array_append");
	}
	return alerts;
}

/* The JSON text of each of rows[0..n) as it goes out, taken from the
 * rows: as stored when only scanned (a case alert, true as of today),
 * else the parsed alert, refreshed to today, dumped as webhook_body
 * dumps it.  For a channel of texts. */
static char **
deliver_texts(struct digest_row *rows, size_t n, date_t today)
{
	char **texts = xcalloc(n + 1, sizeof(*texts));

	for (size_t i = 0; i < n; i++) {
		if (rows[i].scanned) {
			texts[i] = rows[i].text;
			rows[i].text = NULL;
			continue;
		}
		if (alert_refresh(rows[i].alert, today))
			rows[i].refreshed = true;
		if ((texts[i] = json_dumps(rows[i].alert, JSON_COMPACT)) ==
		    NULL)
			fatalx("json_dumps: alert %s", rows[i].alert_id);
	}
	return texts;
}

/* Note in the outbox, before anything is sent, which message each alert
 * of j goes out in: a resend after a crash sends the same message. */
static void
deliver_note_message(struct deliver_kick *k, const struct job *j)
{
	for (size_t i = 0; i < j->nalerts && !k->failed; i++)
		if (outbox_mark_message(dl.ob, j->dids[i], j->delivery_id,
		        (int)j->nalerts) == -1)
			k->failed = 1;
}

/* Start one message to r carrying the first of rows[0..n) that it shows
 * whole, or, with key, exactly rows[0..n) as the message of that key that
 * went out before; how many it took, 0 if it could not start (its rows
 * are put back for a retry). */
static size_t
deliver_start(struct deliver_kick *k, const struct receiver *r,
    const struct channel *ch, struct lane *ln, struct digest_row *rows,
    size_t n, const char *key)
{
	char err[256] = "";
	json_t *alerts = NULL;
	struct job *j = deliver_job_new(r, ch);
	int rc;

	if (ch->texts)
		j->texts = deliver_texts(rows, n, k->today);
	else
		alerts = deliver_alerts(rows, n, k->today);
	if (key == NULL && ch->fits != NULL &&
	    (n = ch->fits(r, alerts)) < json_array_size(alerts)) {
		json_decref(alerts);
		alerts = deliver_alerts(rows, n, k->today);
	}
	j->lane = ln;
	j->cursor_was_set = ln->cursor_set;
	j->cursor_before = ln->cursor;
	j->ids = xcalloc(n, sizeof(*j->ids));
	j->dids = xcalloc(n, sizeof(*j->dids));
	j->whats = xcalloc(n, sizeof(*j->whats));
	for (size_t i = 0; i < n; i++) {
		memcpy(j->ids[j->nalerts], rows[i].alert_id, ALERT_ID_LEN + 1);
		j->dids[j->nalerts] = rows[i].at.id;
		j->whats[j->nalerts++] = deliver_row_what(&rows[i],
		    j->texts != NULL ? j->texts[i] : rows[i].text);
		if (rows[i].attempts > j->attempts)
			j->attempts = rows[i].attempts;
		j->admin = rows[i].admin;
	}
	if (key != NULL)
		memcpy(j->delivery_id, key, ALERT_ID_LEN + 1);
	else
		deliver_job_id(j);
	j->t.texts = (const char *const *)j->texts;
	j->t.ntexts = n;
	rc = deliver_setup(j, r, alerts, false, err, sizeof(err));
	j->t.texts = NULL;
	if (rc == -1) {
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "cannot set the message up");
		log_warnx("cannot start delivery of %s to %s: %s; retry in "
		          "%ds",
		    j->whats[0], r->name, err, dl.cfg->retry_first);
		for (size_t i = 0; i < n && !k->failed; i++)
			if (outbox_mark_retry(dl.ob, j->dids[i], k->now,
			        k->now + dl.cfg->retry_first, 0, err) == -1)
				k->failed = 1;
		json_decref(alerts);
		deliver_job_free(j);
		return 0;
	}
	deliver_keep(j, r, alerts);
	j->alerts = alerts;
	ln->busy++;
	if (ch->instant) {
		/* Written once recorded: done, in this kick's transaction. */
		j->outcome = CHANNEL_SENT;
		j->finished = k->now;
		j->fresh = true;
		TAILQ_INSERT_TAIL(&dl.done, j, entry);
		return n;
	}
	if (key == NULL)
		deliver_note_message(k, j);
	/* Started once the round that noted it is committed. */
	TAILQ_INSERT_TAIL(&ln->ready, j, entry);
	ln->nready++;
	return n;
}

/*
 * How many messages lane ln may set up now: up to the per-receiver cap
 * of transfers, or one probe at a time while its breaker is open (0
 * before the probe is due, with a wake-up for it).  To a receiver with
 * no rate limit whose last transfer took less than DELIVER_AHEAD_FAST_MS,
 * DELIVER_AHEAD more, noted in the same transaction and started as slots
 * free, so that a burst commits once for many messages rather than once
 * for every few (a message waits at most about DELIVER_AHEAD /
 * DELIVER_PER_RECEIVER times that long to start).
 */
static size_t
deliver_room(const struct lane *ln, const struct receiver *r,
    const struct channel *ch, time_t now)
{
	size_t cap = DELIVER_PER_RECEIVER;

	if (ch->instant)
		return SIZE_MAX; /* nothing in flight: no cap */
	if (dl.breaker && ln->probe_at != 0) {
		if (now < ln->probe_at) {
			deliver_wake_at(ln->probe_at);
			return 0;
		}
		return ln->busy == 0;
	}
	if (r->rate_count == 0 && ln->last_ms >= 0 &&
	    ln->last_ms < DELIVER_AHEAD_FAST_MS)
		cap += DELIVER_AHEAD;
	return ln->busy < cap ? cap - ln->busy : 0;
}

/* Start messages to r from rows (read after its lane's cursor) while
 * there is room and its rate allows; how many rows were used. */
static size_t
deliver_rows_start(struct deliver_kick *k, const struct receiver *r,
    const struct channel *ch, struct lane *ln, struct digest_rows *rows,
    size_t room)
{
	size_t max = ch->digest_max(r), off = 0, took, n;

	while (off < rows->n && room > 0 && !k->failed) {
		if (!digest_readable(&rows->v[off])) {
			deliver_set_aside(k, r->name, &rows->v[off++]);
			continue;
		}
		if (!ch->instant && !rate_allow(r)) {
			/* Whole seconds, rounded up: never too early. */
			deliver_wake_at(
			    k->now + (time_t)((rate_wait_ms(r) + 999) / 1000));
			break;
		}
		if ((n = digest_stored_run(rows, off)) > 0)
			took = deliver_start(k, r, ch, ln, rows->v + off, n,
			    rows->v[off].message);
		else
			took = deliver_start(k, r, ch, ln, rows->v + off,
			    digest_fresh_run(rows, off, max), NULL);
		if (took == 0)
			break;
		off += took;
		ln->cursor = rows->v[off - 1].at;
		ln->cursor_set = true;
		room--;
		if (!ch->instant)
			rate_note(r);
	}
	return off;
}

/* Start what receiver r may send now through ch: the rows after its
 * lane's cursor, as messages of up to the channel's digest limit while
 * there is room and its rate allows.  An instant channel (the log) takes
 * DELIVER_LOG_BATCH rows a round, and asks for another round at once
 * while there are more: each round's jobs are kept until its commit, so
 * that a first start's hundreds of thousands of log alerts are recorded
 * and freed a batch at a time, not all held in memory. */
static void
deliver_receiver(struct deliver_kick *k, const struct receiver *r,
    const struct channel *ch)
{
	struct lane *ln = deliver_lane(r->name);
	struct digest_rows rows = {
	    .texts = ch->texts,
	    .today = k->today,
	};
	size_t room, limit, got, used;

	if ((room = deliver_room(ln, r, ch, k->now)) == 0)
		return;
	if (ln->busy == 0)
		ln->cursor_set = false; /* nothing in flight: from the start */
	limit = ch->instant ? DELIVER_LOG_BATCH : room * ch->digest_max(r);
	if (outbox_due(dl.ob, r->name, k->now,
	        ln->cursor_set ? &ln->cursor : NULL, limit, digest_collect,
	        &rows) == -1) {
		k->failed = 1;
		return;
	}
	got = rows.n;
	used = deliver_rows_start(k, r, ch, ln, &rows, room);
	digest_rows_free(&rows);
	if (ch->instant && got == limit && used == got && !k->failed)
		deliver_wake_at(k->now); /* more: the next round */
}

/* Record the finished jobs (if fresh, only those done at set-up in this
 * round, whose marks it clears) in the transaction open; 0, or -1 if a
 * write failed or the round already had (then nothing is written). */
static int
deliver_record_done(bool fresh, bool failed)
{
	struct job *j;
	int rc = failed ? -1 : 0;

	TAILQ_FOREACH(j, &dl.done, entry) {
		if (fresh && !j->fresh)
			continue;
		j->fresh = false;
		if (rc == 0 && deliver_record(j) == -1)
			rc = -1;
	}
	return rc;
}

/* Tell every lane of the jobs that ended. */
static void
deliver_account_done(void)
{
	struct job *j;

	TAILQ_FOREACH(j, &dl.done, entry)
		deliver_account(j);
}

/*
 * One round, in one transaction (one fsync): record the transfers that
 * ended, then start what may start now, then record what finished at
 * once (the log's messages).  The ended jobs are recorded first so that
 * their rows are no longer pending when the queue is read, and their
 * lanes are told before it is, so that their slots are free again.
 * Everything is logged only once committed; if the outbox refuses, the
 * jobs are held for deliver_flush to record.
 */
static void
deliver_round(time_t now)
{
	struct deliver_kick k = {.now = now};
	bool kick = !dl.stopping && dl.cfg != NULL;
	int secs;

	dl.wake = -1;
	if (!kick && TAILQ_EMPTY(&dl.done))
		return;
	evtimer_del(dl.hold_timer); /* all of it is recorded now */
	clock_split(now, &k.today, &secs);
	if (outbox_begin(dl.ob) == -1 ||
	    deliver_record_done(false, false) == -1)
		k.failed = 1;
	if (!k.failed)
		deliver_account_done();
	for (size_t i = 0; kick && i < dl.cfg->nreceivers && !k.failed; i++)
		deliver_receiver(&k, &dl.cfg->receivers[i], dl.chans[i]);
	if (deliver_record_done(true, k.failed) == -1)
		k.failed = 1;
	if (!k.failed && outbox_commit(dl.ob) == -1)
		k.failed = 1;
	if (k.failed) {
		/* Their notes are gone with the rest: nothing set up in it,
		 * or before it, starts until the outbox takes writes. */
		outbox_rollback(dl.ob);
		deliver_unready_all();
		deliver_write_failed(deliver_held());
	} else {
		deliver_write_ok();
		dl.unsent += k.aside;
		deliver_settle_done();
		for (size_t i = 0; i < k.nlines; i++)
			log_info("%s", k.lines[i]);
		deliver_launch_all();
	}
	for (size_t i = 0; i < k.nlines; i++)
		free(k.lines[i]);
	free(k.lines);
}

void
deliver_kick(time_t now)
{
	if (dl.unwritable) {
		/* Outcomes wait for the outbox: nothing new starts. */
		dl.wake = -1;
		return;
	}
	deliver_round(now);
}

time_t
deliver_next_wake(void)
{
	return dl.wake;
}

void
deliver_stop(void)
{
	dl.stopping = true;
	deliver_unready_all();
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
		transfer_remove(j->t.easy);
		TAILQ_REMOVE(&dl.jobs, j, entry);
		deliver_job_free(j);
	}
	dl.njobs = 0;
	deliver_unready_all();
	deliver_flush();
	while ((j = TAILQ_FIRST(&dl.done)) != NULL) {
		log_warnx(
		    "the outcome of %s%s to %s could not be recorded: it "
		    "stays queued and may be sent again at the next start",
		    j->whats[0], j->nalerts > 1 ? " and more" : "",
		    j->receiver);
		TAILQ_REMOVE(&dl.done, j, entry);
		deliver_job_free(j);
	}
	for (size_t i = 0; i < dl.nlanes; i++) {
		free(dl.lanes[i]->name);
		free(dl.lanes[i]);
	}
	free(dl.lanes);
	dl.lanes = NULL;
	dl.nlanes = 0;
	transfer_shutdown();
	if (dl.write_timer != NULL)
		event_free(dl.write_timer);
	if (dl.hold_timer != NULL)
		event_free(dl.hold_timer);
	dl.hold_timer = NULL;
	rate_free();
	free(dl.chans);
	dl.chans = NULL;
	dl.write_timer = NULL;
}

int
deliver_test(const struct receiver *r, char *result, size_t len)
{
	char err[256] = "", desc[CURL_ERROR_SIZE + 320], tag[64];
	const struct channel *ch = channel_of(r);
	struct job *j;
	json_t *alerts;
	CURLcode rc;
	int status;

	j = deliver_job_new(r, ch);
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
	if (ch->instant) {
		log_info("%s", j->t.body);
		snprintf(result, len, "written to the log");
		deliver_job_free(j);
		return 0;
	}
	rc = curl_easy_perform(j->t.easy);
	status =
	    deliver_result(j, rc, desc, sizeof(desc)) == CHANNEL_SENT ? 0 : -1;
	snprintf(result, len, "%s", desc);
	deliver_job_free(j);
	return status;
}
