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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "alert.h"
#include "log.h"
#include "receiver.h"
#include "route.h"
#include "schedule.h"
#include "silence.h"
#include "window.h"
#include "xmalloc.h"

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
	const struct silence *silence; /* covers the timed alert queued */
	bool *waiting; /* by receiver: had deliveries waiting as it began */
	int announced; /* the kind announced of the window planned, or -1 */
};

/* A pass over cfg and ob at now: today, and whether today's timed
 * alerts are due. */
static struct schedule_pass
schedule_pass_at(const struct config *cfg, struct outbox *ob, time_t now,
    bool group)
{
	struct schedule_pass p = {.cfg = cfg,
	    .ob = ob,
	    .now = now,
	    .group = group,
	    .announced = -1};

	p.due_today = window_alerts_due_today(cfg, now, &p.today);
	return p;
}

/* Who hears of one alert (route_receivers), and which of those the
 * escalation adds had heard of the window before. */
struct schedule_route {
	const struct config *cfg;
	size_t *rcv;
	size_t n, nbase;
	bool *heard; /* by index into rcv */
};

/* outbox_window_receivers callback: mark a receiver that heard. */
static int
schedule_heard_cb(const char *name, void *arg)
{
	struct schedule_route *rt = arg;

	for (size_t i = rt->nbase; i < rt->n; i++)
		if (strcmp(rt->cfg->receivers[rt->rcv[i]].name, name) == 0)
			rt->heard[i] = true;
	return 0;
}

/* Look up which of the escalated receivers of rt heard of the window:
 * were sent an alert of it.  One that was only queued one (it was down,
 * then the alert was superseded or cancelled) has not heard, so its next
 * alert is still the first it gets, marked as such. */
static void
schedule_heard(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, struct schedule_route *rt)
{
	if (rt->n > rt->nbase &&
	    outbox_window_receivers(p->ob, c->id, w->name, true,
	        schedule_heard_cb, rt) == -1)
		p->failed = 1;
}

/* The receivers of an alert of kind about window w of case c, overdue
 * overdue_days days on its day.  An announcement goes to the escalated
 * receivers that heard of the window only (they were escalated to); for
 * a timed alert, schedule_heard is left to when its payload is made.
 * Free with schedule_route_free. */
static void
schedule_route(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, enum alert_kind kind, int overdue_days,
    struct schedule_route *rt)
{
	size_t k = 0;

	rt->cfg = p->cfg;
	rt->rcv = xcalloc(p->cfg->nreceivers + 1, sizeof(*rt->rcv));
	rt->heard = xcalloc(p->cfg->nreceivers + 1, sizeof(*rt->heard));
	rt->n = route_receivers(p->cfg, c, w, kind, overdue_days,
	    kind >= ALERT_OPENED, rt->rcv, &rt->nbase);
	if (kind < ALERT_OPENED)
		return;
	schedule_heard(p, c, w, rt);
	for (size_t i = 0; i < rt->n; i++)
		if (i < rt->nbase || rt->heard[i]) {
			rt->rcv[k] = rt->rcv[i];
			rt->heard[k++] = rt->heard[i];
		}
	rt->n = k;
}

static void
schedule_route_free(struct schedule_route *rt)
{
	free(rt->rcv);
	free(rt->heard);
}

/* Add to an overdue alert's payload what its escalation says: the
 * highest step reached, since when the window is overdue, the receivers
 * escalated to and those told for the first time. */
static void
schedule_escalation(const struct schedule_route *rt, const struct window_def *w,
    const struct window_state *ws, int overdue_days, json_t *payload)
{
	size_t step = route_steps_reached(&w->escalate, overdue_days);
	json_t *esc, *to, *first;
	char since[DATE_BUFSZ];

	if (rt->n == rt->nbase || step == 0)
		return;
	to = json_array();
	first = json_array();
	for (size_t i = rt->nbase; i < rt->n && to != NULL && first != NULL;
	     i++) {
		const char *name = rt->cfg->receivers[rt->rcv[i]].name;

		if (json_array_append_new(to, json_string(name)) == -1 ||
		    (!rt->heard[i] &&
		        json_array_append_new(first, json_string(name)) == -1))
			fatalx("json: escalation");
	}
	esc = json_pack("{s:i, s:i, s:s, s:o, s:o}", "step", (int)step,
	    "overdue_days", w->escalate.steps[step - 1].overdue_days,
	    "overdue_since", date_format(ws->deadline + 1, since), "receivers",
	    to, "first", first);
	if (esc == NULL ||
	    json_object_set_new(payload, "escalation", esc) == -1)
		fatalx("json: escalation");
}

