/*
 * daemon.c -- the event loop.
 *
 * One thread, one event_base.  The daemon sleeps until the next thing it
 * must do: a timed alert falling due, or a delivery's retry.  That moment
 * is armed on a CLOCK_REALTIME timerfd with TFD_TIMER_CANCEL_ON_SET, so
 * the kernel wakes us both when it comes and when someone steps the wall
 * clock (NTP, resume, date -s); either way we plan again from the new
 * time, which can neither miss an alert (planning queues the latest one
 * due) nor repeat one (the outbox knows what it queued).  While nothing is
 * due the process makes no system call at all, unless systemd asked for
 * watchdog pings.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "admin.h"
#include "clock.h"
#include "daemon.h"
#include "deliver.h"
#include "lock.h"
#include "log.h"
#include "outbox.h"
#include "pidfile.h"
#include "receiver.h"
#include "schedule.h"
#include "silence.h"
#include "sdnotify.h"
#include "web.h"
#include "window.h"
#include "xmalloc.h"

#define DAEMON_DRAIN_SECONDS     10 /* SIGTERM: how long in-flight may take */
#define DAEMON_STALE_MAX         60 /* longest wait after a plan in the past */
#define DAEMON_SLICE             2000     /* cases planned between two polls */
#define DAEMON_SWEEP_SLICE       5000     /* windows swept between two polls */
#define DAEMON_START_EXTEND_USEC 60000000 /* per call of daemon_starting */

static struct {
	struct event_base *base;
	struct config *cfg;
	const char *config_path;
	struct outbox *ob;
	int tfd;
	struct event *wake;
	struct event *sighup, *sigterm, *sigint;
	struct event *drain;
	struct event *watchdog;
	time_t next_plan;    /* the next timed alert, or -1 */
	struct event *slice; /* the next slice of a planning pass */
	bool slicing;        /* a pass is under way in slices */
	bool slice_sweep;    /* ... and begins with the sweep */
	size_t slice_from;   /* the first case not yet planned */
	time_t slice_now;    /* the moment the pass plans for */
	time_t slice_next;   /* its earliest next timed alert so far */
	int plan_failures;   /* passes in a row the outbox refused */
	int stale;           /* plans in a row whose next alert was not ahead */

	struct schedule_sweep *sweep; /* the pass's sweep under way, or NULL */

	bool once;
	bool once_done; /* --once: nothing is left to send */
	struct event *once_timer;
	bool stopping;
	int status;
} d;

/* Arm the wake-up timer for `when` (daemon clock), or disarm it (-1). */
static void
daemon_arm(time_t when)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (when >= 0) {
		its.it_value.tv_sec = clock_real(when);
		if (its.it_value.tv_sec <= 0)
			its.it_value.tv_sec = 1;
	}
	if (timerfd_settime(d.tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
	        &its, NULL) == -1)
		fatal("timerfd_settime");
}

/* Sleep until the next planned alert or the next retry, whichever
 * comes first.  now must be the time deliveries were last started at:
 * a retry due by then has started, one due after it is ahead of us. */
static void
daemon_sleep(time_t now)
{
	time_t next = d.next_plan, retry;
	char buf[CLOCK_RFC3339_BUFSZ];

	if (d.once || d.stopping)
		return;
	/* Falling idle: the checkpoint a burst put off, and the memory it
	 * took, go back now rather than on its way. */
	if (!d.slicing && deliver_inflight() == 0) {
		outbox_idle(d.ob);
		malloc_trim(0);
	}
	if ((retry = outbox_next_try(d.ob, now)) != -1 &&
	    (next == -1 || retry < next))
		next = retry;
	if ((retry = deliver_next_wake()) != -1 && (next == -1 || retry < next))
		next = retry;
	if (next >= 0)
		log_debug("next wake-up at %s", clock_rfc3339(next, buf));
	daemon_arm(next);
}

/* window_uncovered_years callback: warn in the log. */
static void
daemon_warn_uncovered(int year, size_t windows, void *arg)
{
	char msg[512];

	(void)arg;
	log_warnx("%s",
	    window_uncovered_message(year, windows, msg, sizeof(msg)));
}

/* A reload changed some receivers: what each failed to deliver, or still
 * waits to, is queued again at once with a fresh count of attempts, since
 * the new definition may be the fix (a corrected URL, a new secret). */
