/*
 * daemon.h -- the running daemon: one event loop that plans alerts,
 * delivers them, and answers signals.
 */
#ifndef DEADLINED_DAEMON_H
#define DEADLINED_DAEMON_H

#include <stdbool.h>

#include "config.h"

/*
 * Run on cfg (which the daemon owns from here on, and frees) until
 * SIGTERM or SIGINT, or with once, until what is due now has been sent.
 * config_path is read again on SIGHUP.  Returns the exit status.
 */
int daemon_run(struct config *cfg, const char *config_path, bool once);

#endif