/* A timed alert supersedes the older ones of its window still waiting
 * for receiver r (it was down): one message says where the window
 * stands today. */
static void
schedule_supersede(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct receiver *r, const char *id,
    enum alert_kind kind)
{
	char why[128];
	int n;

	snprintf(why, sizeof(why), "superseded by the %s alert of %s",
	    deadline_kind_name(kind), c->id);
	if ((n = outbox_supersede(p->ob, c->id, w->name, r->name, id, why)) ==
	    -1)
		p->failed = 1;
	else if (n > 0)
		log_info("%d waiting alert%s for case %s window %s to %s "
		         "superseded by its %s alert",
		    n, n == 1 ? "" : "s", c->id, w->name, r->name,
		    deadline_kind_name(kind));
}

/* If the window's last timed alert for receiver r was silenced, this
 * timed alert is the first after the silence and says so in its payload
 * ("silenced": the silence that ended): that stored alert (malloc'd),
 * else NULL. */
static char *
schedule_resumed(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct receiver *r)
{
	char *stored = NULL;

	if (outbox_last_silenced(p->ob, c->id, w->name, r->name, &stored) == -1)
		p->failed = 1;
	return stored;
}

/* What the payload of an alert says of silences, for its first
 * receiver: the silence that covers it, or the one that just ended
 * before it (resumed: the stored alert silenced last, or NULL). */
static void
schedule_silence_payload(const struct schedule_pass *p, const char *resumed,
    json_t *payload)
{
	json_t *old, *sil;

	if (p->silence != NULL)
		json_object_set_new(payload, "silenced",
		    silence_json(p->silence));
	else if (resumed != NULL &&
	    (old = json_loads(resumed, 0, NULL)) != NULL) {
		if ((sil = json_object_get(old, "silenced")) != NULL)
			json_object_set(payload, "silenced", sil);
		json_decref(old);
	}
}

/* A window silenced today: its timed alerts still waiting for a
 * receiver (queued before the silence) are held back too. */
static void
schedule_hold(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w)
{
	const struct silence *s;
	char note[512];
	int n;

	if ((s = silence_find(c, w, p->today)) == NULL)
		return;
	silence_note(s, note, sizeof(note));
	if ((n = outbox_silence_waiting(p->ob, c->id, w->name, note)) == -1)
		p->failed = 1;
	else if (n > 0)
		log_info(
		    "%d waiting alert%s for case %s window %s not sent: %s", n,
		    n == 1 ? "" : "s", c->id, w->name, note);
}

/* A timed alert just queued for r under a silence: record it as
 * silenced, with the silence, instead of sending it. */
static void
schedule_silenced(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct receiver *r, const char *id,
    enum alert_kind kind)
{
	char note[512];

	silence_note(p->silence, note, sizeof(note));
	if (outbox_mark_silenced(p->ob, id, r->name, note) == -1) {
		p->failed = 1;
		return;
	}
	log_info("%s for case %s window %s to %s not sent: %s",
	    deadline_kind_name(kind), c->id, w->name, r->name, note);
}

/* Queue an alert about window w of case c for each of its receivers;
 * occurrence is the day count of a timed alert, the window's revision
 * for an announcement (so that each real change has its own id). */
/* How long a new alert of kind waits for r.  Announcements come in
 * bursts (a first start, a reload): held for group_wait, they go out
 * together as digests.  A timed alert is not held back, except behind
 * the announcement of its window that this pass queued for r: the
 * catch-up of a first start must not tell a receiver a window is
 * overdue before it has heard the window opened. */
static time_t
schedule_hold_for(const struct schedule_pass *p, const struct receiver *r,
    enum alert_kind kind)
{
	if (!p->group)
		return 0;
	if (kind >= ALERT_OPENED ||
	    (p->announced != -1 &&
	        route_takes(r, (enum alert_kind)p->announced)))
		return r->group_wait;
	return 0;
}

