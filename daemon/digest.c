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

int
digest_collect(const struct outbox_pending *p, void *arg)
{
	struct digest_row *r = digest_rows_add(arg);
	json_error_t jerr;

	snprintf(r->alert_id, sizeof(r->alert_id), "%s", p->alert_id);
	r->error[0] = '\0';
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
	r->refreshed = false;
	r->attempts = p->attempts;
	r->at = p->at;
	snprintf(r->message, sizeof(r->message), "%s",
	    p->message != NULL ? p->message : "");
	r->message_size = p->message_size;
	return 0;
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
	rows->n = rows->cap = 0;
}

size_t
digest_stored_run(const struct digest_rows *rows, size_t off)
{
	const struct digest_row *first = &rows->v[off];
	size_t n = 0;

	if (first->message[0] == '\0' || first->alert == NULL)
		return 0;
	while (off + n < rows->n && rows->v[off + n].alert != NULL &&
	    strcmp(rows->v[off + n].message, first->message) == 0)
		n++;
	return n == (size_t)first->message_size ? n : 0;
}

size_t
digest_fresh_run(const struct digest_rows *rows, size_t off, size_t max)
{
	size_t n = 0;

	/* Administrators' notices travel in messages of their own. */
	while (off + n < rows->n && n < max && rows->v[off + n].alert != NULL &&
	    rows->v[off + n].admin == rows->v[off].admin &&
	    (n == 0 || rows->v[off + n].message[0] == '\0'))
		n++;
	return n;
}