static void
daemon_requeue_changed(const struct config *old, const struct config *cfg,
    time_t now)
{
	const struct receiver *r, *prev;
	int n;

	if (outbox_begin(d.ob) == -1)
		return;
	for (size_t i = 0; i < cfg->nreceivers; i++) {
		r = &cfg->receivers[i];
		if ((prev = receiver_find(old, r->name)) == NULL ||
		    receiver_same(prev, r))
			continue;
		if ((n = outbox_requeue(d.ob, r->name, NULL, now)) == -1)
			log_warnx("receiver %s changed, but its deliveries "
			          "could not be queued again",
			    r->name);
		else
			log_info("receiver %s changed: %d deliver%s queued "
			         "again",
			    r->name, n, n == 1 ? "y" : "ies");
	}
	if (outbox_commit(d.ob) == -1)
		log_warnx("deliveries of changed receivers: not queued again");
}

/* The receiver names with deliveries waiting, as collected. */
struct daemon_names {
	char **v;
	size_t n;
};

/* outbox_waiting_receivers callback: keep a copy of the name. */
static int
daemon_collect_name(const char *name, void *arg)
{
	struct daemon_names *names = arg;

	names->v = xreallocarray(names->v, names->n + 1, sizeof(*names->v));
	names->v[names->n++] = xstrdup(name);
	return 0;
}

/* Cancel what waits for a receiver cfg no longer has: it would wait
 * forever, or go to whoever is given the name next. */
static void
daemon_cancel_removed(const struct config *cfg)
{
	struct daemon_names names = {NULL, 0};
	char why[256];
	int n;

	if (outbox_waiting_receivers(d.ob, daemon_collect_name, &names) == 0 &&
	    outbox_begin(d.ob) == 0) {
		for (size_t i = 0; i < names.n; i++) {
			if (receiver_find(cfg, names.v[i]) != NULL)
				continue;
			snprintf(why, sizeof(why),
			    "receiver %s is no longer configured", names.v[i]);
			if ((n = outbox_cancel_receiver(d.ob, names.v[i],
			         why)) > 0)
				log_info("receiver %s is no longer configured: "
				         "%d waiting deliver%s cancelled",
				    names.v[i], n, n == 1 ? "y" : "ies");
		}
		if (outbox_commit(d.ob) == -1)
			log_warnx("deliveries of removed receivers: not "
			          "cancelled");
	}
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
}

/* Forget the sweep under way: it is done, or its configuration is about
 * to go. */
static void
daemon_sweep_drop(void)
{
	schedule_sweep_free(d.sweep);
	d.sweep = NULL;
}

/*
 * After a start or a reload: announce the windows no longer configured,
 * checking up to n of the outbox's windows; true while more remain.  The
 * sweep goes on from where the last call left it, against the
 * configuration it began with (daemon_sweep_drop forgets it before that
 * configuration is freed).  An outbox error is logged; the next reload
 * or start tries again.
 */
static bool
daemon_sweep_slice(size_t n)
{
	int rc;

	if (d.sweep == NULL)
		d.sweep = schedule_sweep_new(d.cfg);
	if ((rc = schedule_sweep_step(d.sweep, d.ob, n)) == 1)
		return true;
	if (rc == 0)
		rc = schedule_sweep_finish(d.sweep, d.ob, clock_now(), !d.once);
	if (rc == -1)
		log_warnx("could not check the outbox for cases no longer "
		          "configured; the next reload tries again");
	daemon_sweep_drop();
	return false;
}

/* The whole sweep, or what is left of the one under way. */
static void
daemon_sweep(void)
{
	while (daemon_sweep_slice(SIZE_MAX))
		;
}

/* Log what in cfg is valid but looks wrong: config_warnings and the
 * years no holiday file covers.  The zone must be cfg's. */
static void
daemon_warnings(const struct config *cfg)
{
	struct config_errors warns = {0};
	date_t today;
	int secs;

	clock_split(clock_now(), &today, &secs);
	config_warnings(cfg, today, &warns);
	for (size_t i = 0; i < warns.n; i++)
		log_warnx("%s", warns.msgs[i]);
	config_errors_free(&warns);
	window_uncovered_years(cfg, daemon_warn_uncovered, NULL);
}