/* The text of an alert of window w of case c for its first receiver r:
 * alert_payload's object with what it says of the escalation (an
 * overdue alert) and of silences, dumped; written directly (alert_text)
 * when none of those add to it, as in most of a burst. */
static char *
schedule_text(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws,
    const struct receiver *r, enum alert_kind kind, const char *id,
    const struct alert_change *chg, struct schedule_route *rt, int overdue_days)
{
	char *resumed = NULL, *text = NULL;
	json_t *payload;
	bool escalates = kind == ALERT_OVERDUE && rt->n > rt->nbase &&
	    route_steps_reached(&w->escalate, overdue_days) > 0;

	if (p->silence == NULL && kind < ALERT_OPENED)
		resumed = schedule_resumed(p, c, w, r);
	if (chg == NULL && p->silence == NULL && resumed == NULL && !escalates)
		text = alert_text(id, kind, c, w, ws, p->today);
	if (text == NULL) {
		payload = alert_payload(id, kind, c, w, ws, p->today, chg);
		if (escalates) {
			schedule_heard(p, c, w, rt);
			schedule_escalation(rt, w, ws, overdue_days, payload);
		}
		schedule_silence_payload(p, resumed, payload);
		if ((text = json_dumps(payload, JSON_COMPACT)) == NULL)
			fatalx("json_dumps: alert %s", id);
		json_decref(payload);
	}
	free(resumed);
	return text;
}

