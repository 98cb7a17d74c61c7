/*
 * report.c -- the evidence report of one case, as one HTML page.
 *
 * What a creditor's lawyer files with a private prosecution: the case and
 * the events it records, each window with its deadline and how that
 * deadline was counted (Criminal Procedure Law Art. 105, the weekend and
 * the holiday files the calendar was built from), and every notice with
 * every attempt to deliver it: the real time, the receiver, the result
 * and the provider's answer, the Message-ID or Idempotency-Key by which
 * the receiver can find it.
 *
 * The page stands alone: inline CSS, no script, no image, no font or
 * link fetched from anywhere, so that it can be archived and printed as
 * it is.  Every value from the configuration or the outbox is escaped.
 * It is laid out for A4: the tables have fixed column widths and wrap
 * long values (ids, keys, provider answers) instead of growing past the
 * page.  Chinese by default; the same words in English with --lang en.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "history.h"
#include "outbox.h"
#include "report.h"
#include "window.h"

/* The fixed words of the report, in both languages. */
enum report_word {
	W_TITLE,
	W_BACK,
	W_MADE,
	W_ASOF,
	W_ZONE,
	W_CASE,
	W_ID,
	W_COURT,
	W_CTITLE,
	W_GONE,
	W_EVENTS,
	W_DATE,
	W_EVENT,
	W_WINDOWS,
	W_BASIS,
	W_CALENDAR,
	W_NOFILES,
	W_WINDOW,
	W_OPENED,
	W_PERIOD,
	W_DEADLINE,
	W_STANDING,
	W_NOWINDOWS,
	W_NOTICES,
	W_NOTICE,
	W_RECEIVER,
	W_TIME,
	W_RESULT,
	W_STATUS,
	W_DETAIL,
	W_KEY,
	W_NONOTICES,
	W_QUEUED,
	W_NOWRUN,
	W_FOOT,
	W_NWORDS,
};

static const char *const report_words[W_NWORDS][2] = {
    [W_TITLE] = {"案件期限与通知送达记录", "Deadlines and notices: the record"},
    [W_BACK] = {"← 返回期限一览", "← back to all deadlines"},
    [W_MADE] = {"生成时间", "Made"},
    [W_ASOF] = {"期限状态截至", "Deadlines as of"},
    [W_ZONE] = {"时区", "Time zone"},
    [W_CASE] = {"一、案件", "1. The case"},
    [W_ID] = {"案号", "Case number"},
    [W_COURT] = {"法院", "Court"},
    [W_CTITLE] = {"案件名称", "Title"},
    [W_GONE] = {"该案件已不在配置中；以下仅为发件箱中的记录。",
        "This case is no longer configured; what follows is what the "
        "outbox holds."},
    [W_EVENTS] = {"已记录的事件", "Recorded events"},
    [W_DATE] = {"日期", "Date"},
    [W_EVENT] = {"事件", "Event"},
    [W_WINDOWS] = {"二、期限及其计算依据",
        "2. Windows and how their deadlines "
        "are counted"},
    [W_BASIS] = {"计算依据：《中华人民共和国刑事诉讼法》第一百零五条——期间以"
                 "时、日、月计算；期间开始的时和日不算在期间以内；期间的最后"
                 "一日为节假日的，以节假日后的第一日为期满日期。星期六、星期"
                 "日按节假日处理，国务院公布的调休工作日按工作日处理；期间中间"
                 "的节假日不扣除。期限于期满日当日 24 时（当地时间）届满。",
        "Basis: Criminal Procedure Law of the PRC, Art. 105 — a period is "
        "counted in hours, days and months; the hour and the day on which "
        "it begins are not counted; when its last day is a holiday, it "
        "ends on the first day after the holiday. Saturdays and Sundays "
        "count as holidays, the make-up working days the State Council "
        "announces as working days; holidays within a period are not "
        "skipped. A period ends at the end of its last day, local time."},
    [W_CALENDAR] = {"节假日日历", "Holiday calendar"},
    [W_NOFILES] = {"未使用节假日文件", "no holiday file"},
    [W_WINDOW] = {"期限", "Window"},
    [W_OPENED] = {"起算", "Opened"},
    [W_PERIOD] = {"期间", "Period"},
    [W_DEADLINE] = {"期满日", "Deadline"},
    [W_STANDING] = {"计算与现状", "Counting and standing"},
    [W_NOWINDOWS] = {"该案件尚未开始任何期限。",
        "No window of this case has "
        "opened."},
    [W_NOTICES] = {"三、通知及送达记录", "3. Notices and their delivery"},
    [W_NOTICE] = {"通知", "Notice"},
    [W_RECEIVER] = {"接收方", "Receiver"},
    [W_TIME] = {"时间", "Time"},
    [W_RESULT] = {"结果", "Result"},
    [W_STATUS] = {"状态码", "Code"},
    [W_DETAIL] = {"详情", "Detail"},
    [W_KEY] = {"Message-ID / Idempotency-Key",
        "Message-ID / "
        "Idempotency-Key"},
    [W_NONOTICES] = {"尚无通知记录。", "No notice has been recorded."},
    [W_QUEUED] = {"排队", "queued"},
    [W_NOWRUN] = {"--now 模拟时钟运行", "--now run (shifted clock)"},
    [W_FOOT] = {"时间为实际时间（送达尝试）或守护进程时钟（排队），均以上述时区"
                "表示。本报告由 deadlined 根据其配置与发件箱（outbox.db）"
                "生成。",
        "Times are real time (attempts) or the daemon's clock (queueing), "
        "in the zone above. Made by deadlined from its configuration and "
        "its outbox (outbox.db)."},
};

