/*
 * chat.c -- the chat-robot channel: one HTTP POST per delivery to a
 * DingTalk custom robot, a WeCom (企业微信) group robot, a Feishu/Lark
 * custom bot, a Slack incoming webhook or a Microsoft Teams Workflows
 * webhook, each in the robot's own body shape.
 *
 * The words come from message.c (message_subject, message_body_max);
 * this file only pours them into each provider's JSON, built with
 * jansson so that every value is escaped by the encoder, and keeps them
 * within the provider's size limits by asking message.c for fewer alerts
 * and an "... and N more" line rather than cutting a message in two.
 *
 * DingTalk and Feishu robots with a secret want a signature over the
 * current time, which they check against their own clock (an hour either
 * way): the time signed is therefore the real one (clock_real_ms), never
 * the --now clock.  DingTalk's goes into the URL as the query parameters
 * timestamp and sign; Feishu's into the body as "timestamp" and "sign".
 *
 * DingTalk, WeCom and Feishu answer HTTP 200 even when they refuse a
 * message, with an error code in the body.  chat_verdict reads it and
 * tells a refusal a retry may cure (a rate limit, an unknown code) from
 * one that it cannot (a bad signature, key or message type).
 *
 * As in webhook.c, every buffer curl points into belongs to the struct
 * transfer, so a reload cannot free it under a transfer in flight, and
 * neither the URL (it holds the robot's token) nor the secret ever goes
 * into a log line or an error.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "http.h"
#include "log.h"
#include "message.h"
#include "utf8.h"
#include "xmalloc.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

/*
 * Bytes of text each robot is given.  WeCom documents its limits on the
 * content (4096 bytes of Markdown, 2048 of text); the others limit the
 * whole request (DingTalk 20000 bytes, Feishu 20 KB, Teams 28 KB) or a
 * field (Slack: 3000 characters in a section, 40000 in "text"), so the
 * text is kept well below, leaving room for the JSON around it.
 */
#define CHAT_DINGTALK_MAX   15000
#define CHAT_WECOM_MARKDOWN 4096
#define CHAT_WECOM_TEXT     2048
#define CHAT_FEISHU_MAX     12000
#define CHAT_SLACK_TEXT     30000
#define CHAT_SLACK_SECTION  3000
#define CHAT_TEAMS_MAX      20000

#define CHAT_B64_MAX    64  /* base64 of an HMAC-SHA256, NUL-ended */
#define CHAT_SIGN_MAX   160 /* the same, URL-encoded */
#define CHAT_ERRMSG_MAX 160 /* bytes of a provider's message kept */

/* Set when chat_text had to leave alerts out ("... and N more"). */
static bool chat_trimmed;

/* The body chat_fits last found to fit, for receiver r and the alerts
 * in list (held, so that none of them can be freed and its address
 * reused), until chat_setup takes it or chat_fits makes another:
 * deliver.c asks chat_fits and sets the message up right after, and
 * would otherwise build the same body twice. */
static struct {
	const struct receiver *r;
	json_t *list;
	char *body;
} chat_fitted;

/*
 * The codes in a refusal that say what to do about it.  Only codes the
 * providers document as a matter of configuration or of the request
 * itself are permanent: a wrong CHAT_FAIL loses an alert, a wrong
 * CHAT_RETRY only costs a few requests, so any code not listed is
 * retried.  The retried ones are listed for the reader.
 */
