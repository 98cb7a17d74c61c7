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
#include "clock.h"
#include "log.h"

/* Hex of the first ALERT_ID_LEN / 2 bytes of SHA-256 over the parts,
 * each followed by a NUL so that no two lists of parts collide. */
static void
alert_hash(const char *const *parts, size_t n, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		fatalx("EVP_DigestInit_ex failed");
	for (size_t i = 0; i < n; i++)
		if (EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1) != 1)
			fatalx("EVP_DigestUpdate failed");
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		fatalx("EVP_DigestFinal_ex failed");
	EVP_MD_CTX_free(ctx);
	for (size_t i = 0; i < ALERT_ID_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
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
alert_delivery_id(const char *id, const char *receiver, char *out)
{
	const char *parts[2] = {id, receiver};

	alert_hash(parts, 2, out);
}

json_t *
alert_payload(const char *id, enum alert_kind kind, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws, date_t today)
{
	char opened[DATE_BUFSZ], deadline[DATE_BUFSZ];
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
	return obj;
}
