/*
 * preview.h -- --preview: a dry run of the daemon over the next days,
 * listing every alert it would send, when and to whom.
 */
#ifndef DEADLINED_PREVIEW_H
#define DEADLINED_PREVIEW_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config.h"

#define PREVIEW_DAYS     7    /* --days by default */
#define PREVIEW_DAYS_MAX 3650 /* the longest period counted anywhere */

/*
 * Print every alert the daemon would send from now until days days after
 * it (to receiver only, unless NULL), given cfg and the outbox as they
 * are: when (local time), receiver, kind, case, window and the subject
 * line it would have alone; a table, or with json an array of objects.
 * The outbox is read, never written.  0, or -1 on an error.
 */
int preview_print(const struct config *cfg, time_t now, int days,
    const char *receiver, bool json, FILE *fp);

#endif