static const struct chat_code {
	enum receiver_format format;
	long long code;
	enum chat_verdict verdict;
} chat_codes[] = {
    {FORMAT_DINGTALK, -1, CHAT_RETRY},          /* system busy */
    {FORMAT_DINGTALK, 130101, CHAT_RETRY},      /* send too fast */
    {FORMAT_DINGTALK, 410100, CHAT_RETRY},      /* send too fast */
    {FORMAT_DINGTALK, 300001, CHAT_FAIL},       /* invalid token */
    {FORMAT_DINGTALK, 310000, CHAT_RETRY_ONCE}, /* sign, keywords, IP */
    {FORMAT_DINGTALK, 400101, CHAT_FAIL},       /* no such access_token */
    {FORMAT_DINGTALK, 400102, CHAT_FAIL},       /* robot disabled */
    {FORMAT_WECOM, -1, CHAT_RETRY},             /* system busy */
    {FORMAT_WECOM, 45009, CHAT_RETRY},          /* api freq out of limit */
    {FORMAT_WECOM, 93000, CHAT_FAIL},           /* invalid webhook key */
    {FORMAT_WECOM, 40008, CHAT_FAIL},           /* invalid message type */
    {FORMAT_WECOM, 40058, CHAT_FAIL},           /* invalid parameter */
    {FORMAT_WECOM, 44004, CHAT_FAIL},           /* empty content */
    {FORMAT_FEISHU, 11232, CHAT_RETRY},         /* frequency limited */
    {FORMAT_FEISHU, 11233, CHAT_RETRY},         /* frequency limited */
    {FORMAT_FEISHU, 99991400, CHAT_RETRY},      /* request rate limit */
    {FORMAT_FEISHU, 9499, CHAT_FAIL},           /* bad request */
    {FORMAT_FEISHU, 19001, CHAT_FAIL},          /* invalid webhook token */
    {FORMAT_FEISHU, 19021, CHAT_RETRY_ONCE},    /* sign match fail */
    {FORMAT_FEISHU, 19022, CHAT_FAIL},          /* IP not allowed */
    {FORMAT_FEISHU, 19024, CHAT_FAIL},          /* key words not found */
};

/* True if the receiver's msgtype is name. */
static bool
chat_msgtype(const struct receiver *r, const char *name)
{
	return r->msgtype != NULL && strcmp(r->msgtype, name) == 0;
}

/* End s at most max bytes in, on a UTF-8 character boundary. */
static void
chat_cut(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	s[n] = '\0';
}

/* s with Slack's three control characters escaped (&amp; &lt; &gt;), so
 * that no text can become a link or an @channel; a new string. */
static char *
chat_slack_escape(const char *s)
{
	char *out, *p;

	out = p = xreallocarray(NULL, strlen(s) * 5 + 1, 1);
	for (; *s != '\0'; s++) {
		if (*s == '&')
			p = stpcpy(p, "&amp;");
		else if (*s == '<')
			p = stpcpy(p, "&lt;");
		else if (*s == '>')
			p = stpcpy(p, "&gt;");
		else
			*p++ = *s;
	}
	*p = '\0';
	return out;
}

/* Markdown in Slack's mrkdwn: a heading line and **bold** become *bold*;
 * a new string. */
static char *
chat_slack_mrkdwn(const char *md)
{
	char *out, *p;
	bool bol = true;

	out = p = xreallocarray(NULL, strlen(md) * 2 + 1, 1);
	while (*md != '\0') {
		if (bol && *md == '#') {
			md += strspn(md, "#");
			md += strspn(md, " ");
			*p++ = '*';
			while (*md != '\0' && *md != '\n')
				*p++ = *md++;
			*p++ = '*';
			continue;
		}
		bol = *md == '\n';
		if (md[0] == '*' && md[1] == '*')
			md++;
		*p++ = *md++;
	}
	*p = '\0';
	return out;
}

/* Text for a Slack section: escaped, then in mrkdwn; a new string. */
static char *
chat_slack_section(const char *md)
{
	char *esc = chat_slack_escape(md), *s;

	s = chat_slack_mrkdwn(esc);
	free(esc);
	return s;
}

/*
 * Feishu's text and card messages act on <at user_id="all"> tags, and a
 * case title is not the administrator's to @ the whole group with: a
 * zero-width space after each '<' before "at" keeps the tag from being
 * one.  Takes s (freed) and returns a new string.
 */
static char *
chat_feishu_defuse(char *s)
{
	struct buf b = {NULL, 0, 0};

	for (const char *p = s; *p != '\0'; p++) {
		buf_addn(&b, p, 1);
		if (*p == '<' && strncasecmp(p + 1, "at", 2) == 0)
			buf_adds(&b, "\u200b");
	}
	free(s);
	return buf_take(&b);
}

/* Markdown for a Feishu card, which shows no headings: a heading line
 * becomes a line in bold; a new string. */
static char *
chat_feishu_md(const char *md)
{
	char *out, *p;
	bool bol = true;

	out = p = xreallocarray(NULL, strlen(md) * 2 + 1, 1);
	while (*md != '\0') {
		if (bol && *md == '#') {
			md += strspn(md, "#");
			md += strspn(md, " ");
			p = stpcpy(p, "**");
			while (*md != '\0' && *md != '\n')
				*p++ = *md++;
			p = stpcpy(p, "**");
			continue;
		}
		bol = *md == '\n';
		*p++ = *md++;
	}
	*p = '\0';
	return out;
}

