/*
 * test_report.c -- the evidence report (report.c) from a configuration
 * tree and an outbox in a temporary directory: how each deadline's
 * counting is explained (a weekend roll, a holiday roll, a window that
 * does not roll, an extension), every value escaped, one row per
 * delivery and attempt, the English words, and an unknown case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "outbox.h"
#include "report.h"

static const char main_conf[] =
    "timezone = \"Asia/Shanghai\";\n"
    "state_dir = \"state\";\n"
    "notify_at = \"09:00\";\n"
    "calendar = { weekend = [ \"sat\", \"sun\" ];\n"
    "  holidays = [ \"2025-10-01\", \"2025-10-02\", \"2025-10-03\",\n"
    "    \"2025-10-06\", \"2025-10-07\", \"2025-10-08\" ]; };\n"
    "windows = {\n"
    "  decision = { title = \"决定<是否>立案\"; opens = \"transferred\";\n"
    "    closes = [ \"filed\" ]; days = 7; extended_days = 30;\n"
    "    extended_by = \"extended\"; };\n"
    "  custody = { title = \"Custody\"; opens = \"detained\";\n"
    "    closes = [ \"released\" ]; days = 7; roll = \"none\"; };\n"
    "};\n"
    "receivers = ( { name = \"log\"; type = \"log\"; } );\n";

/* Sat 07-05 + 7 = Sat 07-12, to Mon 07-14; custody stays on 07-12.
 * B-1: Fri 09-26 + 7 = Fri 10-03 (holiday), to Thu 10-09.
 * C-1: 07-03, extended: + 30 = Sat 08-02, to Mon 08-04. */
static const char cases_conf[] =
    "cases = (\n"
    "  { id = \"A-1\"; title = \"Zhang <script>x</script>\";\n"
    "    court = \"A&B\"; transferred = \"2025-07-05\";\n"
    "    detained = \"2025-07-05\"; },\n"
    "  { id = \"B-1\"; transferred = \"2025-09-26\"; },\n"
    "  { id = \"C-1\"; transferred = \"2025-07-03\";\n"
    "    extended = \"2025-07-08\"; }\n"
    ");\n";

struct tree {
	char dir[64];
	struct config *cfg;
	struct outbox *ob;
};

/* Write text to dir/name. */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

