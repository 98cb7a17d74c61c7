/*
 * message.c -- the words of an alert, in Chinese (the default) or English.
 *
 * Each alert object (alert.h) is first read into a struct message_alert:
 * copies of its strings with control characters blanked, so that a case
 * title can neither add a line to a subject nor break a digest's one line
 * per alert.  The default texts are built from these; a receiver's
 * `subject` and `body` templates are rendered by template.c through
 * message_value, which hands out the same fields.  Values are only ever
 * inserted as text: a channel that writes JSON escapes them itself.
 *
 * A body is assembled from parts: a head (a digest's header line, or a
 * test message), one part per alert, and a tail that depends on how many
 * alerts were kept ("... and N more", and for a digest the advice of the
 * alerts shown).  message_body_max drops whole alerts from the end until
 * the parts fit, without rebuilding what it keeps; only when not even one
 * alert fits is the text cut, at a UTF-8 character boundary.
 *
 * An administrators' notice (kind "admin", see admin.h) is read into the
 * same struct with its "admin" object kept; it is written with words of
 * its own (what happened, the details, what to do), never through a
 * receiver's templates, which speak of cases.
 *
 * Nothing here sees a receiver's URL, password or secret: only its name,
 * language and templates.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "date.h"
#include "deadline.h"
#include "log.h"
#include "buf.h"
#include "message.h"
#include "template.h"
#include "xmalloc.h"

#define MESSAGE_OTHER     (ALERT_REMOVED + 1) /* an unknown kind */
#define MESSAGE_ID_MAX    100 /* characters of a case id shown */
#define MESSAGE_TITLE_MAX 200 /* of a case title, a court, a window title */
#define MESSAGE_ADMIN     (MESSAGE_OTHER + 1) /* an administrators' notice */
#define MESSAGE_DATE_LEN  32

/* One alert, read out of its JSON object; missing strings are "". */
struct message_alert {
	char *id;
	char *kind_name;
	char *case_id;
	char *title;
	char *court;
	char *transferred; /* the day the case reached the police, or "" */
	char *window;
	char *wtitle; /* the window's title, or its name */
	char *opened;
	char *deadline;
	char *previous; /* the deadline before it moved, or "" */
	char *closed_by;
	char *closed_on;
	char *follow_up; /* the titles of the windows it opens, joined */
	bool reopened;
	bool calendar;        /* moved with the holiday calendar */
	char *silenced_until; /* the silence that just ended, or "" */
	char *silenced_reason;
	int kind;      /* enum alert_kind, MESSAGE_OTHER or MESSAGE_ADMIN */
	json_t *admin; /* a notice's "admin" object (borrowed), or NULL */
	int event;     /* a notice's enum message_event */
	int audience;  /* the receiver's enum receiver_audience */
	enum message_markup markup; /* what its values were defused for */
	int days;
	bool extended;
	bool provisional; /* the deadline may still move (alert.h) */
	int year;         /* of the deadline, 0 unknown */
	int days_left;
	int wday; /* of the deadline: 0 = Monday, -1 unknown */
	char opened_date[MESSAGE_DATE_LEN]; /* with its weekday */
	char deadline_date[MESSAGE_DATE_LEN];
	char previous_date[MESSAGE_DATE_LEN];
	char transferred_date[MESSAGE_DATE_LEN];
	/* An escalation that tells this receiver for the first time. */
	bool esc_first;
	int esc_step, esc_days;
	char esc_since[MESSAGE_DATE_LEN];
};

/* The windows deadlined's example configuration defines, whose advice
 * can be specific; any other window gets generic words. */
enum message_window {
	WINDOW_DECISION,
	WINDOW_REASONS,
	WINDOW_REPLY,
	WINDOW_FILING,
	WINDOW_OTHER,
};

/* The events of administrators' notices (admin.h). */
enum message_event {
	EVENT_DELIVERY_FAILED,
	EVENT_RELOAD_FAILED,
	EVENT_CALENDAR_UNCOVERED,
	EVENT_CASE_REMOVED,
	EVENT_RECIPIENTS_REFUSED,
	EVENT_OTHER,
};

static const char *const message_event_names[] = {ADMIN_DELIVERY_FAILED,
    ADMIN_RELOAD_FAILED, ADMIN_CALENDAR_UNCOVERED, ADMIN_CASE_REMOVED,
    ADMIN_RECIPIENTS_REFUSED};

/* What happened, by enum message_event. */
static const char *const message_event_zh[] = {"提醒投递失败",
    "配置重新加载被拒绝", "节假日日历未覆盖该年度", "案件不再跟踪",
    "部分收件人被拒收", "管理通知"};
static const char *const message_event_en[] = {"Delivery failed for good",
    "Configuration reload rejected", "Holiday calendar does not cover a year",
    "Case no longer watched", "Recipients refused", "Notice"};

/* What an administrator can do about it, by enum message_event. */
static const char *const message_event_advice_zh[] = {
    "接收方拒绝了这条提醒，不会再自动重试。请检查该接收方的配置"
    "（地址、令牌、密钥、收件人）：修改后重新加载即会重发；"
    "若问题在接收方一侧，解决后运行 deadlined --resend 接收方名称。",
    "新配置有错误，未被采用；deadlined 仍按原配置运行。"
    "请修正以下错误后重新加载（可先运行 deadlined -t 检查）。",
    "有未结期限的截止日落在该年度，但节假日日历没有该年度的任何假日或"
    "调休：落在法定节假日的截止日不会顺延。请将国务院办公厅该年度的"
    "放假安排加入 calendar.include。",
    "该案件已不在配置中：不再跟踪其期限，也不会再发送提醒。"
    "如非有意，请恢复该案件。",
    "邮件服务器拒收了以下地址，邮件已发给其余收件人；被拒收的地址"
    "不会自动重试。请核对接收方的 to 地址，修改后重新加载。",
    "",
};
static const char *const message_event_advice_en[] = {
    "The receiver refused this alert for good; it will not be retried by "
    "itself. Check the receiver's settings (URL, token, secret, "
    "recipients): a reload that changes them sends it again; if the "
    "fault was on the receiver's side, run deadlined --resend with its "
    "name once it is fixed.",
    "The new configuration has errors and was not taken; deadlined keeps "
    "running on the previous one. Fix the errors below and reload "
    "(deadlined -t checks first).",
    "Open windows have their deadline in a year the holiday calendar says "
    "nothing of: a deadline on one of its public holidays would not roll. "
    "Add the State Council's holiday notice for that year to "
    "calendar.include.",
    "The case is no longer in the configuration: its deadlines are not "
    "watched and no more alerts will be sent for it. If that was not "
    "intended, put the case back.",
    "The mail server refused the addresses below; the message went to "
    "the other recipients, and the refused addresses are not tried "
    "again. Check the receiver's `to` addresses and reload.",
    "",
};

/* What the reader can do before a deadline (reminder, due), by
 * enum message_window. */
static const char *const message_before_zh[] = {
    "督促公安机关在期限内作出是否立案的决定。",
    "督促公安机关在期限内书面告知不立案的理由。",
    "督促公安机关在期限内答复检察院的立案监督通知。",
    "督促公安机关在期限内按检察院的通知立案。",
    "督促有关机关在期限内依法办理。",
};
static const char *const message_before_en[] = {
    "Chase the police to decide whether to open a case before the "
    "deadline.",
    "Chase the police for their written reasons for not opening a case "
    "before the deadline.",
    "Chase the police to reply to the procuratorate's supervision notice "
    "before the deadline.",
    "Chase the police to open the case, as the procuratorate's notice "
    "requires, before the deadline.",
    "Chase the responsible authority to act before the deadline.",
};

/* What the police failed to do once a deadline has passed, by enum
 * message_window. */
static const char *const message_overdue_zh[] = {
    "公安机关未在法定期限内作出是否立案的决定。",
    "公安机关未在期限内书面告知不立案的理由。",
    "公安机关未在期限内答复检察院。",
    "公安机关未在检察院通知的期限内立案。",
    "期限已过，尚未记录办理结果。",
};
static const char *const message_overdue_en[] = {
    "The police missed the statutory deadline to decide whether to open "
    "a case.",
    "The police did not give their written reasons for not opening a "
    "case in time.",
    "The police did not reply to the procuratorate in time.",
    "The police did not open the case within the period of the "
    "procuratorate's notice.",
    "The deadline has passed with no result recorded.",
};

/*
 * What the reader can do about it (DOMAIN.md), by enum receiver_audience
 * and by whether the procuratorate already supervises (the reply and
 * filing windows) or not yet (the others).  A court writes to the police
 * and may ask the procuratorate to supervise; a creditor applies for
 * supervision and gathers the evidence for a private prosecution; the
 * procuratorate requires the police to explain, or tells them to file.
 */