/*
 * The subject as the text's first line (between pre and post), for a
 * robot whose message has no title of its own, when the receiver has its
 * own subject or body template: the default body opens with a headline
 * that the default subject would only repeat.  A new string.
 */
static char *
chat_head(const struct receiver *r, json_t *alerts, bool test,
    enum message_markup markup, const char *pre, const char *post,
    char *(*escape)(const char *))
{
	char *subject, *s;

	if (r->subject == NULL && r->body == NULL)
		return xstrdup("");
	subject = message_subject_markup(r, alerts, test, markup);
	if (escape != NULL) {
		s = escape(subject);
		free(subject);
		subject = s;
	}
	xasprintf(&s, "%s%s%s", pre, subject, post);
	free(subject);
	return s;
}

/* head, body cut to room bytes, tail, cut to max bytes: a new string;
 * body is freed. */
static char *
chat_text_wrap(char *body, const char *head, const char *tail, size_t room,
    size_t max)
{
	char *s;

	chat_cut(body, room);
	xasprintf(&s, "%s%s%s", head, body, tail);
	free(body);
	chat_cut(s, max);
	return s;
}

/*
 * The message body in style, fitted with head and tail into max bytes:
 * head, the body (whole alerts dropped for "... and N more" if need be),
 * tail; the values from case files defused for markup; escape, if set,
 * is applied to the body first.  A new string, or NULL.
 */
static char *
chat_text(const struct receiver *r, json_t *alerts, bool test,
    enum message_style style, enum message_markup markup, const char *head,
    const char *tail, size_t max, char *(*escape)(const char *))
{
	size_t fixed = strlen(head) + strlen(tail), room, ask, len, whole;
	char *body, *s;

	room = ask = max > fixed ? max - fixed : 0;
	/* Would every alert fit?  chat_fits wants to know. */
	if ((body = message_body_markup(r, alerts, test, style, markup,
	         SIZE_MAX)) == NULL)
		return NULL;
	if (escape != NULL) {
		s = escape(body);
		free(body);
		body = s;
	}
	len = whole = strlen(body);
	while (len > 0 && body[len - 1] == '\n')
		len--;
	if (len > room)
		chat_trimmed = true;
	if (whole <= room) {
		/* It all fits: what message_body_max would build again. */
		body[len] = '\0';
		return chat_text_wrap(body, head, tail, room, max);
	}
	free(body);
	for (int tries = 0;; tries++) {
		if ((body = message_body_markup(r, alerts, test, style, markup,
		         ask)) == NULL)
			return NULL;
		if (escape != NULL) {
			s = escape(body);
			free(body);
			body = s;
		}
		len = strlen(body);
		while (len > 0 && body[len - 1] == '\n')
			body[--len] = '\0';
		/* Escaping grew it: ask again for less, a few times. */
		if (len <= room || tries == 3 || ask == 0)
			break;
		ask = len - room >= ask ? 0 : ask - (len - room);
		free(body);
	}
	return chat_text_wrap(body, head, tail, room, max);
}

/* " @mobile" for each mobile to @, after sep; "" if none.  A new
 * string: DingTalk wants them in the text as well as in "at". */
static char *
chat_mention_text(const struct receiver *r, const char *sep)
{
	size_t len = strlen(sep) + 1;
	char *s;

	if (r->nat_mobiles == 0)
		return xstrdup("");
	for (size_t i = 0; i < r->nat_mobiles; i++)
		len += strlen(r->at_mobiles[i]) + 2;
	s = xcalloc(1, len);
	strcpy(s, sep);
	for (size_t i = 0; i < r->nat_mobiles; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, "@");
		strcat(s, r->at_mobiles[i]);
	}
	return s;
}

/* A JSON array of the mobiles to @, and "@all" last if all is set. */
static json_t *
chat_mobiles(const struct receiver *r, bool all)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < r->nat_mobiles; i++)
		json_array_append_new(a, json_string(r->at_mobiles[i]));
	if (a != NULL && all)
		json_array_append_new(a, json_string("@all"));
	return a;
}

/* The DingTalk body: markdown (title, text) or text (content), with the
 * people to @ both in "at" and, as "@mobile", in the text. */