/*
 * A plan made at now whose next alert is not after now is a bug (the
 * alert is due, so planning should have queued it); armed as it is, the
 * timer would fire at once and plan the same again, at full speed.  Wait
 * a second instead, then longer each time it repeats, up to a minute.
 */
static time_t
daemon_unstale(time_t next, time_t now)
{
	char buf[CLOCK_RFC3339_BUFSZ];
	int wait;

	if (next == -1 || next > now) {
		d.stale = 0;
		return next;
	}
	wait = d.stale < 6 ? 1 << d.stale : DAEMON_STALE_MAX;
	if (d.stale < 6)
		d.stale++;
	log_debug("next alert at %s is not ahead; planning again in %d s",
	    clock_rfc3339(next, buf), wait);
	return now + wait;
}

/* Plan, start what is due, and sleep until the next thing to do.  When
 * the outbox refuses the pass (a full disk, another process's lock), try
 * again every second for a minute, then every 10 seconds, saying so once
 * per episode: alerts that fell due meanwhile leave soon after the lock
 * is released or space returns. */
static void
daemon_plan_done(time_t next, time_t now)
{
	int wait;

	if ((d.next_plan = next) == -2) {
		wait = d.plan_failures < 60 ? 1 : 10;
		if (d.plan_failures++ == 0)
			log_warnx("planning failed: the outbox cannot be "
			          "written; trying again until it can");
		d.next_plan = now + wait;
		web_set_plan_ok(false);
	} else if (d.plan_failures > 0) {
		log_info("planning works again after %d failed pass%s",
		    d.plan_failures, d.plan_failures == 1 ? "" : "es");
		d.plan_failures = 0;
		web_set_plan_ok(true);
	}
	d.next_plan = daemon_unstale(d.next_plan, now);
	deliver_kick(now);
	daemon_sleep(now);
}

/* The whole pass at once: when alerts fall due (the burst is queued in
 * one transaction and sent at once), for --once, and when a slice
 * fails.  A sliced pass under way is superseded (its sweep is done
 * first). */
static void
daemon_plan(void)
{
	time_t now = clock_now();

	if (d.slice_sweep) {
		d.slice_sweep = false;
		daemon_sweep();
	}
	d.slicing = false;
	daemon_plan_done(schedule_plan(d.cfg, d.ob, now, !d.once), now);
}

/* Plan the next slice; the pass ends with the last one. */
static void
daemon_slice_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = {0, 0};
	time_t now;

	(void)fd, (void)what, (void)arg;
	if (d.stopping || !d.slicing) {
		d.slicing = false;
		return;
	}
	if (d.slice_sweep) {
		/* The sweep too goes in slices: a signal waits for one. */
		d.slice_sweep = daemon_sweep_slice(DAEMON_SWEEP_SLICE);
	} else if (schedule_plan_slice(d.cfg, d.ob, d.slice_now, true,
	               &d.slice_from, DAEMON_SLICE, &d.slice_next) == -2) {
		daemon_plan(); /* which says why, and tries again */
		return;
	}
	if (d.slice_sweep || d.slice_from < d.cfg->ncases) {
		/* A zero timer, not event_active: the loop polls between
		 * slices, so signals and transfers go on. */
		if (evtimer_add(d.slice, &tv) == -1)
			fatalx("evtimer_add");
		return;
	}
	d.slicing = false;
	now = clock_now();
	/* An alert that fell due while the pass ran is not a stale plan:
	 * plan again at once, whole. */
	if (d.slice_next != -1 && d.slice_next > d.slice_now &&
	    d.slice_next <= now)
		daemon_plan();
	else
		daemon_plan_done(d.slice_next, now);
	malloc_trim(0); /* what the pass freed goes back */
}

/*
 * Plan in slices on the loop, DAEMON_SLICE cases each (after the sweep
 * when sweep is set), so that a start or a reload of a large
 * configuration is READY, and hears signals, while it is planned.  A pass
 * already under way starts again from the first case: the configuration
 * has changed.  --once plans at once.
 */
static void
daemon_plan_sliced(bool sweep)
{
	struct timeval tv = {0, 0};

	if (d.once) {
		if (sweep)
			daemon_sweep();
		daemon_plan();
		return;
	}
	d.slice_sweep |= sweep;
	d.slicing = true;
	d.slice_from = 0;
	d.slice_now = clock_now();
	d.slice_next = -1;
	/* No planning wake-up while the pass is under way; retries go on. */
	d.next_plan = -1;
	if (evtimer_add(d.slice, &tv) == -1)
		fatalx("evtimer_add");
}

