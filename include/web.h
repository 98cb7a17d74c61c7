/*
 * web.h -- the status listener (issue 11): health, Prometheus metrics,
 * the open windows as JSON, as an iCalendar feed and as a dashboard,
 * served by libevent's evhttp on the daemon's own event loop.
 */
#ifndef DEADLINED_WEB_H
#define DEADLINED_WEB_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "outbox.h"

/* Listen on cfg's http.listen, if set; 0, or -1 (logged) if it cannot
 * bind.  cfg and ob must outlive the listener or be replaced. */
int web_start(struct event_base *base, const struct config *cfg,
    struct outbox *ob);

/* Serve cfg from now on (a reload); its token replaces the old one, a
 * new address is logged as taking effect at the next start. */
void web_set_config(const struct config *cfg);

/* Note a reload's outcome for /healthz and /metrics: success, or how
 * many errors the configuration had. */
void web_reloaded(bool ok, size_t nerrors);

/* Note whether planning could write the outbox. */
void web_set_plan_ok(bool ok);

/* Stop listening and free everything; safe when never started. */
void web_stop(void);

#endif
