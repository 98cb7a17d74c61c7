/*
 * preview.c -- --preview: every alert the daemon would send in the next
 * days, without sending or changing anything.
 *
 * The preview is a dry run of the daemon itself, not a second copy of its
 * rules: it takes a private copy in memory of the outbox (outbox.h) and
 * runs the daemon's own planner (schedule.c) on it at each moment the
 * planner names, from now to the end of the period, as a daemon that
 * stayed up would.  What each pass queues, and what was already waiting
 * in the outbox, is taken as sent at the time it is due (every delivery
 * succeeding at its first try), so later passes see what the daemon would
 * then have seen.  Catch-up after downtime, routing, announcements and
 * the working-day rules of the reminders all come out as they will,
 * because they are the same code.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "list.h"
#include "log.h"
#include "message.h"
#include "outbox.h"
#include "preview.h"
#include "receiver.h"
#include "schedule.h"
#include "utf8.h"
#include "xmalloc.h"

#define PREVIEW_COLUMNS 6
#define PREVIEW_PAGE    1000 /* deliveries read from the outbox at once */

/* One alert to one receiver. */
struct preview_item {
	time_t when;
	size_t seq; /* the order found, to keep a stable order */
	char *receiver;
	char *alert_id;
	long long delivery; /* its id */
	char *payload;
};

/* The dry run. */
struct preview_run {
	const struct config *cfg;
	struct outbox *ob;
	time_t now;
	time_t end;       /* nothing at or after it is shown */
	const char *only; /* the --receiver, or NULL */
	struct preview_item *v;
	size_t n;
	size_t first; /* items before it are marked sent in the copy */
	struct outbox_cursor after; /* the last delivery taken */
};

/* outbox_due callback: note a delivery as going out. */
static int
preview_take(const struct outbox_pending *p, void *arg)
{
	struct preview_run *run = arg;
	struct preview_item *it;

	run->v = xreallocarray(run->v, run->n + 1, sizeof(*run->v));
	it = &run->v[run->n];
	it->when = p->at.next_try > run->now ? p->at.next_try : run->now;
	it->seq = run->n++;
	it->receiver = xstrdup(p->receiver);
	it->alert_id = xstrdup(p->alert_id);
	it->delivery = p->at.id;
	it->payload = xstrdup(p->payload);
	run->after = p->at;
	return 0;
}

/* Note every delivery of receiver r due before `before`; 0 or -1. */
static int
preview_take_receiver(struct preview_run *run, const struct receiver *r,
    time_t before)
{
	bool first = true;
	size_t had;

	do {
		had = run->n;
		if (outbox_due(run->ob, r->name, before - 1,
		        first ? NULL : &run->after, PREVIEW_PAGE, preview_take,
		        run) == -1)
			return -1;
		first = false;
	} while (run->n - had == PREVIEW_PAGE);
	return 0;
}

/* Take every delivery due before `before` (the next planning pass: the
 * daemon plans before it sends what falls due with it) as sent; 0 or -1. */
static int
preview_send_until(struct preview_run *run, time_t before)
{
	for (size_t i = 0; i < run->cfg->nreceivers; i++)
		if (preview_take_receiver(run, &run->cfg->receivers[i],
		        before) == -1)
			return -1;
	if (outbox_begin(run->ob) == -1)
		return -1;
	for (; run->first < run->n; run->first++) {
		struct preview_item *it = &run->v[run->first];

		if (outbox_mark_sent(run->ob, it->delivery, it->when, 0) ==
		    -1) {
			outbox_rollback(run->ob);
			return -1;
		}
	}
	return outbox_commit(run->ob);
}

/* Run the planner from now to the end, as the daemon would; 0 or -1. */
static int
preview_simulate(struct preview_run *run)
{
	time_t t = run->now, next;

	if (schedule_removed(run->cfg, run->ob, t, true) == -1)
		return -1;
	for (;;) {
		if ((next = schedule_plan(run->cfg, run->ob, t, true)) == -2)
			return -1;
		if (next == -1 || next >= run->end || next <= t) {
			/* What is still waiting goes out by the end. */
			return preview_send_until(run, run->end);
		}
		if (preview_send_until(run, next) == -1)
			return -1;
		t = next;
	}
}