static json_t *
chat_dingtalk(const struct receiver *r, json_t *alerts, bool test)
{
	bool text = chat_msgtype(r, "text");
	char *head, *tail, *s, *subject;
	json_t *doc;

	enum message_markup m = text ? MARKUP_NONE : MARKUP_MARKDOWN;

	head = chat_head(r, alerts, test, m, text ? "" : "#### ", "\n\n", NULL);
	tail = chat_mention_text(r, text ? "\n" : "\n\n");
	s = chat_text(r, alerts, test, text ? MESSAGE_TEXT : MESSAGE_MARKDOWN,
	    m, head, tail, CHAT_DINGTALK_MAX, NULL);
	free(head);
	free(tail);
	if (s == NULL)
		return NULL;
	if (text)
		doc = json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text",
		    "content", s);
	else {
		subject = message_subject(r, alerts, test);
		doc = json_pack("{s:s, s:{s:s, s:s}}", "msgtype", "markdown",
		    "markdown", "title", subject, "text", s);
		free(subject);
	}
	free(s);
	if (doc != NULL && (r->nat_mobiles > 0 || r->at_all) &&
	    json_object_set_new(doc, "at",
	        json_pack("{s:o, s:b}", "atMobiles", chat_mobiles(r, false),
	            "isAtAll", r->at_all)) == -1) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/*
 * The WeCom body: markdown (content, at most 4096 bytes) or text
 * (content, at most 2048 bytes, and mentioned_mobile_list).  WeCom's
 * Markdown cannot @ anyone by mobile, so mentions go with text only.
 */
static json_t *
chat_wecom(const struct receiver *r, json_t *alerts, bool test)
{
	bool text = chat_msgtype(r, "text");
	json_t *doc;
	char *head, *s;

	enum message_markup m = text ? MARKUP_NONE : MARKUP_MARKDOWN;

	head = chat_head(r, alerts, test, m, text ? "" : "### ", "\n\n", NULL);
	s = chat_text(r, alerts, test, text ? MESSAGE_TEXT : MESSAGE_MARKDOWN,
	    m, head, "", text ? CHAT_WECOM_TEXT : CHAT_WECOM_MARKDOWN, NULL);
	free(head);
	if (s == NULL)
		return NULL;
	if (!text)
		doc = json_pack("{s:s, s:{s:s}}", "msgtype", "markdown",
		    "markdown", "content", s);
	else if (r->nat_mobiles > 0 || r->at_all)
		doc = json_pack("{s:s, s:{s:s, s:o}}", "msgtype", "text",
		    "text", "content", s, "mentioned_mobile_list",
		    chat_mobiles(r, r->at_all));
	else
		doc = json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text",
		    "content", s);
	free(s);
	return doc;
}

/* Feishu's rich text: one paragraph of one text element per line. */
static json_t *
chat_feishu_paragraphs(const char *text)
{
	json_t *paras = json_array(), *p;
	const char *line = text, *nl, *end = text + strlen(text);

	while (end > text && end[-1] == '\n')
		end--;
	while (paras != NULL) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		p = json_pack("[{s:s, s:s#}]", "tag", "text", "text", line,
		    (int)(nl - line));
		if (p == NULL || json_array_append_new(paras, p) == -1) {
			json_decref(paras);
			return NULL;
		}
		if (nl == end)
			break;
		line = nl + 1;
	}
	return paras;
}

/* A Feishu text message: "text". */
static json_t *
chat_feishu_text(const struct receiver *r, json_t *alerts, bool test)
{
	json_t *v = NULL;
	char *head, *s;

	head = chat_head(r, alerts, test, MARKUP_NONE, "", "\n\n", NULL);
	s = chat_text(r, alerts, test, MESSAGE_TEXT, MARKUP_NONE, head, "",
	    CHAT_FEISHU_MAX, NULL);
	free(head);
	if (s != NULL && (s = chat_feishu_defuse(s)) != NULL)
		v = json_pack("{s:s, s:{s:s}}", "msg_type", "text", "content",
		    "text", s);
	free(s);
	return v;
}

/* A Feishu rich text ("post") message, titled with the subject, in the
 * receiver's language. */
