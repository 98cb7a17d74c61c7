/*
 * list.c -- the --list report.
 *
 * One row per window a case has opened, in configuration order: case id,
 * window, opened, deadline, days left, state and when the next timed
 * alert goes out.  The table pads by display width, so rows holding
 * Chinese case ids still line up; --json prints the same rows as an array
 * of objects for scripts.  A provisional deadline (window.h) is marked
 * with a "?" after the day in the table, explained once below it, and
 * by "provisional": true in JSON.  --json is written as it is made, one
 * object at a time, so its memory does not grow with the cases.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "jscan.h"
#include "list.h"
#include "log.h"
#include "route.h"
#include "silence.h"
#include "utf8.h"
#include "window.h"
#include "xmalloc.h"

#define LIST_COLUMNS 9

static const char list_provisional_note[] =
    "? provisional: no holiday file covers that year yet; the deadline may "
    "move later\n";

/* One row, every field as text. */
struct list_row {
	const struct case_info *c;
	const struct window_def *w;
	char opened[DATE_BUFSZ];
	char deadline[DATE_BUFSZ];
	char deadline_cell[DATE_BUFSZ + 1]; /* with "?" if provisional */
	bool provisional;
	int days_left;
	char days[16];
	const char *state;
	char state_cell[32];           /* "silenced until DAY", or the state */
	const struct silence *silence; /* covering it today, or NULL */
	char until[DATE_BUFSZ];
	bool has_next;
	char next[CLOCK_RFC3339_BUFSZ];
	char *to;               /* the next alert's receivers, "a,b", or "-" */
	json_t *to_json;        /* the same as an array (owned) */
	char acked[DATE_BUFSZ]; /* acknowledged until, or "-" */
	const char *acked_by;   /* or NULL */
};

/* A window an open silence covers today is `silenced`, and its next
 * alert is the first after the silence ends. */
static void
list_silence(const struct config *cfg, struct list_row *r,
    const struct window_state *ws, date_t today, struct timed_alert *alert,
    time_t *when)
{
	snprintf(r->state_cell, sizeof(r->state_cell), "%s", r->state);
	r->silence = NULL;
	if (ws->closed ||
	    (r->silence = silence_find(r->c, r->w, today)) == NULL)
		return;
	r->state = "silenced";
	date_format(r->silence->until, r->until);
	snprintf(r->state_cell, sizeof(r->state_cell), "silenced until %s",
	    r->until);
	if (r->has_next && alert->day <= r->silence->until) {
		r->has_next = route_next_alert(ws, &r->w->reminders,
		    r->silence->until + 1, alert);
		if (r->has_next)
			*when = window_alert_time(cfg, alert->day);
	}
}

/* The receivers the next alert a of window w of case c goes to, into
 * r->to and r->to_json (none when there is no next alert). */
static void
list_row_to(const struct config *cfg, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws,
    const struct timed_alert *a, struct list_row *r)
{
	size_t *rcv, n = 0, nbase, len = 2;

	rcv = xcalloc(cfg->nreceivers + 1, sizeof(*rcv));
	if (r->has_next)
		n = route_receivers(cfg, c, w, a->kind, a->day - ws->deadline,
		    false, rcv, &nbase);
	if ((r->to_json = json_array()) == NULL)
		fatalx("json_array");
	for (size_t i = 0; i < n; i++)
		len += strlen(cfg->receivers[rcv[i]].name) + 1;
	r->to = xcalloc(len, 1);
	for (size_t i = 0; i < n; i++) {
		const char *name = cfg->receivers[rcv[i]].name;

		if (i > 0)
			strcat(r->to, ",");
		strcat(r->to, name);
		if (json_array_append_new(r->to_json, json_string(name)) == -1)
			fatalx("json_array_append_new");
	}
	if (n == 0)
		strcpy(r->to, "-");
	free(rcv);
}

/* Free what row r owns. */
static void
list_row_free(struct list_row *r)
{
	free(r->to);
	json_decref(r->to_json);
}

/* Free what the rows own, and the rows. */
static void
list_rows_free(struct list_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		list_row_free(&rows[i]);
	free(rows);
}

/* Fill r with window w of case c as it stands at now (today); false
 * if the case has not opened it.  r then owns what list_row_free frees. */
static bool
list_row(const struct config *cfg, const struct case_info *c,
    const struct window_def *w, time_t now, date_t today, struct list_row *r)
{
	struct window_state ws;
	struct timed_alert alert;
	time_t when;

	if (!window_state(cfg, c, w, &ws))
		return false;
	r->c = c;
	r->w = w;
	date_format(ws.opened, r->opened);
	date_format(ws.deadline, r->deadline);
	r->provisional = ws.provisional;
	snprintf(r->deadline_cell, sizeof(r->deadline_cell), "%s%s",
	    r->deadline, r->provisional ? "?" : "");
	r->days_left = deadline_days_left(&ws, today);
	snprintf(r->days, sizeof(r->days), "%d", r->days_left);
	r->state =
	    deadline_status_name(deadline_status(&ws, &w->reminders, today));
	r->has_next = window_next_alert(cfg, w, &ws, now, &alert, &when);
	list_silence(cfg, r, &ws, today, &alert, &when);
	if (r->has_next)
		clock_rfc3339(when, r->next);
	else
		strcpy(r->next, "-");
	list_row_to(cfg, c, w, &ws, &alert, r);
	r->acked_by = NULL;
	strcpy(r->acked, "-");
	if (ws.acked && !ws.closed) {
		date_format(ws.ack_until, r->acked);
		r->acked_by = ws.ack_by;
	}
	return true;
}