static void
schedule_queue(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws,
    enum alert_kind kind, int occurrence, time_t due_at,
    const struct alert_change *chg, int overdue_days)
{
	char id[ALERT_ID_LEN + 1];
	const struct receiver *r;
	struct schedule_route rt;
	char *text = NULL;
	time_t not_before;
	int rc;

	alert_id(c->id, w->name, kind, ws->deadline, occurrence, id);
	schedule_route(p, c, w, kind, overdue_days, &rt);
	for (size_t i = 0; i < rt.n && !p->failed; i++) {
		r = &p->cfg->receivers[rt.rcv[i]];
		if ((rc = outbox_has(p->ob, id, r->name)) != 0) {
			p->failed |= rc == -1;
			continue;
		}
		if (text == NULL)
			text = schedule_text(p, c, w, ws, r, kind, id, chg, &rt,
			    overdue_days);
		if (kind < ALERT_OPENED &&
		    (p->waiting == NULL || p->waiting[rt.rcv[i]]))
			schedule_supersede(p, c, w, r, id, kind);
		not_before = p->now + schedule_hold_for(p, r, kind);
		if (p->failed ||
		    (rc = outbox_add(p->ob, id, c->id, w->name,
		         deadline_kind_name(kind), due_at, text, r->name,
		         p->now, not_before)) == -1)
			p->failed = 1;
		else if (rc == 1 && p->silence != NULL)
			schedule_silenced(p, c, w, r, id, kind);
		else {
			p->queued++;
			log_debug("queued %s %s/%s for %s",
			    deadline_kind_name(kind), c->id, w->name, r->name);
		}
	}
	free(text);
	schedule_route_free(&rt);
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

/* What the outbox is to record of a window as it now stands. */
static void
schedule_window_now(const struct window_state *ws, struct outbox_window *cur)
{
	memset(cur, 0, sizeof(*cur));
	cur->opened = ws->opened;
	cur->deadline = ws->deadline;
	cur->closed = ws->closed;
	cur->extended = ws->extended;
	if (ws->closed) {
		snprintf(cur->closed_by, sizeof(cur->closed_by), "%s",
		    ws->closed_by != NULL ? ws->closed_by : "");
		cur->closed_on = ws->closed_on;
	}
}

/* True if the outbox's record of a window says all that cur says. */
static bool
schedule_same(const struct outbox_window *prev, const struct outbox_window *cur)
{
	if (prev->removed || prev->opened != cur->opened ||
	    prev->deadline != cur->deadline || prev->closed != cur->closed ||
	    prev->extended != cur->extended)
		return false;
	return !cur->closed ||
	    (prev->closed_on == cur->closed_on &&
	        strcmp(prev->closed_by, cur->closed_by) == 0);
}

/* Announce a closed window, naming the windows its closing event opens
 * (the police decided not to file: the reasons window starts). */
static void
schedule_closed(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws, int revision)
{
	const struct window_def **fu;
	struct alert_change chg = {0};

	fu = xcalloc(p->cfg->nwindows + 1, sizeof(*fu));
	for (size_t k = 0; k < p->cfg->nwindows && ws->closed_by != NULL; k++)
		if (p->cfg->windows[k].opens != NULL &&
		    strcmp(p->cfg->windows[k].opens, ws->closed_by) == 0)
			fu[chg.nfollow_up++] = &p->cfg->windows[k];
	chg.follow_up = fu;
	schedule_cancel(p, c, w, "the window closed before delivery");
	schedule_queue(p, c, w, ws, ALERT_CLOSED, revision, p->now, &chg, 0);
	free(fu);
}

/* Announce a deadline that moved: later is an extension, earlier is a
 * move, never called an extension.  When neither the opening event nor
 * the extension changed, the holiday calendar did. */
static void
schedule_moved(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws,
    const struct outbox_window *prev, int revision)
{
	struct alert_change chg = {0};

	chg.has_previous = true;
	chg.previous_deadline = prev->deadline;
	chg.calendar =
	    prev->opened == ws->opened && prev->extended == (int)ws->extended;
	schedule_cancel(p, c, w, "the deadline moved before delivery");
	p->announced =
	    ws->deadline > prev->deadline ? ALERT_EXTENDED : ALERT_MOVED;
	schedule_queue(p, c, w, ws, (enum alert_kind)p->announced, revision,
	    p->now, &chg, 0);
}

/* Compare a window with what the outbox last recorded of it and announce
 * what changed: opened (or reopened), closed, extended or moved.  Each
 * announcement takes the window's next revision into its id, so that a
 * change undone and made again is announced again. */
static void
schedule_changes(struct schedule_pass *p, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws)
{
	struct outbox_window prev, cur;
	struct alert_change chg = {0};
	int found, rev;

	if ((found = outbox_window_get(p->ob, c->id, w->name, &prev)) == -1) {
		p->failed = 1;
		return;
	}
	schedule_window_now(ws, &cur);
	if (found && schedule_same(&prev, &cur))
		return;
	rev = found ? prev.revision + 1 : 0;
	cur.revision = found ? prev.revision : 0;
	if (!found || prev.removed || prev.closed) {
		/* A window first seen closed is recorded without a word. */
		if (!ws->closed) {
			chg.reopened = found && !prev.removed;
			schedule_queue(p, c, w, ws, ALERT_OPENED, rev, p->now,
			    &chg, 0);
			p->announced = ALERT_OPENED;
			cur.revision = rev;
		}
	} else if (ws->closed) {
		schedule_closed(p, c, w, ws, rev);
		cur.revision = rev;
	} else if (prev.deadline != cur.deadline) {
		schedule_moved(p, c, w, ws, &prev, rev);
		cur.revision = rev;
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
	if (!route_last_alert(ws, &w->reminders, upto, &a))
		return;
	if (a.day < p->today && !p->due_today &&
	    route_next_alert(ws, &w->reminders, p->today, &later) &&
	    later.day == p->today)
		return;
	/* Under a silence the alert is still queued, and recorded as
	 * silenced: the record shows what was not sent, and why. */
	p->silence = silence_find(c, w, a.day);
	schedule_queue(p, c, w, ws, a.kind, a.occurrence,
	    window_alert_time(p->cfg, a.day), NULL, a.day - ws->deadline);
	p->silence = NULL;
}

/* When the next timed alert of an open window falls after now, or -1. */
static time_t
schedule_next(const struct schedule_pass *p, const struct window_def *w,
    const struct window_state *ws)
{
	struct timed_alert a;
	date_t from;

	from = p->due_today ? p->today + 1 : p->today;
	if (!route_next_alert(ws, &w->reminders, from, &a))
		return -1;
	return window_alert_time(p->cfg, a.day);
}

/* Plan cases [from, to) in pass p; the earliest next timed alert is
 * min'd into *next. */
static void
schedule_plan_cases(struct schedule_pass *p, size_t from, size_t to,
    time_t *next)
{
	const struct config *cfg = p->cfg;
	struct window_state ws;
	time_t t;

	for (size_t i = from; i < to && !p->failed; i++) {
		const struct case_info *c = &cfg->cases[i];

		for (size_t k = 0; k < cfg->nwindows && !p->failed; k++) {
			const struct window_def *w = &cfg->windows[k];

			if (!window_state(cfg, c, w, &ws))
				continue;
			p->announced = -1;
			schedule_changes(p, c, w, &ws);
			if (ws.closed)
				continue;
			schedule_hold(p, c, w);
			schedule_due(p, c, w, &ws);
			if ((t = schedule_next(p, w, &ws)) != -1 &&
			    (*next == -1 || t < *next))
				*next = t;
		}
	}
}

/* Which receivers have deliveries waiting as the pass begins.  Only
 * those can have an older timed alert to supersede: in one pass a window
 * is queued one timed alert, after its supersede, and nothing else
 * writes the outbox until the pass commits. */
static void
schedule_waiting(struct schedule_pass *p)
{
	int rc;

	p->waiting = xcalloc(p->cfg->nreceivers + 1, sizeof(*p->waiting));
	for (size_t i = 0; i < p->cfg->nreceivers && !p->failed; i++) {
		rc = outbox_receiver_waiting(p->ob, p->cfg->receivers[i].name);
		p->failed |= rc == -1;
		p->waiting[i] = rc == 1;
	}
}

/* Plan cases [from, to) at now in one transaction; 0, or -2 when the
 * outbox refused it (nothing of it is kept). */
static int
schedule_plan_range(const struct config *cfg, struct outbox *ob, time_t now,
    bool group, size_t from, size_t to, time_t *next)
{
	struct schedule_pass p = schedule_pass_at(cfg, ob, now, group);

	if (outbox_begin_bulk(ob) == -1)
		return -2;
	schedule_waiting(&p);
	schedule_plan_cases(&p, from, to, next);
	free(p.waiting);
	if (p.failed) {
		outbox_rollback(ob);
		return -2;
	}
	if (outbox_commit(ob) == -1)
		return -2;
	if (p.queued > 0)
		log_debug("planned: %zu deliveries queued", p.queued);
	return 0;
}

time_t
schedule_plan(const struct config *cfg, struct outbox *ob, time_t now,
    bool group)
{
	time_t next = -1;

	if (schedule_plan_range(cfg, ob, now, group, 0, cfg->ncases, &next) ==
	    -2)
		return -2;
	return next;
}

int
schedule_plan_slice(const struct config *cfg, struct outbox *ob, time_t now,
    bool group, size_t *from, size_t n, time_t *next)
{
	size_t to = n < cfg->ncases - *from ? *from + n : cfg->ncases;

	if (*from >= cfg->ncases)
		return 0;
	if (schedule_plan_range(cfg, ob, now, group, *from, to, next) == -2)
		return -2;
	*from = to;
	return 0;
}

/* A window the outbox tracks that the configuration no longer has. */
struct schedule_gone {
	char *case_id;
	char *window;
	struct outbox_window w;
};

/* A sweep for windows no longer configured, in steps (schedule.h). */
struct schedule_sweep {
	const struct config *cfg;
	struct schedule_pass *p;       /* while the gone are removed */
	const struct case_info **byid; /* the cases, sorted by id */
	long long after;               /* the last window checked */
	struct schedule_gone *gone;
	size_t ngone;
	struct schedule_gone *cur; /* the one being announced */
	char *text;                /* its removed alert */
	size_t told;
};

static int
schedule_case_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct case_info *const *)a)->id,
	    (*(const struct case_info *const *)b)->id);
}