static json_t *
chat_feishu_post(const struct receiver *r, json_t *alerts, bool test)
{
	const char *lang = r->language == LANGUAGE_EN ? "en_us" : "zh_cn";
	json_t *v = NULL;
	char *s, *subject;

	if ((s = chat_text(r, alerts, test, MESSAGE_TEXT, MARKUP_NONE, "", "",
	         CHAT_FEISHU_MAX, NULL)) != NULL) {
		subject = message_subject(r, alerts, test);
		v = json_pack("{s:s, s:{s:{s:{s:s, s:o}}}}", "msg_type", "post",
		    "content", "post", lang, "title", subject, "content",
		    chat_feishu_paragraphs(s));
		free(subject);
	}
	free(s);
	return v;
}

/* A Feishu card ("interactive"): the subject as its header, the text
 * as one Markdown element. */
static json_t *
chat_feishu_card(const struct receiver *r, json_t *alerts, bool test)
{
	json_t *v = NULL;
	char *s, *subject;

	if ((s = chat_text(r, alerts, test, MESSAGE_MARKDOWN, MARKUP_MARKDOWN,
	         "", "", CHAT_FEISHU_MAX, chat_feishu_md)) != NULL &&
	    (s = chat_feishu_defuse(s)) != NULL) {
		subject = message_subject(r, alerts, test);
		v = json_pack("{s:s, s:{s:{s:{s:s, s:s}}, s:[{s:s, s:s}]}}",
		    "msg_type", "interactive", "card", "header", "title", "tag",
		    "plain_text", "content", subject, "elements", "tag",
		    "markdown", "content", s);
		free(subject);
	}
	free(s);
	return v;
}

/* The Feishu body: the signing fields first when there is a secret,
 * then msg_type and the content (post, text or interactive). */
static json_t *
chat_feishu(const struct receiver *r, json_t *alerts, bool test,
    long long real_s)
{
	char ts[32], sign[CHAT_B64_MAX];
	json_t *doc, *msg;

	if (chat_msgtype(r, "text"))
		msg = chat_feishu_text(r, alerts, test);
	else if (chat_msgtype(r, "interactive"))
		msg = chat_feishu_card(r, alerts, test);
	else
		msg = chat_feishu_post(r, alerts, test);
	if (msg == NULL || r->secret == NULL || *r->secret == '\0')
		return msg;
	snprintf(ts, sizeof(ts), "%lld", real_s);
	chat_feishu_sign(r->secret, real_s, sign, sizeof(sign));
	doc = json_pack("{s:s, s:s}", "timestamp", ts, "sign", sign);
	if (doc == NULL || json_object_update(doc, msg) == -1) {
		json_decref(doc);
		doc = NULL;
	}
	json_decref(msg);
	return doc;
}

/* The Slack body: "text", and with msgtype blocks a section of mrkdwn
 * ("text" is then the notification's fallback: the subject). */
static json_t *
chat_slack(const struct receiver *r, json_t *alerts, bool test)
{
	bool blocks = chat_msgtype(r, "blocks");
	char *head, *esc, *s;
	json_t *doc;

	s = message_subject_markup(r, alerts, test, MARKUP_SLACK);
	esc = chat_slack_escape(s);
	free(s);
	head = chat_head(r, alerts, test, MARKUP_SLACK, blocks ? "*" : "",
	    blocks ? "*\n\n" : "\n\n", chat_slack_escape);
	s = chat_text(r, alerts, test, blocks ? MESSAGE_MARKDOWN : MESSAGE_TEXT,
	    MARKUP_SLACK, head, "",
	    blocks ? CHAT_SLACK_SECTION : CHAT_SLACK_TEXT,
	    blocks ? chat_slack_section : chat_slack_escape);
	free(head);
	if (s == NULL) {
		free(esc);
		return NULL;
	}
	if (blocks)
		doc = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}]}", "text", esc,
		    "blocks", "type", "section", "text", "type", "mrkdwn",
		    "text", s);
	else
		doc = json_pack("{s:s}", "text", s);
	free(esc);
	free(s);
	return doc;
}

/* Append a TextBlock of len bytes of line to body, spaced apart from
 * the one before if gap; 0 or -1. */
static int
chat_teams_line(json_t *body, const char *line, int len, bool gap)
{
	json_t *b;

	b = json_pack("{s:s, s:s#, s:b}", "type", "TextBlock", "text", line,
	    len, "wrap", 1);
	if (b != NULL && gap &&
	    json_object_set_new(b, "spacing", json_string("Medium")) == -1) {
		json_decref(b);
		return -1;
	}
	return b == NULL ? -1 : json_array_append_new(body, b);
}