static const char *const message_todo_zh[][2] = {
    {"可请求检察院立案监督（由检察院要求公安机关说明理由），或准备自诉"
     "材料；请保留移送、提醒和期限届满的日期作为证据。",
        "可请检察院跟进监督（理由不成立的，由检察院通知公安机关立案），"
        "也可准备自诉材料；请保留相关日期作为证据。"},
    {"可函询公安机关办理情况，并可商请检察院依法监督；请保留移送、提醒和"
     "期限届满的日期。",
        "可函询公安机关办理情况，并商请检察院跟进监督。"},
    {"可向检察院申请立案监督，并准备自诉证据：移送、提醒和期限届满的日期，"
     "以及被执行人拒不履行造成损害的证据。",
        "可请检察院跟进监督，并准备自诉证据：移送、通知和期限届满的日期。"},
    {"可要求公安机关说明不立案理由。", "可通知公安机关立案，并跟进监督落实。"},
};
static const char *const message_todo_en[][2] = {
    {"Ask the procuratorate to supervise (it requires the police to "
     "explain why), or prepare a private prosecution; keep the dates of "
     "transfer, reminders and this deadline as evidence.",
        "Ask the procuratorate to follow up (if the reasons do not hold, "
        "it tells the police to open the case), or prepare a private "
        "prosecution; keep the dates as evidence."},
    {"Write to the police to ask where the case stands; you may ask the "
     "procuratorate to supervise. Keep the dates of transfer, reminders "
     "and this deadline.",
        "Write to the police to ask where the case stands, and ask the "
        "procuratorate to follow up its supervision."},
    {"Apply to the procuratorate for supervision, and prepare the "
     "evidence for a private prosecution: the dates of transfer, "
     "reminders and this deadline, and the harm the refusal caused.",
        "Ask the procuratorate to follow up, and prepare the evidence for "
        "a private prosecution: the dates of transfer, of the notice and "
        "of this deadline."},
    {"Require the police to explain why they have not opened a case.",
        "Tell the police to open the case, and follow up until they do."},
};

/* The kinds by enum alert_kind, then MESSAGE_OTHER and MESSAGE_ADMIN. */
static const char *const message_kind_zh[] = {"提醒", "到期", "逾期",
    "期限起算", "期限延长", "已办结", "期限提前", "不再跟踪", "通知",
    "管理通知"};
static const char *const message_kind_en[] = {"Reminder", "Due today",
    "Overdue", "Period started", "Deadline extended", "Concluded",
    "Deadline moved earlier", "No longer watched", "Alert", "Admin notice"};

/* The events of the built-in windows, as a reader says them; any other
 * event is shown by its name. */
static const struct {
	const char *name, *zh, *en;
} message_event_labels[] = {
    {"transferred", "移送公安机关", "transferred to the police"},
    {"extended", "批准延长期限", "extension approved"},
    {"filed", "立案", "case opened (filed)"},
    {"not_filed", "不予立案", "not filed"},
    {"reasons_received", "收到不立案理由", "written reasons received"},
    {"supervision_notice", "检察院要求说明不立案理由",
        "procuratorate's supervision notice"},
    {"police_replied", "公安机关已答复检察院",
        "police replied to the procuratorate"},
    {"filing_notice", "检察院通知立案", "procuratorate's notice to file"},
    {"filed_after_notice", "按检察院通知立案", "filed after the notice"},
};

/* The words of a first escalated alert (route.h): its kind and the
 * label of the line saying since when the window is overdue. */
static const struct {
	const char *kind, *label;
} message_escalation[2] = {
    [LANGUAGE_ZH] = {"逾期·升级", "升级通知"},
    [LANGUAGE_EN] = {"Overdue (escalation)", "Escalation"},
};

/* The days of the week from Monday. */
static const char *const message_wday_zh[] = {"周一", "周二", "周三", "周四",
    "周五", "周六", "周日"};
static const char *const message_wday_en[] = {"Mon", "Tue", "Wed", "Thu", "Fri",
    "Sat", "Sun"};

/* The fixed words of one language. */
struct message_words {
	const char *const *kind;
	const char *const *wday;
	const char *const *before;
	const char *const *overdue;
	const char *const (*todo)[2]; /* by audience, then supervised */
	const char *closed;
	/* Sentences around values: part[0] value part[1] value part[2]. */
	const char *recorded[3];  /* "Recorded: EVENT (DAY). ..." */
	const char *follow_up[2]; /* "The window \"TITLES\" starts." */
	const char *previous[3];  /* "Previous deadline D1, new deadline D2." */
	const char *reopened;
	const char *earlier, *later; /* a deadline moved, before ": old, new" */
	const char *extended_to[2];  /* around the days of an extension */
	const char *new_deadline;    /* before it, with no old one known */
	const char *stop;            /* the end of a sentence */
	const char *l_transfer_day;  /* a block's line of the transfer day */
	const char *calendar;        /* "The holiday calendar changed." */
	const char *resumed[3]; /* "Silenced until DAY (REASON); resumed." */
	const char *removed;
	const char *provisional[2]; /* before and after the deadline's year */
	const char *l_provisional;  /* after a deadline that may move */
	const char *colon;
	const char *sep; /* between the fields of a digest entry */
	const char *l_case, *l_court, *l_opened, *l_deadline;
	const char *l_next, *l_changed, *l_id, *l_steps;
	const char *l_transferred, *l_since, *l_previous, *l_due;
	const char *list_sep; /* between case ids a next step is for */
	/* administrators' notices */
	const char *const *event;
	const char *const *event_advice;
	const char *l_window, *l_kind, *l_receiver, *l_reason, *l_config;
	const char *l_errors, *l_year, *l_windows, *l_details, *l_todo;
	const char *more_pre, *more_post; /* around "N" more errors */
	const char *notices;              /* after "N": a digest of them */
	const char *first;                /* before a digest's first one */
};

static const struct message_words message_words[2] = {
    [LANGUAGE_ZH] = {.kind = message_kind_zh,
        .wday = message_wday_zh,
        .before = message_before_zh,
        .overdue = message_overdue_zh,
        .todo = message_todo_zh,
        .closed = "已作出决定，此期限不再跟踪，不再发送提醒。",
        .recorded = {"已记录：", "（", "）。此期限不再跟踪，不再发送提醒。"},
        .follow_up = {"", "的期限开始计算。"},
        .previous = {"原截止日 ", "，新截止日 ", "。"},
        .reopened = "案件中的办结记录已删除，此期限恢复跟踪。",
        .earlier = "期限提前",
        .later = "截止日推后",
        .extended_to = {"期限延长至 ", " 天"},
        .new_deadline = "，新截止日 ",
        .stop = "。",
        .l_transfer_day = "移送日",
        .resumed = {"此期限的提醒曾暂停至 ", "（原因：", "），现恢复发送。"},
        .calendar = "节假日安排已变更。",
        .removed = "此案件或期限已不在配置中：不再跟踪，也不会再发送提醒。"
                   "如属误删，请恢复案件文件并重新加载。",
        .provisional = {"", " 年节假日安排尚未公布，期限可能顺延。"},
        .l_provisional = "（暂定）",
        .colon = "：",
        .sep = "，",
        .l_case = "案件",
        .l_court = "法院",
        .l_opened = "起算日",
        .l_deadline = "截止日",
        .l_next = "下一步",
        .l_changed = "变化",
        .l_id = "编号",
        .l_steps = "下一步：",
        .l_transferred = "移送",
        .l_since = "起算",
        .l_previous = "原截止",
        .l_due = "截止",
        .list_sep = "、",
        .event = message_event_zh,
        .event_advice = message_event_advice_zh,
        .l_window = "期限",
        .l_kind = "提醒类型",
        .l_receiver = "接收方",
        .l_reason = "原因",
        .l_config = "配置文件",
        .l_errors = "错误",
        .l_year = "年度",
        .l_windows = "未结期限",
        .l_details = "说明",
        .l_todo = "处理",
        .more_pre = "…… 另有 ",
        .more_post = " 条",
        .notices = " 条管理通知",
        .first = "首件 "},
    [LANGUAGE_EN] = {.kind = message_kind_en,
        .wday = message_wday_en,
        .before = message_before_en,
        .overdue = message_overdue_en,
        .todo = message_todo_en,
        .closed = "A decision was recorded: this deadline is no longer "
                  "tracked and no more alerts will be sent for it.",
        .recorded = {"Recorded: ", " (",
            "). This deadline is no longer tracked and no more alerts "
            "will be sent for it."},
        .follow_up = {" The period \"", "\" now runs."},
        .previous = {"previous deadline ", ", new deadline ", "."},
        .reopened = "The record that concluded it was removed from the "
                    "case: this deadline is tracked again. ",
        .earlier = "The deadline moved earlier",
        .later = "The deadline moved later",
        .extended_to = {"The period was extended to ", " days"},
        .new_deadline = "; new deadline ",
        .stop = ".",
        .l_transfer_day = "Transferred",
        .resumed = {"Alerts for this window were silenced until ", " (",
            "); they resume now. "},
        .calendar = "The holiday calendar changed. ",
        .removed = "This case or period is no longer in the "
                   "configuration: it is no longer watched and no more "
                   "alerts will be sent for it. If that was a mistake, "
                   "restore the case file and reload.",
        .provisional = {"The holiday calendar for ",
            " is not yet published; the deadline may move later."},
        .l_provisional = " (provisional)",
        .colon = ": ",
        .sep = "; ",
        .l_case = "Case",
        .l_court = "Court",
        .l_opened = "Counted from",
        .l_deadline = "Deadline",
        .l_next = "Next step",
        .l_changed = "What changed",
        .l_id = "Alert id",
        .l_steps = "Next steps:",
        .l_transferred = "transferred",
        .l_since = "opened",
        .l_previous = "previous deadline",
        .l_due = "deadline",
        .list_sep = ", ",
        .event = message_event_en,
        .event_advice = message_event_advice_en,
        .l_window = "Window",
        .l_kind = "Alert kind",
        .l_receiver = "Receiver",
        .l_reason = "Reason",
        .l_config = "Configuration",
        .l_errors = "Errors",
        .l_year = "Year",
        .l_windows = "Open windows",
        .l_details = "Details",
        .l_todo = "What to do",
        .more_pre = "... and ",
        .more_post = " more",
        .notices = " admin notices",
        .first = "first "},
};