static int
schedule_case_key(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct case_info *const *)elem)->id);
}

/* True if case_id still has window `window` in the configuration, open
 * or closed. */
static bool
schedule_configured(const struct schedule_sweep *sw, const char *case_id,
    const char *window)
{
	const struct config *cfg = sw->cfg;
	const struct case_info *const *c;
	struct window_state ws;

	c = bsearch(case_id, sw->byid, cfg->ncases, sizeof(*sw->byid),
	    schedule_case_key);
	if (c == NULL)
		return false;
	for (size_t k = 0; k < cfg->nwindows; k++)
		if (strcmp(cfg->windows[k].name, window) == 0)
			return window_state(cfg, *c, &cfg->windows[k], &ws);
	return false;
}

/* outbox_windows_live callback: note a window that is gone. */
static int
schedule_gone_cb(const char *case_id, const char *window,
    const struct outbox_window *w, void *arg)
{
	struct schedule_sweep *sw = arg;
	struct schedule_gone *g;

	if (schedule_configured(sw, case_id, window))
		return 0;
	sw->gone = xreallocarray(sw->gone, sw->ngone + 1, sizeof(*sw->gone));
	g = &sw->gone[sw->ngone++];
	g->case_id = xstrdup(case_id);
	g->window = xstrdup(window);
	g->w = *w;
	return 0;
}

