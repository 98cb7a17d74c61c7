/*
 * route.c -- who hears of an alert, and when overdue repeats pause.
 *
 * A receiver takes every kind of alert unless its `kinds` lists some;
 * what it does not take is never queued for it (no outbox row).  A
 * window's escalation steps (its own `escalate`, else the main file's)
 * add receivers to its overdue alerts once it has been overdue a number
 * of days; the planner tells them every later announcement of the
 * window as well, closing included, finding in the outbox who was
 * escalated to (the schema has no column for it: a step's receiver that
 * has a delivery of the window was escalated to).  A case's
 * `acknowledged` date pauses the overdue alerts of each of its windows
 * already overdue on that date for ack_days days.
 *
 * Pause and escalation are written on top of deadline_next_alert and
 * deadline_last_alert, so they follow whatever days those choose.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "receiver.h"
#include "route.h"

#define ROUTE_DAYS_MAX 3650 /* as config.c's limit on days */

/* The kinds a receiver may name, in enum alert_kind order. */
static const char route_kind_list[] =
    "reminder, due, overdue, opened, extended, closed, moved, removed";

/* The kind named name, or -1. */
static int
route_kind_parse(const char *name)
{
	for (int k = ALERT_REMINDER; k <= ALERT_REMOVED; k++)
		if (strcmp(deadline_kind_name((enum alert_kind)k), name) == 0)
			return k;
	return -1;
}

/* ": did you mean 'x'?" for the kind nearest to name, in buf; "" if
 * none is near. */
static const char *
route_kind_hint(const char *name, char *buf, size_t len)
{
	const char *kinds[ALERT_REMOVED - ALERT_REMINDER + 1];

	for (int k = ALERT_REMINDER; k <= ALERT_REMOVED; k++)
		kinds[k - ALERT_REMINDER] =
		    deadline_kind_name((enum alert_kind)k);
	return loader_suggest(name, kinds, sizeof(kinds) / sizeof(kinds[0]),
	    buf, len);
}

void
route_kinds(struct loader *ld, const config_setting_t *g, struct receiver *r,
    const char *what)
{
	config_setting_t *s = config_setting_get_member(g, "kinds");
	const char **names;
	char hint[64];
	size_t n;
	int k;

	r->kinds = ROUTE_KINDS_ALL;
	if (loader_strings(ld, g, "kinds", &names, &n) != 1)
		return;
	if (n == 0) {
		loader_error(ld, loader_line(ld, s),
		    "%s: 'kinds' is empty: it would get nothing (%s)", what,
		    route_kind_list);
		return;
	}
	r->kinds = 0;
	for (size_t i = 0; i < n; i++) {
		if ((k = route_kind_parse(names[i])) == -1)
			loader_error(ld, loader_line(ld, s),
			    "%s: unknown kind '%s' in 'kinds'%s (%s)", what,
			    names[i],
			    route_kind_hint(names[i], hint, sizeof(hint)),
			    route_kind_list);
		else
			r->kinds |= 1u << k;
	}
}

bool
route_takes(const struct receiver *r, enum alert_kind kind)
{
	return (r->kinds & (1u << kind)) != 0;
}

/* Read step number no (from 1) of an escalation from group g; prev is
 * the step before it, or NULL. */