/* The wake-up timer fired, or the wall clock was stepped. */
static void
daemon_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t n;

	bool stepped = false;
	time_t now;

	(void)what, (void)arg;
	if (read(fd, &n, sizeof(n)) == -1) {
		if (errno == ECANCELED) {
			log_info("the wall clock was set; planning again");
			stepped = true;
		} else if (errno != EAGAIN)
			log_warn("timerfd read");
	}
	if (d.stopping)
		return;
	/* A wake-up for a retry or a held receiver needs no planning pass
	 * over every case: only the due alerts' moment does. */
	now = clock_now();
	if (stepped || (d.next_plan != -1 && now >= d.next_plan))
		daemon_plan();
	else {
		deliver_kick(now);
		daemon_sleep(now);
	}
}

/* Everything in flight has ended: leave the loop. */
static void
daemon_idle(void *arg)
{
	(void)arg;
	event_base_loopbreak(d.base);
}

/* --once: everything in flight has ended.  Messages a rate limit holds
 * back are due now too: wait for their turn, then leave. */
static void
daemon_once_idle(void *arg)
{
	time_t wake = deliver_next_wake(), now = clock_now();
	struct timeval tv = {0, 0};

	(void)arg;
	if (wake == -1) {
		d.once_done = true;
		event_base_loopbreak(d.base);
		return;
	}
	tv.tv_sec = wake > now ? wake - now : 0;
	if (evtimer_add(d.once_timer, &tv) == -1)
		fatalx("evtimer_add");
}

/* --once: a rate limit lets the next message go. */
static void
daemon_once_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	deliver_kick(clock_now());
	if (deliver_inflight() == 0)
		daemon_once_idle(NULL);
}

/* SIGTERM's grace period is over. */
static void
daemon_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	log_warnx("deliveries still in flight after %d seconds",
	    DAEMON_DRAIN_SECONDS);
	event_base_loopbreak(d.base);
}

/* Stop planning and let in-flight deliveries finish, for a while. */
static void
daemon_stop(void)
{
	struct timeval tv = {DAEMON_DRAIN_SECONDS, 0};

	if (d.stopping)
		return;
	d.stopping = true;
	sdnotify("STOPPING=1");
	daemon_arm(-1);
	deliver_stop();
	if (deliver_inflight() > 0) {
		log_info("stopping: waiting for %zu deliveries in flight",
		    deliver_inflight());
		if ((d.drain = evtimer_new(d.base, daemon_drain_cb, NULL)) ==
		        NULL ||
		    evtimer_add(d.drain, &tv) == -1)
			fatalx("evtimer_new");
	}
	deliver_on_idle(daemon_idle, NULL);
}

/* A reload was rejected: tell the admin receivers, and send it. */
static void
daemon_reload_rejected(const struct config_errors *errs)
{
	time_t now = clock_now();

	if (admin_reload_failed(d.ob, d.cfg, errs, now) > 0) {
		deliver_kick(now);
		daemon_sleep(now);
	}
}

/* A reload's errors: log them, tell the admin receivers and the
 * listener, free them, and go on running as before. */
static void
daemon_reload_failed(struct config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		log_warnx("%s", errs->msgs[i]);
	log_warnx("reload failed: %zu error%s; still running on the "
	          "previous configuration",
	    errs->n, errs->n == 1 ? "" : "s");
	daemon_reload_rejected(errs);
	web_reloaded(false, errs->n);
	config_errors_free(errs);
	sdnotify("READY=1");
}

/* Check the silences of a new configuration against today (its zone
 * set); -1 if one reaches too far ahead: the reload is then rejected,
 * as for any other error, and said so. */
static int
daemon_reload_silences(const struct config *cfg)
{
	struct config_errors errs = {0};
	date_t today;
	int secs;

	clock_split(clock_now(), &today, &secs);
	if (silence_check_until(cfg, today, &errs) == 0)
		return 0;
	daemon_reload_failed(&errs);
	return -1;
}

