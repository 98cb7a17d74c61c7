/*
 * history.c -- the --history report: the evidence of who was told what,
 * and when.
 *
 * The outbox holds every alert, every delivery and every attempt; the
 * configuration holds the case's events and the windows they open.  For
 * one case the timeline reads in order: the events, the windows, then
 * each alert as it was queued and each attempt to deliver it.  Without a
 * case every delivery of every case is listed, newest first.  Attempt
 * times are real time (kept so even under --now, which the record marks);
 * everything is shown in the configured zone.
 *
 * CSV starts with a UTF-8 byte order mark, which Excel needs to read the
 * Chinese in it, and quotes every field as RFC 4180 says.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "history.h"
#include "log.h"
#include "outbox.h"
#include "silence.h"
#include "window.h"
#include "xmalloc.h"

/* A copy of s, or NULL. */
static char *
history_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* outbox_history callback: copy one row. */
static int
history_collect(const struct outbox_history *h, void *arg)
{
	struct history_rows *rows = arg;
	struct history_row *r;

	rows->v = xreallocarray(rows->v, rows->n + 1, sizeof(*rows->v));
	r = &rows->v[rows->n++];
	r->case_id = history_dup(h->case_id);
	r->window = history_dup(h->window);
	r->kind = history_dup(h->kind);
	r->alert_id = history_dup(h->alert_id);
	r->receiver = history_dup(h->receiver);
	r->state = history_dup(h->state);
	r->why = history_dup(h->why);
	r->result = history_dup(h->result);
	r->detail = history_dup(h->detail);
	r->message = history_dup(h->message);
	r->subject = history_dup(h->subject);
	r->recipients = history_dup(h->recipients);
	r->message_id = history_dup(h->message_id);
	r->refused = history_dup(h->refused);
	r->queued = h->queued;
	r->has_attempt = h->has_attempt;
	r->started_ms = h->started_ms;
	r->duration_ms = h->duration_ms;
	r->clock_shift = h->clock_shift;
	r->status = h->status;
	return 0;
}

void
history_rows_free(struct history_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		struct history_row *r = &rows->v[i];

		free(r->case_id);
		free(r->window);
		free(r->kind);
		free(r->alert_id);
		free(r->receiver);
		free(r->state);
		free(r->why);
		free(r->result);
		free(r->detail);
		free(r->message);
		free(r->subject);
		free(r->recipients);
		free(r->message_id);
		free(r->refused);
	}
	free(rows->v);
}

/* Newest first: by when the alert was queued, then the attempt. */
static int
history_newest_first(const void *a, const void *b)
{
	const struct history_row *x = a, *y = b;

	if (x->queued != y->queued)
		return x->queued > y->queued ? -1 : 1;
	if (x->started_ms != y->started_ms)
		return x->started_ms > y->started_ms ? -1 : 1;
	return 0;
}

char *
history_when(const struct history_row *r, char *buf)
{
	return clock_rfc3339(r->has_attempt ? (time_t)(r->started_ms / 1000)
	                                    : r->queued,
	    buf);
}

/* What happened, in a few words. */
static const char *
history_what(const struct history_row *r)
{
	return r->has_attempt ? r->result : r->state;
}

/* s, or "". */
static const char *
history_s(const char *s)
{
	return s != NULL ? s : "";
}

/* The text report's case head: the case, its events and its windows. */
static void
history_text_case(const struct config *cfg, const struct case_info *c, FILE *fp)
{
	struct window_state ws;
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], d3[DATE_BUFSZ];

	fprintf(fp, "case %s%s%s%s%s\n", c->id, *c->title ? "  " : "", c->title,
	    *c->court ? "  " : "", c->court);
	for (size_t i = 0; i < c->nevents; i++)
		fprintf(fp, "  %s  recorded: %s\n",
		    date_format(c->events[i].date, d1), c->events[i].name);
	for (size_t k = 0; k < cfg->nwindows; k++) {
		if (!window_state(cfg, c, &cfg->windows[k], &ws))
			continue;
		fprintf(fp, "  window %s (%s): opened %s, %d days, deadline %s",
		    cfg->windows[k].name, cfg->windows[k].title,
		    date_format(ws.opened, d1), ws.days,
		    date_format(ws.deadline, d2));
		if (ws.closed)
			fprintf(fp, ", closed by %s on %s", ws.closed_by,
			    date_format(ws.closed_on, d3));
		fputc('\n', fp);
	}
	for (size_t i = 0; c->extra != NULL && i < c->extra->nsilences; i++) {
		const struct silence *s = c->extra->silences[i];

		fprintf(fp, "  silence of %s%s until %s: %s (%s:%d)\n",
		    s->window != NULL ? "window " : "every window",
		    s->window != NULL ? s->window : "",
		    date_format(s->until, d1), s->reason, s->file, s->line);
	}
}