/* A body in parts: head, then item[0..k), then a tail made for k. */
struct message_parts {
	const struct receiver *r;
	bool en;
	enum message_style style;
	struct message_alert *alerts;
	size_t n;
	bool digest; /* default digest: entries and advice */
	bool tmpl;   /* the receiver's body template */
	char *head;
	char **item;
};

/* The template values of one alert. */
struct message_values {
	const struct message_alert *a;
	bool en;
	size_t count;
	char num[32]; /* the last number handed out */
	char *advice;
};

static void message_field(struct buf *, const struct message_parts *,
    const char *, const char *, ...) __attribute__((format(printf, 4, 5)));

/* The words of r's language: Chinese unless it says English. */
static bool
message_en(const struct receiver *r)
{
	return r != NULL && r->language == LANGUAGE_EN;
}

/* The fixed words in English or in Chinese. */
static const struct message_words *
message_w(bool en)
{
	return &message_words[en ? LANGUAGE_EN : LANGUAGE_ZH];
}

/* A copy of member key of object o, control characters blanked; "" if
 * it is missing (o may be NULL). */
static char *
message_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	char *s = xstrdup(v != NULL ? v : "");

	for (char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return s;
}

/* The enum alert_kind named name, or MESSAGE_OTHER. */
static int
message_kind(const char *name)
{
	for (int k = ALERT_REMINDER; k <= ALERT_REMOVED; k++)
		if (strcmp(deadline_kind_name((enum alert_kind)k), name) == 0)
			return k;
	if (strcmp(name, ADMIN_KIND) == 0)
		return MESSAGE_ADMIN;
	return MESSAGE_OTHER;
}

/* The enum message_event named name. */
static int
message_event(const char *name)
{
	int n = sizeof(message_event_names) / sizeof(*message_event_names);

	for (int e = 0; name != NULL && e < n; e++)
		if (strcmp(message_event_names[e], name) == 0)
			return e;
	return EVENT_OTHER;
}

/* The window a name stands for, as far as advice goes. */
static enum message_window
message_window(const char *name)
{
	if (strcmp(name, "decision") == 0)
		return WINDOW_DECISION;
	if (strcmp(name, "reasons") == 0)
		return WINDOW_REASONS;
	if (strcmp(name, "supervision_reply") == 0)
		return WINDOW_REPLY;
	if (strcmp(name, "filing_after_notice") == 0)
		return WINDOW_FILING;
	return WINDOW_OTHER;
}

/* True if s holds no byte outside ASCII (no Chinese in it). */
static bool
message_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/*
 * The title of window object w (a window, or one of a closing event's
 * follow-ups) for a text in English or Chinese; a new string.  English
 * takes title_en when there is one; Chinese takes title.  A title in the
 * other language (an English `title` in a Chinese text, a Chinese one in
 * an English text) gives way to the built-in window's title of the same
 * name, if there is one; the window's name stands in for a missing title.
 */
static char *
message_title(json_t *w, bool en)
{
	const char *name = json_string_value(json_object_get(w, "name"));
	const char *builtin = config_builtin_title(name, en);
	char *t;

	if (en && json_is_string(json_object_get(w, "title_en")))
		t = message_str(w, "title_en");
	else
		t = message_str(w, "title");
	if (builtin != NULL && (*t == '\0' || message_ascii(t) != en)) {
		free(t);
		return xstrdup(builtin);
	}
	if (*t == '\0') {
		free(t);
		t = message_str(w, "name");
	}
	return t;
}

/* The titles of the windows a closing event opens (window object w's
 * follow_up), joined with "、"; "" if none.  A new string. */
static char *
message_follow_up(json_t *w, bool en)
{
	json_t *fu = json_object_get(w, "follow_up"), *o;
	struct buf b = {NULL, 0, 0};
	size_t i;
	char *t;

	buf_printf(&b, "%s", "");
	json_array_foreach(fu, i, o) {
		t = message_title(o, en);
		buf_printf(&b, "%s%s", i > 0 ? (en ? ", " : "、") : "", t);
		free(t);
	}
	return buf_take(&b);
}

/* An event's name as a reader says it. */
static const char *
message_event_label(const char *name, bool en)
{
	for (size_t i = 0;
	     i < sizeof(message_event_labels) / sizeof(message_event_labels[0]);
	     i++)
		if (strcmp(message_event_labels[i].name, name) == 0)
			return en ? message_event_labels[i].en
			          : message_event_labels[i].zh;
	return name;
}

/* Cut s after max characters (code points), marking the cut with "…":
 * no case file field can make a message empty or too long to send. */
static char *
message_cut_chars(char *s, size_t max)
{
	size_t n = 0;
	char *p, *t;

	for (p = s; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && n++ == max)
			break;
	if (*p == '\0')
		return s;
	*p = '\0';
	xasprintf(&t, "%s…", s);
	free(s);
	return t;
}

/*
 * Member key of object o as an int, 0 if it is not an integer.  A stored
 * alert is only JSON: a value outside -INT_MAX..INT_MAX is clamped, not
 * truncated, so that -days_left (days overdue) cannot overflow and a
 * huge count does not wrap into "due today".
 */
static int
message_int(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	if (v > INT_MAX)
		return INT_MAX;
	if (v < -INT_MAX)
		return -INT_MAX;
	return (int)v;
}

/*
 * The characters each markup acts on, and the full-width forms that read
 * the same and act on nothing, so that no value from a case file can
 * mention anyone (<@id>, <!channel>, @all), add a link ([x](url)), a tag
 * (<font>) or change the formatting.  Where a format has real escaping
 * the channel does it instead: Slack's &amp; &lt; &gt; (chat.c escapes
 * the whole text), so Slack keeps '<', '>' and '&' as they are here and
 * loses only the formatting characters mrkdwn has no escape for.  An
 * Adaptive Card's TextBlock (Teams) acts on *, _ and [text](url) only.
 */
static const struct {
	const char *chars;
	const char *const *safe;
} message_markups[] = {
    [MARKUP_NONE] = {"", NULL},
    [MARKUP_MARKDOWN] = {"<>[]*_`#~|@",
        (const char *const[]){"＜", "＞", "［", "］", "＊", "＿", "｀", "＃",
            "～", "｜", "＠"}},
    [MARKUP_SLACK] = {"*_~`", (const char *const[]){"＊", "＿", "～", "｀"}},
    [MARKUP_TEAMS] = {"*_[]", (const char *const[]){"＊", "＿", "［", "］"}},
};

/* s with the characters markup acts on replaced; a new string (s is
 * freed). */
