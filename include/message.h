/*
 * message.h -- the words of an alert: the default texts in Chinese and
 * English, and administrators' templates.
 *
 * Every channel that writes for people (email and the chat robots) asks
 * here for a message's subject and body, so an alert reads the same
 * wherever it lands.  Input is the JSON array of alert objects described
 * in alert.h; output is plain text or Markdown, UTF-8, never a secret.
 *
 * Templates (a receiver's `subject` and `body`, see template.h) are
 * rendered here with an alert's values.  The body template is rendered
 * once per alert; a message with several alerts (a digest) joins them.
 */
#ifndef DEADLINED_MESSAGE_H
#define DEADLINED_MESSAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum message_style {
	MESSAGE_TEXT,     /* plain text */
	MESSAGE_MARKDOWN, /* the Markdown the chat robots render */
};

/* What the values a case file wrote (case id, title, court, window
 * titles) are made inert for: shown as text, never acted on. */
enum message_markup {
	MARKUP_NONE,     /* plain text: as written */
	MARKUP_MARKDOWN, /* the robots' Markdown: full-width <>[]*_`#~|@ */
	MARKUP_SLACK,    /* mrkdwn: full-width *_~`; the channel writes
	                    & < > as &amp; &lt; &gt; */
	MARKUP_TEAMS,    /* an Adaptive Card TextBlock: full-width *_[] */
};

/* One line naming the kind(s), the (first) case and its deadline; for a
 * test message, one saying so.  A new string. */
char *message_subject(const struct receiver *r, json_t *alerts, bool test);

/* As message_subject, with the values defused for markup. */
char *message_subject_markup(const struct receiver *r, json_t *alerts,
    bool test, enum message_markup markup);

/* The whole text of a message: every alert with its case, court, window,
 * opened, deadline with weekday, days left or overdue and what to do
 * next.  A new string. */
char *message_body(const struct receiver *r, json_t *alerts, bool test,
    enum message_style style);

/* As message_body, but at most max bytes: whole alerts are dropped from
 * the end and "... and N more" (in the receiver's language) put in their
 * place.  A new string. */
char *message_body_max(const struct receiver *r, json_t *alerts, bool test,
    enum message_style style, size_t max);

/* Say in every later test message that the receiver hears of open
 * windows, overdue of them (--test-receiver counts them first). */
void message_test_counts(size_t open, size_t overdue);

/* As message_body_max, with the values defused for markup
 * (message_body_max: MARKUP_MARKDOWN for Markdown, else none). */
char *message_body_markup(const struct receiver *r, json_t *alerts, bool test,
    enum message_style style, enum message_markup markup, size_t max);

/* "2025-07-10 (周四)" or "2025-07-10 (Thu)" for a YYYY-MM-DD day into buf
 * (at least 32 bytes); the day alone if it does not parse. */
char *message_date(const struct receiver *r, const char *day, char *buf,
    size_t len);

#endif