/*
 * The Teams card's body: the subject in bold, then one TextBlock per
 * line of text (a blank line becomes the next block's spacing), since a
 * TextBlock does not keep single line breaks.
 */
static json_t *
chat_teams_blocks(const char *subject, const char *text)
{
	const char *line, *nl;
	bool gap = false;
	json_t *body;
	int len;

	body = json_pack("[{s:s, s:s, s:s, s:s, s:b}]", "type", "TextBlock",
	    "text", subject, "weight", "Bolder", "size", "Medium", "wrap", 1);
	for (line = text; body != NULL && *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		len = nl != NULL ? (int)(nl - line) : (int)strlen(line);
		if (len > 0) {
			if (chat_teams_line(body, line, len, gap) == -1) {
				json_decref(body);
				return NULL;
			}
			gap = false;
		} else
			gap = true;
		if (nl == NULL)
			break;
	}
	return body;
}

/* The Teams body: a message with one Adaptive Card. */
static json_t *
chat_teams(const struct receiver *r, json_t *alerts, bool test)
{
	json_t *blocks;
	char *s, *head;

	if ((s = chat_text(r, alerts, test, MESSAGE_TEXT, MARKUP_TEAMS, "", "",
	         CHAT_TEAMS_MAX, NULL)) == NULL)
		return NULL;
	head = message_subject_markup(r, alerts, test, MARKUP_TEAMS);
	blocks = chat_teams_blocks(head, s);
	free(head);
	free(s);
	if (blocks == NULL)
		return NULL;
	return json_pack("{s:s, s:[{s:s, s:{s:s, s:s, s:s, s:o}}]}", "type",
	    "message", "attachments", "contentType",
	    "application/vnd.microsoft.card.adaptive", "content", "type",
	    "AdaptiveCard", "$schema",
	    "http://adaptivecards.io/schemas/adaptive-card.json", "version",
	    "1.4", "body", blocks);
}

/* The body for r->format as a JSON document; NULL on error.  Each
 * robot's builder makes the subject it shows, in its own markup, or
 * none. */
static json_t *
chat_doc(const struct receiver *r, json_t *alerts, bool test, long long real_ms)
{
	switch (r->format) {
	case FORMAT_DINGTALK:
		return chat_dingtalk(r, alerts, test);
	case FORMAT_WECOM:
		return chat_wecom(r, alerts, test);
	case FORMAT_FEISHU:
		return chat_feishu(r, alerts, test, real_ms / 1000);
	case FORMAT_SLACK:
		return chat_slack(r, alerts, test);
	case FORMAT_TEAMS:
		return chat_teams(r, alerts, test);
	case FORMAT_JSON:
		break;
	}
	return NULL;
}

/* The request body chat_setup sends, as a new string; NULL on error.
 * A test message is written about an empty list of alerts. */
char *
chat_body(const struct receiver *r, json_t *alerts, bool test,
    long long real_ms)
{
	json_t *list, *doc;
	char *body = NULL;

	if (r == NULL || (!test && !json_is_array(alerts)))
		return NULL;
	list = test ? json_array() : json_incref(alerts);
	if (list == NULL)
		return NULL;
	if ((doc = chat_doc(r, list, test, real_ms)) != NULL)
		body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	json_decref(list);
	return body;
}

/* Base64 of HMAC-SHA256 of data under key into out (CHAT_B64_MAX
 * bytes or more); "" if out is too small or HMAC fails. */
static void
chat_hmac_b64(const char *key, size_t keylen, const char *data, size_t len,
    char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
	        len, md, &mdlen) != NULL &&
	    outlen >= 4 * ((mdlen + 2) / 3) + 1)
		EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	explicit_bzero(md, sizeof(md));
}

/* DingTalk's sign: base64 HMAC-SHA256 with key secret over
 * "<timestamp_ms>\n<secret>", URL-encoded; "" if out is too small. */
void
chat_dingtalk_sign(const char *secret, long long timestamp_ms, char *out,
    size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	char b64[CHAT_B64_MAX], *tosign;
	size_t n = 0;
	int len;

	if (outlen == 0)
		return;
	out[0] = '\0';
	len = xasprintf(&tosign, "%lld\n%s", timestamp_ms, secret);
	chat_hmac_b64(secret, strlen(secret), tosign, (size_t)len, b64,
	    sizeof(b64));
	explicit_bzero(tosign, (size_t)len);
	free(tosign);
	for (const char *p = b64; *p != '\0'; p++) {
		if (n + 4 > outlen) {
			out[0] = '\0';
			return;
		}
		if (isalnum((unsigned char)*p) || strchr("-_.~", *p) != NULL)
			out[n++] = *p;
		else {
			out[n++] = '%';
			out[n++] = hex[(unsigned char)*p >> 4];
			out[n++] = hex[(unsigned char)*p & 0xf];
		}
	}
	out[n] = '\0';
}

