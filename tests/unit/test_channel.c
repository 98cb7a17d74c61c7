/*
 * test_channel.c -- the table of channels (channel.c): which row each
 * receiver gets, each row's digest limit, how each judges an answer
 * (HTTP status, a chat robot's verdict in a 2xx body, SMTP replies), the
 * description of a result, and the log channel's lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "deliver.h"

#define ALERT_ID "0123456789abcdef0123456789abcdef"

/* A receiver of type and format. */
static struct receiver
make_receiver(enum receiver_type type, enum receiver_format format,
    const char *msgtype)
{
	struct receiver r;

	memset(&r, 0, sizeof(r));
	r.name = "hook";
	r.type = type;
	r.format = format;
	r.msgtype = msgtype;
	return r;
}

/* A case alert as alert.h describes it. */
static json_t *
make_alert(const char *court, int days_left)
{
	json_t *a = json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s}, "
	                      "s:{s:s, s:s, s:s}}",
	    "id", ALERT_ID, "kind", "overdue", "days_left", days_left, "case",
	    "id", "A-1", "title", "Zhang v. Li", "court", court, "window",
	    "name", "decision", "title", "Police decision", "deadline",
	    "2025-07-10");

	assert_non_null(a);
	return a;
}

/* Each receiver gets its own row, picked by type and, for webhooks, by
 * format. */
static void
test_rows(void **state)
{
	static const struct {
		enum receiver_type type;
		enum receiver_format format;
		const char *name;
		size_t digest;
	} want[] = {
	    {RECEIVER_LOG, FORMAT_JSON, "log", 1},
	    {RECEIVER_EMAIL, FORMAT_JSON, "email", 50},
	    {RECEIVER_WEBHOOK, FORMAT_JSON, "json", 100},
	    {RECEIVER_WEBHOOK, FORMAT_DINGTALK, "dingtalk", 20},
	    {RECEIVER_WEBHOOK, FORMAT_WECOM, "wecom", 10},
	    {RECEIVER_WEBHOOK, FORMAT_FEISHU, "feishu", 20},
	    {RECEIVER_WEBHOOK, FORMAT_SLACK, "slack", 20},
	    {RECEIVER_WEBHOOK, FORMAT_TEAMS, "teams", 20},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct receiver r =
		    make_receiver(want[i].type, want[i].format, "markdown");
		const struct channel *ch = channel_of(&r);

		assert_string_equal(ch->name, want[i].name);
		assert_int_equal(ch->digest_max(&r), want[i].digest);
		assert_non_null(ch->setup);
		/* Only the log has nothing to transfer, and no verdict. */
		assert_int_equal(ch->instant, want[i].type == RECEIVER_LOG);
		assert_int_equal(ch->judge == NULL, ch->instant);
		/* Chat robots cut digests to what shows whole. */
		assert_int_equal(ch->fits != NULL,
		    want[i].type == RECEIVER_WEBHOOK &&
		        want[i].format != FORMAT_JSON);
	}
}

/* WeCom's text messages hold fewer alerts than its markdown ones. */
static void
test_wecom_text(void **state)
{
	struct receiver r =
	    make_receiver(RECEIVER_WEBHOOK, FORMAT_WECOM, "text");

	(void)state;
	assert_int_equal(channel_of(&r)->digest_max(&r), 5);
}

/* An email receiver's format does not matter. */
static void
test_email_any_format(void **state)
{
	struct receiver r = make_receiver(RECEIVER_EMAIL, FORMAT_SLACK, NULL);

	(void)state;
	assert_string_equal(channel_of(&r)->name, "email");
}

/* The judge of channel ch on (rc, code) with an empty answer. */
static enum channel_outcome
judge(const struct channel *ch, CURLcode rc, long code, const char *answer,
    int attempts, char *desc, size_t len)
{
	struct transfer t;

	memset(&t, 0, sizeof(t));
	t.response = (char *)answer;
	desc[0] = '\0';
	return ch->judge(&t, FORMAT_DINGTALK, rc, code, attempts, desc, len);
}

/* Webhooks: 2xx sent, 408/429/5xx and network errors retried, a bad URL
 * and other statuses failed. */