/* Names the program uses, and what they mean in each language. */
struct report_name {
	const char *name;
	const char *zh, *en;
};

static const struct report_name report_events[] = {
    {"transferred", "公安机关收到移送材料", "transfer received by the police"},
    {"extended", "批准延长期限", "longer period approved"},
    {"filed", "决定立案", "case opened"},
    {"not_filed", "决定不予立案", "decided not to open a case"},
    {"reasons_received", "收到不立案书面理由", "written reasons received"},
    {"supervision_notice", "检察院通知", "procuratorate's notice"},
    {"police_replied", "公安机关回复", "police replied"},
    {"filing_notice", "检察院通知立案", "procuratorate's notice to open"},
    {"filed_after_notice", "接通知后立案", "case opened after the notice"},
    {NULL, NULL, NULL},
};

/* Where the periods of the built-in windows come from (DOMAIN.md); said
 * only of a window whose name and periods are those. */
static const struct report_period {
	const char *name;
	int days, extended_days;
	const char *zh, *en;
} report_periods[] = {
    {"decision", 7, 30,
        "期间来源：最高人民法院、最高人民检察院、公安部《关于办理拒不执行判决、"
        "裁定刑事案件的意见》（2025 年）：公安机关应在 7 日内决定是否立案；"
        "重大、疑难、复杂的，可为 30 日。",
        "Period: the 2025 Opinions of the SPC, SPP and Ministry of Public "
        "Security on refusal to comply with judgments and rulings: the "
        "police decide within 7 days whether to open a case; 30 days for "
        "major, difficult or complex cases."},
    {"reasons", 7, 0,
        "期间来源：同一意见（据公开报道）：决定不予立案的，7 日内书面告知"
        "法院并说明理由。",
        "Period: the same Opinions (as reported): when the police do not "
        "open a case, they tell the court in writing, with reasons, within "
        "7 days."},
    {"supervision_reply", 7, 0,
        "期间来源：《人民检察院刑事诉讼规则》第五百六十条：公安机关应在收到"
        "通知后 7 日内书面说明不立案的理由。",
        "Period: Rules of Criminal Procedure for People's Procuratorates, "
        "Art. 560: the police explain in writing within 7 days of the "
        "notice."},
    {"filing_after_notice", 15, 0,
        "期间来源：《人民检察院刑事诉讼规则》第五百六十三条：公安机关应在收到"
        "通知立案书后 15 日内立案。",
        "Period: Rules of Criminal Procedure for People's Procuratorates, "
        "Art. 563: the police open the case within 15 days of the notice "
        "to do so."},
};

