/*
 * status.c -- the --status report.
 *
 * One row per configured receiver, read from the outbox: when it last
 * took a message and when one last failed (real time, from the record of
 * attempts), how many deliveries wait for it, failed for good (and of
 * those, how many are about windows still open: what a --resend would
 * send) or were cancelled, and how long the oldest waiting one has
 * waited.  The exit status makes it a monitoring check: 1 when a
 * receiver has failed deliveries of an open window, or something has
 * waited for it more than a day.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "outbox.h"
#include "status.h"
#include "utf8.h"

#define STATUS_STALE 86400 /* seconds a delivery may wait before alarm */

static const char *const status_types[] = {
    [RECEIVER_LOG] = "log",
    [RECEIVER_EMAIL] = "email",
    [RECEIVER_WEBHOOK] = "webhook",
};

/* A real time in milliseconds as RFC 3339 into buf, or "-". */
static const char *
status_time(long long ms, char *buf)
{
	if (ms < 0)
		return "-";
	return clock_rfc3339((time_t)(ms / 1000), buf);
}

/* True if the receiver's deliveries need someone to look. */
static bool
status_alarm(const struct outbox_stats *st, time_t now)
{
	return st->failed_open > 0 ||
	    (st->oldest_waiting >= 0 &&
	        now - st->oldest_waiting > STATUS_STALE);
}

/* One receiver as a JSON object; a new reference. */
static json_t *
status_json(const struct receiver *r, const struct outbox_stats *st, time_t now)
{
	char t1[CLOCK_RFC3339_BUFSZ], t2[CLOCK_RFC3339_BUFSZ];
	char t3[CLOCK_RFC3339_BUFSZ];
	json_t *o;

	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, "
	              "s:o, s:b}",
	    "receiver", r->name, "type", status_types[r->type], "last_sent",
	    st->last_sent_ms < 0
	        ? json_null()
	        : json_string(status_time(st->last_sent_ms, t1)),
	    "last_failure",
	    st->last_failure_ms < 0
	        ? json_null()
	        : json_string(status_time(st->last_failure_ms, t2)),
	    "last_failure_reason",
	    st->last_failure_ms < 0 ? json_null()
	                            : json_string(st->last_failure),
	    "waiting", (json_int_t)st->waiting, "failed",
	    (json_int_t)st->failed, "failed_open", (json_int_t)st->failed_open,
	    "cancelled", (json_int_t)st->cancelled, "silenced",
	    (json_int_t)st->silenced, "oldest_waiting",
	    st->oldest_waiting < 0
	        ? json_null()
	        : json_string(clock_rfc3339(st->oldest_waiting, t3)),
	    "ok", !status_alarm(st, now));
	if (o == NULL)
		fatalx("json_pack: status of %s", r->name);
	return o;
}

/* Print s padded with spaces to width display columns. */
static void
status_cell(FILE *fp, const char *s, size_t width)
{
	size_t w = utf8_width(s);

	fputs(s, fp);
	for (; w < width; w++)
		fputc(' ', fp);
}

/* One row of the table, and a line with the last failure's reason. */
static void
status_row(FILE *fp, const struct receiver *r, const struct outbox_stats *st,
    size_t namew)
{
	char t1[CLOCK_RFC3339_BUFSZ], t2[CLOCK_RFC3339_BUFSZ];
	char t3[CLOCK_RFC3339_BUFSZ] = "-";

	if (st->oldest_waiting >= 0)
		clock_rfc3339(st->oldest_waiting, t3);
	status_cell(fp, r->name, namew + 2);
	status_cell(fp, status_types[r->type], 9);
	status_cell(fp, status_time(st->last_sent_ms, t1), 27);
	status_cell(fp, status_time(st->last_failure_ms, t2), 27);
	fprintf(fp, "%-8lld %-7lld %-10lld %-9lld %s\n", st->waiting,
	    st->failed, st->cancelled, st->silenced, t3);
	if (st->last_failure_ms >= 0)
		fprintf(fp, "  %s: last failure: %s\n", r->name,
		    st->last_failure);
	if (st->failed_open > 0)
		fprintf(fp,
		    "  %s: %lld failed deliver%s of open windows: fix the "
		    "receiver, then deadlined --resend %s\n",
		    r->name, st->failed_open,
		    st->failed_open == 1 ? "y" : "ies", r->name);
}

int
status_print(const struct config *cfg, time_t now, bool json, FILE *fp)
{
	struct outbox_stats st;
	struct outbox *ob;
	json_t *all = NULL;
	size_t namew = 8;
	int rc = 0;

	if ((ob = outbox_open(cfg->state_dir)) == NULL)
		return -1;
	for (size_t i = 0; i < cfg->nreceivers; i++)
		if (utf8_width(cfg->receivers[i].name) > namew)
			namew = utf8_width(cfg->receivers[i].name);
	if (json && (all = json_array()) == NULL)
		fatalx("json_array");
	else if (!json) {
		status_cell(fp, "RECEIVER", namew + 2);
		fprintf(fp, "%-9s%-27s%-27s%-8s %-7s %-10s %-9s %s\n", "TYPE",
		    "LAST SENT", "LAST FAILURE", "WAITING", "FAILED",
		    "CANCELLED", "SILENCED", "OLDEST WAITING");
	}
	for (size_t i = 0; i < cfg->nreceivers && rc != -1; i++) {
		const struct receiver *r = &cfg->receivers[i];

		if (outbox_stats(ob, r->name, &st) == -1) {
			rc = -1;
			break;
		}
		if (status_alarm(&st, now))
			rc = 1;
		if (json)
			json_array_append_new(all, status_json(r, &st, now));
		else
			status_row(fp, r, &st, namew);
	}
	if (json && rc != -1 &&
	    (json_dumpf(all, fp, JSON_INDENT(2)) == -1 ||
	        fputc('\n', fp) == EOF))
		rc = -1;
	json_decref(all);
	outbox_close(ob);
	return rc;
}
