/*
 * deliver.h -- sending what the outbox holds: libcurl's multi interface
 * on the daemon's libevent loop, one transfer per delivery, and every
 * outcome written back to the outbox.
 */
#ifndef DEADLINED_DELIVER_H
#define DEADLINED_DELIVER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "channel.h"
#include "config.h"
#include "outbox.h"

/* Set up delivery on base; 0 or -1. */
int deliver_init(struct event_base *base, struct outbox *ob);

/* Use cfg's receivers and retry settings from now on. */
void deliver_set_config(const struct config *cfg);

/* Hold a failing receiver's deliveries and probe it with one message
 * per retry interval (the daemon); off, every due delivery is tried
 * (--once).  Off by default. */
void deliver_set_breaker(bool on);

/* Call fn(now) after each batch of outcomes is recorded and what was due
 * by now started (a retry may now be the next thing to wake up for). */
void deliver_on_outcome(void (*fn)(time_t));

/* Start every pending delivery due by now that can start. */
void deliver_kick(time_t now);

/* When a receiver held back by its rate may send again, or -1. */
time_t deliver_next_wake(void);

/* Send a test message through r now, blocking (for --test-receiver):
 * 0 if it was accepted, else -1; what happened goes into result. */
int deliver_test(const struct receiver *r, char *result, size_t len);

/* Release what a transfer owns (its handle, headers, recipients, body
 * and answer); the struct is left zeroed. */
void deliver_transfer_free(struct transfer *t);

/* Transfers in flight. */
size_t deliver_inflight(void);

/* Deliveries that failed for good or await a retry since deliver_init. */
size_t deliver_unsent(void);

/* False while the outbox refuses to record outcomes. */
bool deliver_outbox_writable(void);

/* Start nothing new from now on (shutting down). */
void deliver_stop(void);

/* Call fn when the last transfer in flight has ended (at once if none). */
void deliver_on_idle(void (*fn)(void *), void *arg);

/* Abandon every transfer still in flight (their rows stay pending, to be
 * sent on the next start) and release everything. */
void deliver_shutdown(void);

#endif
