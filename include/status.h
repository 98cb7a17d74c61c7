/*
 * status.h -- --status: where each receiver's deliveries stand, for an
 * administrator and for a monitoring check.
 */
#ifndef DEADLINED_STATUS_H
#define DEADLINED_STATUS_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config.h"

/* Print every receiver's last success, last failure and why, and its
 * deliveries waiting, failed and cancelled, as a table or as JSON.
 * Returns 0 when all is well, 1 when a receiver has failed deliveries of
 * an open window or has waited more than a day, -1 on an error. */
int status_print(const struct config *cfg, time_t now, bool json, FILE *fp);

#endif