/* The removed alert of g from the window's latest alert: its case and
 * window as last announced, as of today.  A new string, or NULL if the
 * stored alert cannot be read. */
static char *
schedule_removed_text(struct schedule_sweep *sw, const struct schedule_gone *g,
    const char *id)
{
	json_t *old, *obj;
	char *stored, *text = NULL;
	int rc;

	if ((rc = outbox_window_payload(sw->p->ob, g->case_id, g->window,
	         &stored)) != 1) {
		sw->p->failed |= rc == -1;
		return NULL;
	}
	old = json_loads(stored, 0, NULL);
	free(stored);
	if (old == NULL)
		return NULL;
	obj = json_pack("{s:s, s:s, s:i, s:O, s:O}", "id", id, "kind",
	    deadline_kind_name(ALERT_REMOVED), "days_left", 0, "case",
	    json_object_get(old, "case"), "window",
	    json_object_get(old, "window"));
	if (obj != NULL) {
		json_t *win = json_object_get(obj, "window");

		json_object_del(win, "previous_deadline");
		json_object_del(win, "closed_by");
		json_object_del(win, "closed_on");
		json_object_del(win, "follow_up");
		alert_refresh(obj, sw->p->today);
		text = json_dumps(obj, JSON_COMPACT);
	}
	json_decref(obj);
	json_decref(old);
	return text;
}

/* outbox_window_receivers callback: tell one receiver, if it is still
 * configured, that the window is no longer watched. */
static int
schedule_removed_to(const char *name, void *arg)
{
	struct schedule_sweep *sw = arg;
	struct schedule_pass *p = sw->p;
	const struct schedule_gone *g = sw->cur;
	const struct receiver *r;
	char id[ALERT_ID_LEN + 1];

	if ((r = receiver_find(p->cfg, name)) == NULL ||
	    !route_takes(r, ALERT_REMOVED))
		return 0;
	alert_id(g->case_id, g->window, ALERT_REMOVED, g->w.deadline,
	    g->w.revision + 1, id);
	if (outbox_add(p->ob, id, g->case_id, g->window,
	        deadline_kind_name(ALERT_REMOVED), p->now, sw->text, name,
	        p->now, p->now + (p->group ? r->group_wait : 0)) == -1) {
		p->failed = 1;
		return 1;
	}
	sw->told++;
	return 0;
}

/* Tell the admin receivers that a window is no longer watched; one
 * notice per removal (the window's revision is in its subject).  As
 * admin_notice. */
static int
schedule_removed_notice(struct schedule_pass *p, const struct schedule_gone *g)
{
	char subject[512], *text;
	json_t *details;
	int rc;

	snprintf(subject, sizeof(subject), "%s/%s#%d", g->case_id, g->window,
	    g->w.revision);
	xasprintf(&text,
	    "case %s window %s is no longer in the configuration: it is no "
	    "longer watched",
	    g->case_id, g->window);
	if ((details = json_pack("{s:s, s:s}", "case", g->case_id, "window",
	         g->window)) == NULL)
		fatalx("json_pack: removed notice");
	rc = admin_notice_details(p->ob, p->cfg, ADMIN_CASE_REMOVED, subject,
	    text, details, p->now);
	json_decref(details);
	free(text);
	return rc == -1 ? -1 : 0;
}