/* Read the configuration again; swap it in only if it is all valid. */
static void
daemon_reload(void)
{
	struct config_errors errs = {0};
	struct config *cfg;
	char *msg;

	sdnotify_reloading();
	log_info("reloading %s", d.config_path);
	if ((cfg = config_load(d.config_path, &errs)) == NULL) {
		daemon_reload_failed(&errs);
		return;
	}
	if (clock_set_zone(cfg->timezone) == -1) {
		log_warnx("reload failed: cannot use time zone %s",
		    cfg->timezone);
		xasprintf(&msg, "%s: cannot use time zone %s", cfg->path,
		    cfg->timezone);
		errs.msgs = &msg;
		errs.n = 1;
		config_free(cfg);
		clock_set_zone(d.cfg->timezone);
		daemon_reload_rejected(&errs);
		free(msg);
		web_reloaded(false, 1);
		sdnotify("READY=1");
		return;
	}
	if (daemon_reload_silences(cfg) == -1) {
		config_free(cfg);
		clock_set_zone(d.cfg->timezone);
		return;
	}
	if (strcmp(cfg->state_dir, d.cfg->state_dir) != 0)
		log_warnx("state_dir changed to %s: it takes effect at the "
		          "next start",
		    cfg->state_dir);
	daemon_requeue_changed(d.cfg, cfg, clock_now());
	daemon_cancel_removed(cfg);
	deliver_set_config(cfg);
	web_set_config(cfg);
	web_reloaded(true, 0);
	daemon_sweep_drop(); /* begun against d.cfg: it starts again */
	config_free(d.cfg);
	d.cfg = cfg;
	/* Give the old configuration's pages back: without this, each
	 * reload of a large configuration leaves the heap a little larger. */
	malloc_trim(0);
	log_info("reloaded: %zu case%s", cfg->ncases,
	    cfg->ncases == 1 ? "" : "s");
	daemon_warnings(cfg);
	admin_calendar_uncovered(d.ob, cfg, clock_now());
	sdnotify("READY=1");
	/* Swept and planned on the loop, after READY. */
	daemon_plan_sliced(true);
}

/* A signal arrived (through libevent, never a raw handler). */
static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what, (void)arg;
	if (sig == SIGHUP && !d.stopping)
		daemon_reload();
	else if (sig == SIGTERM || sig == SIGINT) {
		log_info("received %s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		daemon_stop();
	}
}

/* Tell systemd's watchdog we are alive. */
static void
daemon_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
	sdnotify("WATCHDOG=1");
}

/* Route libevent's own messages into our log. */
static void
daemon_event_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