static void
test_judge_http(void **state)
{
	struct receiver r = make_receiver(RECEIVER_WEBHOOK, FORMAT_JSON, NULL);
	const struct channel *ch = channel_of(&r);
	char d[256];

	(void)state;
	assert_int_equal(judge(ch, CURLE_OK, 204, NULL, 0, d, sizeof(d)),
	    CHANNEL_SENT);
	assert_int_equal(judge(ch, CURLE_OK, 299, NULL, 0, d, sizeof(d)),
	    CHANNEL_SENT);
	assert_int_equal(judge(ch, CURLE_OK, 408, NULL, 0, d, sizeof(d)),
	    CHANNEL_RETRY);
	assert_int_equal(judge(ch, CURLE_OK, 429, NULL, 0, d, sizeof(d)),
	    CHANNEL_RETRY);
	assert_int_equal(judge(ch, CURLE_OK, 503, NULL, 0, d, sizeof(d)),
	    CHANNEL_RETRY);
	assert_int_equal(judge(ch, CURLE_OK, 404, NULL, 0, d, sizeof(d)),
	    CHANNEL_FAILED);
	assert_int_equal(judge(ch, CURLE_OK, 301, NULL, 0, d, sizeof(d)),
	    CHANNEL_FAILED);
	assert_int_equal(judge(ch, CURLE_COULDNT_CONNECT, 0, NULL, 0, d,
	                     sizeof(d)),
	    CHANNEL_RETRY);
	assert_int_equal(judge(ch, CURLE_URL_MALFORMAT, 0, NULL, 0, d,
	                     sizeof(d)),
	    CHANNEL_FAILED);
	assert_int_equal(judge(ch, CURLE_UNSUPPORTED_PROTOCOL, 0, NULL, 0, d,
	                     sizeof(d)),
	    CHANNEL_FAILED);
}

/* Chat robots: a 2xx whose body refuses the message is not sent, and the
 * refusal is told in the description. */
static void
test_judge_chat(void **state)
{
	struct receiver r =
	    make_receiver(RECEIVER_WEBHOOK, FORMAT_DINGTALK, "markdown");
	const struct channel *ch = channel_of(&r);
	char d[256];

	(void)state;
	assert_int_equal(judge(ch, CURLE_OK, 200,
	                     "{\"errcode\":0,\"errmsg\":\"ok\"}", 0, d,
	                     sizeof(d)),
	    CHANNEL_SENT);
	assert_string_equal(d, "");
	assert_int_equal(judge(ch, CURLE_OK, 200,
	                     "{\"errcode\":300001,\"errmsg\":\"bad token\"}", 0,
	                     d, sizeof(d)),
	    CHANNEL_FAILED);
	assert_non_null(strstr(d, ", refused: "));
	assert_non_null(strstr(d, "bad token"));
	/* A status that is not 2xx is judged as a webhook's, body unread. */
	assert_int_equal(judge(ch, CURLE_OK, 502, "{\"errcode\":0}", 0, d,
	                     sizeof(d)),
	    CHANNEL_RETRY);
}

/* Mail: sent when curl says so; a 5xx reply is permanent unless the
 * login was refused; the rest is retried. */
static void
test_judge_smtp(void **state)
{
	struct receiver r = make_receiver(RECEIVER_EMAIL, FORMAT_JSON, NULL);
	const struct channel *ch = channel_of(&r);
	char d[256];

	(void)state;
	assert_int_equal(judge(ch, CURLE_OK, 250, NULL, 0, d, sizeof(d)),
	    CHANNEL_SENT);
	assert_int_equal(judge(ch, CURLE_SEND_ERROR, 550, NULL, 0, d,
	                     sizeof(d)),
	    CHANNEL_FAILED);
	assert_int_equal(judge(ch, CURLE_LOGIN_DENIED, 535, NULL, 0, d,
	                     sizeof(d)),
	    CHANNEL_RETRY);
	assert_int_equal(judge(ch, CURLE_SEND_ERROR, 451, NULL, 0, d,
	                     sizeof(d)),
	    CHANNEL_RETRY);
	assert_int_equal(judge(ch, CURLE_COULDNT_CONNECT, 0, NULL, 0, d,
	                     sizeof(d)),
	    CHANNEL_RETRY);
}

/* Mail with refused recipients: the description says which; when all
 * were refused for now, retried only up to the third attempt. */