/* A window no longer configured: cancel what waits for it, tell whoever
 * heard of it (unless it had closed: then there is nothing to say), and
 * record it as removed. */
static void
schedule_remove(struct schedule_sweep *sw, struct schedule_gone *g)
{
	struct schedule_pass *p = sw->p;
	char id[ALERT_ID_LEN + 1];
	int n = 0;

	sw->cur = g;
	sw->told = 0;
	if (!g->w.closed) {
		if ((n = outbox_cancel_window(p->ob, g->case_id, g->window,
		         "the case is no longer in the configuration")) == -1) {
			p->failed = 1;
			return;
		}
		alert_id(g->case_id, g->window, ALERT_REMOVED, g->w.deadline,
		    g->w.revision + 1, id);
		if ((sw->text = schedule_removed_text(sw, g, id)) != NULL) {
			if (outbox_window_receivers(p->ob, g->case_id,
			        g->window, false, schedule_removed_to,
			        sw) == -1)
				p->failed = 1;
		} else if (!p->failed)
			log_warnx(
			    "case %s window %s: its last alert in the "
			    "outbox cannot be read; removed without a word",
			    g->case_id, g->window);
		free(sw->text);
		sw->text = NULL;
		g->w.revision++;
	}
	g->w.removed = true;
	if (p->failed ||
	    outbox_window_put(p->ob, g->case_id, g->window, &g->w) == -1) {
		p->failed = 1;
		return;
	}
	if (!g->w.closed && schedule_removed_notice(p, g) == -1) {
		p->failed = 1;
		return;
	}
	if (!g->w.closed)
		log_info("case %s window %s is no longer configured: no longer "
		         "watched; told %zu receiver%s, cancelled %d waiting "
		         "alert%s",
		    g->case_id, g->window, sw->told, sw->told == 1 ? "" : "s",
		    n, n == 1 ? "" : "s");
}

struct schedule_sweep *
schedule_sweep_new(const struct config *cfg)
{
	struct schedule_sweep *sw = xcalloc(1, sizeof(*sw));

	sw->cfg = cfg;
	sw->byid = xcalloc(cfg->ncases + 1, sizeof(*sw->byid));
	for (size_t i = 0; i < cfg->ncases; i++)
		sw->byid[i] = &cfg->cases[i];
	qsort(sw->byid, cfg->ncases, sizeof(*sw->byid), schedule_case_cmp);
	return sw;
}

int
schedule_sweep_step(struct schedule_sweep *sw, struct outbox *ob, size_t n)
{
	return outbox_windows_live(ob, &sw->after, n, schedule_gone_cb, sw);
}

int
schedule_sweep_finish(struct schedule_sweep *sw, struct outbox *ob, time_t now,
    bool group)
{
	struct schedule_pass p = schedule_pass_at(sw->cfg, ob, now, group);

	sw->p = &p;
	if (sw->ngone > 0 && outbox_begin(ob) == -1)
		p.failed = 1;
	for (size_t i = 0; i < sw->ngone && !p.failed; i++)
		schedule_remove(sw, &sw->gone[i]);
	if (sw->ngone > 0 && !p.failed && outbox_commit(ob) == -1)
		p.failed = 1;
	if (p.failed && sw->ngone > 0)
		outbox_rollback(ob);
	sw->p = NULL;
	return p.failed ? -1 : (int)sw->ngone;
}

void
schedule_sweep_free(struct schedule_sweep *sw)
{
	if (sw == NULL)
		return;
	for (size_t i = 0; i < sw->ngone; i++) {
		free(sw->gone[i].case_id);
		free(sw->gone[i].window);
	}
	free(sw->gone);
	free(sw->byid);
	free(sw);
}

int
schedule_removed(const struct config *cfg, struct outbox *ob, time_t now,
    bool group)
{
	struct schedule_sweep *sw = schedule_sweep_new(cfg);
	int rc;

	if ((rc = schedule_sweep_step(sw, ob, SIZE_MAX)) == 0)
		rc = schedule_sweep_finish(sw, ob, now, group);
	schedule_sweep_free(sw);
	return rc;
}