/* Call fn with every opened window, in configuration order, until it
 * returns -1; 0, or -1.  fn takes the row (and what it owns). */
static int
list_each(const struct config *cfg, time_t now,
    int (*fn)(struct list_row *, void *), void *arg)
{
	struct list_row r;
	date_t today;
	int secs;

	clock_split(now, &today, &secs);
	for (size_t i = 0; i < cfg->ncases; i++)
		for (size_t k = 0; k < cfg->nwindows; k++)
			if (list_row(cfg, &cfg->cases[i], &cfg->windows[k], now,
			        today, &r) &&
			    fn(&r, arg) == -1)
				return -1;
	return 0;
}

/* Rows collected for the table, which needs every width first. */
struct list_rows {
	struct list_row *v;
	size_t n, cap;
};

static int
list_rows_add(struct list_row *r, void *arg)
{
	struct list_rows *rows = arg;

	if (rows->n == rows->cap) {
		rows->cap = rows->cap != 0 ? rows->cap * 2 : 64;
		rows->v = xreallocarray(rows->v, rows->cap, sizeof(*rows->v));
	}
	rows->v[rows->n++] = *r;
	return 0;
}

/* One row as a JSON object, or NULL. */
static json_t *
list_row_json(const struct list_row *r)
{
	json_t *obj;

	obj = json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:s, s:o, s:O, "
	                "s:o, s:o}",
	    "case", r->c->id, "window", r->w->name, "opened", r->opened,
	    "deadline", r->deadline, "provisional", r->provisional, "days_left",
	    r->days_left, "state", r->state, "next_alert",
	    r->has_next ? json_string(r->next) : json_null(), "next_receivers",
	    r->to_json, "acknowledged_until",
	    *r->acked != '-' ? json_string(r->acked) : json_null(),
	    "acknowledged_by",
	    r->acked_by != NULL ? json_string(r->acked_by) : json_null());
	if (obj != NULL && r->silence != NULL)
		json_object_update_new(obj,
		    json_pack("{s:s, s:s}", "silenced_until", r->until,
		        "silence_reason", r->silence->reason));
	return obj;
}

static int
list_array_add(struct list_row *r, void *arg)
{
	json_t *obj = list_row_json(r);

	list_row_free(r);
	if (obj == NULL || json_array_append_new(arg, obj) == -1)
		return -1;
	return 0;
}

/*
 * Streaming --json: the array is written one object at a time, never
 * built whole, laid out byte for byte as json_dumpf(JSON_INDENT(2))
 * lays out the array.  Packing and dumping a jansson object a row cost
 * more than all the rest of --list (its keys are sorted back into
 * order, numbers go through snprintf), so the strings that come from
 * the files (case id, receiver names, who acknowledged, why silenced)
 * are escaped as jansson escapes them, and the rest are written as they are:
 * checked names (a-z, 0-9, _), fixed words, dates, times and numbers.
 */
struct list_stream {
	FILE *fp;
	size_t n; /* objects written */
};

/* Write s as a JSON string, escaped as jansson escapes it (jscan.h); 0, or -1
 * when it cannot be written or s is not UTF-8 (which json_string refuses).  By
 * hand: json_string and json_dumpb for each string cost a sixth of --list
 * --json. */
static int
list_stream_string(struct list_stream *st, const char *s)
{
	const char *run = s, *p;
	char seq[JSCAN_SEQ];

	if (!utf8_valid(s) || fputc('"', st->fp) == EOF)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (!JSCAN_ESCAPED((unsigned char)*p))
			continue;
		fwrite(run, 1, (size_t)(p - run), st->fp);
		fputs(jscan_escape_seq((unsigned char)*p, seq), st->fp);
		run = p + 1;
	}
	fwrite(run, 1, (size_t)(p - run), st->fp);
	if (fputc('"', st->fp) == EOF || ferror(st->fp))
		return -1;
	return 0;
}

/* "next_receivers": the array of names, as jansson indents it there. */
static int
list_stream_receivers(struct list_stream *st, const json_t *to)
{
	size_t n = json_array_size(to);

	if (n == 0)
		return fputs("[]", st->fp) == EOF ? -1 : 0;
	fputs("[\n", st->fp);
	for (size_t i = 0; i < n; i++) {
		fputs("      ", st->fp);
		if (list_stream_string(st,
		        json_string_value(json_array_get(to, i))) == -1)
			return -1;
		fputs(i + 1 < n ? ",\n" : "\n", st->fp);
	}
	return fputs("    ]", st->fp) == EOF ? -1 : 0;
}

