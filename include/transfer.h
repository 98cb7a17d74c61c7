/*
 * transfer.h -- libcurl's multi interface on the daemon's libevent loop
 * (curl's docs/examples/hiperfifo.c): transfers run side by side without
 * blocking, and each one that ends is handed back.  What a transfer
 * carries, and what its end means, is deliver.c's business.
 */
#ifndef DEADLINED_TRANSFER_H
#define DEADLINED_TRANSFER_H

#include <curl/curl.h>
#include <event2/event.h>

/* Run transfers on base.  done(easy, rc) is called for each transfer that
 * ended, after it was removed from the multi handle; then batch() once
 * for all that ended on one wake-up.  0 or -1. */
int transfer_init(struct event_base *base, void (*done)(CURL *, CURLcode),
    void (*batch)(void));

/* Start easy; 0 or -1 (curl refused it). */
int transfer_add(CURL *easy);

/* Stop easy before it ends (it is not handed back). */
void transfer_remove(CURL *easy);

/* Release the multi handle and the events (nothing may be running). */
void transfer_shutdown(void);

#endif
