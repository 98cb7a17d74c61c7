/*
 * log.c -- logging to stderr, with syslog priorities for journald.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define LOG_ERR_PRI   3
#define LOG_WARN_PRI  4
#define LOG_INFO_PRI  6
#define LOG_DEBUG_PRI 7

static int log_verbose;
static bool log_journald;

/* True if JOURNAL_STREAM names the device and inode of our stderr. */
static bool
log_under_journald(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) == -1)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int verbose)
{
	log_verbose = verbose;
	log_journald = log_under_journald();
}

/* Write one line at priority pri, with strerror(err) if err is not 0. */
static void
log_vwrite(int pri, int err, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journald) {
		if (err != 0)
			fprintf(stderr, "<%d>%s: %s\n", pri, msg,
			    strerror(err));
		else
			fprintf(stderr, "<%d>%s\n", pri, msg);
		return;
	}
	if (err != 0)
		fprintf(stderr, "deadlined: %s: %s\n", msg, strerror(err));
	else
		fprintf(stderr, "deadlined: %s\n", msg);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARN_PRI, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARN_PRI, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO_PRI, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG_PRI, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR_PRI, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR_PRI, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
