/*
 * alert.c -- alert ids and the alert object that the outbox stores and the
 * channels send.
 *
 * An alert's id hashes what makes it the same alert: the case, the window,
 * the kind, the deadline day it speaks of and its occurrence (days before
 * or after that day).  Restarts and reloads compute the same id, so the
 * outbox recognises an alert it already holds; a moved deadline makes new
 * ids, which is right, since those alerts say something new.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "buf.h"
#include "clock.h"
#include "jscan.h"
#include "log.h"
#include "utf8.h"

/* SHA-256, fetched once: an implicit fetch on every EVP_DigestInit_ex
 * (and a new context each time) cost more than the hashing, and a start
 * hashes an id for every window and receiver.  Kept to the end. */
static EVP_MD *alert_sha256;
static EVP_MD_CTX *alert_ctx;

/* Hex of the first ALERT_ID_LEN / 2 bytes of SHA-256 over the parts,
 * each followed by a NUL so that no two lists of parts collide. */
static void
alert_hash(const char *const *parts, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;

	if (alert_sha256 == NULL &&
	    (alert_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		fatalx("EVP_MD_fetch SHA256 failed");
	if (alert_ctx == NULL && (alert_ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("EVP_MD_CTX_new failed");
	if (EVP_DigestInit_ex(alert_ctx, alert_sha256, NULL) != 1)
		fatalx("EVP_DigestInit_ex failed");
	for (size_t i = 0; i < n; i++)
		if (EVP_DigestUpdate(alert_ctx, parts[i],
		        strlen(parts[i]) + 1) != 1)
			fatalx("EVP_DigestUpdate failed");
	if (EVP_DigestFinal_ex(alert_ctx, md, &mdlen) != 1)
		fatalx("EVP_DigestFinal_ex failed");
	for (size_t i = 0; i < ALERT_ID_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[ALERT_ID_LEN] = '\0';
}

void
alert_id(const char *case_id, const char *window, enum alert_kind kind,
    date_t deadline, int occurrence, char *id)
{
	char day[DATE_BUFSZ], occ[16];
	const char *parts[5];

	snprintf(occ, sizeof(occ), "%d", occurrence);
	parts[0] = case_id;
	parts[1] = window;
	parts[2] = deadline_kind_name(kind);
	parts[3] = date_format(deadline, day);
	parts[4] = occ;
	alert_hash(parts, 5, id);
}

void
alert_admin_id(const char *event, const char *subject_id, char *id)
{
	const char *parts[3] = {"admin", event, subject_id};

	alert_hash(parts, 3, id);
}

void
alert_delivery_id(const char *id, const char *receiver, char *out)
{
	const char *parts[2] = {id, receiver};

	alert_hash(parts, 2, out);
}

/* Set o[key] to a new value, which it takes. */
static void
alert_set(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) == -1)
		fatalx("json: cannot set %s", key);
}

/* Add what changed to an announcement's object. */
static void
alert_add_change(json_t *obj, enum alert_kind kind,
    const struct window_state *ws, const struct alert_change *chg)
{
	json_t *win = json_object_get(obj, "window"), *fu;
	char day[DATE_BUFSZ];

	if (chg->has_previous)
		alert_set(win, "previous_deadline",
		    json_string(date_format(chg->previous_deadline, day)));
	if (chg->reopened)
		alert_set(obj, "reopened", json_true());
	if (chg->calendar)
		alert_set(obj, "calendar_changed", json_true());
	if (kind != ALERT_CLOSED || ws->closed_by == NULL)
		return;
	alert_set(win, "closed_by", json_string(ws->closed_by));
	alert_set(win, "closed_on",
	    json_string(date_format(ws->closed_on, day)));
	if ((fu = json_array()) == NULL)
		fatalx("json_array");
	for (size_t i = 0; i < chg->nfollow_up; i++) {
		const struct window_def *f = chg->follow_up[i];
		json_t *o =
		    json_pack("{s:s, s:s}", "name", f->name, "title", f->title);

		if (o != NULL && f->title_en != NULL)
			alert_set(o, "title_en", json_string(f->title_en));
		if (json_array_append_new(fu, o) == -1)
			fatalx("json_array_append_new");
	}
	alert_set(win, "follow_up", fu);
}

bool
alert_refresh(json_t *alert, date_t today)
{
	const char *s = json_string_value(
	    json_object_get(json_object_get(alert, "window"), "deadline"));
	json_t *left = json_object_get(alert, "days_left");
	date_t deadline;

	if (s == NULL || date_parse(s, &deadline) == -1 ||
	    !json_is_integer(left) ||
	    json_integer_value(left) == (json_int_t)(deadline - today))
		return false;
	alert_set(alert, "days_left", json_integer(deadline - today));
	return true;
}

json_t *
alert_payload(const char *id, enum alert_kind kind, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws, date_t today,
    const struct alert_change *chg)
{
	char opened[DATE_BUFSZ], deadline[DATE_BUFSZ], transferred[DATE_BUFSZ];
	const struct case_event *ev;
	char deadline_at[CLOCK_RFC3339_BUFSZ];
	json_t *obj;

	/* The window closes at the end of its deadline day, local time. */
	clock_rfc3339(clock_local(ws->deadline, 86399), deadline_at);
	obj = json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s}, "
	                "s:{s:s, s:s, s:s, s:i, s:b, s:s, s:s, s:b}}",
	    "id", id, "kind", deadline_kind_name(kind), "days_left",
	    deadline_days_left(ws, today), "case", "id", c->id, "title",
	    c->title, "court", c->court, "window", "name", w->name, "title",
	    w->title, "opened", date_format(ws->opened, opened), "days",
	    ws->days, "extended", ws->extended, "deadline",
	    date_format(ws->deadline, deadline), "deadline_at", deadline_at,
	    "provisional", ws->provisional);
	if (obj == NULL)
		fatalx("json_pack: alert %s", id);
	if (w->title_en != NULL)
		alert_set(json_object_get(obj, "window"), "title_en",
		    json_string(w->title_en));
	/* The day the police received the transfer, which every reader of
	 * any of the case's windows wants to see (the evidence starts
	 * there). */
	if ((ev = config_case_event(c, "transferred")) != NULL)
		alert_set(json_object_get(obj, "case"), "transferred",
		    json_string(date_format(ev->date, transferred)));
	if (chg != NULL)
		alert_add_change(obj, kind, ws, chg);
	return obj;
}

/* The JSON string of s as jansson's dump writes it (jscan.h); false if
 * s is NULL or not UTF-8, which json_string refuses. */
static bool
alert_text_string(struct buf *b, const char *s)
{
	char seq[JSCAN_SEQ];
	const char *run = s;

	if (s == NULL || !utf8_valid(s))
		return false;
	buf_adds(b, "\"");
	for (; *s != '\0'; s++) {
		if (!JSCAN_ESCAPED((unsigned char)*s))
			continue;
		buf_addn(b, run, (size_t)(s - run));
		buf_adds(b, jscan_escape_seq((unsigned char)*s, seq));
		run = s + 1;
	}
	buf_addn(b, run, (size_t)(s - run));
	buf_adds(b, "\"");
	return true;
}

/* ,"key":"s" (key is plain ASCII); false as alert_text_string. */
static bool
alert_text_member(struct buf *b, const char *key, const char *s)
{
	buf_printf(b, ",\"%s\":", key);
	return alert_text_string(b, s);
}

char *
alert_text(const char *id, enum alert_kind kind, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws, date_t today)
{
	char opened[DATE_BUFSZ], deadline[DATE_BUFSZ], transferred[DATE_BUFSZ];
	char deadline_at[CLOCK_RFC3339_BUFSZ];
	const struct case_event *ev;
	struct buf b = {NULL, 0, 0};
	bool ok;

	/* In alert_payload's order: json_pack, then the members added. */
	clock_rfc3339(clock_local(ws->deadline, 86399), deadline_at);
	buf_adds(&b, "{\"id\":");
	ok = alert_text_string(&b, id) &&
	    alert_text_member(&b, "kind", deadline_kind_name(kind));
	buf_printf(&b, ",\"days_left\":%d,\"case\":{\"id\":",
	    deadline_days_left(ws, today));
	ok = ok && alert_text_string(&b, c->id) &&
	    alert_text_member(&b, "title", c->title) &&
	    alert_text_member(&b, "court", c->court);
	if ((ev = config_case_event(c, "transferred")) != NULL)
		ok = ok &&
		    alert_text_member(&b, "transferred",
		        date_format(ev->date, transferred));
	buf_adds(&b, "},\"window\":{\"name\":");
	ok = ok && alert_text_string(&b, w->name) &&
	    alert_text_member(&b, "title", w->title) &&
	    alert_text_member(&b, "opened", date_format(ws->opened, opened));
	buf_printf(&b, ",\"days\":%d,\"extended\":%s", ws->days,
	    ws->extended ? "true" : "false");
	ok = ok &&
	    alert_text_member(&b, "deadline",
	        date_format(ws->deadline, deadline)) &&
	    alert_text_member(&b, "deadline_at", deadline_at);
	buf_printf(&b, ",\"provisional\":%s",
	    ws->provisional ? "true" : "false");
	if (w->title_en != NULL)
		ok = ok && alert_text_member(&b, "title_en", w->title_en);
	buf_adds(&b, "}}");
	if (!ok) {
		free(buf_take(&b));
		return NULL;
	}
	return buf_take(&b);
}