static const struct report_name report_kinds[] = {
    {"reminder", "到期前提醒", "reminder"},
    {"due", "期满当日", "due today"},
    {"overdue", "已逾期", "overdue"},
    {"opened", "期限开始", "window opened"},
    {"extended", "期限延长", "deadline extended"},
    {"closed", "期限结束", "window closed"},
    {"moved", "期满日提前", "deadline moved earlier"},
    {"removed", "不再跟踪", "no longer watched"},
    {NULL, NULL, NULL},
};

static const struct report_name report_results[] = {
    {"sent", "已送达", "delivered"},
    {"retry", "失败，将重试", "failed, retried"},
    {"failed", "失败，不再重试", "failed for good"},
    {"pending", "待发送", "waiting"},
    {"cancelled", "已取消", "cancelled"},
    {"silenced", "已静默，未发送", "silenced, not sent"},
    {NULL, NULL, NULL},
};

static const char *const report_weekdays[7][2] = {
    {"星期一", "Mon"},
    {"星期二", "Tue"},
    {"星期三", "Wed"},
    {"星期四", "Thu"},
    {"星期五", "Fri"},
    {"星期六", "Sat"},
    {"星期日", "Sun"},
};

/* The page's style: A4, fixed tables that wrap, nothing fetched. */
static const char report_css[] =
    "@page{size:A4;margin:15mm 12mm}"
    "*{box-sizing:border-box}"
    "html{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\","
    "\"Microsoft YaHei\",\"PingFang SC\",sans-serif;font-size:10pt;"
    "color:#000;background:#fff}"
    "body{max-width:186mm;margin:0 auto;padding:4mm}"
    "h1{font-size:15pt;margin:0 0 2mm}"
    "h2{font-size:12pt;margin:6mm 0 2mm;border-bottom:1pt solid #000}"
    "h3{font-size:10.5pt;margin:3mm 0 1mm}"
    "p{margin:1mm 0}"
    "table{width:100%;border-collapse:collapse;table-layout:fixed;"
    "margin:1mm 0 3mm}"
    "th,td{border:0.5pt solid #555;padding:1mm 1.5mm;text-align:left;"
    "vertical-align:top;overflow-wrap:anywhere;word-break:break-word}"
    "th{background:#eee}"
    "thead{display:table-header-group}"
    "tr{break-inside:avoid}"
    ".mono{font-family:\"DejaVu Sans Mono\",monospace;font-size:7.5pt;"
    "word-break:break-all}"
    ".small{font-size:8.5pt;color:#333}"
    ".bad{color:#a00;font-weight:bold}"
    ".meta th{width:22%}"
    ".nav{margin:0 0 3mm}"
    "@media print{body{max-width:none;padding:0}.nav{display:none}}";

/* The word w in lang. */
static const char *
report_w(enum report_lang lang, enum report_word w)
{
	return report_words[w][lang == REPORT_EN];
}

/* What name means in lang, or NULL when the table does not know it. */
static const char *
report_name(const struct report_name *t, const char *name,
    enum report_lang lang)
{
	for (; name != NULL && t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return lang == REPORT_EN ? t->en : t->zh;
	return NULL;
}

/* Write s (NULL: nothing) with &, <, >, " and ' escaped. */
static void
report_esc(FILE *fp, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&#39;", fp);
			break;
		default:
			fputc(*s, fp);
		}
	}
}

/* A name and what it means: "meaning (name)", or the name alone. */
static void
report_named(FILE *fp, const struct report_name *t, const char *name,
    enum report_lang lang)
{
	const char *m = report_name(t, name, lang);

	if (m != NULL) {
		report_esc(fp, m);
		fputs(" <span class=\"small\">(", fp);
		report_esc(fp, name);
		fputs(")</span>", fp);
	} else
		report_esc(fp, name);
}

/* "YYYY-MM-DD (weekday)" of day. */
static void
report_day(FILE *fp, date_t day, enum report_lang lang)
{
	char d[DATE_BUFSZ];

	fprintf(fp, lang == REPORT_EN ? "%s (%s)" : "%s（%s）",
	    date_format(day, d),
	    report_weekdays[date_weekday(day)][lang == REPORT_EN]);
}

/* A time in the configured zone, "YYYY-MM-DD HH:MM:SS+08:00", so that
 * it wraps at the space. */