/* The rest of a row, after its case id. */
static int
list_stream_fields(struct list_stream *st, const struct list_row *r)
{
	FILE *fp = st->fp;

	fprintf(fp,
	    ",\n    \"window\": \"%s\",\n    \"opened\": \"%s\",\n"
	    "    \"deadline\": \"%s\",\n    \"provisional\": %s,\n"
	    "    \"days_left\": %d,\n    \"state\": \"%s\",\n"
	    "    \"next_alert\": ",
	    r->w->name, r->opened, r->deadline,
	    r->provisional ? "true" : "false", r->days_left, r->state);
	if (r->has_next)
		fprintf(fp, "\"%s\"", r->next);
	else
		fputs("null", fp);
	fputs(",\n    \"next_receivers\": ", fp);
	if (list_stream_receivers(st, r->to_json) == -1)
		return -1;
	fputs(",\n    \"acknowledged_until\": ", fp);
	if (*r->acked != '-')
		fprintf(fp, "\"%s\"", r->acked);
	else
		fputs("null", fp);
	fputs(",\n    \"acknowledged_by\": ", fp);
	if (r->acked_by != NULL) {
		if (list_stream_string(st, r->acked_by) == -1)
			return -1;
	} else
		fputs("null", fp);
	if (r->silence != NULL && r->silence->reason != NULL) {
		fprintf(fp,
		    ",\n    \"silenced_until\": \"%s\",\n"
		    "    \"silence_reason\": ",
		    r->until);
		if (list_stream_string(st, r->silence->reason) == -1)
			return -1;
	}
	fputs("\n  }", fp);
	return ferror(fp) ? -1 : 0;
}

static int
list_stream_row(struct list_row *r, void *arg)
{
	struct list_stream *st = arg;
	int rc = -1;

	if (fputs(st->n++ == 0 ? "[\n  {\n    \"case\": "
	                       : ",\n  {\n    \"case\": ",
	        st->fp) != EOF &&
	    list_stream_string(st, r->c->id) == 0)
		rc = list_stream_fields(st, r);
	list_row_free(r);
	return rc;
}

static int
list_json(const struct config *cfg, time_t now, FILE *fp)
{
	struct list_stream st = {fp, 0};
	int rc;

	rc = list_each(cfg, now, list_stream_row, &st);
	if (rc == -1 || fputs(st.n == 0 ? "[]\n" : "\n]\n", fp) == EOF)
		return -1;
	return ferror(fp) ? -1 : 0;
}

void
list_cell(FILE *fp, const char *s, size_t width, bool last)
{
	size_t w = utf8_width(s);

	fputs(s, fp);
	if (last) {
		fputc('\n', fp);
		return;
	}
	for (; w < width + 2; w++)
		fputc(' ', fp);
}

/* The cells of a row, in column order. */
static void
list_row_cells(const struct list_row *r, const char **cell)
{
	cell[0] = r->c->id;
	cell[1] = r->w->name;
	cell[2] = r->opened;
	cell[3] = r->deadline_cell;
	cell[4] = r->days;
	cell[5] = r->state_cell;
	cell[6] = r->next;
	cell[7] = r->to;
	cell[8] = r->acked;
}

static int
list_table(const struct list_row *rows, size_t n, FILE *fp)
{
	static const char *head[LIST_COLUMNS] = {"CASE", "WINDOW", "OPENED",
	    "DEADLINE", "DAYS", "STATE", "NEXT ALERT", "TO", "ACKED UNTIL"};
	size_t width[LIST_COLUMNS], w;
	const char *cell[LIST_COLUMNS];
	bool provisional = false;

	for (int k = 0; k < LIST_COLUMNS; k++)
		width[k] = utf8_width(head[k]);
	for (size_t i = 0; i < n; i++) {
		list_row_cells(&rows[i], cell);
		provisional |= rows[i].provisional;
		for (int k = 0; k < LIST_COLUMNS; k++)
			if ((w = utf8_width(cell[k])) > width[k])
				width[k] = w;
	}
	for (size_t i = 0; i <= n; i++) {
		if (i == 0)
			memcpy(cell, head, sizeof(cell));
		else
			list_row_cells(&rows[i - 1], cell);
		for (int k = 0; k < LIST_COLUMNS; k++)
			list_cell(fp, cell[k], width[k], k == LIST_COLUMNS - 1);
	}
	if (provisional)
		fputs(list_provisional_note, fp);
	return ferror(fp) ? -1 : 0;
}

json_t *
list_array(const struct config *cfg, time_t now)
{
	json_t *arr;

	if ((arr = json_array()) == NULL)
		return NULL;
	if (list_each(cfg, now, list_array_add, arr) == -1) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

int
list_print(const struct config *cfg, time_t now, bool json, FILE *fp)
{
	struct list_rows rows = {NULL, 0, 0};
	int rc;

	if (json)
		return list_json(cfg, now, fp);
	list_each(cfg, now, list_rows_add, &rows);
	rc = list_table(rows.v, rows.n, fp);
	list_rows_free(rows.v, rows.n);
	return rc;
}