static void
route_step(struct loader *ld, const config_setting_t *g,
    const struct escalate_step *prev, struct escalate_step *st, int no,
    const char *what)
{
	static const char *keys[] = {"overdue_days", "notify", NULL};
	const struct receiver *r;
	char where[160];
	int rc;

	st->line = loader_line(ld, g);
	snprintf(where, sizeof(where), "%s step %d", what, no);
	if (!config_setting_is_group(g)) {
		loader_error(ld, st->line,
		    "%s must be a group: { overdue_days = 3; notify = [ ... ]; "
		    "}",
		    where);
		return;
	}
	loader_check_keys(ld, g, keys, where);
	rc = loader_int(ld, g, "overdue_days", INT_MIN, ROUTE_DAYS_MAX,
	    &st->overdue_days);
	if (rc == 0)
		loader_error(ld, st->line, "%s has no 'overdue_days'", where);
	else if (rc == 1 && st->overdue_days < 1)
		loader_error(ld,
		    loader_line(ld,
		        config_setting_get_member(g, "overdue_days")),
		    "%s: 'overdue_days' must be at least 1 (days after the "
		    "deadline), not %d",
		    where, st->overdue_days);
	else if (rc == 1 && prev != NULL &&
	    st->overdue_days <= prev->overdue_days)
		loader_error(ld,
		    loader_line(ld,
		        config_setting_get_member(g, "overdue_days")),
		    "%s: 'overdue_days' (%d) must be more than step %d's (%d)",
		    where, st->overdue_days, no - 1, prev->overdue_days);
	if ((rc = receiver_notify(ld, g, &st->notify, &st->nnotify)) == 0)
		loader_error(ld, st->line, "%s has no 'notify' receivers",
		    where);
	for (size_t i = 0; rc == 1 && i < st->nnotify; i++) {
		r = &ld->cfg->receivers[st->notify[i]];
		if (!route_takes(r, ALERT_OVERDUE))
			loader_error(ld,
			    loader_line(ld,
			        config_setting_get_member(g, "notify")),
			    "%s: receiver '%s' does not take overdue alerts "
			    "(its "
			    "'kinds'), and escalation sends only those",
			    where, r->name);
	}
}

/* Read the escalate list s into e; what names it in errors. */
static void
route_escalation(struct loader *ld, const config_setting_t *s,
    struct escalation *e, const char *what)
{
	int n;

	if (!config_setting_is_list(s)) {
		loader_error(ld, loader_line(ld, s),
		    "%s must be a list: escalate = ( { overdue_days = 3; "
		    "notify = [ \"...\" ]; } );",
		    what);
		return;
	}
	n = config_setting_length(s);
	e->steps = loader_alloc(ld, (size_t)n + 1, sizeof(*e->steps));
	e->nsteps = (size_t)n;
	for (int i = 0; i < n; i++)
		route_step(ld, config_setting_get_elem(s, (unsigned)i),
		    i > 0 ? &e->steps[i - 1] : NULL, &e->steps[i], i + 1, what);
}

/* The day after its deadline of a window's last overdue alert. */
static int
route_last_overdue(const struct reminders *rem)
{
	if (rem->overdue_every == 0 || rem->overdue_max < 1)
		return 1;
	return 1 +
	    (rem->overdue_max - 1) / rem->overdue_every * rem->overdue_every;
}

/* Warn about the steps of window w that no overdue alert reaches. */
static void
route_unreached(struct loader *ld, const struct window_def *w)
{
	const struct escalate_step *st;
	int last = route_last_overdue(&w->reminders);

	for (size_t i = 0; i < w->escalate.nsteps; i++) {
		st = &w->escalate.steps[i];
		if (st->overdue_days > last)
			loader_warning(ld, st->line,
			    "window '%s': escalate step %zu (overdue_days = "
			    "%d) is never reached: its last overdue alert "
			    "goes out %d day%s after the deadline "
			    "(reminders.overdue_every, overdue_max)",
			    w->name, i + 1, st->overdue_days, last,
			    last == 1 ? "" : "s");
	}
}

void
route_escalate_load(struct loader *ld, const config_setting_t *root)
{
	struct config *cfg = ld->cfg;
	config_setting_t *s, *ws = config_setting_get_member(root, "windows");
	config_setting_t *g;
	char what[160];

	if ((s = config_setting_get_member(root, "escalate")) != NULL)
		route_escalation(ld, s, &cfg->escalate, "escalate");
	for (size_t k = 0; k < cfg->nwindows; k++) {
		struct window_def *w = &cfg->windows[k];

		w->escalate = cfg->escalate;
		g = ws != NULL && config_setting_is_group(ws)
		    ? config_setting_get_elem(ws, (unsigned)k)
		    : NULL;
		if (g != NULL && config_setting_is_group(g) &&
		    (s = config_setting_get_member(g, "escalate")) != NULL) {
			snprintf(what, sizeof(what), "window '%s': escalate",
			    w->name);
			w->escalate = (struct escalation){NULL, 0};
			route_escalation(ld, s, &w->escalate, what);
		}
		route_unreached(ld, w);
	}
}