static void
report_time(FILE *fp, time_t t)
{
	char buf[CLOCK_RFC3339_BUFSZ], *p;

	clock_rfc3339(t, buf);
	if ((p = strchr(buf, 'T')) != NULL)
		*p = ' ';
	report_esc(fp, buf);
}

/* The head: title, when made, the zone. */
static void
report_head(const struct config *cfg, const char *case_id,
    enum report_lang lang, const char *back, FILE *fp)
{
	fprintf(fp,
	    "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>",
	    lang == REPORT_EN ? "en" : "zh-CN");
	report_esc(fp, report_w(lang, W_TITLE));
	fputs(" · ", fp);
	report_esc(fp, case_id);
	fprintf(fp, "</title>\n<style>%s</style>\n</head>\n<body>\n",
	    report_css);
	if (back != NULL) {
		fputs("<p class=\"nav\"><a href=\"", fp);
		report_esc(fp, back);
		fprintf(fp, "\">%s</a></p>\n", report_w(lang, W_BACK));
	}
	fprintf(fp, "<h1>%s</h1>\n<p class=\"small\">%s ",
	    report_w(lang, W_TITLE), report_w(lang, W_MADE));
	report_time(fp, time(NULL));
	fprintf(fp, " · %s ", report_w(lang, W_ASOF));
	report_time(fp, clock_now());
	fprintf(fp, " · %s ", report_w(lang, W_ZONE));
	report_esc(fp, cfg->timezone);
	fputs(" · deadlined " VERSION "</p>\n", fp);
}

/* One row of a two-column table. */
static void
report_meta(FILE *fp, const char *label, const char *value)
{
	fprintf(fp, "<tr><th>%s</th><td>", label);
	report_esc(fp, value);
	fputs("</td></tr>\n", fp);
}

/* Section 1: the case and its events. */
static void
report_case(const struct case_info *c, const char *case_id,
    enum report_lang lang, FILE *fp)
{
	char d[DATE_BUFSZ];

	fprintf(fp, "<h2>%s</h2>\n<table class=\"meta\">\n",
	    report_w(lang, W_CASE));
	report_meta(fp, report_w(lang, W_ID), case_id);
	if (c == NULL) {
		fprintf(fp, "</table>\n<p class=\"bad\">%s</p>\n",
		    report_w(lang, W_GONE));
		return;
	}
	report_meta(fp, report_w(lang, W_COURT), c->court);
	report_meta(fp, report_w(lang, W_CTITLE), c->title);
	fprintf(fp,
	    "</table>\n<h3>%s</h3>\n<table>\n<colgroup><col "
	    "style=\"width:25%%\"><col></colgroup>\n"
	    "<thead><tr><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
	    report_w(lang, W_EVENTS), report_w(lang, W_DATE),
	    report_w(lang, W_EVENT));
	for (size_t i = 0; i < c->nevents; i++) {
		fprintf(fp, "<tr><td>%s</td><td>",
		    date_format(c->events[i].date, d));
		report_named(fp, report_events, c->events[i].name, lang);
		fputs("</td></tr>\n", fp);
	}
	fputs("</tbody>\n</table>\n", fp);
}

/* The calendar the deadlines were counted with: weekend, files, days. */
static void
report_calendar(const struct config *cfg, enum report_lang lang, FILE *fp)
{
	const struct calendar *cal = &cfg->calendar;
	bool en = lang == REPORT_EN;

	fprintf(fp,
	    en ? "<p class=\"small\">%s: %s " : "<p class=\"small\">%s：%s",
	    report_w(lang, W_CALENDAR), en ? "weekend" : "休息日");
	for (int d = 0, first = 1; d < 7; d++)
		if (cal->weekend & (1u << d)) {
			fprintf(fp, "%s%s",
			    first    ? ""
			        : en ? ", "
			             : "、",
			    report_weekdays[d][en]);
			first = 0;
		}
	fputs(en ? "; files: " : "；文件：", fp);
	if (cfg->nholiday_files == 0)
		fputs(report_w(lang, W_NOFILES), fp);
	for (size_t i = 0; i < cfg->nholiday_files; i++) {
		fputs(i > 0 ? ", " : "<span class=\"mono\">", fp);
		report_esc(fp, cfg->holiday_files[i]);
		if (i + 1 == cfg->nholiday_files)
			fputs("</span>", fp);
	}
	fprintf(fp,
	    en ? "; %zu holidays and %zu make-up working days listed, "
	         "the last in %d.</p>\n"
	       : "；共列节假日 %zu 天、调休工作日 %zu 天，最晚至 %d 年。</p>\n",
	    cal->nholidays, cal->nworkdays, calendar_last_year(cal));
}