/* Feishu's sign: base64 HMAC-SHA256 with key "<timestamp_s>\n<secret>"
 * over an empty message; "" if out is too small. */
void
chat_feishu_sign(const char *secret, long long timestamp_s, char *out,
    size_t outlen)
{
	char *key;
	int len;

	len = xasprintf(&key, "%lld\n%s", timestamp_s, secret);
	chat_hmac_b64(key, (size_t)len, "", 0, out, outlen);
	explicit_bzero(key, (size_t)len);
	free(key);
}

/* The URL to POST to, a new string: DingTalk's with timestamp and sign
 * appended when the receiver has a secret, the others' as configured.
 * It holds the robot's token: never log it. */
static char *
chat_url(const struct receiver *r, long long real_ms)
{
	char sign[CHAT_SIGN_MAX], *url;
	const char *sep;
	size_t len = strlen(r->url);

	if (r->format != FORMAT_DINGTALK || r->secret == NULL ||
	    *r->secret == '\0')
		return xstrdup(r->url);
	chat_dingtalk_sign(r->secret, real_ms, sign, sizeof(sign));
	if (len > 0 && (r->url[len - 1] == '?' || r->url[len - 1] == '&'))
		sep = "";
	else
		sep = strchr(r->url, '?') != NULL ? "&" : "?";
	xasprintf(&url, "%s%stimestamp=%lld&sign=%s", r->url, sep, real_ms,
	    sign);
	return url;
}

/* Build every request header into t->headers. */
static void
chat_headers(struct transfer *t, const struct receiver *r,
    const char *delivery_id)
{
	http_header(&t->headers,
	    "Content-Type: application/json; "
	    "charset=utf-8");
	http_header(&t->headers, "Idempotency-Key: %s", delivery_id);
	http_header(&t->headers, "User-Agent: deadlined/%s", VERSION);
	http_header(&t->headers, "Expect:"); /* no 100-continue wait */
	http_extra_headers(&t->headers, r);
}

/* Forget the body chat_fits kept. */
static void
chat_fitted_clear(void)
{
	json_decref(chat_fitted.list);
	free(chat_fitted.body);
	memset(&chat_fitted, 0, sizeof(chat_fitted));
}

/* The body kept for r and exactly the alerts of list, taken (a new
 * string the caller frees), or NULL; the kept body is forgotten either
 * way.  A Feishu body signs the real time: never kept. */
static char *
chat_fitted_take(const struct receiver *r, json_t *list)
{
	char *body = NULL;
	size_t n = json_array_size(list);

	if (chat_fitted.body != NULL && chat_fitted.r == r &&
	    r->format != FORMAT_FEISHU &&
	    json_array_size(chat_fitted.list) == n) {
		body = chat_fitted.body;
		for (size_t i = 0; i < n && body != NULL; i++)
			if (json_array_get(chat_fitted.list, i) !=
			    json_array_get(list, i))
				body = NULL;
		if (body != NULL)
			chat_fitted.body = NULL;
	}
	chat_fitted_clear();
	return body;
}

/* True if one message to r shows the first n alerts whole; the body
 * that does is kept for chat_setup. */
static bool
chat_fits_n(const struct receiver *r, json_t *alerts, size_t n)
{
	json_t *some = json_array();
	char *body;

	for (size_t i = 0; some != NULL && i < n; i++)
		json_array_append(some, json_array_get(alerts, i));
	if (some == NULL)
		fatalx("json_array");
	chat_trimmed = false;
	body = chat_body(r, some, false, 0);
	if (body == NULL || chat_trimmed) {
		json_decref(some);
		free(body);
		return false;
	}
	chat_fitted_clear();
	chat_fitted.r = r;
	chat_fitted.list = some;
	chat_fitted.body = body;
	return true;
}