static int
preview_cmp(const void *a, const void *b)
{
	const struct preview_item *x = a, *y = b;
	int c;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	if ((c = strcmp(x->receiver, y->receiver)) != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The string at path (two keys deep, or one when k2 is NULL) of obj, or
 * "". */
static const char *
preview_str(json_t *obj, const char *k1, const char *k2)
{
	json_t *v = json_object_get(obj, k1);
	const char *s;

	if (k2 != NULL)
		v = json_object_get(v, k2);
	s = json_string_value(v);
	return s != NULL ? s : "";
}

/* One item as a JSON object: at, receiver, kind, case, window, alert,
 * days_left, subject; NULL if its stored alert does not read. */
static json_t *
preview_item_json(const struct preview_run *run, const struct preview_item *it)
{
	const struct receiver *r = receiver_find(run->cfg, it->receiver);
	char at[CLOCK_RFC3339_BUFSZ], *subject;
	json_t *alert, *arr, *obj = NULL;

	if (r == NULL || (alert = json_loads(it->payload, 0, NULL)) == NULL)
		return NULL;
	if ((arr = json_array()) != NULL &&
	    json_array_append(arr, alert) == 0) {
		subject = message_subject(r, arr, false);
		obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O?, s:s}",
		    "at", clock_rfc3339(it->when, at), "receiver", it->receiver,
		    "kind", preview_str(alert, "kind", NULL), "case",
		    preview_str(alert, "case", "id"), "window",
		    preview_str(alert, "window", "name"), "alert", it->alert_id,
		    "days_left", json_object_get(alert, "days_left"), "subject",
		    subject);
		free(subject);
	}
	json_decref(arr);
	json_decref(alert);
	return obj;
}

/* The items to show, as a JSON array (NULL: no memory). */
static json_t *
preview_array(const struct preview_run *run)
{
	json_t *arr, *obj;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (size_t i = 0; i < run->n; i++) {
		const struct preview_item *it = &run->v[i];

		if (it->when >= run->end ||
		    (run->only != NULL && strcmp(run->only, it->receiver) != 0))
			continue;
		if ((obj = preview_item_json(run, it)) == NULL) {
			log_warnx("alert %s to %s: its stored text does not "
			          "read; left out",
			    it->alert_id, it->receiver);
			continue;
		}
		if (json_array_append_new(arr, obj) == -1) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* The cells of row i of arr (the head when i is 0). */
static void
preview_cells(json_t *arr, size_t i, const char **cell)
{
	static const char *head[PREVIEW_COLUMNS] = {"WHEN", "RECEIVER", "KIND",
	    "CASE", "WINDOW", "SUBJECT"};
	static const char *keys[PREVIEW_COLUMNS] = {"at", "receiver", "kind",
	    "case", "window", "subject"};
	json_t *obj;

	for (int k = 0; k < PREVIEW_COLUMNS; k++) {
		if (i == 0) {
			cell[k] = head[k];
			continue;
		}
		obj = json_array_get(arr, i - 1);
		cell[k] = preview_str(obj, keys[k], NULL);
		if (*cell[k] == '\0')
			cell[k] = "-";
	}
}

/* The table: one line per alert, padded by display width. */
static int
preview_table(json_t *arr, FILE *fp)
{
	size_t width[PREVIEW_COLUMNS] = {0}, w, n = json_array_size(arr);
	const char *cell[PREVIEW_COLUMNS];

	for (size_t i = 0; i <= n; i++) {
		preview_cells(arr, i, cell);
		for (int k = 0; k < PREVIEW_COLUMNS; k++)
			if ((w = utf8_width(cell[k])) > width[k])
				width[k] = w;
	}
	for (size_t i = 0; i <= n; i++) {
		preview_cells(arr, i, cell);
		for (int k = 0; k < PREVIEW_COLUMNS; k++)
			list_cell(fp, cell[k], width[k],
			    k == PREVIEW_COLUMNS - 1);
	}
	if (n == 0)
		fputs("(nothing to send)\n", fp);
	return ferror(fp) ? -1 : 0;
}

/* Free what the run collected and its outbox copy. */
static void
preview_free(struct preview_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		free(run->v[i].receiver);
		free(run->v[i].alert_id);
		free(run->v[i].payload);
	}
	free(run->v);
	outbox_close(run->ob);
}

int
preview_print(const struct config *cfg, time_t now, int days,
    const char *receiver, bool json, FILE *fp)
{
	struct preview_run run = {.cfg = cfg,
	    .now = now,
	    .end = now + (time_t)days * 86400,
	    .only = receiver};
	json_t *arr = NULL;
	int rc = -1;

	log_quiet(true); /* its notices concern the copy, not the receivers */
	run.ob = outbox_open_copy(cfg->state_dir);
	if (run.ob != NULL && preview_simulate(&run) == 0) {
		qsort(run.v, run.n, sizeof(*run.v), preview_cmp);
		if ((arr = preview_array(&run)) != NULL) {
			if (json)
				rc = json_dumpf(arr, fp, JSON_INDENT(2)) == 0 &&
				        fputc('\n', fp) != EOF
				    ? 0
				    : -1;
			else
				rc = preview_table(arr, fp);
		}
	}
	log_quiet(false);
	json_decref(arr);
	preview_free(&run);
	return rc;
}