static void
test_judge_refused(void **state)
{
	struct receiver r = make_receiver(RECEIVER_EMAIL, FORMAT_JSON, NULL);
	const struct channel *ch = channel_of(&r);
	struct transfer t;
	char d[256];

	(void)state;
	memset(&t, 0, sizeof(t));
	t.refused = "a@example.org: 450 busy";
	t.rcpt_refused = 1;
	t.rcpt_sent = 2;
	snprintf(d, sizeof(d), "SMTP 250");
	assert_int_equal(ch->judge(&t, FORMAT_JSON, CURLE_OK, 250, 0, d,
	                     sizeof(d)),
	    CHANNEL_SENT);
	assert_string_equal(d,
	    "SMTP 250; refused 1 of 2 recipients: a@example.org: 450 busy");
	t.rcpt_refused = t.rcpt_sent = 1;
	d[0] = '\0';
	assert_int_equal(ch->judge(&t, FORMAT_JSON, CURLE_RECV_ERROR, 450, 1, d,
	                     sizeof(d)),
	    CHANNEL_RETRY);
	d[0] = '\0';
	assert_int_equal(ch->judge(&t, FORMAT_JSON, CURLE_RECV_ERROR, 450, 2, d,
	                     sizeof(d)),
	    CHANNEL_FAILED);
}

/* A result's description names the protocol and status, or the error. */
static void
test_describe(void **state)
{
	struct receiver hook =
	    make_receiver(RECEIVER_WEBHOOK, FORMAT_JSON, NULL);
	struct receiver mail = make_receiver(RECEIVER_EMAIL, FORMAT_JSON, NULL);
	struct transfer t;
	char d[CURL_ERROR_SIZE + 64];

	(void)state;
	memset(&t, 0, sizeof(t));
	channel_describe(channel_of(&hook), &t, CURLE_OK, 204, d, sizeof(d));
	assert_string_equal(d, "HTTP 204");
	snprintf(t.errbuf, sizeof(t.errbuf), "Recipient refused");
	channel_describe(channel_of(&mail), &t, CURLE_SEND_ERROR, 550, d,
	    sizeof(d));
	assert_string_equal(d, "SMTP 550: Recipient refused");
	t.errbuf[0] = '\0';
	channel_describe(channel_of(&hook), &t, CURLE_COULDNT_CONNECT, 0, d,
	    sizeof(d));
	assert_string_equal(d, curl_easy_strerror(CURLE_COULDNT_CONNECT));
}

/* The log channel's line of a case alert, with and without a court, and
 * its set-up: the lines as the body, nothing to transfer. */
static void
test_log_lines(void **state)
{
	struct receiver r = make_receiver(RECEIVER_LOG, FORMAT_JSON, NULL);
	json_t *a = make_alert("Pudong Court", -2), *b = make_alert("", 1);
	json_t *alerts = json_pack("[O]", a);
	struct transfer t;
	char err[64] = "", *line;

	(void)state;
	line = logchannel_line(a, ALERT_ID, "hook");
	assert_string_equal(line,
	    "ALERT overdue: case A-1 (Pudong Court): Police decision, "
	    "deadline 2025-07-10, 2 days overdue [hook, alert " ALERT_ID "]");
	free(line);
	line = logchannel_line(b, ALERT_ID, "hook");
	assert_string_equal(line,
	    "ALERT overdue: case A-1: Police decision, deadline 2025-07-10, "
	    "1 day left [hook, alert " ALERT_ID "]");
	free(line);
	memset(&t, 0, sizeof(t));
	assert_int_equal(channel_of(&r)->setup(&t, &r, ALERT_ID, alerts, 0,
	                     false, err, sizeof(err)),
	    0);
	assert_null(t.easy);
	assert_non_null(strstr(t.body, "ALERT overdue: case A-1"));
	assert_int_equal(t.len, strlen(t.body));
	deliver_transfer_free(&t);
	json_decref(alerts);
	json_decref(a);
	json_decref(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_wecom_text),
	    cmocka_unit_test(test_email_any_format),
	    cmocka_unit_test(test_judge_http),
	    cmocka_unit_test(test_judge_chat),
	    cmocka_unit_test(test_judge_smtp),
	    cmocka_unit_test(test_judge_refused),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_log_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
