/*
 * log.c -- logging to stderr, with syslog priorities for journald.
 *
 * Every message is made safe here, in one place, before it is written:
 * messages carry case ids, titles and courts from configuration files,
 * and a CR or LF among them would end the line and let the rest pass for
 * a line of its own, "<0>..." and all.  So each C0 control character
 * (0x00-0x1f), DEL and each C1 control (U+0080-U+009F, which terminals
 * obey) is written as an escape: \n, \r, \t, or \xHH (\u00HH for C1).
 * A backslash is left as it is: the escapes are for a reader, not for
 * decoding.  With no newline inside a message, the <N> prefix log.c
 * writes is always the first thing on a journal line.
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

#define LOG_MSG_MAX    2048 /* bytes of a message, before escaping */
#define LOG_SAFE_BUFSZ (LOG_MSG_MAX * 4) /* each byte at most "\xHH" */

#define LOG_HELD_MAX 65536 /* bytes of held lines written at once */

static int log_verbose;
static bool log_quieted; /* log_quiet: info lines as debug lines */
static bool log_journald;

/* Lines held back by log_hold, to go out in one write. */
static struct {
	int depth;
	size_t len;
	char buf[LOG_HELD_MAX];
} log_held;

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

void
log_quiet(bool quiet)
{
	log_quieted = quiet;
}

/* Copy msg into out (at least LOG_SAFE_BUFSZ bytes) with every control
 * character escaped, so that it stays on one line and cannot steer a
 * terminal. */
static void
log_escape(const char *msg, char *out)
{
	const unsigned char *p = (const unsigned char *)msg;
	char *o = out;

	for (; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t') {
			*o++ = '\\';
			*o++ = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
		} else if (*p < 0x20 || *p == 0x7f) {
			o += sprintf(o, "\\x%02x", *p);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			o += sprintf(o, "\\u%04x", p[1]);
			p++;
		} else
			*o++ = (char)*p;
	}
	*o = '\0';
}

/* Write what is held, in one write (stderr is unbuffered). */
static void
log_flush(void)
{
	if (log_held.len > 0)
		fwrite(log_held.buf, 1, log_held.len, stderr);
	log_held.len = 0;
}

void
log_hold(void)
{
	log_held.depth++;
}

void
log_release(void)
{
	if (log_held.depth > 0 && --log_held.depth == 0)
		log_flush();
}

/* Write one line at priority pri, with strerror(err) if err is not 0:
 * at once, or into the held lines. */
static void
log_vwrite(int pri, int err, const char *fmt, va_list ap)
{
	char raw[LOG_MSG_MAX], msg[LOG_SAFE_BUFSZ];
	char line[LOG_SAFE_BUFSZ + LOG_MSG_MAX];
	int n;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	log_escape(raw, msg);
	if (log_journald)
		n = snprintf(line, sizeof(line), "<%d>%s%s%s\n", pri, msg,
		    err != 0 ? ": " : "", err != 0 ? strerror(err) : "");
	else
		n = snprintf(line, sizeof(line), "deadlined: %s%s%s\n", msg,
		    err != 0 ? ": " : "", err != 0 ? strerror(err) : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (log_held.depth == 0 || pri <= LOG_ERR_PRI) {
		log_flush();
		fwrite(line, 1, (size_t)n, stderr);
		return;
	}
	if (log_held.len + (size_t)n > sizeof(log_held.buf))
		log_flush();
	memcpy(log_held.buf + log_held.len, line, (size_t)n);
	log_held.len += (size_t)n;
}

void
log_plain(const char *fmt, ...)
{
	char raw[LOG_MSG_MAX], msg[LOG_SAFE_BUFSZ];
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_escape(raw, msg);
	log_flush();
	fprintf(stderr, "%s\n", msg);
	errno = saved;
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

	if (log_quieted && log_verbose < 1)
		return;
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