static char *
message_defuse(char *s, enum message_markup markup)
{
	const char *chars = message_markups[markup].chars, *c;
	struct buf b = {NULL, 0, 0};

	if (*chars == '\0' || strpbrk(s, chars) == NULL)
		return s;
	for (const char *p = s; *p != '\0'; p++) {
		if ((c = strchr(chars, *p)) != NULL)
			buf_adds(&b, message_markups[markup].safe[c - chars]);
		else
			buf_addn(&b, p, 1);
	}
	free(s);
	return buf_take(&b);
}

/* Defuse the values a case file wrote into alert a, for markup. */
static void
message_alert_defuse(struct message_alert *a, enum message_markup markup)
{
	a->markup = markup;
	a->case_id = message_defuse(a->case_id, markup);
	a->title = message_defuse(a->title, markup);
	a->court = message_defuse(a->court, markup);
	a->wtitle = message_defuse(a->wtitle, markup);
	a->follow_up = message_defuse(a->follow_up, markup);
}

/* Read an alert's "escalation" (route.h) into a: whether it tells r
 * for the first time, the step, its days and since when overdue. */
static void
message_escalation_read(const struct receiver *r, json_t *o,
    struct message_alert *a)
{
	json_t *esc = json_object_get(o, "escalation"), *first, *v;
	const char *since;
	size_t i;

	first = json_object_get(esc, "first");
	json_array_foreach(first, i, v)
		if (r != NULL && json_is_string(v) &&
		    strcmp(json_string_value(v), r->name) == 0)
			a->esc_first = true;
	if (!a->esc_first)
		return;
	a->esc_step = message_int(esc, "step");
	a->esc_days = message_int(esc, "overdue_days");
	since = json_string_value(json_object_get(esc, "overdue_since"));
	message_date(r, since != NULL ? since : "", a->esc_since,
	    sizeof(a->esc_since));
}

/* The kind as a reader says it: a first escalation says so. */
static const char *
message_kind_text(const struct message_alert *a, bool en)
{
	if (a->esc_first)
		return message_escalation[en ? LANGUAGE_EN : LANGUAGE_ZH].kind;
	return message_w(en)->kind[a->kind];
}

/* Read alert object o into a, dates written in r's language. */
static void
message_alert_read(const struct receiver *r, json_t *o, struct message_alert *a)
{
	json_t *c = json_object_get(o, "case"),
	       *w = json_object_get(o, "window");
	date_t dl;

	a->id = message_str(o, "id");
	a->kind_name = message_str(o, "kind");
	a->kind = message_kind(a->kind_name);
	if (a->kind == MESSAGE_ADMIN) {
		a->admin = json_object_get(o, "admin");
		a->event = message_event(
		    json_string_value(json_object_get(a->admin, "event")));
	}
	a->days_left = message_int(o, "days_left");
	a->case_id = message_str(c, "id");
	a->title = message_str(c, "title");
	a->court = message_str(c, "court");
	a->transferred = message_str(c, "transferred");
	a->audience = r != NULL ? (int)r->audience : AUDIENCE_ANY;
	a->window = message_str(w, "name");
	a->wtitle = message_title(w, message_en(r));
	a->opened = message_str(w, "opened");
	a->deadline = message_str(w, "deadline");
	a->previous = message_str(w, "previous_deadline");
	a->closed_by = message_str(w, "closed_by");
	a->closed_on = message_str(w, "closed_on");
	a->follow_up = message_follow_up(w, message_en(r));
	a->reopened = json_is_true(json_object_get(o, "reopened"));
	a->calendar = json_is_true(json_object_get(o, "calendar_changed"));
	a->silenced_until =
	    message_str(json_object_get(o, "silenced"), "until");
	a->silenced_reason =
	    message_str(json_object_get(o, "silenced"), "reason");
	message_date(r, a->previous, a->previous_date,
	    sizeof(a->previous_date));
	message_date(r, a->transferred, a->transferred_date,
	    sizeof(a->transferred_date));
	a->days = message_int(w, "days");
	a->extended = json_is_true(json_object_get(w, "extended"));
	a->provisional = json_is_true(json_object_get(w, "provisional"));
	a->wday = -1;
	if (date_parse(a->deadline, &dl) == 0) {
		int m, d;

		a->wday = date_weekday(dl);
		date_to_ymd(dl, &a->year, &m, &d);
	}
	message_date(r, a->opened, a->opened_date, sizeof(a->opened_date));
	message_date(r, a->deadline, a->deadline_date,
	    sizeof(a->deadline_date));
	message_escalation_read(r, o, a);
	a->case_id = message_cut_chars(a->case_id, MESSAGE_ID_MAX);
	a->title = message_cut_chars(a->title, MESSAGE_TITLE_MAX);
	a->court = message_cut_chars(a->court, MESSAGE_TITLE_MAX);
	a->wtitle = message_cut_chars(a->wtitle, MESSAGE_TITLE_MAX);
	a->silenced_reason =
	    message_cut_chars(a->silenced_reason, MESSAGE_TITLE_MAX);
}

/* Free the strings of a. */
static void
message_alert_free(struct message_alert *a)
{
	free(a->id);
	free(a->kind_name);
	free(a->case_id);
	free(a->title);
	free(a->court);
	free(a->transferred);
	free(a->window);
	free(a->wtitle);
	free(a->opened);
	free(a->deadline);
	free(a->previous);
	free(a->closed_by);
	free(a->closed_on);
	free(a->follow_up);
	free(a->silenced_until);
	free(a->silenced_reason);
}

/* Every alert of the array read, in order; *n of them.  A new array. */
static struct message_alert *
message_alerts_read(const struct receiver *r, json_t *alerts, size_t *n)
{
	struct message_alert *a;

	*n = json_array_size(alerts);
	a = xcalloc(*n + 1, sizeof(*a));
	for (size_t i = 0; i < *n; i++)
		message_alert_read(r, json_array_get(alerts, i), &a[i]);
	return a;
}

/* Free n alerts and their array. */
static void
message_alerts_free(struct message_alert *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		message_alert_free(&a[i]);
	free(a);
}

char *
message_date(const struct receiver *r, const char *day, char *buf, size_t len)
{
	date_t dt;

	if (date_parse(day, &dt) == 0)
		snprintf(buf, len, "%s (%s)", day,
		    message_w(message_en(r))->wday[date_weekday(dt)]);
	else
		snprintf(buf, len, "%s", day);
	return buf;
}

/* Where the alert stands: "3 days left", "due today", "2 days
 * overdue", "closed". */
static void
message_state(struct buf *b, const struct message_alert *a, bool en)
{
	int n = a->days_left < 0 ? -a->days_left : a->days_left;
	const char *s = n == 1 ? "" : "s";

	if (a->kind == ALERT_CLOSED)
		buf_printf(b, "%s", en ? "closed" : "已结束");
	else if (a->kind == ALERT_REMOVED)
		buf_printf(b, "%s",
		    en ? "removed from the configuration" : "已从配置中删除");
	else if (a->days_left > 0 && en)
		buf_printf(b, "%d day%s left", n, s);
	else if (a->days_left > 0)
		buf_printf(b, "还有 %d 天", n);
	else if (a->days_left == 0)
		buf_printf(b, "%s", en ? "due today" : "今日到期");
	else if (en)
		buf_printf(b, "%d day%s overdue", n, s);
	else
		buf_printf(b, "已逾期 %d 天", n);
}

/* The overdue text of alert a: what the police failed to do, then what
 * the receiver's audience can do about it. */
static void
message_overdue(struct buf *b, const struct message_alert *a, bool en)
{
	const struct message_words *w = message_w(en);
	enum message_window win = message_window(a->window);
	bool supervised = win == WINDOW_REPLY || win == WINDOW_FILING;
	int who =
	    a->audience >= AUDIENCE_ANY && a->audience <= AUDIENCE_PROCURATORATE
	    ? a->audience
	    : AUDIENCE_ANY;

	buf_printf(b, "%s%s%s", w->overdue[win], en ? " " : "",
	    w->todo[who][supervised]);
}

/* What to do now that a window is open or moved, by where it stands. */
static void
message_advice_now(struct buf *b, const struct message_alert *a, bool en)
{
	const struct message_words *w = message_w(en);
	enum message_window win = message_window(a->window);

	if (en)
		buf_adds(b, " ");
	if (a->days_left < 0)
		message_overdue(b, a, en);
	else if (a->days_left == 0 || a->kind == ALERT_EXTENDED ||
	    a->kind == ALERT_MOVED)
		buf_printf(b, "%s", w->before[win]);
	else if (en)
		buf_printf(b, "Reminders will follow before the deadline.");
	else
		buf_printf(b, "届满前将发送提醒。");
}

