/*
 * sdnotify.h -- systemd's notify protocol, without libsystemd: one
 * datagram per state change to the socket named by NOTIFY_SOCKET.
 */
#ifndef DEADLINED_SDNOTIFY_H
#define DEADLINED_SDNOTIFY_H

#include <stdint.h>

/* Send "READY=1", "STOPPING=1", ... ; a no-op without NOTIFY_SOCKET. */
void sdnotify(const char *state);

/* "RELOADING=1" with MONOTONIC_USEC, as systemd 253+ wants it. */
void sdnotify_reloading(void);

/* Microseconds between WATCHDOG=1 pings systemd asks for, or 0. */
uint64_t sdnotify_watchdog_usec(void);

#endif
