/*
 * clock.c -- the one clock read, and civil time in the configured zone.
 *
 * The zone is applied through TZ and tzset(3), so the C library's own tz
 * database code does the conversions; the daemon is single-threaded, which
 * makes that process-wide setting safe.
 */
#include <ctype.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

static time_t clock_offset;

/* The real time in whole seconds.  Not time(3): that reads the kernel's
 * coarse clock, which can still show the previous second for a few
 * milliseconds after a timerfd armed for the next one has fired. */
static time_t
clock_real_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return time(NULL);
	return ts.tv_sec;
}

long long
clock_real_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return (long long)time(NULL) * 1000;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

time_t
clock_now(void)
{
	return clock_real_now() + clock_offset;
}

void
clock_shift_to(time_t when)
{
	clock_offset = when - clock_real_now();
}

time_t
clock_real(time_t t)
{
	return t - clock_offset;
}

/*
 * clock_local's answers, by wall clock: a pass over every case asks for
 * the same few hundred days at notify_at again and again, and each
 * answer costs six localtime_r calls (which in glibc parse the zone's
 * rule string each time past its last transition).  Direct-mapped;
 * emptied when the zone changes.
 */
#define CLOCK_CACHE 1024 /* 1 << 10, as clock_local hashes */

static struct {
	time_t wall;
	time_t t;
	bool set;
} clock_cache[CLOCK_CACHE];

/* The last instant clock_split split, in the zone set. */
static struct {
	time_t t;
	date_t day;
	int secs;
	bool set;
} clock_last;

bool
clock_zone_valid(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[4096], magic[4];
	int fd;
	ssize_t n;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if (*name == '\0' || *name == '/' || strstr(name, "..") != NULL)
		return false;
	for (const char *p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			return false;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return n == sizeof(magic) && memcmp(magic, "TZif", 4) == 0;
}

int
clock_set_zone(const char *name)
{
	char tz[512];

	if ((size_t)snprintf(tz, sizeof(tz), ":%s", name) >= sizeof(tz))
		return -1;
	if (setenv("TZ", tz, 1) == -1)
		return -1;
	tzset();
	memset(clock_cache, 0, sizeof(clock_cache));
	clock_last.set = false;
	return 0;
}

/* The wall clock at t, as seconds since 1970-01-01 00:00 local time. */
static time_t
clock_wall(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return t;
	return t + tm.tm_gmtoff;
}

/* The UTC offset in effect at t, in seconds. */
static long
clock_gmtoff(time_t t)
{
	return (long)(clock_wall(t) - t);
}

/*
 * Why not mktime(3) with tm_isdst = -1: it guesses the offset from the
 * fields it is given, so 09:00 on a spring-forward day, reached from
 * midnight, comes out as 09:00 standard time (10:00 by the clock), and a
 * time in the gap or the overlap depends on the C library's mood.
 *
 * Instead: wall is the wanted wall clock as seconds since 1970-01-01
 * 00:00 local.  An instant t shows it if t + offset(t) == wall, so each
 * offset in effect near wall gives one candidate, t = wall - offset, that
 * is real when the offset at t is that offset.  No zone moves by more
 * than 16 hours from UTC, so the offsets 16 hours either side and at wall
 * itself are all there can be, unless a zone changed its offset twice
 * within 16 hours, which this does not try to handle.
 * The earliest real candidate is the first occurrence.  None is real
 * when wall falls in a gap: then the answer is the transition, the first
 * instant whose wall clock is past wall, which lies between the two
 * candidates and is found by bisection.
 */
static time_t clock_local_find(time_t wall);

time_t
clock_local(date_t day, int secs)
{
	time_t wall = (time_t)day * 86400 + secs;
	/* Fibonacci hashing: the walls asked for are a day apart. */
	size_t k = (size_t)(((uint64_t)wall * 0x9e3779b97f4a7c15u) >> 54);

	if (!clock_cache[k].set || clock_cache[k].wall != wall) {
		clock_cache[k].t = clock_local_find(wall);
		clock_cache[k].wall = wall;
		clock_cache[k].set = true;
	}
	return clock_cache[k].t;
}

/* The instant whose wall clock is wall (see above). */
static time_t
clock_local_find(time_t wall)
{
	time_t t, lo, hi, mid;
	long off[3], omin, omax;
	time_t best = -1;
	bool found = false;

	off[0] = clock_gmtoff(wall - 16 * 3600);
	off[1] = clock_gmtoff(wall);
	off[2] = clock_gmtoff(wall + 16 * 3600);
	omin = omax = off[0];
	for (int i = 0; i < 3; i++) {
		t = wall - off[i];
		if (clock_gmtoff(t) == off[i] && (!found || t < best)) {
			best = t;
			found = true;
		}
		omin = off[i] < omin ? off[i] : omin;
		omax = off[i] > omax ? off[i] : omax;
	}
	if (found)
		return best;
	/* In a gap: the wall clock at lo is before wall, at hi after it. */
	lo = wall - omax;
	hi = wall - omin;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (clock_wall(mid) >= wall)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

void
clock_split(time_t t, date_t *day, int *secs)
{
	struct tm tm;

	/* Asked again and again for the same instant (now, for each window
	 * of --list); localtime_r costs 2,000 instructions a call. */
	if (!clock_last.set || clock_last.t != t) {
		localtime_r(&t, &tm);
		clock_last.day =
		    date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		clock_last.secs =
		    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
		clock_last.t = t;
		clock_last.set = true;
	}
	*day = clock_last.day;
	*secs = clock_last.secs;
}

char *
clock_rfc3339(time_t t, char *buf)
{
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf, CLOCK_RFC3339_BUFSZ,
	    "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return buf;
}

/* Read a two-digit field at s that must be at most max. */
static int
clock_field(const char *s, int max)
{
	int v;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	v = (s[0] - '0') * 10 + (s[1] - '0');
	return v > max ? -1 : v;
}

int
clock_parse(const char *s, time_t *out)
{
	char day[DATE_BUFSZ];
	date_t dt;
	int hh, mm, ss = 0, oh, om;
	const char *p;

	if (strnlen(s, 11) < 11 || s[10] != 'T')
		return -1;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (date_parse(day, &dt) == -1)
		return -1;
	p = s + 11;
	if (strnlen(p, 5) < 5 || (hh = clock_field(p, 23)) < 0 || p[2] != ':' ||
	    (mm = clock_field(p + 3, 59)) < 0)
		return -1;
	p += 5;
	if (*p == ':') {
		if (strnlen(p, 3) < 3 || (ss = clock_field(p + 1, 59)) < 0)
			return -1;
		p += 3;
	}
	if (*p == '\0') {
		*out = clock_local(dt, hh * 3600 + mm * 60 + ss);
		return 0;
	}
	if (strcmp(p, "Z") == 0) {
		oh = om = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 &&
	    (oh = clock_field(p + 1, 23)) >= 0 && p[3] == ':' &&
	    (om = clock_field(p + 4, 59)) >= 0) {
		if (*p == '-') {
			oh = -oh;
			om = -om;
		}
	} else
		return -1;
	*out = (time_t)dt * 86400 + hh * 3600 + mm * 60 + ss -
	    (oh * 3600 + om * 60);
	return 0;
}