/* Create the event base, the timer and the signal events. */
static void
daemon_setup(void)
{
	uint64_t wd = sdnotify_watchdog_usec();
	struct timeval tv;

	event_set_log_callback(daemon_event_log_cb);
	if ((d.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if ((d.tfd = timerfd_create(CLOCK_REALTIME,
	         TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		fatal("timerfd_create");
	if ((d.wake = event_new(d.base, d.tfd, EV_READ | EV_PERSIST,
	         daemon_wake_cb, NULL)) == NULL ||
	    event_add(d.wake, NULL) == -1)
		fatalx("event_new");
	if ((d.slice = evtimer_new(d.base, daemon_slice_cb, NULL)) == NULL)
		fatalx("evtimer_new");
	d.sighup = evsignal_new(d.base, SIGHUP, daemon_signal_cb, NULL);
	d.sigterm = evsignal_new(d.base, SIGTERM, daemon_signal_cb, NULL);
	d.sigint = evsignal_new(d.base, SIGINT, daemon_signal_cb, NULL);
	if (d.sighup == NULL || d.sigterm == NULL || d.sigint == NULL ||
	    evsignal_add(d.sighup, NULL) == -1 ||
	    evsignal_add(d.sigterm, NULL) == -1 ||
	    evsignal_add(d.sigint, NULL) == -1)
		fatalx("evsignal_new");
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if (wd > 0) {
		tv.tv_sec = (time_t)(wd / 2 / 1000000);
		tv.tv_usec = (suseconds_t)(wd / 2 % 1000000);
		if ((d.watchdog = event_new(d.base, -1, EV_PERSIST,
		         daemon_watchdog_cb, NULL)) == NULL ||
		    event_add(d.watchdog, &tv) == -1)
			fatalx("event_new");
	}
}

/* Free everything, in the order curl and libevent need. */
static void
daemon_teardown(void)
{
	deliver_shutdown();
	web_stop();
	if (d.drain != NULL)
		event_free(d.drain);
	if (d.once_timer != NULL)
		event_free(d.once_timer);
	if (d.watchdog != NULL)
		event_free(d.watchdog);
	event_free(d.sighup);
	event_free(d.sigterm);
	event_free(d.sigint);
	event_free(d.wake);
	event_free(d.slice);
	close(d.tfd);
	event_base_free(d.base);
	daemon_sweep_drop();
	outbox_close(d.ob);
	lock_release();
	config_free(d.cfg);
	curl_global_cleanup();
	pidfile_remove();
}

/* Be the only process writing the outbox of state_dir; 0 or -1 (said
 * why). */
static int
daemon_lock(const char *state_dir)
{
	pid_t holder;
	int rc;

	if ((rc = lock_take(state_dir, &holder)) != 1)
		return rc;
	if (holder > 0)
		log_warnx("another deadlined (pid %ld) is running on state_dir "
		          "%s; stop it first",
		    (long)holder, state_dir);
	else
		log_warnx("another deadlined is running on state_dir %s; "
		          "stop it first",
		    state_dir);
	return -1;
}

/* outbox_on_progress hook while starting: systemd's start timeout is
 * pushed a minute further each time, and its status says why. */
static void
daemon_starting(const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "EXTEND_TIMEOUT_USEC=%d\nSTATUS=%s",
	    DAEMON_START_EXTEND_USEC, what);
	sdnotify(msg);
}

int
daemon_run(struct config *cfg, const char *config_path, bool once)
{
	memset(&d, 0, sizeof(d));
	d.cfg = cfg;
	d.config_path = config_path;
	d.once = once;
	srandom((unsigned)getpid() ^ (unsigned)clock_now());
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init");
	if (!once)
		outbox_on_progress(daemon_starting);
	if (daemon_lock(cfg->state_dir) == -1 ||
	    (d.ob = outbox_open(cfg->state_dir)) == NULL) {
		outbox_on_progress(NULL);
		lock_release();
		config_free(cfg);
		curl_global_cleanup();
		return 1;
	}
	outbox_on_progress(NULL);
	/* Never wait long for another process's lock: the loop retries. */
	outbox_busy_ms(d.ob, 10);
	if (!once)
		pidfile_write(cfg->state_dir); /* for --resend; not vital */
	daemon_setup();
	if (deliver_init(d.base, d.ob) == -1)
		fatalx("cannot set up libcurl");
	deliver_set_config(d.cfg);
	deliver_set_breaker(!once);
	deliver_on_outcome(daemon_sleep);
	if (!once && web_start(d.base, d.cfg, d.ob) == -1)
		log_warnx("http: the status listener is off; alerts go out "
		          "as usual");
	log_info("started: %zu case%s, %zu receiver%s, state in %s",
	    cfg->ncases, cfg->ncases == 1 ? "" : "s", cfg->nreceivers,
	    cfg->nreceivers == 1 ? "" : "s", cfg->state_dir);
	daemon_warnings(cfg);
	admin_calendar_uncovered(d.ob, cfg, clock_now());
	daemon_cancel_removed(cfg);
	if (once &&
	    (d.once_timer = evtimer_new(d.base, daemon_once_cb, NULL)) == NULL)
		fatalx("evtimer_new");
	/* What loading malloc'd and freed (libconfig's trees) goes back to
	 * the system. */
	malloc_trim(0);
	/* READY once the configuration is loaded and the outbox open: the
	 * sweep and the first plan (on a first start, an announcement and a
	 * catch-up for every window) are done on the loop in slices. */
	if (!once)
		sdnotify("READY=1");
	daemon_plan_sliced(true); /* --once: at once */
	if (once)
		deliver_on_idle(daemon_once_idle, NULL);
	/* A loopbreak before the loop runs is forgotten: --once with
	 * nothing in flight and nothing held is already done. */
	if (!d.once_done && event_base_dispatch(d.base) == -1)
		fatalx("event_base_dispatch");
	if (once && deliver_unsent() > 0)
		d.status = 1;
	log_info("exiting");
	daemon_teardown();
	return d.status;
}
