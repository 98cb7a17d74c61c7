/*
 * main.c -- deadlined: command line, start-up and the modes it runs in.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "daemon.h"
#include "deliver.h"
#include "history.h"
#include "report.h"
#include "list.h"
#include "status.h"
#include "log.h"
#include "message.h"
#include "outbox.h"
#include "pidfile.h"
#include "preview.h"
#include "receiver.h"
#include "silence.h"
#include "window.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

/* Exit statuses: 0 success, 1 failure, 2 a command line we cannot use. */
#define EXIT_USAGE 2

struct options {
	const char *config;
	const char *now;
	const char *test_receiver;
	const char *resend;      /* receiver */
	const char *resend_case; /* --case, or NULL */
	bool check;
	bool list;
	bool status;
	bool history;
	const char *history_case; /* NULL: every case */
	bool preview;
	const char *preview_days;     /* --days, or NULL for the default */
	const char *preview_receiver; /* --receiver, or NULL: all */
	const char *since;
	bool csv;
	bool html;
	const char *lang; /* --lang, or NULL */
	bool json;
	bool once;
	int verbose;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: deadlined [-c FILE] [-t] [--list | --status [--json]] "
	    "[--once] "
	    "[--now TIME] [-v] [-V]\n"
	    "       deadlined [-c FILE] --test-receiver NAME\n"
	    "       deadlined [-c FILE] --resend NAME [--case ID]\n"
	    "       deadlined [-c FILE] --history [CASE] [--json | --csv] "
	    "[--since DATE]\n"
	    "       deadlined [-c FILE] --history CASE --html [--lang zh|en]\n"
	    "       deadlined [-c FILE] --preview [--days N] [--receiver NAME] "
	    "[--now TIME] [--json]\n"
	    "  -c, --config FILE  main configuration (default %s)\n"
	    "  -t, --check        check the configuration, print ok or errors\n"
	    "      --list         print every case's windows (--json: as "
	    "JSON)\n"
	    "      --status       print where each receiver's deliveries "
	    "stand (--json)\n"
	    "      --history [CASE]\n"
	    "                     print a case's timeline, or every "
	    "delivery (--json, --csv,\n"
	    "                     --since YYYY-MM-DD); --html: a case's "
	    "printable evidence\n"
	    "                     report (--lang zh or en)\n"
	    "      --preview      print every alert due in the next days "
	    "(--days N, default %d;\n"
	    "                     --receiver NAME: to NAME only; --json), "
	    "sending nothing\n"
	    "      --once         send what is due now, then exit\n"
	    "      --now TIME     act as if the clock read TIME "
	    "(YYYY-MM-DDTHH:MM[:SS][+HH:MM])\n"
	    "      --test-receiver NAME\n"
	    "                     send a test message through NAME, print "
	    "the outcome\n"
	    "      --resend NAME  queue again what NAME failed to deliver "
	    "(or still\n"
	    "                     waits to) for open windows; --case ID: "
	    "of one case\n"
	    "  -v, --verbose      log debug messages\n"
	    "  -V, --version      print the version\n"
	    "  -h, --help         print this help\n",
	    CONFIG_DEFAULT_PATH, PREVIEW_DAYS);
}

/* --html and --lang: a report of one case, in zh or en; exits if not. */
static void
check_html(const struct options *opt)
{
	enum report_lang lang;
	const char *why = NULL;

	if (opt->lang != NULL && !opt->html)
		why = "--lang goes with --history CASE --html";
	else if (opt->html && (!opt->history || opt->history_case == NULL))
		why = "--html goes with --history CASE";
	else if (opt->html && (opt->csv || opt->json || opt->since != NULL))
		why = "--html does not go with --csv, --json or --since";
	else if (opt->lang != NULL && report_lang_parse(opt->lang, &lang) == -1)
		why = "--lang is zh or en";
	if (why == NULL)
		return;
	fprintf(stderr, "deadlined: %s\n", why);
	usage(stderr);
	exit(EXIT_USAGE);
}

