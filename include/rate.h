/*
 * rate.h -- per-receiver rate limits ("20/min"): how many messages may
 * start in a sliding window of real time, and when the next one may.
 * Real time, not the daemon's (--now) clock: the limit is the robot's.
 */
#ifndef DEADLINED_RATE_H
#define DEADLINED_RATE_H

#include <stdbool.h>

#include "config.h"

/* True if r may start another message now. */
bool rate_allow(const struct receiver *r);

/* Note that a message to r starts now. */
void rate_note(const struct receiver *r);

/* Milliseconds until r may start another message (0 if it may). */
long long rate_wait_ms(const struct receiver *r);

/* Forget everything (at shutdown). */
void rate_free(void);

#endif