/* How the deadline of a window was counted, in one paragraph. */
static void
report_counting(const struct config *cfg, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws,
    enum report_lang lang, FILE *fp)
{
	const struct case_event *ext = NULL;
	bool en = lang == REPORT_EN;
	char d[DATE_BUFSZ];

	if (ws->extended && w->extended_by != NULL)
		ext = config_case_event(c, w->extended_by);
	if (ext != NULL) {
		fputs(en ? "Extended (" : "已记录延长（", fp);
		report_esc(fp, w->extended_by);
		fprintf(fp,
		    en ? " on %s): %d days. " : "，%s），期间为 %d 日。",
		    date_format(ext->date, d), ws->days);
	}
	fputs(en ? "The opening day is not counted; the last day of the "
	           "period is "
	         : "期间开始之日不计入，期间最后一日为 ",
	    fp);
	report_day(fp, ws->last_day, lang);
	if (ws->deadline != ws->last_day) {
		fputs(en ? ", a " : "，为", fp);
		fputs(calendar_is_holiday(&cfg->calendar, ws->last_day)
		        ? (en ? "public holiday" : "法定节假日")
		        : (en ? "weekend day" : "休息日"),
		    fp);
		fputs(en ? ": the period ends on the first working day after "
		           "it, "
		         : "，顺延至节假日后的第一个工作日 ",
		    fp);
		report_day(fp, ws->deadline, lang);
	} else if (!calendar_is_working_day(&cfg->calendar, ws->last_day))
		fputs(en ? ", a day off; this window does not roll (roll = "
		           "none)"
		         : "，为休息日或节假日；本期限按配置不顺延（roll = "
		           "none）",
		    fp);
	else
		fputs(en ? ", a working day" : "，为工作日", fp);
	fputs(en ? ". " : "。", fp);
	if (ws->provisional)
		fprintf(fp, "<span class=\"bad\">%s</span>",
		    en ? "The holiday calendar does not cover that year yet: "
		         "check the deadline once its notice is in. "
		       : "节假日日历尚未涵盖该年份，公布后请重新核对期满日期"
		         "。");
}

/* Where the window's period comes from, if it is a built-in one. */
static void
report_period(const struct window_def *w, enum report_lang lang, FILE *fp)
{
	for (size_t i = 0;
	     i < sizeof(report_periods) / sizeof(report_periods[0]); i++) {
		const struct report_period *p = &report_periods[i];

		if (strcmp(p->name, w->name) == 0 && p->days == w->rule.days &&
		    p->extended_days == w->rule.extended_days) {
			fprintf(fp, "<br><span class=\"small\">%s</span>",
			    lang == REPORT_EN ? p->en : p->zh);
			return;
		}
	}
}

/* Where a window stands today: closed by what, or days left. */
static void
report_standing(const struct window_state *ws, enum report_lang lang, FILE *fp)
{
	bool en = lang == REPORT_EN;
	date_t today;
	char d[DATE_BUFSZ];
	int secs, left;

	if (ws->closed) {
		fprintf(fp, en ? "Closed on %s by " : "已于 %s 因",
		    date_format(ws->closed_on, d));
		report_named(fp, report_events, ws->closed_by, lang);
		fputs(en ? "." : "而结束。", fp);
		return;
	}
	clock_split(clock_now(), &today, &secs);
	left = deadline_days_left(ws, today);
	if (left > 0)
		fprintf(fp,
		    en ? "Open: %d day%s left." : "进行中：剩余 %d 日。", left,
		    left == 1 || !en ? "" : "s");
	else if (left == 0)
		fprintf(fp, "<span class=\"bad\">%s</span>",
		    en ? "Due today." : "今日届满。");
	else
		fprintf(fp,
		    en ? "<span class=\"bad\">Overdue by %d day%s.</span>"
		       : "<span class=\"bad\">已逾期 %d 日%s</span>",
		    -left, en ? (left == -1 ? "" : "s") : "。");
}

