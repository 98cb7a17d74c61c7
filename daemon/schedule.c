/*
 * schedule.c -- planning which alerts are due.
 *
 * Timed alerts are not stored ahead: each pass computes, for every open
 * window, the latest timed alert due by now and queues it for each
 * receiver that does not have it yet.  Run on time, that is the alert
 * just due; run after downtime, it is the most recent one missed; run
 * again, it queues nothing.  The pass is a full scan of the cases, which
 * is cheap next to what it replaces: a stored schedule that every reload
 * would have to reconcile.
 */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "log.h"
#include "schedule.h"
#include "window.h"

/* One pass: the configuration, the outbox and the moment. */
struct schedule_pass {
	const struct config *cfg;
	struct outbox *ob;
	time_t now;
	date_t today;
	bool due_today; /* today's timed alerts are due */
	bool group;     /* hold announcements for group_wait */
	int failed;
	size_t queued;
};

/* The receivers of a case. */
static const size_t *
schedule_receivers(const struct schedule_pass *p, const struct case_info *c,
    size_t *n)
{
	if (c->nnotify > 0) {
		*n = c->nnotify;
		return c->notify;
	}
	*n = p->cfg->nnotify;
	return p->cfg->notify;
}

/* Queue an alert about window w of case c for each of its receivers. */
static void
schedule_queue(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws,
    enum alert_kind kind, int occurrence, time_t due_at)
{
	char id[ALERT_ID_LEN + 1];
	const struct receiver *r;
	const size_t *rcv;
	json_t *payload = NULL;
	char *text = NULL;
	time_t not_before;
	size_t n;
	int rc;

	alert_id(c->id, w->name, kind, ws->deadline, occurrence, id);
	rcv = schedule_receivers(p, c, &n);
	for (size_t i = 0; i < n && !p->failed; i++) {
		r = &p->cfg->receivers[rcv[i]];
		if ((rc = outbox_has(p->ob, id, r->name)) != 0) {
			p->failed |= rc == -1;
			continue;
		}
		if (text == NULL) {
			payload = alert_payload(id, kind, c, w, ws, p->today);
			if ((text = json_dumps(payload, JSON_COMPACT)) == NULL)
				fatalx("json_dumps: alert %s", id);
		}
		/* Announcements come in bursts (a first start, a reload):
		 * held for group_wait, they go out together as digests.  A
		 * timed alert is never held back. */
		not_before = p->now;
		if (p->group && kind >= ALERT_OPENED)
			not_before += r->group_wait;
		if (outbox_add(p->ob, id, c->id, w->name,
		        deadline_kind_name(kind), due_at, text, r->name, p->now,
		        not_before) == -1)
			p->failed = 1;
		else {
			p->queued++;
			log_debug("queued %s %s/%s for %s",
			    deadline_kind_name(kind), c->id, w->name, r->name);
		}
	}
	free(text);
	json_decref(payload);
}

/* A closed window never alerts again, and a moved deadline makes its old
 * reminders wrong: drop those still waiting (a receiver that was down). */
static void
schedule_cancel(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const char *why)
{
	int n;

	if ((n = outbox_cancel_timed(p->ob, c->id, w->name, why)) == -1)
		p->failed = 1;
	else if (n > 0)
		log_info("cancelled %d waiting alert%s for case %s window %s: "
		         "%s",
		    n, n == 1 ? "" : "s", c->id, w->name, why);
}

/* Compare a window with what the outbox last recorded of it and queue
 * opened, extended or closed. */
static void
schedule_changes(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws)
{
	struct outbox_window prev, cur = {ws->opened, ws->deadline, ws->closed};
	int found;

	if ((found = outbox_window_get(p->ob, c->id, w->name, &prev)) == -1) {
		p->failed = 1;
		return;
	}
	if (found && prev.opened == cur.opened &&
	    prev.deadline == cur.deadline && prev.closed == cur.closed)
		return;
	if (!found || prev.closed) {
		/* A window first seen closed is recorded without a word. */
		if (!ws->closed)
			schedule_queue(p, c, w, ws, ALERT_OPENED, 0, p->now);
	} else if (ws->closed) {
		schedule_cancel(p, c, w, "the window closed before delivery");
		schedule_queue(p, c, w, ws, ALERT_CLOSED, 0, p->now);
	} else if (prev.deadline != cur.deadline) {
		schedule_cancel(p, c, w, "the deadline moved before delivery");
		schedule_queue(p, c, w, ws, ALERT_EXTENDED, 0, p->now);
	}
	if (!p->failed && outbox_window_put(p->ob, c->id, w->name, &cur) == -1)
		p->failed = 1;
}

/* Queue the latest timed alert of an open window due by now.  A catch-up
 * from an earlier day is left out when the window has an alert of its
 * own later today: that one says the same, and says it as of today. */
static void
schedule_due(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws)
{
	struct timed_alert a, later;
	date_t upto;

	upto = p->due_today ? p->today : p->today - 1;
	if (!deadline_last_alert(ws, &w->reminders, upto, &a))
		return;
	if (a.day < p->today && !p->due_today &&
	    deadline_next_alert(ws, &w->reminders, p->today, &later) &&
	    later.day == p->today)
		return;
	schedule_queue(p, c, w, ws, a.kind, a.occurrence,
	    window_alert_time(p->cfg, a.day));
}

/* When the next timed alert of an open window falls after now, or -1. */
static time_t
schedule_next(const struct schedule_pass *p, const struct window_def *w,
    const struct window_state *ws)
{
	struct timed_alert a;
	date_t from;

	from = p->due_today ? p->today + 1 : p->today;
	if (!deadline_next_alert(ws, &w->reminders, from, &a))
		return -1;
	return window_alert_time(p->cfg, a.day);
}

time_t
schedule_plan(const struct config *cfg, struct outbox *ob, time_t now,
    bool group)
{
	struct schedule_pass p = {.cfg = cfg,
	    .ob = ob,
	    .now = now,
	    .group = group};
	struct window_state ws;
	time_t next = -1, t;

	p.due_today = window_alerts_due_today(cfg, now, &p.today);
	if (outbox_begin(ob) == -1)
		return -2;
	for (size_t i = 0; i < cfg->ncases && !p.failed; i++) {
		const struct case_info *c = &cfg->cases[i];

		for (size_t k = 0; k < cfg->nwindows && !p.failed; k++) {
			const struct window_def *w = &cfg->windows[k];

			if (!window_state(cfg, c, w, &ws))
				continue;
			schedule_changes(&p, c, w, &ws);
			if (ws.closed)
				continue;
			schedule_due(&p, c, w, &ws);
			if ((t = schedule_next(&p, w, &ws)) != -1 &&
			    (next == -1 || t < next))
				next = t;
		}
	}
	if (p.failed) {
		outbox_rollback(ob);
		return -2;
	}
	if (outbox_commit(ob) == -1)
		return -2;
	if (p.queued > 0)
		log_debug("planned: %zu deliveries queued", p.queued);
	return next;
}