size_t
chat_fits(const struct receiver *r, json_t *alerts)
{
	size_t lo = 1, hi = json_array_size(alerts), mid;

	if (hi <= 1 || chat_fits_n(r, alerts, hi))
		return hi;
	/* The largest count that fits; one alert goes alone regardless. */
	for (hi--; lo < hi;) {
		mid = (lo + hi + 1) / 2;
		if (chat_fits_n(r, alerts, mid))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Fill in t->easy to POST the alerts to chat robot r, signed over the
 * real time.  now is unused: no robot's body says when it was sent. */
int
chat_setup(struct transfer *t, const struct receiver *r,
    const char *delivery_id, json_t *alerts, time_t now, bool test, char *err,
    size_t errlen)
{
	long long real_ms = clock_real_ms();
	char *url;
	int rc;

	(void)now;
	if (r->url == NULL || r->format == FORMAT_JSON) {
		snprintf(err, errlen,
		    "receiver '%s' is not a chat robot "
		    "with a url",
		    r->name);
		return -1;
	}
	t->body = test ? NULL : chat_fitted_take(r, alerts);
	if (test)
		chat_fitted_clear();
	if (t->body == NULL)
		t->body = chat_body(r, alerts, test, real_ms);
	if (t->body == NULL) {
		snprintf(err, errlen, "receiver '%s': cannot build the body",
		    r->name);
		return -1;
	}
	t->len = strlen(t->body);
	chat_headers(t, r, delivery_id);
	url = chat_url(r, real_ms);
	rc = http_post(t, url, err, errlen);
	explicit_bzero(url, strlen(url));
	free(url);
	return rc;
}

/* "<key> <code>: <text>" into msg, the provider's text cut short and
 * stripped of control characters, as it goes into the log. */
static void
chat_errmsg(char *msg, size_t msglen, const char *key, long long code,
    const char *text)
{
	char clean[CHAT_ERRMSG_MAX];
	size_t i;

	if (msglen == 0)
		return;
	snprintf(clean, sizeof(clean), "%s", text != NULL ? text : "");
	utf8_trim_cut(clean);
	for (i = 0; clean[i] != '\0'; i++)
		if ((unsigned char)clean[i] < 0x20 || clean[i] == 0x7f)
			clean[i] = ' ';
	if (clean[0] != '\0')
		snprintf(msg, msglen, "%s %lld: %s", key, code, clean);
	else
		snprintf(msg, msglen, "%s %lld", key, code);
	utf8_trim_cut(msg);
}

/* What a refusal's code says for format: listed, or retried. */
static enum chat_verdict
chat_code_verdict(enum receiver_format format, long long code)
{
	size_t i, n = sizeof(chat_codes) / sizeof(*chat_codes);

	for (i = 0; i < n; i++)
		if (chat_codes[i].format == format &&
		    chat_codes[i].code == code)
			return chat_codes[i].verdict;
	return CHAT_RETRY;
}

/* Read a 2xx answer: DingTalk and WeCom say errcode/errmsg, Feishu
 * code/msg (or, in older answers, StatusCode/StatusMessage). */
enum chat_verdict
chat_verdict(enum receiver_format format, const char *response, char *msg,
    size_t msglen)
{
	const char *key = "errcode", *text = "errmsg";
	enum chat_verdict v;
	json_t *doc, *code;
	long long n;

	if (msglen > 0)
		msg[0] = '\0';
	if (format == FORMAT_FEISHU) {
		key = "code";
		text = "msg";
	} else if (format != FORMAT_DINGTALK && format != FORMAT_WECOM)
		return CHAT_OK;
	if (response == NULL || (doc = json_loads(response, 0, NULL)) == NULL) {
		snprintf(msg, msglen, "the robot's answer is not JSON");
		return CHAT_RETRY;
	}
	code = json_object_get(doc, key);
	if (code == NULL && format == FORMAT_FEISHU &&
	    (code = json_object_get(doc, "StatusCode")) != NULL) {
		key = "StatusCode";
		text = "StatusMessage";
	}
	if (!json_is_integer(code)) {
		snprintf(msg, msglen, "the robot's answer has no %s", key);
		json_decref(doc);
		return CHAT_RETRY;
	}
	if ((n = json_integer_value(code)) == 0)
		v = CHAT_OK;
	else {
		v = chat_code_verdict(format, n);
		chat_errmsg(msg, msglen, key, n,
		    json_string_value(json_object_get(doc, text)));
	}
	json_decref(doc);
	return v;
}
