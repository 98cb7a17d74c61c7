/*
 * xmalloc.h -- allocation that cannot fail: out of memory is fatal, as in
 * tmux and OpenBSD's daemons.  systemd restarts the daemon, and the outbox
 * means no alert is lost by it.
 */
#ifndef DEADLINED_XMALLOC_H
#define DEADLINED_XMALLOC_H

#include <stddef.h>

void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
int xasprintf(char **ret, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