/* One delivery or attempt as a line of text. */
static void
history_text_row(const struct history_row *r, bool with_case, FILE *fp)
{
	char when[CLOCK_RFC3339_BUFSZ];

	fprintf(fp, "  %s  ", history_when(r, when));
	if (with_case)
		fprintf(fp, "case %s ", r->case_id);
	fprintf(fp, "%s/%s to %s: %s", r->kind, r->window, r->receiver,
	    history_what(r));
	if (r->has_attempt) {
		fprintf(fp, " (%s, %lld ms, key %s)", history_s(r->detail),
		    r->duration_ms, history_s(r->message));
		if (r->refused != NULL)
			fprintf(fp, " [refused: %s]", r->refused);
		if (r->clock_shift != 0)
			fprintf(fp, " [--now run]");
	} else if (r->why != NULL)
		fprintf(fp, " (%s)", r->why);
	fputc('\n', fp);
}

/* Write s as one CSV field: quoted, quotes doubled. */
static void
history_csv_field(const char *s, bool last, FILE *fp)
{
	fputc('"', fp);
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputs(last ? "\"\r\n" : "\",", fp);
}

/* One CSV record of fields f[0..n). */
static void
history_csv(FILE *fp, const char *const *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		history_csv_field(f[i], i + 1 == n, fp);
}

/* A delivery or attempt as a CSV record. */
static void
history_csv_row(const struct history_row *r, FILE *fp)
{
	char when[CLOCK_RFC3339_BUFSZ], status[32] = "", ms[32] = "";
	const char *f[12];

	if (r->has_attempt) {
		snprintf(status, sizeof(status), "%ld", r->status);
		snprintf(ms, sizeof(ms), "%lld", r->duration_ms);
	}
	f[0] = r->case_id;
	f[1] = history_when(r, when);
	f[2] = r->has_attempt ? "attempt" : "delivery";
	f[3] = r->window;
	f[4] = r->kind;
	f[5] = r->receiver;
	f[6] = history_what(r);
	f[7] = status;
	f[8] = r->has_attempt ? r->detail : r->why;
	f[9] = ms;
	f[10] = r->has_attempt ? r->message : r->alert_id;
	f[11] = r->has_attempt ? r->refused : NULL;
	history_csv(fp, f, 12);
}

/* The CSV records of a configured case's events and windows. */
static void
history_csv_case(const struct config *cfg, const struct case_info *c, FILE *fp)
{
	struct window_state ws;
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], d3[DATE_BUFSZ] = "";
	const char *f[12] = {NULL};

	f[0] = c->id;
	for (size_t i = 0; i < c->nevents; i++) {
		f[1] = date_format(c->events[i].date, d1);
		f[2] = "event";
		f[4] = c->events[i].name;
		history_csv(fp, f, 12);
	}
	f[4] = NULL;
	for (size_t k = 0; k < cfg->nwindows; k++) {
		if (!window_state(cfg, c, &cfg->windows[k], &ws))
			continue;
		f[1] = date_format(ws.opened, d1);
		f[2] = "window";
		f[3] = cfg->windows[k].name;
		f[6] = ws.closed ? "closed" : "open";
		f[8] = date_format(ws.deadline, d2);
		f[10] = ws.closed ? ws.closed_by : NULL;
		if (ws.closed)
			date_format(ws.closed_on, d3);
		f[9] = ws.closed ? d3 : NULL;
		history_csv(fp, f, 12);
	}
}

/* The silences that cover a case, as JSON objects with until, reason,
 * the window (null: every window) and where each is written. */
static json_t *
history_json_silences(const struct case_info *c)
{
	json_t *list = json_array(), *o;

	for (size_t i = 0; c->extra != NULL && i < c->extra->nsilences; i++) {
		const struct silence *s = c->extra->silences[i];

		o = silence_json(s);
		json_object_set_new(o, "window",
		    s->window != NULL ? json_string(s->window) : json_null());
		json_object_set_new(o, "file", json_string(s->file));
		json_object_set_new(o, "line", json_integer(s->line));
		json_array_append_new(list, o);
	}
	return list;
}

/* A configured case's events and windows as JSON; a new reference. */
static json_t *
history_json_case(const struct config *cfg, const struct case_info *c)
{
	json_t *o, *events, *windows, *w;
	struct window_state ws;
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ];

	events = json_array();
	windows = json_array();
	for (size_t i = 0; i < c->nevents; i++)
		json_array_append_new(events,
		    json_pack("{s:s, s:s}", "name", c->events[i].name, "date",
		        date_format(c->events[i].date, d1)));
	for (size_t k = 0; k < cfg->nwindows; k++) {
		if (!window_state(cfg, c, &cfg->windows[k], &ws))
			continue;
		w = json_pack("{s:s, s:s, s:s, s:i, s:s, s:b}", "name",
		    cfg->windows[k].name, "title", cfg->windows[k].title,
		    "opened", date_format(ws.opened, d1), "days", ws.days,
		    "deadline", date_format(ws.deadline, d2), "closed",
		    ws.closed);
		if (ws.closed) {
			json_object_set_new(w, "closed_by",
			    json_string(ws.closed_by));
			json_object_set_new(w, "closed_on",
			    json_string(date_format(ws.closed_on, d1)));
		}
		json_array_append_new(windows, w);
	}
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", c->id, "title",
	    c->title, "court", c->court, "events", events, "windows", windows,
	    "silences", history_json_silences(c));
	if (o == NULL)
		fatalx("json_pack: history of %s", c->id);
	return o;
}

