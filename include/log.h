/*
 * log.h -- the daemon's one logging interface (after OpenBSD's log.c).
 *
 * Lines go to stderr.  Under journald (JOURNAL_STREAM names our stderr)
 * each line starts with a <N> syslog priority instead of a time stamp.
 * log_warn appends strerror(errno); the x variants do not.  errno is
 * preserved across every call.  Never pass a secret to any of these.
 * Control characters in a message are escaped (\n, \r, \xHH), so one
 * call writes exactly one line whatever the message holds.
 */
#ifndef DEADLINED_LOG_H
#define DEADLINED_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Set up logging; verbose > 0 shows debug lines. */
void log_init(int verbose);

/* While quiet, info lines are shown only as debug lines are (with -v):
 * for a dry run, whose planner would otherwise report what it did to a
 * private copy of the outbox as if it had told someone.  Warnings and
 * errors are always shown. */
void log_quiet(bool quiet);

/* Between log_hold and log_release (they nest), lines are held and
 * written together, up to 64 KiB in one write: for the outcomes of a
 * round of deliveries, logged once the outbox holds them.  An error
 * line, and any line of log_plain, writes what is held first, then
 * itself, at once. */
void log_hold(void);
void log_release(void);

/* One line on stderr without a prefix or priority, escaped as every log
 * line is: for the "FILE:LINE: message" errors of -t and of a start. */
void log_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
