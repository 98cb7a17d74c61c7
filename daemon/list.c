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
#include "list.h"
#include "utf8.h"
#include "window.h"
#include "xmalloc.h"

#define LIST_COLUMNS 7

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
	bool has_next;
	char next[CLOCK_RFC3339_BUFSZ];
};

/* Fill r with window w of case c as it stands at now (today); false
 * if the case has not opened it. */
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
	if (r->has_next)
		clock_rfc3339(when, r->next);
	else
		strcpy(r->next, "-");
	return true;
}

/* Call fn with every opened window, in configuration order, until it
 * returns -1; 0, or -1. */
static int
list_each(const struct config *cfg, time_t now,
    int (*fn)(const struct list_row *, void *), void *arg)
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
list_rows_add(const struct list_row *r, void *arg)
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
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:s, s:o}", "case",
	    r->c->id, "window", r->w->name, "opened", r->opened, "deadline",
	    r->deadline, "provisional", r->provisional, "days_left",
	    r->days_left, "state", r->state, "next_alert",
	    r->has_next ? json_string(r->next) : json_null());
}

static int
list_array_add(const struct list_row *r, void *arg)
{
	json_t *obj;

	if ((obj = list_row_json(r)) == NULL ||
	    json_array_append_new(arg, obj) == -1)
		return -1;
	return 0;
}

/*
 * Streaming --json: the array is written one object at a time, never
 * built whole, laid out byte for byte as json_dumpf(JSON_INDENT(2))
 * lays out the array.  Dumping a jansson object a row costs more than
 * all the rest of --list (its keys are sorted back into order, numbers
 * go through snprintf), so only the case id, the one field that comes
 * from a case file, is encoded by jansson; every other field is a name
 * the loader checked (a-z, 0-9, _), a fixed word, a date or a time.
 */
struct list_stream {
	FILE *fp;
	size_t n; /* objects written */
};

/* s as a JSON string (jansson's escaping): in buf if it fits, else a
 * new string (*heap set); NULL when out of memory. */
static char *
list_json_string(const char *s, char *buf, size_t size, bool *heap)
{
	json_t *j;
	size_t len;
	char *out = buf;

	*heap = false;
	if ((j = json_string(s)) == NULL)
		return NULL;
	if ((len = json_dumpb(j, buf, size, JSON_ENCODE_ANY)) >= size) {
		out = json_dumps(j, JSON_ENCODE_ANY);
		*heap = true;
	} else
		buf[len] = '\0';
	json_decref(j);
	return len == 0 ? NULL : out;
}

static int
list_stream_row(const struct list_row *r, void *arg)
{
	struct list_stream *st = arg;
	char buf[1024], next[CLOCK_RFC3339_BUFSZ + 2], *id;
	bool heap;
	int rc;

	if ((id = list_json_string(r->c->id, buf, sizeof(buf), &heap)) == NULL)
		return -1;
	if (r->has_next)
		snprintf(next, sizeof(next), "\"%s\"", r->next);
	else
		strcpy(next, "null");
	rc = fprintf(st->fp,
	    "%s  {\n    \"case\": %s,\n    \"window\": \"%s\",\n"
	    "    \"opened\": \"%s\",\n    \"deadline\": \"%s\",\n"
	    "    \"provisional\": %s,\n    \"days_left\": %d,\n"
	    "    \"state\": \"%s\",\n    \"next_alert\": %s\n  }",
	    st->n++ == 0 ? "[\n" : ",\n", id, r->w->name, r->opened,
	    r->deadline, r->provisional ? "true" : "false", r->days_left,
	    r->state, next);
	if (heap)
		free(id);
	return rc < 0 ? -1 : 0;
}

static int
list_json(const struct config *cfg, time_t now, FILE *fp)
{
	struct list_stream st = {fp, 0};

	if (list_each(cfg, now, list_stream_row, &st) == -1 ||
	    fputs(st.n == 0 ? "[]\n" : "\n]\n", fp) == EOF)
		return -1;
	return ferror(fp) ? -1 : 0;
}

/* Print s padded with spaces to width columns (none after the last). */
static void
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
	cell[5] = r->state;
	cell[6] = r->next;
}

static int
list_table(const struct list_row *rows, size_t n, FILE *fp)
{
	static const char *head[LIST_COLUMNS] = {"CASE", "WINDOW", "OPENED",
	    "DEADLINE", "DAYS", "STATE", "NEXT ALERT"};
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
	free(rows.v);
	return rc;
}