/* What changed when a window opened. */
static void
message_advice_opened(struct buf *b, const struct message_alert *a, bool en)
{
	if (a->reopened)
		buf_printf(b, "%s", message_w(en)->reopened);
	if (en)
		buf_printf(b, "The period started on %s: %d days, deadline %s.",
		    a->opened_date, a->days, a->deadline_date);
	else
		buf_printf(b, "期限自 %s 起算，共 %d 天，截止日 %s。",
		    a->opened_date, a->days, a->deadline_date);
	message_advice_now(b, a, en);
}

/* What changed when a deadline moved later (extended) or earlier: why,
 * and the old and the new deadline (the old one as far as the alert
 * knows it). */
static void
message_advice_extended(struct buf *b, const struct message_alert *a, bool en)
{
	const struct message_words *w = message_w(en);
	bool old = *a->previous != '\0';

	if (a->calendar)
		buf_printf(b, "%s", w->calendar);
	if (a->kind == ALERT_MOVED)
		buf_printf(b, "%s", w->earlier);
	else if (a->calendar)
		buf_printf(b, "%s", w->later);
	else
		buf_printf(b, "%s%d%s", w->extended_to[0], a->days,
		    w->extended_to[1]);
	if (old)
		buf_printf(b, "%s%s%s%s%s%s", w->colon, w->previous[0],
		    a->previous_date, w->previous[1], a->deadline_date,
		    w->previous[2]);
	else
		buf_printf(b, "%s%s%s", w->new_deadline, a->deadline_date,
		    w->stop);
	message_advice_now(b, a, en);
}

/* What was recorded when a window closed, and what it starts. */
static void
message_advice_closed(struct buf *b, const struct message_alert *a, bool en)
{
	const struct message_words *w = message_w(en);

	if (*a->closed_by == '\0') {
		buf_printf(b, "%s", w->closed);
		return;
	}
	buf_printf(b, "%s%s%s%s%s", w->recorded[0],
	    message_event_label(a->closed_by, en), w->recorded[1], a->closed_on,
	    w->recorded[2]);
	if (*a->follow_up != '\0')
		buf_printf(b, "%s%s%s", w->follow_up[0], a->follow_up,
		    w->follow_up[1]);
}

/* True if the reader can act on alert a (reminder, due, overdue): its
 * advice is a next step, not a change. */
static bool
message_actionable(const struct message_alert *a)
{
	return a->kind == ALERT_REMINDER || a->kind == ALERT_DUE ||
	    a->kind == ALERT_OVERDUE;
}

/* What the reader can do about a reminder, due or overdue alert, as a
 * new string; NULL for the other kinds. */
static char *
message_action(const struct message_alert *a, bool en)
{
	struct buf b = {NULL, 0, 0};

	if (a->kind == ALERT_REMINDER || a->kind == ALERT_DUE)
		buf_printf(&b, "%s",
		    message_w(en)->before[message_window(a->window)]);
	else if (a->kind == ALERT_OVERDUE)
		message_overdue(&b, a, en);
	else
		return NULL;
	return buf_take(&b);
}

/* The first timed alert after a silence says that the window was
 * silenced, until when and why; the rest of the alert says where it
 * stands now. */
static void
message_resumed(struct buf *b, const struct message_alert *a, bool en)
{
	const struct message_words *w = message_w(en);

	if (*a->silenced_until == '\0')
		return;
	buf_printf(b, "%s%s%s%s%s", w->resumed[0], a->silenced_until,
	    w->resumed[1], a->silenced_reason, w->resumed[2]);
}

/* What the reader can do next, or what changed; nothing for an unknown
 * kind. */
static void
message_advice(struct buf *b, const struct message_alert *a, bool en)
{
	char *action = message_action(a, en);

	if (action != NULL) {
		message_resumed(b, a, en);
		buf_printf(b, "%s", action);
		free(action);
		return;
	}
	switch (a->kind) {
	case ALERT_OPENED:
		message_advice_opened(b, a, en);
		break;
	case ALERT_EXTENDED:
	case ALERT_MOVED:
		message_advice_extended(b, a, en);
		break;
	case ALERT_CLOSED:
		message_advice_closed(b, a, en);
		break;
	case ALERT_REMOVED:
		buf_printf(b, "%s", message_w(en)->removed);
		break;
	}
}

/* "3 reminder, 2 overdue" or "3 条提醒，2 条逾期": the alerts by kind. */
static void
message_counts(struct buf *b, const struct message_alert *a, size_t n, bool en)
{
	size_t count[MESSAGE_ADMIN + 1] = {0};
	const char *sep = "";

	for (size_t i = 0; i < n; i++)
		count[a[i].kind]++;
	for (int k = ALERT_REMINDER; k <= MESSAGE_ADMIN; k++) {
		if (count[k] == 0)
			continue;
		if (en && k <= ALERT_REMOVED) /* "reminder", "due today" */
			buf_printf(b, "%s%zu %c%s", sep, count[k],
			    tolower((unsigned char)message_kind_en[k][0]),
			    message_kind_en[k] + 1);
		else if (en)
			buf_printf(b, "%s%zu %s", sep, count[k],
			    k == MESSAGE_OTHER ? "other" : ADMIN_KIND);
		else
			buf_printf(b, "%s%zu 条%s", sep, count[k],
			    message_w(false)->kind[k]);
		sep = en ? ", " : "，";
	}
}

/* Append member key of a notice's "admin" object (or of its member
 * sub, unless NULL), control characters blanked. */
static void
message_admin_str(struct buf *b, const struct message_alert *a, const char *sub,
    const char *key)
{
	json_t *o = sub != NULL ? json_object_get(a->admin, sub) : a->admin;
	char *s = message_defuse(message_str(o, key), a->markup);

	buf_adds(b, s);
	free(s);
}

/* A notice in one line: what happened and what it is about. */
static void
message_admin_summary(struct buf *b, const struct message_alert *a, bool en)
{
	const struct message_words *w = message_w(en);
	json_t *n;

	buf_printf(b, "%s%s", w->event[a->event], w->colon);
	switch (a->event) {
	case EVENT_DELIVERY_FAILED:
		message_admin_str(b, a, "alert", "case");
		buf_adds(b, " ");
		message_admin_str(b, a, "alert", "window");
		buf_adds(b, " (");
		message_admin_str(b, a, "alert", "kind");
		buf_adds(b, ") → ");
		message_admin_str(b, a, NULL, "receiver");
		break;
	case EVENT_RELOAD_FAILED:
		message_admin_str(b, a, NULL, "config");
		break;
	case EVENT_CALENDAR_UNCOVERED:
		if ((n = json_object_get(a->admin, "year")) != NULL)
			buf_printf(b, "%lld", (long long)json_integer_value(n));
		break;
	case EVENT_CASE_REMOVED:
		message_admin_str(b, a, NULL, "case");
		break;
	case EVENT_RECIPIENTS_REFUSED:
		message_admin_str(b, a, NULL, "receiver");
		break;
	default:
		message_admin_str(b, a, NULL, "text");
		break;
	}
}

/* " (provisional)" after a deadline that may still move, else "". */
static const char *
message_mark(const struct message_alert *a, bool en)
{
	return a->provisional ? message_w(en)->l_provisional : "";
}

/* The sentence saying a deadline may still move, after a space in
 * English; nothing for a deadline that will not (or has no year). */
static void
message_provisional(struct buf *b, const struct message_alert *a, bool en)
{
	const struct message_words *w = message_w(en);

	if (a->provisional && a->year > 0)
		buf_printf(b, "%s%s%d%s", en ? " " : "", w->provisional[0],
		    a->year, w->provisional[1]);
}

/* "CASE WINDOW, deadline DAY (Thu), STATE" or its Chinese. */
static void
message_subject_alert(struct buf *b, const struct message_alert *a, bool en)
{
	if (a->kind == MESSAGE_ADMIN) {
		message_admin_summary(b, a, en);
		return;
	}
	if (en)
		buf_printf(b, "%s %s, deadline %s%s, ", a->case_id, a->wtitle,
		    a->deadline_date, message_mark(a, en));
	else
		buf_printf(b, "%s %s 期限 %s%s，", a->case_id, a->wtitle,
		    a->deadline_date, message_mark(a, en));
	message_state(b, a, en);
}

