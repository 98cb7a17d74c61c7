/*
 * digest.c -- reading a lane's pending rows and cutting them into
 * messages; see digest.h.  The rows come in queue order, so a message
 * that went out before (noted by outbox_mark_message) is found as a run
 * of rows with its key; a resend after a crash must carry exactly the
 * same alerts under the same key, or the receiver could drop a message
 * that is not the one it has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "digest.h"
#include "xmalloc.h"

/* Room for one more row, doubling. */
static struct digest_row *
digest_rows_add(struct digest_rows *rows)
{
	if (rows->n == rows->cap) {
		rows->cap = rows->cap == 0 ? 64 : rows->cap * 2;
		rows->v = xreallocarray(rows->v, rows->cap, sizeof(*rows->v));
	}
	return &rows->v[rows->n++];
}

/* Whether text, a case alert, scans into r->brief and says the right
 * number of days left as of today: then it need not be parsed. */
static bool
digest_scan(struct digest_row *r, const char *text, date_t today)
{
	const struct jscan_span *dl = &r->brief.deadline;
	char day[DATE_BUFSZ];
	date_t deadline;

	if (text == NULL || jscan_alert(text, &r->brief) == -1 ||
	    dl->len >= sizeof(day) ||
	    (r->brief.kind.len == strlen(ADMIN_KIND) &&
	        memcmp(text + r->brief.kind.off, ADMIN_KIND,
	            r->brief.kind.len) == 0))
		return false;
	memcpy(day, text + dl->off, dl->len);
	day[dl->len] = '\0';
	/* A deadline that does not parse is never refreshed: as it is. */
	return date_parse(day, &deadline) == -1 ||
	    r->brief.days_left == (long long)(deadline - today);
}

int
digest_collect(const struct outbox_pending *p, void *arg)
{
	struct digest_rows *rows = arg;
	struct digest_row *r = digest_rows_add(rows);
	json_error_t jerr;

	snprintf(r->alert_id, sizeof(r->alert_id), "%s", p->alert_id);
	r->error[0] = '\0';
	r->attempts = p->attempts;
	r->at = p->at;
	snprintf(r->message, sizeof(r->message), "%s",
	    p->message != NULL ? p->message : "");
	r->message_size = p->message_size;
	r->refreshed = false;
	r->alert = NULL;
	r->admin = false;
	if ((r->scanned =
	            rows->texts && digest_scan(r, p->payload, rows->today))) {
		r->text = xstrdup(p->payload);
		return 0;
	}
	r->alert = json_loads(p->payload != NULL ? p->payload : "", 0, &jerr);
	if (r->alert == NULL)
		snprintf(r->error, sizeof(r->error),
		    "the stored alert cannot be read (%s); set aside",
		    jerr.text);
	else if (!json_is_object(r->alert)) {
		json_decref(r->alert);
		r->alert = NULL;
		snprintf(r->error, sizeof(r->error),
		    "the stored alert is not a JSON object; set aside");
	}
	r->admin = r->alert != NULL && admin_is_notice(r->alert);
	r->text = r->alert != NULL ? xstrdup(p->payload) : NULL;
	return 0;
}

bool
digest_readable(const struct digest_row *r)
{
	return r->alert != NULL || r->scanned;
}

void
digest_rows_free(struct digest_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		json_decref(rows->v[i].alert);
		free(rows->v[i].text);
	}
	free(rows->v);
	rows->v = NULL;
	rows->n = rows->cap = 0; /* texts and today stay */
}

size_t
digest_stored_run(const struct digest_rows *rows, size_t off)
{
	const struct digest_row *first = &rows->v[off];
	size_t n = 0;

	if (first->message[0] == '\0' || !digest_readable(first))
		return 0;
	while (off + n < rows->n && digest_readable(&rows->v[off + n]) &&
	    strcmp(rows->v[off + n].message, first->message) == 0)
		n++;
	return n == (size_t)first->message_size ? n : 0;
}

size_t
digest_fresh_run(const struct digest_rows *rows, size_t off, size_t max)
{
	size_t n = 0;

	/* Administrators' notices travel in messages of their own. */
	while (off + n < rows->n && n < max &&
	    digest_readable(&rows->v[off + n]) &&
	    rows->v[off + n].admin == rows->v[off].admin &&
	    (n == 0 || rows->v[off + n].message[0] == '\0'))
		n++;
	return n;
}