static void
tree_new(struct tree *t)
{
	struct config_errors errs = {0};
	char path[160];

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/deadlined-report-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(path, sizeof(path), "%s/cases.d", t->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_file(t->dir, "deadlined.conf", main_conf);
	write_file(t->dir, "cases.d/a.conf", cases_conf);
	assert_int_equal(clock_set_zone("Asia/Shanghai"), 0);
	snprintf(path, sizeof(path), "%s/deadlined.conf", t->dir);
	t->cfg = config_load(path, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	config_errors_free(&errs);
	assert_non_null(t->cfg);
	snprintf(path, sizeof(path), "%s/state", t->dir);
	assert_non_null(t->ob = outbox_open(path));
}

static void
tree_free(struct tree *t)
{
	static const char *const files[] = {"state/outbox.db",
	    "state/outbox.db-wal", "state/outbox.db-shm", "cases.d/a.conf",
	    "deadlined.conf", "state", "cases.d", ""};
	char path[160];

	outbox_close(t->ob);
	config_free(t->cfg);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", t->dir, files[i]);
		if (unlink(path) == -1)
			rmdir(path);
	}
}

/* The report of case_id as a malloc'd string; *rc what report_write
 * returned. */
static char *
report(struct tree *t, const char *case_id, enum report_lang lang, int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	*rc = report_write(t->cfg, t->ob, case_id, lang, "/?token=a&b", fp);
	assert_int_equal(fclose(fp), 0);
	return text;
}

/* How many times needle is in hay. */
static int
occurrences(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* outbox_due callback: note the delivery's id. */
static int
delivery_of(const struct outbox_pending *p, void *arg)
{
	*(long long *)arg = p->at.id;
	return 1;
}

/* Queue an alert of A-1 to log and record two attempts at it. */
static void
record_attempts(struct tree *t)
{
	static const char id[OUTBOX_ID_LEN + 1] =
	    "0123456789abcdef0123456789abcdef";
	struct outbox_attempt a = {.receiver = "log",
	    .message = "key-1",
	    .started_ms = 1751763600000LL,
	    .duration_ms = 12,
	    .result = "retry",
	    .status = 503,
	    .detail = "<b>busy</b> & \"later\""};
	long long delivery = 0;

	assert_int_equal(outbox_add(t->ob, id, "A-1", "decision", "opened",
	                     1751763600, "{}", "log", 1751763600, 1751763600),
	    1);
	assert_int_equal(outbox_due(t->ob, "log", 1751763600, NULL, 1,
	                     delivery_of, &delivery),
	    0);
	assert_true(delivery > 0);
	assert_int_equal(outbox_attempt(t->ob, &a, &id, &delivery, 1), 0);
	a.message = "key-2";
	a.result = "sent";
	a.status = 250;
	a.detail = "SMTP 250";
	a.subject = "Subject <1>";
	a.recipients = "a@example.org";
	a.message_id = "<m1@example.org>";
	assert_int_equal(outbox_attempt(t->ob, &a, &id, &delivery, 1), 0);
}

/* the weekend roll, a window that does not roll, escaping, rows. */
static void
test_weekend_roll_and_escaping(void **state)
{
	struct tree t;
	char *html;
	int rc;

	(void)state;
	tree_new(&t);
	record_attempts(&t);
	html = report(&t, "A-1", REPORT_ZH, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(html, "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(html, "第一百零五条"));
	assert_non_null(strstr(html,
	    "2025-07-12（星期六），为休息日，"
	    "顺延至节假日后的第一个工作日 "
	    "2025-07-14（星期一）"));
	assert_non_null(strstr(html, "本期限按配置不顺延"));
	/* decision is the built-in one: where its 7 and 30 days come from;
	 * custody is not. */
	assert_int_equal(occurrences(html, "期间来源"), 1);
	assert_non_null(
	    strstr(html, "《关于办理拒不执行判决、裁定刑事案件的意见》"));
	assert_non_null(strstr(html, "Zhang &lt;script&gt;x&lt;/script&gt;"));
	assert_non_null(strstr(html, "决定&lt;是否&gt;立案"));
	assert_non_null(strstr(html, "A&amp;B"));
	assert_non_null(strstr(html,
	    "&lt;b&gt;busy&lt;/b&gt; &amp; "
	    "&quot;later&quot;"));
	assert_non_null(strstr(html, "&lt;m1@example.org&gt;"));
	assert_non_null(strstr(html, "Subject &lt;1&gt;"));
	assert_non_null(strstr(html, "href=\"/?token=a&amp;b\""));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<b>busy"));
	assert_int_equal(occurrences(html, "<tr class=\"delivery\""), 2);
	assert_non_null(strstr(html, "key-1"));
	assert_non_null(strstr(html, "key-2"));
	free(html);
	tree_free(&t);
}

/* B-1 rolls over a holiday; C-1's extension gives 30 days. */
static void
test_holiday_roll_and_extension(void **state)
{
	struct tree t;
	char *html;
	int rc;

	(void)state;
	tree_new(&t);
	html = report(&t, "B-1", REPORT_ZH, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(html,
	    "2025-10-03（星期五），为法定节假日，"
	    "顺延至节假日后的第一个工作日 "
	    "2025-10-09（星期四）"));
	assert_non_null(strstr(html, "尚无通知记录"));
	assert_non_null(strstr(html, "未使用节假日文件"));
	free(html);
	html = report(&t, "C-1", REPORT_EN, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(html, "<html lang=\"en\">"));
	assert_non_null(strstr(html,
	    "Extended (extended on 2025-07-08): 30 "
	    "days."));
	assert_non_null(strstr(html,
	    "2025-08-02 (Sat), a weekend day: the "
	    "period ends on the first working day "
	    "after it, 2025-08-04 (Mon)"));
	assert_non_null(strstr(html,
	    "Criminal Procedure Law of the PRC, "
	    "Art. 105"));
	free(html);
	tree_free(&t);
}

/* A case neither configured nor recorded: 1 and nothing written. */
static void
test_unknown_case(void **state)
{
	struct tree t;
	enum report_lang lang;
	char *html;
	int rc;

	(void)state;
	tree_new(&t);
	html = report(&t, "Z-9", REPORT_ZH, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(html, "");
	free(html);
	assert_int_equal(report_lang_parse("en", &lang), 0);
	assert_int_equal(lang, REPORT_EN);
	assert_int_equal(report_lang_parse("zh", &lang), 0);
	assert_int_equal(lang, REPORT_ZH);
	assert_int_equal(report_lang_parse("fr", &lang), -1);
	tree_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weekend_roll_and_escaping),
	    cmocka_unit_test(test_holiday_roll_and_extension),
	    cmocka_unit_test(test_unknown_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