void
route_ack_load(struct loader *ld, const config_setting_t *g,
    struct case_info *c, const char *what)
{
	config_setting_t *s = config_setting_get_member(g, "acknowledged");
	struct case_extra *x;

	if (s == NULL &&
	    config_setting_get_member(g, "acknowledged_by") == NULL)
		return;
	x = loader_case_extra(ld, c);
	if (s != NULL) {
		x->acknowledged_line = loader_line(ld, s);
		x->acknowledged = loader_date(ld, s, "'acknowledged'",
		                      &x->acknowledged_on) == 0;
	}
	if (loader_string(ld, g, "acknowledged_by", &x->acknowledged_by) == 1 &&
	    s == NULL)
		loader_error(ld,
		    loader_line(ld,
		        config_setting_get_member(g, "acknowledged_by")),
		    "%s: 'acknowledged_by' without 'acknowledged' (the date)",
		    what);
}

size_t
route_steps_reached(const struct escalation *e, int overdue_days)
{
	size_t n = 0;

	while (n < e->nsteps && e->steps[n].overdue_days <= overdue_days)
		n++;
	return n;
}

/* Append receiver index r to out[0..*n) unless there or not taking
 * kind. */
static void
route_add(const struct config *cfg, size_t r, enum alert_kind kind, size_t *out,
    size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		if (out[i] == r)
			return;
	if (route_takes(&cfg->receivers[r], kind))
		out[(*n)++] = r;
}

size_t
route_receivers(const struct config *cfg, const struct case_info *c,
    const struct window_def *w, enum alert_kind kind, int overdue_days,
    bool all_steps, size_t *out, size_t *nbase)
{
	size_t nb, n = 0, steps;
	const size_t *base = config_case_notify(cfg, c, &nb);

	for (size_t i = 0; i < nb; i++)
		route_add(cfg, base[i], kind, out, &n);
	*nbase = n;
	if (all_steps)
		steps = w->escalate.nsteps;
	else if (kind == ALERT_OVERDUE)
		steps = route_steps_reached(&w->escalate, overdue_days);
	else
		steps = 0;
	for (size_t s = 0; s < steps; s++)
		for (size_t i = 0; i < w->escalate.steps[s].nnotify; i++)
			route_add(cfg, w->escalate.steps[s].notify[i], kind,
			    out, &n);
	return n;
}

void
route_ack(const struct case_info *c, const struct reminders *rem,
    struct window_state *ws)
{
	const struct case_extra *x = c->extra;
	int days = rem->ack_days > 0 ? rem->ack_days : ROUTE_ACK_DAYS;

	ws->acked =
	    x != NULL && x->acknowledged && ws->deadline < x->acknowledged_on;
	ws->ack_from = ws->acked ? x->acknowledged_on : 0;
	ws->ack_until = ws->acked ? x->acknowledged_on + days - 1 : 0;
	ws->ack_by = ws->acked ? x->acknowledged_by : NULL;
}

/* True if alert a is an overdue alert the acknowledgement pauses. */
static bool
route_paused(const struct window_state *ws, const struct timed_alert *a)
{
	return ws->acked && a->kind == ALERT_OVERDUE &&
	    a->day >= ws->ack_from && a->day <= ws->ack_until;
}

bool
route_next_alert(const struct window_state *ws, const struct reminders *rem,
    date_t from, struct timed_alert *out)
{
	if (!deadline_next_alert(ws, rem, from, out))
		return false;
	if (!route_paused(ws, out))
		return true;
	return deadline_next_alert(ws, rem, ws->ack_until + 1, out);
}

bool
route_last_alert(const struct window_state *ws, const struct reminders *rem,
    date_t upto, struct timed_alert *out)
{
	if (!deadline_last_alert(ws, rem, upto, out))
		return false;
	return !route_paused(ws, out);
}