/* One window as a table row. */
static void
report_window(const struct config *cfg, const struct case_info *c,
    const struct window_def *w, const struct window_state *ws,
    enum report_lang lang, FILE *fp)
{
	const char *title =
	    lang == REPORT_EN && w->title_en != NULL ? w->title_en : w->title;
	bool en = lang == REPORT_EN;

	fputs("<tr><td>", fp);
	report_esc(fp, title != NULL ? title : w->name);
	fputs(" <span class=\"small\">(", fp);
	report_esc(fp, w->name);
	fputs(")</span></td><td>", fp);
	report_day(fp, ws->opened, lang);
	fputs("<br><span class=\"small\">", fp);
	report_named(fp, report_events, w->opens, lang);
	fprintf(fp, "</span></td><td>%d %s%s</td><td><b>", ws->days,
	    en ? "days" : "日",
	    ws->extended ? (en ? " (extended)" : "（延长）") : "");
	report_day(fp, ws->deadline, lang);
	fputs("</b></td><td>", fp);
	report_counting(cfg, c, w, ws, lang, fp);
	fputs("<br>", fp);
	report_standing(ws, lang, fp);
	report_period(w, lang, fp);
	fputs("</td></tr>\n", fp);
}

/* Section 2: the windows, the legal basis and the calendar. */
static void
report_windows(const struct config *cfg, const struct case_info *c,
    enum report_lang lang, FILE *fp)
{
	struct window_state ws;
	size_t n = 0;

	fprintf(fp, "<h2>%s</h2>\n<p class=\"small\">%s</p>\n",
	    report_w(lang, W_WINDOWS), report_w(lang, W_BASIS));
	report_calendar(cfg, lang, fp);
	fprintf(fp,
	    "<table>\n<colgroup><col style=\"width:19%%\"><col "
	    "style=\"width:17%%\"><col style=\"width:10%%\"><col "
	    "style=\"width:17%%\"><col></colgroup>\n<thead><tr><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n"
	    "<tbody>\n",
	    report_w(lang, W_WINDOW), report_w(lang, W_OPENED),
	    report_w(lang, W_PERIOD), report_w(lang, W_DEADLINE),
	    report_w(lang, W_STANDING));
	for (size_t k = 0; k < cfg->nwindows; k++) {
		if (!window_state(cfg, c, &cfg->windows[k], &ws))
			continue;
		report_window(cfg, c, &cfg->windows[k], &ws, lang, fp);
		n++;
	}
	fputs("</tbody>\n</table>\n", fp);
	if (n == 0)
		fprintf(fp, "<p>%s</p>\n", report_w(lang, W_NOWINDOWS));
}

/* The detail cell of a row: the answer, and for e-mail what was sent. */
static void
report_detail(const struct history_row *r, enum report_lang lang, FILE *fp)
{
	bool en = lang == REPORT_EN;

	report_esc(fp, r->has_attempt ? r->detail : r->why);
	if (r->has_attempt && r->subject != NULL) {
		fputs(en ? "<br>Subject: " : "<br>主题：", fp);
		report_esc(fp, r->subject);
	}
	if (r->has_attempt && r->recipients != NULL) {
		fputs(en ? "<br>To: " : "<br>收件人：", fp);
		report_esc(fp, r->recipients);
	}
	if (r->has_attempt)
		fprintf(fp, "<br><span class=\"small\">%lld ms</span>",
		    r->duration_ms);
}

