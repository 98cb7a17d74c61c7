/*
 * clock.h -- the daemon's one clock, and wall time in the configured zone.
 *
 * clock_now is the only place the program reads the time, so that --now
 * can shift everything the daemon sees while the clock keeps running.
 * Local times are in the configured time zone (clock_set_zone), whatever
 * the machine's own TZ is.
 */
#ifndef DEADLINED_CLOCK_H
#define DEADLINED_CLOCK_H

#include <stdbool.h>
#include <time.h>

#include "date.h"

#define CLOCK_RFC3339_BUFSZ 64

/* Seconds since the epoch, shifted by clock_shift. */
time_t clock_now(void);

/* Make clock_now read as if it were `when` now; it keeps running. */
void clock_shift_to(time_t when);

/* The real time in milliseconds, never shifted by --now: for signatures
 * that a provider checks against its own clock. */
long long clock_real_ms(void);

/* The real (unshifted) time at which clock_now will read t. */
time_t clock_real(time_t t);

/* True if name is a zone in the system's tz database. */
bool clock_zone_valid(const char *name);

/* Use zone name for every local time from now on; 0 or -1. */
int clock_set_zone(const char *name);

/*
 * The instant at which the wall clock on local day reads secs as
 * h:m:s (secs / 3600, secs / 60 % 60, secs % 60; 86400 is the next
 * midnight).  A time the clock skips (02:30 on a spring-forward day) maps
 * to the first instant after it, when the clock jumps; a time it shows
 * twice (01:30 on a fall-back day) maps to its first occurrence.
 */
time_t clock_local(date_t day, int secs);

/* The local civil day of instant t, and its wall clock h:m:s as
 * h * 3600 + m * 60 + s.  Not the time elapsed since midnight on a day
 * the clock changes: compare instants, not these. */
void clock_split(time_t t, date_t *day, int *secs);

/* Format t as RFC 3339 local time with its offset into buf. */
char *clock_rfc3339(time_t t, char *buf);

/* Parse --now: YYYY-MM-DDTHH:MM[:SS], local (read as clock_local does)
 * or with Z / +HH:MM; 0 or -1.  Needs the zone set first. */
int clock_parse(const char *s, time_t *out);

#endif