/* Parse the command line into opt; exits on -h, -V or a bad flag. */
static void
parse_options(int argc, char **argv, struct options *opt)
{
	enum {
		OPT_LIST = 256,
		OPT_JSON,
		OPT_ONCE,
		OPT_NOW,
		OPT_TEST,
		OPT_STATUS,
		OPT_HISTORY,
		OPT_CSV,
		OPT_SINCE,
		OPT_RESEND,
		OPT_CASE,
		OPT_PREVIEW,
		OPT_DAYS,
		OPT_RECEIVER,
		OPT_HTML,
		OPT_LANG,
	};
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check", no_argument, NULL, 't'},
	    {"list", no_argument, NULL, OPT_LIST},
	    {"status", no_argument, NULL, OPT_STATUS},
	    {"history", no_argument, NULL, OPT_HISTORY},
	    {"csv", no_argument, NULL, OPT_CSV},
	    {"html", no_argument, NULL, OPT_HTML},
	    {"lang", required_argument, NULL, OPT_LANG},
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"once", no_argument, NULL, OPT_ONCE},
	    {"now", required_argument, NULL, OPT_NOW},
	    {"test-receiver", required_argument, NULL, OPT_TEST},
	    {"resend", required_argument, NULL, OPT_RESEND},
	    {"case", required_argument, NULL, OPT_CASE},
	    {"preview", no_argument, NULL, OPT_PREVIEW},
	    {"days", required_argument, NULL, OPT_DAYS},
	    {"receiver", required_argument, NULL, OPT_RECEIVER},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	time_t when;
	int ch;

	memset(opt, 0, sizeof(*opt));
	opt->config = CONFIG_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:tvVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			opt->config = optarg;
			break;
		case 't':
			opt->check = true;
			break;
		case OPT_LIST:
			opt->list = true;
			break;
		case OPT_STATUS:
			opt->status = true;
			break;
		case OPT_HISTORY:
			opt->history = true;
			break;
		case OPT_CSV:
			opt->csv = true;
			break;
		case OPT_HTML:
			opt->html = true;
			break;
		case OPT_LANG:
			opt->lang = optarg;
			break;
		case OPT_SINCE:
			opt->since = optarg;
			break;
		case OPT_JSON:
			opt->json = true;
			break;
		case OPT_ONCE:
			opt->once = true;
			break;
		case OPT_NOW:
			opt->now = optarg;
			break;
		case OPT_TEST:
			opt->test_receiver = optarg;
			break;
		case OPT_RESEND:
			opt->resend = optarg;
			break;
		case OPT_CASE:
			opt->resend_case = optarg;
			break;
		case OPT_PREVIEW:
			opt->preview = true;
			break;
		case OPT_DAYS:
			opt->preview_days = optarg;
			break;
		case OPT_RECEIVER:
			opt->preview_receiver = optarg;
			break;
		case 'v':
			opt->verbose++;
			break;
		case 'V':
			printf("deadlined %s\n", VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	if (opt->history && optind < argc)
		opt->history_case = argv[optind++];
	if ((opt->csv || opt->since != NULL) && !opt->history) {
		fprintf(stderr,
		    "deadlined: --csv and --since go with --history\n");
		usage(stderr);
		exit(EXIT_USAGE);
	}
	check_html(opt);
	if (optind < argc) {
		fprintf(stderr, "deadlined: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if (opt->now != NULL && clock_parse(opt->now, &when) == -1) {
		/* Checked again once the configured zone is known. */
		fprintf(stderr,
		    "deadlined: --now '%s' is not a time "
		    "(YYYY-MM-DDTHH:MM[:SS], optionally with Z or +HH:MM)\n",
		    opt->now);
		exit(EXIT_USAGE);
	}
	if (opt->resend_case != NULL && opt->resend == NULL) {
		fprintf(stderr, "deadlined: --case goes with --resend\n");
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if ((opt->preview_days != NULL || opt->preview_receiver != NULL) &&
	    !opt->preview) {
		fprintf(stderr,
		    "deadlined: --days and --receiver go with --preview\n");
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if (opt->json && !opt->list && !opt->status && !opt->history &&
	    !opt->preview) {
		fprintf(stderr,
		    "deadlined: --json goes with --list, --status, "
		    "--history or --preview\n");
		usage(stderr);
		exit(EXIT_USAGE);
	}
}

/* What the mode opt runs needs loaded: no secrets for what sends
 * nothing, no case titles for --list (which shows none), unless a mode
 * that main runs first is asked for too. */
static unsigned
load_flags(const struct options *opt)
{
	unsigned flags = 0;

	if (opt->list || opt->history || opt->status)
		flags |= CONFIG_NO_SECRETS;
	if (opt->list && !opt->check && opt->test_receiver == NULL &&
	    opt->resend == NULL)
		flags |= CONFIG_NO_TITLES;
	return flags;
}

/* Load the configuration, printing every error; NULL if it is not valid. */
static struct config *
load(const char *path, unsigned flags)
{
	struct config_errors errs = {0};
	struct config *cfg;

	if ((cfg = config_load_flags(path, flags, &errs)) == NULL)
		for (size_t i = 0; i < errs.n; i++)
			log_plain("%s", errs.msgs[i]);
	config_errors_free(&errs);
	return cfg;
}

/* Tell message.c how many windows receiver idx hears of are open, and
 * how many of those are overdue, today: a test message says so. */
static void
test_counts(const struct config *cfg, size_t idx)
{
	size_t open = 0, overdue = 0, n;
	const size_t *notify;
	struct window_state ws;
	date_t today;
	int secs;

	clock_split(clock_now(), &today, &secs);
	for (size_t i = 0; i < cfg->ncases; i++) {
		const struct case_info *c = &cfg->cases[i];
		size_t k;

		notify = config_case_notify(cfg, c, &n);
		for (k = 0; k < n && notify[k] != idx; k++)
			;
		if (k == n)
			continue;
		for (k = 0; k < cfg->nwindows; k++) {
			/* Open now: opened on or before today, not closed. */
			if (!window_state(cfg, c, &cfg->windows[k], &ws) ||
			    ws.closed || ws.opened > today)
				continue;
			open++;
			overdue += deadline_days_left(&ws, today) < 0;
		}
	}
	message_test_counts(open, overdue);
}

/* Print an error for each silence that reaches too far ahead of today
 * (silence.h); -1 if there is one.  The zone and --now must be set. */
static int
check_silences(const struct config *cfg)
{
	struct config_errors errs = {0};
	date_t today;
	size_t n;
	int secs;

	clock_split(clock_now(), &today, &secs);
	n = silence_check_until(cfg, today, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_plain("%s", errs.msgs[i]);
	config_errors_free(&errs);
	return n > 0 ? -1 : 0;
}

/* Say that no receiver is named name, and which are. */
static void
no_receiver(const struct config *cfg, const char *name)
{
	char *hint = receiver_unknown_hint(cfg, name);

	fprintf(stderr, "deadlined: no receiver named '%s' in %s%s\n", name,
	    cfg->path, hint);
	free(hint);
}

/* --test-receiver: send one test message and say how it went. */
static int
test_receiver(const struct config *cfg, const char *name)
{
	char result[1024];
	int rc;

	for (size_t i = 0; i < cfg->nreceivers; i++) {
		if (strcmp(cfg->receivers[i].name, name) != 0)
			continue;
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			fatalx("curl_global_init");
		test_counts(cfg, i);
		rc = deliver_test(&cfg->receivers[i], result, sizeof(result));
		curl_global_cleanup();
		printf("%s: %s: %s\n", name, rc == 0 ? "ok" : "failed", result);
		return rc == 0 && fflush(stdout) != EOF ? 0 : 1;
	}
	no_receiver(cfg, name);
	return 1;
}

/* Tell the running daemon, if there is one, to send what was queued. */
static void
resend_notify(const struct config *cfg)
{
	pid_t pid = pidfile_signal(cfg->state_dir, SIGHUP);

	if (pid > 0)
		printf("told deadlined (pid %ld) to send them now\n",
		    (long)pid);
	else
		printf("no running deadlined found for %s: they go out when "
		       "it starts, or at once after `systemctl reload "
		       "deadlined`\n",
		    cfg->state_dir);
}

/* --resend: queue again what a receiver failed to deliver, or still
 * waits to, for the windows still open (of one case, if given). */
static int
resend(const struct config *cfg, const char *name, const char *case_id)
{
	struct outbox *ob;
	int n;

	if (receiver_find(cfg, name) == NULL) {
		no_receiver(cfg, name);
		return 1;
	}
	if (case_id != NULL && config_case_find(cfg, case_id) == NULL) {
		fprintf(stderr,
		    "deadlined: no case '%s' in the configuration\n", case_id);
		return 1;
	}
	if ((ob = outbox_open(cfg->state_dir)) == NULL)
		return 1;
	n = outbox_requeue(ob, name, case_id, clock_now());
	outbox_close(ob);
	if (n == -1)
		return 1;
	printf("%d deliver%s to %s queued again\n", n, n == 1 ? "y" : "ies",
	    name);
	if (n > 0)
		resend_notify(cfg);
	return fflush(stdout) == EOF ? 1 : 0;
}

/* --history CASE --html: the evidence report of one case. */
static int
history_html(const struct config *cfg, const struct options *opt)
{
	enum report_lang lang = REPORT_ZH;
	int rc;

	if (opt->lang != NULL)
		(void)report_lang_parse(opt->lang, &lang);
	rc = report_print(cfg, opt->history_case, lang, stdout);
	if (rc == 1) {
		fprintf(stderr,
		    "deadlined: no case '%s' in the configuration or the "
		    "outbox\n",
		    opt->history_case);
		return 1;
	}
	return rc == 0 && fflush(stdout) != EOF ? 0 : 1;
}

/* --history: the timeline of one case or of all. */
static int
history(const struct config *cfg, const struct options *opt)
{
	date_t day;
	time_t since = 0;

	if (opt->since != NULL) {
		if (date_parse(opt->since, &day) == -1) {
			fprintf(stderr,
			    "deadlined: --since '%s' is not a date "
			    "(YYYY-MM-DD)\n",
			    opt->since);
			return EXIT_USAGE;
		}
		since = clock_local(day, 0);
	}
	if (opt->html)
		return history_html(cfg, opt);
	if (history_print(cfg, opt->history_case, since,
	        opt->csv        ? HISTORY_CSV
	            : opt->json ? HISTORY_JSON
	                        : HISTORY_TEXT,
	        stdout) == -1 ||
	    fflush(stdout) == EOF)
		return 1;
	return 0;
}

/* --preview: what the daemon would send in the next days. */
static int
preview(const struct config *cfg, const struct options *opt)
{
	long days = PREVIEW_DAYS;
	char *end;

	if (opt->preview_days != NULL) {
		days = strtol(opt->preview_days, &end, 10);
		if (*opt->preview_days == '\0' || *end != '\0' || days < 1 ||
		    days > PREVIEW_DAYS_MAX) {
			fprintf(stderr,
			    "deadlined: --days '%s' is not a number of days "
			    "(1 to %d)\n",
			    opt->preview_days, PREVIEW_DAYS_MAX);
			return EXIT_USAGE;
		}
	}
	if (opt->preview_receiver != NULL &&
	    receiver_find(cfg, opt->preview_receiver) == NULL) {
		fprintf(stderr, "deadlined: no receiver named '%s' in %s\n",
		    opt->preview_receiver, cfg->path);
		return 1;
	}
	if (preview_print(cfg, clock_now(), (int)days, opt->preview_receiver,
	        opt->json, stdout) == -1 ||
	    fflush(stdout) == EOF)
		return 1;
	return 0;
}

/* Count the windows the cases have opened. */
static size_t
count_open_windows(const struct config *cfg)
{
	struct window_events ev;
	size_t n = 0;

	for (size_t i = 0; i < cfg->ncases; i++)
		for (size_t k = 0; k < cfg->nwindows; k++) {
			config_window_events(&cfg->windows[k], &cfg->cases[i],
			    &ev);
			n += ev.opened;
		}
	return n;
}

/* window_uncovered_years callback: warn on standard error. */
static void
warn_uncovered(int year, size_t windows, void *arg)
{
	char msg[512];

	(void)arg;
	fprintf(stderr, "deadlined: warning: %s\n",
	    window_uncovered_message(year, windows, msg, sizeof(msg)));
}

/* -t: the configuration is valid; say so, summarise it, and print on
 * standard error what is valid but looks wrong. */
static int
check_summary(const struct config *cfg)
{
	struct config_errors warns = {0};
	size_t nopen = count_open_windows(cfg);
	date_t today;
	int secs;

	clock_split(clock_now(), &today, &secs);
	config_warnings(cfg, today, &warns);
	printf("ok\n");
	printf("%zu case%s, %zu window%s open or closed, %zu window kind%s, "
	       "%zu receiver%s\n",
	    cfg->ncases, cfg->ncases == 1 ? "" : "s", nopen,
	    nopen == 1 ? "" : "s", cfg->nwindows, cfg->nwindows == 1 ? "" : "s",
	    cfg->nreceivers, cfg->nreceivers == 1 ? "" : "s");
	for (size_t i = 0; i < warns.n; i++)
		log_plain("%s", warns.msgs[i]);
	config_errors_free(&warns);
	window_uncovered_years(cfg, warn_uncovered, NULL);
	return fflush(stdout) == EOF ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct config *cfg;
	time_t now;
	int rc;

	parse_options(argc, argv, &opt);
	log_init(opt.verbose);

	/* What sends nothing reads no secret: a clerk who may not read
	 * them can still list. */
	if ((cfg = load(opt.config, load_flags(&opt))) == NULL)
		return 1;
	if (clock_set_zone(cfg->timezone) == -1)
		fatalx("cannot use time zone %s", cfg->timezone);
	if (opt.now != NULL) {
		if (clock_parse(opt.now, &now) == -1) {
			fprintf(stderr,
			    "deadlined: --now '%s' is not a time "
			    "(YYYY-MM-DDTHH:MM[:SS], optionally with Z or "
			    "+HH:MM)\n",
			    opt.now);
			config_free(cfg);
			return EXIT_USAGE;
		}
		clock_shift_to(now);
	}
	if (check_silences(cfg) == -1) {
		config_free(cfg);
		return 1;
	}

	if (opt.check)
		rc = check_summary(cfg);
	else if (opt.test_receiver != NULL)
		rc = test_receiver(cfg, opt.test_receiver);
	else if (opt.resend != NULL)
		rc = resend(cfg, opt.resend, opt.resend_case);
	else if (opt.list)
		rc = list_print(cfg, clock_now(), opt.json, stdout) == -1 ||
		    fflush(stdout) == EOF;
	else if (opt.history)
		rc = history(cfg, &opt);
	else if (opt.preview)
		rc = preview(cfg, &opt);
	else if (opt.status) {
		rc = status_print(cfg, clock_now(), opt.json, stdout);
		if (fflush(stdout) == EOF || rc == -1)
			rc = 1;
	} else
		return daemon_run(cfg, opt.config, opt.once);
	config_free(cfg);
	return rc;
}