/* One delivery, or one attempt of it, as a table row numbered n. */
static void
report_row(const struct history_row *r, size_t n, enum report_lang lang,
    FILE *fp)
{
	const char *what = r->has_attempt ? r->result : r->state;
	bool bad = what != NULL && strcmp(what, "sent") != 0;

	fprintf(fp, "<tr class=\"delivery\" id=\"row-%zu\"><td>%zu</td><td>", n,
	    n);
	report_named(fp, report_kinds, r->kind, lang);
	fputs("<br><span class=\"small\">", fp);
	report_esc(fp, r->window);
	fputs("</span></td><td>", fp);
	report_esc(fp, r->receiver);
	fputs("</td><td>", fp);
	if (r->has_attempt)
		report_time(fp, (time_t)(r->started_ms / 1000));
	else {
		report_time(fp, r->queued);
		fprintf(fp, " <span class=\"small\">(%s)</span>",
		    report_w(lang, W_QUEUED));
	}
	if (r->has_attempt && r->clock_shift != 0)
		fprintf(fp, "<br><span class=\"bad\">%s</span>",
		    report_w(lang, W_NOWRUN));
	fprintf(fp, "</td><td%s>", bad ? " class=\"bad\"" : "");
	report_named(fp, report_results, what, lang);
	fputs("</td><td>", fp);
	if (r->has_attempt && r->status != 0)
		fprintf(fp, "%ld", r->status);
	fputs("</td><td>", fp);
	report_detail(r, lang, fp);
	fputs("</td><td class=\"mono\">", fp);
	if (r->message_id != NULL) {
		report_esc(fp, r->message_id);
		fputs("<br>", fp);
	}
	report_esc(fp, r->has_attempt ? r->message : r->alert_id);
	fputs("</td></tr>\n", fp);
}

/* Section 3: every notice and every attempt to deliver it. */
static void
report_notices(const struct history_rows *rows, enum report_lang lang, FILE *fp)
{
	fprintf(fp,
	    "<h2>%s</h2>\n<table class=\"notices\">\n<colgroup>"
	    "<col style=\"width:5%%\"><col style=\"width:13%%\">"
	    "<col style=\"width:10%%\"><col style=\"width:13%%\">"
	    "<col style=\"width:10%%\"><col style=\"width:7%%\"><col>"
	    "<col style=\"width:20%%\"></colgroup>\n<thead><tr><th>#</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
	    report_w(lang, W_NOTICES), report_w(lang, W_NOTICE),
	    report_w(lang, W_RECEIVER), report_w(lang, W_TIME),
	    report_w(lang, W_RESULT), report_w(lang, W_STATUS),
	    report_w(lang, W_DETAIL), report_w(lang, W_KEY));
	for (size_t i = 0; i < rows->n; i++)
		report_row(&rows->v[i], i + 1, lang, fp);
	fputs("</tbody>\n</table>\n", fp);
	if (rows->n == 0)
		fprintf(fp, "<p>%s</p>\n", report_w(lang, W_NONOTICES));
}

int
report_lang_parse(const char *s, enum report_lang *out)
{
	if (strcmp(s, "zh") == 0 || strcmp(s, "zh-CN") == 0)
		*out = REPORT_ZH;
	else if (strcmp(s, "en") == 0)
		*out = REPORT_EN;
	else
		return -1;
	return 0;
}

int
report_write(const struct config *cfg, struct outbox *ob, const char *case_id,
    enum report_lang lang, const char *back, FILE *fp)
{
	const struct case_info *c = config_case_find(cfg, case_id);
	struct history_rows rows;

	if (history_load(ob, case_id, 0, &rows) == -1)
		return -1;
	if (c == NULL && rows.n == 0) {
		history_rows_free(&rows);
		return 1;
	}
	report_head(cfg, case_id, lang, back, fp);
	report_case(c, case_id, lang, fp);
	if (c != NULL)
		report_windows(cfg, c, lang, fp);
	report_notices(&rows, lang, fp);
	fprintf(fp, "<p class=\"small\">%s</p>\n</body>\n</html>\n",
	    report_w(lang, W_FOOT));
	history_rows_free(&rows);
	return ferror(fp) ? -1 : 0;
}

int
report_print(const struct config *cfg, const char *case_id,
    enum report_lang lang, FILE *fp)
{
	struct outbox *ob;
	int rc;

	if ((ob = outbox_open(cfg->state_dir)) == NULL)
		return -1;
	rc = report_write(cfg, ob, case_id, lang, NULL, fp);
	outbox_close(ob);
	return rc;
}