/* The default subject of a message with n alerts (n > 0). */
static void
message_subject_default(struct buf *b, const struct message_alert *a, size_t n,
    bool en)
{
	if (n == 1 && en)
		buf_printf(b, "[deadlined] %s%s: ", a->kind_name,
		    a->esc_first ? " (escalation)" : "");
	else if (n == 1)
		buf_printf(b, "【%s】", message_kind_text(a, false));
	else if (a->kind == MESSAGE_ADMIN) {
		/* deliver.c sends notices in messages of their own. */
		buf_printf(b, "%s%zu%s%s%s",
		    en ? "[deadlined] " : "【deadlined】", n,
		    message_w(en)->notices, message_w(en)->colon,
		    message_w(en)->first);
		message_subject_alert(b, a, en);
		return;
	} else
		buf_printf(b,
		    en ? "[deadlined] %zu alerts: " : "【期限提醒】%zu 条：",
		    n);
	if (n > 1) {
		message_counts(b, a, n, en);
		buf_printf(b, "%s", en ? "; first " : "；首件 ");
	}
	message_subject_alert(b, a, en);
}

/* The string field of the alert that placeholder name stands for, or
 * NULL. */
static const char *
message_value_field(const char *name, const struct message_alert *a)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
	    {"case.id", offsetof(struct message_alert, case_id)},
	    {"case.title", offsetof(struct message_alert, title)},
	    {"case.court", offsetof(struct message_alert, court)},
	    {"window.name", offsetof(struct message_alert, window)},
	    {"window.title", offsetof(struct message_alert, wtitle)},
	    {"window.opened", offsetof(struct message_alert, opened)},
	    {"window.deadline", offsetof(struct message_alert, deadline)},
	    {"kind", offsetof(struct message_alert, kind_name)},
	    {"alert.id", offsetof(struct message_alert, id)},
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(name, fields[i].name) == 0)
			return *(
			    char *const *)((const char *)a + fields[i].off);
	return NULL;
}

/* Template callback: the value of placeholder name for one alert. */
static const char *
message_value_cb(const char *name, void *arg)
{
	struct message_values *v = arg;
	const struct message_alert *a = v->a;
	long long n;

	if (strcmp(name, "window.weekday") == 0)
		return a->wday >= 0 ? message_w(v->en)->wday[a->wday] : "";
	if (strcmp(name, "kind_text") == 0)
		return message_kind_text(a, v->en);
	if (strcmp(name, "advice") == 0)
		return v->advice;
	if (strcmp(name, "window.days") == 0)
		n = a->days;
	else if (strcmp(name, "days_left") == 0)
		n = a->days_left;
	else if (strcmp(name, "days_overdue") == 0)
		n = a->days_left < 0 ? -a->days_left : 0;
	else if (strcmp(name, "count") == 0)
		n = (long long)v->count;
	else
		return message_value_field(name, a);
	snprintf(v->num, sizeof(v->num), "%lld", n);
	return v->num;
}

/* tmpl rendered with alert a's values and count; a new string. */
static char *
message_render(const char *tmpl, const struct message_alert *a, bool en,
    size_t count)
{
	struct buf advice = {NULL, 0, 0};
	struct message_values v;
	char *s;

	message_advice(&advice, a, en);
	memset(&v, 0, sizeof(v));
	v.a = a;
	v.en = en;
	v.count = count;
	v.advice = buf_take(&advice);
	s = template_render(tmpl, message_value_cb, &v);
	free(v.advice);
	return s;
}

char *
message_subject(const struct receiver *r, json_t *alerts, bool test)
{
	return message_subject_markup(r, alerts, test, MARKUP_NONE);
}

char *
message_subject_markup(const struct receiver *r, json_t *alerts, bool test,
    enum message_markup markup)
{
	struct buf b = {NULL, 0, 0};
	struct message_alert *a;
	bool en = message_en(r);
	size_t n;
	char *s;

