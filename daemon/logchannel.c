/*
 * logchannel.c -- the log receiver: each alert becomes one line of the
 * daemon's log,
 *
 *     ALERT overdue: case X (court): title, deadline D, 2 days overdue
 *         [receiver, alert ID]
 *
 * (an administrators' notice: "ADMIN event: text [receiver, alert ID]").
 * It is a channel like the others (channel.c) with nothing to transfer:
 * deliver.c records the message as sent and only then logs its lines, so
 * the log never says more than the outbox holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "buf.h"
#include "channel.h"
#include "xmalloc.h"

/* "due today", "1 day left", "3 days overdue". */
static void
logchannel_days(int left, char *out, size_t len)
{
	if (left == 0)
		snprintf(out, len, "due today");
	else
		snprintf(out, len, "%d day%s %s", left < 0 ? -left : left,
		    left == 1 || left == -1 ? "" : "s",
		    left < 0 ? "overdue" : "left");
}

char *
logchannel_line(json_t *alert, const char *alert_id, const char *receiver)
{
	const char *kind = "", *case_id = "", *court = "", *title = "";
	const char *deadline = "";
	char days[64], *line;
	int left = 0;

	if (admin_is_notice(alert)) {
		json_unpack(alert, "{s:{s:s, s:s}}", "admin", "event", &kind,
		    "text", &title);
		xasprintf(&line, "ADMIN %s: %s [%s, alert %s]", kind, title,
		    receiver, alert_id);
		return line;
	}
	json_unpack(alert, "{s:s, s:i, s:{s:s, s:s}, s:{s:s, s:s}}", "kind",
	    &kind, "days_left", &left, "case", "id", &case_id, "court", &court,
	    "window", "title", &title, "deadline", &deadline);
	logchannel_days(left, days, sizeof(days));
	/* A case without a court shows no empty "()". */
	xasprintf(&line,
	    "ALERT %s: case %s%s%s%s: %s, deadline %s, %s [%s, alert %s]", kind,
	    case_id, *court != '\0' ? " (" : "", court,
	    *court != '\0' ? ")" : "", title, deadline, days, receiver,
	    alert_id);
	return line;
}

/* The lines of the alerts into t->body.  The log's messages carry one
 * alert each, and their key is the alert's id. */
int
logchannel_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test, char *err,
    size_t errlen)
{
	struct buf b = {NULL, 0, 0};
	const char *id;
	json_t *a;
	size_t i;
	char *line;

	(void)now, (void)err, (void)errlen;
	buf_printf(&b, "%s", "");
	if (test)
		buf_printf(&b,
		    "TEST message for receiver %s: deadlined can write alerts "
		    "to this log",
		    r->name);
	json_array_foreach(alerts, i, a) {
		if (json_array_size(alerts) == 1 ||
		    (id = json_string_value(json_object_get(a, "id"))) == NULL)
			id = delivery_id;
		line = logchannel_line(a, id, r->name);
		buf_printf(&b, "%s%s", i > 0 ? "\n" : "", line);
		free(line);
	}
	t->body = buf_take(&b);
	t->len = strlen(t->body);
	return 0;
}