/* A delivery or attempt as JSON; a new reference. */
static json_t *
history_json_row(const struct history_row *r)
{
	char when[CLOCK_RFC3339_BUFSZ], queued[CLOCK_RFC3339_BUFSZ];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "case", r->case_id,
	    "window", r->window, "kind", r->kind, "alert", r->alert_id,
	    "receiver", r->receiver, "state", r->state, "queued",
	    clock_rfc3339(r->queued, queued));
	if (o == NULL)
		fatalx("json_pack: history row");
	if (r->why != NULL)
		json_object_set_new(o, "why", json_string(r->why));
	if (r->has_attempt)
		json_object_set_new(o, "attempt",
		    json_pack("{s:s, s:s, s:I, s:s, s:I, s:s, s:b}", "at",
		        history_when(r, when), "result", r->result, "status",
		        (json_int_t)r->status, "detail", history_s(r->detail),
		        "duration_ms", (json_int_t)r->duration_ms,
		        "idempotency_key", history_s(r->message), "now_run",
		        r->clock_shift != 0));
	if (r->has_attempt && r->message_id != NULL)
		json_object_update_new(json_object_get(o, "attempt"),
		    json_pack("{s:s, s:s?, s:s?}", "message_id", r->message_id,
		        "subject", r->subject, "recipients", r->recipients));
	if (r->has_attempt && r->refused != NULL)
		json_object_set_new(json_object_get(o, "attempt"), "refused",
		    json_string(r->refused));
	return o;
}

json_t *
history_json(const struct config *cfg, const char *case_id,
    const struct history_rows *rows)
{
	const struct case_info *c = config_case_find(cfg, case_id);
	json_t *list = json_array();

	for (size_t i = 0; i < rows->n; i++)
		json_array_append_new(list, history_json_row(&rows->v[i]));
	return json_pack("{s:o, s:o}", "case",
	    c != NULL ? history_json_case(cfg, c) : json_null(), "deliveries",
	    list);
}

/* Print the rows in the format asked for. */
static int
history_write(const struct config *cfg, const char *case_id,
    const struct history_rows *rows, enum history_format format, FILE *fp)
{
	const struct case_info *c = config_case_find(cfg, case_id);
	static const char *const head[] = {"case", "time", "what", "window",
	    "kind", "receiver", "result", "status", "detail", "duration_ms",
	    "key", "refused"};
	json_t *all;

	switch (format) {
	case HISTORY_TEXT:
		if (c != NULL)
			history_text_case(cfg, c, fp);
		else if (case_id != NULL)
			fprintf(fp, "case %s (no longer configured)\n",
			    case_id);
		for (size_t i = 0; i < rows->n; i++)
			history_text_row(&rows->v[i], case_id == NULL, fp);
		break;
	case HISTORY_CSV:
		fputs("\xef\xbb\xbf", fp);
		history_csv(fp, head, 12);
		if (c != NULL)
			history_csv_case(cfg, c, fp);
		for (size_t i = 0; i < rows->n; i++)
			history_csv_row(&rows->v[i], fp);
		break;
	case HISTORY_JSON:
		all = history_json(cfg, case_id, rows);
		if (all == NULL || json_dumpf(all, fp, JSON_INDENT(2)) == -1) {
			json_decref(all);
			return -1;
		}
		json_decref(all);
		fputc('\n', fp);
		break;
	}
	return ferror(fp) ? -1 : 0;
}

int
history_load(struct outbox *ob, const char *case_id, time_t since,
    struct history_rows *rows)
{
	rows->v = NULL;
	rows->n = 0;
	if (outbox_history(ob, case_id, since, history_collect, rows) == -1) {
		history_rows_free(rows);
		rows->v = NULL;
		rows->n = 0;
		return -1;
	}
	if (case_id == NULL && rows->n > 1)
		qsort(rows->v, rows->n, sizeof(*rows->v), history_newest_first);
	return 0;
}

int
history_print(const struct config *cfg, const char *case_id, time_t since,
    enum history_format format, FILE *fp)
{
	struct history_rows rows;
	struct outbox *ob;
	int rc = -1;

	if ((ob = outbox_open(cfg->state_dir)) == NULL)
		return -1;
	if (history_load(ob, case_id, since, &rows) == 0) {
		rc = history_write(cfg, case_id, &rows, format, fp);
		history_rows_free(&rows);
	}
	outbox_close(ob);
	return rc;
}