	a = message_alerts_read(r, test ? NULL : alerts, &n);
	for (size_t i = 0; i < n; i++)
		message_alert_defuse(&a[i], markup);
	if (test)
		buf_printf(&b,
		    en ? "[deadlined] test message from receiver %s"
		       : "【deadlined】测试消息（接收方 %s）",
		    r->name);
	else if (n == 0)
		buf_printf(&b, "%s",
		    en ? "[deadlined] no alerts" : "【deadlined】没有提醒");
	else if (r->subject != NULL && a[0].kind != MESSAGE_ADMIN) {
		s = message_render(r->subject, &a[0], en, n);
		buf_printf(&b, "%s", s);
		free(s);
	} else
		message_subject_default(&b, a, n, en);
	message_alerts_free(a, n);
	s = buf_take(&b);
	for (char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' '; /* one line, whatever a template says */
	return s;
}

/* Append one "label: value" line of an alert's block, a list item with
 * the label in bold in Markdown. */
static void
message_field(struct buf *b, const struct message_parts *p, const char *label,
    const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (p->style == MESSAGE_MARKDOWN)
		buf_printf(b, "- **%s**%s%s\n", label, message_w(p->en)->colon,
		    s);
	else
		buf_printf(b, "%s%s%s\n", label, message_w(p->en)->colon, s);
	free(s);
}

/* The first line of an alert's block: kind, window and where it stands. */
static void
message_headline(struct buf *b, const struct message_parts *p,
    const struct message_alert *a)
{
	if (p->style == MESSAGE_MARKDOWN)
		buf_printf(b, "### ");
	if (p->en)
		buf_printf(b, "%s: %s, ", message_kind_text(a, true),
		    a->wtitle);
	else
		buf_printf(b, "【%s】%s ", message_kind_text(a, false),
		    a->wtitle);
	message_state(b, a, p->en);
	buf_printf(b, "%s", p->style == MESSAGE_MARKDOWN ? "\n\n" : "\n");
}

/* The opened line's value: the day, the period and whether extended. */
static void
message_period(struct buf *b, const struct message_parts *p,
    const struct message_alert *a)
{
	const struct message_words *w = message_w(p->en);

	if (a->days <= 0) {
		message_field(b, p, w->l_opened, "%s", a->opened_date);
		return;
	}
	if (p->en)
		message_field(b, p, w->l_opened, "%s, period %d days%s",
		    a->opened_date, a->days, a->extended ? " (extended)" : "");
	else
		message_field(b, p, w->l_opened, "%s，期间 %d 天%s",
		    a->opened_date, a->days, a->extended ? "（已延长）" : "");
}

/* The last lines of an alert's block: advice, and the alert's id. */
static void
message_block_end(struct buf *b, const struct message_parts *p,
    const struct message_alert *a)
{
	const struct message_words *w = message_w(p->en);
	const char *label = message_actionable(a) ? w->l_next : w->l_changed;

	if (a->kind != MESSAGE_OTHER && p->style == MESSAGE_MARKDOWN)
		buf_printf(b, "\n**%s**%s", label, w->colon);
	else if (a->kind != MESSAGE_OTHER)
		buf_printf(b, "%s%s", label, w->colon);
	message_advice(b, a, p->en);
	if (a->kind != MESSAGE_OTHER)
		buf_printf(b, "\n");
	if (p->style == MESSAGE_TEXT)
		buf_printf(b, "%s%s%s\n", w->l_id, w->colon, a->id);
}

/* The lines of a rejected reload's errors, and how many more there are. */
static void
message_admin_errors(struct buf *b, const struct message_parts *p,
    const struct message_alert *a)
{
	const struct message_words *w = message_w(p->en);
	json_t *errors = json_object_get(a->admin, "errors");
	long long more = json_integer_value(json_object_get(a->admin, "more"));
	const char *v;
	char *s;

	if (json_array_size(errors) == 0)
		return;
	if (p->style == MESSAGE_MARKDOWN)
		buf_printf(b, "- **%s**\n\n", w->l_errors);
	else
		buf_printf(b, "%s%s\n", w->l_errors, w->colon);
	for (size_t i = 0; i < json_array_size(errors); i++) {
		v = json_string_value(json_array_get(errors, i));
		s = xstrdup(v != NULL ? v : "");
		for (char *c = s; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = ' ';
		s = message_defuse(s, a->markup);
		buf_printf(b,
		    p->style == MESSAGE_MARKDOWN ? "  - `%s`\n" : "  %s\n", s);
		free(s);
	}
	if (more > 0)
		buf_printf(b, "%s%s%lld%s\n",
		    p->style == MESSAGE_MARKDOWN ? "  - " : "  ", w->more_pre,
		    more, w->more_post);
}

/* A field of a notice: "label: value of key (in sub)", if it is set. */
static void
message_admin_field(struct buf *b, const struct message_parts *p,
    const char *label, const struct message_alert *a, const char *sub,
    const char *key)
{
	struct buf v = {NULL, 0, 0};
	json_t *o = sub != NULL ? json_object_get(a->admin, sub) : a->admin;
	json_t *val = json_object_get(o, key);
	char *s;

	if (json_is_integer(val))
		buf_printf(&v, "%lld", (long long)json_integer_value(val));
	else if (json_is_string(val))
		message_admin_str(&v, a, sub, key);
	s = buf_take(&v);
	if (*s != '\0')
		message_field(b, p, label, "%s", s);
	free(s);
}

/* The whole block of an administrators' notice; a new string. */
static char *
message_admin_block(const struct message_parts *p,
    const struct message_alert *a)
{
	const struct message_words *w = message_w(p->en);
	struct buf b = {NULL, 0, 0};
	bool md = p->style == MESSAGE_MARKDOWN;

	buf_printf(&b, p->en ? "%s%s: %s%s" : "%s【%s】%s%s", md ? "### " : "",
	    w->kind[MESSAGE_ADMIN], w->event[a->event], md ? "\n\n" : "\n");
	switch (a->event) {
	case EVENT_DELIVERY_FAILED:
		message_admin_field(&b, p, w->l_case, a, "alert", "case");
		message_admin_field(&b, p, w->l_window, a, "alert", "window");
		message_admin_field(&b, p, w->l_deadline, a, "alert",
		    "deadline");
		message_admin_field(&b, p, w->l_kind, a, "alert", "kind");
		message_admin_field(&b, p, w->l_receiver, a, NULL, "receiver");
		message_admin_field(&b, p, w->l_reason, a, NULL, "error");
		break;
	case EVENT_RELOAD_FAILED:
		message_admin_field(&b, p, w->l_config, a, NULL, "config");
		message_admin_errors(&b, p, a);
		break;
	case EVENT_CALENDAR_UNCOVERED:
		message_admin_field(&b, p, w->l_year, a, NULL, "year");
		message_admin_field(&b, p, w->l_windows, a, NULL, "windows");
		break;
	case EVENT_CASE_REMOVED:
		message_admin_field(&b, p, w->l_case, a, NULL, "case");
		message_admin_field(&b, p, w->l_details, a, NULL, "text");
		break;
	case EVENT_RECIPIENTS_REFUSED:
		message_admin_field(&b, p, w->l_receiver, a, NULL, "receiver");
		message_admin_field(&b, p, w->l_reason, a, NULL, "refused");
		break;
	default:
		message_admin_field(&b, p, w->l_details, a, NULL, "text");
		break;
	}
	if (*w->event_advice[a->event] != '\0')
		buf_printf(&b, md ? "\n**%s**%s%s\n" : "%s%s%s\n", w->l_todo,
		    w->colon, w->event_advice[a->event]);
	if (!md)
		buf_printf(&b, "%s%s%s\n", w->l_id, w->colon, a->id);
	return buf_take(&b);
}

/* The deadline line's value: the day, that it ends at the end of the
 * day, and whether it may still move. */
static void
message_deadline(struct buf *b, const struct message_parts *p,
    const struct message_alert *a)
{
	struct buf v = {NULL, 0, 0};

	buf_printf(&v, "%s%s", a->deadline_date,
	    p->en ? ", end of day" : " 当日结束");
	if (a->provisional && a->year > 0)
		buf_printf(&v, "%s", p->en ? "." : "。");
	message_provisional(&v, a, p->en);
	message_field(b, p, message_w(p->en)->l_deadline, "%s", v.s);
	free(v.s);
}

/* The line of a first escalated alert: since when the window is
 * overdue, the step reached and its days. */
static void
message_escalation_line(struct buf *b, const struct message_parts *p,
    const struct message_alert *a)
{
	const char *label =
	    message_escalation[p->en ? LANGUAGE_EN : LANGUAGE_ZH].label;

	if (!a->esc_first)
		return;
	if (p->en)
		message_field(b, p, label,
		    "overdue since %s; escalation step %d (overdue %d days "
		    "or more) reached: you are told from this alert on.",
		    a->esc_since, a->esc_step, a->esc_days);
	else
		message_field(b, p, label,
		    "该期限自 %s 起逾期；已达升级规则第 %d 级（逾期满 %d "
		    "天），自本条起同时通知贵方。",
		    a->esc_since, a->esc_step, a->esc_days);
}

/* The whole block of a single alert; a new string. */
static char *
message_block(const struct message_parts *p, const struct message_alert *a)
{
	const struct message_words *w = message_w(p->en);
	struct buf b = {NULL, 0, 0};

	if (a->kind == MESSAGE_ADMIN)
		return message_admin_block(p, a);
	message_headline(&b, p, a);
	message_escalation_line(&b, p, a);
	message_field(&b, p, w->l_case, "%s%s%s", a->case_id,
	    *a->title != '\0' ? " " : "", a->title);
	if (*a->court != '\0')
		message_field(&b, p, w->l_court, "%s", a->court);
	if (*a->transferred != '\0' && strcmp(a->transferred, a->opened) != 0)
		message_field(&b, p, w->l_transfer_day, "%s",
		    a->transferred_date);
	if (*a->opened != '\0')
		message_period(&b, p, a);
	message_deadline(&b, p, a);
	message_block_end(&b, p, a);
	return buf_take(&b);
}

/* A digest's entry for one alert, on one line; a new string. */
static char *
message_entry(const struct message_parts *p, const struct message_alert *a)
{
	const struct message_words *w = message_w(p->en);
	struct buf b = {NULL, 0, 0};
	bool md = p->style == MESSAGE_MARKDOWN;

	if (a->kind == MESSAGE_ADMIN) {
		buf_printf(&b, "%s", md ? "- " : "");
		message_admin_summary(&b, a, p->en);
		buf_printf(&b, "\n");
		return buf_take(&b);
	}
	if (p->en)
		buf_printf(&b, "%s%s:%s %s", md ? "- **" : "",
		    message_kind_text(a, true), md ? "**" : "", a->case_id);
	else
		buf_printf(&b, "%s【%s】%s%s", md ? "- **" : "",
		    message_kind_text(a, false), md ? "** " : "", a->case_id);
	if (*a->title != '\0')
		buf_printf(&b, " %s", a->title);
	if (*a->court != '\0')
		buf_printf(&b, "%s%s", w->sep, a->court);
	buf_printf(&b, "%s%s", w->sep, a->wtitle);
	/* The day of transfer on every line: where the evidence starts. */
	if (*a->transferred != '\0')
		buf_printf(&b, "%s%s %s", w->sep, w->l_transferred,
		    a->transferred_date);
	if (*a->opened != '\0' && strcmp(a->opened, a->transferred) != 0)
		buf_printf(&b, "%s%s %s", w->sep, w->l_since, a->opened_date);
	if (*a->previous != '\0' &&
	    (a->kind == ALERT_EXTENDED || a->kind == ALERT_MOVED))
		buf_printf(&b, "%s%s %s", w->sep, w->l_previous,
		    a->previous_date);
	buf_printf(&b, "%s%s %s%s", w->sep, w->l_due, a->deadline_date,
	    message_mark(a, p->en));
	buf_printf(&b, "%s", w->sep);
	message_state(&b, a, p->en);
	buf_printf(&b, "\n");
	return buf_take(&b);
}

/* The header line of a digest: how many alerts, of which kinds. */
static char *
message_digest_head(const struct message_parts *p)
{
	struct buf b = {NULL, 0, 0};

	if (p->style == MESSAGE_MARKDOWN)
		buf_printf(&b, "### ");
	if (p->alerts[0].kind == MESSAGE_ADMIN) {
		buf_printf(&b, "deadlined%s%zu%s\n%s", message_w(p->en)->colon,
		    p->n, message_w(p->en)->notices,
		    p->style == MESSAGE_MARKDOWN ? "\n" : "");
		return buf_take(&b);
	}
	if (p->en)
		buf_printf(&b, "deadlined: %zu alerts (", p->n);
	else
		buf_printf(&b, "deadlined：%zu 条期限提醒（", p->n);
	message_counts(&b, p->alerts, p->n, p->en);
	buf_printf(&b, "%s", p->en ? ")\n" : "）\n");
	if (p->style == MESSAGE_MARKDOWN)
		buf_printf(&b, "\n");
	return buf_take(&b);
}

/* How many windows the receiver hears of are open and overdue, for a
 * test message; unknown until message_test_counts says. */
static struct {
	bool known;
	size_t open, overdue;
} message_now;

void
message_test_counts(size_t open, size_t overdue)
{
	message_now.known = true;
	message_now.open = open;
	message_now.overdue = overdue;
}

/* A test message's sentence on what is open now, if known. */
static void
message_test_now(struct buf *b, bool en)
{
	size_t n = message_now.open, late = message_now.overdue;

	if (!message_now.known)
		return;
	if (n == 0 && en)
		buf_printf(b,
		    " Right now this receiver is told of no open "
		    "deadline.");
	else if (n == 0)
		buf_printf(b, "目前该接收方没有未结的期限。");
	else if (en)
		buf_printf(b,
		    " Right now this receiver is told of %zu open deadline%s, "
		    "%zu of them overdue.",
		    n, n == 1 ? "" : "s", late);
	else
		buf_printf(b,
		    "目前该接收方跟踪的期限中有 %zu 个未结，其中 %zu "
		    "个已逾期。",
		    n, late);
}

/* The text of a test message, or of one without alerts; a new string. */
static char *
message_test_text(const struct message_parts *p, bool test)
{
	struct buf b = {NULL, 0, 0};

	if (p->style == MESSAGE_MARKDOWN)
		buf_printf(&b, "### %s\n\n",
		    !test       ? "deadlined"
		        : p->en ? "deadlined test message"
		                : "deadlined 测试消息");
	if (!test) {
		buf_printf(&b, "%s",
		    p->en ? "deadlined: this message carries no alerts.\n"
		          : "deadlined：本消息不含提醒。\n");
		return buf_take(&b);
	}
	if (p->en)
		buf_printf(&b,
		    "This is a test message from deadlined for receiver %s: "
		    "alerts will reach you this way. No action is needed.",
		    p->r->name);
	else
		buf_printf(&b,
		    "这是 deadlined 发给接收方 %s 的测试消息：期限提醒将以这种"
		    "方式送达，本消息无需处理。",
		    p->r->name);
	message_test_now(&b, p->en);
	buf_printf(&b, "\n");
	return buf_take(&b);
}

/* Alert i as rendered by the receiver's body template, after a blank
 * line unless it is the first; a new string. */
static char *
message_tmpl_item(const struct message_parts *p, size_t i)
{
	char *s = message_render(p->r->body, &p->alerts[i], p->en, p->n), *t;
	size_t len = strlen(s);

	while (len > 0 && s[len - 1] == '\n')
		s[--len] = '\0';
	if (i == 0)
		return s;
	xasprintf(&t, "\n\n%s", s);
	free(s);
	return t;
}

/* Split the message into head and items. */
static void
message_parts_make(struct message_parts *p, bool test)
{
	p->item = xcalloc(p->n + 1, sizeof(*p->item));
	if (p->n == 0) {
		p->head = message_test_text(p, test);
		return;
	}
	/* Templates speak of cases; notices keep their own words. */
	p->tmpl = p->r->body != NULL && p->alerts[0].kind != MESSAGE_ADMIN;
	p->digest = !p->tmpl && p->n > 1;
	p->head = p->digest ? message_digest_head(p) : xstrdup("");
	for (size_t i = 0; i < p->n; i++) {
		if (p->tmpl && p->alerts[i].kind == MESSAGE_ADMIN)
			p->item[i] = message_block(p, &p->alerts[i]);
		else if (p->tmpl)
			p->item[i] = message_tmpl_item(p, i);
		else if (p->digest)
			p->item[i] = message_entry(p, &p->alerts[i]);
		else
			p->item[i] = message_block(p, &p->alerts[i]);
	}
}

/* Free what message_parts_make made. */
static void
message_parts_free(struct message_parts *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->item[i]);
	free(p->item);
	free(p->head);
}

/* The case ids of the alerts from i to k whose next step is text[i],
 * each once, joined. */
static void
message_step_cases(struct buf *b, const struct message_parts *p,
    char *const *text, size_t i, size_t k)
{
	const char *sep = message_w(p->en)->list_sep;
	size_t n = 0, m;

	for (size_t j = i; j < k; j++) {
		if (text[j] == NULL || strcmp(text[j], text[i]) != 0)
			continue;
		for (m = i; m < j &&
		     (text[m] == NULL || strcmp(text[m], text[i]) != 0 ||
		         strcmp(p->alerts[m].case_id, p->alerts[j].case_id) !=
		             0);
		     m++)
			;
		if (m < j)
			continue; /* this case is named already */
		buf_printf(b, "%s%s", n++ > 0 ? sep : "", p->alerts[j].case_id);
	}
}

/* A digest's closing advice: each distinct next step of the first k
 * alerts once, in the order they first come, after the cases it is for:
 * "- CASE1、CASE2：督促……". */
static void
message_steps(struct buf *b, const struct message_parts *p, size_t k)
{
	const struct message_words *w = message_w(p->en);
	char **text = xcalloc(k + 1, sizeof(*text));
	bool any = false;
	size_t j;

	for (size_t i = 0; i < k; i++)
		text[i] = message_action(&p->alerts[i], p->en);
	for (size_t i = 0; i < k; i++) {
		if (text[i] == NULL)
			continue;
		for (j = 0; j < i &&
		     (text[j] == NULL || strcmp(text[j], text[i]) != 0);
		     j++)
			;
		if (j < i)
			continue; /* said with an earlier alert's cases */
		if (!any)
			buf_printf(b,
			    p->style == MESSAGE_MARKDOWN ? "\n**%s**\n\n"
			                                 : "\n%s\n",
			    w->l_steps);
		any = true;
		buf_printf(b, "- ");
		message_step_cases(b, p, text, i, k);
		buf_printf(b, "%s%s\n", w->colon, text[i]);
	}
	for (size_t i = 0; i < k; i++)
		free(text[i]);
	free(text);
}

/* What follows the first k alerts: "... and N more" when some were left
 * out, then a digest's advice; a new string. */
static char *
message_tail(const struct message_parts *p, size_t k)
{
	struct buf b = {NULL, 0, 0};
	bool md = p->style == MESSAGE_MARKDOWN;

	if (k < p->n) {
		if (p->tmpl)
			buf_printf(&b, "\n\n");
		else if (md)
			buf_printf(&b, "\n");
		buf_printf(&b, p->en ? "... and %zu more" : "…… 另有 %zu 条",
		    p->n - k);
		if (!p->tmpl)
			buf_printf(&b, "\n");
	}
	if (p->digest)
		message_steps(&b, p, k);
	return buf_take(&b);
}

/* Cut s to at most max bytes without splitting a UTF-8 character,
 * ending it with "…" when there is room to say it was cut. */
static void
message_cut(char *s, size_t max)
{
	size_t n;
	bool dots = max >= 3;

	if (strlen(s) <= max)
		return;
	n = dots ? max - 3 : max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	if (dots) {
		memcpy(s + n, "…", 3);
		n += 3;
	}
	s[n] = '\0';
}

/* The head, the first k items and tail joined; a new string. */
static char *
message_join(const struct message_parts *p, size_t k, const char *tail)
{
	struct buf b = {NULL, 0, 0};

	buf_addn(&b, p->head, strlen(p->head));
	for (size_t i = 0; i < k; i++)
		buf_addn(&b, p->item[i], strlen(p->item[i]));
	buf_addn(&b, tail, strlen(tail));
	return buf_take(&b);
}

/* The most alerts that fit in max bytes with their tail, at least one
 * (if there are any); that tail in *tail. */
static size_t
message_fit(const struct message_parts *p, size_t max, char **tail)
{
	size_t k = p->n, len = strlen(p->head);

	for (size_t i = 0; i < p->n; i++)
		len += strlen(p->item[i]);
	for (;;) {
		*tail = message_tail(p, k);
		if (len + strlen(*tail) <= max || k <= 1)
			return k;
		free(*tail);
		len -= strlen(p->item[--k]);
	}
}

char *
message_body_max(const struct receiver *r, json_t *alerts, bool test,
    enum message_style style, size_t max)
{
	return message_body_markup(r, alerts, test, style,
	    style == MESSAGE_MARKDOWN ? MARKUP_MARKDOWN : MARKUP_NONE, max);
}

char *
message_body_markup(const struct receiver *r, json_t *alerts, bool test,
    enum message_style style, enum message_markup markup, size_t max)
{
	struct message_parts p;
	char *tail, *s;
	size_t k;

	memset(&p, 0, sizeof(p));
	p.r = r;
	p.en = message_en(r);
	p.style = style;
	p.alerts = message_alerts_read(r, test ? NULL : alerts, &p.n);
	for (size_t i = 0; i < p.n; i++)
		message_alert_defuse(&p.alerts[i], markup);
	message_parts_make(&p, test);
	k = message_fit(&p, max, &tail);
	s = message_join(&p, k, tail);
	message_cut(s, max);
	free(tail);
	message_alerts_free(p.alerts, p.n);
	message_parts_free(&p);
	return s;
}

char *
message_body(const struct receiver *r, json_t *alerts, bool test,
    enum message_style style)
{
	return message_body_max(r, alerts, test, style, SIZE_MAX);
}
